// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "matrix/localbackend.h"

#include <algorithm>
#include <set>

#include "util/paths.h"
#include "util/text.h"

namespace tessera::matrix {

namespace {

constexpr std::string_view kSettingWelcomeSeeded = "welcome_seeded";
constexpr std::string_view kSettingWelcomeRoom = "welcome_room_id";

Error unknownRoom(const std::string &roomId)
{
    return matrixError(404, "M_NOT_FOUND", "Unknown room " + roomId);
}

Error forbidden(const std::string &message)
{
    return matrixError(403, "M_FORBIDDEN", message);
}

Error unsupported(const std::string &what)
{
    return Error(ErrorCode::Unsupported, what);
}

bool isValidLocalpart(std::string_view s)
{
    if (s.empty() || s.size() > 200)
        return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '=' || c == '-' ||
               c == '/' || c == '+';
    });
}

nlohmann::json defaultPowerLevels(const std::string &creator)
{
    return {
        {"users", {{creator, 100}}},
        {"users_default", 0},
        {"events",
         {{"m.room.name", 50},
          {"m.room.power_levels", 100},
          {"m.room.history_visibility", 100},
          {"m.room.canonical_alias", 50},
          {"m.room.avatar", 50},
          {"m.room.tombstone", 100},
          {"m.room.server_acl", 100},
          {"m.room.encryption", 100}}},
        {"events_default", 0},
        {"state_default", 50},
        {"ban", 50},
        {"kick", 50},
        {"redact", 50},
        {"invite", 0},
    };
}

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

template<typename T>
void LocalBackend::reply(Callback<T> done, Result<T> result)
{
    m_scheduler.post([done = std::move(done), result = std::move(result)]() mutable { done(std::move(result)); });
}

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
    auto profile = m_db.prepare("SELECT displayname FROM profiles WHERE user_id = ?1");
    std::string displayName = m_options.userName;
    if (profile && profile->bindText(1, m_userId)) {
        if (auto row = profile->step(); row && *row)
            displayName = std::string(profile->columnText(0));
    }

    TRY(add("m.room.create", {{"room_version", "11"}}, ""));
    TRY(add("m.room.member", {{"membership", "join"}, {"displayname", displayName}}, m_userId));
    nlohmann::json levels = defaultPowerLevels(m_userId);
    if (preset == "trusted_private_chat") {
        for (const auto &invitee : request.invite)
            levels["users"][invitee] = 100;
    }
    TRY(add("m.room.power_levels", levels, ""));
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
                                   "state_key = '' AND json_extract(json, '$.content.alias') = ?1");
            if (!st)
                return std::move(st).error();
            TRY(st->bindText(1, roomIdOrAlias));
            auto row = st->step();
            if (!row)
                return std::move(row).error();
            if (!*row)
                return matrixError(404, "M_NOT_FOUND", "Room alias " + roomIdOrAlias + " not found");
            roomId = std::string(st->columnText(0));
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

// --- delayed events (MSC4140) ----------------------------------------------------------------

