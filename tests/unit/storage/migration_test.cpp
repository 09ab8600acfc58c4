// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "storage/database.h"

#include <fstream>
#include <iterator>
#include <vector>

#include <gtest/gtest.h>

#include "tempdir.h"

using namespace tessera;
using namespace tessera::storage;
using tessera::test::TempDir;

namespace {

// A small schema that grew in four steps, the way a real one does: a table, a column, a table
// filled from existing data by code, a renamed column.
Result<void> extractTags(Database &db)
{
    auto select = db.prepare("SELECT id, text FROM notes");
    if (!select)
        return select.error();
    auto insert = db.prepare("INSERT INTO tags(note, tag) VALUES (?1, ?2)");
    if (!insert)
        return insert.error();
    for (;;) {
        auto row = select->step();
        if (!row)
            return row.error();
        if (!*row)
            return {};
        const std::string text(select->columnText(1));
        for (std::size_t at = text.find('#'); at != std::string::npos; at = text.find('#', at + 1)) {
            const std::size_t end = text.find(' ', at);
            if (auto r = insert->bindInt64(1, select->columnInt64(0)); !r)
                return r;
            if (auto r = insert->bindText(2, text.substr(at + 1, end == std::string::npos ? end : end - at - 1)); !r)
                return r;
            if (auto r = insert->run(); !r)
                return r;
            insert->reset();
        }
    }
}

const std::vector<Migration> &notesSchema()
{
    static const std::vector<Migration> steps = {
        {1, "notes", "CREATE TABLE notes(id INTEGER PRIMARY KEY, text TEXT NOT NULL)", {}},
        {2, "creation time", "ALTER TABLE notes ADD COLUMN created_ms INTEGER NOT NULL DEFAULT 0", {}},
        {3, "tags extracted from the text",
         "CREATE TABLE tags(note INTEGER NOT NULL REFERENCES notes(id), tag TEXT NOT NULL)", extractTags},
        {4, "text is now body", "ALTER TABLE notes RENAME COLUMN text TO body", {}},
    };
    return steps;
}

Database openOrFail(const std::filesystem::path &path, const OpenOptions &options = {})
{
    auto db = Database::open(path, options);
    EXPECT_TRUE(db) << db.error().message;
    return std::move(db).value();
}

std::vector<std::string> column(Database &db, const std::string &sql)
{
    std::vector<std::string> out;
    auto stmt = db.prepare(sql);
    EXPECT_TRUE(stmt) << stmt.error().message;
    if (!stmt)
        return out;
    while (true) {
        auto row = stmt->step();
        EXPECT_TRUE(row);
        if (!row || !*row)
            break;
        out.emplace_back(stmt->columnText(0));
    }
    return out;
}

std::string readFile(const std::filesystem::path &path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

} // namespace

TEST(Migration, UpgradesFromEveryEarlierSchemaVersion)
{
    const auto &all = notesSchema();
    // What a user of each earlier version could have stored.
    const std::vector<std::string> dataAtVersion = {
        "",
        "INSERT INTO notes(text) VALUES ('buy #milk and #bread')",
        "INSERT INTO notes(text, created_ms) VALUES ('buy #milk and #bread', 1700000000000)",
        "INSERT INTO notes(text, created_ms) VALUES ('buy #milk and #bread', 1700000000000);"
        "INSERT INTO tags VALUES (1, 'milk'), (1, 'bread')",
    };
    for (int from = 0; from < int(all.size()); ++from) {
        SCOPED_TRACE("from version " + std::to_string(from));
        TempDir dir;
        const auto path = dir / "notes.db";
        {
            Database db = openOrFail(path);
            auto v = migrate(db, std::span(all).first(std::size_t(from)));
            ASSERT_TRUE(v) << v.error().message;
            EXPECT_EQ(*v, from);
            if (!dataAtVersion[std::size_t(from)].empty()) {
                ASSERT_TRUE(db.exec(dataAtVersion[std::size_t(from)]));
            }
        }
        Database db = openOrFail(path);
        auto v = migrate(db, all);
        ASSERT_TRUE(v) << v.error().message;
        EXPECT_EQ(*v, 4);
        auto recorded = db.userVersion();
        ASSERT_TRUE(recorded);
        EXPECT_EQ(*recorded, 4);
        const auto bodies = column(db, "SELECT body FROM notes");
        const auto tags = column(db, "SELECT tag FROM tags ORDER BY tag");
        const auto created = column(db, "SELECT created_ms FROM notes");
        if (from == 0) {
            EXPECT_TRUE(bodies.empty());
            EXPECT_TRUE(tags.empty());
            continue;
        }
        EXPECT_EQ(bodies, std::vector<std::string>{"buy #milk and #bread"});
        EXPECT_EQ(tags, (std::vector<std::string>{"bread", "milk"}));
        EXPECT_EQ(created, std::vector<std::string>{from == 1 ? "0" : "1700000000000"});
    }
}

TEST(Migration, MigratingAnUpToDateFileChangesNothing)
{
    TempDir dir;
    Database db = openOrFail(dir / "notes.db");
    ASSERT_TRUE(migrate(db, notesSchema()));
    ASSERT_TRUE(db.exec("INSERT INTO notes(body) VALUES ('x')"));
    auto again = migrate(db, notesSchema());
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, 4);
    EXPECT_EQ(column(db, "SELECT body FROM notes"), std::vector<std::string>{"x"});
}

