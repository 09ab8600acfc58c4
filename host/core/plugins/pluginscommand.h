// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace tessera::plugins {

class PluginManager;

/**
 * `tessera plugins …`: @p args are the words after "plugins".
 *
 *   list           one line per plugin (id, version, state, source, name), the error of each
 *                  plugin that is not running on the next line, then the search path
 *   list --json    the same as one JSON object {"plugins": [...], "searchPath": [...], "warnings": [...]}
 *   --help         usage
 *
 * @p manager must already have run loadAll(). Returns the process exit code: 0, or 2 for a
 * usage error (one line on @p err). Search-path warnings go to @p err and do not change the
 * exit code; a plugin that failed is a fact to report, not a failure of the command.
 */
int runPluginsCommand(const std::vector<std::string> &args, const PluginManager &manager, std::ostream &out,
                      std::ostream &err);

} // namespace tessera::plugins
