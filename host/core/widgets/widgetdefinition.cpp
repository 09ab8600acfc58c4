// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "widgets/widgetdefinition.h"

#include "util/text.h"
#include "widgets/url.h"

namespace tessera::widgets {

namespace {
Error bad(std::string message)
{
    return Error(ErrorCode::BadRequest, std::move(message));
}

constexpr std::size_t kMaxIdLength = 255;
constexpr std::size_t kMaxNameLength = 1024;
} // namespace

std::string WidgetDefinition::displayName() const
{
    if (!name.empty())
        return name;
    if (auto it = data.find("title"); it != data.end() && it->is_string() && !it->get<std::string>().empty())
        return it->get<std::string>();
    return type;
}

bool WidgetDefinition::isJitsi() const
{
    return type == "m.jitsi" || type == "jitsi";
}

Result<std::optional<WidgetDefinition>> parseWidgetStateEvent(const nlohmann::json &event)
{
    if (!event.is_object())
        return bad("widget state event is not a JSON object");
    const auto typeIt = event.find("type");
    if (typeIt == event.end() || !typeIt->is_string()
        || (*typeIt != kWidgetEventType && *typeIt != kLegacyWidgetEventType)) {
        return bad("event type must be m.widget or im.vector.modular.widgets");
    }
    const auto keyIt = event.find("state_key");
    if (keyIt == event.end() || !keyIt->is_string() || keyIt->get<std::string>().empty())
        return bad("widget state event has no state_key (the widget id)");
    if (keyIt->get<std::string>().size() > kMaxIdLength)
        return bad("widget id is longer than 255 bytes");
    const auto contentIt = event.find("content");
    if (contentIt == event.end() || !contentIt->is_object())
        return bad("widget state event has no content object");
    const nlohmann::json &content = *contentIt;

    const auto urlIt = content.find("url");
    const auto wtypeIt = content.find("type");
    if (urlIt == content.end() || wtypeIt == content.end())
        return std::optional<WidgetDefinition>{}; // removed
    if (!urlIt->is_string() || urlIt->get<std::string>().empty())
        return bad("widget `url` must be a non-empty string");
    if (urlIt->get<std::string>().size() > kMaxUrlLength)
        return bad("widget `url` is longer than " + std::to_string(kMaxUrlLength) + " bytes");
    if (!wtypeIt->is_string() || wtypeIt->get<std::string>().empty())
        return bad("widget `type` must be a non-empty string");

    WidgetDefinition w;
    w.eventType = typeIt->get<std::string>();
    w.id = keyIt->get<std::string>();
    w.url = urlIt->get<std::string>();
    w.type = wtypeIt->get<std::string>();

    if (auto it = content.find("name"); it != content.end() && !it->is_null()) {
        if (!it->is_string())
            return bad("widget `name` must be a string");
        w.name = text::truncateUtf8(it->get<std::string>(), kMaxNameLength);
    }
    if (auto it = content.find("data"); it != content.end() && !it->is_null()) {
        if (!it->is_object())
            return bad("widget `data` must be an object");
        w.data = *it;
    }
    if (auto it = content.find("waitForIframeLoad"); it != content.end() && !it->is_null()) {
        if (!it->is_boolean())
            return bad("widget `waitForIframeLoad` must be a boolean");
        w.waitForIframeLoad = it->get<bool>();
    }
    if (auto it = event.find("sender"); it != event.end() && it->is_string())
        w.sender = it->get<std::string>();
    if (auto it = content.find("creatorUserId"); it != content.end() && !it->is_null()) {
        if (!it->is_string())
            return bad("widget `creatorUserId` must be a string");
        w.creatorUserId = it->get<std::string>();
    }
    if (w.creatorUserId.empty())
        w.creatorUserId = w.sender;
    if (auto it = content.find("avatar_url"); it != content.end() && !it->is_null()) {
        if (!it->is_string() || !text::startsWith(it->get<std::string>(), "mxc://"))
            return bad("widget `avatar_url` must be an mxc:// URI");
        w.avatarUrl = it->get<std::string>();
    }
    if (auto it = event.find("room_id"); it != event.end() && it->is_string())
        w.roomId = it->get<std::string>();
    if (auto it = event.find("event_id"); it != event.end() && it->is_string())
        w.eventId = it->get<std::string>();
    return std::optional<WidgetDefinition>(std::move(w));
}

} // namespace tessera::widgets
