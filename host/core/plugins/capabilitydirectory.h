// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "bridge/capabilities.h"
#include "consent/capabilitytext.h"

namespace tessera::plugins {

class PluginManager;

/**
 * @brief Names the plugin behind each custom capability for the consent dialog and the
 * Permissions page.
 *
 * Whether a capability is custom comes from @p granted, the lookup the consent service and the
 * widget sessions decide with (the ActionRegistry), so the text never calls a capability
 * refused that is granted, or the other way round; the plugin's name and the handler's
 * description come from @p plugins (which may be null: the capability is then only said to be
 * a plugin's).
 */
class PluginCapabilityDirectory final : public consent::CustomCapabilityDirectory {
public:
    PluginCapabilityDirectory(const bridge::CustomCapabilityLookup &granted, const PluginManager *plugins);

    [[nodiscard]] std::optional<consent::CustomCapabilityInfo>
    findCustomCapability(std::string_view capability) const override;
    [[nodiscard]] bool isCustomCapability(std::string_view capability) const override;

private:
    const bridge::CustomCapabilityLookup &m_granted;
    const PluginManager *m_plugins;
};

} // namespace tessera::plugins
