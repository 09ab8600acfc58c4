// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "plugins/registration.h"

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <set>

#include <nlohmann/json.hpp>

#include "bridge/capabilities.h"
#include "plugins/manifest.h"
#include "util/text.h"
#include "widgets/url.h"

// True if a struct of `size` bytes reaches to the end of `field` (libobs's HAS_VAL without the
// null check, which the callers do on the zero-filled copy).
#define TESSERA_FIELD_PRESENT(type, field, size) (offsetof(type, field) + sizeof(((type *)nullptr)->field) <= (size))

namespace tessera::plugins {

namespace {

using json = nlohmann::json;

/** The bytes the plugin's struct covers, zero-filled to the host's size. */
template<typename T>
Result<T> zeroFilledCopy(const T *info, std::size_t size, const char *structName)
{
    if (!info)
        return Error(ErrorCode::BadRequest, std::string(structName) + " is NULL");
    if (size > sizeof(T))
        return Error(ErrorCode::BadRequest, std::string(structName) + " of " + std::to_string(size)
                                                + " bytes is larger than the host's " + std::to_string(sizeof(T))
                                                + " bytes (was the plugin built against a newer ABI?)");
    T copy;
    std::memset(&copy, 0, sizeof copy);
    std::memcpy(&copy, info, size);
    return copy;
}

/** A string field: NULL or absent is "", otherwise UTF-8 and within @p maxBytes. */
Result<std::string> textField(const char *value, std::string_view what, std::size_t maxBytes)
{
    if (!value)
        return std::string();
    const std::size_t length = ::strnlen(value, maxBytes + 1);
    if (length > maxBytes)
        return Error(ErrorCode::BadRequest, std::string(what) + " is longer than " + std::to_string(maxBytes) + " bytes");
    std::string out(value, length);
    if (!text::isValidUtf8(out))
        return Error(ErrorCode::BadRequest, std::string(what) + " is not valid UTF-8");
    return out;
}

Result<std::vector<NeededCapability>> parseNeeded(const std::string &text)
{
    std::vector<NeededCapability> out;
    if (text.empty())
        return out;
    const json doc = json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_array())
        return Error(ErrorCode::BadRequest, "capabilities_json must be a JSON array");
    if (doc.size() > kMaxNeededCapabilities)
        return Error(ErrorCode::BadRequest,
                     "capabilities_json has more than " + std::to_string(kMaxNeededCapabilities) + " entries");
    std::set<std::string> seen;
    for (const json &item : doc) {
        if (!item.is_object())
            return Error(ErrorCode::BadRequest, "capabilities_json entries must be objects {\"capability\", \"reason\"}");
        NeededCapability need;
        for (const auto &[key, value] : item.items()) {
            if (!value.is_string())
                return Error(ErrorCode::BadRequest, "capabilities_json: \"" + key + "\" must be a string");
            if (key == "capability")
                need.capability = value.get<std::string>();
            else if (key == "reason")
                need.reason = value.get<std::string>();
            else
                return Error(ErrorCode::BadRequest, "capabilities_json: unknown field \"" + key + "\"");
        }
        if (need.capability.empty() || need.capability.size() > bridge::kMaxCapabilityLength)
            return Error(ErrorCode::BadRequest, "capabilities_json: every entry needs a capability of 1 to 1024 bytes");
        if (need.reason.empty())
            return Error(ErrorCode::BadRequest, "capabilities_json: capability \"" + need.capability + "\" needs a reason");
        if (need.reason.size() > kMaxReasonBytes)
            return Error(ErrorCode::BadRequest, "capabilities_json: the reason for \"" + need.capability
                                                    + "\" is longer than " + std::to_string(kMaxReasonBytes) + " bytes");
        if (!seen.insert(need.capability).second)
            return Error(ErrorCode::BadRequest, "capabilities_json lists \"" + need.capability + "\" twice");
        out.push_back(std::move(need));
    }
    return out;
}

} // namespace

bool isSafeAssetPath(std::string_view path) noexcept
{
    if (path.empty() || path.size() > kMaxAssetPathBytes || path.front() == '/')
        return false;
    std::size_t start = 0;
    while (start <= path.size()) {
        const std::size_t end = std::min(path.find('/', start), path.size());
        const std::string_view segment = path.substr(start, end - start);
        if (segment.empty() || segment == "." || segment == "..")
            return false;
        for (char c : segment)
            if (static_cast<unsigned char>(c) < 0x20 || c == '\\' || c == 0x7F)
                return false;
        start = end + 1;
    }
    return true;
}

