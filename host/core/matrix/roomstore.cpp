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

Result<void> bindOptional(storage::Statement &st, int index, const std::optional<std::string> &value)
{
    return value ? st.bindText(index, *value) : st.bindNull(index);
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
    auto st = cached("INSERT INTO rooms (room_id, membership) VALUES (?1, ?2) "
                     "ON CONFLICT (room_id) DO UPDATE SET membership = excluded.membership");
    if (!st)
        return std::move(st).error();
    TRY((*st)->bindText(1, roomId));
    TRY((*st)->bindText(2, membershipName(membership)));
    return (*st)->run();
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
    for (;;) {
        auto row = st.step();
        if (!row)
            return std::move(row).error();
        if (!*row)
            break;
        RoomRow r;
        RoomInfo &info = r.info;
        info.roomId = std::string(st.columnText(0));
        info.membership = parseMembership(st.columnText(1));
        info.name = std::string(st.columnText(2));
        info.topic = std::string(st.columnText(3));
        info.encrypted = st.columnInt64(4) != 0;
        info.canonicalAlias = std::string(st.columnText(5));
        info.avatarUrl = std::string(st.columnText(6));
        if (!st.isNull(7)) {
            const auto heroes = nlohmann::json::parse(st.columnText(7), nullptr, false);
            if (heroes.is_array()) {
                r.heroes.emplace();
                for (const auto &h : heroes) {
                    if (h.is_string() && r.heroes->size() < kMaxHeroes)
                        r.heroes->push_back(h.get<std::string>());
                }
            }
        }
        if (!st.isNull(8))
            r.joined = st.columnInt64(8);
        if (!st.isNull(9))
            r.invited = st.columnInt64(9);
        out.push_back(std::move(r));
    }
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
                     "WHERE room_id = ?1 AND type = 'm.room.member' ORDER BY state_key");
    if (!st)
        return std::move(st).error();
    TRY((*st)->bindText(1, roomId));
    std::vector<RoomMember> out;
    for (;;) {
        auto row = (*st)->step();
        if (!row)
            return std::move(row).error();
        if (!*row)
            break;
        RoomMember m;
        m.userId = std::string((*st)->columnText(0));
        m.displayName = (*st)->isNull(1) ? std::string() : std::string((*st)->columnText(1));
        m.membership = parseMembership((*st)->columnText(2));
        m.avatarUrl = (*st)->isNull(3) ? std::string() : std::string((*st)->columnText(3));
        out.push_back(std::move(m));
    }
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
    auto st = cached(std::string(kRoomInfoSql) + " WHERE r.room_id = ?1");
    if (!st)
        return std::move(st).error();
    TRY((*st)->bindText(1, roomId));
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
        auto st = cached("UPDATE rooms SET heroes = ?2 WHERE room_id = ?1");
        if (!st)
            return std::move(st).error();
        TRY((*st)->bindText(1, roomId));
        TRY((*st)->bindText(2, heroes.dump()));
        TRY((*st)->run());
    }
    for (const auto &[key, column] : {std::pair{"m.joined_member_count", "joined_count"},
                                       std::pair{"m.invited_member_count", "invited_count"}}) {
        auto c = summary.find(key);
        if (c == summary.end() || !c->is_number_integer())
            continue;
        auto st = cached(std::string("UPDATE rooms SET ") + column + " = ?2 WHERE room_id = ?1");
        if (!st)
            return std::move(st).error();
        TRY((*st)->bindText(1, roomId));
        TRY((*st)->bindInt64(2, std::max<std::int64_t>(0, c->get<std::int64_t>())));
        TRY((*st)->run());
    }
    return {};
}

Result<void> RoomStore::setBackfillToken(const std::string &roomId, const std::optional<std::string> &token)
{
    auto st = cached("UPDATE rooms SET backfill_token = ?2 WHERE room_id = ?1");
    if (!st)
        return std::move(st).error();
    TRY((*st)->bindText(1, roomId));
    TRY(bindOptional(**st, 2, token));
    return (*st)->run();
}

