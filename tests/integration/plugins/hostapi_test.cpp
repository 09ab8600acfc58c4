// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
// The host function table, driven through the real "good" fixture plugin: what a plugin can
// reach, what it cannot, and the exact reasons it is given.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include <httplib.h>

#include "net/httpclient.h"
#include "pluginharness.h"
#include "plugins/issuertokenminter.h"
#include "tokens/tokenissuer.h"
#include "util/secretstore.h"

using nlohmann::json;
using tessera::Error;
using tessera::ErrorCode;
using tessera::Result;
using tessera::bridge::WidgetContext;
using tessera::plugins::PluginState;
using tessera::test::fixture;
using tessera::test::PluginHarness;
using tessera::test::TempDir;
using tessera::test::widgetContext;

namespace {

const std::string kGood = "io.tessera.test.good";

std::string action(const std::string &name)
{
    return kGood + "." + name;
}

/** Records what plugins ask of the rooms and answers as scripted. */
class FakeRooms final : public tessera::plugins::SessionRoomAccess {
public:
    struct StateRead {
        WidgetContext widget;
        std::string type;
        std::optional<std::string> stateKey;
    };
    std::vector<StateRead> stateReads;
    std::vector<std::pair<std::string, int>> eventReads;
    std::vector<std::pair<WidgetContext, tessera::bridge::SendEventRequest>> sends;
    std::optional<Error> refuse;

    void readState(const WidgetContext &widget, const std::string &type, const std::optional<std::string> &stateKey,
                   tessera::bridge::Callback<std::vector<json>> done) override
    {
        stateReads.push_back({widget, type, stateKey});
        if (refuse)
            return done(*refuse);
        done(std::vector<json>{json{{"type", type}, {"state_key", stateKey.value_or("card-1")}, {"content", {{"title", "Ship it"}}}}});
    }
    void readEvents(const WidgetContext &, const std::string &type, int limit,
                    tessera::bridge::Callback<std::vector<json>> done) override
    {
        eventReads.emplace_back(type, limit);
        if (refuse)
            return done(*refuse);
        done(std::vector<json>{json{{"type", type}, {"event_id", "$2"}}, json{{"type", type}, {"event_id", "$1"}}});
    }
    void sendEvent(const WidgetContext &widget, const tessera::bridge::SendEventRequest &request,
                   tessera::bridge::Callback<tessera::bridge::SendEventResult> done) override
    {
        sends.emplace_back(widget, request);
        if (refuse)
            return done(*refuse);
        done(tessera::bridge::SendEventResult{request.roomId, "$sent", ""});
    }
};

/** Records pushes; answers as the widget would, or keeps the callback for later. */
class FakePushTarget final : public tessera::plugins::WidgetPushTarget {
public:
    std::vector<std::pair<WidgetContext, tessera::plugins::WidgetPush>> pushes;
    std::optional<Error> refuse;
    void push(const WidgetContext &widget, const tessera::plugins::WidgetPush &p,
              tessera::bridge::Callback<json> done) override
    {
        pushes.emplace_back(widget, p);
        if (refuse)
            return done(*refuse);
        done(json{{"seen", p.data}});
    }
};

/** Runs the scheduler until @p outcome is answered; libcurl answers from its own thread. */
void waitFor(tessera::test::ManualScheduler &scheduler, const PluginHarness::Outcome &outcome)
{
    const auto giveUp = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!outcome->has_value() && std::chrono::steady_clock::now() < giveUp) {
        scheduler.runPosted();
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    ASSERT_TRUE(outcome->has_value()) << "no answer within a minute";
}

} // namespace

TEST(PluginHostApi, AHandlerSeesTheRequestItsSessionAndTheWidget)
{
    PluginHarness h;
    h.load({fixture("good")});
    auto widget = widgetContext();
    widget.data = {{"columns", 3}}; // the widget's data, as its state event has it
    auto reply = h.answer(action("echo"), {{"n", 1}}, widget);
    ASSERT_TRUE(reply) << reply.error().message;
    EXPECT_EQ((*reply)["echo"], (json{{"n", 1}}));
    EXPECT_EQ((*reply)["session"], 1);
    EXPECT_EQ((*reply)["widget"], (json{{"id", "board-1"},
                                         {"type", "io.tessera.test.good.board"},
                                         {"room_id", "!ops:example.org"},
                                         {"origin", "https://board.example.org"},
                                         {"url", "https://board.example.org/?room=!ops:example.org"},
                                         {"creator", "@alice:example.org"},
                                         {"data", {{"columns", 3}}}}));
    const auto rows = h.audit.about(action("echo"));
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].decision, tessera::audit::Decision::Allowed);
    EXPECT_EQ(rows[0].widgetId, "board-1");
    EXPECT_EQ(rows[0].roomId, "!ops:example.org");
    EXPECT_EQ(rows[0].durationMs, 0);
    EXPECT_EQ(rows[0].requestId.rfind("call-", 0), 0u);
}

