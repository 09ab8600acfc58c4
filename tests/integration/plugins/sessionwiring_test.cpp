// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
// The plugin manager wired to a real widget session: a widget reaches a plugin's handler only
// with the capability the user approved, a plugin's pushes reach only sessions holding its
// capability, and a plugin's room access is exactly the session's.
#include <gtest/gtest.h>

#include <functional>

#include "bridge/widgetsession.h"
#include "matrix/backenddriver.h"
#include "matrix/localbackend.h"
#include "pluginharness.h"
#include "plugins/sessionservices.h"
#include "sessionharness.h"

using nlohmann::json;
using tessera::plugins::PluginState;
using tessera::test::fixture;
using tessera::test::SessionHarness;

namespace {

const std::string kGood = "io.tessera.test.good";
const std::string kEcho = kGood + ".echo";
const std::string kCardState = "org.matrix.msc2762.receive.state_event:io.tessera.test.card";

/** A widget session that knows the plugins' actions, and the plugins wired to it. */
struct Wired {
    SessionHarness widget;
    tessera::bridge::ActionRegistry registry;
    tessera::test::PluginAudit pluginAudit;
    tessera::test::PluginLog log;
    tessera::plugins::WidgetSessionLookup lookup;
    std::unique_ptr<tessera::plugins::SessionPushTarget> push;
    std::unique_ptr<tessera::plugins::SessionRoomAccessAdapter> rooms;
    tessera::test::TempDir data;
    std::unique_ptr<tessera::plugins::PluginManager> manager;

    Wired()
    {
        lookup = [this](const std::string &roomId, const std::string &widgetId) -> tessera::bridge::WidgetSession * {
            const auto &w = widget.session->config().widget;
            return w.roomId == roomId && w.widgetId == widgetId ? widget.session.get() : nullptr;
        };
        push = std::make_unique<tessera::plugins::SessionPushTarget>(lookup);
        rooms = std::make_unique<tessera::plugins::SessionRoomAccessAdapter>(lookup, widget.driver);
        tessera::plugins::PluginManagerOptions options;
        options.pluginDirs = {fixture("good")};
        options.dataDir = data.path();
        tessera::plugins::PluginServices services;
        services.scheduler = &widget.scheduler;
        services.audit = &pluginAudit;
        services.actions = &registry;
        services.push = push.get();
        services.rooms = rooms.get();
        services.log = log.sink();
        manager = std::make_unique<tessera::plugins::PluginManager>(options, services);
        manager->loadAll();
        // The session must know the registry before it negotiates, to recognise plugin capabilities.
        widget.session = std::make_unique<tessera::bridge::WidgetSession>(SessionHarness::defaultConfig(), widget.driver,
                                                                          widget.transport, widget.audit,
                                                                          widget.scheduler, &registry);
        widget.transport.sent.clear();
        widget.session->start();
    }

    /** A fromWidget request, answered after posted work (plugin callbacks) ran. */
    json ask(const std::string &action, const json &data)
    {
        static int next = 1;
        const std::string id = "wired-" + std::to_string(next++);
        widget.request(action, data, id);
        widget.scheduler.runPosted();
        auto reply = widget.replyTo(id);
        if (!reply) {
            ADD_FAILURE() << action << " got no reply";
            return json::object();
        }
        return (*reply)["response"];
    }
};

/**
 * The app's own wiring (SessionPluginServices, as host/app/startup.cpp builds it) over a real
 * LocalBackend read through a real BackendWidgetDriver. The backend answers on a scheduler of its
 * own, so a test can act while a plugin's read is in flight.
 */
struct RealWiring {
    tessera::test::TempDir data;
    tessera::test::ManualScheduler roomsTurn;
    std::unique_ptr<tessera::matrix::LocalBackend> backend;
    std::string roomId;
    std::unique_ptr<SessionHarness> widget;
    std::unique_ptr<tessera::matrix::BackendWidgetDriver> driver;
    tessera::bridge::ActionRegistry registry;
    tessera::test::PluginAudit pluginAudit;
    tessera::test::PluginLog log;
    std::unique_ptr<tessera::plugins::SessionPluginServices> sessions;
    std::unique_ptr<tessera::plugins::PluginManager> manager;

