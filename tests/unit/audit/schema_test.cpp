// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// Upgrades of audit.db: a log written by every earlier schema version, with rows, opens in the
// current AuditLog, keeps every row as it was (texts, hashes, links), takes new rows and still
// verifies from its first row to its last.

#include <map>
#include <sstream>

#include <gtest/gtest.h>

#include "audit/auditcommand.h"
#include "audit/auditschema.h"
#include "auditfixture.h"

using namespace tessera;
using namespace tessera::audit;
using namespace tessera::test;

namespace {

// A row as schema version 1 stored it: every text in its own column.
struct V1Row {
    std::string category, direction, widget, room, origin, action, requestId, decision, reason, body;
    std::int64_t ts = 0, size = 0, duration = -1;
};

std::vector<V1Row> v1Rows()
{
    std::vector<V1Row> rows;
    for (int i = 0; i < 40; ++i) {
        V1Row r;
        r.ts = 1'690'000'000'000 + i * 1000;
        r.category = i % 5 == 4 ? "consent" : "message";
        r.direction = i % 2 ? "out" : "in";
        r.widget = "widget-" + std::to_string(i % 3);
        r.room = i % 7 == 0 ? "" : "!r\xC3\xA4um" + std::to_string(i % 2) + ":example.org"; // empty and non-ASCII texts
        r.origin = "https://widget" + std::to_string(i % 3) + ".example.org";
        r.action = i % 4 == 0 ? "widget-0" : "send_event"; // a text used in two different columns
        r.requestId = "req-" + std::to_string(i);
        r.decision = i % 5 == 4 ? "refused" : "allowed";
        r.reason = i % 5 == 4 ? "answered by the user" : "";
        r.body = R"({"n":)" + std::to_string(i) + "}";
        r.size = std::int64_t(r.body.size());
        r.duration = i;
        rows.push_back(std::move(r));
    }
    return rows;
}

// Writes @p rows into a fresh log at schema version 1, chained from the genesis hash.
void writeV1Log(const std::filesystem::path &dataDir, const std::vector<V1Row> &rows)
{
    auto db = storage::Database::open(storage::databasePath(dataDir, kAuditConcern));
    ASSERT_TRUE(db) << db.error().message;
    auto version = storage::migrate(*db, auditMigrations().first(1));
    ASSERT_TRUE(version) << version.error().message;
    ASSERT_EQ(*version, 1);
    auto insert = db->prepare("INSERT INTO audit_log VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
                              "?14, ?15, ?16)");
    ASSERT_TRUE(insert) << insert.error().message;
    RowHasher hasher;
    std::string prev(genesisHash());
    std::int64_t seq = 0;
    for (const V1Row &r : rows) {
        ++seq;
        const RowView view{seq,        r.ts,      r.category,  r.direction, r.widget, r.room,
                           r.origin,   r.action,  r.requestId, r.size,      r.decision, r.reason,
                           r.duration, r.body,    prev};
        const std::string hash = hasher.hash(view).value();
        ASSERT_TRUE(insert->bindInt64(1, seq));
        ASSERT_TRUE(insert->bindInt64(2, r.ts));
        ASSERT_TRUE(insert->bindText(3, r.category));
        ASSERT_TRUE(insert->bindText(4, r.direction));
        ASSERT_TRUE(insert->bindText(5, r.widget));
        ASSERT_TRUE(insert->bindText(6, r.room));
        ASSERT_TRUE(insert->bindText(7, r.origin));
        ASSERT_TRUE(insert->bindText(8, r.action));
        ASSERT_TRUE(insert->bindText(9, r.requestId));
        ASSERT_TRUE(insert->bindInt64(10, r.size));
        ASSERT_TRUE(insert->bindText(11, r.decision));
        ASSERT_TRUE(insert->bindText(12, r.reason));
        ASSERT_TRUE(insert->bindInt64(13, r.duration));
        ASSERT_TRUE(insert->bindText(14, r.body));
        ASSERT_TRUE(insert->bindBlob(15, prev));
        ASSERT_TRUE(insert->bindBlob(16, hash));
        ASSERT_TRUE(insert->run());
        insert->reset();
        prev = hash;
    }
}

// Writes @p rows as writeV1Log does, then upgrades the file to schema version 2 and no further.
void writeV2Log(const std::filesystem::path &dataDir, const std::vector<V1Row> &rows)
{
    ASSERT_NO_FATAL_FAILURE(writeV1Log(dataDir, rows));
    auto db = storage::Database::open(storage::databasePath(dataDir, kAuditConcern));
    ASSERT_TRUE(db) << db.error().message;
    auto version = storage::migrate(*db, auditMigrations().first(2));
    ASSERT_TRUE(version) << version.error().message;
    ASSERT_EQ(*version, 2);
}

// Checks that @p got holds @p want, row for row from seq 1.
void expectRows(const std::vector<AuditRow> &got, const std::vector<V1Row> &want)
{
    ASSERT_GE(got.size(), want.size());
    for (std::size_t i = 0; i < want.size(); ++i) {
        const V1Row &w = want[i];
        const AuditRow &g = got[i];
        EXPECT_EQ(g.seq, std::int64_t(i + 1));
        EXPECT_EQ(g.timestampMs, w.ts);
        EXPECT_EQ(g.category, w.category);
        EXPECT_EQ(g.direction, w.direction);
        EXPECT_EQ(g.widgetId, w.widget);
        EXPECT_EQ(g.roomId, w.room);
        EXPECT_EQ(g.origin, w.origin);
        EXPECT_EQ(g.action, w.action);
        EXPECT_EQ(g.requestId, w.requestId);
        EXPECT_EQ(g.sizeBytes, w.size);
        EXPECT_EQ(g.decision, w.decision);
        EXPECT_EQ(g.reason, w.reason);
        EXPECT_EQ(g.durationMs, w.duration);
        EXPECT_EQ(g.body, w.body);
    }
}

// The filters the upgrade test uses, on a log holding v1Rows() (and perhaps rows of its own).
void expectV1Filters(AuditReader &reader)
{
    AuditQuery q;
    q.decision = "refused";
    q.limit = 100;
    auto refused = reader.query(q);
    ASSERT_TRUE(refused) << refused.error().message;
    EXPECT_EQ(refused->rows.size(), 8u);
    q = {};
    q.action = "widget-0";
    auto shared = reader.query(q);
    ASSERT_TRUE(shared) << shared.error().message;
    EXPECT_EQ(shared->rows.size(), 10u);
    q = {};
    q.widgetId = "widget-2";
    q.roomId = "!r\xC3\xA4um1:example.org";
    q.limit = 3;
    auto paged = reader.query(q);
    ASSERT_TRUE(paged) << paged.error().message;
    ASSERT_EQ(paged->rows.size(), 3u);
    EXPECT_EQ(paged->rows[0].seq, 6); // i = 5, 11, 17: i % 3 == 2, i odd, i % 7 != 0
    EXPECT_EQ(paged->rows[1].seq, 12);
    EXPECT_EQ(paged->nextCursor, 18);
    q = {};
    q.widgetId = "no-such-widget";
    auto none = reader.query(q);
    ASSERT_TRUE(none) << none.error().message;
    EXPECT_TRUE(none->rows.empty());
    EXPECT_EQ(none->nextCursor, 0);
}

int fileVersion(const std::filesystem::path &dataDir)
{
    storage::OpenOptions ro;
    ro.readOnly = true;
    auto db = storage::Database::open(storage::databasePath(dataDir, kAuditConcern), ro);
    EXPECT_TRUE(db) << db.error().message;
    return db ? db->userVersion().value() : -1;
}

} // namespace