TEST(PluginHostApi, SessionIdsAreStablePerWidgetAndDistinctBetweenWidgets)
{
    PluginHarness h;
    h.load({fixture("good")});
    const auto a = widgetContext("a");
    const auto b = widgetContext("b");
    const auto otherRoom = widgetContext("a", "!other:example.org");
    EXPECT_EQ((*h.answer(action("echo"), json::object(), a))["session"], 1);
    EXPECT_EQ((*h.answer(action("echo"), json::object(), b))["session"], 2);
    EXPECT_EQ((*h.answer(action("echo"), json::object(), a))["session"], 1);
    EXPECT_EQ((*h.answer(action("echo"), json::object(), otherRoom))["session"], 3);
}

TEST(PluginHostApi, ReplyErrorIsAnAnswerNotAFailure)
{
    PluginHarness h;
    h.load({fixture("good")});
    auto refused = h.answer(action("refuse"));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().message, "refused on purpose");
    EXPECT_EQ(h.audit.about(action("refuse"))[0].decision, tessera::audit::Decision::Refused);
    EXPECT_EQ(h.record(kGood).callsAnswered, 1u);
    EXPECT_EQ(h.record(kGood).callsFailed, 0u);
}

TEST(PluginHostApi, AnInvalidReplyFailsTheCallAndCountsAgainstThePlugin)
{
    PluginHarness h;
    h.load({fixture("good")});
    auto reply = h.answer(action("invalid"));
    ASSERT_FALSE(reply);
    EXPECT_EQ(reply.error().message, "plugin io.tessera.test.good sent an invalid reply");
    const auto rows = h.audit.about(action("invalid"));
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].decision, tessera::audit::Decision::Failed);
    EXPECT_EQ(rows[0].reason, "the reply to io.tessera.test.good.invalid was refused: the reply is not a JSON object");
    EXPECT_EQ(h.record(kGood).callsFailed, 1u);
}

TEST(PluginHostApi, RepliesMayComeLaterFromATimer)
{
    PluginHarness h;
    h.load({fixture("good")});
    auto outcome = h.call(action("later"), {{"delay_ms", 250}});
    h.scheduler.advance(249);
    EXPECT_FALSE(outcome->has_value());
    h.scheduler.advance(1);
    ASSERT_TRUE(outcome->has_value());
    ASSERT_TRUE(**outcome);
    EXPECT_EQ(***outcome, (json{{"late", true}}));
    EXPECT_EQ(h.audit.about(action("later"))[0].durationMs, 250);
}

TEST(PluginHostApi, PostBringsWorkFromAPluginThreadBackToTheHostThread)
{
    PluginHarness h;
    h.load({fixture("good")});
    auto outcome = h.call(action("post"));
    EXPECT_FALSE(outcome->has_value()) << "a posted task runs on the scheduler, not inside post()";
    h.scheduler.runPosted();
    ASSERT_TRUE(outcome->has_value());
    EXPECT_EQ(***outcome, (json{{"posted", true}}));
}

TEST(PluginHostApi, LogLinesCarryThePluginId)
{
    PluginHarness h;
    h.load({fixture("good")});
    ASSERT_TRUE(h.answer(action("log"), {{"message", "cards synced"}}));
    EXPECT_TRUE(h.log.contains(tessera::plugins::LogLevel::Warning, kGood, "cards synced"));
    ASSERT_TRUE(h.answer(action("log"), {{"message", std::string(5000, 'x')}}));
    EXPECT_TRUE(h.log.contains(tessera::plugins::LogLevel::Warning, kGood, std::string(4096, 'x') + "…"))
        << "long lines are cut at 4096 bytes";
}

