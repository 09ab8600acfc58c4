// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The local backend: rooms kept in SQLite on this machine, no server. This file opens the store
// and seeds the welcome room, and holds rooms, reading and sending; the other parts are
// localbackend_delayed (MSC4140), _account (to-device and account services) and _export.

#include "matrix/localbackend.h"
#include "matrix/localbackend_internal.h"
#include "matrix/roomdefaults.h"

#include <algorithm>
#include <set>

#include "util/paths.h"
#include "util/text.h"

namespace tessera::matrix {

namespace {

constexpr std::string_view kSettingWelcomeSeeded = "welcome_seeded";
constexpr std::string_view kSettingWelcomeRoom = "welcome_room_id";

bool isValidLocalpart(std::string_view s)
{
    if (s.empty() || s.size() > 200)
        return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '=' || c == '-' ||
               c == '/' || c == '+';
    });
}


} // namespace

Result<std::unique_ptr<LocalBackend>> LocalBackend::open(Scheduler &scheduler, LocalBackendOptions options)
{
    if (!isValidLocalpart(options.userName))
        return Error(ErrorCode::BadRequest, "the local user name '" + text::truncateUtf8(options.userName, 64) +
                                                "' is not a valid Matrix localpart (use a-z, 0-9 and ._=-/+)");
    if (options.dataDir.empty())
        return Error(ErrorCode::BadRequest, "the local backend needs a data directory");
    storage::OpenOptions dbOptions;
    dbOptions.durability = storage::Durability::Full; // local rooms are the user's data, not a cache
    auto db = storage::openConcern(options.dataDir, "rooms", RoomStore::migrations(), dbOptions);
    if (!db)
        return std::move(db).error();
    std::unique_ptr<LocalBackend> backend(new LocalBackend(scheduler, std::move(options), std::move(db).value()));
    if (auto r = backend->initialise(); !r)
        return std::move(r).error();
    return backend;
}

LocalBackend::LocalBackend(Scheduler &scheduler, LocalBackendOptions options, storage::Database db)
    : m_scheduler(scheduler), m_options(std::move(options)), m_db(std::move(db))
{
    m_store = std::make_unique<RoomStore>(m_db, [this] { return m_scheduler.wallClockMs(); });
    m_userId = "@" + m_options.userName + ":" + std::string(kServerName);
}

LocalBackend::~LocalBackend()
{
    for (const auto &[id, timer] : m_delayTimers)
        m_scheduler.cancel(timer);
}

Result<void> LocalBackend::initialise()
{
    {
        auto st = m_db.prepare("INSERT OR IGNORE INTO profiles (user_id, displayname) VALUES (?1, ?2)");
        if (!st)
            return std::move(st).error();
        TRY(st->bindText(1, m_userId));
        TRY(st->bindText(2, m_options.displayName.empty() ? m_options.userName : m_options.displayName));
        TRY(st->run());
    }
    TRY(restoreDelayedEvents());

    auto seeded = m_store->setting(std::string(kSettingWelcomeSeeded));
    if (!seeded)
        return std::move(seeded).error();
    if (*seeded || !m_options.createWelcomeRoom)
        return {};

    auto tx = m_db.begin();
    if (!tx)
        return std::move(tx).error();
    Changes changes;
    CreateRoomRequest welcome;
    welcome.name = m_options.welcome.name;
    welcome.topic = m_options.welcome.topic;
    welcome.initialState = m_options.welcome.stateEvents;
    auto roomId = createRoomTx(welcome, changes);
    if (!roomId)
        return Error(roomId.error().code, "could not create the welcome room: " + roomId.error().message);
    if (!m_options.welcome.message.empty()) {
        auto msg = appendEvent(*roomId, "m.room.message", {{"msgtype", "m.text"}, {"body", m_options.welcome.message}},
                               std::nullopt, changes);
        if (!msg)
            return std::move(msg).error();
    }
    TRY(m_store->setSetting(std::string(kSettingWelcomeRoom), *roomId));
    TRY(m_store->setSetting(std::string(kSettingWelcomeSeeded), "1"));
    TRY(tx->commit());
    return {};
}

std::optional<std::string> LocalBackend::welcomeRoomId()
{
    auto id = m_store->setting(std::string(kSettingWelcomeRoom));
    if (!id || !*id)
        return std::nullopt;
    return **id;
}

