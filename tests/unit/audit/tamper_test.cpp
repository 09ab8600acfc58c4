// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// Someone with access to audit.db edits it with the sqlite3 command line tool, the way an
// attacker would: first dropping the triggers that refuse the edit. verify() must notice.

#include <gtest/gtest.h>

#include "audit/auditschema.h"
#include "audit/checkpoint.h"
#include "auditfixture.h"
#include "util/text.h"

using namespace tessera;
using namespace tessera::audit;
using namespace tessera::test;

namespace {

constexpr const char *kDropTriggers = "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; ";
// Texts are stored as ids into audit_text: an edit to "refused" first makes sure the text exists.
constexpr const char *kAddRefused = "INSERT OR IGNORE INTO audit_text(text) VALUES ('refused'); ";
constexpr const char *kSetRefused = "UPDATE audit_log SET decision = (SELECT id FROM audit_text WHERE text = 'refused')";

class Tamper : public ::testing::Test {
protected:
    void SetUp() override
    {
        auto log = openLog(m_dir.path());
        ASSERT_TRUE(log);
        for (int i = 1; i <= 20; ++i)
            ASSERT_GT(log->submit(messageRecord(i).view()), 0);
        ASSERT_TRUE(log->flush(kWaitMs));
        const VerifyReport before = verifyLog(m_dir.path());
        ASSERT_TRUE(before.ok());
        ASSERT_EQ(before.rowsChecked, 20);
    }

    int sqlite(const std::string &sql) { return runSqliteCli(m_dir / "audit.db", sql); }

    TempDir m_dir;
};

std::string blobLiteral(const std::string &bytes)
{
    return "x'" + text::hexEncode(bytes) + "'";
}

} // namespace

TEST_F(Tamper, TheCliCannotEditWhileTheTriggersStand)
{
    EXPECT_NE(sqlite("UPDATE audit_log SET decision = 'refused' WHERE seq = 7"), 0);
    EXPECT_NE(sqlite("DELETE FROM audit_log WHERE seq = 7"), 0);
    EXPECT_TRUE(verifyLog(m_dir.path()).ok());
}

TEST_F(Tamper, VerifyCatchesAnEditedRow)
{
    ASSERT_EQ(sqlite(std::string(kDropTriggers) + kAddRefused + kSetRefused + " WHERE seq = 7;"), 0);
    const VerifyReport report = verifyLog(m_dir.path());
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.firstProblem->seq, 7);
    EXPECT_EQ(report.firstProblem->what, "the row's content does not match its hash (the row was edited or moved)");
    EXPECT_EQ(report.problems, 1);
    EXPECT_EQ(report.rowsChecked, 20);
}

TEST_F(Tamper, VerifyCatchesAnEditedRowWhoseHashWasRecomputed)
{
    // The attacker also knows the hash format and fixes the edited row's own hash.
    auto rows = readAll(m_dir.path());
    AuditRow row = rows[6];
    ASSERT_EQ(row.seq, 7);
    row.decision = "refused";
    RowView view{row.seq,      row.timestampMs, row.category, row.direction,  row.widgetId,
                 row.roomId,   row.origin,      row.action,   row.requestId,  row.sizeBytes,
                 row.decision, row.reason,      row.durationMs, row.body,     row.prevHash};
    RowHasher hasher;
    auto hash = hasher.hash(view);
    ASSERT_TRUE(hash);
    ASSERT_EQ(sqlite(std::string(kDropTriggers) + kAddRefused + kSetRefused + ", hash = "
                     + blobLiteral(*hash) + " WHERE seq = 7;"),
              0);
    const VerifyReport report = verifyLog(m_dir.path());
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.firstProblem->seq, 8);
    EXPECT_EQ(report.firstProblem->what,
              "prev_hash does not match the hash of seq 7 (a row before it was changed, removed or moved)");
}

TEST_F(Tamper, TheCliCannotEditOrRemoveTextsWhileTheTriggersStand)
{
    EXPECT_NE(sqlite("UPDATE audit_text SET text = 'widget-2' WHERE text = 'widget-1'"), 0);
    EXPECT_NE(sqlite("DELETE FROM audit_text WHERE text = 'widget-1'"), 0);
    EXPECT_TRUE(verifyLog(m_dir.path()).ok());
}

