// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "consent/consentstore.h"

#include <array>

namespace tessera::consent {

namespace {

// Load decisions are keyed without origin and url (the state event fixes them); browser
// permissions by origin alone. The unique key therefore works for every kind.
constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE decisions (
    id            INTEGER PRIMARY KEY,
    kind          TEXT    NOT NULL CHECK (kind IN ('capability', 'openid', 'load', 'browser_permission')),
    user_id       TEXT    NOT NULL,
    room_id       TEXT    NOT NULL,
    widget_id     TEXT    NOT NULL,
    origin        TEXT    NOT NULL,
    url           TEXT    NOT NULL,
    item          TEXT    NOT NULL,
    allowed       INTEGER NOT NULL CHECK (allowed IN (0, 1)),
    decided_at_ms INTEGER NOT NULL,
    detail        TEXT    NOT NULL DEFAULT '{}',
    UNIQUE (kind, user_id, room_id, widget_id, origin, url, item)
);
CREATE INDEX decisions_by_user ON decisions (user_id, decided_at_ms);
CREATE TABLE rules (
    id            INTEGER PRIMARY KEY,
    user_id       TEXT    NOT NULL,
    kind          TEXT    NOT NULL CHECK (kind IN ('trust_own_widgets', 'trust_agent', 'trust_plugin_widget_types')),
    subject       TEXT    NOT NULL,
    room_id       TEXT    NOT NULL,
    created_at_ms INTEGER NOT NULL,
    UNIQUE (user_id, kind, subject, room_id)
);
)sql";

// The trusted call service's rules (subject: the service's origin). SQLite cannot change a
// CHECK constraint in place: the table is made anew with the same rows and ids.
constexpr std::string_view kSchemaV2 = R"sql(
CREATE TABLE rules_v2 (
    id            INTEGER PRIMARY KEY,
    user_id       TEXT    NOT NULL,
    kind          TEXT    NOT NULL CHECK (kind IN ('trust_own_widgets', 'trust_agent', 'trust_plugin_widget_types',
                                                   'trust_call_service')),
    subject       TEXT    NOT NULL,
    room_id       TEXT    NOT NULL,
    created_at_ms INTEGER NOT NULL,
    UNIQUE (user_id, kind, subject, room_id)
);
INSERT INTO rules_v2 (id, user_id, kind, subject, room_id, created_at_ms)
    SELECT id, user_id, kind, subject, room_id, created_at_ms FROM rules;
DROP TABLE rules;
ALTER TABLE rules_v2 RENAME TO rules;
)sql";

const std::array<storage::Migration, 2> kMigrations{
    storage::Migration{1, "remembered decisions and standing rules", kSchemaV1, {}},
    storage::Migration{2, "standing rules for the trusted call service", kSchemaV2, {}},
};

constexpr std::string_view kDecisionColumns =
    "id, kind, user_id, room_id, widget_id, origin, url, item, allowed, decided_at_ms, detail";

RememberedDecision readDecision(const storage::Statement &s)
{
    RememberedDecision d;
    d.id = s.columnInt64(0);
    d.kind = decisionKindFromString(s.columnText(1)).value_or(DecisionKind::Invalid);
    d.scope.userId = std::string(s.columnText(2));
    d.scope.roomId = std::string(s.columnText(3));
    d.scope.widgetId = std::string(s.columnText(4));
    d.scope.origin = std::string(s.columnText(5));
    d.scope.url = std::string(s.columnText(6));
    d.item = std::string(s.columnText(7));
    d.allowed = s.columnInt64(8) != 0;
    d.decidedAtMs = s.columnInt64(9);
    d.detailJson = std::string(s.columnText(10));
    return d;
}

StandingRule readRule(const storage::Statement &s)
{
    StandingRule r;
    r.id = s.columnInt64(0);
    r.userId = std::string(s.columnText(1));
    r.kind = ruleKindFromString(s.columnText(2)).value_or(RuleKind::Invalid);
    r.subject = std::string(s.columnText(3));
    r.roomId = std::string(s.columnText(4));
    r.createdAtMs = s.columnInt64(5);
    return r;
}

} // namespace

std::span<const storage::Migration> consentMigrations()
{
    return kMigrations;
}

Result<ConsentStore> ConsentStore::open(const std::filesystem::path &dataDir)
{
    auto db = storage::openConcern(dataDir, "consent", consentMigrations());
    if (!db)
        return db.error();
    return ConsentStore(std::move(db).value());
}

Result<std::map<std::string, bool>> ConsentStore::lookup(DecisionKind kind, const WidgetScope &scope)
{
    auto s = m_db.prepare("SELECT item, allowed FROM decisions WHERE kind = ?1 AND user_id = ?2 AND room_id = ?3 "
                          "AND widget_id = ?4 AND origin = ?5 AND url = ?6",
                          toString(kind), scope.userId, scope.roomId, scope.widgetId, scope.origin, scope.url);
    if (!s)
        return s.error();
    std::map<std::string, bool> out;
    TRY(s->forEachRow(
        [&](const storage::Statement &row) { out.emplace(std::string(row.columnText(0)), row.columnInt64(1) != 0); }));
    return out;
}

