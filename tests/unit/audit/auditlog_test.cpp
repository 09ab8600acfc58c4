// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "audit/auditlog.h"

#include <atomic>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "audit/auditschema.h"
#include "auditfixture.h"
#include "storage/database.h"

using namespace tessera;
using namespace tessera::audit;
using namespace tessera::test;

namespace {

storage::Database openRaw(const TempDir &dir, int busyTimeoutMs = 5000)
{
    storage::OpenOptions options;
    options.busyTimeoutMs = busyTimeoutMs;
    auto db = storage::Database::open(dir / "audit.db", options);
    EXPECT_TRUE(db) << db.error().message;
    return std::move(db).value();
}

} // namespace

TEST(AuditLog, AppendedRowsBecomeDurableInOrderWithEveryField)
{
    TempDir dir;
    auto log = openLog(dir.path());
    ASSERT_TRUE(log);
    EXPECT_TRUE(log->accepting());
    EXPECT_EQ(log->path(), dir / "audit.db");
    for (int i = 1; i <= 500; ++i) {
        OwnedRecord r = messageRecord(i);
        if (i % 5 == 0) {
            r.category = Category::Consent;
            r.direction = Direction::Internal;
            r.decision = Decision::Refused;
            r.action = "capabilities";
            r.reason = "the user said no";
            r.body = R"({"requested":["m.send.event:m.room.message"],"approved":[]})";
        }
        EXPECT_EQ(log->submit(r.view()), i);
    }
    ASSERT_TRUE(log->flush(kWaitMs));
    EXPECT_EQ(log->durableSeq(), 500);
    EXPECT_EQ(log->lastSeq(), 500);

    const auto rows = readAll(dir.path());
    ASSERT_EQ(rows.size(), 500u);
    for (std::size_t i = 0; i < rows.size(); ++i)
        EXPECT_EQ(rows[i].seq, std::int64_t(i + 1));
    const AuditRow &first = rows[0];
    EXPECT_EQ(first.timestampMs, 1'700'000'000'001);
    EXPECT_EQ(first.category, "message");
    EXPECT_EQ(first.direction, "in");
    EXPECT_EQ(first.widgetId, "widget-1");
    EXPECT_EQ(first.roomId, "!room:example.org");
    EXPECT_EQ(first.origin, "https://widget.example.org");
    EXPECT_EQ(first.action, "send_event");
    EXPECT_EQ(first.requestId, "req-1");
    EXPECT_EQ(first.sizeBytes, std::int64_t(sendEventBody(1).size()));
    EXPECT_EQ(first.decision, "allowed");
    EXPECT_EQ(first.durationMs, 3);
    EXPECT_EQ(first.prevHash, genesisHash());
    EXPECT_EQ(first.hash.size(), kHashBytes);
    EXPECT_EQ(rows[1].prevHash, first.hash);
    const AuditRow &consent = rows[4];
    EXPECT_EQ(consent.category, "consent");
    EXPECT_EQ(consent.direction, "internal");
    EXPECT_EQ(consent.decision, "refused");
    EXPECT_EQ(consent.reason, "the user said no");
    EXPECT_EQ(consent.body, R"({"requested":["m.send.event:m.room.message"],"approved":[]})");

    const VerifyReport report = verifyLog(dir.path());
    EXPECT_TRUE(report.ok()) << report.firstProblem->what;
    EXPECT_EQ(report.rowsChecked, 500);
}

TEST(AuditLog, AppendImplementsTheSinkAndAZeroTimestampMeansNow)
{
    TempDir dir;
    auto log = openLog(dir.path());
    ASSERT_TRUE(log);
    AuditSink &sink = *log;
    OwnedRecord r = messageRecord(1);
    r.timestampMs = 0;
    const auto before = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    EXPECT_TRUE(sink.append(r.view()));
    EXPECT_TRUE(sink.accepting());
    ASSERT_TRUE(log->flush(kWaitMs));
    const auto rows = readAll(dir.path());
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_GE(rows[0].timestampMs, before);
}

