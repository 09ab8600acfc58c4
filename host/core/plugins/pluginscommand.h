// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <iosfwd>

namespace tessera::plugins {

class PluginManager;

/**
 * `tessera plugins list [--json]`; the command line is read by the app (host/app/options.cpp).
 *
 *   table   one line per plugin (id, version, state, source, name), the error of each plugin
 *           that is not running on the next line, then the search path
 *   json    the same as one JSON object {"plugins": [...], "searchPath": [...], "warnings": [...]}
 *
 * @p manager must already have run discoverAll() (the app's command: manifests only, no plugin
 * code runs, so plugins that would load are "discovered") or loadAll(). Search-path warnings
 * go to @p err; a plugin that failed is a fact to report, not a failure of the command: returns 0.
 */
int runList(const PluginManager &manager, bool json, std::ostream &out, std::ostream &err);

} // namespace tessera::plugins
