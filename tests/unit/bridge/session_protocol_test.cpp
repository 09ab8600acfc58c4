// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// Session life cycle, negotiation and the transport rules: the parts the reference suite does
// not cover (its "gaps" list) plus Tessera's stricter rules.

#include <gtest/gtest.h>

#include "bridge/apiversions.h"
#include "sessionharness.h"

using namespace tessera;
using namespace tessera::bridge;
using tessera::test::SessionHarness;
using nlohmann::json;

namespace {
std::string fromWidget(const std::string &action, const std::string &requestId, const json &data = json::object(),
                       const std::string &widgetId = "test")
{
    return json{{"api", "fromWidget"}, {"widgetId", widgetId}, {"requestId", requestId}, {"action", action}, {"data", data}}.dump();
}
} // namespace

TEST(Negotiation, InitiatesCapabilitiesAfterTheIframeLoads)
{
    SessionHarness h;
    EXPECT_TRUE(h.toWidgetRequests("capabilities").empty());
    h.loadAndNegotiate({"m.always_on_screen"});
    EXPECT_EQ(h.session->state(), WidgetSession::State::Ready);
    EXPECT_TRUE(h.session->approved().hasSimple("m.always_on_screen"));
    EXPECT_FALSE(h.session->approved().hasSimple("m.sticker"));
}

TEST(Negotiation, NotifiesTheWidgetOfRequestedAndApproved)
{
    SessionHarness h;
    h.driver.approve = [](const CapabilityRequest &) { return std::vector<std::string>{"m.always_on_screen"}; };
    h.loadAndNegotiate({"m.always_on_screen", "m.sticker"});
    auto notify = h.toWidgetRequests("notify_capabilities");
    ASSERT_EQ(notify.size(), 1u);
    EXPECT_EQ(notify[0]["data"]["requested"], json({"m.always_on_screen", "m.sticker"}));
    EXPECT_EQ(notify[0]["data"]["approved"], json({"m.always_on_screen"}));
}

TEST(Negotiation, NeverApprovesWhatWasNotRequested)
{
    SessionHarness h;
    h.driver.approve = [](const CapabilityRequest &) {
        return std::vector<std::string>{"m.always_on_screen", "org.matrix.msc2931.navigate"};
    };
    h.loadAndNegotiate({"m.always_on_screen"});
    EXPECT_FALSE(h.session->approved().hasSimple("org.matrix.msc2931.navigate"));
    EXPECT_EQ(h.audit.with(audit::Decision::Refused, "capabilities").size(), 1u);
}

TEST(Negotiation, DeniesUnknownAndForbiddenCapabilitiesWithoutAskingTheDriver)
{
    SessionHarness h;
    h.loadAndNegotiate({"org.example.unknown", "org.matrix.msc3819.receive.to_device:m.room_key",
                        "org.matrix.msc2762.send.event:m.room.power_levels", "m.sticker"});
    ASSERT_EQ(h.driver.capabilityRequests.size(), 1u);
    EXPECT_EQ(h.driver.capabilityRequests[0].requested, std::vector<std::string>{"m.sticker"});
    EXPECT_EQ(h.session->approved().rawList(), std::vector<std::string>{"m.sticker"});
    EXPECT_EQ(h.audit.with(audit::Decision::Refused, "capabilities").size(), 3u);
}

TEST(Negotiation, TellsTheDriverWhatItRefusedByItselfSoTheUserSeesIt)
{
    SessionHarness h;
    const std::string tooLong = "org.matrix.msc2762.send.event:" + std::string(1100, 'x');
    h.loadAndNegotiate({"org.example.unknown", tooLong, "org.matrix.msc3819.receive.to_device:m.room_key", "m.sticker"});
    ASSERT_EQ(h.driver.capabilityRequests.size(), 1u);
    const auto &refused = h.driver.capabilityRequests[0].refused;
    ASSERT_EQ(refused.size(), 3u);
    EXPECT_EQ(refused[0].capability, "org.example.unknown");
    EXPECT_EQ(refused[0].verdict, CapabilityVerdict::Unknown);
    EXPECT_EQ(refused[0].reason, RefusalReason::Unsupported);
    EXPECT_EQ(refused[1].capability, tooLong);
    EXPECT_EQ(refused[1].reason, RefusalReason::EmptyOrTooLong);
    EXPECT_EQ(refused[2].verdict, CapabilityVerdict::Forbidden);
    EXPECT_EQ(refused[2].reason, RefusalReason::EncryptionToDevice);

    // MSC2974 renegotiation carries them too.
    h.respond("org.matrix.msc2974.request_capabilities", json{{"capabilities", {"m.always_on_screen", "org.example.other"}}});
    ASSERT_EQ(h.driver.capabilityRequests.size(), 2u);
    ASSERT_EQ(h.driver.capabilityRequests[1].refused.size(), 1u);
    EXPECT_EQ(h.driver.capabilityRequests[1].refused[0].capability, "org.example.other");
}

