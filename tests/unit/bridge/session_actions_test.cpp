// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// One suite per action. The numbered comments refer to the reference conformance checklist
// (matrix-widget-api test/ClientWidgetApi-test.ts, 94 cases); the rest are Tessera's own rules.

#include <gtest/gtest.h>

#include "bridge/apiversions.h"
#include "sessionharness.h"
#include "util/text.h"

using namespace tessera;
using namespace tessera::bridge;
using tessera::test::matrixError;
using tessera::test::SessionHarness;
using nlohmann::json;

namespace {
const std::string kRoom = "!room:example.org";
const std::string kOtherRoom = "!other-room:example.org";

json message(const std::string &room, const std::string &id, const std::string &msgtype = "m.text")
{
    return json{{"type", "m.room.message"}, {"room_id", room}, {"event_id", id}, {"sender", "@bob:example.org"},
                {"origin_server_ts", 1}, {"content", {{"msgtype", msgtype}, {"body", "hello"}}}, {"unsigned", json::object()}};
}

json stateEvent(const std::string &room, const std::string &type, const std::string &key, json content, const std::string &id)
{
    return json{{"type", type}, {"room_id", room}, {"state_key", key}, {"event_id", id}, {"sender", "@bob:example.org"},
                {"origin_server_ts", 1}, {"content", std::move(content)}};
}

void expectMatrixError(const json &response, const std::string &message, int status, const std::string &errcode)
{
    EXPECT_EQ(SessionHarness::errorOf(response), message);
    ASSERT_TRUE(response["error"].contains("matrix_api_error")) << response.dump();
    EXPECT_EQ(response["error"]["matrix_api_error"]["http_status"], status);
    EXPECT_EQ(response["error"]["matrix_api_error"]["response"]["errcode"], errcode);
}
} // namespace

// ---- Top level ----

TEST(ThemeAndLanguage, PushesThemeChanges) // 2
{
    SessionHarness h;
    h.loadAndNegotiate({});
    h.session->updateTheme(json{{"name", "dark"}});
    auto sent = h.toWidgetRequests("theme_change");
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0]["data"], json({{"name", "dark"}}));
}

TEST(ThemeAndLanguage, PushesLanguageChanges) // 3
{
    SessionHarness h;
    h.loadAndNegotiate({});
    h.session->updateLanguage("tlh");
    auto sent = h.toWidgetRequests("language_change");
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0]["data"], json({{"lang", "tlh"}}));
}

TEST(Visibility, CopiesTheFlagToTheTopLevel)
{
    SessionHarness h;
    h.loadAndNegotiate({});
    h.session->updateVisibility(false);
    auto sent = h.toWidgetRequests("visibility");
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0]["data"]["visible"], false);
    EXPECT_EQ(sent[0]["visible"], false);
}

TEST(SupportedApiVersions, AdvertisesEveryVersion) // 63, 72, 81, 86
{
    SessionHarness h;
    auto reply = h.respond("supported_api_versions", json::object());
    for (auto v : {"org.matrix.msc3869", "org.matrix.msc3973", "org.matrix.msc4039", "org.matrix.msc2974", "org.matrix.msc2762_update_state"})
        EXPECT_NE(std::find(reply["supported_versions"].begin(), reply["supported_versions"].end(), v), reply["supported_versions"].end()) << v;
}

// ---- navigate ----

class NavigateAction : public ::testing::Test {
protected:
    SessionHarness h;
};

TEST_F(NavigateAction, Navigates) // 4
{
    h.loadAndNegotiate({"org.matrix.msc2931.navigate"});
    EXPECT_EQ(h.respond("org.matrix.msc2931.navigate", json{{"uri", "https://matrix.to/#/#room:example.net"}}), json::object());
    EXPECT_EQ(h.driver.navigations, std::vector<std::string>{"https://matrix.to/#/#room:example.net"});
}

TEST_F(NavigateAction, FailsWithoutTheCapability) // 5
{
    h.loadAndNegotiate({});
    EXPECT_EQ(SessionHarness::errorOf(h.respond("org.matrix.msc2931.navigate", json{{"uri", "https://matrix.to/#/#a:b"}})), "Missing capability");
    EXPECT_TRUE(h.driver.navigations.empty());
}

TEST_F(NavigateAction, FailsForAnUnsupportedUri) // 6
{
    h.loadAndNegotiate({"org.matrix.msc2931.navigate"});
    EXPECT_EQ(SessionHarness::errorOf(h.respond("org.matrix.msc2931.navigate", json{{"uri", "https://example.net"}})), "Invalid matrix.to URI");
    EXPECT_EQ(SessionHarness::errorOf(h.respond("org.matrix.msc2931.navigate", json{{"uri", 5}})), "Invalid matrix.to URI");
    EXPECT_TRUE(h.driver.navigations.empty());
}

TEST_F(NavigateAction, RejectsWhenTheDriverFailsAndAnswersOnce) // 7, and the reference's double reply
{
    h.loadAndNegotiate({"org.matrix.msc2931.navigate"});
    h.driver.failWith = Error(ErrorCode::Internal, "no view");
    auto reply = h.request("org.matrix.msc2931.navigate", json{{"uri", "https://matrix.to/#/a"}}, "nav");
    ASSERT_TRUE(reply);
    EXPECT_EQ(SessionHarness::errorOf((*reply)["response"]), "Error handling navigation");
    int replies = 0;
    for (const auto &m : h.transport.sent)
        replies += json::parse(m).value("requestId", "") == "nav";
    EXPECT_EQ(replies, 1);
}

TEST_F(NavigateAction, RejectsWithTheMatrixApiError) // 8
{
    h.loadAndNegotiate({"org.matrix.msc2931.navigate"});
    h.driver.failWith = matrixError(400, "M_UNKNOWN", "failed to navigate", json{{"reason", "Unknown error"}});
    auto reply = h.respond("org.matrix.msc2931.navigate", json{{"uri", "https://matrix.to/#/a"}});
    expectMatrixError(reply, "Error handling navigation", 400, "M_UNKNOWN");
    EXPECT_EQ(reply["error"]["matrix_api_error"]["response"]["reason"], "Unknown error");
    EXPECT_EQ(reply["error"]["matrix_api_error"]["http_headers"], json::object());
    EXPECT_EQ(reply["error"]["matrix_api_error"]["url"], "");
}

// ---- send_event ----

class SendEventAction : public ::testing::Test {
protected:
    SessionHarness h;
    json textMessage() const { return json{{"type", "m.room.message"}, {"content", {{"msgtype", "m.text"}, {"body", "hi"}}}}; }
};

TEST_F(SendEventAction, SendsMessageEvents) // 9
{
    h.loadAndNegotiate({"org.matrix.msc2762.timeline:" + kRoom, "org.matrix.msc2762.send.event:m.room.message"});
    json data = textMessage();
    data["room_id"] = kRoom;
    auto reply = h.respond("send_event", data);
    EXPECT_EQ(reply, json({{"room_id", kRoom}, {"event_id", "$event1"}}));
    ASSERT_EQ(h.driver.sentEvents.size(), 1u);
    EXPECT_EQ(h.driver.sentEvents[0].type, "m.room.message");
    EXPECT_EQ(h.driver.sentEvents[0].content["body"], "hi");
    EXPECT_FALSE(h.driver.sentEvents[0].stateKey);
    EXPECT_EQ(h.driver.sentEvents[0].roomId, kRoom);
}

TEST_F(SendEventAction, SendsStateEvents) // 10
{
    h.loadAndNegotiate({"org.matrix.msc2762.timeline:" + kRoom, "org.matrix.msc2762.send.state_event:m.room.topic"});
    auto reply = h.respond("send_event", json{{"type", "m.room.topic"}, {"state_key", ""}, {"content", {{"topic", "t"}}}, {"room_id", kRoom}});
    EXPECT_EQ(reply["event_id"], "$event1");
    ASSERT_EQ(h.driver.sentEvents.size(), 1u);
    EXPECT_EQ(h.driver.sentEvents[0].stateKey, std::optional<std::string>(""));
}

TEST_F(SendEventAction, RejectsWhenTheDriverThrows) // 11
{
    h.loadAndNegotiate({"org.matrix.msc2762.send.event:m.room.message"});
    h.driver.failWith = Error(ErrorCode::Internal, "boom at /srv/secret/path");
    auto reply = h.respond("send_event", textMessage());
    EXPECT_EQ(SessionHarness::errorOf(reply), "Error sending event");
    EXPECT_FALSE(reply["error"].contains("matrix_api_error"));
    EXPECT_EQ(reply.dump().find("/srv/secret"), std::string::npos) << "internal details stay in the audit log";
    EXPECT_NE(h.audit.with(audit::Decision::Failed, "send_event").at(0).reason.find("/srv/secret"), std::string::npos);
}

TEST_F(SendEventAction, RejectsWithTheMatrixApiError) // 12
{
    h.loadAndNegotiate({"org.matrix.msc2762.send.event:m.room.message"});
    h.driver.failWith = matrixError(400, "M_NOT_JSON", "Content must be a JSON object.");
    expectMatrixError(h.respond("send_event", textMessage()), "Error sending event", 400, "M_NOT_JSON");
}

TEST_F(SendEventAction, PassesAnEncryptionRefusalOnAsWrittenAndAuditsItAsRefused)
{
    h.loadAndNegotiate({"org.matrix.msc2762.send.event:m.room.message"});
    h.driver.failWith = Error(ErrorCode::EncryptionRequired, "This room is end-to-end encrypted; nothing was sent");
    auto reply = h.respond("send_event", textMessage());
    EXPECT_EQ(SessionHarness::errorOf(reply), "This room is end-to-end encrypted; nothing was sent");
    EXPECT_FALSE(reply["error"].contains("matrix_api_error"));
    auto refused = h.audit.with(audit::Decision::Refused, "send_event");
    ASSERT_EQ(refused.size(), 1u);
    EXPECT_EQ(refused[0].reason, "This room is end-to-end encrypted; nothing was sent");
    EXPECT_TRUE(h.audit.with(audit::Decision::Failed, "send_event").empty());
}

TEST_F(SendEventAction, SendsToTheWidgetsOwnRoomByDefault)
{
    h.loadAndNegotiate({"org.matrix.msc2762.send.event:m.room.message"});
    EXPECT_EQ(h.respond("send_event", textMessage())["room_id"], kRoom);
}

TEST_F(SendEventAction, NeedsATimelineCapabilityForAnExplicitRoomEvenItsOwn)
{
    h.loadAndNegotiate({"org.matrix.msc2762.send.event:m.room.message"});
    json data = textMessage();
    data["room_id"] = kRoom;
    EXPECT_EQ(SessionHarness::errorOf(h.respond("send_event", data)), "Unable to access room timeline: " + kRoom);
    data["room_id"] = kOtherRoom;
    EXPECT_EQ(SessionHarness::errorOf(h.respond("send_event", data)), "Unable to access room timeline: " + kOtherRoom);
    EXPECT_TRUE(h.driver.sentEvents.empty());
}

