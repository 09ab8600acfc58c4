// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "audit/auditreader.h"

#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include "auditfixture.h"
#include "util/text.h"

using namespace tessera;
using namespace tessera::audit;
using namespace tessera::test;

namespace {

// 60 rows: widgets a/b/c in turn, rooms r1/r2 in turn, every 4th refused, timestamps 1000*i.
void fillVaried(AuditLog &log, int from = 1, int to = 60)
{
    for (int i = from; i <= to; ++i) {
        OwnedRecord r = messageRecord(i);
        r.widgetId = std::string(1, char('a' + i % 3));
        r.roomId = i % 2 ? "!r1:x" : "!r2:x";
        r.action = i % 5 == 0 ? "get_openid" : "send_event";
        r.decision = i % 4 == 0 ? Decision::Refused : Decision::Allowed;
        r.timestampMs = 1000LL * i;
        ASSERT_GT(log.submit(r.view()), 0);
    }
    ASSERT_TRUE(log.flush(kWaitMs));
}

std::vector<std::int64_t> seqs(const std::vector<AuditRow> &rows)
{
    std::vector<std::int64_t> out;
    for (const auto &r : rows)
        out.push_back(r.seq);
    return out;
}

} // namespace

TEST(AuditReader, FiltersByWidgetRoomActionDecisionAndTime)
{
    TempDir dir;
    auto log = openLog(dir.path());
    ASSERT_TRUE(log);
    fillVaried(*log);
    auto reader = AuditReader::open(dir.path());
    ASSERT_TRUE(reader);

    AuditQuery q;
    q.limit = 1000;
    q.widgetId = "a"; // i % 3 == 0
    q.roomId = "!r2:x"; // even
    auto page = reader->query(q);
    ASSERT_TRUE(page);
    EXPECT_EQ(seqs(page->rows), (std::vector<std::int64_t>{6, 12, 18, 24, 30, 36, 42, 48, 54, 60}));

    AuditQuery refused;
    refused.limit = 1000;
    refused.decision = "refused";
    refused.action = "get_openid"; // multiples of 20
    page = reader->query(refused);
    ASSERT_TRUE(page);
    EXPECT_EQ(seqs(page->rows), (std::vector<std::int64_t>{20, 40, 60}));

    AuditQuery window;
    window.limit = 1000;
    window.sinceMs = 10'000;
    window.untilMs = 13'000;
    page = reader->query(window);
    ASSERT_TRUE(page);
    EXPECT_EQ(seqs(page->rows), (std::vector<std::int64_t>{10, 11, 12}));

    AuditQuery category;
    category.category = "consent";
    page = reader->query(category);
    ASSERT_TRUE(page);
    EXPECT_TRUE(page->rows.empty());
    EXPECT_EQ(page->nextCursor, 0);
}

TEST(AuditReader, KeysetPagingNeitherSkipsNorRepeatsWhileTheLogGrows)
{
    TempDir dir;
    auto log = openLog(dir.path());
    ASSERT_TRUE(log);
    fillVaried(*log, 1, 60);
    auto reader = AuditReader::open(dir.path());
    ASSERT_TRUE(reader);
    AuditQuery q;
    q.widgetId = "b";
    q.limit = 7;
    std::vector<std::int64_t> seen;
    bool grew = false;
    for (int pages = 0; pages < 100; ++pages) {
        auto page = reader->query(q);
        ASSERT_TRUE(page) << page.error().message;
        EXPECT_LE(page->rows.size(), 7u);
        for (const auto &row : page->rows)
            seen.push_back(row.seq);
        if (!grew) {
            fillVaried(*log, 61, 90); // rows arrive between pages
            grew = true;
        }
        if (page->nextCursor == 0)
            break;
        q.afterSeq = page->nextCursor;
    }
    std::vector<std::int64_t> expected;
    for (int i = 1; i <= 90; ++i) {
        if (i % 3 == 1)
            expected.push_back(i);
    }
    EXPECT_EQ(seen, expected);
}

TEST(AuditReader, PagesNewestFirstAndTails)
{
    TempDir dir;
    auto log = openLog(dir.path());
    ASSERT_TRUE(log);
    fillVaried(*log, 1, 25);
    auto reader = AuditReader::open(dir.path());
    ASSERT_TRUE(reader);
    AuditQuery q;
    q.newestFirst = true;
    q.limit = 10;
    auto first = reader->query(q);
    ASSERT_TRUE(first);
    EXPECT_EQ(first->rows.front().seq, 25);
    EXPECT_EQ(first->rows.back().seq, 16);
    EXPECT_EQ(first->nextCursor, 16);
    q.beforeSeq = first->nextCursor;
    auto second = reader->query(q);
    ASSERT_TRUE(second);
    EXPECT_EQ(second->rows.front().seq, 15);
    q.beforeSeq = second->nextCursor;
    auto third = reader->query(q);
    ASSERT_TRUE(third);
    EXPECT_EQ(seqs(third->rows), (std::vector<std::int64_t>{5, 4, 3, 2, 1}));
    EXPECT_EQ(third->nextCursor, 0);

    auto tail = reader->tail(3);
    ASSERT_TRUE(tail);
    EXPECT_EQ(seqs(*tail), (std::vector<std::int64_t>{23, 24, 25}));
}

TEST(AuditReader, RejectsPageSizesOutOfRange)
{
    TempDir dir;
    { auto log = openLog(dir.path()); }
    auto reader = AuditReader::open(dir.path());
    ASSERT_TRUE(reader);
    for (int limit : {0, -1, kMaxPageRows + 1}) {
        AuditQuery q;
        q.limit = limit;
        auto page = reader->query(q);
        ASSERT_FALSE(page) << limit;
        EXPECT_EQ(page.error().code, ErrorCode::BadRequest);
    }
    AuditQuery max;
    max.limit = kMaxPageRows;
    EXPECT_TRUE(reader->query(max));
}

