// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "bridge/capabilities.h"

using namespace tessera::bridge;

namespace {
Capability parsed(const std::string &raw)
{
    auto c = parseCapability(raw);
    EXPECT_TRUE(c) << raw;
    return c ? *c : Capability{};
}

CapabilitySet setOf(std::initializer_list<const char *> raws)
{
    CapabilitySet set;
    for (const char *raw : raws) {
        auto check = checkCapability(raw);
        EXPECT_EQ(check.verdict, CapabilityVerdict::Recognised) << raw << ": " << check.reason;
        if (check.parsed)
            set.add(*check.parsed);
    }
    return set;
}
} // namespace

TEST(CapabilityGrammar, SplitsStateKeysAndMsgtypesLikeTheReference)
{
    // The reference's table (WidgetEventCapability.ts).
    auto a = parsed("org.matrix.msc2762.send.event:m.room.message#");
    EXPECT_EQ(a.eventType, "m.room.message");
    EXPECT_EQ(a.key, std::optional<std::string>(""));
    auto b = parsed("org.matrix.msc2762.send.event:m.room.message##test");
    EXPECT_EQ(b.eventType, "m.room.message");
    EXPECT_EQ(b.key, std::optional<std::string>("#test"));
    auto c = parsed("org.matrix.msc2762.send.state_event:m.room.message\\##test");
    EXPECT_EQ(c.eventType, "m.room.message#");
    EXPECT_EQ(c.key, std::optional<std::string>("test"));
    auto d = parsed("org.matrix.msc2762.send.state_event:m.room.message\\\\##test");
    EXPECT_EQ(d.eventType, "m.room.message\\#");
    EXPECT_EQ(d.key, std::optional<std::string>("test"));
}

TEST(CapabilityGrammar, KeepsHashLiterallyInOtherEventTypes)
{
    auto c = parsed("org.matrix.msc2762.send.event:org.example#thing");
    EXPECT_EQ(c.kind, CapabilityKind::SendEvent);
    EXPECT_EQ(c.eventType, "org.example#thing");
    EXPECT_FALSE(c.key);
}

TEST(CapabilityGrammar, NoHashMeansAnyKey)
{
    auto c = parsed("org.matrix.msc2762.receive.state_event:m.room.topic");
    EXPECT_EQ(c.kind, CapabilityKind::ReceiveStateEvent);
    EXPECT_FALSE(c.key);
}

TEST(CapabilityGrammar, AcceptsTheStableSpellingsOfMsc2762AndMsc3819)
{
    EXPECT_EQ(parsed("m.send.event:m.room.message#m.text").kind, CapabilityKind::SendEvent);
    EXPECT_EQ(parsed("m.receive.state_event:m.room.name#").kind, CapabilityKind::ReceiveStateEvent);
    EXPECT_EQ(parsed("m.timeline:*").kind, CapabilityKind::Timeline);
    EXPECT_EQ(parsed("m.send.to_device:org.example.ping").kind, CapabilityKind::SendToDevice);
    auto raw = parsed("m.send.event:m.room.message#m.text");
    EXPECT_EQ(raw.raw, "m.send.event:m.room.message#m.text");
}

TEST(CapabilityGrammar, ParsesTimelineCapabilities)
{
    EXPECT_EQ(parsed("org.matrix.msc2762.timeline:!abc:example.org").roomId, "!abc:example.org");
    EXPECT_EQ(parsed("org.matrix.msc2762.timeline:*").roomId, "*");
}

TEST(CapabilityCheck, DeniesUnknownCapabilities)
{
    EXPECT_EQ(checkCapability("org.example.unknown").verdict, CapabilityVerdict::Unknown);
    EXPECT_EQ(checkCapability("io.element.view_room").verdict, CapabilityVerdict::Unknown);
}

TEST(CapabilityCheck, RecognisesCustomCapabilitiesOnlyWhenAPluginClaimsThem)
{
    struct Lookup : CustomCapabilityLookup {
        bool isCustomCapability(std::string_view c) const override { return c == "io.tessera.kanban.move"; }
    } lookup;
    EXPECT_EQ(checkCapability("io.tessera.kanban.move").verdict, CapabilityVerdict::Unknown);
    auto check = checkCapability("io.tessera.kanban.move", &lookup);
    EXPECT_EQ(check.verdict, CapabilityVerdict::Recognised);
    EXPECT_EQ(check.parsed->kind, CapabilityKind::Custom);
}

