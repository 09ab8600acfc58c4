// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
// Room creation, membership, state with power levels, sending and redaction.

#include "matrixhttp.h"

namespace tessera::e2e::testing {
namespace {

using nlohmann::json;

class Rooms : public HomeserverTest {};

TEST_F(Rooms, CreateRoomAppliesPresetNameTopicAliasAndInitialState)
{
    const HttpResult r = as(alice).post(
        "/_matrix/client/v3/createRoom",
        {{"preset", "public_chat"},
         {"name", "Widgets"},
         {"topic", "Where widgets live"},
         {"room_alias_name", "widgets"},
         {"initial_state", {{{"type", "m.widget"}, {"state_key", "clock"}, {"content", {{"url", "https://w.test"}}}}}},
         {"invite", {bob.userId}}});
    ASSERT_EQ(r.status, 200) << r.body;
    const std::string roomId = r.json["room_id"];
    EXPECT_EQ(r.json["room_alias"], "#widgets:tessera.test");
    EXPECT_EQ(server->resolveAlias("widgets"), roomId);
    EXPECT_EQ(server->stateEvent(roomId, "m.room.name")->at("content")["name"], "Widgets");
    EXPECT_EQ(server->stateEvent(roomId, "m.room.topic")->at("content")["topic"], "Where widgets live");
    EXPECT_EQ(server->stateEvent(roomId, "m.room.join_rules")->at("content")["join_rule"], "public");
    EXPECT_EQ(server->stateEvent(roomId, "m.widget", "clock")->at("content")["url"], "https://w.test");
    EXPECT_EQ(server->membership(roomId, "alice"), "join");
    EXPECT_EQ(server->membership(roomId, "bob"), "invite");
    const json levels = server->stateEvent(roomId, "m.room.power_levels")->at("content");
    EXPECT_EQ(levels["users"][alice.userId], 100);
    EXPECT_EQ(levels["state_default"], 50);
    // The create event comes first, then the creator's join, then the power levels.
    const auto events = server->roomEvents(roomId);
    ASSERT_GE(events.size(), 3u);
    EXPECT_EQ(events[0]["type"], "m.room.create");
    EXPECT_EQ(events[1]["type"], "m.room.member");
    EXPECT_EQ(events[2]["type"], "m.room.power_levels");
}

TEST_F(Rooms, AMemberJoiningAgainChangesTheirRoomProfileAndTheSameJoinChangesNothing)
{
    const HttpResult r = as(alice).post("/_matrix/client/v3/createRoom", {{"preset", "private_chat"}});
    ASSERT_EQ(r.status, 200) << r.body;
    const std::string roomId = r.json["room_id"];
    const std::string path = "/_matrix/client/v3/rooms/" + roomId + "/state/m.room.member/" + alice.userId;
    const std::size_t before = server->roomEvents(roomId).size();
    const json profile = {{"membership", "join"}, {"displayname", "Alice"}, {"avatar_url", "mxc://tessera.test/face"}};
    const HttpResult changed = as(alice).put(path, profile);
    ASSERT_EQ(changed.status, 200) << changed.body;
    EXPECT_EQ(server->stateEvent(roomId, "m.room.member", alice.userId)->at("content")["avatar_url"], "mxc://tessera.test/face");
    EXPECT_EQ(server->roomEvents(roomId).size(), before + 1) << "a profile change is an event, as in Synapse";
    const HttpResult same = as(alice).put(path, profile);
    ASSERT_EQ(same.status, 200) << same.body;
    EXPECT_EQ(same.json["event_id"], changed.json["event_id"]) << "the same join again is no event";
    EXPECT_EQ(server->roomEvents(roomId).size(), before + 1);
}

TEST_F(Rooms, CreateRoomRejectsBadInputSpecifically)
{
    MatrixHttp http = as(alice);
    HttpResult r = http.post("/_matrix/client/v3/createRoom", {{"preset", "party"}});
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.error(), "'party' is not a valid preset");
    r = http.post("/_matrix/client/v3/createRoom", {{"initial_state", {{{"type", "m.widget"}}}}});
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.errcode(), "M_BAD_JSON");
    r = http.post("/_matrix/client/v3/createRoom", {{"room_version", "1"}});
    EXPECT_EQ(r.errcode(), "M_UNSUPPORTED_ROOM_VERSION");
    ASSERT_EQ(http.post("/_matrix/client/v3/createRoom", {{"room_alias_name", "taken"}}).status, 200);
    r = http.post("/_matrix/client/v3/createRoom", {{"room_alias_name", "taken"}});
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.errcode(), "M_ROOM_IN_USE");
}

