// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "matrix/clientapi.h"
#include "matrix/cryptomachine.h"
#include "matrix/roombackend.h"
#include "util/result.h"
#include "util/scheduler.h"

namespace tessera::matrix {

/** This device's identity keys, as the machine created them. */
struct DeviceIdentity {
    std::string ed25519;    ///< the fingerprint people compare
    std::string curve25519;
};

/** A room event after decryption: the event as Element shows it to widgets, or the encrypted one. */
struct DecryptedEvent {
    nlohmann::json event; ///< type and content are the clear ones when decrypted
    bool wasEncrypted = false;
    DecryptionInfo info;
};

/** A to-device message as the user's device received it. */
struct ReceivedToDevice {
    nlohmann::json message; ///< {sender, type, content}
    bool encrypted = false; ///< it came Olm-encrypted and was decrypted
};

/** What the encryption driver needs to know of a room to encrypt in it. */
struct EncryptionRoom {
    std::vector<std::string> targets; ///< joined members, and invited ones unless history is "joined"
    nlohmann::json settings = nlohmann::json::object(); ///< {historyVisibility, rotationPeriodMs?, rotationPeriodMessages?}
};

struct EncryptionOptions {
    /** Decrypted events kept in memory (the cache is bounded; the encrypted copies stay in the room cache). */
    std::size_t maxDecryptedEvents = 20'000;
    /** Events that could not be decrypted and wait for their key, at most. */
    std::size_t maxWaitingEvents = 5'000;
    /** Rounds of "send what the machine asks for" one flush may take before it stops. */
    int maxFlushRounds = 8;
};

/**
 * @brief Drives the end-to-end encryption state machine (CryptoMachine) for the Matrix backend.
 *
 * Sync results go in before the sync is acknowledged (receiveSync), so to-device messages and
 * one-time key counts reach the machine's persistent store first. The HTTP requests the machine
 * asks for (key upload, query and claim, to-device, signature and backup uploads) are sent with
 * the backend's ClientApi and their answers handed back. Room events are encrypted after the
 * room key has been shared with every member's devices (serialised: one encryption at a time),
 * decrypted on demand with the result cached in memory, and an event whose key was missing is
 * decrypted again when the key arrives (onEventDecrypted). It does no cryptography itself.
 */
class Encryption {
public:
    using ApiFn = std::function<void(ApiCall, std::function<void(Result<ApiResponse>)>)>;
    using RoomFn = std::function<Result<EncryptionRoom>(const std::string &roomId)>;
    using LogFn = std::function<void(int level, const std::string &text)>; ///< level: 0 debug, 1 info, 2 warning

    Encryption(Scheduler &scheduler, CryptoMachine &machine, ApiFn api, RoomFn room, LogFn log = {},
               EncryptionOptions options = {});
    ~Encryption();
    Encryption(const Encryption &) = delete;
    Encryption &operator=(const Encryption &) = delete;

    /** Opens (or creates) the machine's store for this device and uploads its keys. */
    void start(const std::string &userId, const std::string &deviceId, const std::string &storePassphrase,
               Callback<DeviceIdentity> done);
    [[nodiscard]] bool isReady() const { return m_ready; }
    [[nodiscard]] const DeviceIdentity &identity() const { return m_identity; }

    /** Hands a /sync response's to-device events, device lists and key counts to the machine. */
    void receiveSync(const nlohmann::json &response, Callback<std::vector<ReceivedToDevice>> done);
    /** Users whose devices must be tracked (members of encrypted rooms). */
    void trackUsers(const std::vector<std::string> &users);
    /** Sends what the machine asks for; @p done (optional) once nothing is left. */
    void flush(std::function<void()> done = {});

