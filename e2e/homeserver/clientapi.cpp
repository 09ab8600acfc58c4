// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "homeserverimpl.h"

#include <algorithm>
#include <cctype>
#include <cerrno>

namespace tessera::e2e {

using namespace detail;

namespace {

constexpr std::size_t kMaxDeviceIdLength = 512;

} // namespace

namespace detail {

std::string lower(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
    return text;
}

// Synapse's parse_integer: a missing parameter gives the default.
Result<std::optional<long long>> queryInteger(const Call &call, const std::string &name)
{
    const auto text = call.query(name);
    if (!text) {
        return std::optional<long long>();
    }
    char *end = nullptr;
    errno = 0;
    const long long value = std::strtoll(text->c_str(), &end, 10);
    if (text->empty() || !end || *end != '\0' || errno == ERANGE) {
        return mxError(400, "M_INVALID_PARAM", "Query parameter " + name + " must be an integer");
    }
    if (value < 0) {
        return mxError(400, "M_INVALID_PARAM", "Query parameter " + name + " must be a positive integer.");
    }
    return std::optional<long long>(value);
}

std::string paginationToken(std::uint64_t pos)
{
    return "s" + std::to_string(pos);
}

} // namespace detail

// --- routing table -----------------------------------------------------------------------------

void TestHomeserver::Impl::registerRoutes()
{
    const std::string c3 = "/_matrix/client/v3";
    const std::string c1 = "/_matrix/client/v1";
    const std::string msc4140 = "/_matrix/client/unstable/org.matrix.msc4140";
    const std::string msc2965 = "/_matrix/client/unstable/org.matrix.msc2965";

    route("GET", "/_matrix/client/versions", &Impl::getVersions, false);
    route("GET", "/.well-known/matrix/client", &Impl::getWellKnown, false);
    route("GET", c3 + "/login", &Impl::getLoginFlows, false);
    route("POST", c3 + "/login", &Impl::postLogin, false);
    route("POST", c3 + "/logout", &Impl::postLogout);
    route("POST", c3 + "/logout/all", &Impl::postLogoutAll);
    route("GET", c3 + "/account/whoami", &Impl::getWhoami);
    route("GET", msc2965 + "/auth_issuer", &Impl::getAuthIssuer, false);
    route("GET", msc2965 + "/auth_metadata", &Impl::getAuthMetadata, false);
    route("GET", c1 + "/auth_metadata", &Impl::getAuthMetadata, false);

    route("POST", c3 + "/createRoom", &Impl::postCreateRoom);
    route("POST", c3 + "/join/{}", &Impl::postJoin);
    route("POST", c3 + "/rooms/{}/join", &Impl::postRoomJoin);
    route("POST", c3 + "/rooms/{}/invite", &Impl::postInvite);
    route("POST", c3 + "/rooms/{}/leave", &Impl::postLeave);
    route("GET", c3 + "/joined_rooms", &Impl::getJoinedRooms);
    route("GET", c3 + "/directory/room/{}", &Impl::getDirectoryAlias, false);
    route("GET", c3 + "/rooms/{}/state", &Impl::getRoomState);
    route("GET", c3 + "/rooms/{}/state/{}", &Impl::getRoomStateEventEmptyKey);
    route("GET", c3 + "/rooms/{}/state/{}/{}", &Impl::getRoomStateEvent);
    route("PUT", c3 + "/rooms/{}/state/{}", &Impl::putRoomStateEventEmptyKey);
    route("PUT", c3 + "/rooms/{}/state/{}/{}", &Impl::putRoomStateEvent);
    route("PUT", c3 + "/rooms/{}/send/{}/{}", &Impl::putSend);
    route("PUT", c3 + "/rooms/{}/redact/{}/{}", &Impl::putRedact);
    route("GET", c3 + "/rooms/{}/messages", &Impl::getMessages);
    route("GET", c3 + "/rooms/{}/event/{}", &Impl::getEvent);
    route("GET", c1 + "/rooms/{}/relations/{}", &Impl::getRelations);
    route("GET", c1 + "/rooms/{}/relations/{}/{}", &Impl::getRelations);
    route("GET", c1 + "/rooms/{}/relations/{}/{}/{}", &Impl::getRelations);

    route("POST", c3 + "/user/{}/filter", &Impl::postFilter);
    route("GET", c3 + "/user/{}/filter/{}", &Impl::getFilter);
    route("GET", c3 + "/user/{}/account_data/{}", &Impl::getAccountData);
    route("PUT", c3 + "/user/{}/account_data/{}", &Impl::putAccountData);
    route("GET", c3 + "/user/{}/rooms/{}/account_data/{}", &Impl::getRoomAccountData);
    route("PUT", c3 + "/user/{}/rooms/{}/account_data/{}", &Impl::putRoomAccountData);
    route("GET", c3 + "/sync", &Impl::getSync);
    route("GET", c3 + "/pushrules/", &Impl::getPushRules);
    route("GET", c3 + "/capabilities", &Impl::getCapabilities);
    route("PUT", c3 + "/sendToDevice/{}/{}", &Impl::putSendToDevice);

    route("POST", c3 + "/keys/upload", &Impl::postKeysUpload);
    route("POST", c3 + "/keys/query", &Impl::postKeysQuery);
    route("POST", c3 + "/keys/claim", &Impl::postKeysClaim);
    route("GET", c3 + "/keys/changes", &Impl::getKeysChanges);
    route("POST", c3 + "/keys/device_signing/upload", &Impl::postDeviceSigningUpload);
    route("POST", c3 + "/keys/signatures/upload", &Impl::postSignaturesUpload);
    route("GET", c3 + "/room_keys/version", &Impl::getRoomKeysVersionCurrent);
    route("POST", c3 + "/room_keys/version", &Impl::postRoomKeysVersion);
    route("GET", c3 + "/room_keys/version/{}", &Impl::getRoomKeysVersion);
    route("PUT", c3 + "/room_keys/version/{}", &Impl::putRoomKeysVersion);
    route("DELETE", c3 + "/room_keys/version/{}", &Impl::deleteRoomKeysVersion);
    for (const std::string suffix : {"", "/{}", "/{}/{}"}) {
        route("PUT", c3 + "/room_keys/keys" + suffix, &Impl::putRoomKeys);
        route("GET", c3 + "/room_keys/keys" + suffix, &Impl::getRoomKeys);
        route("DELETE", c3 + "/room_keys/keys" + suffix, &Impl::deleteRoomKeys);
    }

    route("POST", c3 + "/user/{}/openid/request_token", &Impl::postOpenIdToken);
    route("GET", "/_matrix/federation/v1/openid/userinfo", &Impl::getOpenIdUserinfo, false);

    route("GET", c3 + "/profile/{}", &Impl::getProfile, false);
    route("GET", c3 + "/profile/{}/{}", &Impl::getProfileField, false);
    route("PUT", c3 + "/profile/{}/{}", &Impl::putProfileField);
    route("POST", c3 + "/user_directory/search", &Impl::postUserDirectorySearch);
    route("GET", c3 + "/voip/turnServer", &Impl::getTurnServer);

    route("POST", msc4140 + "/delayed_events/{}", &Impl::postDelayedEventAction);
    route("GET", msc4140 + "/delayed_events", &Impl::getDelayedEvents);

    route("GET", c1 + "/media/config", &Impl::getMediaConfigV1);
    route("GET", "/_matrix/media/v3/config", &Impl::getMediaConfig);
    route("GET", "/_matrix/media/r0/config", &Impl::getMediaConfig);
    for (const char *version : {"r0", "v3", "v1"}) {
        route("POST", std::string("/_matrix/media/") + version + "/upload", &Impl::postUpload);
    }
    route("GET", c1 + "/media/download/{}/{}", &Impl::getDownloadV1);
    route("GET", c1 + "/media/thumbnail/{}/{}", &Impl::getThumbnailV1);
    route("GET", "/_matrix/media/v3/thumbnail/{}/{}", &Impl::getThumbnailLegacy, false);
    route("GET", c1 + "/media/download/{}/{}/{}", &Impl::getDownloadV1);
    for (const char *version : {"r0", "v3"}) {
        route("GET", std::string("/_matrix/media/") + version + "/download/{}/{}", &Impl::getDownloadLegacy, false);
        route("GET", std::string("/_matrix/media/") + version + "/download/{}/{}/{}", &Impl::getDownloadLegacy, false);
    }
}

// --- shared helpers ----------------------------------------------------------------------------

Result<Json> TestHomeserver::Impl::jsonBody(const Call &call, bool allowEmpty) const
{
    const std::string &body = call.http->body;
    if (body.empty() && allowEmpty) {
        return Json::object();
    }
    Json parsed = Json::parse(body, nullptr, false);
    if (parsed.is_discarded()) {
        return mxError(400, "M_NOT_JSON", "Content not JSON.");
    }
    if (!parsed.is_object()) {
        return mxError(400, "M_BAD_JSON", "Content must be a JSON object.");
    }
    return parsed;
}

std::string TestHomeserver::Impl::deviceKey(const Session &session) const
{
    return session.userId + "|" + session.deviceId;
}

// Transaction ids are scoped to the device (MSC3970, as Synapse does) and to the request path;
// only successful answers are remembered, so a retried 429 or 500 is performed again.
TestHomeserver::Impl::Reply TestHomeserver::Impl::cachedTxn(const Call &call, const std::function<Reply()> &perform)
{
    const std::string key = deviceKey(*call.session) + " " + call.method + " " + call.path;
    if (auto it = m_txns.find(key); it != m_txns.end()) {
        return it->second;
    }
    Reply reply = perform();
    if (reply.status >= 200 && reply.status < 300) {
        m_txns[key] = reply;
    }
    return reply;
}

// --- discovery and login -----------------------------------------------------------------------

TestHomeserver::Impl::Reply TestHomeserver::Impl::getVersions(Call &)
{
    std::lock_guard lock(m_mutex);
    Json versions = Json::array({"r0.0.1", "r0.1.0", "r0.2.0", "r0.3.0", "r0.4.0", "r0.5.0", "r0.6.0", "r0.6.1",
                                 "v1.1", "v1.2", "v1.3", "v1.4", "v1.5", "v1.6", "v1.7", "v1.8", "v1.9", "v1.10"});
    if (!m_options.legacyMediaOnly) {
        // v1.11 introduced authenticated media; a legacy-media server must not claim it.
        versions.push_back("v1.11");
        versions.push_back("v1.12");
    }
    return okReply(Json{{"versions", versions},
                        {"unstable_features", {{"org.matrix.msc4140", true},
                                               {"org.matrix.msc3916.stable", !m_options.legacyMediaOnly}}}});
}

TestHomeserver::Impl::Reply TestHomeserver::Impl::getCapabilities(Call &)
{
    // What a default Synapse answers: the room versions this server creates (10 by default) and
    // the account changes a client may offer.
    return okReply(Json{{"capabilities",
                         {{"m.room_versions", {{"default", "10"}, {"available", {{"10", "stable"}, {"11", "stable"}}}}},
                          {"m.change_password", {{"enabled", false}}},
                          {"m.set_displayname", {{"enabled", true}}},
                          {"m.set_avatar_url", {{"enabled", true}}},
                          {"m.3pid_changes", {{"enabled", false}}},
                          {"m.get_login_token", {{"enabled", false}}}}}});
}

TestHomeserver::Impl::Reply TestHomeserver::Impl::getWellKnown(Call &)
{
    std::lock_guard lock(m_mutex);
    Json body{{"m.homeserver", {{"base_url", "http://127.0.0.1:" + std::to_string(m_port.load())}}}};
    if (!m_options.delegatedOidcIssuer.empty()) {
        body["org.matrix.msc2965.authentication"] = Json{{"issuer", m_options.delegatedOidcIssuer},
                                                         {"account", m_options.delegatedOidcIssuer + "account"}};
    }
    return okReply(body);
}

TestHomeserver::Impl::Reply TestHomeserver::Impl::getLoginFlows(Call &)
{
    std::lock_guard lock(m_mutex);
    if (!m_options.delegatedOidcIssuer.empty()) {
        // What a Synapse delegating to an OIDC provider (MSC3861, via its compatibility layer) offers.
        return okReply(Json{{"flows",
                             {{{"type", "m.login.sso"},
                               {"org.matrix.msc3824.delegated_oidc_compatibility", true},
                               {"oauth_aware_preferred", true}},
                              {{"type", "m.login.token"}}}}});
    }
    return okReply(Json{{"flows", {{{"type", "m.login.password"}}, {{"type", "m.login.application_service"}}}}});
}

TestHomeserver::Impl::Reply TestHomeserver::Impl::postLogin(Call &call)
{
    auto body = jsonBody(call);
    if (!body) {
        return replyFromError(body.error());
    }
    const Json &b = *body;
    if (!b.contains("type")) {
        return errorReply(400, "M_UNKNOWN", "Missing JSON keys.");
    }
    if (!b["type"].is_string()) {
        return errorReply(400, "M_INVALID_PARAM", "Bad parameter: type");
    }
    const std::string type = b["type"].get<std::string>();
    std::lock_guard lock(m_mutex);
    if (type != "m.login.password" || !m_options.delegatedOidcIssuer.empty()) {
        return errorReply(400, "M_UNKNOWN", "Unknown login type " + type);
    }
    if (!b.contains("password") || !b["password"].is_string()) {
        return errorReply(400, "M_INVALID_PARAM", "Bad parameter: password");
    }
    Json identifier;
    if (b.contains("identifier")) {
        identifier = b["identifier"];
        if (!identifier.is_object()) {
            return errorReply(400, "M_INVALID_PARAM", "Invalid identifier in login submission");
        }
    } else if (b.contains("user")) {
        identifier = Json{{"type", "m.id.user"}, {"user", b["user"]}};
    } else {
        return errorReply(400, "M_INVALID_PARAM", "Invalid login submission");
    }
    if (identifier.value("type", "") != "m.id.user") {
        return errorReply(400, "M_UNKNOWN", "Unknown login identifier type");
    }
    if (!identifier.contains("user") || !identifier["user"].is_string()) {
        return errorReply(400, "M_UNKNOWN", "User identifier is missing 'user' key");
    }
    std::string deviceId;
    if (b.contains("device_id")) {
        if (!b["device_id"].is_string()) {
            return errorReply(400, "M_INVALID_PARAM", "device_id must be a string");
        }
        deviceId = b["device_id"].get<std::string>();
        if (deviceId.size() > kMaxDeviceIdLength) {
            return errorReply(400, "M_INVALID_PARAM", "device_id cannot be longer than 512 characters.");
        }
    }
    std::string user = identifier["user"].get<std::string>();
    const std::string userId = user.empty() || user[0] != '@' ? qualifyUser(lower(user)) : user;
    auto it = m_users.find(userId);
    if (it == m_users.end() || it->second.password != b["password"].get<std::string>()) {
        return errorReply(403, "M_FORBIDDEN", "Invalid username or password");
    }
    auto session = loginLocked(userId, deviceId);
    if (!session) {
        return replyFromError(session.error());
    }
    if (b.contains("initial_device_display_name") && b["initial_device_display_name"].is_string()) {
        m_users.at(userId).deviceDisplayNames.emplace(session->deviceId,
                                                      b["initial_device_display_name"].get<std::string>());
    }
    return okReply(Json{{"user_id", session->userId},
                        {"access_token", session->accessToken},
                        {"home_server", m_options.serverName},
                        {"device_id", session->deviceId}});
}

TestHomeserver::Impl::Reply TestHomeserver::Impl::postLogout(Call &call)
{
    std::lock_guard lock(m_mutex);
    m_tokens.erase(call.session->accessToken);
    deleteDeviceLocked(call.session->userId, call.session->deviceId);
    return okReply();
}

TestHomeserver::Impl::Reply TestHomeserver::Impl::postLogoutAll(Call &call)
{
    std::lock_guard lock(m_mutex);
    for (auto it = m_tokens.begin(); it != m_tokens.end();) {
        if (it->second.userId == call.session->userId) {
            it = m_tokens.erase(it);
        } else {
            ++it;
        }
    }
    if (auto it = m_users.find(call.session->userId); it != m_users.end()) {
        const std::set<std::string> devices = it->second.devices;
        for (const std::string &deviceId : devices) {
            deleteDeviceLocked(call.session->userId, deviceId);
        }
    }
    return okReply();
}

TestHomeserver::Impl::Reply TestHomeserver::Impl::getWhoami(Call &call)
{
    return okReply(Json{{"user_id", call.session->userId}, {"device_id", call.session->deviceId}, {"is_guest", false}});
}

TestHomeserver::Impl::Reply TestHomeserver::Impl::getAuthIssuer(Call &)
{
    if (m_options.oauth) {
        const OAuthDelegation &o = *m_options.oauth;
        return okReply(Json{{"issuer", o.advertisedIssuer.empty() ? o.issuer : o.advertisedIssuer}});
    }
    std::lock_guard lock(m_mutex);
    if (m_options.delegatedOidcIssuer.empty()) {
        return errorReply(404, "M_UNRECOGNIZED", "Unrecognized request");
    }
    return okReply(Json{{"issuer", m_options.delegatedOidcIssuer}});
}

TestHomeserver::Impl::Reply TestHomeserver::Impl::getAuthMetadata(Call &)
{
    if (m_options.oauth) {
        // As Synapse with MAS: the authorization server's own metadata, with MSC4191's account URL.
        if (!m_options.oauth->stableMetadata) {
            return errorReply(404, "M_UNRECOGNIZED", "Unrecognized request");
        }
        auto metadata = issuerMetadata();
        if (!metadata) {
            return replyFromError(metadata.error());
        }
        if (!m_options.oauth->accountManagementUri.empty()) {
            (*metadata)["account_management_uri"] = m_options.oauth->accountManagementUri;
            (*metadata)["account_management_actions_supported"] =
                Json::array({"org.matrix.profile", "org.matrix.devices_list", "org.matrix.device_view",
                             "org.matrix.device_delete", "org.matrix.account_deactivate"});
        }
        return okReply(*metadata);
    }
    std::lock_guard lock(m_mutex);
    const std::string &issuer = m_options.delegatedOidcIssuer;
    if (issuer.empty()) {
        return errorReply(404, "M_UNRECOGNIZED", "Unrecognized request");
    }
    return okReply(Json{{"issuer", issuer},
                        {"authorization_endpoint", issuer + "authorize"},
                        {"token_endpoint", issuer + "oauth2/token"},
                        {"registration_endpoint", issuer + "oauth2/registration"},
                        {"revocation_endpoint", issuer + "oauth2/revoke"},
                        {"jwks_uri", issuer + "oauth2/keys.json"},
                        {"account_management_uri", issuer + "account"},
                        {"response_types_supported", {"code"}},
                        {"response_modes_supported", {"query", "fragment"}},
                        {"grant_types_supported", {"authorization_code", "refresh_token"}},
                        {"code_challenge_methods_supported", {"S256"}},
                        {"prompt_values_supported", {"create"}}});
}

// --- rooms and membership ----------------------------------------------------------------------

TestHomeserver::Impl::Reply TestHomeserver::Impl::postCreateRoom(Call &call)
{
    auto body = jsonBody(call);
    if (!body) {
        return replyFromError(body.error());
    }
    std::lock_guard lock(m_mutex);
    auto roomId = createRoomLocked(call.session->userId, *body);
    if (!roomId) {
        return replyFromError(roomId.error());
    }
    Json reply{{"room_id", *roomId}};
    if (body->contains("room_alias_name")) {
        reply["room_alias"] = "#" + (*body)["room_alias_name"].get<std::string>() + ":" + m_options.serverName;
    }
    return okReply(reply);
}

TestHomeserver::Impl::Reply TestHomeserver::Impl::postJoin(Call &call)
{
    auto body = jsonBody(call, true);
    if (!body) {
        return replyFromError(body.error());
    }
    std::lock_guard lock(m_mutex);
    auto roomId = joinLocked(call.session->userId, call.params[0], *body);
    return roomId ? okReply(Json{{"room_id", *roomId}}) : replyFromError(roomId.error());
}

TestHomeserver::Impl::Reply TestHomeserver::Impl::postRoomJoin(Call &call)
{
    return postJoin(call);
}

TestHomeserver::Impl::Reply TestHomeserver::Impl::postInvite(Call &call)
{
    auto body = jsonBody(call);
    if (!body) {
        return replyFromError(body.error());
    }
    if (!body->contains("user_id")) {
        return errorReply(400, "M_MISSING_PARAM", "Missing params: ['user_id']");
    }
    if (!(*body)["user_id"].is_string()) {
        return errorReply(400, "M_INVALID_PARAM", "'user_id' must be a string");
    }
    std::lock_guard lock(m_mutex);
    Room *room = findRoomLocked(call.params[0]);
    if (!room) {
        return errorReply(403, "M_FORBIDDEN", "Unknown room");
    }
    Json content = Json::object();
    if (body->contains("reason") && (*body)["reason"].is_string()) {
        content["reason"] = (*body)["reason"];
    }
    auto invited = membershipChangeLocked(*room, call.session->userId, (*body)["user_id"].get<std::string>(),
                                          "invite", content);
    return invited ? okReply() : replyFromError(invited.error());
}

TestHomeserver::Impl::Reply TestHomeserver::Impl::postLeave(Call &call)
{
    auto body = jsonBody(call, true);
    if (!body) {
        return replyFromError(body.error());
    }
    std::lock_guard lock(m_mutex);
    Room *room = findRoomLocked(call.params[0]);
    if (!room) {
        return errorReply(404, "M_UNKNOWN", "Not a known room");
    }
    Json content = Json::object();
    if (body->contains("reason") && (*body)["reason"].is_string()) {
        content["reason"] = (*body)["reason"];
    }
    auto left = membershipChangeLocked(*room, call.session->userId, call.session->userId, "leave", content);
    return left ? okReply() : replyFromError(left.error());
}

TestHomeserver::Impl::Reply TestHomeserver::Impl::getJoinedRooms(Call &call)
{
    std::lock_guard lock(m_mutex);
    Json rooms = Json::array();
    for (const auto &[id, room] : m_rooms) {
        if (membershipLocked(*room, call.session->userId) == "join") {
            rooms.push_back(id);
        }
    }
    return okReply(Json{{"joined_rooms", rooms}});
}

TestHomeserver::Impl::Reply TestHomeserver::Impl::getDirectoryAlias(Call &call)
{
    std::lock_guard lock(m_mutex);
    auto it = m_aliases.find(call.params[0]);
    if (it == m_aliases.end()) {
        return errorReply(404, "M_NOT_FOUND", "Room alias " + call.params[0] + " not found");
    }
    return okReply(Json{{"room_id", it->second}, {"servers", {m_options.serverName}}});
}

// --- state -------------------------------------------------------------------------------------

TestHomeserver::Impl::Reply TestHomeserver::Impl::getRoomState(Call &call)
{
    std::lock_guard lock(m_mutex);
    std::uint64_t visibleUpTo = 0;
    auto readable = readableRoomLocked(call.params[0], call.session->userId, &visibleUpTo);
    if (!readable) {
        return replyFromError(readable.error());
    }
    const Room *room = *readable;
    Json events = Json::array();
    for (const auto &[key, index] : stateAtLocked(*room, visibleUpTo)) {
        events.push_back(clientEventLocked(*room, room->events[index], deviceKey(*call.session), true));
    }
    return okReply(events);
}

TestHomeserver::Impl::Reply TestHomeserver::Impl::stateEventReply(Call &call, const std::string &stateKey)
{
    std::lock_guard lock(m_mutex);
    std::uint64_t visibleUpTo = 0;
    auto readable = readableRoomLocked(call.params[0], call.session->userId, &visibleUpTo);
    if (!readable) {
        return replyFromError(readable.error());
    }
    const Room *room = *readable;
    const auto state = stateAtLocked(*room, visibleUpTo);
    auto it = state.find({call.params[1], stateKey});
    if (it == state.end()) {
        return errorReply(404, "M_NOT_FOUND", "Event not found.");
    }
    const StoredEvent &event = room->events[it->second];
    if (call.query("format").value_or("content") == "event") {
        return okReply(clientEventLocked(*room, event, deviceKey(*call.session), true));
    }
    return okReply(event.event["content"]);
}

TestHomeserver::Impl::Reply TestHomeserver::Impl::getRoomStateEvent(Call &call)
{
    return stateEventReply(call, call.params[2]);
}

TestHomeserver::Impl::Reply TestHomeserver::Impl::getRoomStateEventEmptyKey(Call &call)
{
    return stateEventReply(call, std::string());
}

TestHomeserver::Impl::Reply TestHomeserver::Impl::putStateReply(Call &call, const std::string &stateKey)
{
    auto put = eventPut(call);
    if (!put) {
        return replyFromError(put.error());
    }
    std::lock_guard lock(m_mutex);
    Room *room = findRoomLocked(call.params[0]);
    if (!room) {
        return errorReply(403, "M_FORBIDDEN", "Unknown room");
    }
    if (put->delayMs) {
        return delayEventLocked(call, *room, *put->delayMs, stateKey, put->content);
    }
    auto eventId = appendEventLocked(*room, call.session->userId, call.params[1], stateKey, put->content);
    return eventId ? okReply(Json{{"event_id", *eventId}}) : replyFromError(eventId.error());
}

TestHomeserver::Impl::Reply TestHomeserver::Impl::putRoomStateEvent(Call &call)
{
    return putStateReply(call, call.params[2]);
}

TestHomeserver::Impl::Reply TestHomeserver::Impl::putRoomStateEventEmptyKey(Call &call)
{
    return putStateReply(call, std::string());
}

// --- sending -----------------------------------------------------------------------------------

Result<TestHomeserver::Impl::EventPut> TestHomeserver::Impl::eventPut(const Call &call) const
{
    auto body = jsonBody(call);
    if (!body) {
        return std::move(body).error();
    }
    auto delay = queryInteger(call, "org.matrix.msc4140.delay");
    if (!delay) {
        return std::move(delay).error();
    }
    return EventPut{std::move(*body), *delay};
}

TestHomeserver::Impl::Reply TestHomeserver::Impl::delayEventLocked(const Call &call, const Room &room,
                                                                   long long delayMs,
                                                                   std::optional<std::string> stateKey, Json content)
{
    if (delayMs > m_options.maxDelayedEventDelayMs) {
        return errorReply(403, "M_FORBIDDEN",
                          "The requested delay (" + std::to_string(delayMs) + "ms) exceeds the allowed maximum (" +
                              std::to_string(m_options.maxDelayedEventDelayMs) + "ms)");
    }
    DelayedEvent d;
    d.delayId = "syd_" + newId(20);
    d.owner = *call.session;
    d.roomId = room.id;
    d.type = call.params[1];
    d.stateKey = std::move(stateKey);
    d.content = std::move(content);
    d.delay = std::chrono::milliseconds(delayMs);
    d.due = std::chrono::steady_clock::now() + d.delay;
    d.runningSinceMs = nowMs();
    const std::string id = d.delayId;
    m_delayed[id] = std::move(d);
    m_timerCv.notify_all();
    return okReply(Json{{"delay_id", id}});
}

TestHomeserver::Impl::Reply TestHomeserver::Impl::putSend(Call &call)
{
    auto put = eventPut(call);
    if (!put) {
        return replyFromError(put.error());
    }
    std::lock_guard lock(m_mutex);
    return cachedTxn(call, [&]() -> Reply {
        Room *room = findRoomLocked(call.params[0]);
        if (!room) {
            return errorReply(403, "M_FORBIDDEN", "Unknown room");
        }
        if (put->delayMs) {
            return delayEventLocked(call, *room, *put->delayMs, std::nullopt, put->content);
        }
        auto eventId = appendEventLocked(*room, call.session->userId, call.params[1], std::nullopt, put->content,
                                         call.params[2], deviceKey(*call.session));
        return eventId ? okReply(Json{{"event_id", *eventId}}) : replyFromError(eventId.error());
    });
}

TestHomeserver::Impl::Reply TestHomeserver::Impl::putRedact(Call &call)
{
    auto body = jsonBody(call);
    if (!body) {
        return replyFromError(body.error());
    }
    std::lock_guard lock(m_mutex);
    return cachedTxn(call, [&]() -> Reply {
        Room *room = findRoomLocked(call.params[0]);
        if (!room) {
            return errorReply(403, "M_FORBIDDEN", "Unknown room");
        }
        auto eventId = redactLocked(*room, call.session->userId, call.params[1], *body, call.params[2],
                                    deviceKey(*call.session));
        return eventId ? okReply(Json{{"event_id", *eventId}}) : replyFromError(eventId.error());
    });
}

} // namespace tessera::e2e
