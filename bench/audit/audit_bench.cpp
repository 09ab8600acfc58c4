// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The audit log's two budgets, each against named peers measured in the same process:
//
//  1. Appends per second, batched (target >= 100,000/s): N records from one producer thread
//     through AuditLog (queue, redaction, hash chain, group commit with synchronous=FULL) until
//     all are durable. Peers: the same rows inserted with plain SQLite one transaction per row
//     (what a naive durable log does), and with plain SQLite in a single transaction with no
//     redaction, hashing or triggers (the floor SQLite itself sets), once in audit.db's own
//     layout (repeated texts as ids into a text table, four indexes on ids) and once in the
//     obvious layout (every text in its row, five indexes on text and time; schema version 1).
//  2. Verifying 1,000,000 rows (target < 2 s): AuditReader::verify over the real file. Peers: a
//     plain SHA-256 pass over the same row bytes held in memory (the hashing floor), and a
//     plain SQLite scan reading every column of every row (the reading floor).
//  3. Retention on that log: AuditLog::applyRetention trimming the older half (rows, the texts
//     only they used, the signed checkpoint, one transaction), then the first 1% of what is
//     left. Peer: plain SQLite deleting the same rows from a copy of the file in one transaction
//     (triggers dropped), the floor of any trim.
//
//   tessera_bench_audit [--append-rows N] [--verify-rows N] [--per-row-peer-rows N]

#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <CLI/CLI.hpp>

#include "audit/auditlog.h"
#include "tempdir.h"
#include "audit/auditreader.h"
#include "audit/auditschema.h"
#include "audit/redaction.h"
#include "storage/database.h"
#include "util/secretstore.h"

using namespace tessera;
using namespace tessera::audit;
using tessera::test::TempDir;

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// CPU seconds used by the whole process (every thread, user + system). On a shared machine the
// wall clock also counts other people's work; CPU time does not.
double processCpuSeconds()
{
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return double(t.tv_sec) + double(t.tv_nsec) * 1e-9;
}

struct OwnedRecord {
    Category category = Category::Message;
    Direction direction = Direction::FromWidget;
    Decision decision = Decision::Allowed;
    std::int64_t timestampMs = 0;
    std::string widgetId, roomId, origin, action, requestId, reason, body;
    std::int64_t durationMs = 1;

    [[nodiscard]] Record view() const
    {
        Record r;
        r.category = category;
        r.direction = direction;
        r.decision = decision;
        r.timestampMs = timestampMs;
        r.widgetId = widgetId;
        r.roomId = roomId;
        r.origin = origin;
        r.action = action;
        r.requestId = requestId;
        r.sizeBytes = body.size();
        r.reason = reason;
        r.durationMs = durationMs;
        r.body = body;
        return r;
    }
};

