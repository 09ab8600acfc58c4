// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
// /sync: initial and incremental, long-poll, filters, invites and leaves, to-device delivery.

#include <chrono>
#include <future>
#include <thread>

#include "matrixhttp.h"

namespace tessera::e2e::testing {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

class Sync : public HomeserverTest {
protected:
    HttpResult sync(const Session &who, const std::string &query = {})
    {
        return as(who).get("/_matrix/client/v3/sync" + (query.empty() ? std::string() : "?" + query));
    }

    static std::vector<std::string> timelineTypes(const HttpResult &r, const std::string &roomId)
    {
        std::vector<std::string> types;
        for (const json &e : r.json["rooms"]["join"][roomId]["timeline"]["events"]) {
            types.push_back(e["type"]);
        }
        return types;
    }

    /** @brief Waits (bounded) until the server has received `count` requests. */
    void waitForRequests(std::size_t count)
    {
        for (int i = 0; i < 5000 && server->requestCount() < count; ++i) {
            std::this_thread::sleep_for(milliseconds(1));
        }
        ASSERT_GE(server->requestCount(), count);
    }
};

TEST_F(Sync, InitialSyncHasJoinedRoomsWithStateTimelineAndNextBatch)
{
    const std::string roomId = sharedRoom();
    ASSERT_TRUE(server->sendEvent(roomId, "alice", "m.room.message", {{"body", "hello"}}));
    const HttpResult r = sync(bob);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_TRUE(r.json["next_batch"].is_string());
    const json room = r.json["rooms"]["join"][roomId];
    ASSERT_TRUE(room.is_object());
    const json timeline = room["timeline"];
    EXPECT_FALSE(timeline["events"].empty());
    EXPECT_EQ(timeline["events"].back()["content"]["body"], "hello");
    EXPECT_TRUE(timeline["prev_batch"].is_string());
    EXPECT_TRUE(timeline["limited"].is_boolean());
    EXPECT_FALSE(timeline["events"].back().contains("room_id")) << "sync events omit room_id";
    EXPECT_TRUE(room["state"]["events"].is_array());
}

TEST_F(Sync, LimitedTimelineMovesEarlierStateIntoState)
{
    const std::string roomId = sharedRoom();
    for (int i = 0; i < 5; ++i) {
        ASSERT_TRUE(server->sendEvent(roomId, "alice", "m.room.message", {{"body", std::to_string(i)}}));
    }
    const HttpResult r = sync(bob, "filter=" + enc(json{{"room", {{"timeline", {{"limit", 2}}}}}}.dump()));
    const json room = r.json["rooms"]["join"][roomId];
    ASSERT_EQ(room["timeline"]["events"].size(), 2u);
    EXPECT_TRUE(room["timeline"]["limited"].get<bool>());
    EXPECT_EQ(room["timeline"]["events"][1]["content"]["body"], "4");
    const json state = room["state"]["events"];
    EXPECT_TRUE(std::any_of(state.begin(), state.end(), [](const json &e) { return e["type"] == "m.room.create"; }));
}

TEST_F(Sync, IncrementalSyncReturnsOnlyNewEvents)
{
    const std::string roomId = sharedRoom();
    const std::string since = sync(bob).json["next_batch"];
    ASSERT_TRUE(server->sendEvent(roomId, "alice", "m.room.message", {{"body", "new"}}));
    const HttpResult r = sync(bob, "since=" + since);
    ASSERT_EQ(timelineTypes(r, roomId), std::vector<std::string>{"m.room.message"});
    EXPECT_FALSE(r.json["rooms"]["join"][roomId]["timeline"]["limited"].get<bool>());
    EXPECT_NE(r.json["next_batch"], since);
}

TEST_F(Sync, LongPollWakesWhenAnEventArrives)
{
    const std::string roomId = sharedRoom();
    const std::string since = sync(bob).json["next_batch"];
    const std::size_t received = server->requestCount();
    // The client gives up after 15 s; the server would hold the request for 60 s unless woken.
    auto pending = std::async(std::launch::async, [&] { return sync(bob, "timeout=60000&since=" + since); });
    waitForRequests(received + 1);
    ASSERT_TRUE(server->sendEvent(roomId, "alice", "m.room.message", {{"body", "wake up"}}));
    const HttpResult r = pending.get();
    ASSERT_TRUE(r.connected) << "the long-poll was not woken by the new event";
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.json["rooms"]["join"][roomId]["timeline"]["events"][0]["content"]["body"], "wake up");
}

