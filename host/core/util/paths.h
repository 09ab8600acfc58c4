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

/** Creates @p dir (and parents) with mode 0700 if missing; reports the path on failure. */
Result<void> ensurePrivateDirectory(const std::filesystem::path &dir);

} // namespace tessera::paths
