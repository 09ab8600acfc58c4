// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "audit/auditlog.h"

#include <chrono>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include "audit/checkpoint.h"
#include "auditfixture.h"
#include "storage/database.h"
#include "util/text.h"

using namespace tessera;
using namespace tessera::audit;
using namespace tessera::test;

namespace {

struct Fixture {
    TempDir dir;
    FileSecretStore secrets{dir / "secrets"};
    std::unique_ptr<AuditLog> log = openLog(dir / "data");

    std::filesystem::path dataDir() const { return dir / "data"; }

    void append(int from, int to)
    {
        for (int i = from; i <= to; ++i)
            ASSERT_GT(log->submit(messageRecord(i).view()), 0);
    }

    std::string trustedKey()
    {
        auto key = CheckpointKey::load(secrets);
        EXPECT_TRUE(key) << key.error().message;
        return key ? key->publicKey() : std::string();
    }
};

} // namespace

TEST(Retention, TrimsByCountAndTheSignedCheckpointProvesWhereTheChainStarts)
{
    Fixture f;
    ASSERT_TRUE(f.log);
    f.append(1, 100);
    RetentionPolicy policy;
    policy.maxRows = 30;
    auto report = f.log->applyRetention(policy, f.secrets, kWaitMs);
    ASSERT_TRUE(report) << report.error().message;
    EXPECT_EQ(report->trimmedRows, 70);
    EXPECT_EQ(report->trimmedThroughSeq, 70);
    EXPECT_EQ(report->checkpointSeq, 101);
    EXPECT_EQ(f.log->durableSeq(), 101);
    EXPECT_TRUE(f.secrets.read(kCheckpointKeySecretName).value().has_value()); // created on first use

    const auto rows = readAll(f.dataDir());
    ASSERT_EQ(rows.size(), 31u);
    EXPECT_EQ(rows.front().seq, 71);
    const AuditRow &checkpoint = rows.back();
    EXPECT_EQ(checkpoint.seq, 101);
    EXPECT_EQ(checkpoint.category, "retention");
    EXPECT_EQ(checkpoint.action, kCheckpointAction);
    EXPECT_EQ(checkpoint.reason, "max_rows=30");
    auto body = readCheckpointBody(checkpoint.body);
    ASSERT_TRUE(body) << body.error().message;
    EXPECT_EQ(body->trimmedFromSeq, 1);
    EXPECT_EQ(body->trimmedThroughSeq, 70);
    EXPECT_EQ(body->trimmedRows, 70);
    EXPECT_EQ(body->lastTrimmedHash, rows.front().prevHash);
    EXPECT_EQ(body->headSeq, 100);
    EXPECT_EQ(body->headHash, rows[rows.size() - 2].hash);

    VerifyOptions options;
    options.trustedPublicKey = f.trustedKey();
    const VerifyReport verified = verifyLog(f.dataDir(), options);
    EXPECT_TRUE(verified.ok()) << verified.firstProblem->what;
    EXPECT_EQ(verified.firstSeq, 71);
    EXPECT_EQ(verified.lastSeq, 101);
    EXPECT_EQ(verified.startCheckpointSeq, 101);
    EXPECT_EQ(verified.checkpoints, 1);
    EXPECT_TRUE(verified.keyTrusted);

    // Appending continues after the checkpoint.
    f.append(102, 110);
    ASSERT_TRUE(f.log->flush(kWaitMs));
    EXPECT_TRUE(verifyLog(f.dataDir(), options).ok());
}

TEST(Retention, TrimsByAgeOnlyFromTheStart)
{
    Fixture f;
    ASSERT_TRUE(f.log);
    // Timestamps 1..10 s, then a row from a clock set back (0.5 s), then 21..30 s.
    for (int i = 1; i <= 21; ++i) {
        OwnedRecord r = messageRecord(i);
        r.timestampMs = i <= 10 ? i * 1000 : i == 11 ? 500 : (i + 9) * 1000;
        ASSERT_GT(f.log->submit(r.view()), 0);
    }
    RetentionPolicy policy;
    policy.maxAgeMs = 15'000;
    policy.nowMs = 30'000; // keep rows from 15 s on
    auto report = f.log->applyRetention(policy, f.secrets, kWaitMs);
    ASSERT_TRUE(report) << report.error().message;
    // Rows 1..10 are older; row 11 (0.5 s) is older too; row 12 (21 s) is the first to keep.
    EXPECT_EQ(report->trimmedRows, 11);
    const auto rows = readAll(f.dataDir());
    ASSERT_FALSE(rows.empty());
    EXPECT_EQ(rows.front().seq, 12);
    EXPECT_TRUE(verifyLog(f.dataDir()).ok());
}

