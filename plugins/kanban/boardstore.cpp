// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "boardstore.h"

#include <sqlite3.h>

#include <utility>

using nlohmann::json;

namespace kanban {

namespace {

constexpr int kSchemaVersion = 1;

/** One prepared statement, finalized when it goes out of scope. */
class Stmt {
public:
    Stmt(sqlite3 *db, const char *sql) : m_db(db)
    {
        if (sqlite3_prepare_v2(db, sql, -1, &m_stmt, nullptr) != SQLITE_OK)
            throw StoreError("store-failed", std::string("the board's local copy could not be read: ") + sqlite3_errmsg(db));
    }
    ~Stmt() { sqlite3_finalize(m_stmt); }
    Stmt(const Stmt &) = delete;
    Stmt &operator=(const Stmt &) = delete;

    Stmt &bind(int i, const std::string &text)
    {
        sqlite3_bind_text(m_stmt, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
        return *this;
    }
    Stmt &bind(int i, std::int64_t n)
    {
        sqlite3_bind_int64(m_stmt, i, n);
        return *this;
    }
    /** True while there is a row. */
    bool step()
    {
        const int rc = sqlite3_step(m_stmt);
        if (rc == SQLITE_ROW)
            return true;
        if (rc == SQLITE_DONE)
            return false;
        throw StoreError("store-failed", std::string("the board's local copy could not be written: ") + sqlite3_errmsg(m_db));
    }
    std::string text(int col) const
    {
        const auto *p = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, col));
        return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, col))) : std::string();
    }
    std::int64_t integer(int col) const { return sqlite3_column_int64(m_stmt, col); }
    bool isNull(int col) const { return sqlite3_column_type(m_stmt, col) == SQLITE_NULL; }

private:
    sqlite3 *m_db;
    sqlite3_stmt *m_stmt = nullptr;
};

/** A transaction rolled back unless committed. */
class Transaction {
public:
    explicit Transaction(sqlite3 *db) : m_db(db) { run("BEGIN IMMEDIATE"); }
    ~Transaction()
    {
        if (!m_done)
            sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
    }
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;
    void commit()
    {
        run("COMMIT");
        m_done = true;
    }

private:
    void run(const char *sql)
    {
        if (sqlite3_exec(m_db, sql, nullptr, nullptr, nullptr) != SQLITE_OK)
            throw StoreError("store-failed", std::string("the board's local copy could not be written: ") + sqlite3_errmsg(m_db));
    }
    sqlite3 *m_db;
    bool m_done = false;
};

void checkId(const std::string &what, const std::string &value, bool mayBeEmpty = false)
{
    if ((value.empty() && !mayBeEmpty) || value.size() > kMaxIdBytes)
        throw StoreError("bad-request", what + " must be 1 to " + std::to_string(kMaxIdBytes) + " bytes");
}

std::string stringField(const json &object, const char *key)
{
    auto it = object.find(key);
    if (it == object.end() || it->is_null())
        return {};
    if (!it->is_string())
        throw StoreError("bad-request", std::string(key) + " must be a string");
    return it->get<std::string>();
}

} // namespace

