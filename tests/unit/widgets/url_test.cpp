// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "widgets/url.h"
#include "widgets/urlpolicy.h"

using namespace tessera::widgets;

TEST(UrlParser, SplitsAnAbsoluteUrl)
{
    auto u = parseUrl("HTTPS://User@Example.ORG:8443/a/b?x=1&y=2#frag");
    ASSERT_TRUE(u) << u.error().message;
    EXPECT_EQ(u->scheme, "https");
    EXPECT_TRUE(u->hasUserInfo);
    EXPECT_EQ(u->userInfo, "User");
    EXPECT_EQ(u->host, "example.org");
    EXPECT_EQ(u->port, std::optional<int>(8443));
    EXPECT_EQ(u->path, "/a/b");
    EXPECT_EQ(u->query, "x=1&y=2");
    EXPECT_EQ(u->fragment, "frag");
    EXPECT_EQ(u->origin(), "https://example.org:8443");
}

TEST(UrlParser, OmitsDefaultPortsFromTheOrigin)
{
    EXPECT_EQ(parseUrl("https://example.org:443/")->origin(), "https://example.org");
    EXPECT_EQ(parseUrl("http://127.0.0.1:80")->origin(), "http://127.0.0.1");
    EXPECT_EQ(parseUrl("https://[::1]:8443/x")->origin(), "https://[::1]:8443");
}

TEST(UrlParser, FindsTheHostTheWayABrowserDoes)
{
    // The fragment and query end the authority, so the '@' inside them is not userinfo.
    EXPECT_EQ(parseUrl("https://good.example#@evil.example")->host, "good.example");
    EXPECT_EQ(parseUrl("https://good.example?@evil.example")->host, "good.example");
    auto u = parseUrl("https://trusted.example@evil.example/");
    EXPECT_EQ(u->host, "evil.example");
    EXPECT_TRUE(u->hasUserInfo);
}

TEST(UrlParser, RefusesWhatBrowsersWouldSilentlyRepair)
{
    EXPECT_EQ(parseUrl("https://exa mple.org").error().message, "URL contains a space or control character");
    EXPECT_EQ(parseUrl("java\tscript:alert(1)").error().message, "URL contains a space or control character");
    EXPECT_EQ(parseUrl("https:\\\\evil.example").error().message, "URL contains a backslash");
    EXPECT_EQ(parseUrl("https://0x7f.1/").error().message,
              "URL host looks like an IP address but is not a plain dotted-quad (e.g. 127.0.0.1)");
    EXPECT_EQ(parseUrl("http://2130706433/").error().message,
              "URL host looks like an IP address but is not a plain dotted-quad (e.g. 127.0.0.1)");
    EXPECT_EQ(parseUrl("http://127.000.000.001/").error().message,
              "URL host looks like an IP address but is not a plain dotted-quad (e.g. 127.0.0.1)");
    EXPECT_EQ(parseUrl("https://ex%61mple.org").error().message, "URL host is percent-encoded");
    EXPECT_NE(parseUrl("https://bücher.example").error().message.find("punycode"), std::string::npos);
    EXPECT_EQ(parseUrl("https://example.org:99999").error().message, "URL port is out of range (1-65535)");
    EXPECT_EQ(parseUrl("https://example.org:8x").error().message, "URL port is not a number");
    EXPECT_EQ(parseUrl("https://[::1/").error().message, "URL has an unterminated IPv6 address");
    EXPECT_EQ(parseUrl("https://[1:2:3]/").error().message, "URL host is not a valid IPv6 address");
    EXPECT_EQ(parseUrl("https://a..b/").error().message, "URL host has an empty label");
    EXPECT_EQ(parseUrl("://x").error().message, "URL has no scheme");
    EXPECT_EQ(parseUrl(std::string(8193, 'a')).error().message, "URL is longer than 8192 bytes");
}

