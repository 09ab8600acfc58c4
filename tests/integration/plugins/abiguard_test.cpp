// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
// A plugin on the raw C ABI can break the rule that no C++ exception crosses the boundary. Every
// call into plugin code is guarded: nothing unwinds into the host (which would end in
// std::terminate), the plugin is refused or disabled with the reason, and the rest carries on.
#include <gtest/gtest.h>

#include "pluginharness.h"
#include "util/secretstore.h"

using nlohmann::json;
using tessera::plugins::PluginEventKind;
using tessera::plugins::PluginState;
using tessera::test::fixture;
using tessera::test::PluginHarness;
using tessera::test::widgetContext;

namespace {
const std::string kRaw = "io.tessera.test.raw-throws";
const std::string kGood = "io.tessera.test.good";
const std::string kRule = " (exceptions must not cross the plugin ABI)";

void expectDisabled(const PluginHarness &h, const std::string &reason)
{
    const auto &record = h.record(kRaw);
    EXPECT_EQ(record.state, PluginState::Disabled);
    EXPECT_EQ(record.error, "disabled for this session: " + reason);
    ASSERT_FALSE(h.events.empty());
    EXPECT_EQ(h.events.back().kind, PluginEventKind::Disabled);
    EXPECT_EQ(h.events.back().message, record.error);
    const auto rows = h.audit.about("plugin.disable", kRaw);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].reason, record.error);
}
} // namespace

TEST(PluginAbiGuard, AnEntryPointThatThrowsIsRefusedWithTheReason)
{
    PluginHarness h;
    h.load({fixture("raw-load-throws"), fixture("good")});
    const auto &record = h.record("io.tessera.test.raw-load-throws");
    EXPECT_EQ(record.state, PluginState::Failed);
    EXPECT_EQ(record.error, "initialization failed: the plugin let a C++ exception (raw load exploded) escape from "
                            "tessera_plugin_load" + kRule);
    const auto rows = h.audit.about("plugin.load", "io.tessera.test.raw-load-throws");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].reason, record.error);
    EXPECT_EQ(h.record(kGood).state, PluginState::Running);
    EXPECT_TRUE(h.answer(kGood + ".echo"));
}

TEST(PluginAbiGuard, AHandlerThatThrowsDisablesItsPluginAtOnce)
{
    PluginHarness h;
    h.load({fixture("raw-throws"), fixture("good")});
    ASSERT_EQ(h.record(kRaw).state, PluginState::Running);
    auto r = h.answer(kRaw + ".explode");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "plugin " + kRaw + " failed to handle " + kRaw + ".explode");
    const std::string reason = "it let a C++ exception (handler exploded) escape from its handler for " + kRaw
                               + ".explode" + kRule;
    const auto rows = h.audit.about(kRaw + ".explode");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].decision, tessera::audit::Decision::Failed);
    EXPECT_EQ(rows[0].reason, reason);
    expectDisabled(h, reason);
    h.scheduler.runPosted();
    EXPECT_EQ(h.actions.find(kRaw + ".explode"), nullptr);
    EXPECT_TRUE(h.answer(kGood + ".echo")) << "the other plugins carry on";
}

TEST(PluginAbiGuard, SomethingThatIsNotAStdExceptionIsCaughtToo)
{
    PluginHarness h;
    h.load({fixture("raw-throws")});
    EXPECT_FALSE(h.answer(kRaw + ".throw-int"));
    expectDisabled(h, "it let a C++ exception escape from its handler for " + kRaw + ".throw-int" + kRule);
}

TEST(PluginAbiGuard, ATimerOrAPostedTaskThatThrowsDisablesThePlugin)
{
    {
        PluginHarness h;
        h.load({fixture("raw-throws")});
        ASSERT_TRUE(h.answer(kRaw + ".timer"));
        h.scheduler.advance(10);
        expectDisabled(h, "it let a C++ exception (timer exploded) escape from a timer callback" + kRule);
    }
    {
        PluginHarness h;
        h.load({fixture("raw-throws")});
        ASSERT_TRUE(h.answer(kRaw + ".post"));
        h.scheduler.runPosted();
        expectDisabled(h, "it let a C++ exception (posted task exploded) escape from a posted task" + kRule);
    }
}

TEST(PluginAbiGuard, ASecretCallbackThatThrowsDisablesThePlugin)
{
    tessera::test::TempDir dir;
    tessera::FileSecretStore secrets(dir.path() / "secrets");
    PluginHarness h;
    h.services.secrets = &secrets;
    h.load({fixture("raw-throws")});
    ASSERT_TRUE(h.answer(kRaw + ".secret"));
    h.scheduler.runPosted();
    expectDisabled(h, "it let a C++ exception (result callback exploded) escape from the result callback of "
                      "plugin.read_secret" + kRule);
}

TEST(PluginAbiGuard, BuildUrlAndSessionClosedThatThrowDisableThePlugin)
{
    {
        PluginHarness h;
        h.load({fixture("raw-throws")});
        auto url = h.manager->buildWidgetUrl(kRaw + ".page", json{{"id", "w"}});
        ASSERT_FALSE(url);
        const std::string reason =
            "it let a C++ exception (build_url exploded) escape from build_url of " + kRaw + ".page" + kRule;
        EXPECT_EQ(url.error().message, "plugin " + kRaw + " could not build the widget's URL: " + reason);
        expectDisabled(h, reason);
    }
    {
        PluginHarness h;
        h.load({fixture("raw-throws")});
        ASSERT_TRUE(h.answer(kRaw + ".on-close"));
        const auto widget = widgetContext();
        h.manager->sessionClosed(widget.roomId, widget.widgetId);
        expectDisabled(h, "it let a C++ exception (session_closed exploded) escape from session_closed of " + kRaw
                              + kRule);
    }
}

TEST(PluginAbiGuard, AnUnloadThatThrowsIsRecordedAndShutdownFinishes)
{
    PluginHarness h;
    h.load({fixture("raw-throws"), fixture("good")});
    h.manager->shutdown();
    EXPECT_EQ(h.record(kGood).state, PluginState::Stopped);
    const auto rows = h.audit.about("plugin.exception", kRaw);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].reason,
              "the plugin let a C++ exception (unload exploded) escape from tessera_plugin_unload" + kRule);
}