TEST(PluginHostApi, SettingsPersistAsAPrivateJsonObject)
{
    PluginHarness h;
    h.load({fixture("good")});
    auto saved = h.answer(action("settings"), {{"settings", {{"columns", 4}}}});
    ASSERT_TRUE(saved) << saved.error().message;
    EXPECT_EQ((*saved)["status"], TESSERA_OK);
    EXPECT_EQ((*saved)["settings"], (json{{"columns", 4}}));
    EXPECT_EQ((*saved)["dataDir"], (h.options.dataDir / kGood).string());
    const auto file = h.options.dataDir / ".settings" / (kGood + ".json");
    ASSERT_TRUE(std::filesystem::exists(file));
    struct stat st {};
    ASSERT_EQ(::stat(file.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);

    auto notObject = h.answer(action("settings"), {{"settings", "[1, 2]"}});
    EXPECT_EQ((*notObject)["status"], TESSERA_BAD_REQUEST);
    EXPECT_EQ((*notObject)["error"], "settings_json is not a JSON object");
    EXPECT_EQ((*notObject)["settings"], (json{{"columns", 4}})) << "a refused write changes nothing";
    auto tooLarge = h.answer(action("settings"), {{"settings", {{"blob", std::string(70'000, 'x')}}}});
    EXPECT_EQ((*tooLarge)["status"], TESSERA_LIMIT);
    EXPECT_EQ((*tooLarge)["error"], "settings_json is larger than 65536 bytes");

    h.manager->shutdown();
    PluginHarness again;
    again.options.dataDir = h.options.dataDir;
    again.load({fixture("good")});
    EXPECT_EQ((*again.answer(action("settings")))["settings"], (json{{"columns", 4}})) << "settings survive a restart";
}

TEST(PluginHostApi, TimersAreLimitedPerPlugin)
{
    PluginHarness h;
    h.load({fixture("good")});
    auto r = h.answer(action("timers"), {{"count", 300}});
    ASSERT_TRUE(r);
    EXPECT_EQ((*r)["started"], 256);
    EXPECT_EQ((*r)["error"], "the plugin already has 256 pending timers");
    h.manager->shutdown();
    EXPECT_EQ(h.scheduler.pendingTimers(), 0u) << "a plugin's timers go with it";
}

TEST(PluginHostApi, RegistrationIsOnlyPossibleDuringLoad)
{
    PluginHarness h;
    h.load({fixture("good")});
    auto r = h.answer(action("register-late"));
    EXPECT_EQ((*r)["status"], TESSERA_DENIED);
    EXPECT_EQ((*r)["error"], "registration is only possible during tessera_plugin_load");
    EXPECT_EQ(h.manager->findWidgetType(kGood + ".late"), nullptr);
    EXPECT_EQ(h.record(kGood).state, PluginState::Running);
}

TEST(PluginHostApi, ACallCanBeAnsweredOnlyOnce)
{
    PluginHarness h;
    h.load({fixture("good")});
    ASSERT_TRUE(h.answer(action("echo")));
    const std::string firstCall = h.audit.about(action("echo"))[0].requestId.substr(5);
    auto r = h.answer(action("reply-to"), {{"call", std::stoull(firstCall)}});
    EXPECT_EQ((*r)["status"], TESSERA_NOT_FOUND);
    EXPECT_EQ((*r)["error"],
              "call " + firstCall + " is not pending: it was answered already, timed out, or never existed");
}

TEST(PluginHostApi, RoomReadsAndSendsGoThroughTheSessionsRights)
{
    FakeRooms rooms;
    PluginHarness h;
    h.services.rooms = &rooms;
    h.load({fixture("good")});

    auto state = h.answer(action("state"), {{"type", "io.tessera.test.card"}, {"state_key", "card-7"}});
    ASSERT_TRUE(state);
    EXPECT_EQ((*state)["status"], TESSERA_OK);
    EXPECT_EQ((*state)["result"][0]["content"]["title"], "Ship it");
    ASSERT_EQ(rooms.stateReads.size(), 1u);
    EXPECT_EQ(rooms.stateReads[0].widget.widgetId, "board-1");
    EXPECT_EQ(rooms.stateReads[0].widget.roomId, "!ops:example.org");
    EXPECT_EQ(rooms.stateReads[0].stateKey, "card-7");

    auto all = h.answer(action("state"), {{"type", "io.tessera.test.card"}});
    EXPECT_EQ(rooms.stateReads.back().stateKey, std::nullopt) << "no state key means every key";

    auto events = h.answer(action("events"), {{"type", "m.room.message"}, {"limit", 2}});
    EXPECT_EQ((*events)["result"].size(), 2u);
    EXPECT_EQ(rooms.eventReads.back(), (std::pair<std::string, int>{"m.room.message", 2}));

    auto sent = h.answer(action("send"), {{"type", "io.tessera.test.card"}, {"state_key", "card-8"}, {"content", {{"title", "New"}}}});
    EXPECT_EQ((*sent)["result"], (json{{"room_id", "!ops:example.org"}, {"event_id", "$sent"}}));
    ASSERT_EQ(rooms.sends.size(), 1u);
    EXPECT_EQ(rooms.sends[0].second.roomId, "!ops:example.org") << "a plugin acts in the session's room only";
    EXPECT_EQ(rooms.sends[0].second.stateKey, "card-8");
    EXPECT_EQ(rooms.sends[0].second.content, (json{{"title", "New"}}));
    EXPECT_EQ(h.audit.about("plugin.send_room_event").back().decision, tessera::audit::Decision::Allowed);
}

TEST(PluginHostApi, WhatTheSessionWasNotGrantedIsDenied)
{
    FakeRooms rooms;
    rooms.refuse = Error(ErrorCode::Denied, "the widget may not read io.tessera.test.secret");
    PluginHarness h;
    h.services.rooms = &rooms;
    h.load({fixture("good")});
    auto r = h.answer(action("state"), {{"type", "io.tessera.test.secret"}});
    EXPECT_EQ((*r)["status"], TESSERA_DENIED);
    EXPECT_EQ((*r)["error"], "the widget may not read io.tessera.test.secret");
    const auto rows = h.audit.about("plugin.read_room_state");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].decision, tessera::audit::Decision::Refused) << "a denial is a refusal, not a failure";
    EXPECT_EQ(rows[0].reason, "the widget may not read io.tessera.test.secret");
}

TEST(PluginHostApi, RoomRequestsAreCheckedBeforeTheyLeaveThePlugin)
{
    FakeRooms rooms;
    PluginHarness h;
    h.services.rooms = &rooms;
    h.load({fixture("good")});
    EXPECT_EQ((*h.answer(action("state"), {{"type", ""}}))["error"],
              "event_type must be 1 to 255 bytes of printable ASCII without spaces");
    EXPECT_EQ((*h.answer(action("events"), {{"type", "m.room.message"}, {"limit", 0}}))["error"], "limit must be 1 to 100");
    EXPECT_EQ((*h.answer(action("events"), {{"type", "m.room.message"}, {"limit", 101}}))["status"], TESSERA_BAD_REQUEST);
    EXPECT_EQ((*h.answer(action("send"), {{"type", "m.room.message"}, {"content", {{"body", std::string(70'000, 'x')}}}}))["error"],
              "content_json is larger than 65536 bytes");
    EXPECT_TRUE(rooms.stateReads.empty());
    EXPECT_TRUE(rooms.eventReads.empty());
    EXPECT_TRUE(rooms.sends.empty());
}

TEST(PluginHostApi, WithoutAServiceTheFunctionSaysItIsUnsupported)
{
    PluginHarness h;
    h.load({fixture("good")});
    auto state = h.answer(action("state"), {{"type", "m.room.name"}});
    EXPECT_EQ((*state)["status"], TESSERA_UNSUPPORTED);
    EXPECT_EQ((*state)["error"], "this host offers no room access to plugins");
    EXPECT_EQ((*h.answer(action("token"), {{"audience", "https://a"}, {"scope", "read"}}))["error"],
              "this host cannot mint tokens for plugins");
    EXPECT_EQ((*h.answer(action("push")))["error"], "this host cannot push to widgets");
    EXPECT_EQ((*h.answer(action("http"), {{"url", "https://example.org/"}}))["error"], "this host offers no HTTP client");
}

TEST(PluginHostApi, PushesReachTheSessionThatCalledThePlugin)
{
    FakePushTarget push;
    PluginHarness h;
    h.services.push = &push;
    h.load({fixture("good")});
    auto r = h.answer(action("push"), {{"data", {{"card", 7}}}});
    ASSERT_TRUE(r);
    EXPECT_EQ((*r)["status"], TESSERA_OK);
    EXPECT_EQ((*r)["result"], (json{{"seen", {{"card", 7}}}}));
    ASSERT_EQ(push.pushes.size(), 1u);
    EXPECT_EQ(push.pushes[0].first.widgetId, "board-1");
    EXPECT_EQ(push.pushes[0].second.pluginId, kGood);
    EXPECT_EQ(push.pushes[0].second.capability, kGood + ".echo");
    EXPECT_EQ(push.pushes[0].second.action, kGood + ".ping");
    const auto rows = h.audit.about(kGood + ".ping");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].direction, tessera::audit::Direction::ToWidget);
    EXPECT_EQ(rows[0].decision, tessera::audit::Decision::Allowed);
}

TEST(PluginHostApi, PushesStayWithinThePluginsOwnCapabilitiesActionsAndSessions)
{
    FakePushTarget push;
    PluginHarness h;
    h.services.push = &push;
    h.load({fixture("good")});
    auto r = h.answer(action("push"), {{"capability", "m.always_on_screen"}});
    EXPECT_EQ((*r)["status"], TESSERA_DENIED);
    EXPECT_EQ((*r)["error"], "push needs one of the plugin's own handler capabilities");
    r = h.answer(action("push"), {{"action", "org.example.other.ping"}});
    EXPECT_EQ((*r)["status"], TESSERA_DENIED);
    EXPECT_EQ((*r)["error"], "the pushed action must be in the plugin's namespace (\"io.tessera.test.good.…\")");
    r = h.answer(action("push"), {{"session", 99}});
    EXPECT_EQ((*r)["status"], TESSERA_NOT_FOUND);
    EXPECT_EQ((*r)["error"], "session 99 is unknown or closed (sessions come from a call to the plugin)");
    EXPECT_TRUE(push.pushes.empty());

    push.refuse = Error(ErrorCode::Denied, "the session does not hold io.tessera.test.good.echo");
    r = h.answer(action("push"));
    EXPECT_EQ((*r)["status"], TESSERA_DENIED);
    EXPECT_EQ((*r)["error"], "the session does not hold io.tessera.test.good.echo");
}

TEST(PluginHostApi, TokensAreBoundToTheSessionAndVerifiable)
{
    TempDir keys;
    tessera::FileSecretStore secrets(keys / "secrets");
    tessera::tokens::TokenIssuer issuer(secrets, keys.path());
    tessera::plugins::IssuerTokenMinter minter(issuer, "@carol:example.org");
    PluginHarness h;
    h.services.tokens = &minter;
    h.load({fixture("good")});

    auto r = h.answer(action("token"), {{"audience", "https://board.example.org"}, {"scope", "read write"}, {"lifetime_s", 120}});
    ASSERT_TRUE(r);
    ASSERT_EQ((*r)["status"], TESSERA_OK) << r->dump();
    const std::string token = (*r)["result"]["token"];
    tessera::tokens::VerifyOptions expect;
    expect.audience = "https://board.example.org";
    auto claims = issuer.verify(token, expect);
    ASSERT_TRUE(claims) << claims.error().message;
    EXPECT_EQ(claims->subject, "@carol:example.org");
    EXPECT_EQ(claims->roomId, "!ops:example.org");
    EXPECT_EQ(claims->widgetId, "board-1");
    EXPECT_EQ(claims->widgetOrigin, "https://board.example.org");
    EXPECT_EQ(claims->scopes, (std::vector<std::string>{kGood + ":read", kGood + ":write"}));
    EXPECT_EQ((*r)["result"]["expires_at_ms"], claims->expiresAt * 1000);
    EXPECT_EQ(h.audit.about("plugin.mint_token").back().decision, tessera::audit::Decision::Allowed);
    EXPECT_EQ(h.audit.about("plugin.mint_token").back().body.find(token), std::string::npos)
        << "the token itself is never audited";

    auto tooLong = h.answer(action("token"), {{"audience", "https://a"}, {"scope", "read"}, {"lifetime_s", 601}});
    EXPECT_EQ((*tooLong)["error"], "lifetime_s must be 1 to 600 seconds");
    auto noAudience = h.answer(action("token"), {{"scope", "read"}});
    EXPECT_EQ((*noAudience)["error"], "audience must be UTF-8 of 1 to 1024 bytes");
}

TEST(PluginHostApi, HttpGoesThroughTheHostsClient)
{
    httplib::Server server;
    server.Get("/hello", [](const httplib::Request &req, httplib::Response &res) {
        res.set_header("X-Test", "yes");
        res.set_content("hi " + req.get_header_value("X-Plugin"), "text/plain");
    });
    server.set_keep_alive_max_count(1); // stop() need not wait for an idle keep-alive connection
    const int port = server.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port, 0);
    std::thread serving([&] { server.listen_after_bind(); });

    PluginHarness h;
    tessera::net::HttpClient http(h.scheduler);
    h.services.http = &http;
    h.load({fixture("good")});
    const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/hello";
    auto outcome = h.call(action("http"), {{"url", url}, {"headers", {{"X-Plugin", "good"}}}});
    waitFor(h.scheduler, outcome);
    server.stop();
    serving.join();
    ASSERT_TRUE(**outcome);
    const json reply = ***outcome;
    EXPECT_EQ(reply["status"], TESSERA_OK) << reply.dump();
    EXPECT_EQ(reply["http_status"], 200);
    EXPECT_EQ(reply["body"], "hi good");
    EXPECT_EQ(reply["headers"]["x-test"], "yes");
    const auto rows = h.audit.about("plugin.http");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].reason, "GET " + tessera::net::redactUrl(url) + " -> 200");
    EXPECT_EQ(rows[0].widgetId, "") << "a request made for no session is the plugin's own";
    h.manager.reset(); // before the client it uses
}

TEST(PluginHostApi, AnHttpTimeoutIsToldApartFromNoConnection)
{
    httplib::Server server;
    server.Get("/slow", [](const httplib::Request &, httplib::Response &res) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1500));
        res.set_content("late", "text/plain");
    });
    server.set_keep_alive_max_count(1);
    const int port = server.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port, 0);
    std::thread serving([&] { server.listen_after_bind(); });
    // A port nobody listens on: bound (never listened on), then closed.
    int closedPort = 0;
    {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        ASSERT_GE(fd, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address), 0);
        ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length), 0);
        closedPort = ntohs(address.sin_port);
        ::close(fd);
    }
    ASSERT_GT(closedPort, 0);

    PluginHarness h;
    tessera::net::HttpClient http(h.scheduler);
    h.services.http = &http;
    h.load({fixture("good")});
    auto slow = h.call(action("http"), {{"url", "http://127.0.0.1:" + std::to_string(port) + "/slow"}, {"timeout_ms", 300}});
    waitFor(h.scheduler, slow);
    auto refused = h.call(action("http"), {{"url", "http://127.0.0.1:" + std::to_string(closedPort) + "/"}});
    waitFor(h.scheduler, refused);
    server.stop();
    serving.join();
    ASSERT_TRUE(**slow);
    EXPECT_EQ((***slow)["status"], TESSERA_TIMEOUT) << (***slow).dump();
    EXPECT_EQ((***slow)["http_status"], 0);
    ASSERT_TRUE(**refused);
    EXPECT_EQ((***refused)["status"], TESSERA_UNAVAILABLE) << (***refused).dump();
    h.manager.reset(); // before the client it uses
}