TEST_F(Tamper, VerifyCatchesAnEditedTextInEveryRowThatUsesIt)
{
    ASSERT_EQ(sqlite("DROP TRIGGER audit_text_no_update; "
                     "UPDATE audit_text SET text = 'widget-2' WHERE text = 'widget-1';"),
              0);
    EXPECT_EQ(readAll(m_dir.path()).at(0).widgetId, "widget-2");
    const VerifyReport report = verifyLog(m_dir.path());
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.firstProblem->seq, 1);
    EXPECT_EQ(report.firstProblem->what, "the row's content does not match its hash (the row was edited or moved)");
    EXPECT_EQ(report.problems, 20);
}

TEST_F(Tamper, VerifyCatchesARemovedText)
{
    ASSERT_EQ(sqlite("DROP TRIGGER audit_text_no_delete; DELETE FROM audit_text WHERE text = 'send_event';"), 0);
    const VerifyReport report = verifyLog(m_dir.path());
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.firstProblem->seq, 1);
    EXPECT_NE(report.firstProblem->what.find("which is not in audit_text"), std::string::npos)
        << report.firstProblem->what;
    EXPECT_EQ(report.problems, 20);
}

TEST_F(Tamper, VerifyCatchesATextIdThatNamesNothing)
{
    ASSERT_EQ(sqlite(std::string(kDropTriggers) + "UPDATE audit_log SET room = 999999 WHERE seq = 4;"), 0);
    const VerifyReport report = verifyLog(m_dir.path());
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.firstProblem->seq, 4);
    EXPECT_EQ(report.firstProblem->what, "the row refers to text 999999, which is not in audit_text (the row or the "
                                         "text was edited or removed)");
    EXPECT_EQ(report.problems, 1);
}

TEST_F(Tamper, VerifyCatchesADeletedRow)
{
    ASSERT_EQ(sqlite(std::string(kDropTriggers) + "DELETE FROM audit_log WHERE seq = 12;"), 0);
    const VerifyReport report = verifyLog(m_dir.path());
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.firstProblem->seq, 13);
    EXPECT_EQ(report.firstProblem->what, "seq 13 follows seq 11: 1 row is missing (deleted)");
    EXPECT_EQ(report.rowsChecked, 19);
}

TEST_F(Tamper, VerifyCatchesADeletedRowWhoseSuccessorsWereRenumbered)
{
    // Delete row 12, then close the gap by moving 13..20 down by one.
    std::string sql = std::string(kDropTriggers) + "DELETE FROM audit_log WHERE seq = 12;";
    for (int seq = 13; seq <= 20; ++seq)
        sql += "UPDATE audit_log SET seq = " + std::to_string(seq - 1) + " WHERE seq = " + std::to_string(seq) + ";";
    ASSERT_EQ(sqlite(sql), 0);
    const VerifyReport report = verifyLog(m_dir.path());
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.firstProblem->seq, 12);
    EXPECT_EQ(report.problems, 8); // every moved row no longer matches its hash
}

TEST_F(Tamper, VerifyCatchesReorderedRows)
{
    ASSERT_EQ(sqlite(std::string(kDropTriggers)
                     + "UPDATE audit_log SET seq = -5 WHERE seq = 5; UPDATE audit_log SET seq = 5 WHERE seq = 6; "
                       "UPDATE audit_log SET seq = 6 WHERE seq = -5;"),
              0);
    const VerifyReport report = verifyLog(m_dir.path());
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.firstProblem->seq, 5);
    EXPECT_EQ(report.firstProblem->what,
              "prev_hash does not match the hash of seq 4 (a row before it was changed, removed or moved)");
    EXPECT_GE(report.problems, 2);
}

TEST_F(Tamper, VerifyCatchesRowsDeletedFromTheStartWithoutACheckpoint)
{
    ASSERT_EQ(sqlite(std::string(kDropTriggers) + "DELETE FROM audit_log WHERE seq <= 4;"), 0);
    const VerifyReport report = verifyLog(m_dir.path());
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.firstProblem->seq, 5);
    EXPECT_EQ(report.firstProblem->what, "the log starts at seq 5, but no signed checkpoint proves that the rows "
                                         "before it were trimmed by retention (rows were deleted)");
}

