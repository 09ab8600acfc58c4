// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "engineinfo.h"

using namespace tessera::ui;

TEST(EngineInfo, TheUserAgentNamesTheRunningChromium)
{
    const auto v = engineVersions(QStringLiteral(
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) QtWebEngine/6.4.2 Chrome/102.0.5005.177 Safari/537.36"));
    EXPECT_EQ(v.chromium, QStringLiteral("102.0.5005.177"));
    EXPECT_EQ(v.chromiumMajor, 102);
    EXPECT_EQ(v.qtRuntime, QString::fromLatin1(qVersion()));
}

TEST(EngineInfo, WithoutAUserAgentTheVersionComesFromQtWebEngine)
{
    const auto v = engineVersions();
    EXPECT_GE(v.chromiumMajor, 102);
    EXPECT_FALSE(v.webEngine.isEmpty());
    EXPECT_EQ(engineVersions(QStringLiteral("no browser here")).chromium, v.chromium);
}

TEST(EngineInfo, VersionTextNamesQtChromiumAndTheMinimum)
{
    EngineVersions v;
    v.qtRuntime = QStringLiteral("6.8.2");
    v.qtBuilt = QStringLiteral("6.8.2");
    v.webEngine = QStringLiteral("6.8.2");
    v.chromium = QStringLiteral("122.0.6261.171");
    v.chromiumSecurityPatch = QStringLiteral("131.0.6778.264");
    EXPECT_EQ(versionText(QStringLiteral("0.1.0"), v),
              QStringLiteral("tessera 0.1.0\nQt 6.8.2\nQt WebEngine 6.8.2\n"
                             "Chromium 122.0.6261.171 (security fixes of Chromium 131.0.6778.264)\n"
                             "Minimum Chromium for widgets: 112\n"));
    v.qtBuilt = QStringLiteral("6.8.1");
    EXPECT_TRUE(versionText(QStringLiteral("0.1.0"), v).contains(QStringLiteral("Qt 6.8.2 (built with Qt 6.8.1)\n")));
}