TEST(AuditSchema, StepsAreNumberedAndTheLatestIsThree)
{
    const auto steps = auditMigrations();
    ASSERT_EQ(steps.size(), 3u);
    for (std::size_t i = 0; i < steps.size(); ++i)
        EXPECT_EQ(steps[i].version, int(i + 1));
}

TEST(AuditSchema, UpgradesFromEveryEarlierVersionAndStillVerifies)
{
    const std::vector<V1Row> old = v1Rows();
    const int latest = int(auditMigrations().size());
    for (int from = 0; from < latest; ++from) {
        SCOPED_TRACE("from version " + std::to_string(from));
        TempDir dir;
        std::size_t oldRows = 0;
        if (from >= 1) {
            if (from == 1) {
                ASSERT_NO_FATAL_FAILURE(writeV1Log(dir.path(), old));
            } else {
                ASSERT_NO_FATAL_FAILURE(writeV2Log(dir.path(), old));
            }
            oldRows = old.size();
            ASSERT_EQ(fileVersion(dir.path()), from);
            // A reader reads the file as it is, and leaves it so.
            auto reader = AuditReader::open(dir.path());
            ASSERT_TRUE(reader) << reader.error().message;
            auto report = reader->verify();
            ASSERT_TRUE(report) << report.error().message;
            EXPECT_TRUE(report->ok()) << report->firstProblem->what;
            EXPECT_EQ(report->rowsChecked, std::int64_t(oldRows));
            ASSERT_NO_FATAL_FAILURE(expectRows(readAll(dir.path()), old));
            ASSERT_NO_FATAL_FAILURE(expectV1Filters(*reader));
            EXPECT_EQ(fileVersion(dir.path()), from);
        } else {
            auto db = storage::Database::open(storage::databasePath(dir.path(), kAuditConcern));
            ASSERT_TRUE(db) << db.error().message;
        }

        {
            auto log = openLog(dir.path());
            ASSERT_TRUE(log);
            EXPECT_EQ(log->lastSeq(), std::int64_t(oldRows));
            for (int i = 1; i <= 5; ++i)
                ASSERT_GT(log->submit(messageRecord(i).view()), 0);
            ASSERT_TRUE(log->flush(kWaitMs));
        }
        EXPECT_EQ(fileVersion(dir.path()), latest);

        const auto rows = readAll(dir.path());
        ASSERT_EQ(rows.size(), oldRows + 5);
        if (oldRows > 0) {
            ASSERT_NO_FATAL_FAILURE(expectRows(rows, old));
        }
        EXPECT_EQ(rows.back().widgetId, "widget-1");
        EXPECT_EQ(rows.back().action, "send_event");

        const VerifyReport report = verifyLog(dir.path());
        EXPECT_TRUE(report.ok()) << (report.firstProblem ? report.firstProblem->what : "");
        EXPECT_EQ(report.rowsChecked, std::int64_t(oldRows + 5));
        EXPECT_EQ(report.firstSeq, 1);

        // Filters find the upgraded rows as they found them before.
        auto reader = AuditReader::open(dir.path());
        ASSERT_TRUE(reader) << reader.error().message;
        if (oldRows > 0) {
            ASSERT_NO_FATAL_FAILURE(expectV1Filters(*reader));
        }

        // Every text's last use is the highest seq of a row using it, whatever version it came from.
        auto db = storage::Database::open(storage::databasePath(dir.path(), kAuditConcern));
        ASSERT_TRUE(db) << db.error().message;
        auto stmt = db->prepare("SELECT text, last_seq FROM audit_text");
        ASSERT_TRUE(stmt) << stmt.error().message;
        std::map<std::string, std::int64_t> lastUse;
        for (const AuditRow &r : rows) {
            for (const std::string *t : {&r.category, &r.direction, &r.widgetId, &r.roomId, &r.origin, &r.action,
                                         &r.decision})
                lastUse[*t] = r.seq;
        }
        std::size_t texts = 0;
        while (stmt->step().value()) {
            ++texts;
            const std::string text(stmt->columnText(0));
            ASSERT_TRUE(lastUse.count(text)) << text;
            EXPECT_EQ(stmt->columnInt64(1), lastUse[text]) << text;
        }
        EXPECT_EQ(texts, lastUse.size());
    }
}

