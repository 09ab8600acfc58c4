// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The Matrix backend's outbox: every send is a durable row first, sent in order, retried while it
// cannot have taken effect, withdrawn on request, and kept as failed when the server refused it.

#include "matrix/matrixbackend.h"
#include "matrix/matrixbackend_internal.h"

#include <algorithm>

#include "util/log.h"

namespace tessera::matrix {

// --- outbox -----------------------------------------------------------------------------------

Result<std::int64_t> MatrixBackend::enqueue(const OutboxRow &row)
{
    // The transaction id is stored (and fsync'ed) before any request carries it: a crash after
    // the server applied the send but before we saw the answer replays the same id, which the
    // server recognises.
    auto st = m_sessionDb.prepare("INSERT INTO outbox (txn_id, kind, room_id, event_type, state_key, target_event_id, "
                                  "body, delay_ms, parent_delay_id, created_ms, encrypt) "
                                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    if (!st)
        return std::move(st).error();
    TRY(st->bindText(1, makeTxnId()));
    TRY(st->bindText(2, row.kind));
    TRY(row.roomId.empty() ? st->bindNull(3) : st->bindText(3, row.roomId));
    TRY(st->bindText(4, row.type));
    TRY(row.stateKey ? st->bindText(5, *row.stateKey) : st->bindNull(5));
    TRY(row.target ? st->bindText(6, *row.target) : st->bindNull(6));
    TRY(st->bindText(7, row.body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
    TRY(row.delayMs ? st->bindInt64(8, *row.delayMs) : st->bindNull(8));
    TRY(row.parentDelayId ? st->bindText(9, *row.parentDelayId) : st->bindNull(9));
    TRY(st->bindInt64(10, m_scheduler.wallClockMs()));
    TRY(st->bindInt64(11, row.encrypt ? 1 : 0));
    TRY(st->run());
    return m_sessionDb.lastInsertRowId();
}

std::size_t MatrixBackend::pendingSends() const
{
    auto st = m_sessionDb.prepare("SELECT COUNT(*) FROM outbox WHERE status = 'pending'");
    if (!st)
        return 0;
    auto row = st->step();
    return row && *row ? static_cast<std::size_t>(st->columnInt64(0)) : 0;
}

std::vector<FailedSend> MatrixBackend::failedSends() const
{
    std::vector<FailedSend> out;
    auto st = m_sessionDb.prepare("SELECT txn_id, kind, room_id, event_type, error FROM outbox WHERE status = 'failed' ORDER BY seq");
    if (!st)
        return out;
    for (;;) {
        auto row = st->step();
        if (!row || !*row)
            break;
        out.push_back({std::string(st->columnText(0)), std::string(st->columnText(1)), std::string(st->columnText(2)),
                       std::string(st->columnText(3)), std::string(st->columnText(4))});
    }
    return out;
}

void MatrixBackend::pumpOutbox()
{
    if (!m_running || !m_session || m_outboxSeq || m_outboxTimer)
        return;
    auto st = m_sessionDb.prepare("SELECT seq, txn_id, kind, room_id, event_type, state_key, target_event_id, body, "
                                  "delay_ms, parent_delay_id, encrypt FROM outbox WHERE status = 'pending' "
                                  "ORDER BY seq LIMIT 1");
    if (!st) {
        logLine(LogLevel::Warning, "the outbox cannot be read: " + st.error().message);
        return;
    }
    auto row = st->step();
    if (!row || !*row)
        return;
    const std::int64_t seq = st->columnInt64(0);
    const std::string txn(st->columnText(1));
    const std::string kind(st->columnText(2));
    const std::string roomId(st->columnText(3));
    const std::string type(st->columnText(4));
    const std::optional<std::string> stateKey = st->isNull(5) ? std::nullopt : std::optional<std::string>(st->columnText(5));
    const std::string target(st->columnText(6));
    nlohmann::json body = nlohmann::json::parse(st->columnText(7), nullptr, false);
    const std::int64_t delayMs = st->isNull(8) ? -1 : st->columnInt64(8); // -1: not delayed
    const std::optional<std::string> parent = st->isNull(9) ? std::nullopt : std::optional<std::string>(st->columnText(9));
    if (body.is_discarded())
        body = nlohmann::json::object();
    if (st->columnInt64(10) != 0) {
        // Encrypted just before it goes out, then sent on the next turn of the pump.
        return encryptOutboxRow(seq, roomId, type, body);
    }

    ApiCall call;
    call.method = "PUT";
    call.body = body;
    const std::string room = "/rooms/" + ClientApi::segment(roomId);
    if (kind == "event")
        call.path = std::string(kClient) + room + "/send/" + ClientApi::segment(type) + "/" + ClientApi::segment(txn);
    else if (kind == "state")
        call.path = std::string(kClient) + room + "/state/" + ClientApi::segment(type) + "/" +
                    ClientApi::segment(stateKey.value_or(""));
    else if (kind == "redaction")
        call.path = std::string(kClient) + room + "/redact/" + ClientApi::segment(target) + "/" + ClientApi::segment(txn);
    else
        call.path = std::string(kClient) + "/sendToDevice/" + ClientApi::segment(type) + "/" + ClientApi::segment(txn);
    if (delayMs >= 0)
        call.query.emplace_back("org.matrix.msc4140.delay", std::to_string(delayMs));
    if (parent)
        call.query.emplace_back("org.matrix.msc4140.parent_delay_id", *parent);

    call.timeoutMs = m_options.requestTimeoutMs;
    m_outboxSeq = seq;
    m_outboxRequest = api(call, [this, seq](Result<ApiResponse> r) { onOutboxResult(seq, std::move(r)); });
}

void MatrixBackend::encryptOutboxRow(std::int64_t seq, const std::string &roomId, const std::string &type,
                                     const nlohmann::json &body)
{
    if (!encryptionReady()) {
        if (!m_options.crypto) {
            // Without an encryption engine nothing goes into an encrypted room in the clear.
            finishOutbox(seq, Error(ErrorCode::Unsupported, "the room is encrypted and this Tessera cannot encrypt"));
            return pumpOutbox();
        }
        return; // startEncryption() pumps the outbox once the store is open
    }
    m_outboxSeq = seq;
    m_encryption->encryptRoomEvent(roomId, type, body, [alive = std::weak_ptr<int>(m_alive), this, seq](Result<nlohmann::json> r) {
        if (!alive.lock())
            return;
        if (m_outboxSeq != seq)
            return; // withdrawn (or stopped) while it was being encrypted: the outbox moved on
        m_outboxSeq.reset();
        if (!m_running)
            return;
        if (!r) {
            // A failed key share (no answer, 5xx, 429) is retried like a failed send; a refusal is final.
            Error e = std::move(r).error();
            e.message = "the event could not be encrypted: " + e.message;
            return onOutboxResult(seq, std::move(e));
        }
        // The row now holds the ciphertext: a crash from here on sends exactly this, with the same
        // transaction id, and the plain text is gone from the outbox.
        auto up = m_sessionDb.prepare("UPDATE outbox SET event_type = 'm.room.encrypted', body = ?2, encrypt = 0 "
                                      "WHERE seq = ?1");
        auto stored = [&]() -> Result<void> {
            if (!up)
                return std::move(up).error();
            TRY(up->bindInt64(1, seq));
            TRY(up->bindText(2, r->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
            return up->run();
        }();
        if (!stored) {
            logLine(LogLevel::Warning, "an encrypted event could not be stored in the outbox: " + stored.error().message);
            finishOutbox(seq, Error(stored.error().code, "the encrypted event could not be stored: " + stored.error().message));
        }
        pumpOutbox();
    });
}

namespace {
/** Whether a failed attempt may still have been applied by the server (no answer says it was not). */
bool mayHaveTakenEffect(const Error &e)
{
    if (net::neverSent(e))
        return false;
    if (e.matrixApiError) {
        const int status = e.matrixApiError->httpStatus;
        return status != 429 && status != 503 && status != 401;
    }
    return true;
}
} // namespace

void MatrixBackend::onOutboxResult(std::int64_t seq, Result<ApiResponse> result)
{
    m_outboxSeq.reset();
    m_outboxRequest.reset();
    if (m_outboxLastAttempt.erase(seq)) {
        // Withdrawn while this request was on the wire: its answer is the outcome, whatever it is.
        if (result)
            m_outboxFailures = 0;
        logLine(LogLevel::Info, std::string("a withdrawn send's last request ") +
                                    (result ? "was accepted" : "failed: " + result.error().message));
        finishOutbox(seq, std::move(result), false);
        pumpOutbox();
        return;
    }
    if (result || !isTransient(result.error())) {
        if (!result && result.error().matrixApiError && result.error().matrixApiError->httpStatus == 401) {
            // the session is gone; keep the send for after the next login
            logLine(LogLevel::Warning, "a send was refused because the access token is no longer valid");
            return;
        }
        m_outboxFailures = 0;
        finishOutbox(seq, std::move(result));
        pumpOutbox();
        return;
    }
    const Error &e = result.error();
    if (mayHaveTakenEffect(e))
        m_outboxMaybeArrived.insert(seq);
    ++m_outboxFailures;
    auto up = m_sessionDb.prepare("UPDATE outbox SET attempts = attempts + 1 WHERE seq = ?1");
    if (up && up->bindInt64(1, seq))
        (void)up->run();
    std::int64_t delay = backoffMs(m_outboxFailures);
    if (auto after = retryAfterMs(e))
        delay = std::min(*after, m_options.maxRetryAfterMs);
    logLine(LogLevel::Info, "a send failed (" + std::to_string(m_outboxFailures) + " in a row), retrying with the same "
                            "transaction id in " + std::to_string(delay) + " ms: " + e.message);
    m_outboxRetrySeq = seq;
    m_outboxTimer = m_scheduler.schedule(delay, [this] {
        m_outboxTimer.reset();
        m_outboxRetrySeq.reset();
        pumpOutbox();
    });
}

void MatrixBackend::finishOutbox(std::int64_t seq, Result<ApiResponse> result, bool keepRefused)
{
    if (auto key = m_outboxKeys.find(seq); key != m_outboxKeys.end()) {
        if (!result && keepRefused)
            m_failedKeys[key->second] = seq;
        m_outboxKeys.erase(key);
    }
    m_outboxMaybeArrived.erase(seq);
    if (result || !keepRefused) {
        (void)deleteOutboxRow(seq);
    } else {
        auto up = m_sessionDb.prepare("UPDATE outbox SET status = 'failed', error = ?2 WHERE seq = ?1");
        if (up && up->bindInt64(1, seq) && up->bindText(2, scrub(result.error().message)))
            (void)up->run();
        logLine(LogLevel::Warning, "the homeserver refused a send: " + result.error().message);
    }
    auto it = m_outboxWaiters.find(seq);
    if (it == m_outboxWaiters.end())
        return;
    auto waiter = std::move(it->second);
    m_outboxWaiters.erase(it);
    waiter(std::move(result));
}

Withdrawal MatrixBackend::withdrawSend(const std::string &sendKey)
{
    if (sendKey.empty())
        return Withdrawal::Unknown;
    auto key = std::find_if(m_outboxKeys.begin(), m_outboxKeys.end(), [&](const auto &k) { return k.second == sendKey; });
    if (key == m_outboxKeys.end())
        return Withdrawal::Unknown;
    const std::int64_t seq = key->first;
    if (m_outboxLastAttempt.count(seq))
        return Withdrawal::InFlight;
    if (m_outboxSeq == seq && m_outboxRequest && callOnWire(*m_outboxRequest)) {
        // Cancelling the request now would not unsend it: let its answer decide, and no retry.
        m_outboxLastAttempt.insert(seq);
        logLine(LogLevel::Info, "a send was withdrawn while its request was with the homeserver; its answer decides");
        return Withdrawal::InFlight;
    }
    if (m_outboxSeq == seq) {
        // Waiting for an access token or being encrypted: nothing has left yet.
        if (m_outboxRequest)
            cancelCall(*m_outboxRequest);
        m_outboxRequest.reset();
        m_outboxSeq.reset();
    }
    if (m_outboxTimer && m_outboxRetrySeq == seq) {
        // The wait was for this row's next attempt; the next row need not wait for it.
        m_scheduler.cancel(*m_outboxTimer);
        m_outboxTimer.reset();
        m_outboxRetrySeq.reset();
    }
    const bool maybe = m_outboxMaybeArrived.count(seq) > 0;
    m_outboxKeys.erase(key);
    m_outboxMaybeArrived.erase(seq);
    if (!deleteOutboxRow(seq))
        return Withdrawal::Unknown; // still queued: it will be sent, and its sender hears so
    logLine(LogLevel::Info, maybe ? "a send was withdrawn; an earlier attempt got no answer, so it may still appear"
                                  : "a send was withdrawn before it reached the homeserver");
    if (auto it = m_outboxWaiters.find(seq); it != m_outboxWaiters.end()) {
        auto waiter = std::move(it->second);
        m_outboxWaiters.erase(it);
        m_scheduler.post([waiter = std::move(waiter), maybe] {
            waiter(Error(ErrorCode::Conflict, maybe ? "withdrawn; an earlier attempt may have reached the homeserver"
                                                    : "withdrawn before it reached the homeserver"));
        });
    }
    if (m_running && !m_outboxSeq && !m_outboxTimer)
        m_scheduler.post([alive = std::weak_ptr<int>(m_alive), this] {
            if (alive.lock())
                pumpOutbox();
        });
    return maybe ? Withdrawal::MayHaveArrived : Withdrawal::Withdrawn;
}

bool MatrixBackend::deleteOutboxRow(std::int64_t seq)
{
    auto del = m_sessionDb.prepare("DELETE FROM outbox WHERE seq = ?1");
    if (del && del->bindInt64(1, seq) && del->run())
        return true;
    logLine(LogLevel::Warning, "a send could not be removed from the outbox");
    return false;
}

bool MatrixBackend::forgetFailedSend(const std::string &sendKey)
{
    auto it = m_failedKeys.find(sendKey);
    if (it == m_failedKeys.end())
        return false;
    const std::int64_t seq = it->second;
    m_failedKeys.erase(it);
    auto del = m_sessionDb.prepare("DELETE FROM outbox WHERE seq = ?1 AND status = 'failed'");
    if (!del || !del->bindInt64(1, seq) || !del->run()) {
        logLine(LogLevel::Warning, "a refused send could not be removed from the outbox");
        return false;
    }
    return m_sessionDb.changes() > 0;
}

void MatrixBackend::dropWithdrawnInFlight(const std::string &why)
{
    auto seqs = std::move(m_outboxLastAttempt);
    m_outboxLastAttempt.clear();
    for (std::int64_t seq : seqs) {
        m_outboxKeys.erase(seq);
        m_outboxMaybeArrived.erase(seq);
        (void)deleteOutboxRow(seq);
        auto it = m_outboxWaiters.find(seq);
        if (it == m_outboxWaiters.end())
            continue;
        m_scheduler.post([waiter = std::move(it->second), why] { waiter(Error(ErrorCode::Timeout, why)); });
        m_outboxWaiters.erase(it);
    }
}

} // namespace tessera::matrix
