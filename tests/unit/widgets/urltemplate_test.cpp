// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "widgets/urltemplate.h"

using namespace tessera::widgets;
using nlohmann::json;

namespace {
TemplateParams params()
{
    TemplateParams p;
    p.userId = "@alice:example.org";
    p.roomId = "!room:example.org";
    p.displayName = "Alice Example";
    p.avatarUrl = "https://example.org/avatar.png";
    p.widgetId = "w1";
    p.clientTheme = "dark";
    p.clientLanguage = "es";
    p.deviceId = "DEVICE";
    p.baseUrl = "https://localhost/api";
    return p;
}
} // namespace

TEST(UrlTemplate, ReplacesEveryHostVariable)
{
    const std::string out = runTemplate(
        "https://w.example/?u=$matrix_user_id&r=$matrix_room_id&n=$matrix_display_name&a=$matrix_avatar_url"
        "&w=$matrix_widget_id&c=$org.matrix.msc2873.client_id&t=$org.matrix.msc2873.client_theme"
        "&l=$org.matrix.msc2873.client_language&b=$org.matrix.msc4039.matrix_base_url",
        json::object(), params());
    EXPECT_EQ(out, "https://w.example/?u=%40alice%3Aexample.org&r=!room%3Aexample.org&n=Alice%20Example"
                   "&a=https%3A%2F%2Fexample.org%2Favatar.png&w=w1&c=io.tessera&t=dark&l=es"
                   "&b=https%3A%2F%2Flocalhost%2Fapi");
}

TEST(UrlTemplate, FillsBothDeviceIdSpellings)
{
    EXPECT_EQ(runTemplate("https://w.example/?a=$org.matrix.msc3819.matrix_device_id&b=$org.matrix.msc2873.matrix_device_id",
                          json::object(), params()),
              "https://w.example/?a=DEVICE&b=DEVICE");
}

TEST(UrlTemplate, HostValuesOverrideData)
{
    json data{{"matrix_user_id", "@mallory:evil.example"}, {"conf", "abc"}};
    EXPECT_EQ(runTemplate("https://w.example/$conf?u=$matrix_user_id", data, params()),
              "https://w.example/abc?u=%40alice%3Aexample.org");
}

TEST(UrlTemplate, ADataKeyThatIsAPrefixCannotCorruptALongerName)
{
    json data{{"matrix", "BROKEN"}};
    EXPECT_EQ(runTemplate("https://w.example/?u=$matrix_user_id&m=$matrix", data, params()),
              "https://w.example/?u=%40alice%3Aexample.org&m=BROKEN");
}

TEST(UrlTemplate, DoesNotExpandVariablesInsideValues)
{
    json data{{"evil", "$matrix_user_id"}};
    EXPECT_EQ(runTemplate("https://w.example/?e=$evil", data, params()), "https://w.example/?e=%24matrix_user_id");
}

TEST(UrlTemplate, PercentEncodesLikeEncodeURIComponent)
{
    json data{{"v", "a b/c?d#e&f=g!~*'()"}};
    EXPECT_EQ(runTemplate("https://w.example/?v=$v", data, params()), "https://w.example/?v=a%20b%2Fc%3Fd%23e%26f%3Dg!~*'()");
}

TEST(UrlTemplate, SubstitutesScalarsAndLeavesObjectsAlone)
{
    json data{{"n", 5}, {"f", 1.5}, {"i", 2.0}, {"b", true}, {"o", {{"x", 1}}}, {"z", nullptr}};
    EXPECT_EQ(runTemplate("https://w.example/?n=$n&f=$f&i=$i&b=$b&o=$o&z=$z", data, params()),
              "https://w.example/?n=5&f=1.5&i=2&b=true&o=$o&z=$z");
}

TEST(UrlTemplate, DefaultsTheDisplayNameToTheUserId)
{
    auto p = params();
    p.displayName.clear();
    EXPECT_EQ(runTemplate("https://w.example/?n=$matrix_display_name", json::object(), p), "https://w.example/?n=%40alice%3Aexample.org");
}

TEST(UrlTemplate, LeavesUnknownVariablesAndLoneDollars)
{
    EXPECT_EQ(runTemplate("https://w.example/$unknown/$/$$matrix_widget_id", json::object(), params()),
              "https://w.example/$unknown/$/$w1");
}

TEST(UrlTemplate, AddsTheEmbeddingParametersBeforeTheFragment)
{
    EXPECT_EQ(addEmbeddingParameters("https://w.example/app#/board", "w 1", "tessera://app/wrapper.html"),
              "https://w.example/app?widgetId=w%201&parentUrl=tessera%3A%2F%2Fapp%2Fwrapper.html#/board");
    EXPECT_EQ(addEmbeddingParameters("https://w.example/app?x=1", "w", "p"), "https://w.example/app?x=1&widgetId=w&parentUrl=p");
}

TEST(UrlTemplate, NamesTheServerVariablesThatAreEmpty)
{
    // Element Call's embedded default asks for the homeserver and the device; the local rooms have neither.
    const std::string url = "https://call.example/#?roomId=$matrix_room_id&baseUrl=$org.matrix.msc4039.matrix_base_url"
                            "&deviceId=$org.matrix.msc3819.matrix_device_id";
    TemplateParams local;
    local.userId = "@me:local";
    EXPECT_EQ(emptyServerVariables(url, local),
              (std::vector<std::string>{"org.matrix.msc4039.matrix_base_url", "org.matrix.msc3819.matrix_device_id"}));
    TemplateParams server = local;
    server.baseUrl = "https://matrix.example";
    server.deviceId = "DEVICE";
    EXPECT_TRUE(emptyServerVariables(url, server).empty());
    // A URL that does not ask for them needs no server, whatever is empty.
    EXPECT_TRUE(emptyServerVariables("https://example.org/?user=$matrix_user_id", local).empty());
    EXPECT_EQ(emptyServerVariables("https://x/?d=$org.matrix.msc2873.matrix_device_id", local),
              std::vector<std::string>{"org.matrix.msc2873.matrix_device_id"});
}