TEST_F(SendEventAction, RejectsAMissingType)
{
    h.loadAndNegotiate({"org.matrix.msc2762.send.event:m.room.message"});
    EXPECT_EQ(SessionHarness::errorOf(h.respond("send_event", json{{"content", json::object()}})), "Invalid request - missing event type");
}

TEST_F(SendEventAction, EnforcesTheMsgtype)
{
    h.loadAndNegotiate({"org.matrix.msc2762.send.event:m.room.message#m.text"});
    EXPECT_EQ(h.respond("send_event", textMessage())["event_id"], "$event1");
    auto notice = json{{"type", "m.room.message"}, {"content", {{"msgtype", "m.notice"}, {"body", "x"}}}};
    EXPECT_EQ(SessionHarness::errorOf(h.respond("send_event", notice)), "Cannot send room events of this type");
    auto none = json{{"type", "m.room.message"}, {"content", {{"body", "x"}}}};
    EXPECT_EQ(SessionHarness::errorOf(h.respond("send_event", none)), "Cannot send room events of this type");
}

TEST_F(SendEventAction, EnforcesTheStateKey)
{
    h.loadAndNegotiate({"org.matrix.msc2762.send.state_event:org.example.state#A"});
    EXPECT_TRUE(h.respond("send_event", json{{"type", "org.example.state"}, {"state_key", "A"}, {"content", json::object()}}).contains("event_id"));
    EXPECT_EQ(SessionHarness::errorOf(h.respond("send_event", json{{"type", "org.example.state"}, {"state_key", "B"}, {"content", json::object()}})),
              "Cannot send state events of this type");
    EXPECT_EQ(SessionHarness::errorOf(h.respond("send_event", json{{"type", "org.example.state"}, {"state_key", 1}})),
              "Invalid request - state_key must be a string");
}

TEST_F(SendEventAction, NeverSendsAMessageAsAStateEventOrTheOtherWay)
{
    h.loadAndNegotiate({"org.matrix.msc2762.send.event:m.room.message", "org.matrix.msc2762.send.state_event:m.room.topic"});
    EXPECT_EQ(SessionHarness::errorOf(h.respond("send_event", json{{"type", "m.room.topic"}, {"content", {{"topic", "x"}}}})),
              "Cannot send room events of this type");
    EXPECT_EQ(SessionHarness::errorOf(h.respond("send_event", json{{"type", "m.room.message"}, {"state_key", ""}, {"content", {{"msgtype", "m.text"}}}})),
              "Cannot send state events of this type");
    EXPECT_TRUE(h.driver.sentEvents.empty());
}

TEST_F(SendEventAction, RejectsContentThatIsNotAnObject)
{
    h.loadAndNegotiate({"org.matrix.msc2762.send.event:m.room.message"});
    EXPECT_EQ(SessionHarness::errorOf(h.respond("send_event", json{{"type", "m.room.message"}, {"content", "hi"}})),
              "Invalid request - content must be an object");
}

TEST_F(SendEventAction, SendsRedactionsWithTheirTarget)
{
    h.loadAndNegotiate({"org.matrix.msc2762.send.event:m.room.redaction"});
    EXPECT_EQ(SessionHarness::errorOf(h.respond("send_event", json{{"type", "m.room.redaction"}, {"content", json::object()}})),
              "Invalid request - a redaction needs content.redacts");
    EXPECT_EQ(h.respond("send_event", json{{"type", "m.room.redaction"}, {"content", {{"redacts", "$target"}}}})["event_id"], "$event1");
    EXPECT_EQ(h.driver.sentEvents.at(0).content["redacts"], "$target");
}

// send_event and read_events read their data from the request text; these check that they read
// what a DOM would, with the text written by hand where a DOM could not write it.
std::string rawRequest(const std::string &id, const std::string &action, const std::string &data)
{
    return R"({"api":"fromWidget","widgetId":"test","requestId":")" + id + R"(","action":")" + action
        + R"(","data":)" + data + "}";
}

TEST_F(SendEventAction, ReadsDuplicateKeysAndEscapesAsADomWould)
{
    h.loadAndNegotiate({"org.matrix.msc2762.send.event:m.room.message#m.text"});
    h.session->handleMessage(rawRequest("dup-1", "send_event",
        R"({"type":"m.room.message","type":"m.room.message","content":{"msgtype":"m.notice","msgtype":"m.text","body":"x"}})"));
    auto accepted = h.replyTo("dup-1");
    ASSERT_TRUE(accepted);
    EXPECT_EQ((*accepted)["response"]["event_id"], "$event1");
    ASSERT_EQ(h.driver.sentEvents.size(), 1u);
    EXPECT_EQ(h.driver.sentEvents[0].content, json({{"msgtype", "m.text"}, {"body", "x"}}));

    h.session->handleMessage(rawRequest("dup-2", "send_event",
        R"({"type":"m.room.message","content":{"msgtype":"m.text","msgtype":"m.notice"}})"));
    auto refused = h.replyTo("dup-2");
    ASSERT_TRUE(refused);
    EXPECT_EQ(SessionHarness::errorOf((*refused)["response"]), "Cannot send room events of this type");
    h.session->handleMessage(rawRequest("dup-3", "send_event", R"({"type":"m.room.message","type":5})"));
    EXPECT_EQ(SessionHarness::errorOf((*h.replyTo("dup-3"))["response"]), "Invalid request - missing event type");
    EXPECT_EQ(h.driver.sentEvents.size(), 1u);
}

TEST_F(SendEventAction, RefusesDataWithANumberBeyondADoubleLikeEveryAction)
{
    h.loadAndNegotiate({"org.matrix.msc2762.send.event:m.room.message", "org.matrix.msc2762.receive.event:m.room.message"});
    for (const char *action : {"send_event", "org.matrix.msc2876.read_events", "org.matrix.msc3869.read_relations"}) {
        const std::string id = std::string("huge-") + action;
        h.session->handleMessage(rawRequest(id, action, R"({"type":"m.room.message","x":[1e400]})"));
        // The reply carries the request's data back, so nlohmann cannot read it either.
        ASSERT_FALSE(h.transport.sent.empty());
        const std::string &sent = h.transport.sent.back();
        EXPECT_NE(sent.find(id), std::string::npos) << sent;
        EXPECT_NE(sent.find(R"("response":{"error":{"message":"Invalid request - data is not a JSON object"}}})"),
                  std::string::npos) << sent;
    }
    EXPECT_TRUE(h.driver.sentEvents.empty());
    EXPECT_TRUE(h.driver.eventReads.empty());
}

TEST_F(SendEventAction, RepliesWithTheIdsWrittenAsNlohmannWouldWriteThem)
{
    h.loadAndNegotiate({"org.matrix.msc2762.send.event:m.room.message"});
    h.session->handleMessage(rawRequest("ids", "send_event", R"({"type":"m.room.message","content":{"msgtype":"m.text"}})"));
    ASSERT_FALSE(h.transport.sent.empty());
    const std::string &sent = h.transport.sent.back();
    EXPECT_NE(sent.find(R"("response":{"event_id":"$event1","room_id":"!room:example.org"}})"), std::string::npos) << sent;
}

// ---- send_event: delayed events (MSC4157) ----

TEST_F(SendEventAction, FailsToSendDelayedEventsWithoutTheCapability) // 13
{
    h.loadAndNegotiate({"org.matrix.msc2762.send.event:m.room.message"});
    json data = textMessage();
    data["delay"] = 5000;
    EXPECT_EQ(SessionHarness::errorOf(h.respond("send_event", data)), "Missing capability for org.matrix.msc4157.send.delayed_event");
    EXPECT_TRUE(h.driver.sentEvents.empty());
}

struct DelayCase {
    bool hasDelay;
    bool hasParent;
};

class SendDelayedEvents : public ::testing::TestWithParam<DelayCase> {};

TEST_P(SendDelayedEvents, SendsDelayedMessageAndStateEvents) // 14-19
{
    for (bool state : {false, true}) {
        SessionHarness h;
        h.loadAndNegotiate({"org.matrix.msc4157.send.delayed_event", "org.matrix.msc2762.send.event:m.room.message",
                            "org.matrix.msc2762.send.state_event:m.room.topic"});
        json data = state ? json{{"type", "m.room.topic"}, {"state_key", ""}, {"content", {{"topic", "t"}}}}
                          : json{{"type", "m.room.message"}, {"content", {{"msgtype", "m.text"}, {"body", "hi"}}}};
        if (GetParam().hasDelay)
            data["delay"] = 5000;
        if (GetParam().hasParent)
            data["parent_delay_id"] = "fp";
        EXPECT_EQ(h.respond("send_event", data), json({{"room_id", kRoom}, {"delay_id", "ft"}}));
        ASSERT_EQ(h.driver.sentEvents.size(), 1u);
        const auto &sent = h.driver.sentEvents[0];
        EXPECT_EQ(sent.delayMs, GetParam().hasDelay ? std::optional<std::int64_t>(5000) : std::nullopt);
        EXPECT_EQ(sent.parentDelayId, GetParam().hasParent ? std::optional<std::string>("fp") : std::nullopt);
        EXPECT_EQ(sent.stateKey.has_value(), state);
    }
}

INSTANTIATE_TEST_SUITE_P(DelayAndParent, SendDelayedEvents,
                         ::testing::Values(DelayCase{true, false}, DelayCase{false, true}, DelayCase{true, true}),
                         [](const auto &info) {
                             return std::string(info.param.hasDelay ? "Delay" : "NoDelay") + (info.param.hasParent ? "Parent" : "NoParent");
                         });

TEST_F(SendEventAction, DelayedSendRejectsWhenTheDriverThrows) // 20, 21
{
    h.loadAndNegotiate({"org.matrix.msc4157.send.delayed_event", "org.matrix.msc2762.send.event:m.room.message"});
    json data = textMessage();
    data["delay"] = 5000;
    h.driver.failWith = Error(ErrorCode::Internal, "x");
    EXPECT_EQ(SessionHarness::errorOf(h.respond("send_event", data)), "Error sending event");
    h.driver.failWith = matrixError(400, "M_LIMIT_EXCEEDED", "too many");
    expectMatrixError(h.respond("send_event", data), "Error sending event", 400, "M_LIMIT_EXCEEDED");
}

TEST_F(SendEventAction, RejectsANegativeOrFractionalDelay)
{
    h.loadAndNegotiate({"org.matrix.msc4157.send.delayed_event", "org.matrix.msc2762.send.event:m.room.message"});
    for (json bad : {json(-1), json(1.5), json("5000")}) {
        json data = textMessage();
        data["delay"] = bad;
        EXPECT_EQ(SessionHarness::errorOf(h.respond("send_event", data)),
                  "Invalid request - delay must be a whole number of milliseconds between 0 and one year") << bad;
    }
}

