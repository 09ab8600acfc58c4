// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The kanban's database: a mirror of each board in an SQLite file in the plugin's data
// directory, so a board opens at once from it (then the page reconciles it with the room), and
// the queue of edits made while the room could not be written, sent in order when it can again.
//
// A board is keyed by the room and the widget (both from the host's record of the calling
// widget, never from the page), so a page reaches only its own board. The mirror holds what the
// room said (each card event's content, event id and sender); the page decides what is valid
// (web/cards.js). A row that cannot be read is reported with its card and kept, never deleted.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

struct sqlite3;

namespace kanban {

/** Limits, each named, enforced and tested (tests/integration/plugins/kanbanstore_test.cpp). */
inline constexpr std::size_t kMaxCardRows = 10000;        ///< card events (cards and tombstones) mirrored per board
inline constexpr std::size_t kMaxQueuedEdits = 500;       ///< edits waiting to be sent, per board
inline constexpr std::size_t kMaxBoards = 256;            ///< boards mirrored; the least recently opened one without queued edits goes first
inline constexpr std::size_t kMaxContentBytes = 32 * 1024; ///< one card's content as JSON (cards.js: 300 + 4000 characters)
inline constexpr std::size_t kMaxColumnsBytes = 8 * 1024;  ///< the board's columns as JSON
inline constexpr std::size_t kMaxIdBytes = 255;            ///< a card id, event id or sender
inline constexpr std::size_t kMaxCardsPerCall = 1000;      ///< cards one mirror call may carry
inline constexpr std::size_t kMaxLoadBytes = 768 * 1024;   ///< one load answer (the host's reply limit is 1 MiB): more comes in pages

/** What the store refuses or cannot do, with a code the page translates and a sentence. */
struct StoreError : std::runtime_error {
    StoreError(std::string code, const std::string &message) : std::runtime_error(message), code(std::move(code)) {}
    std::string code;
};

class BoardStore {
public:
    /** Opens (or creates) @p file. Throws StoreError("store-unavailable", …) if it cannot. */
    explicit BoardStore(const std::string &file);
    ~BoardStore();
    BoardStore(const BoardStore &) = delete;
    BoardStore &operator=(const BoardStore &) = delete;

    /**
     * The mirrored board from @p offset (its card rows in id order): {"columns": … or null,
     * "cards": [{"id", "content", "event_id", "sender"}], "queue": [{"seq", "card", "content",
     * "base", "made_at"}] (first page only), "invalid": [{"card" | "seq", "error"}], "next": offset
     * or null}. Marks the board as opened now (@p nowMs). Rows that cannot be read are listed in
     * `invalid` and stay in the file.
     */
    nlohmann::json load(const std::string &room, const std::string &board, std::size_t offset, std::int64_t nowMs);

    /** Mirrors what the room says: the columns (if not null) and card events. Returns how many cards. */
    std::size_t mirror(const std::string &room, const std::string &board, const nlohmann::json &columns,
                       const nlohmann::json &cards, std::int64_t nowMs);

    /** Queues an edit (a card's new content, made on the room's event @p base). Returns its seq. */
    std::int64_t enqueue(const std::string &room, const std::string &board, const std::string &card,
                         const nlohmann::json &content, const std::string &base, std::int64_t nowMs);

    /** Removes a queued edit once it was sent (or lost a conflict). False if there was none. */
    bool settle(const std::string &room, const std::string &board, std::int64_t seq);

    [[nodiscard]] std::size_t boardCount();
    [[nodiscard]] std::size_t queued(const std::string &room, const std::string &board);

private:
    void exec(const char *sql);
    void touch(const std::string &room, const std::string &board, std::int64_t nowMs);
    sqlite3 *m_db = nullptr;
    std::string m_file;
};

} // namespace kanban
