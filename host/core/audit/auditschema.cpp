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

const storage::Migration kMigrations[] = {
    {1, "audit log with hash chain and append-only triggers", kSchemaV1, {}},
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
    std::string out(kHashBytes, '\0');
    unsigned int size = 0;
    if (!m_ctx || !sha256Md() || EVP_DigestInit_ex2(m_ctx, sha256Md(), nullptr) != 1
        || EVP_DigestUpdate(m_ctx, bytes.data(), bytes.size()) != 1
        || EVP_DigestFinal_ex(m_ctx, reinterpret_cast<unsigned char *>(out.data()), &size) != 1
        || size != kHashBytes) {
        return Error(ErrorCode::Internal, "SHA-256 is not available from OpenSSL's libcrypto");
    }
    return out;
}

Result<std::string> RowHasher::hash(const RowView &row)
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
    return m_sha.digest(m_buffer);
}

} // namespace tessera::audit
