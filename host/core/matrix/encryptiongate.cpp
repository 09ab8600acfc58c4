// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "matrix/encryptiongate.h"

namespace tessera::matrix {

EncryptionGate::EncryptionGate(RoomBackend &backend, Scheduler &scheduler, audit::AuditSink &audit)
    : ForwardingBackend(backend), m_scheduler(scheduler), m_audit(audit)
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
    if (!request.stateKey && backend().isEncrypted(request.roomId) && !backend().canEncrypt(request.roomId)) {
        const std::string what = std::string(request.delayMs || request.parentDelayId ? "the delayed " : "the ")
            + request.type + " event";
        return refuse(std::move(done), request.roomId, request.widgetId, "send", what, kEncryptedRoomRefusal);
    }
    backend().send(request, std::move(done));
}

void EncryptionGate::sendEncryptedToDevice(const std::string &type, const nlohmann::json &messages,
                                           const std::string &widgetId, Callback<void> done)
{
    if (backend().encrypts())
        return backend().sendEncryptedToDevice(type, messages, widgetId, std::move(done));
    refuse(std::move(done), {}, widgetId, "send_to_device", "the " + type + " to-device message",
           kEncryptedToDeviceRefusal);
}

} // namespace tessera::matrix
