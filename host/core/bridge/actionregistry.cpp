// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "bridge/actionregistry.h"

#include <algorithm>
#include <array>

namespace tessera::bridge {

namespace {
constexpr std::array<std::string_view, 31> kBuiltInActions{
    "supported_api_versions", "content_loaded", "capabilities", "notify_capabilities",
    "org.matrix.msc2974.request_capabilities", "get_openid", "openid_credentials", "send_event",
    "org.matrix.msc4157.update_delayed_event", "send_to_device", "org.matrix.msc2876.read_events",
    "org.matrix.msc3869.read_relations", "org.matrix.msc3973.user_directory_search",
    "org.matrix.msc4039.get_media_config", "org.matrix.msc4039.upload_file", "org.matrix.msc4039.download_file",
    "watch_turn_servers", "unwatch_turn_servers", "update_turn_servers", "org.matrix.msc2931.navigate",
    "set_always_on_screen", "m.sticker", "open_modal", "close_modal", "set_button_enabled",
    "com.beeper.read_room_account_data", "update_state",
    // Element's call actions (a call widget's; see SessionConfig::callActions).
    "io.element.join", "im.vector.hangup", "io.element.close", "io.element.device_mute",
};
} // namespace

bool ActionRegistry::isBuiltInAction(std::string_view action)
{
    return std::find(kBuiltInActions.begin(), kBuiltInActions.end(), action) != kBuiltInActions.end();
}

Result<void> ActionRegistry::addCapability(const std::string &capability, CustomActionHandler *handler)
{
    if (capability.empty() || capability.size() > kMaxCapabilityLength)
        return Error(ErrorCode::BadRequest, "custom capability must be 1 to 1024 bytes");
    if (parseCapability(capability))
        return Error(ErrorCode::Conflict, "capability " + capability + " is built in and cannot be claimed");
    auto [it, inserted] = m_capabilities.emplace(capability, handler);
    if (!inserted && it->second != handler)
        return Error(ErrorCode::Conflict, "capability " + capability + " is already claimed by another handler");
    return {};
}

Result<void> ActionRegistry::addAction(const std::string &action, const std::string &capability,
                                       CustomActionHandler *handler)
{
    if (action.empty())
        return Error(ErrorCode::BadRequest, "action name is empty");
    if (isBuiltInAction(action))
        return Error(ErrorCode::Conflict, "action " + action + " is built in and cannot be claimed");
    auto cap = m_capabilities.find(capability);
    if (cap == m_capabilities.end() || cap->second != handler)
        return Error(ErrorCode::BadRequest, "action " + action + " needs capability " + capability
                                                + ", which this handler did not declare");
    auto [it, inserted] = m_actions.emplace(action, Entry{capability, handler});
    if (!inserted)
        return Error(ErrorCode::Conflict, "action " + action + " is already claimed by another handler");
    return {};
}

void ActionRegistry::removeHandler(CustomActionHandler *handler)
{
    std::erase_if(m_actions, [&](const auto &kv) { return kv.second.handler == handler; });
    std::erase_if(m_capabilities, [&](const auto &kv) { return kv.second == handler; });
}

const ActionRegistry::Entry *ActionRegistry::find(std::string_view action) const
{
    auto it = m_actions.find(action);
    return it == m_actions.end() ? nullptr : &it->second;
}

bool ActionRegistry::isCustomCapability(std::string_view capability) const
{
    return m_capabilities.find(capability) != m_capabilities.end();
}

} // namespace tessera::bridge
