// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "matrix/roomstore.h"

#include <algorithm>
#include <charconv>

#include "matrix/roomname.h"

namespace tessera::matrix {

namespace {

constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE rooms (
    room_id        TEXT PRIMARY KEY NOT NULL,
    membership     TEXT NOT NULL,
    backfill_token TEXT
) WITHOUT ROWID;
CREATE TABLE state (
    room_id   TEXT NOT NULL,
    type      TEXT NOT NULL,
    state_key TEXT NOT NULL,
    event_id  TEXT NOT NULL,
    json      TEXT NOT NULL,
    PRIMARY KEY (room_id, type, state_key)
) WITHOUT ROWID;
CREATE TABLE timeline (
    room_id    TEXT NOT NULL,
    ordering   INTEGER NOT NULL,
    event_id   TEXT NOT NULL,
    type       TEXT NOT NULL,
    state_key  TEXT,
    msgtype    TEXT,
    relates_to TEXT,
    rel_type   TEXT,
    age_ts     INTEGER NOT NULL,
    json       TEXT NOT NULL,
    PRIMARY KEY (room_id, ordering)
) WITHOUT ROWID;
CREATE UNIQUE INDEX timeline_event_id ON timeline (room_id, event_id);
CREATE INDEX timeline_type ON timeline (room_id, type, ordering);
CREATE INDEX timeline_relation ON timeline (room_id, relates_to, ordering) WHERE relates_to IS NOT NULL;
CREATE TABLE room_account_data (
    room_id TEXT NOT NULL,
    type    TEXT NOT NULL,
    content TEXT NOT NULL,
    PRIMARY KEY (room_id, type)
) WITHOUT ROWID;
CREATE TABLE settings (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) WITHOUT ROWID;
-- the local backend's own tables (unused in a Matrix cache)
CREATE TABLE media (
    media_id     TEXT PRIMARY KEY NOT NULL,
    content_type TEXT NOT NULL,
    file_name    TEXT,
    bytes        BLOB NOT NULL,
    created_ms   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE delayed_events (
    delay_id        TEXT PRIMARY KEY NOT NULL,
    room_id         TEXT NOT NULL,
    type            TEXT NOT NULL,
    state_key       TEXT,
    content         TEXT NOT NULL,
    delay_ms        INTEGER NOT NULL,
    due_ms          INTEGER,
    parent_delay_id TEXT
);
CREATE TABLE profiles (
    user_id     TEXT PRIMARY KEY NOT NULL,
    displayname TEXT,
    avatar_url  TEXT
) WITHOUT ROWID;
)sql";

// The room summary of a sync (m.heroes, m.joined_member_count, m.invited_member_count): NULL
// until a server sends one, then the last value sent (a sync repeats only what changed).
constexpr std::string_view kSchemaV2 = R"sql(
ALTER TABLE rooms ADD COLUMN heroes TEXT;
ALTER TABLE rooms ADD COLUMN joined_count INTEGER;
ALTER TABLE rooms ADD COLUMN invited_count INTEGER;
)sql";

const storage::Migration kMigrations[] = {
    {1, "rooms, state, timelines, account data, local media, delayed events, profiles", kSchemaV1, {}},
    {2, "room summaries (heroes and member counts)", kSchemaV2, {}},
};

std::optional<std::string> stringAt(const nlohmann::json &obj, const char *key)
{
    if (!obj.is_object())
        return std::nullopt;
    const auto it = obj.find(key);
    if (it == obj.end() || !it->is_string())
        return std::nullopt;
    return it->get<std::string>();
}

/** The JSON text a row stores: compact, invalid UTF-8 replaced. */
std::string storedJson(const nlohmann::json &value)
{
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

/** The JSON in @p column (discarded when it does not parse). */
nlohmann::json parsedJson(const storage::Statement &row, int column)
{
    return nlohmann::json::parse(row.columnText(column), nullptr, false);
}

/** The events in column 0 of every row; a row that does not parse is skipped. */
Result<std::vector<nlohmann::json>> collectEvents(storage::Statement &st)
{
    std::vector<nlohmann::json> out;
    TRY(st.forEachRow([&](const storage::Statement &row) {
        auto ev = parsedJson(row, 0);
        if (!ev.is_discarded())
            out.push_back(std::move(ev));
    }));
    return out;
}

Error badRequest(std::string message)
{
    return matrixError(400, "M_INVALID_PARAM", message);
}

} // namespace

std::span<const storage::Migration> RoomStore::migrations()
{
    return kMigrations;
}

RoomStore::RoomStore(storage::Database &db, std::function<std::int64_t()> wallClockMs)
    : m_db(db), m_wallClockMs(std::move(wallClockMs))
{
}

std::string RoomStore::tokenFor(std::int64_t ordering)
{
    return "t" + std::to_string(ordering);
}

std::optional<std::int64_t> RoomStore::parseToken(const std::string &token)
{
    if (token.size() < 2 || token.size() > 21 || token[0] != 't')
        return std::nullopt;
    std::int64_t value = 0;
    const char *begin = token.data() + 1;
    const char *end = token.data() + token.size();
    const auto [ptr, ec] = std::from_chars(begin, end, value);
    if (ec != std::errc() || ptr != end)
        return std::nullopt;
    return value;
}

Result<storage::Statement *> RoomStore::cached(const std::string &sql)
{
    auto it = m_statements.find(sql);
    if (it == m_statements.end()) {
        auto st = m_db.prepare(sql);
        if (!st)
            return std::move(st).error();
        it = m_statements.emplace(sql, std::move(st).value()).first;
    }
    it->second.reset();
    return &it->second;
}

nlohmann::json RoomStore::withAge(std::string_view json, std::int64_t ageTsMs) const
{
    nlohmann::json event = nlohmann::json::parse(json, nullptr, false);
    if (event.is_discarded() || !event.is_object())
        return nlohmann::json::object();
    auto &unsignedData = event["unsigned"];
    if (!unsignedData.is_object())
        unsignedData = nlohmann::json::object();
    unsignedData["age"] = std::max<std::int64_t>(0, m_wallClockMs() - ageTsMs);
    return event;
}

Result<void> RoomStore::setMembership(const std::string &roomId, Membership membership)
{
    return run("INSERT INTO rooms (room_id, membership) VALUES (?1, ?2) "
               "ON CONFLICT (room_id) DO UPDATE SET membership = excluded.membership",
               roomId, membershipName(membership));
}

namespace {

constexpr std::string_view kRoomInfoSql = R"sql(
        SELECT r.room_id, r.membership,
               json_extract(n.json, '$.content.name'), json_extract(t.json, '$.content.topic'),
               e.event_id IS NOT NULL,
               json_extract(a.json, '$.content.alias'), json_extract(v.json, '$.content.url'),
               r.heroes, r.joined_count, r.invited_count
        FROM rooms r
        LEFT JOIN state n ON n.room_id = r.room_id AND n.type = 'm.room.name' AND n.state_key = ''
        LEFT JOIN state t ON t.room_id = r.room_id AND t.type = 'm.room.topic' AND t.state_key = ''
        LEFT JOIN state e ON e.room_id = r.room_id AND e.type = 'm.room.encryption' AND e.state_key = ''
        LEFT JOIN state a ON a.room_id = r.room_id AND a.type = 'm.room.canonical_alias' AND a.state_key = ''
        LEFT JOIN state v ON v.room_id = r.room_id AND v.type = 'm.room.avatar' AND v.state_key = '')sql";

/** A room row with what the summary said (nullopt: the server never sent that field). */
struct RoomRow {
    RoomInfo info;
    std::optional<std::vector<std::string>> heroes;
    std::optional<std::int64_t> joined, invited;
};

Result<std::vector<RoomRow>> collectRooms(storage::Statement &st)
{
    std::vector<RoomRow> out;
    TRY(st.forEachRow([&](const storage::Statement &row) {
        RoomRow r;
        RoomInfo &info = r.info;
        info.roomId = std::string(row.columnText(0));
        info.membership = parseMembership(row.columnText(1));
        info.name = std::string(row.columnText(2));
        info.topic = std::string(row.columnText(3));
        info.encrypted = row.columnInt64(4) != 0;
        info.canonicalAlias = std::string(row.columnText(5));
        info.avatarUrl = std::string(row.columnText(6));
        if (!row.isNull(7)) {
            const auto heroes = parsedJson(row, 7);
            if (heroes.is_array()) {
                r.heroes.emplace();
                for (const auto &h : heroes) {
                    if (h.is_string() && r.heroes->size() < kMaxHeroes)
                        r.heroes->push_back(h.get<std::string>());
                }
            }
        }
        r.joined = row.optionalInt64(8);
        r.invited = row.optionalInt64(9);
        out.push_back(std::move(r));
    }));
    return out;
}

} // namespace

