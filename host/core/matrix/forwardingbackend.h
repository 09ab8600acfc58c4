// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "matrix/roombackend.h"

namespace tessera::matrix {

/**
 * @brief A RoomBackend that hands every call to the backend behind it, unchanged.
 *
 * The base of a backend that stands in front of another to change a few calls (EncryptionGate
 * refuses plaintext sends): it overrides those and inherits the rest, so a call added to
 * RoomBackend is forwarded in one place rather than in each wrapper.
 */
class ForwardingBackend : public RoomBackend {
public:
    explicit ForwardingBackend(RoomBackend &backend) : m_backend(backend) {}
    ForwardingBackend(const ForwardingBackend &) = delete;
    ForwardingBackend &operator=(const ForwardingBackend &) = delete;

    /** The backend behind this one (for what only it offers, e.g. logging in). */
    RoomBackend &backend() { return m_backend; }
    [[nodiscard]] const RoomBackend &backend() const { return m_backend; }

    [[nodiscard]] std::string userId() const override { return m_backend.userId(); }
    [[nodiscard]] std::string deviceId() const override { return m_backend.deviceId(); }
    [[nodiscard]] std::vector<RoomInfo> rooms() const override { return m_backend.rooms(); }
    [[nodiscard]] std::optional<RoomInfo> room(const std::string &roomId) const override { return m_backend.room(roomId); }
    [[nodiscard]] std::int64_t powerLevel(const std::string &roomId, const std::string &userId) const override
    {
        return m_backend.powerLevel(roomId, userId);
    }
    [[nodiscard]] bool canSendState(const std::string &roomId, const std::string &type) const override
    {
        return m_backend.canSendState(roomId, type);
    }
    [[nodiscard]] bool canSendEvent(const std::string &roomId, const std::string &type) const override
    {
        return m_backend.canSendEvent(roomId, type);
    }
    [[nodiscard]] bool isEncrypted(const std::string &roomId) const override { return m_backend.isEncrypted(roomId); }
    [[nodiscard]] bool encrypts() const override { return m_backend.encrypts(); }
    [[nodiscard]] bool canEncrypt(const std::string &roomId) const override { return m_backend.canEncrypt(roomId); }
    [[nodiscard]] std::optional<DecryptionInfo> decryptionInfo(const std::string &eventId) const override
    {
        return m_backend.decryptionInfo(eventId);
    }
    void createRoom(const CreateRoomRequest &request, Callback<std::string> done) override
    {
        m_backend.createRoom(request, std::move(done));
    }
    void joinRoom(const std::string &roomIdOrAlias, Callback<std::string> done) override
    {
        m_backend.joinRoom(roomIdOrAlias, std::move(done));
    }
    void leaveRoom(const std::string &roomId, Callback<void> done) override
    {
        m_backend.leaveRoom(roomId, std::move(done));
    }
    void readState(const std::string &roomId, const std::string &type, const std::optional<std::string> &stateKey,
                   Callback<std::vector<nlohmann::json>> done) override
    {
        m_backend.readState(roomId, type, stateKey, std::move(done));
    }
    void readTimeline(const TimelineQuery &query, Callback<TimelinePage> done) override
    {
        m_backend.readTimeline(query, std::move(done));
    }
    void readRelations(const RelationsQuery &query, Callback<RelationsPage> done) override
    {
        m_backend.readRelations(query, std::move(done));
    }
    void readRoomAccountData(const std::string &roomId, const std::string &type,
                             Callback<std::optional<nlohmann::json>> done) override
    {
        m_backend.readRoomAccountData(roomId, type, std::move(done));
    }
    void setRoomAccountData(const std::string &roomId, const std::string &type, const nlohmann::json &content,
                            Callback<void> done) override
    {
        m_backend.setRoomAccountData(roomId, type, content, std::move(done));
    }
    void send(const SendRequest &request, Callback<SendResult> done) override
    {
        m_backend.send(request, std::move(done));
    }
    Withdrawal withdrawSend(const std::string &sendKey) override { return m_backend.withdrawSend(sendKey); }
    bool forgetFailedSend(const std::string &sendKey) override { return m_backend.forgetFailedSend(sendKey); }
    void redact(const std::string &roomId, const std::string &eventId, const std::optional<std::string> &reason,
                Callback<std::string> done) override
    {
        m_backend.redact(roomId, eventId, reason, std::move(done));
    }
    [[nodiscard]] bool supportsDelayedEvents() const override { return m_backend.supportsDelayedEvents(); }
    void updateDelayedEvent(const std::string &delayId, DelayedEventAction action, Callback<void> done) override
    {
        m_backend.updateDelayedEvent(delayId, action, std::move(done));
    }
    void sendToDevice(const std::string &type, const nlohmann::json &messages, Callback<void> done) override
    {
        m_backend.sendToDevice(type, messages, std::move(done));
    }
    void sendEncryptedToDevice(const std::string &type, const nlohmann::json &messages, const std::string &widgetId,
                               Callback<void> done) override
    {
        m_backend.sendEncryptedToDevice(type, messages, widgetId, std::move(done));
    }
    void requestOpenIdToken(Callback<OpenIdToken> done) override { m_backend.requestOpenIdToken(std::move(done)); }
    void mediaConfig(Callback<nlohmann::json> done) override { m_backend.mediaConfig(std::move(done)); }
    void uploadMedia(const MediaUpload &upload, Callback<std::string> done) override
    {
        m_backend.uploadMedia(upload, std::move(done));
    }
    void downloadMedia(const std::string &mxcUri, Callback<MediaDownload> done) override
    {
        m_backend.downloadMedia(mxcUri, std::move(done));
    }
    void downloadThumbnail(const std::string &mxcUri, int sizePx, std::size_t maxBytes, Callback<MediaDownload> done) override
    {
        m_backend.downloadThumbnail(mxcUri, sizePx, maxBytes, std::move(done));
    }
    void searchUserDirectory(const std::string &term, int limit, Callback<UserDirectoryResult> done) override
    {
        m_backend.searchUserDirectory(term, limit, std::move(done));
    }
    void turnServers(Callback<TurnServers> done) override { m_backend.turnServers(std::move(done)); }
    void profile(const std::string &userId, Callback<Profile> done) override
    {
        m_backend.profile(userId, std::move(done));
    }
    void setDisplayName(const std::string &displayName, Callback<void> done) override
    {
        m_backend.setDisplayName(displayName, std::move(done));
    }
    void setAvatarUrl(const std::string &mxcUri, Callback<void> done) override
    {
        m_backend.setAvatarUrl(mxcUri, std::move(done));
    }
    [[nodiscard]] std::unique_ptr<ListenerHandle> addListener(RoomListener listener) override
    {
        return m_backend.addListener(std::move(listener));
    }

private:
    RoomBackend &m_backend;
};

} // namespace tessera::matrix