    RealWiring()
    {
        tessera::matrix::LocalBackendOptions local;
        local.dataDir = data.path() / "rooms";
        local.createWelcomeRoom = false;
        auto opened = tessera::matrix::LocalBackend::open(roomsTurn, local);
        EXPECT_TRUE(opened) << opened.error().message;
        backend = std::move(opened).value();
        tessera::matrix::CreateRoomRequest create;
        create.name = "Cards";
        backend->createRoom(create, [this](tessera::Result<std::string> r) { roomId = r ? *r : ""; });
        roomsTurn.runPosted();
        EXPECT_FALSE(roomId.empty());
        store({"io.tessera.test.card", json{{"t", "one"}}, std::string("c1")});
        store({"m.room.message", json{{"msgtype", "m.text"}, {"body", "hello"}}, std::nullopt});

        tessera::bridge::SessionConfig config = SessionHarness::defaultConfig();
        config.widget.roomId = roomId;
        widget = std::make_unique<SessionHarness>(config);
        driver = std::make_unique<tessera::matrix::BackendWidgetDriver>(widget->scheduler, *backend);
        sessions = std::make_unique<tessera::plugins::SessionPluginServices>(
            [this](const std::string &room, const std::string &widgetId) -> tessera::bridge::WidgetSession * {
                const auto &w = widget->session->config().widget;
                return w.roomId == room && w.widgetId == widgetId ? widget->session.get() : nullptr;
            },
            *driver, nullptr, [this] { return backend->userId(); });
        tessera::plugins::PluginManagerOptions options;
        options.pluginDirs = {fixture("good")};
        options.dataDir = data.path() / "plugins";
        tessera::plugins::PluginServices services;
        services.scheduler = &widget->scheduler;
        services.audit = &pluginAudit;
        services.actions = &registry;
        services.log = log.sink();
        sessions->wire(services);
        manager = std::make_unique<tessera::plugins::PluginManager>(options, services);
        manager->loadAll();
        widget->session = std::make_unique<tessera::bridge::WidgetSession>(config, widget->driver, widget->transport,
                                                                           widget->audit, widget->scheduler, &registry);
        widget->transport.sent.clear();
        widget->session->start();
    }

    struct Event {
        std::string type;
        json content;
        std::optional<std::string> stateKey;
    };
    void store(const Event &event)
    {
        tessera::matrix::SendRequest send;
        send.roomId = roomId;
        send.type = event.type;
        send.content = event.content;
        send.stateKey = event.stateKey;
        bool sent = false;
        backend->send(send, [&](tessera::Result<tessera::matrix::SendResult> r) { sent = bool(r); });
        roomsTurn.runPosted();
        EXPECT_TRUE(sent) << event.type;
    }

    /**
     * Asks the plugin (through the widget) for @p action; @p whileReading runs after the plugin
     * started its read and before the backend answers. Returns the plugin's reply.
     */
    json askDuringRead(const std::string &action, const json &data, const std::function<void()> &whileReading)
    {
        static int next = 1;
        const std::string id = "real-" + std::to_string(next++);
        widget->request(action, data, id);
        widget->scheduler.runPosted();
        EXPECT_FALSE(widget->replyTo(id)) << "the read is still in flight";
        whileReading();
        roomsTurn.runPosted();
        widget->scheduler.runPosted();
        auto reply = widget->replyTo(id);
        if (!reply) {
            ADD_FAILURE() << action << " got no reply";
            return json::object();
        }
        return (*reply)["response"];
    }
};

} // namespace

TEST(PluginSessionWiring, TheAppsWiringHandsAPluginTheStateTheSessionMayRead)
{
    RealWiring w;
    w.widget->loadAndNegotiate({kEcho, kCardState});
    const json cards = w.askDuringRead(kGood + ".state", {{"type", "io.tessera.test.card"}}, [] {});
    EXPECT_EQ(cards["status"], TESSERA_OK) << cards.dump();
    ASSERT_EQ(cards["result"].size(), 1u) << cards.dump();
    EXPECT_EQ(cards["result"][0]["content"]["t"], "one");
}

