// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The Jitsi fallback plugin (plugins/jitsi-fallback), loaded as built: how `jitsi` and `m.jitsi`
// widgets become the Jitsi Meet page on their server (never a wrapper page), the room's config
// and the user reaching build_url (ABI 1.3), and the widgets it cannot show getting a reason
// (TESSERA_BAD_WIDGET) instead of counting as failures. Its URL functions are also compiled in
// here and checked against Tessera's own (the derived conference must be the one "+" proposes).
// Its probe of the room's LiveKit call service runs against a loopback stand-in (FakeLiveKit).
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "fakelivekit.h"
#include "jitsiurl.h"
#include "net/httpclient.h"
#include "pluginharness.h"
#include "plugins/roomenablement.h"
#include "tokens/ed25519.h"
#include "widgets/catalog.h"

using nlohmann::json;
using tessera::ErrorCode;
using tessera::plugins::PluginState;
using tessera::plugins::RoomPluginStatus;
using tessera::test::PluginHarness;

namespace {

const std::string kPlugin = "io.tessera.jitsi";
const std::string kRoom = "!standup:example.org";

/** The built plugins' folder with the Jitsi fallback loaded. */
struct Jitsi {
    PluginHarness h;

    Jitsi()
    {
        h.load({std::filesystem::path(TESSERA_BUILT_PLUGIN_DIR) / "jitsi-fallback"});
        EXPECT_EQ(h.record(kPlugin).state, PluginState::Running) << h.record(kPlugin).error;
    }

    /** A widget as the host hands it to build_url, with the room's config and the user. */
    static json widget(json data, const std::string &type = "m.jitsi", const std::string &url = "https://meet.example.org/x",
                       json config = json::object(), const std::string &name = "Jitsi Meet")
    {
        return json{{"id", "jitsi-1"},
                    {"type", type},
                    {"url", url},
                    {"name", name},
                    {"data", std::move(data)},
                    {"room_id", kRoom},
                    {"creator", "@bob:example.org"},
                    {"config", std::move(config)},
                    {"user", {{"id", "@ana:example.org"}, {"display_name", "Ana"}}}};
    }

    tessera::Result<std::string> build(const json &w) { return h.manager->buildWidgetUrl(w.value("type", ""), w); }

    /** The reason the plugin gives for a widget it cannot show (and that it is such a refusal). */
    std::string refusal(const json &w)
    {
        auto r = build(w);
        if (r) {
            ADD_FAILURE() << "built " << *r;
            return {};
        }
        EXPECT_EQ(r.error().code, ErrorCode::BadRequest) << r.error().message;
        return r.error().message;
    }
};

std::string hex(const std::string &bytes)
{
    static const char kHex[] = "0123456789abcdef";
    std::string out;
    for (const char c : bytes) {
        out += kHex[(static_cast<unsigned char>(c) >> 4) & 15];
        out += kHex[static_cast<unsigned char>(c) & 15];
    }
    return out;
}

} // namespace

TEST(JitsiFallbackPlugin, OpensTheMeetPageOnTheWidgetsServerWithTheUserInTheFragment)
{
    Jitsi j;
    auto url = j.build(Jitsi::widget({{"domain", "Meet.Example.ORG"}, {"conferenceId", "standup"}, {"isAudioOnly", false}}));
    ASSERT_TRUE(url) << url.error().message;
    EXPECT_EQ(*url, "https://meet.example.org/standup#config.subject=%22Jitsi%20Meet%22&userInfo.displayName=%22Ana%22");
    EXPECT_EQ(j.h.audit.about("plugin.build_url").back().decision, tessera::audit::Decision::Allowed);
}

