// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
// Run by installedsdk.cmake on the example plugin it built out of tree against the installed SDK:
// the host must load it and the plugin must work. Not a test on its own (it needs that build).
#include <gtest/gtest.h>

#include <cstdlib>

#include "pluginharness.h"

using nlohmann::json;
using tessera::plugins::PluginState;
using tessera::plugins::WidgetSource;
using tessera::test::PluginHarness;

namespace {

class RecordingPush final : public tessera::plugins::WidgetPushTarget {
public:
    std::vector<tessera::plugins::WidgetPush> pushes;
    void push(const tessera::bridge::WidgetContext &, const tessera::plugins::WidgetPush &p,
              tessera::bridge::Callback<json> done) override
    {
        pushes.push_back(p);
        done(json::object());
    }
};

} // namespace

TEST(InstalledSdk, TheExamplePluginBuiltOutOfTreeLoadsAndWorks)
{
    const char *dir = std::getenv("TESSERA_OUT_OF_TREE_PLUGIN_DIR");
    ASSERT_NE(dir, nullptr) << "run through installedsdk.cmake, which builds the plugin first";

    RecordingPush push;
    PluginHarness h;
    h.services.push = &push;
    h.load({dir});
    const auto &record = h.record("io.tessera.example.hello");
    ASSERT_EQ(record.state, PluginState::Running) << record.error;

    const auto *type = h.manager->findWidgetType("io.tessera.example.hello");
    ASSERT_NE(type, nullptr);
    EXPECT_EQ(type->source, WidgetSource::Assets);
    EXPECT_EQ(type->description, "Says hello through a plugin");
    EXPECT_TRUE(h.manager->resolveAsset("io.tessera.example.hello", "index.html"));

    auto reply = h.answer("io.tessera.example.hello.greet", {{"from", "the test"}});
    ASSERT_TRUE(reply) << reply.error().message;
    EXPECT_EQ((*reply)["greeting"], "Hello from a Tessera plugin!");
    EXPECT_EQ((*reply)["received"], (json{{"from", "the test"}}));

    h.scheduler.advance(1000);
    ASSERT_EQ(push.pushes.size(), 1u);
    EXPECT_EQ(push.pushes[0].action, "io.tessera.example.hello.wave");
    EXPECT_EQ(push.pushes[0].data, (json{{"message", "waving back"}}));

    // Its Spanish table came along with the build: the names a Spanish user sees.
    h.manager->setLanguage("es");
    EXPECT_EQ(record.displayName(), "Hola");
    EXPECT_EQ(type->displayName, "Hola");
    EXPECT_EQ(type->capabilities.at(0).reason, "Permite al widget pedir un saludo al complemento Hola");
}
