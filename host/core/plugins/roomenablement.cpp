// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "plugins/roomenablement.h"

#include <algorithm>
#include <charconv>

#include "plugins/pluginmanager.h"
#include "util/jsonfields.h"

namespace tessera::plugins {

namespace {

using json = nlohmann::json;

/** A power level: an integer, or a string holding one (rooms created before v10 allow both). */
std::optional<std::int64_t> powerLevel(const json &value)
{
    if (value.is_number_integer() || value.is_number_unsigned())
        return value.get<std::int64_t>();
    if (value.is_string()) {
        const auto &s = value.get_ref<const std::string &>();
        std::int64_t level = 0;
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), level);
        if (ec == std::errc() && end == s.data() + s.size())
            return level;
    }
    return std::nullopt;
}

std::int64_t levelOr(const json &object, std::string_view key, std::int64_t fallback)
{
    if (!object.is_object())
        return fallback;
    auto it = object.find(key);
    if (it == object.end())
        return fallback;
    return powerLevel(*it).value_or(fallback);
}

std::string quoted(const std::vector<std::string> &items)
{
    std::string out;
    for (const std::string &item : items) {
        if (!out.empty())
            out += ", ";
        out += item;
    }
    return out;
}

} // namespace

std::string EnablementRights::describe() const
{
    if (currentUserCan)
        return "You can enable it.";
    if (anyMember)
        return "Any member of the room can enable it.";
    const std::string level = "power level " + std::to_string(requiredPowerLevel) + " or more";
    if (users.empty())
        return "Nobody in the room has the " + level + " needed to enable it.";
    return "Room members with " + level + " can enable it: " + quoted(users) + ".";
}

