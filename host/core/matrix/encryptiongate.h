// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

#include "audit/auditsink.h"
#include "matrix/roombackend.h"
#include "util/scheduler.h"

namespace tessera::matrix {

/**
 * What a sender is told when an event would have gone into an end-to-end encrypted room in
 * plaintext (the message of ErrorCode::EncryptionRequired; the shell shows its own translation).
 */
inline constexpr const char *kEncryptedRoomRefusal =
    "This room is end-to-end encrypted and Tessera cannot encrypt messages here, so nothing was sent "
    "(it would have reached the server unencrypted)";
/** The same for a to-device message a widget asked to encrypt. */
inline constexpr const char *kEncryptedToDeviceRefusal =
    "Tessera cannot encrypt to-device messages here, so nothing was sent (it would have left unencrypted)";

/**
 * @brief The one place every outgoing event passes on its way to the room backend: the
 * composer's messages, widgets' send_event and send_to_device, plugins' sends. It stands in
 * front of either backend (local or Matrix) as a RoomBackend of its own; the composition root
 * hands it, never the backend behind it, to everything that sends.
 *
 * What the backend behind it can encrypt goes through, and the backend encrypts it (a Matrix
 * account with the encryption engine: canEncrypt(), encrypts()). What it cannot encrypt the gate
 * refuses instead of letting it leave in plaintext, with ErrorCode::EncryptionRequired and a
 * message written for the sender, and records each refusal in the audit log ("outgoing"):
 *  - a non-state event (message, reaction, delayed or not) into a room with m.room.encryption
 *    that the backend cannot encrypt (local rooms; no encryption engine; an unknown algorithm);
 *  - a to-device message sent with `encrypted: true` when the backend has no encryption.
 * State events (never encrypted in Matrix) and redactions (the server must read what they
 * redact, so clients send them in the clear) go through.
 *
 * The refusal is decided on the backend's current state (isEncrypted), as every send is made,
 * so a room that turns encryption on refuses the next send. Callbacks follow RoomBackend's
 * contract (later, on the scheduler's thread); everything else is forwarded unchanged.
 */
class EncryptionGate final : public RoomBackend {
public:
    EncryptionGate(RoomBackend &backend, Scheduler &scheduler, audit::AuditSink &audit);
    ~EncryptionGate() override;
    EncryptionGate(const EncryptionGate &) = delete;
    EncryptionGate &operator=(const EncryptionGate &) = delete;

    /** The backend behind the gate (for what only it offers, e.g. logging in). */
    RoomBackend &backend() { return m_backend; }

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
    void createRoom(const CreateRoomRequest &request, Callback<std::string> done) override;
    void joinRoom(const std::string &roomIdOrAlias, Callback<std::string> done) override;
    void leaveRoom(const std::string &roomId, Callback<void> done) override;
    void readState(const std::string &roomId, const std::string &type, const std::optional<std::string> &stateKey,
                   Callback<std::vector<nlohmann::json>> done) override;
    void readTimeline(const TimelineQuery &query, Callback<TimelinePage> done) override;
    void readRelations(const RelationsQuery &query, Callback<RelationsPage> done) override;
    void readRoomAccountData(const std::string &roomId, const std::string &type,
                             Callback<std::optional<nlohmann::json>> done) override;
    void setRoomAccountData(const std::string &roomId, const std::string &type, const nlohmann::json &content,
                            Callback<void> done) override;
    /** Refuses a non-state event into an encrypted room the backend cannot encrypt; forwards everything else. */
    void send(const SendRequest &request, Callback<SendResult> done) override;
    void redact(const std::string &roomId, const std::string &eventId, const std::optional<std::string> &reason,
                Callback<std::string> done) override;
    [[nodiscard]] bool supportsDelayedEvents() const override { return m_backend.supportsDelayedEvents(); }
    void updateDelayedEvent(const std::string &delayId, DelayedEventAction action, Callback<void> done) override;
    void sendToDevice(const std::string &type, const nlohmann::json &messages, Callback<void> done) override;
    /** Forwarded to a backend that encrypts; refused by the gate otherwise. */
    void sendEncryptedToDevice(const std::string &type, const nlohmann::json &messages, const std::string &widgetId,
                               Callback<void> done) override;
    void requestOpenIdToken(Callback<OpenIdToken> done) override;
    void mediaConfig(Callback<nlohmann::json> done) override;
    void uploadMedia(const MediaUpload &upload, Callback<std::string> done) override;
    void downloadMedia(const std::string &mxcUri, Callback<MediaDownload> done) override;
    void searchUserDirectory(const std::string &term, int limit, Callback<UserDirectoryResult> done) override;
    void turnServers(Callback<TurnServers> done) override;
    void profile(const std::string &userId, Callback<Profile> done) override;
    void setDisplayName(const std::string &displayName, Callback<void> done) override;
    void setAvatarUrl(const std::string &mxcUri, Callback<void> done) override;
    [[nodiscard]] std::unique_ptr<ListenerHandle> addListener(RoomListener listener) override;

private:
    template<typename T>
    void refuse(Callback<T> done, const std::string &roomId, const std::string &widgetId, const std::string &action,
                const std::string &what, const char *message);

    RoomBackend &m_backend;
    Scheduler &m_scheduler;
    audit::AuditSink &m_audit;
};

} // namespace tessera::matrix
