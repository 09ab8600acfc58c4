// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The local backend's export and import of a room as JSON, every imported event checked first.

#include "matrix/localbackend.h"
#include "matrix/localbackend_internal.h"

#include <algorithm>
#include <set>

namespace tessera::matrix {

namespace {

/** Finds the byte where JSON text stops being valid, for an import error message. */
class ErrorPosition final : public nlohmann::json_sax<nlohmann::json> {
public:
    bool null() override { return true; }
    bool boolean(bool) override { return true; }
    bool number_integer(number_integer_t) override { return true; }
    bool number_unsigned(number_unsigned_t) override { return true; }
    bool number_float(number_float_t, const string_t &) override { return true; }
    bool string(string_t &) override { return true; }
    bool binary(binary_t &) override { return true; }
    bool start_object(std::size_t) override { return true; }
    bool key(string_t &) override { return true; }
    bool end_object() override { return true; }
    bool start_array(std::size_t) override { return true; }
    bool end_array() override { return true; }
    bool parse_error(std::size_t position, const std::string &, const nlohmann::detail::exception &) override
    {
        m_position = position;
        return false;
    }
    std::size_t m_position = 0;
};

Result<void> checkImportedEvent(const nlohmann::json &ev, const std::string &where, const std::string &roomId,
                                bool mustBeState)
{
    auto fail = [&](const std::string &what) { return Error(ErrorCode::BadRequest, where + ": " + what); };
    if (!ev.is_object())
        return fail("must be a JSON object");
    const auto str = [&](const char *key) -> const std::string * {
        const auto it = ev.find(key);
        return it != ev.end() && it->is_string() ? &it->get_ref<const std::string &>() : nullptr;
    };
    const std::string *type = str("type");
    if (!type || type->empty() || type->size() > kMaxTypeOrStateKeyBytes)
        return fail("'type' must be a string of 1 to 255 bytes");
    const std::string *eventId = str("event_id");
    if (!eventId || eventId->size() < 2 || eventId->front() != '$' || eventId->size() > 255)
        return fail("'event_id' must be a string starting with '$'");
    const std::string *sender = str("sender");
    if (!sender || !isValidUserId(*sender))
        return fail("'sender' must be a user id like @name:server");
    const auto ts = ev.find("origin_server_ts");
    if (ts == ev.end() || !ts->is_number_integer() || ts->get<std::int64_t>() < 0)
        return fail("'origin_server_ts' must be a non-negative integer");
    const auto content = ev.find("content");
    if (content == ev.end() || !content->is_object())
        return fail("'content' must be a JSON object");
    if (const auto r = ev.find("room_id"); r != ev.end() && (!r->is_string() || r->get<std::string>() != roomId))
        return fail("'room_id' differs from the room's id " + roomId);
    const auto sk = ev.find("state_key");
    if (sk != ev.end() && (!sk->is_string() || sk->get_ref<const std::string &>().size() > kMaxTypeOrStateKeyBytes))
        return fail("'state_key' must be a string of at most 255 bytes");
    if (mustBeState && sk == ev.end())
        return fail("a state event needs a 'state_key'");
    if (ev.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).size() > kMaxEventBytes)
        return fail("the event is larger than 65536 bytes");
    return {};
}

} // namespace

// --- import / export --------------------------------------------------------------------------

Result<std::string> LocalBackend::exportRoom(const std::string &roomId)
{
    auto info = m_store->room(roomId);
    if (!info)
        return std::move(info).error();
    if (!*info)
        return Error(ErrorCode::NotFound, "there is no local room " + roomId);
    auto state = m_store->allState(roomId);
    if (!state)
        return std::move(state).error();
    nlohmann::json timeline = nlohmann::json::array();
    TimelineQuery q;
    q.roomId = roomId;
    q.direction = Direction::Forwards;
    q.limit = kMaxPageSize;
    for (;;) {
        auto page = m_store->readTimeline(q);
        if (!page)
            return std::move(page).error();
        for (auto &ev : page->page.events) {
            ev["unsigned"].erase("age");
            if (ev["unsigned"].empty())
                ev.erase("unsigned");
            timeline.push_back(std::move(ev));
        }
        if (page->page.next.empty())
            break;
        q.from = page->page.next;
    }
    nlohmann::json stateArray = nlohmann::json::array();
    for (auto &ev : *state) {
        if (ev.contains("unsigned") && ev["unsigned"].empty())
            ev.erase("unsigned");
        stateArray.push_back(std::move(ev));
    }
    nlohmann::json doc = {
        {"format", kExportFormat},
        {"version", kExportVersion},
        {"room_id", roomId},
        {"state", std::move(stateArray)},
        {"timeline", std::move(timeline)},
    };
    return doc.dump(1, '\t', false, nlohmann::json::error_handler_t::replace);
}