// ---- send_event: sticky events (MSC4407) ----

TEST_F(SendEventAction, FailsToSendStickyAndDelayedWithoutCapabilities) // 22
{
    h.loadAndNegotiate({"org.matrix.msc2762.send.event:m.room.message"});
    json data = textMessage();
    data["sticky_duration_ms"] = 5000;
    data["delay"] = 10;
    EXPECT_FALSE(SessionHarness::errorOf(h.respond("send_event", data)).empty());
    EXPECT_TRUE(h.driver.sentEvents.empty());
}

TEST_F(SendEventAction, SendsAStickyMessageEvent) // 23
{
    h.loadAndNegotiate({"org.matrix.msc4407.send.sticky_event", "org.matrix.msc2762.send.event:m.room.message"});
    json data = textMessage();
    data["sticky_duration_ms"] = 5000;
    EXPECT_EQ(h.respond("send_event", data), json({{"room_id", kRoom}, {"event_id", "$event1"}}));
    EXPECT_EQ(h.driver.sentEvents.at(0).stickyDurationMs, std::optional<std::int64_t>(5000));
}

TEST_P(SendDelayedEvents, SendsStickyMessageEventsWithADelay) // 24-26
{
    SessionHarness h;
    h.loadAndNegotiate({"org.matrix.msc4407.send.sticky_event", "org.matrix.msc4157.send.delayed_event",
                        "org.matrix.msc2762.send.event:m.room.message"});
    json data{{"type", "m.room.message"}, {"content", {{"msgtype", "m.text"}, {"body", "hi"}}}, {"sticky_duration_ms", 5000}};
    if (GetParam().hasDelay)
        data["delay"] = 5000;
    if (GetParam().hasParent)
        data["parent_delay_id"] = "fp";
    EXPECT_EQ(h.respond("send_event", data), json({{"room_id", kRoom}, {"delay_id", "ft"}}));
    const auto &sent = h.driver.sentEvents.at(0);
    EXPECT_EQ(sent.stickyDurationMs, std::optional<std::int64_t>(5000));
}

TEST_F(SendEventAction, DoesNotAllowStickyStateEvents) // 27
{
    h.loadAndNegotiate({"org.matrix.msc4407.send.sticky_event", "org.matrix.msc2762.send.state_event:m.room.topic"});
    auto reply = h.respond("send_event", json{{"type", "m.room.topic"}, {"state_key", ""}, {"content", json::object()}, {"sticky_duration_ms", 5000}});
    EXPECT_EQ(SessionHarness::errorOf(reply), "Cannot send a state event with a sticky duration");
}

TEST_F(SendEventAction, RejectsAZeroStickyDurationInsteadOfSendingANormalEvent)
{
    h.loadAndNegotiate({"org.matrix.msc4407.send.sticky_event", "org.matrix.msc2762.send.event:m.room.message"});
    json data = textMessage();
    data["sticky_duration_ms"] = 0;
    EXPECT_EQ(SessionHarness::errorOf(h.respond("send_event", data)), "Invalid request - sticky_duration_ms must be between 1 and 3600000");
    EXPECT_TRUE(h.driver.sentEvents.empty());
}

// ---- receiving events ----

TEST(ReceivingEvents, ForwardsEventsFromOneRoomOnly) // 28
{
    SessionHarness h;
    h.loadAndNegotiate({"org.matrix.msc2762.timeline:" + kRoom, "org.matrix.msc2762.receive.event:m.room.message"});
    h.session->feedEvent(message(kRoom, "$a"));
    h.session->feedEvent(message(kOtherRoom, "$b"));
    auto sent = h.toWidgetRequests("send_event");
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0]["data"], message(kRoom, "$a"));
}

TEST(ReceivingEvents, ForwardsEventsFromTheWidgetsRoomWithoutATimelineCapability) // 29
{
    SessionHarness h;
    h.loadAndNegotiate({"org.matrix.msc2762.receive.event:m.room.message"});
    h.session->feedEvent(message(kRoom, "$a"));
    h.session->feedEvent(message(kOtherRoom, "$b"));
    EXPECT_EQ(h.toWidgetRequests("send_event").size(), 1u);
}

TEST(ReceivingEvents, ForwardsEventsFromAllRooms) // 30
{
    SessionHarness h;
    h.loadAndNegotiate({"org.matrix.msc2762.timeline:*", "org.matrix.msc2762.receive.event:m.room.message"});
    h.session->feedEvent(message(kRoom, "$a"));
    h.session->feedEvent(message(kOtherRoom, "$b"));
    EXPECT_EQ(h.toWidgetRequests("send_event").size(), 2u);
}

TEST(ReceivingEvents, FiltersByMsgtypeStateKeyAndNeverSendsTwice)
{
    SessionHarness h;
    h.loadAndNegotiate({"org.matrix.msc2762.receive.event:m.room.message#m.text",
                        "org.matrix.msc2762.receive.state_event:m.room.member#@alice:example.org"});
    h.session->feedEvent(message(kRoom, "$text"));
    h.session->feedEvent(message(kRoom, "$emote", "m.emote"));
    h.session->feedEvent(message(kRoom, "$text")); // seen already
    h.session->feedEvent(stateEvent(kRoom, "m.room.member", "@alice:example.org", {{"membership", "join"}}, "$alice"));
    h.session->feedEvent(stateEvent(kRoom, "m.room.member", "@bob:example.org", {{"membership", "ban"}}, "$ban"));
    h.session->feedEvent(stateEvent(kRoom, "m.room.name", "", {{"name", "x"}}, "$name"));
    auto sent = h.toWidgetRequests("send_event");
    ASSERT_EQ(sent.size(), 2u);
    EXPECT_EQ(sent[0]["data"]["event_id"], "$text");
    EXPECT_EQ(sent[1]["data"]["event_id"], "$alice");
}

TEST(ReceivingEvents, SendsNothingBeforeNegotiation)
{
    SessionHarness h;
    h.session->onIframeLoaded();
    h.session->feedEvent(message(kRoom, "$a"));
    EXPECT_TRUE(h.toWidgetRequests("send_event").empty());
}

// ---- receiving room state (update_state) ----

TEST(ReceivingRoomState, SyncsInitialStateAndFeedsUpdates) // 31
{
    SessionHarness h;
    const json topic = stateEvent(kRoom, "m.room.topic", "", {{"topic", "Hello"}}, "$topic");
    const json name = stateEvent(kRoom, "m.room.name", "", {{"name", "Room"}}, "$name");
    const json oldRules = stateEvent(kRoom, "m.room.join_rules", "", {{"join_rule", "invite"}}, "$old");
    const json newRules = stateEvent(kRoom, "m.room.join_rules", "", {{"join_rule", "public"}}, "$new");
    h.driver.state = {topic, name, oldRules};
    // Delay the reads so an update can race them.
    std::vector<std::function<void()>> delayedReads;
    struct Deferring : test::ScriptedDriver {};
    h.driver.deferCapabilities = false;
    h.loadAndNegotiate({"org.matrix.msc2762.receive.state_event:m.room.topic#",
                        "org.matrix.msc2762.receive.state_event:m.room.name#",
                        "org.matrix.msc2762.receive.state_event:m.room.join_rules#"},
                       std::vector<std::string>(kSupportedApiVersions.begin(), kSupportedApiVersions.end()));
    // ScriptedDriver answers reads synchronously; the race is exercised separately below.
    auto updates = h.toWidgetRequests("update_state");
    ASSERT_EQ(updates.size(), 1u);
    EXPECT_EQ(updates[0]["data"]["state"], json({topic, name, oldRules}));
    const json newTopic = stateEvent(kRoom, "m.room.topic", "", {{"topic", "Bye"}}, "$topic2");
    h.session->feedStateUpdate(newTopic);
    updates = h.toWidgetRequests("update_state");
    ASSERT_EQ(updates.size(), 2u);
    EXPECT_EQ(updates[1]["data"]["state"], json::array({newTopic}));
    // Other rooms' state is not the widget's business without a timeline capability.
    h.session->feedStateUpdate(stateEvent(kOtherRoom, "m.room.topic", "", {{"topic", "x"}}, "$o"));
    EXPECT_EQ(h.toWidgetRequests("update_state").size(), 2u);
}

namespace {
// A driver whose state reads wait until the test releases them.
class SlowStateDriver : public test::ScriptedDriver {
public:
    std::vector<std::function<void()>> pendingReads;
    void readState(const WidgetContext &ctx, const std::string &roomId, const std::string &type,
                   const std::optional<std::string> &key, Callback<std::vector<json>> done) override
    {
        pendingReads.push_back([this, ctx, roomId, type, key, done] { ScriptedDriver::readState(ctx, roomId, type, key, done); });
    }
};
} // namespace

TEST(ReceivingRoomState, AnUpdateRacingTheInitialReadWins) // 31 (race)
{
    test::ManualScheduler scheduler;
    test::FakeTransport transport;
    test::RecordingAuditSink audit;
    SlowStateDriver driver;
    const json oldRules = stateEvent(kRoom, "m.room.join_rules", "", {{"join_rule", "invite"}}, "$old");
    const json newRules = stateEvent(kRoom, "m.room.join_rules", "", {{"join_rule", "public"}}, "$new");
    const json topic = stateEvent(kRoom, "m.room.topic", "", {{"topic", "Hello"}}, "$topic");
    driver.state = {topic, oldRules};
    WidgetSession session(SessionHarness::defaultConfig(), driver, transport, audit, scheduler);
    session.start();
    session.onIframeLoaded();
    auto answer = [&](const std::string &action, const json &response) {
        for (const auto &m : transport.sent) {
            json j = json::parse(m);
            if (j["action"] == action && !j.contains("response")) {
                j["response"] = response;
                session.handleMessage(j.dump());
            }
        }
    };
    answer("supported_api_versions", json{{"supported_versions", {"org.matrix.msc2762_update_state"}}});
    answer("capabilities", json{{"capabilities", {"org.matrix.msc2762.receive.state_event:m.room.topic#",
                                                  "org.matrix.msc2762.receive.state_event:m.room.join_rules#"}}});
    ASSERT_EQ(driver.pendingReads.size(), 2u);
    driver.pendingReads[0]();            // topic arrives
    session.feedStateUpdate(newRules);   // the rules change while the second read is in flight
    driver.pendingReads[1]();            // the stale rules arrive
    std::vector<json> updates;
    for (const auto &m : transport.sent) {
        json j = json::parse(m);
        if (j["action"] == "update_state")
            updates.push_back(j);
    }
    ASSERT_EQ(updates.size(), 1u);
    EXPECT_EQ(updates[0]["data"]["state"], json({topic, newRules}));
}

