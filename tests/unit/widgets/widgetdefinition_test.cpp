// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "widgets/widgetdefinition.h"

using namespace tessera::widgets;
using nlohmann::json;

namespace {
json event(json content, const std::string &type = "m.widget")
{
    return json{{"type", type},           {"state_key", "w1"},      {"sender", "@bob:example.org"},
                {"room_id", "!r:example.org"}, {"event_id", "$ev"}, {"content", std::move(content)}};
}
} // namespace

TEST(WidgetStateEvent, ParsesEveryField)
{
    auto w = parseWidgetStateEvent(event({{"url", "https://w.example/?u=$matrix_user_id"}, {"type", "m.custom"}, {"name", "Board"},
                                          {"data", {{"title", "T"}}}, {"waitForIframeLoad", false},
                                          {"creatorUserId", "@alice:example.org"}, {"avatar_url", "mxc://example.org/a"}}));
    ASSERT_TRUE(w) << w.error().message;
    ASSERT_TRUE(w->has_value());
    const WidgetDefinition &d = **w;
    EXPECT_EQ(d.id, "w1");
    EXPECT_EQ(d.url, "https://w.example/?u=$matrix_user_id");
    EXPECT_EQ(d.type, "m.custom");
    EXPECT_EQ(d.name, "Board");
    EXPECT_FALSE(d.waitForIframeLoad);
    EXPECT_EQ(d.creatorUserId, "@alice:example.org");
    EXPECT_EQ(d.avatarUrl, "mxc://example.org/a");
    EXPECT_EQ(d.sender, "@bob:example.org");
    EXPECT_EQ(d.eventId, "$ev");
    EXPECT_EQ(d.roomId, "!r:example.org");
    EXPECT_EQ(d.eventType, "m.widget");
}

TEST(WidgetStateEvent, ReadsTheLegacyTypeAndDefaults)
{
    auto w = parseWidgetStateEvent(event({{"url", "https://w.example/"}, {"type", "jitsi"}}, "im.vector.modular.widgets"));
    ASSERT_TRUE(w && w->has_value());
    EXPECT_TRUE((*w)->waitForIframeLoad);
    EXPECT_EQ((*w)->creatorUserId, "@bob:example.org") << "the creator defaults to the sender";
    EXPECT_TRUE((*w)->isJitsi());
    EXPECT_EQ((*w)->displayName(), "jitsi");
}

TEST(WidgetStateEvent, EmptyContentMeansRemoved)
{
    for (json content : {json::object(), json{{"url", "https://w.example/"}}, json{{"type", "m.custom"}}}) {
        auto w = parseWidgetStateEvent(event(content));
        ASSERT_TRUE(w) << content;
        EXPECT_FALSE(w->has_value()) << content;
    }
}

TEST(WidgetStateEvent, NamesTheBadField)
{
    EXPECT_EQ(parseWidgetStateEvent(event({{"url", 5}, {"type", "m.custom"}})).error().message, "widget `url` must be a non-empty string");
    EXPECT_EQ(parseWidgetStateEvent(event({{"url", "https://w"}, {"type", ""}})).error().message, "widget `type` must be a non-empty string");
    EXPECT_EQ(parseWidgetStateEvent(event({{"url", "https://w"}, {"type", "m.custom"}, {"data", "x"}})).error().message,
              "widget `data` must be an object");
    EXPECT_EQ(parseWidgetStateEvent(event({{"url", "https://w"}, {"type", "m.custom"}, {"waitForIframeLoad", "no"}})).error().message,
              "widget `waitForIframeLoad` must be a boolean");
    EXPECT_EQ(parseWidgetStateEvent(event({{"url", "https://w"}, {"type", "m.custom"}, {"avatar_url", "https://x"}})).error().message,
              "widget `avatar_url` must be an mxc:// URI");
    EXPECT_EQ(parseWidgetStateEvent(event({{"url", "https://w"}, {"type", "m.custom"}}, "m.room.topic")).error().message,
              "event type must be m.widget or im.vector.modular.widgets");
    json noKey = event({{"url", "https://w"}, {"type", "m.custom"}});
    noKey.erase("state_key");
    EXPECT_EQ(parseWidgetStateEvent(noKey).error().message, "widget state event has no state_key (the widget id)");
    EXPECT_EQ(parseWidgetStateEvent(json::array()).error().message, "widget state event is not a JSON object");
}

TEST(WidgetStateEvent, FallsBackToTheDataTitleForTheName)
{
    auto w = parseWidgetStateEvent(event({{"url", "https://w"}, {"type", "m.custom"}, {"data", {{"title", "Standup"}}}}));
    EXPECT_EQ((*w)->displayName(), "Standup");
}
