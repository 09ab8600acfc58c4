// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <filesystem>

#include "util/result.h"

namespace tessera::paths {

/**
 * The user's data directory: $XDG_DATA_HOME/tessera, else ~/.local/share/tessera.
 * `--data-dir` overrides it in the app; nothing here creates it.
 */
std::filesystem::path defaultDataDir();

/** @brief Where Tessera keeps what, by the XDG Base Directory Specification. */
struct AppDirectories {
    /** Rooms, consent decisions, the audit log, plugin data, the web engine's profile. */
    std::filesystem::path data;
    /** Settings (ui.db: theme, language, plugins turned off, the panel's layout). */
    std::filesystem::path config;
    /** What can be thrown away: the web engine's HTTP cache. */
    std::filesystem::path cache;
    /** What is kept between runs but is neither data nor settings: the log files. */
    std::filesystem::path state;
};

/**
 * $XDG_DATA_HOME, $XDG_CONFIG_HOME, $XDG_CACHE_HOME and $XDG_STATE_HOME, each followed by
 * /tessera (unset or relative: ~/.local/share, ~/.config, ~/.cache, ~/.local/state). Given
 * @p dataDir (`--data-dir`), everything is inside it: the data in it, the rest in its config,
 * cache and state subdirectories. Nothing here creates them.
 */
AppDirectories appDirectories(const std::filesystem::path &dataDir = {});

/** Creates @p dir (and parents) with mode 0700 if missing; reports the path on failure. */
Result<void> ensurePrivateDirectory(const std::filesystem::path &dir);

} // namespace tessera::paths