TEST(AuditSchema, AReaderOfAVersion1LogVerifiesInTwoHalvesAndCatchesAnEdit)
{
    TempDir dir;
    std::vector<V1Row> rows;
    for (int i = 0; i < int(kParallelVerifyRows) + 100; ++i)
        rows.push_back(v1Rows()[std::size_t(i % 40)]);
    ASSERT_NO_FATAL_FAILURE(writeV1Log(dir.path(), rows));
    {
        auto reader = AuditReader::open(dir.path());
        ASSERT_TRUE(reader) << reader.error().message;
        auto report = reader->verify();
        ASSERT_TRUE(report) << report.error().message;
        EXPECT_TRUE(report->ok()) << report->firstProblem->what;
        EXPECT_EQ(report->rowsChecked, std::int64_t(rows.size()));
    }
    {
        auto db = storage::Database::open(storage::databasePath(dir.path(), kAuditConcern));
        ASSERT_TRUE(db) << db.error().message;
        ASSERT_TRUE(db->exec("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET widget = 'widget-9' WHERE seq = 20050"));
    }
    const VerifyReport report = verifyLog(dir.path());
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.firstProblem->seq, 20050);
    EXPECT_EQ(report.problems, 1);
    EXPECT_EQ(fileVersion(dir.path()), 1);
}

