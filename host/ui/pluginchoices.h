// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <set>
#include <string>

namespace tessera::ui {

class UiState;

/**
 * @brief What the user chose about plugins on the Plugins page, kept in ui.db (the settings
 * directory). Read at start: Tessera does not unload a running plugin, so a change applies at
 * the next start, and the page says so.
 */
struct PluginChoices {
    /** Plugin ids the user turned off. */
    std::set<std::string, std::less<>> disabled;
    /** Third-party plugins (the user's plugin directory) load, as with --user-plugins. */
    bool thirdParty = false;

    bool operator==(const PluginChoices &) const = default;
};

PluginChoices readPluginChoices(UiState &state);
void writePluginChoices(UiState &state, const PluginChoices &choices);

} // namespace tessera::ui
