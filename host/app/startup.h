// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QObject>
#include <QPointer>
#include <filesystem>
#include <memory>
#include <ostream>

#include "options.h"
#include "util/paths.h"
#include "util/result.h"

class QQmlApplicationEngine;
class QQuickWebEngineProfile;
class QTimer;

namespace tessera {
class SecretStore;
namespace audit {
class AuditLog;
}
namespace consent {
class ConsentService;
}
namespace matrix {
class RoomBackend;
class BackendWidgetDriver;
class EncryptionGate;
}
namespace net {
class HttpClient;
}
namespace plugins {
class PluginManager;
struct SessionPluginServices;
}
namespace tokens {
class TokenIssuer;
}
namespace bridge {
class ActionRegistry;
class WidgetDriver;
}
namespace ui {
class QtScheduler;
class CryptoEngine;
class SecurityModel;
class AppSchemeHandler;
class PluginSchemeHandler;
class AutomationServer;
class AccountController;
class ConsentPromptModel;
class HostController;
class UiState;
class PluginIconProvider;
struct HostServices;
} // namespace ui
} // namespace tessera

namespace tessera::app {

/** Sets the Chromium flags Tessera depends on (site isolation) before WebEngine starts. */
void prepareWebEngineEnvironment();

/** `tessera plugins …`: discovers and loads plugins like the app would, then reports. */
int runPluginsCli(const Options &options, const std::filesystem::path &dataDir, const char *argv0, std::ostream &out,
                  std::ostream &err);

/**
 * @brief Builds the running application: data directory, secrets, audit log, consent, rooms,
 * plugins, the web profile, the QML shell; then applies the command line (room, widget,
 * screenshot). Owns all of it, in the order that lets each part outlive its users.
 */
class Startup final : public QObject {
    Q_OBJECT
public:
    Startup(Options options, std::filesystem::path dataDir);
    ~Startup() override;

    /** How many entries of the data directory were made private before the start (the user is told). */
    void setDataDirTightened(int entries) { m_dataDirTightened = entries; }

    /** Everything up to a visible window. An error means the app cannot start (one line for stderr). */
    Result<void> run();

private:
    void pollScreenshot();
    void moveIntoConfig(const std::string &file);
    void publishEngine();
    void publishPlugins();
    void finishScreenshot(int exitCode, const QString &message);

    Options m_options;
    std::filesystem::path m_dataDir;
    int m_dataDirTightened = 0;
    paths::AppDirectories m_dirs;
    QString m_language;
    std::unique_ptr<SecretStore> m_secrets;
    std::unique_ptr<ui::QtScheduler> m_scheduler;
    std::unique_ptr<audit::AuditLog> m_audit;
    std::unique_ptr<bridge::ActionRegistry> m_actions;
    std::unique_ptr<ui::ConsentPromptModel> m_prompts;
    std::unique_ptr<consent::ConsentService> m_consent;
    std::unique_ptr<matrix::RoomBackend> m_backend;
    std::unique_ptr<matrix::EncryptionGate> m_gate; ///< what everything that sends is given, in front of m_backend
    std::unique_ptr<net::HttpClient> m_http;
    std::unique_ptr<ui::CryptoEngine> m_crypto; ///< the encryption engine's hidden page (Matrix accounts only)
    std::unique_ptr<ui::SecurityModel> m_security;
    std::unique_ptr<matrix::BackendWidgetDriver> m_roomDriver; ///< for OpenID tokens (per-widget drivers come from the factory)
    std::unique_ptr<tokens::TokenIssuer> m_tokens;
    std::unique_ptr<plugins::SessionPluginServices> m_pluginSessions;
    std::unique_ptr<plugins::PluginManager> m_plugins;
    std::unique_ptr<ui::AppSchemeHandler> m_appScheme;
    std::unique_ptr<ui::PluginSchemeHandler> m_pluginScheme;
    QQuickWebEngineProfile *m_profile = nullptr;
    std::unique_ptr<ui::UiState> m_uiState;
    std::unique_ptr<ui::HostServices> m_services;
    std::unique_ptr<ui::HostController> m_host;
    std::unique_ptr<ui::AccountController> m_account;
    std::unique_ptr<QQmlApplicationEngine> m_engine;
    /// Made before the engine, which owns it once it has it (then m_iconProviderOwned is false).
    ui::PluginIconProvider *m_iconProvider = nullptr;
    bool m_iconProviderOwned = true;
#if TESSERA_AUTOMATION
    std::unique_ptr<ui::AutomationServer> m_automation;
#endif
    QTimer *m_screenshotTimer = nullptr;
    qint64 m_screenshotDeadline = 0;
    qint64 m_settledSince = 0;
};

} // namespace tessera::app
