// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "homeserverimpl.h"

#include <algorithm>
#include <charconv>

namespace tessera::e2e {

using namespace detail;

namespace {

constexpr int kDefaultTimelineLimit = 10;
constexpr std::size_t kMaxToDevicePerSync = 100; // Synapse's per-sync to-device cap

// Filter type patterns may end in '*' (spec: "A '*' can be used as a wildcard").
bool globMatches(const std::string &pattern, const std::string &value)
{
    if (!pattern.empty() && pattern.back() == '*') {
        return value.compare(0, pattern.size() - 1, pattern, 0, pattern.size() - 1) == 0;
    }
    return pattern == value;
}

bool anyMatches(const std::vector<std::string> &patterns, const std::string &value)
{
    return std::any_of(patterns.begin(), patterns.end(), [&](const std::string &p) { return globMatches(p, value); });
}

Result<std::optional<std::vector<std::string>>> stringList(const Json &json, const char *key)
{
    if (!json.contains(key)) {
        return std::optional<std::vector<std::string>>();
    }
    const Json &list = json[key];
    if (!list.is_array()) {
        return mxError(400, "M_BAD_JSON", std::string("filter '") + key + "' must be a list of strings");
    }
    std::vector<std::string> out;
    for (const Json &item : list) {
        if (!item.is_string()) {
            return mxError(400, "M_BAD_JSON", std::string("filter '") + key + "' must be a list of strings");
        }
        out.push_back(item.get<std::string>());
    }
    return std::optional<std::vector<std::string>>(std::move(out));
}

std::optional<std::uint64_t> parseNumber(std::string_view text)
{
    std::uint64_t value = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) {
        return std::nullopt;
    }
    return value;
}

} // namespace

// --- filters and tokens ------------------------------------------------------------------------

namespace detail {

bool EventFilter::matches(const Json &event) const
{
    const std::string type = event.value("type", "");
    const std::string sender = event.value("sender", "");
    if (types && !anyMatches(*types, type)) {
        return false;
    }
    if (anyMatches(notTypes, type)) {
        return false;
    }
    if (senders && std::find(senders->begin(), senders->end(), sender) == senders->end()) {
        return false;
    }
    return std::find(notSenders.begin(), notSenders.end(), sender) == notSenders.end();
}

Result<EventFilter> EventFilter::parse(const Json &json)
{
    if (!json.is_object()) {
        return mxError(400, "M_BAD_JSON", "an event filter must be a JSON object");
    }
    EventFilter filter;
    auto types = stringList(json, "types");
    auto notTypes = stringList(json, "not_types");
    auto senders = stringList(json, "senders");
    auto notSenders = stringList(json, "not_senders");
    for (auto *list : {&types, &notTypes, &senders, &notSenders}) {
        if (!*list) {
            return list->error();
        }
    }
    filter.types = *types;
    filter.notTypes = notTypes->value_or(std::vector<std::string>());
    filter.senders = *senders;
    filter.notSenders = notSenders->value_or(std::vector<std::string>());
    if (json.contains("limit")) {
        if (!json["limit"].is_number_integer() || json["limit"].get<long long>() < 1) {
            return mxError(400, "M_BAD_JSON", "filter 'limit' must be an integer of at least 1");
        }
        filter.limit = static_cast<int>(std::min<long long>(json["limit"].get<long long>(), 1000));
    }
    if (json.contains("lazy_load_members")) {
        if (!json["lazy_load_members"].is_boolean()) {
            return mxError(400, "M_BAD_JSON", "filter 'lazy_load_members' must be a boolean");
        }
        filter.lazyLoadMembers = json["lazy_load_members"].get<bool>();
    }
    return filter;
}

bool SyncFilter::roomAllowed(const std::string &roomId) const
{
    if (rooms && std::find(rooms->begin(), rooms->end(), roomId) == rooms->end()) {
        return false;
    }
    return std::find(notRooms.begin(), notRooms.end(), roomId) == notRooms.end();
}

Result<SyncFilter> SyncFilter::parse(const Json &json)
{
    if (!json.is_object()) {
        return mxError(400, "M_BAD_JSON", "a filter must be a JSON object");
    }
    SyncFilter filter;
    if (json.contains("account_data")) {
        auto parsed = EventFilter::parse(json["account_data"]);
        if (!parsed) {
            return parsed.error();
        }
        filter.accountData = *parsed;
    }
    if (!json.contains("room")) {
        return filter;
    }
    const Json &room = json["room"];
    if (!room.is_object()) {
        return mxError(400, "M_BAD_JSON", "filter 'room' must be an object");
    }
    auto rooms = stringList(room, "rooms");
    auto notRooms = stringList(room, "not_rooms");
    if (!rooms) {
        return rooms.error();
    }
    if (!notRooms) {
        return notRooms.error();
    }
    filter.rooms = *rooms;
    filter.notRooms = notRooms->value_or(std::vector<std::string>());
    if (room.contains("include_leave")) {
        if (!room["include_leave"].is_boolean()) {
            return mxError(400, "M_BAD_JSON", "filter 'include_leave' must be a boolean");
        }
        filter.includeLeave = room["include_leave"].get<bool>();
    }
    using Section = std::pair<const char *, EventFilter *>;
    for (const auto &[key, target] : {Section{"timeline", &filter.timeline}, Section{"state", &filter.state},
                                      Section{"account_data", &filter.roomAccountData}}) {
        if (!room.contains(key)) {
            continue;
        }
        auto parsed = EventFilter::parse(room[key]);
        if (!parsed) {
            return parsed.error();
        }
        *target = *parsed;
    }
    return filter;
}

std::string StreamToken::toString() const
{
    return "s" + std::to_string(eventsPos) + "_" + std::to_string(toDevicePos);
}

std::optional<StreamToken> StreamToken::parse(const std::string &text)
{
    if (text.size() < 2 || (text[0] != 's' && text[0] != 't')) {
        return std::nullopt;
    }
    const std::string_view body = std::string_view(text).substr(1);
    const std::size_t sep = body.find('_');
    const auto events = parseNumber(body.substr(0, sep));
    if (!events) {
        return std::nullopt;
    }
    StreamToken token{*events, *events};
    if (sep != std::string_view::npos) {
        const auto toDevice = parseNumber(body.substr(sep + 1));
        if (!toDevice) {
            return std::nullopt;
        }
        token.toDevicePos = *toDevice;
    }
    return token;
}

} // namespace detail

