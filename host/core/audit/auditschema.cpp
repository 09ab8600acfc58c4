// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "audit/auditschema.h"

#include <openssl/evp.h>

#include <array>
#include <cstring>

namespace tessera::audit {

namespace {

const EVP_MD *sha256Md()
{
    // Fetched once: EVP_MD_fetch per digest would dominate the cost of hashing a small row.
    static EVP_MD *md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return md;
}

constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY,
    ts_ms       INTEGER NOT NULL,
    category    TEXT    NOT NULL,
    direction   TEXT    NOT NULL,
    widget      TEXT    NOT NULL,
    room        TEXT    NOT NULL,
    origin      TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    request_id  TEXT    NOT NULL,
    size_bytes  INTEGER NOT NULL,
    decision    TEXT    NOT NULL,
    reason      TEXT    NOT NULL,
    duration_ms INTEGER NOT NULL,
    body        TEXT    NOT NULL,
    prev_hash   BLOB    NOT NULL,
    hash        BLOB    NOT NULL
);
CREATE INDEX audit_log_widget ON audit_log(widget, seq);
CREATE INDEX audit_log_room ON audit_log(room, seq);
CREATE INDEX audit_log_action ON audit_log(action, seq);
CREATE INDEX audit_log_decision ON audit_log(decision, seq);
CREATE INDEX audit_log_time ON audit_log(ts_ms);

CREATE TABLE audit_control (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    trim_through  INTEGER NOT NULL
);
INSERT INTO audit_control(id, trim_through) VALUES (1, 0);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit rows cannot be changed');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
WHEN OLD.seq > (SELECT trim_through FROM audit_control)
BEGIN
    SELECT RAISE(ABORT, 'audit rows can only be removed by retention, from the start of the log');
END;
CREATE TRIGGER audit_control_grows_only BEFORE UPDATE ON audit_control
WHEN NEW.trim_through < OLD.trim_through OR NEW.id IS NOT OLD.id
BEGIN
    SELECT RAISE(ABORT, 'the retention mark can only move forward');
END;
CREATE TRIGGER audit_control_kept BEFORE DELETE ON audit_control
BEGIN
    SELECT RAISE(ABORT, 'the retention mark cannot be removed');
END;
)sql";

// Version 2: the seven columns whose values repeat (category, direction, widget, room, origin,
// action, decision) hold ids into audit_text instead of the text itself, the four indexes
// queries filter by are on those integers, and the index on ts_ms is gone. Appending spent most
// of its time keeping five indexes on text up to date; integer keys are shorter and compare
// faster, and rows are smaller. The time index served no query: keyset paging orders by seq, so
// SQLite walks seq and tests ts_ms, except when both time bounds were given, where it sorted the
// whole window again for every page. Hashes are over the texts, as before, so every v1 row keeps
// its hash and prev_hash and the chain verifies across the upgrade.
constexpr std::string_view kSchemaV2 = R"sql(
CREATE TABLE audit_text (
    id    INTEGER PRIMARY KEY,
    text  TEXT    NOT NULL UNIQUE
);
INSERT INTO audit_text(text)
    SELECT category FROM audit_log UNION SELECT direction FROM audit_log
    UNION SELECT widget FROM audit_log UNION SELECT room FROM audit_log
    UNION SELECT origin FROM audit_log UNION SELECT action FROM audit_log
    UNION SELECT decision FROM audit_log;

CREATE TABLE audit_log_v2 (
    seq         INTEGER PRIMARY KEY,
    ts_ms       INTEGER NOT NULL,
    category    INTEGER NOT NULL,
    direction   INTEGER NOT NULL,
    widget      INTEGER NOT NULL,
    room        INTEGER NOT NULL,
    origin      INTEGER NOT NULL,
    action      INTEGER NOT NULL,
    request_id  TEXT    NOT NULL,
    size_bytes  INTEGER NOT NULL,
    decision    INTEGER NOT NULL,
    reason      TEXT    NOT NULL,
    duration_ms INTEGER NOT NULL,
    body        TEXT    NOT NULL,
    prev_hash   BLOB    NOT NULL,
    hash        BLOB    NOT NULL
);
INSERT INTO audit_log_v2
    SELECT l.seq, l.ts_ms,
           (SELECT t.id FROM audit_text AS t WHERE t.text = l.category),
           (SELECT t.id FROM audit_text AS t WHERE t.text = l.direction),
           (SELECT t.id FROM audit_text AS t WHERE t.text = l.widget),
           (SELECT t.id FROM audit_text AS t WHERE t.text = l.room),
           (SELECT t.id FROM audit_text AS t WHERE t.text = l.origin),
           (SELECT t.id FROM audit_text AS t WHERE t.text = l.action),
           l.request_id, l.size_bytes,
           (SELECT t.id FROM audit_text AS t WHERE t.text = l.decision),
           l.reason, l.duration_ms, l.body, l.prev_hash, l.hash
    FROM audit_log AS l ORDER BY l.seq;

