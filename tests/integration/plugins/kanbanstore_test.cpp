// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The kanban's database (plugins/kanban/boardstore.cpp): the built plugin, loaded by the real
// plugin manager, answering its io.tessera.kanban.store actions from a real SQLite file in its
// data directory (a temporary directory here).
#include <gtest/gtest.h>

#include <sqlite3.h>

#include <fstream>
#include <sstream>

#include "pluginharness.h"

using nlohmann::json;
using tessera::test::PluginHarness;
using tessera::test::widgetContext;

namespace {

// The limits of plugins/kanban/boardstore.h, as the page is told them and as they are enforced.
constexpr std::size_t kMaxCardRows = 10000;
constexpr std::size_t kMaxQueuedEdits = 500;
constexpr std::size_t kMaxBoards = 256;
constexpr std::size_t kMaxCardsPerCall = 1000;

std::string store(const std::string &action)
{
    return "io.tessera.kanban.store." + action;
}

json card(const std::string &id, const std::string &column = "todo", const std::string &position = "V")
{
    return {{"id", id},
            {"content", {{"version", 2}, {"board", "board-1"}, {"title", "Card " + id}, {"column", column}, {"position", position}}},
            {"event_id", "$" + id},
            {"sender", "@ana:example.org"}};
}

struct Kanban {
    PluginHarness h;
    tessera::bridge::WidgetContext widget = widgetContext("board-1", "!team:example.org");

    Kanban() { start(); }

    void start()
    {
        h.load({std::filesystem::path(TESSERA_BUILT_PLUGIN_DIR) / "kanban"});
        EXPECT_EQ(h.record("io.tessera.kanban").state, tessera::plugins::PluginState::Running)
            << h.record("io.tessera.kanban").error;
    }
    /** Tessera quits and starts again on the same data directory. */
    void restart()
    {
        h.manager.reset();
        start();
    }
    [[nodiscard]] std::filesystem::path file() const { return h.options.dataDir / "io.tessera.kanban" / "boards.sqlite3"; }

    tessera::Result<json> call(const std::string &action, json data = json::object())
    {
        return h.answer(store(action), std::move(data), widget);
    }
    json ok(const std::string &action, json data = json::object())
    {
        auto r = call(action, std::move(data));
        EXPECT_TRUE(r) << action << ": " << r.error().message;
        return r ? *r : json();
    }
};

std::vector<std::string> ids(const json &cards)
{
    std::vector<std::string> out;
    for (const auto &c : cards)
        out.push_back(c.value("id", c.value("card", std::string())));
    return out;
}

} // namespace

TEST(KanbanStore, AFirstOpenIsEmptyAndSaysTheLimits)
{
    Kanban k;
    const json first = k.ok("load");
    EXPECT_TRUE(first["columns"].is_null());
    EXPECT_TRUE(first["cards"].empty());
    EXPECT_TRUE(first["queue"].empty());
    EXPECT_TRUE(first["next"].is_null());
    EXPECT_EQ(first["limits"]["cards"], kMaxCardRows);
    EXPECT_EQ(first["limits"]["queue"], kMaxQueuedEdits);
}

TEST(KanbanStore, TheMirrorSurvivesARestartInItsOwnSqliteFile)
{
    Kanban k;
    const json columns = json::array({{{"id", "todo"}}, {{"id", "doing"}}, {{"id", "done"}}});
    EXPECT_EQ(k.ok("mirror", {{"columns", columns}, {"cards", {card("c2"), card("c1", "doing")}}})["stored"], 2);
    // A newer event of a card replaces its row.
    k.ok("mirror", {{"cards", {card("c1", "done", "k")}}});
    k.restart();
    ASSERT_TRUE(std::filesystem::exists(k.file()));
    const json board = k.ok("load");
    EXPECT_EQ(board["columns"], columns);
    ASSERT_EQ(ids(board["cards"]), (std::vector<std::string>{"c1", "c2"}));
    EXPECT_EQ(board["cards"][0]["content"]["column"], "done");
    EXPECT_EQ(board["cards"][0]["content"]["position"], "k");
    EXPECT_EQ(board["cards"][0]["event_id"], "$c1");
    EXPECT_EQ(board["cards"][0]["sender"], "@ana:example.org");
}