Result<RegisteredWidgetType> copyWidgetTypeInfo(const tessera_widget_type_info *info, std::size_t size)
{
    auto copied = zeroFilledCopy(info, size, "tessera_widget_type_info");
    if (!copied)
        return std::move(copied).error();
    const tessera_widget_type_info &c = *copied;

    if (!TESSERA_FIELD_PRESENT(tessera_widget_type_info, type, size) || !c.type)
        return Error(ErrorCode::BadRequest, "widget type: required field type is missing");
    auto type = textField(c.type, "widget type", bridge::kMaxEventTypeLength);
    if (!type)
        return std::move(type).error();
    if (!isValidWidgetType(*type))
        return Error(ErrorCode::BadRequest,
                     "widget type \"" + *type + "\" must be 1 to 255 bytes of printable ASCII without spaces");
    const std::string prefix = "widget type \"" + *type + "\": ";
    auto fail = [&](const std::string &what) { return Error(ErrorCode::BadRequest, prefix + what); };

    if (!TESSERA_FIELD_PRESENT(tessera_widget_type_info, display_name, size) || !c.display_name)
        return fail("required field display_name is missing");

    RegisteredWidgetType out;
    out.info.type = *type;
    struct Text {
        const char *value;
        const char *name;
        std::size_t maxBytes;
        std::string *target;
    };
    const Text texts[] = {
        {c.display_name, "display_name", kMaxDisplayNameBytes, &out.info.displayName},
        {c.icon, "icon", kMaxAssetPathBytes, &out.info.icon},
        {c.url_template, "url_template", kMaxUrlTemplateBytes, &out.info.urlTemplate},
        {c.asset_entry, "asset_entry", kMaxAssetPathBytes, &out.info.assetEntry},
    };
    for (const Text &t : texts) {
        auto value = textField(t.value, t.name, t.maxBytes);
        if (!value)
            return fail(value.error().message);
        *t.target = std::move(*value);
    }
    if (out.info.displayName.empty())
        return fail("display_name must not be empty");
    out.info.registeredName = out.info.displayName;
    if (!out.info.icon.empty() && !isSafeAssetPath(out.info.icon))
        return fail("icon must be a relative path inside the assets directory");
    if (!out.info.assetEntry.empty() && !isSafeAssetPath(out.info.assetEntry))
        return fail("asset_entry must be a relative path inside the assets directory");

    const int sources = (c.url_template ? 1 : 0) + (c.build_url ? 1 : 0) + (c.asset_entry ? 1 : 0);
    if (sources != 1)
        return fail("exactly one of url_template, build_url and asset_entry must be set (" + std::to_string(sources)
                    + " are)");
    out.info.source = c.url_template ? WidgetSource::UrlTemplate
                      : c.build_url  ? WidgetSource::Builder
                                     : WidgetSource::Assets;
    if (out.info.source == WidgetSource::UrlTemplate && out.info.urlTemplate.empty())
        return fail("url_template must not be empty");

    auto capsText = textField(c.capabilities_json, "capabilities_json", 256 * 1024);
    if (!capsText)
        return fail(capsText.error().message);
    auto needed = parseNeeded(*capsText);
    if (!needed)
        return fail(needed.error().message);
    out.info.capabilities = std::move(*needed);

    // Added in 1.1; zero (absent) for a plugin built against 1.0.
    if (TESSERA_FIELD_PRESENT(tessera_widget_type_info, description, size)) {
        auto description = textField(c.description, "description", kMaxTypeDescriptionBytes);
        if (!description)
            return fail(description.error().message);
        out.info.description = std::move(*description);
    }

    // Added in 1.3; zero (no flags) for a plugin built against 1.2 or older.
    if (TESSERA_FIELD_PRESENT(tessera_widget_type_info, flags, size)) {
        constexpr std::uint32_t known = TESSERA_WIDGET_TYPE_ENABLED_BY_DEFAULT;
        if ((c.flags & ~known) != 0) {
            char bits[16];
            std::snprintf(bits, sizeof bits, "0x%x", static_cast<unsigned>(c.flags & ~known));
            return fail(std::string("flags has bits this host does not know (") + bits + ")");
        }
        out.info.enabledByDefault = (c.flags & TESSERA_WIDGET_TYPE_ENABLED_BY_DEFAULT) != 0;
    }

    out.callbacks.buildUrl = c.build_url;
    out.callbacks.typeData = c.type_data;
    out.callbacks.freeTypeData = c.free_type_data;
    return out;
}

