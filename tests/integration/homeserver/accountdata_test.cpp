// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
// Account data: PUT/GET of global and room account data, who may touch it, body checks, and its
// delivery by /sync (initial, incremental, long-poll, filters).

#include <chrono>
#include <future>
#include <thread>

#include "matrixhttp.h"

namespace tessera::e2e::testing {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

class AccountData : public HomeserverTest {
protected:
    static std::string globalPath(const Session &owner, const std::string &type)
    {
        return "/_matrix/client/v3/user/" + enc(owner.userId) + "/account_data/" + enc(type);
    }
    static std::string roomPath(const Session &owner, const std::string &roomId, const std::string &type)
    {
        return "/_matrix/client/v3/user/" + enc(owner.userId) + "/rooms/" + enc(roomId) + "/account_data/" +
               enc(type);
    }

    HttpResult sync(const Session &who, const std::string &query = {})
    {
        return as(who).get("/_matrix/client/v3/sync" + (query.empty() ? std::string() : "?" + query));
    }

    /** @brief type -> content of an `account_data` section ({events: [...]}); empty when absent. */
    static std::map<std::string, json> byType(const json &section)
    {
        std::map<std::string, json> out;
        if (section.is_object() && section.contains("events")) {
            for (const json &e : section["events"]) {
                out[e["type"].get<std::string>()] = e["content"];
            }
        }
        return out;
    }
};

TEST_F(AccountData, RoomAccountDataIsStoredReadBackAndReplaced)
{
    const std::string roomId = sharedRoom();
    MatrixHttp a = as(alice);
    HttpResult r = a.put(roomPath(alice, roomId, "org.example.layout"), {{"columns", 3}});
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json, json::object());
    r = a.get(roomPath(alice, roomId, "org.example.layout"));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json, (json{{"columns", 3}})) << "GET answers the content alone";

    ASSERT_EQ(a.put(roomPath(alice, roomId, "org.example.layout"), {{"rows", 2}}).status, 200);
    EXPECT_EQ(a.get(roomPath(alice, roomId, "org.example.layout")).json, (json{{"rows", 2}})) << "a PUT replaces";
    // the r0 prefix is an alias
    EXPECT_EQ(a.get("/_matrix/client/r0/user/" + enc(alice.userId) + "/rooms/" + enc(roomId) +
                    "/account_data/org.example.layout")
                  .json,
              (json{{"rows", 2}}));
}

TEST_F(AccountData, GlobalAccountDataIsStoredAndReadBack)
{
    MatrixHttp a = as(alice);
    ASSERT_EQ(a.put(globalPath(alice, "org.example.settings"), {{"theme", "dark"}}).status, 200);
    const HttpResult r = a.get(globalPath(alice, "org.example.settings"));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json, (json{{"theme", "dark"}}));
}

TEST_F(AccountData, AnotherUsersAccountDataIsForbidden)
{
    const std::string roomId = sharedRoom();
    ASSERT_EQ(as(alice).put(roomPath(alice, roomId, "org.example.x"), {{"a", 1}}).status, 200);
    ASSERT_EQ(as(alice).put(globalPath(alice, "org.example.x"), {{"a", 1}}).status, 200);
    MatrixHttp b = as(bob);
    for (const std::string &path : {roomPath(alice, roomId, "org.example.x"), globalPath(alice, "org.example.x")}) {
        HttpResult r = b.put(path, {{"a", 2}});
        EXPECT_EQ(r.status, 403) << path;
        EXPECT_EQ(r.errcode(), "M_FORBIDDEN");
        EXPECT_EQ(r.error(), "Cannot add account data for other users.");
        r = b.get(path);
        EXPECT_EQ(r.status, 403) << path;
        EXPECT_EQ(r.errcode(), "M_FORBIDDEN");
        EXPECT_EQ(r.error(), "Cannot get account data for other users.");
    }
    EXPECT_EQ(as(alice).get(roomPath(alice, roomId, "org.example.x")).json, (json{{"a", 1}})) << "unchanged";
    EXPECT_EQ(anonymous().get(globalPath(alice, "org.example.x")).errcode(), "M_MISSING_TOKEN");
}