DROP TRIGGER IF EXISTS audit_log_no_update;
DROP TRIGGER IF EXISTS audit_log_no_delete;
DROP TABLE audit_log;
ALTER TABLE audit_log_v2 RENAME TO audit_log;
CREATE INDEX audit_log_widget ON audit_log(widget, seq);
CREATE INDEX audit_log_room ON audit_log(room, seq);
CREATE INDEX audit_log_action ON audit_log(action, seq);
CREATE INDEX audit_log_decision ON audit_log(decision, seq);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit rows cannot be changed');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
WHEN OLD.seq > (SELECT trim_through FROM audit_control)
BEGIN
    SELECT RAISE(ABORT, 'audit rows can only be removed by retention, from the start of the log');
END;
CREATE TRIGGER audit_text_no_update BEFORE UPDATE ON audit_text
BEGIN
    SELECT RAISE(ABORT, 'audit texts cannot be changed');
END;
CREATE TRIGGER audit_text_no_delete BEFORE DELETE ON audit_text
BEGIN
    SELECT RAISE(ABORT, 'audit texts cannot be removed');
END;
)sql";

// Version 3: a text leaves audit_text when retention has trimmed every row that used it, so
// widget ids, room ids and origins do not outlive the rows they were recorded for. Each text
// carries last_seq, the highest seq of a row that uses it (the writer raises it once per batch
// for the texts the batch used), so a trim finds the texts it frees through an index instead of
// scanning the rows it keeps. Triggers keep the text and id of a text as they were, let last_seq
// only grow, and refuse a delete while last_seq is above the retention mark. AUTOINCREMENT: the
// id of a removed text is never handed to another one, so an id always names the same text.
constexpr std::string_view kSchemaV3 = R"sql(
DROP TRIGGER IF EXISTS audit_text_no_update;
DROP TRIGGER IF EXISTS audit_text_no_delete;
CREATE TABLE audit_text_v3 (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    text      TEXT    NOT NULL UNIQUE,
    last_seq  INTEGER NOT NULL DEFAULT 0
);
INSERT INTO audit_text_v3(id, text, last_seq)
    SELECT t.id, t.text, coalesce(u.last_seq, 0)
    FROM audit_text AS t
    LEFT JOIN (SELECT id, max(seq) AS last_seq FROM (
                   SELECT category AS id, seq FROM audit_log UNION ALL SELECT direction, seq FROM audit_log
                   UNION ALL SELECT widget, seq FROM audit_log UNION ALL SELECT room, seq FROM audit_log
                   UNION ALL SELECT origin, seq FROM audit_log UNION ALL SELECT action, seq FROM audit_log
                   UNION ALL SELECT decision, seq FROM audit_log)
               GROUP BY id) AS u ON u.id = t.id
    ORDER BY t.id;
DROP TABLE audit_text;
ALTER TABLE audit_text_v3 RENAME TO audit_text;
CREATE INDEX audit_text_last_seq ON audit_text(last_seq);

CREATE TRIGGER audit_text_no_update BEFORE UPDATE OF id, text ON audit_text
BEGIN
    SELECT RAISE(ABORT, 'audit texts cannot be changed');
END;
CREATE TRIGGER audit_text_last_seq_grows BEFORE UPDATE OF last_seq ON audit_text
WHEN NEW.last_seq < OLD.last_seq
BEGIN
    SELECT RAISE(ABORT, 'the last use of an audit text can only move forward');
