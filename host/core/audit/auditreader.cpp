// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "audit/auditreader.h"

#include <algorithm>
#include <system_error>
#include <thread>
#include <cstdio>
#include <ctime>

#include <nlohmann/json.hpp>

#include "audit/auditschema.h"
#include "audit/checkpoint.h"
#include "util/text.h"

namespace tessera::audit {

namespace {

constexpr std::string_view kColumns = "seq, ts_ms, category, direction, widget, room, origin, action, request_id, "
                                      "size_bytes, decision, reason, duration_ms, body, prev_hash, hash";

constexpr int kExportPageRows = 1000;

// The row under @p s (selected as kColumns), its text ids resolved through @p texts. An id that
// names no text reads as the empty text and is put in @p missingId (the first one only).
Result<RowView> viewOf(const storage::Statement &s, TextResolver &texts, std::optional<std::int64_t> &missingId)
{
    Result<void> ok;
    auto text = [&](int column) -> std::string_view {
        if (!ok)
            return {};
        const std::int64_t id = s.columnInt64(column);
        auto found = texts.text(id);
        if (!found) {
            ok = found.error();
            return {};
        }
        if (!*found) {
            if (!missingId)
                missingId = id;
            return {};
        }
        return **found;
    };
    RowView v;
    v.seq = s.columnInt64(0);
    v.timestampMs = s.columnInt64(1);
    v.category = text(2);
    v.direction = text(3);
    v.widgetId = text(4);
    v.roomId = text(5);
    v.origin = text(6);
    v.action = text(7);
    v.requestId = s.columnText(8);
    v.sizeBytes = s.columnInt64(9);
    v.decision = text(10);
    v.reason = s.columnText(11);
    v.durationMs = s.columnInt64(12);
    v.body = s.columnText(13);
    v.prevHash = s.columnBlob(14);
    if (!ok)
        return ok.error();
    return v;
}

Result<AuditRow> rowOf(const storage::Statement &s, TextResolver &texts)
{
    std::optional<std::int64_t> missingId;
    auto view = viewOf(s, texts, missingId);
    if (!view)
        return view.error();
    const RowView &v = *view;
    AuditRow r;
    r.seq = v.seq;
    r.timestampMs = v.timestampMs;
    r.category = v.category;
    r.direction = v.direction;
    r.widgetId = v.widgetId;
    r.roomId = v.roomId;
    r.origin = v.origin;
    r.action = v.action;
    r.requestId = v.requestId;
    r.sizeBytes = v.sizeBytes;
    r.decision = v.decision;
    r.reason = v.reason;
    r.durationMs = v.durationMs;
    r.body = v.body;
    r.prevHash = v.prevHash;
    r.hash = s.columnBlob(15);
    return r;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t daysFromCivil(std::int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// Schema version 1 kept the texts in the rows. A reader never writes the file, so instead of
// upgrading it, it gives its own connection what version 2 and later have: a temporary
// audit_text of every text in the log, and a temporary view audit_log with the texts as ids into
// it, which hides the stored table from unqualified names. Rows, hashes and links are read as
// they are stored, so verify checks the file itself. Filters scan rather than use an index.
constexpr std::string_view kReadV1Sql = R"sql(
CREATE TEMP TABLE audit_text (
    id    INTEGER PRIMARY KEY,
    text  TEXT    NOT NULL UNIQUE
);
INSERT INTO temp.audit_text(text)
    SELECT category FROM main.audit_log UNION SELECT direction FROM main.audit_log
    UNION SELECT widget FROM main.audit_log UNION SELECT room FROM main.audit_log
    UNION SELECT origin FROM main.audit_log UNION SELECT action FROM main.audit_log
    UNION SELECT decision FROM main.audit_log;
CREATE TEMP VIEW audit_log AS
    SELECT l.seq AS seq, l.ts_ms AS ts_ms,
           (SELECT t.id FROM temp.audit_text AS t WHERE t.text = l.category) AS category,
           (SELECT t.id FROM temp.audit_text AS t WHERE t.text = l.direction) AS direction,
           (SELECT t.id FROM temp.audit_text AS t WHERE t.text = l.widget) AS widget,
           (SELECT t.id FROM temp.audit_text AS t WHERE t.text = l.room) AS room,
           (SELECT t.id FROM temp.audit_text AS t WHERE t.text = l.origin) AS origin,
           (SELECT t.id FROM temp.audit_text AS t WHERE t.text = l.action) AS action,
           l.request_id AS request_id, l.size_bytes AS size_bytes,
           (SELECT t.id FROM temp.audit_text AS t WHERE t.text = l.decision) AS decision,
           l.reason AS reason, l.duration_ms AS duration_ms, l.body AS body,
           l.prev_hash AS prev_hash, l.hash AS hash
    FROM main.audit_log AS l;
)sql";

// Makes a read-only connection to audit.db readable as the current schema: versions 2 and up
// store rows alike (later versions only add what the writer needs), version 1 is read through
// kReadV1Sql. Newer files than this Tessera knows are refused with what to do.
Result<void> prepareForReading(storage::Database &db)
{
    auto version = db.userVersion();
    if (!version)
        return version.error();
    if (*version == 0)
        return Error(ErrorCode::Corrupt, db.describe() + " is a database but not an audit log (no schema version)");
    const int latest = int(auditMigrations().size());
    if (*version > latest) // migrate() refuses it with the message for a file from a newer Tessera
        return storage::migrate(db, auditMigrations()).error();
    if (*version == 1)
        return db.exec(kReadV1Sql);
    return {};
}

bool isLeap(std::int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

} // namespace

Result<AuditReader> AuditReader::open(const std::filesystem::path &dataDir)
{
    storage::OpenOptions options;
    options.readOnly = true;
    options.displayName = "audit.db";
    const auto path = storage::databasePath(dataDir, kAuditConcern);
    auto db = storage::Database::open(path, options);
    if (!db) {
        if (db.error().code == ErrorCode::NotFound)
            return Error(ErrorCode::NotFound, "there is no audit log at " + path.string());
        return db.error();
    }
    if (auto r = prepareForReading(*db); !r)
        return r.error();
    return AuditReader(std::move(*db));
}

Result<AuditPage> AuditReader::query(const AuditQuery &q)
{
    if (q.limit < 1 || q.limit > kMaxPageRows)
        return Error(ErrorCode::BadRequest, "page size must be 1 to " + std::to_string(kMaxPageRows));
    // Filters on texts stored as ids: a text audit_text does not have is in no row.
    TextResolver texts(m_db);
    std::optional<std::int64_t> widget, room, action, decision, category;
    for (auto [value, id] : {std::pair{&q.widgetId, &widget}, std::pair{&q.roomId, &room},
                             std::pair{&q.action, &action}, std::pair{&q.decision, &decision},
                             std::pair{&q.category, &category}}) {
        if (value->empty())
            continue;
        auto found = texts.find(*value);
        if (!found)
            return found.error();
        if (!*found)
            return AuditPage{};
        *id = *found;
    }

    std::string sql = "SELECT " + std::string(kColumns) + " FROM audit_log WHERE 1";
    if (!q.widgetId.empty())
        sql += " AND widget = :widget";
    if (!q.roomId.empty())
        sql += " AND room = :room";
    if (!q.action.empty())
        sql += " AND action = :action";
    if (!q.decision.empty())
        sql += " AND decision = :decision";
    if (!q.category.empty())
        sql += " AND category = :category";
    if (q.sinceMs)
        sql += " AND ts_ms >= :since";
    if (q.untilMs)
        sql += " AND ts_ms < :until";
    if (q.newestFirst) {
        if (q.beforeSeq > 0)
            sql += " AND seq < :cursor";
        sql += " ORDER BY seq DESC";
    } else {
        sql += " AND seq > :cursor ORDER BY seq ASC";
    }
    sql += " LIMIT :limit";

    auto stmt = m_db.prepare(sql);
    if (!stmt)
        return stmt.error();
    Result<void> bound;
    auto bind = [&bound](Result<void> r) {
        if (bound && !r)
            bound = std::move(r);
    };
    if (widget)
        bind(stmt->bindInt64(":widget", *widget));
    if (room)
        bind(stmt->bindInt64(":room", *room));
    if (action)
        bind(stmt->bindInt64(":action", *action));
    if (decision)
        bind(stmt->bindInt64(":decision", *decision));
    if (category)
        bind(stmt->bindInt64(":category", *category));
    if (q.sinceMs)
        bind(stmt->bindInt64(":since", *q.sinceMs));
    if (q.untilMs)
        bind(stmt->bindInt64(":until", *q.untilMs));
    if (!q.newestFirst)
        bind(stmt->bindInt64(":cursor", q.afterSeq));
    else if (q.beforeSeq > 0)
        bind(stmt->bindInt64(":cursor", q.beforeSeq));
    bind(stmt->bindInt64(":limit", q.limit + 1)); // one more than asked: is there a next page?
    if (!bound)
        return bound.error();

    AuditPage page;
    TRY(stmt->forEachRow([&](const storage::Statement &row) -> Result<bool> {
        if (int(page.rows.size()) == q.limit) {
            page.nextCursor = page.rows.back().seq;
            return false;
        }
        auto read = rowOf(row, texts);
        if (!read)
            return read.error();
        page.rows.push_back(std::move(*read));
        return true;
    }));
    return page;
}

Result<std::vector<AuditRow>> AuditReader::tail(int count)
{
    AuditQuery q;
    q.newestFirst = true;
    q.limit = count;
    auto page = query(q);
    if (!page)
        return page.error();
    std::reverse(page->rows.begin(), page->rows.end());
    return std::move(page->rows);
}

namespace {

/** A checkpoint whose signature (and key, and position) checked out. */
struct SeenCheckpoint {
    std::int64_t seq = 0;
    std::int64_t trimmedThroughSeq = 0;
    std::string lastTrimmedHash;
    std::string publicKey;
};

/**
 * The problem with the link from the row @p prevSeq (whose hash is @p prevHash) to the row
 * @p seq that names @p linkedHash as its prev_hash, if any: rows missing between them, or a
 * prev_hash that is not the previous row's.
 */
std::optional<std::string> linkProblem(std::int64_t prevSeq, std::string_view prevHash, std::int64_t seq,
                                       std::string_view linkedHash)
{
    if (seq != prevSeq + 1) {
        const std::int64_t missing = seq - prevSeq - 1;
        return "seq " + std::to_string(seq) + " follows seq " + std::to_string(prevSeq) + ": "
            + std::to_string(missing) + (missing == 1 ? " row is" : " rows are") + " missing (deleted)";
    }
    if (linkedHash != prevHash)
        return "prev_hash does not match the hash of seq " + std::to_string(prevSeq)
            + " (a row before it was changed, removed or moved)";
    return std::nullopt;
}

/** What one contiguous range of rows showed; ranges are merged by verify(). */
struct RangeResult {
    std::int64_t rowsChecked = 0;
    std::int64_t firstSeq = 0;
    std::int64_t lastSeq = 0;
    std::string firstPrevHash; ///< prev_hash of the first row, linked by the merge
    std::string lastHash;      ///< stored hash of the last row
    std::int64_t problems = 0;
    std::optional<VerifyProblem> firstProblem;
    std::vector<SeenCheckpoint> checkpoints;
};

// Checks rows from..to (inclusive) in seq order: gaps, links between rows of the range, each
// row's own hash, and checkpoint signatures. The link of the range's first row to whatever
// precedes it is left to the caller, which knows the previous range.
Result<RangeResult> verifyRange(storage::Database &db, std::int64_t from, std::int64_t to, const VerifyOptions &options)
{
    auto stmt = db.prepare("SELECT " + std::string(kColumns) + " FROM audit_log WHERE seq BETWEEN ?1 AND ?2 ORDER BY seq");
    if (!stmt)
        return stmt.error();
    if (auto r = stmt->bindInt64(1, from); !r)
        return r.error();
    if (auto r = stmt->bindInt64(2, to); !r)
        return r.error();

    RangeResult result;
    TextResolver texts(db);
    RowHasher hasher;
    std::string computed;
    std::string prevHash;
    std::int64_t prevSeq = 0;
    TRY(stmt->forEachRow([&](const storage::Statement &read) -> Result<void> {
        std::optional<std::int64_t> missingText;
        auto view = viewOf(read, texts, missingText);
        if (!view)
            return view.error();
        const RowView &row = *view;
        const std::string_view storedHash = read.columnBlob(15);
        std::optional<std::string> problem;
        auto note = [&problem](std::string what) {
            if (!problem)
                problem = std::move(what);
        };

        if (result.rowsChecked == 0) {
            result.firstSeq = row.seq;
            result.firstPrevHash = std::string(row.prevHash);
        } else if (auto link = linkProblem(prevSeq, prevHash, row.seq, row.prevHash)) {
            note(std::move(*link));
        }

        if (missingText)
            note("the row refers to text " + std::to_string(*missingText)
                 + ", which is not in audit_text (the row or the text was edited or removed)");
        if (auto r = hasher.hashInto(row, computed); !r)
            return r.error();
        if (computed != storedHash)
            note("the row's content does not match its hash (the row was edited or moved)");

        if (row.category == "retention" && row.action == kCheckpointAction) {
            auto checkpoint = readCheckpointBody(row.body);
            if (!checkpoint) {
                note(checkpoint.error().message);
            } else if (!options.trustedPublicKey.empty() && checkpoint->publicKey != options.trustedPublicKey) {
                auto key = CheckpointKey::fromPublicKey(checkpoint->publicKey);
                note("checkpoint is signed by key " + (key ? key->keyId() : std::string("?"))
                     + ", not by this Tessera's checkpoint key");
            } else if (checkpoint->headSeq != row.seq - 1 || checkpoint->headHash != row.prevHash) {
                note("checkpoint was signed after seq " + std::to_string(checkpoint->headSeq)
                     + " but stands after another row (it was moved, or rows before it were replaced)");
            } else {
                result.checkpoints.push_back(SeenCheckpoint{row.seq, checkpoint->trimmedThroughSeq,
                                                            checkpoint->lastTrimmedHash, checkpoint->publicKey});
            }
        }

        if (problem) {
            ++result.problems;
            if (!result.firstProblem)
                result.firstProblem = VerifyProblem{row.seq, std::move(*problem)};
        }
        ++result.rowsChecked;
        prevSeq = row.seq;
        // Link the next row to the stored hash: one edited row is then reported once, not twice.
        prevHash.assign(storedHash);
        return {};
    }));
    result.lastSeq = prevSeq;
    result.lastHash = prevHash;
    return result;
}

// The problem with the link from @p before to the first row of @p after, if any.
std::optional<std::string> seamProblem(const RangeResult &before, const RangeResult &after)
{
    return linkProblem(before.lastSeq, before.lastHash, after.firstSeq, after.firstPrevHash);
}

VerifyReport merge(std::vector<RangeResult> &parts, const VerifyOptions &options)
{
    VerifyReport report;
    report.keyTrusted = !options.trustedPublicKey.empty();
    std::vector<VerifyProblem> firsts;
    const RangeResult *previous = nullptr;
    for (RangeResult &part : parts) {
        if (part.rowsChecked == 0)
            continue;
        report.rowsChecked += part.rowsChecked;
        report.problems += part.problems;
        if (previous) {
            if (auto seam = seamProblem(*previous, part)) {
                // Same order as within a range: the link is reported before the row's own hash.
                if (part.firstProblem && part.firstProblem->seq == part.firstSeq)
                    part.firstProblem->what = *seam;
                else {
                    ++report.problems;
                    firsts.push_back(VerifyProblem{part.firstSeq, *seam});
                }
            }
        } else {
            report.firstSeq = part.firstSeq;
        }
        if (part.firstProblem)
            firsts.push_back(*part.firstProblem);
        report.lastSeq = part.lastSeq;
        previous = &part;
    }
    if (report.rowsChecked == 0)
        return report;

    const RangeResult *first = nullptr;
    for (const RangeResult &part : parts) {
        if (part.rowsChecked > 0) {
            first = &part;
            break;
        }
    }
    // Where the chain starts: seq 1 linked to the genesis hash, or rows trimmed by retention as
    // a signed checkpoint (anywhere later in the log) says.
    bool startProven = false;
    std::optional<std::string> startProblem;
    if (first->firstSeq == 1) {
        startProven = first->firstPrevHash == genesisHash();
        if (!startProven)
            startProblem = "the first row does not link to the start of a log (its prev_hash is not the genesis hash)";
    }
    for (const RangeResult &part : parts) {
        for (const SeenCheckpoint &c : part.checkpoints) {
            ++report.checkpoints;
            if (report.keyId.empty()) {
                if (auto key = CheckpointKey::fromPublicKey(c.publicKey))
                    report.keyId = key->keyId();
            }
            if (!startProven && first->firstSeq > 1 && c.trimmedThroughSeq == first->firstSeq - 1
                && c.lastTrimmedHash == first->firstPrevHash) {
                startProven = true;
                report.startCheckpointSeq = c.seq;
            }
        }
    }
    if (!startProven && !startProblem)
        startProblem = "the log starts at seq " + std::to_string(first->firstSeq)
            + ", but no signed checkpoint proves that the rows before it were trimmed by retention (rows were deleted)";
    if (startProblem) {
        if (first->firstProblem && first->firstProblem->seq == first->firstSeq) {
            for (auto &p : firsts) {
                if (p.seq == first->firstSeq)
                    p.what = *startProblem;
            }
        } else {
            ++report.problems;
            firsts.push_back(VerifyProblem{first->firstSeq, *startProblem});
        }
    }
    if (!firsts.empty()) {
        report.firstProblem =
            *std::min_element(firsts.begin(), firsts.end(), [](const auto &a, const auto &b) { return a.seq < b.seq; });
    }
    return report;
}

Result<std::pair<std::int64_t, std::int64_t>> seqBounds(storage::Database &db)
{
    auto stmt = db.prepare("SELECT min(seq), max(seq) FROM audit_log");
    if (!stmt)
        return stmt.error();
    auto row = stmt->step();
    if (!row)
        return row.error();
    if (!*row || stmt->isNull(0))
        return std::pair<std::int64_t, std::int64_t>(0, -1);
    return std::pair<std::int64_t, std::int64_t>(stmt->columnInt64(0), stmt->columnInt64(1));
}

} // namespace

Result<VerifyReport> AuditReader::verify(const VerifyOptions &options)
{
    // A read transaction pins one snapshot of the file for the whole check.
    if (auto r = m_db.exec("BEGIN"); !r)
        return r.error();
    struct EndRead {
        storage::Database &db;
        ~EndRead() { (void)db.exec("COMMIT"); }
    } endRead{m_db};
    auto bounds = seqBounds(m_db);
    if (!bounds)
        return bounds.error();
    const auto [first, last] = *bounds;

    // Large logs are checked in two halves on two threads, each with its own connection and
    // snapshot. Rows never change and only leave from the start, so both snapshots agree on
    // every row up to the smaller last seq, as long as they agree on the first one.
    std::vector<RangeResult> parts;
    if (last - first >= kParallelVerifyRows) {
        storage::OpenOptions ro;
        ro.readOnly = true;
        auto second = storage::Database::open(m_db.path(), ro);
        Result<void> begun = second ? prepareForReading(*second) : Result<void>(second.error());
        if (begun)
            begun = second->exec("BEGIN");
        auto secondBounds = begun ? seqBounds(*second) : Result<std::pair<std::int64_t, std::int64_t>>(begun.error());
        if (secondBounds && secondBounds->first == first) {
            const std::int64_t commonLast = std::min(last, secondBounds->second);
            const std::int64_t mid = first + (commonLast - first) / 2;
            Result<RangeResult> upper = Error(ErrorCode::Internal, "the second verifier did not run");
            std::thread worker;
            try {
                worker = std::thread([&] { upper = verifyRange(*second, mid + 1, commonLast, options); });
            } catch (const std::system_error &) {
                // No thread to be had: the range is checked below on this one.
            }
            auto lower = verifyRange(m_db, first, mid, options);
            if (worker.joinable())
                worker.join();
            else
                upper = verifyRange(*second, mid + 1, commonLast, options);
            if (!lower)
                return lower.error();
            if (!upper)
                return upper.error();
            parts.push_back(std::move(*lower));
            parts.push_back(std::move(*upper));
            (void)second->exec("COMMIT");
            return merge(parts, options);
        }
    }
    auto whole = verifyRange(m_db, first, last, options);
    if (!whole)
        return whole.error();
    parts.push_back(std::move(*whole));
    return merge(parts, options);
}

Result<std::int64_t> AuditReader::exportJsonLines(const AuditQuery &filter, std::ostream &out)
{
    AuditQuery q = filter;
    q.newestFirst = false;
    q.afterSeq = 0;
    q.beforeSeq = 0;
    q.limit = kExportPageRows;
    std::int64_t count = 0;
    for (;;) {
        auto page = query(q);
        if (!page)
            return page.error();
        for (const AuditRow &row : page->rows) {
            out << toJsonLine(row) << '\n';
            ++count;
        }
        if (!out)
            return Error(ErrorCode::Io, "cannot write the export (disk full?)");
        if (page->nextCursor == 0)
            return count;
        q.afterSeq = page->nextCursor;
    }
}

std::string toJsonLine(const AuditRow &row)
{
    nlohmann::ordered_json j;
    j["seq"] = row.seq;
    j["ts_ms"] = row.timestampMs;
    j["time"] = formatIsoTime(row.timestampMs);
    j["category"] = row.category;
    j["direction"] = row.direction;
    j["widget"] = row.widgetId;
    j["room"] = row.roomId;
    j["origin"] = row.origin;
    j["action"] = row.action;
    j["request_id"] = row.requestId;
    j["size"] = row.sizeBytes;
    j["decision"] = row.decision;
    j["reason"] = row.reason;
    j["duration_ms"] = row.durationMs;
    j["body"] = row.body;
    j["prev_hash"] = text::hexEncode(row.prevHash);
    j["hash"] = text::hexEncode(row.hash);
    // Stored text is valid UTF-8 when Tessera wrote it; a file edited by hand may not be.
    return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string formatIsoTime(std::int64_t ms)
{
    std::int64_t seconds = ms / 1000;
    std::int64_t millis = ms % 1000;
    if (millis < 0) {
        millis += 1000;
        seconds -= 1;
    }
    const auto t = static_cast<std::time_t>(seconds);
    std::tm tm{};
    if (!gmtime_r(&t, &tm))
        return std::to_string(ms);
    char buf[96];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, int(millis));
    return buf;
}

std::optional<std::int64_t> parseTime(std::string_view s)
{
    if (s.empty())
        return std::nullopt;
    if (s.find_first_not_of("0123456789") == std::string_view::npos) {
        if (s.size() > 15) // beyond year 33,000: not a timestamp anyone means
            return std::nullopt;
        return std::stoll(std::string(s));
    }
    std::size_t pos = 0;
    auto number = [&](std::size_t digits, int &out) {
        if (pos + digits > s.size())
            return false;
        out = 0;
        for (std::size_t i = 0; i < digits; ++i) {
            const char c = s[pos + i];
            if (c < '0' || c > '9')
                return false;
            out = out * 10 + (c - '0');
        }
        pos += digits;
        return true;
    };
    auto expect = [&](char c) {
        if (pos < s.size() && s[pos] == c) {
            ++pos;
            return true;
        }
        return false;
    };
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, millis = 0;
    if (!number(4, year) || !expect('-') || !number(2, month) || !expect('-') || !number(2, day))
        return std::nullopt;
    static constexpr int kDaysInMonth[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12 || day < 1 || day > kDaysInMonth[month - 1] + (month == 2 && isLeap(year) ? 1 : 0))
        return std::nullopt;
    std::int64_t offsetMinutes = 0;
    if (pos < s.size()) {
        if (!expect('T') && !expect(' '))
            return std::nullopt;
        if (!number(2, hour) || !expect(':') || !number(2, minute) || hour > 23 || minute > 59)
            return std::nullopt;
        if (expect(':')) {
            if (!number(2, second) || second > 59)
                return std::nullopt;
            if (expect('.')) {
                const std::size_t start = pos;
                int scale = 100;
                while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
                    millis += (s[pos] - '0') * scale;
                    scale /= 10;
                    ++pos;
                }
                if (pos == start || pos - start > 9)
                    return std::nullopt;
            }
        }
        if (expect('Z')) {
            // UTC
        } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
            const int sign = s[pos] == '-' ? -1 : 1;
            ++pos;
            int oh = 0, om = 0;
            if (!number(2, oh))
                return std::nullopt;
            expect(':');
            if (!number(2, om) || oh > 23 || om > 59)
                return std::nullopt;
            offsetMinutes = sign * (oh * 60 + om);
        }
        if (pos != s.size())
            return std::nullopt;
    }
    const std::int64_t days = daysFromCivil(year, unsigned(month), unsigned(day));
    const std::int64_t secondsOfDay = hour * 3600 + minute * 60 + second;
    return (days * 86400 + secondsOfDay - offsetMinutes * 60) * 1000 + millis;
}

} // namespace tessera::audit
