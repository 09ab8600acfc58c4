// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "audit/auditlog.h"

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <future>
#include <mutex>
#include <sqlite3.h>
#include <sys/file.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "audit/auditreader.h"
#include "audit/auditschema.h"
#include "audit/checkpoint.h"
#include "storage/database.h"
#include "util/paths.h"
#include "util/text.h"

namespace tessera::audit {

namespace {

std::int64_t systemNowMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// Replaces every invalid UTF-8 sequence with U+FFFD so that stored text is always valid UTF-8.
std::string toValidUtf8(std::string_view in)
{
    std::string out;
    out.reserve(in.size() + 8);
    std::size_t i = 0;
    while (i < in.size()) {
        const auto c = static_cast<unsigned char>(in[i]);
        std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        if (len > 0 && i + len <= in.size() && text::isValidUtf8(in.substr(i, len))) {
            out.append(in.substr(i, len));
            i += len;
        } else {
            out += "\xEF\xBF\xBD";
            ++i;
        }
    }
    return out;
}

// A view of @p in if it is valid UTF-8 (the usual case, no copy), else of a repaired copy in @p storage.
std::string_view validUtf8(std::string_view in, std::string &storage)
{
    if (text::isValidUtf8(in))
        return in;
    storage = toValidUtf8(in);
    return storage;
}

std::string limitField(std::string_view in)
{
    constexpr std::size_t kEllipsisBytes = 3;
    return in.size() <= kMaxFieldBytes ? std::string(in) : text::truncateUtf8(in, kMaxFieldBytes - kEllipsisBytes);
}

std::string describePolicy(const RetentionPolicy &policy)
{
    std::string out;
    if (policy.maxAgeMs > 0)
        out += "max_age_ms=" + std::to_string(policy.maxAgeMs);
    if (policy.maxRows > 0)
        out += std::string(out.empty() ? "" : " ") + "max_rows=" + std::to_string(policy.maxRows);
    return out.empty() ? "no limit" : out;
}

struct RetentionJob {
    RetentionPolicy policy;
    CheckpointKey key;
    std::promise<Result<RetentionReport>> done;
    bool answered = false; // the caller has been told (success or the first failure)
};

enum Field : std::size_t { kWidget, kRoom, kOrigin, kAction, kRequestId, kReason, kBody, kFieldCount };

// One queued record: every text field concatenated into one string (one allocation per append).
struct QueuedRecord {
    std::int64_t seq = 0;
    std::int64_t timestampMs = 0;
    std::int64_t sizeBytes = 0;
    std::int64_t durationMs = -1;
    Category category = Category::Invalid;
    Direction direction = Direction::Invalid;
    Decision decision = Decision::Invalid;
    BodyMode mode = BodyMode::Redacted;
    std::array<std::uint32_t, kFieldCount> lengths{};
    std::string text;
    std::size_t submittedBytes = 0; // counted against maxQueuedBytes until the row is durable
    std::shared_ptr<RetentionJob> retention;

    [[nodiscard]] std::string_view field(Field f) const
    {
        std::size_t offset = 0;
        for (std::size_t i = 0; i < f; ++i)
            offset += lengths[i];
        return std::string_view(text).substr(offset, lengths[f]);
    }
};

// Committed pages reach audit.db itself by checkpoints, which copy them from the WAL (and fsync
// the file). From kBackgroundCheckpointBytes of WAL on, the checkpointer thread does that on its
// own connection while the writer goes on with the next batch. Should it fall behind, the
// writer checkpoints itself once the WAL reaches kWriterCheckpointBytes; a WAL can only start
// over (and stop growing) after a checkpoint that copied all of it.
constexpr std::int64_t kBackgroundCheckpointBytes = 64 * 1024 * 1024;
constexpr std::int64_t kWriterCheckpointBytes = 256 * 1024 * 1024;

constexpr std::string_view kInsertSql =
    "INSERT INTO audit_log(seq, ts_ms, category, direction, widget, room, origin, action, request_id, "
    "size_bytes, decision, reason, duration_ms, body, prev_hash, hash) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)";

} // namespace

// Two threads: the preparer redacts and cleans records as they arrive, the writer hashes and
// commits what the preparer handed over. Both are single consumers of their queue, so rows keep
// their seq order end to end.
class AuditLog::Impl {
public:
    Impl(std::filesystem::path path, storage::Database db, int lockFd, AuditLogOptions options)
        : m_path(std::move(path)), m_db(std::move(db)), m_lockFd(lockFd), m_options(options),
          m_mode(options.bodyMode)
    {
    }

    ~Impl()
    {
        {
            std::lock_guard lock(m_mutex);
            m_stopping = true;
        }
        m_wake.notify_all();
        m_retry.notify_all();
        m_progress.notify_all(); // producers waiting for room
        if (m_preparer.joinable())
            m_preparer.join();
        if (m_writer.joinable())
            m_writer.join();
        {
            std::lock_guard lock(m_checkpointMutex);
            m_checkpointStop = true;
        }
        m_checkpointWake.notify_all();
        if (m_checkpointer.joinable())
            m_checkpointer.join();
        m_checkpointDb = {};
        if (m_db.isOpen())
            sqlite3_wal_hook(m_db.handle(), nullptr, nullptr);
        m_insert = {};
        m_tail = {};
        m_texts = TextInterner(m_db);
        m_db = {};
        if (m_lockFd >= 0)
            ::close(m_lockFd); // releases the flock
    }