Result<std::vector<RoomMember>> RoomStore::members(const std::string &roomId)
{
    // Only a string is a display name (json_extract would give a number as text too).
    auto st = cached("SELECT state_key, CASE json_type(json, '$.content.displayname') WHEN 'text' "
                     "THEN json_extract(json, '$.content.displayname') END, "
                     "json_extract(json, '$.content.membership'), CASE json_type(json, '$.content.avatar_url') "
                     "WHEN 'text' THEN json_extract(json, '$.content.avatar_url') END FROM state "
                     "WHERE room_id = ?1 AND type = 'm.room.member' ORDER BY state_key",
                     roomId);
    if (!st)
        return std::move(st).error();
    std::vector<RoomMember> out;
    TRY((*st)->forEachRow([&](const storage::Statement &row) {
        RoomMember m;
        m.userId = std::string(row.columnText(0));
        m.displayName = row.optionalText(1).value_or(std::string());
        m.membership = parseMembership(row.columnText(2));
        m.avatarUrl = row.optionalText(3).value_or(std::string());
        out.push_back(std::move(m));
    }));
    return out;
}

Result<void> RoomStore::describeMembers(RoomInfo &info, const std::optional<std::vector<std::string>> &summaryHeroes,
                                        std::optional<std::int64_t> joined, std::optional<std::int64_t> invited,
                                        const std::string &ownUserId)
{
    if (!info.name.empty() || !info.canonicalAlias.empty())
        return {}; // named: nobody needs the members for that
    auto members = this->members(info.roomId);
    if (!members)
        return std::move(members).error();
    std::int64_t joinedCount = 0;
    std::int64_t invitedCount = 0;
    for (const auto &m : *members) {
        joinedCount += m.membership == Membership::Join ? 1 : 0;
        invitedCount += m.membership == Membership::Invite ? 1 : 0;
    }
    info.joinedMembers = joined.value_or(joinedCount);
    info.invitedMembers = invited.value_or(invitedCount);
    if (summaryHeroes) {
        info.heroes = *summaryHeroes;
    } else if (info.membership == Membership::Invite) {
        // An invitation knows little of the room: it is named after whoever invited the user.
        auto invite = stateEvent(info.roomId, "m.room.member", ownUserId);
        if (!invite)
            return std::move(invite).error();
        const std::string inviter = *invite ? jsonString(**invite, "sender") : std::string();
        if (!inviter.empty() && inviter != ownUserId)
            info.heroes = {inviter};
    } else {
        info.heroes = computeHeroes(*members, ownUserId);
    }
    info.heroNames.clear();
    info.heroAvatarUrls.clear();
    for (const auto &hero : info.heroes) {
        info.heroNames.push_back(memberDisplayName(hero, *members));
        auto m = std::find_if(members->begin(), members->end(), [&](const RoomMember &x) { return x.userId == hero; });
        info.heroAvatarUrls.push_back(m != members->end() ? m->avatarUrl : std::string());
    }
    return {};
}

