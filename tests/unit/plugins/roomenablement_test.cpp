// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "plugins/pluginmanager.h"
#include "plugins/roomenablement.h"

using nlohmann::json;
using tessera::plugins::decideRoomPlugin;
using tessera::plugins::enablementRights;
using tessera::plugins::makePluginStateContent;
using tessera::plugins::PluginRecord;
using tessera::plugins::PluginState;
using tessera::plugins::RoomPluginStatus;

namespace {

const std::string kPlugin = "org.example.board";

/** The record of a running plugin whose manifest declares a config schema. */
PluginRecord runningBoard()
{
    auto manifest = tessera::plugins::parseManifest(R"({
        "id": "org.example.board", "name": "Board", "version": "1.0.0", "abi": "1.0", "library": "board",
        "license": "MIT", "provides": {"widgetTypes": ["org.example.board"]},
        "configSchema": {
            "type": "object", "required": ["greeting"], "additionalProperties": false,
            "properties": {
                "greeting": {"type": "string", "minLength": 1, "maxLength": 40},
                "columns": {"type": "integer", "minimum": 1, "maximum": 12},
                "theme": {"enum": ["light", "dark"]}
            }
        }
    })");
    EXPECT_TRUE(manifest) << manifest.error().message;
    PluginRecord record;
    record.id = kPlugin;
    record.state = PluginState::Running;
    record.manifest = std::move(*manifest);
    return record;
}

/** An io.tessera.plugin state event as a homeserver returns it from /state or /sync. */
json pluginEvent(const std::string &stateKey, json content, const std::string &sender = "@alice:example.org",
                 const std::string &eventId = "$e1")
{
    return json{{"type", "io.tessera.plugin"},
                {"state_key", stateKey},
                {"sender", sender},
                {"content", std::move(content)},
                {"event_id", eventId},
                {"origin_server_ts", 1700000000000},
                {"room_id", "!board:example.org"},
                {"unsigned", {{"age", 1234}}}};
}

/** The m.room.power_levels content of a typical room: Alice admin, Bob moderator. */
json powerLevels()
{
    return json::parse(R"({
        "users": {"@alice:example.org": 100, "@bob:example.org": 50, "@carol:example.org": 0},
        "users_default": 0, "events_default": 0, "state_default": 50,
        "events": {"m.room.name": 50, "m.room.power_levels": 100},
        "ban": 50, "kick": 50, "redact": 50, "invite": 0
    })");
}

const std::set<std::string, std::less<>> kNoneDisabled;

} // namespace

TEST(RoomPluginEnablement, EnabledWithAValidConfig)
{
    const PluginRecord board = runningBoard();
    const std::vector<json> state{
        json{{"type", "m.room.name"}, {"state_key", ""}, {"sender", "@alice:example.org"}, {"content", {{"name", "Ops"}}}},
        pluginEvent(kPlugin, {{"enabled", true}, {"config", {{"greeting", "Hello"}, {"columns", 4}, {"theme", "dark"}}}}),
    };
    const auto d = decideRoomPlugin(kPlugin, &board, kNoneDisabled, state, powerLevels(), "@carol:example.org");
    EXPECT_EQ(d.status, RoomPluginStatus::Enabled);
    EXPECT_TRUE(d.enabled());
    EXPECT_EQ(d.config, (json{{"greeting", "Hello"}, {"columns", 4}, {"theme", "dark"}}));
    EXPECT_EQ(d.setBy, "@alice:example.org");
    EXPECT_EQ(d.message, "Board is enabled in this room.");
}

TEST(RoomPluginEnablement, NotEnabledWithoutAnEventAndSaysWhoCanEnableIt)
{
    const PluginRecord board = runningBoard();
    const std::vector<json> state{pluginEvent("org.example.other", {{"enabled", true}})};
    const auto d = decideRoomPlugin(kPlugin, &board, kNoneDisabled, state, powerLevels(), "@carol:example.org");
    EXPECT_EQ(d.status, RoomPluginStatus::NotEnabledHere);
    EXPECT_EQ(d.message, "Board is not enabled in this room. Room members with power level 50 or more can enable it: "
                         "@alice:example.org, @bob:example.org.");
    EXPECT_EQ(d.rights.requiredPowerLevel, 50);
    EXPECT_EQ(d.rights.users, (std::vector<std::string>{"@alice:example.org", "@bob:example.org"}));
    EXPECT_FALSE(d.rights.currentUserCan);
    EXPECT_EQ(d.setBy, "");
}

TEST(RoomPluginEnablement, TellsAPrivilegedUserTheyCanEnableItThemselves)
{
    const PluginRecord board = runningBoard();
    const auto d = decideRoomPlugin(kPlugin, &board, kNoneDisabled, {}, powerLevels(), "@bob:example.org");
    EXPECT_EQ(d.status, RoomPluginStatus::NotEnabledHere);
    EXPECT_EQ(d.message, "Board is not enabled in this room. You can enable it.");
}

