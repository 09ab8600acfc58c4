// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include <memory>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "bridge/widgetsession.h"
#include "consent/widgetconsent.h"
#include "consenttestsupport.h"
#include "manualscheduler.h"

namespace tessera::consent {
namespace {

using nlohmann::json;

constexpr const char *kUser = "@alice:example.org";
constexpr const char *kBot = "@bot:example.org";
const std::string kReadTopic = "org.matrix.msc2762.receive.state_event:m.room.topic";
const std::string kSendText = "org.matrix.msc2762.send.event:m.room.message#m.text";

class RecordingTransport final : public bridge::Transport {
public:
    void send(std::string message) override { sent.push_back(json::parse(message)); }

    /** The last toWidget request with @p action, or null. */
    const json *lastRequest(std::string_view action) const
    {
        for (auto it = sent.rbegin(); it != sent.rend(); ++it) {
            if (it->value("api", "") == "toWidget" && it->value("action", "") == action && !it->contains("response"))
                return &*it;
        }
        return nullptr;
    }
    /** The response to the widget's request @p requestId, or null. */
    const json *responseTo(std::string_view requestId) const
    {
        for (const auto &m : sent) {
            if (m.value("api", "") == "fromWidget" && m.value("requestId", "") == requestId && m.contains("response"))
                return &m;
        }
        return nullptr;
    }
    std::vector<json> sent;
};

/** The host's driver, reduced to what consent needs: one line per method, as documented. */
class HostDriver final : public bridge::WidgetDriver {
public:
    explicit HostDriver(WidgetConsent &consent) : m_consent(consent) {}

    void validateCapabilities(const bridge::WidgetContext &w, const bridge::CapabilityRequest &r,
                              bridge::Callback<std::vector<std::string>> done) override
    {
        m_consent.validateCapabilities(w, r, std::move(done));
    }
    void requestOpenId(const bridge::WidgetContext &w, std::function<void(bridge::OpenIdUpdate)> update) override
    {
        m_consent.requestOpenId(w, std::move(update));
    }
    void sendEvent(const bridge::WidgetContext &, const bridge::SendEventRequest &request,
                   bridge::Callback<bridge::SendEventResult> done) override
    {
        sent.push_back(request.type);
        done(bridge::SendEventResult{request.roomId, "$sent" + std::to_string(sent.size()), {}});
    }

    std::vector<std::string> sent;

private:
    WidgetConsent &m_consent;
};

class WidgetConsentTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        auto service = ConsentService::open(m_dir.path(), m_prompter, m_audit, m_scheduler);
        ASSERT_TRUE(service) << service.error().message;
        m_service = std::move(service).value();

        m_context.widgetId = "board";
        m_context.roomId = "!room:example.org";
        m_context.origin = "https://board.example.com";
        m_context.url = "https://board.example.com/";
        m_context.creatorUserId = kBot;
        m_context.stateEventId = "$board";
        m_context.widgetType = "m.custom";

        WidgetConsentConfig config;
        config.userId = kUser;
        config.senderUserId = kBot;
        config.openIdTokens = [this](std::function<void(Result<bridge::OpenIdToken>)> done) {
            ++m_tokenRequests;
            m_pendingToken = std::move(done);
        };
        m_consent = std::make_unique<WidgetConsent>(*m_service, config);
        m_driver = std::make_unique<HostDriver>(*m_consent);

        bridge::SessionConfig sessionConfig;
        sessionConfig.widget = m_context;
        sessionConfig.userId = kUser;
        m_session = std::make_unique<bridge::WidgetSession>(sessionConfig, *m_driver, m_transport, m_audit, m_scheduler);
        m_consent->setRevocationHandler([this](const std::vector<std::string> &caps) { m_session->revokeCapabilities(caps); });
    }

    void TearDown() override
    {
        m_session.reset();
        m_driver.reset();
        m_consent.reset();
    }

    /** Starts the session and has the widget ask for @p capabilities. */
    void negotiate(const std::vector<std::string> &capabilities)
    {
        m_session->start();
        m_session->onIframeLoaded();
        const json *request = m_transport.lastRequest("capabilities");
        ASSERT_NE(request, nullptr);
        json reply = *request;
        reply["response"] = json{{"capabilities", capabilities}};
        m_session->handleMessage(reply.dump());
    }

