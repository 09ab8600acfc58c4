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
        auto st = m_db.prepare("SELECT parent_delay_id FROM delayed_events WHERE delay_id = ?1");
        if (!st)
            return std::move(st).error();
        TRY(st->bindText(1, *request.parentDelayId));
        auto row = st->step();
        if (!row)
            return std::move(row).error();
        if (!*row)
            return matrixError(404, "M_NOT_FOUND", "Delayed event " + *request.parentDelayId + " not found");
        if (!st->isNull(0))
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
    auto st = m_db.prepare("INSERT INTO delayed_events (delay_id, room_id, type, state_key, content, delay_ms, "
                           "due_ms, parent_delay_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    if (!st)
        return std::move(st).error();
    TRY(st->bindText(1, delayId));
    TRY(st->bindText(2, request.roomId));
    TRY(st->bindText(3, request.type));
    TRY(request.stateKey ? st->bindText(4, *request.stateKey) : st->bindNull(4));
    TRY(st->bindText(5, request.content.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
    TRY(st->bindInt64(6, delayMs));
    TRY(request.parentDelayId ? st->bindNull(7) : st->bindInt64(7, m_scheduler.wallClockMs() + delayMs));
    TRY(request.parentDelayId ? st->bindText(8, *request.parentDelayId) : st->bindNull(8));
    TRY(st->run());
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
        auto st = m_db.prepare("SELECT delay_id FROM delayed_events WHERE parent_delay_id = ?1 ORDER BY rowid");
        if (!st)
            return std::move(st).error();
        TRY(st->bindText(1, delayId));
        for (;;) {
            auto row = st->step();
            if (!row)
                return std::move(row).error();
            if (!*row)
                break;
            ids.emplace_back(st->columnText(0));
        }
    }
    for (const auto &id : ids) {
        auto st = m_db.prepare("SELECT room_id, type, state_key, content FROM delayed_events WHERE delay_id = ?1");
        if (!st)
            return std::move(st).error();
        TRY(st->bindText(1, id));
        auto row = st->step();
        if (!row)
            return std::move(row).error();
        if (!*row)
            continue;
        SendRequest request;
        request.roomId = std::string(st->columnText(0));
        request.type = std::string(st->columnText(1));
        if (!st->isNull(2))
            request.stateKey = std::string(st->columnText(2));
        request.content = nlohmann::json::parse(st->columnText(3), nullptr, false);
        if (request.content.is_discarded())
            request.content = nlohmann::json::object();
        st->reset();
        // A delayed event the user may no longer send is dropped, as a server drops it.
        (void)sendNow(request, changes);
        auto del = m_db.prepare("DELETE FROM delayed_events WHERE delay_id = ?1");
        if (!del)
            return std::move(del).error();
        TRY(del->bindText(1, id));
        TRY(del->run());
    }
    return {};
}

Result<void> LocalBackend::updateDelayedTx(const std::string &delayId, DelayedEventAction action, Changes &changes)
{
    auto st = m_db.prepare("SELECT delay_ms, parent_delay_id FROM delayed_events WHERE delay_id = ?1");
    if (!st)
        return std::move(st).error();
    TRY(st->bindText(1, delayId));
    auto row = st->step();
    if (!row)
        return std::move(row).error();
    if (!*row)
        return matrixError(404, "M_NOT_FOUND", "Delayed event " + delayId + " not found");
    const std::int64_t delayMs = st->columnInt64(0);
    const bool isChild = !st->isNull(1);
    st->reset();
    switch (action) {
    case DelayedEventAction::Cancel: {
        auto del = m_db.prepare("DELETE FROM delayed_events WHERE delay_id = ?1 OR parent_delay_id = ?1");
        if (!del)
            return std::move(del).error();
        TRY(del->bindText(1, delayId));
        TRY(del->run());
        if (auto it = m_delayTimers.find(delayId); it != m_delayTimers.end()) {
            m_scheduler.cancel(it->second);
            m_delayTimers.erase(it);
        }
        return {};
    }
    case DelayedEventAction::Restart: {
        if (isChild)
            return matrixError(400, "M_INVALID_PARAM", "A delayed event with a parent has no timer to restart");
        auto up = m_db.prepare("UPDATE delayed_events SET due_ms = ?2 WHERE delay_id = ?1");
        if (!up)
            return std::move(up).error();
        TRY(up->bindText(1, delayId));
        TRY(up->bindInt64(2, m_scheduler.wallClockMs() + delayMs));
        TRY(up->run());
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
    for (;;) {
        auto row = st->step();
        if (!row)
            return std::move(row).error();
        if (!*row)
            break;
        armDelayTimer(std::string(st->columnText(0)), std::max<std::int64_t>(0, st->columnInt64(1) - now));
    }
    return {};
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