END;
CREATE TRIGGER audit_text_no_delete BEFORE DELETE ON audit_text
WHEN OLD.last_seq > (SELECT trim_through FROM audit_control)
BEGIN
    SELECT RAISE(ABORT, 'audit texts can only be removed by retention, once no kept row uses them');
END;
)sql";

const storage::Migration kMigrations[] = {
    {1, "audit log with hash chain and append-only triggers", kSchemaV1, {}},
    {2, "repeated texts as ids into audit_text; no index on time", kSchemaV2, {}},
    {3, "texts leave audit_text with the last row that used them", kSchemaV3, {}},
};

void putInt(std::string &out, std::int64_t value)
{
    auto u = static_cast<std::uint64_t>(value);
    char bytes[8];
    for (char &b : bytes) {
        b = char(u & 0xff);
        u >>= 8;
    }
    out.append(bytes, 8);
}

void putText(std::string &out, std::string_view text)
{
    auto n = static_cast<std::uint32_t>(text.size());
    const char bytes[4] = {char(n & 0xff), char((n >> 8) & 0xff), char((n >> 16) & 0xff), char((n >> 24) & 0xff)};
    out.append(bytes, 4);
    out.append(text);
}

} // namespace

std::string_view genesisHash()
{
    static const std::string zeros(kHashBytes, '\0');
    return zeros;
}

std::span<const storage::Migration> auditMigrations()
{
    return kMigrations;
}

Sha256::Sha256() : m_ctx(EVP_MD_CTX_new()) {}

Sha256::~Sha256()
{
    EVP_MD_CTX_free(m_ctx);
}

Result<std::string> Sha256::digest(std::string_view bytes)
{
    std::string out;
    if (auto r = digestInto(bytes, out); !r)
        return r.error();
    return out;
}

Result<void> Sha256::digestInto(std::string_view bytes, std::string &out)
{
    out.resize(kHashBytes);
    unsigned int size = 0;
    if (!m_ctx || !sha256Md() || EVP_DigestInit_ex2(m_ctx, sha256Md(), nullptr) != 1
        || EVP_DigestUpdate(m_ctx, bytes.data(), bytes.size()) != 1
        || EVP_DigestFinal_ex(m_ctx, reinterpret_cast<unsigned char *>(out.data()), &size) != 1
        || size != kHashBytes) {
        return Error(ErrorCode::Internal, "SHA-256 is not available from OpenSSL's libcrypto");
    }
    return {};
}

Result<std::string> RowHasher::hash(const RowView &row)
{
    std::string out;
    if (auto r = hashInto(row, out); !r)
        return r.error();
    return out;
}

Result<void> RowHasher::hashInto(const RowView &row, std::string &out)
{
    m_buffer.clear();
    m_buffer.append(row.prevHash);
    putInt(m_buffer, row.seq);
    putInt(m_buffer, row.timestampMs);
    putText(m_buffer, row.category);
    putText(m_buffer, row.direction);
    putText(m_buffer, row.widgetId);
    putText(m_buffer, row.roomId);
    putText(m_buffer, row.origin);
    putText(m_buffer, row.action);
    putText(m_buffer, row.requestId);
    putInt(m_buffer, row.sizeBytes);
    putText(m_buffer, row.decision);
    putText(m_buffer, row.reason);
    putInt(m_buffer, row.durationMs);
    putText(m_buffer, row.body);
    return m_sha.digestInto(m_buffer, out);
}

