// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// Qt Quick Test runner for the shell's QML components, over the real services (fixture.h).

#include <QQmlContext>
#include <QQmlEngine>
#include <QtQml/QQmlExtensionPlugin>
#include <QtQuickTest>
#include <QtWebEngineQuick/qtwebenginequickglobal.h>

#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "fixture.h"
#include "schemehandler.h"
#include "securitymodel.h"

Q_IMPORT_QML_PLUGIN(TesseraPlugin)

namespace {

// Runs before QGuiApplication exists, as WebEngine and custom schemes require.
void beforeApplication()
{
    // Chromium refuses to run as root with its sandbox on; tests run as root in CI containers.
    if (geteuid() == 0)
        setenv("QTWEBENGINE_DISABLE_SANDBOX", "1", 0);
    tessera::ui::registerSchemes();
    QtWebEngineQuick::initialize();
}
Q_CONSTRUCTOR_FUNCTION(beforeApplication)

} // namespace

class Setup : public QObject {
    Q_OBJECT
public Q_SLOTS:
    void applicationAvailable()
    {
        m_fixture = new tessera::qmltest::Fixture();
        if (!m_fixture->error().isEmpty()) {
            std::cerr << "fixture: " << m_fixture->error().toStdString() << '\n';
            std::exit(1);
        }
        qmlRegisterSingletonInstance("Tessera", 1, 0, "Host", m_fixture->host());
        // As the application registers it; local rooms have no Matrix account, so no encryption.
        m_security = new tessera::ui::SecurityModel(nullptr);
        qmlRegisterSingletonInstance("Tessera", 1, 0, "Security", m_security);
        qmlRegisterSingletonInstance("Tessera", 1, 0, "Account", m_fixture->account());
    }
    void qmlEngineAvailable(QQmlEngine *engine)
    {
        engine->addImportPath(QStringLiteral("qrc:/"));
        engine->rootContext()->setContextProperty(QStringLiteral("fixture"), m_fixture);
        m_fixture->setEngine(engine);
    }
    void cleanupTestCase()
    {
        delete m_security;
        m_security = nullptr;
        delete m_fixture;
        m_fixture = nullptr;
    }

private:
    tessera::qmltest::Fixture *m_fixture = nullptr;
    tessera::ui::SecurityModel *m_security = nullptr;
};

QUICK_TEST_MAIN_WITH_SETUP(tessera_qml, Setup)

#include "main.moc"