TEST(AuditLog, WaitDurableAndTheCallbackReportCommittedRows)
{
    TempDir dir;
    auto log = openLog(dir.path());
    ASSERT_TRUE(log);
    std::mutex mutex;
    std::vector<std::int64_t> reported;
    log->setDurableCallback([&](std::int64_t seq) {
        std::lock_guard lock(mutex);
        reported.push_back(seq);
    });
    std::int64_t last = 0;
    for (int i = 1; i <= 2000; ++i)
        last = log->submit(messageRecord(i).view());
    ASSERT_TRUE(log->waitDurable(last, kWaitMs));
    EXPECT_GE(log->durableSeq(), last);

    // A committed row is in the file for any other connection.
    auto reader = AuditReader::open(dir.path());
    ASSERT_TRUE(reader);
    auto tail = reader->tail(1);
    ASSERT_TRUE(tail);
    ASSERT_EQ(tail->size(), 1u);
    EXPECT_EQ(tail->front().seq, 2000);

    auto never = log->waitDurable(2001, kWaitMs);
    ASSERT_FALSE(never);
    EXPECT_EQ(never.error().code, ErrorCode::BadRequest);

    // The callback runs on the writer thread after durableSeq() moved; closing the log joins
    // that thread, so every call has happened by then.
    log.reset();
    std::lock_guard lock(mutex);
    ASSERT_FALSE(reported.empty());
    EXPECT_EQ(reported.back(), 2000);
    for (std::size_t i = 1; i < reported.size(); ++i)
        EXPECT_LT(reported[i - 1], reported[i]);
}

TEST(AuditLog, ReopeningContinuesTheChain)
{
    TempDir dir;
    {
        auto log = openLog(dir.path());
        ASSERT_TRUE(log);
        for (int i = 1; i <= 10; ++i)
            log->submit(messageRecord(i).view());
    } // the destructor writes what is queued
    {
        auto log = openLog(dir.path());
        ASSERT_TRUE(log);
        EXPECT_EQ(log->durableSeq(), 10);
        EXPECT_EQ(log->submit(messageRecord(11).view()), 11);
        ASSERT_TRUE(log->flush(kWaitMs));
    }
    const VerifyReport report = verifyLog(dir.path());
    EXPECT_TRUE(report.ok());
    EXPECT_EQ(report.rowsChecked, 11);
}

TEST(AuditLog, RefusesASecondWriterOfTheSameFile)
{
    TempDir dir;
    auto first = openLog(dir.path());
    ASSERT_TRUE(first);
    auto second = AuditLog::open(dir.path());
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().code, ErrorCode::Unavailable);
    EXPECT_EQ(second.error().message, "audit.db at " + (dir / "audit.db").string()
                                          + " is being written by another Tessera process; close it first (one "
                                            "Tessera per data directory)");
    first.reset();
    EXPECT_TRUE(AuditLog::open(dir.path()));
}

TEST(AuditLog, RefusesUpdateThroughTrigger)
{
    TempDir dir;
    auto log = openLog(dir.path());
    ASSERT_TRUE(log);
    log->submit(messageRecord(1).view());
    ASSERT_TRUE(log->flush(kWaitMs));
    storage::Database db = openRaw(dir);
    auto r = db.exec("UPDATE audit_log SET reason = 'nothing happened' WHERE seq = 1");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("audit rows cannot be changed"), std::string::npos) << r.error().message;
}

TEST(AuditLog, RefusesDeleteThroughTrigger)
{
    TempDir dir;
    auto log = openLog(dir.path());
    ASSERT_TRUE(log);
    log->submit(messageRecord(1).view());
    log->submit(messageRecord(2).view());
    ASSERT_TRUE(log->flush(kWaitMs));
    storage::Database db = openRaw(dir);
    for (const char *sql : {"DELETE FROM audit_log WHERE seq = 1", "DELETE FROM audit_log WHERE seq = 2",
                            "DELETE FROM audit_log"}) {
        auto r = db.exec(sql);
        ASSERT_FALSE(r) << sql;
        EXPECT_NE(r.error().message.find("audit rows can only be removed by retention, from the start of the log"),
                  std::string::npos)
            << r.error().message;
    }
    EXPECT_EQ(readAll(dir.path()).size(), 2u);
}