// The traffic of a busy widget session: requests, replies, read_events, consent decisions.
std::vector<OwnedRecord> makeRecords(std::size_t count)
{
    std::vector<OwnedRecord> out;
    out.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        OwnedRecord r;
        const std::string id = "req-" + std::to_string(i);
        r.timestampMs = 1'700'000'000'000 + std::int64_t(i);
        r.widgetId = "widget-" + std::to_string(i % 4);
        r.roomId = "!room" + std::to_string(i % 3) + ":example.org";
        r.origin = "https://widget" + std::to_string(i % 4) + ".example.org";
        r.requestId = id;
        switch (i % 10) {
        case 0: case 1: case 2: case 3:
            r.action = "send_event";
            r.body = R"({"api":"fromWidget","widgetId":"widget-1","requestId":")" + id
                + R"(","action":"send_event","data":{"type":"m.room.message","content":{"msgtype":"m.text",)"
                  R"("body":"Message number )" + std::to_string(i) + R"( from the widget, with a few words"}}})";
            break;
        case 4: case 5:
            r.direction = Direction::ToWidget;
            r.action = "send_event";
            r.body = R"({"api":"fromWidget","widgetId":"widget-1","requestId":")" + id
                + R"(","action":"send_event","data":{},"response":{"room_id":"!room:example.org","event_id":"$ev)"
                + std::to_string(i) + R"("}})";
            break;
        case 6: case 7:
            r.action = "org.matrix.msc2876.read_events";
            r.body = R"({"api":"fromWidget","widgetId":"widget-1","requestId":")" + id
                + R"(","action":"org.matrix.msc2876.read_events","data":{"type":"m.room.message","limit":3},)"
                  R"("response":{"events":[{"type":"m.room.message","sender":"@a:example.org","content":{"body":"one"}},)"
                  R"({"type":"m.room.message","sender":"@b:example.org","content":{"body":"two"}},)"
                  R"({"type":"m.room.message","sender":"@c:example.org","content":{"body":"three"}}]}})";
            break;
        case 8:
            r.category = Category::Consent;
            r.direction = Direction::Internal;
            r.decision = i % 20 == 8 ? Decision::Allowed : Decision::Refused;
            r.action = "capabilities";
            r.reason = "answered by the user";
            r.body = R"({"requested":["org.matrix.msc2762.send.event:m.room.message","m.always_on_screen"],)"
                     R"("approved":["org.matrix.msc2762.send.event:m.room.message"]})";
            break;
        default:
            r.action = "supported_api_versions";
            r.body = R"({"api":"fromWidget","widgetId":"widget-1","requestId":")" + id
                + R"(","action":"supported_api_versions","data":{}})";
            break;
        }
        out.push_back(std::move(r));
    }
    return out;
}

[[noreturn]] void fail(const std::string &what)
{
    std::fprintf(stderr, "audit bench: %s\n", what.c_str());
    std::exit(1);
}

template<typename T>
T must(Result<T> r, const char *what)
{
    if (!r)
        fail(std::string(what) + ": " + r.error().message);
    return std::move(r).value();
}

void must(Result<void> r, const char *what)
{
    if (!r)
        fail(std::string(what) + ": " + r.error().message);
}

// The peers' tables. Text layout: every text in its row, indexed as audit.db's schema version 1
// did (five indexes, four on text).
constexpr const char *kTextLayoutSchema =
    "CREATE TABLE plain_log (seq INTEGER PRIMARY KEY, ts_ms INTEGER NOT NULL, category TEXT NOT NULL, "
    "direction TEXT NOT NULL, widget TEXT NOT NULL, room TEXT NOT NULL, origin TEXT NOT NULL, action TEXT NOT NULL, "
    "request_id TEXT NOT NULL, size_bytes INTEGER NOT NULL, decision TEXT NOT NULL, reason TEXT NOT NULL, "
    "duration_ms INTEGER NOT NULL, body TEXT NOT NULL);"
    "CREATE INDEX plain_widget ON plain_log(widget, seq); CREATE INDEX plain_room ON plain_log(room, seq);"
    "CREATE INDEX plain_action ON plain_log(action, seq); CREATE INDEX plain_decision ON plain_log(decision, seq);"
    "CREATE INDEX plain_time ON plain_log(ts_ms);";
// Id layout: audit_log as it is now, without the hash columns' triggers: repeated texts are ids
// into plain_text, looked up in memory, four indexes on ids.
constexpr const char *kIdLayoutSchema =
    "CREATE TABLE plain_text (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE);"
    "CREATE TABLE plain_log (seq INTEGER PRIMARY KEY, ts_ms INTEGER NOT NULL, category INTEGER NOT NULL, "
    "direction INTEGER NOT NULL, widget INTEGER NOT NULL, room INTEGER NOT NULL, origin INTEGER NOT NULL, "
    "action INTEGER NOT NULL, request_id TEXT NOT NULL, size_bytes INTEGER NOT NULL, decision INTEGER NOT NULL, "
    "reason TEXT NOT NULL, duration_ms INTEGER NOT NULL, body TEXT NOT NULL);"
    "CREATE INDEX plain_widget ON plain_log(widget, seq); CREATE INDEX plain_room ON plain_log(room, seq);"
    "CREATE INDEX plain_action ON plain_log(action, seq); CREATE INDEX plain_decision ON plain_log(decision, seq);";

enum class Layout { Text, Ids };

