// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// Element's call actions (io.element.join, im.vector.hangup, io.element.close,
// io.element.device_mute): served to call widgets as Element's host serves them to Element Call,
// unknown to every other widget, audited like every message.

#include <gtest/gtest.h>

#include "sessionharness.h"

using namespace tessera;
using namespace tessera::bridge;
using tessera::test::SessionHarness;
using nlohmann::json;

namespace {

class CallObserver final : public SessionObserver {
public:
    void onCallAction(CallAction action) override { actions.push_back(action); }
    void onCapabilitiesUnanswered(const std::string &reason) override { unanswered.push_back(reason); }
    void onReady(const std::vector<std::string> &approved) override { ready.push_back(approved); }
    std::vector<CallAction> actions;
    std::vector<std::string> unanswered;
    std::vector<std::vector<std::string>> ready;
};

SessionConfig callConfig(const std::string &type = "m.call")
{
    SessionConfig c = SessionHarness::defaultConfig();
    c.widget.widgetType = type;
    c.callActions = isCallWidgetType(type);
    return c;
}

const std::vector<std::string> kCallActions{"io.element.join", "im.vector.hangup", "io.element.close",
                                            "io.element.device_mute"};

} // namespace

TEST(CallActions, OnlyElementsCallTypesAreCallWidgets)
{
    EXPECT_TRUE(isCallWidgetType("m.call"));
    EXPECT_TRUE(isCallWidgetType("io.element.call"));
    EXPECT_TRUE(isCallWidgetType("org.matrix.msc3401.call"));
    EXPECT_FALSE(isCallWidgetType("m.custom"));
    EXPECT_FALSE(isCallWidgetType("jitsi"));
    EXPECT_FALSE(isCallWidgetType("m.call "));
    EXPECT_FALSE(isCallWidgetType(""));
}

TEST(CallActions, AnyOtherWidgetGetsElementsUnknownActionError)
{
    SessionHarness h(callConfig("m.custom"));
    CallObserver observer;
    h.session->setObserver(&observer);
    h.loadAndNegotiate({});
    for (const auto &action : kCallActions) {
        auto reply = h.respond(action, json::object());
        EXPECT_EQ(SessionHarness::errorOf(reply), "Unknown or unsupported action: " + action);
        EXPECT_FALSE(h.audit.with(audit::Decision::Refused, action).empty()) << action;
    }
    EXPECT_TRUE(observer.actions.empty());
    EXPECT_FALSE(h.session->inCall());
    EXPECT_FALSE(h.session->requestHangup());
    EXPECT_FALSE(h.session->requestDeviceMute({}, [](Result<DeviceMuteState>) {}));
}

TEST(CallActions, JoinAnswersEmptyAndPutsTheWidgetInTheCall)
{
    SessionHarness h(callConfig());
    CallObserver observer;
    h.session->setObserver(&observer);
    h.loadAndNegotiate({});
    EXPECT_EQ(h.respond("io.element.join", json{{"audioInput", nullptr}, {"videoInput", nullptr}}), json::object());
    EXPECT_TRUE(h.session->inCall());
    EXPECT_EQ(observer.actions, std::vector<CallAction>{CallAction::Join});
    // Audited as allowed, like every message.
    const auto allowed = h.audit.with(audit::Decision::Allowed, "io.element.join");
    ASSERT_EQ(allowed.size(), 1u);
    EXPECT_EQ(allowed[0].direction, audit::Direction::FromWidget);
}

TEST(CallActions, HangupLeavesTheCallAndTheWidgetOpen)
{
    SessionHarness h(callConfig("org.matrix.msc3401.call"));
    CallObserver observer;
    h.session->setObserver(&observer);
    h.loadAndNegotiate({});
    h.respond("io.element.join", json::object());
    EXPECT_EQ(h.respond("im.vector.hangup", json::object()), json::object());
    EXPECT_FALSE(h.session->inCall());
    EXPECT_EQ(h.session->state(), WidgetSession::State::Ready);
    EXPECT_EQ(observer.actions, (std::vector<CallAction>{CallAction::Join, CallAction::Hangup}));
    // A hangup outside a call (Element Call's error screens send one) is answered the same way.
    EXPECT_EQ(h.respond("im.vector.hangup", json::object()), json::object());
}