TEST(ReceivingRoomState, IsNotSentToWidgetsWithoutTheUpdateStateVersion) // 32
{
    SessionHarness h;
    h.driver.state = {stateEvent(kRoom, "m.room.topic", "", {{"topic", "Hello"}}, "$topic")};
    h.loadAndNegotiate({"org.matrix.msc2762.receive.state_event:m.room.topic#"}, {});
    h.session->feedStateUpdate(stateEvent(kRoom, "m.room.topic", "", {{"topic", "x"}}, "$t2"));
    EXPECT_TRUE(h.toWidgetRequests("update_state").empty());
}

TEST(ReceivingRoomState, SendsAnEmptyInitialUpdateWhenThereIsNoState)
{
    SessionHarness h;
    h.loadAndNegotiate({"org.matrix.msc2762.receive.state_event:m.room.member"});
    auto updates = h.toWidgetRequests("update_state");
    ASSERT_EQ(updates.size(), 1u);
    EXPECT_EQ(updates[0]["data"]["state"], json::array());
}

TEST(ReceivingRoomState, DropsStateTheDriverShouldNotHaveReturned)
{
    SessionHarness h;
    h.driver.state = {stateEvent(kRoom, "m.room.member", "@alice:example.org", {{"membership", "join"}}, "$a"),
                      stateEvent(kRoom, "m.room.member", "@bob:example.org", {{"membership", "join"}}, "$b")};
    // A driver ignoring the key filter would return both; only Alice's may reach the widget.
    struct Sloppy : test::ScriptedDriver {};
    h.loadAndNegotiate({"org.matrix.msc2762.receive.state_event:m.room.member#@alice:example.org"});
    auto updates = h.toWidgetRequests("update_state");
    ASSERT_EQ(updates.size(), 1u);
    EXPECT_EQ(updates[0]["data"]["state"].size(), 1u);
    EXPECT_EQ(updates[0]["data"]["state"][0]["event_id"], "$a");
}

// ---- receiving to-device messages ----

TEST(ReceivingToDevice, ForwardsMessagesWithTheHostsEncryptedFlag) // 33, 34
{
    for (bool encrypted : {true, false}) {
        SessionHarness h;
        h.loadAndNegotiate({"org.matrix.msc3819.receive.to_device:org.example.foo"});
        h.session->feedToDevice("org.example.foo", "@alice:example.org", json{{"hello", "world"}}, encrypted);
        auto sent = h.toWidgetRequests("send_to_device");
        ASSERT_EQ(sent.size(), 1u);
        EXPECT_EQ(sent[0]["data"], json({{"type", "org.example.foo"}, {"sender", "@alice:example.org"},
                                         {"content", {{"hello", "world"}}}, {"encrypted", encrypted}}));
    }
}

TEST(ReceivingToDevice, IgnoresMessagesNotAllowedByCapabilities) // 35
{
    SessionHarness h;
    h.loadAndNegotiate({"org.matrix.msc3819.receive.to_device:org.example.foo"});
    h.session->feedToDevice("org.example.bar", "@alice:example.org", json::object(), false);
    EXPECT_TRUE(h.toWidgetRequests("send_to_device").empty());
}

TEST(ReceivingToDevice, NeverDeliversEncryptionTypes) // rust-sdk test_should_block_internal_to_device
{
    SessionHarness h;
    h.loadAndNegotiate({"org.matrix.msc3819.receive.to_device:m.room_key"});
    EXPECT_TRUE(h.session->approved().empty()) << "the capability itself is refused";
    h.session->feedToDevice("m.room_key", "@alice:example.org", json::object(), true);
    EXPECT_TRUE(h.toWidgetRequests("send_to_device").empty());
}

TEST(ReceivingToDevice, BlocksPlaintextInAnEncryptedRoom) // rust-sdk test_block_clear_to_device_in_e2ee_room
{
    SessionHarness h;
    h.driver.encryptedRoom = true;
    h.loadAndNegotiate({"org.matrix.msc3819.receive.to_device:org.example.foo"});
    h.session->feedToDevice("org.example.foo", "@alice:example.org", json::object(), false);
    EXPECT_TRUE(h.toWidgetRequests("send_to_device").empty());
    h.session->feedToDevice("org.example.foo", "@alice:example.org", json::object(), true); // accepted when encrypted
    EXPECT_EQ(h.toWidgetRequests("send_to_device").size(), 1u);
}

TEST(ReceivingToDevice, SendsOnlyTheFourFieldsAndTheHostsFlag) // rust-sdk test_spoofed_encrypted_flag_is_ignored
{
    SessionHarness h;
    h.loadAndNegotiate({"org.matrix.msc3819.receive.to_device:org.example.foo"});
    // Whatever the raw message claimed, the host computed `encrypted: false`.
    h.session->feedToDevice("org.example.foo", "@mallory:example.org", json{{"encrypted", true}}, false);
    auto sent = h.toWidgetRequests("send_to_device");
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0]["data"]["encrypted"], false);
    EXPECT_EQ(sent[0]["data"].size(), 4u);
}

// ---- update_delayed_event ----

class UpdateDelayedEventAction : public ::testing::Test {
protected:
    SessionHarness h;
};

TEST_F(UpdateDelayedEventAction, FailsWithoutTheCapability) // 36, 37, 38
{
    h.loadAndNegotiate({});
    for (const char *action : {"cancel", "restart", "send"})
        EXPECT_EQ(SessionHarness::errorOf(h.respond("org.matrix.msc4157.update_delayed_event", json{{"delay_id", "f"}, {"action", action}})), "Missing capability");
    EXPECT_TRUE(h.driver.delayedUpdates.empty());
}

TEST_F(UpdateDelayedEventAction, FailsForAnUnsupportedAction) // 39
{
    h.loadAndNegotiate({"org.matrix.msc4157.update_delayed_event"});
    EXPECT_EQ(SessionHarness::errorOf(h.respond("org.matrix.msc4157.update_delayed_event", json{{"delay_id", "f"}, {"action", "unknown"}})),
              "Invalid request - unsupported action");
    EXPECT_TRUE(h.driver.delayedUpdates.empty());
}

TEST_F(UpdateDelayedEventAction, CancelsRestartsAndSends) // 40, 41, 42
{
    h.loadAndNegotiate({"org.matrix.msc4157.update_delayed_event"});
    for (const char *action : {"cancel", "restart", "send"})
        EXPECT_EQ(h.respond("org.matrix.msc4157.update_delayed_event", json{{"delay_id", "f"}, {"action", action}}), json::object());
    ASSERT_EQ(h.driver.delayedUpdates.size(), 3u);
    EXPECT_EQ(std::get<1>(h.driver.delayedUpdates[0]), DelayedEventAction::Cancel);
    EXPECT_EQ(std::get<1>(h.driver.delayedUpdates[1]), DelayedEventAction::Restart);
    EXPECT_EQ(std::get<1>(h.driver.delayedUpdates[2]), DelayedEventAction::Send);
    EXPECT_EQ(std::get<0>(h.driver.delayedUpdates[0]), "f");
}

TEST_F(UpdateDelayedEventAction, RejectsWhenTheDriverFails) // 43, 44
{
    h.loadAndNegotiate({"org.matrix.msc4157.update_delayed_event"});
    h.driver.failWith = Error(ErrorCode::Internal, "x");
    EXPECT_EQ(SessionHarness::errorOf(h.respond("org.matrix.msc4157.update_delayed_event", json{{"delay_id", "f"}, {"action", "cancel"}})),
              "Error updating delayed event");
    h.driver.failWith = matrixError(400, "M_NOT_FOUND", "unknown delay");
    expectMatrixError(h.respond("org.matrix.msc4157.update_delayed_event", json{{"delay_id", "f"}, {"action", "cancel"}}),
                      "Error updating delayed event", 400, "M_NOT_FOUND");
}

TEST_F(UpdateDelayedEventAction, RequiresADelayId)
{
    h.loadAndNegotiate({"org.matrix.msc4157.update_delayed_event"});
    EXPECT_EQ(SessionHarness::errorOf(h.respond("org.matrix.msc4157.update_delayed_event", json{{"action", "cancel"}})),
              "Invalid request - missing delay_id");
}

// ---- send_to_device ----

class SendToDeviceAction : public ::testing::Test {
protected:
    SessionHarness h;
    json valid() const
    {
        return json{{"type", "net.example.test"}, {"encrypted", false},
                    {"messages", {{"@foo:bar.com", {{"DEVICEID", {{"example_content_key", "value"}}}}}}}};
    }
};

TEST_F(SendToDeviceAction, SendsUnencryptedMessages) // 45
{
    h.loadAndNegotiate({"org.matrix.msc3819.send.to_device:net.example.test"});
    EXPECT_EQ(h.respond("send_to_device", valid()), json::object());
    ASSERT_EQ(h.driver.toDevice.size(), 1u);
    EXPECT_EQ(std::get<0>(h.driver.toDevice[0]), "net.example.test");
    EXPECT_FALSE(std::get<1>(h.driver.toDevice[0]));
    EXPECT_EQ(std::get<2>(h.driver.toDevice[0]), valid()["messages"]);
}

TEST_F(SendToDeviceAction, ValidatesTheRequest) // 46, 47, 48, 49
{
    h.loadAndNegotiate({"org.matrix.msc3819.send.to_device:net.example.test"});
    json noType = valid();
    noType.erase("type");
    EXPECT_EQ(SessionHarness::errorOf(h.respond("send_to_device", noType)), "Invalid request - missing event type");
    json noMessages = valid();
    noMessages.erase("messages");
    EXPECT_EQ(SessionHarness::errorOf(h.respond("send_to_device", noMessages)), "Invalid request - missing event contents");
    json noFlag = valid();
    noFlag.erase("encrypted");
    EXPECT_EQ(SessionHarness::errorOf(h.respond("send_to_device", noFlag)), "Invalid request - missing encryption flag");
    json otherType = valid();
    otherType["type"] = "net.example.test_different";
    EXPECT_EQ(SessionHarness::errorOf(h.respond("send_to_device", otherType)), "Cannot send to-device events of this type");
    json badShape = valid();
    badShape["messages"] = json{{"@foo:bar.com", "not an object"}};
    EXPECT_EQ(SessionHarness::errorOf(h.respond("send_to_device", badShape)),
              "Invalid request - messages must map user IDs to device IDs to content objects");
    EXPECT_TRUE(h.driver.toDevice.empty());
}

TEST_F(SendToDeviceAction, RejectsWhenTheDriverFails) // 50, 51
{
    h.loadAndNegotiate({"org.matrix.msc3819.send.to_device:net.example.test"});
    h.driver.failWith = Error(ErrorCode::Internal, "x");
    EXPECT_EQ(SessionHarness::errorOf(h.respond("send_to_device", valid())), "Error sending event");
    h.driver.failWith = matrixError(400, "M_FORBIDDEN", "Cannot send to-device");
    expectMatrixError(h.respond("send_to_device", valid()), "Error sending event", 400, "M_FORBIDDEN");
}