    std::string fromWidget(const std::string &action, const json &data)
    {
        const std::string id = "w" + std::to_string(++m_requests);
        m_session->handleMessage(
            json{{"api", "fromWidget"}, {"widgetId", "board"}, {"requestId", id}, {"action", action}, {"data", data}}
                .dump());
        return id;
    }

    std::string sendText()
    {
        return fromWidget("send_event", json{{"type", "m.room.message"}, {"content", {{"msgtype", "m.text"}, {"body", "hi"}}}});
    }

    test::TempDir m_dir;
    test::ScriptedPrompter m_prompter;
    test::RecordingAudit m_audit;
    tessera::test::ManualScheduler m_scheduler;
    std::unique_ptr<ConsentService> m_service;
    bridge::WidgetContext m_context;
    std::unique_ptr<WidgetConsent> m_consent;
    std::unique_ptr<HostDriver> m_driver;
    RecordingTransport m_transport;
    std::unique_ptr<bridge::WidgetSession> m_session;
    int m_requests = 0;
    int m_tokenRequests = 0;
    std::function<void(Result<bridge::OpenIdToken>)> m_pendingToken;
};

TEST_F(WidgetConsentTest, GrantsWhatTheUserApprovedToTheLiveSession)
{
    negotiate({kReadTopic, kSendText, "com.example.unknown"});
    ASSERT_EQ(m_prompter.shown.size(), 1u);
    EXPECT_EQ(m_prompter.last().items, (std::vector<std::string>{kReadTopic, kSendText}));
    EXPECT_EQ(m_prompter.last().subject.senderUserId, kBot);
    EXPECT_EQ(m_session->state(), bridge::WidgetSession::State::Negotiating);

    ASSERT_TRUE(m_service->answer(m_prompter.last().id, PromptAnswer{{kReadTopic}, false}));
    EXPECT_EQ(m_session->state(), bridge::WidgetSession::State::Ready);
    EXPECT_EQ(m_session->approved().rawList(), std::vector<std::string>{kReadTopic});
    const json *notify = m_transport.lastRequest("notify_capabilities");
    ASSERT_NE(notify, nullptr);
    EXPECT_EQ((*notify)["data"]["approved"], json::array({kReadTopic}));
}

TEST_F(WidgetConsentTest, RevocationMidSessionRemovesTheCapabilityAtOnce)
{
    negotiate({kReadTopic, kSendText});
    ASSERT_TRUE(m_service->answer(m_prompter.last().id, PromptAnswer{{kReadTopic, kSendText}, true}));
    const std::string before = sendText();
    const json *ok = m_transport.responseTo(before);
    ASSERT_NE(ok, nullptr);
    EXPECT_EQ((*ok)["response"]["event_id"], "$sent1");

    auto decisions = m_service->listDecisions(kUser);
    ASSERT_TRUE(decisions);
    const auto sendDecision = std::find_if(decisions->begin(), decisions->end(),
                                           [](const RememberedDecision &d) { return d.item == kSendText; });
    ASSERT_NE(sendDecision, decisions->end());
    ASSERT_TRUE(m_service->revokeDecision(sendDecision->id));

    EXPECT_FALSE(m_session->approved().contains(kSendText));
    EXPECT_TRUE(m_session->approved().contains(kReadTopic));
    const json *notify = m_transport.lastRequest("notify_capabilities");
    ASSERT_NE(notify, nullptr);
    EXPECT_EQ((*notify)["data"]["approved"], json::array({kReadTopic}));

    const std::string after = sendText();
    const json *refused = m_transport.responseTo(after);
    ASSERT_NE(refused, nullptr);
    EXPECT_TRUE((*refused)["response"].contains("error"));
    EXPECT_EQ(m_driver->sent.size(), 1u) << "the driver never sees the refused send";
}

TEST_F(WidgetConsentTest, RevocationOfAnotherWidgetLeavesThisOneAlone)
{
    negotiate({kSendText});
    ASSERT_TRUE(m_service->answer(m_prompter.last().id, PromptAnswer{{kSendText}, true}));
    WidgetScope other = scopeFor(kUser, m_context);
    other.url = "https://board.example.com/other";
    m_consent->onCapabilitiesRevoked(other, {kSendText});
    EXPECT_TRUE(m_session->approved().contains(kSendText));
}