EnablementRights enablementRights(const json &powerLevels, std::string_view currentUserId)
{
    EnablementRights rights;
    if (!powerLevels.is_object()) {
        rights.anyMember = true;
        rights.currentUserCan = true;
        return rights;
    }
    std::int64_t required = levelOr(powerLevels, "state_default", 50);
    if (auto events = powerLevels.find("events"); events != powerLevels.end())
        required = levelOr(*events, kPluginStateEventType, required);
    rights.requiredPowerLevel = required;
    const std::int64_t usersDefault = levelOr(powerLevels, "users_default", 0);
    rights.anyMember = usersDefault >= required;

    std::vector<std::pair<std::int64_t, std::string>> strong;
    bool currentListed = false;
    if (auto users = powerLevels.find("users"); users != powerLevels.end() && users->is_object()) {
        for (const auto &[user, value] : users->items()) {
            const auto level = powerLevel(value);
            if (!level)
                continue;
            if (user == currentUserId) {
                currentListed = true;
                rights.currentUserCan = *level >= required;
            }
            if (*level >= required)
                strong.emplace_back(*level, user);
        }
    }
    if (!currentListed)
        rights.currentUserCan = rights.anyMember;
    std::sort(strong.begin(), strong.end(), [](const auto &a, const auto &b) {
        return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    for (auto &[level, user] : strong)
        rights.users.push_back(std::move(user));
    return rights;
}

const char *toString(RoomPluginStatus status) noexcept
{
    switch (status) {
    case RoomPluginStatus::Enabled: return "enabled";
    case RoomPluginStatus::NotEnabledHere: return "not-enabled-here";
    case RoomPluginStatus::DisabledHere: return "disabled-here";
    case RoomPluginStatus::DisabledByUser: return "disabled-by-user";
    case RoomPluginStatus::Unavailable: return "unavailable";
    case RoomPluginStatus::InvalidConfig: return "invalid-config";
    case RoomPluginStatus::Invalid: break;
    }
    return "invalid";
}

RoomPluginDecision decideRoomPlugin(std::string_view pluginId, const PluginRecord *plugin,
                                    const std::set<std::string, std::less<>> &disabledByUser,
                                    const std::vector<json> &roomState, const json &powerLevels,
                                    std::string_view currentUserId, bool enabledByDefault)
{
    RoomPluginDecision decision;
    decision.pluginId = std::string(pluginId);
    decision.rights = enablementRights(powerLevels, currentUserId);
    const std::string name = plugin ? plugin->displayName() : std::string(pluginId);
    auto decide = [&](RoomPluginStatus status, std::string message) {
        decision.status = status;
        decision.message = std::move(message);
        return decision;
    };

    if (!plugin)
        return decide(RoomPluginStatus::Unavailable, "The plugin " + std::string(pluginId) + " is not installed.");
    if (disabledByUser.count(pluginId))
        return decide(RoomPluginStatus::DisabledByUser, "You turned " + name + " off for all rooms.");
    if (plugin->state != PluginState::Running)
        return decide(RoomPluginStatus::Unavailable,
                      name + " is not available: " + (plugin->error.empty() ? toString(plugin->state) : plugin->error));

    const json *event = nullptr;
    for (const json &e : roomState)
        if (e.is_object() && jsonString(e, "type") == kPluginStateEventType && e.contains("state_key")
            && e["state_key"].is_string() && e["state_key"].get_ref<const std::string &>() == pluginId)
            event = &e;
    if (event)
        decision.setBy = jsonString(*event, "sender");
    json content = event && event->contains("content") ? (*event)["content"] : json();
    if (!content.is_object() || content.empty()) {
        if (!enabledByDefault)
            return decide(RoomPluginStatus::NotEnabledHere,
                          name + " is not enabled in this room. " + decision.rights.describe());
        // A type shown wherever the room did not turn its plugin off: enabled, with config {}
        // (still checked against the schema below).
        content = json{{"enabled", true}};
    }

    const std::string malformed = "The " + std::string(kPluginStateEventType) + " event for " + name
                                  + " in this room is invalid: ";
    auto enabled = content.find("enabled");
    if (enabled == content.end() || !enabled->is_boolean())
        return decide(RoomPluginStatus::InvalidConfig, malformed + "\"enabled\" must be true or false.");
    if (!enabled->get<bool>())
        return decide(RoomPluginStatus::DisabledHere,
                      name + " was turned off in this room"
                          + (decision.setBy.empty() ? std::string() : " by " + decision.setBy) + ". "
                          + decision.rights.describe());

    json config = json::object();
    if (auto c = content.find("config"); c != content.end()) {
        if (!c->is_object())
            return decide(RoomPluginStatus::InvalidConfig, malformed + "\"config\" must be an object.");
        config = *c;
    }
    if (plugin->manifest && plugin->manifest->configSchema) {
        decision.configErrors = plugin->manifest->configSchema->validate(config);
        if (!decision.configErrors.empty()) {
            std::string list;
            for (const SchemaViolation &v : decision.configErrors) {
                if (!list.empty())
                    list += "; ";
                list += v.toString();
            }
            return decide(RoomPluginStatus::InvalidConfig,
                          "The settings of " + name + " in this room are invalid: " + list + ".");
        }
    }
    decision.config = std::move(config);
    return decide(RoomPluginStatus::Enabled, name + " is enabled in this room.");
}

RoomPluginDecision decideRoomPlugin(std::string_view pluginId, const PluginManager &manager,
                                    const std::vector<json> &roomState, const json &powerLevels,
                                    std::string_view currentUserId)
{
    return decideRoomPlugin(pluginId, manager.find(pluginId), manager.options().disabledByUser, roomState,
                            powerLevels, currentUserId);
}

std::optional<RoomPluginDecision> decideWidgetType(std::string_view widgetType, const PluginManager &manager,
                                                   const std::vector<json> &roomState, const json &powerLevels,
                                                   std::string_view currentUserId)
{
    const PluginRecord *provider = manager.findProvider(widgetType);
    if (!provider)
        return std::nullopt;
    const WidgetTypeInfo *type = manager.findWidgetType(widgetType);
    const bool byDefault = type && type->pluginId == provider->id && type->enabledByDefault;
    return decideRoomPlugin(provider->id, provider, manager.options().disabledByUser, roomState, powerLevels,
                            currentUserId, byDefault);
}

std::optional<AdderLimit> adderCannotEnable(const json &powerLevels, std::string_view addedBy)
{
    if (addedBy.empty() || !powerLevels.is_object())
        return std::nullopt;
    const EnablementRights rights = enablementRights(powerLevels, addedBy);
    if (rights.currentUserCan)
        return std::nullopt;
    AdderLimit limit;
    limit.requiredPowerLevel = rights.requiredPowerLevel;
    limit.level = levelOr(powerLevels, "users_default", 0);
    if (auto users = powerLevels.find("users"); users != powerLevels.end() && users->is_object())
        if (auto it = users->find(std::string(addedBy)); it != users->end())
            if (auto l = powerLevel(*it))
                limit.level = *l;
    return limit;
}

std::string whyAdderCannotEnable(const json &powerLevels, std::string_view addedBy, std::string_view addedByName,
                                 std::string_view pluginName)
{
    const std::optional<AdderLimit> limit = adderCannotEnable(powerLevels, addedBy);
    if (!limit)
        return {};
    const std::string who = addedByName.empty() ? std::string(addedBy) : std::string(addedByName);
    return who + " added this widget but may not enable " + std::string(pluginName)
           + " in this room: that needs power level " + std::to_string(limit->requiredPowerLevel)
           + ", and their level is " + std::to_string(limit->level) + ".";
}

Result<json> makePluginStateContent(const PluginRecord &plugin, bool enabled, const json &config)
{
    if (!config.is_object())
        return Error(ErrorCode::BadRequest, "the config of " + plugin.displayName() + " must be a JSON object");
    if (plugin.manifest && plugin.manifest->configSchema) {
        if (auto valid = plugin.manifest->configSchema->check(config); !valid)
            return Error(ErrorCode::BadRequest,
                         "the config of " + plugin.displayName() + " is invalid: " + valid.error().message);
    }
    return json{{"enabled", enabled}, {"config", config}};
}

} // namespace tessera::plugins