TEST(Negotiation, RefusesActionsBeforeNegotiationCompletes)
{
    SessionHarness h;
    h.driver.deferCapabilities = true;
    h.session->onIframeLoaded();
    h.answerAll("capabilities", json{{"capabilities", {"org.matrix.msc2762.send.event:m.room.message"}}});
    auto reply = h.respond("send_event", json{{"type", "m.room.message"}, {"content", {{"body", "x"}}}});
    EXPECT_EQ(SessionHarness::errorOf(reply), "Request refused: capabilities have not been negotiated yet");
    EXPECT_TRUE(h.driver.sentEvents.empty());
    // Version queries are always answered, even mid-negotiation (matrix-rust-sdk: no deadlock).
    auto versions = h.respond("supported_api_versions", json::object());
    EXPECT_EQ(versions["supported_versions"].size(), kSupportedApiVersions.size());
}

TEST(Negotiation, AWidgetThatNeverAnswersEndsUpReadyWithNothing)
{
    SessionHarness h;
    h.session->onIframeLoaded();
    h.scheduler.advance(10'000);
    EXPECT_EQ(h.session->state(), WidgetSession::State::Ready);
    EXPECT_TRUE(h.session->approved().empty());
    auto failed = h.audit.with(audit::Decision::Failed, "capabilities");
    EXPECT_TRUE(std::any_of(failed.begin(), failed.end(), [](const auto &r) {
        return r.reason == "widget did not answer the capabilities request: Request timed out";
    }));
}

TEST(Negotiation, RefusesAMalformedCapabilityList)
{
    SessionHarness h;
    h.session->onIframeLoaded();
    h.answerAll("capabilities", json{{"capabilities", {"m.sticker", 5}}});
    EXPECT_EQ(h.session->state(), WidgetSession::State::Ready);
    EXPECT_TRUE(h.session->approved().empty());
    EXPECT_TRUE(h.driver.capabilityRequests.empty());
}

TEST(Negotiation, LimitsHowManyCapabilitiesOneRequestMayList)
{
    auto config = SessionHarness::defaultConfig();
    config.limits.maxCapabilitiesPerRequest = 2;
    SessionHarness h(config);
    h.loadAndNegotiate({"m.sticker", "m.always_on_screen", "org.matrix.msc2931.navigate"});
    EXPECT_TRUE(h.session->approved().empty());
}

TEST(Negotiation, AReloadRenegotiatesFromScratch)
{
    SessionHarness h;
    h.loadAndNegotiate({"m.sticker"});
    EXPECT_TRUE(h.session->approved().hasSimple("m.sticker"));
    h.driver.approve = [](const CapabilityRequest &) { return std::vector<std::string>{}; };
    h.session->onIframeLoaded();
    EXPECT_EQ(h.session->state(), WidgetSession::State::Negotiating);
    EXPECT_TRUE(h.session->approved().empty()) << "a new page does not inherit the old page's grants";
    h.answerAll("supported_api_versions", json{{"supported_versions", json::array()}});
    h.answerAll("capabilities", json{{"capabilities", {"m.sticker"}}});
    EXPECT_EQ(h.session->state(), WidgetSession::State::Ready);
    EXPECT_FALSE(h.session->approved().hasSimple("m.sticker"));
    EXPECT_EQ(h.driver.capabilityRequests.size(), 2u);
}

TEST(Negotiation, IgnoresAnAnswerFromBeforeTheReload)
{
    SessionHarness h;
    h.session->onIframeLoaded();
    auto stale = h.toWidgetRequests("capabilities").at(0);
    h.session->onIframeLoaded();
    h.answer(stale, json{{"capabilities", {"m.sticker"}}});
    EXPECT_EQ(h.session->state(), WidgetSession::State::Negotiating);
    EXPECT_TRUE(h.driver.capabilityRequests.empty());
}

// ---- content_loaded (waitForIframeLoad = false) ----

class ContentLoaded : public ::testing::Test {
protected:
    static SessionConfig config()
    {
        auto c = SessionHarness::defaultConfig();
        c.waitForIframeLoad = false;
        return c;
    }
    SessionHarness h{config()};
};

TEST_F(ContentLoaded, NegotiationWaitsForContentLoaded)
{
    h.session->onIframeLoaded();
    EXPECT_TRUE(h.toWidgetRequests("capabilities").empty());
    EXPECT_EQ(h.respond("content_loaded", json::object()), json::object());
    EXPECT_EQ(h.toWidgetRequests("capabilities").size(), 1u);
}

TEST_F(ContentLoaded, MayArriveBeforeTheLoadEvent)
{
    EXPECT_EQ(h.respond("content_loaded", json::object()), json::object());
    h.session->onIframeLoaded();
    EXPECT_EQ(h.toWidgetRequests("capabilities").size(), 1u) << "the load event of the same page does not restart";
    EXPECT_EQ(h.session->state(), WidgetSession::State::Negotiating);
}

TEST_F(ContentLoaded, ASecondOneInTheSameLoadGetsAnError)
{
    h.session->onIframeLoaded();
    h.respond("content_loaded", json::object());
    auto second = h.respond("content_loaded", json::object());
    EXPECT_EQ(SessionHarness::errorOf(second), "Improper sequence: content_loaded was already received for this load of the widget");
    EXPECT_EQ(h.toWidgetRequests("capabilities").size(), 1u);
}

TEST_F(ContentLoaded, AReloadExpectsItAgain)
{
    h.session->onIframeLoaded();
    h.respond("content_loaded", json::object());
    h.answerAll("supported_api_versions", json{{"supported_versions", json::array()}});
    h.answerAll("capabilities", json{{"capabilities", {"m.sticker"}}});
    ASSERT_TRUE(h.session->approved().hasSimple("m.sticker"));
    h.session->onIframeLoaded(); // the page reloaded
    EXPECT_EQ(h.session->state(), WidgetSession::State::WaitingForLoad);
    EXPECT_TRUE(h.session->approved().empty());
    EXPECT_EQ(h.respond("content_loaded", json::object()), json::object());
    EXPECT_EQ(h.toWidgetRequests("capabilities").size(), 2u);
}

TEST_F(ContentLoaded, AReloadWhoseContentLoadedComesBeforeItsLoadEventStillNegotiates)
{
    for (bool firstPageLoadFirst : {true, false}) {
        SessionHarness s(config());
        if (firstPageLoadFirst) {
            s.session->onIframeLoaded();
            s.respond("content_loaded", json::object());
        } else {
            s.respond("content_loaded", json::object());
            s.session->onIframeLoaded();
        }
        ASSERT_EQ(s.toWidgetRequests("capabilities").size(), 1u);
        // Page 2 announces itself before its load event: indistinguishable from a duplicate yet.
        auto early = s.respond("content_loaded", json::object());
        EXPECT_FALSE(SessionHarness::errorOf(early).empty());
        s.session->onIframeLoaded();
        EXPECT_EQ(s.toWidgetRequests("capabilities").size(), 2u) << "the new page negotiates at its load event";
        EXPECT_EQ(s.session->state(), WidgetSession::State::Negotiating);
    }
}

TEST_F(ContentLoaded, ReportsAWidgetThatNeverSendsIt)
{
    struct Observer : SessionObserver {
        int timeouts = 0;
        void onContentLoadTimeout() override { ++timeouts; }
    } observer;
    h.session->setObserver(&observer);
    h.session->onIframeLoaded();
    h.scheduler.advance(10'000);
    EXPECT_EQ(observer.timeouts, 1);
    EXPECT_EQ(h.audit.with(audit::Decision::Failed, "content_loaded").size(), 1u);
}

TEST(ContentLoadedWithIframeLoad, IsAnImproperSequence)
{
    SessionHarness h;
    h.session->onIframeLoaded();
    auto reply = h.respond("content_loaded", json::object());
    EXPECT_EQ(SessionHarness::errorOf(reply),
              "Improper sequence: not expecting ContentLoaded event if waitForIframeLoad is true (default=true)");
}

// ---- MSC2974 renegotiation ----

TEST(Renegotiation, AsksOnlyForWhatIsNew)
{
    SessionHarness h;
    h.loadAndNegotiate({"m.sticker"});
    auto ack = h.respond("org.matrix.msc2974.request_capabilities", json{{"capabilities", {"m.sticker", "m.always_on_screen"}}});
    EXPECT_EQ(ack, json::object());
    ASSERT_EQ(h.driver.capabilityRequests.size(), 2u);
    EXPECT_TRUE(h.driver.capabilityRequests[1].isRenegotiation);
    EXPECT_EQ(h.driver.capabilityRequests[1].requested, std::vector<std::string>{"m.always_on_screen"});
    auto notify = h.toWidgetRequests("notify_capabilities");
    ASSERT_EQ(notify.size(), 2u);
    EXPECT_EQ(notify[1]["data"]["approved"], json({"m.sticker", "m.always_on_screen"}));
}

TEST(Renegotiation, NotifiesOnceWhenNothingIsNew)
{
    SessionHarness h;
    h.loadAndNegotiate({"m.sticker"});
    h.respond("org.matrix.msc2974.request_capabilities", json{{"capabilities", {"m.sticker"}}});
    EXPECT_EQ(h.toWidgetRequests("notify_capabilities").size(), 2u); // the first negotiation's + exactly one
    EXPECT_EQ(h.driver.capabilityRequests.size(), 1u);
}

TEST(Renegotiation, IsRefusedBeforeTheFirstNegotiation)
{
    SessionHarness h;
    h.session->onIframeLoaded();
    auto reply = h.respond("org.matrix.msc2974.request_capabilities", json{{"capabilities", {"m.sticker"}}});
    EXPECT_EQ(SessionHarness::errorOf(reply), "Request refused: capabilities have not been negotiated yet");
}

TEST(Renegotiation, AllowsOneRequestAtATime)
{
    SessionHarness h;
    h.loadAndNegotiate({});
    h.driver.deferCapabilities = true;
    h.respond("org.matrix.msc2974.request_capabilities", json{{"capabilities", {"m.sticker"}}});
    auto second = h.respond("org.matrix.msc2974.request_capabilities", json{{"capabilities", {"m.always_on_screen"}}});
    EXPECT_EQ(SessionHarness::errorOf(second), "A capability request is already waiting for an answer");
    h.driver.pendingCapabilityDecisions.at(0)(std::vector<std::string>{"m.sticker"});
    EXPECT_TRUE(h.session->approved().hasSimple("m.sticker"));
}

TEST(Renegotiation, IsRateLimited)
{
    SessionHarness h;
    h.loadAndNegotiate({});
    for (int i = 0; i < 6; ++i)
        EXPECT_EQ(h.respond("org.matrix.msc2974.request_capabilities", json{{"capabilities", json::array()}}), json::object());
    auto seventh = h.respond("org.matrix.msc2974.request_capabilities", json{{"capabilities", json::array()}});
    EXPECT_EQ(SessionHarness::errorOf(seventh), "Too many capability requests; at most 6 per minute");
    h.scheduler.advance(60'000);
    EXPECT_EQ(h.respond("org.matrix.msc2974.request_capabilities", json{{"capabilities", json::array()}}), json::object());
}

TEST(Renegotiation, RejectsAMalformedList)
{
    SessionHarness h;
    h.loadAndNegotiate({});
    auto reply = h.respond("org.matrix.msc2974.request_capabilities", json{{"capabilities", "m.sticker"}});
    EXPECT_EQ(SessionHarness::errorOf(reply), "Invalid request - capabilities must be a list of strings");
}

// ---- Revocation ----

TEST(Revocation, TakesEffectAtOnceAndTellsTheWidget)
{
    SessionHarness h;
    h.loadAndNegotiate({"org.matrix.msc2931.navigate", "m.sticker"});
    EXPECT_EQ(h.respond("org.matrix.msc2931.navigate", json{{"uri", "https://matrix.to/#/#a:b"}}), json::object());
    h.session->revokeCapabilities({"org.matrix.msc2931.navigate"});
    auto reply = h.respond("org.matrix.msc2931.navigate", json{{"uri", "https://matrix.to/#/#a:b"}});
    EXPECT_EQ(SessionHarness::errorOf(reply), "Missing capability");
    auto notify = h.toWidgetRequests("notify_capabilities");
    EXPECT_EQ(notify.back()["data"]["approved"], json({"m.sticker"}));
}

TEST(Revocation, StopsATurnWatch)
{
    SessionHarness h;
    h.loadAndNegotiate({"town.robin.msc3846.turn_servers"});
    h.respond("watch_turn_servers", json::object());
    EXPECT_EQ(h.driver.liveTurnSubscriptions, 1);
    h.session->revokeCapabilities({"town.robin.msc3846.turn_servers"});
    EXPECT_EQ(h.driver.liveTurnSubscriptions, 0);
}

// ---- Transport rules ----

TEST(Transport, DropsAndAuditsMessagesForAnotherWidget)
{
    SessionHarness h;
    h.loadAndNegotiate({});
    const auto before = h.transport.sent.size();
    h.session->handleMessage(fromWidget("supported_api_versions", "r1", json::object(), "other"));
    EXPECT_EQ(h.transport.sent.size(), before);
    auto dropped = h.audit.with(audit::Decision::Dropped);
    ASSERT_EQ(dropped.size(), 1u);
    EXPECT_EQ(dropped[0].reason, "message names widget other, not this widget");
}

TEST(Transport, DropsRequestsInTheWrongDirection)
{
    SessionHarness h;
    h.loadAndNegotiate({});
    const auto before = h.transport.sent.size();
    h.session->handleMessage(json{{"api", "toWidget"}, {"widgetId", "test"}, {"requestId", "x"}, {"action", "capabilities"}, {"data", json::object()}}.dump());
    EXPECT_EQ(h.transport.sent.size(), before);
    EXPECT_EQ(h.audit.with(audit::Decision::Dropped).at(0).reason, "a toWidget request: only the host sends toWidget requests");
}

TEST(Transport, DropsAWidgetAnsweringItsOwnRequestAsTheHost)
{
    SessionHarness h;
    h.loadAndNegotiate({"org.matrix.msc2931.navigate"});
    h.session->handleMessage(json{{"api", "fromWidget"}, {"widgetId", "test"}, {"requestId", "x"}, {"action", "org.matrix.msc2931.navigate"},
                                  {"data", {{"uri", "https://matrix.to/#/a"}}}, {"response", json::object()}}.dump());
    EXPECT_TRUE(h.driver.navigations.empty());
    EXPECT_EQ(h.audit.with(audit::Decision::Dropped).size(), 1u);
}

TEST(Transport, DropsResponsesToUnknownRequests)
{
    SessionHarness h;
    h.loadAndNegotiate({});
    h.session->handleMessage(json{{"api", "toWidget"}, {"widgetId", "test"}, {"requestId", "nope"}, {"action", "capabilities"},
                                  {"data", json::object()}, {"response", {{"capabilities", {"m.sticker"}}}}}.dump());
    EXPECT_EQ(h.audit.with(audit::Decision::Dropped).at(0).reason, "response to an unknown or expired request");
}

TEST(Transport, DropsMalformedMessagesWithTheReason)
{
    SessionHarness h;
    h.session->handleMessage("{not json");
    h.session->handleMessage(R"({"api":"fromWidget","widgetId":"test","action":"x"})");
    auto dropped = h.audit.with(audit::Decision::Dropped);
    ASSERT_EQ(dropped.size(), 2u);
    EXPECT_NE(dropped[0].reason.find("malformed JSON"), std::string::npos);
    EXPECT_EQ(dropped[1].reason, "field `requestId` must be a non-empty string");
    EXPECT_TRUE(h.transport.sent.empty());
}

TEST(Transport, RefusesOversizedMessagesAndStillAnswersAfterwards)
{
    SessionHarness h;
    h.loadAndNegotiate({});
    const std::string huge = fromWidget("supported_api_versions", "big", json{{"pad", std::string(10 * 1024 * 1024, 'a')}});
    h.session->handleMessage(huge);
    auto dropped = h.audit.with(audit::Decision::Dropped);
    ASSERT_EQ(dropped.size(), 1u);
    EXPECT_EQ(dropped[0].sizeBytes, huge.size());
    EXPECT_LE(dropped[0].body.size(), 4096u) << "a refused message is not copied whole into the log";
    EXPECT_FALSE(h.replyTo("big"));
    EXPECT_TRUE(h.request("supported_api_versions", json::object()));
}

TEST(Transport, RefusesADuplicateInFlightRequestId)
{
    SessionHarness h;
    h.loadAndNegotiate({"org.matrix.msc2762.send.event:m.room.message"});
    h.driver.deferSends = true;
    const json data{{"type", "m.room.message"}, {"content", {{"msgtype", "m.text"}, {"body", "a"}}}};
    EXPECT_FALSE(h.request("send_event", data, "same"));
    auto dup = h.request("send_event", data, "same");
    ASSERT_TRUE(dup);
    EXPECT_EQ(SessionHarness::errorOf((*dup)["response"]), "Duplicate request ID: a request with this ID is still being processed");
    EXPECT_EQ(h.driver.sentEvents.size(), 1u);
    h.driver.pendingSends.at(0)();
    EXPECT_EQ(h.session->pendingFromWidget(), 0u);
    // Once answered, the id may be used again.
    h.driver.deferSends = false;
    auto again = h.request("send_event", data, "same");
    ASSERT_TRUE(again);
    EXPECT_TRUE((*again)["response"].contains("event_id"));
}

TEST(Transport, LimitsRequestsInFlight)
{
    auto config = SessionHarness::defaultConfig();
    config.limits.maxPendingFromWidget = 2;
    SessionHarness h(config);
    h.loadAndNegotiate({"org.matrix.msc2762.send.event:m.room.message"});
    h.driver.deferSends = true;
    const json data{{"type", "m.room.message"}, {"content", {{"msgtype", "m.text"}, {"body", "a"}}}};
    EXPECT_FALSE(h.request("send_event", data, "a"));
    EXPECT_FALSE(h.request("send_event", data, "b"));
    auto third = h.request("send_event", data, "c");
    ASSERT_TRUE(third);
    EXPECT_EQ(SessionHarness::errorOf((*third)["response"]),
              "Too many requests in flight (limit 2); wait for answers before sending more");
}

TEST(Transport, AnswersARequestTheDriverNeverFinishesWithATimeout)
{
    SessionHarness h;
    h.loadAndNegotiate({"org.matrix.msc2762.send.event:m.room.message"});
    h.driver.deferSends = true;
    EXPECT_FALSE(h.request("send_event", json{{"type", "m.room.message"}, {"content", {{"msgtype", "m.text"}}}}, "slow"));
    h.scheduler.advance(9'999);
    EXPECT_FALSE(h.replyTo("slow"));
    h.scheduler.advance(1);
    auto reply = h.replyTo("slow");
    ASSERT_TRUE(reply);
    EXPECT_EQ(SessionHarness::errorOf((*reply)["response"]), "Request timed out: the host did not finish in 10 s");
    // The late driver answer is discarded: exactly one reply.
    h.driver.pendingSends.at(0)();
    int replies = 0;
    for (const auto &m : h.transport.sent)
        replies += json::parse(m).value("requestId", "") == "slow";
    EXPECT_EQ(replies, 1);
}

TEST(Transport, HostRequestsTimeOut)
{
    SessionHarness h;
    h.loadAndNegotiate({});
    h.session->updateTheme(json{{"name", "dark"}});
    EXPECT_EQ(h.session->pendingToWidget(), 1u);
    h.scheduler.advance(10'000);
    EXPECT_EQ(h.session->pendingToWidget(), 0u);
    auto failed = h.audit.with(audit::Decision::Failed, "theme_change");
    ASSERT_EQ(failed.size(), 1u);
    EXPECT_EQ(failed[0].reason, "Request timed out");
}

TEST(Transport, DropsPushesWhenTheWidgetStopsAnswering)
{
    auto config = SessionHarness::defaultConfig();
    config.limits.maxPendingToWidget = 3;
    SessionHarness h(config);
    h.loadAndNegotiate({});
    for (int i = 0; i < 5; ++i)
        h.session->updateLanguage("en");
    EXPECT_EQ(h.session->pendingToWidget(), 3u);
    EXPECT_EQ(h.audit.with(audit::Decision::Dropped, "language_change").size(), 2u);
}

TEST(Transport, StopFailsPendingHostRequestsAndIgnoresLateAnswers)
{
    SessionHarness h;
    h.driver.deferCapabilities = true;
    h.session->onIframeLoaded();
    h.answerAll("capabilities", json{{"capabilities", {"m.sticker"}}});
    ASSERT_EQ(h.driver.pendingCapabilityDecisions.size(), 1u);
    h.session->stop();
    EXPECT_EQ(h.session->pendingToWidget(), 0u);
    const auto before = h.transport.sent.size();
    h.driver.pendingCapabilityDecisions[0](std::vector<std::string>{"m.sticker"});
    EXPECT_EQ(h.transport.sent.size(), before) << "a widget closed while waiting gets nothing";
    h.session->handleMessage(fromWidget("supported_api_versions", "late"));
    EXPECT_EQ(h.transport.sent.size(), before);
}

TEST(Transport, FailsClosedWhenTheAuditLogCannotBeWritten)
{
    SessionHarness h;
    h.loadAndNegotiate({"org.matrix.msc2931.navigate"});
    h.audit.isAccepting = false;
    auto reply = h.respond("org.matrix.msc2931.navigate", json{{"uri", "https://matrix.to/#/a"}});
    EXPECT_EQ(SessionHarness::errorOf(reply), "Tessera cannot write its audit log, so it refuses widget actions until it can");
    EXPECT_TRUE(h.driver.navigations.empty());
}

TEST(Transport, AuditsEveryRequestAndReplyWithDirectionAndDuration)
{
    SessionHarness h;
    h.loadAndNegotiate({});
    h.audit.rows.clear();
    h.request("supported_api_versions", json::object(), "v1");
    ASSERT_EQ(h.audit.rows.size(), 2u);
    EXPECT_EQ(h.audit.rows[0].direction, audit::Direction::FromWidget);
    EXPECT_EQ(h.audit.rows[0].decision, audit::Decision::Allowed);
    EXPECT_EQ(h.audit.rows[0].requestId, "v1");
    EXPECT_EQ(h.audit.rows[0].durationMs, 0);
    EXPECT_EQ(h.audit.rows[0].origin, "https://example.org");
    EXPECT_EQ(h.audit.rows[1].direction, audit::Direction::ToWidget);
    EXPECT_NE(h.audit.rows[1].body.find("supported_versions"), std::string::npos);
}

TEST(Transport, UnknownActionsGetTheReferenceError)
{
    SessionHarness h;
    h.loadAndNegotiate({});
    auto reply = h.respond("io.element.join", json::object());
    EXPECT_EQ(SessionHarness::errorOf(reply), "Unknown or unsupported action: io.element.join");
}

TEST(Transport, RepliesEchoTheRequestExactly)
{
    SessionHarness h;
    h.loadAndNegotiate({});
    const std::string text = R"({"api":"fromWidget","widgetId":"test","requestId":"echo","action":"supported_api_versions","data":{"extra":[1,2]},"custom":"kept"})";
    h.session->handleMessage(text);
    auto reply = h.replyTo("echo");
    ASSERT_TRUE(reply);
    EXPECT_EQ((*reply)["custom"], "kept");
    EXPECT_EQ((*reply)["data"]["extra"], json({1, 2}));
    EXPECT_EQ(h.transport.sent.back().substr(0, text.size() - 1), text.substr(0, text.size() - 1));
}

TEST(Transport, CapsTheSizeOfAReply)
{
    auto config = SessionHarness::defaultConfig();
    config.limits.envelope.maxMessageBytes = 2000;
    SessionHarness h(config);
    h.loadAndNegotiate({"org.matrix.msc2762.receive.event:m.room.message"});
    for (int i = 0; i < 50; ++i) {
        h.driver.events.push_back(json{{"type", "m.room.message"}, {"room_id", "!room:example.org"}, {"event_id", "$" + std::to_string(i)},
                                       {"sender", "@a:b"}, {"content", {{"msgtype", "m.text"}, {"body", std::string(100, 'x')}}}});
    }
    auto reply = h.respond("org.matrix.msc2876.read_events", json{{"type", "m.room.message"}});
    EXPECT_NE(SessionHarness::errorOf(reply).find("Response too large"), std::string::npos);
}