TEST_F(SendToDeviceAction, NeverSendsEncryptionTypesEvenIfApproved) // rust-sdk test_send_internal_to_device_event
{
    h.loadAndNegotiate({"org.matrix.msc3819.send.to_device:m.room_key", "org.matrix.msc3819.send.to_device:m.secret.send"});
    for (const char *type : {"m.room_key", "m.secret.send", "m.key.verification.start", "m.room.encrypted", "m.dummy"}) {
        json data = valid();
        data["type"] = type;
        EXPECT_EQ(SessionHarness::errorOf(h.respond("send_to_device", data)), "Cannot send to-device events of this type") << type;
    }
    EXPECT_TRUE(h.driver.toDevice.empty());
}

TEST_F(SendToDeviceAction, LeavesEncryptionToTheDriverAndPassesItsRefusalOn)
{
    // The session sends nothing itself: the flag reaches the driver as the widget set it (the
    // host's gate decides, the same for every sender), and a refusal reaches the widget.
    h.loadAndNegotiate({"org.matrix.msc3819.send.to_device:net.example.test"});
    json data = valid();
    data["encrypted"] = true;
    EXPECT_EQ(h.respond("send_to_device", data), json::object()) << "a driver that encrypts sends it";
    ASSERT_EQ(h.driver.toDevice.size(), 1u);
    EXPECT_TRUE(std::get<1>(h.driver.toDevice[0])) << "the driver is told to encrypt";
    h.driver.failWith = Error(ErrorCode::EncryptionRequired, "Tessera cannot encrypt to-device messages here");
    EXPECT_EQ(SessionHarness::errorOf(h.respond("send_to_device", data)), "Tessera cannot encrypt to-device messages here");
    ASSERT_EQ(h.driver.toDevice.size(), 2u);
    EXPECT_TRUE(std::get<1>(h.driver.toDevice[1])) << "the driver is told to encrypt";
    EXPECT_EQ(h.audit.with(audit::Decision::Refused, "send_to_device").size(), 1u);
}

// ---- get_openid ----

namespace {
OpenIdUpdate allowed(const std::string &token)
{
    OpenIdUpdate u;
    u.state = OpenIdUpdate::State::Allowed;
    u.token = OpenIdToken{token, 3600, "example.org", "Bearer"};
    return u;
}
OpenIdUpdate withState(OpenIdUpdate::State s)
{
    OpenIdUpdate u;
    u.state = s;
    return u;
}
} // namespace

TEST(GetOpenIdAction, GetsInfo) // 52
{
    SessionHarness h;
    h.loadAndNegotiate({});
    h.driver.openIdScript = {allowed("access_token")};
    auto reply = h.respond("get_openid", json::object());
    EXPECT_EQ(reply["state"], "allowed");
    EXPECT_EQ(reply["access_token"], "access_token");
    EXPECT_EQ(reply["expires_in"], 3600);
    EXPECT_EQ(reply["matrix_server_name"], "example.org");
    EXPECT_EQ(reply["token_type"], "Bearer");
}

TEST(GetOpenIdAction, FailsWhenTheClientProvidesNoToken) // 53
{
    SessionHarness h;
    h.loadAndNegotiate({});
    h.driver.openIdScript = {withState(OpenIdUpdate::State::Allowed)};
    EXPECT_EQ(SessionHarness::errorOf(h.respond("get_openid", json::object())),
              "client provided invalid OIDC token for an allowed request");
}

TEST(GetOpenIdAction, IsBlockedByDefault)
{
    SessionHarness h;
    h.loadAndNegotiate({});
    EXPECT_EQ(h.respond("get_openid", json::object()), json({{"state", "blocked"}}));
}

TEST(GetOpenIdAction, AsksTheUserThenSendsCredentials) // the two-phase flow
{
    SessionHarness h;
    h.loadAndNegotiate({});
    std::function<void(OpenIdUpdate)> later;
    h.driver.openIdHook = [&](std::function<void(OpenIdUpdate)> update) {
        update(withState(OpenIdUpdate::State::Pending));
        later = update;
    };
    auto reply = h.request("get_openid", json::object(), "oid");
    ASSERT_TRUE(reply);
    EXPECT_EQ((*reply)["response"], json({{"state", "request"}}));
    later(allowed("tok"));
    auto creds = h.toWidgetRequests("openid_credentials");
    ASSERT_EQ(creds.size(), 1u);
    EXPECT_EQ(creds[0]["data"]["state"], "allowed");
    EXPECT_EQ(creds[0]["data"]["original_request_id"], "oid");
    EXPECT_EQ(creds[0]["data"]["access_token"], "tok");
    later(allowed("again")); // a third update is ignored
    EXPECT_EQ(h.toWidgetRequests("openid_credentials").size(), 1u);
}

TEST(GetOpenIdAction, ASecondPendingInPhaseTwoBecomesBlocked)
{
    SessionHarness h;
    h.loadAndNegotiate({});
    h.driver.openIdScript = {withState(OpenIdUpdate::State::Pending), withState(OpenIdUpdate::State::Pending)};
    h.request("get_openid", json::object(), "oid");
    auto creds = h.toWidgetRequests("openid_credentials");
    ASSERT_EQ(creds.size(), 1u);
    EXPECT_EQ(creds[0]["data"], json({{"state", "blocked"}, {"original_request_id", "oid"}}));
}

TEST(GetOpenIdAction, AClosedWidgetGetsNothing)
{
    SessionHarness h;
    h.loadAndNegotiate({});
    std::function<void(OpenIdUpdate)> later;
    h.driver.openIdHook = [&](std::function<void(OpenIdUpdate)> update) {
        update(withState(OpenIdUpdate::State::Pending));
        later = update;
    };
    h.request("get_openid", json::object(), "oid");
    h.session->stop();
    const auto before = h.transport.sent.size();
    later(allowed("tok"));
    EXPECT_EQ(h.transport.sent.size(), before);
}

// ---- com.beeper.read_room_account_data ----

TEST(ReadRoomAccountDataAction, ReadsRoomAccountData) // 54
{
    SessionHarness h;
    h.loadAndNegotiate({"com.beeper.capabilities.receive.room_account_data:net.example.test"});
    auto reply = h.respond("com.beeper.read_room_account_data", json{{"type", "net.example.test"}});
    EXPECT_EQ(reply, json({{"events", {{{"type", "net.example.test"}, {"room_id", kRoom}, {"content", json::object()}}}}}));
}

TEST(ReadRoomAccountDataAction, DoesNotReadWithoutTheCapabilityAndDoesNotAskTheDriver) // 55, stricter
{
    SessionHarness h;
    h.loadAndNegotiate({});
    EXPECT_EQ(SessionHarness::errorOf(h.respond("com.beeper.read_room_account_data", json{{"type", "net.example.test"}})),
              "Cannot read room account data of this type");
    EXPECT_TRUE(h.driver.accountDataReads.empty());
}

// ---- org.matrix.msc2876.read_events ----

class ReadEventsAction : public ::testing::Test {
protected:
    SessionHarness h;
    void SetUp() override
    {
        h.driver.rooms = {kRoom, kOtherRoom};
        h.driver.events = {message(kRoom, "$a"), message(kOtherRoom, "$b")};
        h.driver.state = {stateEvent(kRoom, "net.example.test", "A", json::object(), "$sa"),
                          stateEvent(kRoom, "net.example.test", "B", json::object(), "$sb")};
    }
};

TEST_F(ReadEventsAction, ReadsEventsFromASpecificRoom) // 56
{
    h.loadAndNegotiate({"org.matrix.msc2762.timeline:" + kOtherRoom, "org.matrix.msc2762.receive.event:m.room.message"});
    auto reply = h.respond("org.matrix.msc2876.read_events", json{{"type", "m.room.message"}, {"room_ids", {kOtherRoom}}});
    EXPECT_EQ(reply["events"], json::array({message(kOtherRoom, "$b")}));
    ASSERT_EQ(h.driver.eventReads.size(), 1u);
    EXPECT_EQ(h.driver.eventReads[0].roomId, kOtherRoom);
    EXPECT_EQ(h.driver.eventReads[0].limit, 1000);
    EXPECT_FALSE(h.driver.eventReads[0].since);
}

TEST_F(ReadEventsAction, ReadsEventsFromAllRooms) // 57
{
    h.loadAndNegotiate({"org.matrix.msc2762.timeline:*", "org.matrix.msc2762.receive.event:m.room.message"});
    auto reply = h.respond("org.matrix.msc2876.read_events", json{{"type", "m.room.message"}, {"room_ids", "*"}});
    EXPECT_EQ(reply["events"].size(), 2u);
    EXPECT_EQ(h.driver.eventReads.size(), 2u);
}

TEST_F(ReadEventsAction, ReadsStateEventsWithAnyStateKey) // 58
{
    h.loadAndNegotiate({"org.matrix.msc2762.receive.state_event:net.example.test"}, {});
    auto reply = h.respond("org.matrix.msc2876.read_events", json{{"type", "net.example.test"}, {"state_key", true}});
    EXPECT_EQ(reply["events"].size(), 2u);
    ASSERT_EQ(h.driver.stateReads.size(), 1u);
    EXPECT_EQ(h.driver.stateReads[0], std::make_tuple(kRoom, std::string("net.example.test"), std::optional<std::string>()));
}

TEST_F(ReadEventsAction, FailsToReadStateWithAnyKeyWithoutAnAnyKeyCapability) // 59
{
    h.loadAndNegotiate({"org.matrix.msc2762.receive.state_event:net.example.test#A"}, {});
    EXPECT_EQ(SessionHarness::errorOf(h.respond("org.matrix.msc2876.read_events", json{{"type", "net.example.test"}, {"state_key", true}})),
              "Cannot read state events of this type");
    EXPECT_TRUE(h.driver.stateReads.empty());
    EXPECT_TRUE(h.driver.eventReads.empty());
}

TEST_F(ReadEventsAction, ReadsStateEventsWithASpecificKey) // 60
{
    h.loadAndNegotiate({"org.matrix.msc2762.receive.state_event:net.example.test#B"}, {});
    auto reply = h.respond("org.matrix.msc2876.read_events", json{{"type", "net.example.test"}, {"state_key", "B"}});
    EXPECT_EQ(reply["events"], json::array({stateEvent(kRoom, "net.example.test", "B", json::object(), "$sb")}));
    EXPECT_EQ(h.driver.stateReads.at(0), std::make_tuple(kRoom, std::string("net.example.test"), std::optional<std::string>("B")));
}

TEST_F(ReadEventsAction, ReadsStateFromTheTimelineForUpdateStateWidgets) // 61
{
    h.loadAndNegotiate({"org.matrix.msc2762.receive.state_event:net.example.test#B"});
    h.driver.stateReads.clear(); // the initial update_state push read state
    h.respond("org.matrix.msc2876.read_events", json{{"type", "net.example.test"}, {"state_key", "B"}});
    ASSERT_EQ(h.driver.eventReads.size(), 1u);
    EXPECT_EQ(h.driver.eventReads[0].stateKeySelector, StateKeySelector::Exact);
    EXPECT_EQ(h.driver.eventReads[0].stateKey, "B");
    EXPECT_TRUE(h.driver.stateReads.empty());
}