TEST(AuditLog, TheRetentionMarkOnlyMovesForward)
{
    TempDir dir;
    { auto log = openLog(dir.path()); }
    storage::Database db = openRaw(dir);
    ASSERT_TRUE(db.exec("UPDATE audit_control SET trim_through = 5"));
    auto back = db.exec("UPDATE audit_control SET trim_through = 4");
    ASSERT_FALSE(back);
    EXPECT_NE(back.error().message.find("the retention mark can only move forward"), std::string::npos);
    auto removed = db.exec("DELETE FROM audit_control");
    ASSERT_FALSE(removed);
    EXPECT_NE(removed.error().message.find("the retention mark cannot be removed"), std::string::npos);
}

TEST(AuditLog, AFullDatabaseStopsAcceptingAndKeepsEveryDurableRow)
{
    TempDir dir;
    AuditLogOptions options;
    options.maxDatabaseBytes = 256 * 1024;
    options.retryDelayMs = 10;
    options.bodyMode = BodyMode::Full;
    auto log = openLog(dir.path(), options);
    ASSERT_TRUE(log);
    const std::string filler(2000, 'x');
    std::int64_t lastAccepted = 0;
    bool refused = false;
    // Bounded: 256 KiB holds far fewer than 2000 rows of 2 KB.
    for (int i = 1; i <= 2000 && !refused; ++i) {
        OwnedRecord r = messageRecord(i);
        r.body = R"({"note":")" + filler + R"("})";
        const std::int64_t seq = log->submit(r.view());
        if (seq == 0) {
            refused = true;
            break;
        }
        lastAccepted = seq;
        auto durable = log->waitDurable(seq, kWaitMs);
        if (!durable) {
            EXPECT_NE(durable.error().message.find("database or disk is full"), std::string::npos)
                << durable.error().message;
            break;
        }
    }
    ASSERT_GT(lastAccepted, 0);
    EXPECT_FALSE(log->accepting());
    ASSERT_TRUE(log->lastError());
    EXPECT_NE(log->lastError()->message.find("database or disk is full"), std::string::npos);
    EXPECT_FALSE(log->append(messageRecord(9999).view()));
    const std::int64_t durable = log->durableSeq();
    EXPECT_LT(durable, lastAccepted);
    log.reset();

    // Everything acknowledged as durable is there, and the chain holds.
    const auto rows = readAll(dir.path());
    ASSERT_EQ(std::int64_t(rows.size()), durable);
    EXPECT_TRUE(verifyLog(dir.path()).ok());
    // With room again, the log continues after the last durable row.
    auto reopened = openLog(dir.path());
    ASSERT_TRUE(reopened);
    EXPECT_EQ(reopened->submit(messageRecord(1).view()), durable + 1);
    ASSERT_TRUE(reopened->flush(kWaitMs));
}

TEST(AuditLog, AFullQueueMakesTheProducerWaitForTheWriterAndRefusesNothing)
{
    TempDir dir;
    AuditLogOptions options;
    options.maxQueuedRows = 5;
    options.maxBatchRows = 1;
    options.busyTimeoutMs = 600'000; // the writer waits for the lock below instead of failing
    options.maxWaitForRoomMs = 600'000;
    auto log = openLog(dir.path(), options);
    ASSERT_TRUE(log);

    // Another connection holds the write lock: the writer cannot commit, rows pile up.
    storage::Database blocker = openRaw(dir);
    auto tx = blocker.begin();
    ASSERT_TRUE(tx);
    for (int i = 1; i <= 5; ++i)
        ASSERT_EQ(log->submit(messageRecord(i).view()), i);
    EXPECT_EQ(log->waitsForRoom(), 0u);

    // The sixth record waits for room (on its own thread here: it blocks its caller)...
    std::atomic<std::int64_t> sixth{-1};
    std::thread producer([&] { sixth = log->submit(messageRecord(6).view()); });
    for (int i = 0; i < 6000 && log->waitsForRoom() == 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    ASSERT_EQ(log->waitsForRoom(), 1u) << "the sixth record did not wait";
    EXPECT_EQ(sixth.load(), -1) << "answered while the queue was still full";
    EXPECT_TRUE(log->accepting()) << "a full queue alone does not refuse";
    EXPECT_FALSE(log->lastError());

    // ... and is queued once the writer can commit again: nothing refused, no outage row.
    ASSERT_TRUE(tx->rollback());
    producer.join();
    EXPECT_EQ(sixth.load(), 6);
    ASSERT_TRUE(log->flush(kWaitMs));
    const auto rows = readAll(dir.path());
    ASSERT_EQ(rows.size(), 6u);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        EXPECT_EQ(rows[i].seq, std::int64_t(i + 1));
        EXPECT_EQ(rows[i].requestId, "req-" + std::to_string(i + 1));
    }
    EXPECT_TRUE(verifyLog(dir.path()).ok());
}

