// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "storage/database.h"

#include <fstream>
#include <iterator>
#include <sys/stat.h>
#include <vector>

#include <gtest/gtest.h>

#include "tempdir.h"

using namespace tessera;
using namespace tessera::storage;
using tessera::test::TempDir;

namespace {

std::string readFile(const std::filesystem::path &path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void writeFile(const std::filesystem::path &path, const std::string &bytes)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
}

std::string pragmaText(Database &db, const char *pragma)
{
    auto stmt = db.prepare(std::string("PRAGMA ") + pragma);
    EXPECT_TRUE(stmt) << stmt.error().message;
    auto row = stmt->step();
    EXPECT_TRUE(row && *row);
    return std::string(stmt->columnText(0));
}

Database openOrFail(const std::filesystem::path &path, const OpenOptions &options = {})
{
    auto db = Database::open(path, options);
    EXPECT_TRUE(db) << db.error().message;
    return std::move(db).value();
}

std::int64_t countRows(Database &db, const char *table)
{
    auto stmt = db.prepare(std::string("SELECT count(*) FROM ") + table);
    EXPECT_TRUE(stmt) << stmt.error().message;
    auto row = stmt->step();
    EXPECT_TRUE(row && *row);
    return stmt->columnInt64(0);
}

} // namespace

TEST(Database, OpensInWalModeWithForeignKeysAndFullSync)
{
    TempDir dir;
    Database db = openOrFail(dir / "a.db");
    EXPECT_EQ(pragmaText(db, "journal_mode"), "wal");
    EXPECT_EQ(pragmaText(db, "foreign_keys"), "1");
    EXPECT_EQ(pragmaText(db, "synchronous"), "2"); // FULL
    EXPECT_EQ(pragmaText(db, "busy_timeout"), "5000");
    EXPECT_TRUE(std::filesystem::exists(dir / "a.db"));
}

TEST(Database, NormalDurabilityAndBusyTimeoutAreApplied)
{
    TempDir dir;
    OpenOptions options;
    options.durability = Durability::Normal;
    options.busyTimeoutMs = 250;
    Database db = openOrFail(dir / "a.db", options);
    EXPECT_EQ(pragmaText(db, "synchronous"), "1"); // NORMAL
    EXPECT_EQ(pragmaText(db, "busy_timeout"), "250");
}

TEST(Database, PageSizeAppliesToANewFileOnly)
{
    TempDir dir;
    OpenOptions big;
    big.pageSize = 16384;
    {
        Database db = openOrFail(dir / "new.db", big);
        ASSERT_TRUE(db.exec("CREATE TABLE t(x)"));
        EXPECT_EQ(pragmaText(db, "page_size"), "16384");
    }
    {
        Database db = openOrFail(dir / "new.db");
        EXPECT_EQ(pragmaText(db, "page_size"), "16384");
    }
    {
        Database db = openOrFail(dir / "old.db");
        ASSERT_TRUE(db.exec("CREATE TABLE t(x)"));
    }
    Database db = openOrFail(dir / "old.db", big);
    EXPECT_EQ(pragmaText(db, "page_size"), "4096");
    ASSERT_TRUE(db.exec("INSERT INTO t VALUES (1)"));
    EXPECT_EQ(pragmaText(db, "page_size"), "4096");

    for (int wrong : {-1, 256, 1000, 131072}) {
        OpenOptions options;
        options.pageSize = wrong;
        auto r = Database::open(dir / "other.db", options);
        ASSERT_FALSE(r) << wrong;
        EXPECT_EQ(r.error().code, ErrorCode::BadRequest);
    }
}

TEST(Database, EnforcesForeignKeys)
{
    TempDir dir;
    Database db = openOrFail(dir / "a.db");
    ASSERT_TRUE(db.exec("CREATE TABLE parent(id INTEGER PRIMARY KEY);"
                        "CREATE TABLE child(parent INTEGER NOT NULL REFERENCES parent(id))"));
    auto r = db.exec("INSERT INTO child VALUES (42)");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::Conflict);
    EXPECT_NE(r.error().message.find("FOREIGN KEY constraint failed"), std::string::npos) << r.error().message;
}