TEST_F(ReadEventsAction, FailsToReadStateWithAnotherKey) // 62
{
    h.loadAndNegotiate({"org.matrix.msc2762.receive.state_event:net.example.test#A"}, {});
    EXPECT_EQ(SessionHarness::errorOf(h.respond("org.matrix.msc2876.read_events", json{{"type", "net.example.test"}, {"state_key", "B"}})),
              "Cannot read state events of this type");
}

TEST_F(ReadEventsAction, ValidatesLimitRoomsAndStateKey)
{
    h.loadAndNegotiate({"org.matrix.msc2762.receive.event:m.room.message"});
    for (json bad : {json(0), json(-1), json(1.5), json("10")})
        EXPECT_EQ(SessionHarness::errorOf(h.respond("org.matrix.msc2876.read_events", json{{"type", "m.room.message"}, {"limit", bad}})),
                  "Invalid request - limit out of range") << bad;
    EXPECT_EQ(SessionHarness::errorOf(h.respond("org.matrix.msc2876.read_events", json{{"type", "m.room.message"}, {"room_ids", {kOtherRoom}}})),
              "Unable to access room timeline: " + kOtherRoom);
    EXPECT_EQ(SessionHarness::errorOf(h.respond("org.matrix.msc2876.read_events", json{{"type", "m.room.message"}, {"room_ids", 5}})),
              "Invalid request - room_ids must be a list of room IDs or \"*\"");
    EXPECT_EQ(SessionHarness::errorOf(h.respond("org.matrix.msc2876.read_events", json{{"type", "m.room.message"}, {"state_key", false}})),
              "Invalid request - state_key must be a string or true");
    EXPECT_EQ(SessionHarness::errorOf(h.respond("org.matrix.msc2876.read_events", json::object())), "Invalid request - missing event type");
}

TEST_F(ReadEventsAction, ClampsTheLimitAndPassesSince)
{
    h.loadAndNegotiate({"org.matrix.msc2762.receive.event:m.room.message"});
    h.respond("org.matrix.msc2876.read_events", json{{"type", "m.room.message"}, {"limit", 1'000'000}, {"since", "$x"}});
    EXPECT_EQ(h.driver.eventReads.at(0).limit, 1000);
    EXPECT_EQ(h.driver.eventReads.at(0).since, std::optional<std::string>("$x"));
}

TEST_F(ReadEventsAction, FiltersWhatTheDriverReturns)
{
    h.loadAndNegotiate({"org.matrix.msc2762.receive.event:m.room.message#m.text"});
    h.driver.events = {message(kRoom, "$text"), message(kRoom, "$notice", "m.notice"), message(kOtherRoom, "$elsewhere")};
    auto reply = h.respond("org.matrix.msc2876.read_events", json{{"type", "m.room.message"}, {"msgtype", "m.text"}});
    ASSERT_EQ(reply["events"].size(), 1u);
    EXPECT_EQ(reply["events"][0]["event_id"], "$text");
}

TEST_F(ReadEventsAction, WritesTheDriversEventTextUnchanged)
{
    h.loadAndNegotiate({"org.matrix.msc2762.receive.event:m.room.message"});
    h.driver.events = {message(kRoom, "$one"), message(kRoom, "$two")};
    h.session->handleMessage(R"({"api":"fromWidget","widgetId":"test","requestId":"text","action":)"
                             R"("org.matrix.msc2876.read_events","data":{"type":"m.room.message","limit":5}})");
    ASSERT_FALSE(h.transport.sent.empty());
    const std::string expected = R"("response":{"events":[)" + message(kRoom, "$one").dump() + ","
        + message(kRoom, "$two").dump() + "]}}";
    const std::string &sent = h.transport.sent.back();
    ASSERT_GE(sent.size(), expected.size());
    EXPECT_EQ(sent.substr(sent.size() - expected.size()), expected);
}

TEST_F(ReadEventsAction, ReportsDriverErrors)
{
    h.loadAndNegotiate({"org.matrix.msc2762.receive.event:m.room.message"});
    h.driver.failWith = matrixError(403, "M_FORBIDDEN", "not in room");
    expectMatrixError(h.respond("org.matrix.msc2876.read_events", json{{"type", "m.room.message"}}),
                      "Unexpected error while reading events", 403, "M_FORBIDDEN");
}

// ---- org.matrix.msc3869.read_relations ----

class ReadRelationsAction : public ::testing::Test {
protected:
    SessionHarness h;
};

TEST_F(ReadRelationsAction, HandlesTheRequest) // 64
{
    h.loadAndNegotiate({"org.matrix.msc2762.receive.event:m.room.message"});
    h.driver.relations = {message(kRoom, "$r")};
    auto reply = h.respond("org.matrix.msc3869.read_relations", json{{"event_id", "$event"}});
    EXPECT_EQ(reply, json({{"chunk", {message(kRoom, "$r")}}}));
    ASSERT_EQ(h.driver.relationReads.size(), 1u);
    const auto &r = h.driver.relationReads[0];
    EXPECT_EQ(r.eventId, "$event");
    EXPECT_EQ(r.roomId, kRoom);
    EXPECT_FALSE(r.relType || r.eventType || r.from || r.to || r.limit || r.direction);
}

TEST_F(ReadRelationsAction, ReturnsOnlyEventsTheCapabilitiesAllow) // 65
{
    h.loadAndNegotiate({"org.matrix.msc2762.receive.event:m.room.message", "org.matrix.msc2762.receive.state_event:net.example.test#A"});
    h.driver.relations = {message(kRoom, "$m"), json{{"type", "m.reaction"}, {"room_id", kRoom}, {"event_id", "$re"}, {"content", json::object()}},
                          stateEvent(kRoom, "net.example.test", "A", json::object(), "$sa"),
                          stateEvent(kRoom, "net.example.test", "B", json::object(), "$sb")};
    auto reply = h.respond("org.matrix.msc3869.read_relations", json{{"event_id", "$event"}});
    ASSERT_EQ(reply["chunk"].size(), 2u);
    EXPECT_EQ(reply["chunk"][0]["event_id"], "$m");
    EXPECT_EQ(reply["chunk"][1]["event_id"], "$sa");
}

TEST_F(ReadRelationsAction, PassesEveryOption) // 66
{
    h.loadAndNegotiate({"org.matrix.msc2762.timeline:!room-id", "org.matrix.msc2762.receive.event:m.room.message"});
    h.respond("org.matrix.msc3869.read_relations", json{{"event_id", "$event"}, {"room_id", "!room-id"}, {"rel_type", "m.reference"},
                                                          {"event_type", "m.room.message"}, {"from", "from-token"}, {"to", "to-token"},
                                                          {"limit", 25}, {"direction", "f"}});
    const auto &r = h.driver.relationReads.at(0);
    EXPECT_EQ(r.roomId, "!room-id");
    EXPECT_EQ(r.relType, std::optional<std::string>("m.reference"));
    EXPECT_EQ(r.eventType, std::optional<std::string>("m.room.message"));
    EXPECT_EQ(r.from, std::optional<std::string>("from-token"));
    EXPECT_EQ(r.to, std::optional<std::string>("to-token"));
    EXPECT_EQ(r.limit, std::optional<int>(25));
    EXPECT_EQ(r.direction, std::optional<std::string>("f"));
}

TEST_F(ReadRelationsAction, RejectsBadRequests) // 67, 68, 69
{
    h.loadAndNegotiate({"org.matrix.msc2762.receive.event:m.room.message"});
    EXPECT_EQ(SessionHarness::errorOf(h.respond("org.matrix.msc3869.read_relations", json::object())), "Invalid request - missing event ID");
    EXPECT_EQ(SessionHarness::errorOf(h.respond("org.matrix.msc3869.read_relations", json{{"event_id", "$e"}, {"limit", -1}})),
              "Invalid request - limit out of range");
    EXPECT_EQ(SessionHarness::errorOf(h.respond("org.matrix.msc3869.read_relations", json{{"event_id", "$e"}, {"room_id", "!another-room-id"}})),
              "Unable to access room timeline: !another-room-id");
    EXPECT_EQ(SessionHarness::errorOf(h.respond("org.matrix.msc3869.read_relations", json{{"event_id", "$e"}, {"direction", "x"}})),
              "Invalid request - direction must be \"f\" or \"b\"");
    EXPECT_TRUE(h.driver.relationReads.empty());
    EXPECT_EQ(h.respond("org.matrix.msc3869.read_relations", json{{"event_id", "$e"}, {"limit", 0}}), json({{"chunk", json::array()}}));
}

TEST_F(ReadRelationsAction, RejectsWhenTheDriverFails) // 70, 71
{
    h.loadAndNegotiate({});
    h.driver.failWith = Error(ErrorCode::Internal, "x");
    EXPECT_EQ(SessionHarness::errorOf(h.respond("org.matrix.msc3869.read_relations", json{{"event_id", "$e"}})),
              "Unexpected error while reading relations");
    h.driver.failWith = matrixError(403, "M_FORBIDDEN", "no");
    expectMatrixError(h.respond("org.matrix.msc3869.read_relations", json{{"event_id", "$e"}}), "Unexpected error while reading relations", 403, "M_FORBIDDEN");
}

// ---- org.matrix.msc3973.user_directory_search ----

class UserDirectorySearchAction : public ::testing::Test {
protected:
    SessionHarness h;
};

TEST_F(UserDirectorySearchAction, HandlesTheRequest) // 73, 74, 75
{
    h.loadAndNegotiate({"org.matrix.msc3973.user_directory_search"});
    auto reply = h.respond("org.matrix.msc3973.user_directory_search", json{{"search_term", "foo"}});
    EXPECT_EQ(reply, json({{"limited", true}, {"results", {{{"user_id", "@foo:bar.com"}},
                                                           {{"user_id", "@bob:bar.com"}, {"display_name", "Bob"}, {"avatar_url", "mxc://bar.com/bob"}}}}}));
    h.respond("org.matrix.msc3973.user_directory_search", json{{"search_term", "foo"}, {"limit", 5}});
    h.respond("org.matrix.msc3973.user_directory_search", json{{"search_term", ""}});
    ASSERT_EQ(h.driver.directorySearches.size(), 3u);
    EXPECT_EQ(h.driver.directorySearches[0], std::make_pair(std::string("foo"), std::optional<int>()));
    EXPECT_EQ(h.driver.directorySearches[1], std::make_pair(std::string("foo"), std::optional<int>(5)));
    EXPECT_EQ(h.driver.directorySearches[2].first, "");
}

