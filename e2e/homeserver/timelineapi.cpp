// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The test homeserver's timeline reads: one event, /messages and /relations.
#include "homeserverimpl.h"

#include <algorithm>

namespace tessera::e2e {

using namespace detail;

namespace {

constexpr int kMaxPaginationLimit = 1000; // Synapse streams/config.py MAX_LIMIT

Json relatesTo(const Json &event)
{
    const Json &content = event["content"];
    if (content.is_object() && content.contains("m.relates_to") && content["m.relates_to"].is_object()) {
        return content["m.relates_to"];
    }
    return Json();
}

/** @brief The paging of /messages and /relations: direction, limit, and the from/to tokens. */
struct Paging {
    bool backwards = false;
    long long limit = 0;
    std::optional<StreamToken> from;
    std::optional<StreamToken> to;
};

/** dir (default @p defaultDir), limit (default @p defaultLimit, capped as Synapse caps it), from and to. */
Result<Paging> pagingOf(const Call &call, const char *defaultDir, long long defaultLimit)
{
    const std::string dir = call.query("dir").value_or(defaultDir);
    if (dir != "b" && dir != "f") {
        return mxError(400, "M_INVALID_PARAM", "Query parameter 'dir' must be one of [b, f]");
    }
    auto limit = queryInteger(call, "limit");
    if (!limit) {
        return std::move(limit).error();
    }
    Paging out;
    out.backwards = dir == "b";
    out.limit = std::min<long long>(limit->value_or(defaultLimit), kMaxPaginationLimit);
    for (auto [name, token] : {std::pair{"from", &out.from}, std::pair{"to", &out.to}}) {
        if (auto text = call.query(name)) {
            *token = StreamToken::parse(*text);
            if (!*token) {
                return mxError(400, "M_UNKNOWN", "'" + std::string(name) + "' parameter is invalid");
            }
        }
    }
    return out;
}

} // namespace

TestHomeserver::Impl::Reply TestHomeserver::Impl::getEvent(Call &call)
{
    std::lock_guard lock(m_mutex);
    std::uint64_t visibleUpTo = 0;
    auto readable = readableRoomLocked(call.params[0], call.session->userId, &visibleUpTo);
    if (!readable) {
        return replyFromError(readable.error());
    }
    const Room *room = *readable;
    auto it = m_eventIndex.find(call.params[1]);
    if (it == m_eventIndex.end() || it->second.first != room->id || room->events[it->second.second].pos > visibleUpTo) {
        return errorReply(404, "M_NOT_FOUND", "Event not found.");
    }
    return okReply(clientEventLocked(*room, room->events[it->second.second], deviceKey(*call.session), true, true));
}

TestHomeserver::Impl::Reply TestHomeserver::Impl::getMessages(Call &call)
{
    auto paging = pagingOf(call, "f", 10);
    if (!paging) {
        return replyFromError(paging.error());
    }
    const auto &[backwards, limit, from, to] = *paging;
    EventFilter filter;
    if (auto text = call.query("filter")) {
        Json parsed = Json::parse(*text, nullptr, false);
        if (parsed.is_discarded() || !parsed.is_object()) {
            return errorReply(400, "M_NOT_JSON", "Query parameter filter must be a valid JSON object");
        }
        auto f = EventFilter::parse(parsed);
        if (!f) {
            return replyFromError(f.error());
        }
        filter = *f;
    }

    std::lock_guard lock(m_mutex);
    std::uint64_t visibleUpTo = 0;
    auto readable = readableRoomLocked(call.params[0], call.session->userId, &visibleUpTo);
    if (!readable) {
        return replyFromError(readable.error());
    }
    const Room *room = *readable;
    const std::uint64_t fromPos = from ? from->eventsPos : (backwards ? m_pos : 0);
    const std::string viewer = deviceKey(*call.session);

    Json chunk = Json::array();
    std::uint64_t lastPos = 0;
    std::set<std::string> senders;
    auto consider = [&](const StoredEvent &e) {
        if (e.pos > visibleUpTo || !filter.matches(e.event)) {
            return;
        }
        chunk.push_back(clientEventLocked(*room, e, viewer, true, true));
        senders.insert(e.sender());
        lastPos = e.pos;
    };
    if (backwards) {
        for (auto it = room->events.rbegin(); it != room->events.rend() && static_cast<long long>(chunk.size()) < limit;
             ++it) {
            if (it->pos > fromPos) {
                continue;
            }
            if (to && it->pos <= to->eventsPos) {
                break;
            }
            consider(*it);
        }
    } else {
        for (auto it = room->events.begin(); it != room->events.end() && static_cast<long long>(chunk.size()) < limit;
             ++it) {
            if (it->pos <= fromPos) {
                continue;
            }
            if (to && it->pos > to->eventsPos) {
                break;
            }
            consider(*it);
        }
    }
    Json reply{{"chunk", chunk}, {"start", call.query("from").value_or(paginationToken(fromPos))}};
    // As Synapse: `end` is omitted only when nothing was returned.
    if (!chunk.empty()) {
        reply["end"] = paginationToken(backwards ? lastPos - 1 : lastPos);
    }
    if (filter.lazyLoadMembers && !chunk.empty()) {
        Json state = Json::array();
        for (const std::string &sender : senders) {
            if (const StoredEvent *member = stateLocked(*room, "m.room.member", sender)) {
                state.push_back(clientEventLocked(*room, *member, viewer, true));
            }
        }
        reply["state"] = state;
    }
    return okReply(reply);
}

TestHomeserver::Impl::Reply TestHomeserver::Impl::getRelations(Call &call)
{
    auto paging = pagingOf(call, "b", 5);
    if (!paging) {
        return replyFromError(paging.error());
    }
    const auto &[backwards, limit, from, to] = *paging;
    const std::string relType = call.params.size() > 2 ? call.params[2] : std::string();
    const std::string eventType = call.params.size() > 3 ? call.params[3] : std::string();

    std::lock_guard lock(m_mutex);
    std::uint64_t visibleUpTo = 0;
    auto readable = readableRoomLocked(call.params[0], call.session->userId, &visibleUpTo);
    if (!readable) {
        return replyFromError(readable.error());
    }
    const Room *room = *readable;
    auto parent = m_eventIndex.find(call.params[1]);
    if (parent == m_eventIndex.end() || parent->second.first != room->id ||
        room->events[parent->second.second].pos > visibleUpTo) {
        return errorReply(404, "M_UNKNOWN", "Unknown parent event.");
    }
    const std::uint64_t fromPos = from ? from->eventsPos : (backwards ? m_pos : 0);
    std::vector<const StoredEvent *> children;
    auto isChild = [&](const StoredEvent &e) {
        const Json rel = relatesTo(e.event);
        if (!rel.is_object() || rel.value("event_id", "") != call.params[1]) {
            return false;
        }
        return (relType.empty() || rel.value("rel_type", "") == relType) && (eventType.empty() || e.type() == eventType);
    };
    auto inRange = [&](const StoredEvent &e) {
        if (e.pos > visibleUpTo) {
            return false;
        }
        if (backwards) {
            return e.pos <= fromPos && (!to || e.pos > to->eventsPos);
        }
        return e.pos > fromPos && (!to || e.pos <= to->eventsPos);
    };
    if (backwards) {
        for (auto it = room->events.rbegin(); it != room->events.rend(); ++it) {
            if (inRange(*it) && isChild(*it)) {
                children.push_back(&*it);
            }
        }
    } else {
        for (const StoredEvent &e : room->events) {
            if (inRange(e) && isChild(e)) {
                children.push_back(&e);
            }
        }
    }
    const bool more = static_cast<long long>(children.size()) > limit;
    if (more) {
        children.resize(static_cast<std::size_t>(limit));
    }
    Json chunk = Json::array();
    for (const StoredEvent *e : children) {
        chunk.push_back(clientEventLocked(*room, *e, deviceKey(*call.session), true, true));
    }
    Json reply{{"chunk", chunk}};
    if (more && !children.empty()) {
        reply["next_batch"] = paginationToken(backwards ? children.back()->pos - 1 : children.back()->pos);
    }
    if (from) {
        reply["prev_batch"] = *call.query("from");
    }
    return okReply(reply);
}

} // namespace tessera::e2e
