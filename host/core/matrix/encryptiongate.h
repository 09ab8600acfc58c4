// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

#include "audit/auditsink.h"
#include "matrix/forwardingbackend.h"
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
 * contract (later, on the scheduler's thread); everything else is forwarded unchanged
 * (ForwardingBackend).
 */
class EncryptionGate final : public ForwardingBackend {
public:
    EncryptionGate(RoomBackend &backend, Scheduler &scheduler, audit::AuditSink &audit);
    ~EncryptionGate() override;

    /** Refuses a non-state event into an encrypted room the backend cannot encrypt; forwards everything else. */
    void send(const SendRequest &request, Callback<SendResult> done) override;
    /** Forwarded to a backend that encrypts; refused by the gate otherwise. */
    void sendEncryptedToDevice(const std::string &type, const nlohmann::json &messages, const std::string &widgetId,
                               Callback<void> done) override;

private:
    template<typename T>
    void refuse(Callback<T> done, const std::string &roomId, const std::string &widgetId, const std::string &action,
                const std::string &what, const char *message);

    Scheduler &m_scheduler;
    audit::AuditSink &m_audit;
};

} // namespace tessera::matrix
