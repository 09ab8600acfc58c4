// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "audit/auditsink.h"
#include "audit/redaction.h"
#include "util/result.h"
#include "util/secretstore.h"

namespace tessera::audit {

/** Limits and settings of an AuditLog. Every limit is enforced and tested. */
struct AuditLogOptions {
    /** What is kept of bodies; changeable later with setBodyMode(). */
    BodyMode bodyMode = BodyMode::Redacted;
    /**
     * Records appended but not yet durable. At this limit append() waits for the writer to make
     * room (back-pressure: the producer slows to the rate the log is written at) instead of
     * refusing; see maxWaitForRoomMs.
     */
    std::size_t maxQueuedRows = 100'000;
    /** Bytes of record text appended but not yet durable; at this limit append() waits as above. */
    std::size_t maxQueuedBytes = 64u * 1024 * 1024;
    /**
     * How long append() waits for room in a full queue. A writer that made no room in that time
     * cannot write: append() refuses (and the log stops accepting, stated in an outage row) until
     * the writer commits again.
     */
    std::int64_t maxWaitForRoomMs = 5'000;
    /** Rows per transaction (one fsync each); the writer commits whatever is queued, up to this. */
    std::size_t maxBatchRows = 20'000;
    /** Size cap of audit.db in bytes (PRAGMA max_page_count); 0 for none. A full log stops accepting. */
    std::int64_t maxDatabaseBytes = 0;
    /** How long the writer waits before trying again after a failed write. */
    std::int64_t retryDelayMs = 1000;
    /** How long a write waits for another connection's lock before it counts as failed. */
    int busyTimeoutMs = 5000;
};

/**
 * The action of the row the log writes once it can write again after refusing records (writer
 * failing, or making no room in a full queue within maxWaitForRoomMs): category "log", decision
 * "failed", the outage's start and end and how many records, and of them refused actions, could
 * not be written.
 */
inline constexpr std::string_view kOutageAction = "audit.outage";

/** Text fields (widget, room, origin, action, request id, reason) are cut to this many bytes. */
inline constexpr std::size_t kMaxFieldBytes = 4096;
/** A raw body larger than this is hashed by append() itself and never queued. */
inline constexpr std::size_t kMaxRawBodyBytes = 4u * 1024 * 1024;

/** What retention should remove; a zero limit is not applied. */
struct RetentionPolicy {
    /** Trim the oldest rows while they are older than this (by their timestamp). */
    std::int64_t maxAgeMs = 0;
    /** Keep at most this many rows (besides the new checkpoint row). */
    std::int64_t maxRows = 0;
    /** "Now" for maxAgeMs, ms since the epoch; 0 for the system clock. */
    std::int64_t nowMs = 0;
};

struct RetentionReport {
    std::int64_t trimmedRows = 0;
    std::int64_t trimmedThroughSeq = 0; ///< 0 when nothing was ever trimmed
    std::int64_t checkpointSeq = 0;     ///< the signed checkpoint row this run appended
    std::int64_t trimmedTexts = 0;      ///< texts removed because no kept row uses them any more
};

/**
 * @brief The audit log: an append-only, hash-chained SQLite table (audit.db in the data
 * directory) written by one background thread with group commit. It implements AuditSink.
 *
 * append()/submit() copy the record into a queue and return at once; they may be called from
 * any thread. When the queue holds maxQueuedRows (or maxQueuedBytes) not yet durable, they wait
 * until the writer has made room: a burst is slowed down to the rate the log is written at, and
 * nothing is refused for it. A preparer thread redacts each body (see Redactor); a writer thread computes the
 * hash links and commits everything prepared in one transaction (synchronous=FULL: one fsync
 * per batch).
 * A row is durable, and survives kill -9 and power loss, once durableSeq() has reached its seq;
 * waitDurable(), flush() and the durable callback tell callers when. If the writer cannot write
 * (disk full, size cap reached, file changed underneath), accepting() turns false and append()
 * refuses until a retry succeeds; rows not yet durable are kept and retried, never reported
 * durable unless committed.
 *
 * One process writes a given audit.db: open() takes an advisory lock (audit.db.lock) and
 * refuses a second writer. Readers (AuditReader, `tessera audit …`) need no lock.
 * It does not read the log back: AuditReader does (query, verify, export).
 */
class AuditLog final : public AuditSink {
public:
    /**
     * Opens (creating or migrating) <dataDir>/audit.db and starts the writer thread. Fails with
     * a message naming the file if it is corrupt, from a newer Tessera, in use by another
     * Tessera process, or if its chain tail cannot be read.
     */
    static Result<std::unique_ptr<AuditLog>> open(const std::filesystem::path &dataDir, AuditLogOptions options = {});