TEST(PluginHostApi, HttpForASessionIsRecordedWithItsWidgetAndRoom)
{
    httplib::Server server;
    std::string authorization;
    server.Get("/issues", [&](const httplib::Request &req, httplib::Response &res) {
        authorization = req.get_header_value("Authorization");
        res.status = 404;
        res.set_content("{\"message\":\"not found\"}", "application/json");
    });
    server.set_keep_alive_max_count(1);
    const int port = server.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port, 0);
    std::thread serving([&] { server.listen_after_bind(); });

    PluginHarness h;
    tessera::net::HttpClient http(h.scheduler);
    h.services.http = &http;
    h.load({fixture("good")});
    const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/issues?access_token=abc";
    auto outcome = h.call(action("http"), {{"url", url}, {"for_session", true},
                                           {"headers", {{"Authorization", "token s3cr3t-api-token"}}}},
                          widgetContext("issues-1", "!dev:example.org"));
    waitFor(h.scheduler, outcome);
    ASSERT_TRUE(**outcome);
    EXPECT_EQ((***outcome)["http_status"], 404) << (***outcome).dump();
    EXPECT_EQ(authorization, "token s3cr3t-api-token");

    // A session the plugin never heard of is refused before anything leaves.
    auto unknown = h.answer(action("http"), {{"url", url}, {"for_session", true}, {"session", 999}});
    EXPECT_EQ((*unknown)["status"], TESSERA_NOT_FOUND);
    EXPECT_EQ((*unknown)["error"], "session 999 is unknown or closed (sessions come from a call to the plugin)");
    server.stop();
    serving.join();

    const auto rows = h.audit.about("plugin.http");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].widgetId, "issues-1");
    EXPECT_EQ(rows[0].roomId, "!dev:example.org");
    EXPECT_EQ(rows[0].reason, "GET http://127.0.0.1:" + std::to_string(port) + "/issues -> 404");
    for (const auto &row : h.audit.rows) {
        EXPECT_EQ(row.reason.find("s3cr3t"), std::string::npos) << row.reason;
        EXPECT_EQ(row.body.find("s3cr3t"), std::string::npos) << row.body;
        EXPECT_EQ(row.reason.find("abc"), std::string::npos) << row.reason;
    }
    h.manager.reset(); // before the client it uses
}

