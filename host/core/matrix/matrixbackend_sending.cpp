// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The Matrix backend's sends and account services: events, state, redactions, to-device messages,
// delayed events, OpenID tokens, media, the user directory, TURN servers and the profile.

#include "matrix/matrixbackend.h"
#include "matrix/matrixbackend_internal.h"

#include <algorithm>

#include "matrix/mxc.h"
#include "util/text.h"

namespace tessera::matrix {

// --- sending ----------------------------------------------------------------------------------

void MatrixBackend::send(const SendRequest &request, Callback<SendResult> done)
{
    if (!m_session)
        return post<SendResult>(std::move(done), notLoggedIn());
    if (auto r = checkEventLimits(request.type, request.stateKey, request.content); !r)
        return post<SendResult>(std::move(done), std::move(r).error());
    if ((request.delayMs || request.parentDelayId) && !m_delayedEvents)
        return post<SendResult>(std::move(done), Error(ErrorCode::Unsupported,
                                                       "the homeserver does not support delayed events (MSC4140)"));
    if (request.delayMs && *request.delayMs < 0)
        return post<SendResult>(std::move(done), matrixError(400, "M_INVALID_PARAM", "The delay must not be negative"));
    // Nothing is queued for a room the user is known not to be in: the server would refuse it
    // for good, after the caller had been told it was on its way. (A room no sync has brought
    // yet, e.g. created a moment ago, is the server's to judge.)
    if (auto info = room(request.roomId); info && info->membership != Membership::Join && info->membership != Membership::Invalid)
        return post<SendResult>(std::move(done), notJoined(*info));
    OutboxRow row;
    row.kind = request.stateKey ? "state" : "event";
    // Message events into an encrypted room are encrypted (state events stay in the clear).
    row.encrypt = !request.stateKey && isEncrypted(request.roomId);
    if (row.encrypt && !m_options.crypto)
        return post<SendResult>(std::move(done), Error(ErrorCode::Unsupported,
                                                       "the room is encrypted and this Tessera cannot encrypt"));
    row.roomId = request.roomId;
    row.type = request.type;
    row.stateKey = request.stateKey;
    row.body = request.content;
    row.delayMs = request.delayMs;
    row.parentDelayId = request.parentDelayId;
    auto seq = enqueue(row);
    if (!seq)
        return post<SendResult>(std::move(done), std::move(seq).error());
    if (!request.sendKey.empty())
        m_outboxKeys[*seq] = request.sendKey;
    m_outboxWaiters[*seq] = [done = std::move(done)](Result<ApiResponse> r) {
        if (!r)
            return done(std::move(r).error());
        SendResult out;
        out.eventId = jsonString(r->json, "event_id");
        out.delayId = jsonString(r->json, "delay_id");
        if (out.eventId.empty() && out.delayId.empty())
            return done(Error(ErrorCode::Corrupt, "the homeserver accepted the event but gave no event_id"));
        done(std::move(out));
    };
    pumpOutbox();
}

void MatrixBackend::redact(const std::string &roomId, const std::string &eventId,
                           const std::optional<std::string> &reason, Callback<std::string> done)
{
    if (!m_session)
        return post<std::string>(std::move(done), notLoggedIn());
    OutboxRow row;
    row.kind = "redaction";
    row.roomId = roomId;
    row.type = "m.room.redaction";
    row.target = eventId;
    if (reason)
        row.body["reason"] = *reason;
    auto seq = enqueue(row);
    if (!seq)
        return post<std::string>(std::move(done), std::move(seq).error());
    m_outboxWaiters[*seq] = [done = std::move(done)](Result<ApiResponse> r) {
        if (!r)
            return done(std::move(r).error());
        done(jsonString(r->json, "event_id"));
    };
    pumpOutbox();
}

void MatrixBackend::sendToDevice(const std::string &type, const nlohmann::json &messages, Callback<void> done)
{
    if (!m_session)
        return post<void>(std::move(done), notLoggedIn());
    if (type.empty() || type.size() > kMaxTypeOrStateKeyBytes)
        return post<void>(std::move(done), matrixError(400, "M_INVALID_PARAM", "the to-device type must be 1 to 255 bytes"));
    if (!messages.is_object())
        return post<void>(std::move(done), matrixError(400, "M_BAD_JSON", "'messages' must be an object of user ids"));
    OutboxRow row;
    row.kind = "to_device";
    row.type = type;
    row.body = {{"messages", messages}};
    auto seq = enqueue(row);
    if (!seq)
        return post<void>(std::move(done), std::move(seq).error());
    m_outboxWaiters[*seq] = [done = std::move(done)](Result<ApiResponse> r) {
        if (!r)
            return done(std::move(r).error());
        done(Result<void>());
    };
    pumpOutbox();
}

void MatrixBackend::sendEncryptedToDevice(const std::string &type, const nlohmann::json &messages, const std::string &,
                                          Callback<void> done)
{
    if (!m_session)
        return post<void>(std::move(done), notLoggedIn());
    if (!m_options.crypto)
        return post<void>(std::move(done), Error(ErrorCode::Unsupported, "this Tessera has no end-to-end encryption"));
    if (!encryptionReady())
        return post<void>(std::move(done), Error(ErrorCode::Unavailable, "end-to-end encryption is still starting"));
    if (type.empty() || type.size() > kMaxTypeOrStateKeyBytes)
        return post<void>(std::move(done), matrixError(400, "M_INVALID_PARAM", "the to-device type must be 1 to 255 bytes"));
    if (!messages.is_object())
        return post<void>(std::move(done), matrixError(400, "M_BAD_JSON", "'messages' must be an object of user ids"));
    m_encryption->encryptToDevice(type, messages, [alive = std::weak_ptr<int>(m_alive), this,
                                                   done = std::move(done)](Result<nlohmann::json> encrypted) mutable {
        if (!alive.lock())
            return;
        if (!encrypted)
            return done(std::move(encrypted).error());
        // Olm ciphertext per device, sent through the outbox like any to-device message.
        OutboxRow row;
        row.kind = "to_device";
        row.type = "m.room.encrypted";
        row.body = {{"messages", std::move(*encrypted)}};
        auto seq = enqueue(row);
        if (!seq)
            return done(std::move(seq).error());
        m_outboxWaiters[*seq] = [done = std::move(done)](Result<ApiResponse> r) {
            if (!r)
                return done(std::move(r).error());
            done(Result<void>());
        };
        pumpOutbox();
    });
}

void MatrixBackend::updateDelayedEvent(const std::string &delayId, DelayedEventAction action, Callback<void> done)
{
    if (!m_session)
        return post<void>(std::move(done), notLoggedIn());
    if (!m_delayedEvents)
        return post<void>(std::move(done),
                          Error(ErrorCode::Unsupported, "the homeserver does not support delayed events (MSC4140)"));
    const char *name = action == DelayedEventAction::Cancel    ? "cancel"
                       : action == DelayedEventAction::Restart ? "restart"
                       : action == DelayedEventAction::Send    ? "send"
                                                               : nullptr;
    if (!name)
        return post<void>(std::move(done), matrixError(400, "M_INVALID_PARAM", "The action must be cancel, restart or send"));
    ApiCall call;
    call.method = "POST";
    call.path = "/_matrix/client/unstable/org.matrix.msc4140/delayed_events/" + ClientApi::segment(delayId);
    call.body = nlohmann::json{{"action", name}};
    api(call, [done = std::move(done)](Result<ApiResponse> r) {
        if (!r)
            return done(std::move(r).error());
        done(Result<void>());
    });
}

// --- account services -------------------------------------------------------------------------

void MatrixBackend::requestOpenIdToken(Callback<OpenIdToken> done)
{
    if (!m_session)
        return post<OpenIdToken>(std::move(done), notLoggedIn());
    ApiCall call;
    call.method = "POST";
    call.path = std::string(kClient) + "/user/" + ClientApi::segment(m_session->userId) + "/openid/request_token";
    call.body = nlohmann::json::object();
    api(call, [done = std::move(done)](Result<ApiResponse> r) {
        if (!r)
            return done(std::move(r).error());
        OpenIdToken t;
        t.accessToken = jsonString(r->json, "access_token");
        t.tokenType = jsonString(r->json, "token_type", "Bearer");
        t.matrixServerName = jsonString(r->json, "matrix_server_name");
        t.expiresInSeconds = jsonInt(r->json, "expires_in");
        if (t.accessToken.empty() || t.matrixServerName.empty())
            return done(Error(ErrorCode::Corrupt, "the homeserver's OpenID answer lacks access_token or matrix_server_name"));
        done(std::move(t));
    });
}

void MatrixBackend::mediaConfig(Callback<nlohmann::json> done)
{
    if (!m_session)
        return post<nlohmann::json>(std::move(done), notLoggedIn());
    ApiCall call;
    call.path = m_legacyMedia ? "/_matrix/media/v3/config" : "/_matrix/client/v1/media/config";
    api(call, [this, done = std::move(done), legacy = m_legacyMedia](Result<ApiResponse> r) mutable {
        if (!r && !legacy && isUnrecognised(r.error())) {
            m_legacyMedia = true; // a server from before Matrix 1.11
            return mediaConfig(std::move(done));
        }
        if (!r)
            return done(std::move(r).error());
        done(std::move(r->json));
    });
}

void MatrixBackend::uploadMedia(const MediaUpload &upload, Callback<std::string> done)
{
    if (!m_session)
        return post<std::string>(std::move(done), notLoggedIn());
    ApiCall call;
    call.method = "POST";
    call.path = "/_matrix/media/v3/upload";
    if (upload.fileName)
        call.query = {{"filename", *upload.fileName}};
    call.rawBody = upload.bytes;
    call.contentType = upload.contentType;
    api(call, [done = std::move(done)](Result<ApiResponse> r) {
        if (!r)
            return done(std::move(r).error());
        const std::string uri = jsonString(r->json, "content_uri");
        if (!text::startsWith(uri, "mxc://"))
            return done(Error(ErrorCode::Corrupt, "the homeserver's upload answer has no mxc:// content_uri"));
        done(uri);
    });
}

namespace {
Result<MxcUri> parseMxc(const std::string &mxcUri)
{
    auto parsed = parseMxcUri(mxcUri);
    if (!parsed)
        return matrixError(400, "M_INVALID_PARAM",
                           "'" + text::truncateUtf8(mxcUri, 100) + "' is not an mxc://server/media-id URI");
    return std::move(*parsed);
}
} // namespace

void MatrixBackend::downloadThumbnail(const std::string &mxcUri, int sizePx, std::size_t maxBytes,
                                      Callback<MediaDownload> done)
{
    if (!m_session)
        return post<MediaDownload>(std::move(done), notLoggedIn());
    auto parts = parseMxc(mxcUri);
    if (!parts)
        return post<MediaDownload>(std::move(done), std::move(parts).error());
    const std::string size = std::to_string(std::clamp(sizePx, 1, 1024));
    ApiCall call;
    call.path = (m_legacyMedia ? "/_matrix/media/v3/thumbnail/" : "/_matrix/client/v1/media/thumbnail/") +
                ClientApi::segment(parts->serverName) + "/" + parts->mediaId;
    call.query = {{"width", size}, {"height", size}, {"method", "crop"}};
    call.rawResponse = true;
    call.maxResponseBytes = std::min(maxBytes, m_options.maxDownloadBytes);
    call.followRedirects = true;
    api(call, [this, done = std::move(done), mxcUri, maxBytes](Result<ApiResponse> r) mutable {
        if (r) {
            MediaDownload out;
            out.bytes = std::move(r->body);
            out.contentType = r->contentType;
            return done(std::move(out));
        }
        // No thumbnail (a server without them, or one it cannot make): the file itself, as bounded.
        downloadFile(mxcUri, maxBytes, std::move(done));
    });
}

void MatrixBackend::downloadMedia(const std::string &mxcUri, Callback<MediaDownload> done)
{
    downloadFile(mxcUri, m_options.maxDownloadBytes, std::move(done));
}

void MatrixBackend::downloadFile(const std::string &mxcUri, std::size_t maxBytes, Callback<MediaDownload> done)
{
    if (!m_session)
        return post<MediaDownload>(std::move(done), notLoggedIn());
    auto parts = parseMxc(mxcUri);
    if (!parts)
        return post<MediaDownload>(std::move(done), std::move(parts).error());
    const std::string &server = parts->serverName;
    const std::string &mediaId = parts->mediaId;
    ApiCall call;
    call.path = (m_legacyMedia ? "/_matrix/media/v3/download/" : "/_matrix/client/v1/media/download/") +
                ClientApi::segment(server) + "/" + mediaId;
    call.rawResponse = true;
    call.maxResponseBytes = std::min(maxBytes, m_options.maxDownloadBytes);
    call.followRedirects = true;
    api(call, [this, done = std::move(done), mxcUri, maxBytes, legacy = m_legacyMedia](Result<ApiResponse> r) mutable {
        if (!r && !legacy && isUnrecognised(r.error())) {
            m_legacyMedia = true;
            return downloadFile(mxcUri, maxBytes, std::move(done));
        }
        if (!r)
            return done(std::move(r).error());
        MediaDownload out;
        out.bytes = std::move(r->body);
        out.contentType = r->contentType;
        done(std::move(out));
    });
}

void MatrixBackend::searchUserDirectory(const std::string &term, int limit, Callback<UserDirectoryResult> done)
{
    if (!m_session)
        return post<UserDirectoryResult>(std::move(done), notLoggedIn());
    if (limit < 1 || limit > kMaxPageSize)
        return post<UserDirectoryResult>(std::move(done), matrixError(400, "M_INVALID_PARAM", "limit must be between 1 and " +
                                                                                                  std::to_string(kMaxPageSize)));
    ApiCall call;
    call.method = "POST";
    call.path = std::string(kClient) + "/user_directory/search";
    call.body = nlohmann::json{{"search_term", term}, {"limit", limit}};
    api(call, [done = std::move(done)](Result<ApiResponse> r) {
        if (!r)
            return done(std::move(r).error());
        UserDirectoryResult out;
        out.limited = jsonBool(r->json, "limited", false);
        for (const auto &u : r->json.value("results", nlohmann::json::array())) {
            if (!u.is_object() || !u.contains("user_id") || !u["user_id"].is_string())
                continue;
            UserDirectoryEntry e;
            e.userId = u["user_id"].get<std::string>();
            if (u.contains("display_name") && u["display_name"].is_string())
                e.displayName = u["display_name"].get<std::string>();
            if (u.contains("avatar_url") && u["avatar_url"].is_string())
                e.avatarUrl = u["avatar_url"].get<std::string>();
            out.results.push_back(std::move(e));
        }
        done(std::move(out));
    });
}

void MatrixBackend::turnServers(Callback<TurnServers> done)
{
    if (!m_session)
        return post<TurnServers>(std::move(done), notLoggedIn());
    ApiCall call;
    call.path = std::string(kClient) + "/voip/turnServer";
    api(call, [done = std::move(done)](Result<ApiResponse> r) {
        if (!r)
            return done(std::move(r).error());
        TurnServers t;
        for (const auto &u : r->json.value("uris", nlohmann::json::array())) {
            if (u.is_string())
                t.uris.push_back(u.get<std::string>());
        }
        if (t.uris.empty())
            return done(Error(ErrorCode::Unavailable, "the homeserver offers no TURN servers"));
        t.username = jsonString(r->json, "username");
        t.password = jsonString(r->json, "password");
        t.ttlSeconds = jsonInt(r->json, "ttl");
        done(std::move(t));
    });
}

void MatrixBackend::profile(const std::string &user, Callback<Profile> done)
{
    if (!m_session)
        return post<Profile>(std::move(done), notLoggedIn());
    ApiCall call;
    call.path = std::string(kClient) + "/profile/" + ClientApi::segment(user);
    api(call, [done = std::move(done)](Result<ApiResponse> r) {
        if (!r)
            return done(std::move(r).error());
        Profile p;
        if (r->json.contains("displayname") && r->json["displayname"].is_string())
            p.displayName = r->json["displayname"].get<std::string>();
        if (r->json.contains("avatar_url") && r->json["avatar_url"].is_string())
            p.avatarUrl = r->json["avatar_url"].get<std::string>();
        done(std::move(p));
    });
}

void MatrixBackend::setDisplayName(const std::string &displayName, Callback<void> done)
{
    if (!m_session)
        return post<void>(std::move(done), notLoggedIn());
    ApiCall call;
    call.method = "PUT";
    call.path = std::string(kClient) + "/profile/" + ClientApi::segment(m_session->userId) + "/displayname";
    call.body = nlohmann::json{{"displayname", displayName}};
    api(call, [done = std::move(done)](Result<ApiResponse> r) {
        if (!r)
            return done(std::move(r).error());
        done(Result<void>());
    });
}

void MatrixBackend::setAvatarUrl(const std::string &mxcUri, Callback<void> done)
{
    if (!m_session)
        return post<void>(std::move(done), notLoggedIn());
    ApiCall call;
    call.method = "PUT";
    call.path = std::string(kClient) + "/profile/" + ClientApi::segment(m_session->userId) + "/avatar_url";
    call.body = nlohmann::json{{"avatar_url", mxcUri}};
    api(call, [done = std::move(done)](Result<ApiResponse> r) {
        if (!r)
            return done(std::move(r).error());
        done(Result<void>());
    });
}

} // namespace tessera::matrix
