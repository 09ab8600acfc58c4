// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The local backend's to-device messages and account services: OpenID tokens, media kept in the
// store, the user directory, TURN servers (none) and the profile.

#include "matrix/localbackend.h"
#include "matrix/localbackend_internal.h"

#include "matrix/mxc.h"
#include "util/text.h"

namespace tessera::matrix {

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
        TRY(st->bindAll(mediaId, upload.contentType.empty() ? "application/octet-stream" : upload.contentType,
                        upload.fileName));
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
        const auto mxc = parseMxcUri(mxcUri);
        if (!mxc)
            return matrixError(400, "M_INVALID_PARAM", "not an mxc://server/media-id URI");
        if (mxc->serverName != kServerName)
            return matrixError(404, "M_NOT_FOUND", "Media from other servers is not available in the local backend");
        auto st = m_db.prepare("SELECT content_type, bytes FROM media WHERE media_id = ?1", mxc->mediaId);
        if (!st)
            return std::move(st).error();
        auto media = st->firstRow([](const storage::Statement &row) {
            MediaDownload out;
            out.contentType = std::string(row.columnText(0));
            out.bytes = std::string(row.columnBlob(1));
            return out;
        });
        if (!media)
            return std::move(media).error();
        if (!*media)
            return matrixError(404, "M_NOT_FOUND", "Not found");
        return std::move(**media);
    }();
    reply(std::move(done), std::move(result));
}

void LocalBackend::searchUserDirectory(const std::string &term, int limit, Callback<UserDirectoryResult> done)
{
    auto result = [&]() -> Result<UserDirectoryResult> {
        if (limit < 1 || limit > kMaxPageSize)
            return matrixError(400, "M_INVALID_PARAM", "limit must be between 1 and " + std::to_string(kMaxPageSize));
        // the profiles first; a member event adds only users without one
        std::map<std::string, UserDirectoryEntry> users;
        for (const char *sql : {"SELECT user_id, displayname, avatar_url FROM profiles",
                                "SELECT state_key, json_extract(json, '$.content.displayname'), "
                                "json_extract(json, '$.content.avatar_url') FROM state WHERE type = 'm.room.member'"}) {
            auto st = m_db.prepare(sql);
            if (!st)
                return std::move(st).error();
            TRY(st->forEachRow([&](const storage::Statement &row) {
                UserDirectoryEntry e;
                e.userId = std::string(row.columnText(0));
                e.displayName = row.optionalText(1);
                e.avatarUrl = row.optionalText(2);
                users.emplace(e.userId, std::move(e));
            }));
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
        auto st = m_db.prepare("SELECT displayname, avatar_url FROM profiles WHERE user_id = ?1", userId);
        if (!st)
            return std::move(st).error();
        auto profile = st->firstRow([](const storage::Statement &row) {
            Profile p;
            p.displayName = row.optionalText(0);
            p.avatarUrl = row.optionalText(1);
            return p;
        });
        if (!profile)
            return std::move(profile).error();
        if (!*profile)
            return matrixError(404, "M_NOT_FOUND", "Profile was not found");
        return std::move(**profile);
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
        TRY(m_db.run("UPDATE profiles SET displayname = ?2 WHERE user_id = ?1", m_userId, displayName));
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
        if (!mxcUri.empty() && !parseMxcUri(mxcUri))
            return matrixError(400, "M_INVALID_PARAM", "the avatar must be an mxc://server/media-id URI");
        auto tx = m_db.begin();
        if (!tx)
            return std::move(tx).error();
        const auto avatar = mxcUri.empty() ? std::nullopt : std::optional(mxcUri);
        TRY(m_db.run("UPDATE profiles SET avatar_url = ?2 WHERE user_id = ?1", m_userId, avatar));
        TRY(updateOwnMember({{"avatar_url", mxcUri.empty() ? nlohmann::json() : nlohmann::json(mxcUri)}}, changes));
        return tx->commit();
    }();
    if (!result)
        changes = {};
    reply(std::move(done), std::move(result));
    publish(std::move(changes));
}

} // namespace tessera::matrix