TEST_F(AccountData, TheBodyMustBeAJsonObject)
{
    const std::string roomId = sharedRoom();
    MatrixHttp a = as(alice);
    for (const std::string &path : {roomPath(alice, roomId, "org.example.x"), globalPath(alice, "org.example.x")}) {
        HttpResult r = a.putRaw(path, "{not json", "application/json");
        EXPECT_EQ(r.status, 400) << path;
        EXPECT_EQ(r.errcode(), "M_NOT_JSON");
        r = a.putRaw(path, "", "application/json");
        EXPECT_EQ(r.errcode(), "M_NOT_JSON") << "an empty body is not JSON";
        r = a.putRaw(path, "[1, 2]", "application/json");
        EXPECT_EQ(r.status, 400);
        EXPECT_EQ(r.errcode(), "M_BAD_JSON");
        r = a.putRaw(path, "\"text\"", "application/json");
        EXPECT_EQ(r.errcode(), "M_BAD_JSON");
        EXPECT_EQ(a.get(path).status, 404) << "nothing was stored";
    }
}

TEST_F(AccountData, AbsentAccountDataIsNotFound)
{
    const std::string roomId = sharedRoom();
    const std::string otherRoom = sharedRoom();
    MatrixHttp a = as(alice);
    HttpResult r = a.get(roomPath(alice, roomId, "org.example.none"));
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(r.errcode(), "M_NOT_FOUND");
    EXPECT_EQ(r.error(), "Room account data not found");
    r = a.get(globalPath(alice, "org.example.none"));
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(r.errcode(), "M_NOT_FOUND");
    EXPECT_EQ(r.error(), "Account data not found");

    // room account data belongs to its room, global account data is separate, and each user has their own
    ASSERT_EQ(a.put(roomPath(alice, roomId, "org.example.x"), {{"a", 1}}).status, 200);
    EXPECT_EQ(a.get(roomPath(alice, otherRoom, "org.example.x")).status, 404);
    EXPECT_EQ(a.get(globalPath(alice, "org.example.x")).status, 404);
    EXPECT_EQ(as(bob).get(roomPath(bob, roomId, "org.example.x")).status, 404);
}

TEST_F(AccountData, InvalidRoomIdsAndReservedTypesAreRefused)
{
    MatrixHttp a = as(alice);
    HttpResult r = a.put(roomPath(alice, "#alias:tessera.test", "org.example.x"), {{"a", 1}});
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.errcode(), "M_INVALID_PARAM");
    EXPECT_EQ(r.error(), "#alias:tessera.test is not a valid room ID");
    EXPECT_EQ(a.get(roomPath(alice, "!nodomain", "org.example.x")).errcode(), "M_INVALID_PARAM");

    const std::string roomId = sharedRoom();
    for (const std::string &path : {roomPath(alice, roomId, "m.fully_read"), globalPath(alice, "m.fully_read"),
                                    roomPath(alice, roomId, "m.push_rules"), globalPath(alice, "m.push_rules")}) {
        r = a.put(path, {{"event_id", "$x"}});
        EXPECT_EQ(r.status, 405) << path;
        EXPECT_EQ(r.errcode(), "M_BAD_JSON") << path;
    }
    r = a.get(roomPath(alice, roomId, "m.push_rules"));
    EXPECT_EQ(r.status, 200) << "room push rules are not supported: an empty object";
    EXPECT_EQ(r.json, json::object());
}

TEST_F(AccountData, RoomsTheUserIsNotInAreAcceptedButNotSynced)
{
    // As Synapse: room account data is keyed by a valid room id, membership is not checked.
    RoomSpec spec;
    spec.creator = "alice";
    spec.preset = "public_chat";
    const std::string roomId = *server->createRoom(spec);
    MatrixHttp b = as(bob);
    ASSERT_EQ(b.put(roomPath(bob, roomId, "org.example.x"), {{"early", true}}).status, 200);
    ASSERT_EQ(b.put(roomPath(bob, "!unknown:elsewhere.test", "org.example.x"), {{"a", 1}}).status, 200);
    EXPECT_EQ(b.get(roomPath(bob, "!unknown:elsewhere.test", "org.example.x")).json, (json{{"a", 1}}));

    const HttpResult first = sync(bob);
    ASSERT_EQ(first.status, 200);
    EXPECT_FALSE(first.json.contains("rooms")) << first.body;
    // joining later brings the room whole, with its account data
    ASSERT_TRUE(server->joinRoom("bob", roomId));
    const HttpResult joined = sync(bob, "since=" + first.json["next_batch"].get<std::string>());
    EXPECT_EQ(byType(joined.json["rooms"]["join"][roomId]["account_data"]),
              (std::map<std::string, json>{{"org.example.x", {{"early", true}}}}));
}