TEST(JitsiFallbackPlugin, NeverLoadsElementsWrapperPageButTheConferenceItWraps)
{
    Jitsi j;
    // Element's widget: a wrapper URL whose variables its data fills in.
    const std::string wrapper = "https://app.element.io/jitsi.html#conferenceDomain=$domain&conferenceId=$conferenceId"
                                "&isAudioOnly=$isAudioOnly&displayName=$matrix_display_name&userId=$matrix_user_id";
    auto url = j.build(Jitsi::widget(
        {{"domain", "meet.element.io"}, {"conferenceId", "JitsiAbcDef"}, {"isAudioOnly", true}, {"roomName", "Ops"}},
        "jitsi", wrapper));
    ASSERT_TRUE(url) << url.error().message;
    EXPECT_EQ(*url, "https://meet.element.io/JitsiAbcDef#config.subject=%22Ops%22&config.startAudioOnly=true"
                    "&userInfo.displayName=%22Ana%22");

    // An older wrapper with the conference in its query and no data: the server from the room's config.
    const std::string scalar = "https://scalar.vector.im/api/widgets/jitsi.html?confId=OldConf&isAudioOnly=false"
                               "&displayName=$matrix_display_name";
    auto old = j.build(Jitsi::widget(json::object(), "jitsi", scalar, {{"domain", "jitsi.example.org"}}));
    ASSERT_TRUE(old) << old.error().message;
    EXPECT_EQ(*old, "https://jitsi.example.org/OldConf#config.subject=%22Jitsi%20Meet%22&userInfo.displayName=%22Ana%22");

    // The wrapper's fragment may name the server itself.
    auto named = j.build(Jitsi::widget(json::object(), "jitsi",
                                       "https://wrapper.example.com/jitsi.html#conferenceDomain=meet.example.net"
                                       "&conferenceId=Weekly%20sync"));
    ASSERT_TRUE(named) << named.error().message;
    EXPECT_EQ(named->rfind("https://meet.example.net/Weekly%20sync#", 0), 0u) << *named;
}

TEST(JitsiFallbackPlugin, EveryMemberMeetsInTheConferenceTheRoomDerives)
{
    Jitsi j;
    const json config{{"domain", "jitsi.example.org"}};
    auto url = j.build(Jitsi::widget(json::object(), "m.jitsi", "https://tessera.invalid/plugin-widget", config));
    ASSERT_TRUE(url) << url.error().message;
    const std::string conference = tessera::widgets::defaultJitsiConference(kRoom);
    EXPECT_EQ(url->rfind("https://jitsi.example.org/" + conference + "#", 0), 0u) << *url;
    // The same conference Tessera's "+" proposes for a new Jitsi widget in this room.
    EXPECT_EQ(tessera::jitsi::conferenceForRoom(kRoom), conference);
    EXPECT_NE(tessera::jitsi::conferenceForRoom("!other:example.org"), conference);
}

TEST(JitsiFallbackPlugin, TheWidgetsServerComesBeforeTheRoomsAndTheRoomsBeforeTheUsers)
{
    using tessera::jitsi::buildMeetUrl;
    const json settings{{"domain", "mine.example.org"}};
    auto w = Jitsi::widget({{"conferenceId", "c"}, {"domain", "widget.example.org"}}, "m.jitsi", "",
                           {{"domain", "room.example.org"}});
    EXPECT_EQ(buildMeetUrl(w, settings).url.rfind("https://widget.example.org/c#", 0), 0u);
    w["data"].erase("domain");
    EXPECT_EQ(buildMeetUrl(w, settings).url.rfind("https://room.example.org/c#", 0), 0u);
    w["config"] = json::object();
    EXPECT_EQ(buildMeetUrl(w, settings).url.rfind("https://mine.example.org/c#", 0), 0u);
    const auto none = buildMeetUrl(w, json::object());
    EXPECT_FALSE(none.ok());
    EXPECT_EQ(none.problem, "The widget names no Jitsi server, and neither this room's settings of the plugin nor "
                            "yours name one.");
}

TEST(JitsiFallbackPlugin, EscapesTheConferenceAndTheFragmentValues)
{
    Jitsi j;
    auto w = Jitsi::widget({{"domain", "meet.example.org"}, {"conferenceId", "Caf\xc3\xa9 del lunes?&#"}}, "m.jitsi",
                           "", json::object(), "Ops \"daily\" & <more>");
    w["user"]["display_name"] = "Ana \\ #1 \xc3\xb1";
    auto url = j.build(w);
    ASSERT_TRUE(url) << url.error().message;
    EXPECT_EQ(*url, "https://meet.example.org/Caf%C3%A9%20del%20lunes%3F%26%23"
                    "#config.subject=%22Ops%20%5C%22daily%5C%22%20%26%20%3Cmore%3E%22"
                    "&userInfo.displayName=%22Ana%20%5C%5C%20%231%20%C3%B1%22");

    // Long names are cut at a character boundary, not in the middle of one.
    std::string longName;
    for (int i = 0; i < 200; ++i)
        longName += "\xc3\xa9"; // é, two bytes
    w["user"]["display_name"] = longName;
    w["name"] = "";
    url = j.build(w);
    ASSERT_TRUE(url) << url.error().message;
    std::string encoded;
    for (std::size_t i = 0; i < tessera::jitsi::kMaxFragmentTextBytes / 2; ++i)
        encoded += "%C3%A9";
    EXPECT_EQ(*url, "https://meet.example.org/Caf%C3%A9%20del%20lunes%3F%26%23#userInfo.displayName=%22" + encoded + "%22");
    EXPECT_EQ(tessera::jitsi::percentEncode("aZ09-._~ /%"), "aZ09-._~%20%2F%25");
}