void LocalBackend::publish(Changes changes)
{
    if (changes.timeline.empty() && changes.stateOnly.empty() && changes.roomsChanged.empty() &&
        changes.toDevice.empty())
        return;
    m_scheduler.post([alive = std::weak_ptr<int>(m_alive), this, changes = std::move(changes)] {
        if (!alive.lock())
            return;
        for (const auto &ev : changes.timeline) {
            m_listeners.emitEvent(ev);
            if (stateKeyOf(ev))
                m_listeners.emitStateChanged(ev);
        }
        for (const auto &ev : changes.stateOnly)
            m_listeners.emitStateChanged(ev);
        std::set<std::string> seen;
        for (const auto &roomId : changes.roomsChanged) {
            if (!seen.insert(roomId).second)
                continue;
            if (auto info = room(roomId))
                m_listeners.emitRoomChanged(*info);
        }
        for (const auto &msg : changes.toDevice)
            m_listeners.emitToDevice(msg);
    });
}

std::unique_ptr<ListenerHandle> LocalBackend::addListener(RoomListener listener)
{
    return m_listeners.add(std::move(listener));
}

// --- rooms ------------------------------------------------------------------------------------

std::vector<RoomInfo> LocalBackend::rooms() const
{
    auto r = m_store->rooms(m_userId);
    return r ? std::move(r).value() : std::vector<RoomInfo>{};
}

std::optional<RoomInfo> LocalBackend::room(const std::string &roomId) const
{
    auto r = m_store->room(roomId, m_userId);
    return r ? std::move(r).value() : std::nullopt;
}

std::int64_t LocalBackend::powerLevel(const std::string &roomId, const std::string &userId) const
{
    auto pl = m_store->powerLevels(roomId);
    return pl ? pl->userLevel(userId) : 0;
}

bool LocalBackend::canSendState(const std::string &roomId, const std::string &type) const
{
    auto info = room(roomId);
    if (!info || info->membership != Membership::Join)
        return false;
    auto pl = m_store->powerLevels(roomId);
    return pl && pl->userLevel(m_userId) >= pl->requiredFor(type, true);
}

bool LocalBackend::canSendEvent(const std::string &roomId, const std::string &type) const
{
    auto info = room(roomId);
    if (!info || info->membership != Membership::Join)
        return false;
    auto pl = m_store->powerLevels(roomId);
    return pl && pl->userLevel(m_userId) >= pl->requiredFor(type, false);
}

bool LocalBackend::isEncrypted(const std::string &roomId) const
{
    auto info = room(roomId);
    return info && info->encrypted;
}

Result<void> LocalBackend::requireJoined(const std::string &roomId)
{
    auto info = m_store->room(roomId);
    if (!info)
        return std::move(info).error();
    if (!*info)
        return unknownRoom(roomId);
    if ((*info)->membership != Membership::Join)
        return forbidden("User " + m_userId + " not in room " + roomId);
    return {};
}

Result<nlohmann::json> LocalBackend::appendEvent(const std::string &roomId, const std::string &type,
                                                 const nlohmann::json &content,
                                                 const std::optional<std::string> &stateKey, Changes &changes,
                                                 const nlohmann::json &extraTopLevel)
{
    const std::int64_t now = m_scheduler.wallClockMs();
    nlohmann::json ev = {
        {"event_id", makeEventId()},
        {"type", type},
        {"room_id", roomId},
        {"sender", m_userId},
        {"origin_server_ts", now},
        {"content", content},
        {"unsigned", {{"transaction_id", makeTxnId()}}},
    };
    for (auto it = extraTopLevel.begin(); it != extraTopLevel.end(); ++it)
        ev[it.key()] = it.value();
    if (stateKey) {
        ev["state_key"] = *stateKey;
        auto previous = m_store->stateEvent(roomId, type, *stateKey);
        if (!previous)
            return std::move(previous).error();
        if (*previous) {
            ev["unsigned"]["replaces_state"] = jsonString((**previous), "event_id");
            ev["unsigned"]["prev_content"] = (**previous).value("content", nlohmann::json::object());
        }
    }
    auto added = m_store->appendEvent(ev, now);
    if (!added)
        return std::move(added).error();
    if (stateKey) {
        nlohmann::json current = ev;
        current["unsigned"].erase("transaction_id");
        TRY(m_store->putState(current));
        if (type == "m.room.member" && *stateKey == m_userId) {
            const Membership m = parseMembership(jsonString(content, "membership"));
            if (m != Membership::Invalid)
                TRY(m_store->setMembership(roomId, m));
        }
        changes.roomsChanged.push_back(roomId);
    }
    ev["unsigned"]["age"] = 0;
    changes.timeline.push_back(ev);
    return ev;
}

