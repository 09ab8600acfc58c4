// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
// What a widget is told about its send_event is what happens: a send the homeserver cannot take
// in time is withdrawn from the outbox before the widget hears an error, and never sent later.
// The Matrix backend, the backend driver and a widget session on the loopback test homeserver,
// with its fault injection standing in for a server that is down.
#include <gtest/gtest.h>

#include "bridge/widgetsession.h"
#include "harness.h"
#include "matrix/backenddriver.h"
#include "sessionharness.h"

using namespace tessera;
using namespace tessera::matrix;
using nlohmann::json;
using tessera::e2e::FaultKind;
using tessera::e2e::FaultRule;
using tessera::test::MatrixHarness;
using tessera::test::MatrixHarnessOptions;

namespace {

std::size_t countPuts(MatrixHarness &h, int status = -1)
{
    std::size_t n = 0;
    for (const auto &r : h.server().requestLog()) {
        if (r.method == "PUT" && r.path.find("/send/m.room.message/") != std::string::npos &&
            (status < 0 || r.status == status))
            ++n;
    }
    return n;
}

FaultRule sendFault(FaultKind kind, int count, int delayMs = 0)
{
    FaultRule rule;
    rule.kind = kind;
    rule.method = "PUT";
    rule.pathRegex = "/send/m\\.room\\.message/";
    rule.count = count;
    rule.delayMs = delayMs;
    return rule;
}

SendRequest message(const std::string &room, const std::string &body, const std::string &key)
{
    SendRequest req;
    req.roomId = room;
    req.type = "m.room.message";
    req.content = {{"msgtype", "m.text"}, {"body", body}};
    req.sendKey = key;
    return req;
}

bool logHas(MatrixHarness &h, const std::string &part)
{
    for (const auto &line : h.logLines())
        if (line.find(part) != std::string::npos)
            return true;
    return false;
}

/** A backend whose failed sends wait a minute (virtual) before the next attempt. */
MatrixHarnessOptions slowRetries()
{
    MatrixHarnessOptions o;
    o.initialBackoffMs = 60'000;
    o.maxBackoffMs = 60'000;
    return o;
}

} // namespace

// --- the backend ---------------------------------------------------------------------------------

TEST(MatrixWithdrawSend, ASendWaitingWhileTheServerIsDownIsTakenOutAndNeverSent)
{
    MatrixHarness h(slowRetries());
    const std::string room = h.createRoom();
    ASSERT_TRUE(h.server().addFault(sendFault(FaultKind::Unavailable, 1000)));
    std::optional<Result<SendResult>> outcome;
    h.backend().send(message(room, "while the server is down", "k1"), [&](Result<SendResult> r) { outcome = r; });
    // The first attempt is answered 503 and the send waits for its next attempt.
    ASSERT_TRUE(h.pumpUntil([&] { return logHas(h, "a send failed (1 in a row)"); }));
    EXPECT_EQ(h.matrixBackend().pendingSends(), 1u);

    EXPECT_EQ(h.backend().withdrawSend("k1"), Withdrawal::Withdrawn);
    EXPECT_EQ(h.matrixBackend().pendingSends(), 0u) << "out of the outbox at once";
    EXPECT_FALSE(outcome) << "the callback comes later, never from inside the call";
    ASSERT_TRUE(h.pumpUntil([&] { return outcome.has_value(); }));
    ASSERT_FALSE(*outcome);
    EXPECT_EQ(outcome->error().code, ErrorCode::Conflict);
    EXPECT_EQ(h.backend().withdrawSend("k1"), Withdrawal::Unknown) << "a second withdrawal finds nothing";

    // The server comes back. The next send does not wait out the minute the withdrawn one was
    // waiting for (that would take 30 s of real time at 1 ms per step).
    h.server().clearFaults();
    auto next = tessera::test::await<SendResult>(
        h.scheduler(), [&](auto done) { h.backend().send(message(room, "later", "k2"), done); }, 1);
    ASSERT_TRUE(next) << next.error().message;
    ASSERT_TRUE(h.waitForEvent(next->eventId));
    // The minute of back-off passes: nothing more is sent, the withdrawn event never arrives.
    const std::size_t puts = countPuts(h);
    tessera::test::pumpFor(h.scheduler(), std::chrono::milliseconds(300), 500);
    EXPECT_EQ(countPuts(h), puts);
    EXPECT_EQ(h.server().countEvents(room, "m.room.message"), 1u);
    EXPECT_EQ(h.matrixBackend().pendingSends(), 0u);
}