TEST(Database, RefusesGarbageFileWithPathAndAdviceAndLeavesItUntouched)
{
    TempDir dir;
    const auto path = dir / "audit.db";
    std::string garbage;
    for (int i = 0; i < 8192; ++i)
        garbage.push_back(char((i * 7919) % 251));
    writeFile(path, garbage);

    OpenOptions options;
    options.displayName = "audit.db";
    auto db = Database::open(path, options);
    ASSERT_FALSE(db);
    EXPECT_EQ(db.error().code, ErrorCode::Corrupt);
    EXPECT_EQ(db.error().message, "audit.db at " + path.string()
                                      + " is not a valid database (file is not a database). Move it aside to "
                                        "start a new one; Tessera did not modify it.");
    EXPECT_EQ(readFile(path), garbage);
    EXPECT_FALSE(std::filesystem::exists(dir / "audit.db-wal"));
}

TEST(Database, RefusesTruncatedFileAndLeavesItUntouched)
{
    TempDir dir;
    const auto path = dir / "consent.db";
    {
        Database db = openOrFail(path);
        ASSERT_TRUE(db.exec("CREATE TABLE t(x TEXT)"));
        auto tx = db.begin();
        ASSERT_TRUE(tx);
        auto insert = db.prepare("INSERT INTO t VALUES (?1)");
        ASSERT_TRUE(insert);
        for (int i = 0; i < 2000; ++i) {
            ASSERT_TRUE(insert->bindText(1, std::string(200, char('a' + i % 26))));
            ASSERT_TRUE(insert->run());
            insert->reset();
        }
        ASSERT_TRUE(tx->commit());
    } // closing the last connection checkpoints the WAL into the file and removes it
    ASSERT_FALSE(std::filesystem::exists(dir / "consent.db-wal"));
    const std::string whole = readFile(path);
    ASSERT_GT(whole.size(), 100'000u);
    const std::string truncated = whole.substr(0, whole.size() / 2);
    writeFile(path, truncated);

    auto db = Database::open(path);
    ASSERT_FALSE(db);
    EXPECT_EQ(db.error().code, ErrorCode::Corrupt);
    EXPECT_NE(db.error().message.find("consent.db at " + path.string() + " is not a valid database ("),
              std::string::npos)
        << db.error().message;
    EXPECT_NE(db.error().message.find("Move it aside to start a new one; Tessera did not modify it."),
              std::string::npos);
    EXPECT_EQ(readFile(path), truncated);
}

TEST(Database, ReportsADirectoryWhereTheFileShouldBe)
{
    TempDir dir;
    std::filesystem::create_directory(dir / "rooms.db");
    auto db = Database::open(dir / "rooms.db");
    ASSERT_FALSE(db);
    EXPECT_EQ(db.error().code, ErrorCode::Io);
    EXPECT_NE(db.error().message.find((dir / "rooms.db").string() + " is a directory"), std::string::npos)
        << db.error().message;
}

TEST(Database, ReportsMissingDirectoryWithPath)
{
    TempDir dir;
    const auto path = dir / "missing" / "a.db";
    auto db = Database::open(path);
    ASSERT_FALSE(db);
    EXPECT_EQ(db.error().code, ErrorCode::Io);
    EXPECT_NE(db.error().message.find("cannot open a.db at " + path.string() + " (unable to open database file)"),
              std::string::npos)
        << db.error().message;
}

TEST(Database, ReadOnlyOrNoCreateDoesNotCreateAFile)
{
    TempDir dir;
    OpenOptions readOnly;
    readOnly.readOnly = true;
    auto a = Database::open(dir / "a.db", readOnly);
    ASSERT_FALSE(a);
    EXPECT_EQ(a.error().code, ErrorCode::NotFound);
    OpenOptions noCreate;
    noCreate.create = false;
    auto b = Database::open(dir / "a.db", noCreate);
    ASSERT_FALSE(b);
    EXPECT_EQ(b.error().code, ErrorCode::NotFound);
    EXPECT_FALSE(std::filesystem::exists(dir / "a.db"));
}

TEST(Database, ReadOnlyConnectionCannotWrite)
{
    TempDir dir;
    Database writer = openOrFail(dir / "a.db");
    ASSERT_TRUE(writer.exec("CREATE TABLE t(x)"));
    OpenOptions options;
    options.readOnly = true;
    Database reader = openOrFail(dir / "a.db", options);
    EXPECT_TRUE(reader.isReadOnly());
    EXPECT_EQ(countRows(reader, "t"), 0);
    auto r = reader.exec("INSERT INTO t VALUES (1)");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("readonly"), std::string::npos) << r.error().message;
}

