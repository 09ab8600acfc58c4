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

#include "consentmodel.h"
#include "hostcontroller.h"
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
        std::cout << app::usage();
        return 0;
    }
    if (options.showVersion) {
        std::cout << "tessera " << TESSERA_VERSION << '\n';
        return 0;
    }
    const std::filesystem::path dataDir = options.dataDir.empty() ? paths::defaultDataDir() : options.dataDir;

    // Command-line tools: no display needed, and they run beside a running Tessera.
    if (options.command == "audit") {
        std::string warning;
        FileSecretStore secrets(dataDir / "secrets");
        audit::AuditCommandContext context;
        context.secrets = &secrets;
        return audit::runAuditCommand(options.commandArgs, dataDir, std::cout, std::cerr, context);
    }
    if (options.command == "token")
        return tokens::runTokenCommand(options.commandArgs, dataDir, std::cout, std::cerr);
    if (options.command == "plugins")
        return app::runPluginsCli(options, dataDir, argv[0], std::cout, std::cerr);

    // The desktop application.
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
    if (auto ok = startup.run(); !ok) {
        std::cerr << "tessera: " << ok.error().message << '\n';
        return 1;
    }
    return application.exec();
}
