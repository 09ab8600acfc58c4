// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "storage/database.h"
#include "util/result.h"

namespace tessera::audit {

/** One stored audit row. Text fields are as stored (the body redacted); hashes are raw bytes. */
struct AuditRow {
    std::int64_t seq = 0;
    std::int64_t timestampMs = 0;
    std::string category;  ///< toString(Category): "message", "consent", …
    std::string direction; ///< "in", "out", "internal"
    std::string widgetId;
    std::string roomId;
    std::string origin;
    std::string action;
    std::string requestId;
    std::int64_t sizeBytes = 0;
    std::string decision; ///< "allowed", "refused", "dropped", "failed", "info"
    std::string reason;
    std::int64_t durationMs = -1;
    std::string body;
    std::string prevHash; ///< 32 raw bytes
    std::string hash;     ///< 32 raw bytes
};

/** The largest page query() returns. */
inline constexpr int kMaxPageRows = 10'000;
/** From this many rows on, verify() checks two halves of the log on two threads. */
inline constexpr std::int64_t kParallelVerifyRows = 20'000;

/**
 * A filtered, paged read. Empty strings and unset times match everything. Paging is keyset
 * paging on seq: pass the previous page's nextCursor as afterSeq (oldest first) or beforeSeq
 * (newestFirst), so a page never skips or repeats rows while the log grows.
 */
struct AuditQuery {
    std::string widgetId;
    std::string roomId;
    std::string action;
    std::string decision;
    std::string category;
    std::optional<std::int64_t> sinceMs; ///< timestamp >= sinceMs
    std::optional<std::int64_t> untilMs; ///< timestamp < untilMs
    std::int64_t afterSeq = 0;           ///< oldest first: rows with seq > afterSeq
    std::int64_t beforeSeq = 0;          ///< newestFirst: rows with seq < beforeSeq (0: from the newest)
    bool newestFirst = false;
    int limit = 100; ///< 1 to kMaxPageRows
};

struct AuditPage {
    std::vector<AuditRow> rows;
    /** The cursor for the next page, or 0 when this page reached the end. */
    std::int64_t nextCursor = 0;
};

/** The first thing verify() found wrong. */
struct VerifyProblem {
    std::int64_t seq = 0;
    std::string what;
};

struct VerifyOptions {
    /**
     * The 32-byte public key checkpoints must be signed with (from the SecretStore via
     * CheckpointKey, or pinned by the user). Empty: each checkpoint is checked against the key it
     * carries, and the report says the key was not checked against a trusted one.
     */
    std::string trustedPublicKey;
};

struct VerifyReport {
    std::int64_t rowsChecked = 0;
    std::int64_t firstSeq = 0; ///< 0 for an empty log
    std::int64_t lastSeq = 0;
    std::int64_t checkpoints = 0; ///< signed checkpoint rows whose signature verified
    /** The checkpoint that proves where the chain starts, or 0 if it starts at seq 1 (genesis). */
    std::int64_t startCheckpointSeq = 0;
    std::string keyId;       ///< CheckpointKey::keyId() of the checkpoints' key, if any
    bool keyTrusted = false; ///< that key was compared with VerifyOptions::trustedPublicKey
    std::optional<VerifyProblem> firstProblem;
    std::int64_t problems = 0; ///< rows with a problem (the chain is checked to its end)

    [[nodiscard]] bool ok() const { return !firstProblem.has_value(); }
};

/**
 * @brief Reads an audit.db: filtered paged queries, JSON Lines export and chain verification.
 *
 * Opens the file read-only and takes no lock, so it runs beside a writing Tessera (WAL: it sees
 * committed rows only). It never writes, migrates or creates the file. Use one reader per thread.
 */
class AuditReader {
public:
    /** Opens <dataDir>/audit.db; NotFound if there is none. */
    static Result<AuditReader> open(const std::filesystem::path &dataDir);

    Result<AuditPage> query(const AuditQuery &query);
    /** The last @p count rows, oldest first. */
    Result<std::vector<AuditRow>> tail(int count);

    /**
     * Checks the whole chain in seq order: no seq is missing, each prev_hash equals the previous
     * row's hash, each hash matches its row's content, each checkpoint's signature verifies and
     * names the head it follows, and the first row either is seq 1 linked to the genesis hash or
     * is proven by a checkpoint that trimmed the rows before it. Reports the first problem by
     * seq, and how many rows have one. Fails only when the file cannot be read. Logs of
     * kParallelVerifyRows rows or more are checked in two halves on two threads.
     */
    Result<VerifyReport> verify(const VerifyOptions &options = {});

    /** Writes every row matching @p filter (its paging fields ignored) as JSON Lines; returns the count. */
    Result<std::int64_t> exportJsonLines(const AuditQuery &filter, std::ostream &out);

    [[nodiscard]] const std::filesystem::path &path() const { return m_db.path(); }

private:
    explicit AuditReader(storage::Database db) : m_db(std::move(db)) {}
    storage::Database m_db;
};

/**
 * One row as a JSON object on one line: seq, ts_ms, time (ISO-8601 UTC), category, direction,
 * widget, room, origin, action, request_id, size, decision, reason, duration_ms, body (the
 * stored text, as a JSON string), prev_hash and hash (hex).
 */
std::string toJsonLine(const AuditRow &row);

/** ms since the epoch as "2024-05-01T12:00:00.123Z". */
std::string formatIsoTime(std::int64_t ms);

/**
 * Reads "2024-05-01", "2024-05-01T12:00", "2024-05-01T12:00:00", with optional ".fff" and a
 * "Z" or "±HH:MM" offset (no offset means UTC), or a whole number of ms since the epoch.
 */
std::optional<std::int64_t> parseTime(std::string_view text);

} // namespace tessera::audit