TEST(Retention, AnOldRowAfterAYoungOneIsKept)
{
    Fixture f;
    ASSERT_TRUE(f.log);
    for (int i = 1; i <= 5; ++i) {
        OwnedRecord r = messageRecord(i);
        r.timestampMs = i == 2 ? 100'000 : 1000; // row 2 is young, the rest old
        ASSERT_GT(f.log->submit(r.view()), 0);
    }
    RetentionPolicy policy;
    policy.maxAgeMs = 50'000;
    policy.nowMs = 120'000;
    auto report = f.log->applyRetention(policy, f.secrets, kWaitMs);
    ASSERT_TRUE(report) << report.error().message;
    EXPECT_EQ(report->trimmedRows, 1); // only row 1: rows leave from the start, never from the middle
    EXPECT_EQ(readAll(f.dataDir()).front().seq, 2);
}

TEST(Retention, WithNothingToTrimItStillSignsTheStartAndTheHead)
{
    Fixture f;
    ASSERT_TRUE(f.log);
    f.append(1, 5);
    RetentionPolicy policy;
    policy.maxRows = 1000;
    auto report = f.log->applyRetention(policy, f.secrets, kWaitMs);
    ASSERT_TRUE(report) << report.error().message;
    EXPECT_EQ(report->trimmedRows, 0);
    EXPECT_EQ(report->trimmedThroughSeq, 0);
    EXPECT_EQ(report->checkpointSeq, 6);
    const auto rows = readAll(f.dataDir());
    ASSERT_EQ(rows.size(), 6u);
    auto body = readCheckpointBody(rows.back().body);
    ASSERT_TRUE(body);
    EXPECT_EQ(body->trimmedRows, 0);
    EXPECT_EQ(body->trimmedThroughSeq, 0);
    EXPECT_EQ(body->headSeq, 5);
    const VerifyReport verified = verifyLog(f.dataDir());
    EXPECT_TRUE(verified.ok());
    EXPECT_EQ(verified.startCheckpointSeq, 0); // the chain starts at seq 1 anyway
    EXPECT_EQ(verified.checkpoints, 1);
}

TEST(Retention, CanTrimEverythingButItsCheckpointAndRunAgain)
{
    Fixture f;
    ASSERT_TRUE(f.log);
    f.append(1, 50);
    RetentionPolicy all;
    all.maxAgeMs = 1;
    all.nowMs = 4'000'000'000'000; // every row is older
    auto first = f.log->applyRetention(all, f.secrets, kWaitMs);
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_EQ(first->trimmedRows, 50);
    auto rows = readAll(f.dataDir());
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].seq, 51);
    EXPECT_TRUE(verifyLog(f.dataDir()).ok());

    f.append(52, 60);
    RetentionPolicy count;
    count.maxRows = 4;
    auto second = f.log->applyRetention(count, f.secrets, kWaitMs);
    ASSERT_TRUE(second);
    EXPECT_EQ(second->trimmedRows, 6); // 51..56: the first checkpoint goes too
    rows = readAll(f.dataDir());
    ASSERT_EQ(rows.size(), 5u);
    EXPECT_EQ(rows.front().seq, 57);
    VerifyOptions options;
    options.trustedPublicKey = f.trustedKey();
    const VerifyReport verified = verifyLog(f.dataDir(), options);
    EXPECT_TRUE(verified.ok()) << verified.firstProblem->what;
    EXPECT_EQ(verified.startCheckpointSeq, 61);

    // The same key signs every checkpoint, also after a restart.
    f.log.reset();
    f.log = openLog(f.dataDir());
    ASSERT_TRUE(f.log);
    auto third = f.log->applyRetention(count, f.secrets, kWaitMs);
    ASSERT_TRUE(third);
    EXPECT_TRUE(verifyLog(f.dataDir(), options).ok());
}

TEST(Retention, RowsQueuedBeforeRetentionAreWrittenBeforeItsCheckpoint)
{
    Fixture f;
    ASSERT_TRUE(f.log);
    f.append(1, 3000); // not waited for
    RetentionPolicy policy;
    policy.maxRows = 10;
    auto report = f.log->applyRetention(policy, f.secrets, kWaitMs);
    ASSERT_TRUE(report) << report.error().message;
    EXPECT_EQ(report->checkpointSeq, 3001);
    EXPECT_EQ(report->trimmedThroughSeq, 2990);
    EXPECT_TRUE(verifyLog(f.dataDir()).ok());
}