Result<void> LocalBackend::authorise(const std::string &roomId, const std::string &type,
                                     const std::optional<std::string> &stateKey, const nlohmann::json &content)
{
    auto levels = m_store->powerLevels(roomId);
    if (!levels)
        return std::move(levels).error();
    const std::int64_t mine = levels->userLevel(m_userId);
    const bool isState = stateKey.has_value();
    if (isState && type == "m.room.create")
        return forbidden("The room already has an m.room.create event");
    if (isState && type == "m.room.member") {
        const std::string membership = jsonString(content, "membership");
        if (parseMembership(membership) == Membership::Invalid)
            return matrixError(400, "M_BAD_JSON", "m.room.member needs a valid 'membership'");
        if (*stateKey == m_userId) {
            if (membership == "join" || membership == "leave")
                return {};
            return forbidden("You cannot set your own membership to " + membership);
        }
        if (!isValidUserId(*stateKey))
            return matrixError(400, "M_BAD_JSON", "the state key of m.room.member must be a user id");
        if (membership == "invite" && mine >= levels->inviteLevel())
            return {};
        return forbidden("You don't have permission to change the membership of " + *stateKey);
    }
    if (isState && !stateKey->empty() && stateKey->front() == '@' && *stateKey != m_userId)
        return forbidden("You are not allowed to set others' state");
    const std::int64_t required = levels->requiredFor(type, isState);
    if (mine < required) {
        return forbidden("You don't have permission to send " + std::string(isState ? "state events" : "events") +
                         " of type " + type + " (your power level " + std::to_string(mine) + ", required " +
                         std::to_string(required) + ")");
    }
    if (isState && type == "m.room.power_levels" && !levels->allowsChange(m_userId, content))
        return forbidden("You cannot give or take power levels above your own (" + std::to_string(mine) + ")");
    return {};
}

Result<std::string> LocalBackend::createRoomTx(const CreateRoomRequest &request, Changes &changes)
{
    const std::string preset = request.preset.empty() ? "private_chat" : request.preset;
    if (preset != "private_chat" && preset != "public_chat" && preset != "trusted_private_chat")
        return matrixError(400, "M_INVALID_PARAM", "unknown preset '" + text::truncateUtf8(preset, 64) + "'");
    for (const auto &invitee : request.invite) {
        if (!isValidUserId(invitee))
            return matrixError(400, "M_INVALID_PARAM", "'" + text::truncateUtf8(invitee, 64) + "' is not a user id");
    }
    for (std::size_t i = 0; i < request.initialState.size(); ++i) {
        const auto &s = request.initialState[i];
        const std::string where = "initial_state[" + std::to_string(i) + "]";
        if (!s.is_object() || !s.contains("type") || !s["type"].is_string())
            return matrixError(400, "M_BAD_JSON", where + ": 'type' must be a string");
        if (s.contains("state_key") && !s["state_key"].is_string())
            return matrixError(400, "M_BAD_JSON", where + ": 'state_key' must be a string");
        if (auto r = checkEventLimits(s["type"].get<std::string>(), jsonString(s, "state_key"),
                                      s.value("content", nlohmann::json::object()));
            !r)
            return Error(r.error().code, where + ": " + r.error().message, *r.error().matrixApiError);
    }

    const std::string roomId = makeRoomId(kServerName);
    TRY(m_store->setMembership(roomId, Membership::Join));
    auto add = [&](const std::string &type, const nlohmann::json &content, const std::string &key) -> Result<void> {
        auto ev = appendEvent(roomId, type, content, key, changes);
        if (!ev)
            return std::move(ev).error();
        return {};
    };
    auto profile = m_db.prepare("SELECT displayname FROM profiles WHERE user_id = ?1", m_userId);
    if (!profile)
        return std::move(profile).error();
    auto ownName = profile->firstRow([](const storage::Statement &row) { return std::string(row.columnText(0)); });
    if (!ownName)
        return std::move(ownName).error();
    const std::string displayName = ownName->value_or(m_options.userName);

    TRY(add("m.room.create", {{"room_version", "11"}}, ""));
    TRY(add("m.room.member", {{"membership", "join"}, {"displayname", displayName}}, m_userId));
    TRY(add("m.room.power_levels", defaultPowerLevels(m_userId, preset, request.invite), ""));
    TRY(add("m.room.join_rules", {{"join_rule", preset == "public_chat" ? "public" : "invite"}}, ""));
    TRY(add("m.room.history_visibility", {{"history_visibility", "shared"}}, ""));
    if (!request.name.empty())
        TRY(add("m.room.name", {{"name", request.name}}, ""));
    if (!request.topic.empty())
        TRY(add("m.room.topic", {{"topic", request.topic}}, ""));
    for (const auto &s : request.initialState)
        TRY(add(s["type"].get<std::string>(), s.value("content", nlohmann::json::object()),
                jsonString(s, "state_key")));
    for (const auto &invitee : request.invite)
        TRY(add("m.room.member", {{"membership", "invite"}}, invitee));
    return roomId;
}

