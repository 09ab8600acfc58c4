// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The composition root: the command line, the services, the QML shell.

#include <QDir>
#include <QFile>
#include <QGuiApplication>
#include <QIcon>
#include <QQmlApplicationEngine>
#include <QQmlContext>
#include <QQuickWindow>
#include <QTimer>
#include <QTranslator>
#include <QtQml/QQmlExtensionPlugin>
#include <QtWebEngineQuick/qtwebenginequickglobal.h>

#include <sys/stat.h>

#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "audit/auditcommand.h"
#include "audit/auditlog.h"
#include "consent/consentservice.h"
#include "keychainsecretstore.h"
#include "matrix/localbackend.h"
#include "net/httpclient.h"
#include "plugins/pluginmanager.h"
#include "plugins/pluginscommand.h"
#include "tokens/tokencommand.h"
#include "util/paths.h"
#include "util/privatetree.h"

#include "consentmodel.h"
#include "engineinfo.h"
#include "hostcontroller.h"
#include "logging.h"
#include "options.h"
#include "qtscheduler.h"
#include "schemehandler.h"
#include "startup.h"
#include "uistate.h"

Q_IMPORT_QML_PLUGIN(TesseraPlugin)

using namespace tessera;

int main(int argc, char **argv)
{
    std::vector<std::string> args(argv + 1, argv + argc);
    auto parsed = app::parseOptions(args);
    if (!parsed) {
        std::cerr << "tessera: " << parsed.error().message << '\n';
        return 2;
    }
    app::Options options = std::move(parsed).value();
    if (options.showHelp) {
        std::cout << options.helpText;
        return 0;
    }
    if (options.showVersion) {
        std::cout << ui::versionText(QStringLiteral(TESSERA_VERSION), ui::engineVersions()).toStdString();
        return 0;
    }
    const std::filesystem::path dataDir = options.dataDir.empty() ? paths::defaultDataDir() : options.dataDir;

    // Everything Tessera writes is the user's alone: the data directory 0700 and each file in it
    // 0600, whatever runs first (a subcommand or the app) and whatever its creator's defaults
    // (SQLite, Chromium, Qt). A directory left open by an older version is tightened, and said so.
    ::umask(S_IRWXG | S_IRWXO);
    auto privateDir = paths::makePrivateTree(dataDir);
    if (!privateDir) {
        std::cerr << "tessera: the data directory: " << privateDir.error().message << '\n';
        return 1;
    }
    const std::string dataDirNotice = paths::describe(*privateDir, dataDir);
    if (!dataDirNotice.empty())
        std::cerr << "tessera: " << dataDirNotice << '\n';

    // Command-line tools: no display needed, and they run beside a running Tessera.
    switch (options.command) {
    case app::Command::AuditVerify:
    case app::Command::AuditTail:
    case app::Command::AuditExport: {
        FileSecretStore secrets(dataDir / "secrets");
        audit::AuditCommandContext context;
        context.secrets = &secrets;
        if (options.command == app::Command::AuditVerify)
            return audit::runVerify(options.auditVerify, dataDir, std::cout, std::cerr, context);
        if (options.command == app::Command::AuditTail)
            return audit::runTail(options.auditTail, dataDir, std::cout, std::cerr, context);
        return audit::runExport(options.auditExport, dataDir, std::cout, std::cerr);
    }
    case app::Command::TokenVerify:
        return tokens::runVerify(options.tokenVerify, dataDir, std::cout, std::cerr);
    case app::Command::TokenPublicKey:
        return tokens::runPublicKey(dataDir, std::cout, std::cerr);
    case app::Command::PluginsList:
        return app::runPluginsCli(options, dataDir, argv[0], std::cout, std::cerr);
    case app::Command::None:
        break;
    }

    // The desktop application. Its messages, the core's and the web engine's go to a rotating
    // log file in the state directory; the terminal gets warnings (and everything with --verbose).
    if (auto ok = ui::installLogging({paths::appDirectories(options.dataDir).state / "logs", options.verbose}); !ok) {
        std::cerr << "tessera: " << ok.error().message << '\n';
        return 1;
    }
    app::prepareWebEngineEnvironment();
    ui::registerSchemes();
    QtWebEngineQuick::initialize();
    std::vector<char *> qtArgv{argv[0]};
    for (auto &a : options.qtArgs)
        qtArgv.push_back(a.data());
    int qtArgc = int(qtArgv.size());
    QGuiApplication application(qtArgc, qtArgv.data());
    QGuiApplication::setApplicationName(QStringLiteral("Tessera"));
    QGuiApplication::setOrganizationName(QStringLiteral("Tessera"));
    QGuiApplication::setApplicationVersion(QStringLiteral(TESSERA_VERSION));
    QGuiApplication::setDesktopFileName(QStringLiteral("io.tessera.Tessera"));

    app::Startup startup(options, dataDir);
    startup.setDataDirTightened(int(privateDir->tightened.size()));
    if (auto ok = startup.run(); !ok) {
        std::cerr << "tessera: " << ok.error().message << '\n';
        return 1;
    }
    return application.exec();
}