TEST(AuditSchema, AReaderRefusesALogFromANewerTesseraSayingSo)
{
    TempDir dir;
    ASSERT_NO_FATAL_FAILURE(writeV1Log(dir.path(), v1Rows()));
    {
        auto db = storage::Database::open(storage::databasePath(dir.path(), kAuditConcern));
        ASSERT_TRUE(db) << db.error().message;
        ASSERT_TRUE(db->exec("PRAGMA user_version = 99"));
    }
    auto reader = AuditReader::open(dir.path());
    ASSERT_FALSE(reader);
    EXPECT_EQ(reader.error().code, ErrorCode::Unsupported);
    EXPECT_NE(reader.error().message.find("newer Tessera"), std::string::npos) << reader.error().message;
}

TEST(AuditSchema, ARowEditedBeforeTheUpgradeIsStillCaught)
{
    TempDir dir;
    std::vector<V1Row> rows = v1Rows();
    ASSERT_NO_FATAL_FAILURE(writeV1Log(dir.path(), rows));
    {
        auto db = storage::Database::open(storage::databasePath(dir.path(), kAuditConcern));
        ASSERT_TRUE(db) << db.error().message;
        ASSERT_TRUE(db->exec("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET decision = 'allowed' WHERE seq = 5"));
    }
    { ASSERT_TRUE(openLog(dir.path())); }
    const VerifyReport report = verifyLog(dir.path());
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.firstProblem->seq, 5);
    EXPECT_EQ(report.firstProblem->what, "the row's content does not match its hash (the row was edited or moved)");
    EXPECT_EQ(report.problems, 1);
}

TEST(AuditSchema, TheCommandLineVerifiesAndShowsAVersion1LogWithoutChangingIt)
{
    TempDir dir;
    ASSERT_NO_FATAL_FAILURE(writeV1Log(dir.path(), v1Rows()));
    const auto file = storage::databasePath(dir.path(), kAuditConcern);
    const std::string before = readFileBytes(file);

    std::ostringstream out, err;
    EXPECT_EQ(runVerify(VerifyCommand{}, dir.path(), out, err), 0) << err.str();
    EXPECT_EQ(out.str(), "audit log " + file.string() + ": OK: 40 rows (seq 1..40), starting at the beginning of the log\n");
    EXPECT_TRUE(err.str().empty()) << err.str();

    std::ostringstream tailOut, tailErr;
    TailCommand tail;
    tail.rows = 2;
    tail.json = true;
    EXPECT_EQ(runTail(tail, dir.path(), tailOut, tailErr), 0) << tailErr.str();
    EXPECT_NE(tailOut.str().find(R"("seq":40)"), std::string::npos) << tailOut.str();
    EXPECT_NE(tailOut.str().find(R"("widget":"widget-0")"), std::string::npos) << tailOut.str();

    EXPECT_EQ(fileVersion(dir.path()), 1);
    EXPECT_EQ(readFileBytes(file), before) << "reading must not change the file";
}