struct Timing {
    double wallSeconds = 0;
    double cpuSeconds = 0;
    std::size_t rows = 0;
    [[nodiscard]] double perWallSecond() const { return double(rows) / wallSeconds; }
    [[nodiscard]] double perCpuSecond() const { return double(rows) / cpuSeconds; }
};

class Stopwatch {
public:
    Stopwatch() : m_wall(Clock::now()), m_cpu(processCpuSeconds()) {}
    [[nodiscard]] Timing stop(std::size_t rows) const
    {
        return Timing{secondsSince(m_wall), processCpuSeconds() - m_cpu, rows};
    }

private:
    Clock::time_point m_wall;
    double m_cpu;
};

Timing plainInsert(const std::filesystem::path &file, const std::vector<OwnedRecord> &records, std::size_t rows,
                   bool oneTransactionPerRow, Layout layout)
{
    storage::Database db = must(storage::Database::open(file), "open plain peer");
    must(db.exec(layout == Layout::Text ? kTextLayoutSchema : kIdLayoutSchema), "plain schema");
    storage::Statement insert = must(
        db.prepare("INSERT INTO plain_log VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"),
        "prepare plain insert");
    storage::Statement addText;
    if (layout == Layout::Ids)
        addText = must(db.prepare("INSERT INTO plain_text(text) VALUES (?1)"), "prepare text insert");
    std::unordered_map<std::string_view, std::int64_t> ids;
    auto bindText = [&](int index, std::string_view text) {
        if (layout == Layout::Text) {
            (void)insert.bindText(index, text);
            return;
        }
        auto it = ids.find(text);
        if (it == ids.end()) {
            (void)addText.bindText(1, text);
            must(addText.run(), "text insert");
            addText.reset();
            it = ids.emplace(text, db.lastInsertRowId()).first;
        }
        (void)insert.bindInt64(index, it->second);
    };
    const Stopwatch watch;
    storage::Transaction all;
    if (!oneTransactionPerRow)
        all = must(db.begin(), "begin");
    for (std::size_t i = 0; i < rows; ++i) {
        const OwnedRecord &r = records[i % records.size()];
        storage::Transaction each;
        if (oneTransactionPerRow)
            each = must(db.begin(), "begin");
        (void)insert.bindInt64(1, std::int64_t(i + 1));
        (void)insert.bindInt64(2, r.timestampMs);
        bindText(3, toString(r.category));
        bindText(4, toString(r.direction));
        bindText(5, r.widgetId);
        bindText(6, r.roomId);
        bindText(7, r.origin);
        bindText(8, r.action);
        (void)insert.bindText(9, r.requestId);
        (void)insert.bindInt64(10, std::int64_t(r.body.size()));
        bindText(11, toString(r.decision));
        (void)insert.bindText(12, r.reason);
        (void)insert.bindInt64(13, r.durationMs);
        (void)insert.bindText(14, r.body);
        must(insert.run(), "plain insert");
        insert.reset();
        if (oneTransactionPerRow)
            must(each.commit(), "commit");
    }
    if (!oneTransactionPerRow)
        must(all.commit(), "commit");
    return watch.stop(rows);
}

struct AppendFigures {
    Timing timing;
    double submitNsPerRecord = 0; // wall time on the producer's thread, waits for room included
    std::int64_t fileBytes = 0;
};

