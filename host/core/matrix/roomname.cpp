// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "matrix/roomname.h"

#include <algorithm>

namespace tessera::matrix {

namespace {
bool isIn(Membership m)
{
    return m == Membership::Join || m == Membership::Invite;
}
} // namespace

RoomName computeRoomName(const RoomInfo &room)
{
    RoomName out;
    if (!room.name.empty()) {
        out.kind = RoomName::Kind::Named;
        out.text = room.name;
        return out;
    }
    if (!room.canonicalAlias.empty()) {
        out.kind = RoomName::Kind::Alias;
        out.text = room.canonicalAlias;
        return out;
    }
    out.heroNames = room.heroNames;
    if (out.heroNames.size() > kMaxHeroes)
        out.heroNames.resize(kMaxHeroes);
    const std::int64_t members = std::max<std::int64_t>(0, room.joinedMembers) + std::max<std::int64_t>(0, room.invitedMembers);
    if (room.membership == Membership::Invite && !out.heroNames.empty()) {
        out.kind = RoomName::Kind::Members;
        return out;
    }
    if (members <= 1) {
        // Only the user (or nobody): an empty room, "was" whoever the heroes were.
        out.kind = RoomName::Kind::Empty;
        return out;
    }
    if (out.heroNames.empty()) {
        // Others are in the room but the server named none of them: say how many.
        out.kind = RoomName::Kind::Members;
        out.others = members - 1;
        return out;
    }
    out.kind = RoomName::Kind::Members;
    const auto heroes = static_cast<std::int64_t>(out.heroNames.size());
    out.others = std::max<std::int64_t>(0, members - 1 - heroes);
    return out;
}

std::string memberDisplayName(const std::string &userId, const std::vector<RoomMember> &members)
{
    const auto self = std::find_if(members.begin(), members.end(), [&](const RoomMember &m) { return m.userId == userId; });
    if (self == members.end() || self->displayName.empty())
        return userId;
    const std::string &name = self->displayName;
    const bool shared = std::any_of(members.begin(), members.end(), [&](const RoomMember &m) {
        return m.userId != userId && isIn(m.membership) && m.displayName == name;
    });
    return shared ? name + " (" + userId + ")" : name;
}

std::vector<std::string> computeHeroes(const std::vector<RoomMember> &members, const std::string &ownUserId)
{
    std::vector<std::string> heroes;
    for (const auto &m : members) {
        if (heroes.size() < kMaxHeroes && m.userId != ownUserId && isIn(m.membership))
            heroes.push_back(m.userId);
    }
    if (!heroes.empty())
        return heroes;
    for (const auto &m : members) {
        if (heroes.size() < kMaxHeroes && m.userId != ownUserId && (m.membership == Membership::Leave || m.membership == Membership::Ban))
            heroes.push_back(m.userId);
    }
    return heroes;
}

} // namespace tessera::matrix
