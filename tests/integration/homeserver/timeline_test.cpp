// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
// /messages pagination and /relations.

#include "matrixhttp.h"

namespace tessera::e2e::testing {
namespace {

using nlohmann::json;

class Timeline : public HomeserverTest {
protected:
    /** @brief A room with bob joined and `count` messages "0".."count-1" from alice. */
    std::string roomWithMessages(int count)
    {
        const std::string roomId = sharedRoom();
        for (int i = 0; i < count; ++i) {
            EXPECT_TRUE(server->sendEvent(roomId, "alice", "m.room.message", {{"body", std::to_string(i)}}));
        }
        return roomId;
    }

    static std::vector<std::string> bodies(const json &chunk)
    {
        std::vector<std::string> out;
        for (const json &e : chunk) {
            if (e["type"] == "m.room.message") {
                out.push_back(e["content"]["body"]);
            }
        }
        return out;
    }

    std::string messagesPath(const std::string &roomId, const std::string &query)
    {
        return roomPath(roomId, "/messages?" + query);
    }
};

TEST_F(Timeline, BackwardPaginationWalksTheWholeHistoryOnce)
{
    const std::string roomId = roomWithMessages(7);
    const std::string typesOnly = "&filter=" + enc(json{{"types", {"m.room.message"}}}.dump());
    std::vector<std::string> seen;
    std::string from;
    int pages = 0;
    while (pages < 10) {
        const HttpResult r = as(bob).get(
            messagesPath(roomId, "dir=b&limit=3" + typesOnly + (from.empty() ? "" : "&from=" + enc(from))));
        ASSERT_EQ(r.status, 200) << r.body;
        ++pages;
        EXPECT_TRUE(r.json["start"].is_string());
        for (const std::string &b : bodies(r.json["chunk"])) {
            seen.push_back(b);
        }
        if (!r.json.contains("end")) {
            EXPECT_TRUE(r.json["chunk"].empty()) << "end is omitted only when nothing more came back";
            break;
        }
        from = r.json["end"];
    }
    EXPECT_EQ(seen, (std::vector<std::string>{"6", "5", "4", "3", "2", "1", "0"}));
    EXPECT_EQ(pages, 4) << "three full pages, then an empty one without `end`";
}

TEST_F(Timeline, ForwardPaginationFromSyncPrevBatchAndToBound)
{
    const std::string roomId = roomWithMessages(3);
    const std::string since =
        as(bob).get("/_matrix/client/v3/sync").json["next_batch"].get<std::string>();
    ASSERT_TRUE(server->sendEvent(roomId, "alice", "m.room.message", {{"body", "later"}}));
    // Forward from the sync token gives only what came after it.
    HttpResult r = as(bob).get(messagesPath(roomId, "dir=f&from=" + enc(since)));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(bodies(r.json["chunk"]), std::vector<std::string>{"later"});
    // Backwards from the same token with `to` = its own end stops there.
    r = as(bob).get(messagesPath(roomId, "dir=b&limit=2&from=" + enc(since)));
    ASSERT_EQ(bodies(r.json["chunk"]), (std::vector<std::string>{"2", "1"}));
    const std::string end = r.json["end"];
    r = as(bob).get(messagesPath(roomId, "dir=f&from=" + enc(end) + "&to=" + enc(since)));
    EXPECT_EQ(bodies(r.json["chunk"]), (std::vector<std::string>{"1", "2"}));
}

TEST_F(Timeline, FilterNotTypesAndSendersApply)
{
    const std::string roomId = roomWithMessages(2);
    ASSERT_TRUE(server->sendEvent(roomId, "bob", "m.room.message", {{"body", "from bob"}}));
    HttpResult r = as(bob).get(
        messagesPath(roomId, "dir=b&filter=" + enc(json{{"senders", {bob.userId}}, {"not_types", {"m.room.member"}}}.dump())));
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(bodies(r.json["chunk"]), std::vector<std::string>{"from bob"});
    EXPECT_EQ(r.json["chunk"].size(), 1u);
    r = as(bob).get(messagesPath(
        roomId, "dir=b&limit=1&filter=" + enc(json{{"types", {"m.room.message"}}, {"lazy_load_members", true}}.dump())));
    ASSERT_EQ(r.json["state"].size(), 1u);
    EXPECT_EQ(r.json["state"][0]["state_key"], bob.userId);
}

TEST_F(Timeline, MessagesErrors)
{
    const std::string roomId = roomWithMessages(1);
    HttpResult r = as(bob).get(messagesPath(roomId, "dir=x"));
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.errcode(), "M_INVALID_PARAM");
    r = as(bob).get(messagesPath(roomId, "dir=b&from=nonsense"));
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.error(), "'from' parameter is invalid");
    r = as(bob).get(messagesPath(roomId, "dir=b&limit=-1"));
    EXPECT_EQ(r.status, 400);
    r = as(bob).get(messagesPath(roomId, "dir=b&filter=" + enc("[")));
    EXPECT_EQ(r.errcode(), "M_NOT_JSON");