TEST(Retention, VerifyRefusesACheckpointSignedByAnotherKey)
{
    Fixture f;
    ASSERT_TRUE(f.log);
    f.append(1, 10);
    RetentionPolicy policy;
    policy.maxRows = 5;
    ASSERT_TRUE(f.log->applyRetention(policy, f.secrets, kWaitMs));
    TempDir other;
    FileSecretStore otherSecrets(other / "secrets");
    auto otherKey = CheckpointKey::loadOrCreate(otherSecrets);
    ASSERT_TRUE(otherKey);
    VerifyOptions options;
    options.trustedPublicKey = otherKey->publicKey();
    const VerifyReport report = verifyLog(f.dataDir(), options);
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.firstProblem->seq, 6); // the start can no longer be proven
    EXPECT_EQ(report.problems, 2);          // and the checkpoint itself is refused
}

TEST(Retention, ARetentionThatCannotWriteIsReportedAndRetriedInOrder)
{
    TempDir dir;
    FileSecretStore secrets(dir / "secrets");
    AuditLogOptions options;
    options.busyTimeoutMs = 20;
    options.retryDelayMs = 10;
    auto log = openLog(dir / "data", options);
    ASSERT_TRUE(log);
    for (int i = 1; i <= 10; ++i)
        ASSERT_GT(log->submit(messageRecord(i).view()), 0);
    ASSERT_TRUE(log->flush(kWaitMs));

    // Another connection holds the write lock: retention cannot start its transaction.
    auto blocker = storage::Database::open(dir / "data" / "audit.db");
    ASSERT_TRUE(blocker);
    auto tx = blocker->begin();
    ASSERT_TRUE(tx);
    RetentionPolicy policy;
    policy.maxRows = 4;
    auto report = log->applyRetention(policy, secrets, kWaitMs);
    ASSERT_FALSE(report);
    EXPECT_EQ(report.error().code, ErrorCode::Unavailable);
    EXPECT_NE(report.error().message.find("database is locked (retention will be retried with the log)"),
              std::string::npos)
        << report.error().message;
    EXPECT_FALSE(log->accepting());
    ASSERT_TRUE(tx->rollback());

    // Once the lock is gone the writer's next attempt writes the checkpoint where its seq was
    // reserved. waitDurable reports the failure as long as it lasts, so ask until it is over.
    bool durable = false;
    for (int attempt = 0; attempt < 6000 && !durable; ++attempt) {
        durable = bool(log->waitDurable(11, kWaitMs));
        if (!durable)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_TRUE(durable);
    EXPECT_TRUE(log->accepting());
    // The writer could not write for a while: one row says so (seq 12), right after the checkpoint.
    EXPECT_EQ(log->submit(messageRecord(13).view()), 13);
    ASSERT_TRUE(log->flush(kWaitMs));
    const auto rows = readAll(dir / "data");
    ASSERT_EQ(rows.size(), 7u);
    EXPECT_EQ(rows.front().seq, 7);
    EXPECT_EQ(rows[4].action, kCheckpointAction);
    EXPECT_EQ(rows[5].action, kOutageAction);
    EXPECT_NE(rows[5].reason.find("0 records were refused"), std::string::npos) << rows[5].reason;
    EXPECT_TRUE(verifyLog(dir / "data").ok());
}

TEST(Retention, RefusesNegativeLimitsAndABrokenKey)
{
    Fixture f;
    ASSERT_TRUE(f.log);
    RetentionPolicy negative;
    negative.maxRows = -1;
    auto r = f.log->applyRetention(negative, f.secrets, kWaitMs);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::BadRequest);

    ASSERT_TRUE(f.secrets.write(kCheckpointKeySecretName, "not base64!"));
    auto broken = f.log->applyRetention(RetentionPolicy{}, f.secrets, kWaitMs);
    ASSERT_FALSE(broken);
    EXPECT_EQ(broken.error().code, ErrorCode::Corrupt);
    EXPECT_NE(broken.error().message.find("is not a base64 Ed25519 key"), std::string::npos);
    // The broken key was not replaced.
    EXPECT_EQ(f.secrets.read(kCheckpointKeySecretName).value().value(), "not base64!");
}

