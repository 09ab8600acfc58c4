// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "plugins/capabilitydirectory.h"

#include "plugins/pluginmanager.h"

namespace tessera::plugins {

PluginCapabilityDirectory::PluginCapabilityDirectory(const bridge::CustomCapabilityLookup &granted,
                                                     const PluginManager *plugins)
    : m_granted(granted), m_plugins(plugins)
{
}

bool PluginCapabilityDirectory::isCustomCapability(std::string_view capability) const
{
    return m_granted.isCustomCapability(capability);
}

std::optional<consent::CustomCapabilityInfo> PluginCapabilityDirectory::findCustomCapability(std::string_view capability) const
{
    if (!m_granted.isCustomCapability(capability))
        return std::nullopt;
    consent::CustomCapabilityInfo info;
    if (!m_plugins)
        return info;
    if (const CapabilityHandlerInfo *handler = m_plugins->findCapability(capability)) {
        info.description = handler->description;
        const PluginRecord *record = m_plugins->find(handler->pluginId);
        info.pluginName = record ? record->displayName() : handler->pluginId;
    }
    return info;
}

} // namespace tessera::plugins
