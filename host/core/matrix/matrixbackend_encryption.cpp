// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The Matrix backend's end-to-end encryption: starting and closing the crypto machine, the rooms it
// tracks, decryption details and key backup.

#include "matrix/matrixbackend.h"
#include "matrix/matrixbackend_internal.h"

#include <set>

#include "util/log.h"

namespace tessera::matrix {

// --- end-to-end encryption ------------------------------------------------------------------------

void MatrixBackend::startEncryption()
{
    if (!m_options.crypto || !m_session || m_encryptionStarting || encryptionReady())
        return;
    // The key the crypto store is encrypted with lives in the keychain beside the access token.
    auto key = m_options.secrets->read(kCryptoStoreSecret);
    std::string passphrase;
    if (key && *key && !(*key)->empty()) {
        passphrase = **key;
    } else if (key) {
        passphrase = randomToken(32);
        if (auto stored = m_options.secrets->write(kCryptoStoreSecret, passphrase); !stored) {
            setSyncState(SyncState::Backoff, "the key of the encryption store could not be kept in " +
                                                 m_options.secrets->description() + ": " + stored.error().message);
            return;
        }
    } else {
        setSyncState(SyncState::Backoff, "the key of the encryption store could not be read from " +
                                             m_options.secrets->description() + ": " + key.error().message);
        return;
    }
    if (!m_encryption) {
        m_encryption = std::make_unique<Encryption>(
            m_scheduler, *m_options.crypto,
            [this](ApiCall call, std::function<void(Result<ApiResponse>)> done) { api(std::move(call), std::move(done)); },
            [this](const std::string &roomId) { return encryptionRoom(roomId); },
            [this](int level, const std::string &text) {
                logLine(level >= 2 ? LogLevel::Warning : level == 1 ? LogLevel::Info : LogLevel::Debug, text);
            });
        m_encryption->setOnEventDecrypted([this](const DecryptedEvent &decrypted) {
            m_listeners.emitEventDecrypted(decrypted.event);
        });
        m_encryption->setOnNotify([this](const std::string &kind, const nlohmann::json &payload) {
            if (m_encryptionListener)
                m_encryptionListener(kind, payload);
        });
    }
    m_encryptionStarting = true;
    m_encryption->start(m_session->userId, m_session->deviceId, passphrase,
                        [alive = std::weak_ptr<int>(m_alive), this](Result<DeviceIdentity> r) {
                            if (!alive.lock())
                                return;
                            m_encryptionStarting = false;
                            if (!m_running)
                                return;
                            if (!r) {
                                // Without the store no sync may run (it would drop room keys): retry later.
                                ++m_encryptionFailures;
                                const std::int64_t delay = backoffMs(m_encryptionFailures);
                                logLine(LogLevel::Warning, "end-to-end encryption could not start, next try in " +
                                                               std::to_string(delay) + " ms: " + r.error().message);
                                setSyncState(SyncState::Backoff, "end-to-end encryption could not start: " + r.error().message);
                                m_syncTimer = m_scheduler.schedule(delay, [this] {
                                    m_syncTimer.reset();
                                    startEncryption();
                                });
                                return;
                            }
                            m_encryptionFailures = 0;
                            if (m_encryptionListener)
                                m_encryptionListener("ready", {{"ed25519", r->ed25519}, {"curve25519", r->curve25519},
                                                               {"deviceId", m_session->deviceId}});
                            std::set<std::string> encryptedRooms;
                            for (const auto &info : rooms()) {
                                if (info.encrypted && info.membership == Membership::Join)
                                    encryptedRooms.insert(info.roomId);
                            }
                            trackEncryptedRooms(encryptedRooms);
                            setSyncState(SyncState::Syncing);
                            ensureFilterThenSync();
                            pumpOutbox();
                        });
}

void MatrixBackend::closeEncryption(bool forgetStore)
{
    if (m_encryption) {
        if (m_encryption->isReady())
            m_encryption->call("close", nlohmann::json::object(), [](Result<nlohmann::json>) {});
        m_encryption.reset();
    }
    m_encryptionStarting = false;
    m_encryptionFailures = 0;
    m_emits.clear();
    m_emitBusy = false;
    if (forgetStore)
        (void)m_options.secrets->remove(kCryptoStoreSecret);
}

Result<EncryptionRoom> MatrixBackend::encryptionRoom(const std::string &roomId) const
{
    auto encryption = m_store->stateEvent(roomId, "m.room.encryption", "");
    if (!encryption)
        return std::move(encryption).error();
    if (!*encryption)
        return Error(ErrorCode::BadRequest, "the room " + roomId + " is not encrypted");
    const nlohmann::json settings = (**encryption).value("content", nlohmann::json::object());
    const std::string algorithm = settings.is_object() ? jsonString(settings, "algorithm") : std::string();
    if (algorithm != "m.megolm.v1.aes-sha2")
        return Error(ErrorCode::Unsupported, "the room " + roomId + " uses the encryption algorithm '" + algorithm +
                                                 "', which Tessera does not support (only m.megolm.v1.aes-sha2)");
    std::string visibility = "shared";
    if (auto hv = m_store->stateEvent(roomId, "m.room.history_visibility", ""); hv && *hv) {
        const auto content = (**hv).value("content", nlohmann::json::object());
        if (content.is_object() && !jsonString(content, "history_visibility").empty())
            visibility = jsonString(content, "history_visibility");
    }
    auto members = m_store->state(roomId, "m.room.member", std::nullopt);
    if (!members)
        return std::move(members).error();
    EncryptionRoom out;
    // As Element: joined members, and invited ones too unless history is only for joined members.
    for (const auto &m : *members) {
        const std::string membership = m.contains("content") ? jsonString(m["content"], "membership") : std::string();
        if (membership == "join" || (membership == "invite" && visibility != "joined"))
            out.targets.push_back(jsonString(m, "state_key"));
    }
    out.settings = {{"historyVisibility", visibility}};
    if (settings.contains("rotation_period_ms") && settings["rotation_period_ms"].is_number())
        out.settings["rotationPeriodMs"] = settings["rotation_period_ms"];
    if (settings.contains("rotation_period_msgs") && settings["rotation_period_msgs"].is_number())
        out.settings["rotationPeriodMessages"] = settings["rotation_period_msgs"];
    return out;
}

void MatrixBackend::trackEncryptedRooms(const std::set<std::string> &roomIds)
{
    if (!encryptionReady())
        return;
    std::set<std::string> users;
    for (const auto &roomId : roomIds) {
        if (!isEncrypted(roomId))
            continue;
        if (auto room = encryptionRoom(roomId))
            users.insert(room->targets.begin(), room->targets.end());
    }
    if (!users.empty())
        m_encryption->trackUsers(std::vector<std::string>(users.begin(), users.end()));
}

bool MatrixBackend::canEncrypt(const std::string &roomId) const
{
    if (!m_options.crypto || !m_store)
        return false;
    auto encryption = m_store->stateEvent(roomId, "m.room.encryption", "");
    if (!encryption || !*encryption)
        return false;
    const nlohmann::json content = (**encryption).value("content", nlohmann::json::object());
    return content.is_object() && jsonString(content, "algorithm") == "m.megolm.v1.aes-sha2";
}

std::optional<DecryptionInfo> MatrixBackend::decryptionInfo(const std::string &eventId) const
{
    return m_encryption ? m_encryption->info(eventId) : std::nullopt;
}

void MatrixBackend::setEncryptionListener(std::function<void(const std::string &, const nlohmann::json &)> listener)
{
    m_encryptionListener = std::move(listener);
    if (m_encryptionListener && encryptionReady())
        m_encryptionListener("ready", {{"ed25519", m_encryption->identity().ed25519},
                                       {"curve25519", m_encryption->identity().curve25519},
                                       {"deviceId", m_session ? m_session->deviceId : std::string()}});
}

void MatrixBackend::restoreKeyBackup(const std::string &recoveryKey, Callback<BackupRestore> done)
{
    if (!m_session)
        return post<BackupRestore>(std::move(done), notLoggedIn());
    if (!encryptionReady())
        return post<BackupRestore>(std::move(done), Error(ErrorCode::Unavailable, "end-to-end encryption is not ready"));
    ApiCall versionCall;
    versionCall.path = std::string(kClient) + "/room_keys/version";
    api(versionCall, [this, recoveryKey, done = std::move(done)](Result<ApiResponse> version) mutable {
        if (!version) {
            if (version.error().matrixApiError && version.error().matrixApiError->httpStatus == 404)
                return done(Error(ErrorCode::NotFound, "there is no key backup on the server for this account"));
            return done(std::move(version).error());
        }
        const nlohmann::json backup = version->json;
        // The machine checks that the key opens this backup before anything is downloaded.
        m_encryption->call("useRecoveryKey", {{"recoveryKey", recoveryKey}, {"backup", backup}},
                           [this, backup, done = std::move(done)](Result<nlohmann::json> used) mutable {
                               if (!used)
                                   return done(Error(ErrorCode::BadRequest, used.error().message));
                               const std::string v = jsonString(backup, "version");
                               ApiCall keysCall;
                               keysCall.path = std::string(kClient) + "/room_keys/keys";
                               keysCall.query = {{"version", v}};
                               keysCall.maxResponseBytes = kMaxSyncResponseBytes;
                               api(keysCall, [this, v, done = std::move(done)](Result<ApiResponse> keys) mutable {
                                   if (!keys)
                                       return done(std::move(keys).error());
                                   m_encryption->call(
                                       "importBackup", {{"rooms", keys->json.value("rooms", nlohmann::json::object())}, {"version", v}},
                                       [v, done = std::move(done)](Result<nlohmann::json> imported) mutable {
                                           if (!imported)
                                               return done(std::move(imported).error());
                                           BackupRestore out;
                                           out.version = v;
                                           out.imported = jsonInt(*imported, "imported");
                                           out.total = jsonInt(*imported, "total");
                                           out.failures = jsonInt(*imported, "failures");
                                           done(out);
                                       });
                               });
                           });
    });
}

} // namespace tessera::matrix