TEST(AuditReader, ExportsOneJsonObjectPerMatchingRow)
{
    TempDir dir;
    auto log = openLog(dir.path());
    ASSERT_TRUE(log);
    fillVaried(*log, 1, 2500); // more than one internal page
    auto reader = AuditReader::open(dir.path());
    ASSERT_TRUE(reader);
    std::ostringstream out;
    AuditQuery filter;
    filter.decision = "refused";
    auto count = reader->exportJsonLines(filter, out);
    ASSERT_TRUE(count) << count.error().message;
    EXPECT_EQ(*count, 625);
    std::istringstream lines(out.str());
    std::string line;
    std::int64_t n = 0;
    std::int64_t previous = 0;
    while (std::getline(lines, line)) {
        auto j = nlohmann::json::parse(line, nullptr, false);
        ASSERT_FALSE(j.is_discarded()) << line;
        EXPECT_EQ(j["decision"], "refused");
        EXPECT_GT(j["seq"].get<std::int64_t>(), previous);
        previous = j["seq"].get<std::int64_t>();
        EXPECT_EQ(j["hash"].get<std::string>().size(), 64u);
        ++n;
    }
    EXPECT_EQ(n, 625);

    AuditRow row;
    row.seq = 4;
    row.timestampMs = 1'714'564'800'123;
    row.category = "message";
    row.direction = "in";
    row.action = "send_event";
    row.decision = "allowed";
    row.body = R"({"a":1})";
    row.prevHash = std::string(32, '\0');
    row.hash = std::string(32, '\x11');
    EXPECT_EQ(toJsonLine(row),
              R"({"seq":4,"ts_ms":1714564800123,"time":"2024-05-01T12:00:00.123Z","category":"message",)"
              R"("direction":"in","widget":"","room":"","origin":"","action":"send_event","request_id":"","size":0,)"
              R"("decision":"allowed","reason":"","duration_ms":-1,"body":"{\"a\":1}","prev_hash":")"
                  + std::string(64, '0') + R"(","hash":")" + std::string(32, '1') + std::string(32, '1') + "\"}");
}

TEST(AuditReader, ReportsAMissingOrForeignFile)
{
    TempDir dir;
    auto missing = AuditReader::open(dir.path());
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
    EXPECT_EQ(missing.error().message, "there is no audit log at " + (dir / "audit.db").string());
    EXPECT_FALSE(std::filesystem::exists(dir / "audit.db"));

    {
        auto db = storage::Database::open(dir / "audit.db");
        ASSERT_TRUE(db);
        ASSERT_TRUE(db->exec("CREATE TABLE notes(x)"));
    }
    auto foreign = AuditReader::open(dir.path());
    ASSERT_FALSE(foreign);
    EXPECT_EQ(foreign.error().code, ErrorCode::Corrupt);
    EXPECT_NE(foreign.error().message.find("is a database but not an audit log"), std::string::npos);
}

TEST(AuditReader, ReadsBesideARunningWriterAndAfterItStopped)
{
    TempDir dir;
    {
        auto log = openLog(dir.path());
        ASSERT_TRUE(log);
        fillVaried(*log, 1, 10);
        auto reader = AuditReader::open(dir.path());
        ASSERT_TRUE(reader) << reader.error().message;
        EXPECT_EQ(reader->tail(100).value().size(), 10u);
        fillVaried(*log, 11, 12);
        EXPECT_EQ(reader->tail(100).value().size(), 12u);
    }
    // No writer, no WAL files left: a read-only open still works.
    auto reader = AuditReader::open(dir.path());
    ASSERT_TRUE(reader) << reader.error().message;
    EXPECT_EQ(reader->tail(100).value().size(), 12u);
    EXPECT_TRUE(reader->verify().value().ok());
}

TEST(AuditTime, ParsesIsoTimesAndMilliseconds)
{
    EXPECT_EQ(parseTime("1714564800123"), 1'714'564'800'123);
    EXPECT_EQ(parseTime("2024-05-01"), 1'714'521'600'000);
    EXPECT_EQ(parseTime("2024-05-01T12:00"), 1'714'564'800'000);
    EXPECT_EQ(parseTime("2024-05-01T12:00:00Z"), 1'714'564'800'000);
    EXPECT_EQ(parseTime("2024-05-01 12:00:00.5"), 1'714'564'800'500);
    EXPECT_EQ(parseTime("2024-05-01T14:00:00+02:00"), 1'714'564'800'000);
    EXPECT_EQ(parseTime("2024-05-01T07:30:00-0430"), 1'714'564'800'000);
    EXPECT_EQ(parseTime("2024-02-29"), 1'709'164'800'000);
    EXPECT_EQ(parseTime("1970-01-01T00:00:00.001Z"), 1);
    for (const char *bad : {"", "yesterday", "2024-13-01", "2023-02-29", "2024-05-01T25:00", "2024-05-01T12",
                            "2024-05-01T12:00:00ZZ", "2024-5-1", "-5", "12345678901234567890"})
        EXPECT_FALSE(parseTime(bad).has_value()) << bad;
    EXPECT_EQ(formatIsoTime(1'714'564'800'123), "2024-05-01T12:00:00.123Z");
    EXPECT_EQ(formatIsoTime(0), "1970-01-01T00:00:00.000Z");
}
