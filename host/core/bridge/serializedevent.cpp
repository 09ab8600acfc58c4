// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "bridge/serializedevent.h"

#include <array>

#include "bridge/envelope.h"

namespace tessera::bridge {

namespace {

std::optional<std::string> stringMember(const nlohmann::json &object, const char *key)
{
    auto it = object.find(key);
    if (it == object.end() || !it->is_string())
        return std::nullopt;
    return it->get<std::string>();
}

// A member's raw JSON text, decoded if it is a string.
std::optional<std::string> stringValue(std::string_view rawValue)
{
    if (rawValue.empty() || rawValue.front() != '"')
        return std::nullopt;
    return decodeJsonString(rawValue);
}

} // namespace

SerializedEvent SerializedEvent::fromJson(const nlohmann::json &event)
{
    auto data = std::make_shared<Data>();
    data->text = event.dump();
    if (event.is_object()) {
        data->type = stringMember(event, "type");
        data->roomId = stringMember(event, "room_id");
        data->stateKey = stringMember(event, "state_key");
        if (auto content = event.find("content"); content != event.end() && content->is_object())
            data->msgtype = stringMember(*content, "msgtype");
    }
    return SerializedEvent(std::move(data));
}

Result<SerializedEvent> SerializedEvent::fromText(std::string text)
{
    static constexpr std::array<std::string_view, 4> kNames{"type", "room_id", "state_key", "content"};
    std::array<std::string_view, kNames.size()> values;
    if (auto scanned = scanObjectMembers(text, kNames, values); !scanned)
        return Error(ErrorCode::BadRequest, "an event must be one JSON object: " + scanned.error().message);
    const auto [type, roomId, stateKey, content] = values;
    auto data = std::make_shared<Data>();
    data->type = stringValue(type);
    data->roomId = stringValue(roomId);
    data->stateKey = stringValue(stateKey);
    if (!content.empty() && content.front() == '{') {
        MemberReader members(content);
        while (members.next()) {
            if (members.key() == "msgtype")
                data->msgtype = stringValue(members.value());
        }
    }
    data->text = std::move(text);
    return SerializedEvent(std::move(data));
}

nlohmann::json SerializedEvent::toJson() const
{
    // The text is nlohmann's own output, so it always parses.
    return nlohmann::json::parse(m_data->text, nullptr, false);
}

} // namespace tessera::bridge
