// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "plugins/jsonschema.h"
#include "util/result.h"

namespace tessera::plugins {

struct PluginRecord;
class PluginManager;

/** The state event that enables a plugin in a room; its state key is the plugin id. */
inline constexpr std::string_view kPluginStateEventType = "io.tessera.plugin";

/** The state event type whose content says who may send which state. */
inline constexpr std::string_view kPowerLevelsEventType = "m.room.power_levels";

/** @brief Who may send `io.tessera.plugin` in a room (from its m.room.power_levels content). */
struct EnablementRights {
    std::int64_t requiredPowerLevel = 0;
    /** True when users_default reaches the required level: every member may. */
    bool anyMember = false;
    /** Users listed with enough power, highest level first, then by id. */
    std::vector<std::string> users;
    bool currentUserCan = false;

    /** "You can enable it.", "Room members with power level 50 or more can enable it: @a, @b." … */
    [[nodiscard]] std::string describe() const;
};

/**
 * Reads the rights from power levels content (Matrix spec, m.room.power_levels): the level for
 * the event type comes from `events`, else `state_default` (50 when the event exists); a user's
 * level from `users`, else `users_default` (0). Levels may be integers or, as old rooms have
 * them, strings of integers. @p powerLevels null means the room has no power levels event: then
 * every member may send state.
 */
EnablementRights enablementRights(const nlohmann::json &powerLevels, std::string_view currentUserId);

/** What a room says about one plugin. */
enum class RoomPluginStatus {
    Invalid = 0,
    Enabled,        ///< load its widgets, with `config`
    NotEnabledHere, ///< no io.tessera.plugin event (or an empty one): show the "not enabled here" tile
    DisabledHere,   ///< the room's event says enabled: false
    DisabledByUser, ///< the user turned the plugin off everywhere
    Unavailable,    ///< not installed, or not running (failed, skipped, disabled)
    InvalidConfig,  ///< enabled, but the event or its config is invalid: show the error
};
const char *toString(RoomPluginStatus status) noexcept;

/** @brief The answer for one plugin in one room, with everything the tile needs to say. */
struct RoomPluginDecision {
    RoomPluginStatus status = RoomPluginStatus::Invalid;
    std::string pluginId;
    /** A sentence for the user: why, and who can change it. */
    std::string message;
    /** The validated config when Enabled ({} when the event has none). */
    nlohmann::json config = nlohmann::json::object();
    /** Why the config is invalid (InvalidConfig only). */
    std::vector<SchemaViolation> configErrors;
    /** Sender of the io.tessera.plugin event, if there is one. */
    std::string setBy;
    EnablementRights rights;

    [[nodiscard]] bool enabled() const { return status == RoomPluginStatus::Enabled; }
};

/**
 * Decides whether @p pluginId is enabled in a room. A pure function of its inputs:
 *
 * @param plugin         the plugin's record (PluginManager::find), or null if not installed
 * @param disabledByUser the user's global disable list
 * @param roomState      state events of the room (full events with type, state_key, content,
 *                       sender); only `io.tessera.plugin` events with state key @p pluginId count,
 *                       the last one wins
 * @param powerLevels    content of the room's m.room.power_levels event, or null
 * @param currentUserId  the user asking, to say whether they can enable it themselves
 * @param enabledByDefault for a widget type registered with TESSERA_WIDGET_TYPE_ENABLED_BY_DEFAULT:
 *                       a room without an io.tessera.plugin event (or with an empty one) counts
 *                       as enabled with config {}; `"enabled": false` still turns it off
 *
 * Order of the checks: installed, not disabled by the user, running, enabled in the room,
 * config valid against the plugin's configSchema.
 */
RoomPluginDecision decideRoomPlugin(std::string_view pluginId, const PluginRecord *plugin,
                                    const std::set<std::string, std::less<>> &disabledByUser,
                                    const std::vector<nlohmann::json> &roomState, const nlohmann::json &powerLevels,
                                    std::string_view currentUserId, bool enabledByDefault = false);

/** The same, taking the plugin and the disable list from @p manager. */
RoomPluginDecision decideRoomPlugin(std::string_view pluginId, const PluginManager &manager,
                                    const std::vector<nlohmann::json> &roomState, const nlohmann::json &powerLevels,
                                    std::string_view currentUserId);

/**
 * For a widget of @p widgetType: the decision for the plugin that provides it, or nullopt if no
 * plugin provides the type (an ordinary widget). A type registered as enabled by default is
 * enabled wherever the room did not turn its plugin off.
 */
std::optional<RoomPluginDecision> decideWidgetType(std::string_view widgetType, const PluginManager &manager,
                                                   const std::vector<nlohmann::json> &roomState,
                                                   const nlohmann::json &powerLevels, std::string_view currentUserId);

/**
 * Why the one who added a widget (an agent, usually) could not enable its plugin here, when the
 * plugin is not enabled: "Triage bot added this widget but may not enable Agent panel in this
 * room: that needs power level 50, and their level is 0." Empty when @p addedBy may send
 * io.tessera.plugin (then something else kept the plugin off). The server refuses such an agent's
 * io.tessera.plugin event; this is what the person sees of that refusal, on the widget's tile.
 */
std::string whyAdderCannotEnable(const nlohmann::json &powerLevels, std::string_view addedBy,
                                 std::string_view addedByName, std::string_view pluginName);

/** The levels behind whyAdderCannotEnable(), for a sentence in the user's language. */
struct AdderLimit {
    std::int64_t requiredPowerLevel = 0; ///< what sending io.tessera.plugin needs
    std::int64_t level = 0;              ///< what @p addedBy has
};
/** nullopt when whyAdderCannotEnable() would be empty. */
std::optional<AdderLimit> adderCannotEnable(const nlohmann::json &powerLevels, std::string_view addedBy);

/**
 * The content of an io.tessera.plugin event that sets @p enabled with @p config, after checking
 * the config against the plugin's configSchema (BadRequest listing the violations otherwise).
 */
Result<nlohmann::json> makePluginStateContent(const PluginRecord &plugin, bool enabled,
                                              const nlohmann::json &config = nlohmann::json::object());

} // namespace tessera::plugins