// --- filters endpoints -------------------------------------------------------------------------

TestHomeserver::Impl::Reply TestHomeserver::Impl::postFilter(Call &call)
{
    if (call.params[0] != call.session->userId) {
        return errorReply(403, "M_FORBIDDEN", "Cannot create filters for other users");
    }
    auto body = jsonBody(call);
    if (!body) {
        return replyFromError(body.error());
    }
    if (auto parsed = SyncFilter::parse(*body); !parsed) {
        return replyFromError(parsed.error());
    }
    std::lock_guard lock(m_mutex);
    User &user = m_users.at(call.session->userId);
    user.filters.push_back(*body);
    return okReply(Json{{"filter_id", std::to_string(user.filters.size() - 1)}});
}

TestHomeserver::Impl::Reply TestHomeserver::Impl::getFilter(Call &call)
{
    if (call.params[0] != call.session->userId) {
        return errorReply(403, "M_FORBIDDEN", "Cannot get filters for other users");
    }
    const auto id = parseNumber(call.params[1]);
    if (!id) {
        return errorReply(400, "M_UNKNOWN", "Invalid filter_id");
    }
    std::lock_guard lock(m_mutex);
    const User &user = m_users.at(call.session->userId);
    if (*id >= user.filters.size()) {
        return errorReply(404, "M_NOT_FOUND", "No such filter");
    }
    return okReply(user.filters[*id]);
}

// --- /sync -------------------------------------------------------------------------------------

Json TestHomeserver::Impl::accountDataEventsLocked(const AccountDataMap *entries, std::uint64_t fromPos,
                                                   std::uint64_t upToPos, const EventFilter &filter)
{
    Json events = Json::array();
    if (!entries) {
        return events;
    }
    for (const auto &[type, entry] : *entries) {
        if (entry.pos <= fromPos || entry.pos > upToPos) {
            continue;
        }
        Json event{{"type", type}, {"content", entry.content}};
        if (filter.matches(event)) {
            events.push_back(std::move(event));
        }
    }
    return events;
}

