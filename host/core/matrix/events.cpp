// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "matrix/events.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <random>
#include <set>

#include <openssl/rand.h>

#include "util/text.h"

namespace tessera::matrix {

namespace {

std::string randomBytes(std::size_t n)
{
    std::string out(n, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char *>(out.data()), static_cast<int>(n)) != 1) {
        // RAND_bytes only fails when the OS has no entropy source at all; ids must still differ
        std::random_device rd;
        for (auto &c : out)
            c = static_cast<char>(rd());
    }
    return out;
}

std::int64_t levelOf(const nlohmann::json &obj, std::string_view key, std::int64_t fallback)
{
    if (!obj.is_object())
        return fallback;
    const auto it = obj.find(key);
    if (it == obj.end())
        return fallback;
    if (it->is_number_integer())
        return it->get<std::int64_t>();
    // Older room versions allow levels as strings of digits
    if (it->is_string()) {
        const std::string &s = it->get_ref<const std::string &>();
        if (!s.empty() && s.size() < 19 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return std::stoll(s);
    }
    return fallback;
}

} // namespace

std::string_view membershipName(Membership membership)
{
    switch (membership) {
    case Membership::Join: return "join";
    case Membership::Invite: return "invite";
    case Membership::Leave: return "leave";
    case Membership::Ban: return "ban";
    case Membership::Knock: return "knock";
    case Membership::Invalid: break;
    }
    return "";
}

Membership parseMembership(std::string_view name)
{
    if (name == "join")
        return Membership::Join;
    if (name == "invite")
        return Membership::Invite;
    if (name == "leave")
        return Membership::Leave;
    if (name == "ban")
        return Membership::Ban;
    if (name == "knock")
        return Membership::Knock;
    return Membership::Invalid;
}

bool EventFilter::matches(const nlohmann::json &event) const
{
    if (!event.is_object())
        return false;
    const auto type = event.find("type");
    if (type == event.end() || !type->is_string())
        return false;
    if (!types.empty() && std::find(types.begin(), types.end(), type->get_ref<const std::string &>()) == types.end())
        return false;
    if (msgtype) {
        const auto content = event.find("content");
        if (content == event.end() || !content->is_object())
            return false;
        const auto mt = content->find("msgtype");
        if (mt == content->end() || !mt->is_string() || mt->get_ref<const std::string &>() != *msgtype)
            return false;
    }
    const auto sk = event.find("state_key");
    const bool isState = sk != event.end() && sk->is_string();
    switch (state) {
    case StateMatch::Any: return true;
    case StateMatch::NotState: return !isState;
    case StateMatch::AnyStateKey: return isState;
    case StateMatch::StateKey: return isState && sk->get_ref<const std::string &>() == stateKey;
    }
    return false;
}

std::string randomToken(std::size_t bytes)
{
    return text::base64UrlEncode(randomBytes(bytes));
}

std::string makeEventId()
{
    return "$" + randomToken(32);
}

std::string makeRoomId(std::string_view serverName)
{
    static constexpr std::string_view kLetters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    const std::string raw = randomBytes(18);
    std::string id = "!";
    for (unsigned char c : raw)
        id += kLetters[c % kLetters.size()];
    id += ":";
    id += serverName;
    return id;
}

std::string makeTxnId()
{
    return "tsr" + randomToken(16);
}

std::string serverNameOf(std::string_view id)
{
    const auto colon = id.find(':');
    if (colon == std::string_view::npos)
        return {};
    return std::string(id.substr(colon + 1));
}

bool isValidUserId(std::string_view id)
{
    if (id.size() < 4 || id.size() > 255 || id.front() != '@')
        return false;
    const auto colon = id.find(':');
    if (colon == std::string_view::npos || colon == 1 || colon + 1 >= id.size())
        return false;
    for (char c : id.substr(1, colon - 1)) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '=' ||
                        c == '-' || c == '/' || c == '+';
        if (!ok)
            return false;
    }
    return true;
}

std::optional<std::string> stateKeyOf(const nlohmann::json &event)
{
    if (!event.is_object())
        return std::nullopt;
    const auto it = event.find("state_key");
    if (it == event.end() || !it->is_string())
        return std::nullopt;
    return it->get<std::string>();
}

ErrorCode errorCodeForStatus(int httpStatus)
{
    switch (httpStatus) {
    case 400:
    case 413: return ErrorCode::BadRequest;
    case 401:
    case 403: return ErrorCode::Denied;
    case 404: return ErrorCode::NotFound;
    case 409: return ErrorCode::Conflict;
    case 408:
    case 504: return ErrorCode::Timeout;
    case 429: return ErrorCode::Unavailable;
    default: break;
    }
    if (httpStatus >= 500)
        return ErrorCode::Unavailable;
    return ErrorCode::BadRequest;
}

Error matrixError(int httpStatus, std::string_view errcode, std::string_view message, const nlohmann::json &extra)
{
    MatrixApiError api;
    api.httpStatus = httpStatus;
    api.response = extra.is_object() ? extra : nlohmann::json::object();
    api.response["errcode"] = std::string(errcode);
    api.response["error"] = std::string(message);
    return Error(errorCodeForStatus(httpStatus), std::string(errcode) + ": " + std::string(message), std::move(api));
}