TEST_F(AccountData, InitialSyncCarriesAllCurrentAccountData)
{
    const std::string roomId = sharedRoom();
    const std::string quiet = sharedRoom();
    MatrixHttp a = as(alice);
    ASSERT_EQ(a.put(roomPath(alice, roomId, "org.example.one"), {{"n", 1}}).status, 200);
    ASSERT_EQ(a.put(roomPath(alice, roomId, "org.example.two"), {{"n", 2}}).status, 200);
    ASSERT_EQ(a.put(globalPath(alice, "org.example.global"), {{"g", true}}).status, 200);

    const HttpResult r = sync(alice);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(byType(r.json["rooms"]["join"][roomId]["account_data"]),
              (std::map<std::string, json>{{"org.example.one", {{"n", 1}}}, {"org.example.two", {{"n", 2}}}}));
    EXPECT_TRUE(byType(r.json["rooms"]["join"][quiet]["account_data"]).empty());
    EXPECT_TRUE(r.json["rooms"]["join"][quiet]["account_data"]["events"].is_array()) << "always present, as Synapse";
    EXPECT_EQ(byType(r.json["account_data"]), (std::map<std::string, json>{{"org.example.global", {{"g", true}}}}));
    for (const json &e : r.json["rooms"]["join"][roomId]["account_data"]["events"]) {
        EXPECT_EQ(e.size(), 2u) << "only type and content: " << e.dump();
    }

    // account data is private to its user
    const HttpResult other = sync(bob);
    EXPECT_TRUE(byType(other.json["rooms"]["join"][roomId]["account_data"]).empty());
    EXPECT_FALSE(other.json.contains("account_data"));
}

TEST_F(AccountData, IncrementalSyncCarriesOnlyWhatChanged)
{
    const std::string roomId = sharedRoom();
    MatrixHttp a = as(alice);
    ASSERT_EQ(a.put(roomPath(alice, roomId, "org.example.old"), {{"n", 0}}).status, 200);
    const std::string since = sync(alice).json["next_batch"];

    ASSERT_EQ(a.put(roomPath(alice, roomId, "org.example.new"), {{"n", 1}}).status, 200);
    ASSERT_EQ(a.put(globalPath(alice, "org.example.global"), {{"g", 1}}).status, 200);
    const HttpResult r = sync(alice, "since=" + since);
    ASSERT_EQ(r.status, 200) << r.body;
    const json room = r.json["rooms"]["join"][roomId];
    ASSERT_TRUE(room.is_object()) << "a room whose only change is account data is in the answer: " << r.body;
    EXPECT_EQ(byType(room["account_data"]), (std::map<std::string, json>{{"org.example.new", {{"n", 1}}}}));
    EXPECT_TRUE(room["timeline"]["events"].empty());
    EXPECT_EQ(byType(r.json["account_data"]), (std::map<std::string, json>{{"org.example.global", {{"g", 1}}}}));

    const std::string next = r.json["next_batch"];
    EXPECT_NE(next, since);
    const HttpResult quiet = sync(alice, "since=" + next);
    EXPECT_FALSE(quiet.json.contains("rooms")) << quiet.body;
    EXPECT_FALSE(quiet.json.contains("account_data")) << quiet.body;

    // full_state brings everything again, as Synapse
    const HttpResult full = sync(alice, "full_state=true&since=" + next);
    EXPECT_EQ(byType(full.json["rooms"]["join"][roomId]["account_data"]),
              (std::map<std::string, json>{{"org.example.new", {{"n", 1}}}, {"org.example.old", {{"n", 0}}}}));
    EXPECT_EQ(byType(full.json["account_data"]), (std::map<std::string, json>{{"org.example.global", {{"g", 1}}}}));

    // a rewrite of the same content is a change too
    ASSERT_EQ(a.put(roomPath(alice, roomId, "org.example.old"), {{"n", 0}}).status, 200);
    const HttpResult again = sync(alice, "since=" + next);
    EXPECT_EQ(byType(again.json["rooms"]["join"][roomId]["account_data"]),
              (std::map<std::string, json>{{"org.example.old", {{"n", 0}}}}));
}

