// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
// Account data: global (/user/{userId}/account_data/{type}) and per room
// (/user/{userId}/rooms/{roomId}/account_data/{type}). Delivered by /sync (sync.cpp).
#include "homeserverimpl.h"

#include <algorithm>
#include <cctype>

namespace tessera::e2e {

using namespace detail;

namespace {

// As Synapse's RoomID.is_valid: "!", an opaque local part, ":", a server name. The room need not
// exist and the user need not be in it: Synapse stores room account data for any room id.
bool isValidRoomId(const std::string &roomId)
{
    if (roomId.empty() || roomId[0] != '!') {
        return false;
    }
    const std::size_t colon = roomId.find(':');
    if (colon == std::string::npos || colon + 1 == roomId.size()) {
        return false;
    }
    return std::all_of(roomId.begin() + static_cast<std::ptrdiff_t>(colon) + 1, roomId.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']';
    });
}

// The fully-read marker and push rules have their own endpoints; Synapse answers 405 M_BAD_JSON.
std::optional<Reply> refuseReservedType(const std::string &type)
{
    if (type == "m.fully_read") {
        return errorReply(405, "M_BAD_JSON",
                          "Cannot set m.fully_read through this API. Use /rooms/!roomId:server.name/read_markers");
    }
    if (type == "m.push_rules") {
        return errorReply(405, "M_BAD_JSON", "Cannot set m.push_rules through this API. Use /pushrules");
    }
    return std::nullopt;
}

Reply invalidRoomId(const std::string &roomId)
{
    return errorReply(400, "M_INVALID_PARAM", roomId + " is not a valid room ID");
}

Reply entryReply(const AccountDataMap *entries, const std::string &type, const char *notFound)
{
    if (entries) {
        if (auto it = entries->find(type); it != entries->end()) {
            return okReply(it->second.content);
        }
    }
    return errorReply(404, "M_NOT_FOUND", notFound);
}

} // namespace

void TestHomeserver::Impl::putAccountDataLocked(AccountDataMap &entries, const std::string &type, Json content)
{
    // Every write is a new stream position, even with the same content (as Synapse), so /sync
    // delivers it and wakes the user's long-polls.
    AccountDataEntry &entry = entries[type];
    entry.content = std::move(content);
    entry.pos = bumpPosLocked();
    notifyLocked();
}

TestHomeserver::Impl::Reply TestHomeserver::Impl::putAccountData(Call &call)
{
    if (call.params[0] != call.session->userId) {
        return errorReply(403, "M_FORBIDDEN", "Cannot add account data for other users.");
    }
    if (auto refused = refuseReservedType(call.params[1])) {
        return *refused;
    }
    auto body = jsonBody(call);
    if (!body) {
        return replyFromError(body.error());
    }
    std::lock_guard lock(m_mutex);
    putAccountDataLocked(m_users.at(call.session->userId).accountData, call.params[1], std::move(*body));
    return okReply();
}

TestHomeserver::Impl::Reply TestHomeserver::Impl::getAccountData(Call &call)
{
    if (call.params[0] != call.session->userId) {
        return errorReply(403, "M_FORBIDDEN", "Cannot get account data for other users.");
    }
    std::lock_guard lock(m_mutex);
    return entryReply(&m_users.at(call.session->userId).accountData, call.params[1], "Account data not found");
}

TestHomeserver::Impl::Reply TestHomeserver::Impl::putRoomAccountData(Call &call)
{
    if (call.params[0] != call.session->userId) {
        return errorReply(403, "M_FORBIDDEN", "Cannot add account data for other users.");
    }
    const std::string &roomId = call.params[1];
    if (!isValidRoomId(roomId)) {
        return invalidRoomId(roomId);
    }
    if (auto refused = refuseReservedType(call.params[2])) {
        return *refused;
    }
    auto body = jsonBody(call);
    if (!body) {
        return replyFromError(body.error());
    }
    std::lock_guard lock(m_mutex);
    putAccountDataLocked(m_users.at(call.session->userId).roomAccountData[roomId], call.params[2], std::move(*body));
    return okReply();
}

TestHomeserver::Impl::Reply TestHomeserver::Impl::getRoomAccountData(Call &call)
{
    if (call.params[0] != call.session->userId) {
        return errorReply(403, "M_FORBIDDEN", "Cannot get account data for other users.");
    }
    const std::string &roomId = call.params[1];
    if (!isValidRoomId(roomId)) {
        return invalidRoomId(roomId);
    }
    if (call.params[2] == "m.push_rules") {
        return okReply(); // room-specific push rules: Synapse answers an empty object
    }
    std::lock_guard lock(m_mutex);
    const User &user = m_users.at(call.session->userId);
    const auto room = user.roomAccountData.find(roomId);
    return entryReply(room == user.roomAccountData.end() ? nullptr : &room->second, call.params[2],
                      "Room account data not found");
}

