// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The Matrix backend's sync loop: the filter, long-polling /sync with backoff, applying a
// response to the room cache, and telling the listeners in order once encrypted events are decrypted.

#include "matrix/matrixbackend.h"
#include "matrix/matrixbackend_internal.h"

#include <algorithm>
#include <set>

#include "util/log.h"

namespace tessera::matrix {

// --- sync -------------------------------------------------------------------------------------

void MatrixBackend::start()
{
    if (!m_session || m_running)
        return;
    m_running = true;
    m_syncedSinceStart = false;
    scheduleRefresh();
    setSyncState(SyncState::Syncing);
    if (m_options.crypto && !encryptionReady()) {
        // No sync before the crypto store is open: a sync acknowledges to-device messages (room
        // keys), which must reach the store first.
        startEncryption();
        pumpOutbox();
        return;
    }
    ensureFilterThenSync();
    pumpOutbox();
}

void MatrixBackend::stop()
{
    m_running = false;
    if (m_syncRequest)
        cancelCall(*m_syncRequest);
    m_syncRequest.reset();
    if (m_syncTimer)
        m_scheduler.cancel(*m_syncTimer);
    m_syncTimer.reset();
    if (m_outboxRequest)
        cancelCall(*m_outboxRequest);
    m_outboxRequest.reset();
    m_outboxSeq.reset();
    dropWithdrawnInFlight("Tessera stopped sending before the homeserver answered; the event may still appear");
    if (m_outboxTimer)
        m_scheduler.cancel(*m_outboxTimer);
    m_outboxTimer.reset();
    m_outboxRetrySeq.reset();
    if (m_refreshTimer)
        m_scheduler.cancel(*m_refreshTimer);
    m_refreshTimer.reset();
    if (m_syncStatus.state != SyncState::LoggedOut)
        setSyncState(SyncState::Stopped);
}

void MatrixBackend::setSyncState(SyncState state, const std::string &error)
{
    m_syncStatus.state = state;
    if (!error.empty())
        m_syncStatus.lastError = scrub(error);
    if (m_onSyncStatus)
        m_onSyncStatus(m_syncStatus);
}

std::string MatrixBackend::syncToken() const
{
    auto t = m_store->setting("next_batch");
    return t && *t ? **t : std::string();
}

std::int64_t MatrixBackend::backoffMs(int failures) const
{
    std::int64_t delay = m_options.initialBackoffMs;
    for (int i = 1; i < failures && delay < m_options.maxBackoffMs; ++i)
        delay *= 2;
    return std::min(delay, m_options.maxBackoffMs);
}

void MatrixBackend::ensureFilterThenSync()
{
    const nlohmann::json filter = {
        {"room",
         {{"timeline", {{"limit", m_options.syncTimelineLimit}}},
          {"state", {{"lazy_load_members", true}}},
          {"ephemeral", {{"types", nlohmann::json::array()}}}}},
        {"presence", {{"types", nlohmann::json::array()}}},
        {"account_data", {{"types", nlohmann::json::array()}}},
    };
    const std::string filterJson = filter.dump();
    auto storedJson = m_store->setting("filter_json");
    auto storedId = m_store->setting("filter_id");
    if (storedJson && storedId && *storedJson && *storedId && **storedJson == filterJson) {
        m_filter = **storedId;
        syncOnce();
        return;
    }
    ApiCall call;
    call.method = "POST";
    call.path = std::string(kClient) + "/user/" + ClientApi::segment(m_session->userId) + "/filter";
    call.body = filter;
    api(call, [this, filterJson](Result<ApiResponse> r) {
        if (!m_running)
            return;
        if (r && r->json.contains("filter_id") && r->json["filter_id"].is_string()) {
            m_filter = r->json["filter_id"].get<std::string>();
            (void)m_store->setSetting("filter_json", filterJson);
            (void)m_store->setSetting("filter_id", m_filter);
        } else {
            // Servers without filter storage take the filter inline.
            m_filter = filterJson;
            if (!r)
                logLine(LogLevel::Info, "sync filter not stored on the server, sending it inline: " + r.error().message);
        }
        syncOnce();
    });
}

void MatrixBackend::scheduleSync(std::int64_t delayMs)
{
    if (m_syncTimer)
        m_scheduler.cancel(*m_syncTimer);
    m_syncTimer = m_scheduler.schedule(delayMs, [this] {
        m_syncTimer.reset();
        syncOnce();
    });
}

void MatrixBackend::syncOnce()
{
    if (!m_running || m_syncRequest)
        return;
    const std::string since = syncToken();
    ApiCall call;
    call.path = std::string(kClient) + "/sync";
    call.query = {{"filter", m_filter}, {"timeout", since.empty() ? "0" : std::to_string(m_options.syncTimeoutMs)}};
    if (!since.empty())
        call.query.emplace_back("since", since);
    call.timeoutMs = m_options.syncTimeoutMs + kSyncMarginMs;
    call.maxResponseBytes = kMaxSyncResponseBytes;
    if (call.timeoutMs <= 0)
        call.timeoutMs = kSyncMarginMs;
    m_syncRequest = api(call, [this](Result<ApiResponse> r) { onSyncResult(std::move(r)); });
}

void MatrixBackend::onSyncResult(Result<ApiResponse> result)
{
    m_syncRequest.reset();
    if (!m_running)
        return;
    if (!result)
        return syncFailed(result.error());
    if (!m_encryption)
        return finishSync(result->json, nullptr);
    // The machine takes the to-device events, device lists and key counts into its store before
    // this sync's token is stored: a crash in between replays the sync, never loses a room key.
    auto response = std::make_shared<nlohmann::json>(std::move(result->json));
    m_encryption->receiveSync(*response, [alive = std::weak_ptr<int>(m_alive), this,
                                          response](Result<std::vector<ReceivedToDevice>> toDevice) {
        if (!alive.lock() || !m_running)
            return; // not stored: the next sync starts from the stored token and brings it again
        if (!toDevice)
            return syncFailed(Error(toDevice.error().code,
                                    "the encryption engine could not take the sync: " + toDevice.error().message));
        finishSync(*response, &*toDevice);
    });
}

void MatrixBackend::finishSync(const nlohmann::json &response, const std::vector<ReceivedToDevice> *toDevice)
{
    if (auto applied = applySync(response, toDevice); !applied)
        return syncFailed(Error(applied.error().code, "the sync could not be stored: " + applied.error().message));
    ++m_completedSyncs;
    m_syncStatus.consecutiveFailures = 0;
    // The first sync after start() is news too: the client is connected now.
    if (m_syncStatus.state != SyncState::Syncing || !m_syncedSinceStart)
        setSyncState(SyncState::Syncing);
    m_syncedSinceStart = true;
    scheduleSync(0);
}

void MatrixBackend::syncFailed(const Error &e)
{
    if (e.matrixApiError && e.matrixApiError->httpStatus == 401) {
        logLine(LogLevel::Warning, "the homeserver rejected the access token (" + errcodeOf(e) + "); log in again");
        m_running = false;
        setSyncState(SyncState::LoggedOut, e.message);
        return;
    }
    ++m_syncStatus.consecutiveFailures;
    std::int64_t delay = backoffMs(m_syncStatus.consecutiveFailures);
    if (auto after = retryAfterMs(e))
        delay = std::min(*after, m_options.maxRetryAfterMs);
    logLine(LogLevel::Info, "sync failed (" + std::to_string(m_syncStatus.consecutiveFailures) + " in a row), next try in " +
                                std::to_string(delay) + " ms: " + e.message);
    setSyncState(SyncState::Backoff, e.message);
    scheduleSync(delay);
}

Result<void> MatrixBackend::applySync(const nlohmann::json &response, const std::vector<ReceivedToDevice> *toDevice)
{
    if (!response.is_object())
        return Error(ErrorCode::Corrupt, "a sync response must be a JSON object");
    const auto nextBatch = response.find("next_batch");
    if (nextBatch == response.end() || !nextBatch->is_string())
        return Error(ErrorCode::Corrupt, "the sync response has no next_batch");

    const std::int64_t now = m_scheduler.wallClockMs();
    std::vector<nlohmann::json> newEvents;
    std::vector<nlohmann::json> stateChanges;
    std::vector<std::string> gaps;
    std::set<std::string> roomsChanged;
    std::vector<std::string> roomsWithAccountData; // rooms whose account data this sync brings up to date
    auto tx = m_cacheDb.begin();
    if (!tx)
        return std::move(tx).error();

    // What the room list shows: a change of these is a room change. Members count for a room
    // named after its members (neither name nor alias).
    bool unnamed = false;
    auto isInfoType = [this, &unnamed](const nlohmann::json &ev) {
        const std::string type = jsonString(ev, "type");
        return type == "m.room.name" || type == "m.room.topic" || type == "m.room.encryption" ||
               type == "m.room.canonical_alias" || type == "m.room.avatar" ||
               (type == "m.room.member" && (unnamed || jsonString(ev, "state_key") == userId()));
    };

    auto applyRoom = [&](const std::string &roomId, const nlohmann::json &room, Membership section) -> Result<void> {
        auto before = m_store->room(roomId);
        if (!before)
            return std::move(before).error();
        if (!*before || (*before)->membership != section)
            roomsChanged.insert(roomId);
        unnamed = !*before || ((*before)->name.empty() && (*before)->canonicalAlias.empty());
        TRY(m_store->setMembership(roomId, section));
        if (!room.is_object())
            return {};
        if (auto summary = room.find("summary"); summary != room.end() && summary->is_object() && !summary->empty()) {
            TRY(m_store->setSummary(roomId, *summary));
            roomsChanged.insert(roomId);
        }
        const char *stateKey = section == Membership::Invite ? "invite_state" : "state";
        if (auto st = room.find(stateKey); st != room.end() && st->is_object()) {
            for (auto ev : st->value("events", nlohmann::json::array())) {
                if (!ev.is_object() || !stateKeyOf(ev))
                    continue;
                ev["room_id"] = roomId;
                TRY(m_store->putState(ev));
                if (isInfoType(ev))
                    roomsChanged.insert(roomId);
                stateChanges.push_back(std::move(ev));
            }
        }
        if (auto tl = room.find("timeline"); tl != room.end() && tl->is_object()) {
            const bool limited = tl->value("limited", false);
            const auto prevBatch = tl->find("prev_batch");
            auto count = m_store->timelineCount(roomId);
            if (!count)
                return std::move(count).error();
            if (limited && *count > 0) {
                TRY(m_store->clearTimeline(roomId)); // a gap: the cache stays contiguous, older pages come from /messages
                gaps.push_back(roomId);
            }
            if ((limited || *count == 0) && prevBatch != tl->end() && prevBatch->is_string())
                TRY(m_store->setBackfillToken(roomId, prevBatch->get<std::string>()));
            for (auto ev : tl->value("events", nlohmann::json::array())) {
                if (!ev.is_object() || !ev.contains("event_id"))
                    continue;
                ev["room_id"] = roomId;
                std::int64_t age = 0;
                if (auto u = ev.find("unsigned"); u != ev.end() && u->is_object() && u->contains("age") &&
                                                   (*u)["age"].is_number_integer())
                    age = std::max<std::int64_t>(0, (*u)["age"].get<std::int64_t>());
                auto added = m_store->appendEvent(ev, now - age);
                if (!added)
                    return std::move(added).error();
                if (!*added)
                    continue; // already cached (a replayed batch)
                if (stateKeyOf(ev)) {
                    nlohmann::json current = ev;
                    if (current.contains("unsigned") && current["unsigned"].is_object())
                        current["unsigned"].erase("age");
                    TRY(m_store->putState(current));
                    if (isInfoType(ev))
                        roomsChanged.insert(roomId);
                }
                if (jsonString(ev, "type") == "m.room.redaction") {
                    std::string target = jsonString(ev, "redacts");
                    if (target.empty() && ev.contains("content") && ev["content"].is_object())
                        target = jsonString(ev["content"], "redacts");
                    if (!target.empty()) {
                        auto redacted = m_store->redact(roomId, target, ev);
                        if (!redacted)
                            return std::move(redacted).error();
                    }
                }
                if (auto u = ev.find("unsigned"); u != ev.end() && u->is_object())
                    (*u)["age"] = age;
                newEvents.push_back(std::move(ev));
            }
        }
        if (auto ad = room.find("account_data"); ad != room.end() && ad->is_object()) {
            for (const auto &ev : ad->value("events", nlohmann::json::array())) {
                if (ev.is_object() && ev.contains("type") && ev["type"].is_string() && ev.contains("content"))
                    TRY(m_store->putRoomAccountData(roomId, ev["type"].get<std::string>(), ev["content"]));
            }
        }
        return {};
    };

    if (auto rooms = response.find("rooms"); rooms != response.end() && rooms->is_object()) {
        const std::pair<const char *, Membership> sections[] = {
            {"join", Membership::Join}, {"invite", Membership::Invite}, {"leave", Membership::Leave}};
        for (const auto &[name, membership] : sections) {
            const auto section = rooms->find(name);
            if (section == rooms->end() || !section->is_object())
                continue;
            for (auto it = section->begin(); it != section->end(); ++it) {
                Membership m = membership;
                if (m == Membership::Leave && it->is_object() && it->contains("timeline") && (*it)["timeline"].is_object()) {
                    // "leave" also carries bans; the user's own member event says which
                    for (const auto &ev : (*it)["timeline"].value("events", nlohmann::json::array())) {
                        if (ev.is_object() && jsonString(ev, "type") == "m.room.member" && jsonString(ev, "state_key") == userId() &&
                            ev.contains("content") && jsonString(ev["content"], "membership") == "ban")
                            m = Membership::Ban;
                    }
                }
                TRY(applyRoom(it.key(), it.value(), m));
                if (membership != Membership::Invite) // an invite carries no account data
                    roomsWithAccountData.push_back(it.key());
            }
        }
    }
    TRY(m_store->setSetting("next_batch", nextBatch->get<std::string>()));
    TRY(tx->commit());
    m_syncedRooms.insert(roomsWithAccountData.begin(), roomsWithAccountData.end());

    if (m_encryption) {
        // New members (and rooms that became encrypted) need their devices tracked.
        std::set<std::string> stateRooms;
        for (const auto &ev : stateChanges)
            stateRooms.insert(jsonString(ev, "room_id"));
        for (const auto &ev : newEvents) {
            if (stateKeyOf(ev))
                stateRooms.insert(jsonString(ev, "room_id"));
        }
        trackEncryptedRooms(stateRooms);
    }

    EmitBatch batch;
    batch.gaps = std::move(gaps);
    batch.stateChanges = std::move(stateChanges);
    batch.events = std::move(newEvents);
    batch.roomsChanged = std::move(roomsChanged);
    if (toDevice) {
        for (const auto &received : *toDevice) {
            nlohmann::json message = received.message;
            message["encrypted"] = received.encrypted;
            batch.toDevice.push_back(std::move(message));
        }
    } else if (auto td = response.find("to_device"); td != response.end() && td->is_object()) {
        for (const auto &ev : td->value("events", nlohmann::json::array())) {
            if (ev.is_object() && ev.contains("type") && ev["type"].is_string())
                batch.toDevice.push_back({{"sender", jsonString(ev, "sender")},
                                          {"type", ev["type"]},
                                          {"content", ev.value("content", nlohmann::json::object())},
                                          {"encrypted", false}});
        }
    }
    queueEmit(std::move(batch));
    return {};
}

// --- telling the listeners, in order, after decryption ------------------------------------------

void MatrixBackend::queueEmit(EmitBatch batch)
{
    m_emits.push_back(std::make_unique<EmitBatch>(std::move(batch)));
    pumpEmits();
}

void MatrixBackend::pumpEmits()
{
    while (!m_emitBusy && !m_emits.empty()) {
        EmitBatch &head = *m_emits.front();
        if (m_encryption && !head.decrypted) {
            std::vector<std::size_t> encrypted;
            for (std::size_t i = 0; i < head.events.size(); ++i) {
                if (jsonString(head.events[i], "type") == "m.room.encrypted")
                    encrypted.push_back(i);
            }
            head.decrypted = true;
            if (!encrypted.empty()) {
                std::vector<nlohmann::json> events;
                for (std::size_t i : encrypted)
                    events.push_back(head.events[i]);
                m_emitBusy = true;
                m_encryption->decryptRoomEvents(std::move(events), [alive = std::weak_ptr<int>(m_alive), this, encrypted](
                                                                       Result<std::vector<DecryptedEvent>> r) {
                    if (!alive.lock())
                        return;
                    m_emitBusy = false;
                    if (r && !m_emits.empty()) {
                        for (std::size_t k = 0; k < encrypted.size() && k < r->size(); ++k) {
                            if ((*r)[k].event.is_object())
                                m_emits.front()->events[encrypted[k]] = std::move((*r)[k].event);
                        }
                    }
                    pumpEmits();
                });
                return;
            }
        }
        std::unique_ptr<EmitBatch> batch = std::move(m_emits.front());
        m_emits.pop_front();
        for (const auto &roomId : batch->gaps)
            m_listeners.emitTimelineGap(roomId);
        for (const auto &ev : batch->stateChanges)
            m_listeners.emitStateChanged(ev);
        for (const auto &ev : batch->events) {
            m_listeners.emitEvent(ev);
            if (stateKeyOf(ev))
                m_listeners.emitStateChanged(ev);
        }
        for (const auto &roomId : batch->roomsChanged) {
            if (auto info = room(roomId))
                m_listeners.emitRoomChanged(*info);
        }
        for (const auto &message : batch->toDevice)
            m_listeners.emitToDevice(message);
    }
}

} // namespace tessera::matrix