TEST(JitsiFallbackPlugin, RefusesServersThatAreNotHostNamesWithTheReason)
{
    Jitsi j;
    for (const std::string &bad : std::vector<std::string>{
             "https://meet.example.org", "meet.example.org/room", "ana@meet.example.org", "-meet.example.org",
          "meet..example.org", "meet.example.org.", "[::1]", "meet.example.org:0", "meet.example.org:65536",
          "meet.example.org:08443", ":443", "meet example.org", std::string(64, 'a') + ".org"}) {
        EXPECT_EQ(j.refusal(Jitsi::widget({{"domain", bad}, {"conferenceId", "c"}})),
                  "The widget's Jitsi server \"" + bad + "\" is not a server name (like meet.example.org).")
            << bad;
    }
    EXPECT_EQ(j.refusal(Jitsi::widget({{"conferenceId", "c"}}, "m.jitsi", "", {{"domain", "not a host"}})),
              "The Jitsi server in this room's settings of the plugin \"not a host\" is not a server name (like "
              "meet.example.org).");
    // What is accepted: a port, digits, the longest names.
    EXPECT_EQ(tessera::jitsi::normaliseDomain("Meet.Example.org:8443").value_or("-"), "meet.example.org:8443");
    EXPECT_EQ(tessera::jitsi::normaliseDomain("127.0.0.1:65535").value_or("-"), "127.0.0.1:65535");
    std::string longest;
    while (longest.size() + 64 <= tessera::jitsi::kMaxDomainBytes)
        longest += std::string(63, 'a') + ".";
    longest += std::string(tessera::jitsi::kMaxDomainBytes - longest.size(), 'b');
    ASSERT_EQ(longest.size(), tessera::jitsi::kMaxDomainBytes);
    EXPECT_EQ(tessera::jitsi::normaliseDomain(longest).value_or("-"), longest);
    EXPECT_FALSE(tessera::jitsi::normaliseDomain(longest + "b").has_value());
}

TEST(JitsiFallbackPlugin, AWidgetItCannotShowGetsAReasonAndNeverDisablesThePlugin)
{
    Jitsi j;
    EXPECT_EQ(j.refusal(Jitsi::widget({{"conferenceId", "c"}})),
              "The widget names no Jitsi server, and neither this room's settings of the plugin nor yours name one.");
    auto noRoom = Jitsi::widget({{"domain", "meet.example.org"}});
    noRoom.erase("room_id");
    EXPECT_EQ(j.refusal(noRoom), "The widget names no conference, and it has no room to derive one from.");
    const std::string slash = "The conference name has a character a Jitsi room name cannot have (a control character, "
                              "/ or \\).";
    EXPECT_EQ(j.refusal(Jitsi::widget({{"domain", "meet.example.org"}, {"conferenceId", "../admin"}})), slash);
    EXPECT_EQ(j.refusal(Jitsi::widget({{"domain", "meet.example.org"}, {"conferenceId", "a\nb"}})), slash);
    const std::string longest(tessera::jitsi::kMaxConferenceBytes, 'c');
    EXPECT_TRUE(j.build(Jitsi::widget({{"domain", "meet.example.org"}, {"conferenceId", longest}})));
    EXPECT_EQ(j.refusal(Jitsi::widget({{"domain", "meet.example.org"}, {"conferenceId", longest + "c"}})),
              "The conference name is longer than 128 bytes.");
    EXPECT_EQ(j.h.audit.about("plugin.build_url").back().decision, tessera::audit::Decision::Refused);
    EXPECT_EQ(j.h.record(kPlugin).state, PluginState::Running);
    EXPECT_EQ(j.h.record(kPlugin).callsFailed, 0u);
    EXPECT_TRUE(j.build(Jitsi::widget({{"domain", "meet.example.org"}, {"conferenceId", "c"}})));
}

