// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "pluginchoices.h"

#include <nlohmann/json.hpp>

#include "uistate.h"

namespace tessera::ui {

namespace {
constexpr const char *kDisabledKey = "plugins.disabled";
constexpr const char *kThirdPartyKey = "plugins.third_party";
} // namespace

PluginChoices readPluginChoices(UiState &state)
{
    PluginChoices c;
    // Written only by writePluginChoices; anything else there (a hand edit) reads as nothing chosen.
    const auto disabled = nlohmann::json::parse(state.value(kDisabledKey).value_or("[]"), nullptr, false);
    if (disabled.is_array())
        for (const auto &id : disabled)
            if (id.is_string())
                c.disabled.insert(id.get<std::string>());
    c.thirdParty = state.value(kThirdPartyKey).value_or("0") == "1";
    return c;
}

void writePluginChoices(UiState &state, const PluginChoices &choices)
{
    state.setValue(kDisabledKey, nlohmann::json(choices.disabled).dump());
    state.setValue(kThirdPartyKey, choices.thirdParty ? "1" : "0");
}

} // namespace tessera::ui