TEST(RoomPluginEnablement, EmptyContentMeansTheEventWasRemoved)
{
    const PluginRecord board = runningBoard();
    const auto d = decideRoomPlugin(kPlugin, &board, kNoneDisabled, {pluginEvent(kPlugin, json::object())},
                                    powerLevels(), "@carol:example.org");
    EXPECT_EQ(d.status, RoomPluginStatus::NotEnabledHere);
}

TEST(RoomPluginEnablement, DisabledHereNamesWhoTurnedItOff)
{
    const PluginRecord board = runningBoard();
    const auto d = decideRoomPlugin(kPlugin, &board, kNoneDisabled,
                                    {pluginEvent(kPlugin, {{"enabled", false}}, "@bob:example.org")}, powerLevels(),
                                    "@carol:example.org");
    EXPECT_EQ(d.status, RoomPluginStatus::DisabledHere);
    EXPECT_EQ(d.message, "Board was turned off in this room by @bob:example.org. Room members with power level 50 or "
                         "more can enable it: @alice:example.org, @bob:example.org.");
}

TEST(RoomPluginEnablement, TheLastEventForThePluginWins)
{
    const PluginRecord board = runningBoard();
    const std::vector<json> state{
        pluginEvent(kPlugin, {{"enabled", false}}, "@bob:example.org", "$old"),
        pluginEvent(kPlugin, {{"enabled", true}, {"config", {{"greeting", "Back"}}}}, "@alice:example.org", "$new"),
    };
    const auto d = decideRoomPlugin(kPlugin, &board, kNoneDisabled, state, powerLevels(), "@carol:example.org");
    EXPECT_EQ(d.status, RoomPluginStatus::Enabled);
    EXPECT_EQ(d.config["greeting"], "Back");
}

TEST(RoomPluginEnablement, InvalidConfigIsAVisibleErrorListingEveryViolation)
{
    const PluginRecord board = runningBoard();
    const auto d = decideRoomPlugin(
        kPlugin, &board, kNoneDisabled,
        {pluginEvent(kPlugin, {{"enabled", true}, {"config", {{"columns", 40}, {"theme", "blue"}, {"font", "x"}}}})},
        powerLevels(), "@carol:example.org");
    EXPECT_EQ(d.status, RoomPluginStatus::InvalidConfig);
    EXPECT_FALSE(d.enabled());
    EXPECT_EQ(d.message, "The settings of Board in this room are invalid: value: is missing the required property "
                         "\"greeting\"; /columns: must be at most 12; value: has a property that is not allowed: "
                         "\"font\"; /theme: must be one of \"light\", \"dark\".");
    EXPECT_EQ(d.configErrors.size(), 4u);
}

TEST(RoomPluginEnablement, AMissingConfigIsCheckedAsAnEmptyObject)
{
    const PluginRecord board = runningBoard();
    const auto d = decideRoomPlugin(kPlugin, &board, kNoneDisabled, {pluginEvent(kPlugin, {{"enabled", true}})},
                                    powerLevels(), "@carol:example.org");
    EXPECT_EQ(d.status, RoomPluginStatus::InvalidConfig);
    EXPECT_EQ(d.message,
              "The settings of Board in this room are invalid: value: is missing the required property \"greeting\".");
}

TEST(RoomPluginEnablement, AMalformedEventIsReportedNotGuessed)
{
    const PluginRecord board = runningBoard();
    auto d = decideRoomPlugin(kPlugin, &board, kNoneDisabled, {pluginEvent(kPlugin, {{"enabled", "yes"}})},
                              powerLevels(), "@carol:example.org");
    EXPECT_EQ(d.status, RoomPluginStatus::InvalidConfig);
    EXPECT_EQ(d.message, "The io.tessera.plugin event for Board in this room is invalid: \"enabled\" must be true or false.");
    d = decideRoomPlugin(kPlugin, &board, kNoneDisabled,
                         {pluginEvent(kPlugin, {{"enabled", true}, {"config", "greeting=hi"}})}, powerLevels(),
                         "@carol:example.org");
    EXPECT_EQ(d.status, RoomPluginStatus::InvalidConfig);
    EXPECT_EQ(d.message, "The io.tessera.plugin event for Board in this room is invalid: \"config\" must be an object.");
}

TEST(RoomPluginEnablement, TheUsersGlobalSwitchComesFirst)
{
    PluginRecord board = runningBoard();
    board.state = PluginState::Skipped;
    board.error = "disabled by the user";
    const std::set<std::string, std::less<>> disabled{kPlugin};
    const auto d = decideRoomPlugin(kPlugin, &board, disabled,
                                    {pluginEvent(kPlugin, {{"enabled", true}, {"config", {{"greeting", "Hi"}}}})},
                                    powerLevels(), "@carol:example.org");
    EXPECT_EQ(d.status, RoomPluginStatus::DisabledByUser);
    EXPECT_EQ(d.message, "You turned Board off for all rooms.");
}

