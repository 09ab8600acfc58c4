// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include <set>

#include <gtest/gtest.h>

#include "consent/capabilitytext.h"

namespace tessera::consent {
namespace {

using bridge::CapabilityVerdict;

std::string en(std::string_view cap)
{
    return describeCapability(cap, Language::English).text;
}

std::string es(std::string_view cap)
{
    return describeCapability(cap, Language::Spanish).text;
}

RiskLevel risk(std::string_view cap)
{
    return describeCapability(cap, Language::English).risk;
}

const std::vector<std::string_view> kSimpleCapabilities{
    bridge::cap::kAlwaysOnScreen,         bridge::cap::kSticker,
    bridge::cap::kScreenshot,             bridge::cap::kRequiresClient,
    bridge::cap::kVisibility,             bridge::cap::kMsc2931Navigate,
    bridge::cap::kMsc3846TurnServers,     bridge::cap::kMsc3973UserDirectorySearch,
    bridge::cap::kMsc4039UploadFile,      bridge::cap::kMsc4039DownloadFile,
    bridge::cap::kMsc4157SendDelayedEvent, bridge::cap::kMsc4157UpdateDelayedEvent,
    bridge::cap::kMsc4407SendStickyEvent, bridge::cap::kMsc4407ReceiveStickyEvent,
};

TEST(CapabilityText, DescribesEverySimpleCapabilityInBothLanguages)
{
    std::set<std::string> english;
    for (auto cap : kSimpleCapabilities) {
        const auto d = describeCapability(cap, Language::English);
        const auto s = describeCapability(cap, Language::Spanish);
        EXPECT_EQ(d.verdict, CapabilityVerdict::Recognised) << cap;
        EXPECT_EQ(d.capability, cap);
        EXPECT_EQ(d.text.find("unrecognised"), std::string::npos) << cap;
        EXPECT_NE(d.text, s.text) << cap << " is not translated";
        EXPECT_NE(d.risk, RiskLevel::Invalid) << cap;
        EXPECT_EQ(d.risk, s.risk) << cap;
        english.insert(d.text);
    }
    // No two of them read the same.
    EXPECT_EQ(english.size(), kSimpleCapabilities.size());
}

TEST(CapabilityText, FillsInMsgtypesForMessages)
{
    EXPECT_EQ(en("org.matrix.msc2762.send.event:m.room.message#m.text"), "Send text messages as you in this room");
    EXPECT_EQ(es("org.matrix.msc2762.send.event:m.room.message#m.text"),
              "Enviar mensajes de texto en tu nombre en esta sala");
    EXPECT_EQ(en("org.matrix.msc2762.send.event:m.room.message"), "Send messages of any kind as you in this room");
    EXPECT_EQ(en("org.matrix.msc2762.send.event:m.room.message#org.example.poll"),
              "Send org.example.poll messages as you in this room");
    EXPECT_EQ(en("org.matrix.msc2762.send.event:m.room.message#"),
              "Send messages without a message type as you in this room");
    EXPECT_EQ(en("org.matrix.msc2762.receive.event:m.room.message#m.image"), "See images posted in this room");
    EXPECT_EQ(en("org.matrix.msc2762.receive.event:m.room.message"), "Read all messages in this room");
    EXPECT_EQ(es("org.matrix.msc2762.receive.event:m.room.message"), "Leer todos los mensajes de esta sala");
}

TEST(CapabilityText, FillsInEventTypes)
{
    EXPECT_EQ(en("org.matrix.msc2762.send.event:m.custom.thing"), "Send m.custom.thing events as you in this room");
    EXPECT_EQ(es("org.matrix.msc2762.send.event:m.custom.thing"), "Enviar eventos m.custom.thing en tu nombre en esta sala");
    EXPECT_EQ(en("org.matrix.msc2762.receive.event:m.custom.thing"), "See m.custom.thing events in this room");
    EXPECT_EQ(en("org.matrix.msc2762.send.event:m.reaction"), "React to messages as you in this room");
    EXPECT_EQ(en("org.matrix.msc2762.send.event:m.room.redaction"), "Remove messages as you in this room");
}

TEST(CapabilityText, FillsInStateTypesAndKeys)
{
    EXPECT_EQ(en("org.matrix.msc2762.receive.state_event:m.room.topic"), "Read the room's topic");
    EXPECT_EQ(es("org.matrix.msc2762.receive.state_event:m.room.topic"), "Leer el tema de la sala");
    EXPECT_EQ(en("org.matrix.msc2762.send.state_event:m.room.topic"), "Change the room's topic");
    EXPECT_EQ(en("org.matrix.msc2762.send.state_event:m.room.member"),
              "Invite, remove or ban people in this room, and make you leave it");
    EXPECT_EQ(en("org.matrix.msc2762.send.state_event:m.room.member#@bob:example.org"),
              "Change the membership of @bob:example.org in this room");
    EXPECT_EQ(en("org.matrix.msc2762.receive.state_event:m.room.member"),
              "See who is in this room and who joins, leaves or is invited");
    EXPECT_EQ(en("org.matrix.msc2762.send.state_event:io.tessera.card"),
              "Change io.tessera.card state in this room (any state key)");
    EXPECT_EQ(en("org.matrix.msc2762.send.state_event:io.tessera.card#"), "Change io.tessera.card state in this room");
    EXPECT_EQ(en("org.matrix.msc2762.send.state_event:io.tessera.card#42"),
              "Change io.tessera.card state in this room (state key 42)");
    EXPECT_EQ(es("org.matrix.msc2762.send.state_event:io.tessera.card#42"),
              "Cambiar el estado io.tessera.card de esta sala (clave de estado 42)");
    EXPECT_EQ(en("org.matrix.msc2762.receive.state_event:m.room.name#x"), "Read the room's name (state key x)");
}

TEST(CapabilityText, DescribesTimelineToDeviceAndAccountData)
{
    EXPECT_EQ(en("org.matrix.msc2762.timeline:*"), "See the timeline of all your rooms");
    EXPECT_EQ(es("org.matrix.msc2762.timeline:*"), "Ver la cronología de todas tus salas");
    EXPECT_EQ(en("org.matrix.msc2762.timeline:!other:example.org"), "See the timeline of the room !other:example.org");
    EXPECT_EQ(en("org.matrix.msc3819.send.to_device:io.element.call.encryption_keys"),
              "Send io.element.call.encryption_keys messages directly to people's devices as you");
    EXPECT_EQ(en("org.matrix.msc3819.receive.to_device:m.call.invite"),
              "Receive m.call.invite messages sent directly to your devices");
    EXPECT_EQ(en("com.beeper.capabilities.receive.room_account_data:m.fully_read"),
              "Read your private m.fully_read settings for this room");
}

TEST(CapabilityText, DescribesTheStableSpellingsLikeTheUnstableOnes)
{
    EXPECT_EQ(en("m.send.event:m.room.message#m.text"), en("org.matrix.msc2762.send.event:m.room.message#m.text"));
    EXPECT_EQ(en("m.receive.state_event:m.room.topic"), en("org.matrix.msc2762.receive.state_event:m.room.topic"));
    EXPECT_EQ(en("m.timeline:*"), en("org.matrix.msc2762.timeline:*"));
    // The raw string stays what the widget sent, for experts.
    EXPECT_EQ(describeCapability("m.timeline:*", Language::English).capability, "m.timeline:*");
}

TEST(CapabilityText, RatesRisk)
{
    EXPECT_EQ(risk("m.capability.screenshot"), RiskLevel::Low);
    EXPECT_EQ(risk("org.matrix.msc2762.receive.state_event:m.room.topic"), RiskLevel::Low);
    EXPECT_EQ(risk("org.matrix.msc2762.receive.event:m.room.message#m.text"), RiskLevel::Medium);
    EXPECT_EQ(risk("org.matrix.msc2762.send.event:m.reaction"), RiskLevel::Medium);
    EXPECT_EQ(risk("org.matrix.msc2762.send.state_event:m.room.topic"), RiskLevel::Medium);
    EXPECT_EQ(risk("org.matrix.msc2762.send.event:m.room.message#m.text"), RiskLevel::High);
    EXPECT_EQ(risk("org.matrix.msc2762.receive.event:m.room.message"), RiskLevel::High);
    EXPECT_EQ(risk("org.matrix.msc2762.send.state_event:m.room.power_levels"), RiskLevel::High);
    EXPECT_EQ(risk("org.matrix.msc2762.timeline:*"), RiskLevel::High);
    EXPECT_EQ(risk("org.matrix.msc3819.send.to_device:org.example.ping"), RiskLevel::High);
    EXPECT_STREQ(toString(RiskLevel::High), "high");
    EXPECT_EQ(describeRisk(RiskLevel::Low, Language::Spanish), "Riesgo bajo");
}

TEST(CapabilityText, IsHonestAboutStringsItDoesNotKnow)
{
    const auto d = describeCapability("com.example.mystery", Language::English);
    EXPECT_EQ(d.verdict, CapabilityVerdict::Unknown);
    EXPECT_EQ(d.risk, RiskLevel::High);
    EXPECT_EQ(d.text, "An unrecognised permission (com.example.mystery): Tessera cannot say what it allows, so it is "
                      "always refused");
    EXPECT_EQ(es("com.example.mystery"), "Un permiso no reconocido (com.example.mystery): Tessera no puede decir qué "
                                         "permite, así que siempre se deniega");
}

TEST(CapabilityText, SaysForbiddenAndMalformedOnesAreNeverGranted)
{
    const auto forbidden = describeCapability("org.matrix.msc3819.send.to_device:m.room_key", Language::English);
    EXPECT_EQ(forbidden.verdict, CapabilityVerdict::Forbidden);
    EXPECT_EQ(forbidden.text, "Send m.room_key messages directly to people's devices as you. Tessera never allows this");
    const auto malformed = describeCapability("org.matrix.msc2762.timeline:lobby", Language::English);
    EXPECT_EQ(malformed.verdict, CapabilityVerdict::Malformed);
    EXPECT_EQ(malformed.text, "A malformed permission (org.matrix.msc2762.timeline:lobby): it is always refused");
}

TEST(CapabilityText, ShortensHugeUnknownStringsButKeepsThemRaw)
{
    const std::string huge = "com.example." + std::string(800, 'x');
    const auto d = describeCapability(huge, Language::English);
    EXPECT_EQ(d.capability, huge);
    EXPECT_LT(d.text.size(), 400u);
    const auto binary = describeCapability(std::string("com.example.\xff"), Language::English);
    EXPECT_EQ(binary.text.find('\xff'), std::string::npos);
}

class PluginCapabilities final : public CustomCapabilityDirectory {
public:
    std::optional<CustomCapabilityInfo> findCustomCapability(std::string_view c) const override
    {
        if (c == "io.tessera.kanban.move_card")
            return CustomCapabilityInfo{"Kanban board", "Move the cards of this room's board"};
        if (c == "io.tessera.kanban.silent")
            return CustomCapabilityInfo{"Kanban board", ""};
        return std::nullopt;
    }
};

TEST(CapabilityText, NamesThePluginThatHandlesACapabilityAndWhatItSays)
{
    PluginCapabilities plugins;
    const auto d = describeCapability("io.tessera.kanban.move_card", Language::English, &plugins);
    EXPECT_EQ(d.verdict, CapabilityVerdict::Recognised);
    EXPECT_EQ(d.risk, RiskLevel::Medium);
    EXPECT_EQ(d.text, "Handled by the plugin Kanban board: Move the cards of this room's board");
    EXPECT_EQ(describeCapability("io.tessera.kanban.move_card", Language::Spanish, &plugins).text,
              "Lo gestiona el complemento Kanban board: Move the cards of this room's board");
    EXPECT_EQ(describeCapability("io.tessera.kanban.silent", Language::English, &plugins).text,
              "Use \"io.tessera.kanban.silent\", a permission handled by the plugin Kanban board");
    // Without the lookup the consent service decides with, it would say "always refused".
    const auto unknown = describeCapability("io.tessera.kanban.move_card", Language::English);
    EXPECT_EQ(unknown.verdict, CapabilityVerdict::Unknown);
    EXPECT_NE(unknown.text.find("always refused"), std::string::npos);
    EXPECT_EQ(describeCapability("io.tessera.kanban.other", Language::English, &plugins).verdict, CapabilityVerdict::Unknown);
}

TEST(CapabilityText, ExplainsEveryRefusalInBothLanguages)
{
    using bridge::RefusalReason;
    std::set<std::string> english;
    for (auto r : {RefusalReason::EmptyOrTooLong, RefusalReason::ControlCharacters, RefusalReason::Unsupported,
                   RefusalReason::TimelineRoomId, RefusalReason::EventTypeLength, RefusalReason::KeyLength,
                   RefusalReason::EncryptionToDevice, RefusalReason::StateTypeAsEvent, RefusalReason::MessageTypeAsState,
                   RefusalReason::PreEncrypted, RefusalReason::NotImplemented}) {
        const std::string en = describeRefusal(r, Language::English);
        const std::string es = describeRefusal(r, Language::Spanish);
        EXPECT_FALSE(en.empty());
        EXPECT_NE(en, es);
        EXPECT_TRUE(english.insert(en).second) << "one sentence per reason: " << en;
    }
    EXPECT_EQ(describeRefusal(bridge::checkCapability(std::string(2000, 'a')).refusal, Language::English),
              "it is empty or longer than 1024 bytes");
    EXPECT_EQ(describeRefusal(bridge::checkCapability("com.example.mystery").refusal, Language::Spanish),
              "Tessera no admite este permiso");
}

TEST(CapabilityText, SaysWhatElementCallsUnimplementedCapabilitiesWouldDo)
{
    // Known proposals Tessera does not implement: said in words, and "not supported by Tessera".
    const auto transports = describeCapability("org.matrix.msc4515.rtc_transports", Language::English);
    EXPECT_EQ(transports.verdict, CapabilityVerdict::Unknown);
    EXPECT_EQ(transports.text, "Find the media servers that carry calls (MatrixRTC transports, MSC4515)");
    EXPECT_EQ(describeRefusal(bridge::checkCapability("org.matrix.msc4515.rtc_transports").refusal, Language::English),
              "not supported by Tessera");
    EXPECT_EQ(describeRefusal(bridge::checkCapability("org.matrix.msc4533.rtc_livekit_get_token").refusal, Language::Spanish),
              "Tessera no lo admite");
    EXPECT_NE(describeCapability("org.matrix.msc4533.rtc_livekit_delegate_delayed_leave", Language::Spanish).text.find("MSC4533"),
              std::string::npos);
    // An unknown capability of an unknown proposal stays "unrecognised".
    EXPECT_EQ(bridge::checkCapability("org.matrix.msc9999.other").refusal, bridge::RefusalReason::Unsupported);
}

TEST(CapabilityText, DescribesTheOtherConsentQuestions)
{
    EXPECT_EQ(describeOpenIdRequest(Language::English), "Confirm your identity (your Matrix ID) to the widget's server");
    EXPECT_EQ(describeLoadRequest("@bot:example.org", "https://board.example.com", Language::Spanish),
              "Cargar un widget añadido por @bot:example.org. Usarlo puede compartir datos con https://board.example.com");
    EXPECT_EQ(describeBrowserPermission(BrowserPermission::Camera, Language::English), "Use your camera");
    EXPECT_EQ(describeBrowserPermission(BrowserPermission::ScreenShare, Language::Spanish), "Compartir tu pantalla");
    EXPECT_EQ(browserPermissionRisk(BrowserPermission::Microphone), RiskLevel::High);
    EXPECT_EQ(browserPermissionRisk(BrowserPermission::ClipboardWrite), RiskLevel::Low);
    for (auto p : {BrowserPermission::Camera, BrowserPermission::Microphone, BrowserPermission::ScreenShare,
                   BrowserPermission::ClipboardRead, BrowserPermission::ClipboardWrite})
        EXPECT_EQ(browserPermissionFromString(toString(p)), p);
    EXPECT_EQ(browserPermissionFromString("geolocation"), std::nullopt);
}

TEST(CapabilityText, PicksTheLanguageFromALocaleTag)
{
    EXPECT_EQ(languageFromTag("es"), Language::Spanish);
    EXPECT_EQ(languageFromTag("es-MX"), Language::Spanish);
    EXPECT_EQ(languageFromTag("es_ES.UTF-8"), Language::Spanish);
    EXPECT_EQ(languageFromTag("EN-gb"), Language::English);
    EXPECT_EQ(languageFromTag("fr-FR"), std::nullopt);
    EXPECT_EQ(languageFromTag(""), std::nullopt);
}

} // namespace
} // namespace tessera::consent