Json TestHomeserver::Impl::syncRoomLocked(const Room &room, const Session &session, std::uint64_t fromPos,
                                          std::uint64_t upToPos, bool fullState, const SyncFilter &filter)
{
    const std::string viewer = deviceKey(session);
    std::vector<const StoredEvent *> candidates;
    for (const StoredEvent &e : room.events) {
        if (e.pos > fromPos && e.pos <= upToPos && filter.timeline.matches(e.event)) {
            candidates.push_back(&e);
        }
    }
    const std::size_t limit = static_cast<std::size_t>(filter.timeline.limit.value_or(kDefaultTimelineLimit));
    bool limited = false;
    if (candidates.size() > limit) {
        candidates.erase(candidates.begin(), candidates.end() - static_cast<std::ptrdiff_t>(limit));
        limited = true;
    }
    // The timeline starts after `timelineStart`; `state` describes the room at that point.
    const std::uint64_t timelineStart = candidates.empty() ? upToPos : candidates.front()->pos - 1;
    if (!limited && fromPos == 0 && !candidates.empty()) {
        // Initial sync: limited when earlier events exist before the returned ones.
        for (const StoredEvent &e : room.events) {
            if (e.pos < candidates.front()->pos && filter.timeline.matches(e.event)) {
                limited = true;
                break;
            }
        }
    }
    Json state = Json::array();
    const auto stateThen = stateAtLocked(room, timelineStart);
    for (const auto &[key, index] : stateThen) {
        const StoredEvent &e = room.events[index];
        const bool changedInGap = e.pos > fromPos;
        if ((fullState || changedInGap) && filter.state.matches(e.event)) {
            state.push_back(clientEventLocked(room, e, viewer, false));
        }
    }
    Json timeline = Json::array();
    for (const StoredEvent *e : candidates) {
        timeline.push_back(clientEventLocked(room, *e, viewer, false, true));
    }
    return Json{{"timeline", {{"events", timeline}, {"prev_batch", "s" + std::to_string(timelineStart)},
                              {"limited", limited}}},
                {"state", {{"events", state}}},
                {"account_data", {{"events", Json::array()}}}};
}

Json TestHomeserver::Impl::roomSummaryLocked(const Room &room, const std::string &userId, std::uint64_t upToPos) const
{
    // m.heroes: up to 5 other joined or invited members, oldest membership first; when there
    // are none, those who left or were banned (the "Empty room (was …)" case).
    std::vector<std::pair<std::uint64_t, std::string>> in;
    std::vector<std::pair<std::uint64_t, std::string>> gone;
    std::int64_t joined = 0;
    std::int64_t invited = 0;
    for (const auto &[key, index] : stateAtLocked(room, upToPos)) {
        if (key.first != "m.room.member") {
            continue;
        }
        const StoredEvent &e = room.events[index];
        const std::string membership = e.event["content"].value("membership", "");
        joined += membership == "join" ? 1 : 0;
        invited += membership == "invite" ? 1 : 0;
        if (key.second == userId) {
            continue;
        }
        if (membership == "join" || membership == "invite") {
            in.emplace_back(e.pos, key.second);
        } else if (membership == "leave" || membership == "ban") {
            gone.emplace_back(e.pos, key.second);
        }
    }
    auto &heroes = in.empty() ? gone : in;
    std::sort(heroes.begin(), heroes.end());
    Json list = Json::array();
    for (std::size_t i = 0; i < heroes.size() && i < 5; ++i) {
        list.push_back(heroes[i].second);
    }
    return Json{{"m.heroes", list}, {"m.joined_member_count", joined}, {"m.invited_member_count", invited}};
}