TEST(JitsiFallbackPlugin, ShowsInRoomsThatNeverEnabledItButNotWhereItWasTurnedOff)
{
    Jitsi j;
    for (const char *type : {"m.jitsi", "jitsi"}) {
        const auto *info = j.h.manager->findWidgetType(type);
        ASSERT_NE(info, nullptr) << type;
        EXPECT_TRUE(info->enabledByDefault) << type;
        const auto fresh = tessera::plugins::decideWidgetType(type, *j.h.manager, {}, json(), "@ana:example.org");
        ASSERT_TRUE(fresh);
        EXPECT_EQ(fresh->status, RoomPluginStatus::Enabled) << type;
        EXPECT_EQ(fresh->config, json::object());
    }
    auto event = [](json content) {
        return json{{"type", "io.tessera.plugin"}, {"state_key", kPlugin}, {"sender", "@bob:example.org"},
                    {"content", std::move(content)}};
    };
    const auto configured = tessera::plugins::decideWidgetType(
        "m.jitsi", *j.h.manager, {event({{"enabled", true}, {"config", {{"domain", "jitsi.example.org"}}}})}, json(),
        "@ana:example.org");
    ASSERT_TRUE(configured);
    EXPECT_EQ(configured->config, (json{{"domain", "jitsi.example.org"}}));
    const auto off =
        tessera::plugins::decideWidgetType("jitsi", *j.h.manager, {event({{"enabled", false}})}, json(), "@ana:example.org");
    ASSERT_TRUE(off);
    EXPECT_EQ(off->status, RoomPluginStatus::DisabledHere);
    const auto wrong = tessera::plugins::decideWidgetType(
        "jitsi", *j.h.manager, {event({{"enabled", true}, {"config", {{"server", "x"}}}})}, json(), "@ana:example.org");
    ASSERT_TRUE(wrong);
    EXPECT_EQ(wrong->status, RoomPluginStatus::InvalidConfig);
}

