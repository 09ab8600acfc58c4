// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "audit/auditcommand.h"
#include "tokens/tokencommand.h"
#include "util/result.h"

namespace tessera::app {

/** What the command line asks for besides the app itself. */
enum class Command {
    None = 0,    ///< the desktop app
    AuditVerify, ///< tessera audit verify
    AuditTail,   ///< tessera audit tail
    AuditExport, ///< tessera audit export
    TokenVerify, ///< tessera token verify TOKEN
    TokenPublicKey,
    PluginsList,
};

/** Everything the command line can say. */
struct Options {
    /** --help: print helpText (the help of the command it was given with) and exit. */
    bool showHelp = false;
    std::string helpText;
    bool showVersion = false;
    std::filesystem::path dataDir;
    std::string homeserver;
    /** A client id the homeserver's administrators registered for Tessera (OAuth 2.0 sign-in). */
    std::string oauthClientId;
    /** How long the browser part of a sign-in may take. */
    int signInTimeoutSeconds = 300;
    std::string room;
    std::string openWidget;
    std::string openWidgetName;
    std::vector<std::filesystem::path> pluginDirs;
    bool safeMode = false;
    bool allowUserPlugins = false;
    bool allowHttpLoopback = false;
    /**
     * --config: the settings file an administrator ships (JSON, see
     * adminconfig.h). Empty: /etc/tessera/config.json, read when it exists.
     */
    std::filesystem::path configFile;
    /** Debug messages, and the web engine's own, on the terminal as well as in the log file. */
    bool verbose = false;
    std::string screenshot;
    int screenshotTimeoutMs = 60'000;
    int width = 1280;
    int height = 800;
    std::string theme = "system"; ///< system, light, dark
    std::string language;         ///< en, es; empty: from the system locale
    /** A subcommand, and what it was told. */
    Command command = Command::None;
    audit::VerifyCommand auditVerify;
    audit::TailCommand auditTail;
    audit::ExportCommand auditExport;
    tokens::VerifyCommand tokenVerify;
    bool pluginsJson = false;
    /** Options meant for Qt itself (-platform NAME). */
    std::vector<std::string> qtArgs;
};

/**
 * Reads argv (without the program name) with QCommandLineParser: the app's options and each
 * subcommand's, in any order (`tessera audit verify --data-dir D` and `tessera --data-dir D audit
 * verify` are the same), `--opt value` or `--opt=value`. `--help` anywhere asks for the help of
 * the command it comes with, and reads nothing else. Errors are one line naming the option.
 */
Result<Options> parseOptions(const std::vector<std::string> &args);

/** `tessera --help`. */
std::string usage();

} // namespace tessera::app