TEST(CallActions, CloseLeavesTheCallAndAsksTheHostToClose)
{
    SessionHarness h(callConfig("io.element.call"));
    CallObserver observer;
    h.session->setObserver(&observer);
    h.loadAndNegotiate({});
    h.respond("io.element.join", json::object());
    EXPECT_EQ(h.respond("io.element.close", json::object()), json::object());
    EXPECT_FALSE(h.session->inCall());
    EXPECT_EQ(observer.actions, (std::vector<CallAction>{CallAction::Join, CallAction::Close}));
}

TEST(CallActions, DeviceMuteRecordsWhatTheWidgetSays)
{
    SessionHarness h(callConfig());
    CallObserver observer;
    h.session->setObserver(&observer);
    h.loadAndNegotiate({});
    EXPECT_EQ(h.respond("io.element.device_mute", json{{"audio_enabled", false}, {"video_enabled", true}}), json::object());
    EXPECT_EQ(h.session->deviceMute().audioEnabled, std::optional<bool>(false));
    EXPECT_EQ(h.session->deviceMute().videoEnabled, std::optional<bool>(true));
    // One field changes only that field.
    EXPECT_EQ(h.respond("io.element.device_mute", json{{"audio_enabled", true}}), json::object());
    EXPECT_EQ(h.session->deviceMute().audioEnabled, std::optional<bool>(true));
    EXPECT_EQ(h.session->deviceMute().videoEnabled, std::optional<bool>(true));
    EXPECT_EQ(SessionHarness::errorOf(h.respond("io.element.device_mute", json{{"video_enabled", "off"}})),
              "Invalid request - video_enabled must be a boolean");
    EXPECT_EQ(h.session->deviceMute().videoEnabled, std::optional<bool>(true));
    EXPECT_EQ(observer.actions, (std::vector<CallAction>{CallAction::DeviceMute, CallAction::DeviceMute}));
}

TEST(CallActions, NeedNegotiationFirst)
{
    SessionHarness h(callConfig());
    h.session->onIframeLoaded();
    for (const auto &action : kCallActions)
        EXPECT_EQ(SessionHarness::errorOf(h.respond(action, json::object())),
                  "Request refused: capabilities have not been negotiated yet")
            << action;
    EXPECT_FALSE(h.session->inCall());
}

TEST(CallActions, TheHostHangsUpAndTheWidgetConfirms)
{
    SessionHarness h(callConfig());
    CallObserver observer;
    h.session->setObserver(&observer);
    h.loadAndNegotiate({});
    h.respond("io.element.join", json::object());
    ASSERT_TRUE(h.session->requestHangup());
    auto sent = h.toWidgetRequests("im.vector.hangup");
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0]["data"], json::object());
    h.answer(sent[0], json::object());
    EXPECT_TRUE(h.session->inCall()); // until the widget says it left
    h.respond("im.vector.hangup", json::object());
    EXPECT_FALSE(h.session->inCall());
}

TEST(CallActions, TheHostAsksForTheDevices)
{
    SessionHarness h(callConfig());
    h.loadAndNegotiate({});
    std::optional<Result<DeviceMuteState>> got;
    ASSERT_TRUE(h.session->requestDeviceMute({std::nullopt, false}, [&](Result<DeviceMuteState> r) { got = std::move(r); }));
    auto sent = h.toWidgetRequests("io.element.device_mute");
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0]["data"], json({{"video_enabled", false}}));
    h.answer(sent[0], json{{"audio_enabled", true}, {"video_enabled", false}});
    ASSERT_TRUE(got && *got);
    EXPECT_EQ((*got)->audioEnabled, std::optional<bool>(true));
    EXPECT_EQ(h.session->deviceMute().videoEnabled, std::optional<bool>(false));
    // A widget answering nonsense is an error, not a state.
    got.reset();
    ASSERT_TRUE(h.session->requestDeviceMute({}, [&](Result<DeviceMuteState> r) { got = std::move(r); }));
    h.answer(h.toWidgetRequests("io.element.device_mute").back(), json{{"audio_enabled", 1}});
    ASSERT_TRUE(got);
    EXPECT_FALSE(*got);
}