TEST(JitsiFallbackPlugin, ItsSha256IsTheStandardOne)
{
    EXPECT_EQ(hex(tessera::jitsi::sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(hex(tessera::jitsi::sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    std::string text;
    for (int i = 0; i < 300; ++i) {
        EXPECT_EQ(tessera::jitsi::sha256(text), tessera::tokens::sha256(text)) << text.size();
        text += static_cast<char>('!' + (i * 7) % 90);
    }
}

// ---- The LiveKit probe, through the host's HTTP client, against a loopback stand-in ----------

namespace {

const std::string kProbe = "io.tessera.jitsi.probe.livekit";

/** The Jitsi fallback with a real HTTP client and a fake LiveKit deployment on 127.0.0.1. */
struct Probing {
    tessera::test::FakeLiveKit livekit;
    PluginHarness h;
    std::unique_ptr<tessera::net::HttpClient> http;

    Probing()
    {
        http = std::make_unique<tessera::net::HttpClient>(h.scheduler);
        h.services.http = http.get();
        h.load({std::filesystem::path(TESSERA_BUILT_PLUGIN_DIR) / "jitsi-fallback"});
        EXPECT_EQ(h.record(kPlugin).state, PluginState::Running) << h.record(kPlugin).error;
    }
    ~Probing() { h.manager.reset(); } // before the client it uses

    tessera::bridge::WidgetContext callWidget() const
    {
        auto w = tessera::test::widgetContext("call-1", kRoom);
        w.widgetType = "m.call";
        w.origin = "https://call.example.org";
        w.url = "https://call.example.org/room";
        return w;
    }

    tessera::Result<json> probe(json data)
    {
        auto outcome = h.call(kProbe, std::move(data), callWidget());
        const auto giveUp = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (!outcome->has_value() && std::chrono::steady_clock::now() < giveUp) {
            h.scheduler.runPosted();
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        if (!outcome->has_value())
            return tessera::Error(ErrorCode::Timeout, "no answer");
        return std::move(**outcome);
    }

    json withToken(json data = json::object()) const
    {
        data["server"] = livekit.base();
        data["openid_token"] = {{"access_token", "openid-secret"}, {"token_type", "Bearer"},
                                {"matrix_server_name", "example.org"}, {"expires_in", 3600}};
        data["device_id"] = "DEVICE";
        return data;
    }
};

} // namespace

TEST(JitsiFallbackPlugin, ProbeFindsAHealthyServiceThroughTheWellKnownTheJwtServiceAndTheSfu)
{
    Probing p;
    auto r = p.probe(p.withToken());
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ((*r)["state"], "healthy") << r->dump();
    EXPECT_EQ((*r)["step"], "sfu");
    EXPECT_EQ((*r)["service_url"], p.livekit.serviceUrl());
    EXPECT_EQ((*r)["sfu_url"], "http://127.0.0.1:" + p.livekit.sfuUrl().substr(std::string("ws://127.0.0.1:").size()));
    EXPECT_EQ(r->dump().find("header.claims.signature"), std::string::npos) << "the JWT is not handed on";
    const auto seen = p.livekit.requests();
    ASSERT_EQ(seen.size(), 3u);
    EXPECT_EQ(seen[0].path, "/.well-known/matrix/client");
    EXPECT_EQ(seen[1].method, "POST");
    EXPECT_EQ(seen[1].path, "/livekit/jwt/sfu/get");
    const json asked = json::parse(seen[1].body);
    EXPECT_EQ(asked["room"], kRoom);
    EXPECT_EQ(asked["openid_token"]["access_token"], "openid-secret");
    EXPECT_EQ(asked["device_id"], "DEVICE");
    EXPECT_EQ(seen[2].path, "/sfu/");
    // Each step is audited with the call widget it was made for.
    const auto rows = p.h.audit.about("plugin.http");
    ASSERT_EQ(rows.size(), 3u);
    for (const auto &row : rows)
        EXPECT_EQ(row.widgetId, "call-1");

    // Without an OpenID token only the service's health is asked.
    auto bare = p.probe({{"server", p.livekit.base()}});
    ASSERT_TRUE(bare) << bare.error().message;
    EXPECT_EQ((*bare)["state"], "healthy");
    EXPECT_EQ((*bare)["step"], "jwt-service");
    EXPECT_EQ(p.livekit.requests().back().path, "/livekit/jwt/healthz");
}

TEST(JitsiFallbackPlugin, ProbeSaysWhichStepFailedAndHow)
{
    using Service = tessera::test::FakeLiveKit::Service;
    using WellKnown = tessera::test::FakeLiveKit::WellKnown;
    struct Case {
        WellKnown wellKnown;
        Service service;
        std::string state, step;
        int httpStatus;
    };
    const Case cases[] = {
        {WellKnown::NoFoci, Service::Healthy, "no-transport", "well-known", 0},
        {WellKnown::NotJson, Service::Healthy, "bad-answer", "well-known", 0},
        {WellKnown::ServiceRefuses, Service::Healthy, "refused", "jwt-service", 0},
        {WellKnown::LiveKit, Service::ServerError, "server-error", "jwt-service", 500},
        {WellKnown::LiveKit, Service::Unauthorised, "rejected", "jwt-service", 401},
        {WellKnown::LiveKit, Service::NotAToken, "bad-answer", "jwt-service", 0},
        {WellKnown::LiveKit, Service::Slow, "timeout", "jwt-service", 0},
        {WellKnown::LiveKit, Service::SfuSilent, "sfu-not-answering", "sfu", 0},
    };
    Probing p;
    for (const Case &c : cases) {
        p.livekit.wellKnown = c.wellKnown;
        p.livekit.service = c.service;
        const auto started = std::chrono::steady_clock::now();
        auto r = p.probe(p.withToken({{"timeout_ms", 300}}));
        ASSERT_TRUE(r) << r.error().message;
        EXPECT_EQ((*r)["state"], c.state) << r->dump();
        EXPECT_EQ((*r)["step"], c.step) << r->dump();
        EXPECT_EQ(r->value("http_status", 0), c.httpStatus) << r->dump();
        EXPECT_FALSE((*r)["detail"].get<std::string>().empty());
        EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5)) << "bounded: " << c.state;
    }
    EXPECT_EQ(p.h.record(kPlugin).state, PluginState::Running) << "a failing service is not a failing plugin";

    // A homeserver that is not there at all.
    auto gone = p.probe({{"server", "http://127.0.0.1:" + std::to_string(p.livekit.closedPort())}});
    ASSERT_TRUE(gone) << gone.error().message;
    EXPECT_EQ((*gone)["state"], "refused");
    EXPECT_EQ((*gone)["step"], "well-known");
}

TEST(JitsiFallbackPlugin, ProbeRefusesABadRequestBeforeAskingAnything)
{
    Probing p;
    const std::pair<json, std::string> bad[] = {
        {json::object(), "\"server\" must name the homeserver (example.org, or its https:// address)"},
        {{{"server", "https://example.org/path"}},
         "\"server\" must be a server name or an address without a path, not \"https://example.org/path\""},
        {{{"server", "not a name"}}, "\"server\" is not a server name: \"not a name\""},
        {{{"server", "example.org"}, {"openid_token", "text"}}, "\"openid_token\" must be the object get_openid gave"},
        {{{"server", "example.org"}, {"timeout_ms", 99}}, "\"timeout_ms\" must be 100 to 2500"},
        {{{"server", "example.org"}, {"timeout_ms", 2501}}, "\"timeout_ms\" must be 100 to 2500"},
    };
    for (const auto &[data, message] : bad) {
        auto r = p.probe(data);
        ASSERT_FALSE(r) << data.dump();
        EXPECT_EQ(r.error().message, message) << data.dump();
    }
    EXPECT_TRUE(p.livekit.requests().empty());
    EXPECT_EQ(p.h.record(kPlugin).callsFailed, 0u);
}