TEST(MatrixWithdrawSend, AnAttemptThatGotNoAnswerMayHaveArrived)
{
    MatrixHarness h(slowRetries());
    const std::string room = h.createRoom();
    // The server stores the event and the connection drops before its answer (twice: libcurl
    // tries a request once more by itself when a kept-alive connection turns out to be closed).
    ASSERT_TRUE(h.server().addFault(sendFault(FaultKind::ApplyThenDrop, 2)));
    std::optional<Result<SendResult>> outcome;
    h.backend().send(message(room, "applied, unanswered", "k1"), [&](Result<SendResult> r) { outcome = r; });
    ASSERT_TRUE(h.pumpUntil([&] { return logHas(h, "a send failed (1 in a row)"); }));
    EXPECT_EQ(h.backend().withdrawSend("k1"), Withdrawal::MayHaveArrived);
    ASSERT_TRUE(h.pumpUntil([&] { return outcome.has_value(); }));
    EXPECT_FALSE(*outcome);
    EXPECT_EQ(h.server().countEvents(room, "m.room.message"), 1u) << "it did arrive: the answer was honest";
    EXPECT_EQ(h.matrixBackend().pendingSends(), 0u);
}

TEST(MatrixWithdrawSend, ASendOnTheWireIsDecidedByItsAnswerAndNotRetried)
{
    MatrixHarness h(slowRetries());
    const std::string room = h.createRoom();

    // Accepted late: the send's callback gets the event.
    ASSERT_TRUE(h.server().addFault(sendFault(FaultKind::Delay, 1, 300)));
    std::optional<Result<SendResult>> slow;
    h.backend().send(message(room, "slow", "k1"), [&](Result<SendResult> r) { slow = r; });
    EXPECT_EQ(h.backend().withdrawSend("k1"), Withdrawal::InFlight);
    EXPECT_EQ(h.backend().withdrawSend("k1"), Withdrawal::InFlight);
    ASSERT_TRUE(h.pumpUntil([&] { return slow.has_value(); }));
    ASSERT_TRUE(*slow) << slow->error().message;
    EXPECT_TRUE(h.waitForEvent((*slow)->eventId));

    // Dropped without an answer (twice, as above): no further attempt, the callback hears the failure.
    ASSERT_TRUE(h.server().addFault(sendFault(FaultKind::DropConnection, 2)));
    std::optional<Result<SendResult>> dropped;
    h.backend().send(message(room, "dropped", "k2"), [&](Result<SendResult> r) { dropped = r; });
    EXPECT_EQ(h.backend().withdrawSend("k2"), Withdrawal::InFlight);
    ASSERT_TRUE(h.pumpUntil([&] { return dropped.has_value(); }));
    EXPECT_FALSE(*dropped);
    const std::size_t puts = countPuts(h);
    tessera::test::pumpFor(h.scheduler(), std::chrono::milliseconds(300), 500);
    EXPECT_EQ(countPuts(h), puts) << "the withdrawn send was not tried again";
    EXPECT_EQ(h.matrixBackend().pendingSends(), 0u);
    EXPECT_TRUE(h.matrixBackend().failedSends().empty()) << "withdrawn, so not kept as a failed send";
    EXPECT_EQ(h.server().countEvents(room, "m.room.message"), 1u);
}

// --- a widget session on the backend ---------------------------------------------------------------