TEST(Migration, RefusesAFileFromANewerVersionAndLeavesItUntouched)
{
    TempDir dir;
    const auto path = dir / "notes.db";
    {
        Database db = openOrFail(path);
        ASSERT_TRUE(migrate(db, notesSchema()));
        ASSERT_TRUE(db.exec("PRAGMA user_version = 7"));
    }
    const std::string before = readFile(path);
    {
        Database db = openOrFail(path);
        auto r = migrate(db, notesSchema());
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, ErrorCode::Unsupported);
        EXPECT_EQ(r.error().message, "notes.db at " + path.string()
                                         + " has schema version 7, but this Tessera knows versions up to 4: it "
                                           "was written by a newer Tessera. Run that version, or move the file "
                                           "aside to start a new one; Tessera did not modify it.");
    }
    EXPECT_EQ(readFile(path), before);
}

TEST(Migration, AFailedStepIsRolledBackAndNamed)
{
    TempDir dir;
    Database db = openOrFail(dir / "notes.db");
    const std::vector<Migration> steps = {
        {1, "notes", "CREATE TABLE notes(id INTEGER PRIMARY KEY)", {}},
        {2, "broken", "CREATE TABLE half(x); INSERT INTO nowhere VALUES (1)", {}},
    };
    auto r = migrate(db, steps);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("no such table: nowhere"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("to schema version 2 (broken) was rolled back, the file is still at version 1"),
              std::string::npos)
        << r.error().message;
    auto v = db.userVersion();
    ASSERT_TRUE(v);
    EXPECT_EQ(*v, 1);
    EXPECT_TRUE(column(db, "SELECT name FROM sqlite_schema WHERE name = 'half'").empty());
}

TEST(Migration, AFailingCodeStepIsRolledBack)
{
    TempDir dir;
    Database db = openOrFail(dir / "notes.db");
    const std::vector<Migration> steps = {
        {1, "notes", "CREATE TABLE notes(id INTEGER PRIMARY KEY)", {}},
        {2, "fill", "INSERT INTO notes VALUES (1)",
         [](Database &) -> Result<void> { return Error(ErrorCode::BadRequest, "note 1 cannot be converted"); }},
    };
    auto r = migrate(db, steps);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::BadRequest);
    EXPECT_EQ(r.error().message.rfind("note 1 cannot be converted; migrating notes.db", 0), 0u) << r.error().message;
    EXPECT_TRUE(column(db, "SELECT id FROM notes").empty());
}

TEST(Migration, RejectsStepsThatAreNotNumberedFromOne)
{
    TempDir dir;
    Database db = openOrFail(dir / "notes.db");
    const std::vector<Migration> steps = {
        {1, "a", "CREATE TABLE a(x)", {}},
        {3, "c", "CREATE TABLE c(x)", {}},
    };
    auto r = migrate(db, steps);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::Internal);
    EXPECT_NE(r.error().message.find("step 2 says 3"), std::string::npos) << r.error().message;
    auto v = db.userVersion();
    ASSERT_TRUE(v);
    EXPECT_EQ(*v, 0);
}

TEST(Migration, AReadOnlyConnectionCannotUpgrade)
{
    TempDir dir;
    const auto path = dir / "notes.db";
    {
        Database db = openOrFail(path);
        ASSERT_TRUE(migrate(db, std::span(notesSchema()).first(2)));
    }
    OpenOptions options;
    options.readOnly = true;
    Database db = openOrFail(path, options);
    auto r = migrate(db, notesSchema());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::Unsupported);
    EXPECT_NE(r.error().message.find("has schema version 2 and needs version 4"), std::string::npos)
        << r.error().message;
}