Result<std::vector<RoomInfo>> RoomStore::rooms(const std::string &ownUserId)
{
    auto st = cached(std::string(kRoomInfoSql) + " ORDER BY r.room_id");
    if (!st)
        return std::move(st).error();
    auto rows = collectRooms(**st);
    if (!rows)
        return std::move(rows).error();
    std::vector<RoomInfo> out;
    out.reserve(rows->size());
    for (auto &r : *rows) {
        TRY(describeMembers(r.info, r.heroes, r.joined, r.invited, ownUserId));
        out.push_back(std::move(r.info));
    }
    return out;
}

Result<std::optional<RoomInfo>> RoomStore::room(const std::string &roomId, const std::string &ownUserId)
{
    auto st = cached(std::string(kRoomInfoSql) + " WHERE r.room_id = ?1", roomId);
    if (!st)
        return std::move(st).error();
    auto list = collectRooms(**st);
    if (!list)
        return std::move(list).error();
    if (list->empty())
        return std::optional<RoomInfo>();
    RoomRow &r = list->front();
    TRY(describeMembers(r.info, r.heroes, r.joined, r.invited, ownUserId));
    return std::optional<RoomInfo>(std::move(r.info));
}

Result<void> RoomStore::setSummary(const std::string &roomId, const nlohmann::json &summary)
{
    if (!summary.is_object())
        return {};
    // Each field is kept until a summary names it again (a sync sends only what changed).
    if (auto h = summary.find("m.heroes"); h != summary.end() && h->is_array()) {
        nlohmann::json heroes = nlohmann::json::array();
        for (const auto &id : *h) {
            if (id.is_string() && heroes.size() < kMaxHeroes)
                heroes.push_back(id);
        }
        TRY(run("UPDATE rooms SET heroes = ?2 WHERE room_id = ?1", roomId, heroes.dump()));
    }
    for (const auto &[key, column] : {std::pair{"m.joined_member_count", "joined_count"},
                                       std::pair{"m.invited_member_count", "invited_count"}}) {
        auto c = summary.find(key);
        if (c == summary.end() || !c->is_number_integer())
            continue;
        TRY(run(std::string("UPDATE rooms SET ") + column + " = ?2 WHERE room_id = ?1", roomId,
                std::max<std::int64_t>(0, c->get<std::int64_t>())));
    }
    return {};
}