namespace {

/** One widget session on a BackendWidgetDriver over the Matrix backend, negotiated for sending messages. */
class WidgetOnMatrix {
public:
    /** @p withdrawMs, @p answerMs: the session's send limits, in virtual time stepped 1 ms at a time below. */
    WidgetOnMatrix(MatrixHarness &h, const std::string &room, std::int64_t withdrawMs, std::int64_t answerMs)
        : m_h(h), driver(h.scheduler(), h.backend())
    {
        bridge::SessionConfig c;
        c.widget.widgetId = "w1";
        c.widget.roomId = room;
        c.widget.origin = "https://widget.example";
        c.widget.url = "https://widget.example/";
        c.widget.widgetType = "m.custom";
        c.userId = h.backend().userId();
        c.limits.sendWithdrawMs = withdrawMs;
        c.limits.sendAnswerMs = answerMs;
        c.limits.requestTimeoutMs = answerMs + 1'000;
        // The approval is the test's: this driver leaves validateCapabilities to the host.
        session = std::make_unique<bridge::WidgetSession>(c, approving, transport, audit, h.scheduler());
        approving.inner = &driver;
        session->start();
        session->onIframeLoaded();
        answer("supported_api_versions", {{"supported_versions", {"0.0.2", "org.matrix.msc2762", "org.matrix.msc2871"}}});
        answer("capabilities", {{"capabilities", {"org.matrix.msc2762.send.event:m.room.message#m.text"}}});
        pump([&] { return !requests("notify_capabilities").empty(); });
        answer("notify_capabilities", json::object());
    }

    /** Sends send_event and pumps until the session answers; the `response`. */
    json send(const std::string &id, const std::string &body)
    {
        json msg{{"api", "fromWidget"},
                 {"widgetId", "w1"},
                 {"requestId", id},
                 {"action", "send_event"},
                 {"data", {{"type", "m.room.message"}, {"content", {{"msgtype", "m.text"}, {"body", body}}}}}};
        session->handleMessage(msg.dump());
        std::optional<json> reply;
        pump([&] { return (reply = replyTo(id)).has_value(); });
        return reply ? (*reply)["response"] : json();
    }

    bool pump(const std::function<bool()> &done)
    {
        return tessera::test::pumpUntil(m_h.scheduler(), done, 1);
    }

    std::vector<tessera::test::RecordingAuditSink::Row> auditRows(const std::string &requestId) const
    {
        std::vector<tessera::test::RecordingAuditSink::Row> out;
        for (const auto &r : audit.rows)
            if (r.requestId == requestId && r.direction != audit::Direction::ToWidget)
                out.push_back(r);
        return out;
    }

    /** Passes everything to the backend driver and approves what the widget asks for. */
    class Approving final : public bridge::WidgetDriver {
    public:
        void validateCapabilities(const bridge::WidgetContext &, const bridge::CapabilityRequest &request,
                                  bridge::Callback<std::vector<std::string>> done) override
        {
            done(request.requested);
        }
        void sendEvent(const bridge::WidgetContext &w, const bridge::SendEventRequest &r,
                       bridge::Callback<bridge::SendEventResult> done) override
        {
            inner->sendEvent(w, r, std::move(done));
        }
        bridge::SendWithdrawal withdrawSend(const bridge::WidgetContext &w, const std::string &key) override
        {
            return inner->withdrawSend(w, key);
        }
        BackendWidgetDriver *inner = nullptr;
    };

    MatrixHarness &m_h;
    BackendWidgetDriver driver;
    Approving approving;
    tessera::test::FakeTransport transport;
    tessera::test::RecordingAuditSink audit;
    std::unique_ptr<bridge::WidgetSession> session;

private:
    std::vector<json> requests(const std::string &action) const
    {
        std::vector<json> out;
        for (const auto &m : transport.sent) {
            json j = json::parse(m);
            if (j.value("api", "") == "toWidget" && !j.contains("response") && j.value("action", "") == action)
                out.push_back(j);
        }
        return out;
    }
    void answer(const std::string &action, const json &response)
    {
        pump([&] { return !requests(action).empty(); });
        for (json r : requests(action)) {
            r["response"] = response;
            session->handleMessage(r.dump());
        }
    }
    std::optional<json> replyTo(const std::string &id) const
    {
        for (const auto &m : transport.sent) {
            json j = json::parse(m);
            if (j.value("api", "") == "fromWidget" && j.value("requestId", "") == id && j.contains("response"))
                return j;
        }
        return std::nullopt;
    }
};

} // namespace