Json TestHomeserver::Impl::syncLocked(const Session &session, const StreamToken *since, const SyncFilter &filter,
                                      bool fullState, std::uint64_t snapshotPos, std::uint64_t &toDeviceUpTo)
{
    const std::uint64_t sincePos = since ? since->eventsPos : 0;
    const User *user = nullptr;
    if (auto it = m_users.find(session.userId); it != m_users.end()) {
        user = &it->second;
    }
    // Account data: what changed since `since`; everything on an initial or full_state sync (as
    // Synapse) and for a room the client has not seen yet. Rooms the user is not in get none.
    const std::uint64_t accountDataFrom = fullState ? 0 : sincePos;
    auto roomAccountData = [&](const std::string &roomId, std::uint64_t fromPos) {
        const AccountDataMap *entries = nullptr;
        if (user) {
            if (auto it = user->roomAccountData.find(roomId); it != user->roomAccountData.end()) {
                entries = &it->second;
            }
        }
        return accountDataEventsLocked(entries, fromPos, snapshotPos, filter.roomAccountData);
    };
    Json join = Json::object();
    Json invite = Json::object();
    Json leave = Json::object();
    for (const auto &[id, roomPtr] : m_rooms) {
        const Room &room = *roomPtr;
        if (!filter.roomAllowed(id)) {
            continue;
        }
        const StoredEvent *member = stateLocked(room, "m.room.member", session.userId);
        if (!member) {
            continue;
        }
        const std::string membership = member->event["content"].value("membership", "");
        if (membership == "join") {
            // Joined since the last sync: the client has never seen this room, send it whole.
            bool newlyJoined = false;
            if (since) {
                const auto then = stateAtLocked(room, sincePos);
                auto was = then.find({"m.room.member", session.userId});
                newlyJoined = was == then.end() ||
                              room.events[was->second].event["content"].value("membership", "") != "join";
            }
            Json entry = syncRoomLocked(room, session, sincePos, snapshotPos, fullState || !since || newlyJoined, filter);
            entry["account_data"]["events"] = roomAccountData(id, newlyJoined ? 0 : accountDataFrom);
            const bool empty = entry["timeline"]["events"].empty() && entry["state"]["events"].empty() &&
                               entry["account_data"]["events"].empty();
            if (since && !fullState && !newlyJoined && empty) {
                continue;
            }
            entry["ephemeral"] = Json{{"events", Json::array()}};
            entry["unread_notifications"] = Json{{"notification_count", 0}, {"highlight_count", 0}};
            entry["summary"] = Json::object();
            if (filter.state.lazyLoadMembers) {
                // As Synapse: with lazy-loaded members the client cannot name the room itself, so
                // an initial sync, a newly joined room and any membership change bring the summary.
                bool memberChange = fullState || !since || newlyJoined;
                for (const char *part : {"timeline", "state"}) {
                    for (const Json &ev : entry[part]["events"]) {
                        memberChange = memberChange || ev.value("type", "") == "m.room.member";
                    }
                }
                if (memberChange) {
                    entry["summary"] = roomSummaryLocked(room, session.userId, snapshotPos);
                }
            }
            join[id] = std::move(entry);
        } else if (membership == "invite") {
            if (!since || member->pos > sincePos) {
                invite[id] = Json{{"invite_state", {{"events", strippedStateLocked(room, member->id())}}}};
            }
        } else if (membership == "leave" || membership == "ban") {
            const bool report = since ? member->pos > sincePos : filter.includeLeave;
            if (report) {
                leave[id] = syncRoomLocked(room, session, sincePos, member->pos, fullState || !since, filter);
                leave[id]["account_data"]["events"] = roomAccountData(id, accountDataFrom);
            }
        }
    }

    // Always present, as Synapse sends them (clients replenish their keys from these).
    Json response{{"next_batch", ""},
                  {"device_one_time_keys_count", oneTimeKeyCountsLocked(session.userId, session.deviceId)},
                  {"device_unused_fallback_key_types", unusedFallbackKeyTypesLocked(session.userId, session.deviceId)}};
    // Device list changes only on an incremental sync.
    if (since) {
        Json deviceLists = deviceListsLocked(session.userId, sincePos, snapshotPos);
        if (!deviceLists.empty()) {
            response["device_lists"] = std::move(deviceLists);
        }
    }
    Json rooms = Json::object();
    if (!join.empty()) {
        rooms["join"] = std::move(join);
    }
    if (!invite.empty()) {
        rooms["invite"] = std::move(invite);
    }
    if (!leave.empty()) {
        rooms["leave"] = std::move(leave);
    }
    if (!rooms.empty()) {
        response["rooms"] = std::move(rooms);
    }

    // Global account data: sent only when there is some, as Synapse.
    Json accountData = accountDataEventsLocked(user ? &user->accountData : nullptr, accountDataFrom, snapshotPos,
                                               filter.accountData);
    if (!accountData.empty()) {
        response["account_data"] = Json{{"events", std::move(accountData)}};
    }

    // To-device messages stay queued until a later sync acknowledges them by its `since`.
    Json toDevice = Json::array();
    toDeviceUpTo = snapshotPos;
    if (auto queue = m_toDevice.find(deviceKey(session)); queue != m_toDevice.end()) {
        const std::uint64_t ackedUpTo = since ? since->toDevicePos : 0;
        for (const ToDeviceMessage &message : queue->second) {
            if (message.pos <= ackedUpTo || message.pos > snapshotPos) {
                continue;
            }
            if (toDevice.size() == kMaxToDevicePerSync) {
                toDeviceUpTo = message.pos - 1;
                break;
            }
            toDevice.push_back(message.event);
        }
    }
    if (!toDevice.empty()) {
        response["to_device"] = Json{{"events", std::move(toDevice)}};
    }
    response["next_batch"] = StreamToken{snapshotPos, toDeviceUpTo}.toString();
    return response;
}