TEST(PluginSessionWiring, ARevocationDuringAPluginsStateReadWithholdsTheEvents)
{
    RealWiring w;
    w.widget->loadAndNegotiate({kEcho, kCardState});
    const json cards = w.askDuringRead(kGood + ".state", {{"type", "io.tessera.test.card"}},
                                       [&] { w.widget->session->revokeCapabilities({kCardState}); });
    EXPECT_EQ(cards["status"], TESSERA_OK) << cards.dump();
    EXPECT_EQ(cards["result"], json::array()) << "the user revoked the capability while the read ran";
}

TEST(PluginSessionWiring, ARevocationDuringAPluginsTimelineReadWithholdsTheEvents)
{
    const std::string messages = "org.matrix.msc2762.receive.event:m.room.message";
    {
        RealWiring w;
        w.widget->loadAndNegotiate({kEcho, messages});
        const json events = w.askDuringRead(kGood + ".events", {{"type", "m.room.message"}}, [] {});
        ASSERT_EQ(events["result"].size(), 1u) << events.dump();
        EXPECT_EQ(events["result"][0]["content"]["body"], "hello");
    }
    RealWiring w;
    w.widget->loadAndNegotiate({kEcho, messages});
    const json events = w.askDuringRead(kGood + ".events", {{"type", "m.room.message"}},
                                        [&] { w.widget->session->revokeCapabilities({messages}); });
    EXPECT_EQ(events["status"], TESSERA_OK) << events.dump();
    EXPECT_EQ(events["result"], json::array()) << "the user revoked the capability while the read ran";
}

TEST(PluginSessionWiring, AnApprovedWidgetReachesThePluginsHandler)
{
    Wired w;
    ASSERT_EQ(w.manager->find(kGood)->state, PluginState::Running);
    w.widget.loadAndNegotiate({kEcho});
    ASSERT_TRUE(w.widget.session->approved().contains(kEcho));
    const json response = w.ask(kEcho, {{"card", 3}});
    EXPECT_EQ(response["echo"], (json{{"card", 3}}));
    EXPECT_EQ(response["widget"]["id"], "test");
    EXPECT_EQ(response["widget"]["room_id"], "!room:example.org");
}

TEST(PluginSessionWiring, WithoutConsentThePluginIsNeverCalled)
{
    Wired w;
    w.widget.driver.approve = [](const tessera::bridge::CapabilityRequest &) { return std::vector<std::string>{}; };
    w.widget.loadAndNegotiate({kEcho});
    ASSERT_FALSE(w.widget.session->approved().contains(kEcho));
    const json response = w.ask(kEcho, {{"card", 3}});
    EXPECT_NE(SessionHarness::errorOf(response), "");
    EXPECT_EQ(w.manager->find(kGood)->callsAnswered, 0u);
    EXPECT_TRUE(w.pluginAudit.about(kEcho).empty());
}

TEST(PluginSessionWiring, APluginsPushReachesTheSessionThatHoldsItsCapability)
{
    Wired w;
    w.widget.loadAndNegotiate({kEcho});
    const json response = w.ask(kGood + ".push", {{"data", {{"card", 9}}}});
    EXPECT_EQ(response["status"], TESSERA_OK) << response.dump();
    const auto pushes = w.widget.toWidgetRequests(kGood + ".ping");
    ASSERT_EQ(pushes.size(), 1u);
    EXPECT_EQ(pushes[0]["data"], (json{{"card", 9}}));
}