    RoomSpec spec;
    spec.creator = "alice";
    const std::string privateRoom = *server->createRoom(spec);
    r = as(bob).get(messagesPath(privateRoom, "dir=b"));
    EXPECT_EQ(r.status, 403);
    EXPECT_EQ(r.errcode(), "M_FORBIDDEN");
}

TEST_F(Timeline, DepartedMemberSeesHistoryUpToTheirLeave)
{
    const std::string roomId = roomWithMessages(1);
    ASSERT_TRUE(server->leaveRoom("bob", roomId));
    ASSERT_TRUE(server->sendEvent(roomId, "alice", "m.room.message", {{"body", "after"}}));
    const HttpResult r = as(bob).get(messagesPath(roomId, "dir=b"));
    ASSERT_EQ(r.status, 200);
    const auto seen = bodies(r.json["chunk"]);
    EXPECT_EQ(seen, std::vector<std::string>{"0"});
}

class Relations : public Timeline {
protected:
    std::string relate(const std::string &roomId, const std::string &parent, const std::string &relType,
                       const std::string &type = "m.room.message")
    {
        auto id = server->sendEvent(roomId, "bob", type,
                                    {{"body", relType}, {"m.relates_to", {{"rel_type", relType}, {"event_id", parent}}}});
        EXPECT_TRUE(id);
        return id ? *id : std::string();
    }

    std::string relationsPath(const std::string &roomId, const std::string &rest)
    {
        return "/_matrix/client/v1/rooms/" + enc(roomId) + "/relations/" + rest;
    }
};

TEST_F(Relations, ListsChildrenNewestFirstAndFiltersByRelAndEventType)
{
    const std::string roomId = sharedRoom();
    const std::string parent = *server->sendEvent(roomId, "alice", "m.room.message", {{"body", "root"}});
    const std::string thread1 = relate(roomId, parent, "m.thread");
    const std::string reaction = relate(roomId, parent, "m.annotation", "m.reaction");
    const std::string thread2 = relate(roomId, parent, "m.thread");
    ASSERT_TRUE(server->sendEvent(roomId, "bob", "m.room.message", {{"body", "unrelated"}}));

    HttpResult r = as(alice).get(relationsPath(roomId, enc(parent)));
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_EQ(r.json["chunk"].size(), 3u);
    EXPECT_EQ(r.json["chunk"][0]["event_id"], thread2);
    EXPECT_FALSE(r.json.contains("next_batch"));

    r = as(alice).get(relationsPath(roomId, enc(parent) + "/m.thread"));
    ASSERT_EQ(r.json["chunk"].size(), 2u);
    EXPECT_EQ(r.json["chunk"][1]["event_id"], thread1);

    r = as(alice).get(relationsPath(roomId, enc(parent) + "/m.annotation/m.reaction"));
    ASSERT_EQ(r.json["chunk"].size(), 1u);
    EXPECT_EQ(r.json["chunk"][0]["event_id"], reaction);
}

TEST_F(Relations, PaginatesWithNextBatchAndEchoesPrevBatch)
{
    const std::string roomId = sharedRoom();
    const std::string parent = *server->sendEvent(roomId, "alice", "m.room.message", {{"body", "root"}});
    std::vector<std::string> children;
    for (int i = 0; i < 3; ++i) {
        children.push_back(relate(roomId, parent, "m.thread"));
    }
    HttpResult r = as(alice).get(relationsPath(roomId, enc(parent) + "?limit=2"));
    ASSERT_EQ(r.json["chunk"].size(), 2u);
    ASSERT_TRUE(r.json.contains("next_batch"));
    EXPECT_FALSE(r.json.contains("prev_batch"));
    const std::string next = r.json["next_batch"];
    r = as(alice).get(relationsPath(roomId, enc(parent) + "?limit=2&from=" + enc(next)));
    ASSERT_EQ(r.json["chunk"].size(), 1u);
    EXPECT_EQ(r.json["chunk"][0]["event_id"], children[0]);
    EXPECT_EQ(r.json["prev_batch"], next);
    EXPECT_FALSE(r.json.contains("next_batch"));

    r = as(alice).get(relationsPath(roomId, enc(parent) + "?dir=f&limit=2"));
    ASSERT_EQ(r.json["chunk"].size(), 2u);
    EXPECT_EQ(r.json["chunk"][0]["event_id"], children[0]);
}

TEST_F(Relations, UnknownParentIs404AndNonMemberIs403)
{
    const std::string roomId = sharedRoom();
    HttpResult r = as(alice).get(relationsPath(roomId, enc("$nothing")));
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(r.error(), "Unknown parent event.");
    RoomSpec spec;
    spec.creator = "alice";
    const std::string privateRoom = *server->createRoom(spec);
    const std::string parent = *server->sendEvent(privateRoom, "alice", "m.room.message", {{"body", "x"}});
    r = as(bob).get(relationsPath(privateRoom, enc(parent)));
    EXPECT_EQ(r.status, 403);
}

} // namespace
} // namespace tessera::e2e::testing