TEST(CapabilityCheck, ForbidsEncryptionToDeviceTypes)
{
    for (const char *type : {"m.room_key", "m.room_key_request", "m.room_key.withheld", "m.forwarded_room_key",
                             "m.secret.request", "m.secret.send", "m.key.verification.start", "m.room.encrypted", "m.dummy"}) {
        EXPECT_EQ(checkCapability(std::string("org.matrix.msc3819.send.to_device:") + type).verdict, CapabilityVerdict::Forbidden) << type;
        EXPECT_EQ(checkCapability(std::string("org.matrix.msc3819.receive.to_device:") + type).verdict, CapabilityVerdict::Forbidden) << type;
    }
    EXPECT_EQ(checkCapability("org.matrix.msc3819.send.to_device:io.element.call.encryption_keys").verdict,
              CapabilityVerdict::Recognised);
}

TEST(CapabilityCheck, ForbidsStateAndMessageTypeConfusion)
{
    // MSC2762: clients SHOULD deny send.event of known state types and vice versa.
    EXPECT_EQ(checkCapability("org.matrix.msc2762.send.event:m.room.topic").verdict, CapabilityVerdict::Forbidden);
    EXPECT_EQ(checkCapability("org.matrix.msc2762.send.event:m.room.power_levels").verdict, CapabilityVerdict::Forbidden);
    EXPECT_EQ(checkCapability("org.matrix.msc2762.send.state_event:m.room.message").verdict, CapabilityVerdict::Forbidden);
    EXPECT_EQ(checkCapability("org.matrix.msc2762.send.state_event:m.reaction").verdict, CapabilityVerdict::Forbidden);
    EXPECT_EQ(checkCapability("org.matrix.msc2762.send.state_event:m.room.topic").verdict, CapabilityVerdict::Recognised);
    // Reading is harmless either way.
    EXPECT_EQ(checkCapability("org.matrix.msc2762.receive.event:m.room.topic").verdict, CapabilityVerdict::Recognised);
}

TEST(CapabilityCheck, RejectsMalformedTails)
{
    EXPECT_EQ(checkCapability("org.matrix.msc2762.send.event:").verdict, CapabilityVerdict::Malformed);
    EXPECT_EQ(checkCapability("org.matrix.msc2762.timeline:room").verdict, CapabilityVerdict::Malformed);
    EXPECT_EQ(checkCapability("org.matrix.msc2762.send.state_event:a\\#b\\").verdict, CapabilityVerdict::Malformed);
    EXPECT_EQ(checkCapability("").verdict, CapabilityVerdict::Malformed);
    EXPECT_EQ(checkCapability(std::string(1025, 'a')).verdict, CapabilityVerdict::Malformed);
    EXPECT_EQ(checkCapability("m.always_on_screen\n").verdict, CapabilityVerdict::Malformed);
    EXPECT_EQ(checkCapability("org.matrix.msc2762.send.event:" + std::string(256, 'x')).verdict, CapabilityVerdict::Malformed);
}

TEST(CapabilityMatching, StateKeysMatchExactlyOrAny)
{
    auto set = setOf({"org.matrix.msc2762.receive.state_event:m.room.member#@alice:example.org",
                      "org.matrix.msc2762.receive.state_event:m.room.topic"});
    const std::string alice = "@alice:example.org", bob = "@bob:example.org", empty;
    EXPECT_TRUE(set.canReceiveStateEvent("m.room.member", &alice));
    EXPECT_FALSE(set.canReceiveStateEvent("m.room.member", &bob));
    EXPECT_FALSE(set.canReceiveStateEvent("m.room.member", nullptr)) << "any-key request needs an any-key capability";
    EXPECT_TRUE(set.canReceiveStateEvent("m.room.topic", &empty));
    EXPECT_TRUE(set.canReceiveStateEvent("m.room.topic", nullptr));
    EXPECT_FALSE(set.canSendStateEvent("m.room.topic", "")) << "receive does not grant send";
}

