// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The Matrix backend's rooms: membership, creating and joining, and reading state, timelines,
// relations and room account data from the cache with backfill from the server.

#include "matrix/matrixbackend.h"
#include "matrix/matrixbackend_internal.h"

#include <algorithm>

#include "util/text.h"

namespace tessera::matrix {

// --- rooms ------------------------------------------------------------------------------------

std::string MatrixBackend::userId() const
{
    return m_session ? m_session->userId : std::string();
}

std::string MatrixBackend::deviceId() const
{
    return m_session ? m_session->deviceId : std::string();
}

std::vector<RoomInfo> MatrixBackend::rooms() const
{
    auto r = m_store->rooms(userId());
    return r ? std::move(r).value() : std::vector<RoomInfo>{};
}

std::optional<RoomInfo> MatrixBackend::room(const std::string &roomId) const
{
    auto r = m_store->room(roomId, userId());
    return r ? std::move(r).value() : std::nullopt;
}

std::int64_t MatrixBackend::powerLevel(const std::string &roomId, const std::string &user) const
{
    auto pl = m_store->powerLevels(roomId);
    return pl ? pl->userLevel(user) : 0;
}

bool MatrixBackend::canSendState(const std::string &roomId, const std::string &type) const
{
    auto info = room(roomId);
    if (!info || info->membership != Membership::Join)
        return false;
    auto pl = m_store->powerLevels(roomId);
    return pl && pl->userLevel(userId()) >= pl->requiredFor(type, true);
}

bool MatrixBackend::canSendEvent(const std::string &roomId, const std::string &type) const
{
    auto info = room(roomId);
    if (!info || info->membership != Membership::Join)
        return false;
    auto pl = m_store->powerLevels(roomId);
    return pl && pl->userLevel(userId()) >= pl->requiredFor(type, false);
}

bool MatrixBackend::isEncrypted(const std::string &roomId) const
{
    auto info = room(roomId);
    return info && info->encrypted;
}

void MatrixBackend::createRoom(const CreateRoomRequest &request, Callback<std::string> done)
{
    if (!m_session)
        return post<std::string>(std::move(done), notLoggedIn());
    ApiCall call;
    call.method = "POST";
    call.path = std::string(kClient) + "/createRoom";
    nlohmann::json body = {{"preset", request.preset.empty() ? "private_chat" : request.preset}};
    if (!request.name.empty())
        body["name"] = request.name;
    if (!request.topic.empty())
        body["topic"] = request.topic;
    if (!request.initialState.empty())
        body["initial_state"] = request.initialState;
    if (!request.invite.empty())
        body["invite"] = request.invite;
    call.body = body;
    api(call, [done = std::move(done)](Result<ApiResponse> r) {
        if (!r)
            return done(std::move(r).error());
        const std::string id = jsonString(r->json, "room_id");
        if (id.empty())
            return done(Error(ErrorCode::Corrupt, "the homeserver created a room but did not say its id"));
        done(id);
    });
}

void MatrixBackend::joinRoom(const std::string &roomIdOrAlias, Callback<std::string> done)
{
    if (!m_session)
        return post<std::string>(std::move(done), notLoggedIn());
    ApiCall call;
    call.method = "POST";
    call.path = std::string(kClient) + "/join/" + ClientApi::segment(roomIdOrAlias);
    call.body = nlohmann::json::object();
    api(call, [done = std::move(done)](Result<ApiResponse> r) {
        if (!r)
            return done(std::move(r).error());
        done(jsonString(r->json, "room_id"));
    });
}

void MatrixBackend::leaveRoom(const std::string &roomId, Callback<void> done)
{
    if (!m_session)
        return post<void>(std::move(done), notLoggedIn());
    ApiCall call;
    call.method = "POST";
    call.path = std::string(kClient) + "/rooms/" + ClientApi::segment(roomId) + "/leave";
    call.body = nlohmann::json::object();
    api(call, [done = std::move(done)](Result<ApiResponse> r) {
        if (!r)
            return done(std::move(r).error());
        done(Result<void>());
    });
}

// --- reading ----------------------------------------------------------------------------------

void MatrixBackend::readState(const std::string &roomId, const std::string &type,
                              const std::optional<std::string> &stateKey, Callback<std::vector<nlohmann::json>> done)
{
    auto info = room(roomId);
    // A room the sync brought answers from the cache: all of it for a joined room; for an
    // invitation (or a room left) what the server let the user see, since asking it for the
    // state of a room the user is not in gets 403.
    if (info && info->membership != Membership::Invalid)
        return post(std::move(done), m_store->state(roomId, type, stateKey));
    if (!m_session)
        return post<std::vector<nlohmann::json>>(std::move(done), notLoggedIn());
    // Not synced yet (a room created or joined a moment ago): ask the server.
    ApiCall call;
    call.path = std::string(kClient) + "/rooms/" + ClientApi::segment(roomId) + "/state";
    call.arrayResponse = true;
    api(call, [done = std::move(done), type, stateKey, roomId](Result<ApiResponse> r) {
        if (!r)
            return done(std::move(r).error());
        std::vector<nlohmann::json> out;
        if (r->json.is_array()) {
            for (auto ev : r->json) {
                if (!ev.is_object() || jsonString(ev, "type") != type || !stateKeyOf(ev))
                    continue;
                if (stateKey && *stateKeyOf(ev) != *stateKey)
                    continue;
                if (!ev.contains("room_id"))
                    ev["room_id"] = roomId;
                out.push_back(std::move(ev));
            }
        }
        std::sort(out.begin(), out.end(), [](const nlohmann::json &a, const nlohmann::json &b) {
            return jsonString(a, "state_key") < jsonString(b, "state_key");
        });
        done(std::move(out));
    });
}

void MatrixBackend::continueTimelineRead(std::shared_ptr<TimelineRead> read)
{
    TimelineQuery q = read->query;
    q.limit = read->query.limit - static_cast<int>(read->out.events.size());
    if (read->cursor)
        q.from = RoomStore::tokenFor(*read->cursor);
    // In an encrypted room the cache holds m.room.encrypted events: read those too, decrypt them
    // and apply the filter (types, msgtype) to the clear events.
    const bool decrypting = m_encryption && isEncrypted(q.roomId) && needsDecryptingRead(q.filter);
    if (decrypting) {
        if (!q.filter.types.empty() &&
            std::find(q.filter.types.begin(), q.filter.types.end(), "m.room.encrypted") == q.filter.types.end())
            q.filter.types.push_back("m.room.encrypted");
        q.filter.msgtype.reset();
    }
    auto page = m_store->readTimeline(q);
    if (!page)
        return read->done(std::move(page).error());
    ++read->storePages;
    if (!decrypting)
        return takeTimelinePage(read, std::move(*page));
    auto events = std::move(page->page.events);
    page->page.events.clear();
    m_encryption->decryptRoomEvents(std::move(events), [alive = std::weak_ptr<int>(m_alive), this, read,
                                                        page = std::move(*page)](Result<std::vector<DecryptedEvent>> r) mutable {
        if (!alive.lock())
            return;
        if (!r)
            return read->done(std::move(r).error());
        for (auto &d : *r) {
            // Undecryptable events are kept when the reader asked for every type (the timeline shows them).
            if (read->query.filter.matches(d.event))
                page.page.events.push_back(std::move(d.event));
        }
        takeTimelinePage(read, std::move(page));
    });
}

void MatrixBackend::takeTimelinePage(std::shared_ptr<TimelineRead> read, StorePage pageValue)
{
    StorePage *page = &pageValue;
    for (auto &ev : page->page.events)
        read->out.events.push_back(std::move(ev));
    if (page->lastOrdering)
        read->cursor = page->lastOrdering;
    const bool full = static_cast<int>(read->out.events.size()) >= read->query.limit;
    if (page->page.reachedSince) {
        read->out.reachedSince = true;
        read->out.next.clear();
        return read->done(std::move(read->out));
    }
    if (!page->page.next.empty()) {
        // Decryption filtered some events out: read on from the cache until the page is full.
        if (!full && read->storePages < kMaxStorePagesPerRead)
            return continueTimelineRead(read);
        read->out.next = page->page.next;
        return read->done(std::move(read->out));
    }
    // The cache ran out in this direction.
    auto token = m_store->backfillToken(read->query.roomId);
    if (!token)
        return read->done(std::move(token).error());
    const bool backwards = read->query.direction == Direction::Backwards;
    if (!backwards || !*token) {
        read->out.next.clear();
        return read->done(std::move(read->out));
    }
    if (full || read->backfills >= m_options.maxBackfillRequestsPerRead || !m_session) {
        read->out.next = read->cursor ? RoomStore::tokenFor(*read->cursor) : std::string();
        return read->done(std::move(read->out));
    }
    ++read->backfills;
    ApiCall call;
    call.path = std::string(kClient) + "/rooms/" + ClientApi::segment(read->query.roomId) + "/messages";
    // Members are lazy-loaded (as in the sync filter): the page brings the member events of its senders.
    call.query = {{"dir", "b"},
                  {"from", **token},
                  {"limit", std::to_string(kBackfillPageSize)},
                  {"filter", R"({"lazy_load_members":true})"}};
    api(call, [this, read](Result<ApiResponse> r) {
        if (!r)
            return read->done(std::move(r).error());
        auto stored = [&]() -> Result<void> {
            auto tx = m_cacheDb.begin();
            if (!tx)
                return std::move(tx).error();
            const std::int64_t now = m_scheduler.wallClockMs();
            const auto chunk = r->json.value("chunk", nlohmann::json::array());
            for (auto ev : chunk) {
                if (!ev.is_object() || !ev.contains("event_id"))
                    continue;
                ev["room_id"] = read->query.roomId;
                std::int64_t age = 0;
                if (auto u = ev.find("unsigned"); u != ev.end() && u->is_object() && (*u).contains("age") &&
                                                   (*u)["age"].is_number_integer())
                    age = (*u)["age"].get<std::int64_t>();
                auto added = m_store->prependEvent(ev, now - age);
                if (!added)
                    return std::move(added).error();
            }
            // The senders' member events, for their display names: only where the cache has
            // none, since what the cache holds is the room's current state and this is older.
            for (auto ev : r->json.value("state", nlohmann::json::array())) {
                if (!ev.is_object() || jsonString(ev, "type") != "m.room.member" || !stateKeyOf(ev))
                    continue;
                auto known = m_store->stateEvent(read->query.roomId, "m.room.member", *stateKeyOf(ev));
                if (!known)
                    return std::move(known).error();
                if (*known)
                    continue;
                ev["room_id"] = read->query.roomId;
                TRY(m_store->putState(ev));
            }
            const auto end = r->json.find("end");
            const bool more = !chunk.empty() && end != r->json.end() && end->is_string();
            TRY(m_store->setBackfillToken(read->query.roomId,
                                          more ? std::optional<std::string>(end->get<std::string>()) : std::nullopt));
            return tx->commit();
        }();
        if (!stored)
            return read->done(std::move(stored).error());
        continueTimelineRead(read);
    });
}

void MatrixBackend::readTimeline(const TimelineQuery &query, Callback<TimelinePage> done)
{
    if (!room(query.roomId)) {
        return post<TimelinePage>(std::move(done),
                                  matrixError(404, "M_NOT_FOUND", "Room " + query.roomId + " is not known (yet) to this client"));
    }
    auto read = std::make_shared<TimelineRead>();
    read->query = query;
    // answers go out through post() so no caller is called back from inside readTimeline
    read->done = [this, done = std::move(done)](Result<TimelinePage> r) mutable { post(std::move(done), std::move(r)); };
    if (!query.from.empty()) {
        read->cursor = RoomStore::parseToken(query.from);
        if (!read->cursor)
            return read->done(matrixError(400, "M_INVALID_PARAM",
                                          "'" + query.from.substr(0, 64) + "' is not a pagination token of this room"));
    }
    continueTimelineRead(read);
}

void MatrixBackend::readRelations(const RelationsQuery &query, Callback<RelationsPage> done)
{
    if (!m_session)
        return post<RelationsPage>(std::move(done), notLoggedIn());
    if (query.limit < 1 || query.limit > kMaxPageSize)
        return post<RelationsPage>(std::move(done), matrixError(400, "M_INVALID_PARAM", "limit must be between 1 and " +
                                                                                            std::to_string(kMaxPageSize)));
    if (query.eventType && !query.relType)
        return post<RelationsPage>(std::move(done),
                                   matrixError(400, "M_INVALID_PARAM", "an event type filter needs a relation type"));
    ApiCall call;
    call.path = "/_matrix/client/v1/rooms/" + ClientApi::segment(query.roomId) + "/relations/" +
                ClientApi::segment(query.eventId);
    if (query.relType)
        call.path += "/" + ClientApi::segment(*query.relType);
    if (query.eventType)
        call.path += "/" + ClientApi::segment(*query.eventType);
    call.query = {{"dir", query.direction == Direction::Forwards ? "f" : "b"}, {"limit", std::to_string(query.limit)}};
    if (!query.from.empty())
        call.query.emplace_back("from", query.from);
    if (!query.to.empty())
        call.query.emplace_back("to", query.to);
    api(call, [alive = std::weak_ptr<int>(m_alive), this, done = std::move(done), roomId = query.roomId](Result<ApiResponse> r) mutable {
        if (!r)
            return done(std::move(r).error());
        RelationsPage page;
        for (auto ev : r->json.value("chunk", nlohmann::json::array())) {
            if (!ev.is_object())
                continue;
            if (!ev.contains("room_id"))
                ev["room_id"] = roomId;
            page.chunk.push_back(std::move(ev));
        }
        if (r->json.contains("next_batch") && r->json["next_batch"].is_string())
            page.nextBatch = r->json["next_batch"].get<std::string>();
        if (r->json.contains("prev_batch") && r->json["prev_batch"].is_string())
            page.prevBatch = r->json["prev_batch"].get<std::string>();
        if (!alive.lock() || !m_encryption || !isEncrypted(roomId))
            return done(std::move(page));
        auto chunk = std::move(page.chunk);
        page.chunk.clear();
        m_encryption->decryptRoomEvents(std::move(chunk), [page = std::move(page), done = std::move(done)](
                                                              Result<std::vector<DecryptedEvent>> d) mutable {
            if (!d)
                return done(std::move(d).error());
            for (auto &e : *d)
                page.chunk.push_back(std::move(e.event));
            done(std::move(page));
        });
    });
}

void MatrixBackend::readRoomAccountData(const std::string &roomId, const std::string &type,
                                        Callback<std::optional<nlohmann::json>> done)
{
    auto cached = m_store->roomAccountData(roomId, type);
    if (!cached || *cached || !m_session || m_syncedRooms.count(roomId))
        return post(std::move(done), std::move(cached));
    // Nothing cached and no sync has brought this room yet (just after start-up, before the first
    // sync): the cache cannot tell "unset" from "not heard of yet", so ask the homeserver.
    ApiCall call;
    call.path = std::string(kClient) + "/user/" + ClientApi::segment(m_session->userId) + "/rooms/" +
                ClientApi::segment(roomId) + "/account_data/" + ClientApi::segment(type);
    api(call, [this, done = std::move(done), roomId, type](Result<ApiResponse> r) {
        if (!r) {
            const Error &e = r.error();
            if (e.matrixApiError && e.matrixApiError->httpStatus == 404 && errcodeOf(e) == "M_NOT_FOUND")
                return done(std::optional<nlohmann::json>()); // unset
            return done(std::move(r).error());
        }
        // A sync or setRoomAccountData() that stored it while the request ran is at least as new.
        auto now = m_store->roomAccountData(roomId, type);
        if (!now || *now)
            return done(std::move(now));
        if (!r->json.is_object())
            return done(Error(ErrorCode::Corrupt, "the homeserver's room account data " + text::truncateUtf8(type, 100) +
                                                      " is not a JSON object"));
        if (auto stored = m_store->putRoomAccountData(roomId, type, r->json); !stored)
            return done(std::move(stored).error());
        done(std::optional<nlohmann::json>(nlohmann::json{{"type", type}, {"room_id", roomId}, {"content", r->json}}));
    });
}

void MatrixBackend::setRoomAccountData(const std::string &roomId, const std::string &type,
                                       const nlohmann::json &content, Callback<void> done)
{
    if (!m_session)
        return post<void>(std::move(done), notLoggedIn());
    if (auto r = checkEventLimits(type, std::nullopt, content); !r)
        return post<void>(std::move(done), std::move(r).error());
    ApiCall call;
    call.method = "PUT";
    call.path = std::string(kClient) + "/user/" + ClientApi::segment(m_session->userId) + "/rooms/" +
                ClientApi::segment(roomId) + "/account_data/" + ClientApi::segment(type);
    call.body = content;
    api(call, [this, done = std::move(done), roomId, type, content](Result<ApiResponse> r) {
        if (!r)
            return done(std::move(r).error());
        // the next sync brings it too; storing it now lets an immediate read see it
        done(m_store->putRoomAccountData(roomId, type, content));
    });
}

} // namespace tessera::matrix
