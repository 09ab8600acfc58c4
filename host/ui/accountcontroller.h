// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QObject>
#include <QString>
#include <QStringList>
#include <functional>
#include <memory>
#include <optional>

#include "matrix/matrixbackend.h"

namespace tessera::ui {

class HostController;

/**
 * @brief The account as the shell shows it (QML singleton `Account`): the sign-in page (server,
 * then password or browser), the connection state, the end of a session and signing out.
 *
 * Without a Matrix backend (local rooms) it says so (`matrix` is false) and does nothing.
 */
class AccountController final : public QObject {
    Q_OBJECT
    Q_PROPERTY(bool matrix READ matrix CONSTANT)
    /// The sign-in page is shown.
    Q_PROPERTY(bool required READ required NOTIFY changed)
    /// "server" (the address), "choose" (password and/or browser), "browser" (waiting for it).
    Q_PROPERTY(QString stage READ stage NOTIFY changed)
    Q_PROPERTY(bool busy READ busy NOTIFY changed)
    Q_PROPERTY(QString busyText READ busyText NOTIFY changed)
    /// What the homeserver field starts with (--homeserver, or the server of the ended session).
    Q_PROPERTY(QString initialHomeserver READ initialHomeserver NOTIFY changed)
    /// The server discovery found, as shown in the "choose" stage.
    Q_PROPERTY(QString server READ server NOTIFY changed)
    Q_PROPERTY(bool passwordOffered READ passwordOffered NOTIFY changed)
    Q_PROPERTY(bool browserOffered READ browserOffered NOTIFY changed)
    /// The user to sign in again as after a soft logout (the field starts with it).
    Q_PROPERTY(QString reauthUser READ reauthUser NOTIFY changed)
    Q_PROPERTY(QString error READ error NOTIFY changed)
    /// The technical detail behind `error`, shown on demand.
    Q_PROPERTY(QString errorDetail READ errorDetail NOTIFY changed)
    /// Why the page is shown again (signed out, session ended); empty at the first sign-in.
    Q_PROPERTY(QString notice READ notice NOTIFY changed)
    Q_PROPERTY(QString userId READ userId NOTIFY changed)
    Q_PROPERTY(QString authKind READ authKind NOTIFY changed)
    Q_PROPERTY(QString accountManagementUrl READ accountManagementUrl NOTIFY changed)
    /// "connecting", "online", "offline", "signedOut", or "" (local rooms).
    Q_PROPERTY(QString connection READ connection NOTIFY connectionChanged)
    Q_PROPERTY(QString connectionDetail READ connectionDetail NOTIFY connectionChanged)
    /// The OAuth client id browser sign-in uses (empty: Tessera registers itself with the server).
    Q_PROPERTY(QString oauthClientId READ oauthClientId NOTIFY changed)
    /// It was given with --oauth-client-id: shown, not changed here.
    Q_PROPERTY(bool oauthClientIdFixed READ oauthClientIdFixed CONSTANT)

public:
    AccountController(matrix::MatrixBackend *backend, HostController &host, QString homeserver,
                      QObject *parent = nullptr);
    ~AccountController() override;

    bool matrix() const { return m_backend != nullptr; }
    bool required() const { return m_required; }
    QString stage() const { return m_stage; }
    bool busy() const { return m_busy; }
    QString busyText() const { return m_busyText; }
    QString initialHomeserver() const { return m_initialHomeserver; }
    QString server() const { return m_server; }
    bool passwordOffered() const { return m_choices && m_choices->password; }
    bool browserOffered() const { return m_choices && m_choices->oauth.has_value(); }
    QString reauthUser() const { return m_reauthUser; }
    QString error() const { return m_error; }
    QString errorDetail() const { return m_errorDetail; }
    QString notice() const { return m_notice; }
    QString userId() const;
    QString authKind() const;
    QString accountManagementUrl() const;
    QString connection() const { return m_connection; }
    QString connectionDetail() const { return m_connectionDetail; }
    QString oauthClientId() const;
    bool oauthClientIdFixed() const { return m_clientIdFixed; }
    /**
     * Where saveOAuthClientId() keeps the id for the next start; @p fixed: the command line
     * gave one, which wins and cannot be changed here.
     */
    void setOAuthClientIdStore(std::function<void(const std::string &)> save, bool fixed);

    /** Step one: what does this server offer? */
    Q_INVOKABLE void discover(const QString &homeserver);
    Q_INVOKABLE void signInWithPassword(const QString &user, const QString &password);
    Q_INVOKABLE void signInWithBrowser();
    /** Stops what is running (discovery or the browser sign-in). */
    Q_INVOKABLE void cancel();
    /** Back to the address step. */
    Q_INVOKABLE void back();
    /** Signs out; @p keepLocalData keeps the cached rooms and unsent messages for the next sign-in. */
    Q_INVOKABLE void signOut(bool keepLocalData);
    /** Syncs again now instead of waiting for the back-off. */
    Q_INVOKABLE void retryNow();
    /** Opens the account management page (MSC4191) in the browser; returns an error or "". */
    Q_INVOKABLE QString openAccountManagement();
    /**
     * Keeps @p clientId (trimmed) as the client id the server's administrators registered for
     * Tessera, used from the next browser sign-in on; empty: Tessera registers itself. Returns
     * why it was refused, or "".
     */
    Q_INVOKABLE QString saveOAuthClientId(const QString &clientId);
    /** Longest client id saveOAuthClientId() accepts. */
    static constexpr int kMaxClientIdLength = 255;

    /** The sentence for a failed connection attempt, and its detail. */
    static std::pair<QString, QString> describe(const Error &error);

Q_SIGNALS:
    void changed();
    void connectionChanged();

private:
    void setError(const Error &error);
    void clearError();
    void signedIn(const matrix::SessionInfo &info);
    void onSyncStatus(const matrix::SyncStatus &status);
    void onSessionEnded(const matrix::SessionEnd &end);
    void showSignIn(const QString &notice, const QString &homeserver, const QString &user);

    matrix::MatrixBackend *m_backend;
    HostController &m_host;
    bool m_required = false;
    QString m_stage = QStringLiteral("server");
    bool m_busy = false;
    QString m_busyText;
    QString m_initialHomeserver;
    QString m_server;
    QString m_reauthUser;
    QString m_error;
    QString m_errorDetail;
    QString m_notice;
    QString m_connection;
    QString m_connectionDetail;
    std::optional<matrix::LoginChoices> m_choices;
    std::function<void(const std::string &)> m_saveClientId;
    bool m_clientIdFixed = false;
    std::shared_ptr<int> m_lifetime = std::make_shared<int>(0);
};

} // namespace tessera::ui