void LocalBackend::createRoom(const CreateRoomRequest &request, Callback<std::string> done)
{
    Changes changes;
    auto result = [&]() -> Result<std::string> {
        auto tx = m_db.begin();
        if (!tx)
            return std::move(tx).error();
        auto id = createRoomTx(request, changes);
        if (!id)
            return id;
        TRY(tx->commit());
        return id;
    }();
    if (!result)
        changes = {};
    reply(std::move(done), std::move(result));
    publish(std::move(changes));
}

void LocalBackend::joinRoom(const std::string &roomIdOrAlias, Callback<std::string> done)
{
    Changes changes;
    auto result = [&]() -> Result<std::string> {
        std::string roomId = roomIdOrAlias;
        if (!roomIdOrAlias.empty() && roomIdOrAlias.front() == '#') {
            auto st = m_db.prepare("SELECT room_id FROM state WHERE type = 'm.room.canonical_alias' AND "
                                   "state_key = '' AND json_extract(json, '$.content.alias') = ?1",
                                   roomIdOrAlias);
            if (!st)
                return std::move(st).error();
            auto found = st->firstRow([](const storage::Statement &row) { return std::string(row.columnText(0)); });
            if (!found)
                return std::move(found).error();
            if (!*found)
                return matrixError(404, "M_NOT_FOUND", "Room alias " + roomIdOrAlias + " not found");
            roomId = std::move(**found);
        }
        auto info = m_store->room(roomId);
        if (!info)
            return std::move(info).error();
        if (!*info)
            return unknownRoom(roomId);
        if ((*info)->membership == Membership::Join)
            return roomId;
        auto rules = m_store->stateEvent(roomId, "m.room.join_rules", "");
        if (!rules)
            return std::move(rules).error();
        const bool isPublic = *rules && jsonString((**rules)["content"], "join_rule") == "public";
        if (!isPublic && (*info)->membership != Membership::Invite)
            return forbidden("You are not invited to this room.");
        auto tx = m_db.begin();
        if (!tx)
            return std::move(tx).error();
        auto ev = appendEvent(roomId, "m.room.member", {{"membership", "join"}}, m_userId, changes);
        if (!ev)
            return std::move(ev).error();
        TRY(tx->commit());
        return roomId;
    }();
    if (!result)
        changes = {};
    reply(std::move(done), std::move(result));
    publish(std::move(changes));
}

void LocalBackend::leaveRoom(const std::string &roomId, Callback<void> done)
{
    Changes changes;
    auto result = [&]() -> Result<void> {
        auto info = m_store->room(roomId);
        if (!info)
            return std::move(info).error();
        if (!*info)
            return unknownRoom(roomId);
        if ((*info)->membership == Membership::Leave)
            return {};
        auto tx = m_db.begin();
        if (!tx)
            return std::move(tx).error();
        auto ev = appendEvent(roomId, "m.room.member", {{"membership", "leave"}}, m_userId, changes);
        if (!ev)
            return std::move(ev).error();
        return tx->commit();
    }();
    if (!result)
        changes = {};
    reply(std::move(done), std::move(result));
    publish(std::move(changes));
}

// --- reading ----------------------------------------------------------------------------------

void LocalBackend::readState(const std::string &roomId, const std::string &type,
                             const std::optional<std::string> &stateKey, Callback<std::vector<nlohmann::json>> done)
{
    auto result = [&]() -> Result<std::vector<nlohmann::json>> {
        auto info = m_store->room(roomId);
        if (!info)
            return std::move(info).error();
        if (!*info)
            return unknownRoom(roomId);
        return m_store->state(roomId, type, stateKey);
    }();
    reply(std::move(done), std::move(result));
}

