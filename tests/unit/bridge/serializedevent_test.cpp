// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "bridge/serializedevent.h"

using namespace tessera::bridge;
using nlohmann::json;

namespace {
const json kMessage{{"type", "m.room.message"}, {"room_id", "!room:example.org"}, {"event_id", "$e"},
                    {"content", {{"msgtype", "m.text"}, {"body", "hi"}}}};

void expectFields(const SerializedEvent &ev, const char *type, const char *room, const char *stateKey, const char *msgtype)
{
    const auto same = [](const std::string *field, const char *expected) {
        return expected ? field && *field == expected : field == nullptr;
    };
    EXPECT_TRUE(same(ev.type(), type)) << ev.text();
    EXPECT_TRUE(same(ev.roomId(), room)) << ev.text();
    EXPECT_TRUE(same(ev.stateKey(), stateKey)) << ev.text();
    EXPECT_TRUE(same(ev.msgtype(), msgtype)) << ev.text();
}
} // namespace

TEST(SerializedEvent, FromJsonKeepsTheDumpAndReadsTheCheckedFields)
{
    const SerializedEvent ev = SerializedEvent::fromJson(kMessage);
    EXPECT_EQ(ev.text(), kMessage.dump());
    expectFields(ev, "m.room.message", "!room:example.org", nullptr, "m.text");
    EXPECT_EQ(ev.toJson(), kMessage);

    const SerializedEvent state = SerializedEvent::fromJson(
        json{{"type", "m.room.topic"}, {"room_id", "!r:x"}, {"state_key", ""}, {"content", {{"topic", "t"}}}});
    expectFields(state, "m.room.topic", "!r:x", "", nullptr);
}

TEST(SerializedEvent, FieldsOfTheWrongTypeAreAbsent)
{
    expectFields(SerializedEvent::fromJson(42), nullptr, nullptr, nullptr, nullptr);
    expectFields(SerializedEvent::fromJson(json{{"type", 5}, {"room_id", 7}, {"state_key", 3}, {"content", {{"msgtype", 1}}}}),
                 nullptr, nullptr, nullptr, nullptr);
    expectFields(SerializedEvent::fromJson(json{{"type", "t"}, {"content", "text"}}), "t", nullptr, nullptr, nullptr);
}

TEST(SerializedEvent, FromTextReadsWhatADomWouldRead)
{
    auto ev = SerializedEvent::fromText(
        R"( {"type":"m.room.message","room_id":"!a:x","\u0072oom_id":"!b:x","content":{"msgtype":"m.notice","msgtype":"m.text"}} )");
    ASSERT_TRUE(ev) << ev.error().message;
    expectFields(*ev, "m.room.message", "!b:x", nullptr, "m.text");
    const json dom = ev->toJson();
    EXPECT_EQ(dom["room_id"], "!b:x");
    EXPECT_EQ(dom["content"]["msgtype"], "m.text");

    auto same = SerializedEvent::fromText(kMessage.dump());
    ASSERT_TRUE(same);
    expectFields(*same, "m.room.message", "!room:example.org", nullptr, "m.text");
}

TEST(SerializedEvent, FromTextRefusesWhatIsNotOneJsonObject)
{
    for (const char *text : {"", "[1]", "\"event\"", "{\"type\":", "{\"type\":\"a\"} {}", "{\"type\":\"\xff\"}"})
        EXPECT_FALSE(SerializedEvent::fromText(text)) << text;
    std::string deep;
    for (int i = 0; i < 70; ++i)
        deep += "{\"a\":";
    deep += "1" + std::string(70, '}');
    EXPECT_FALSE(SerializedEvent::fromText(deep));
}

TEST(SerializedEvent, CopiesShareOneText)
{
    const SerializedEvent a = SerializedEvent::fromJson(kMessage);
    const SerializedEvent b = a;
    EXPECT_EQ(&a.text(), &b.text());
}