TEST(AuditLog, AWriterThatMakesNoRoomInTimeCannotWriteAndTheOutageSaysWhy)
{
    TempDir dir;
    AuditLogOptions options;
    options.maxQueuedRows = 3;
    options.maxBatchRows = 1;
    options.busyTimeoutMs = 600'000; // stuck, not failing: the lock is held
    options.maxWaitForRoomMs = 50;
    auto log = openLog(dir.path(), options);
    ASSERT_TRUE(log);

    storage::Database blocker = openRaw(dir);
    auto tx = blocker.begin();
    ASSERT_TRUE(tx);
    for (int i = 1; i <= 3; ++i)
        ASSERT_EQ(log->submit(messageRecord(i).view()), i);
    OwnedRecord refused = messageRecord(4);
    refused.decision = Decision::Refused;
    EXPECT_EQ(log->submit(refused.view()), 0) << "queued although the writer made no room";
    EXPECT_FALSE(log->accepting());
    ASSERT_TRUE(log->lastError());
    EXPECT_NE(log->lastError()->message.find("made no room in its queue for 50 ms"), std::string::npos)
        << log->lastError()->message;
    // While it lasts, a record is refused at once.
    EXPECT_EQ(log->submit(messageRecord(5).view()), 0);
    EXPECT_EQ(log->waitsForRoom(), 1u);

    ASSERT_TRUE(tx->rollback());
    ASSERT_TRUE(log->waitDurable(3, kWaitMs));
    ASSERT_TRUE(log->flush(kWaitMs));
    EXPECT_TRUE(log->accepting());
    const auto rows = readAll(dir.path());
    ASSERT_EQ(rows.size(), 4u) << "the three queued rows and the outage row";
    EXPECT_EQ(rows.back().action, kOutageAction);
    EXPECT_NE(rows.back().reason.find("2 records were refused and not written, 1 of them refused actions"),
              std::string::npos)
        << rows.back().reason;
    EXPECT_NE(rows.back().reason.find("made no room in its queue for 50 ms"), std::string::npos) << rows.back().reason;
    EXPECT_TRUE(verifyLog(dir.path()).ok());
}