Result<void> RoomStore::setBackfillToken(const std::string &roomId, const std::optional<std::string> &token)
{
    return run("UPDATE rooms SET backfill_token = ?2 WHERE room_id = ?1", roomId, token);
}

Result<std::optional<std::string>> RoomStore::backfillToken(const std::string &roomId)
{
    auto st = cached("SELECT backfill_token FROM rooms WHERE room_id = ?1", roomId);
    if (!st)
        return std::move(st).error();
    auto token = (*st)->firstRow([](const storage::Statement &row) { return row.optionalText(0); });
    if (!token)
        return std::move(token).error();
    return token->value_or(std::nullopt);
}

Result<void> RoomStore::putState(const nlohmann::json &event)
{
    const auto roomId = stringAt(event, "room_id");
    const auto type = stringAt(event, "type");
    const auto stateKey = stringAt(event, "state_key");
    if (!roomId || !type || !stateKey)
        return Error(ErrorCode::BadRequest, "a state event needs room_id, type and state_key");
    return run("INSERT INTO state (room_id, type, state_key, event_id, json) VALUES (?1, ?2, ?3, ?4, ?5) "
               "ON CONFLICT (room_id, type, state_key) DO UPDATE SET event_id = excluded.event_id, "
               "json = excluded.json",
               *roomId, *type, *stateKey, stringAt(event, "event_id").value_or(""), storedJson(event));
}

Result<std::optional<nlohmann::json>> RoomStore::stateEvent(const std::string &roomId, const std::string &type,
                                                            const std::string &stateKey)
{
    auto list = state(roomId, type, stateKey);
    if (!list)
        return std::move(list).error();
    if (list->empty())
        return std::optional<nlohmann::json>();
    return std::optional<nlohmann::json>(std::move(list->front()));
}

Result<std::vector<nlohmann::json>> RoomStore::state(const std::string &roomId, const std::string &type,
                                                     const std::optional<std::string> &stateKey)
{
    auto st = stateKey
                  ? cached("SELECT json FROM state WHERE room_id = ?1 AND type = ?2 AND state_key = ?3", roomId, type,
                           *stateKey)
                  : cached("SELECT json FROM state WHERE room_id = ?1 AND type = ?2 ORDER BY state_key", roomId, type);
    if (!st)
        return std::move(st).error();
    return collectEvents(**st);
}

Result<std::vector<nlohmann::json>> RoomStore::allState(const std::string &roomId)
{
    auto st = cached("SELECT json FROM state WHERE room_id = ?1 ORDER BY type, state_key", roomId);
    if (!st)
        return std::move(st).error();
    return collectEvents(**st);
}

Result<void> RoomStore::clearState(const std::string &roomId)
{
    return run("DELETE FROM state WHERE room_id = ?1", roomId);
}

Result<PowerLevels> RoomStore::powerLevels(const std::string &roomId)
{
    auto create = stateEvent(roomId, "m.room.create", "");
    if (!create)
        return std::move(create).error();
    auto levels = stateEvent(roomId, "m.room.power_levels", "");
    if (!levels)
        return std::move(levels).error();
    std::string creator;
    if (*create)
        creator = jsonString((**create), "sender");
    std::optional<nlohmann::json> content;
    if (*levels)
        content = (**levels).value("content", nlohmann::json::object());
    return PowerLevels(std::move(content), std::move(creator));
}