TEST(RoomPluginEnablement, APluginThatIsNotRunningIsUnavailableWithItsError)
{
    PluginRecord board = runningBoard();
    board.state = PluginState::Disabled;
    board.error = "disabled for this session: handler for org.example.board.move did not answer within 10000 ms";
    const auto d = decideRoomPlugin(kPlugin, &board, kNoneDisabled,
                                    {pluginEvent(kPlugin, {{"enabled", true}, {"config", {{"greeting", "Hi"}}}})},
                                    powerLevels(), "@carol:example.org");
    EXPECT_EQ(d.status, RoomPluginStatus::Unavailable);
    EXPECT_EQ(d.message, "Board is not available: " + board.error);

    const auto missing = decideRoomPlugin("org.example.gone", nullptr, kNoneDisabled, {}, powerLevels(), "@carol:example.org");
    EXPECT_EQ(missing.status, RoomPluginStatus::Unavailable);
    EXPECT_EQ(missing.message, "The plugin org.example.gone is not installed.");
}

TEST(RoomPluginEnablement, APluginWithoutASchemaAcceptsAnyObjectConfig)
{
    PluginRecord plain;
    plain.id = "org.example.plain";
    plain.state = PluginState::Running;
    const auto d = decideRoomPlugin("org.example.plain", &plain, kNoneDisabled,
                                    {pluginEvent("org.example.plain", json{{"enabled", true}, {"config", json{{"x", json::array()}}}})},
                                    json(), "@carol:example.org");
    EXPECT_EQ(d.status, RoomPluginStatus::Enabled);
    EXPECT_EQ(d.message, "org.example.plain is enabled in this room.");
}

TEST(RoomPluginEnablement, ATypeEnabledByDefaultShowsWhereTheRoomDidNotTurnItOff)
{
    PluginRecord plain;
    plain.id = "org.example.plain";
    plain.state = PluginState::Running;
    // No event at all, or an empty one: enabled, with config {}.
    for (const std::vector<json> &state :
         {std::vector<json>{}, std::vector<json>{pluginEvent("org.example.plain", json::object())}}) {
        const auto d = decideRoomPlugin("org.example.plain", &plain, kNoneDisabled, state, powerLevels(),
                                        "@carol:example.org", true);
        EXPECT_EQ(d.status, RoomPluginStatus::Enabled);
        EXPECT_EQ(d.config, json::object());
    }
    // Without the flag the same room says "not enabled here".
    EXPECT_EQ(decideRoomPlugin("org.example.plain", &plain, kNoneDisabled, {}, powerLevels(), "@carol:example.org").status,
              RoomPluginStatus::NotEnabledHere);
    // A room's own config is used, a room that turned it off keeps it off, and the user's switch wins.
    const auto configured = decideRoomPlugin(
        "org.example.plain", &plain, kNoneDisabled,
        {pluginEvent("org.example.plain", {{"enabled", true}, {"config", {{"domain", "meet.example.org"}}}})},
        powerLevels(), "@carol:example.org", true);
    EXPECT_EQ(configured.config, (json{{"domain", "meet.example.org"}}));
    EXPECT_EQ(decideRoomPlugin("org.example.plain", &plain, kNoneDisabled,
                               {pluginEvent("org.example.plain", {{"enabled", false}})}, powerLevels(),
                               "@carol:example.org", true)
                  .status,
              RoomPluginStatus::DisabledHere);
    const std::set<std::string, std::less<>> off{"org.example.plain"};
    EXPECT_EQ(decideRoomPlugin("org.example.plain", &plain, off, {}, powerLevels(), "@carol:example.org", true).status,
              RoomPluginStatus::DisabledByUser);
    // The empty config still has to pass the schema: a plugin that needs settings cannot skip them.
    const PluginRecord board = runningBoard();
    const auto needsGreeting = decideRoomPlugin(kPlugin, &board, kNoneDisabled, {}, powerLevels(), "@carol:example.org", true);
    EXPECT_EQ(needsGreeting.status, RoomPluginStatus::InvalidConfig);
}

TEST(EnablementRights, AnExplicitEventLevelOverridesStateDefault)
{
    json pl = powerLevels();
    pl["events"]["io.tessera.plugin"] = 100;
    const auto rights = enablementRights(pl, "@bob:example.org");
    EXPECT_EQ(rights.requiredPowerLevel, 100);
    EXPECT_EQ(rights.users, std::vector<std::string>{"@alice:example.org"});
    EXPECT_FALSE(rights.currentUserCan);
    EXPECT_EQ(rights.describe(), "Room members with power level 100 or more can enable it: @alice:example.org.");
}

