// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "matrix/roombackend.h"

namespace tessera::matrix {

/** Most heroes a room name is made of (the spec's room summary gives up to 5). */
inline constexpr std::size_t kMaxHeroes = 5;

/** A member of a room as display names need it: who, what their member event calls them, and whether they are in. */
struct RoomMember {
    std::string userId;
    std::string displayName; ///< content.displayname; empty when absent or null
    Membership membership = Membership::Invalid;
    std::string avatarUrl; ///< content.avatar_url (mxc://); empty when absent or not a string
};

/**
 * The name a room shows, by the Matrix spec's algorithm ("Calculating the display name for a
 * room"), in parts so the caller can word it in the user's language:
 * Named (m.room.name) → Alias (m.room.canonical_alias) → Members (the heroes' names, and how many
 * others) → Empty (nobody else; `heroNames` then names who was there, if known).
 */
struct RoomName {
    enum class Kind { Named, Alias, Members, Empty };
    Kind kind = Kind::Empty;
    std::string text;                   ///< Named, Alias
    std::vector<std::string> heroNames; ///< Members, Empty ("was …"); display names, disambiguated
    std::int64_t others = 0;            ///< Members: people beyond the heroes
};

/**
 * The room's name from @p room (name, canonicalAlias, heroNames, joinedMembers, invitedMembers,
 * membership). An invitation with neither name nor alias is named after the heroes (the inviter)
 * whatever the counts say: an invitee does not know them.
 */
RoomName computeRoomName(const RoomInfo &room);

/**
 * How @p userId is shown among @p members (the spec's "Calculating the display name for a user"):
 * the display name of their member event; the user id when it has none; "name (@user:server)"
 * when another joined or invited member has the same display name.
 */
std::string memberDisplayName(const std::string &userId, const std::vector<RoomMember> &members);

/**
 * The heroes of a room when the server gave no summary: up to kMaxHeroes joined or invited
 * members other than @p ownUserId (in the order given); when there are none, those who left.
 */
std::vector<std::string> computeHeroes(const std::vector<RoomMember> &members, const std::string &ownUserId);

} // namespace tessera::matrix