TEST(PluginHostApi, AStreamedResponseArrivesInPiecesBeforeTheEndAndWithinItsLimit)
{
    httplib::Server server;
    server.Get("/events", [](const httplib::Request &, httplib::Response &res) {
        res.set_chunked_content_provider("text/event-stream", [](std::size_t offset, httplib::DataSink &sink) {
            for (int i = 0; i < 3; ++i) {
                const std::string event = "data: line " + std::to_string(i) + "\n\n";
                sink.write(event.data(), event.size());
                std::this_thread::sleep_for(std::chrono::milliseconds(30));
            }
            (void)offset;
            sink.done();
            return true;
        });
    });
    server.Get("/endless", [](const httplib::Request &, httplib::Response &res) {
        res.set_chunked_content_provider("text/event-stream", [](std::size_t, httplib::DataSink &sink) {
            const std::string event = "data: " + std::string(1000, 'x') + "\n\n";
            return sink.write(event.data(), event.size());
        });
    });
    server.set_keep_alive_max_count(1);
    const int port = server.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port, 0);
    std::thread serving([&] { server.listen_after_bind(); });

    PluginHarness h;
    tessera::net::HttpClient http(h.scheduler);
    h.services.http = &http;
    h.load({fixture("good")});
    const std::string base = "http://127.0.0.1:" + std::to_string(port);
    auto outcome = h.call(action("http"), {{"url", base + "/events"}, {"stream", true}});
    waitFor(h.scheduler, outcome);
    ASSERT_TRUE(**outcome);
    json reply = ***outcome;
    EXPECT_EQ(reply["status"], TESSERA_OK) << reply.dump();
    EXPECT_EQ(reply["body"], "") << "a streamed body is not delivered again at the end";
    std::string joined;
    for (const auto &piece : reply["pieces"]) {
        EXPECT_EQ(piece["http_status"], 200);
        joined += piece["piece"].get<std::string>();
    }
    EXPECT_EQ(joined, "data: line 0\n\ndata: line 1\n\ndata: line 2\n\n");
    EXPECT_EQ(reply["streamed_bytes"], joined.size());

    // An endless stream still ends at the response limit, with a reason.
    auto endless = h.call(action("http"), {{"url", base + "/endless"}, {"stream", true}});
    waitFor(h.scheduler, endless);
    server.stop();
    serving.join();
    ASSERT_TRUE(**endless) << (**endless).error().message;
    reply = ***endless;
    EXPECT_NE(reply["status"], TESSERA_OK);
    EXPECT_NE(reply["error"].get<std::string>().find("larger than the limit of 8388608 bytes"), std::string::npos)
        << reply["error"];
    const std::size_t streamed = reply["streamed_bytes"];
    EXPECT_GT(streamed, 1024u * 1024u) << "the pieces came while the stream went on";
    EXPECT_LE(streamed, 8u * 1024u * 1024u);
    h.manager.reset(); // before the client it uses
}

