// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

namespace tessera::ui {

/**
 * The oldest Chromium whose CSS today's widgets can rely on: container queries and :has() (105),
 * color-mix() and @property (111), CSS nesting (112). On an older engine Tessera says once that
 * some widgets may not display as their authors meant (README: "Web engine").
 */
inline constexpr int kMinimumChromiumMajor = 112;

/** @brief The versions of the toolkit and web engine Tessera runs on. */
struct EngineVersions {
    QString qtRuntime;  ///< qVersion(): the Qt libraries loaded
    QString qtBuilt;    ///< QT_VERSION_STR: the Qt Tessera was compiled against
    QString webEngine;  ///< Qt WebEngine
    QString chromium;   ///< e.g. "122.0.6261.171"; only the major ("102") when the engine cannot say more
    QString chromiumSecurityPatch; ///< the Chromium release whose security fixes it carries; empty if unknown
    int chromiumMajor = 0;
};

/**
 * The versions, without starting the web engine (for `tessera --version`). Qt WebEngine 6.6 and
 * later report their Chromium version; older ones do not, and then the Chromium release their
 * Qt WebEngine release is built on is given by its major number (Qt 6.4: 102, Qt 6.5: 108).
 */
EngineVersions engineVersions();

/** The running engine's versions: engineVersions() with the Chromium version the engine's
 *  user agent (`… Chrome/102.0.5005.177 …`) reports, when it has one. */
EngineVersions engineVersions(const QString &userAgent);

/** The lines `tessera --version` prints. */
QString versionText(const QString &tesseraVersion, const EngineVersions &versions);

} // namespace tessera::ui