TEST(Statement, BindsAndReadsEveryTypeByIndexAndName)
{
    TempDir dir;
    Database db = openOrFail(dir / "a.db");
    ASSERT_TRUE(db.exec("CREATE TABLE t(i INTEGER, d REAL, s TEXT, b BLOB, n TEXT)"));
    auto insert = db.prepare("INSERT INTO t VALUES (?1, :d, @s, $b, ?5)");
    ASSERT_TRUE(insert) << insert.error().message;
    const std::string blob("\0\x01\xff\0z", 5);
    ASSERT_TRUE(insert->bindInt64(1, -9'007'199'254'740'993LL));
    ASSERT_TRUE(insert->bindDouble(":d", 2.5));
    ASSERT_TRUE(insert->bindText("@s", "héllo \"quoted\""));
    ASSERT_TRUE(insert->bindBlob("$b", blob));
    ASSERT_TRUE(insert->bindNull(5));
    ASSERT_TRUE(insert->run());
    EXPECT_EQ(db.changes(), 1);
    EXPECT_EQ(db.lastInsertRowId(), 1);

    auto select = db.prepare("SELECT i, d, s, b, n, typeof(b) FROM t");
    ASSERT_TRUE(select);
    EXPECT_EQ(select->columnCount(), 6);
    auto row = select->step();
    ASSERT_TRUE(row && *row);
    EXPECT_EQ(select->columnInt64(0), -9'007'199'254'740'993LL);
    EXPECT_DOUBLE_EQ(select->columnDouble(1), 2.5);
    EXPECT_EQ(select->columnText(2), "héllo \"quoted\"");
    EXPECT_EQ(select->columnBlob(3), blob);
    EXPECT_TRUE(select->isNull(4));
    EXPECT_FALSE(select->isNull(3));
    EXPECT_EQ(select->columnText(4), "");
    EXPECT_EQ(select->columnText(5), "blob");
    row = select->step();
    ASSERT_TRUE(row);
    EXPECT_FALSE(*row);
}

TEST(Statement, EmptyTextAndBlobAreValuesNotNull)
{
    TempDir dir;
    Database db = openOrFail(dir / "a.db");
    auto stmt = db.prepare("SELECT typeof(?1), length(?1), typeof(?2), typeof(?3)");
    ASSERT_TRUE(stmt);
    ASSERT_TRUE(stmt->bindBlob(1, ""));
    ASSERT_TRUE(stmt->bindText(2, std::string_view())); // a view with no data pointer at all
    ASSERT_TRUE(stmt->bindBlob(3, std::string_view()));
    ASSERT_TRUE(stmt->step());
    EXPECT_EQ(stmt->columnText(0), "blob");
    EXPECT_EQ(stmt->columnInt64(1), 0);
    EXPECT_EQ(stmt->columnText(2), "text");
    EXPECT_EQ(stmt->columnText(3), "blob");
}

TEST(Statement, NoCopyBindsReadTheCallersBytes)
{
    TempDir dir;
    Database db = openOrFail(dir / "a.db");
    ASSERT_TRUE(db.exec("CREATE TABLE t(s TEXT, b BLOB)"));
    auto insert = db.prepare("INSERT INTO t VALUES (?1, ?2)");
    ASSERT_TRUE(insert);
    const std::string text = "kept by the caller";
    const std::string blob("\0\1\2", 3);
    ASSERT_TRUE(insert->bindTextNoCopy(1, text));
    ASSERT_TRUE(insert->bindBlobNoCopy(2, blob));
    ASSERT_TRUE(insert->run());
    insert->reset();
    ASSERT_TRUE(insert->bindTextNoCopy(1, std::string_view()));
    ASSERT_TRUE(insert->bindBlobNoCopy(2, std::string_view()));
    ASSERT_TRUE(insert->run());
    auto select = db.prepare("SELECT s, b, typeof(s), typeof(b) FROM t ORDER BY rowid");
    ASSERT_TRUE(select);
    ASSERT_TRUE(select->step().value());
    EXPECT_EQ(select->columnText(0), text);
    EXPECT_EQ(select->columnBlob(1), blob);
    ASSERT_TRUE(select->step().value());
    EXPECT_EQ(select->columnText(2), "text");
    EXPECT_EQ(select->columnText(3), "blob");
    auto outOfRange = insert->bindTextNoCopy(3, text);
    ASSERT_FALSE(outOfRange);
    EXPECT_NE(outOfRange.error().message.find("binding parameter 3"), std::string::npos);
}

TEST(Statement, BindAllBindsInOrderWithNullForAnEmptyOptional)
{
    TempDir dir;
    Database db = openOrFail(dir / "a.db");
    auto stmt = db.prepare("SELECT ?1, typeof(?2), ?2, ?3, ?4, typeof(?5), ?6, typeof(?7)");
    ASSERT_TRUE(stmt);
    const std::optional<std::string> full = "held";
    const std::optional<std::string> empty;
    ASSERT_TRUE(stmt->bindAll("literal", std::int64_t{-5}, 2.5, full, empty, std::string("owned"), std::nullopt));
    ASSERT_TRUE(stmt->step().value());
    EXPECT_EQ(stmt->columnText(0), "literal");
    EXPECT_EQ(stmt->columnText(1), "integer");
    EXPECT_EQ(stmt->columnInt64(2), -5);
    EXPECT_DOUBLE_EQ(stmt->columnDouble(3), 2.5);
    EXPECT_EQ(stmt->columnText(4), "held");
    EXPECT_EQ(stmt->columnText(5), "null");
    EXPECT_EQ(stmt->columnText(6), "owned");
    EXPECT_EQ(stmt->columnText(7), "null");
}

TEST(Statement, BindEachBindsValuesKnownOnlyAtRunTime)
{
    TempDir dir;
    Database db = openOrFail(dir / "a.db");
    auto stmt = db.prepare("SELECT typeof(?1), ?2, ?3, ?4");
    ASSERT_TRUE(stmt);
    const std::vector<SqlValue> values{std::nullopt, std::int64_t{42}, 0.5, std::string("text")};
    ASSERT_TRUE(stmt->bindEach(values));
    ASSERT_TRUE(stmt->step().value());
    EXPECT_EQ(stmt->columnText(0), "null");
    EXPECT_EQ(stmt->columnInt64(1), 42);
    EXPECT_DOUBLE_EQ(stmt->columnDouble(2), 0.5);
    EXPECT_EQ(stmt->columnText(3), "text");
    stmt->reset();
    const std::vector<SqlValue> five{std::int64_t{1}, std::int64_t{2}, std::int64_t{3}, std::int64_t{4},
                                     std::int64_t{5}};
    auto tooMany = stmt->bindEach(five);
    ASSERT_FALSE(tooMany);
    EXPECT_NE(tooMany.error().message.find("binding parameter 5"), std::string::npos) << tooMany.error().message;
}

TEST(Statement, BindAllReportsAValuePastTheLastParameter)
{
    TempDir dir;
    Database db = openOrFail(dir / "a.db");
    auto stmt = db.prepare("SELECT ?1, ?2");
    ASSERT_TRUE(stmt);
    auto r = stmt->bindAll(1, 2, 3);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("binding parameter 3"), std::string::npos) << r.error().message;
    auto prepared = db.prepare("SELECT ?1", "a", "b");
    ASSERT_FALSE(prepared);
    EXPECT_NE(prepared.error().message.find("binding parameter 2"), std::string::npos) << prepared.error().message;
    auto ran = db.run("SELECT ?1", "a", "b");
    ASSERT_FALSE(ran);
    EXPECT_NE(ran.error().message.find("binding parameter 2"), std::string::npos) << ran.error().message;
}

TEST(Statement, ForEachRowVisitsEveryRowOrStopsWhenTold)
{
    TempDir dir;
    Database db = openOrFail(dir / "a.db");
    ASSERT_TRUE(db.exec("CREATE TABLE t(i INTEGER); INSERT INTO t VALUES (1), (2), (3)"));
    auto stmt = db.prepare("SELECT i FROM t WHERE i >= ?1 ORDER BY i", 1);
    ASSERT_TRUE(stmt);
    std::vector<std::int64_t> seen;
    ASSERT_TRUE(stmt->forEachRow([&](const Statement &row) { seen.push_back(row.columnInt64(0)); }));
    EXPECT_EQ(seen, (std::vector<std::int64_t>{1, 2, 3}));

    stmt->reset(); // clears the bindings too
    seen.clear();
    ASSERT_TRUE(stmt->bindAll(1));
    ASSERT_TRUE(stmt->forEachRow([&](const Statement &row) {
        seen.push_back(row.columnInt64(0));
        return seen.size() < 2;
    }));
    EXPECT_EQ(seen, (std::vector<std::int64_t>{1, 2}));

    stmt->reset();
    seen.clear();
    ASSERT_TRUE(stmt->bindAll(1));
    auto stopped = stmt->forEachRow([&](const Statement &row) -> Result<void> {
        seen.push_back(row.columnInt64(0));
        return Error(ErrorCode::Corrupt, "row " + std::to_string(row.columnInt64(0)));
    });
    ASSERT_FALSE(stopped);
    EXPECT_EQ(stopped.error().code, ErrorCode::Corrupt);
    EXPECT_EQ(stopped.error().message, "row 1");
    EXPECT_EQ(seen.size(), 1u);

    stmt->reset();
    seen.clear();
    ASSERT_TRUE(stmt->bindAll(1));
    auto both = [&](const Statement &row) -> Result<bool> {
        seen.push_back(row.columnInt64(0));
        if (row.columnInt64(0) == 3)
            return Error(ErrorCode::Corrupt, "three");
        return row.columnInt64(0) < 2;
    };
    ASSERT_TRUE(stmt->forEachRow(both));
    EXPECT_EQ(seen, (std::vector<std::int64_t>{1, 2}));
    stmt->reset();
    ASSERT_TRUE(stmt->bindAll(3));
    auto three = stmt->forEachRow(both);
    ASSERT_FALSE(three);
    EXPECT_EQ(three.error().message, "three");
}

TEST(Statement, ForEachRowAndFirstRowReportAFailedStep)
{
    TempDir dir;
    Database db = openOrFail(dir / "a.db");
    ASSERT_TRUE(db.exec("CREATE TABLE t(j TEXT); INSERT INTO t VALUES ('[1]'), ('not json')"));
    auto stmt = db.prepare("SELECT json_extract(j, '$[0]') FROM t ORDER BY rowid");
    ASSERT_TRUE(stmt);
    int rows = 0;
    auto all = stmt->forEachRow([&](const Statement &) { ++rows; });
    ASSERT_FALSE(all);
    EXPECT_EQ(rows, 1);
    EXPECT_NE(all.error().message.find("malformed JSON"), std::string::npos) << all.error().message;

    auto bad = db.prepare("SELECT json_extract('not json', '$')");
    ASSERT_TRUE(bad);
    auto first = bad->firstRow([](const Statement &row) { return row.columnInt64(0); });
    ASSERT_FALSE(first);
    EXPECT_NE(first.error().message.find("malformed JSON"), std::string::npos) << first.error().message;
}

TEST(Statement, FirstRowReadsTheFirstRowOrNothing)
{
    TempDir dir;
    Database db = openOrFail(dir / "a.db");
    ASSERT_TRUE(db.run("CREATE TABLE t(k TEXT, v INTEGER)"));
    ASSERT_TRUE(db.run("INSERT INTO t VALUES (?1, ?2), (?1, ?3)", "k", 7, 8));
    auto stmt = db.prepare("SELECT v FROM t WHERE k = ?1 ORDER BY v", "k");
    ASSERT_TRUE(stmt);
    auto first = stmt->firstRow([](const Statement &row) { return row.columnInt64(0); });
    ASSERT_TRUE(first);
    EXPECT_EQ(*first, std::optional<std::int64_t>(7));
    auto none = db.prepare("SELECT v FROM t WHERE k = ?1", "other");
    ASSERT_TRUE(none);
    auto nothing = none->firstRow([](const Statement &row) { return std::string(row.columnText(0)); });
    ASSERT_TRUE(nothing);
    EXPECT_FALSE(nothing->has_value());
}

TEST(Statement, SingleRowRunsTheStatementToItsEndAndRefusesASecondRow)
{
    TempDir dir;
    Database db = openOrFail(dir / "a.db");
    ASSERT_TRUE(db.exec("CREATE TABLE t(id INTEGER PRIMARY KEY, k TEXT UNIQUE)"));
    auto insert = db.prepare("INSERT INTO t (k) VALUES (?1) ON CONFLICT DO NOTHING RETURNING id", "a");
    ASSERT_TRUE(insert);
    auto id = insert->singleRow([](const Statement &row) { return row.columnInt64(0); });
    ASSERT_TRUE(id) << id.error().message;
    EXPECT_EQ(*id, std::optional<std::int64_t>(1));
    EXPECT_EQ(countRows(db, "t"), 1);
    insert->reset();
    ASSERT_TRUE(insert->bindAll("a"));
    auto again = insert->singleRow([](const Statement &row) { return row.columnInt64(0); });
    ASSERT_TRUE(again);
    EXPECT_FALSE(again->has_value());

    ASSERT_TRUE(db.run("INSERT INTO t (k) VALUES ('b')"));
    auto two = db.prepare("SELECT id FROM t");
    ASSERT_TRUE(two);
    auto refused = two->singleRow([](const Statement &row) { return row.columnInt64(0); });
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::Internal);
    EXPECT_EQ(refused.error().message, "more than one row from \"SELECT id FROM t\"");
}

TEST(Statement, OptionalColumnsAreNulloptForNull)
{
    TempDir dir;
    Database db = openOrFail(dir / "a.db");
    auto stmt = db.prepare("SELECT NULL, 'x', 3, ''");
    ASSERT_TRUE(stmt);
    ASSERT_TRUE(stmt->step().value());
    EXPECT_EQ(stmt->optionalText(0), std::nullopt);
    EXPECT_EQ(stmt->optionalInt64(0), std::nullopt);
    EXPECT_EQ(stmt->optionalText(1), std::optional<std::string>("x"));
    EXPECT_EQ(stmt->optionalInt64(2), std::optional<std::int64_t>(3));
    EXPECT_EQ(stmt->optionalText(3), std::optional<std::string>(""));
}

TEST(Statement, UnknownParameterNameOrIndexIsReported)
{
    TempDir dir;
    Database db = openOrFail(dir / "a.db");
    auto stmt = db.prepare("SELECT :known");
    ASSERT_TRUE(stmt);
    auto byName = stmt->bindText(":unknown", "x");
    ASSERT_FALSE(byName);
    EXPECT_EQ(byName.error().message, "no parameter named :unknown in \"SELECT :known\"");
    auto byIndex = stmt->bindInt64(2, 1);
    ASSERT_FALSE(byIndex);
    EXPECT_NE(byIndex.error().message.find("binding parameter 2 in \"SELECT :known\""), std::string::npos)
        << byIndex.error().message;
}

TEST(Statement, ResetAllowsReuseAndClearsBindings)
{
    TempDir dir;
    Database db = openOrFail(dir / "a.db");
    auto stmt = db.prepare("SELECT ?1");
    ASSERT_TRUE(stmt);
    ASSERT_TRUE(stmt->bindInt64(1, 7));
    ASSERT_TRUE(stmt->step());
    EXPECT_EQ(stmt->columnInt64(0), 7);
    stmt->reset();
    ASSERT_TRUE(stmt->step());
    EXPECT_TRUE(stmt->isNull(0));
}

TEST(Statement, ConstraintViolationIsAConflictAndTheStatementIsReusable)
{
    TempDir dir;
    Database db = openOrFail(dir / "a.db");
    ASSERT_TRUE(db.exec("CREATE TABLE t(k TEXT PRIMARY KEY)"));
    auto insert = db.prepare("INSERT INTO t VALUES (?1)");
    ASSERT_TRUE(insert);
    ASSERT_TRUE(insert->bindText(1, "a"));
    ASSERT_TRUE(insert->run());
    insert->reset();
    ASSERT_TRUE(insert->bindText(1, "a"));
    auto dup = insert->run();
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().code, ErrorCode::Conflict);
    EXPECT_NE(dup.error().message.find("a.db: step in \"INSERT INTO t VALUES (?1)\": UNIQUE constraint failed: t.k"),
              std::string::npos)
        << dup.error().message;
    insert->reset();
    ASSERT_TRUE(insert->bindText(1, "b"));
    EXPECT_TRUE(insert->run());
    EXPECT_EQ(countRows(db, "t"), 2);
}

