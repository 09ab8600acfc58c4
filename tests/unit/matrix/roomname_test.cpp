// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "matrix/roomname.h"
#include "matrix/roomstore.h"
#include "storage/database.h"
#include "tempdir.h"

using namespace tessera;
using namespace tessera::matrix;

namespace {

RoomMember member(std::string userId, std::string displayName, Membership membership)
{
    RoomMember m;
    m.userId = std::move(userId);
    m.displayName = std::move(displayName);
    m.membership = membership;
    return m;
}

RoomInfo unnamed(std::vector<std::string> heroNames, std::int64_t joined, std::int64_t invited = 0)
{
    RoomInfo r;
    r.roomId = "!r:hs";
    r.membership = Membership::Join;
    r.heroNames = std::move(heroNames);
    r.joinedMembers = joined;
    r.invitedMembers = invited;
    return r;
}

// --- the spec's room-name algorithm ----------------------------------------------------------

TEST(RoomName, TheNameEventWinsOverEverything)
{
    RoomInfo r = unnamed({"Alice"}, 2);
    r.name = "Widgets";
    r.canonicalAlias = "#w:hs";
    const RoomName n = computeRoomName(r);
    EXPECT_EQ(n.kind, RoomName::Kind::Named);
    EXPECT_EQ(n.text, "Widgets");
}

TEST(RoomName, TheCanonicalAliasComesSecond)
{
    RoomInfo r = unnamed({"Alice"}, 2);
    r.canonicalAlias = "#w:hs";
    const RoomName n = computeRoomName(r);
    EXPECT_EQ(n.kind, RoomName::Kind::Alias);
    EXPECT_EQ(n.text, "#w:hs");
}

TEST(RoomName, HeroesNameARoomWithoutNameOrAlias)
{
    const RoomName two = computeRoomName(unnamed({"Bob", "Carol"}, 3));
    EXPECT_EQ(two.kind, RoomName::Kind::Members);
    EXPECT_EQ(two.heroNames, (std::vector<std::string>{"Bob", "Carol"}));
    EXPECT_EQ(two.others, 0);
    // joined + invited - the user - the heroes: the others are counted, not named
    const RoomName many = computeRoomName(unnamed({"Bob", "Carol"}, 7, 2));
    EXPECT_EQ(many.kind, RoomName::Kind::Members);
    EXPECT_EQ(many.others, 6);
}

TEST(RoomName, AtMostFiveHeroesAreNamed)
{
    const RoomName n = computeRoomName(unnamed({"a", "b", "c", "d", "e", "f", "g"}, 8));
    EXPECT_EQ(n.heroNames.size(), kMaxHeroes);
    EXPECT_EQ(n.others, 2);
}

TEST(RoomName, ARoomWithOnlyTheUserIsEmptyAndSaysWhoWasThere)
{
    const RoomName alone = computeRoomName(unnamed({}, 1));
    EXPECT_EQ(alone.kind, RoomName::Kind::Empty);
    EXPECT_TRUE(alone.heroNames.empty());
    const RoomName was = computeRoomName(unnamed({"Alice"}, 1));
    EXPECT_EQ(was.kind, RoomName::Kind::Empty);
    EXPECT_EQ(was.heroNames, std::vector<std::string>{"Alice"});
    EXPECT_EQ(computeRoomName(unnamed({}, 0)).kind, RoomName::Kind::Empty);
}

TEST(RoomName, MembersWithoutHeroesAreCounted)
{
    const RoomName n = computeRoomName(unnamed({}, 4));
    EXPECT_EQ(n.kind, RoomName::Kind::Members);
    EXPECT_TRUE(n.heroNames.empty());
    EXPECT_EQ(n.others, 3);
}

TEST(RoomName, AnInvitationIsNamedAfterTheInviterWhateverTheCounts)
{
    RoomInfo r = unnamed({"Alice"}, 0);
    r.membership = Membership::Invite;
    const RoomName n = computeRoomName(r);
    EXPECT_EQ(n.kind, RoomName::Kind::Members);
    EXPECT_EQ(n.heroNames, std::vector<std::string>{"Alice"});
    EXPECT_EQ(n.others, 0);
}

// --- member display names ----------------------------------------------------------------------

TEST(MemberDisplayName, TheDisplayNameElseTheUserId)
{
    const std::vector<RoomMember> members = {member("@a:hs", "Alice", Membership::Join), member("@b:hs", "", Membership::Join)};
    EXPECT_EQ(memberDisplayName("@a:hs", members), "Alice");
    EXPECT_EQ(memberDisplayName("@b:hs", members), "@b:hs");
    EXPECT_EQ(memberDisplayName("@unknown:hs", members), "@unknown:hs");
}

TEST(MemberDisplayName, TwoMembersWithOneNameAreToldApartByTheirIds)
{
    const std::vector<RoomMember> members = {member("@a:hs", "Sam", Membership::Join),
                                             member("@b:other", "Sam", Membership::Invite),
                                             member("@c:hs", "Cleo", Membership::Join)};
    EXPECT_EQ(memberDisplayName("@a:hs", members), "Sam (@a:hs)");
    EXPECT_EQ(memberDisplayName("@b:other", members), "Sam (@b:other)");
    EXPECT_EQ(memberDisplayName("@c:hs", members), "Cleo");
}

TEST(MemberDisplayName, SomeoneWhoLeftDoesNotMakeANameAmbiguous)
{
    const std::vector<RoomMember> members = {member("@a:hs", "Sam", Membership::Join), member("@b:hs", "Sam", Membership::Leave)};
    EXPECT_EQ(memberDisplayName("@a:hs", members), "Sam");
}

TEST(ComputeHeroes, OthersInTheRoomElseThoseWhoLeft)
{
    const std::vector<RoomMember> members = {member("@me:hs", "Me", Membership::Join),
                                             member("@a:hs", "A", Membership::Join),
                                             member("@b:hs", "B", Membership::Invite),
                                             member("@c:hs", "C", Membership::Leave)};
    EXPECT_EQ(computeHeroes(members, "@me:hs"), (std::vector<std::string>{"@a:hs", "@b:hs"}));
    const std::vector<RoomMember> alone = {member("@me:hs", "Me", Membership::Join), member("@c:hs", "C", Membership::Leave)};
    EXPECT_EQ(computeHeroes(alone, "@me:hs"), std::vector<std::string>{"@c:hs"});
}

// --- what the room store answers -----------------------------------------------------------------

class RoomStoreNames : public ::testing::Test {
protected:
    void SetUp() override
    {
        auto db = storage::openConcern(m_dir.path(), "names", RoomStore::migrations());
        ASSERT_TRUE(db) << db.error().message;
        m_db = std::make_unique<storage::Database>(std::move(db).value());
        m_store = std::make_unique<RoomStore>(*m_db, [] { return std::int64_t(1000); });
    }

