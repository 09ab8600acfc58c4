// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "bridge/capabilities.h"

namespace tessera::consent {

/** The languages consent texts exist in. */
enum class Language {
    Invalid = 0,
    English,
    Spanish,
};

/** How much a grant exposes, for the UI to show next to each item. */
enum class RiskLevel {
    Invalid = 0,
    Low,    ///< cosmetic or self-contained: no one else sees anything, nothing private is read
    Medium, ///< reads private data of this room, or acts visibly but in a limited way
    High,   ///< acts as you (messages, room settings), reaches other rooms or devices, or is unknown
};

/** Browser features a widget's page can ask for; each is decided per origin. */
enum class BrowserPermission {
    Invalid = 0,
    Camera,
    Microphone,
    ScreenShare,
    ClipboardRead,
    ClipboardWrite,
};

/** A human-readable account of one capability string. */
struct CapabilityDescription {
    std::string capability; ///< the raw string the widget sent, for experts
    std::string text;       ///< one sentence, e.g. "Send text messages as you in this room"
    RiskLevel risk = RiskLevel::Invalid;
    /** Recognised means it can be granted; anything else is always refused (and says so in text). */
    bridge::CapabilityVerdict verdict = bridge::CapabilityVerdict::Invalid;
};

/** Who handles a custom capability, and what granting it allows in the plugin's own words. */
struct CustomCapabilityInfo {
    std::string pluginName;  ///< the plugin's display name (its id when it has none)
    std::string description; ///< the handler's description; shown, never trusted
};

/**
 * @brief Which plugin handles a custom capability: a CustomCapabilityLookup that can also say
 * who handles it, so the consent dialog and the Permissions page describe what is granted.
 */
class CustomCapabilityDirectory : public bridge::CustomCapabilityLookup {
public:
    /** The handler of @p capability; nullopt if no running plugin handles it. */
    [[nodiscard]] virtual std::optional<CustomCapabilityInfo> findCustomCapability(std::string_view capability) const = 0;
    [[nodiscard]] bool isCustomCapability(std::string_view capability) const override
    {
        return findCustomCapability(capability).has_value();
    }
};

/**
 * Describes @p capability in @p language. Every capability bridge/capabilities.h recognises has
 * its own sentence, with the event type, state key, msgtype or room filled in; strings Tessera
 * does not know, malformed ones and forbidden ones get an honest sentence saying so (they are
 * never granted). @p custom, when given, identifies capabilities a plugin handles; they are
 * described as "Handled by the plugin X: <its description>". It must be the lookup the
 * consent service decides with, so that what the text says matches what is granted.
 * Filled-in values come from the widget: show the text as plain text, never as markup, and
 * through text::escapeInvisible().
 */
CapabilityDescription describeCapability(std::string_view capability, Language language,
                                         const CustomCapabilityDirectory *custom = nullptr);

/** Why Tessera refuses a capability by itself, e.g. "Tessera does not support this permission". */
std::string describeRefusal(bridge::RefusalReason reason, Language language);

/** "Confirm your identity …": the OpenID (MSC1960) request. */
std::string describeOpenIdRequest(Language language);

/** "Load a widget added by %1 …": the load prompt for a widget someone else added. */
std::string describeLoadRequest(std::string_view creatorUserId, std::string_view origin, Language language);

std::string describeBrowserPermission(BrowserPermission permission, Language language);
RiskLevel browserPermissionRisk(BrowserPermission permission);

/** "Low risk" / "Riesgo bajo". */
std::string describeRisk(RiskLevel risk, Language language);

/** Maps a BCP 47 or POSIX locale tag ("es", "es-MX", "en_GB.UTF-8") to a language; nullopt if none fits. */
std::optional<Language> languageFromTag(std::string_view tag);

/** Stable names: "low", "medium", "high". */
const char *toString(RiskLevel risk) noexcept;
/** Stable names: "camera", "microphone", "screen_share", "clipboard_read", "clipboard_write". */
const char *toString(BrowserPermission permission) noexcept;
std::optional<BrowserPermission> browserPermissionFromString(std::string_view name) noexcept;

} // namespace tessera::consent