TEST(EnablementRights, WithoutPowerLevelsEveryMemberMay)
{
    const auto rights = enablementRights(json(), "@carol:example.org");
    EXPECT_TRUE(rights.anyMember);
    EXPECT_TRUE(rights.currentUserCan);
    EXPECT_EQ(rights.describe(), "You can enable it.");
}

TEST(EnablementRights, AHighUsersDefaultLetsEveryMember)
{
    json pl = powerLevels();
    pl["users_default"] = 50;
    const auto rights = enablementRights(pl, "@dave:example.org");
    EXPECT_TRUE(rights.anyMember);
    EXPECT_TRUE(rights.currentUserCan) << "an unlisted user gets users_default";
    const auto carol = enablementRights(pl, "@carol:example.org");
    EXPECT_FALSE(carol.currentUserCan) << "a listed level beats users_default";
    EXPECT_EQ(carol.describe(), "Any member of the room can enable it.");
}

TEST(EnablementRights, ReadsStringLevelsOfOldRoomsAndSortsByPower)
{
    const json pl = json::parse(R"({"users": {"@zed:example.org": "75", "@amy:example.org": 60, "@bad:example.org": "x"},
                                     "state_default": "60"})");
    const auto rights = enablementRights(pl, "@zed:example.org");
    EXPECT_EQ(rights.requiredPowerLevel, 60);
    EXPECT_EQ(rights.users, (std::vector<std::string>{"@zed:example.org", "@amy:example.org"}));
    EXPECT_TRUE(rights.currentUserCan);
}

TEST(EnablementRights, SaysSoWhenNobodyCan)
{
    const json pl = json::parse(R"({"users": {"@amy:example.org": 10}, "events": {"io.tessera.plugin": 90}})");
    EXPECT_EQ(enablementRights(pl, "@amy:example.org").describe(),
              "Nobody in the room has the power level 90 or more needed to enable it.");
}

TEST(PluginStateContent, IsBuiltOnlyFromAValidConfig)
{
    const PluginRecord board = runningBoard();
    auto ok = makePluginStateContent(board, true, {{"greeting", "Hi"}, {"columns", 2}});
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_EQ(*ok, (json{{"enabled", true}, {"config", {{"greeting", "Hi"}, {"columns", 2}}}}));
    auto bad = makePluginStateContent(board, true, {{"greeting", ""}});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message, "the config of Board is invalid: /greeting: must be at least 1 character long");
    auto notObject = makePluginStateContent(board, false, json::array());
    ASSERT_FALSE(notObject);
    EXPECT_EQ(notObject.error().message, "the config of Board must be a JSON object");
}

TEST(RoomPluginEnablement, SaysWhyTheAgentThatAddedAWidgetCouldNotEnableItsPlugin)
{
    using tessera::plugins::whyAdderCannotEnable;
    const json levels{{"users", {{"@ana:x", 100}, {"@bot:x", 10}}}, {"users_default", 0}, {"state_default", 50},
                      {"events", {{"m.widget", 0}}}};
    EXPECT_EQ(whyAdderCannotEnable(levels, "@bot:x", "Triage bot", "Agent panel"),
              "Triage bot added this widget but may not enable Agent panel in this room: that needs power level 50, "
              "and their level is 10.");
    // Not listed: the users_default level; no name: the user id.
    EXPECT_EQ(whyAdderCannotEnable(levels, "@other:x", "", "Agent panel"),
              "@other:x added this widget but may not enable Agent panel in this room: that needs power level 50, "
              "and their level is 0.");
    // The room's own level for io.tessera.plugin counts, not state_default.
    json low = levels;
    low["events"]["io.tessera.plugin"] = 10;
    EXPECT_EQ(whyAdderCannotEnable(low, "@bot:x", "Triage bot", "Agent panel"), "");
    // One who may enable it has no such excuse, and neither does a room without power levels.
    EXPECT_EQ(whyAdderCannotEnable(levels, "@ana:x", "Ana", "Agent panel"), "");
    EXPECT_EQ(whyAdderCannotEnable(json(), "@bot:x", "Triage bot", "Agent panel"), "");

    // The same levels, for a sentence in the user's language.
    const auto limit = tessera::plugins::adderCannotEnable(levels, "@bot:x");
    ASSERT_TRUE(limit);
    EXPECT_EQ(limit->requiredPowerLevel, 50);
    EXPECT_EQ(limit->level, 10);
    EXPECT_FALSE(tessera::plugins::adderCannotEnable(low, "@bot:x"));
    EXPECT_FALSE(tessera::plugins::adderCannotEnable(levels, "@ana:x"));
}