// --- push rules ------------------------------------------------------------------------------

// GET /pushrules/: the server-default rules of the Matrix spec ("Predefined rules"), which every
// user has until they change them; this server stores no changes (PUT is not implemented).
TestHomeserver::Impl::Reply TestHomeserver::Impl::getPushRules(Call &call)
{
    const std::string &userId = call.session->userId;
    const std::string localpart = userId.substr(1, userId.find(':') - 1);
    std::string displayName;
    {
        std::lock_guard lock(m_mutex);
        displayName = m_users.at(userId).displayName;
    }
    auto rule = [](const char *id, Json conditions, Json actions, bool enabled = true) {
        return Json{{"rule_id", id}, {"default", true}, {"enabled", enabled}, {"conditions", std::move(conditions)},
                    {"actions", std::move(actions)}};
    };
    auto eventMatch = [](const char *key, const std::string &pattern) {
        return Json{{"kind", "event_match"}, {"key", key}, {"pattern", pattern}};
    };
    const Json notify = Json::array({"notify"});
    const Json sound = Json::array({"notify", Json{{"set_tweak", "sound"}, {"value", "default"}}});
    const Json highlight = Json::array({"notify", Json{{"set_tweak", "sound"}, {"value", "default"}},
                                        Json{{"set_tweak", "highlight"}}});
    const Json oneToOne = Json{{"kind", "room_member_count"}, {"is", "2"}};
    Json override = Json::array({
        rule(".m.rule.master", Json::array(), Json::array(), false),
        rule(".m.rule.suppress_notices", {eventMatch("content.msgtype", "m.notice")}, Json::array()),
        rule(".m.rule.invite_for_me",
             {eventMatch("type", "m.room.member"), eventMatch("content.membership", "invite"),
              eventMatch("state_key", userId)},
             {"notify", Json{{"set_tweak", "sound"}, {"value", "default"}}}),
        rule(".m.rule.member_event", {eventMatch("type", "m.room.member")}, Json::array()),
        rule(".m.rule.is_user_mention",
             {Json{{"kind", "event_property_contains"}, {"key", "content.m\\.mentions.user_ids"}, {"value", userId}}},
             highlight),
        rule(".m.rule.is_room_mention",
             {Json{{"kind", "event_property_is"}, {"key", "content.m\\.mentions.room"}, {"value", true}},
              Json{{"kind", "sender_notification_permission"}, {"key", "room"}}},
             {"notify", Json{{"set_tweak", "highlight"}}}),
        rule(".m.rule.tombstone", {eventMatch("type", "m.room.tombstone"), eventMatch("state_key", "")},
             {"notify", Json{{"set_tweak", "highlight"}}}),
        rule(".m.rule.reaction", {eventMatch("type", "m.reaction")}, Json::array()),
        rule(".m.rule.suppress_edits",
             {Json{{"kind", "event_property_is"}, {"key", "content.m\\.relates_to.rel_type"}, {"value", "m.replace"}}},
             Json::array()),
    });
    if (!displayName.empty()) {
        override.push_back(rule(".m.rule.contains_display_name", {Json{{"kind", "contains_display_name"}}}, highlight));
    }
    Json content = Json::array({Json{{"rule_id", ".m.rule.contains_user_name"}, {"default", true}, {"enabled", true},
                                     {"pattern", localpart}, {"actions", highlight}}});
    Json underride = Json::array({
        rule(".m.rule.call", {eventMatch("type", "m.call.invite")},
             {"notify", Json{{"set_tweak", "sound"}, {"value", "ring"}}}),
        rule(".m.rule.encrypted_room_one_to_one", {oneToOne, eventMatch("type", "m.room.encrypted")}, sound),
        rule(".m.rule.room_one_to_one", {oneToOne, eventMatch("type", "m.room.message")}, sound),
        rule(".m.rule.message", {eventMatch("type", "m.room.message")}, notify),
        rule(".m.rule.encrypted", {eventMatch("type", "m.room.encrypted")}, notify),
    });
    return okReply(Json{{"global", {{"override", override}, {"content", content}, {"room", Json::array()},
                                    {"sender", Json::array()}, {"underride", underride}}}});
}

} // namespace tessera::e2e