TEST(CapabilityMatching, MsgtypeFiltersOnlyApplyToRoomMessages)
{
    auto set = setOf({"org.matrix.msc2762.send.event:m.room.message#m.text", "org.matrix.msc2762.send.event:m.reaction"});
    const std::string text = "m.text", notice = "m.notice";
    EXPECT_TRUE(set.canSendRoomEvent("m.room.message", &text));
    EXPECT_FALSE(set.canSendRoomEvent("m.room.message", &notice));
    EXPECT_FALSE(set.canSendRoomEvent("m.room.message", nullptr));
    EXPECT_TRUE(set.canSendRoomEvent("m.reaction", nullptr));
    EXPECT_TRUE(set.canSendRoomEvent("m.reaction", &notice));
}

TEST(CapabilityMatching, EmptyMsgtypeMatchesOnlyAnEmptyMsgtype)
{
    auto set = setOf({"org.matrix.msc2762.receive.event:m.room.message#"});
    const std::string empty, text = "m.text";
    EXPECT_TRUE(set.canReceiveRoomEvent("m.room.message", &empty));
    EXPECT_FALSE(set.canReceiveRoomEvent("m.room.message", &text));
}

TEST(CapabilityMatching, TimelineCapabilities)
{
    auto one = setOf({"org.matrix.msc2762.timeline:!a:example.org"});
    EXPECT_TRUE(one.canUseRoomTimeline("!a:example.org"));
    EXPECT_FALSE(one.canUseRoomTimeline("!b:example.org"));
    auto all = setOf({"m.timeline:*"});
    EXPECT_TRUE(all.canUseRoomTimeline("!b:example.org"));
    EXPECT_TRUE(all.remove("m.timeline:*"));
    EXPECT_FALSE(all.canUseRoomTimeline("!b:example.org"));
}

TEST(CapabilityMatching, NeverMatchesEncryptionTypesEvenIfInserted)
{
    CapabilitySet set;
    Capability c = *parseCapability("org.matrix.msc3819.receive.to_device:m.room_key");
    set.add(c); // a buggy caller bypassing checkCapability
    EXPECT_FALSE(set.canReceiveToDevice("m.room_key"));
}

TEST(CapabilityMatching, KeepsRawStringsInApprovalOrderWithoutDuplicates)
{
    auto set = setOf({"m.always_on_screen", "org.matrix.msc2931.navigate"});
    EXPECT_FALSE(set.add(*parseCapability("m.always_on_screen")));
    EXPECT_EQ(set.rawList(), (std::vector<std::string>{"m.always_on_screen", "org.matrix.msc2931.navigate"}));
    EXPECT_TRUE(set.hasSimple("m.always_on_screen"));
    EXPECT_FALSE(set.hasSimple("m.sticker"));
}

TEST(CapabilityCheck, NamesTheRuleThatRefusedEachCapability)
{
    const auto refusal = [](std::string_view raw) { return checkCapability(raw).refusal; };
    EXPECT_EQ(refusal("m.always_on_screen"), RefusalReason::Invalid);
    EXPECT_EQ(refusal(""), RefusalReason::EmptyOrTooLong);
    EXPECT_EQ(refusal(std::string(kMaxCapabilityLength + 1, 'a')), RefusalReason::EmptyOrTooLong);
    EXPECT_EQ(refusal("m.always_on_screen\n"), RefusalReason::ControlCharacters);
    EXPECT_EQ(refusal("org.example.unknown"), RefusalReason::Unsupported);
    EXPECT_EQ(refusal("org.matrix.msc2762.timeline:lobby"), RefusalReason::TimelineRoomId);
    EXPECT_EQ(refusal("org.matrix.msc2762.send.event:"), RefusalReason::EventTypeLength);
    EXPECT_EQ(refusal("org.matrix.msc2762.send.state_event:m.room.topic#" + std::string(300, 'k')), RefusalReason::KeyLength);
    EXPECT_EQ(refusal("org.matrix.msc3819.send.to_device:m.room_key"), RefusalReason::EncryptionToDevice);
    EXPECT_EQ(refusal("org.matrix.msc2762.send.event:m.room.topic"), RefusalReason::StateTypeAsEvent);
    EXPECT_EQ(refusal("org.matrix.msc2762.send.state_event:m.reaction"), RefusalReason::MessageTypeAsState);
    EXPECT_EQ(refusal("org.matrix.msc2762.send.event:m.room.encrypted"), RefusalReason::PreEncrypted);
}