TEST(UrlParser, KnowsLoopbackHosts)
{
    for (const char *u : {"http://localhost:8080/", "http://127.0.0.1/", "http://127.1.2.3/", "http://[::1]/"})
        EXPECT_TRUE(parseUrl(u)->isLoopbackHost()) << u;
    for (const char *u : {"http://localhost.evil.example/", "http://128.0.0.1/", "http://10.0.0.1/", "http://[::2]/"})
        EXPECT_FALSE(parseUrl(u)->isLoopbackHost()) << u;
}

struct Refusal {
    const char *name;
    const char *url;
    const char *message;
};

// Names the case in test listings instead of dumping the struct's bytes.
static void PrintTo(const Refusal &r, std::ostream *os)
{
    *os << r.name;
}

class WidgetUrlPolicy : public ::testing::TestWithParam<Refusal> {};

TEST_P(WidgetUrlPolicy, RefusesWithItsOwnReason)
{
    auto r = checkWidgetUrl(GetParam().url);
    ASSERT_FALSE(r) << GetParam().url;
    EXPECT_EQ(r.error().message, GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Invariant1, WidgetUrlPolicy,
    ::testing::Values(
        Refusal{"Javascript", "javascript:alert(1)", "javascript: URLs are never loaded as widgets"},
        Refusal{"JavascriptMixedCase", "JaVaScRiPt:alert(1)", "javascript: URLs are never loaded as widgets"},
        Refusal{"JavascriptWithTab", "java\tscript:alert(1)", "javascript: URLs are never loaded as widgets"},
        Refusal{"Data", "data:text/html,<script>alert(1)</script>", "data: URLs are never loaded as widgets"},
        Refusal{"File", "file:///etc/passwd", "file: URLs are never loaded as widgets"},
        Refusal{"Blob", "blob:https://example.org/1234", "blob: URLs are never loaded as widgets"},
        Refusal{"About", "about:blank", "about: URLs are never loaded as widgets"},
        Refusal{"Qrc", "qrc:/Tessera/Main.qml", "qrc: URLs are never loaded as widgets"},
        Refusal{"PluginScheme", "tessera-plugin://kanban/index.html", "tessera-plugin: URLs are reserved for widgets served by plugins"},
        Refusal{"CustomScheme", "ftp://example.org/", "only https: widget URLs are allowed (got ftp:)"},
        Refusal{"HttpRemote", "http://example.org/", "http: is only allowed for loopback hosts (localhost, 127.0.0.1, [::1]); use https:"},
        Refusal{"HttpLoopbackWithoutSwitch", "http://127.0.0.1:8080/", "http: on a loopback host needs the developer switch --allow-http-loopback"},
        Refusal{"Credentials", "https://user:pass@example.org/", "widget URL must not contain a user name or password"},
        Refusal{"NoSlashes", "https:example.org", "widget URL must start with https://"},
        Refusal{"Empty", "", "widget URL is empty"},
        Refusal{"Whitespace", "https://example.org/ x", "widget URL contains a space or control character"}),
    [](const auto &info) { return std::string(info.param.name); });

TEST(WidgetUrlPolicy, AcceptsHttpsAndReturnsTheParsedUrl)
{
    auto r = checkWidgetUrl("https://widgets.example.org/board?room=%21abc");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->origin(), "https://widgets.example.org");
}

TEST(WidgetUrlPolicy, AcceptsLoopbackHttpOnlyWithTheSwitch)
{
    UrlPolicyOptions dev;
    dev.allowLoopbackHttp = true;
    EXPECT_TRUE(checkWidgetUrl("http://127.0.0.1:8080/w.html", dev));
    EXPECT_TRUE(checkWidgetUrl("http://localhost/w.html", dev));
    EXPECT_FALSE(checkWidgetUrl("http://example.org/", dev));
}

TEST(WidgetUrlPolicy, AcceptsThePluginSchemeOnlyForPluginWidgets)
{
    UrlPolicyOptions plugin;
    plugin.allowPluginScheme = true;
    auto r = checkWidgetUrl("tessera-plugin://kanban/index.html", plugin);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->host, "kanban");
}