TEST_F(UserDirectorySearchAction, RejectsBadRequests) // 76, 77, 78
{
    h.loadAndNegotiate({});
    EXPECT_EQ(SessionHarness::errorOf(h.respond("org.matrix.msc3973.user_directory_search", json{{"search_term", "foo"}})), "Missing capability");
    SessionHarness h2;
    h2.loadAndNegotiate({"org.matrix.msc3973.user_directory_search"});
    EXPECT_EQ(SessionHarness::errorOf(h2.respond("org.matrix.msc3973.user_directory_search", json::object())), "Invalid request - missing search term");
    EXPECT_EQ(SessionHarness::errorOf(h2.respond("org.matrix.msc3973.user_directory_search", json{{"search_term", "foo"}, {"limit", -1}})),
              "Invalid request - limit out of range");
    EXPECT_TRUE(h2.driver.directorySearches.empty());
}

TEST_F(UserDirectorySearchAction, RejectsWhenTheDriverFails) // 79, 80
{
    h.loadAndNegotiate({"org.matrix.msc3973.user_directory_search"});
    h.driver.failWith = Error(ErrorCode::Internal, "x");
    EXPECT_EQ(SessionHarness::errorOf(h.respond("org.matrix.msc3973.user_directory_search", json{{"search_term", "foo"}})),
              "Unexpected error while searching in the user directory");
    h.driver.failWith = matrixError(429, "M_LIMIT_EXCEEDED", "Too many requests", json{{"retry_after_ms", 2000}});
    auto reply = h.respond("org.matrix.msc3973.user_directory_search", json{{"search_term", "foo"}});
    expectMatrixError(reply, "Unexpected error while searching in the user directory", 429, "M_LIMIT_EXCEEDED");
    EXPECT_EQ(reply["error"]["matrix_api_error"]["response"]["retry_after_ms"], 2000);
}

// ---- MSC4039 media ----

class MediaActions : public ::testing::Test {
protected:
    SessionHarness h;
};

TEST_F(MediaActions, GetsTheMediaConfig) // 82
{
    h.loadAndNegotiate({"org.matrix.msc4039.upload_file"});
    EXPECT_EQ(h.respond("org.matrix.msc4039.get_media_config", json::object()), json({{"m.upload.size", 1000}}));
}

TEST_F(MediaActions, CapsTheAdvertisedUploadSizeToWhatFitsInAMessage)
{
    struct BigServer : test::ScriptedDriver {
        void getMediaConfig(const WidgetContext &, Callback<json> done) override { done(json{{"m.upload.size", 100 * 1024 * 1024}}); }
    };
    test::ManualScheduler s;
    test::FakeTransport t;
    test::RecordingAuditSink a;
    BigServer d;
    WidgetSession session(SessionHarness::defaultConfig(), d, t, a, s);
    session.start();
    session.onIframeLoaded();
    for (const auto &m : std::vector<std::string>(t.sent)) {
        json j = json::parse(m);
        j["response"] = j["action"] == "capabilities" ? json{{"capabilities", {"org.matrix.msc4039.upload_file"}}} : json::object();
        session.handleMessage(j.dump());
    }
    session.handleMessage(R"({"api":"fromWidget","widgetId":"test","requestId":"m","action":"org.matrix.msc4039.get_media_config","data":{}})");
    json reply = json::parse(t.sent.back());
    EXPECT_EQ(reply["response"]["m.upload.size"], 6 * 1024 * 1024);
}

TEST_F(MediaActions, RequireTheirCapabilities) // 83, 88, 92
{
    h.loadAndNegotiate({});
    EXPECT_EQ(SessionHarness::errorOf(h.respond("org.matrix.msc4039.get_media_config", json::object())), "Missing capability");
    EXPECT_EQ(SessionHarness::errorOf(h.respond("org.matrix.msc4039.upload_file", json{{"file", "data"}})), "Missing capability");
    EXPECT_EQ(SessionHarness::errorOf(h.respond("org.matrix.msc4039.download_file", json{{"content_uri", "mxc://example.com/test_file"}})),
              "Missing capability");
    EXPECT_TRUE(h.driver.uploads.empty());
    EXPECT_TRUE(h.driver.downloads.empty());
}

TEST_F(MediaActions, RejectWhenTheDriverFails) // 84, 85, 89, 90, 93, 94
{
    h.loadAndNegotiate({"org.matrix.msc4039.upload_file", "org.matrix.msc4039.download_file"});
    h.driver.failWith = Error(ErrorCode::Internal, "x");
    EXPECT_EQ(SessionHarness::errorOf(h.respond("org.matrix.msc4039.get_media_config", json::object())),
              "Unexpected error while getting the media configuration");
    EXPECT_EQ(SessionHarness::errorOf(h.respond("org.matrix.msc4039.upload_file", json{{"file", "data"}})),
              "Unexpected error while uploading a file");
    EXPECT_EQ(SessionHarness::errorOf(h.respond("org.matrix.msc4039.download_file", json{{"content_uri", "mxc://example.com/f"}})),
              "Unexpected error while downloading a file");
    h.driver.failWith = matrixError(400, "M_UNKNOWN", "bad");
    expectMatrixError(h.respond("org.matrix.msc4039.get_media_config", json::object()), "Unexpected error while getting the media configuration", 400, "M_UNKNOWN");
    expectMatrixError(h.respond("org.matrix.msc4039.upload_file", json{{"file", "data"}}), "Unexpected error while uploading a file", 400, "M_UNKNOWN");
    expectMatrixError(h.respond("org.matrix.msc4039.download_file", json{{"content_uri", "mxc://example.com/f"}}),
                      "Unexpected error while downloading a file", 400, "M_UNKNOWN");
}

TEST_F(MediaActions, UploadsAFile) // 87
{
    h.loadAndNegotiate({"org.matrix.msc4039.upload_file"});
    EXPECT_EQ(h.respond("org.matrix.msc4039.upload_file", json{{"file", "data"}}), json({{"content_uri", "mxc://example.org/upload1"}}));
    EXPECT_EQ(h.driver.uploads.at(0).bytes, "data");
}

TEST_F(MediaActions, UploadsABlobEncodedByTheWrapper)
{
    h.loadAndNegotiate({"org.matrix.msc4039.upload_file"});
    const std::string png("\x89PNG\r\n\x1a\n\0\1", 10);
    auto reply = h.respond("org.matrix.msc4039.upload_file",
                           json{{"file", {{"io.tessera.blob", {{"base64", text::base64Encode(png)}, {"type", "image/png"}, {"name", "a.png"}}}}}});
    EXPECT_TRUE(reply.contains("content_uri"));
    EXPECT_EQ(h.driver.uploads.at(0).bytes, png);
    EXPECT_EQ(h.driver.uploads.at(0).contentType, "image/png");
    EXPECT_EQ(h.driver.uploads.at(0).fileName, std::optional<std::string>("a.png"));
    EXPECT_EQ(SessionHarness::errorOf(h.respond("org.matrix.msc4039.upload_file", json{{"file", {{"io.tessera.blob", {{"base64", "!!"}}}}}})),
              "Invalid request - file is not valid base64");
    EXPECT_EQ(SessionHarness::errorOf(h.respond("org.matrix.msc4039.upload_file", json::object())), "Invalid request - missing file");
}

TEST_F(MediaActions, RefusesFilesAboveTheLimit)
{
    auto config = SessionHarness::defaultConfig();
    config.limits.maxUploadBytes = 10;
    SessionHarness small(config);
    small.loadAndNegotiate({"org.matrix.msc4039.upload_file"});
    EXPECT_EQ(SessionHarness::errorOf(small.respond("org.matrix.msc4039.upload_file", json{{"file", std::string(11, 'x')}})),
              "File too large: 11 bytes; the limit is 10");
    EXPECT_TRUE(small.driver.uploads.empty());
}

TEST_F(MediaActions, DownloadsAFile) // 91
{
    h.loadAndNegotiate({"org.matrix.msc4039.download_file"});
    auto reply = h.respond("org.matrix.msc4039.download_file", json{{"content_uri", "mxc://example.com/test_file"}});
    EXPECT_EQ(h.driver.downloads, std::vector<std::string>{"mxc://example.com/test_file"});
    const auto &blob = reply["file"]["io.tessera.blob"];
    EXPECT_EQ(text::base64Decode(blob["base64"].get<std::string>()), std::optional<std::string>("test contents"));
    EXPECT_EQ(blob["type"], "text/plain");
}

TEST_F(MediaActions, RefusesANonMxcUri) // rust-sdk test_download_non_mxc_uri_should_fail
{
    h.loadAndNegotiate({"org.matrix.msc4039.download_file"});
    for (const char *uri : {"https://example.com/x", "mxc://", "mxc://example.com", "mxc://example.com/"})
        EXPECT_EQ(SessionHarness::errorOf(h.respond("org.matrix.msc4039.download_file", json{{"content_uri", uri}})),
                  "Invalid request - content_uri must be an mxc:// URI") << uri;
    EXPECT_TRUE(h.driver.downloads.empty());
}

// ---- MSC3846 TURN ----

TEST(TurnServers, WatchesAndPushesUpdates)
{
    SessionHarness h;
    h.loadAndNegotiate({"town.robin.msc3846.turn_servers"});
    EXPECT_EQ(h.respond("watch_turn_servers", json::object()), json::object());
    auto pushes = h.toWidgetRequests("update_turn_servers");
    ASSERT_EQ(pushes.size(), 1u);
    EXPECT_EQ(pushes[0]["data"], json({{"uris", {"turn:turn.example.org:3478"}}, {"username", "user1"}, {"password", "pass1"}}));
    h.driver.turnPush(TurnServer{{"turn:b"}, "user2", "pass2"});
    EXPECT_EQ(h.toWidgetRequests("update_turn_servers").size(), 2u);
    EXPECT_EQ(h.respond("watch_turn_servers", json::object()), json::object()) << "already watching: just an ack";
    EXPECT_EQ(h.driver.turnWatches, 1);
    EXPECT_EQ(h.respond("unwatch_turn_servers", json::object()), json::object());
    EXPECT_EQ(h.driver.liveTurnSubscriptions, 0);
}

TEST(TurnServers, ReportsWhenNoneAreAvailable)
{
    SessionHarness h;
    h.loadAndNegotiate({"town.robin.msc3846.turn_servers"});
    h.driver.turnFirst = Result<TurnServer>(Error(ErrorCode::Unavailable, "no TURN configured"));
    EXPECT_EQ(SessionHarness::errorOf(h.respond("watch_turn_servers", json::object())), "TURN servers not available");
    h.scheduler.runPosted();
    EXPECT_EQ(h.driver.liveTurnSubscriptions, 0);
}

TEST(TurnServers, RequireTheCapability)
{
    SessionHarness h;
    h.loadAndNegotiate({});
    EXPECT_EQ(SessionHarness::errorOf(h.respond("watch_turn_servers", json::object())), "Missing capability");
    EXPECT_EQ(SessionHarness::errorOf(h.respond("unwatch_turn_servers", json::object())), "Missing capability");
}