TEST(Checkpoint, ABodyEditedAfterSigningDoesNotVerify)
{
    TempDir dir;
    FileSecretStore secrets(dir / "secrets");
    auto key = CheckpointKey::loadOrCreate(secrets);
    ASSERT_TRUE(key);
    Checkpoint c;
    c.trimmedFromSeq = 1;
    c.trimmedThroughSeq = 9;
    c.trimmedRows = 9;
    c.lastTrimmedHash = std::string(32, 'a');
    c.headSeq = 20;
    c.headHash = std::string(32, 'b');
    c.createdMs = 1234;
    c.policy = "max_rows=11";
    auto body = makeCheckpointBody(c, *key);
    ASSERT_TRUE(body);
    auto read = readCheckpointBody(*body);
    ASSERT_TRUE(read) << read.error().message;
    EXPECT_EQ(read->trimmedThroughSeq, 9);
    EXPECT_EQ(read->publicKey, key->publicKey());
    EXPECT_EQ(key->keyId().size(), 16u);

    auto j = nlohmann::json::parse(*body);
    j["trimmed_through_seq"] = 10;
    auto edited = readCheckpointBody(j.dump());
    ASSERT_FALSE(edited);
    EXPECT_EQ(edited.error().message, "checkpoint signature does not verify");

    auto extra = nlohmann::json::parse(*body);
    extra["note"] = "added later";
    EXPECT_FALSE(readCheckpointBody(extra.dump()));
    EXPECT_FALSE(readCheckpointBody("{}"));
    EXPECT_FALSE(readCheckpointBody("not json"));

    auto publicOnly = CheckpointKey::fromPublicKey(key->publicKey());
    ASSERT_TRUE(publicOnly);
    EXPECT_FALSE(publicOnly->canSign());
    EXPECT_FALSE(makeCheckpointBody(c, *publicOnly));
}

// --- texts leave with the last row that used them ---------------------------------------------

namespace {

// Every text in audit_text, read with SQL from the file itself.
std::set<std::string> storedTexts(const std::filesystem::path &dataDir)
{
    std::set<std::string> texts;
    storage::OpenOptions ro;
    ro.readOnly = true;
    auto db = storage::Database::open(dataDir / "audit.db", ro);
    EXPECT_TRUE(db) << db.error().message;
    if (!db)
        return texts;
    auto stmt = db->prepare("SELECT text FROM audit_text");
    EXPECT_TRUE(stmt) << stmt.error().message;
    for (;;) {
        auto row = stmt ? stmt->step() : Result<bool>(false);
        if (!row || !*row)
            break;
        texts.emplace(stmt->columnText(0));
    }
    return texts;
}

OwnedRecord recordFor(int i, const std::string &widget, const std::string &room, const std::string &origin)
{
    OwnedRecord r = messageRecord(i);
    r.widgetId = widget;
    r.roomId = room;
    r.origin = origin;
    return r;
}

} // namespace

TEST(Retention, TextsOnlyTrimmedRowsUsedLeaveTheFileAndTheChainStillVerifies)
{
    Fixture f;
    ASSERT_TRUE(f.log);
    // Rows 1..40 belong to a widget, room and origin nothing later uses; the shared room is used
    // by a trimmed row and by a kept one; rows 41..60 belong to a widget that stays.
    for (int i = 1; i <= 60; ++i) {
        OwnedRecord r = i <= 40 ? recordFor(i, "widget-gone", "!gone:example.org", "https://gone.example.org")
                                : recordFor(i, "widget-kept", "!kept:example.org", "https://kept.example.org");
        if (i == 10 || i == 55)
            r.roomId = "!shared:example.org";
        if (i == 20)
            r.action = "only_in_a_trimmed_row";
        ASSERT_GT(f.log->submit(r.view()), 0);
    }
    ASSERT_TRUE(f.log->flush(kWaitMs));
    auto before = storedTexts(f.dataDir());
    ASSERT_TRUE(before.count("widget-gone") && before.count("only_in_a_trimmed_row"));

    RetentionPolicy policy;
    policy.maxRows = 20;
    auto report = f.log->applyRetention(policy, f.secrets, kWaitMs);
    ASSERT_TRUE(report) << report.error().message;
    EXPECT_EQ(report->trimmedRows, 40);
    EXPECT_EQ(report->trimmedTexts, 4);

    const auto after = storedTexts(f.dataDir());
    for (const char *gone : {"widget-gone", "!gone:example.org", "https://gone.example.org", "only_in_a_trimmed_row"})
        EXPECT_EQ(after.count(gone), 0u) << gone << " outlived the rows that used it";
    for (const char *kept : {"widget-kept", "!kept:example.org", "https://kept.example.org", "!shared:example.org",
                             "send_event", "message", "in", "allowed", "retention", "internal", "info", ""})
        EXPECT_EQ(after.count(kept), 1u) << kept << " is still used and must stay";
    EXPECT_EQ(after.count(std::string(kCheckpointAction)), 1u);

    VerifyOptions options;
    options.trustedPublicKey = f.trustedKey();
    const VerifyReport verified = verifyLog(f.dataDir(), options);
    EXPECT_TRUE(verified.ok()) << verified.firstProblem->what;
    EXPECT_EQ(verified.firstSeq, 41);
    EXPECT_EQ(verified.startCheckpointSeq, 61);

    // The file keeps no copy of the removed texts (deleted cells are zeroed), once closed.
    f.log.reset();
    const std::string bytes = readFileBytes(f.dataDir() / "audit.db");
    EXPECT_EQ(bytes.find("https://gone.example.org"), std::string::npos);
    EXPECT_EQ(bytes.find("only_in_a_trimmed_row"), std::string::npos);
}