Result<void> ConsentStore::remember(std::vector<RememberedDecision> &decisions)
{
    if (decisions.empty())
        return {};
    auto tx = m_db.begin();
    if (!tx)
        return tx.error();
    auto s = m_db.prepare(
        "INSERT INTO decisions (kind, user_id, room_id, widget_id, origin, url, item, allowed, decided_at_ms, detail) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
        "ON CONFLICT (kind, user_id, room_id, widget_id, origin, url, item) "
        "DO UPDATE SET allowed = excluded.allowed, decided_at_ms = excluded.decided_at_ms, detail = excluded.detail "
        "RETURNING id");
    if (!s)
        return s.error();
    for (auto &d : decisions) {
        s->reset();
        TRY(s->bindAll(toString(d.kind), d.scope.userId, d.scope.roomId, d.scope.widgetId, d.scope.origin,
                       d.scope.url, d.item, d.allowed ? 1 : 0, d.decidedAtMs, d.detailJson));
        auto id = s->singleRow([](const storage::Statement &row) { return row.columnInt64(0); });
        if (!id)
            return id.error();
        if (!*id)
            return Error(ErrorCode::Internal, "saving a consent decision returned no row id");
        d.id = **id;
    }
    return tx->commit();
}

Result<std::vector<RememberedDecision>> ConsentStore::list(const std::string &userId)
{
    auto s = m_db.prepare("SELECT " + std::string(kDecisionColumns)
                              + " FROM decisions WHERE ?1 = '' OR user_id = ?1 ORDER BY decided_at_ms DESC, id DESC",
                          userId);
    if (!s)
        return s.error();
    std::vector<RememberedDecision> out;
    TRY(s->forEachRow([&](const storage::Statement &row) { out.push_back(readDecision(row)); }));
    return out;
}

Result<std::optional<RememberedDecision>> ConsentStore::get(std::int64_t id)
{
    auto s = m_db.prepare("SELECT " + std::string(kDecisionColumns) + " FROM decisions WHERE id = ?1", id);
    if (!s)
        return s.error();
    return s->singleRow(readDecision);
}

Result<RememberedDecision> ConsentStore::remove(std::int64_t id)
{
    auto tx = m_db.begin();
    if (!tx)
        return tx.error();
    auto s = m_db.prepare("DELETE FROM decisions WHERE id = ?1 RETURNING " + std::string(kDecisionColumns), id);
    if (!s)
        return s.error();
    auto removed = s->singleRow(readDecision);
    if (!removed)
        return removed.error();
    if (!*removed)
        return Error(ErrorCode::NotFound, "no remembered decision has the id " + std::to_string(id));
    TRY(tx->commit());
    return std::move(**removed);
}

Result<std::vector<RememberedDecision>> ConsentStore::removeScope(const WidgetScope &scope)
{
    auto tx = m_db.begin();
    if (!tx)
        return tx.error();
    auto s = m_db.prepare("DELETE FROM decisions WHERE kind IN ('capability', 'openid') AND user_id = ?1 AND "
                          "room_id = ?2 AND widget_id = ?3 AND origin = ?4 AND url = ?5 RETURNING "
                              + std::string(kDecisionColumns),
                          scope.userId, scope.roomId, scope.widgetId, scope.origin, scope.url);
    if (!s)
        return s.error();
    std::vector<RememberedDecision> removed;
    TRY(s->forEachRow([&](const storage::Statement &row) { removed.push_back(readDecision(row)); }));
    TRY(tx->commit());
    return removed;
}

Result<void> ConsentStore::addRule(StandingRule &rule)
{
    auto tx = m_db.begin();
    if (!tx)
        return tx.error();
    auto s = m_db.prepare("INSERT INTO rules (user_id, kind, subject, room_id, created_at_ms) VALUES (?1, ?2, ?3, ?4, ?5) "
                          "ON CONFLICT DO NOTHING RETURNING id",
                          rule.userId, toString(rule.kind), rule.subject, rule.roomId, rule.createdAtMs);
    if (!s)
        return s.error();
    auto id = s->singleRow([](const storage::Statement &row) { return row.columnInt64(0); });
    if (!id)
        return id.error();
    if (!*id)
        return Error(ErrorCode::Conflict, "this standing rule already exists");
    rule.id = **id;
    return tx->commit();
}

Result<std::vector<StandingRule>> ConsentStore::listRules(const std::string &userId)
{
    auto s = m_db.prepare("SELECT id, user_id, kind, subject, room_id, created_at_ms FROM rules "
                          "WHERE ?1 = '' OR user_id = ?1 ORDER BY id",
                          userId);
    if (!s)
        return s.error();
    std::vector<StandingRule> out;
    TRY(s->forEachRow([&](const storage::Statement &row) { out.push_back(readRule(row)); }));
    return out;
}

Result<StandingRule> ConsentStore::removeRule(std::int64_t id)
{
    auto tx = m_db.begin();
    if (!tx)
        return tx.error();
    auto s = m_db.prepare(
        "DELETE FROM rules WHERE id = ?1 RETURNING id, user_id, kind, subject, room_id, created_at_ms", id);
    if (!s)
        return s.error();
    auto removed = s->singleRow(readRule);
    if (!removed)
        return removed.error();
    if (!*removed)
        return Error(ErrorCode::NotFound, "no standing rule has the id " + std::to_string(id));
    TRY(tx->commit());
    return std::move(**removed);
}

} // namespace tessera::consent