TEST_F(Sync, LongPollTimesOutWithAnEmptyAnswer)
{
    sharedRoom();
    const std::string since = sync(bob).json["next_batch"];
    const auto start = std::chrono::steady_clock::now();
    const HttpResult r = sync(bob, "timeout=150&since=" + since);
    const auto held = std::chrono::steady_clock::now() - start;
    ASSERT_EQ(r.status, 200);
    EXPECT_FALSE(r.json.contains("rooms"));
    EXPECT_EQ(r.json["next_batch"], since);
    EXPECT_GE(held, milliseconds(150)) << "the request was answered before its timeout";
}

TEST_F(Sync, EventsInOtherRoomsDoNotEndTheLongPoll)
{
    const std::string shared = sharedRoom();
    RoomSpec aliceOnly;
    aliceOnly.creator = "alice";
    const std::string privateRoom = *server->createRoom(aliceOnly);
    const std::string since = sync(bob).json["next_batch"];
    const std::size_t received = server->requestCount();
    auto pending = std::async(std::launch::async, [&] { return sync(bob, "timeout=60000&since=" + since); });
    waitForRequests(received + 1);
    ASSERT_TRUE(server->sendEvent(privateRoom, "alice", "m.room.message", {{"body", "not for bob"}}));
    ASSERT_TRUE(server->sendEvent(shared, "alice", "m.room.message", {{"body", "for bob"}}));
    const HttpResult r = pending.get();
    ASSERT_EQ(r.status, 200);
    EXPECT_FALSE(r.json["rooms"]["join"].contains(privateRoom));
    const json events = r.json["rooms"]["join"][shared]["timeline"]["events"];
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0]["content"]["body"], "for bob");
}

TEST_F(Sync, TimelineFilterByTypeAndStoredFilterId)
{
    const std::string roomId = sharedRoom();
    const std::string since = sync(bob).json["next_batch"];
    ASSERT_TRUE(server->sendEvent(roomId, "alice", "m.room.message", {{"body", "m"}}));
    ASSERT_TRUE(server->sendEvent(roomId, "alice", "org.example.ping", json::object()));
    const HttpResult created = as(bob).post("/_matrix/client/v3/user/" + enc(bob.userId) + "/filter",
                                            {{"room", {{"timeline", {{"types", {"org.example.*"}}}}}}});
    ASSERT_EQ(created.status, 200) << created.body;
    const std::string filterId = created.json["filter_id"];
    const HttpResult r = sync(bob, "since=" + since + "&filter=" + filterId);
    EXPECT_EQ(timelineTypes(r, roomId), std::vector<std::string>{"org.example.ping"});
    const HttpResult stored = as(bob).get("/_matrix/client/v3/user/" + enc(bob.userId) + "/filter/" + filterId);
    EXPECT_EQ(stored.json["room"]["timeline"]["types"][0], "org.example.*");
}

TEST_F(Sync, FilterErrors)
{
    HttpResult r = sync(bob, "filter=" + enc("{broken"));
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.errcode(), "M_NOT_JSON");
    r = sync(bob, "filter=42");
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.error(), "No such filter");
    r = as(bob).post("/_matrix/client/v3/user/" + enc(alice.userId) + "/filter", json::object());
    EXPECT_EQ(r.status, 403);
    r = as(bob).post("/_matrix/client/v3/user/" + enc(bob.userId) + "/filter",
                     {{"room", {{"timeline", {{"types", "m.room.message"}}}}}});
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.errcode(), "M_BAD_JSON");
    r = sync(bob, "since=garbage");
    EXPECT_EQ(r.status, 400);
}

TEST_F(Sync, InviteAppearsWithStrippedStateThenJoinMovesTheRoom)
{
    RoomSpec spec;
    spec.creator = "alice";
    spec.name = "Secret";
    const std::string roomId = *server->createRoom(spec);
    const std::string since = sync(bob).json["next_batch"];
    ASSERT_TRUE(server->invite(roomId, "alice", "bob"));
    HttpResult r = sync(bob, "since=" + since);
    const json inviteState = r.json["rooms"]["invite"][roomId]["invite_state"]["events"];
    ASSERT_TRUE(inviteState.is_array());
    EXPECT_TRUE(std::any_of(inviteState.begin(), inviteState.end(), [](const json &e) {
        return e["type"] == "m.room.name" && e["content"]["name"] == "Secret";
    }));
    const std::string afterInvite = r.json["next_batch"];
    ASSERT_EQ(as(bob).post(roomPath(roomId, "/join")).status, 200);
    r = sync(bob, "since=" + afterInvite);
    const json joined = r.json["rooms"]["join"][roomId];
    ASSERT_TRUE(joined.is_object());
    const json state = joined["state"]["events"];
    EXPECT_TRUE(std::any_of(state.begin(), state.end(), [](const json &e) { return e["type"] == "m.room.create"; }))
        << "a newly joined room comes with its full state";
}