TEST(Database, PrepareReportsSyntaxErrorsAndRefusesTwoStatements)
{
    TempDir dir;
    Database db = openOrFail(dir / "a.db");
    auto bad = db.prepare("SELEKT 1");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("a.db at " + (dir / "a.db").string() + ": cannot prepare \"SELEKT 1\""),
              std::string::npos)
        << bad.error().message;
    auto two = db.prepare("SELECT 1; SELECT 2");
    ASSERT_FALSE(two);
    EXPECT_EQ(two.error().code, ErrorCode::Internal);
    EXPECT_TRUE(db.prepare("SELECT 1;  \n"));
}

TEST(Transaction, CommitKeepsRows)
{
    TempDir dir;
    Database db = openOrFail(dir / "a.db");
    ASSERT_TRUE(db.exec("CREATE TABLE t(x)"));
    {
        auto tx = db.begin();
        ASSERT_TRUE(tx);
        ASSERT_TRUE(db.exec("INSERT INTO t VALUES (1), (2)"));
        ASSERT_TRUE(tx->commit());
        EXPECT_FALSE(tx->isActive());
        auto again = tx->commit();
        ASSERT_FALSE(again);
        EXPECT_EQ(again.error().code, ErrorCode::Internal);
    }
    Database other = openOrFail(dir / "a.db");
    EXPECT_EQ(countRows(other, "t"), 2);
}

