// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "startup.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDesktopServices>
#include <QProcess>
#include <QDateTime>
#include <QFile>
#include <QGuiApplication>
#include <QLocale>
#include <QOffscreenSurface>
#include <QOpenGLContext>
#include <QQmlApplicationEngine>
#include <QQuickWebEngineProfile>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QTimer>
#include <QTranslator>
#include <QtQml>

#include <iostream>

#include "audit/auditlog.h"
#include "bridge/actionregistry.h"
#include "consent/callservice.h"
#include "consent/consentservice.h"
#include "matrix/backenddriver.h"
#include "matrix/encryptiongate.h"
#include "matrix/localbackend.h"
#include "matrix/matrixbackend.h"
#include "net/httpclient.h"
#include "plugins/pluginmanager.h"
#include "plugins/pluginscommand.h"
#include "plugins/sessionservices.h"
#include "tokens/tokenissuer.h"
#include "util/loopscheduler.h"
#include "util/paths.h"

#include "adminconfig.h"
#include "accountcontroller.h"
#include "avatarimages.h"
#if TESSERA_AUTOMATION
#include "automation.h"
#endif
#include "consentmodel.h"
#include "cryptoengine.h"
#include "engineinfo.h"
#include "hostcontroller.h"
#include "hostservices.h"
#include "logging.h"
#include "keychainsecretstore.h"
#include "pluginchoices.h"
#include "pluginicons.h"
#include "qtscheduler.h"
#include "redirectlistener.h"
#include "schemehandler.h"
#include "securitymodel.h"
#include "uistate.h"
#include "widgetcontroller.h"

