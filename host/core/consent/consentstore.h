// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "consent/consenttypes.h"
#include "storage/database.h"
#include "util/result.h"

namespace tessera::consent {

/** The schema of consent.db, oldest step first. Steps are never edited; a change is a new step. */
std::span<const storage::Migration> consentMigrations();

/**
 * @brief Remembered decisions and standing rules in consent.db (SQLite, WAL, full durability).
 *
 * Every write is one transaction that has committed when the call returns, so a decision
 * acknowledged afterwards survives kill -9. It stores and finds; it does not decide, prompt or
 * audit (ConsentService does). Single-threaded, like its Database.
 */
class ConsentStore {
public:
    /** Opens (creating and migrating) <dataDir>/consent.db. */
    static Result<ConsentStore> open(const std::filesystem::path &dataDir);
    explicit ConsentStore(storage::Database db) : m_db(std::move(db)) {}

    /** The remembered decisions of @p kind for the key given by @p scope (see RememberedDecision), by item. */
    Result<std::map<std::string, bool>> lookup(DecisionKind kind, const WidgetScope &scope);
    /** Inserts or replaces @p decisions (matched on kind, scope and item) in one transaction; fills ids. */
    Result<void> remember(std::vector<RememberedDecision> &decisions);
    /** Every remembered decision of @p userId (all users when empty), newest first. */
    Result<std::vector<RememberedDecision>> list(const std::string &userId);
    Result<std::optional<RememberedDecision>> get(std::int64_t id);
    /** Removes one decision; NotFound if it does not exist. Returns what was removed. */
    Result<RememberedDecision> remove(std::int64_t id);
    /** Removes every capability and OpenID decision of @p scope; returns what was removed. */
    Result<std::vector<RememberedDecision>> removeScope(const WidgetScope &scope);

    /** Adds @p rule (id and createdAtMs as given; id is filled). Conflict if the same rule exists. */
    Result<void> addRule(StandingRule &rule);
    /** The rules of @p userId (all users when empty), oldest first. */
    Result<std::vector<StandingRule>> listRules(const std::string &userId);
    Result<StandingRule> removeRule(std::int64_t id);

    [[nodiscard]] storage::Database &database() { return m_db; }

private:
    storage::Database m_db;
};

} // namespace tessera::consent
