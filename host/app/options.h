// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "util/result.h"

namespace tessera::app {

/** Everything the command line can say. */
struct Options {
    bool showHelp = false;
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
    std::string screenshot;
    int screenshotTimeoutMs = 60'000;
    int width = 1280;
    int height = 800;
    std::string theme = "system"; ///< system, light, dark
    std::string language;         ///< en, es; empty: from the system locale
    /** A subcommand (audit, token, plugins) and its arguments. */
    std::string command;
    std::vector<std::string> commandArgs;
    /** Options meant for Qt itself (-platform NAME). */
    std::vector<std::string> qtArgs;
};

/** Parses argv (without the program name). Errors are one line, naming the option. */
Result<Options> parseOptions(const std::vector<std::string> &args);

/** The --help text. */
std::string usage();

} // namespace tessera::app
