// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <tessera/plugin_abi.h>

#include "util/result.h"
#include "widgets/catalog.h"

namespace tessera::plugins {

/** A capability a widget type needs, with the reason the consent dialog shows. */
struct NeededCapability {
    std::string capability;
    std::string reason;
};

/** Where a widget type's page comes from. */
enum class WidgetSource {
    Invalid = 0,
    UrlTemplate, ///< templated by the shell (widgets::runTemplate) from the widget's data
    Builder,     ///< built by the plugin (PluginManager::buildWidgetUrl)
    Assets,      ///< served from the plugin's assets directory (PluginManager::resolveAsset)
};

/** @brief A registered widget type: the host's own copy of a tessera_widget_type_info. */
struct WidgetTypeInfo {
    std::string pluginId;
    std::string type;
    std::string displayName; ///< in the user's language when the plugin has a translation
    std::string registeredName; ///< display_name as the plugin registered it, untranslated
    std::string description; ///< empty for plugins built against ABI 1.0
    std::string icon;        ///< path in the plugin's assets directory, or empty
    WidgetSource source = WidgetSource::Invalid;
    std::string urlTemplate; ///< when source is UrlTemplate
    std::string assetEntry;  ///< when source is Assets
    std::vector<NeededCapability> capabilities;
    /** What its widget's `data` needs (plugin.json provides.widgetFields), labels translated. */
    std::vector<widgets::CatalogField> fields;
    /**
     * TESSERA_WIDGET_TYPE_ENABLED_BY_DEFAULT (ABI 1.3): its widgets show in every room that did
     * not turn the plugin off, with config {} where no io.tessera.plugin event enabled it.
     */
    bool enabledByDefault = false;
};

/** @brief A registered capability handler: the host's copy of its strings. */
struct CapabilityHandlerInfo {
    std::string pluginId;
    std::string capability;
    std::string description;
    std::vector<std::string> actions;
};

/** The plugin-side callbacks of a widget type, kept next to the copy. */
struct WidgetTypeCallbacks {
    tessera_status (*buildUrl)(void *, const char *, char *, size_t) = nullptr;
    void *typeData = nullptr;
    void (*freeTypeData)(void *) = nullptr;
};

struct HandlerCallbacks {
    tessera_status (*handle)(void *, const tessera_call_info *) = nullptr;
    void (*sessionClosed)(void *, uint64_t) = nullptr;
    void *handlerData = nullptr;
    void (*freeHandlerData)(void *) = nullptr;
};

struct RegisteredWidgetType {
    WidgetTypeInfo info; ///< in the user's language
    WidgetTypeInfo registered; ///< as registered and declared, before any translation
    WidgetTypeCallbacks callbacks;
};

struct RegisteredHandler {
    CapabilityHandlerInfo info;
    std::string registeredDescription; ///< before any translation
    HandlerCallbacks callbacks;
};

/** Limits of what a registration may carry (plugin-api/ABI.md lists them). */
inline constexpr std::size_t kMaxDisplayNameBytes = 128;
inline constexpr std::size_t kMaxTypeDescriptionBytes = 1024;
inline constexpr std::size_t kMaxAssetPathBytes = 255;
inline constexpr std::size_t kMaxUrlTemplateBytes = 8192;
inline constexpr std::size_t kMaxNeededCapabilities = 64;
inline constexpr std::size_t kMaxReasonBytes = 512;
inline constexpr std::size_t kMaxHandlerDescriptionBytes = 512;

/**
 * Copies a widget type registration of @p size bytes (the plugin's sizeof). A size larger than
 * the host's struct is refused naming both sizes; a smaller one is zero-filled; required fields
 * are checked by offset. Errors (BadRequest) read like
 * "widget type \"io.example.board\": required field display_name is missing".
 * The plugin namespace and manifest are checked by the manager, not here.
 */
Result<RegisteredWidgetType> copyWidgetTypeInfo(const tessera_widget_type_info *info, std::size_t size);

/** The same for a capability handler registration. */
Result<RegisteredHandler> copyHandlerInfo(const tessera_capability_handler_info *info, std::size_t size);

/** True if @p path is a relative path inside an assets directory: no "..", no absolute, no "\\". */
bool isSafeAssetPath(std::string_view path) noexcept;

/** Longest address accepted for the page other clients get for a plugin widget. */
inline constexpr std::size_t kMaxPluginWidgetPageBytes = 1024;

/**
 * The page that tells another Matrix client's user that a plugin widget needs Tessera
 * (host/web/needs-tessera/, deployed by whoever ships Tessera): @p url, as the build or an
 * administrator's configuration names it, checked. Accepted: an absolute https URL (http only on a
 * loopback host, for tests and a page served on the same computer), without user information or
 * fragment, at most kMaxPluginWidgetPageBytes long; a query is kept. Errors say what is wrong.
 */
Result<std::string> pluginWidgetPage(std::string_view url);

/** The page the build names (CMake's TESSERA_PLUGIN_WIDGET_PAGE_URL), used unless configured otherwise. */
std::string_view defaultPluginWidgetPage() noexcept;

/**
 * The `url` a new widget of @p type is published with in its m.widget event. Tessera itself
 * builds a plugin widget's page from its type, so this URL is for other Matrix clients: a type
 * whose page is an https: URL template (the plugin's own deployment) is published with that
 * template, which other clients fill in like any widget URL. A page served from the plugin's
 * assets or built by the plugin has no public address: it is published as @p page (a
 * pluginWidgetPage()) with the plugin, the type and its display name in the query, and the
 * client's language and theme as the URL template variables other clients fill in
 * (`lang=$org.matrix.msc2873.client_language&theme=$org.matrix.msc2873.client_theme`).
 */
std::string publishedWidgetUrl(const WidgetTypeInfo &type, std::string_view page);

} // namespace tessera::plugins
