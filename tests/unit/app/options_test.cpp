// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "options.h"

using tessera::app::parseOptions;

TEST(CommandLine, ReadsEveryOption)
{
    auto o = parseOptions({"--data-dir", "/srv/tessera-data", "--room", "!r:local", "--open-widget", "https://w.example/",
                           "--widget-name", "Board", "--plugins-dir", "a", "--plugins-dir", "b", "--safe-mode",
                           "--allow-http-loopback", "--screenshot", "s.png", "--size", "800x1280", "--theme", "dark",
                           "--language", "es", "-platform", "offscreen"});
    ASSERT_TRUE(o) << o.error().message;
    EXPECT_EQ(o->dataDir, "/srv/tessera-data");
    EXPECT_EQ(o->room, "!r:local");
    EXPECT_EQ(o->openWidget, "https://w.example/");
    EXPECT_EQ(o->openWidgetName, "Board");
    EXPECT_EQ(o->pluginDirs.size(), 2u);
    EXPECT_TRUE(o->safeMode);
    EXPECT_TRUE(o->allowHttpLoopback);
    EXPECT_EQ(o->screenshot, "s.png");
    EXPECT_EQ(o->width, 800);
    EXPECT_EQ(o->height, 1280);
    EXPECT_EQ(o->theme, "dark");
    EXPECT_EQ(o->language, "es");
    EXPECT_EQ(o->qtArgs, (std::vector<std::string>{"-platform", "offscreen"}));
}

TEST(CommandLine, PassesEverythingAfterASubcommandToIt)
{
    auto o = parseOptions({"--data-dir", "d", "audit", "export", "--widget", "w1"});
    ASSERT_TRUE(o);
    EXPECT_EQ(o->command, "audit");
    EXPECT_EQ(o->commandArgs, (std::vector<std::string>{"export", "--widget", "w1"}));
}

TEST(CommandLine, RefusesBadInputWithOneLineNamingTheOption)
{
    struct Case {
        std::vector<std::string> args;
        const char *message;
    };
    const Case cases[] = {
        {{"--bogus"}, "unknown option --bogus (see tessera --help)"},
        {{"--plugin", "x"}, "unknown option --plugin (did you mean --plugins-dir?)"},
        {{"--room"}, "--room needs a value"},
        {{"--homeserver", "matrix.org"}, "--homeserver needs an http(s) URL, e.g. https://matrix.example.org"},
        {{"--size", "10x10"}, "--size needs WIDTHxHEIGHT between 320 and 7680, e.g. 1280x800"},
        {{"--size", "800"}, "--size needs WIDTHxHEIGHT between 320 and 7680, e.g. 1280x800"},
        {{"--theme", "blue"}, "--theme must be system, light or dark"},
        {{"--language", "fr"}, "--language must be en or es"},
        {{"--screenshot-timeout", "0"}, "--screenshot-timeout needs a number of seconds from 1 to 3600"},
        {{"--open-widget", "https://x/", "audit", "verify"}, "--open-widget and --screenshot cannot be combined with the audit command"},
    };
    for (const auto &c : cases) {
        auto o = parseOptions(c.args);
        ASSERT_FALSE(o) << c.args.front();
        EXPECT_EQ(o.error().message, c.message);
        EXPECT_EQ(o.error().message.find('\n'), std::string::npos);
    }
}

TEST(CommandLine, HelpAndVersion)
{
    EXPECT_TRUE(parseOptions({"--help"})->showHelp);
    EXPECT_TRUE(parseOptions({"--version"})->showVersion);
    EXPECT_NE(tessera::app::usage().find("--open-widget URL"), std::string::npos);
}