BoardStore::BoardStore(const std::string &file) : m_file(file)
{
    if (sqlite3_open_v2(file.c_str(), &m_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr)
        != SQLITE_OK) {
        const std::string why = m_db ? sqlite3_errmsg(m_db) : "out of memory";
        sqlite3_close(m_db);
        m_db = nullptr;
        throw StoreError("store-unavailable", "the boards' local copy (" + file + ") cannot be opened: " + why);
    }
    sqlite3_busy_timeout(m_db, 2000);
    try {
        std::int64_t v = 0;
        {
            Stmt version(m_db, "PRAGMA user_version");
            version.step();
            v = version.integer(0);
        } // finalized: WAL mode cannot be set while a statement holds a read transaction
        if (v > kSchemaVersion)
            throw StoreError("store-unavailable", "the boards' local copy (" + file + ") was written by a newer version (schema "
                                                      + std::to_string(v) + "); it is left as it is");
        exec("PRAGMA journal_mode=WAL");
        exec("PRAGMA foreign_keys=ON");
        if (v < kSchemaVersion) {
            Transaction t(m_db);
            exec("CREATE TABLE IF NOT EXISTS boards(room TEXT NOT NULL, board TEXT NOT NULL, columns TEXT,"
                 " opened_at INTEGER NOT NULL, PRIMARY KEY(room, board))");
            exec("CREATE TABLE IF NOT EXISTS cards(room TEXT NOT NULL, board TEXT NOT NULL, card TEXT NOT NULL,"
                 " content TEXT NOT NULL, event_id TEXT NOT NULL DEFAULT '', sender TEXT NOT NULL DEFAULT '',"
                 " PRIMARY KEY(room, board, card), FOREIGN KEY(room, board) REFERENCES boards(room, board) ON DELETE CASCADE)");
            exec("CREATE TABLE IF NOT EXISTS queue(seq INTEGER PRIMARY KEY AUTOINCREMENT, room TEXT NOT NULL,"
                 " board TEXT NOT NULL, card TEXT NOT NULL, content TEXT NOT NULL, base TEXT NOT NULL DEFAULT '',"
                 " made_at INTEGER NOT NULL, FOREIGN KEY(room, board) REFERENCES boards(room, board) ON DELETE CASCADE)");
            exec("CREATE INDEX IF NOT EXISTS queue_board ON queue(room, board, seq)");
            exec(("PRAGMA user_version=" + std::to_string(kSchemaVersion)).c_str());
            t.commit();
        }
    } catch (const StoreError &e) {
        sqlite3_close(m_db);
        m_db = nullptr;
        // "file is not a database" and the like: say which file, and leave it untouched.
        if (e.code == "store-failed")
            throw StoreError("store-unavailable", "the boards' local copy (" + file + ") cannot be used: " + e.what());
        throw;
    }
}

BoardStore::~BoardStore()
{
    sqlite3_close(m_db);
}