Result<bool> RoomStore::insertEvent(const nlohmann::json &event, std::int64_t ordering, std::int64_t ageTsMs)
{
    const auto roomId = stringAt(event, "room_id");
    const auto eventId = stringAt(event, "event_id");
    const auto type = stringAt(event, "type");
    if (!roomId || !eventId || !type)
        return Error(ErrorCode::BadRequest, "a timeline event needs room_id, event_id and type");
    std::optional<std::string> msgtype;
    std::optional<std::string> relatesTo;
    std::optional<std::string> relType;
    if (const auto content = event.find("content"); content != event.end() && content->is_object()) {
        msgtype = stringAt(*content, "msgtype");
        if (const auto rel = content->find("m.relates_to"); rel != content->end() && rel->is_object()) {
            relatesTo = stringAt(*rel, "event_id");
            relType = stringAt(*rel, "rel_type");
        }
    }
    // age is recomputed on every read; a stored one would go stale
    nlohmann::json stored = event;
    if (auto u = stored.find("unsigned"); u != stored.end() && u->is_object())
        u->erase("age");

    TRY(run("INSERT OR IGNORE INTO timeline (room_id, ordering, event_id, type, state_key, msgtype, "
            "relates_to, rel_type, age_ts, json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            *roomId, ordering, *eventId, *type, stateKeyOf(event), msgtype, relatesTo, relType, ageTsMs,
            storedJson(stored)));
    return m_db.changes() > 0;
}

Result<bool> RoomStore::appendEvent(const nlohmann::json &event, std::int64_t ageTsMs)
{
    const std::string roomId = stringAt(event, "room_id").value_or("");
    auto next = m_nextOrdering.find(roomId);
    if (next == m_nextOrdering.end()) {
        // one lookup per room; afterwards this connection is the only writer of its timeline
        auto st = cached("SELECT MAX(ordering) FROM timeline WHERE room_id = ?1", roomId);
        if (!st)
            return std::move(st).error();
        auto last = (*st)->firstRow([](const storage::Statement &row) { return row.optionalInt64(0); });
        (*st)->reset();
        if (!last)
            return std::move(last).error();
        const auto max = last->value_or(std::nullopt);
        next = m_nextOrdering.emplace(roomId, max ? *max + 1 : 0).first;
    }
    auto added = insertEvent(event, next->second, ageTsMs);
    if (added && *added)
        ++next->second;
    else
        m_nextOrdering.erase(next); // unknown state after a failure or a duplicate: look it up again
    return added;
}

Result<bool> RoomStore::prependEvent(const nlohmann::json &event, std::int64_t ageTsMs)
{
    auto st = cached("SELECT MIN(ordering) FROM timeline WHERE room_id = ?1", stringAt(event, "room_id").value_or(""));
    if (!st)
        return std::move(st).error();
    auto first = (*st)->firstRow([](const storage::Statement &row) { return row.optionalInt64(0); });
    if (!first)
        return std::move(first).error();
    const auto min = first->value_or(std::nullopt);
    return insertEvent(event, min ? *min - 1 : 0, ageTsMs);
}

Result<std::optional<std::int64_t>> RoomStore::orderingOf(const std::string &roomId, const std::string &eventId)
{
    auto st = cached("SELECT ordering FROM timeline WHERE room_id = ?1 AND event_id = ?2", roomId, eventId);
    if (!st)
        return std::move(st).error();
    return (*st)->firstRow([](const storage::Statement &row) { return row.columnInt64(0); });
}

Result<RoomStore::EventRows> RoomStore::readEvents(const std::string &sql, std::vector<storage::SqlValue> values,
                                                   int limit)
{
    auto st = cached(sql);
    if (!st)
        return std::move(st).error();
    values.emplace_back(std::int64_t{limit} + 1);
    TRY((*st)->bindEach(values));
    EventRows out;
    TRY((*st)->forEachRow([&](const storage::Statement &row) {
        if (static_cast<int>(out.events.size()) == limit) {
            out.more = true;
            return false;
        }
        out.lastOrdering = row.columnInt64(0);
        out.events.push_back(withAge(row.columnText(1), row.columnInt64(2)));
        return true;
    }));
    return out;
}