TEST(PluginSessionWiring, APushToASessionThatLostTheCapabilityIsDenied)
{
    Wired w;
    w.widget.loadAndNegotiate({kEcho});
    ASSERT_EQ(w.ask(kEcho, json::object())["session"], 1);
    w.widget.session->revokeCapabilities({kEcho});
    // The widget can no longer call the plugin, so drive the push through the target directly.
    tessera::plugins::WidgetPush p{kGood, kEcho, kGood + ".ping", json::object()};
    std::optional<tessera::Result<json>> outcome;
    w.push->push(w.widget.session->config().widget, p, [&](tessera::Result<json> r) { outcome = std::move(r); });
    ASSERT_TRUE(outcome.has_value());
    ASSERT_FALSE(*outcome);
    EXPECT_EQ(outcome->error().code, tessera::ErrorCode::Denied);
    EXPECT_EQ(outcome->error().message, "the widget session does not hold io.tessera.test.good.echo");
    EXPECT_TRUE(w.widget.toWidgetRequests(kGood + ".ping").empty());
}

TEST(PluginSessionWiring, APluginReadsOnlyTheStateTheSessionMayRead)
{
    Wired w;
    w.widget.driver.state = {
        json{{"type", "io.tessera.test.card"}, {"state_key", "c1"}, {"room_id", "!room:example.org"}, {"content", {{"t", "one"}}}},
        json{{"type", "io.tessera.test.secret"}, {"state_key", "s"}, {"room_id", "!room:example.org"}, {"content", json::object()}},
    };
    w.widget.loadAndNegotiate({kEcho, kCardState});
    ASSERT_TRUE(w.widget.session->approved().contains(kCardState));

    const json cards = w.ask(kGood + ".state", {{"type", "io.tessera.test.card"}});
    EXPECT_EQ(cards["status"], TESSERA_OK) << cards.dump();
    ASSERT_EQ(cards["result"].size(), 1u);
    EXPECT_EQ(cards["result"][0]["content"]["t"], "one");

    const json secret = w.ask(kGood + ".state", {{"type", "io.tessera.test.secret"}});
    EXPECT_EQ(secret["status"], TESSERA_DENIED);
    EXPECT_EQ(secret["error"], "the widget session may not read io.tessera.test.secret state");
}

TEST(PluginSessionWiring, APluginSendsOnlyWhatTheSessionMaySend)
{
    Wired w;
    w.widget.loadAndNegotiate({kEcho, "org.matrix.msc2762.send.state_event:io.tessera.test.card#c1"});
    const json allowed = w.ask(kGood + ".send", {{"type", "io.tessera.test.card"}, {"state_key", "c1"}, {"content", {{"t", "x"}}}});
    EXPECT_EQ(allowed["status"], TESSERA_OK) << allowed.dump();
    ASSERT_EQ(w.widget.driver.sentEvents.size(), 1u);
    EXPECT_EQ(w.widget.driver.sentEvents[0].roomId, "!room:example.org");

    const json otherKey = w.ask(kGood + ".send", {{"type", "io.tessera.test.card"}, {"state_key", "c2"}, {"content", json::object()}});
    EXPECT_EQ(otherKey["status"], TESSERA_DENIED);
    EXPECT_EQ(otherKey["error"], "the widget session may not send io.tessera.test.card state");
    const json message = w.ask(kGood + ".send", {{"type", "m.room.message"}, {"content", {{"msgtype", "m.text"}, {"body", "hi"}}}});
    EXPECT_EQ(message["status"], TESSERA_DENIED);
    EXPECT_EQ(w.widget.driver.sentEvents.size(), 1u);
}

TEST(PluginSessionWiring, AClosedSessionIsNotFound)
{
    Wired w;
    w.widget.loadAndNegotiate({kEcho, kCardState});
    ASSERT_EQ(w.ask(kEcho, json::object())["session"], 1);
    const auto context = w.widget.session->config().widget;
    w.widget.session->stop();
    std::optional<tessera::Result<std::vector<json>>> outcome;
    w.rooms->readState(context, "io.tessera.test.card", std::nullopt,
                       [&](tessera::Result<std::vector<json>> r) { outcome = std::move(r); });
    ASSERT_TRUE(outcome.has_value());
    EXPECT_EQ(outcome->error().code, tessera::ErrorCode::NotFound);
    EXPECT_EQ(outcome->error().message, "the widget session is closed");
}
