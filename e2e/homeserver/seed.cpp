// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "homeserverimpl.h"

namespace tessera::e2e {

using namespace detail;

namespace {

Error seedError(const std::string &where, const std::string &message)
{
    return mxError(400, "M_BAD_JSON", "seed " + where + ": " + message);
}

// Keeps the homeserver's status and errcode, adds where in the seed it happened.
Error seedError(const std::string &where, const Error &cause)
{
    if (cause.matrixApiError) {
        const Json &response = cause.matrixApiError->response;
        return mxError(cause.matrixApiError->httpStatus, response.value("errcode", "M_UNKNOWN"),
                       "seed " + where + ": " + response.value("error", cause.message));
    }
    return seedError(where, cause.message);
}

Result<void> onlyKeys(const Json &object, const std::string &where, std::initializer_list<const char *> allowed)
{
    for (auto it = object.begin(); it != object.end(); ++it) {
        bool known = false;
        for (const char *key : allowed) {
            known = known || it.key() == key;
        }
        if (!known) {
            return seedError(where, "unknown key '" + it.key() + "'");
        }
    }
    return {};
}

Result<std::string> stringAt(const Json &object, const char *key, const std::string &where, bool required)
{
    if (!object.contains(key)) {
        if (required) {
            return seedError(where, std::string("'") + key + "' is required");
        }
        return std::string();
    }
    if (!object[key].is_string()) {
        return seedError(where, std::string("'") + key + "' must be a string");
    }
    return object[key].get<std::string>();
}

Result<std::vector<std::string>> stringsAt(const Json &object, const char *key, const std::string &where)
{
    std::vector<std::string> out;
    if (!object.contains(key)) {
        return out;
    }
    if (!object[key].is_array()) {
        return seedError(where, std::string("'") + key + "' must be a list of strings");
    }
    for (const Json &item : object[key]) {
        if (!item.is_string()) {
            return seedError(where, std::string("'") + key + "' must be a list of strings");
        }
        out.push_back(item.get<std::string>());
    }
    return out;
}

} // namespace

Result<void> TestHomeserver::Impl::applySeed(const Json &seed)
{
    if (!seed.is_object()) {
        return seedError("document", "must be a JSON object");
    }
    if (auto r = onlyKeys(seed, "document",
                          {"users", "rooms", "legacy_media_only", "delegated_oidc_issuer", "turn"});
        !r) {
        return r;
    }
    if (seed.contains("legacy_media_only")) {
        if (!seed["legacy_media_only"].is_boolean()) {
            return seedError("document", "'legacy_media_only' must be a boolean");
        }
        setLegacyMediaOnly(seed["legacy_media_only"].get<bool>());
    }
    if (seed.contains("delegated_oidc_issuer")) {
        auto issuer = stringAt(seed, "delegated_oidc_issuer", "document", true);
        if (!issuer) {
            return issuer.error();
        }
        setDelegatedOidcIssuer(*issuer);
    }
    if (seed.contains("turn")) {
        const Json &turn = seed["turn"];
        if (!turn.is_object()) {
            return seedError("turn", "must be an object {uris, username, password, ttl}");
        }
        if (auto r = onlyKeys(turn, "turn", {"uris", "username", "password", "ttl"}); !r) {
            return r;
        }
        TurnServerConfig config;
        auto uris = stringsAt(turn, "uris", "turn");
        auto username = stringAt(turn, "username", "turn", true);
        auto password = stringAt(turn, "password", "turn", true);
        if (!uris) {
            return uris.error();
        }
        if (!username) {
            return username.error();
        }
        if (!password) {
            return password.error();
        }
        if (uris->empty()) {
            return seedError("turn", "'uris' must list at least one TURN URI");
        }
        config.uris = *uris;
        config.username = *username;
        config.password = *password;
        if (turn.contains("ttl")) {
            if (!turn["ttl"].is_number_integer() || turn["ttl"].get<long long>() < 1) {
                return seedError("turn", "'ttl' must be a positive integer (seconds)");
            }
            config.ttlSeconds = turn["ttl"].get<int>();
        }
        setTurnServer(config);
    }
    if (seed.contains("users")) {
        if (!seed["users"].is_array()) {
            return seedError("users", "must be a list of {user, password[, displayname, avatar_url]}");
        }
        for (std::size_t i = 0; i < seed["users"].size(); ++i) {
            const Json &user = seed["users"][i];
            const std::string where = "users[" + std::to_string(i) + "]";
            if (!user.is_object()) {
                return seedError(where, "must be an object {user, password[, displayname, avatar_url]}");
            }
            if (auto r = onlyKeys(user, where, {"user", "password", "displayname", "avatar_url"}); !r) {
                return r;
            }
            auto name = stringAt(user, "user", where, true);
            auto password = stringAt(user, "password", where, true);
            auto displayName = stringAt(user, "displayname", where, false);
            auto avatarUrl = stringAt(user, "avatar_url", where, false);
            for (auto *field : {&name, &password, &displayName, &avatarUrl}) {
                if (!*field) {
                    return field->error();
                }
            }
            auto created = createUser(*name, *password, *displayName);
            if (!created) {
                return seedError(where, created.error());
            }
            if (!avatarUrl->empty()) {
                std::lock_guard lock(m_mutex);
                m_users[*created].avatarUrl = *avatarUrl;
            }
        }
    }
    if (seed.contains("rooms")) {
        if (!seed["rooms"].is_array()) {
            return seedError("rooms", "must be a list of room objects");
        }
        for (std::size_t i = 0; i < seed["rooms"].size(); ++i) {
            const Json &room = seed["rooms"][i];
            const std::string where = "rooms[" + std::to_string(i) + "]";
            if (!room.is_object()) {
                return seedError(where, "must be an object");
            }
            if (auto r = onlyKeys(room, where,
                                  {"creator", "alias", "name", "topic", "preset", "initial_state",
                                   "power_level_content_override", "invite", "join", "state", "events"});
                !r) {
                return r;
            }
            RoomSpec spec;
            auto creator = stringAt(room, "creator", where, true);
            auto alias = stringAt(room, "alias", where, false);
            auto name = stringAt(room, "name", where, false);
            auto topic = stringAt(room, "topic", where, false);
            auto preset = stringAt(room, "preset", where, false);
            for (auto *field : {&creator, &alias, &name, &topic, &preset}) {
                if (!*field) {
                    return field->error();
                }
            }
            auto invites = stringsAt(room, "invite", where);
            auto joins = stringsAt(room, "join", where);
            if (!invites) {
                return invites.error();
            }
            if (!joins) {
                return joins.error();
            }
            spec.creator = *creator;
            spec.alias = *alias;
            spec.name = *name;
            spec.topic = *topic;
            spec.preset = *preset;
            spec.invite = *invites;
            spec.join = *joins;
            if (room.contains("initial_state")) {
                spec.initialState = room["initial_state"];
            }
            if (room.contains("power_level_content_override")) {
                spec.powerLevelContentOverride = room["power_level_content_override"];
            }
            auto roomId = createRoom(spec);
            if (!roomId) {
                return seedError(where, roomId.error());
            }
            for (const char *listKey : {"state", "events"}) {
                if (!room.contains(listKey)) {
                    continue;
                }
                const bool isState = std::string(listKey) == "state";
                const Json &list = room[listKey];
                if (!list.is_array()) {
                    return seedError(where, std::string("'") + listKey + "' must be a list");
                }
                for (std::size_t j = 0; j < list.size(); ++j) {
                    const Json &event = list[j];
                    const std::string at = where + "." + listKey + "[" + std::to_string(j) + "]";
                    if (!event.is_object()) {
                        return seedError(at, "must be an object {sender, type, content" +
                                                 std::string(isState ? ", state_key}" : "}"));
                    }
                    if (auto r = isState ? onlyKeys(event, at, {"sender", "type", "state_key", "content"})
                                         : onlyKeys(event, at, {"sender", "type", "content"});
                        !r) {
                        return r;
                    }
                    auto type = stringAt(event, "type", at, true);
                    if (!type) {
                        return type.error();
                    }
                    auto sender = stringAt(event, "sender", at, false);
                    auto stateKey = stringAt(event, "state_key", at, false);
                    if (!sender) {
                        return sender.error();
                    }
                    if (!stateKey) {
                        return stateKey.error();
                    }
                    if (!event.contains("content") || !event["content"].is_object()) {
                        return seedError(at, "'content' must be an object");
                    }
                    const std::string from = sender->empty() ? *creator : *sender;
                    auto sent = isState ? setState(*roomId, from, *type, *stateKey, event["content"])
                                        : sendEvent(*roomId, from, *type, event["content"]);
                    if (!sent) {
                        return seedError(at, sent.error());
                    }
                }
            }
        }
    }
    return {};
}

} // namespace tessera::e2e