TEST(KanbanStore, APageReachesOnlyTheBoardOfItsOwnWidgetAndRoom)
{
    Kanban k;
    k.ok("mirror", {{"cards", {card("c1")}}});
    k.ok("enqueue", {{"card", "c1"}, {"content", card("c1")["content"]}, {"base", "$c1"}});
    k.widget = widgetContext("board-2", "!team:example.org");
    EXPECT_TRUE(k.ok("load")["cards"].empty()) << "another widget in the same room";
    k.widget = widgetContext("board-1", "!other:example.org");
    const json other = k.ok("load");
    EXPECT_TRUE(other["cards"].empty()) << "the same widget id in another room";
    EXPECT_TRUE(other["queue"].empty());
    // Whatever the page puts in its data, the board is the one of the calling widget.
    k.widget = widgetContext("board-1", "!team:example.org");
    EXPECT_EQ(k.ok("load", {{"room", "!other:example.org"}, {"board", "board-2"}})["cards"].size(), 1u);
}

TEST(KanbanStore, EditsMadeOfflineWaitInOrderAcrossARestartUntilSettled)
{
    Kanban k;
    std::vector<std::int64_t> seqs;
    for (const char *id : {"c1", "c2", "c1"})
        seqs.push_back(k.ok("enqueue", {{"card", id}, {"content", card(id, "doing")["content"]}, {"base", "$old"}})["seq"]);
    EXPECT_LT(seqs[0], seqs[1]);
    EXPECT_LT(seqs[1], seqs[2]);
    k.restart();
    json queue = k.ok("load")["queue"];
    ASSERT_EQ(ids(queue), (std::vector<std::string>{"c1", "c2", "c1"}));
    EXPECT_EQ(queue[0]["base"], "$old");
    EXPECT_EQ(queue[0]["content"]["column"], "doing");
    EXPECT_GT(queue[0]["made_at"].get<std::int64_t>(), 0);
    EXPECT_EQ(k.ok("settle", {{"seq", seqs[0]}})["settled"], true);
    EXPECT_EQ(k.ok("settle", {{"seq", seqs[0]}})["settled"], false) << "settled once";
    queue = k.ok("load")["queue"];
    ASSERT_EQ(queue.size(), 2u);
    EXPECT_EQ(queue[0]["seq"], seqs[1]);
    EXPECT_EQ(queue[1]["seq"], seqs[2]);
}

TEST(KanbanStore, TheQueueIsBoundedAndAFullQueueRefusesTheEditItDoesNotKeep)
{
    Kanban k;
    const json content = card("c1")["content"];
    for (std::size_t i = 0; i < kMaxQueuedEdits; ++i)
        ASSERT_TRUE(k.call("enqueue", {{"card", "c1"}, {"content", content}, {"base", ""}}));
    auto full = k.call("enqueue", {{"card", "c1"}, {"content", content}, {"base", ""}});
    ASSERT_FALSE(full);
    EXPECT_EQ(full.error().message, "queue-full: 500 changes are already waiting to be sent; this one was not made");
    EXPECT_EQ(k.ok("load")["queue"].size(), kMaxQueuedEdits);
}

TEST(KanbanStore, ABoardKeepsAtMostTheNamedNumberOfCardsAndARefusedBatchStoresNothing)
{
    Kanban k;
    for (std::size_t batch = 0; batch < kMaxCardRows / kMaxCardsPerCall; ++batch) {
        json cards = json::array();
        for (std::size_t i = 0; i < kMaxCardsPerCall; ++i)
            cards.push_back(card("c" + std::to_string(batch * kMaxCardsPerCall + i)));
        ASSERT_TRUE(k.call("mirror", {{"cards", cards}}));
    }
    // A known card may still change; a new one is refused, with the batch it came in.
    EXPECT_TRUE(k.call("mirror", {{"cards", {card("c0", "done")}}}));
    auto full = k.call("mirror", {{"cards", {card("c1", "done"), card("new")}}});
    ASSERT_FALSE(full);
    EXPECT_EQ(full.error().message,
              "board-full: the local copy keeps at most 10000 cards per board (deleted ones included); nothing of this batch "
              "was stored");
    json cards = json::array();
    for (std::size_t i = 0; i <= kMaxCardsPerCall; ++i)
        cards.push_back(card("x" + std::to_string(i)));
    auto tooMany = k.call("mirror", {{"cards", cards}});
    ASSERT_FALSE(tooMany);
    EXPECT_EQ(tooMany.error().message, "bad-request: at most 1000 cards per call");

    // Every row comes back, in pages the host's reply limit allows, and the refused batch left c1 as it was.
    std::size_t seen = 0;
    json offset = 0;
    int pages = 0;
    while (!offset.is_null()) {
        const json page = k.ok("load", {{"offset", offset}});
        for (const auto &c : page["cards"]) {
            if (c["id"] == "c1") {
                EXPECT_EQ(c["content"]["column"], "todo");
            }
            if (c["id"] == "c0") {
                EXPECT_EQ(c["content"]["column"], "done");
            }
        }
        seen += page["cards"].size();
        EXPECT_LE(page.dump().size(), 1024u * 1024u);
        offset = page["next"];
        ++pages;
    }
    EXPECT_EQ(seen, kMaxCardRows);
    EXPECT_GT(pages, 1);
}