TEST(AuditLog, AnOutageIsStatedInOneRowOnceTheLogCanWriteAgain)
{
    TempDir dir;
    AuditLogOptions options;
    options.retryDelayMs = 10;
    options.busyTimeoutMs = 20;
    auto log = openLog(dir.path(), options);
    ASSERT_TRUE(log);
    ASSERT_TRUE(log->waitDurable(log->submit(messageRecord(1).view()), kWaitMs));

    // Another connection holds the write lock: the writer fails and the log stops accepting.
    storage::Database blocker = openRaw(dir, 20);
    auto tx = blocker.begin();
    ASSERT_TRUE(tx);
    const std::int64_t pending = log->submit(messageRecord(2).view());
    ASSERT_GT(pending, 0);
    for (int i = 0; i < 2000 && log->accepting(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    ASSERT_FALSE(log->accepting()) << "the writer never failed";

    // What happens meanwhile is refused, and counted: two refusals and one reply.
    OwnedRecord refused = messageRecord(3);
    refused.decision = Decision::Refused;
    OwnedRecord dropped = messageRecord(4);
    dropped.decision = Decision::Dropped;
    OwnedRecord reply = messageRecord(5);
    reply.decision = Decision::Info;
    EXPECT_EQ(log->submit(refused.view()), 0);
    EXPECT_EQ(log->submit(dropped.view()), 0);
    EXPECT_EQ(log->submit(reply.view()), 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ASSERT_TRUE(tx->rollback());

    // waitDurable reports the failure as long as it lasts: ask until it is over.
    bool durable = false;
    for (int attempt = 0; attempt < 6000 && !durable; ++attempt) {
        durable = bool(log->waitDurable(pending, kWaitMs));
        if (!durable)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_TRUE(durable);
    EXPECT_EQ(log->lastSeq(), pending + 1) << "the outage row is queued as the log recovers";
    ASSERT_TRUE(log->flush(kWaitMs));
    EXPECT_TRUE(log->accepting());
    const auto rows = readAll(dir.path());
    ASSERT_EQ(rows.size(), 3u) << "the two written rows and one outage row";
    const AuditRow &outage = rows.back();
    EXPECT_EQ(outage.category, "log");
    EXPECT_EQ(outage.action, kOutageAction);
    EXPECT_EQ(outage.decision, "failed");
    EXPECT_EQ(outage.direction, "internal");
    EXPECT_NE(outage.reason.find("3 records were refused and not written, 2 of them refused actions"), std::string::npos)
        << outage.reason;
    EXPECT_NE(outage.reason.find("database is locked"), std::string::npos) << outage.reason;
    EXPECT_NE(outage.reason.find(" from 20"), std::string::npos) << outage.reason;
    EXPECT_NE(outage.reason.find("Z to 20"), std::string::npos) << outage.reason;

    // A later record is written normally, and no second outage row follows.
    ASSERT_TRUE(log->waitDurable(log->submit(messageRecord(6).view()), kWaitMs));
    log.reset();
    const auto after = readAll(dir.path());
    ASSERT_EQ(after.size(), 4u);
    EXPECT_EQ(after.back().requestId, "req-6");
    EXPECT_TRUE(verifyLog(dir.path()).ok());
}

TEST(AuditLog, CutsLongFieldsAndHashesHugeBodies)
{
    TempDir dir;
    auto log = openLog(dir.path());
    ASSERT_TRUE(log);
    OwnedRecord r = messageRecord(1);
    r.widgetId = std::string(kMaxFieldBytes + 100, 'w');
    r.reason = std::string(kMaxFieldBytes * 3, 'r');
    r.body = R"({"blob":")" + std::string(kMaxRawBodyBytes, 'b') + R"("})";
    OwnedRecord large = messageRecord(2);
    large.body = R"({"blob":")" + std::string(kMaxStoredBodyBytes, 'b') + R"("})";
    log->submit(r.view());
    log->submit(large.view());
    ASSERT_TRUE(log->flush(kWaitMs));
    const auto rows = readAll(dir.path());
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_LE(rows[0].widgetId.size(), kMaxFieldBytes);
    EXPECT_EQ(rows[0].widgetId.substr(0, 10), "wwwwwwwwww");
    EXPECT_LE(rows[0].reason.size(), kMaxFieldBytes);
    EXPECT_EQ(rows[0].sizeBytes, std::int64_t(r.body.size()));
    EXPECT_NE(rows[0].body.find(R"("omitted":"too large")"), std::string::npos) << rows[0].body.substr(0, 200);
    EXPECT_NE(rows[0].body.find(R"("bytes":)" + std::to_string(r.body.size())), std::string::npos);
    EXPECT_NE(rows[1].body.find(R"("omitted":"too large")"), std::string::npos) << rows[1].body.substr(0, 200);
    EXPECT_TRUE(verifyLog(dir.path()).ok());
}

TEST(AuditLog, StoresInvalidUtf8AsReplacementCharacters)
{
    TempDir dir;
    auto log = openLog(dir.path());
    ASSERT_TRUE(log);
    OwnedRecord r = messageRecord(1);
    r.widgetId = "wid\xff\xfeget";
    r.reason = "bad \xc3";
    log->submit(r.view());
    ASSERT_TRUE(log->flush(kWaitMs));
    const auto rows = readAll(dir.path());
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].widgetId, "wid\xEF\xBF\xBD\xEF\xBF\xBDget");
    EXPECT_EQ(rows[0].reason, "bad \xEF\xBF\xBD");
}

TEST(AuditLog, AppendsFromManyThreadsKeepOneChain)
{
    TempDir dir;
    auto log = openLog(dir.path());
    ASSERT_TRUE(log);
    std::vector<std::thread> threads;
    std::atomic<int> refused{0};
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 1000; ++i) {
                if (log->submit(messageRecord(t * 1000 + i).view()) == 0)
                    ++refused;
            }
        });
    }
    for (auto &t : threads)
        t.join();
    EXPECT_EQ(refused.load(), 0);
    ASSERT_TRUE(log->flush(kWaitMs));
    const VerifyReport report = verifyLog(dir.path());
    EXPECT_TRUE(report.ok());
    EXPECT_EQ(report.rowsChecked, 4000);
}