TEST(PluginHostApi, APluginBuiltAgainst10StillMakesRequestsWithItsSmallerStruct)
{
    static_assert(TESSERA_PLUGIN_ABI_MINOR >= 2, "the 1.0 struct is smaller only since 1.2");
    httplib::Server server;
    server.Get("/old", [](const httplib::Request &, httplib::Response &res) { res.set_content("twelve bytes", "text/plain"); });
    server.set_keep_alive_max_count(1);
    const int port = server.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port, 0);
    std::thread serving([&] { server.listen_after_bind(); });

    PluginHarness h;
    tessera::net::HttpClient http(h.scheduler);
    h.services.http = &http;
    h.load({fixture("old-abi-1.0")});
    // session_id and on_data lie past the end of the 1.0 struct: read as zero, not as whatever follows it.
    auto outcome = h.call("io.tessera.test.old-abi.http", {{"url", "http://127.0.0.1:" + std::to_string(port) + "/old"}},
                          widgetContext("old-1", "!old:example.org"));
    waitFor(h.scheduler, outcome);
    server.stop();
    serving.join();
    ASSERT_TRUE(**outcome) << (**outcome).error().message;
    EXPECT_EQ((***outcome)["http_status"], 200);
    EXPECT_EQ((***outcome)["body_bytes"], 12) << "the body is delivered whole, not streamed";
    const auto rows = h.audit.about("plugin.http");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].widgetId, "") << "a 1.0 plugin's request is its own, as before";
    h.manager.reset(); // before the client it uses
}