Result<RegisteredHandler> copyHandlerInfo(const tessera_capability_handler_info *info, std::size_t size)
{
    auto copied = zeroFilledCopy(info, size, "tessera_capability_handler_info");
    if (!copied)
        return std::move(copied).error();
    const tessera_capability_handler_info &c = *copied;

    if (!TESSERA_FIELD_PRESENT(tessera_capability_handler_info, capability, size) || !c.capability)
        return Error(ErrorCode::BadRequest, "capability handler: required field capability is missing");
    auto capability = textField(c.capability, "capability", bridge::kMaxCapabilityLength);
    if (!capability)
        return Error(ErrorCode::BadRequest, "capability handler: " + capability.error().message);
    const std::string prefix = "capability handler \"" + *capability + "\": ";
    auto fail = [&](const std::string &what) { return Error(ErrorCode::BadRequest, prefix + what); };

    if (!TESSERA_FIELD_PRESENT(tessera_capability_handler_info, description, size) || !c.description)
        return fail("required field description is missing");
    if (!TESSERA_FIELD_PRESENT(tessera_capability_handler_info, actions, size) || !c.actions)
        return fail("required field actions is missing");
    if (!TESSERA_FIELD_PRESENT(tessera_capability_handler_info, handle, size) || !c.handle)
        return fail("required field handle is missing");

    RegisteredHandler out;
    out.info.capability = *capability;
    auto description = textField(c.description, "description", kMaxHandlerDescriptionBytes);
    if (!description)
        return fail(description.error().message);
    if (description->empty())
        return fail("description must not be empty");
    out.info.description = std::move(*description);

    std::set<std::string> seen;
    for (std::size_t i = 0; c.actions[i]; ++i) {
        if (i >= kMaxActionsPerHandler)
            return fail("more than " + std::to_string(kMaxActionsPerHandler) + " actions");
        auto action = textField(c.actions[i], "action", bridge::kMaxCapabilityLength);
        if (!action)
            return fail(action.error().message);
        if (!seen.insert(*action).second)
            return fail("action \"" + *action + "\" is listed twice");
        out.info.actions.push_back(std::move(*action));
    }
    if (out.info.actions.empty())
        return fail("actions must name at least one action");

    out.callbacks.handle = c.handle;
    out.callbacks.sessionClosed = c.session_closed;
    out.callbacks.handlerData = c.handler_data;
    out.callbacks.freeHandlerData = c.free_handler_data;
    return out;
}

Result<std::string> pluginWidgetPage(std::string_view url)
{
    const auto bad = [](const std::string &why) {
        return Error(ErrorCode::BadRequest, "the page for plugin widgets in other clients " + why);
    };
    if (url.empty())
        return bad("needs an address (https://…)");
    if (url.size() > kMaxPluginWidgetPageBytes)
        return bad("has an address longer than " + std::to_string(kMaxPluginWidgetPageBytes) + " bytes");
    auto parsed = widgets::parseUrl(url);
    if (!parsed)
        return bad("has an address that is not a URL: " + parsed.error().message);
    if (!parsed->hasAuthority || parsed->host.empty())
        return bad("has an address that names no host");
    if (parsed->hasUserInfo)
        return bad("has an address with a user name or password (…@)");
    if (parsed->hasFragment)
        return bad("has an address with a fragment (#…), which the widget's details cannot follow");
    const bool https = parsed->scheme == "https";
    const bool loopbackHttp = parsed->scheme == "http" && parsed->isLoopbackHost();
    if (!https && !loopbackHttp)
        return bad("must have an https:// address (http:// only on this computer)");
    return std::string(url);
}

#ifndef TESSERA_PLUGIN_WIDGET_PAGE_URL
#error "TESSERA_PLUGIN_WIDGET_PAGE_URL is set by host/core/plugins/CMakeLists.txt"
#endif

std::string_view defaultPluginWidgetPage() noexcept { return TESSERA_PLUGIN_WIDGET_PAGE_URL; }

std::string publishedWidgetUrl(const WidgetTypeInfo &type, std::string_view page)
{
    if (type.source == WidgetSource::UrlTemplate && type.urlTemplate.rfind("https://", 0) == 0)
        return type.urlTemplate;
    std::string url(page);
    url += url.find('?') == std::string::npos ? '?' : '&';
    url += "plugin=" + text::percentEncodeComponent(type.pluginId);
    url += "&type=" + text::percentEncodeComponent(type.type);
    url += "&name=" + text::percentEncodeComponent(type.displayName);
    // Filled in by the other client (MSC2873), so the page speaks its user's language.
    url += "&lang=$org.matrix.msc2873.client_language&theme=$org.matrix.msc2873.client_theme";
    return url;
}

} // namespace tessera::plugins