namespace tessera::app {

using nlohmann::json;

namespace {

plugins::PluginManagerOptions pluginOptions(const Options &options, const std::filesystem::path &dataDir,
                                            const std::filesystem::path &executable, const ui::PluginChoices &choices,
                                            const std::string &language)
{
    plugins::PluginManagerOptions o;
    o.pluginDirs = options.pluginDirs;
    if (const char *env = std::getenv("TESSERA_PLUGIN_PATH"))
        o.environmentDirs = plugins::parsePluginPath(env);
    plugins::BundledPluginLayout layout;
    layout.installed = TESSERA_PLUGINS_FROM_BIN;
    layout.buildTreeBin = TESSERA_BUILD_TREE_BIN;
    layout.buildTreePlugins = TESSERA_BUILD_TREE_PLUGINS;
    o.bundledDir = plugins::bundledPluginDir(executable, layout);
    o.userDir = dataDir / "plugins";
    o.allowUserPlugins = (options.allowUserPlugins || choices.thirdParty) && !options.safeMode;
    o.disabledByUser = choices.disabled;
    o.language = language;
    o.safeMode = options.safeMode;
    o.dataDir = dataDir / "plugin-data";
    return o;
}

/** The welcome room's widget: a page shipped with Tessera that reads and sends events. */
json welcomeWidgetState(const std::string &name, const std::string &title)
{
    return json{{"type", "m.widget"},
                {"state_key", "tessera_welcome"},
                {"content",
                 {{"type", "io.tessera.welcome"},
                  {"url", "https://tessera.invalid/welcome"},
                  {"name", name},
                  {"data", {{"title", title}}},
                  {"waitForIframeLoad", true}}}};
}

/** --language, else the system's when Tessera speaks it (Spanish), else English. */
QString userLanguage(const Options &options)
{
    if (!options.language.empty())
        return QString::fromStdString(options.language);
    return QLocale().name().startsWith(QLatin1String("es")) ? QStringLiteral("es") : QStringLiteral("en");
}

bool openGlAvailable()
{
    if (QQuickWindow::graphicsApi() == QSGRendererInterface::Software)
        return false;
    QOpenGLContext context;
    if (!context.create())
        return false;
    QOffscreenSurface surface;
    surface.setFormat(context.format());
    surface.create();
    const bool current = surface.isValid() && context.makeCurrent(&surface);
    if (current)
        context.doneCurrent();
    return current;
}

} // namespace

void prepareWebEngineEnvironment()
{
    // Site isolation: a widget never shares a renderer with the wrapper that holds the WebChannel
    // transport (docs/architecture.md invariant 4).
    QByteArray flags = qgetenv("QTWEBENGINE_CHROMIUM_FLAGS");
    if (!flags.contains("--site-per-process"))
        flags += " --site-per-process";
    // Chromium keeps a widget frame's renderer alive for a while after its last frame is gone, to
    // put the next frame of the same site in it. After a widget hung, that next frame is the
    // reloaded widget, and it would land in the renderer that is still stuck: end it at once.
    static const QByteArray kDisable = "--disable-features=";
    if (const qsizetype at = flags.indexOf(kDisable); at >= 0)
        flags.insert(at + kDisable.size(), "SubframeShutdownDelay,");
    else
        flags += " " + kDisable + "SubframeShutdownDelay";
    qputenv("QTWEBENGINE_CHROMIUM_FLAGS", flags.trimmed());
    if (qEnvironmentVariableIsSet("QTWEBENGINE_DISABLE_SANDBOX") && qEnvironmentVariable("QTWEBENGINE_DISABLE_SANDBOX") != QLatin1String("0"))
        qCWarning(ui::lcApp) << "QTWEBENGINE_DISABLE_SANDBOX is set: Chromium's sandbox is off, so widgets are not "
                                "isolated from this computer (only for tests run as root)";
}

int runPluginsCli(const Options &options, const std::filesystem::path &dataDir, const char *argv0, std::ostream &out,
                  std::ostream &err)
{
    LoopScheduler scheduler;
    audit::NullAuditSink audit; // listing plugins is not widget activity
    bridge::ActionRegistry actions;
    plugins::PluginServices services;
    services.scheduler = &scheduler;
    services.audit = &audit;
    services.actions = &actions;
    std::error_code ec;
    const auto exe = std::filesystem::canonical("/proc/self/exe", ec);
    // The choices made on the Plugins page, if Tessera ever saved any (listing creates nothing).
    ui::PluginChoices choices;
    const auto config = paths::appDirectories(options.dataDir).config;
    std::error_code configError;
    if (std::filesystem::exists(config / "ui.db", configError))
        if (auto state = ui::UiState::open(config))
            choices = ui::readPluginChoices(*state);
    plugins::PluginManager manager(
        pluginOptions(options, dataDir, ec ? std::filesystem::path(argv0) : exe, choices, userLanguage(options).toStdString()),
        services);
    // Manifests only: listing plugins opens no library and runs no plugin code.
    manager.discoverAll();
    const int rc = plugins::runList(manager, options.pluginsJson, out, err);
    manager.shutdown();
    return rc;
}

Startup::Startup(Options options, std::filesystem::path dataDir) : m_options(std::move(options)), m_dataDir(std::move(dataDir)) {}

Startup::~Startup()
{
    // QML first (it holds bindings to everything), then the widgets, then the services.
#if TESSERA_AUTOMATION
    m_automation.reset();
#endif
    m_engine.reset();
    m_account.reset();
    m_security.reset();
    if (m_iconProviderOwned)
        delete m_iconProvider;
    m_host.reset();
    if (m_plugins)
        m_plugins->shutdown();
    m_plugins.reset();
    m_pluginSessions.reset();
    m_consent.reset();
    m_roomDriver.reset();
    m_gate.reset();
    m_backend.reset();
    m_crypto.reset(); // after the backend, which drives it
    m_http.reset();
    if (m_audit)
        (void)m_audit->flush(5000);
}

Result<void> Startup::run()
{
    // Data, settings, cache and logs, each where the XDG specification puts it (or all inside
    // --data-dir); private to the user.
    m_dirs = paths::appDirectories(m_options.dataDir.empty() ? std::filesystem::path() : m_dataDir);
    m_dirs.data = m_dataDir;
    for (const auto &dir : {m_dirs.data, m_dirs.config, m_dirs.cache, m_dirs.state})
        if (auto ok = paths::ensurePrivateDirectory(dir); !ok)
            return ok.error();
    qCInfo(ui::lcApp).noquote() << "Tessera" << QCoreApplication::applicationVersion() << "- data in"
                                << QString::fromStdString(m_dirs.data.string()) << "- settings in"
                                << QString::fromStdString(m_dirs.config.string()) << "- cache in"
                                << QString::fromStdString(m_dirs.cache.string());

    // The translator goes in first: every text made from here on (labels, notices, the
    // secret-store warning) is in the user's language.
    const QString language = userLanguage(m_options);
    m_language = language;
    if (language == QLatin1String("es")) {
        auto *translator = new QTranslator(qApp);
        if (translator->load(QStringLiteral(":/i18n/tessera_es.qm")))
            QCoreApplication::installTranslator(translator);
    }

    QString secretWarning;
    m_secrets = ui::openSecretStore(m_dataDir / "secrets", secretWarning);
    m_scheduler = std::make_unique<ui::QtScheduler>();

    auto audit = audit::AuditLog::open(m_dataDir);
    if (!audit)
        return Error(audit.error().code, "cannot open the audit log, and Tessera does not run widgets unaudited: "
                                             + audit.error().message);
    m_audit = std::move(audit).value();

    m_actions = std::make_unique<bridge::ActionRegistry>();
    m_prompts = std::make_unique<ui::ConsentPromptModel>();
    consent::ConsentOptions consentOptions;
    consentOptions.customCapabilities = m_actions.get();
    auto consentService = consent::ConsentService::open(m_dataDir, *m_prompts, *m_audit, *m_scheduler, consentOptions);
    if (!consentService)
        return Error(consentService.error().code, "cannot open the consent store: " + consentService.error().message);
    m_consent = std::move(consentService).value();
    m_prompts->setService(m_consent.get());

    m_http = std::make_unique<net::HttpClient>(*m_scheduler);
    matrix::LocalBackend *localBackend = nullptr;
    matrix::MatrixBackend *matrixBackend = nullptr;
    if (m_options.homeserver.empty()) {
        matrix::LocalBackendOptions local;
        local.dataDir = m_dataDir;
        // The welcome room is made once, in the language of the first start.
        local.welcome.name = tr("Welcome to Tessera").toStdString();
        local.welcome.topic = tr("Widgets running on this computer: no server, no account needed.").toStdString();
        local.welcome.message = tr("Welcome to Tessera! The widgets of this room run locally; what they send stays in "
                                   "this room on your computer. Open one from the widget panel to try it.")
                                    .toStdString();
        local.welcome.stateEvents.push_back(
            welcomeWidgetState(tr("Welcome", "the welcome widget's tab").toStdString(), local.welcome.name));
        auto backend = matrix::LocalBackend::open(*m_scheduler, local);
        if (!backend)
            return Error(backend.error().code, "cannot open the local rooms: " + backend.error().message);
        localBackend = backend->get();
        m_backend = std::move(backend).value();
    } else {
        // The Matrix account lives in its own directory, apart from the local rooms.
        matrix::MatrixBackendOptions remote;
        remote.dataDir = m_dataDir / "matrix";
        remote.secrets = m_secrets.get();
        remote.oauthClientId = m_options.oauthClientId;
        remote.signInTimeoutMs = static_cast<std::int64_t>(m_options.signInTimeoutSeconds) * 1000;
        remote.redirectListeners = [] {
            return std::make_unique<ui::LoopbackRedirectListener>(
                tr("Tessera sign-in"), tr("Go back to Tessera: it shows whether the sign-in worked. You can close this page."));
        };
        remote.openBrowser = [](const std::string &url) -> Result<void> {
            // $BROWSER, the Unix convention (also xdg-open's), wins over the desktop's default.
            const QString browser = qEnvironmentVariable("BROWSER").split(QLatin1Char(':')).value(0).trimmed();
            if (!browser.isEmpty()) {
                if (QProcess::startDetached(browser, {QString::fromStdString(url)}))
                    return {};
                return Error(ErrorCode::Unavailable, "$BROWSER (" + browser.toStdString() + ") could not be started");
            }
            if (!QDesktopServices::openUrl(QUrl(QString::fromStdString(url))))
                return Error(ErrorCode::Unavailable, "the desktop has no web browser to open");
            return {};
        };
        // End-to-end encryption: matrix-sdk-crypto in a hidden page with a profile of its own,
        // its store (encrypted with a key in the keychain) under matrix/crypto.
        m_crypto = std::make_unique<ui::CryptoEngine>(m_dataDir / "matrix" / "crypto", QStringLiteral("tessera-crypto"));
        remote.crypto = m_crypto.get();
        auto backend = matrix::MatrixBackend::open(*m_scheduler, *m_http, remote);
        if (!backend)
            return Error(backend.error().code, "cannot open the Matrix session: " + backend.error().message);
        matrixBackend = backend->get();
        m_backend = std::move(backend).value();
    }
    // Everything that sends gets the gate, never the backend behind it: no event leaves in
    // plaintext for an encrypted room, whoever asked.
    m_gate = std::make_unique<matrix::EncryptionGate>(*m_backend, *m_scheduler, *m_audit);
    m_roomDriver = std::make_unique<matrix::BackendWidgetDriver>(*m_scheduler, *m_gate);


    // The shell's settings, the plugin choices among them.
    moveIntoConfig("ui.db");
    auto uiState = ui::UiState::open(m_dirs.config);
    if (!uiState)
        return Error(uiState.error().code, "cannot open ui.db: " + uiState.error().message);
    m_uiState = std::make_unique<ui::UiState>(std::move(uiState).value());

    m_tokens = std::make_unique<tokens::TokenIssuer>(*m_secrets, m_dataDir);
    // What plugins reach of the open widgets: through each widget's live session, limited to
    // what it was granted, checked again when a read returns. The shell comes later; until then
    // no session is found.
    m_pluginSessions = std::make_unique<plugins::SessionPluginServices>(
        [this](const std::string &roomId, const std::string &widgetId) -> bridge::WidgetSession * {
            ui::WidgetController *widget = m_host ? m_host->manager().find(roomId, widgetId) : nullptr;
            return widget ? widget->session() : nullptr;
        },
        *m_roomDriver, m_tokens.get(), [this] { return m_backend->userId(); });
    plugins::PluginServices pluginServices;
    pluginServices.scheduler = m_scheduler.get();
    pluginServices.audit = m_audit.get();
    pluginServices.actions = m_actions.get();
    pluginServices.http = m_http.get();
    pluginServices.secrets = m_secrets.get();
    m_pluginSessions->wire(pluginServices);
    const ui::PluginChoices pluginChoices = ui::readPluginChoices(*m_uiState);
    m_plugins = std::make_unique<plugins::PluginManager>(
        pluginOptions(m_options, m_dataDir, QCoreApplication::applicationFilePath().toStdString(), pluginChoices,
                      m_language.toStdString()),
        pluginServices);
    m_plugins->loadAll();

    // Widgets keep their logins in a persistent profile named after the user, apart from the
    // default profile Tessera's own pages use.
    m_appScheme = std::make_unique<ui::AppSchemeHandler>();
    m_pluginScheme = std::make_unique<ui::PluginSchemeHandler>(
        [this](const QString &pluginId, const QString &path, QByteArray &mime, QByteArray &body, QString &refusal) {
            QString file;
            if (pluginId == QLatin1String("io.tessera.welcome")) {
                file = QStringLiteral(":/tessera/widgets/welcome/") + path;
            } else {
                auto resolved = m_plugins->resolveAsset(pluginId.toStdString(), path.toStdString());
                if (!resolved) {
                    // Denied: the path leads out of the plugin's folder (.., a symlink out, …).
                    if (resolved.error().code == ErrorCode::Denied)
                        refusal = QString::fromStdString(resolved.error().message);
                    return false;
                }
                file = QString::fromStdString(resolved->string());
            }
            QFile f(file);
            if (!f.open(QIODevice::ReadOnly))
                return false;
            body = f.readAll();
            mime = ui::mimeTypeForPath(path);
            return true;
        });
    const QByteArray userHash = QCryptographicHash::hash(QByteArray::fromStdString(m_backend->userId()),
                                                         QCryptographicHash::Sha256).toHex().left(16);
    // The default profile, made persistent and named: on Qt 6.4 a second profile created here
    // never shows its pages in the window (the view stays blank), so widgets get this one and
    // any page of Tessera's own uses a separate off-the-record profile.
    // The paths come first: a profile that turns persistent with only a name opens its history
    // and preferences under ~/.local/share/<organization>/<application>/QtWebEngine at once,
    // outside the data directory.
    m_profile = QQuickWebEngineProfile::defaultProfile();
    m_profile->setPersistentStoragePath(QString::fromStdString((m_dataDir / "web").string()));
    m_profile->setCachePath(QString::fromStdString((m_dirs.cache / "web").string()));
    m_profile->setStorageName(QStringLiteral("widgets-") + QString::fromLatin1(userHash));
    m_profile->setOffTheRecord(false);
    m_profile->setPersistentCookiesPolicy(QQuickWebEngineProfile::AllowPersistentCookies);
    m_profile->installUrlSchemeHandler(ui::kAppScheme, m_appScheme.get());
    m_profile->installUrlSchemeHandler(ui::kPluginScheme, m_pluginScheme.get());


    m_services = std::make_unique<ui::HostServices>();
    m_services->scheduler = m_scheduler.get();
    m_services->backend = m_gate.get();
    m_services->consent = m_consent.get();
    m_services->audit = m_audit.get();
    m_services->actions = m_actions.get();
    m_services->plugins = m_plugins.get();
    m_services->appScheme = m_appScheme.get();
    m_services->http = m_http.get();
    m_services->dataDir = m_dataDir;
    m_services->urlPolicy.allowLoopbackHttp = m_options.allowHttpLoopback;
    m_services->homeserverUrl = m_options.homeserver;
    m_services->roomDriverFactory = [this](const bridge::WidgetContext &) -> std::unique_ptr<bridge::WidgetDriver> {
        return std::make_unique<matrix::BackendWidgetDriver>(*m_scheduler, *m_gate);
    };
    m_services->openIdTokens = [this](std::function<void(Result<bridge::OpenIdToken>)> done) {
        m_roomDriver->fetchOpenIdToken(std::move(done));
    };

    m_iconProvider = new ui::PluginIconProvider;
    m_host = std::make_unique<ui::HostController>(*m_services, *m_uiState);
    m_pluginScheme->setRefusalSink([this](const QString &pluginId, const QString &path, const QString &reason,
                                          const QString &initiator) {
        if (m_host)
            m_host->auditPluginAssetRefusal(pluginId, path, reason, initiator);
    });
    m_host->setPluginChoices(pluginChoices, QString::fromStdString((m_dataDir / "plugins").string()),
                             m_options.allowUserPlugins);
    publishEngine();
    m_host->setConsentPromptModel(m_prompts.get());
    publishPlugins();
    // The Plugins page lists names and descriptions in the language just chosen.
    QObject::connect(m_host.get(), &ui::HostController::languageChanged, m_host.get(), [this] { publishPlugins(); });
    m_plugins->addListener([this](const plugins::PluginEvent &event) {
        // Shutdown stops each plugin after the shell is gone: nothing is left to tell.
        if (!m_host)
            return;
        publishPlugins();
        if (event.kind == plugins::PluginEventKind::Disabled)
            Q_EMIT m_host->notice(tr("The plugin %1 stopped working and was turned off: %2")
                                      .arg(QString::fromStdString(event.pluginId), QString::fromStdString(event.message)));
    });
    m_host->setWidgetProfile(m_profile);
    if (matrixBackend) {
        m_host->setBackendLabel(QString::fromStdString(m_options.homeserver));
        // A client id the administrators gave: the command line, else the one kept in Settings.
        if (m_options.oauthClientId.empty())
            if (auto saved = m_uiState->value("oauth_client_id"); saved && !saved->empty())
                matrixBackend->setOAuthClientId(*saved);
    } else {
        m_host->setBackendLabel(tr("Local rooms on this computer"));
    }
    // The administrator's settings: a file that cannot be read as given stops the start, in words.
    auto config = readAdminConfig(m_options.configFile);
    if (!config)
        return config.error();
    m_host->setConfiguredCallService(config->callServiceOrigin);
    if (!config->pluginWidgetPage.empty())
        m_host->setPluginWidgetPage(config->pluginWidgetPage);
    m_account = std::make_unique<ui::AccountController>(matrixBackend, *m_host, QString::fromStdString(m_options.homeserver));
    m_account->setOAuthClientIdStore([this](const std::string &id) { m_uiState->setValue("oauth_client_id", id); },
                                     !m_options.oauthClientId.empty());
    if (matrixBackend && matrixBackend->session())
        matrixBackend->start();
    QStringList warnings;
    if (m_dataDirTightened > 0)
        warnings << tr("Other users of this computer could read Tessera's data folder. It is now private to you.");
    if (!secretWarning.isEmpty())
        warnings << secretWarning;
    if (!warnings.isEmpty())
        m_host->setStartupWarning(warnings.join(QLatin1Char(' ')));
    m_prompts->setWidgetNameLookup([this](const bridge::WidgetContext &w) {
        if (auto *c = m_host->manager().find(w.roomId, w.widgetId))
            return c->name();
        return QString::fromStdString(w.widgetId);
    });
    if (m_options.theme != "system")
        m_host->setThemeMode(QString::fromStdString(m_options.theme));
    m_host->setLanguage(language);
    if (language == QLatin1String("es"))
        m_prompts->setLanguage(consent::Language::Spanish);

    // Material draws its shadows, switch handles and raised buttons through shader effects, which
    // the software scene graph (no OpenGL: -platform offscreen, some VMs and remote sessions)
    // cannot draw: they would vanish. Universal draws the same controls without effects. A style
    // the user chose with QT_QUICK_CONTROLS_STYLE wins.
    if (qEnvironmentVariableIsEmpty("QT_QUICK_CONTROLS_STYLE")) {
        const bool software = !openGlAvailable();
        if (software)
            QQuickWindow::setGraphicsApi(QSGRendererInterface::Software);
        QQuickStyle::setStyle(software ? QStringLiteral("Universal") : QStringLiteral("Material"));
    }
    qmlRegisterSingletonInstance("Tessera", 1, 0, "Host", m_host.get());
    qmlRegisterSingletonInstance("Tessera", 1, 0, "Account", m_account.get());
    // Encryption, device trust and recovery (a Matrix account; local rooms have none).
    m_security = std::make_unique<ui::SecurityModel>(matrixBackend);
    qmlRegisterSingletonInstance("Tessera", 1, 0, "Security", m_security.get());
    // The devices it lists (and the room header's warning counts) are those of the open room.
    m_security->setRoom(m_host->currentRoomId());
    QObject::connect(m_host.get(), &ui::HostController::currentRoomChanged, m_security.get(),
                     [this] { m_security->setRoom(m_host->currentRoomId()); });
    m_engine = std::make_unique<QQmlApplicationEngine>();
    m_engine->addImageProvider(QLatin1String(ui::PluginIconProvider::kProviderId), m_iconProvider);
    // Room and member avatars from the homeserver (the engine owns the provider).
    m_engine->addImageProvider(QLatin1String(ui::AvatarImageProvider::kProviderId),
                               new ui::AvatarImageProvider(*m_gate, *m_scheduler));
    m_iconProviderOwned = false;
    m_engine->setInitialProperties({{QStringLiteral("width"), m_options.width}, {QStringLiteral("height"), m_options.height}});
#if QT_VERSION >= QT_VERSION_CHECK(6, 5, 0)
    // By module and type name: no resource path to keep in step with the QML module's layout.
    m_engine->loadFromModule(QStringLiteral("Tessera"), QStringLiteral("Main"));
#else
    // Qt 6.4 has no loadFromModule: the module's files are under qrc:/<URI>/.
    m_engine->load(QUrl(QStringLiteral("qrc:/Tessera/Main.qml")));
#endif
    if (m_engine->rootObjects().isEmpty())
        return Error(ErrorCode::Internal, "the user interface failed to load (see the messages above)");

    // End-to-end tests drive the shell through a local socket: only in builds made for them
    // (TESSERA_AUTOMATION), and there only while the variable is set.
    if (const QString socket = qEnvironmentVariable("TESSERA_AUTOMATION_SOCKET"); !socket.isEmpty()) {
#if TESSERA_AUTOMATION
        m_automation = std::make_unique<ui::AutomationServer>(*m_engine, *m_host);
        QString error;
        if (!m_automation->listen(socket, error))
            return Error(ErrorCode::Io, "TESSERA_AUTOMATION_SOCKET: cannot listen on " + socket.toStdString() + ": " + error.toStdString());
#else
        std::cerr << "tessera: TESSERA_AUTOMATION_SOCKET is ignored: this build has no automation socket\n";
#endif
    }

    // The first room: the one asked for, else the last one, else the welcome room.
    std::string room = m_options.room;
    if (!room.empty() && !m_backend->room(room))
        return Error(ErrorCode::NotFound, "--room: there is no room " + room);
    if (room.empty())
        room = m_uiState->value("last_room").value_or("");
    if (room.empty() || !m_backend->room(room))
        room = localBackend ? localBackend->welcomeRoomId().value_or("") : std::string();
    if (room.empty() && !m_backend->rooms().empty())
        room = m_backend->rooms().front().roomId;
    if (!room.empty())
        m_host->selectRoom(QString::fromStdString(room));

    if (!m_options.openWidget.empty()) {
        const QString error = m_host->addWidget(QString::fromStdString(m_options.openWidget),
                                                QString::fromStdString(m_options.openWidgetName));
        if (!error.isEmpty())
            return Error(ErrorCode::BadRequest, "--open-widget: " + error.toStdString());
    }

    if (!m_options.screenshot.empty()) {
        m_screenshotDeadline = QDateTime::currentMSecsSinceEpoch() + m_options.screenshotTimeoutMs;
        m_screenshotTimer = new QTimer(this);
        connect(m_screenshotTimer, &QTimer::timeout, this, &Startup::pollScreenshot);
        m_screenshotTimer->start(250);
    }
    return {};
}

void Startup::moveIntoConfig(const std::string &file)
{
    // Settings kept in the data directory before they had their own: moved once, with SQLite's
    // journal files, so nothing the user set is lost.
    std::error_code ec;
    if (m_dirs.config == m_dirs.data || std::filesystem::exists(m_dirs.config / file, ec)
        || !std::filesystem::exists(m_dirs.data / file, ec))
        return;
    for (const char *suffix : {"", "-wal", "-shm"}) {
        const auto from = m_dirs.data / (file + suffix);
        const auto to = m_dirs.config / (file + suffix);
        if (!std::filesystem::exists(from, ec))
            continue;
        std::filesystem::rename(from, to, ec);
        if (ec && std::filesystem::copy_file(from, to, ec)) // another file system
            std::filesystem::remove(from, ec);
        if (ec)
            std::cerr << "tessera: cannot move " << from << " to " << m_dirs.config << ": " << ec.message() << '\n';
    }
}

void Startup::publishEngine()
{
    // The running engine's own user agent names its Chromium exactly, on every Qt version.
    const ui::EngineVersions v = ui::engineVersions(m_profile->httpUserAgent());
    QVariantMap versions;
    versions[QStringLiteral("qt")] = v.qtRuntime;
    versions[QStringLiteral("qtBuilt")] = v.qtBuilt;
    versions[QStringLiteral("webEngine")] = v.webEngine;
    versions[QStringLiteral("chromium")] = v.chromium;
    versions[QStringLiteral("chromiumMajor")] = v.chromiumMajor;
    versions[QStringLiteral("chromiumSecurityPatch")] = v.chromiumSecurityPatch;
    versions[QStringLiteral("minimumChromium")] = ui::kMinimumChromiumMajor;
    // Below the minimum, said once per engine version: at the first start on it.
    QString notice;
    if (v.chromiumMajor > 0 && v.chromiumMajor < ui::kMinimumChromiumMajor
        && m_uiState->value("engine_notice_shown").value_or("") != v.chromium.toStdString()) {
        notice = tr("This web engine is Chromium %1, older than the Chromium %2 today's widgets are written for: "
                    "some widgets may not display as they should.")
                     .arg(QString::number(v.chromiumMajor), QString::number(ui::kMinimumChromiumMajor));
        m_uiState->setValue("engine_notice_shown", v.chromium.toStdString());
    }
    m_host->setEngine(versions, notice);
}

void Startup::publishPlugins()
{
    QVariantList list;
    for (const auto &p : m_plugins->plugins()) {
        QVariantMap m;
        m[QStringLiteral("id")] = QString::fromStdString(p.id);
        m[QStringLiteral("name")] = QString::fromStdString(p.displayName());
        m[QStringLiteral("version")] = p.manifest ? QString::fromStdString(p.manifest->version) : QString();
        m[QStringLiteral("abi")] = p.manifest ? QString::fromStdString(p.manifest->abi.toString()) : QString();
        m[QStringLiteral("description")] = QString::fromStdString(p.displayDescription());
        m[QStringLiteral("path")] = QString::fromStdString(p.directory.string());
        m[QStringLiteral("state")] = QString::fromLatin1(plugins::toString(p.state));
        m[QStringLiteral("source")] = QString::fromLatin1(plugins::toString(p.source));
        m[QStringLiteral("error")] = QString::fromStdString(p.error);
        QStringList types;
        for (const auto &t : p.widgetTypes)
            types << QString::fromStdString(t);
        m[QStringLiteral("widgetTypes")] = types;
        list.push_back(m);
    }
    // What the "+" of the widget panel offers: each type under the name its plugin gives it.
    QVariantList types;
    for (const auto &t : m_plugins->widgetTypes()) {
        QVariantMap m;
        QString icon;
        if (!t.icon.empty() && m_iconProvider)
            if (auto file = m_plugins->resolveAsset(t.pluginId, t.icon))
                icon = m_iconProvider->add(QString::fromStdString(t.pluginId), QString::fromStdString(file->string()));
        m[QStringLiteral("icon")] = icon;
        m[QStringLiteral("type")] = QString::fromStdString(t.type);
        m[QStringLiteral("name")] = QString::fromStdString(t.displayName);
        m[QStringLiteral("description")] = QString::fromStdString(t.description);
        types.push_back(m);
    }
    m_host->setPlugins(std::move(list), std::move(types));
}

void Startup::pollScreenshot()
{
    auto *window = qobject_cast<QQuickWindow *>(m_engine->rootObjects().value(0));
    if (!window)
        return finishScreenshot(1, QStringLiteral("no window to capture"));
    bool settled = true;
    QStringList waiting;
    for (QObject *o : m_host->widgets()) {
        auto *w = static_cast<ui::WidgetController *>(o);
        const QString state = w->state();
        if (state == QLatin1String("failed") || state == QLatin1String("refused") || state == QLatin1String("disabled")) {
            return finishScreenshot(1, QStringLiteral("widget \"%1\" failed: %2 %3").arg(w->name(), w->errorTitle(), w->errorText()));
        }
        const bool active = state != QLatin1String("idle") && state != QLatin1String("declined");
        if (active && state != QLatin1String("ready") && !w->frameLoaded() && state != QLatin1String("consent")) {
            settled = false;
            waiting << w->name();
        }
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (!settled) {
        m_settledSince = 0;
        if (now > m_screenshotDeadline)
            finishScreenshot(1, QStringLiteral("timed out waiting for widgets to load: ") + waiting.join(QStringLiteral(", ")));
        return;
    }
    // Give the last frame time to paint (and ask the views for fresh frames).
    if (m_settledSince == 0) {
        m_settledSince = now;
        m_host->repaintWidgets();
        return;
    }
    if (now - m_settledSince < 1500)
        return;
    const QImage image = window->grabWindow();
    if (image.isNull() || !image.save(QString::fromStdString(m_options.screenshot), "PNG"))
        return finishScreenshot(1, QStringLiteral("cannot write the screenshot to ") + QString::fromStdString(m_options.screenshot));
    finishScreenshot(0, {});
}

void Startup::finishScreenshot(int exitCode, const QString &message)
{
    if (m_screenshotTimer)
        m_screenshotTimer->stop();
    if (!message.isEmpty())
        std::cerr << "tessera: --screenshot: " << message.toStdString() << '\n';
    QCoreApplication::exit(exitCode);
}

} // namespace tessera::app
