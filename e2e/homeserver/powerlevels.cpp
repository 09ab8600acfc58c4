// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The test homeserver's power levels and who may do what (Synapse's event_auth.py).
#include "homeserverimpl.h"

#include <algorithm>

namespace tessera::e2e {

using namespace detail;

namespace {

std::int64_t levelValue(const Json &value, std::int64_t fallback)
{
    if (value.is_number_integer()) {
        return value.get<std::int64_t>();
    }
    if (value.is_string()) {
        try {
            return std::stoll(value.get<std::string>());
        } catch (const std::exception &) {
            return fallback;
        }
    }
    return fallback;
}

} // namespace

std::int64_t TestHomeserver::Impl::userLevelLocked(const Room &room, const std::string &userId) const
{
    const StoredEvent *pl = stateLocked(room, "m.room.power_levels", "");
    if (!pl) {
        const StoredEvent *create = stateLocked(room, "m.room.create", "");
        return create && create->sender() == userId ? 100 : 0;
    }
    const Json &content = pl->event["content"];
    const std::int64_t usersDefault = levelValue(content.value("users_default", Json(0)), 0);
    if (content.contains("users") && content["users"].is_object() && content["users"].contains(userId)) {
        return levelValue(content["users"][userId], usersDefault);
    }
    return usersDefault;
}

std::int64_t TestHomeserver::Impl::namedLevelLocked(const Room &room, const std::string &name, std::int64_t dflt) const
{
    const StoredEvent *pl = stateLocked(room, "m.room.power_levels", "");
    if (!pl || !pl->event["content"].contains(name)) {
        return dflt;
    }
    return levelValue(pl->event["content"][name], dflt);
}

std::int64_t TestHomeserver::Impl::sendLevelLocked(const Room &room, const std::string &type, bool isState) const
{
    const StoredEvent *pl = stateLocked(room, "m.room.power_levels", "");
    const Json content = pl ? pl->event["content"] : Json::object();
    if (content.contains("events") && content["events"].is_object() && content["events"].contains(type)) {
        return levelValue(content["events"][type], 0);
    }
    // As Synapse: without a power-levels event the defaults are still 50 for state, 0 for messages.
    return isState ? levelValue(content.value("state_default", Json(50)), 50)
                   : levelValue(content.value("events_default", Json(0)), 0);
}

Result<void> TestHomeserver::Impl::checkSenderJoinedLocked(const Room &room, const std::string &userId) const
{
    const StoredEvent *member = stateLocked(room, "m.room.member", userId);
    if (member && member->event["content"].value("membership", "") == "join") {
        return {};
    }
    std::string repr = "None";
    if (member) {
        repr = "<FrozenEventV3 event_id=" + member->id() + ", type=m.room.member, state_key=" + userId +
               ", membership=" + member->event["content"].value("membership", "") + ", outlier=False>";
    }
    return mxError(403, "M_FORBIDDEN", "User " + userId + " not in room " + room.id + " (" + repr + ")");
}

Result<void> TestHomeserver::Impl::checkCanReadLocked(const Room &room, const std::string &userId,
                                                      std::uint64_t *visibleUpTo) const
{
    const StoredEvent *member = stateLocked(room, "m.room.member", userId);
    const std::string membership = member ? member->event["content"].value("membership", "") : "";
    if (membership == "join") {
        if (visibleUpTo) {
            *visibleUpTo = UINT64_MAX;
        }
        return {};
    }
    if (membership == "leave" || membership == "ban") {
        // history_visibility "shared": a departed user still sees what happened until they left.
        bool everJoined = false;
        for (const StoredEvent &e : room.events) {
            if (e.type() == "m.room.member" && e.event["state_key"] == userId &&
                e.event["content"].value("membership", "") == "join") {
                everJoined = true;
                break;
            }
        }
        if (everJoined) {
            if (visibleUpTo) {
                *visibleUpTo = member->pos;
            }
            return {};
        }
    }
    return mxError(403, "M_FORBIDDEN",
                   "User '" + userId + "' not in room " + room.id + ", and room previews are disabled");
}

Result<const Room *> TestHomeserver::Impl::readableRoomLocked(const std::string &roomId, const std::string &userId,
                                                              std::uint64_t *visibleUpTo) const
{
    const Room *room = findRoomLocked(roomId);
    if (!room) {
        return mxError(403, "M_FORBIDDEN",
                       "User '" + userId + "' not in room " + roomId + ", and room previews are disabled");
    }
    if (auto r = checkCanReadLocked(*room, userId, visibleUpTo); !r) {
        return std::move(r).error();
    }
    return room;
}

Result<void> TestHomeserver::Impl::checkPowerLevelsChangeLocked(const Room &room, const std::string &sender,
                                                                const Json &content) const
{
    for (const char *key : {"users_default", "events_default", "state_default", "ban", "redact", "kick", "invite"}) {
        if (content.contains(key) && !content[key].is_number_integer()) {
            return mxError(400, "M_BAD_JSON", content[key].dump() + " must be an integer.");
        }
    }
    for (const char *key : {"events", "notifications", "users"}) {
        if (!content.contains(key)) {
            continue;
        }
        const Json &map = content[key];
        bool valid = map.is_object();
        for (auto it = map.begin(); valid && it != map.end(); ++it) {
            valid = it->is_number_integer();
        }
        if (!valid) {
            return mxError(400, "M_BAD_JSON", map.dump() + " must be a dict wherein all the values are integers.");
        }
    }
    if (content.contains("users")) {
        for (auto it = content["users"].begin(); it != content["users"].end(); ++it) {
            if (it.key().empty() || it.key()[0] != '@' || it.key().find(':') == std::string::npos) {
                return mxError(400, "M_UNKNOWN", "Not a valid user_id: " + it.key());
            }
        }
    }
    const StoredEvent *current = stateLocked(room, "m.room.power_levels", "");
    if (!current) {
        return {};
    }
    const Json &old = current->event["content"];
    const std::int64_t userLevel = userLevelLocked(room, sender);

    // Every level that changes must be at most the sender's level, before and after.
    auto checkChange = [&](const std::optional<std::int64_t> &before,
                           const std::optional<std::int64_t> &after) -> Result<void> {
        if (before == after) {
            return {};
        }
        if (before && *before > userLevel) {
            return mxError(403, "M_FORBIDDEN", "You don't have permission to remove ops level greater than your own");
        }
        if (after && *after > userLevel) {
            return mxError(403, "M_FORBIDDEN", "You don't have permission to add ops level greater than your own");
        }
        return {};
    };
    auto levelOf = [](const Json &obj, const std::string &key) -> std::optional<std::int64_t> {
        if (!obj.contains(key)) {
            return std::nullopt;
        }
        return levelValue(obj[key], 0);
    };
    for (const char *key : {"users_default", "events_default", "state_default", "ban", "redact", "kick", "invite"}) {
        if (auto r = checkChange(levelOf(old, key), levelOf(content, key)); !r) {
            return r;
        }
    }
    for (const char *mapKey : {"events", "users"}) {
        const Json oldMap = old.value(mapKey, Json::object());
        const Json newMap = content.value(mapKey, Json::object());
        std::set<std::string> keys;
        for (auto it = oldMap.begin(); it != oldMap.end(); ++it) {
            keys.insert(it.key());
        }
        for (auto it = newMap.begin(); it != newMap.end(); ++it) {
            keys.insert(it.key());
        }
        for (const std::string &key : keys) {
            const auto before = levelOf(oldMap, key);
            const auto after = levelOf(newMap, key);
            if (auto r = checkChange(before, after); !r) {
                return r;
            }
            // Another user's level equal to the sender's own may not be changed.
            if (std::string(mapKey) == "users" && key != sender && before && before != after &&
                *before == userLevel) {
                return mxError(403, "M_FORBIDDEN", "You don't have permission to remove ops level equal to your own");
            }
        }
    }
    return {};
}

} // namespace tessera::e2e