TEST_F(Tamper, VerifyCatchesRowsDeletedAfterRetentionAndAForgedCheckpoint)
{
    TempDir secretsDir;
    FileSecretStore secrets(secretsDir / "secrets");
    {
        auto log = openLog(m_dir.path());
        ASSERT_TRUE(log);
        RetentionPolicy policy;
        policy.maxRows = 15; // trims 1..5, checkpoint at 21
        ASSERT_TRUE(log->applyRetention(policy, secrets, kWaitMs));
    }
    ASSERT_TRUE(verifyLog(m_dir.path()).ok());

    // Deleting more rows from the start breaks the proof the checkpoint gave.
    ASSERT_EQ(sqlite(std::string(kDropTriggers) + "DELETE FROM audit_log WHERE seq <= 8;"), 0);
    VerifyReport report = verifyLog(m_dir.path());
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.firstProblem->seq, 9);

    // Editing the checkpoint to claim the larger trim breaks its signature.
    const auto rows = readAll(m_dir.path());
    const AuditRow &checkpoint = rows.back();
    ASSERT_EQ(checkpoint.seq, 21);
    std::string forged = checkpoint.body;
    const std::string from = "\"trimmed_through_seq\":5";
    ASSERT_NE(forged.find(from), std::string::npos) << forged;
    forged.replace(forged.find(from), from.size(), "\"trimmed_through_seq\":8");
    ASSERT_EQ(sqlite("UPDATE audit_log SET body = '" + forged + "' WHERE seq = 21;"), 0);
    report = verifyLog(m_dir.path());
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.firstProblem->seq, 9);
    EXPECT_EQ(report.problems, 2);
}

TEST_F(Tamper, VerifyCatchesAnEditedStoredHashOfTheFirstRow)
{
    ASSERT_EQ(sqlite(std::string(kDropTriggers) + "UPDATE audit_log SET prev_hash = x'01' WHERE seq = 1;"), 0);
    const VerifyReport report = verifyLog(m_dir.path());
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.firstProblem->seq, 1);
    EXPECT_EQ(report.firstProblem->what,
              "the first row does not link to the start of a log (its prev_hash is not the genesis hash)");
}

TEST_F(Tamper, VerifyCatchesARowReplacedWithInsertOrReplace)
{
    // INSERT needs no trigger to be dropped; a replaced row cannot carry the right links.
    auto rows = readAll(m_dir.path());
    AuditRow row = rows[9];
    row.reason = "replaced";
    RowView view{row.seq,      row.timestampMs, row.category, row.direction,  row.widgetId,
                 row.roomId,   row.origin,      row.action,   row.requestId,  row.sizeBytes,
                 row.decision, row.reason,      row.durationMs, row.body,     row.prevHash};
    RowHasher hasher;
    auto hash = hasher.hash(view);
    ASSERT_TRUE(hash);
    ASSERT_EQ(sqlite("INSERT OR REPLACE INTO audit_log (seq, ts_ms, category, direction, widget, room, origin, action, "
                     "request_id, size_bytes, decision, reason, duration_ms, body, prev_hash, hash) SELECT seq, ts_ms, "
                     "category, direction, widget, room, origin, action, request_id, size_bytes, decision, 'replaced', "
                     "duration_ms, body, prev_hash, " + blobLiteral(*hash) + " FROM audit_log WHERE seq = 10;"),
              0);
    ASSERT_EQ(readAll(m_dir.path())[9].reason, "replaced");
    const VerifyReport report = verifyLog(m_dir.path());
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.firstProblem->seq, 11);
    EXPECT_EQ(report.firstProblem->what,
              "prev_hash does not match the hash of seq 10 (a row before it was changed, removed or moved)");
}

TEST_F(Tamper, VerifyCatchesARowAppendedOutOfOrder)
{
    ASSERT_EQ(sqlite("INSERT INTO audit_log SELECT 25, ts_ms, category, direction, widget, room, origin, action, "
                     "request_id, size_bytes, decision, reason, duration_ms, body, hash, hash FROM audit_log WHERE "
                     "seq = 20;"),
              0);
    const VerifyReport report = verifyLog(m_dir.path());
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.firstProblem->seq, 25);
    EXPECT_EQ(report.firstProblem->what, "seq 25 follows seq 20: 4 rows are missing (deleted)");
}

namespace {

// A log large enough to be verified in two halves: rows 1..15000 and 15001..30000.
class LargeTamper : public ::testing::Test {
protected:
    static constexpr int kRows = 30'000;

    void SetUp() override
    {
        static_assert(kRows >= kParallelVerifyRows);
        auto log = openLog(m_dir.path());
        ASSERT_TRUE(log);
        for (int i = 1; i <= kRows; ++i)
            ASSERT_GT(log->submit(messageRecord(i).view()), 0);
        ASSERT_TRUE(log->flush(kWaitMs));
    }

    int sqlite(const std::string &sql) { return runSqliteCli(m_dir / "audit.db", sql); }