Result<SendResult> LocalBackend::scheduleDelayed(const SendRequest &request)
{
    TRY(checkEventLimits(request.type, request.stateKey, request.content));
    TRY(requireJoined(request.roomId));
    std::int64_t delayMs = 0;
    if (request.parentDelayId) {
        auto st = m_db.prepare("SELECT parent_delay_id FROM delayed_events WHERE delay_id = ?1");
        if (!st)
            return std::move(st).error();
        TRY(st->bindText(1, *request.parentDelayId));
        auto row = st->step();
        if (!row)
            return std::move(row).error();
        if (!*row)
            return matrixError(404, "M_NOT_FOUND", "Delayed event " + *request.parentDelayId + " not found");
        if (!st->isNull(0))
            return matrixError(400, "M_INVALID_PARAM", "A delayed event with a parent cannot be a parent itself");
    } else {
        delayMs = *request.delayMs;
        if (delayMs < 0)
            return matrixError(400, "M_INVALID_PARAM", "The delay must not be negative");
        if (delayMs > m_options.maxDelayMs) {
            return matrixError(400, "M_MAX_DELAY_EXCEEDED",
                               "The requested delay exceeds the allowed maximum of " +
                                   std::to_string(m_options.maxDelayMs) + " ms",
                               {{"org.matrix.msc4140.max_delay", m_options.maxDelayMs}});
        }
    }
    const std::string delayId = "syd_" + randomToken(15);
    auto st = m_db.prepare("INSERT INTO delayed_events (delay_id, room_id, type, state_key, content, delay_ms, "
                           "due_ms, parent_delay_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    if (!st)
        return std::move(st).error();
    TRY(st->bindText(1, delayId));
    TRY(st->bindText(2, request.roomId));
    TRY(st->bindText(3, request.type));
    TRY(request.stateKey ? st->bindText(4, *request.stateKey) : st->bindNull(4));
    TRY(st->bindText(5, request.content.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
    TRY(st->bindInt64(6, delayMs));
    TRY(request.parentDelayId ? st->bindNull(7) : st->bindInt64(7, m_scheduler.wallClockMs() + delayMs));
    TRY(request.parentDelayId ? st->bindText(8, *request.parentDelayId) : st->bindNull(8));
    TRY(st->run());
    if (!request.parentDelayId)
        armDelayTimer(delayId, delayMs);
    SendResult out;
    out.delayId = delayId;
    return out;
}

void LocalBackend::armDelayTimer(const std::string &delayId, std::int64_t delayMs)
{
    if (auto it = m_delayTimers.find(delayId); it != m_delayTimers.end())
        m_scheduler.cancel(it->second);
    m_delayTimers[delayId] = m_scheduler.schedule(delayMs, [this, delayId] { fireDelayed(delayId); });
}

void LocalBackend::fireDelayed(const std::string &delayId)
{
    m_delayTimers.erase(delayId);
    Changes changes;
    auto tx = m_db.begin();
    if (!tx || !sendDelayedRow(delayId, changes) || !tx->commit()) {
        // the row is still there (nothing committed): try again rather than lose the event
        constexpr std::int64_t kRetryAfterFailureMs = 5'000;
        armDelayTimer(delayId, kRetryAfterFailureMs);
        return;
    }
    publish(std::move(changes));
}

Result<void> LocalBackend::sendDelayedRow(const std::string &delayId, Changes &changes)
{
    // the parent first, then its children, as MSC4140 orders them
    std::vector<std::string> ids = {delayId};
    {
        auto st = m_db.prepare("SELECT delay_id FROM delayed_events WHERE parent_delay_id = ?1 ORDER BY rowid");
        if (!st)
            return std::move(st).error();
        TRY(st->bindText(1, delayId));
        for (;;) {
            auto row = st->step();
            if (!row)
                return std::move(row).error();
            if (!*row)
                break;
            ids.emplace_back(st->columnText(0));
        }
    }
    for (const auto &id : ids) {
        auto st = m_db.prepare("SELECT room_id, type, state_key, content FROM delayed_events WHERE delay_id = ?1");
        if (!st)
            return std::move(st).error();
        TRY(st->bindText(1, id));
        auto row = st->step();
        if (!row)
            return std::move(row).error();
        if (!*row)
            continue;
        SendRequest request;
        request.roomId = std::string(st->columnText(0));
        request.type = std::string(st->columnText(1));
        if (!st->isNull(2))
            request.stateKey = std::string(st->columnText(2));
        request.content = nlohmann::json::parse(st->columnText(3), nullptr, false);
        if (request.content.is_discarded())
            request.content = nlohmann::json::object();
        st->reset();
        // A delayed event the user may no longer send is dropped, as a server drops it.
        (void)sendNow(request, changes);
        auto del = m_db.prepare("DELETE FROM delayed_events WHERE delay_id = ?1");
        if (!del)
            return std::move(del).error();
        TRY(del->bindText(1, id));
        TRY(del->run());
    }
    return {};
}

Result<void> LocalBackend::updateDelayedTx(const std::string &delayId, DelayedEventAction action, Changes &changes)
{
    auto st = m_db.prepare("SELECT delay_ms, parent_delay_id FROM delayed_events WHERE delay_id = ?1");
    if (!st)
        return std::move(st).error();
    TRY(st->bindText(1, delayId));
    auto row = st->step();
    if (!row)
        return std::move(row).error();
    if (!*row)
        return matrixError(404, "M_NOT_FOUND", "Delayed event " + delayId + " not found");
    const std::int64_t delayMs = st->columnInt64(0);
    const bool isChild = !st->isNull(1);
    st->reset();
    switch (action) {
    case DelayedEventAction::Cancel: {
        auto del = m_db.prepare("DELETE FROM delayed_events WHERE delay_id = ?1 OR parent_delay_id = ?1");
        if (!del)
            return std::move(del).error();
        TRY(del->bindText(1, delayId));
        TRY(del->run());
        if (auto it = m_delayTimers.find(delayId); it != m_delayTimers.end()) {
            m_scheduler.cancel(it->second);
            m_delayTimers.erase(it);
        }
        return {};
    }
    case DelayedEventAction::Restart: {
        if (isChild)
            return matrixError(400, "M_INVALID_PARAM", "A delayed event with a parent has no timer to restart");
        auto up = m_db.prepare("UPDATE delayed_events SET due_ms = ?2 WHERE delay_id = ?1");
        if (!up)
            return std::move(up).error();
        TRY(up->bindText(1, delayId));
        TRY(up->bindInt64(2, m_scheduler.wallClockMs() + delayMs));
        TRY(up->run());
        armDelayTimer(delayId, delayMs);
        return {};
    }
    case DelayedEventAction::Send: {
        if (auto it = m_delayTimers.find(delayId); it != m_delayTimers.end()) {
            m_scheduler.cancel(it->second);
            m_delayTimers.erase(it);
        }
        return sendDelayedRow(delayId, changes);
    }
    case DelayedEventAction::Invalid: break;
    }
    return matrixError(400, "M_INVALID_PARAM", "The action must be cancel, restart or send");
}

void LocalBackend::updateDelayedEvent(const std::string &delayId, DelayedEventAction action, Callback<void> done)
{
    Changes changes;
    auto result = [&]() -> Result<void> {
        auto tx = m_db.begin();
        if (!tx)
            return std::move(tx).error();
        TRY(updateDelayedTx(delayId, action, changes));
        return tx->commit();
    }();
    if (!result)
        changes = {};
    reply(std::move(done), std::move(result));
    publish(std::move(changes));
}

Result<void> LocalBackend::restoreDelayedEvents()
{
    auto st = m_db.prepare("SELECT delay_id, due_ms FROM delayed_events WHERE parent_delay_id IS NULL");
    if (!st)
        return std::move(st).error();
    const std::int64_t now = m_scheduler.wallClockMs();
    for (;;) {
        auto row = st->step();
        if (!row)
            return std::move(row).error();
        if (!*row)
            break;
        armDelayTimer(std::string(st->columnText(0)), std::max<std::int64_t>(0, st->columnInt64(1) - now));
    }
    return {};
}

std::size_t LocalBackend::pendingDelayedEvents()
{
    auto st = m_db.prepare("SELECT COUNT(*) FROM delayed_events");
    if (!st)
        return 0;
    auto row = st->step();
    return row && *row ? static_cast<std::size_t>(st->columnInt64(0)) : 0;
}

// --- to-device --------------------------------------------------------------------------------

void LocalBackend::sendToDevice(const std::string &type, const nlohmann::json &messages, Callback<void> done)
{
    Changes changes;
    auto result = [&]() -> Result<void> {
        if (type.empty() || type.size() > kMaxTypeOrStateKeyBytes)
            return matrixError(400, "M_INVALID_PARAM", "the to-device type must be 1 to 255 bytes");
        if (!messages.is_object())
            return matrixError(400, "M_BAD_JSON", "'messages' must be an object of user ids");
        for (auto user = messages.begin(); user != messages.end(); ++user) {
            if (!user->is_object())
                return matrixError(400, "M_BAD_JSON", "messages for " + user.key() + " must be an object of devices");
            for (auto device = user->begin(); device != user->end(); ++device) {
                if (!device->is_object())
                    return matrixError(400, "M_BAD_JSON", "the content for " + user.key() + "/" + device.key() +
                                                              " must be an object");
                if (user.key() == m_userId && (device.key() == "*" || device.key() == kDeviceId))
                    changes.toDevice.push_back({{"sender", m_userId}, {"type", type}, {"content", *device}});
            }
        }
        return {};
    }();
    if (!result)
        changes = {};
    reply(std::move(done), std::move(result));
    publish(std::move(changes));
}

void LocalBackend::sendEncryptedToDevice(const std::string &, const nlohmann::json &, const std::string &,
                                         Callback<void> done)
{
    // Local rooms have one user on one device and no encryption: sending "encrypted" in the clear
    // would be a lie.
    reply<void>(std::move(done), unsupported("encrypted to-device messages need a Matrix account with end-to-end "
                                             "encryption; the local backend has none"));
}

// --- account services -------------------------------------------------------------------------

void LocalBackend::requestOpenIdToken(Callback<OpenIdToken> done)
{
    reply<OpenIdToken>(std::move(done),
                       unsupported("OpenID tokens need a homeserver that can vouch for them; the local backend has none"));
}

void LocalBackend::mediaConfig(Callback<nlohmann::json> done)
{
    reply<nlohmann::json>(std::move(done), nlohmann::json{{"m.upload.size", m_options.maxUploadBytes}});
}

void LocalBackend::uploadMedia(const MediaUpload &upload, Callback<std::string> done)
{
    auto result = [&]() -> Result<std::string> {
        if (upload.bytes.size() > m_options.maxUploadBytes)
            return matrixError(413, "M_TOO_LARGE",
                               "Upload request body is too large (limit " + std::to_string(m_options.maxUploadBytes) +
                                   " bytes)");
        const std::string mediaId = randomToken(18);
        auto st = m_db.prepare("INSERT INTO media (media_id, content_type, file_name, bytes, created_ms) "
                               "VALUES (?1, ?2, ?3, ?4, ?5)");
        if (!st)
            return std::move(st).error();
        TRY(st->bindText(1, mediaId));
        TRY(st->bindText(2, upload.contentType.empty() ? "application/octet-stream" : upload.contentType));
        TRY(upload.fileName ? st->bindText(3, *upload.fileName) : st->bindNull(3));
        TRY(st->bindBlob(4, upload.bytes));
        TRY(st->bindInt64(5, m_scheduler.wallClockMs()));
        TRY(st->run());
        return "mxc://" + std::string(kServerName) + "/" + mediaId;
    }();
    reply(std::move(done), std::move(result));
}

void LocalBackend::downloadMedia(const std::string &mxcUri, Callback<MediaDownload> done)
{
    auto result = [&]() -> Result<MediaDownload> {
        const std::string prefix = "mxc://" + std::string(kServerName) + "/";
        if (!text::startsWith(mxcUri, "mxc://"))
            return matrixError(400, "M_INVALID_PARAM", "not an mxc:// URI");
        if (!text::startsWith(mxcUri, prefix))
            return matrixError(404, "M_NOT_FOUND", "Media from other servers is not available in the local backend");
        auto st = m_db.prepare("SELECT content_type, bytes FROM media WHERE media_id = ?1");
        if (!st)
            return std::move(st).error();
        TRY(st->bindText(1, mxcUri.substr(prefix.size())));
        auto row = st->step();
        if (!row)
            return std::move(row).error();
        if (!*row)
            return matrixError(404, "M_NOT_FOUND", "Not found");
        MediaDownload out;
        out.contentType = std::string(st->columnText(0));
        out.bytes = std::string(st->columnBlob(1));
        return out;
    }();
    reply(std::move(done), std::move(result));
}

void LocalBackend::searchUserDirectory(const std::string &term, int limit, Callback<UserDirectoryResult> done)
{
    auto result = [&]() -> Result<UserDirectoryResult> {
        if (limit < 1 || limit > kMaxPageSize)
            return matrixError(400, "M_INVALID_PARAM", "limit must be between 1 and " + std::to_string(kMaxPageSize));
        std::map<std::string, UserDirectoryEntry> users;
        {
            auto st = m_db.prepare("SELECT user_id, displayname, avatar_url FROM profiles");
            if (!st)
                return std::move(st).error();
            for (;;) {
                auto row = st->step();
                if (!row)
                    return std::move(row).error();
                if (!*row)
                    break;
                UserDirectoryEntry e;
                e.userId = std::string(st->columnText(0));
                if (!st->isNull(1))
                    e.displayName = std::string(st->columnText(1));
                if (!st->isNull(2))
                    e.avatarUrl = std::string(st->columnText(2));
                users[e.userId] = e;
            }
        }
        {
            auto st = m_db.prepare("SELECT state_key, json_extract(json, '$.content.displayname'), "
                                   "json_extract(json, '$.content.avatar_url') FROM state WHERE type = 'm.room.member'");
            if (!st)
                return std::move(st).error();
            for (;;) {
                auto row = st->step();
                if (!row)
                    return std::move(row).error();
                if (!*row)
                    break;
                UserDirectoryEntry e;
                e.userId = std::string(st->columnText(0));
                if (users.count(e.userId))
                    continue;
                if (!st->isNull(1))
                    e.displayName = std::string(st->columnText(1));
                if (!st->isNull(2))
                    e.avatarUrl = std::string(st->columnText(2));
                users[e.userId] = e;
            }
        }
        const std::string needle = text::toLowerAscii(term);
        UserDirectoryResult out;
        for (const auto &[id, entry] : users) {
            const bool hit = text::toLowerAscii(id).find(needle) != std::string::npos ||
                             (entry.displayName && text::toLowerAscii(*entry.displayName).find(needle) != std::string::npos);
            if (!hit)
                continue;
            if (static_cast<int>(out.results.size()) == limit) {
                out.limited = true;
                break;
            }
            out.results.push_back(entry);
        }
        return out;
    }();
    reply(std::move(done), std::move(result));
}

void LocalBackend::turnServers(Callback<TurnServers> done)
{
    reply<TurnServers>(std::move(done), unsupported("the local backend has no TURN server"));
}

void LocalBackend::profile(const std::string &userId, Callback<Profile> done)
{
    auto result = [&]() -> Result<Profile> {
        auto st = m_db.prepare("SELECT displayname, avatar_url FROM profiles WHERE user_id = ?1");
        if (!st)
            return std::move(st).error();
        TRY(st->bindText(1, userId));
        auto row = st->step();
        if (!row)
            return std::move(row).error();
        if (!*row)
            return matrixError(404, "M_NOT_FOUND", "Profile was not found");
        Profile p;
        if (!st->isNull(0))
            p.displayName = std::string(st->columnText(0));
        if (!st->isNull(1))
            p.avatarUrl = std::string(st->columnText(1));
        return p;
    }();
    reply(std::move(done), std::move(result));
}

Result<void> LocalBackend::updateOwnMember(const nlohmann::json &patch, Changes &changes)
{
    // A server re-sends the user's member event in every joined room when the profile changes.
    for (const auto &info : rooms()) {
        if (info.membership != Membership::Join)
            continue;
        auto current = m_store->stateEvent(info.roomId, "m.room.member", m_userId);
        if (!current)
            return std::move(current).error();
        nlohmann::json content = *current ? (**current).value("content", nlohmann::json::object())
                                          : nlohmann::json{{"membership", "join"}};
        for (auto it = patch.begin(); it != patch.end(); ++it) {
            if (it->is_null())
                content.erase(it.key());
            else
                content[it.key()] = it.value();
        }
        auto ev = appendEvent(info.roomId, "m.room.member", content, m_userId, changes);
        if (!ev)
            return std::move(ev).error();
    }
    return {};
}

void LocalBackend::setDisplayName(const std::string &displayName, Callback<void> done)
{
    Changes changes;
    auto result = [&]() -> Result<void> {
        if (displayName.size() > 256 || !text::isValidUtf8(displayName))
            return matrixError(400, "M_INVALID_PARAM", "the display name must be valid UTF-8 of at most 256 bytes");
        auto tx = m_db.begin();
        if (!tx)
            return std::move(tx).error();
        auto st = m_db.prepare("UPDATE profiles SET displayname = ?2 WHERE user_id = ?1");
        if (!st)
            return std::move(st).error();
        TRY(st->bindText(1, m_userId));
        TRY(st->bindText(2, displayName));
        TRY(st->run());
        TRY(updateOwnMember({{"displayname", displayName}}, changes));
        return tx->commit();
    }();
    if (!result)
        changes = {};
    reply(std::move(done), std::move(result));
    publish(std::move(changes));
}

void LocalBackend::setAvatarUrl(const std::string &mxcUri, Callback<void> done)
{
    Changes changes;
    auto result = [&]() -> Result<void> {
        if (!mxcUri.empty() && !text::startsWith(mxcUri, "mxc://"))
            return matrixError(400, "M_INVALID_PARAM", "the avatar must be an mxc:// URI");
        auto tx = m_db.begin();
        if (!tx)
            return std::move(tx).error();
        auto st = m_db.prepare("UPDATE profiles SET avatar_url = ?2 WHERE user_id = ?1");
        if (!st)
            return std::move(st).error();
        TRY(st->bindText(1, m_userId));
        TRY(mxcUri.empty() ? st->bindNull(2) : st->bindText(2, mxcUri));
        TRY(st->run());
        TRY(updateOwnMember({{"avatar_url", mxcUri.empty() ? nlohmann::json() : nlohmann::json(mxcUri)}}, changes));
        return tx->commit();
    }();
    if (!result)
        changes = {};
    reply(std::move(done), std::move(result));
    publish(std::move(changes));
}

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