    Result<void> start();
    std::int64_t submit(const Record &record);
    Result<void> waitDurable(std::int64_t seq, std::int64_t timeoutMs);
    Result<RetentionReport> applyRetention(const RetentionPolicy &policy, SecretStore &secrets, std::int64_t timeoutMs);

    /** Starts an outage at @p nowMs (if none is running), naming why the log refuses. */
    void beginOutageLocked(std::int64_t nowMs)
    {
        if (m_outage)
            return;
        const std::optional<Error> why = errorLocked();
        m_outage = Outage{nowMs, 0, 0, why ? why->message : std::string("the log was closing")};
    }
    /** Once the log accepts again: queues the one row that states the outage, and ends it. */
    void endOutageLocked();

    /** The log can write: its writer is not failing, not stalled, and it is not closing. */
    bool acceptingLocked() const { return !m_failure && !m_stalled && !m_stopping; }
    /** Every row the queue may hold is taken: submit() waits for the writer (back-pressure). */
    bool queueFullLocked() const
    {
        return m_lastSeq - m_durableSeq.load() >= std::int64_t(m_options.maxQueuedRows)
            || m_inFlightBytes >= m_options.maxQueuedBytes;
    }
    std::optional<Error> errorLocked() const
    {
        if (m_failure)
            return m_failure;
        if (m_stalled)
            return m_stallError;
        return std::nullopt;
    }

    std::filesystem::path m_path;
    storage::Database m_db;
    int m_lockFd = -1;
    AuditLogOptions m_options;
    std::atomic<BodyMode> m_mode;

    // Producers, the preparer and the durability state: m_mutex.
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;     // the preparer waits here for records
    std::condition_variable m_progress; // waitDurable, and submit for room, wait here
    std::condition_variable m_retry;    // the writer waits here between attempts
    std::deque<QueuedRecord> m_queue;   // submitted, not yet prepared
    std::size_t m_inFlightBytes = 0;    // submitted, not yet durable
    std::int64_t m_lastSeq = 0;
    std::atomic<std::int64_t> m_durableSeq{0};
    std::optional<Error> m_failure;
    /// The writer made no room in a full queue within maxWaitForRoomMs; cleared by its next commit.
    bool m_stalled = false;
    Error m_stallError;
    std::uint64_t m_waitsForRoom = 0;
    /// A time the log refused records (writer failing or queue full), until it accepts again.
    struct Outage {
        std::int64_t startMs = 0;
        std::uint64_t records = 0;  ///< records refused
        std::uint64_t refusals = 0; ///< of them, records of something refused or dropped
        std::string cause;
    };
    std::optional<Outage> m_outage;
    bool m_stopping = false;
    bool m_closed = false; // the writer has stopped
    bool m_preparerWaiting = false;

    // Preparer to writer: m_preparedMutex.
    std::mutex m_preparedMutex;
    std::condition_variable m_preparedReady;
    std::deque<QueuedRecord> m_prepared;
    bool m_preparerDone = false;
    bool m_writerWaiting = false;

    std::mutex m_callbackMutex;
    std::function<void(std::int64_t)> m_callback;

    std::thread m_preparer;
    std::thread m_writer;

    // The checkpointer thread and its connection; the writer wakes it (see walHook).
    storage::Database m_checkpointDb;
    std::thread m_checkpointer;
    std::mutex m_checkpointMutex;
    std::condition_variable m_checkpointWake;
    bool m_checkpointWanted = false;
    bool m_checkpointStop = false;
    int m_backgroundCheckpointPages = 0; // the thresholds in pages of this file's size
    int m_writerCheckpointPages = 0;

    // Preparer thread only.
    Redactor m_redactor;