Result<std::optional<std::string>> RoomStore::backfillToken(const std::string &roomId)
{
    auto st = cached("SELECT backfill_token FROM rooms WHERE room_id = ?1");
    if (!st)
        return std::move(st).error();
    TRY((*st)->bindText(1, roomId));
    auto row = (*st)->step();
    if (!row)
        return std::move(row).error();
    if (!*row || (*st)->isNull(0))
        return std::optional<std::string>();
    return std::optional<std::string>(std::string((*st)->columnText(0)));
}

Result<void> RoomStore::putState(const nlohmann::json &event)
{
    const auto roomId = stringAt(event, "room_id");
    const auto type = stringAt(event, "type");
    const auto stateKey = stringAt(event, "state_key");
    if (!roomId || !type || !stateKey)
        return Error(ErrorCode::BadRequest, "a state event needs room_id, type and state_key");
    auto st = cached("INSERT INTO state (room_id, type, state_key, event_id, json) VALUES (?1, ?2, ?3, ?4, ?5) "
                     "ON CONFLICT (room_id, type, state_key) DO UPDATE SET event_id = excluded.event_id, "
                     "json = excluded.json");
    if (!st)
        return std::move(st).error();
    TRY((*st)->bindText(1, *roomId));
    TRY((*st)->bindText(2, *type));
    TRY((*st)->bindText(3, *stateKey));
    TRY((*st)->bindText(4, stringAt(event, "event_id").value_or("")));
    TRY((*st)->bindText(5, event.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
    return (*st)->run();
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
    auto st = stateKey ? cached("SELECT json FROM state WHERE room_id = ?1 AND type = ?2 AND state_key = ?3")
                       : cached("SELECT json FROM state WHERE room_id = ?1 AND type = ?2 ORDER BY state_key");
    if (!st)
        return std::move(st).error();
    TRY((*st)->bindText(1, roomId));
    TRY((*st)->bindText(2, type));
    if (stateKey)
        TRY((*st)->bindText(3, *stateKey));
    std::vector<nlohmann::json> out;
    for (;;) {
        auto row = (*st)->step();
        if (!row)
            return std::move(row).error();
        if (!*row)
            break;
        auto ev = nlohmann::json::parse((*st)->columnText(0), nullptr, false);
        if (!ev.is_discarded())
            out.push_back(std::move(ev));
    }
    return out;
}

Result<std::vector<nlohmann::json>> RoomStore::allState(const std::string &roomId)
{
    auto st = cached("SELECT json FROM state WHERE room_id = ?1 ORDER BY type, state_key");
    if (!st)
        return std::move(st).error();
    TRY((*st)->bindText(1, roomId));
    std::vector<nlohmann::json> out;
    for (;;) {
        auto row = (*st)->step();
        if (!row)
            return std::move(row).error();
        if (!*row)
            break;
        auto ev = nlohmann::json::parse((*st)->columnText(0), nullptr, false);
        if (!ev.is_discarded())
            out.push_back(std::move(ev));
    }
    return out;
}

Result<void> RoomStore::clearState(const std::string &roomId)
{
    auto st = cached("DELETE FROM state WHERE room_id = ?1");
    if (!st)
        return std::move(st).error();
    TRY((*st)->bindText(1, roomId));
    return (*st)->run();
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

    auto st = cached("INSERT OR IGNORE INTO timeline (room_id, ordering, event_id, type, state_key, msgtype, "
                     "relates_to, rel_type, age_ts, json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    if (!st)
        return std::move(st).error();
    TRY((*st)->bindText(1, *roomId));
    TRY((*st)->bindInt64(2, ordering));
    TRY((*st)->bindText(3, *eventId));
    TRY((*st)->bindText(4, *type));
    TRY(bindOptional(**st, 5, stateKeyOf(event)));
    TRY(bindOptional(**st, 6, msgtype));
    TRY(bindOptional(**st, 7, relatesTo));
    TRY(bindOptional(**st, 8, relType));
    TRY((*st)->bindInt64(9, ageTsMs));
    TRY((*st)->bindText(10, stored.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
    TRY((*st)->run());
    return m_db.changes() > 0;
}

Result<bool> RoomStore::appendEvent(const nlohmann::json &event, std::int64_t ageTsMs)
{
    const std::string roomId = stringAt(event, "room_id").value_or("");
    auto next = m_nextOrdering.find(roomId);
    if (next == m_nextOrdering.end()) {
        // one lookup per room; afterwards this connection is the only writer of its timeline
        auto st = cached("SELECT MAX(ordering) FROM timeline WHERE room_id = ?1");
        if (!st)
            return std::move(st).error();
        TRY((*st)->bindText(1, roomId));
        auto row = (*st)->step();
        if (!row)
            return std::move(row).error();
        const std::int64_t first = (*row && !(*st)->isNull(0)) ? (*st)->columnInt64(0) + 1 : 0;
        (*st)->reset();
        next = m_nextOrdering.emplace(roomId, first).first;
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
    auto st = cached("SELECT MIN(ordering) FROM timeline WHERE room_id = ?1");
    if (!st)
        return std::move(st).error();
    TRY((*st)->bindText(1, stringAt(event, "room_id").value_or("")));
    auto row = (*st)->step();
    if (!row)
        return std::move(row).error();
    const std::int64_t next = (*row && !(*st)->isNull(0)) ? (*st)->columnInt64(0) - 1 : 0;
    return insertEvent(event, next, ageTsMs);
}

Result<std::optional<std::int64_t>> RoomStore::orderingOf(const std::string &roomId, const std::string &eventId)
{
    auto st = cached("SELECT ordering FROM timeline WHERE room_id = ?1 AND event_id = ?2");
    if (!st)
        return std::move(st).error();
    TRY((*st)->bindText(1, roomId));
    TRY((*st)->bindText(2, eventId));
    auto row = (*st)->step();
    if (!row)
        return std::move(row).error();
    if (!*row)
        return std::optional<std::int64_t>();
    return std::optional<std::int64_t>((*st)->columnInt64(0));
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

    std::string sql = "SELECT ordering, json, age_ts FROM timeline WHERE room_id = ?";
    if (from)
        sql += backwards ? " AND ordering < ?" : " AND ordering > ?";
    if (since)
        sql += " AND ordering > ?";
    if (!query.filter.types.empty()) {
        sql += " AND type IN (";
        for (std::size_t i = 0; i < query.filter.types.size(); ++i)
            sql += i ? ", ?" : "?";
        sql += ")";
    }
    if (query.filter.msgtype)
        sql += " AND msgtype = ?";
    switch (query.filter.state) {
    case EventFilter::StateMatch::Any: break;
    case EventFilter::StateMatch::NotState: sql += " AND state_key IS NULL"; break;
    case EventFilter::StateMatch::AnyStateKey: sql += " AND state_key IS NOT NULL"; break;
    case EventFilter::StateMatch::StateKey: sql += " AND state_key = ?"; break;
    }
    sql += backwards ? " ORDER BY ordering DESC LIMIT ?" : " ORDER BY ordering ASC LIMIT ?";

    auto st = cached(sql);
    if (!st)
        return std::move(st).error();
    int i = 1;
    TRY((*st)->bindText(i++, query.roomId));
    if (from)
        TRY((*st)->bindInt64(i++, *from));
    if (since)
        TRY((*st)->bindInt64(i++, *since));
    for (const auto &t : query.filter.types)
        TRY((*st)->bindText(i++, t));
    if (query.filter.msgtype)
        TRY((*st)->bindText(i++, *query.filter.msgtype));
    if (query.filter.state == EventFilter::StateMatch::StateKey)
        TRY((*st)->bindText(i++, query.filter.stateKey));
    TRY((*st)->bindInt64(i++, query.limit + 1));

    StorePage out;
    bool more = false;
    for (;;) {
        auto row = (*st)->step();
        if (!row)
            return std::move(row).error();
        if (!*row)
            break;
        if (static_cast<int>(out.page.events.size()) == query.limit) {
            more = true;
            break;
        }
        out.lastOrdering = (*st)->columnInt64(0);
        out.page.events.push_back(withAge((*st)->columnText(1), (*st)->columnInt64(2)));
    }
    if (!out.lastOrdering)
        out.lastOrdering = from;
    out.page.next = more && out.lastOrdering ? tokenFor(*out.lastOrdering) : std::string();
    out.page.reachedSince = since.has_value() && !more;
    out.exhausted = !more && !since;
    return out;
}

Result<std::optional<nlohmann::json>> RoomStore::event(const std::string &roomId, const std::string &eventId)
{
    auto st = cached("SELECT json, age_ts FROM timeline WHERE room_id = ?1 AND event_id = ?2");
    if (!st)
        return std::move(st).error();
    TRY((*st)->bindText(1, roomId));
    TRY((*st)->bindText(2, eventId));
    auto row = (*st)->step();
    if (!row)
        return std::move(row).error();
    if (!*row)
        return std::optional<nlohmann::json>();
    return std::optional<nlohmann::json>(withAge((*st)->columnText(0), (*st)->columnInt64(1)));
}

Result<std::int64_t> RoomStore::timelineCount(const std::string &roomId)
{
    auto st = cached("SELECT COUNT(*) FROM timeline WHERE room_id = ?1");
    if (!st)
        return std::move(st).error();
    TRY((*st)->bindText(1, roomId));
    auto row = (*st)->step();
    if (!row)
        return std::move(row).error();
    return *row ? (*st)->columnInt64(0) : 0;
}

Result<void> RoomStore::clearTimeline(const std::string &roomId)
{
    m_nextOrdering.erase(roomId);
    auto st = cached("DELETE FROM timeline WHERE room_id = ?1");
    if (!st)
        return std::move(st).error();
    TRY((*st)->bindText(1, roomId));
    return (*st)->run();
}

Result<bool> RoomStore::redact(const std::string &roomId, const std::string &eventId, const nlohmann::json &redaction)
{
    bool found = false;
    {
        auto st = cached("SELECT json FROM timeline WHERE room_id = ?1 AND event_id = ?2");
        if (!st)
            return std::move(st).error();
        TRY((*st)->bindText(1, roomId));
        TRY((*st)->bindText(2, eventId));
        auto row = (*st)->step();
        if (!row)
            return std::move(row).error();
        if (*row) {
            auto ev = nlohmann::json::parse((*st)->columnText(0), nullptr, false);
            (*st)->reset();
            if (!ev.is_discarded()) {
                redactEvent(ev, redaction);
                auto up = cached("UPDATE timeline SET json = ?3, msgtype = NULL, relates_to = NULL, rel_type = NULL "
                                 "WHERE room_id = ?1 AND event_id = ?2");
                if (!up)
                    return std::move(up).error();
                TRY((*up)->bindText(1, roomId));
                TRY((*up)->bindText(2, eventId));
                TRY((*up)->bindText(3, ev.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
                TRY((*up)->run());
                found = true;
            }
        }
    }
    auto st = cached("SELECT type, state_key, json FROM state WHERE room_id = ?1 AND event_id = ?2");
    if (!st)
        return std::move(st).error();
    TRY((*st)->bindText(1, roomId));
    TRY((*st)->bindText(2, eventId));
    auto row = (*st)->step();
    if (!row)
        return std::move(row).error();
    if (*row) {
        auto ev = nlohmann::json::parse((*st)->columnText(2), nullptr, false);
        (*st)->reset();
        if (!ev.is_discarded()) {
            redactEvent(ev, redaction);
            TRY(putState(ev));
            found = true;
        }
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
    if (query.relType)
        sql += " AND rel_type = ?";
    if (query.eventType)
        sql += " AND type = ?";
    if (from)
        sql += backwards ? " AND ordering < ?" : " AND ordering > ?";
    if (to)
        sql += backwards ? " AND ordering > ?" : " AND ordering < ?";
    sql += backwards ? " ORDER BY ordering DESC LIMIT ?" : " ORDER BY ordering ASC LIMIT ?";
    auto st = cached(sql);
    if (!st)
        return std::move(st).error();
    int i = 1;
    TRY((*st)->bindText(i++, query.roomId));
    TRY((*st)->bindText(i++, query.eventId));
    if (query.relType)
        TRY((*st)->bindText(i++, *query.relType));
    if (query.eventType)
        TRY((*st)->bindText(i++, *query.eventType));
    if (from)
        TRY((*st)->bindInt64(i++, *from));
    if (to)
        TRY((*st)->bindInt64(i++, *to));
    TRY((*st)->bindInt64(i++, query.limit + 1));

    RelationsPage out;
    std::optional<std::int64_t> last;
    for (;;) {
        auto row = (*st)->step();
        if (!row)
            return std::move(row).error();
        if (!*row)
            break;
        if (static_cast<int>(out.chunk.size()) == query.limit) {
            out.nextBatch = tokenFor(*last);
            break;
        }
        last = (*st)->columnInt64(0);
        out.chunk.push_back(withAge((*st)->columnText(1), (*st)->columnInt64(2)));
    }
    out.prevBatch = query.from;
    return out;
}

Result<void> RoomStore::putRoomAccountData(const std::string &roomId, const std::string &type,
                                           const nlohmann::json &content)
{
    auto st = cached("INSERT INTO room_account_data (room_id, type, content) VALUES (?1, ?2, ?3) "
                     "ON CONFLICT (room_id, type) DO UPDATE SET content = excluded.content");
    if (!st)
        return std::move(st).error();
    TRY((*st)->bindText(1, roomId));
    TRY((*st)->bindText(2, type));
    TRY((*st)->bindText(3, content.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
    return (*st)->run();
}

Result<std::optional<nlohmann::json>> RoomStore::roomAccountData(const std::string &roomId, const std::string &type)
{
    auto st = cached("SELECT content FROM room_account_data WHERE room_id = ?1 AND type = ?2");
    if (!st)
        return std::move(st).error();
    TRY((*st)->bindText(1, roomId));
    TRY((*st)->bindText(2, type));
    auto row = (*st)->step();
    if (!row)
        return std::move(row).error();
    if (!*row)
        return std::optional<nlohmann::json>();
    auto content = nlohmann::json::parse((*st)->columnText(0), nullptr, false);
    if (content.is_discarded())
        return std::optional<nlohmann::json>();
    return std::optional<nlohmann::json>(nlohmann::json{{"type", type}, {"room_id", roomId}, {"content", content}});
}

Result<std::optional<std::string>> RoomStore::setting(const std::string &key)
{
    auto st = cached("SELECT value FROM settings WHERE key = ?1");
    if (!st)
        return std::move(st).error();
    TRY((*st)->bindText(1, key));
    auto row = (*st)->step();
    if (!row)
        return std::move(row).error();
    if (!*row)
        return std::optional<std::string>();
    return std::optional<std::string>(std::string((*st)->columnText(0)));
}

Result<void> RoomStore::setSetting(const std::string &key, const std::string &value)
{
    auto st = cached("INSERT INTO settings (key, value) VALUES (?1, ?2) "
                     "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    if (!st)
        return std::move(st).error();
    TRY((*st)->bindText(1, key));
    TRY((*st)->bindText(2, value));
    return (*st)->run();
}

} // namespace tessera::matrix
