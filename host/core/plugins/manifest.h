// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once


#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "plugins/abiversion.h"
#include "plugins/jsonschema.h"
#include "util/result.h"
#include "widgets/catalog.h"

namespace tessera::plugins {

/** A capability handler as plugin.json declares it (provides.capabilityHandlers[]). */
struct CapabilityHandlerDeclaration {
    std::string capability;
    std::vector<std::string> actions;
};

/**
 * @brief A plugin's plugin.json, read and validated before its library is opened.
 *
 * plugin-api/ABI.md documents the format. Every field is checked here, so a plugin whose
 * manifest is wrong never runs any code.
 */
struct PluginManifest {
    std::string id;          ///< reverse-DNS, lower case: "io.example.board"
    std::string name;        ///< shown to the user
    std::string version;     ///< the plugin's own version, "1.2.0"
    AbiVersion abi;          ///< the ABI the library was built against ("1.0")
    std::string library;     ///< file name without prefix or suffix
    std::string license;     ///< SPDX expression
    std::string homepage;    ///< https URL, optional
    std::string description; ///< optional
    std::string assets;      ///< directory next to plugin.json with served files, optional
    std::vector<std::string> widgetTypes;
    /** What each widget type needs in its `data` (provides.widgetFields), shown by "+" and `/widget`. */
    std::map<std::string, std::vector<widgets::CatalogField>, std::less<>> widgetFields;
    std::vector<CapabilityHandlerDeclaration> capabilityHandlers;
    /** Matrix capabilities the plugin's widget types may request (besides its own handlers'). */
    std::vector<std::string> capabilities;
    /** Schema of the per-room config (`io.tessera.plugin` content.config), optional. */
    std::optional<JsonSchema> configSchema;
};

/** Manifests larger than this are refused unread. */
inline constexpr std::size_t kMaxManifestBytes = 256 * 1024;
/** Counts a plugin may declare (and register). */
inline constexpr std::size_t kMaxWidgetTypesPerPlugin = 32;
inline constexpr std::size_t kMaxHandlersPerPlugin = 32;
inline constexpr std::size_t kMaxActionsPerHandler = 64;
inline constexpr std::size_t kMaxDeclaredCapabilities = 64;

/**
 * Parses and validates manifest text. The ABI is checked first, so a manifest from a newer SDK
 * is reported as such rather than as having unknown fields. Errors: BadRequest with the field
 * and the rule ("field \"id\" must be ..."), Unsupported for an incompatible ABI (the message of
 * checkAbiCompatible).
 */
Result<PluginManifest> parseManifest(std::string_view text);

/** Reads @p file (at most kMaxManifestBytes) and parses it; Io errors name the file. */
Result<PluginManifest> readManifest(const std::filesystem::path &file);

/**
 * The id a manifest that failed to parse claims, if it has a valid one, so the user sees which
 * plugin a refused manifest belongs to ("plugin ABI 2.0 is incompatible …" for org.example.x).
 */
std::optional<std::string> manifestIdHint(const std::filesystem::path &file);

/** Reverse-DNS, lower case: two or more dot-separated labels of [a-z0-9][a-z0-9_-]*, 3-128 bytes. */
bool isValidPluginId(std::string_view id) noexcept;

/** A widget type: 1-255 bytes of printable ASCII without spaces. */
bool isValidWidgetType(std::string_view type) noexcept;

/**
 * True if @p name belongs to plugin @p pluginId: it equals the id or starts with the id and a
 * dot, and the rest is printable ASCII without spaces. Capabilities and actions must.
 */
bool isInPluginNamespace(std::string_view pluginId, std::string_view name) noexcept;

} // namespace tessera::plugins