TEST(TurnServers, StopOnStop)
{
    SessionHarness h;
    h.loadAndNegotiate({"town.robin.msc3846.turn_servers"});
    h.respond("watch_turn_servers", json::object());
    h.session->stop();
    EXPECT_EQ(h.driver.liveTurnSubscriptions, 0);
}

// ---- Host-app actions: always-on-screen, sticker, modals ----

TEST(AlwaysOnScreen, NeedsTheCapabilityAndABoolean)
{
    SessionHarness h;
    h.loadAndNegotiate({});
    EXPECT_EQ(SessionHarness::errorOf(h.respond("set_always_on_screen", json{{"value", true}})), "Missing capability");
    SessionHarness h2;
    h2.loadAndNegotiate({"m.always_on_screen"});
    EXPECT_EQ(SessionHarness::errorOf(h2.respond("set_always_on_screen", json{{"value", "yes"}})), "Invalid request - value must be a boolean");
    EXPECT_EQ(h2.respond("set_always_on_screen", json{{"value", true}}), json({{"success", true}}));
    EXPECT_EQ(h2.driver.alwaysOnScreen, std::vector<bool>{true});
}

TEST(Sticker, SendsAStickerEventToTheWidgetsRoom)
{
    SessionHarness h;
    h.loadAndNegotiate({"m.sticker"});
    EXPECT_EQ(h.respond("m.sticker", json{{"name", "Cat"}, {"content", {{"url", "mxc://example.org/cat"}, {"info", {{"w", 64}}}}}}), json::object());
    const auto &sent = h.driver.sentEvents.at(0);
    EXPECT_EQ(sent.type, "m.sticker");
    EXPECT_EQ(sent.content, json({{"body", "Cat"}, {"url", "mxc://example.org/cat"}, {"info", {{"w", 64}}}}));
    EXPECT_EQ(SessionHarness::errorOf(h.respond("m.sticker", json{{"content", {{"url", "https://x"}}}})),
              "Invalid request - a sticker needs content.url (mxc://)");
}

TEST(Sticker, NeedsTheCapability)
{
    SessionHarness h;
    h.loadAndNegotiate({});
    EXPECT_EQ(SessionHarness::errorOf(h.respond("m.sticker", json{{"content", {{"url", "mxc://a/b"}}}})), "Missing capability");
}

TEST(Modals, OpensAModalWithACheckedUrl)
{
    SessionHarness h;
    h.loadAndNegotiate({});
    json data{{"type", "m.custom"}, {"url", "https://example.org/modal"}, {"name", "Pick"},
              {"buttons", {{{"id", "ok"}, {"label", "OK"}, {"kind", "m.primary"}}}}, {"data", {{"x", 1}}}};
    EXPECT_EQ(h.respond("open_modal", data), json::object());
    ASSERT_EQ(h.driver.modals.size(), 1u);
    EXPECT_EQ(h.driver.modals[0].buttons.at(0).id, "ok");
    EXPECT_EQ(h.driver.modals[0].data, json({{"x", 1}}));
    data["url"] = "javascript:alert(1)";
    EXPECT_EQ(SessionHarness::errorOf(h.respond("open_modal", data)), "Invalid request - javascript: URLs are never loaded as widgets");
    data["url"] = "https://example.org/modal";
    data["buttons"] = json::array({json{{"id", "a"}, {"label", "A"}}, json{{"id", "b"}, {"label", "B"}}, json{{"id", "c"}, {"label", "C"}},
                                   json{{"id", "d"}, {"label", "D"}}});
    EXPECT_EQ(SessionHarness::errorOf(h.respond("open_modal", data)), "Invalid request - buttons must be a list of at most 3 buttons");
    h.driver.failWith = Error(ErrorCode::Conflict, "a modal is open");
    data["buttons"] = json::array();
    EXPECT_EQ(SessionHarness::errorOf(h.respond("open_modal", data)), "Unable to open modal at this time");
}

TEST(Modals, TheHostGetsTheSchemeInOneSpelling)
{
    SessionHarness h;
    h.loadAndNegotiate({});
    // Schemes are case-insensitive: the policy accepts this as https:, and the host is handed
    // exactly that, the rest of the URL (templates included) untouched.
    json data{{"url", "htTPs://Example.org/modal?u=$matrix_user_id"}};
    EXPECT_EQ(h.respond("open_modal", data), json::object());
    ASSERT_EQ(h.driver.modals.size(), 1u);
    EXPECT_EQ(h.driver.modals[0].url, "https://Example.org/modal?u=$matrix_user_id");
}

TEST(Modals, OnlyAModalWidgetClosesItselfOrTogglesButtons)
{
    SessionHarness h;
    h.loadAndNegotiate({});
    EXPECT_EQ(SessionHarness::errorOf(h.respond("close_modal", json::object())), "Only a modal widget can close itself");
    EXPECT_EQ(SessionHarness::errorOf(h.respond("set_button_enabled", json{{"button", "ok"}, {"enabled", false}})), "Only a modal widget has buttons");

    auto config = SessionHarness::defaultConfig();
    config.kind = WidgetKind::Modal;
    SessionHarness modal(config);
    modal.loadAndNegotiate({});
    EXPECT_EQ(modal.respond("close_modal", json{{"choice", "a"}}), json::object());
    EXPECT_EQ(modal.driver.modalCloses.at(0), json({{"choice", "a"}}));
    EXPECT_EQ(modal.respond("set_button_enabled", json{{"button", "ok"}, {"enabled", false}}), json::object());
    EXPECT_EQ(SessionHarness::errorOf(modal.respond("set_button_enabled", json{{"button", "m.close"}, {"enabled", false}})), "Invalid button");
    EXPECT_EQ(SessionHarness::errorOf(modal.respond("set_button_enabled", json{{"button", "unknown"}, {"enabled", false}})), "Invalid button");
}

TEST(Modals, PushesConfigButtonsAndCloseToTheRightWidgets)
{
    SessionHarness h;
    h.loadAndNegotiate({});
    h.session->sendWidgetConfig(json{{"x", 1}});
    h.session->sendButtonClicked("ok");
    h.session->sendCloseModal(json{{"m.exited", true}});
    EXPECT_EQ(h.toWidgetRequests("widget_config").at(0)["data"], json({{"x", 1}}));
    EXPECT_EQ(h.toWidgetRequests("button_clicked").at(0)["data"], json({{"id", "ok"}}));
    EXPECT_EQ(h.toWidgetRequests("close_modal").at(0)["data"], json({{"m.exited", true}}));
}

// ---- Custom actions (the plugin extension point) ----

namespace {
class EchoHandler final : public CustomActionHandler {
public:
    int calls = 0;
    void handle(const WidgetContext &, const std::string &action, const json &data, Callback<json> done) override
    {
        ++calls;
        if (data.contains("fail"))
            done(Error(ErrorCode::Internal, "handler says no"));
        else
            done(json{{"echo", action}, {"data", data}});
    }
};
} // namespace

TEST(CustomActions, ReachAHandlerOnlyWithTheApprovedCapability)
{
    EchoHandler handler;
    ActionRegistry registry;
    ASSERT_TRUE(registry.addCapability("io.tessera.echo", &handler));
    ASSERT_TRUE(registry.addAction("io.tessera.echo.say", "io.tessera.echo", &handler));

    test::ManualScheduler s;
    test::FakeTransport t;
    test::RecordingAuditSink a;
    test::ScriptedDriver d;
    d.approve = [](const CapabilityRequest &) { return std::vector<std::string>{}; };
    WidgetSession denied(SessionHarness::defaultConfig(), d, t, a, s, &registry);
    denied.start();
    denied.onIframeLoaded();
    for (const auto &m : std::vector<std::string>(t.sent)) {
        json j = json::parse(m);
        j["response"] = j["action"] == "capabilities" ? json{{"capabilities", {"io.tessera.echo"}}} : json::object();
        denied.handleMessage(j.dump());
    }
    ASSERT_EQ(d.capabilityRequests.size(), 1u);
    EXPECT_EQ(d.capabilityRequests[0].requested, std::vector<std::string>{"io.tessera.echo"}) << "custom capabilities are recognised";
    denied.handleMessage(R"({"api":"fromWidget","widgetId":"test","requestId":"c1","action":"io.tessera.echo.say","data":{"x":1}})");
    EXPECT_EQ(json::parse(t.sent.back())["response"]["error"]["message"], "Missing capability");
    EXPECT_EQ(handler.calls, 0);

    d.approve = nullptr;
    t.sent.clear();
    WidgetSession granted(SessionHarness::defaultConfig(), d, t, a, s, &registry);
    granted.start();
    granted.onIframeLoaded();
    for (const auto &m : std::vector<std::string>(t.sent)) {
        json j = json::parse(m);
        j["response"] = j["action"] == "capabilities" ? json{{"capabilities", {"io.tessera.echo"}}} : json::object();
        granted.handleMessage(j.dump());
    }
    granted.handleMessage(R"({"api":"fromWidget","widgetId":"test","requestId":"c2","action":"io.tessera.echo.say","data":{"x":1}})");
    EXPECT_EQ(json::parse(t.sent.back())["response"], json({{"echo", "io.tessera.echo.say"}, {"data", {{"x", 1}}}}));
    granted.handleMessage(R"({"api":"fromWidget","widgetId":"test","requestId":"c3","action":"io.tessera.echo.say","data":{"fail":1}})");
    EXPECT_EQ(json::parse(t.sent.back())["response"]["error"]["message"], "handler says no");
    EXPECT_TRUE(granted.pushCustom("io.tessera.echo", "io.tessera.echo.tick", json{{"n", 1}}));
    EXPECT_FALSE(granted.pushCustom("io.tessera.other", "io.tessera.echo.tick", json::object()));
    EXPECT_FALSE(granted.pushCustom("io.tessera.echo", "send_event", json::object())) << "built-in actions cannot be pushed by plugins";
}

TEST(CustomActions, BuiltInNamesCannotBeClaimed)
{
    EchoHandler handler;
    ActionRegistry registry;
    EXPECT_FALSE(registry.addCapability("m.always_on_screen", &handler));
    ASSERT_TRUE(registry.addCapability("io.tessera.echo", &handler));
    EXPECT_FALSE(registry.addAction("send_event", "io.tessera.echo", &handler));
    EXPECT_FALSE(registry.addAction("io.tessera.x", "io.tessera.undeclared", &handler));
    EchoHandler other;
    ASSERT_TRUE(registry.addAction("io.tessera.x", "io.tessera.echo", &handler));
    EXPECT_FALSE(registry.addCapability("io.tessera.echo", &other));
    registry.removeHandler(&handler);
    EXPECT_FALSE(registry.find("io.tessera.x"));
    EXPECT_FALSE(registry.isCustomCapability("io.tessera.echo"));
}
