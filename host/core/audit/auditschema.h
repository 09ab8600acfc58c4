// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "storage/database.h"

struct evp_md_ctx_st;

namespace tessera::audit {

/** The concern name of the audit database: <data dir>/audit.db. */
inline constexpr std::string_view kAuditConcern = "audit";
/** Bytes in a SHA-256 digest, the size of every prev_hash and hash. */
inline constexpr std::size_t kHashBytes = 32;
/** The prev_hash of the very first row (seq 1): 32 zero bytes. */
std::string_view genesisHash();

/**
 * The schema of audit.db, oldest step first (see storage::migrate).
 *
 * Table audit_log holds one row per record; seq is 1, 2, 3, … without gaps. Triggers make it
 * append-only for everyone who does not drop them:
 *  - every UPDATE is refused;
 *  - a DELETE is refused unless the row's seq is at or below audit_control.trim_through. That
 *    mark only ever grows, and only retention raises it, in the same transaction that deletes
 *    the rows at or below it and appends the signed checkpoint row. So rows can only leave from
 *    the start of the log, and only together with a checkpoint.
 * INSERT has no trigger: a per-row trigger costs about a third of the append rate. A row
 * inserted out of order, or put in place of another with INSERT OR REPLACE, cannot carry the
 * right prev_hash, and AuditReader::verify reports it, as it reports everything done by someone
 * with write access to the file who dropped the triggers first.
 *
 * Since version 2 the columns category, direction, widget, room, origin, action and decision
 * hold ids into table audit_text (id, text UNIQUE); indexes are on (widget, seq), (room, seq),
 * (action, seq) and (decision, seq). A row's hash is over the texts, not the ids, so a text
 * changed in audit_text breaks the hash of every row that uses it, and an id that names no text
 * is reported by verify.
 *
 * Since version 3 each text has last_seq, the highest seq of a row that uses it (kept by the
 * writer), and ids are never reused (AUTOINCREMENT). Triggers refuse a change to a text or its
 * id, a last_seq that goes down, and removing a text whose last_seq is above
 * audit_control.trim_through: texts leave only with retention, once every row that used them
 * has been trimmed, in the same transaction.
 */
std::span<const storage::Migration> auditMigrations();

/** The stored fields of one row, as views (into a record, a statement or an AuditRow). */
struct RowView {
    std::int64_t seq = 0;
    std::int64_t timestampMs = 0;
    std::string_view category;
    std::string_view direction;
    std::string_view widgetId;
    std::string_view roomId;
    std::string_view origin;
    std::string_view action;
    std::string_view requestId;
    std::int64_t sizeBytes = 0;
    std::string_view decision;
    std::string_view reason;
    std::int64_t durationMs = -1;
    std::string_view body;
    std::string_view prevHash; ///< kHashBytes raw bytes
};

/**
 * @brief SHA-256 (OpenSSL EVP) with a context that is reused between digests. Not thread-safe:
 * one per thread.
 */
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256 &) = delete;
    Sha256 &operator=(const Sha256 &) = delete;

    /** The 32-byte digest of @p bytes; fails only if libcrypto cannot compute SHA-256. */
    Result<std::string> digest(std::string_view bytes);
    /** digest() into @p out, reusing its memory (for loops). */
    Result<void> digestInto(std::string_view bytes, std::string &out);

private:
    evp_md_ctx_st *m_ctx = nullptr;
};

/**
 * @brief Computes row hashes: SHA-256 over the previous row's hash followed by every stored
 * field of the row, each integer as 8 bytes little-endian and each text as its 4-byte
 * little-endian length followed by its bytes, in RowView order (seq first, body last). Hashing
 * seq makes a moved row detectable; the length prefixes make field boundaries unambiguous.
 * Not thread-safe: one per thread.
 */
class RowHasher {
public:
    /** The 32-byte hash of @p row. */
    Result<std::string> hash(const RowView &row);
    /** hash() into @p out, reusing its memory (for loops); @p out must not be viewed by @p row. */
    Result<void> hashInto(const RowView &row, std::string &out);

private:
    Sha256 m_sha;
    std::string m_buffer;
};

/**
 * @brief The writer's side of audit_text: the id of a text, which it adds to the table when it is
 * new, and the text's last_seq, raised to the highest seq that used it. Ids already looked up are
 * kept in memory (at most kMaxCachedTexts, then it starts over), so a row usually costs a hash
 * lookup per text and no SQL; last_seq is written by recordUses(), once per text per transaction.
 * Must be used inside the write transaction that also inserts the rows using the ids, and
 * recordUses() called before it commits. After that transaction failed (rolled back), or after
 * texts were removed from audit_text, call forget(): the ids it remembers may no longer exist.
 * One thread, one Database.
 */
class TextInterner {
public:
    static constexpr std::size_t kMaxCachedTexts = 4096;

    explicit TextInterner(storage::Database &db) : m_db(&db) {}
    TextInterner(TextInterner &&) = default;
    TextInterner &operator=(TextInterner &&) = default;

    /** The id of @p text in audit_text, inserting it if it is not there yet, for a row with @p seq. */
    Result<std::int64_t> idOf(std::string_view text, std::int64_t seq);
    /** Writes last_seq of every text used since the last call (call before the commit). */
    Result<void> recordUses();
    /** Drops every cached id and unwritten use (after a rollback, or after texts were removed). */
    void forget();

private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };
    struct Entry {
        std::int64_t id = 0;
        std::int64_t lastSeq = 0; ///< last_seq once recordUses() has run
        bool dirty = false;       ///< lastSeq is not written yet (the entry is in m_dirty)
    };
    storage::Database *m_db;
    storage::Statement m_find;
    storage::Statement m_insert;
    storage::Statement m_use;
    std::unordered_map<std::string, Entry, Hash, std::equal_to<>> m_ids;
    std::vector<Entry *> m_dirty;                                 // into m_ids (node-based: stable)
    std::vector<std::pair<std::int64_t, std::int64_t>> m_evicted; // (id, last seq) dropped from m_ids unwritten
};

/**
 * @brief The reader's side of audit_text: the text of an id, read once and then kept for the
 * life of the object (a log has as many texts as distinct widgets, rooms, origins and actions).
 * Returned pointers stay valid as long as the object. One thread, one Database.
 */
class TextResolver {
public:
    explicit TextResolver(storage::Database &db) : m_db(&db) {}

    /** The text with id @p id, or nullptr if audit_text has none. */
    Result<const std::string *> text(std::int64_t id);
    /** The id of @p text, or nullopt if no row can have it. */
    Result<std::optional<std::int64_t>> find(std::string_view text);

private:
    static constexpr std::int64_t kMaxIndexedId = 65535;

    storage::Database *m_db;
    storage::Statement m_byId;
    storage::Statement m_byText;
    std::unordered_map<std::int64_t, std::string> m_texts;
    // Ids are small and dense: an array over m_texts answers verify's seven look-ups per row.
    std::vector<const std::string *> m_byIndex;
};

} // namespace tessera::audit