    /** Shares the room key if needed, then encrypts; answers the m.room.encrypted content. */
    void encryptRoomEvent(const std::string &roomId, const std::string &type, const nlohmann::json &content,
                          Callback<nlohmann::json> done);
    /** Decrypts an m.room.encrypted event (with room_id); other events come back unchanged. */
    void decryptRoomEvent(const nlohmann::json &event, Callback<DecryptedEvent> done);
    /** Decrypts in order; each result in the input's order. */
    void decryptRoomEvents(std::vector<nlohmann::json> events, Callback<std::vector<DecryptedEvent>> done);
    /**
     * Encrypts to-device messages per device: @p messages is {user: {device or "*": content}};
     * answers {user: {device: m.room.encrypted content}} for the devices it could encrypt for.
     */
    void encryptToDevice(const std::string &type, const nlohmann::json &messages, Callback<nlohmann::json> done);

    /** What decryption said of an event (nullopt if it was never decrypted here). */
    [[nodiscard]] std::optional<DecryptionInfo> info(const std::string &eventId) const;

    /** A method of the machine for the user interface (devices, trust, verification, recovery). */
    void call(const std::string &method, nlohmann::json args, Callback<nlohmann::json> done);

    /** An event that could not be decrypted now can be: the decrypted event (same event id). */
    void setOnEventDecrypted(std::function<void(const DecryptedEvent &)> fn) { m_onEventDecrypted = std::move(fn); }
    /** The machine's own reports ("devices", "identity", "verification", "error"), after this driver's handling. */
    void setOnNotify(std::function<void(const std::string &, const nlohmann::json &)> fn) { m_onNotify = std::move(fn); }

    /** Sends one outgoing request of the machine and marks it sent (exposed for verification flows). */
    void sendRequest(const nlohmann::json &request, Callback<void> done);

private:
    using Op = std::function<void(std::function<void()> next)>;
    void enqueue(Op op);
    void runOps();
    void flushRound(int round);
    void finishFlush();
    void ensureRoomKey(const std::string &roomId, Callback<void> done);
    struct RequestBatch;
    struct ToDeviceBatch;
    void sendRequests(std::vector<nlohmann::json> requests, Callback<void> done);
    void sendNext(std::shared_ptr<RequestBatch> batch);
    void encryptNextToDevice(std::shared_ptr<ToDeviceBatch> batch);
    void claimMissingSessions(const std::vector<std::string> &users, Callback<void> done);
    void onNotify(const std::string &kind, const nlohmann::json &payload);
    void remember(const std::string &eventId, const DecryptedEvent &decrypted);
    void wait(const nlohmann::json &event, const std::string &sessionId);
    void retryBeforeReady();
    void log(int level, const std::string &text) const;
    DecryptedEvent fromResult(const nlohmann::json &event, const nlohmann::json &result) const;

    Scheduler &m_scheduler;
    CryptoMachine &m_machine;
    ApiFn m_api;
    RoomFn m_room;
    LogFn m_log;
    EncryptionOptions m_options;
    bool m_ready = false;
    DeviceIdentity m_identity;
    std::string m_userId;

    std::deque<Op> m_ops;
    bool m_opRunning = false;

    bool m_flushing = false;
    bool m_flushAgain = false;
    std::vector<std::function<void()>> m_flushWaiters;

    // decrypted events, most recent first (bounded)
    std::list<std::pair<std::string, DecryptedEvent>> m_recent;
    std::unordered_map<std::string, std::list<std::pair<std::string, DecryptedEvent>>::iterator> m_byId;
    // events waiting for their room key: session id -> events (with room_id)
    std::map<std::string, std::vector<nlohmann::json>> m_waiting;
    std::size_t m_waitingCount = 0;
    // events asked for before the machine was ready (bounded by maxWaitingEvents)
    std::vector<nlohmann::json> m_beforeReady;

    std::function<void(const DecryptedEvent &)> m_onEventDecrypted;
    std::function<void(const std::string &, const nlohmann::json &)> m_onNotify;
    std::shared_ptr<int> m_alive = std::make_shared<int>(0);
};

} // namespace tessera::matrix