TEST(Transaction, RollsBackOnDestructionAndOnRequest)
{
    TempDir dir;
    Database db = openOrFail(dir / "a.db");
    ASSERT_TRUE(db.exec("CREATE TABLE t(x)"));
    {
        auto tx = db.begin();
        ASSERT_TRUE(tx);
        ASSERT_TRUE(db.exec("INSERT INTO t VALUES (1)"));
    }
    EXPECT_EQ(countRows(db, "t"), 0);
    auto tx = db.begin();
    ASSERT_TRUE(tx);
    ASSERT_TRUE(db.exec("INSERT INTO t VALUES (1)"));
    ASSERT_TRUE(tx->rollback());
    EXPECT_FALSE(tx->isActive());
    EXPECT_EQ(countRows(db, "t"), 0);
}

TEST(Transaction, SurvivesMovingItsDatabase)
{
    TempDir dir;
    Database db = openOrFail(dir / "a.db");
    ASSERT_TRUE(db.exec("CREATE TABLE t(x)"));
    auto tx = db.begin();
    ASSERT_TRUE(tx);
    Database moved = std::move(db);
    ASSERT_TRUE(moved.exec("INSERT INTO t VALUES (1)"));
    ASSERT_TRUE(tx->commit());
    EXPECT_EQ(countRows(moved, "t"), 1);
}