    // Writer thread only.
    std::int64_t m_tailSeq = 0;
    std::string m_tailHash;
    storage::Statement m_insert;
    storage::Statement m_tail;
    TextInterner m_texts{m_db};
    RowHasher m_hasher;

private:
    void prepareLoop();
    void prepare(QueuedRecord &item);
    void writeLoop();
    void checkpointLoop();
    static int walHook(void *self, sqlite3 *db, const char *schema, int walPages);
    Result<void> checkTail();
    Result<void> insertRow(const RowView &row, std::string &hashOut);
    Result<void> writeBatch(const std::vector<QueuedRecord> &batch);
    Result<RetentionReport> runRetention(const QueuedRecord &item);
    Result<std::optional<std::int64_t>> queryInt(std::string_view sql, std::optional<std::int64_t> bind = {});
};

Result<void> AuditLog::Impl::start()
{
    auto insert = m_db.prepare(kInsertSql);
    if (!insert)
        return insert.error();
    m_insert = std::move(*insert);
    auto tail = m_db.prepare("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
    if (!tail)
        return tail.error();
    m_tail = std::move(*tail);

    auto row = m_tail.step();
    if (!row)
        return row.error();
    if (*row) {
        m_tailSeq = m_tail.columnInt64(0);
        m_tailHash = std::string(m_tail.columnBlob(1));
        if (m_tailHash.size() != kHashBytes)
            return Error(ErrorCode::Corrupt, m_db.describe() + ": the last row (seq " + std::to_string(m_tailSeq)
                                                 + ") has no valid hash. Run `tessera audit verify`, then move the "
                                                   "file aside to start a new log; Tessera did not modify it.");
    } else {
        auto mark = queryInt("SELECT trim_through FROM audit_control");
        if (!mark)
            return mark.error();
        if (mark->value_or(0) != 0)
            return Error(ErrorCode::Corrupt,
                         m_db.describe() + " has no rows although retention kept at least its checkpoint: it was "
                                           "emptied by another program. Move it aside to start a new log; Tessera "
                                           "did not modify it.");
        m_tailSeq = 0;
        m_tailHash = std::string(genesisHash());
    }
    m_tail.reset();
    m_lastSeq = m_tailSeq;
    m_durableSeq = m_tailSeq;
    storage::OpenOptions checkpointOptions;
    checkpointOptions.create = false;
    checkpointOptions.busyTimeoutMs = m_options.busyTimeoutMs;
    auto checkpointDb = storage::Database::open(m_path, checkpointOptions);
    if (!checkpointDb)
        return checkpointDb.error();
    m_checkpointDb = std::move(*checkpointDb);
    auto pageSize = queryInt("PRAGMA page_size");
    if (!pageSize)
        return pageSize.error();
    const std::int64_t pageBytes = std::max<std::int64_t>(512, pageSize->value_or(4096));
    m_backgroundCheckpointPages = int(kBackgroundCheckpointBytes / pageBytes);
    m_writerCheckpointPages = int(kWriterCheckpointBytes / pageBytes);
    // Replaces SQLite's automatic checkpoint on the writer's connection (wal_autocheckpoint).
    sqlite3_wal_hook(m_db.handle(), &Impl::walHook, this);
    m_checkpointer = std::thread([this] { checkpointLoop(); });
    m_preparer = std::thread([this] { prepareLoop(); });
    m_writer = std::thread([this] { writeLoop(); });
    return {};
}

std::int64_t AuditLog::Impl::submit(const Record &record)
{
    QueuedRecord item;
    item.timestampMs = record.timestampMs != 0 ? record.timestampMs : systemNowMs();
    item.sizeBytes = static_cast<std::int64_t>(record.sizeBytes);
    item.durationMs = record.durationMs;
    item.category = record.category;
    item.direction = record.direction;
    item.decision = record.decision;
    item.mode = m_mode.load(std::memory_order_relaxed);

    std::string oversizedBody;
    std::string_view body = record.body;
    if (body.size() > kMaxRawBodyBytes) {
        // Hash it here rather than queue megabytes; the writer stores the placeholder as it is.
        Sha256 sha;
        auto digest = sha.digest(body);
        oversizedBody = R"({"bytes":)" + std::to_string(body.size()) + R"(,"omitted":"too large","sha256":")"
            + (digest ? text::hexEncode(*digest) : std::string()) + "\"}";
        body = oversizedBody;
    }
    const std::array<std::string_view, kFieldCount> fields = {
        record.widgetId, record.roomId, record.origin, record.action, record.requestId, record.reason, body};
    std::size_t total = 0;
    for (std::size_t i = 0; i < kFieldCount; ++i) {
        const std::size_t limit = i == kBody ? kMaxRawBodyBytes : kMaxFieldBytes;
        total += std::min(fields[i].size(), limit);
    }
    item.text.reserve(total);
    for (std::size_t i = 0; i < kFieldCount; ++i) {
        const std::size_t before = item.text.size();
        if (i == kBody || fields[i].size() <= kMaxFieldBytes)
            item.text.append(fields[i]);
        else
            item.text.append(limitField(fields[i]));
        item.lengths[i] = static_cast<std::uint32_t>(item.text.size() - before);
    }

    item.submittedBytes = item.text.size();
    bool wake = false;
    std::int64_t seq = 0;
    {
        std::unique_lock lock(m_mutex);
        if (acceptingLocked() && queueFullLocked()) {
            // Back-pressure: the producer waits until the writer has made room, so a burst is
            // slowed down to the rate rows are written, and nothing is refused for it. Every
            // commit (or failure, or closing) wakes it. A writer that makes no room for
            // maxWaitForRoomMs cannot write: the log refuses until its next commit.
            ++m_waitsForRoom;
            const auto deadline = std::chrono::steady_clock::now()
                + std::chrono::milliseconds(m_options.maxWaitForRoomMs);
            while (acceptingLocked() && queueFullLocked()) {
                if (m_progress.wait_until(lock, deadline) == std::cv_status::timeout) {
                    if (acceptingLocked() && queueFullLocked()) {
                        m_stalled = true;
                        m_stallError = Error(ErrorCode::Timeout,
                                             "the audit log's writer made no room in its queue for "
                                                 + std::to_string(m_options.maxWaitForRoomMs) + " ms ("
                                                 + std::to_string(m_lastSeq - m_durableSeq.load())
                                                 + " rows not yet written)");
                        m_progress.notify_all(); // other producers waiting refuse too
                    }
                    break;
                }
            }
        }
        if (!acceptingLocked()) {
            // Not written, and not forgotten either: counted, and stated in one row once the
            // log can write again (not while closing: nothing will be written after that).
            if (!m_stopping) {
                beginOutageLocked(systemNowMs());
                m_outage->records++;
                if (record.decision == Decision::Refused || record.decision == Decision::Dropped)
                    m_outage->refusals++;
            }
            return 0;
        }
        seq = item.seq = ++m_lastSeq;
        m_inFlightBytes += item.submittedBytes;
        m_queue.push_back(std::move(item));
        wake = m_preparerWaiting;
    }
    if (wake)
        m_wake.notify_one();
    return seq;
}

void AuditLog::Impl::endOutageLocked()
{
    const Outage outage = std::move(*m_outage);
    m_outage.reset();
    const std::int64_t endMs = systemNowMs();
    const std::string reason = "the audit log could not write from " + formatIsoTime(outage.startMs) + " to "
        + formatIsoTime(endMs) + " (" + std::to_string(std::max<std::int64_t>(0, endMs - outage.startMs)) + " ms): "
        + std::to_string(outage.records) + (outage.records == 1 ? " record was" : " records were")
        + " refused and not written, " + std::to_string(outage.refusals) + " of them refused actions; the cause: "
        + outage.cause;
    const std::string body = "{\"start_ms\":" + std::to_string(outage.startMs) + ",\"end_ms\":" + std::to_string(endMs)
        + ",\"records_not_written\":" + std::to_string(outage.records)
        + ",\"refused_actions_not_written\":" + std::to_string(outage.refusals) + "}";
    QueuedRecord item;
    item.timestampMs = endMs;
    item.category = Category::Log;
    item.direction = Direction::Internal;
    item.decision = Decision::Failed;
    item.mode = m_mode.load(std::memory_order_relaxed);
    const std::string reasonText = limitField(reason);
    const std::array<std::string_view, kFieldCount> fields = {
        std::string_view{}, std::string_view{}, std::string_view{}, kOutageAction, std::string_view{}, reasonText, body};
    for (std::size_t i = 0; i < kFieldCount; ++i) {
        item.text.append(fields[i]);
        item.lengths[i] = static_cast<std::uint32_t>(fields[i].size());
    }
    item.submittedBytes = item.text.size();
    // Queued past the limits on purpose: one small row, the only record of what was lost.
    item.seq = ++m_lastSeq;
    m_inFlightBytes += item.submittedBytes;
    m_queue.push_back(std::move(item));
    m_wake.notify_one();
}

Result<void> AuditLog::Impl::waitDurable(std::int64_t seq, std::int64_t timeoutMs)
{
    std::unique_lock lock(m_mutex);
    if (seq <= 0 || seq > m_lastSeq)
        return Error(ErrorCode::BadRequest, "audit row " + std::to_string(seq) + " was never appended");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(std::max<std::int64_t>(timeoutMs, 0));
    for (;;) {
        if (m_durableSeq.load() >= seq)
            return {};
        if (m_failure)
            return Error(m_failure->code, "audit row " + std::to_string(seq) + " is not durable: " + m_failure->message);
        if (m_closed)
            return Error(ErrorCode::Unavailable, "the audit log was closed before row " + std::to_string(seq) + " was written");
        if (m_progress.wait_until(lock, deadline) == std::cv_status::timeout && m_durableSeq.load() < seq)
            return Error(ErrorCode::Timeout, "audit row " + std::to_string(seq) + " was not written within "
                                                 + std::to_string(timeoutMs) + " ms");
    }
}

Result<RetentionReport> AuditLog::Impl::applyRetention(const RetentionPolicy &policy, SecretStore &secrets,
                                                       std::int64_t timeoutMs)
{
    if (policy.maxAgeMs < 0 || policy.maxRows < 0)
        return Error(ErrorCode::BadRequest, "retention limits must not be negative");
    auto key = CheckpointKey::loadOrCreate(secrets);
    if (!key)
        return key.error();
    auto job = std::make_shared<RetentionJob>();
    job->policy = policy;
    job->key = std::move(*key);
    auto done = job->done.get_future();
    {
        std::lock_guard lock(m_mutex);
        if (m_failure)
            return Error(m_failure->code, "retention cannot run: " + m_failure->message);
        if (m_stopping)
            return Error(ErrorCode::Unavailable, "the audit log is closing");
        QueuedRecord item;
        item.seq = ++m_lastSeq;
        item.retention = job;
        m_queue.push_back(std::move(item));
    }
    m_wake.notify_one();
    if (done.wait_for(std::chrono::milliseconds(std::max<std::int64_t>(timeoutMs, 0))) != std::future_status::ready)
        return Error(ErrorCode::Timeout, "retention did not finish within " + std::to_string(timeoutMs)
                                             + " ms; it continues in the background");
    return done.get();
}

void AuditLog::Impl::prepareLoop()
{
    std::vector<QueuedRecord> batch;
    for (;;) {
        {
            std::unique_lock lock(m_mutex);
            m_preparerWaiting = true;
            m_wake.wait(lock, [&] { return m_stopping || !m_queue.empty(); });
            m_preparerWaiting = false;
            if (m_queue.empty() || (m_stopping && m_failure))
                break; // closing: what cannot be written was never reported durable
            while (!m_queue.empty() && batch.size() < m_options.maxBatchRows) {
                batch.push_back(std::move(m_queue.front()));
                m_queue.pop_front();
            }
        }
        for (QueuedRecord &item : batch) {
            if (!item.retention)
                prepare(item);
        }
        bool wake = false;
        {
            std::lock_guard lock(m_preparedMutex);
            for (QueuedRecord &item : batch)
                m_prepared.push_back(std::move(item));
            wake = m_writerWaiting;
        }
        if (wake)
            m_preparedReady.notify_one();
        batch.clear();
    }
    {
        std::lock_guard lock(m_preparedMutex);
        m_preparerDone = true;
    }
    m_preparedReady.notify_all();
}

void AuditLog::Impl::prepare(QueuedRecord &item)
{
    // What is stored: the redacted body, secrets scrubbed from the reason, valid UTF-8 everywhere.
    std::array<std::string, kFieldCount> repaired;
    std::array<std::string_view, kFieldCount> fields;
    for (std::size_t f : {kWidget, kRoom, kOrigin, kAction, kRequestId})
        fields[f] = validUtf8(item.field(Field(f)), repaired[f]);
    const std::string reason = scrubSecretsInText(item.field(kReason));
    fields[kReason] = validUtf8(reason, repaired[kReason]);
    const std::string body = m_redactor.redact(item.field(kBody), item.field(kAction), item.mode);
    fields[kBody] = body;

    std::string text;
    std::size_t total = 0;
    for (std::string_view f : fields)
        total += f.size();
    text.reserve(total);
    for (std::size_t f = 0; f < kFieldCount; ++f) {
        text.append(fields[f]);
        item.lengths[f] = static_cast<std::uint32_t>(fields[f].size());
    }
    item.text = std::move(text);
}

void AuditLog::Impl::writeLoop()
{
    std::vector<QueuedRecord> batch;
    for (;;) {
        {
            std::unique_lock lock(m_preparedMutex);
            m_writerWaiting = true;
            m_preparedReady.wait(lock, [&] { return m_preparerDone || !m_prepared.empty(); });
            m_writerWaiting = false;
            if (m_prepared.empty())
                break; // the preparer has stopped and everything it handed over is written
            if (m_prepared.front().retention) {
                batch.push_back(std::move(m_prepared.front()));
                m_prepared.pop_front();
            } else {
                while (!m_prepared.empty() && !m_prepared.front().retention
                       && batch.size() < m_options.maxBatchRows) {
                    batch.push_back(std::move(m_prepared.front()));
                    m_prepared.pop_front();
                }
            }
        }

        Result<void> written;
        std::optional<Result<RetentionReport>> retentionReport;
        if (batch.front().retention) {
            retentionReport = runRetention(batch.front());
            if (!*retentionReport)
                written = retentionReport->error();
        } else {
            written = writeBatch(batch);
        }
        // The caller of applyRetention hears the outcome only after durableSeq() says it.
        auto answerRetention = [&] {
            if (!retentionReport)
                return;
            RetentionJob &job = *batch.front().retention;
            if (job.answered)
                return;
            job.answered = true;
            if (*retentionReport)
                job.done.set_value(std::move(*retentionReport));
            else
                job.done.set_value(Error(retentionReport->error().code,
                                         retentionReport->error().message + " (retention will be retried with the log)"));
        };

        if (written) {
            const std::int64_t durable = batch.back().seq;
            std::size_t bytes = 0;
            for (const QueuedRecord &item : batch)
                bytes += item.submittedBytes;
            {
                std::lock_guard lock(m_mutex);
                m_durableSeq = durable;
                m_inFlightBytes -= bytes;
                m_failure.reset();
                m_stalled = false;
                if (m_outage && acceptingLocked())
                    endOutageLocked();
            }
            m_progress.notify_all();
            answerRetention();
            std::function<void(std::int64_t)> callback;
            {
                std::lock_guard lock(m_callbackMutex);
                callback = m_callback;
            }
            if (callback)
                callback(durable);
            batch.clear();
            continue;
        }

        m_texts.forget(); // the failed transaction was rolled back, with any text it added
        {
            std::lock_guard lock(m_mutex);
            m_failure = written.error();
            beginOutageLocked(systemNowMs());
        }
        m_progress.notify_all();
        answerRetention();
        {
            std::lock_guard lock(m_preparedMutex);
            // Keep the rows, in order, for the retry: they were never reported durable.
            for (auto it = batch.rbegin(); it != batch.rend(); ++it)
                m_prepared.push_front(std::move(*it));
        }
        batch.clear();
        std::unique_lock lock(m_mutex);
        m_retry.wait_for(lock, std::chrono::milliseconds(m_options.retryDelayMs), [&] { return m_stopping; });
        if (m_stopping)
            break; // closing while failing: the rows left were never reported durable
    }
    {
        std::lock_guard lock(m_mutex);
        m_closed = true;
    }
    m_progress.notify_all();
}

// Runs on the writer's thread after each commit, with the number of pages now in the WAL.
int AuditLog::Impl::walHook(void *self, sqlite3 *db, const char *schema, int walPages)
{
    auto *impl = static_cast<Impl *>(self);
    if (walPages >= impl->m_writerCheckpointPages) {
        // The checkpointer is behind (or busy: then this returns SQLITE_BUSY at once and the
        // next commit tries again). Copying what it has not copied yet lets the WAL start over.
        (void)sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    } else if (walPages >= impl->m_backgroundCheckpointPages) {
        {
            std::lock_guard lock(impl->m_checkpointMutex);
            impl->m_checkpointWanted = true;
        }
        impl->m_checkpointWake.notify_one();
    }
    return SQLITE_OK;
}

void AuditLog::Impl::checkpointLoop()
{
    std::unique_lock lock(m_checkpointMutex);
    for (;;) {
        m_checkpointWake.wait(lock, [&] { return m_checkpointStop || m_checkpointWanted; });
        if (m_checkpointStop)
            break;
        m_checkpointWanted = false;
        lock.unlock();
        // PASSIVE: copies what no reader still needs, never waits and never blocks the writer.
        // A failure leaves the pages in the WAL, where they are as durable; the next one retries.
        (void)sqlite3_wal_checkpoint_v2(m_checkpointDb.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
        lock.lock();
    }
}

Result<std::optional<std::int64_t>> AuditLog::Impl::queryInt(std::string_view sql, std::optional<std::int64_t> bind)
{
    auto stmt = m_db.prepare(sql);
    if (!stmt)
        return stmt.error();
    if (bind) {
        if (auto r = stmt->bindInt64(1, *bind); !r)
            return r.error();
    }
    auto row = stmt->step();
    if (!row)
        return row.error();
    if (!*row || stmt->isNull(0))
        return std::optional<std::int64_t>();
    return std::optional<std::int64_t>(stmt->columnInt64(0));
}

Result<void> AuditLog::Impl::checkTail()
{
    // One process writes (the lock file); this catches anything else that wrote to the file.
    auto row = m_tail.step();
    if (!row) {
        m_tail.reset();
        return row.error();
    }
    const std::int64_t seq = *row ? m_tail.columnInt64(0) : 0;
    const std::string hash = *row ? std::string(m_tail.columnBlob(1)) : std::string(genesisHash());
    m_tail.reset();
    if (seq != m_tailSeq || hash != m_tailHash)
        return Error(ErrorCode::Corrupt, m_db.describe() + " was changed by another program (its last row is seq "
                                             + std::to_string(seq) + ", Tessera wrote seq "
                                             + std::to_string(m_tailSeq)
                                             + "); Tessera stopped writing to it. Run `tessera audit verify`, then "
                                               "move the file aside to start a new log.");
    return {};
}

Result<void> AuditLog::Impl::insertRow(const RowView &row, std::string &hashOut)
{
    if (auto r = m_hasher.hashInto(row, hashOut); !r)
        return r;
    const std::string_view texts[] = {row.category, row.direction, row.widgetId, row.roomId,
                                      row.origin,   row.action,    row.decision};
    std::int64_t ids[std::size(texts)];
    for (std::size_t i = 0; i < std::size(texts); ++i) {
        auto id = m_texts.idOf(texts[i], row.seq);
        if (!id)
            return id.error();
        ids[i] = *id;
    }
    // Every row is bound here, so this calls SQLite directly and builds an error only on failure.
    // Bound without copies: every view in @p row and @p hashOut outlive the step and reset below.
    // Empty text must be bound as an empty value, not NULL, hence a non-null pointer.
    sqlite3_stmt *s = m_insert.handle();
    auto data = [](std::string_view v) { return v.empty() ? "" : v.data(); };
    int rc = SQLITE_OK;
    auto bind = [&rc](int result) {
        if (rc == SQLITE_OK)
            rc = result;
    };
    auto bindText = [&](int index, std::string_view v) {
        bind(sqlite3_bind_text64(s, index, data(v), v.size(), SQLITE_STATIC, SQLITE_UTF8));
    };
    bind(sqlite3_bind_int64(s, 1, row.seq));
    bind(sqlite3_bind_int64(s, 2, row.timestampMs));
    bind(sqlite3_bind_int64(s, 3, ids[0]));  // category
    bind(sqlite3_bind_int64(s, 4, ids[1]));  // direction
    bind(sqlite3_bind_int64(s, 5, ids[2]));  // widget
    bind(sqlite3_bind_int64(s, 6, ids[3]));  // room
    bind(sqlite3_bind_int64(s, 7, ids[4]));  // origin
    bind(sqlite3_bind_int64(s, 8, ids[5]));  // action
    bindText(9, row.requestId);
    bind(sqlite3_bind_int64(s, 10, row.sizeBytes));
    bind(sqlite3_bind_int64(s, 11, ids[6])); // decision
    bindText(12, row.reason);
    bind(sqlite3_bind_int64(s, 13, row.durationMs));
    bindText(14, row.body);
    bind(sqlite3_bind_blob64(s, 15, data(row.prevHash), row.prevHash.size(), SQLITE_STATIC));
    bind(sqlite3_bind_blob64(s, 16, data(hashOut), hashOut.size(), SQLITE_STATIC));
    Result<void> r = rc == SQLITE_OK ? m_insert.run() : Result<void>(m_db.errorFor(rc, "binding an audit row"));
    m_insert.reset();
    return r;
}

Result<void> AuditLog::Impl::writeBatch(const std::vector<QueuedRecord> &batch)
{
    auto tx = m_db.begin();
    if (!tx)
        return tx.error();
    if (auto r = checkTail(); !r)
        return r;
    std::int64_t seq = m_tailSeq;
    std::string prev = m_tailHash;
    std::string hash;
    for (const QueuedRecord &rec : batch) {
        if (rec.seq != seq + 1)
            return Error(ErrorCode::Internal, "audit writer out of order: seq " + std::to_string(rec.seq)
                                                  + " after " + std::to_string(seq));
        RowView row;
        row.seq = rec.seq;
        row.timestampMs = rec.timestampMs;
        row.category = toString(rec.category);
        row.direction = toString(rec.direction);
        row.widgetId = rec.field(kWidget);
        row.roomId = rec.field(kRoom);
        row.origin = rec.field(kOrigin);
        row.action = rec.field(kAction);
        row.requestId = rec.field(kRequestId);
        row.sizeBytes = rec.sizeBytes;
        row.decision = toString(rec.decision);
        row.reason = rec.field(kReason);
        row.durationMs = rec.durationMs;
        row.body = rec.field(kBody);
        row.prevHash = prev;
        if (auto r = insertRow(row, hash); !r)
            return r;
        prev.swap(hash);
        seq = rec.seq;
    }
    if (auto r = m_texts.recordUses(); !r)
        return r;
    if (auto r = tx->commit(); !r)
        return r;
    m_tailSeq = seq;
    m_tailHash = std::move(prev);
    return {};
}

Result<RetentionReport> AuditLog::Impl::runRetention(const QueuedRecord &item)
{
    const auto started = std::chrono::steady_clock::now();
    const RetentionJob &job = *item.retention;
    auto tx = m_db.begin();
    if (!tx)
        return tx.error();
    if (auto r = checkTail(); !r)
        return r.error();
    if (item.seq != m_tailSeq + 1)
        return Error(ErrorCode::Internal, "audit writer out of order: checkpoint seq " + std::to_string(item.seq)
                                              + " after " + std::to_string(m_tailSeq));

    auto first = queryInt("SELECT min(seq) FROM audit_log");
    if (!first)
        return first.error();
    const std::int64_t last = m_tailSeq;
    const std::int64_t start = first->value_or(last + 1); // the first row still stored
    std::int64_t through = start - 1;                      // trim rows start..through
    if (job.policy.maxRows > 0)
        through = std::max(through, last - job.policy.maxRows);
    if (job.policy.maxAgeMs > 0) {
        const std::int64_t now = job.policy.nowMs != 0 ? job.policy.nowMs : systemNowMs();
        // The oldest row young enough to keep; trimming stops there even if later rows are older
        // (a clock set back), because rows only ever leave from the start.
        auto young = queryInt("SELECT seq FROM audit_log WHERE ts_ms >= ?1 ORDER BY seq LIMIT 1",
                              now - job.policy.maxAgeMs);
        if (!young)
            return young.error();
        through = std::max(through, young->has_value() ? **young - 1 : last);
    }
    through = std::min(through, last);

    // The hash the first kept row (or the checkpoint itself) links to.
    std::string lastTrimmedHash;
    if (through == last) {
        lastTrimmedHash = m_tailHash;
    } else {
        auto stmt = m_db.prepare("SELECT prev_hash FROM audit_log WHERE seq = ?1");
        if (!stmt)
            return stmt.error();
        if (auto r = stmt->bindInt64(1, through + 1); !r)
            return r.error();
        auto row = stmt->step();
        if (!row)
            return row.error();
        if (!*row)
            return Error(ErrorCode::Corrupt, m_db.describe() + ": row " + std::to_string(through + 1)
                                                 + " is missing; run `tessera audit verify`");
        lastTrimmedHash = std::string(stmt->columnBlob(0));
    }

    const std::int64_t trimmedRows = through >= start ? through - start + 1 : 0;
    if (trimmedRows > 0) {
        auto mark = m_db.prepare("UPDATE audit_control SET trim_through = ?1 WHERE id = 1");
        if (!mark)
            return mark.error();
        if (auto r = mark->bindInt64(1, through); !r)
            return r.error();
        if (auto r = mark->run(); !r)
            return r.error();
        auto trim = m_db.prepare("DELETE FROM audit_log WHERE seq <= ?1");
        if (!trim)
            return trim.error();
        if (auto r = trim->bindInt64(1, through); !r)
            return r.error();
        if (auto r = trim->run(); !r)
            return r.error();
    }

    Checkpoint checkpoint;
    checkpoint.trimmedFromSeq = start;
    checkpoint.trimmedThroughSeq = through;
    checkpoint.trimmedRows = trimmedRows;
    checkpoint.lastTrimmedHash = lastTrimmedHash;
    checkpoint.headSeq = last;
    checkpoint.headHash = m_tailHash;
    checkpoint.createdMs = systemNowMs();
    checkpoint.policy = describePolicy(job.policy);
    auto body = makeCheckpointBody(checkpoint, job.key);
    if (!body)
        return body.error();

    RowView row;
    row.seq = item.seq;
    row.timestampMs = checkpoint.createdMs;
    row.category = toString(Category::Retention);
    row.direction = toString(Direction::Internal);
    row.action = kCheckpointAction;
    row.sizeBytes = static_cast<std::int64_t>(body->size());
    row.decision = toString(Decision::Info);
    row.reason = checkpoint.policy;
    row.durationMs = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started)
                         .count();
    row.body = *body;
    row.prevHash = m_tailHash;
    std::string hash;
    if (auto r = insertRow(row, hash); !r)
        return r.error();
    if (auto r = m_texts.recordUses(); !r)
        return r.error();

    // Texts whose every row is gone: last_seq is the highest seq using each one, and every row
    // kept, the checkpoint included (recorded above), has a higher seq than the mark.
    std::int64_t trimmedTexts = 0;
    if (trimmedRows > 0) {
        auto drop = m_db.prepare("DELETE FROM audit_text WHERE last_seq <= ?1");
        if (!drop)
            return drop.error();
        if (auto r = drop->bindInt64(1, through); !r)
            return r.error();
        if (auto r = drop->run(); !r)
            return r.error();
        trimmedTexts = m_db.changes();
        if (trimmedTexts > 0)
            m_texts.forget(); // the removed ids must not be handed out from the cache again
    }
    if (auto r = tx->commit(); !r)
        return r.error();
    m_tailSeq = item.seq;
    m_tailHash = std::move(hash);
    return RetentionReport{trimmedRows, trimmedRows > 0 ? through : 0, item.seq, trimmedTexts};
}

// ---------------------------------------------------------------------------------------------

AuditLog::AuditLog(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

AuditLog::~AuditLog() = default;

Result<std::unique_ptr<AuditLog>> AuditLog::open(const std::filesystem::path &dataDir, AuditLogOptions options)
{
    if (options.maxQueuedRows == 0 || options.maxQueuedBytes == 0 || options.maxBatchRows == 0
        || options.maxWaitForRoomMs < 0 || options.maxDatabaseBytes < 0 || options.retryDelayMs < 0 || options.busyTimeoutMs < 0
        || options.bodyMode == BodyMode::Invalid)
        return Error(ErrorCode::BadRequest, "audit log options out of range");
    if (auto r = paths::ensurePrivateDirectory(dataDir); !r)
        return r.error();

    const auto dbPath = storage::databasePath(dataDir, kAuditConcern);
    const auto lockPath = dbPath.string() + ".lock";
    const int lockFd = ::open(lockPath.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lockFd < 0)
        return Error(ErrorCode::Io, "cannot create " + lockPath + ": " + std::strerror(errno));
    if (::flock(lockFd, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        ::close(lockFd);
        if (err == EWOULDBLOCK)
            return Error(ErrorCode::Unavailable, "audit.db at " + dbPath.string()
                                                     + " is being written by another Tessera process; close it "
                                                       "first (one Tessera per data directory)");
        return Error(ErrorCode::Io, "cannot lock " + lockPath + ": " + std::strerror(err));
    }

    storage::OpenOptions dbOptions;
    dbOptions.busyTimeoutMs = options.busyTimeoutMs;
    // A new log gets 16 KB pages: a quarter of the page splits and WAL frames of 4 KB pages, about
    // a fifth more rows per second of the writer's time. A log created with 4 KB keeps them.
    dbOptions.pageSize = 16384;
    auto db = storage::openConcern(dataDir, kAuditConcern, auditMigrations(), dbOptions);
    if (!db) {
        ::close(lockFd);
        return db.error();
    }
    // A batch of 20,000 rows dirties far more than the default 2 MB page cache; pages spilled
    // mid-transaction would be written to the WAL more than once. Checkpoints are the
    // checkpointer thread's (see kBackgroundCheckpointBytes); after one that copied the whole
    // WAL, a WAL grown in a burst is cut back to 64 MB. Retention removes texts and rows so that
    // they do not outlive it: secure_delete=FAST zeroes what is deleted from pages that stay in
    // use (audit_text's, mostly) at no extra I/O; pages retention frees whole keep their bytes
    // until they are reused.
    if (auto r = db->exec("PRAGMA cache_size = -65536; PRAGMA journal_size_limit = 67108864; "
                          "PRAGMA secure_delete = FAST");
        !r) {
        ::close(lockFd);
        return r.error();
    }
    if (options.maxDatabaseBytes > 0) {
        auto pageSize = db->prepare("PRAGMA page_size");
        Result<bool> row = pageSize ? pageSize->step() : Result<bool>(pageSize.error());
        if (!row || !*row) {
            ::close(lockFd);
            return row ? Error(ErrorCode::Io, db->describe() + ": cannot read the page size") : row.error();
        }
        const std::int64_t pages = std::max<std::int64_t>(1, options.maxDatabaseBytes / pageSize->columnInt64(0));
        if (auto r = db->exec("PRAGMA max_page_count = " + std::to_string(pages)); !r) {
            ::close(lockFd);
            return r.error();
        }
    }

    auto impl = std::make_unique<Impl>(dbPath, std::move(*db), lockFd, options);
    if (auto r = impl->start(); !r)
        return r.error(); // impl's destructor closes the lock file
    return std::unique_ptr<AuditLog>(new AuditLog(std::move(impl)));
}

bool AuditLog::append(const Record &record)
{
    return m_impl->submit(record) != 0;
}

bool AuditLog::accepting() const
{
    std::lock_guard lock(m_impl->m_mutex);
    return m_impl->acceptingLocked();
}

std::int64_t AuditLog::submit(const Record &record)
{
    return m_impl->submit(record);
}

std::int64_t AuditLog::durableSeq() const
{
    return m_impl->m_durableSeq.load();
}

std::int64_t AuditLog::lastSeq() const
{
    std::lock_guard lock(m_impl->m_mutex);
    return m_impl->m_lastSeq;
}

Result<void> AuditLog::waitDurable(std::int64_t seq, std::int64_t timeoutMs)
{
    return m_impl->waitDurable(seq, timeoutMs);
}

Result<void> AuditLog::flush(std::int64_t timeoutMs)
{
    const std::int64_t last = lastSeq();
    if (last == 0)
        return {};
    return m_impl->waitDurable(last, timeoutMs);
}

void AuditLog::setDurableCallback(std::function<void(std::int64_t)> callback)
{
    std::lock_guard lock(m_impl->m_callbackMutex);
    m_impl->m_callback = std::move(callback);
}

void AuditLog::setBodyMode(BodyMode mode)
{
    if (mode != BodyMode::Invalid)
        m_impl->m_mode.store(mode);
}

BodyMode AuditLog::bodyMode() const
{
    return m_impl->m_mode.load();
}

Result<RetentionReport> AuditLog::applyRetention(const RetentionPolicy &policy, SecretStore &secrets,
                                                 std::int64_t timeoutMs)
{
    return m_impl->applyRetention(policy, secrets, timeoutMs);
}

std::optional<Error> AuditLog::lastError() const
{
    std::lock_guard lock(m_impl->m_mutex);
    return m_impl->errorLocked();
}

std::uint64_t AuditLog::waitsForRoom() const
{
    std::lock_guard lock(m_impl->m_mutex);
    return m_impl->m_waitsForRoom;
}

const std::filesystem::path &AuditLog::path() const
{
    return m_impl->m_path;
}

} // namespace tessera::audit
