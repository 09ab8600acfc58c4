// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QObject>
#include <QString>
#include <QVariantList>
#include <QVariantMap>

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

namespace tessera::matrix {
class MatrixBackend;
}

namespace tessera::ui {

/**
 * @brief What the shell shows of end-to-end encryption: this device's fingerprint, the devices
 * of the current room's members and whether each is verified, an interactive verification by
 * emoji (SAS) in either direction, and restoring room keys from the server-side key backup with
 * the recovery key.
 *
 * Without a Matrix account (local rooms) `available` stays false and every call says so.
 */
class SecurityModel final : public QObject {
    Q_OBJECT
    Q_PROPERTY(bool supported READ supported CONSTANT)
    Q_PROPERTY(bool available READ available NOTIFY availableChanged)
    Q_PROPERTY(QString deviceId READ deviceId NOTIFY availableChanged)
    Q_PROPERTY(QString fingerprint READ fingerprint NOTIFY availableChanged)
    Q_PROPERTY(QVariantList devices READ devices NOTIFY devicesChanged)
    Q_PROPERTY(int unverifiedDevices READ unverifiedDevices NOTIFY devicesChanged)
    Q_PROPERTY(QVariantMap verification READ verification NOTIFY verificationChanged)
    Q_PROPERTY(QString recoveryStatus READ recoveryStatus NOTIFY recoveryChanged)
    Q_PROPERTY(bool recoveryBusy READ recoveryBusy NOTIFY recoveryChanged)
    Q_PROPERTY(bool recoveryFailed READ recoveryFailed NOTIFY recoveryChanged)
public:
    explicit SecurityModel(matrix::MatrixBackend *backend, QObject *parent = nullptr);
    ~SecurityModel() override;

    /** A Matrix account (whose encryption may still be starting); false for local rooms. */
    [[nodiscard]] bool supported() const { return m_backend != nullptr; }
    [[nodiscard]] bool available() const { return m_available; }
    [[nodiscard]] QString deviceId() const { return m_deviceId; }
    [[nodiscard]] QString fingerprint() const { return m_fingerprint; }
    [[nodiscard]] QVariantList devices() const { return m_devices; }
    [[nodiscard]] int unverifiedDevices() const { return m_unverified; }
    [[nodiscard]] QVariantMap verification() const { return m_verification; }
    [[nodiscard]] QString recoveryStatus() const { return m_recoveryStatus; }
    [[nodiscard]] bool recoveryBusy() const { return m_recoveryBusy; }
    [[nodiscard]] bool recoveryFailed() const { return m_recoveryFailed; }

    /**
     * The room whose members' devices `devices` lists (empty: only the user's own devices); the
     * application keeps it the open room. Setting the same room again changes nothing.
     */
    Q_INVOKABLE void setRoom(const QString &roomId);
    Q_INVOKABLE void refreshDevices();
    /** Starts an emoji verification of another device (of the user, or of another member). */
    Q_INVOKABLE void verifyDevice(const QString &userId, const QString &deviceId);
    /** Accepts the verification request shown in `verification`. */
    Q_INVOKABLE void acceptVerification();
    /** The emoji are the same on both devices. */
    Q_INVOKABLE void confirmEmojis();
    /** The emoji differ: the verification is cancelled as a mismatch. */
    Q_INVOKABLE void rejectEmojis();
    Q_INVOKABLE void cancelVerification();
    /** Closes a finished or cancelled verification. */
    Q_INVOKABLE void dismissVerification();
    /** Restores room keys from the key backup with the account's recovery key. */
    Q_INVOKABLE void restoreFromBackup(const QString &recoveryKey);

    /** A SAS emoji's name (as the spec lists them) in the user's language. */
    static QString emojiName(const QString &description);
    /** An ed25519 key as people compare it: groups of four characters. */
    static QString formatFingerprint(const QString &key);

Q_SIGNALS:
    void availableChanged();
    void devicesChanged();
    void verificationChanged();
    void recoveryChanged();

private:
    void onEncryption(const std::string &kind, const nlohmann::json &payload);
    void onVerification(const nlohmann::json &state);
    void call(const std::string &method, nlohmann::json args);
    void setVerificationError(const QString &message);

    matrix::MatrixBackend *m_backend;
    bool m_available = false;
    QString m_deviceId;
    QString m_fingerprint;
    QString m_roomId;
    QVariantList m_devices;
    int m_unverified = 0;
    QVariantMap m_verification;
    std::string m_flowId;
    bool m_sasAccepted = false;
    bool m_sasStarted = false;
    QString m_recoveryStatus;
    bool m_recoveryBusy = false;
    bool m_recoveryFailed = false;
    std::uint64_t m_devicesGeneration = 0;
    std::shared_ptr<int> m_alive = std::make_shared<int>(0);
};

} // namespace tessera::ui
