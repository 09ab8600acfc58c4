// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "util/result.h"
#include "widgets/urlpolicy.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace tessera::widgets {

/**
 * @brief The widget catalog: the kinds of widget a person can add to a room with "+" or
 * `/widget`, the fields each needs, how each field is checked, and the `m.widget` state event
 * that results.
 *
 * Four sources: the built-in kinds (a custom web page, a Jitsi Meet conference, an Element Call
 * call), the widget types of the running plugins (with the fields their manifest declares in
 * `provides.widgetFields`), and the widgets agents in the room offer in `io.tessera.agent.offer`
 * state events (a plugin type with its data already filled in). The UI shows the fields and
 * the problems this code finds; it decides nothing itself.
 */

/** How a field's text is checked. */
enum class FieldKind {
    Text,       ///< one line, no control characters
    Url,        ///< a widget address: checkWidgetUrl under the user's URL policy
    Domain,     ///< a host name: dot-separated labels of a-z, 0-9 and '-', lower-cased
    Identifier, ///< letters, digits, '-', '_' and '.'
};

[[nodiscard]] std::string_view toString(FieldKind kind) noexcept;
[[nodiscard]] std::optional<FieldKind> fieldKindFromString(std::string_view name) noexcept;

/** One field a kind of widget needs. */
struct CatalogField {
    std::string key;   ///< where the value goes: "url", "name", or a key of the widget's `data`
    std::string label; ///< English label (plugins: from the manifest or its translation)
    FieldKind kind = FieldKind::Text;
    bool required = true;
    std::size_t maxLength = 255; ///< bytes
    std::string defaultValue;    ///< prefilled; may be derived from the room
};

/** Field keys of the built-in kinds (the UI gives them their words). */
inline constexpr std::string_view kFieldUrl = "url";
inline constexpr std::string_view kFieldName = "name";
inline constexpr std::string_view kFieldDomain = "domain";
inline constexpr std::string_view kFieldConference = "conferenceId";

/** Limits, named and tested. */
inline constexpr std::size_t kMaxWidgetNameBytes = 255;
inline constexpr std::size_t kMaxDomainBytes = 253;
inline constexpr std::size_t kMaxConferenceIdBytes = 128;
inline constexpr std::size_t kMaxFieldsPerType = 16;
inline constexpr std::size_t kMaxFieldValueBytes = 2048;
inline constexpr std::size_t kMaxOffersPerAgent = 8;
inline constexpr std::size_t kMaxOffersPerRoom = 64;
inline constexpr std::size_t kMaxOfferDescriptionBytes = 500;
inline constexpr std::size_t kMaxFieldKeyBytes = 64;
/** A field's label, also in a plugin's translation table. */
inline constexpr std::size_t kMaxFieldLabelBytes = 80;
/** One label of a domain name (RFC 1035). */
inline constexpr std::size_t kMaxDnsLabelBytes = 63;

/** The Jitsi Meet domain offered until the user types another. */
inline constexpr std::string_view kDefaultJitsiDomain = "meet.jit.si";

/** The state event in which an agent offers widgets (state key: the agent's user id). */
inline constexpr std::string_view kAgentOfferEventType = "io.tessera.agent.offer";

enum class CatalogKind { Custom, Jitsi, Call, Plugin, AgentOffer };
[[nodiscard]] std::string_view toString(CatalogKind kind) noexcept;

/** One thing "+" offers. */
struct CatalogEntry {
    std::string id; ///< "custom", "jitsi", "call", "plugin:<type>", "offer:<agent>:<n>"
    CatalogKind kind = CatalogKind::Custom;
    std::string widgetType; ///< the `type` of the resulting m.widget
    std::string name;       ///< plugin/offer display name; built-ins leave it to the UI
    std::string description;
    std::string pluginId;  ///< Plugin and AgentOffer
    std::string offeredBy; ///< AgentOffer: the agent's user id
    std::string widgetUrl; ///< Plugin and AgentOffer: the URL published for the type
    std::vector<CatalogField> fields;
    nlohmann::json presetData = nlohmann::json::object(); ///< AgentOffer: the agent's data
};

/** A plugin's widget type as the catalog needs it. */
struct CatalogPluginType {
    std::string pluginId;
    std::string type;
    std::string name;
    std::string description;
    std::string widgetUrl; ///< publishedWidgetUrl of the type
    std::vector<CatalogField> fields;
};

/** Where the widget is being added. */
struct CatalogRoom {
    std::string roomId;
    std::string userId;
    UrlPolicyOptions policy;
    std::string jitsiDomain; ///< the user's Jitsi Meet server; empty: kDefaultJitsiDomain
};

/** The built-in kinds, with defaults derived from @p room (Jitsi's conference id). */
[[nodiscard]] std::vector<CatalogEntry> builtInEntries(const CatalogRoom &room);

