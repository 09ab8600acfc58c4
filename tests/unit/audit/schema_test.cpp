// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// Upgrades of audit.db: a log written by every earlier schema version, with rows, opens in the
// current AuditLog, keeps every row as it was (texts, hashes, links), takes new rows and still
// verifies from its first row to its last.

#include <gtest/gtest.h>

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

int fileVersion(const std::filesystem::path &dataDir)
{
    storage::OpenOptions ro;
    ro.readOnly = true;
    auto db = storage::Database::open(storage::databasePath(dataDir, kAuditConcern), ro);
    EXPECT_TRUE(db) << db.error().message;
    return db ? db->userVersion().value() : -1;
}

} // namespace

TEST(AuditSchema, StepsAreNumberedAndTheLatestIsTwo)
{
    const auto steps = auditMigrations();
    ASSERT_EQ(steps.size(), 2u);
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
        if (from == 1) {
            ASSERT_NO_FATAL_FAILURE(writeV1Log(dir.path(), old));
            oldRows = old.size();
            ASSERT_EQ(fileVersion(dir.path()), 1);
            // A reader does not upgrade: it asks for the file to be opened with write access.
            auto reader = AuditReader::open(dir.path());
            ASSERT_FALSE(reader);
            EXPECT_EQ(reader.error().code, ErrorCode::Unsupported);
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
        for (std::size_t i = 0; i < oldRows; ++i) {
            const V1Row &want = old[i];
            const AuditRow &got = rows[i];
            EXPECT_EQ(got.seq, std::int64_t(i + 1));
            EXPECT_EQ(got.timestampMs, want.ts);
            EXPECT_EQ(got.category, want.category);
            EXPECT_EQ(got.direction, want.direction);
            EXPECT_EQ(got.widgetId, want.widget);
            EXPECT_EQ(got.roomId, want.room);
            EXPECT_EQ(got.origin, want.origin);
            EXPECT_EQ(got.action, want.action);
            EXPECT_EQ(got.requestId, want.requestId);
            EXPECT_EQ(got.sizeBytes, want.size);
            EXPECT_EQ(got.decision, want.decision);
            EXPECT_EQ(got.reason, want.reason);
            EXPECT_EQ(got.durationMs, want.duration);
            EXPECT_EQ(got.body, want.body);
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
        AuditQuery q;
        q.decision = "refused";
        q.limit = 100;
        auto refused = reader->query(q);
        ASSERT_TRUE(refused) << refused.error().message;
        EXPECT_EQ(refused->rows.size(), from == 1 ? 8u : 0u);
        q = {};
        q.action = "widget-0";
        auto shared = reader->query(q);
        ASSERT_TRUE(shared) << shared.error().message;
        EXPECT_EQ(shared->rows.size(), from == 1 ? 10u : 0u);
        q = {};
        q.widgetId = "no-such-widget";
        auto none = reader->query(q);
        ASSERT_TRUE(none) << none.error().message;
        EXPECT_TRUE(none->rows.empty());
        EXPECT_EQ(none->nextCursor, 0);
    }
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
