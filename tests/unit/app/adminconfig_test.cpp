// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <fstream>

#include "adminconfig.h"

#include "tempdir.h"

using tessera::ErrorCode;
using tessera::app::kMaxConfigFileBytes;
using tessera::app::parseAdminConfig;
using tessera::app::readAdminConfig;

TEST(AdminConfig, NamesTheCallServiceAndThePageForPluginWidgets)
{
    auto both = parseAdminConfig(R"({"call_service": "https://Call.Example.org/room",
                                     "plugin_widget_page": "https://tessera.example.org/needs-tessera/?v=2"})");
    ASSERT_TRUE(both) << both.error().message;
    EXPECT_EQ(both->callServiceOrigin, "https://call.example.org") << "the origin, as the browser computes it";
    EXPECT_EQ(both->pluginWidgetPage, "https://tessera.example.org/needs-tessera/?v=2") << "the address as given, query kept";
    auto none = parseAdminConfig("{}");
    ASSERT_TRUE(none);
    EXPECT_EQ(none->callServiceOrigin, "");
    EXPECT_EQ(none->pluginWidgetPage, "");
    auto loopback = parseAdminConfig(R"({"plugin_widget_page": "http://127.0.0.1:8080/needs-tessera/"})");
    ASSERT_TRUE(loopback) << "a page served on this computer, for tests and a local setup";
}

TEST(AdminConfig, SaysWhatIsWrong)
{
    const struct {
        std::string text;
        const char *says;
    } bad[] = {
        {"", "not a JSON object"},
        {"[\"https://call.example.org\"]", "not a JSON object"},
        {"{\"call_service\": ", "not a JSON object"},
        {R"({"call_servce": "https://call.example.org"})", "\"call_servce\" is not a setting Tessera knows (it knows \"call_service\" and \"plugin_widget_page\")"},
        {R"({"call_service": 42})", "\"call_service\" must be an address, a string"},
        {R"({"plugin_widget_page": null})", "\"plugin_widget_page\" must be an address, a string"},
        {R"({"call_service": "http://call.example.org"})", "\"call_service\": the call service's address must start with https://"},
        {R"({"call_service": "https://call.example.org@evil.example"})", "user name or password"},
        {R"({"plugin_widget_page": "http://pages.example.org/needs-tessera/"})", "\"plugin_widget_page\": the page for plugin widgets in other clients must have an https:// address"},
        {R"({"plugin_widget_page": "https://pages.example.org/needs-tessera/#top"})", "fragment"},
        {R"({"plugin_widget_page": "https://user:pw@pages.example.org/"})", "user name or password"},
        {R"({"plugin_widget_page": ""})", "needs an address"},
        {R"({"plugin_widget_page": "https:///nohost"})", "has an address that is not a URL: URL has no host"},
        {"{\"plugin_widget_page\": \"https://pages.example.org/" + std::string(1024, 'a') + "\"}", "longer than 1024 bytes"},
        {"{\"call_service\": \"https://call.example.org/" + std::string(kMaxConfigFileBytes, 'a') + "\"}", "larger than 65536 bytes"},
    };
    for (const auto &b : bad) {
        auto r = parseAdminConfig(b.text);
        ASSERT_FALSE(r) << b.text.substr(0, 80);
        EXPECT_EQ(r.error().code, ErrorCode::BadRequest);
        EXPECT_NE(r.error().message.find(b.says), std::string::npos) << r.error().message;
    }
}

TEST(AdminConfig, ReadsTheFileItIsGivenAndNamesItWhenItCannot)
{
    tessera::test::TempDir dir;
    const auto file = dir.path() / "config.json";
    {
        std::ofstream out(file);
        out << R"({"plugin_widget_page": "https://tessera.example.org/needs-tessera/"})";
    }
    auto read = readAdminConfig(file);
    ASSERT_TRUE(read) << read.error().message;
    EXPECT_EQ(read->pluginWidgetPage, "https://tessera.example.org/needs-tessera/");

    auto missing = readAdminConfig(dir.path() / "absent.json");
    ASSERT_FALSE(missing) << "a file named on the command line must exist";
    EXPECT_NE(missing.error().message.find("absent.json"), std::string::npos) << missing.error().message;

    {
        std::ofstream out(file);
        out << R"({"plugin_widget_page": "ftp://tessera.example.org/"})";
    }
    auto unusable = readAdminConfig(file);
    ASSERT_FALSE(unusable);
    EXPECT_NE(unusable.error().message.find("the configuration file " + file.string() + " cannot be used"), std::string::npos)
        << unusable.error().message;
}
