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

} // namespace tessera::e2e
