// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "engineinfo.h"

#include <QRegularExpression>
#include <QtGlobal>
#include <QtWebEngineCore/qtwebenginecoreglobal.h>
#include <QtWebEngineCore/qtwebenginecoreversion.h>

namespace tessera::ui {

namespace {
int majorOf(const QString &version)
{
    return version.section(QLatin1Char('.'), 0, 0).toInt();
}
} // namespace

EngineVersions engineVersions()
{
    EngineVersions v;
    v.qtRuntime = QString::fromLatin1(qVersion());
    v.qtBuilt = QStringLiteral(QT_VERSION_STR);
#if QT_VERSION >= QT_VERSION_CHECK(6, 6, 0)
    v.webEngine = QString::fromLatin1(qWebEngineVersion());
    v.chromium = QString::fromLatin1(qWebEngineChromiumVersion());
    v.chromiumSecurityPatch = QString::fromLatin1(qWebEngineChromiumSecurityPatchVersion());
#else
    // Qt WebEngine 6.4 and 6.5 have no call that names their Chromium: their release notes do.
    v.webEngine = QStringLiteral(QTWEBENGINECORE_VERSION_STR);
    v.chromium = (QTWEBENGINECORE_VERSION >= 0x060500) ? QStringLiteral("108") : QStringLiteral("102");
#endif
    v.chromiumMajor = majorOf(v.chromium);
    return v;
}

EngineVersions engineVersions(const QString &userAgent)
{
    EngineVersions v = engineVersions();
    static const QRegularExpression chrome(QStringLiteral("\\bChrome/([0-9]+(?:\\.[0-9]+){3})\\b"));
    if (const auto m = chrome.match(userAgent); m.hasMatch()) {
        v.chromium = m.captured(1);
        v.chromiumMajor = majorOf(v.chromium);
    }
    return v;
}

QString versionText(const QString &tesseraVersion, const EngineVersions &v)
{
    QString text = QStringLiteral("tessera %1\n").arg(tesseraVersion);
    text += QStringLiteral("Qt %1").arg(v.qtRuntime);
    if (v.qtBuilt != v.qtRuntime)
        text += QStringLiteral(" (built with Qt %1)").arg(v.qtBuilt);
    text += QStringLiteral("\nQt WebEngine %1\nChromium %2").arg(v.webEngine, v.chromium);
    if (!v.chromiumSecurityPatch.isEmpty() && v.chromiumSecurityPatch != v.chromium)
        text += QStringLiteral(" (security fixes of Chromium %1)").arg(v.chromiumSecurityPatch);
    text += QStringLiteral("\nMinimum Chromium for widgets: %1\n").arg(kMinimumChromiumMajor);
    return text;
}

} // namespace tessera::ui
