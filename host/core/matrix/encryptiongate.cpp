// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "matrix/encryptiongate.h"

namespace tessera::matrix {

EncryptionGate::EncryptionGate(RoomBackend &backend, Scheduler &scheduler, audit::AuditSink &audit)
    : m_backend(backend), m_scheduler(scheduler), m_audit(audit)
{
}

EncryptionGate::~EncryptionGate() = default;

template<typename T>
void EncryptionGate::refuse(Callback<T> done, const std::string &roomId, const std::string &widgetId,
                            const std::string &action, const std::string &what, const char *message)
{
    // Refused whether or not the row can be written: refusing is the safe side, and an audit
    // log that cannot write is already failing closed for everything else.
    const std::string reason = "refused, " + what + " would have left unencrypted: " + message;
    audit::Record r;
    r.category = audit::Category::Outgoing;
    r.direction = audit::Direction::Internal;
    r.decision = audit::Decision::Refused;
    r.timestampMs = m_scheduler.wallClockMs();
    r.widgetId = widgetId;
    r.roomId = roomId;
    r.action = action;
    r.reason = reason;
    m_audit.append(r);
    m_scheduler.post([done = std::move(done), error = Error(ErrorCode::EncryptionRequired, message)]() mutable {
        done(std::move(error));
    });
}

void EncryptionGate::send(const SendRequest &request, Callback<SendResult> done)
{
    if (!request.stateKey && m_backend.isEncrypted(request.roomId) && !m_backend.canEncrypt(request.roomId)) {
        const std::string what = std::string(request.delayMs || request.parentDelayId ? "the delayed " : "the ")
            + request.type + " event";
        return refuse(std::move(done), request.roomId, request.widgetId, "send", what, kEncryptedRoomRefusal);
    }
    m_backend.send(request, std::move(done));
}

void EncryptionGate::sendEncryptedToDevice(const std::string &type, const nlohmann::json &messages,
                                           const std::string &widgetId, Callback<void> done)
{
    if (m_backend.encrypts())
        return m_backend.sendEncryptedToDevice(type, messages, widgetId, std::move(done));
    refuse(std::move(done), {}, widgetId, "send_to_device", "the " + type + " to-device message",
           kEncryptedToDeviceRefusal);
}

// --- forwarded unchanged ----------------------------------------------------------------------

void EncryptionGate::createRoom(const CreateRoomRequest &request, Callback<std::string> done)
{
    m_backend.createRoom(request, std::move(done));
}

void EncryptionGate::joinRoom(const std::string &roomIdOrAlias, Callback<std::string> done)
{
    m_backend.joinRoom(roomIdOrAlias, std::move(done));
}

void EncryptionGate::leaveRoom(const std::string &roomId, Callback<void> done)
{
    m_backend.leaveRoom(roomId, std::move(done));
}

void EncryptionGate::readState(const std::string &roomId, const std::string &type,
                               const std::optional<std::string> &stateKey, Callback<std::vector<nlohmann::json>> done)
{
    m_backend.readState(roomId, type, stateKey, std::move(done));
}

void EncryptionGate::readTimeline(const TimelineQuery &query, Callback<TimelinePage> done)
{
    m_backend.readTimeline(query, std::move(done));
}

void EncryptionGate::readRelations(const RelationsQuery &query, Callback<RelationsPage> done)
{
    m_backend.readRelations(query, std::move(done));
}

void EncryptionGate::readRoomAccountData(const std::string &roomId, const std::string &type,
                                         Callback<std::optional<nlohmann::json>> done)
{
    m_backend.readRoomAccountData(roomId, type, std::move(done));
}

void EncryptionGate::setRoomAccountData(const std::string &roomId, const std::string &type,
                                        const nlohmann::json &content, Callback<void> done)
{
    m_backend.setRoomAccountData(roomId, type, content, std::move(done));
}

void EncryptionGate::redact(const std::string &roomId, const std::string &eventId,
                            const std::optional<std::string> &reason, Callback<std::string> done)
{
    m_backend.redact(roomId, eventId, reason, std::move(done));
}

void EncryptionGate::updateDelayedEvent(const std::string &delayId, DelayedEventAction action, Callback<void> done)
{
    m_backend.updateDelayedEvent(delayId, action, std::move(done));
}

void EncryptionGate::sendToDevice(const std::string &type, const nlohmann::json &messages, Callback<void> done)
{
    m_backend.sendToDevice(type, messages, std::move(done));
}

void EncryptionGate::requestOpenIdToken(Callback<OpenIdToken> done)
{
    m_backend.requestOpenIdToken(std::move(done));
}

void EncryptionGate::mediaConfig(Callback<nlohmann::json> done)
{
    m_backend.mediaConfig(std::move(done));
}

void EncryptionGate::uploadMedia(const MediaUpload &upload, Callback<std::string> done)
{
    m_backend.uploadMedia(upload, std::move(done));
}

void EncryptionGate::downloadMedia(const std::string &mxcUri, Callback<MediaDownload> done)
{
    m_backend.downloadMedia(mxcUri, std::move(done));
}

void EncryptionGate::searchUserDirectory(const std::string &term, int limit, Callback<UserDirectoryResult> done)
{
    m_backend.searchUserDirectory(term, limit, std::move(done));
}

void EncryptionGate::turnServers(Callback<TurnServers> done)
{
    m_backend.turnServers(std::move(done));
}

void EncryptionGate::profile(const std::string &userId, Callback<Profile> done)
{
    m_backend.profile(userId, std::move(done));
}

void EncryptionGate::setDisplayName(const std::string &displayName, Callback<void> done)
{
    m_backend.setDisplayName(displayName, std::move(done));
}

void EncryptionGate::setAvatarUrl(const std::string &mxcUri, Callback<void> done)
{
    m_backend.setAvatarUrl(mxcUri, std::move(done));
}

std::unique_ptr<ListenerHandle> EncryptionGate::addListener(RoomListener listener)
{
    return m_backend.addListener(std::move(listener));
}

} // namespace tessera::matrix