AppendFigures appendThroughLog(const std::filesystem::path &dataDir, const std::vector<OwnedRecord> &records,
                               std::size_t rows)
{
    auto log = must(AuditLog::open(dataDir), "open audit log");
    AppendFigures f;
    const Stopwatch watch;
    // A producer that outruns the writer waits for room in the queue (back-pressure); a refusal
    // would mean the log cannot write, and fails the benchmark.
    const auto submitStart = Clock::now();
    for (std::size_t i = 0; i < rows; ++i) {
        if (log->submit(records[i % records.size()].view()) == 0)
            fail("the audit log refused a record: " + (log->lastError() ? log->lastError()->message : "not accepting"));
    }
    const double submitSeconds = secondsSince(submitStart);
    must(log->flush(600'000), "flush");
    f.timing = watch.stop(rows);
    f.submitNsPerRecord = submitSeconds * 1e9 / double(rows);
    log.reset();
    std::error_code ec;
    f.fileBytes = std::int64_t(std::filesystem::file_size(dataDir / "audit.db", ec));
    return f;
}

} // namespace

int main(int argc, char **argv)
{
    std::size_t appendRows = 300'000;
    std::size_t verifyRows = 1'000'000;
    std::size_t perRowPeerRows = 2'000;
    CLI::App cli("The audit log's append rate and chain verification time, against named peers in the same run.",
                 "tessera_bench_audit");
    cli.add_option("--append-rows", appendRows, "rows appended in the append measurement")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    cli.add_option("--verify-rows", verifyRows, "rows in the log whose chain is verified")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    cli.add_option("--per-row-peer-rows", perRowPeerRows, "rows the one-transaction-per-row peer appends")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    CLI11_PARSE(cli, argc, argv);
    TempDir dir;
    const auto records = makeRecords(100'000);

    std::printf("Audit log benchmark (%zu-record traffic mix, synchronous=FULL, WAL)\n\n", records.size());

    // 1. Appends.
    const AppendFigures ours = appendThroughLog(dir.path() / "append", records, appendRows);
    const Timing perRow = plainInsert(dir.path() / "per-row.db", records, perRowPeerRows, true, Layout::Ids);
    const Timing batched = plainInsert(dir.path() / "batched.db", records, appendRows, false, Layout::Ids);
    const Timing batchedText = plainInsert(dir.path() / "batched-text.db", records, appendRows, false, Layout::Text);
    std::printf("appends, batched (AuditLog: redact + hash chain + group commit), %zu rows\n", appendRows);
    std::printf("                                                 rows/s (wall)   rows/CPU-second\n");
    std::printf("  AuditLog                                      %12.0f   %12.0f   (target >= 100000/s)\n",
                ours.timing.perWallSecond(), ours.timing.perCpuSecond());
    std::printf("  peer: plain SQLite, one transaction per row   %12.0f   %12.0f   (%zu rows)\n", perRow.perWallSecond(),
                perRow.perCpuSecond(), perRowPeerRows);
    std::printf("  peer: plain SQLite, one transaction, raw rows %12.0f   %12.0f   (audit.db's layout)\n",
                batched.perWallSecond(), batched.perCpuSecond());
    std::printf("  peer: the same, texts in rows, 5 indexes      %12.0f   %12.0f   (schema version 1's layout)\n",
                batchedText.perWallSecond(), batchedText.perCpuSecond());
    std::printf("  ratio AuditLog / one-transaction-per-row      %12.1fx\n", ours.timing.perWallSecond() / perRow.perWallSecond());
    std::printf("  ratio AuditLog / raw single transaction       %12.2fx  %12.2fx\n",
                ours.timing.perWallSecond() / batched.perWallSecond(), ours.timing.perCpuSecond() / batched.perCpuSecond());
    std::printf("  ratio AuditLog / raw, schema v1's layout      %12.2fx  %12.2fx\n",
                ours.timing.perWallSecond() / batchedText.perWallSecond(),
                ours.timing.perCpuSecond() / batchedText.perCpuSecond());
    std::printf("  submit() on the producer thread, with waits   %12.0f ns/record\n\n", ours.submitNsPerRecord);

    // 2. Verification of a large log.
    if (verifyRows == 0)
        return 0;
    const auto verifyDir = dir.path() / "verify";
    const AppendFigures built = appendThroughLog(verifyDir, records, verifyRows);
    auto reader = must(AuditReader::open(verifyDir), "open reader");
    Stopwatch watch;
    const VerifyReport report = must(reader.verify(), "verify");
    const Timing verified = watch.stop(verifyRows);
    if (!report.ok() || report.rowsChecked != std::int64_t(verifyRows))
        fail("verification did not pass over every row");

    // Peers over the same rows: read them once into memory (canonical bytes, as hashed).
    std::vector<std::string> canonical;
    canonical.reserve(verifyRows);
    std::size_t totalBytes = 0;
    {
        storage::OpenOptions ro;
        ro.readOnly = true;
        storage::Database db = must(storage::Database::open(verifyDir / "audit.db", ro), "open for peers");
        // Columns 2-7 and 10 hold ids into audit_text; the SHA-256 peer hashes their texts.
        auto isTextId = [](int c) { return (c >= 2 && c <= 7) || c == 10; };
        std::unordered_map<std::int64_t, std::string> texts;
        storage::Statement textRows = must(db.prepare("SELECT id, text FROM audit_text"), "prepare texts");
        while (must(textRows.step(), "texts"))
            texts.emplace(textRows.columnInt64(0), std::string(textRows.columnText(1)));
        storage::Statement scan = must(
            db.prepare("SELECT seq, ts_ms, category, direction, widget, room, origin, action, request_id, size_bytes, "
                       "decision, reason, duration_ms, body, prev_hash, hash FROM audit_log ORDER BY seq"),
            "prepare scan");
        // Plain SQLite scan peer: step and read every column, nothing else.
        watch = Stopwatch();
        std::size_t checksum = 0;
        while (must(scan.step(), "scan")) {
            for (int c = 0; c < 16; ++c)
                checksum += (c == 0 || c == 1 || c == 9 || c == 12 || isTextId(c)) ? std::size_t(scan.columnInt64(c))
                                                                                    : scan.columnBlob(c).size();
        }
        const Timing scanned = watch.stop(verifyRows);
        scan.reset();
        while (must(scan.step(), "scan")) {
            std::string bytes;
            for (int c = 2; c < 15; ++c) {
                if (isTextId(c))
                    bytes.append(texts[scan.columnInt64(c)]);
                else
                    bytes.append(scan.columnBlob(c));
            }
            bytes.append(std::to_string(scan.columnInt64(0)));
            totalBytes += bytes.size();
            canonical.push_back(std::move(bytes));
        }
        // Plain SHA-256 peer: one digest per row over the same number of bytes.
        Sha256 sha;
        watch = Stopwatch();
        std::size_t digestBytes = 0;
        for (const auto &bytes : canonical)
            digestBytes += sha.digest(bytes).value().size();
        const Timing hashed = watch.stop(verifyRows);

        std::printf("verify, %zu rows (%.0f MB file, %.0f MB of row bytes)\n", verifyRows, double(built.fileBytes) / 1e6,
                    double(totalBytes) / 1e6);
        std::printf("                                                 seconds (wall)  CPU-seconds\n");
        std::printf("  AuditReader::verify                           %12.3f   %12.3f   (target < 2 s)\n",
                    verified.wallSeconds, verified.cpuSeconds);
        std::printf("  peer: plain SHA-256 over the same row bytes   %12.3f   %12.3f\n", hashed.wallSeconds, hashed.cpuSeconds);
        std::printf("  peer: plain SQLite scan of every column       %12.3f   %12.3f\n", scanned.wallSeconds,
                    scanned.cpuSeconds);
        std::printf("  ratio verify / SHA-256 pass                   %12.2fx  %12.2fx\n",
                    verified.wallSeconds / hashed.wallSeconds, verified.cpuSeconds / hashed.cpuSeconds);
        std::printf("  ratio verify / (scan + SHA-256)               %12.2fx  %12.2fx\n",
                    verified.wallSeconds / (scanned.wallSeconds + hashed.wallSeconds),
                    verified.cpuSeconds / (scanned.cpuSeconds + hashed.cpuSeconds));
        if (checksum == 0 || digestBytes == 0)
            fail("peers read nothing");
    }

    // 3. Retention on the same log. The first half of the rows gets texts of its own (a widget,
    // room and origin per 1,000 rows), as a log whose early widgets are gone, so that the trim
    // has texts to remove; rebuilt so the verify figures above stay comparable with earlier runs.
    {
        const auto trimDir = dir.path() / "trim";
        auto log = must(AuditLog::open(trimDir), "open audit log for trimming");
        const std::size_t half = verifyRows / 2;
        std::string widget, room, origin;
        for (std::size_t i = 0; i < verifyRows; ++i) {
            OwnedRecord r = records[i % records.size()];
            if (i < half) {
                const std::string n = std::to_string(i / 1000);
                widget = "early-widget-" + n;
                room = "!early" + n + ":example.org";
                origin = "https://early" + n + ".example.org";
                r.widgetId = widget;
                r.roomId = room;
                r.origin = origin;
            }
            while (log->submit(r.view()) == 0)
                must(log->flush(600'000), "wait for the queue"); // the queue is full: let it drain
        }
        must(log->flush(600'000), "flush");
        FileSecretStore secrets(dir.path() / "secrets");

        std::error_code ec;
        std::filesystem::copy_file(trimDir / "audit.db", dir.path() / "trim-peer.db", ec);
        if (ec)
            fail("copy for the trim peer: " + ec.message());

        RetentionPolicy policy;
        policy.maxRows = std::int64_t(verifyRows - half);
        watch = Stopwatch();
        const RetentionReport halfReport = must(log->applyRetention(policy, secrets, 600'000), "trim half");
        const Timing trimmedHalf = watch.stop(std::size_t(halfReport.trimmedRows));
        policy.maxRows = std::int64_t(verifyRows - half) * 99 / 100;
        watch = Stopwatch();
        const RetentionReport smallReport = must(log->applyRetention(policy, secrets, 600'000), "trim 1%");
        const Timing trimmedSmall = watch.stop(std::size_t(smallReport.trimmedRows));
        log.reset();

        Timing peer;
        {
            storage::Database db = must(storage::Database::open(dir.path() / "trim-peer.db"), "open the trim peer");
            must(db.exec("PRAGMA synchronous = FULL; DROP TRIGGER audit_log_no_delete"), "peer pragmas");
            watch = Stopwatch();
            must(db.exec("BEGIN; DELETE FROM audit_log WHERE seq <= " + std::to_string(halfReport.trimmedThroughSeq)
                         + "; COMMIT"),
                 "peer delete");
            peer = watch.stop(std::size_t(halfReport.trimmedRows));
        }
        std::filesystem::remove(dir.path() / "trim-peer.db", ec);

        auto trimmedReader = must(AuditReader::open(trimDir), "open reader after trimming");
        watch = Stopwatch();
        const VerifyReport afterTrim = must(trimmedReader.verify(), "verify after trimming");
        const Timing verifiedAfter = watch.stop(std::size_t(afterTrim.rowsChecked));
        if (!afterTrim.ok())
            fail("the trimmed log does not verify: " + afterTrim.firstProblem->what);

        std::printf("\nretention, %zu-row log (the first half with %zu widgets, rooms and origins of its own)\n",
                    verifyRows, (half + 999) / 1000);
        std::printf("                                                 seconds (wall)  CPU-seconds\n");
        std::printf("  applyRetention, %7lld rows, %5lld texts       %12.3f   %12.3f\n",
                    static_cast<long long>(halfReport.trimmedRows), static_cast<long long>(halfReport.trimmedTexts),
                    trimmedHalf.wallSeconds, trimmedHalf.cpuSeconds);
        std::printf("  applyRetention, %7lld rows, %5lld texts       %12.3f   %12.3f\n",
                    static_cast<long long>(smallReport.trimmedRows), static_cast<long long>(smallReport.trimmedTexts),
                    trimmedSmall.wallSeconds, trimmedSmall.cpuSeconds);
        std::printf("  peer: plain SQLite DELETE of the first half   %12.3f   %12.3f\n", peer.wallSeconds,
                    peer.cpuSeconds);
        std::printf("  ratio applyRetention / plain DELETE           %12.2fx  %12.2fx\n",
                    trimmedHalf.wallSeconds / peer.wallSeconds, trimmedHalf.cpuSeconds / peer.cpuSeconds);
        std::printf("  verify after both trims, %lld rows             %12.3f   %12.3f\n",
                    static_cast<long long>(afterTrim.rowsChecked), verifiedAfter.wallSeconds, verifiedAfter.cpuSeconds);
    }
    return 0;
}
