// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The local backend's delayed events (MSC4140): scheduled in the store, sent by a timer, restarted,
// cancelled or sent at once on request, and restored after a restart.

#include "matrix/localbackend.h"
#include "matrix/localbackend_internal.h"

#include <algorithm>

namespace tessera::matrix {

// --- delayed events (MSC4140) ----------------------------------------------------------------

Result<SendResult> LocalBackend::scheduleDelayed(const SendRequest &request)
{
    TRY(checkEventLimits(request.type, request.stateKey, request.content));
    TRY(requireJoined(request.roomId));
    std::int64_t delayMs = 0;
    if (request.parentDelayId) {
        auto st = m_db.prepare("SELECT parent_delay_id FROM delayed_events WHERE delay_id = ?1",
                               *request.parentDelayId);
        if (!st)
            return std::move(st).error();
        auto hasParent = st->firstRow([](const storage::Statement &row) { return !row.isNull(0); });
        if (!hasParent)
            return std::move(hasParent).error();
        if (!*hasParent)
            return matrixError(404, "M_NOT_FOUND", "Delayed event " + *request.parentDelayId + " not found");
        if (**hasParent)
            return matrixError(400, "M_INVALID_PARAM", "A delayed event with a parent cannot be a parent itself");
    } else {
        delayMs = *request.delayMs;
        if (delayMs < 0)
            return matrixError(400, "M_INVALID_PARAM", "The delay must not be negative");
        if (delayMs > m_options.maxDelayMs) {
            return matrixError(400, "M_MAX_DELAY_EXCEEDED",
                               "The requested delay exceeds the allowed maximum of " +
                                   std::to_string(m_options.maxDelayMs) + " ms",
                               {{"org.matrix.msc4140.max_delay", m_options.maxDelayMs}});
        }
    }
    const std::string delayId = "syd_" + randomToken(15);
    // a child has no timer of its own: it is sent with its parent
    const auto dueMs = request.parentDelayId ? std::nullopt : std::optional(m_scheduler.wallClockMs() + delayMs);
    TRY(m_db.run("INSERT INTO delayed_events (delay_id, room_id, type, state_key, content, delay_ms, due_ms, "
                 "parent_delay_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                 delayId, request.roomId, request.type, request.stateKey,
                 request.content.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), delayMs, dueMs,
                 request.parentDelayId));
    if (!request.parentDelayId)
        armDelayTimer(delayId, delayMs);
    SendResult out;
    out.delayId = delayId;
    return out;
}

void LocalBackend::armDelayTimer(const std::string &delayId, std::int64_t delayMs)
{
    if (auto it = m_delayTimers.find(delayId); it != m_delayTimers.end())
        m_scheduler.cancel(it->second);
    m_delayTimers[delayId] = m_scheduler.schedule(delayMs, [this, delayId] { fireDelayed(delayId); });
}

void LocalBackend::fireDelayed(const std::string &delayId)
{
    m_delayTimers.erase(delayId);
    Changes changes;
    auto tx = m_db.begin();
    if (!tx || !sendDelayedRow(delayId, changes) || !tx->commit()) {
        // the row is still there (nothing committed): try again rather than lose the event
        constexpr std::int64_t kRetryAfterFailureMs = 5'000;
        armDelayTimer(delayId, kRetryAfterFailureMs);
        return;
    }
    publish(std::move(changes));
}