TEST(AuditLog, StopsWritingWhenAnotherProgramAppendedToTheFile)
{
    TempDir dir;
    AuditLogOptions options;
    options.retryDelayMs = 10;
    auto log = openLog(dir.path(), options);
    ASSERT_TRUE(log);
    ASSERT_TRUE(log->waitDurable(log->submit(messageRecord(1).view()), kWaitMs));
    // Someone appends a well-formed row behind Tessera's back (the triggers allow appends).
    storage::Database db = openRaw(dir);
    ASSERT_TRUE(db.exec("INSERT INTO audit_log (seq, ts_ms, category, direction, widget, room, origin, action, "
                        "request_id, size_bytes, decision, reason, duration_ms, body, prev_hash, hash) VALUES (2, 0, "
                        "'message', 'in', '', '', '', '', '', 0, 'info', '', 0, '', x'00', x'00')"));
    const std::int64_t seq = log->submit(messageRecord(2).view());
    ASSERT_GT(seq, 0);
    auto r = log->waitDurable(seq, kWaitMs);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::Corrupt);
    EXPECT_NE(r.error().message.find("was changed by another program (its last row is seq 2, Tessera wrote seq 1)"),
              std::string::npos)
        << r.error().message;
    EXPECT_FALSE(log->accepting());
}

TEST(AuditLog, RefusesToOpenAnEmptiedLog)
{
    TempDir dir;
    SCOPED_TRACE("a log whose retention mark says rows existed, but has none");
    { auto log = openLog(dir.path()); }
    {
        storage::Database db = openRaw(dir);
        ASSERT_TRUE(db.exec("UPDATE audit_control SET trim_through = 7"));
    }
    auto log = AuditLog::open(dir.path());
    ASSERT_FALSE(log);
    EXPECT_EQ(log.error().code, ErrorCode::Corrupt);
    EXPECT_NE(log.error().message.find("has no rows although retention kept at least its checkpoint"),
              std::string::npos)
        << log.error().message;
}

TEST(AuditLog, ReportsACorruptFileWithItsPath)
{
    TempDir dir;
    {
        std::ofstream out(dir / "audit.db", std::ios::binary);
        out << std::string(4096, 'G');
    }
    auto log = AuditLog::open(dir.path());
    ASSERT_FALSE(log);
    EXPECT_EQ(log.error().code, ErrorCode::Corrupt);
    EXPECT_EQ(log.error().message, "audit.db at " + (dir / "audit.db").string()
                                       + " is not a valid database (file is not a database). Move it aside to start "
                                         "a new one; Tessera did not modify it.");
    EXPECT_EQ(readFileBytes(dir / "audit.db"), std::string(4096, 'G'));
}

TEST(AuditLog, RejectsOptionsOutOfRange)
{
    TempDir dir;
    AuditLogOptions options;
    options.maxQueuedRows = 0;
    auto log = AuditLog::open(dir.path(), options);
    ASSERT_FALSE(log);
    EXPECT_EQ(log.error().code, ErrorCode::BadRequest);
    AuditLogOptions negativeWait;
    negativeWait.maxWaitForRoomMs = -1;
    auto refused = AuditLog::open(dir.path(), negativeWait);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::BadRequest);
}