    /** Writes everything still queued (if the log can write), then stops its threads. */
    ~AuditLog() override;
    AuditLog(const AuditLog &) = delete;
    AuditLog &operator=(const AuditLog &) = delete;

    /** AuditSink: true if the record was queued (see submit()). */
    bool append(const Record &record) override;
    /**
     * AuditSink: false while the writer is failing, or after it made no room in a full queue
     * within maxWaitForRoomMs (until it commits again). A full queue alone does not refuse.
     */
    [[nodiscard]] bool accepting() const override;

    /**
     * Queues @p record and returns the seq its row will have, or 0 if the log refuses it (not
     * accepting). With the queue full it first waits for room, up to maxWaitForRoomMs.
     * A timestampMs of 0 means "now" (system clock).
     */
    std::int64_t submit(const Record &record);

    /** How many submit() calls have had to wait for room in a full queue since open(). */
    [[nodiscard]] std::uint64_t waitsForRoom() const;

    /** The highest seq committed to disk: that row and every earlier one are durable. */
    [[nodiscard]] std::int64_t durableSeq() const;
    /** The highest seq handed out by submit() (or written before open()). */
    [[nodiscard]] std::int64_t lastSeq() const;

    /**
     * Blocks until row @p seq is durable. Fails at once with the writer's error while the writer
     * is failing (the row may still be written by a later retry: durableSeq() will say so), with
     * Timeout after @p timeoutMs, and with BadRequest for a seq never handed out.
     */
    Result<void> waitDurable(std::int64_t seq, std::int64_t timeoutMs);
    /** waitDurable(lastSeq()). */
    Result<void> flush(std::int64_t timeoutMs);

    /**
     * Called on the writer thread after each commit, once durableSeq() has moved, with the new
     * durableSeq() (so a call covers every row up to it). It may run after a waitDurable() for
     * the same rows has returned. Keep it short and post to your own thread (Scheduler::post).
     * Pass nullptr to remove it.
     */
    void setDurableCallback(std::function<void(std::int64_t durableSeq)> callback);

    /** Applies to records appended from now on. */
    void setBodyMode(BodyMode mode);
    [[nodiscard]] BodyMode bodyMode() const;

    /**
     * Trims rows from the start of the log as @p policy says and appends a checkpoint row signed
     * with the key kCheckpointKeySecretName from @p secrets (created there on first use), even
     * when nothing needed trimming: the checkpoint then re-signs where the log starts and its
     * current head. Texts (widget and room ids, origins, actions, …) that only trimmed rows used
     * leave audit_text with them. Runs on the writer thread, in order with appended rows, in one transaction.
     * Reads @p secrets on the calling thread. Blocks until done or @p timeoutMs has passed.
     */
    Result<RetentionReport> applyRetention(const RetentionPolicy &policy, SecretStore &secrets,
                                           std::int64_t timeoutMs);

    /** Why the log is not accepting, if it is not. */
    [[nodiscard]] std::optional<Error> lastError() const;
    [[nodiscard]] const std::filesystem::path &path() const;

    class Impl;

private:
    explicit AuditLog(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace tessera::audit