TEST(TruthfulWidgetSend, WhileTheServerIsDownTheWidgetHearsTheEventWasWithdrawnAndItNeverArrives)
{
    MatrixHarness h(slowRetries());
    const std::string room = h.createRoom();
    // The first attempt's 503 comes back long before 1 s of virtual time (at least 0.5 s of real time).
    WidgetOnMatrix w(h, room, 1'000, 1'500);
    ASSERT_EQ(w.session->state(), bridge::WidgetSession::State::Ready);

    ASSERT_TRUE(h.server().addFault(sendFault(FaultKind::Unavailable, 1000)));
    const json reply = w.send("down", "sent while the server is down");
    EXPECT_EQ(tessera::test::SessionHarness::errorOf(reply),
              "Error sending event: the homeserver could not be reached in time; the event was withdrawn and will "
              "not be sent");
    const auto rows = w.auditRows("down");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].decision, audit::Decision::Failed);
    EXPECT_NE(rows[0].reason.find("not sent: withdrawn from the outbox"), std::string::npos) << rows[0].reason;

    // The server comes back and the back-off runs out: the event never appears.
    h.server().clearFaults();
    tessera::test::pumpFor(h.scheduler(), std::chrono::milliseconds(300), 500);
    EXPECT_EQ(h.server().countEvents(room, "m.room.message"), 0u);
    EXPECT_EQ(h.matrixBackend().pendingSends(), 0u);
    EXPECT_EQ(w.auditRows("down").size(), 1u) << "nothing happened after the answer";

    // The success case, with the server up.
    const json ok = w.send("up", "sent while the server is up");
    ASSERT_TRUE(ok.contains("event_id")) << ok.dump();
    EXPECT_TRUE(h.waitForEvent(ok["event_id"]));
    EXPECT_EQ(h.server().countEvents(room, "m.room.message"), 1u);
    ASSERT_EQ(w.auditRows("up").size(), 1u);
    EXPECT_EQ(w.auditRows("up")[0].decision, audit::Decision::Allowed);
}

TEST(TruthfulWidgetSend, AnUnansweredRequestIsToldItMayStillAppearAndTheAuditLogRecordsTheOutcome)
{
    MatrixHarness h(slowRetries());
    const std::string room = h.createRoom();
    // The session waits 0.6 s of virtual time (well under the 4 s of real time the server holds
    // the request, which is within the backend's request timeout of 5 s), then stores it.
    WidgetOnMatrix w(h, room, 300, 600);
    ASSERT_TRUE(h.server().addFault(sendFault(FaultKind::Delay, 1, 4'000)));
    const json reply = w.send("slow", "a slow server");
    EXPECT_EQ(tessera::test::SessionHarness::errorOf(reply), "Error sending event: the homeserver has not answered yet; the event may still appear "
                              "in the room");
    ASSERT_TRUE(w.pump([&] { return w.auditRows("slow").size() == 2; }));
    const auto rows = w.auditRows("slow");
    EXPECT_EQ(rows[0].decision, audit::Decision::Failed);
    EXPECT_EQ(rows[1].decision, audit::Decision::Allowed);
    EXPECT_EQ(rows[1].reason, "sent after the widget was told it may still appear");
    EXPECT_NE(rows[1].body.find("event_id"), std::string::npos);
    EXPECT_EQ(h.server().countEvents(room, "m.room.message"), 1u);
    EXPECT_EQ(countPuts(h), 1u) << "one request, never repeated";
}

// --- refused sends the user deletes ------------------------------------------------------------------

TEST(MatrixForgetFailedSend, ARefusedSendLeavesTheOutboxWhenTheUserDeletesIt)
{
    MatrixHarness h;
    const std::string room = h.createRoom();
    ASSERT_TRUE(h.send(room, "m.room.power_levels", {{"users", {{"@alice:tessera.test", 0}}}, {"events_default", 50}},
                       std::string("")));
    auto refused = h.call<SendResult>([&](auto done) { h.backend().send(message(room, "refused", "local1"), done); });
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().matrixApiError->httpStatus, 403);
    ASSERT_EQ(h.matrixBackend().failedSends().size(), 1u) << "kept for the user to see";

    EXPECT_FALSE(h.backend().forgetFailedSend("local2")) << "another key forgets nothing";
    EXPECT_TRUE(h.backend().forgetFailedSend("local1"));
    EXPECT_TRUE(h.matrixBackend().failedSends().empty());
    EXPECT_FALSE(h.backend().forgetFailedSend("local1")) << "once";
    // Nothing of it is left to send after a restart either.
    h.reopen();
    EXPECT_TRUE(h.matrixBackend().failedSends().empty());
    EXPECT_EQ(h.matrixBackend().pendingSends(), 0u);
}