TEST(Retention, AppendingATextTheWriterHadCachedAfterItWasRemovedStoresItAgain)
{
    Fixture f;
    ASSERT_TRUE(f.log);
    // The writer looks these texts up once and remembers their ids.
    for (int i = 1; i <= 10; ++i)
        ASSERT_GT(f.log->submit(recordFor(i, "widget-a", "!a:example.org", "https://a.example.org").view()), 0);
    for (int i = 11; i <= 15; ++i)
        ASSERT_GT(f.log->submit(recordFor(i, "widget-b", "!b:example.org", "https://b.example.org").view()), 0);
    RetentionPolicy policy;
    policy.maxRows = 5;
    auto report = f.log->applyRetention(policy, f.secrets, kWaitMs);
    ASSERT_TRUE(report) << report.error().message;
    EXPECT_EQ(report->trimmedRows, 10);
    EXPECT_EQ(report->trimmedTexts, 3);
    EXPECT_EQ(storedTexts(f.dataDir()).count("widget-a"), 0u);

    // widget-a comes back: its old id is gone and must not be used again.
    for (int i = 17; i <= 20; ++i)
        ASSERT_GT(f.log->submit(recordFor(i, "widget-a", "!a:example.org", "https://a.example.org").view()), 0);
    ASSERT_TRUE(f.log->flush(kWaitMs));
    EXPECT_EQ(storedTexts(f.dataDir()).count("widget-a"), 1u);

    VerifyOptions options;
    options.trustedPublicKey = f.trustedKey();
    VerifyReport verified = verifyLog(f.dataDir(), options);
    EXPECT_TRUE(verified.ok()) << verified.firstProblem->what;
    const auto rows = readAll(f.dataDir());
    ASSERT_EQ(rows.size(), 10u); // 11..15, the checkpoint 16, 17..20
    EXPECT_EQ(rows.back().widgetId, "widget-a");
    EXPECT_EQ(rows.back().origin, "https://a.example.org");
    EXPECT_EQ(rows.front().widgetId, "widget-b");

    // A second trim removes what only the first trim's rows used, and keeps the rest working.
    policy.maxRows = 2;
    report = f.log->applyRetention(policy, f.secrets, kWaitMs);
    ASSERT_TRUE(report) << report.error().message;
    EXPECT_EQ(report->trimmedRows, 8);
    const auto texts = storedTexts(f.dataDir());
    EXPECT_EQ(texts.count("widget-b"), 0u);
    EXPECT_EQ(texts.count("widget-a"), 1u);
    EXPECT_EQ(texts.count("retention"), 1u) << "the new checkpoint uses it";
    for (int i = 22; i <= 24; ++i)
        ASSERT_GT(f.log->submit(recordFor(i, "widget-b", "!b:example.org", "https://b.example.org").view()), 0);
    ASSERT_TRUE(f.log->flush(kWaitMs));
    verified = verifyLog(f.dataDir(), options);
    EXPECT_TRUE(verified.ok()) << verified.firstProblem->what;
    EXPECT_EQ(readAll(f.dataDir()).back().widgetId, "widget-b");
}

TEST(Retention, ATextStillInUseCannotBeRemovedEvenByHand)
{
    Fixture f;
    ASSERT_TRUE(f.log);
    f.append(1, 10);
    RetentionPolicy policy;
    policy.maxRows = 4;
    ASSERT_TRUE(f.log->applyRetention(policy, f.secrets, kWaitMs));
    f.log.reset();
    // Rows 7..10 still use "widget-1": the trigger refuses, whatever the retention mark says.
    EXPECT_NE(runSqliteCli(f.dataDir() / "audit.db", "DELETE FROM audit_text WHERE text = 'widget-1'"), 0);
    EXPECT_NE(runSqliteCli(f.dataDir() / "audit.db", "UPDATE audit_text SET last_seq = 1 WHERE text = 'widget-1'"), 0);
    EXPECT_EQ(storedTexts(f.dataDir()).count("widget-1"), 1u);
    EXPECT_TRUE(verifyLog(f.dataDir()).ok());
}