TEST(KanbanStore, ContentTooLargeOrMalformedIsRefusedWithTheReason)
{
    Kanban k;
    json big = card("c1");
    big["content"]["description"] = std::string(33 * 1024, 'x');
    auto r = k.call("mirror", {{"cards", {big}}});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "too-large: card c1 is more than 32768 bytes");
    r = k.call("mirror", {{"cards", {{{"id", "c1"}, {"content", "text"}}}}});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "bad-request: card c1: content must be an object");
    r = k.call("enqueue", {{"card", ""}, {"content", json::object()}});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "bad-request: a card id must be 1 to 255 bytes");
    r = k.call("settle", {{"seq", "one"}});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "bad-request: seq must be a number");
}

TEST(KanbanStore, RowsThatCannotBeReadAreNamedAndKept)
{
    Kanban k;
    k.ok("mirror", {{"cards", {card("c1"), card("c2")}}});
    const std::int64_t seq = k.ok("enqueue", {{"card", "c2"}, {"content", card("c2")["content"]}})["seq"];
    sqlite3 *db = nullptr;
    ASSERT_EQ(sqlite3_open(k.file().c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "UPDATE cards SET content = '{not json' WHERE card = 'c1';"
                               "UPDATE queue SET content = '[1]'",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);

    const json board = k.ok("load");
    EXPECT_EQ(ids(board["cards"]), (std::vector<std::string>{"c2"}));
    EXPECT_TRUE(board["queue"].empty());
    ASSERT_EQ(board["invalid"].size(), 2u);
    EXPECT_EQ(board["invalid"][0], json({{"card", "c1"}, {"error", "the mirrored content is not a JSON object"}}));
    EXPECT_EQ(board["invalid"][1], json({{"seq", seq}, {"card", "c2"}, {"error", "the queued edit is not a JSON object"}}));
    // Nothing was lost: both rows are still there, and a good event for c1 replaces the bad one.
    k.restart();
    EXPECT_EQ(k.ok("load")["invalid"].size(), 2u);
    k.ok("mirror", {{"cards", {card("c1")}}});
    EXPECT_EQ(k.ok("load")["cards"].size(), 2u);
}

TEST(KanbanStore, AFileThatIsNotADatabaseIsReportedAndLeftAsItIs)
{
    Kanban k;
    k.h.manager.reset();
    std::filesystem::create_directories(k.file().parent_path());
    {
        std::ofstream out(k.file(), std::ios::binary);
        out << std::string(4096, 'z');
    }
    k.start();
    auto r = k.call("load");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message.rfind("store-unavailable: the boards' local copy (" + k.file().string() + ") cannot be used: ", 0), 0u)
        << r.error().message;
    std::ifstream in(k.file(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_EQ(text.str(), std::string(4096, 'z'));
}

TEST(KanbanStore, TheLeastRecentlyOpenedBoardWithNothingQueuedMakesRoomForANewOne)
{
    Kanban k;
    k.ok("mirror", {{"cards", {card("kept")}}});
    k.ok("enqueue", {{"card", "kept"}, {"content", card("kept")["content"]}});
    for (std::size_t i = 1; i < kMaxBoards; ++i) {
        k.widget = widgetContext("board-" + std::to_string(i + 1), "!team:example.org");
        ASSERT_TRUE(k.call("mirror", {{"cards", {card("c")}}}));
    }
    // board-2 was opened longest ago among those with nothing queued; board-1 has a queued edit.
    k.widget = widgetContext("new-board", "!team:example.org");
    k.ok("load");
    k.widget = widgetContext("board-2", "!team:example.org");
    EXPECT_TRUE(k.ok("load")["cards"].empty()) << "its copy was dropped: the room still has it";
    k.widget = widgetContext("board-1", "!team:example.org");
    const json first = k.ok("load");
    EXPECT_EQ(first["cards"].size(), 1u);
    EXPECT_EQ(first["queue"].size(), 1u);
}