Result<void> checkEventLimits(std::string_view type, const std::optional<std::string> &stateKey,
                              const nlohmann::json &content)
{
    if (type.empty())
        return matrixError(400, "M_BAD_JSON", "the event type is empty");
    if (type.size() > kMaxTypeOrStateKeyBytes)
        return matrixError(400, "M_BAD_JSON", "the event type is longer than 255 bytes");
    if (!text::isValidUtf8(type))
        return matrixError(400, "M_BAD_JSON", "the event type is not valid UTF-8");
    if (stateKey && stateKey->size() > kMaxTypeOrStateKeyBytes)
        return matrixError(400, "M_BAD_JSON", "the state key is longer than 255 bytes");
    if (stateKey && !text::isValidUtf8(*stateKey))
        return matrixError(400, "M_BAD_JSON", "the state key is not valid UTF-8");
    if (!content.is_object())
        return matrixError(400, "M_BAD_JSON", "the event content must be a JSON object");
    // The envelope (ids, sender, timestamps) adds a few hundred bytes; leave room for it.
    constexpr std::size_t kEnvelopeAllowance = 512;
    const std::string dumped = content.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (dumped.size() + kEnvelopeAllowance > kMaxEventBytes)
        return matrixError(413, "M_TOO_LARGE", "the event is larger than the 65536 byte limit");
    return {};
}

void redactEvent(nlohmann::json &event, const nlohmann::json &redaction)
{
    static const std::map<std::string, std::set<std::string>, std::less<>> kKeep = {
        {"m.room.member", {"membership", "join_authorised_via_users_server"}},
        {"m.room.join_rules", {"join_rule", "allow"}},
        {"m.room.power_levels",
         {"ban", "events", "events_default", "invite", "kick", "redact", "state_default", "users", "users_default"}},
        {"m.room.history_visibility", {"history_visibility"}},
        {"m.room.redaction", {"redacts"}},
    };
    static const std::set<std::string, std::less<>> kTopLevel = {
        "event_id", "type", "room_id", "sender", "state_key", "content", "hashes", "signatures", "depth",
        "prev_events", "auth_events", "origin_server_ts", "unsigned"};
    if (!event.is_object())
        return;
    const std::string type = jsonString(event, "type");
    for (auto it = event.begin(); it != event.end();) {
        if (kTopLevel.count(it.key()) == 0)
            it = event.erase(it);
        else
            ++it;
    }
    nlohmann::json content = event.value("content", nlohmann::json::object());
    nlohmann::json kept = nlohmann::json::object();
    if (type == "m.room.create") {
        kept = content; // room version 11 keeps the whole create content
    } else if (const auto keep = kKeep.find(type); keep != kKeep.end() && content.is_object()) {
        for (const auto &key : keep->second) {
            if (content.contains(key))
                kept[key] = content[key];
        }
        if (type == "m.room.member" && content.contains("third_party_invite") &&
            content["third_party_invite"].is_object() && content["third_party_invite"].contains("signed")) {
            kept["third_party_invite"] = {{"signed", content["third_party_invite"]["signed"]}};
        }
    }
    event["content"] = std::move(kept);
    if (!event.contains("unsigned") || !event["unsigned"].is_object())
        event["unsigned"] = nlohmann::json::object();
    event["unsigned"]["redacted_because"] = redaction;
}

PowerLevels::PowerLevels(std::optional<nlohmann::json> content, std::string creatorUserId)
    : m_content(std::move(content)), m_creator(std::move(creatorUserId))
{
    if (m_content && !m_content->is_object())
        m_content = nlohmann::json::object();
}

std::int64_t PowerLevels::userLevel(const std::string &userId) const
{
    if (!m_content)
        return userId == m_creator ? 100 : 0;
    const auto users = m_content->find("users");
    const std::int64_t usersDefault = levelOf(*m_content, "users_default", 0);
    if (users == m_content->end())
        return usersDefault;
    return levelOf(*users, userId, usersDefault);
}

std::int64_t PowerLevels::requiredFor(const std::string &type, bool isState) const
{
    if (!m_content)
        return 0;
    const std::int64_t fallback =
        isState ? levelOf(*m_content, "state_default", 50) : levelOf(*m_content, "events_default", 0);
    const auto events = m_content->find("events");
    if (events == m_content->end())
        return fallback;
    return levelOf(*events, type, fallback);
}

std::int64_t PowerLevels::redactLevel() const
{
    return m_content ? levelOf(*m_content, "redact", 50) : 0;
}

std::int64_t PowerLevels::inviteLevel() const
{
    return m_content ? levelOf(*m_content, "invite", 0) : 0;
}