TEST(PluginHostApi, SecretsAreKeptPerPluginAndTheAuditLogNeverSeesTheirValues)
{
    TempDir dir;
    tessera::FileSecretStore secrets(dir.path() / "secrets");
    PluginHarness h;
    h.services.secrets = &secrets;
    h.load({fixture("good")});
    const std::string value = "gitea-token-7f3a9c";

    auto r = h.answer(action("secret"), {{"op", "read"}, {"name", "token.git.example.org"}});
    EXPECT_EQ((*r)["status"], TESSERA_NOT_FOUND) << r->dump();
    r = h.answer(action("secret"), {{"op", "write"}, {"name", "token.git.example.org"}, {"value", value}});
    EXPECT_EQ((*r)["status"], TESSERA_OK) << r->dump();
    r = h.answer(action("secret"), {{"op", "read"}, {"name", "token.git.example.org"}});
    EXPECT_EQ((*r)["result"], value);
    // Stored under the plugin's own prefix, so no other plugin's name can reach it.
    auto stored = secrets.read("plugin.io.tessera.test.good.token.git.example.org");
    ASSERT_TRUE(stored && *stored);
    EXPECT_EQ(**stored, value);
    r = h.answer(action("secret"), {{"op", "delete"}, {"name", "token.git.example.org"}});
    EXPECT_EQ((*r)["status"], TESSERA_OK);
    r = h.answer(action("secret"), {{"op", "read"}, {"name", "token.git.example.org"}});
    EXPECT_EQ((*r)["status"], TESSERA_NOT_FOUND);

    for (const char *bad : {"", "../settings", "a/b", "token:git.example.org", "a..b"}) {
        r = h.answer(action("secret"), {{"op", "read"}, {"name", bad}});
        EXPECT_EQ((*r)["status"], TESSERA_BAD_REQUEST) << bad;
        EXPECT_EQ((*r)["error"], "a secret name is 1 to 64 bytes of letters, digits, '-', '_' and '.' (no \"..\")");
    }
    r = h.answer(action("secret"), {{"op", "write"}, {"name", "x"}, {"value", std::string(8193, 'v')}});
    EXPECT_EQ((*r)["error"], "a secret's value is UTF-8 of 1 to 8192 bytes");

    EXPECT_EQ(h.audit.about("plugin.write_secret").size(), 1u);
    EXPECT_EQ(h.audit.about("plugin.read_secret").size(), 3u);
    EXPECT_EQ(h.audit.about("plugin.delete_secret").size(), 1u);
    for (const auto &row : h.audit.rows) {
        EXPECT_EQ(row.reason.find(value), std::string::npos) << row.reason;
        EXPECT_EQ(row.body.find(value), std::string::npos) << row.body;
    }
}