Result<void> LocalBackend::sendDelayedRow(const std::string &delayId, Changes &changes)
{
    // the parent first, then its children, as MSC4140 orders them
    std::vector<std::string> ids = {delayId};
    {
        auto st = m_db.prepare("SELECT delay_id FROM delayed_events WHERE parent_delay_id = ?1 ORDER BY rowid",
                               delayId);
        if (!st)
            return std::move(st).error();
        TRY(st->forEachRow([&](const storage::Statement &row) { ids.emplace_back(row.columnText(0)); }));
    }
    for (const auto &id : ids) {
        auto request = [&]() -> Result<std::optional<SendRequest>> {
            auto st = m_db.prepare("SELECT room_id, type, state_key, content FROM delayed_events WHERE delay_id = ?1",
                                   id);
            if (!st)
                return std::move(st).error();
            return st->firstRow([](const storage::Statement &row) {
                SendRequest r;
                r.roomId = std::string(row.columnText(0));
                r.type = std::string(row.columnText(1));
                r.stateKey = row.optionalText(2);
                r.content = nlohmann::json::parse(row.columnText(3), nullptr, false);
                if (r.content.is_discarded())
                    r.content = nlohmann::json::object();
                return r;
            });
        }();
        if (!request)
            return std::move(request).error();
        if (!*request)
            continue;
        // A delayed event the user may no longer send is dropped, as a server drops it.
        (void)sendNow(**request, changes);
        TRY(m_db.run("DELETE FROM delayed_events WHERE delay_id = ?1", id));
    }
    return {};
}

Result<void> LocalBackend::updateDelayedTx(const std::string &delayId, DelayedEventAction action, Changes &changes)
{
    auto st = m_db.prepare("SELECT delay_ms, parent_delay_id FROM delayed_events WHERE delay_id = ?1", delayId);
    if (!st)
        return std::move(st).error();
    auto row = st->firstRow([](const storage::Statement &r) { return std::pair(r.columnInt64(0), !r.isNull(1)); });
    if (!row)
        return std::move(row).error();
    if (!*row)
        return matrixError(404, "M_NOT_FOUND", "Delayed event " + delayId + " not found");
    const auto [delayMs, isChild] = **row;
    st->reset();
    switch (action) {
    case DelayedEventAction::Cancel: {
        TRY(m_db.run("DELETE FROM delayed_events WHERE delay_id = ?1 OR parent_delay_id = ?1", delayId));
        if (auto it = m_delayTimers.find(delayId); it != m_delayTimers.end()) {
            m_scheduler.cancel(it->second);
            m_delayTimers.erase(it);
        }
        return {};
    }
    case DelayedEventAction::Restart: {
        if (isChild)
            return matrixError(400, "M_INVALID_PARAM", "A delayed event with a parent has no timer to restart");
        TRY(m_db.run("UPDATE delayed_events SET due_ms = ?2 WHERE delay_id = ?1", delayId,
                     m_scheduler.wallClockMs() + delayMs));
        armDelayTimer(delayId, delayMs);
        return {};
    }
    case DelayedEventAction::Send: {
        if (auto it = m_delayTimers.find(delayId); it != m_delayTimers.end()) {
            m_scheduler.cancel(it->second);
            m_delayTimers.erase(it);
        }
        return sendDelayedRow(delayId, changes);
    }
    case DelayedEventAction::Invalid: break;
    }
    return matrixError(400, "M_INVALID_PARAM", "The action must be cancel, restart or send");
}

void LocalBackend::updateDelayedEvent(const std::string &delayId, DelayedEventAction action, Callback<void> done)
{
    Changes changes;
    auto result = [&]() -> Result<void> {
        auto tx = m_db.begin();
        if (!tx)
            return std::move(tx).error();
        TRY(updateDelayedTx(delayId, action, changes));
        return tx->commit();
    }();
    if (!result)
        changes = {};
    reply(std::move(done), std::move(result));
    publish(std::move(changes));
}

Result<void> LocalBackend::restoreDelayedEvents()
{
    auto st = m_db.prepare("SELECT delay_id, due_ms FROM delayed_events WHERE parent_delay_id IS NULL");
    if (!st)
        return std::move(st).error();
    const std::int64_t now = m_scheduler.wallClockMs();
    return st->forEachRow([&](const storage::Statement &row) {
        armDelayTimer(std::string(row.columnText(0)), std::max<std::int64_t>(0, row.columnInt64(1) - now));
    });
}

std::size_t LocalBackend::pendingDelayedEvents()
{
    auto st = m_db.prepare("SELECT COUNT(*) FROM delayed_events");
    if (!st)
        return 0;
    auto row = st->step();
    return row && *row ? static_cast<std::size_t>(st->columnInt64(0)) : 0;
}

} // namespace tessera::matrix
