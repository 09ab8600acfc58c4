// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QLoggingCategory>
#include <QString>

#include <cstdint>
#include <filesystem>

#include "util/result.h"

namespace tessera::ui {

// Tessera's own logging categories (the core's are in util/log.h: tessera.bridge, tessera.matrix,
// tessera.net, tessera.plugins, tessera.audit, tessera.consent).
Q_DECLARE_LOGGING_CATEGORY(lcApp)     // tessera.app: start, directories, shutdown
Q_DECLARE_LOGGING_CATEGORY(lcWidgets) // tessera.widgets: widget frames loading, failing, crashing
Q_DECLARE_LOGGING_CATEGORY(lcWeb)     // tessera.web: what web pages write to their console

/** The log file rotates at this size, and this many files are kept (tessera.log, .1 … .4). */
inline constexpr std::int64_t kLogFileMaxBytes = 1024 * 1024;
inline constexpr int kLogFilesKept = 5;

struct LogOptions {
    /** Where tessera.log is written (the state directory's logs/); empty: no file. */
    std::filesystem::path directory;
    /** --verbose: Tessera's debug messages, and everything else on the terminal too. */
    bool verbose = false;
    std::int64_t maxFileBytes = kLogFileMaxBytes;
    int filesKept = kLogFilesKept;
};

/**
 * Routes every message (Qt's, the core's through util/log.h, and the web engine's) to the
 * rotating log file and the terminal. Every message goes to the file; the terminal gets
 * Tessera's warnings and errors, and the web engine's start-up noise only with --verbose.
 * Call once, before the application object exists.
 */
Result<void> installLogging(const LogOptions &options);

/** Undoes installLogging (for tests). */
void uninstallLogging();

/**
 * What Qt WebEngine and Qt print at every start that tells a user nothing they can act on: the
 * engine's GL and command-line report, missing GPU, XDG_RUNTIME_DIR outside a session, and
 * Qt 6.4's complaints about its own QML types. Kept in the log file; on the terminal only with
 * --verbose.
 */
bool isEngineNoise(const QString &category, const QString &message);

/** Whether a message of this type is shown on the terminal without --verbose (engine noise aside). */
bool shownOnTerminal(const QString &category, QtMsgType type);

} // namespace tessera::ui