TEST(Transaction, ASecondWriterWaitsForTheLockThenReportsBusy)
{
    TempDir dir;
    Database first = openOrFail(dir / "a.db");
    ASSERT_TRUE(first.exec("CREATE TABLE t(x)"));
    OpenOptions impatient;
    impatient.busyTimeoutMs = 0;
    Database second = openOrFail(dir / "a.db", impatient);

    auto tx = first.begin();
    ASSERT_TRUE(tx);
    ASSERT_TRUE(first.exec("INSERT INTO t VALUES (1)"));
    // WAL: the other connection still reads the last committed state while the write is open.
    EXPECT_EQ(countRows(second, "t"), 0);
    auto blocked = second.begin();
    ASSERT_FALSE(blocked);
    EXPECT_EQ(blocked.error().code, ErrorCode::Unavailable);
    EXPECT_NE(blocked.error().message.find("database is locked"), std::string::npos) << blocked.error().message;
    ASSERT_TRUE(tx->commit());
    EXPECT_EQ(countRows(second, "t"), 1);
    auto now = second.begin();
    EXPECT_TRUE(now);
}

TEST(Database, OpenConcernCreatesAPrivateDataDirectoryAndOneFilePerConcern)
{
    TempDir dir;
    const auto dataDir = dir / "data";
    const Migration steps[] = {{1, "create t", "CREATE TABLE t(x)", {}}};
    auto audit = openConcern(dataDir, "audit", steps);
    ASSERT_TRUE(audit) << audit.error().message;
    auto consent = openConcern(dataDir, "consent", steps);
    ASSERT_TRUE(consent) << consent.error().message;
    EXPECT_EQ(audit->path(), dataDir / "audit.db");
    EXPECT_EQ(consent->path(), dataDir / "consent.db");
    EXPECT_EQ(databasePath(dataDir, "consent"), dataDir / "consent.db");
    EXPECT_EQ(audit->describe(), "audit.db at " + (dataDir / "audit.db").string());
    struct stat st {};
    ASSERT_EQ(::stat(dataDir.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);

    auto bad = openConcern(dataDir, "../etc", steps);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, ErrorCode::Internal);
}
