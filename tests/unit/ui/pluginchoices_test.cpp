// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <filesystem>

#include "pluginchoices.h"
#include "uistate.h"

using namespace tessera::ui;

namespace {
std::filesystem::path scratch()
{
    std::string pattern = (std::filesystem::temp_directory_path() / "tessera-choices-XXXXXX").string();
    return ::mkdtemp(pattern.data()) ? std::filesystem::path(pattern) : std::filesystem::path();
}
} // namespace

TEST(PluginChoices, AreKeptInTheSettingsAcrossOpens)
{
    const auto dir = scratch();
    ASSERT_FALSE(dir.empty());
    {
        auto state = UiState::open(dir);
        ASSERT_TRUE(state) << state.error().message;
        EXPECT_EQ(readPluginChoices(*state), PluginChoices{}) << "nothing chosen: all on, third-party off";
        PluginChoices c;
        c.disabled = {"io.tessera.kanban", "org.example.x"};
        c.thirdParty = true;
        writePluginChoices(*state, c);
    }
    auto again = UiState::open(dir);
    ASSERT_TRUE(again);
    const PluginChoices c = readPluginChoices(*again);
    EXPECT_EQ(c.disabled, (std::set<std::string, std::less<>>{"io.tessera.kanban", "org.example.x"}));
    EXPECT_TRUE(c.thirdParty);
    again->setValue("plugins.disabled", "{not json");
    EXPECT_TRUE(readPluginChoices(*again).disabled.empty()) << "a damaged value reads as nothing turned off";
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
}