Result<StorePage> RoomStore::readTimeline(const TimelineQuery &query)
{
    if (query.roomId.empty())
        return badRequest("a room id is required");
    if (query.limit < 1 || query.limit > kMaxPageSize)
        return badRequest("limit must be between 1 and " + std::to_string(kMaxPageSize));
    if (query.direction != Direction::Backwards && query.direction != Direction::Forwards)
        return badRequest("direction must be backwards or forwards");
    std::optional<std::int64_t> from;
    if (!query.from.empty()) {
        from = parseToken(query.from);
        if (!from)
            return badRequest("'" + query.from.substr(0, 64) + "' is not a pagination token of this room");
    }
    const bool backwards = query.direction == Direction::Backwards;
    std::optional<std::int64_t> since;
    if (backwards && query.sinceEventId) {
        auto ord = orderingOf(query.roomId, *query.sinceEventId);
        if (!ord)
            return std::move(ord).error();
        since = *ord;
    }

    // each condition's values are added with it, in the order of its parameters
    std::string sql = "SELECT ordering, json, age_ts FROM timeline WHERE room_id = ?";
    std::vector<storage::SqlValue> values{query.roomId};
    if (from) {
        sql += backwards ? " AND ordering < ?" : " AND ordering > ?";
        values.emplace_back(*from);
    }
    if (since) {
        sql += " AND ordering > ?";
        values.emplace_back(*since);
    }
    if (!query.filter.types.empty()) {
        sql += " AND type IN (";
        for (std::size_t i = 0; i < query.filter.types.size(); ++i) {
            sql += i ? ", ?" : "?";
            values.emplace_back(query.filter.types[i]);
        }
        sql += ")";
    }
    if (query.filter.msgtype) {
        sql += " AND msgtype = ?";
        values.emplace_back(*query.filter.msgtype);
    }
    switch (query.filter.state) {
    case EventFilter::StateMatch::Any: break;
    case EventFilter::StateMatch::NotState: sql += " AND state_key IS NULL"; break;
    case EventFilter::StateMatch::AnyStateKey: sql += " AND state_key IS NOT NULL"; break;
    case EventFilter::StateMatch::StateKey:
        sql += " AND state_key = ?";
        values.emplace_back(query.filter.stateKey);
        break;
    }
    sql += backwards ? " ORDER BY ordering DESC LIMIT ?" : " ORDER BY ordering ASC LIMIT ?";
    auto rows = readEvents(sql, std::move(values), query.limit);
    if (!rows)
        return std::move(rows).error();

    StorePage out;
    const bool more = rows->more;
    out.page.events = std::move(rows->events);
    out.lastOrdering = rows->lastOrdering;
    if (!out.lastOrdering)
        out.lastOrdering = from;
    out.page.next = more && out.lastOrdering ? tokenFor(*out.lastOrdering) : std::string();
    out.page.reachedSince = since.has_value() && !more;
    out.exhausted = !more && !since;
    return out;
}

Result<std::optional<nlohmann::json>> RoomStore::event(const std::string &roomId, const std::string &eventId)
{
    auto st = cached("SELECT json, age_ts FROM timeline WHERE room_id = ?1 AND event_id = ?2", roomId, eventId);
    if (!st)
        return std::move(st).error();
    return (*st)->firstRow(
        [this](const storage::Statement &row) { return withAge(row.columnText(0), row.columnInt64(1)); });
}

Result<std::int64_t> RoomStore::timelineCount(const std::string &roomId)
{
    auto st = cached("SELECT COUNT(*) FROM timeline WHERE room_id = ?1", roomId);
    if (!st)
        return std::move(st).error();
    auto count = (*st)->firstRow([](const storage::Statement &row) { return row.columnInt64(0); });
    if (!count)
        return std::move(count).error();
    return count->value_or(0);
}

Result<void> RoomStore::clearTimeline(const std::string &roomId)
{
    m_nextOrdering.erase(roomId);
    return run("DELETE FROM timeline WHERE room_id = ?1", roomId);
}