Result<std::string> LocalBackend::importRoom(std::string_view json)
{
    auto bad = [](const std::string &what) { return Error(ErrorCode::BadRequest, "cannot import the room: " + what); };
    if (json.size() > m_options.maxImportBytes)
        return bad("the file is larger than the import limit of " + std::to_string(m_options.maxImportBytes) +
                   " bytes");
    nlohmann::json doc = nlohmann::json::parse(json, nullptr, false);
    if (doc.is_discarded()) {
        ErrorPosition where;
        (void)nlohmann::json::sax_parse(json, &where, nlohmann::json::input_format_t::json, false);
        return bad("not valid JSON (the error is at byte " + std::to_string(where.m_position) + ")");
    }
    if (!doc.is_object())
        return bad("the file must hold a JSON object");
    if (jsonString(doc, "format") != kExportFormat)
        return bad("'format' must be \"" + std::string(kExportFormat) + "\"; this is not a Tessera room export");
    if (!doc.contains("version") || !doc["version"].is_number_integer())
        return bad("'version' must be an integer");
    if (doc["version"].get<std::int64_t>() != kExportVersion)
        return Error(ErrorCode::Unsupported, "cannot import the room: export version " +
                                                 std::to_string(doc["version"].get<std::int64_t>()) +
                                                 " is not supported (this Tessera reads version " +
                                                 std::to_string(kExportVersion) + ")");
    if (!doc.contains("room_id") || !doc["room_id"].is_string())
        return bad("'room_id' must be a string");
    const std::string roomId = doc["room_id"].get<std::string>();
    if (roomId.size() < 4 || roomId.front() != '!' || roomId.find(':') == std::string::npos || roomId.size() > 255)
        return bad("'room_id' must look like !opaque:server");
    if (!doc.contains("state") || !doc["state"].is_array())
        return bad("'state' must be an array of events");
    if (!doc.contains("timeline") || !doc["timeline"].is_array())
        return bad("'timeline' must be an array of events");
    const auto &state = doc["state"];
    const auto &timeline = doc["timeline"];
    if (state.size() + timeline.size() > m_options.maxImportEvents)
        return bad("it holds " + std::to_string(state.size() + timeline.size()) + " events; the limit is " +
                   std::to_string(m_options.maxImportEvents));

    bool hasCreate = false;
    std::set<std::pair<std::string, std::string>> stateKeys;
    for (std::size_t i = 0; i < state.size(); ++i) {
        const std::string where = "state[" + std::to_string(i) + "]";
        if (auto r = checkImportedEvent(state[i], where, roomId, true); !r)
            return bad(r.error().message);
        const std::pair key{state[i]["type"].get<std::string>(), state[i]["state_key"].get<std::string>()};
        if (!stateKeys.insert(key).second)
            return bad(where + ": a second event for (" + key.first + ", '" + key.second + "')");
        if (key.first == "m.room.create" && key.second.empty())
            hasCreate = true;
    }
    if (!hasCreate)
        return bad("the state has no m.room.create event");
    std::set<std::string> eventIds;
    for (std::size_t i = 0; i < timeline.size(); ++i) {
        const std::string where = "timeline[" + std::to_string(i) + "]";
        if (auto r = checkImportedEvent(timeline[i], where, roomId, false); !r)
            return bad(r.error().message);
        if (!eventIds.insert(timeline[i]["event_id"].get<std::string>()).second)
            return bad(where + ": event id " + timeline[i]["event_id"].get<std::string>() + " appears twice");
    }
    auto existing = m_store->room(roomId);
    if (!existing)
        return std::move(existing).error();
    if (*existing)
        return Error(ErrorCode::Conflict, "cannot import the room: " + roomId + " already exists here");

    Changes changes;
    auto tx = m_db.begin();
    if (!tx)
        return std::move(tx).error();
    std::optional<Membership> own;
    for (auto ev : state) {
        ev["room_id"] = roomId;
        TRY(m_store->putState(ev));
        if (ev["type"] == "m.room.member" && ev["state_key"] == m_userId)
            own = parseMembership(jsonString(ev["content"], "membership"));
    }
    const std::int64_t now = m_scheduler.wallClockMs();
    for (auto ev : timeline) {
        ev["room_id"] = roomId;
        const std::int64_t ts = ev["origin_server_ts"].get<std::int64_t>();
        auto added = m_store->appendEvent(ev, std::min(ts, now));
        if (!added)
            return std::move(added).error();
    }
    TRY(m_store->setMembership(roomId, own.value_or(Membership::Leave)));
    if (own != Membership::Join) {
        auto ev = appendEvent(roomId, "m.room.member", {{"membership", "join"}}, m_userId, changes);
        if (!ev)
            return std::move(ev).error();
    }
    TRY(tx->commit());
    changes.roomsChanged.push_back(roomId);
    publish(std::move(changes));
    return roomId;
}

} // namespace tessera::matrix