TEST_F(Rooms, PowerLevelContentOverrideReplacesDefaults)
{
    const HttpResult r = as(alice).post("/_matrix/client/v3/createRoom",
                                        {{"power_level_content_override", {{"state_default", 0}}}});
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(server->stateEvent(r.json["room_id"], "m.room.power_levels")->at("content")["state_default"], 0);
}

TEST_F(Rooms, JoinByAliasInviteAndLeave)
{
    RoomSpec spec;
    spec.creator = "alice";
    spec.alias = "lobby";
    spec.preset = "public_chat";
    const std::string roomId = *server->createRoom(spec);

    HttpResult r = as(bob).post("/_matrix/client/v3/join/" + enc("#lobby:tessera.test"));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json["room_id"], roomId);
    r = as(bob).get("/_matrix/client/v3/joined_rooms");
    EXPECT_EQ(r.json["joined_rooms"], json::array({roomId}));
    EXPECT_EQ(as(bob).post(roomPath(roomId, "/leave")).status, 200);
    EXPECT_EQ(server->membership(roomId, "bob"), "leave");
    EXPECT_EQ(as(bob).get("/_matrix/client/v3/joined_rooms").json["joined_rooms"], json::array());
}

TEST_F(Rooms, InviteOnlyRoomNeedsAnInvite)
{
    RoomSpec spec;
    spec.creator = "alice";
    const std::string roomId = *server->createRoom(spec);
    HttpResult r = as(bob).post(roomPath(roomId, "/join"));
    EXPECT_EQ(r.status, 403);
    EXPECT_EQ(r.error(), "You are not invited to this room.");

    r = as(alice).post(roomPath(roomId, "/invite"), {{"user_id", bob.userId}});
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(as(bob).post(roomPath(roomId, "/join")).status, 200);
    r = as(alice).post(roomPath(roomId, "/invite"), {{"user_id", bob.userId}});
    EXPECT_EQ(r.status, 403);
    EXPECT_EQ(r.error(), bob.userId + " is already in the room.");
    r = as(alice).post(roomPath(roomId, "/invite"), json::object());
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.errcode(), "M_MISSING_PARAM");
}

TEST_F(Rooms, JoinErrorsForUnknownAliasAndRoom)
{
    HttpResult r = as(bob).post("/_matrix/client/v3/join/" + enc("#nowhere:tessera.test"));
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(r.errcode(), "M_NOT_FOUND");
    r = as(bob).post("/_matrix/client/v3/join/" + enc("!nope:tessera.test"));
    EXPECT_EQ(r.status, 404);
    r = as(bob).post("/_matrix/client/v3/join/nonsense");
    EXPECT_EQ(r.status, 400);
}

TEST_F(Rooms, StateRoundTripAndMissingStateIs404)
{
    const std::string roomId = sharedRoom();
    HttpResult r = as(alice).put(roomPath(roomId, "/state/m.widget/clock"), {{"url", "https://clock.test"}});
    ASSERT_EQ(r.status, 200) << r.body;
    const std::string eventId = r.json["event_id"];
    r = as(bob).get(roomPath(roomId, "/state/m.widget/clock"));
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.json["url"], "https://clock.test");
    r = as(bob).get(roomPath(roomId, "/state/m.widget/clock?format=event"));
    EXPECT_EQ(r.json["event_id"], eventId);
    r = as(bob).get(roomPath(roomId, "/state/m.widget/absent"));
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(r.errcode(), "M_NOT_FOUND");
    r = as(bob).get(roomPath(roomId, "/state/m.room.name"));
    EXPECT_EQ(r.status, 404);
    r = as(alice).get(roomPath(roomId, "/state"));
    ASSERT_EQ(r.status, 200);
    EXPECT_TRUE(std::any_of(r.json.begin(), r.json.end(), [&](const json &e) { return e["event_id"] == eventId; }));
}

TEST_F(Rooms, EmptyStateKeyWorksWithAndWithoutTrailingSlash)
{
    const std::string roomId = sharedRoom();
    ASSERT_EQ(as(alice).put(roomPath(roomId, "/state/m.room.name"), {{"name", "A"}}).status, 200);
    EXPECT_EQ(as(alice).get(roomPath(roomId, "/state/m.room.name/")).json["name"], "A");
}

TEST_F(Rooms, UserBelowStateLevelGets403WithSynapseText)
{
    const std::string roomId = sharedRoom();
    const HttpResult r = as(bob).put(roomPath(roomId, "/state/m.widget/w"), {{"url", "https://x.test"}});
    EXPECT_EQ(r.status, 403);
    EXPECT_EQ(r.errcode(), "M_FORBIDDEN");
    EXPECT_EQ(r.error(), "You don't have permission to post that to the room. user_level (0) < send_level (50)");
    EXPECT_FALSE(server->stateEvent(roomId, "m.widget", "w"));
}