    std::string recomputedHashWithDecision(std::int64_t seq, const std::string &decision)
    {
        auto reader = AuditReader::open(m_dir.path());
        EXPECT_TRUE(reader);
        AuditQuery q;
        q.afterSeq = seq - 1;
        q.limit = 1;
        AuditRow row = reader->query(q).value().rows.at(0);
        row.decision = decision;
        RowView view{row.seq,      row.timestampMs, row.category, row.direction,  row.widgetId,
                     row.roomId,   row.origin,      row.action,   row.requestId,  row.sizeBytes,
                     row.decision, row.reason,      row.durationMs, row.body,     row.prevHash};
        RowHasher hasher;
        return hasher.hash(view).value();
    }

    TempDir m_dir;
};

} // namespace

TEST_F(LargeTamper, AnIntactLogVerifiesInTwoHalves)
{
    const VerifyReport report = verifyLog(m_dir.path());
    EXPECT_TRUE(report.ok());
    EXPECT_EQ(report.rowsChecked, kRows);
    EXPECT_EQ(report.firstSeq, 1);
    EXPECT_EQ(report.lastSeq, kRows);
    EXPECT_EQ(report.problems, 0);
}

TEST_F(LargeTamper, CatchesEditsInEitherHalfAndReportsTheFirst)
{
    ASSERT_EQ(sqlite(std::string(kDropTriggers) + kAddRefused + kSetRefused + " WHERE seq IN (200, 29000);"), 0);
    const VerifyReport report = verifyLog(m_dir.path());
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.firstProblem->seq, 200);
    EXPECT_EQ(report.problems, 2);
}

TEST_F(LargeTamper, CatchesAnEditOfTheFirstRowOfTheSecondHalf)
{
    ASSERT_EQ(sqlite(std::string(kDropTriggers) + kAddRefused + kSetRefused + " WHERE seq = 15001;"), 0);
    const VerifyReport report = verifyLog(m_dir.path());
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.firstProblem->seq, 15001);
    EXPECT_EQ(report.firstProblem->what, "the row's content does not match its hash (the row was edited or moved)");
    EXPECT_EQ(report.problems, 1);
}

TEST_F(LargeTamper, CatchesARecomputedEditWhoseBrokenLinkFallsBetweenTheHalves)
{
    const std::string hash = recomputedHashWithDecision(15000, "refused");
    ASSERT_EQ(sqlite(std::string(kDropTriggers) + kAddRefused + kSetRefused + ", hash = "
                     + blobLiteral(hash) + " WHERE seq = 15000;"),
              0);
    const VerifyReport report = verifyLog(m_dir.path());
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.firstProblem->seq, 15001);
    EXPECT_EQ(report.firstProblem->what,
              "prev_hash does not match the hash of seq 15000 (a row before it was changed, removed or moved)");
    EXPECT_EQ(report.problems, 1);
}

TEST_F(LargeTamper, CatchesRowsDeletedAtTheBoundaryOfTheHalves)
{
    ASSERT_EQ(sqlite(std::string(kDropTriggers) + "DELETE FROM audit_log WHERE seq = 15000;"), 0);
    VerifyReport report = verifyLog(m_dir.path());
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.firstProblem->seq, 15001);
    EXPECT_EQ(report.firstProblem->what, "seq 15001 follows seq 14999: 1 row is missing (deleted)");
    EXPECT_EQ(report.rowsChecked, kRows - 1);

    ASSERT_EQ(sqlite("DELETE FROM audit_log WHERE seq = 15001;"), 0);
    report = verifyLog(m_dir.path());
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.firstProblem->what, "seq 15002 follows seq 14999: 2 rows are missing (deleted)");
    EXPECT_EQ(report.problems, 1);
}

TEST_F(LargeTamper, ProvesTheStartWithACheckpointInTheSecondHalf)
{
    TempDir secretsDir;
    FileSecretStore secrets(secretsDir / "secrets");
    {
        auto log = openLog(m_dir.path());
        ASSERT_TRUE(log);
        RetentionPolicy policy;
        policy.maxRows = 25'000;
        ASSERT_TRUE(log->applyRetention(policy, secrets, kWaitMs));
    }
    VerifyReport report = verifyLog(m_dir.path());
    EXPECT_TRUE(report.ok()) << report.firstProblem->what;
    EXPECT_EQ(report.firstSeq, 5001);
    EXPECT_EQ(report.startCheckpointSeq, kRows + 1);

    ASSERT_EQ(sqlite(std::string(kDropTriggers) + "DELETE FROM audit_log WHERE seq = 5001;"), 0);
    report = verifyLog(m_dir.path());
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.firstProblem->seq, 5002);
    EXPECT_EQ(report.problems, 1);
}