TEST(PluginHostApi, WithoutASecretStoreTheSecretFunctionsAreUnsupported)
{
    PluginHarness h;
    h.load({fixture("good")});
    auto r = h.answer(action("secret"), {{"op", "read"}, {"name", "token"}});
    EXPECT_EQ((*r)["status"], TESSERA_UNSUPPORTED);
    EXPECT_EQ((*r)["error"], "this host keeps no secrets for plugins");
}

TEST(PluginHostApi, HttpIsLimitedToTlsOrLoopbackAndToHeadersThePluginMaySet)
{
    PluginHarness h;
    tessera::net::HttpClient http(h.scheduler);
    h.services.http = &http;
    h.load({fixture("good")});
    auto r = h.answer(action("http"), {{"url", "http://example.org/"}});
    EXPECT_EQ((*r)["status"], TESSERA_DENIED);
    EXPECT_EQ((*r)["error"], "only https: URLs, or http: URLs of a loopback host, are allowed");
    r = h.answer(action("http"), {{"url", "file:///etc/passwd"}});
    EXPECT_EQ((*r)["status"], TESSERA_DENIED);
    r = h.answer(action("http"), {{"url", "https://example.org/"}, {"headers", {{"Cookie", "a=b"}}}});
    EXPECT_EQ((*r)["status"], TESSERA_DENIED);
    EXPECT_EQ((*r)["error"], "header \"Cookie\" is set by the host and cannot be sent");
    r = h.answer(action("http"), {{"url", "https://example.org/"}, {"headers", {{"X-A", "1\r\nHost: evil"}}}});
    EXPECT_EQ((*r)["error"], "header \"X-A\" needs a single-line string value");
    r = h.answer(action("http"), {{"url", "https://example.org/"}, {"method", "CONNECT"}});
    EXPECT_EQ((*r)["error"], "method must be GET, HEAD, POST, PUT, PATCH or DELETE");
    EXPECT_EQ(http.inFlight(), 0u);
    h.manager.reset(); // before the client it uses
}

TEST(PluginHostApi, AClosedSessionEndsItsCallsWithoutBlamingThePlugin)
{
    PluginHarness h;
    h.load({fixture("good")});
    ASSERT_TRUE(h.answer(action("echo")));
    auto pending = h.call(action("later"), {{"delay_ms", 5000}});
    h.manager->sessionClosed("!ops:example.org", "board-1");
    ASSERT_TRUE(pending->has_value());
    EXPECT_EQ((*pending)->error().message, "the widget session closed");
    EXPECT_EQ(h.record(kGood).callsFailed, 0u);
    auto sessions = h.answer(action("sessions"), json::object(), widgetContext("board-2"));
    EXPECT_EQ((*sessions)["closed"], (json{1}));
    h.scheduler.advance(5000); // the timer's late reply finds no call and changes nothing
    EXPECT_EQ(h.record(kGood).state, PluginState::Running);
}

TEST(PluginHostApi, NothingRunsUnauditedWhenTheAuditLogFails)
{
    PluginHarness h;
    h.load({fixture("good")});
    h.audit.isAccepting = false;
    auto r = h.answer(action("echo"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "the audit log cannot be written, so the plugin was not called");
    EXPECT_EQ(h.record(kGood).callsAnswered, 0u);
}