void BoardStore::exec(const char *sql)
{
    char *error = nullptr;
    if (sqlite3_exec(m_db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
        const std::string why = error ? error : sqlite3_errmsg(m_db);
        sqlite3_free(error);
        throw StoreError("store-failed", why);
    }
}

void BoardStore::touch(const std::string &room, const std::string &board, std::int64_t nowMs)
{
    {
        Stmt update(m_db, "UPDATE boards SET opened_at = ?3 WHERE room = ?1 AND board = ?2");
        update.bind(1, room).bind(2, board).bind(3, nowMs).step();
    }
    if (sqlite3_changes(m_db) > 0)
        return;
    if (boardCount() >= kMaxBoards) {
        // Make room: the board opened longest ago that has nothing waiting to be sent. Its
        // mirror is only a copy of the room, read again when it is next opened.
        Stmt oldest(m_db, "SELECT room, board FROM boards b WHERE NOT EXISTS"
                          " (SELECT 1 FROM queue q WHERE q.room = b.room AND q.board = b.board) ORDER BY opened_at, rowid LIMIT 1");
        if (!oldest.step())
            throw StoreError("too-many-boards", "the local copy holds " + std::to_string(kMaxBoards)
                                                    + " boards, each with changes not yet sent; nothing was removed");
        Stmt drop(m_db, "DELETE FROM boards WHERE room = ?1 AND board = ?2");
        drop.bind(1, oldest.text(0)).bind(2, oldest.text(1)).step();
    }
    Stmt insert(m_db, "INSERT INTO boards(room, board, columns, opened_at) VALUES(?1, ?2, NULL, ?3)");
    insert.bind(1, room).bind(2, board).bind(3, nowMs).step();
}

json BoardStore::load(const std::string &room, const std::string &board, std::size_t offset, std::int64_t nowMs)
{
    checkId("the room", room);
    checkId("the board", board);
    Transaction t(m_db);
    touch(room, board, nowMs);
    json out = {{"columns", nullptr}, {"cards", json::array()}, {"invalid", json::array()}, {"next", nullptr}};
    {
        Stmt columns(m_db, "SELECT columns FROM boards WHERE room = ?1 AND board = ?2");
        columns.bind(1, room).bind(2, board);
        if (columns.step() && !columns.isNull(0)) {
            json parsed = json::parse(columns.text(0), nullptr, false);
            if (parsed.is_discarded() || !parsed.is_array())
                out["invalid"].push_back({{"columns", true}, {"error", "the mirrored columns are not a JSON list"}});
            else
                out["columns"] = std::move(parsed);
        }
    }
    std::size_t bytes = 0;
    std::size_t index = 0;
    {
        Stmt cards(m_db, "SELECT card, content, event_id, sender FROM cards WHERE room = ?1 AND board = ?2 ORDER BY card"
                         " LIMIT -1 OFFSET ?3");
        cards.bind(1, room).bind(2, board).bind(3, static_cast<std::int64_t>(offset));
        while (cards.step()) {
            const std::string content = cards.text(1);
            if (bytes + content.size() + 512 > kMaxLoadBytes && index > 0) {
                out["next"] = offset + index;
                break;
            }
            ++index;
            bytes += content.size() + 512;
            json parsed = json::parse(content, nullptr, false);
            if (parsed.is_discarded() || !parsed.is_object()) {
                out["invalid"].push_back({{"card", cards.text(0)}, {"error", "the mirrored content is not a JSON object"}});
                continue;
            }
            out["cards"].push_back(
                {{"id", cards.text(0)}, {"content", std::move(parsed)}, {"event_id", cards.text(2)}, {"sender", cards.text(3)}});
        }
    }
    if (offset == 0) {
        out["queue"] = json::array();
        Stmt queue(m_db, "SELECT seq, card, content, base, made_at FROM queue WHERE room = ?1 AND board = ?2 ORDER BY seq");
        queue.bind(1, room).bind(2, board);
        while (queue.step()) {
            json parsed = json::parse(queue.text(2), nullptr, false);
            if (parsed.is_discarded() || !parsed.is_object()) {
                out["invalid"].push_back({{"seq", queue.integer(0)}, {"card", queue.text(1)},
                                          {"error", "the queued edit is not a JSON object"}});
                continue;
            }
            out["queue"].push_back({{"seq", queue.integer(0)}, {"card", queue.text(1)}, {"content", std::move(parsed)},
                                    {"base", queue.text(3)}, {"made_at", queue.integer(4)}});
        }
    }
    t.commit();
    return out;
}

std::size_t BoardStore::mirror(const std::string &room, const std::string &board, const json &columns, const json &cards,
                               std::int64_t nowMs)
{
    checkId("the room", room);
    checkId("the board", board);
    if (!columns.is_null() && !columns.is_array())
        throw StoreError("bad-request", "columns must be a list");
    if (!cards.is_array())
        throw StoreError("bad-request", "cards must be a list");
    if (cards.size() > kMaxCardsPerCall)
        throw StoreError("bad-request", "at most " + std::to_string(kMaxCardsPerCall) + " cards per call");
    Transaction t(m_db);
    touch(room, board, nowMs);
    if (!columns.is_null()) {
        const std::string text = columns.dump();
        if (text.size() > kMaxColumnsBytes)
            throw StoreError("too-large", "the columns are more than " + std::to_string(kMaxColumnsBytes) + " bytes");
        Stmt update(m_db, "UPDATE boards SET columns = ?3 WHERE room = ?1 AND board = ?2");
        update.bind(1, room).bind(2, board).bind(3, text).step();
    }
    std::int64_t rows = 0;
    {
        Stmt count(m_db, "SELECT count(*) FROM cards WHERE room = ?1 AND board = ?2");
        count.bind(1, room).bind(2, board).step();
        rows = count.integer(0);
    }
    for (const json &card : cards) {
        if (!card.is_object())
            throw StoreError("bad-request", "each card must be an object");
        const std::string id = stringField(card, "id");
        checkId("a card id", id);
        const std::string eventId = stringField(card, "event_id");
        const std::string sender = stringField(card, "sender");
        checkId("an event id", eventId, true);
        checkId("a sender", sender, true);
        auto content = card.find("content");
        if (content == card.end() || !content->is_object())
            throw StoreError("bad-request", "card " + id + ": content must be an object");
        const std::string text = content->dump();
        if (text.size() > kMaxContentBytes)
            throw StoreError("too-large", "card " + id + " is more than " + std::to_string(kMaxContentBytes) + " bytes");
        Stmt known(m_db, "SELECT 1 FROM cards WHERE room = ?1 AND board = ?2 AND card = ?3");
        known.bind(1, room).bind(2, board).bind(3, id);
        if (!known.step()) {
            if (static_cast<std::size_t>(rows) >= kMaxCardRows)
                throw StoreError("board-full", "the local copy keeps at most " + std::to_string(kMaxCardRows)
                                                   + " cards per board (deleted ones included); nothing of this batch was stored");
            ++rows;
        }
        Stmt put(m_db, "INSERT INTO cards(room, board, card, content, event_id, sender) VALUES(?1, ?2, ?3, ?4, ?5, ?6)"
                       " ON CONFLICT(room, board, card) DO UPDATE SET content = excluded.content,"
                       " event_id = excluded.event_id, sender = excluded.sender");
        put.bind(1, room).bind(2, board).bind(3, id).bind(4, text).bind(5, eventId).bind(6, sender).step();
    }
    t.commit();
    return cards.size();
}

std::int64_t BoardStore::enqueue(const std::string &room, const std::string &board, const std::string &card,
                                 const json &content, const std::string &base, std::int64_t nowMs)
{
    checkId("the room", room);
    checkId("the board", board);
    checkId("a card id", card);
    checkId("the base event id", base, true);
    if (!content.is_object())
        throw StoreError("bad-request", "content must be an object");
    const std::string text = content.dump();
    if (text.size() > kMaxContentBytes)
        throw StoreError("too-large", "card " + card + " is more than " + std::to_string(kMaxContentBytes) + " bytes");
    Transaction t(m_db);
    touch(room, board, nowMs);
    if (queued(room, board) >= kMaxQueuedEdits)
        throw StoreError("queue-full", std::to_string(kMaxQueuedEdits)
                                           + " changes are already waiting to be sent; this one was not made");
    Stmt put(m_db, "INSERT INTO queue(room, board, card, content, base, made_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
    put.bind(1, room).bind(2, board).bind(3, card).bind(4, text).bind(5, base).bind(6, nowMs).step();
    const std::int64_t seq = sqlite3_last_insert_rowid(m_db);
    t.commit();
    return seq;
}

bool BoardStore::settle(const std::string &room, const std::string &board, std::int64_t seq)
{
    Stmt drop(m_db, "DELETE FROM queue WHERE room = ?1 AND board = ?2 AND seq = ?3");
    drop.bind(1, room).bind(2, board).bind(3, seq).step();
    return sqlite3_changes(m_db) > 0;
}

std::size_t BoardStore::boardCount()
{
    Stmt count(m_db, "SELECT count(*) FROM boards");
    count.step();
    return static_cast<std::size_t>(count.integer(0));
}

std::size_t BoardStore::queued(const std::string &room, const std::string &board)
{
    Stmt count(m_db, "SELECT count(*) FROM queue WHERE room = ?1 AND board = ?2");
    count.bind(1, room).bind(2, board).step();
    return static_cast<std::size_t>(count.integer(0));
}

} // namespace kanban