TEST_F(Sync, LeavingShowsTheRoomUnderLeave)
{
    const std::string roomId = sharedRoom();
    const std::string since = sync(bob).json["next_batch"];
    ASSERT_TRUE(server->leaveRoom("bob", roomId));
    const HttpResult r = sync(bob, "since=" + since);
    const json left = r.json["rooms"]["leave"][roomId];
    ASSERT_TRUE(left.is_object()) << r.body;
    EXPECT_EQ(left["timeline"]["events"].back()["content"]["membership"], "leave");
    EXPECT_FALSE(r.json["rooms"].contains("join"));
}

TEST_F(Sync, FullStateReturnsStateOfQuietRoomsAtOnce)
{
    const std::string roomId = sharedRoom();
    const std::string since = sync(bob).json["next_batch"];
    const HttpResult r = sync(bob, "timeout=60000&full_state=true&since=" + since);
    ASSERT_EQ(r.status, 200);
    EXPECT_FALSE(r.json["rooms"]["join"][roomId]["state"]["events"].empty());
}

TEST_F(Sync, OwnEventsCarryTransactionIdInSync)
{
    const std::string roomId = sharedRoom();
    const std::string since = sync(bob).json["next_batch"];
    ASSERT_EQ(as(bob).put(roomPath(roomId, "/send/m.room.message/abc"), {{"body", "x"}}).status, 200);
    const HttpResult r = sync(bob, "since=" + since);
    EXPECT_EQ(r.json["rooms"]["join"][roomId]["timeline"]["events"][0]["unsigned"]["transaction_id"], "abc");
}

TEST_F(Sync, ToDeviceIsDeliveredAndRemovedOnceAcknowledged)
{
    const std::string since = sync(bob).json["next_batch"];
    const HttpResult sent = as(alice).put(
        "/_matrix/client/v3/sendToDevice/org.example.hello/t1",
        {{"messages", {{bob.userId, {{bob.deviceId, {{"greeting", "hi"}}}}}}}});
    ASSERT_EQ(sent.status, 200) << sent.body;
    EXPECT_EQ(server->pendingToDeviceCount("bob", bob.deviceId), 1u);

    const HttpResult first = sync(bob, "since=" + since);
    ASSERT_EQ(first.json["to_device"]["events"].size(), 1u);
    const json message = first.json["to_device"]["events"][0];
    EXPECT_EQ(message["sender"], alice.userId);
    EXPECT_EQ(message["type"], "org.example.hello");
    EXPECT_EQ(message["content"]["greeting"], "hi");

    // Repeating the same `since` (a lost response) delivers it again; the next token removes it.
    EXPECT_EQ(sync(bob, "since=" + since).json["to_device"]["events"].size(), 1u);
    EXPECT_EQ(server->pendingToDeviceCount("bob", bob.deviceId), 1u);
    const HttpResult second = sync(bob, "since=" + first.json["next_batch"].get<std::string>());
    EXPECT_FALSE(second.json.contains("to_device"));
    EXPECT_EQ(server->pendingToDeviceCount("bob", bob.deviceId), 0u);
}

TEST_F(Sync, ToDeviceWildcardReachesEveryDeviceAndTxnIsIdempotent)
{
    auto tablet = server->login("bob", "TABLET");
    ASSERT_TRUE(tablet);
    const json body{{"messages", {{bob.userId, {{"*", {{"n", 1}}}}}}}};
    ASSERT_EQ(as(alice).put("/_matrix/client/v3/sendToDevice/org.example.n/same", body).status, 200);
    ASSERT_EQ(as(alice).put("/_matrix/client/v3/sendToDevice/org.example.n/same", body).status, 200);
    EXPECT_EQ(server->pendingToDeviceCount("bob", bob.deviceId), 1u);
    EXPECT_EQ(server->pendingToDeviceCount("bob", "TABLET"), 1u);
    EXPECT_EQ(sync(*tablet).json["to_device"]["events"].size(), 1u);
}

TEST_F(Sync, ToDeviceLongPollWakes)
{
    const std::string since = sync(bob).json["next_batch"];
    const std::size_t received = server->requestCount();
    auto pending = std::async(std::launch::async, [&] { return sync(bob, "timeout=60000&since=" + since); });
    waitForRequests(received + 1);
    ASSERT_EQ(as(alice)
                  .put("/_matrix/client/v3/sendToDevice/org.example.x/t",
                       {{"messages", {{bob.userId, {{bob.deviceId, json::object()}}}}}})
                  .status,
              200);
    const HttpResult r = pending.get();
    ASSERT_TRUE(r.connected);
    EXPECT_EQ(r.json["to_device"]["events"].size(), 1u);
}

TEST_F(Sync, SendToDeviceNeedsMessages)
{
    const HttpResult r = as(alice).put("/_matrix/client/v3/sendToDevice/t/1", json::object());
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.errcode(), "M_MISSING_PARAM");
}

} // namespace
} // namespace tessera::e2e::testing