/** An entry for a plugin's widget type: its fields, then an optional name. */
[[nodiscard]] CatalogEntry pluginEntry(const CatalogPluginType &type);

/**
 * The Jitsi conference a room meets in by default: the same for every member, derived from the
 * room id alone ("tessera" and the lower-case base32 of the room id's SHA-256, 32 characters),
 * so it neither shows the room id to the Jitsi server nor changes between clients.
 */
[[nodiscard]] std::string defaultJitsiConference(std::string_view roomId);

/** Why one field was refused. */
struct FieldProblem {
    enum class Kind {
        Missing,       ///< required and empty
        TooLong,       ///< longer than the field's maxLength (detail: the limit)
        ControlChars,  ///< a control character or a line break
        BadUrl,        ///< refused by the URL policy (detail: checkWidgetUrl's message)
        BadDomain,     ///< not a host name
        BadIdentifier, ///< characters outside letters, digits, '-', '_', '.'
        Unknown,       ///< a value for a field the entry does not have
    };
    std::string field;
    Kind kind = Kind::Missing;
    std::string detail;
};

[[nodiscard]] std::string_view toString(FieldProblem::Kind kind) noexcept;

/** The state event to send, or the fields' problems (every one, in field order). */
struct CatalogResult {
    std::optional<nlohmann::json> content; ///< the m.widget content (state key = its "id")
    std::vector<FieldProblem> problems;
    [[nodiscard]] bool ok() const { return content.has_value(); }
};

/**
 * Checks @p values (field key → text as typed; missing keys take the field's default) against
 * @p entry and builds the m.widget content: type, url, name, data, creatorUserId and id
 * (= @p widgetId). Text is trimmed; an empty optional field is left out of `data`.
 */
[[nodiscard]] CatalogResult buildWidget(const CatalogEntry &entry, const std::map<std::string, std::string> &values,
                                        const CatalogRoom &room, const std::string &widgetId);

/** Checks one value against a field (trimmed); the normalised value, or the problem. */
[[nodiscard]] std::variant<std::string, FieldProblem> checkField(const CatalogField &field, std::string_view value,
                                                                 const UrlPolicyOptions &policy);

/**
 * Reads `provides.widgetFields[<type>]` of a plugin manifest: an array of
 * {"key", "label", "kind", "required" (default true), "maxLength" (default 255, at most
 * kMaxFieldValueBytes)}. Keys are 1-64 of [A-Za-z0-9_.-] and may not be "url" or "name"
 * (reserved for the event itself); at most kMaxFieldsPerType. Errors (BadRequest) name the rule.
 */
Result<std::vector<CatalogField>> parseFieldDeclarations(const nlohmann::json &value, const std::string &where);

/**
 * The entries offered by agents in one room, from its `io.tessera.agent.offer` state events:
 * {"widgets": [{"type", "name", "description"?, "data"}]}. An offer counts only when its state
 * key is its sender (an agent speaks for itself), the sender is in @p joined, its type is a
 * running plugin's (@p types), and its data passes that type's fields; others are skipped (a
 * room's state cannot break the dialog). At most kMaxOffersPerAgent per agent and
 * kMaxOffersPerRoom in all. @p names gives agents' display names (user id when absent).
 */
[[nodiscard]] std::vector<CatalogEntry> agentOffers(const std::vector<nlohmann::json> &offerEvents,
                                                    const std::vector<CatalogPluginType> &types,
                                                    const std::vector<std::string> &joined,
                                                    const UrlPolicyOptions &policy);

/** What `/widget …` asks for: an entry and the values typed for its fields. */
struct WidgetCommand {
    std::string entryId;
    std::map<std::string, std::string> values;
};

/** Why `/widget …` could not be read. */
struct WidgetCommandError {
    enum class Kind {
        Usage,       ///< nothing after /widget (or "help")
        UnknownType, ///< detail: the word typed
        Ambiguous,   ///< detail: the word typed (two plugin types end in it)
    };
    Kind kind = Kind::Usage;
    std::string detail;
};

/**
 * Reads the words after `/widget`:
 *   - `https://… [name words]`: a custom widget (the existing form);
 *   - `<kind> [value …] [key=value …]`: kind is custom, jitsi, call, a plugin's widget type or
 *     its last dot-separated part ("kanban" for io.tessera.kanban); bare values fill the kind's
 *     fields in order (the name last), `key=value` sets a field by key; words left over after
 *     every field but the name is filled make up the name.
 * @p entries: what the catalog offers here (builtInEntries + pluginEntry of each type).
 */
[[nodiscard]] std::variant<WidgetCommand, WidgetCommandError> parseWidgetCommand(std::string_view args,
                                                                                 const std::vector<CatalogEntry> &entries);

/** The word that picks @p entry in `/widget` ("jitsi", "kanban"), empty for agent offers. */
[[nodiscard]] std::string commandWord(const CatalogEntry &entry);

} // namespace tessera::widgets
