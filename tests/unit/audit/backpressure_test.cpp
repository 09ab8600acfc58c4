// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// A widget session writing to the real audit log (SQLite in a temporary directory): a burst far
// past the log's queue is slowed down, never refused; a log that cannot be written refuses, and
// says so to the widget and in the log.
#include <chrono>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "audit/auditlog.h"
#include "auditfixture.h"
#include "sessionharness.h"
#include "storage/database.h"

using namespace tessera;
using namespace tessera::audit;
using namespace tessera::test;
using nlohmann::json;

namespace {

constexpr std::string_view kAuditRefusal = "Tessera cannot write its audit log, so it refuses widget actions until it can";

const std::vector<std::string> kCapabilities = {"org.matrix.msc2762.send.event:m.room.message",
                                                "org.matrix.msc2762.receive.event:m.room.message"};

std::string burstRequest(int i)
{
    const std::string head = R"({"api":"fromWidget","widgetId":"test","requestId":"burst-)" + std::to_string(i)
        + R"(","action":")";
    switch (i % 3) {
    case 0:
        return head + R"(send_event","data":{"type":"m.room.message","content":{"msgtype":"m.text","body":"burst )"
            + std::to_string(i) + R"("}}})";
    case 1:
        return head + R"(org.matrix.msc2876.read_events","data":{"type":"m.room.message","limit":5}})";
    default:
        return head + R"(supported_api_versions","data":{}})";
    }
}

std::string errorOf(const std::string &reply)
{
    const json j = json::parse(reply);
    return SessionHarness::errorOf(j.value("response", json::object()));
}

} // namespace

TEST(AuditBackPressure, ABurstFarPastTheQueueIsSlowedDownAndNothingIsRefused)
{
    TempDir dir;
    AuditLogOptions options;
    options.maxQueuedRows = 500; // the burst below writes 12,000 rows
    options.maxBatchRows = 100;
    auto log = openLog(dir.path(), options);
    ASSERT_TRUE(log);
    SessionHarness h(SessionHarness::defaultConfig(), *log);
    h.driver.events = {json{{"type", "m.room.message"}, {"room_id", "!room:example.org"}, {"event_id", "$seed"},
                            {"sender", "@bob:example.org"}, {"content", {{"msgtype", "m.text"}, {"body", "hi"}}}}};
    h.loadAndNegotiate(kCapabilities);
    ASSERT_EQ(h.session->state(), bridge::WidgetSession::State::Ready);
    ASSERT_TRUE(log->flush(kWaitMs));
    const std::int64_t before = log->lastSeq();
    const std::size_t sentBefore = h.transport.sent.size();

    constexpr int kBurst = 6'000;
    for (int i = 0; i < kBurst; ++i)
        h.session->handleMessage(burstRequest(i));

    // Every request answered, none refused; the log made the session wait.
    ASSERT_EQ(h.transport.sent.size() - sentBefore, std::size_t(kBurst));
    int refused = 0;
    std::string firstRefusal;
    for (std::size_t k = sentBefore; k < h.transport.sent.size(); ++k) {
        const std::string error = errorOf(h.transport.sent[k]);
        if (!error.empty() && refused++ == 0)
            firstRefusal = error;
    }
    EXPECT_EQ(refused, 0) << firstRefusal;
    EXPECT_GT(log->waitsForRoom(), 0u) << "the burst never filled the queue: the test proves nothing";
    EXPECT_TRUE(log->accepting());
    EXPECT_EQ(h.driver.sentEvents.size(), std::size_t((kBurst + 2) / 3));

    // Every row written, in order: each request, then its reply; the chain intact.
    ASSERT_TRUE(log->flush(kWaitMs));
    EXPECT_EQ(log->lastSeq(), before + 2 * kBurst);
    const auto rows = readAll(dir.path());
    ASSERT_EQ(std::int64_t(rows.size()), before + 2 * kBurst);
    for (std::size_t k = 0; k < rows.size(); ++k)
        ASSERT_EQ(rows[k].seq, std::int64_t(k + 1));
    for (int i = 0; i < kBurst; ++i) {
        const AuditRow &in = rows[std::size_t(before + 2 * i)];
        const AuditRow &out = rows[std::size_t(before + 2 * i + 1)];
        const std::string id = "burst-" + std::to_string(i);
        ASSERT_EQ(in.requestId, id);
        ASSERT_EQ(in.direction, "in");
        ASSERT_EQ(in.decision, "allowed") << in.reason;
        ASSERT_EQ(out.requestId, id);
        ASSERT_EQ(out.direction, "out");
    }
    const VerifyReport report = verifyLog(dir.path());
    EXPECT_TRUE(report.ok());
    EXPECT_EQ(report.rowsChecked, std::int64_t(rows.size()));
}

TEST(AuditBackPressure, ALogThatCannotBeWrittenStillRefusesAndSaysSo)
{
    TempDir dir;
    AuditLogOptions options;
    options.busyTimeoutMs = 20;
    options.retryDelayMs = 10;
    auto log = openLog(dir.path(), options);
    ASSERT_TRUE(log);
    SessionHarness h(SessionHarness::defaultConfig(), *log);
    h.loadAndNegotiate(kCapabilities);
    ASSERT_EQ(h.session->state(), bridge::WidgetSession::State::Ready);
    ASSERT_TRUE(log->flush(kWaitMs));

    // Another program holds audit.db's write lock: the writer fails on the next row.
    storage::OpenOptions rawOptions;
    rawOptions.busyTimeoutMs = 20;
    auto blocker = storage::Database::open(dir / "audit.db", rawOptions);
    ASSERT_TRUE(blocker) << blocker.error().message;
    auto tx = blocker->begin();
    ASSERT_TRUE(tx);
    EXPECT_EQ(SessionHarness::errorOf(h.respond("supported_api_versions", json::object())), "");
    for (int i = 0; i < 2000 && log->accepting(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    ASSERT_FALSE(log->accepting()) << "the writer never failed";

    // The widget is told the truth and nothing is sent.
    const std::size_t sends = h.driver.sentEvents.size();
    const json refusal = h.respond("send_event", {{"type", "m.room.message"}, {"content", {{"body", "hi"}}}});
    EXPECT_EQ(SessionHarness::errorOf(refusal), kAuditRefusal);
    EXPECT_EQ(h.driver.sentEvents.size(), sends);

    // Once the log can write again, one row states what it could not write, and why.
    ASSERT_TRUE(tx->rollback());
    bool durable = false;
    for (int attempt = 0; attempt < 6000 && !durable; ++attempt) {
        durable = log->accepting() && bool(log->flush(kWaitMs));
        if (!durable)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_TRUE(durable);
    ASSERT_TRUE(log->flush(kWaitMs));
    const auto rows = readAll(dir.path());
    ASSERT_FALSE(rows.empty());
    const AuditRow &outage = rows.back();
    EXPECT_EQ(outage.action, kOutageAction);
    EXPECT_NE(outage.reason.find("2 records were refused and not written, 1 of them refused actions"), std::string::npos)
        << outage.reason;
    EXPECT_NE(outage.reason.find("database is locked"), std::string::npos) << outage.reason;
    EXPECT_TRUE(verifyLog(dir.path()).ok());
}
