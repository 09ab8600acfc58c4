// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"

namespace tessera::plugins {

/**
 * @brief A plugin's strings in one language: `translations/<lang>.json` next to its plugin.json
 * (plugin-api/ABI.md, "Translations"). Every field is optional; what is missing stays as the
 * plugin registered it.
 *
 *   {"name": "Tablero kanban", "description": "…",
 *    "widgetTypes": {"io.tessera.kanban": {"name": "Tablero kanban", "description": "…",
 *                                          "fields": {"board": "Tablero"}}},
 *    "capabilities": {"org.matrix.msc2762.send.state_event:io.tessera.kanban.board": "…"}}
 */
struct PluginTranslation {
    std::string name;
    std::string description;
    struct WidgetType {
        std::string name;
        std::string description;
        /** Labels of the type's widget fields (provides.widgetFields), by key. */
        std::map<std::string, std::string, std::less<>> fields;
    };
    std::map<std::string, WidgetType, std::less<>> widgetTypes;
    /** The reason shown for a capability (its consent text), by capability. */
    std::map<std::string, std::string, std::less<>> capabilities;
};

/** A translation file larger than this is refused unread. */
inline constexpr std::size_t kMaxTranslationBytes = 64 * 1024;

/** The language of a translation file's name: a lower-case ISO 639 code ("es"), 2 or 3 letters. */
[[nodiscard]] bool isTranslationLanguage(std::string_view lang);

/**
 * Parses a translation. Unknown fields, wrong types and over-long strings (the limits of the
 * strings they replace, registration.h) are errors naming the field.
 */
Result<PluginTranslation> parseTranslation(std::string_view text);

/**
 * Reads <pluginDirectory>/translations/<lang>.json: nullopt when there is none, an error when it
 * cannot be read or parsed.
 */
Result<std::optional<PluginTranslation>> readTranslation(const std::filesystem::path &pluginDirectory,
                                                         std::string_view lang);

} // namespace tessera::plugins