TEST_F(WidgetConsentTest, TimeoutLeavesTheWidgetWithNothing)
{
    negotiate({kSendText});
    m_scheduler.advance(ConsentOptions{}.promptTimeoutMs);
    EXPECT_EQ(m_session->state(), bridge::WidgetSession::State::Ready);
    EXPECT_TRUE(m_session->approved().empty());
    EXPECT_EQ(m_prompter.withdrawn.size(), 1u);
}

TEST_F(WidgetConsentTest, ClosingTheWidgetWithdrawsItsPromptAndAnswersNothing)
{
    negotiate({kSendText});
    const PromptId id = m_prompter.last().id;
    const auto sentBefore = m_transport.sent.size();
    m_session->stop();
    m_session.reset();
    m_consent.reset();
    EXPECT_EQ(m_prompter.withdrawn, std::vector<PromptId>{id});
    EXPECT_FALSE(m_service->answer(id, PromptAnswer{{kSendText}, true}));
    EXPECT_EQ(m_transport.sent.size(), sentBefore);
    EXPECT_TRUE(m_service->listDecisions(kUser)->empty());
}

TEST_F(WidgetConsentTest, OpenIdIsPendingWhileAskedThenAllowedWithAToken)
{
    negotiate({});
    const std::string id = fromWidget("get_openid", json::object());
    const json *first = m_transport.responseTo(id);
    ASSERT_NE(first, nullptr);
    EXPECT_EQ((*first)["response"]["state"], "request");
    ASSERT_EQ(m_prompter.last().kind, PromptKind::OpenId);
    EXPECT_EQ(m_tokenRequests, 0) << "no token is fetched before the user agrees";

    ASSERT_TRUE(m_service->answer(m_prompter.last().id, PromptAnswer{{"openid"}, false}));
    ASSERT_EQ(m_tokenRequests, 1);
    m_pendingToken(bridge::OpenIdToken{"openid-token-1", 3600, "example.org", "Bearer"});
    const json *credentials = m_transport.lastRequest("openid_credentials");
    ASSERT_NE(credentials, nullptr);
    EXPECT_EQ((*credentials)["data"]["state"], "allowed");
    EXPECT_EQ((*credentials)["data"]["access_token"], "openid-token-1");
    EXPECT_EQ((*credentials)["data"]["original_request_id"], id);
}

TEST_F(WidgetConsentTest, RememberedOpenIdAnswersAtOnce)
{
    negotiate({});
    fromWidget("get_openid", json::object());
    ASSERT_TRUE(m_service->answer(m_prompter.last().id, PromptAnswer{{"openid"}, true}));
    m_pendingToken(bridge::OpenIdToken{"t1", 3600, "example.org", "Bearer"});

    const std::string again = fromWidget("get_openid", json::object());
    EXPECT_EQ(m_prompter.shown.size(), 1u);
    ASSERT_EQ(m_tokenRequests, 2);
    m_pendingToken(bridge::OpenIdToken{"t2", 3600, "example.org", "Bearer"});
    const json *reply = m_transport.responseTo(again);
    ASSERT_NE(reply, nullptr);
    EXPECT_EQ((*reply)["response"]["state"], "allowed");
    EXPECT_EQ((*reply)["response"]["access_token"], "t2");
}

TEST_F(WidgetConsentTest, DeniedOpenIdIsBlockedWithoutAToken)
{
    negotiate({});
    fromWidget("get_openid", json::object());
    ASSERT_TRUE(m_service->answer(m_prompter.last().id, PromptAnswer{{}, false}));
    EXPECT_EQ(m_tokenRequests, 0);
    const json *credentials = m_transport.lastRequest("openid_credentials");
    ASSERT_NE(credentials, nullptr);
    EXPECT_EQ((*credentials)["data"]["state"], "blocked");
    EXPECT_FALSE((*credentials)["data"].contains("access_token"));
}

TEST_F(WidgetConsentTest, TokenArrivingAfterTheWidgetClosedIsDropped)
{
    negotiate({});
    fromWidget("get_openid", json::object());
    ASSERT_TRUE(m_service->answer(m_prompter.last().id, PromptAnswer{{"openid"}, false}));
    auto late = std::move(m_pendingToken);
    m_session->stop();
    const auto sentBefore = m_transport.sent.size();
    m_consent.reset();
    late(bridge::OpenIdToken{"late", 3600, "example.org", "Bearer"});
    EXPECT_EQ(m_transport.sent.size(), sentBefore);
}

} // namespace
} // namespace tessera::consent
