// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "util/result.h"

namespace tessera::app {

/** Largest configuration file read (an administrator's: a few lines). */
inline constexpr std::size_t kMaxConfigFileBytes = 64 * 1024;

/** Where an administrator's configuration is read from when --config does not name a file. */
inline constexpr std::string_view kSystemConfigFile = "/etc/tessera/config.json";

/**
 * What an administrator's configuration file sets: a JSON object with these optional keys.
 *   "call_service"        the trusted call service's address (consent::callServiceOrigin)
 *   "plugin_widget_page"  where other clients are sent for a plugin widget
 *                         (plugins::pluginWidgetPage; the page is host/web/needs-tessera/)
 */
struct AdminConfig {
    std::string callServiceOrigin; ///< the service's origin; empty: the file names none
    std::string pluginWidgetPage;  ///< empty: the file names none (the build's default applies)
};

/**
 * Reads @p text, a configuration file's content. Anything but the keys above, well formed, is an
 * error that says what is wrong: not a JSON object, a key Tessera does not know (a misspelt name
 * would otherwise be ignored in silence), a value that is not a string or not a usable address,
 * a file larger than kMaxConfigFileBytes.
 */
Result<AdminConfig> parseAdminConfig(std::string_view text);

/**
 * The configuration in @p given, or, when that is empty, in kSystemConfigFile when it exists (no
 * file there: nothing is configured). A file that cannot be read or used is an error naming it.
 */
Result<AdminConfig> readAdminConfig(const std::filesystem::path &given);

} // namespace tessera::app
