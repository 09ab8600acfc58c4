// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>

#include "audit/auditlog.h"
#include "audit/auditreader.h"
#include "tempdir.h"

namespace tessera::test {

/** Generous bound for waits on the writer thread: a hang guard, not a timed assertion. */
inline constexpr std::int64_t kWaitMs = 60'000;

/** An audit::Record that owns its text. */
struct OwnedRecord {
    audit::Category category = audit::Category::Message;
    audit::Direction direction = audit::Direction::FromWidget;
    audit::Decision decision = audit::Decision::Allowed;
    std::int64_t timestampMs = 1'700'000'000'000;
    std::string widgetId = "widget-1";
    std::string roomId = "!room:example.org";
    std::string origin = "https://widget.example.org";
    std::string action = "send_event";
    std::string requestId = "req-1";
    std::size_t sizeBytes = 0;
    std::string reason;
    std::int64_t durationMs = 3;
    std::string body;

    [[nodiscard]] audit::Record view() const
    {
        audit::Record r;
        r.category = category;
        r.direction = direction;
        r.decision = decision;
        r.timestampMs = timestampMs;
        r.widgetId = widgetId;
        r.roomId = roomId;
        r.origin = origin;
        r.action = action;
        r.requestId = requestId;
        r.sizeBytes = sizeBytes ? sizeBytes : body.size();
        r.reason = reason;
        r.durationMs = durationMs;
        r.body = body;
        return r;
    }
};

/** A fromWidget send_event request as a widget sends it. */
inline std::string sendEventBody(int i, const std::string &text = "hello")
{
    return R"({"api":"fromWidget","widgetId":"widget-1","requestId":"req-)" + std::to_string(i)
        + R"(","action":"send_event","data":{"type":"m.room.message","content":{"msgtype":"m.text","body":")" + text
        + R"("}}})";
}

inline OwnedRecord messageRecord(int i)
{
    OwnedRecord r;
    r.requestId = "req-" + std::to_string(i);
    r.timestampMs = 1'700'000'000'000 + i;
    r.body = sendEventBody(i);
    return r;
}

inline std::unique_ptr<audit::AuditLog> openLog(const std::filesystem::path &dataDir,
                                                audit::AuditLogOptions options = {})
{
    auto log = audit::AuditLog::open(dataDir, options);
    EXPECT_TRUE(log) << log.error().message;
    return log ? std::move(log).value() : nullptr;
}

inline std::vector<audit::AuditRow> readAll(const std::filesystem::path &dataDir)
{
    std::vector<audit::AuditRow> rows;
    auto reader = audit::AuditReader::open(dataDir);
    EXPECT_TRUE(reader) << reader.error().message;
    if (!reader)
        return rows;
    audit::AuditQuery q;
    q.limit = audit::kMaxPageRows;
    for (;;) {
        auto page = reader->query(q);
        EXPECT_TRUE(page) << page.error().message;
        if (!page)
            return rows;
        rows.insert(rows.end(), page->rows.begin(), page->rows.end());
        if (page->nextCursor == 0)
            return rows;
        q.afterSeq = page->nextCursor;
    }
}

inline audit::VerifyReport verifyLog(const std::filesystem::path &dataDir, const audit::VerifyOptions &options = {})
{
    auto reader = audit::AuditReader::open(dataDir);
    EXPECT_TRUE(reader) << reader.error().message;
    if (!reader)
        return {};
    auto report = reader->verify(options);
    EXPECT_TRUE(report) << report.error().message;
    return report ? *report : audit::VerifyReport{};
}

/** Runs the sqlite3 command line tool on @p db, as someone with access to the file would. */
inline int runSqliteCli(const std::filesystem::path &db, const std::string &sql)
{
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::execl(TESSERA_SQLITE3_CLI, "sqlite3", db.c_str(), sql.c_str(), static_cast<char *>(nullptr));
        ::_exit(127);
    }
    int status = 0;
    if (pid < 0 || ::waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

inline std::string readFileBytes(const std::filesystem::path &path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

} // namespace tessera::test