TestHomeserver::Impl::Reply TestHomeserver::Impl::getSync(Call &call)
{
    auto timeoutParam = [&]() -> Result<std::optional<long long>> {
        const auto text = call.query("timeout");
        if (!text) {
            return std::optional<long long>();
        }
        char *end = nullptr;
        const long long value = std::strtoll(text->c_str(), &end, 10);
        if (text->empty() || *end != '\0') {
            return mxError(400, "M_INVALID_PARAM", "Query parameter timeout must be an integer");
        }
        if (value < 0) {
            return mxError(400, "M_INVALID_PARAM", "Query parameter timeout must be a positive integer.");
        }
        return std::optional<long long>(value);
    }();
    if (!timeoutParam) {
        return replyFromError(timeoutParam.error());
    }
    std::optional<StreamToken> since;
    if (auto text = call.query("since")) {
        since = StreamToken::parse(*text);
        if (!since) {
            return errorReply(400, "M_UNKNOWN", "Invalid stream token '" + *text + "'");
        }
    }
    const std::string fullStateText = call.query("full_state").value_or("false");
    if (fullStateText != "true" && fullStateText != "false") {
        return errorReply(400, "M_INVALID_PARAM",
                          "Boolean query parameter 'full_state' must be one of ['true', 'false']");
    }
    const bool fullState = fullStateText == "true";

    SyncFilter filter;
    if (auto text = call.query("filter")) {
        Json filterJson;
        if (!text->empty() && (*text)[0] == '{') {
            filterJson = Json::parse(*text, nullptr, false);
            if (filterJson.is_discarded()) {
                return errorReply(400, "M_NOT_JSON", "Invalid filter JSON");
            }
        } else {
            const auto id = parseNumber(*text);
            std::lock_guard lock(m_mutex);
            const User &user = m_users.at(call.session->userId);
            if (!id || *id >= user.filters.size()) {
                return errorReply(400, "M_INVALID_PARAM", "No such filter");
            }
            filterJson = user.filters[*id];
        }
        auto parsed = SyncFilter::parse(filterJson);
        if (!parsed) {
            return replyFromError(parsed.error());
        }
        filter = *parsed;
    }

    const long long timeoutMs = std::min<long long>(timeoutParam->value_or(0), m_options.maxSyncTimeoutMs);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
    std::unique_lock lock(m_mutex);
    if (since) {
        // The `since` of this request acknowledges the to-device messages the previous one delivered.
        if (auto queue = m_toDevice.find(deviceKey(*call.session)); queue != m_toDevice.end()) {
            auto &messages = queue->second;
            messages.erase(std::remove_if(messages.begin(), messages.end(),
                                          [&](const ToDeviceMessage &m) { return m.pos <= since->toDevicePos; }),
                           messages.end());
        }
    }
    while (true) {
        std::uint64_t toDeviceUpTo = 0;
        const std::uint64_t snapshot = m_pos;
        Json response = syncLocked(*call.session, since ? &*since : nullptr, filter, fullState, snapshot, toDeviceUpTo);
        const bool hasNews = response.contains("rooms") || response.contains("to_device") ||
                             response.contains("account_data") || response.contains("device_lists");
        // Synapse answers at once for an initial sync, a full_state sync, or when there is news.
        if (!since || fullState || hasNews || timeoutMs == 0 || m_stopping) {
            return okReply(response);
        }
        const bool woke = m_changed.wait_until(lock, deadline, [&] { return m_pos != snapshot || m_stopping; });
        if (!woke) {
            std::uint64_t upTo = 0;
            return okReply(syncLocked(*call.session, &*since, filter, fullState, m_pos, upTo));
        }
    }
}

} // namespace tessera::e2e