    void member(const std::string &roomId, const std::string &userId, const std::string &membership,
                const std::string &name = {}, const std::string &sender = {})
    {
        nlohmann::json content = {{"membership", membership}};
        if (!name.empty())
            content["displayname"] = name;
        ASSERT_TRUE(m_store->putState({{"room_id", roomId},
                                       {"type", "m.room.member"},
                                       {"state_key", userId},
                                       {"event_id", "$" + userId + membership},
                                       {"sender", sender.empty() ? userId : sender},
                                       {"content", content}}));
    }

    tessera::test::TempDir m_dir{"tessera-names"};
    std::unique_ptr<storage::Database> m_db;
    std::unique_ptr<RoomStore> m_store;
};

TEST_F(RoomStoreNames, TheSummaryNamesTheHeroesWithTheirDisplayNames)
{
    ASSERT_TRUE(m_store->setMembership("!r:hs", Membership::Join));
    member("!r:hs", "@me:hs", "join", "Me");
    member("!r:hs", "@bob:hs", "join", "Bob");
    member("!r:hs", "@carol:hs", "join");
    ASSERT_TRUE(m_store->setSummary("!r:hs", {{"m.heroes", {"@bob:hs", "@carol:hs"}},
                                              {"m.joined_member_count", 12},
                                              {"m.invited_member_count", 1}}));
    auto room = m_store->room("!r:hs", "@me:hs");
    ASSERT_TRUE(room && *room);
    EXPECT_EQ((*room)->heroes, (std::vector<std::string>{"@bob:hs", "@carol:hs"}));
    EXPECT_EQ((*room)->heroNames, (std::vector<std::string>{"Bob", "@carol:hs"}));
    EXPECT_EQ((*room)->joinedMembers, 12);
    EXPECT_EQ((*room)->invitedMembers, 1);

    // A later summary without the counts keeps them (a sync sends what changed).
    ASSERT_TRUE(m_store->setSummary("!r:hs", {{"m.heroes", {"@bob:hs"}}}));
    room = m_store->room("!r:hs", "@me:hs");
    EXPECT_EQ((*room)->heroes, std::vector<std::string>{"@bob:hs"});
    EXPECT_EQ((*room)->joinedMembers, 12);
}

TEST_F(RoomStoreNames, WithoutASummaryTheMembersAreCounted)
{
    ASSERT_TRUE(m_store->setMembership("!r:hs", Membership::Join));
    member("!r:hs", "@me:hs", "join");
    member("!r:hs", "@bob:hs", "join", "Bob");
    member("!r:hs", "@dan:hs", "invite", "Dan");
    member("!r:hs", "@eve:hs", "leave", "Eve");
    auto room = m_store->room("!r:hs", "@me:hs");
    ASSERT_TRUE(room && *room);
    EXPECT_EQ((*room)->heroNames, (std::vector<std::string>{"Bob", "Dan"}));
    EXPECT_EQ((*room)->joinedMembers, 2);
    EXPECT_EQ((*room)->invitedMembers, 1);
}

TEST_F(RoomStoreNames, AnInvitationNamesTheInviter)
{
    ASSERT_TRUE(m_store->setMembership("!i:hs", Membership::Invite));
    member("!i:hs", "@alice:hs", "join", "Alice");
    member("!i:hs", "@me:hs", "invite", {}, "@alice:hs");
    auto room = m_store->room("!i:hs", "@me:hs");
    ASSERT_TRUE(room && *room);
    EXPECT_EQ((*room)->heroNames, std::vector<std::string>{"Alice"});
    EXPECT_EQ(computeRoomName(**room).kind, RoomName::Kind::Members);
}

TEST_F(RoomStoreNames, ANamedRoomReadsNoMembers)
{
    ASSERT_TRUE(m_store->setMembership("!n:hs", Membership::Join));
    ASSERT_TRUE(m_store->putState({{"room_id", "!n:hs"}, {"type", "m.room.canonical_alias"}, {"state_key", ""},
                                   {"event_id", "$alias"}, {"sender", "@a:hs"}, {"content", {{"alias", "#n:hs"}}}}));
    member("!n:hs", "@bob:hs", "join", "Bob");
    auto room = m_store->room("!n:hs", "@me:hs");
    ASSERT_TRUE(room && *room);
    EXPECT_EQ((*room)->canonicalAlias, "#n:hs");
    EXPECT_TRUE((*room)->heroNames.empty());
}

} // namespace