TEST_F(Rooms, EventsLevelForATypeIsEnforcedForMessagesToo)
{
    RoomSpec spec;
    spec.creator = "alice";
    spec.join = {"bob"};
    spec.powerLevelContentOverride = {{"events", {{"m.room.message", 10}, {"m.widget", 0}}}};
    const std::string roomId = *server->createRoom(spec);
    HttpResult r = as(bob).put(roomPath(roomId, "/send/m.room.message/t1"), {{"body", "hi"}});
    EXPECT_EQ(r.status, 403);
    EXPECT_EQ(r.error(), "You don't have permission to post that to the room. user_level (0) < send_level (10)");
    r = as(bob).put(roomPath(roomId, "/state/m.widget/w"), {{"url", "https://x.test"}});
    EXPECT_EQ(r.status, 200) << "events[type] overrides state_default downwards too";
}

TEST_F(Rooms, RaisingPowerAboveOwnLevelIsRefused)
{
    RoomSpec spec;
    spec.creator = "alice";
    spec.join = {"bob"};
    spec.powerLevelContentOverride = {{"users", {{"@alice:tessera.test", 100}, {"@bob:tessera.test", 50}}},
                                      {"events", {{"m.room.power_levels", 50}}}};
    const std::string roomId = *server->createRoom(spec);
    json levels = server->stateEvent(roomId, "m.room.power_levels")->at("content");
    levels["users"][bob.userId] = 100;
    const HttpResult r = as(bob).put(roomPath(roomId, "/state/m.room.power_levels/"), levels);
    EXPECT_EQ(r.status, 403);
    EXPECT_EQ(r.error(), "You don't have permission to add ops level greater than your own");
}

TEST_F(Rooms, NonMembersCannotSendOrReadState)
{
    RoomSpec spec;
    spec.creator = "alice";
    const std::string roomId = *server->createRoom(spec);
    HttpResult r = as(bob).put(roomPath(roomId, "/send/m.room.message/t1"), {{"body", "hi"}});
    EXPECT_EQ(r.status, 403);
    EXPECT_EQ(r.error(), "User " + bob.userId + " not in room " + roomId + " (None)");
    r = as(bob).get(roomPath(roomId, "/state"));
    EXPECT_EQ(r.status, 403);
    EXPECT_EQ(r.error(), "User '" + bob.userId + "' not in room " + roomId + ", and room previews are disabled");
}

TEST_F(Rooms, OthersUserScopedStateIsRefused)
{
    RoomSpec spec;
    spec.creator = "alice";
    spec.join = {"bob"};
    spec.powerLevelContentOverride = {{"state_default", 0}};
    const std::string roomId = *server->createRoom(spec);
    const HttpResult r = as(bob).put(roomPath(roomId, "/state/m.widget/" + enc(alice.userId)), {{"a", 1}});
    EXPECT_EQ(r.status, 403);
    EXPECT_EQ(r.error(), "You are not allowed to set others state");
}

TEST_F(Rooms, SameTransactionIdReturnsSameEventAndStoresOne)
{
    const std::string roomId = sharedRoom();
    const std::size_t before = server->countEvents(roomId, "m.room.message");
    const HttpResult first = as(bob).put(roomPath(roomId, "/send/m.room.message/txn-1"), {{"body", "once"}});
    const HttpResult again = as(bob).put(roomPath(roomId, "/send/m.room.message/txn-1"), {{"body", "once"}});
    ASSERT_EQ(first.status, 200);
    ASSERT_EQ(again.status, 200);
    EXPECT_EQ(first.json["event_id"], again.json["event_id"]);
    EXPECT_EQ(server->countEvents(roomId, "m.room.message"), before + 1);

    // Another device of the same user, or another user, has its own transaction namespace.
    auto otherDevice = server->login("bob", "TABLET");
    const HttpResult other = as(*otherDevice).put(roomPath(roomId, "/send/m.room.message/txn-1"), {{"body", "twice"}});
    EXPECT_NE(other.json["event_id"], first.json["event_id"]);
    EXPECT_EQ(server->countEvents(roomId, "m.room.message"), before + 2);
}

TEST_F(Rooms, SenderSeesTransactionIdOthersDoNot)
{
    const std::string roomId = sharedRoom();
    const HttpResult sent = as(bob).put(roomPath(roomId, "/send/m.room.message/mytxn"), {{"body", "x"}});
    const std::string path = roomPath(roomId, "/event/" + enc(sent.json["event_id"]));
    EXPECT_EQ(as(bob).get(path).json["unsigned"]["transaction_id"], "mytxn");
    EXPECT_FALSE(as(alice).get(path).json["unsigned"].contains("transaction_id"));
}