void LocalBackend::readTimeline(const TimelineQuery &query, Callback<TimelinePage> done)
{
    auto result = [&]() -> Result<TimelinePage> {
        auto info = m_store->room(query.roomId);
        if (!info)
            return std::move(info).error();
        if (!*info)
            return unknownRoom(query.roomId);
        auto page = m_store->readTimeline(query);
        if (!page)
            return std::move(page).error();
        return std::move(page->page);
    }();
    reply(std::move(done), std::move(result));
}

void LocalBackend::readRelations(const RelationsQuery &query, Callback<RelationsPage> done)
{
    auto result = [&]() -> Result<RelationsPage> {
        auto info = m_store->room(query.roomId);
        if (!info)
            return std::move(info).error();
        if (!*info)
            return unknownRoom(query.roomId);
        return m_store->relations(query);
    }();
    reply(std::move(done), std::move(result));
}

void LocalBackend::readRoomAccountData(const std::string &roomId, const std::string &type,
                                       Callback<std::optional<nlohmann::json>> done)
{
    reply(std::move(done), m_store->roomAccountData(roomId, type));
}

void LocalBackend::setRoomAccountData(const std::string &roomId, const std::string &type,
                                      const nlohmann::json &content, Callback<void> done)
{
    auto result = [&]() -> Result<void> {
        TRY(checkEventLimits(type, std::nullopt, content));
        auto info = m_store->room(roomId);
        if (!info)
            return std::move(info).error();
        if (!*info)
            return unknownRoom(roomId);
        return m_store->putRoomAccountData(roomId, type, content);
    }();
    reply(std::move(done), std::move(result));
}

// --- sending ----------------------------------------------------------------------------------

Result<SendResult> LocalBackend::sendNow(const SendRequest &request, Changes &changes)
{
    TRY(checkEventLimits(request.type, request.stateKey, request.content));
    TRY(requireJoined(request.roomId));
    TRY(authorise(request.roomId, request.type, request.stateKey, request.content));
    auto ev = appendEvent(request.roomId, request.type, request.content, request.stateKey, changes);
    if (!ev)
        return std::move(ev).error();
    SendResult out;
    out.eventId = (*ev)["event_id"].get<std::string>();
    return out;
}

void LocalBackend::send(const SendRequest &request, Callback<SendResult> done)
{
    if (request.delayMs || request.parentDelayId) {
        reply(std::move(done), scheduleDelayed(request));
        return;
    }
    Changes changes;
    auto result = [&]() -> Result<SendResult> {
        auto tx = m_db.begin();
        if (!tx)
            return std::move(tx).error();
        auto r = sendNow(request, changes);
        if (!r)
            return r;
        TRY(tx->commit());
        return r;
    }();
    if (!result)
        changes = {};
    reply(std::move(done), std::move(result));
    publish(std::move(changes));
}

void LocalBackend::redact(const std::string &roomId, const std::string &eventId,
                          const std::optional<std::string> &reason, Callback<std::string> done)
{
    Changes changes;
    auto result = [&]() -> Result<std::string> {
        TRY(requireJoined(roomId));
        auto target = m_store->event(roomId, eventId);
        if (!target)
            return std::move(target).error();
        if (!*target)
            return matrixError(404, "M_NOT_FOUND", "Event " + eventId + " not found in " + roomId);
        auto levels = m_store->powerLevels(roomId);
        if (!levels)
            return std::move(levels).error();
        const std::int64_t mine = levels->userLevel(m_userId);
        const bool own = jsonString((**target), "sender") == m_userId;
        if (mine < levels->requiredFor("m.room.redaction", false) || (!own && mine < levels->redactLevel()))
            return forbidden("You don't have permission to redact events");
        nlohmann::json content = {{"redacts", eventId}};
        if (reason)
            content["reason"] = *reason;
        auto tx = m_db.begin();
        if (!tx)
            return std::move(tx).error();
        auto ev = appendEvent(roomId, "m.room.redaction", content, std::nullopt, changes,
                              nlohmann::json{{"redacts", eventId}});
        if (!ev)
            return std::move(ev).error();
        nlohmann::json because = *ev;
        because["unsigned"].erase("age");
        auto redacted = m_store->redact(roomId, eventId, because);
        if (!redacted)
            return std::move(redacted).error();
        TRY(tx->commit());
        return (*ev)["event_id"].get<std::string>();
    }();
    if (!result)
        changes = {};
    reply(std::move(done), std::move(result));
    publish(std::move(changes));
}

} // namespace tessera::matrix
