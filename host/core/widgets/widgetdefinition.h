// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "util/result.h"

namespace tessera::widgets {

inline constexpr std::string_view kWidgetEventType = "m.widget";
inline constexpr std::string_view kLegacyWidgetEventType = "im.vector.modular.widgets";

/**
 * @brief A room widget as its state event defines it (MSC2764 WidgetCommonProperties).
 *
 * The URL here is the template as stored; run it through runTemplate() and checkWidgetUrl()
 * before showing or loading anything.
 */
struct WidgetDefinition {
    std::string id;            ///< the state key
    std::string type;          ///< e.g. m.custom, m.jitsi, jitsi, io.tessera.kanban
    std::string url;           ///< URL template
    std::string name;          ///< may be empty; the UI falls back to the type
    nlohmann::json data = nlohmann::json::object();
    bool waitForIframeLoad = true;
    std::string creatorUserId; ///< defaults to the event's sender
    std::string avatarUrl;     ///< mxc:// (MSC2765), may be empty
    std::string roomId;
    std::string sender;
    std::string eventId;
    std::string eventType;     ///< m.widget or im.vector.modular.widgets

    /** A display name: `name`, else `data.title`, else the type. */
    [[nodiscard]] std::string displayName() const;
    /** m.jitsi and the legacy `jitsi`. */
    [[nodiscard]] bool isJitsi() const;
};

/**
 * Reads a widget from an `m.widget` / `im.vector.modular.widgets` state event.
 * Returns nullopt for a removed widget (content without `url` or `type`, as the spec draft
 * defines removal), an error naming the bad field for a malformed one.
 */
Result<std::optional<WidgetDefinition>> parseWidgetStateEvent(const nlohmann::json &event);

} // namespace tessera::widgets
