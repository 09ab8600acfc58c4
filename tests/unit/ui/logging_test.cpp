// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <QLoggingCategory>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "logging.h"
#include "util/log.h"

using namespace tessera;

namespace {
std::string read(const std::filesystem::path &file)
{
    std::ifstream in(file);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

class Logging : public ::testing::Test {
protected:
    void SetUp() override
    {
        std::string pattern = (std::filesystem::temp_directory_path() / "tessera-logs-XXXXXX").string();
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
        m_dir = pattern;
    }
    void TearDown() override
    {
        ui::uninstallLogging();
        std::error_code ec;
        std::filesystem::remove_all(m_dir, ec);
    }
    std::filesystem::path m_dir;
};
} // namespace

TEST_F(Logging, EveryCategoryGoesToTheFileWithItsNameAndLevel)
{
    const auto logs = m_dir / "state" / "logs";
    ASSERT_TRUE(ui::installLogging({logs, false}));
    qCWarning(ui::lcWidgets) << "widget w1 failed";
    log::info(log::kMatrix, "sync resumed");
    log::debug(log::kBridge, "a debug line nobody asked for");
    qWarning("QStandardPaths: XDG_RUNTIME_DIR not set, defaulting to '/tmp/runtime-root'");
    const std::string text = read(logs / "tessera.log");
    EXPECT_NE(text.find(" W tessera.widgets: widget w1 failed\n"), std::string::npos) << text;
    EXPECT_NE(text.find(" I tessera.matrix: sync resumed\n"), std::string::npos) << text;
    EXPECT_EQ(text.find("a debug line"), std::string::npos) << "debug messages need --verbose";
    EXPECT_NE(text.find(" W default: QStandardPaths: XDG_RUNTIME_DIR not set"), std::string::npos)
        << "engine noise is kept in the file";
    // The state directory and its logs folder are the user's alone.
    EXPECT_EQ(std::filesystem::status(logs).permissions() & std::filesystem::perms::all, std::filesystem::perms::owner_all);
    EXPECT_EQ(std::filesystem::status(logs.parent_path()).permissions() & std::filesystem::perms::all,
              std::filesystem::perms::owner_all);
}

TEST_F(Logging, VerboseLetsTesseraDebugMessagesThrough)
{
    ASSERT_TRUE(ui::installLogging({m_dir, true}));
    log::debug(log::kBridge, "session started");
    qCDebug(ui::lcApp) << "about to start";
    const std::string text = read(m_dir / "tessera.log");
    EXPECT_NE(text.find(" D tessera.bridge: session started\n"), std::string::npos) << text;
    EXPECT_NE(text.find(" D tessera.app: about to start\n"), std::string::npos) << text;
}

TEST_F(Logging, TheFileRotatesKeepingANamedNumberOfFiles)
{
    ui::LogOptions options;
    options.directory = m_dir;
    options.maxFileBytes = 400;
    options.filesKept = 3;
    ASSERT_TRUE(ui::installLogging(options));
    for (int i = 0; i < 40; ++i)
        log::warning(log::kNet, "request " + std::to_string(i) + " failed: connection refused");
    for (const char *name : {"tessera.log", "tessera.log.1", "tessera.log.2"}) {
        ASSERT_TRUE(std::filesystem::exists(m_dir / name)) << name;
        EXPECT_LE(std::filesystem::file_size(m_dir / name), 400u) << name;
    }
    EXPECT_FALSE(std::filesystem::exists(m_dir / "tessera.log.3")) << "only filesKept files are kept";
    EXPECT_NE(read(m_dir / "tessera.log").find("request 39 failed"), std::string::npos) << "the newest is in tessera.log";
    EXPECT_EQ(read(m_dir / "tessera.log.2").find("request 0 failed"), std::string::npos) << "the oldest were dropped";
}

TEST_F(Logging, AnUnwritableDirectoryIsAClearError)
{
    const auto file = m_dir / "a-file";
    std::ofstream(file) << "x";
    auto r = ui::installLogging({file / "logs", false});
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find(file.string()), std::string::npos) << r.error().message;
}

TEST(LoggingFilter, EngineNoiseIsKnownByCategoryAndText)
{
    EXPECT_TRUE(ui::isEngineNoise(QStringLiteral("qt.webenginecontext"), QStringLiteral("GL Type: disabled")));
    EXPECT_TRUE(ui::isEngineNoise(QStringLiteral("default"), QStringLiteral("No suitable graphics backend found")));
    EXPECT_TRUE(ui::isEngineNoise(QStringLiteral("default"),
                                  QStringLiteral("QWebEngineLoadingInfo is neither a QObject, nor default- and copy-constructible. "
                                                 "You should not use it as a QML type.")));
    EXPECT_FALSE(ui::isEngineNoise(QStringLiteral("default"), QStringLiteral("qrc:/Tessera/Main.qml:12: TypeError")));
    EXPECT_FALSE(ui::isEngineNoise(QStringLiteral("tessera.app"), QStringLiteral("No suitable graphics backend found")));
    EXPECT_TRUE(ui::shownOnTerminal(QStringLiteral("tessera.matrix"), QtWarningMsg));
    EXPECT_FALSE(ui::shownOnTerminal(QStringLiteral("tessera.matrix"), QtInfoMsg));
    EXPECT_FALSE(ui::shownOnTerminal(QStringLiteral("tessera.matrix"), QtDebugMsg));
}