TEST_F(Rooms, GetEventReturnsClientFormatAndUnknownIs404)
{
    const std::string roomId = sharedRoom();
    const HttpResult sent = as(alice).put(roomPath(roomId, "/send/m.room.message/1"), {{"body", "hello"}});
    HttpResult r = as(bob).get(roomPath(roomId, "/event/" + enc(sent.json["event_id"])));
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.json["sender"], alice.userId);
    EXPECT_EQ(r.json["room_id"], roomId);
    EXPECT_TRUE(r.json["origin_server_ts"].is_number_integer());
    EXPECT_TRUE(r.json["unsigned"]["age"].is_number_integer());
    EXPECT_EQ(r.json["unsigned"]["membership"], "join") << "MSC4115: the viewer's membership at the event";
    r = as(bob).get(roomPath(roomId, "/event/" + enc("$missing")));
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(r.errcode(), "M_NOT_FOUND");
}

TEST_F(Rooms, SendRejectsNonObjectBodies)
{
    const std::string roomId = sharedRoom();
    HttpResult r = as(alice).putRaw(roomPath(roomId, "/send/m.room.message/1"), "nope", "application/json");
    EXPECT_EQ(r.errcode(), "M_NOT_JSON");
    r = as(alice).putRaw(roomPath(roomId, "/send/m.room.message/2"), "\"text\"", "application/json");
    EXPECT_EQ(r.errcode(), "M_BAD_JSON");
}

TEST_F(Rooms, RedactionPrunesContentAndIsIdempotentPerTxn)
{
    const std::string roomId = sharedRoom();
    const HttpResult sent = as(bob).put(roomPath(roomId, "/send/m.room.message/1"), {{"body", "oops"}});
    const std::string target = sent.json["event_id"];
    const std::string path = roomPath(roomId, "/redact/" + enc(target) + "/r1");
    const HttpResult first = as(bob).put(path, {{"reason", "typo"}});
    const HttpResult again = as(bob).put(path, {{"reason", "typo"}});
    ASSERT_EQ(first.status, 200) << first.body;
    EXPECT_EQ(first.json["event_id"], again.json["event_id"]);
    EXPECT_EQ(server->countEvents(roomId, "m.room.redaction"), 1u);
    const HttpResult redacted = as(alice).get(roomPath(roomId, "/event/" + enc(target)));
    EXPECT_EQ(redacted.json["content"], json::object());
    EXPECT_EQ(redacted.json["unsigned"]["redacted_because"]["event_id"], first.json["event_id"]);
}

TEST_F(Rooms, RedactingOthersEventsNeedsRedactLevel)
{
    const std::string roomId = sharedRoom();
    const HttpResult sent = as(alice).put(roomPath(roomId, "/send/m.room.message/1"), {{"body", "mine"}});
    HttpResult r = as(bob).put(roomPath(roomId, "/redact/" + enc(sent.json["event_id"]) + "/r"), json::object());
    EXPECT_EQ(r.status, 403);
    EXPECT_EQ(r.error(), "You don't have permission to redact events");
    const HttpResult bobs = as(bob).put(roomPath(roomId, "/send/m.room.message/2"), {{"body", "his"}});
    r = as(alice).put(roomPath(roomId, "/redact/" + enc(bobs.json["event_id"]) + "/r"), json::object());
    EXPECT_EQ(r.status, 200) << "the creator has the redact level";
}

TEST_F(Rooms, SetStateThroughTheApiAppliesTheSameRules)
{
    const std::string roomId = sharedRoom();
    auto refused = server->setState(roomId, "bob", "m.widget", "w", {{"url", "x"}});
    ASSERT_FALSE(refused);
    ASSERT_TRUE(refused.error().matrixApiError);
    EXPECT_EQ(refused.error().matrixApiError->httpStatus, 403);
    EXPECT_TRUE(server->setState(roomId, "alice", "m.widget", "w", {{"url", "x"}}));
}

TEST_F(Rooms, SettingIdenticalStateTwiceStoresOneEvent)
{
    const std::string roomId = sharedRoom();
    const HttpResult a = as(alice).put(roomPath(roomId, "/state/m.widget/w"), {{"url", "https://same.test"}});
    const HttpResult b = as(alice).put(roomPath(roomId, "/state/m.widget/w"), {{"url", "https://same.test"}});
    EXPECT_EQ(a.json["event_id"], b.json["event_id"]);
    EXPECT_EQ(server->countEvents(roomId, "m.widget"), 1u);
}

} // namespace
} // namespace tessera::e2e::testing