Result<std::int64_t> TextInterner::idOf(std::string_view text, std::int64_t seq)
{
    if (auto it = m_ids.find(text); it != m_ids.end()) {
        Entry &e = it->second;
        if (seq > e.lastSeq) {
            e.lastSeq = seq;
            if (!e.dirty) {
                e.dirty = true;
                m_dirty.push_back(&e);
            }
        }
        return e.id;
    }
    if (!m_find.handle()) {
        auto find = m_db->prepare("SELECT id, last_seq FROM audit_text WHERE text = ?1");
        if (!find)
            return find.error();
        auto insert = m_db->prepare("INSERT INTO audit_text(text, last_seq) VALUES (?1, ?2)");
        if (!insert)
            return insert.error();
        m_find = std::move(*find);
        m_insert = std::move(*insert);
    }
    Entry entry;
    Result<void> bound = m_find.bindText(1, text);
    Result<bool> found = bound ? m_find.step() : Result<bool>(bound.error());
    if (found && *found) {
        entry.id = m_find.columnInt64(0);
        entry.lastSeq = m_find.columnInt64(1);
    }
    m_find.reset();
    if (!found)
        return found.error();
    if (!*found) {
        Result<void> added = m_insert.bindText(1, text);
        if (added)
            added = m_insert.bindInt64(2, seq);
        if (added)
            added = m_insert.run();
        m_insert.reset();
        if (!added)
            return added.error();
        entry.id = m_db->lastInsertRowId();
        entry.lastSeq = seq;
    }
    if (m_ids.size() >= kMaxCachedTexts) {
        // Many distinct texts (request-like action names): keep memory bounded, and the uses not
        // yet written.
        for (const Entry *e : m_dirty)
            m_evicted.emplace_back(e->id, e->lastSeq);
        m_dirty.clear();
        m_ids.clear();
    }
    const bool dirty = seq > entry.lastSeq;
    if (dirty)
        entry.lastSeq = seq;
    Entry &stored = m_ids.emplace(std::string(text), entry).first->second;
    if (dirty) {
        stored.dirty = true;
        m_dirty.push_back(&stored);
    }
    return stored.id;
}

Result<void> TextInterner::recordUses()
{
    if (m_dirty.empty() && m_evicted.empty())
        return {};
    if (!m_use.handle()) {
        auto use = m_db->prepare("UPDATE audit_text SET last_seq = ?2 WHERE id = ?1 AND last_seq < ?2");
        if (!use)
            return use.error();
        m_use = std::move(*use);
    }
    auto write = [this](std::int64_t id, std::int64_t seq) -> Result<void> {
        Result<void> r = m_use.bindInt64(1, id);
        if (r)
            r = m_use.bindInt64(2, seq);
        if (r)
            r = m_use.run();
        m_use.reset();
        return r;
    };
    for (const auto &[id, seq] : m_evicted) {
        if (auto r = write(id, seq); !r)
            return r;
    }
    m_evicted.clear();
    for (Entry *e : m_dirty) {
        if (auto r = write(e->id, e->lastSeq); !r)
            return r;
        e->dirty = false;
    }
    m_dirty.clear();
    return {};
}

void TextInterner::forget()
{
    m_dirty.clear();
    m_evicted.clear();
    m_ids.clear();
}

Result<const std::string *> TextResolver::text(std::int64_t id)
{
    if (id >= 0 && id < std::int64_t(m_byIndex.size()) && m_byIndex[std::size_t(id)])
        return m_byIndex[std::size_t(id)];
    if (auto it = m_texts.find(id); it != m_texts.end())
        return &it->second;
    if (!m_byId.handle()) {
        auto stmt = m_db->prepare("SELECT text FROM audit_text WHERE id = ?1");
        if (!stmt)
            return stmt.error();
        m_byId = std::move(*stmt);
    }
    Result<void> bound = m_byId.bindInt64(1, id);
    Result<bool> found = bound ? m_byId.step() : Result<bool>(bound.error());
    const std::string *out = nullptr;
    if (found && *found) {
        out = &m_texts.emplace(id, std::string(m_byId.columnText(0))).first->second;
        if (id >= 0 && id <= kMaxIndexedId) {
            if (std::size_t(id) >= m_byIndex.size())
                m_byIndex.resize(std::size_t(id) + 1, nullptr);
            m_byIndex[std::size_t(id)] = out;
        }
    }
    m_byId.reset();
    if (!found)
        return found.error();
    return out;
}

Result<std::optional<std::int64_t>> TextResolver::find(std::string_view text)
{
    if (!m_byText.handle()) {
        auto stmt = m_db->prepare("SELECT id FROM audit_text WHERE text = ?1");
        if (!stmt)
            return stmt.error();
        m_byText = std::move(*stmt);
    }
    Result<void> bound = m_byText.bindText(1, text);
    Result<bool> found = bound ? m_byText.step() : Result<bool>(bound.error());
    std::optional<std::int64_t> id;
    if (found && *found)
        id = m_byText.columnInt64(0);
    m_byText.reset();
    if (!found)
        return found.error();
    return id;
}

} // namespace tessera::audit
