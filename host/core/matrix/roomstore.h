// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "matrix/events.h"
#include "matrix/roombackend.h"
#include "matrix/roomname.h"
#include "storage/database.h"
#include "util/result.h"

namespace tessera::matrix {

/** One page read from the store, with what the Matrix backend needs to decide on backfill. */
struct StorePage {
    TimelinePage page;
    /** No more stored events in the direction of travel (before the since event, if any). */
    bool exhausted = false;
    /** Ordering of the last event the read looked at (the continuation point). */
    std::optional<std::int64_t> lastOrdering;
};

/**
 * @brief Rooms, current state, timelines and room account data in one SQLite database.
 *
 * The local backend keeps its rooms here (rooms.db) and the Matrix backend its cache
 * (matrix-cache.db). Timelines are ordered by an integer `ordering`: appends take the next
 * number, backfill (older events fetched later) takes numbers below the oldest. Page tokens are
 * "t<ordering>". Events are stored as received; unsigned.age is computed when read.
 *
 * It applies no room rules (power levels, membership checks): the backends do. Not thread-safe:
 * one thread (the scheduler's) uses it. Batches are the caller's: wrap calls in
 * Database::begin() to make them one transaction.
 */
class RoomStore {
public:
    /** The schema steps of a room database (shared by rooms.db and matrix-cache.db). */
    static std::span<const storage::Migration> migrations();

    RoomStore(storage::Database &db, std::function<std::int64_t()> wallClockMs);

    storage::Database &database() { return m_db; }

    // rooms
    Result<void> setMembership(const std::string &roomId, Membership membership);
    /** Every room; unnamed ones with their heroes and member counts as seen by @p ownUserId. */
    Result<std::vector<RoomInfo>> rooms(const std::string &ownUserId = {});
    Result<std::optional<RoomInfo>> room(const std::string &roomId, const std::string &ownUserId = {});
    /** Stores the fields a sync's room summary carries (m.heroes, member counts); absent ones keep their value. */
    Result<void> setSummary(const std::string &roomId, const nlohmann::json &summary);
    /** The members the stored state knows (m.room.member events), by user id. */
    Result<std::vector<RoomMember>> members(const std::string &roomId);
    Result<void> setBackfillToken(const std::string &roomId, const std::optional<std::string> &token);
    /** nullopt: no token (the start of the room is stored, or nothing is known). */
    Result<std::optional<std::string>> backfillToken(const std::string &roomId);

    // state
    /** Stores @p event (room_id, type, state_key required) as the current state for its key. */
    Result<void> putState(const nlohmann::json &event);
    Result<std::optional<nlohmann::json>> stateEvent(const std::string &roomId, const std::string &type,
                                                     const std::string &stateKey);
    /** State of @p type (every key when @p stateKey is nullopt), sorted by state key. */
    Result<std::vector<nlohmann::json>> state(const std::string &roomId, const std::string &type,
                                              const std::optional<std::string> &stateKey);
    Result<std::vector<nlohmann::json>> allState(const std::string &roomId);
    Result<void> clearState(const std::string &roomId);
    Result<PowerLevels> powerLevels(const std::string &roomId);

    // timeline
    /**
     * Appends @p event (event_id, room_id, type required) after the newest stored event.
     * @p ageTsMs is the wall-clock time at which the event's age was 0. Returns false if the
     * room already holds an event with that id (nothing is written).
     */
    Result<bool> appendEvent(const nlohmann::json &event, std::int64_t ageTsMs);
    /** Stores @p event before the oldest stored event (backfill). False if already stored. */
    Result<bool> prependEvent(const nlohmann::json &event, std::int64_t ageTsMs);
    Result<StorePage> readTimeline(const TimelineQuery &query);
    Result<std::optional<nlohmann::json>> event(const std::string &roomId, const std::string &eventId);
    Result<std::int64_t> timelineCount(const std::string &roomId);
    Result<void> clearTimeline(const std::string &roomId);
    /** Redacts the stored copies (timeline and state) of @p eventId. False if it is not stored. */
    Result<bool> redact(const std::string &roomId, const std::string &eventId, const nlohmann::json &redaction);
    Result<RelationsPage> relations(const RelationsQuery &query);

    // account data
    Result<void> putRoomAccountData(const std::string &roomId, const std::string &type, const nlohmann::json &content);
    Result<std::optional<nlohmann::json>> roomAccountData(const std::string &roomId, const std::string &type);

    // small settings (sync token, seeding flags, …)
    Result<std::optional<std::string>> setting(const std::string &key);
    Result<void> setSetting(const std::string &key, const std::string &value);

    /** A page token for @p ordering, and back. */
    static std::string tokenFor(std::int64_t ordering);
    static std::optional<std::int64_t> parseToken(const std::string &token);

private:
    /** This store's prepared statement for @p sql, reset; with @p values bound (Statement::bindAll). */
    Result<storage::Statement *> cached(const std::string &sql);
    template<typename Value, typename... More>
    Result<storage::Statement *> cached(const std::string &sql, const Value &value, const More &...more)
    {
        auto st = cached(sql);
        if (st)
            TRY((*st)->bindAll(value, more...));
        return st;
    }
    /** Runs the cached statement for @p sql with @p values bound. */
    template<typename... Values>
    Result<void> run(const std::string &sql, const Values &...values)
    {
        auto st = cached(sql, values...);
        if (!st)
            return std::move(st).error();
        return (*st)->run();
    }
    Result<void> describeMembers(RoomInfo &info, const std::optional<std::vector<std::string>> &summaryHeroes,
                                 std::optional<std::int64_t> joined, std::optional<std::int64_t> invited,
                                 const std::string &ownUserId);
    /** Up to a page of timeline events; `more` when the query had another row. */
    struct EventRows {
        std::vector<nlohmann::json> events;
        std::optional<std::int64_t> lastOrdering; ///< of the last event read
        bool more = false;
    };
    /**
     * Runs @p sql, a SELECT of (ordering, json, age_ts) ending in "LIMIT ?", with @p values and
     * limit + 1, and reads up to @p limit events.
     */
    Result<EventRows> readEvents(const std::string &sql, std::vector<storage::SqlValue> values, int limit);
    Result<bool> insertEvent(const nlohmann::json &event, std::int64_t ordering, std::int64_t ageTsMs);
    Result<std::optional<std::int64_t>> orderingOf(const std::string &roomId, const std::string &eventId);
    nlohmann::json withAge(std::string_view json, std::int64_t ageTsMs) const;

    storage::Database &m_db;
    std::function<std::int64_t()> m_wallClockMs;
    std::map<std::string, storage::Statement> m_statements;
    /** The next append ordering per room, learnt on first use. */
    std::map<std::string, std::int64_t> m_nextOrdering;
};

} // namespace tessera::matrix