TEST(CallActions, AWidgetThatNeverAnswersTheCapabilitiesRequestIsReported)
{
    SessionHarness h(callConfig());
    CallObserver observer;
    h.session->setObserver(&observer);
    h.session->onIframeLoaded();
    h.answerAll("supported_api_versions", json{{"supported_versions", json::array({"0.0.2"})}});
    ASSERT_EQ(h.toWidgetRequests("capabilities").size(), 1u);
    h.scheduler.advance(SessionHarness::defaultConfig().limits.requestTimeoutMs + 1);
    ASSERT_EQ(observer.unanswered.size(), 1u);
    EXPECT_NE(observer.unanswered[0].find("did not answer the capabilities request"), std::string::npos);
    ASSERT_EQ(observer.ready.size(), 1u);
    EXPECT_TRUE(observer.ready[0].empty());
    EXPECT_FALSE(h.audit.with(audit::Decision::Failed, "capabilities").empty());
}

TEST(CallActions, APluginCannotClaimThem)
{
    struct Claimer final : CustomActionHandler {
        void handle(const WidgetContext &, const std::string &, const json &, Callback<json> done) override
        {
            done(json::object());
        }
    } plugin;
    ActionRegistry registry;
    ASSERT_TRUE(registry.addCapability("io.tessera.calls", &plugin));
    for (const char *action : {"io.element.join", "im.vector.hangup", "io.element.close", "io.element.device_mute"}) {
        auto claimed = registry.addAction(action, "io.tessera.calls", &plugin);
        ASSERT_FALSE(claimed) << action;
        EXPECT_EQ(claimed.error().code, ErrorCode::Conflict) << action;
        EXPECT_EQ(registry.find(action), nullptr) << action;
    }
}

TEST(UnsupportedCapabilities, AreShownAsNotSupportedNeverAskedOrGranted)
{
    // Element Call asks for capabilities of proposals Tessera does not implement, and for sticky
    // events, which the room backend cannot send: each is refused as NotImplemented, and goes
    // to the consent question's refused list (the dialog shows it), not to its switches.
    SessionHarness h(callConfig());
    // Like the room backend, this driver cannot send sticky events.
    h.driver.supports = [](const Capability &c) { return c.raw != "org.matrix.msc4407.send.sticky_event"; };
    h.loadAndNegotiate({"org.matrix.msc2762.send.event:org.matrix.rageshake_request", "org.matrix.msc4515.rtc_transports",
                        "org.matrix.msc4407.send.sticky_event"});
    ASSERT_EQ(h.driver.capabilityRequests.size(), 1u);
    const CapabilityRequest &asked = h.driver.capabilityRequests[0];
    EXPECT_EQ(asked.requested, std::vector<std::string>{"org.matrix.msc2762.send.event:org.matrix.rageshake_request"});
    ASSERT_EQ(asked.refused.size(), 2u);
    EXPECT_EQ(asked.refused[0].capability, "org.matrix.msc4515.rtc_transports");
    EXPECT_EQ(asked.refused[0].reason, RefusalReason::NotImplemented);
    EXPECT_EQ(asked.refused[1].capability, "org.matrix.msc4407.send.sticky_event");
    EXPECT_EQ(asked.refused[1].reason, RefusalReason::NotImplemented);
    EXPECT_FALSE(h.session->approved().contains("org.matrix.msc4407.send.sticky_event"));
    EXPECT_TRUE(h.session->approved().contains("org.matrix.msc2762.send.event:org.matrix.rageshake_request"));
    // Each refusal is audited with why.
    int audited = 0;
    for (const auto &row : h.audit.with(audit::Decision::Refused, "capabilities"))
        audited += row.reason.find("not supported by Tessera") != std::string::npos
            || row.reason.find("does not implement") != std::string::npos;
    EXPECT_EQ(audited, 2);
}