TEST_F(AccountData, LongPollWakesOnAccountDataOfItsUserOnly)
{
    const std::string roomId = sharedRoom();
    const std::string since = sync(alice).json["next_batch"];
    const std::size_t received = server->requestCount();
    auto pending = std::async(std::launch::async, [&] { return sync(alice, "timeout=60000&since=" + since); });
    for (int i = 0; i < 5000 && server->requestCount() < received + 1; ++i) {
        std::this_thread::sleep_for(milliseconds(1));
    }
    // bob's account data does not end alice's long-poll ...
    ASSERT_EQ(as(bob).put(roomPath(bob, roomId, "org.example.bob"), {{"b", 1}}).status, 200);
    EXPECT_EQ(pending.wait_for(milliseconds(200)), std::future_status::timeout);
    // ... hers does
    ASSERT_EQ(as(alice).put(roomPath(alice, roomId, "org.example.alice"), {{"a", 1}}).status, 200);
    const HttpResult r = pending.get();
    ASSERT_TRUE(r.connected) << "the long-poll was not woken by the account data";
    EXPECT_EQ(byType(r.json["rooms"]["join"][roomId]["account_data"]),
              (std::map<std::string, json>{{"org.example.alice", {{"a", 1}}}}));
}

TEST_F(AccountData, SyncFiltersApplyToAccountData)
{
    const std::string roomId = sharedRoom();
    MatrixHttp a = as(alice);
    ASSERT_EQ(a.put(roomPath(alice, roomId, "org.example.keep"), {{"k", 1}}).status, 200);
    ASSERT_EQ(a.put(roomPath(alice, roomId, "org.example.drop"), {{"d", 1}}).status, 200);
    ASSERT_EQ(a.put(globalPath(alice, "org.example.global"), {{"g", 1}}).status, 200);
    const json filter{{"account_data", {{"types", json::array()}}},
                      {"room", {{"account_data", {{"not_types", {"org.example.drop"}}}}}}};
    const HttpResult r = sync(alice, "filter=" + enc(filter.dump()));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_FALSE(r.json.contains("account_data"));
    EXPECT_EQ(byType(r.json["rooms"]["join"][roomId]["account_data"]),
              (std::map<std::string, json>{{"org.example.keep", {{"k", 1}}}}));

    const HttpResult bad = sync(alice, "filter=" + enc(json{{"account_data", {{"types", "x"}}}}.dump()));
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(bad.errcode(), "M_BAD_JSON");
}

TEST_F(AccountData, LeavingReportsTheRoomWithItsAccountData)
{
    const std::string roomId = sharedRoom();
    const std::string since = sync(bob).json["next_batch"];
    ASSERT_EQ(as(bob).put(roomPath(bob, roomId, "org.example.x"), {{"x", 1}}).status, 200);
    ASSERT_TRUE(server->leaveRoom("bob", roomId));
    const HttpResult r = sync(bob, "since=" + since);
    EXPECT_EQ(byType(r.json["rooms"]["leave"][roomId]["account_data"]),
              (std::map<std::string, json>{{"org.example.x", {{"x", 1}}}}));
    // still readable after leaving
    EXPECT_EQ(as(bob).get(roomPath(bob, roomId, "org.example.x")).json, (json{{"x", 1}}));
}

TEST_F(AccountData, OversizedContentIsRefused)
{
    const std::string roomId = sharedRoom();
    const std::string big(HomeserverOptions().maxJsonBodyBytes + 1, 'x');
    const HttpResult r = as(alice).put(roomPath(alice, roomId, "org.example.big"), {{"big", big}});
    EXPECT_EQ(r.status, 413);
    EXPECT_EQ(r.errcode(), "M_TOO_LARGE");
    EXPECT_EQ(as(alice).get(roomPath(alice, roomId, "org.example.big")).status, 404);
}

} // namespace
} // namespace tessera::e2e::testing