bool PowerLevels::allowsChange(const std::string &userId, const nlohmann::json &newContent) const
{
    if (!newContent.is_object())
        return false;
    const std::int64_t mine = userLevel(userId);
    if (mine < requiredFor("m.room.power_levels", true))
        return false;
    const nlohmann::json old = m_content.value_or(nlohmann::json::object());

    // Top-level levels and per-event levels: old and new value must not exceed the sender's.
    for (const char *key : {"users_default", "events_default", "state_default", "ban", "kick", "redact", "invite"}) {
        const bool inOld = old.contains(key);
        const bool inNew = newContent.contains(key);
        if (!inOld && !inNew)
            continue;
        const std::int64_t before = levelOf(old, key, 0);
        const std::int64_t after = levelOf(newContent, key, 0);
        if ((inOld != inNew || before != after) && (before > mine || after > mine))
            return false;
    }
    auto checkMap = [&](const char *mapKey, bool isUsers) {
        const nlohmann::json before = old.value(mapKey, nlohmann::json::object());
        const nlohmann::json after = newContent.value(mapKey, nlohmann::json::object());
        std::set<std::string> keys;
        for (auto it = before.begin(); it != before.end(); ++it)
            keys.insert(it.key());
        for (auto it = after.begin(); it != after.end(); ++it)
            keys.insert(it.key());
        for (const auto &k : keys) {
            const bool inOld = before.contains(k);
            const bool inNew = after.contains(k);
            const std::int64_t b = levelOf(before, k, 0);
            const std::int64_t a = levelOf(after, k, 0);
            if (inOld == inNew && a == b)
                continue;
            if ((inOld && b > mine) || (inNew && a > mine))
                return false;
            // another user at the sender's own level cannot be changed
            if (isUsers && k != userId && inOld && b >= mine)
                return false;
        }
        return true;
    };
    return checkMap("users", true) && checkMap("events", false);
}

struct ListenerSet::Registry {
    struct Entry {
        RoomListener listener;
        std::atomic<bool> active{true};
    };
    mutable std::mutex mutex; // handles may be destroyed from any thread that owns them
    std::vector<std::shared_ptr<Entry>> entries;

    std::vector<std::shared_ptr<Entry>> snapshot() const
    {
        std::lock_guard lock(mutex);
        return entries;
    }
};

namespace {

class RegistryHandle final : public ListenerHandle {
public:
    RegistryHandle(std::weak_ptr<ListenerSet::Registry> registry,
                   std::shared_ptr<ListenerSet::Registry::Entry> entry)
        : m_registry(std::move(registry)), m_entry(std::move(entry))
    {
    }
    ~RegistryHandle() override
    {
        m_entry->active = false;
        if (auto reg = m_registry.lock()) {
            std::lock_guard lock(reg->mutex);
            reg->entries.erase(std::remove(reg->entries.begin(), reg->entries.end(), m_entry), reg->entries.end());
        }
    }

private:
    std::weak_ptr<ListenerSet::Registry> m_registry;
    std::shared_ptr<ListenerSet::Registry::Entry> m_entry;
};

} // namespace

ListenerSet::ListenerSet() : m_registry(std::make_shared<Registry>()) {}
ListenerSet::~ListenerSet() = default;

std::unique_ptr<ListenerHandle> ListenerSet::add(RoomListener listener)
{
    auto entry = std::make_shared<Registry::Entry>();
    entry->listener = std::move(listener);
    {
        std::lock_guard lock(m_registry->mutex);
        m_registry->entries.push_back(entry);
    }
    return std::make_unique<RegistryHandle>(m_registry, std::move(entry));
}

void ListenerSet::emitEvent(const nlohmann::json &event) const
{
    for (const auto &e : m_registry->snapshot()) {
        if (e->active && e->listener.onEvent)
            e->listener.onEvent(event);
    }
}

void ListenerSet::emitStateChanged(const nlohmann::json &event) const
{
    for (const auto &e : m_registry->snapshot()) {
        if (e->active && e->listener.onStateChanged)
            e->listener.onStateChanged(event);
    }
}

void ListenerSet::emitToDevice(const nlohmann::json &message) const
{
    for (const auto &e : m_registry->snapshot()) {
        if (e->active && e->listener.onToDevice)
            e->listener.onToDevice(message);
    }
}

void ListenerSet::emitRoomChanged(const RoomInfo &room) const
{
    for (const auto &e : m_registry->snapshot()) {
        if (e->active && e->listener.onRoomChanged)
            e->listener.onRoomChanged(room);
    }
}

void ListenerSet::emitEventDecrypted(const nlohmann::json &event) const
{
    for (const auto &e : m_registry->snapshot()) {
        if (e->active && e->listener.onEventDecrypted)
            e->listener.onEventDecrypted(event);
    }
}

void ListenerSet::emitTimelineGap(const std::string &roomId) const
{
    for (const auto &e : m_registry->snapshot()) {
        if (e->active && e->listener.onTimelineGap)
            e->listener.onTimelineGap(roomId);
    }
}

std::size_t ListenerSet::size() const
{
    std::lock_guard lock(m_registry->mutex);
    return m_registry->entries.size();
}

} // namespace tessera::matrix
