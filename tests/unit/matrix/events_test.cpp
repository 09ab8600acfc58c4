// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "matrix/events.h"

using namespace tessera;
using namespace tessera::matrix;

namespace {

TEST(MatrixIds, HaveTheShapesServersUseAndDoNotRepeat)
{
    std::set<std::string> seen;
    for (int i = 0; i < 200; ++i) {
        const std::string eventId = makeEventId();
        EXPECT_TRUE(std::regex_match(eventId, std::regex(R"(\$[A-Za-z0-9_-]{43})"))) << eventId;
        EXPECT_TRUE(seen.insert(eventId).second);
        const std::string roomId = makeRoomId("local");
        EXPECT_TRUE(std::regex_match(roomId, std::regex(R"(![A-Za-z]{18}:local)"))) << roomId;
        EXPECT_TRUE(seen.insert(roomId).second);
        EXPECT_TRUE(seen.insert(makeTxnId()).second);
    }
    EXPECT_TRUE(isValidUserId("@alice:example.org"));
    EXPECT_TRUE(isValidUserId("@a.b_c=d-e/f+g:localhost:8448"));
    EXPECT_FALSE(isValidUserId("@Alice:example.org"));
    EXPECT_FALSE(isValidUserId("alice:example.org"));
    EXPECT_FALSE(isValidUserId("@alice"));
    EXPECT_FALSE(isValidUserId("@:example.org"));
    EXPECT_EQ(serverNameOf("@alice:example.org:8448"), "example.org:8448");
}

TEST(EventFilter, MatchesTypeMsgtypeAndStateKey)
{
    const nlohmann::json text = {{"type", "m.room.message"}, {"content", {{"msgtype", "m.text"}}}};
    const nlohmann::json state = {{"type", "m.widget"}, {"state_key", "w1"}, {"content", nlohmann::json::object()}};
    EventFilter any;
    EXPECT_TRUE(any.matches(text));
    EXPECT_TRUE(any.matches(state));
    EXPECT_FALSE(any.matches(nlohmann::json::array()));

    EventFilter messages;
    messages.types = {"m.room.message"};
    messages.msgtype = "m.text";
    EXPECT_TRUE(messages.matches(text));
    messages.msgtype = "m.notice";
    EXPECT_FALSE(messages.matches(text));

    EventFilter widgets;
    widgets.types = {"m.widget"};
    widgets.state = EventFilter::StateMatch::StateKey;
    widgets.stateKey = "w1";
    EXPECT_TRUE(widgets.matches(state));
    widgets.stateKey = "w2";
    EXPECT_FALSE(widgets.matches(state));
    widgets.state = EventFilter::StateMatch::NotState;
    EXPECT_FALSE(widgets.matches(state));
    widgets.state = EventFilter::StateMatch::AnyStateKey;
    EXPECT_TRUE(widgets.matches(state));
}

TEST(PowerLevels, UseTheSpecDefaultsWithoutAnEvent)
{
    const PowerLevels none(std::nullopt, "@creator:hs");
    EXPECT_EQ(none.userLevel("@creator:hs"), 100);
    EXPECT_EQ(none.userLevel("@other:hs"), 0);
    EXPECT_EQ(none.requiredFor("m.room.topic", true), 0);

    const PowerLevels empty(nlohmann::json::object(), "@creator:hs");
    EXPECT_EQ(empty.userLevel("@creator:hs"), 0);
    EXPECT_EQ(empty.requiredFor("m.room.topic", true), 50);
    EXPECT_EQ(empty.requiredFor("m.room.message", false), 0);
    EXPECT_EQ(empty.redactLevel(), 50);

    const PowerLevels custom(nlohmann::json{{"users", {{"@a:hs", 75}}}, {"users_default", 5},
                                            {"events", {{"m.widget", 20}}}, {"state_default", 60}},
                             "@creator:hs");
    EXPECT_EQ(custom.userLevel("@a:hs"), 75);
    EXPECT_EQ(custom.userLevel("@b:hs"), 5);
    EXPECT_EQ(custom.requiredFor("m.widget", true), 20);
    EXPECT_EQ(custom.requiredFor("m.room.name", true), 60);
}

TEST(PowerLevels, ChangesStayWithinTheSendersOwnLevel)
{
    const nlohmann::json base = {{"users", {{"@me:hs", 50}, {"@peer:hs", 50}, {"@low:hs", 10}}},
                                 {"events", {{"m.room.power_levels", 50}}},
                                 {"state_default", 50}};
    const PowerLevels levels(base, "@me:hs");
    auto with = [&](const std::function<void(nlohmann::json &)> &f) {
        nlohmann::json c = base;
        f(c);
        return c;
    };
    EXPECT_TRUE(levels.allowsChange("@me:hs", with([](auto &c) { c["users"]["@low:hs"] = 40; })));
    EXPECT_TRUE(levels.allowsChange("@me:hs", with([](auto &c) { c["users"]["@me:hs"] = 0; })));
    EXPECT_FALSE(levels.allowsChange("@me:hs", with([](auto &c) { c["users"]["@low:hs"] = 51; })));
    EXPECT_FALSE(levels.allowsChange("@me:hs", with([](auto &c) { c["users"]["@peer:hs"] = 0; })));
    EXPECT_FALSE(levels.allowsChange("@me:hs", with([](auto &c) { c["users"]["@me:hs"] = 100; })));
    EXPECT_FALSE(levels.allowsChange("@me:hs", with([](auto &c) { c["state_default"] = 70; })));
    EXPECT_FALSE(levels.allowsChange("@low:hs", base));
}

TEST(Redaction, KeepsOnlyTheKeysTheAlgorithmProtects)
{
    nlohmann::json member = {{"type", "m.room.member"},
                             {"event_id", "$m"},
                             {"state_key", "@a:hs"},
                             {"sender", "@a:hs"},
                             {"extra", 1},
                             {"content", {{"membership", "join"}, {"displayname", "A"}, {"avatar_url", "mxc://x/y"}}}};
    const nlohmann::json because = {{"event_id", "$r"}, {"type", "m.room.redaction"}};
    redactEvent(member, because);
    EXPECT_EQ(member["content"], (nlohmann::json{{"membership", "join"}}));
    EXPECT_FALSE(member.contains("extra"));
    EXPECT_EQ(member["state_key"], "@a:hs");
    EXPECT_EQ(member["unsigned"]["redacted_because"]["event_id"], "$r");

    nlohmann::json message = {{"type", "m.room.message"}, {"content", {{"body", "secret"}}}};
    redactEvent(message, because);
    EXPECT_TRUE(message["content"].empty());
}

TEST(EventLimits, FollowTheMatrixSizeRules)
{
    EXPECT_TRUE(checkEventLimits("m.room.message", std::nullopt, {{"body", "x"}}));
    auto empty = checkEventLimits("", std::nullopt, nlohmann::json::object());
    ASSERT_FALSE(empty);
    EXPECT_EQ(empty.error().matrixApiError->response["errcode"], "M_BAD_JSON");
    auto key = checkEventLimits("t", std::string(256, 'k'), nlohmann::json::object());
    ASSERT_FALSE(key);
    EXPECT_NE(key.error().message.find("state key is longer than 255 bytes"), std::string::npos);
    auto big = checkEventLimits("t", std::nullopt, {{"body", std::string(65'100, 'x')}});
    ASSERT_FALSE(big);
    EXPECT_EQ(big.error().matrixApiError->httpStatus, 413);
    auto notObject = checkEventLimits("t", std::nullopt, nlohmann::json::array());
    ASSERT_FALSE(notObject);
}

TEST(MatrixErrors, CarryStatusErrcodeAndExtraFields)
{
    const Error e = matrixError(429, "M_LIMIT_EXCEEDED", "Too many requests", {{"retry_after_ms", 2000}});
    EXPECT_EQ(e.code, ErrorCode::Unavailable);
    ASSERT_TRUE(e.matrixApiError);
    EXPECT_EQ(e.matrixApiError->httpStatus, 429);
    EXPECT_EQ(e.matrixApiError->response["errcode"], "M_LIMIT_EXCEEDED");
    EXPECT_EQ(e.matrixApiError->response["error"], "Too many requests");
    EXPECT_EQ(e.matrixApiError->response["retry_after_ms"], 2000);
    EXPECT_EQ(errorCodeForStatus(403), ErrorCode::Denied);
    EXPECT_EQ(errorCodeForStatus(404), ErrorCode::NotFound);
    EXPECT_EQ(errorCodeForStatus(502), ErrorCode::Unavailable);
}

TEST(ListenerSet, StopsCallingAListenerOnceItsHandleIsGone)
{
    ListenerSet set;
    int a = 0;
    int b = 0;
    RoomListener la;
    la.onEvent = [&](const nlohmann::json &) { ++a; };
    RoomListener lb;
    lb.onEvent = [&](const nlohmann::json &) { ++b; };
    auto ha = set.add(la);
    auto hb = set.add(lb);
    set.emitEvent({});
    hb.reset();
    set.emitEvent({});
    EXPECT_EQ(a, 2);
    EXPECT_EQ(b, 1);
    EXPECT_EQ(set.size(), 1u);
}

TEST(ListenerSet, ToleratesChangesDuringAnEmissionAndHandlesThatOutliveIt)
{
    auto set = std::make_unique<ListenerSet>();
    std::unique_ptr<ListenerHandle> second;
    int secondCalls = 0;
    RoomListener first;
    first.onEvent = [&](const nlohmann::json &) { second.reset(); }; // removes the next listener mid-emission
    RoomListener other;
    other.onEvent = [&](const nlohmann::json &) { ++secondCalls; };
    auto h1 = set->add(first);
    second = set->add(other);
    set->emitEvent({});
    EXPECT_EQ(secondCalls, 0);
    set.reset();
    h1.reset(); // the set is gone; releasing the handle is still safe
}

} // namespace