Result<bool> RoomStore::redact(const std::string &roomId, const std::string &eventId, const nlohmann::json &redaction)
{
    bool found = false;
    // the event as stored, if it is there and parses
    const auto storedEvent = [&](const std::string &sql) -> Result<std::optional<nlohmann::json>> {
        auto st = cached(sql, roomId, eventId);
        if (!st)
            return std::move(st).error();
        auto ev = (*st)->firstRow([](const storage::Statement &row) { return parsedJson(row, 0); });
        (*st)->reset();
        if (ev && *ev && (**ev).is_discarded())
            return std::optional<nlohmann::json>();
        return ev;
    };
    auto inTimeline = storedEvent("SELECT json FROM timeline WHERE room_id = ?1 AND event_id = ?2");
    if (!inTimeline)
        return std::move(inTimeline).error();
    if (auto &ev = *inTimeline) {
        redactEvent(*ev, redaction);
        TRY(run("UPDATE timeline SET json = ?3, msgtype = NULL, relates_to = NULL, rel_type = NULL "
                "WHERE room_id = ?1 AND event_id = ?2",
                roomId, eventId, storedJson(*ev)));
        found = true;
    }
    auto inState = storedEvent("SELECT json FROM state WHERE room_id = ?1 AND event_id = ?2");
    if (!inState)
        return std::move(inState).error();
    if (auto &ev = *inState) {
        redactEvent(*ev, redaction);
        TRY(putState(*ev));
        found = true;
    }
    return found;
}

Result<RelationsPage> RoomStore::relations(const RelationsQuery &query)
{
    if (query.eventId.empty())
        return badRequest("an event id is required");
    if (query.limit < 1 || query.limit > kMaxPageSize)
        return badRequest("limit must be between 1 and " + std::to_string(kMaxPageSize));
    if (query.eventType && !query.relType)
        return badRequest("an event type filter needs a relation type");
    const bool backwards = query.direction != Direction::Forwards;
    std::optional<std::int64_t> from;
    std::optional<std::int64_t> to;
    if (!query.from.empty() && !(from = parseToken(query.from)))
        return badRequest("'" + query.from.substr(0, 64) + "' is not a pagination token of this room");
    if (!query.to.empty() && !(to = parseToken(query.to)))
        return badRequest("'" + query.to.substr(0, 64) + "' is not a pagination token of this room");

    std::string sql = "SELECT ordering, json, age_ts FROM timeline WHERE room_id = ? AND relates_to = ?";
    std::vector<storage::SqlValue> values{query.roomId, query.eventId};
    if (query.relType) {
        sql += " AND rel_type = ?";
        values.emplace_back(*query.relType);
    }
    if (query.eventType) {
        sql += " AND type = ?";
        values.emplace_back(*query.eventType);
    }
    if (from) {
        sql += backwards ? " AND ordering < ?" : " AND ordering > ?";
        values.emplace_back(*from);
    }
    if (to) {
        sql += backwards ? " AND ordering > ?" : " AND ordering < ?";
        values.emplace_back(*to);
    }
    sql += backwards ? " ORDER BY ordering DESC LIMIT ?" : " ORDER BY ordering ASC LIMIT ?";
    auto rows = readEvents(sql, std::move(values), query.limit);
    if (!rows)
        return std::move(rows).error();

    RelationsPage out;
    out.chunk = std::move(rows->events);
    if (rows->more)
        out.nextBatch = tokenFor(*rows->lastOrdering);
    out.prevBatch = query.from;
    return out;
}

Result<void> RoomStore::putRoomAccountData(const std::string &roomId, const std::string &type,
                                           const nlohmann::json &content)
{
    return run("INSERT INTO room_account_data (room_id, type, content) VALUES (?1, ?2, ?3) "
               "ON CONFLICT (room_id, type) DO UPDATE SET content = excluded.content",
               roomId, type, storedJson(content));
}

Result<std::optional<nlohmann::json>> RoomStore::roomAccountData(const std::string &roomId, const std::string &type)
{
    auto st = cached("SELECT content FROM room_account_data WHERE room_id = ?1 AND type = ?2", roomId, type);
    if (!st)
        return std::move(st).error();
    auto content = (*st)->firstRow([](const storage::Statement &row) { return parsedJson(row, 0); });
    if (!content)
        return std::move(content).error();
    if (!*content || (**content).is_discarded())
        return std::optional<nlohmann::json>();
    return std::optional<nlohmann::json>(
        nlohmann::json{{"type", type}, {"room_id", roomId}, {"content", std::move(**content)}});
}

Result<std::optional<std::string>> RoomStore::setting(const std::string &key)
{
    auto st = cached("SELECT value FROM settings WHERE key = ?1", key);
    if (!st)
        return std::move(st).error();
    return (*st)->firstRow([](const storage::Statement &row) { return std::string(row.columnText(0)); });
}

Result<void> RoomStore::setSetting(const std::string &key, const std::string &value)
{
    return run("INSERT INTO settings (key, value) VALUES (?1, ?2) "
               "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
               key, value);
}

} // namespace tessera::matrix
