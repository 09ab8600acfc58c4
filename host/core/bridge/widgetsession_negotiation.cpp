// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// WidgetSession's capability negotiation (MSC2871), renegotiation (MSC2974) and the first push of
// room state after it.
#include "bridge/widgetsession.h"

#include <algorithm>

#include "bridge/apiversions.h"
#include "bridge/widgetsession_internal.h"

namespace tessera::bridge {

using namespace actions;

void WidgetSession::onIframeLoaded()
{
    if (m_state == State::Stopped || m_state == State::Created)
        return;
    if (m_config.waitForIframeLoad) {
        beginNegotiation();
        return;
    }
    // A page's content_loaded may arrive before or after its load event, and the parent cannot
    // see a navigation start. So: one content_loaded per page; a load event after the page's own
    // (or with no content_loaded yet) starts a new page, and a content_loaded refused as a
    // duplicate just before it is taken to be the new page's.
    const bool refused = m_refusedContentLoaded;
    m_refusedContentLoaded = false;
    if (m_pageSentContentLoaded && !m_pageLoadSeen) {
        m_pageLoadSeen = true; // the load event of the page that already announced itself
        return;
    }
    ++m_generation;
    m_state = State::WaitingForLoad;
    m_approved.clear();
    stopTurnWatch();
    m_pageSentContentLoaded = false;
    m_pageLoadSeen = true;
    if (m_contentLoadTimer)
        m_scheduler.cancel(m_contentLoadTimer);
    m_contentLoadTimer = 0;
    if (refused) {
        acceptContentLoaded();
        return;
    }
    std::weak_ptr<int> life = m_lifetime;
    const std::uint64_t generation = m_generation;
    m_contentLoadTimer = m_scheduler.schedule(m_config.limits.requestTimeoutMs, [this, life, generation] {
        if (life.expired() || generation != m_generation || m_state != State::WaitingForLoad)
            return;
        m_contentLoadTimer = 0;
        audit(audit::Direction::Internal, audit::Decision::Failed, "content_loaded", {}, {},
              "widget loaded but did not send content_loaded within the timeout", -1);
        if (m_observer)
            m_observer->onContentLoadTimeout();
    });
}

void WidgetSession::acceptContentLoaded()
{
    m_pageSentContentLoaded = true;
    if (m_contentLoadTimer) {
        m_scheduler.cancel(m_contentLoadTimer);
        m_contentLoadTimer = 0;
    }
    beginNegotiation();
}

void WidgetSession::beginNegotiation()
{
    const std::uint64_t generation = ++m_generation;
    m_state = State::Negotiating;
    m_approved.clear();
    stopTurnWatch();
    m_widgetVersions.clear();
    m_versionsKnown = false;
    m_renegotiating = false;
    m_initialStatePending = false;
    m_initialStateReads = 0;
    m_pendingState.clear();

    sendRequest("supported_api_versions", json::object(), [this, generation](Result<json> r) {
        if (generation != m_generation)
            return;
        m_widgetVersions.clear();
        if (r && r->contains("supported_versions") && (*r)["supported_versions"].is_array()) {
            for (const auto &v : (*r)["supported_versions"]) {
                if (v.is_string())
                    m_widgetVersions.push_back(v.get<std::string>());
            }
        }
        m_versionsKnown = true;
        if (m_state == State::Ready)
            pushInitialState();
    }, true);
    sendRequest("capabilities", json::object(), [this, generation](Result<json> r) {
        onCapabilitiesReply(generation, std::move(r));
    }, true);
}

std::vector<Capability> WidgetSession::screenCapabilities(const std::vector<std::string> &requested,
                                                          std::string_view phase, std::vector<RefusedCapability> &refused)
{
    std::vector<Capability> recognised;
    for (const auto &raw : requested) {
        if (m_approved.contains(raw))
            continue;
        CapabilityCheck check = checkCapability(raw, m_registry);
        if (check.verdict == CapabilityVerdict::Recognised) {
            if (m_driver.supportsCapability(m_config.widget, *check.parsed)) {
                recognised.push_back(std::move(*check.parsed));
                continue;
            }
            // Known, but nothing here can do it: refused as not supported, never granted in vain.
            check.verdict = CapabilityVerdict::Unknown;
            check.reason = "not supported by Tessera with this room backend";
            check.refusal = RefusalReason::NotImplemented;
        }
        audit::Record r =
            auditRecord(audit::Category::Consent, audit::Direction::Internal, audit::Decision::Refused, phase);
        const std::string reason = "capability " + raw + " denied automatically: " + check.reason;
        r.reason = reason;
        m_audit.append(r);
        refused.push_back(RefusedCapability{raw, check.verdict, check.refusal});
    }
    return recognised;
}

namespace {
// The widget's list: strings only, duplicates removed, order kept, at most @p max entries.
Result<std::vector<std::string>> readCapabilityList(const json &value, std::size_t max)
{
    if (!value.is_array())
        return Error(ErrorCode::BadRequest, "capabilities must be a list of strings");
    std::vector<std::string> out;
    std::unordered_set<std::string> seen;
    for (const auto &v : value) {
        if (!v.is_string())
            return Error(ErrorCode::BadRequest, "capabilities must be a list of strings");
        if (seen.insert(v.get<std::string>()).second)
            out.push_back(v.get<std::string>());
    }
    if (out.size() > max) {
        return Error(ErrorCode::BadRequest, "a widget may request at most " + std::to_string(max)
                                                + " capabilities at once");
    }
    return out;
}
} // namespace

void WidgetSession::onCapabilitiesReply(std::uint64_t generation, Result<json> reply)
{
    if (generation != m_generation || m_state != State::Negotiating)
        return;
    std::vector<std::string> requested;
    if (!reply) {
        const std::string reason = "widget did not answer the capabilities request: " + reply.error().message;
        audit(audit::Direction::Internal, audit::Decision::Failed, "capabilities", {}, {}, reason, -1);
        if (m_observer)
            m_observer->onCapabilitiesUnanswered(reason);
    } else {
        const json &body = *reply;
        auto list = readCapabilityList(body.contains("capabilities") ? body["capabilities"] : json(),
                                       m_config.limits.maxCapabilitiesPerRequest);
        if (!list) {
            audit(audit::Direction::Internal, audit::Decision::Refused, "capabilities", {}, {},
                  "capabilities reply refused: " + list.error().message, -1);
        } else {
            requested = std::move(list).value();
        }
    }
    CapabilityRequest request;
    std::vector<Capability> recognised = screenCapabilities(requested, "capabilities", request.refused);
    if (recognised.empty()) {
        finishNegotiation(generation, requested, recognised, std::vector<std::string>{}, false);
        return;
    }
    for (const auto &c : recognised)
        request.requested.push_back(c.raw);
    std::weak_ptr<int> life = m_lifetime;
    m_driver.validateCapabilities(m_config.widget, request,
                                  [this, life, generation, requested, recognised](Result<std::vector<std::string>> r) {
                                      if (life.expired())
                                          return;
                                      finishNegotiation(generation, requested, recognised, std::move(r), false);
                                  });
}

void WidgetSession::finishNegotiation(std::uint64_t generation, const std::vector<std::string> &requested,
                                      const std::vector<Capability> &recognised,
                                      Result<std::vector<std::string>> decision, bool renegotiation)
{
    if (generation != m_generation || m_state == State::Stopped)
        return;
    if (renegotiation)
        m_renegotiating = false;
    if (!decision) {
        audit(audit::Direction::Internal, audit::Decision::Failed, "capabilities", {}, {},
              "capability decision failed, nothing granted: " + decision.error().message, -1);
    } else {
        for (const auto &raw : *decision) {
            // Approved ⊆ requested, whatever the driver says.
            auto it = std::find_if(recognised.begin(), recognised.end(), [&](const Capability &c) { return c.raw == raw; });
            if (it == recognised.end()) {
                audit(audit::Direction::Internal, audit::Decision::Refused, "capabilities", {}, {},
                      "capability " + raw + " was approved but not requested; ignored", -1);
                continue;
            }
            m_approved.add(*it);
        }
    }
    notifyCapabilities(requested);
    if (!renegotiation) {
        m_state = State::Ready;
        if (m_observer)
            m_observer->onReady(m_approved.rawList());
        if (m_versionsKnown)
            pushInitialState();
    } else {
        if (m_observer)
            m_observer->onCapabilitiesChanged(m_approved.rawList());
        if (m_versionsKnown && std::any_of(recognised.begin(), recognised.end(), [&](const Capability &c) {
                return c.kind == CapabilityKind::ReceiveStateEvent && m_approved.contains(c.raw);
            })) {
            pushInitialState();
        }
    }
}

void WidgetSession::notifyCapabilities(const std::vector<std::string> &requested)
{
    sendRequest("notify_capabilities", json{{"requested", requested}, {"approved", m_approved.rawList()}},
                [](Result<json>) {}, true);
}

void WidgetSession::revokeCapabilities(const std::vector<std::string> &capabilities)
{
    if (m_state == State::Stopped)
        return;
    std::vector<std::string> removed;
    for (const auto &raw : capabilities) {
        if (m_approved.remove(raw))
            removed.push_back(raw);
    }
    if (removed.empty())
        return;
    if (m_turnWatching && !m_approved.hasSimple(cap::kMsc3846TurnServers))
        stopTurnWatch();
    std::string list;
    for (const auto &r : removed)
        list += (list.empty() ? "" : ", ") + r;
    audit(audit::Direction::Internal, audit::Decision::Info, "revoke_capabilities", {}, {},
          "revoked by the user: " + list, -1);
    if (m_state == State::Ready) {
        notifyCapabilities({});
        if (m_observer)
            m_observer->onCapabilitiesChanged(m_approved.rawList());
    }
}

bool WidgetSession::widgetSupportsUpdateState() const
{
    return std::find(m_widgetVersions.begin(), m_widgetVersions.end(), kUpdateStateVersion) != m_widgetVersions.end();
}

std::vector<std::string> WidgetSession::timelineRooms()
{
    std::vector<std::string> rooms;
    if (!m_config.widget.roomId.empty())
        rooms.push_back(m_config.widget.roomId);
    std::vector<std::string> candidates;
    if (m_approved.hasAllRoomsTimeline()) {
        candidates = m_driver.knownRooms(m_config.widget);
    } else {
        for (const auto &c : m_approved.items()) {
            if (c.kind == CapabilityKind::Timeline)
                candidates.push_back(c.roomId);
        }
    }
    for (auto &room : candidates) {
        if (std::find(rooms.begin(), rooms.end(), room) == rooms.end())
            rooms.push_back(std::move(room));
    }
    return rooms;
}

void WidgetSession::pushInitialState()
{
    if (m_state != State::Ready || !widgetSupportsUpdateState() || !m_approved.hasAnyReceiveState())
        return;
    if (m_initialStatePending)
        return; // the batch in flight will include the new capabilities' reads as well
    m_initialStatePending = true;
    m_pendingState.clear();
    m_initialStateReads = 0;
    const std::uint64_t generation = m_generation;
    std::weak_ptr<int> life = m_lifetime;
    std::vector<std::pair<std::string, Capability>> reads;
    for (const auto &room : timelineRooms()) {
        for (const auto &c : m_approved.items()) {
            if (c.kind == CapabilityKind::ReceiveStateEvent)
                reads.emplace_back(room, c);
        }
    }
    m_initialStateReads = int(reads.size());
    if (reads.empty()) {
        flushInitialState();
        return;
    }
    for (const auto &[room, c] : reads) {
        m_driver.readState(m_config.widget, room, c.eventType, c.key,
                           [this, life, generation](Result<std::vector<json>> r) {
                               if (life.expired() || generation != m_generation || !m_initialStatePending)
                                   return;
                               if (r) {
                                   for (auto &ev : *r) {
                                       // First value wins; updates that raced the read replaced it already.
                                       const bool present = std::any_of(m_pendingState.begin(), m_pendingState.end(), [&](const json &p) {
                                           return jsonString(p, "room_id") == jsonString(ev, "room_id") && jsonString(p, "type") == jsonString(ev, "type")
                                               && jsonString(p, "state_key") == jsonString(ev, "state_key");
                                       });
                                       if (!present)
                                           m_pendingState.push_back(std::move(ev));
                                   }
                               } else {
                                   audit(audit::Direction::Internal, audit::Decision::Failed, "update_state", {}, {},
                                         "reading initial room state failed: " + r.error().message, -1);
                               }
                               if (--m_initialStateReads == 0)
                                   flushInitialState();
                           });
    }
}

void WidgetSession::flushInitialState()
{
    m_initialStatePending = false;
    std::vector<json> state = std::move(m_pendingState);
    m_pendingState.clear();
    // Re-check every event: the driver is not trusted to filter.
    std::erase_if(state, [&](const json &ev) {
        if (!ev.is_object() || !ev.contains("type") || !ev["type"].is_string() || !ev.contains("state_key")
            || !ev["state_key"].is_string())
            return true;
        const std::string room = jsonString(ev, "room_id");
        if (room != m_config.widget.roomId && !m_approved.canUseRoomTimeline(room))
            return true;
        const std::string key = ev["state_key"].get<std::string>();
        return !m_approved.canReceiveStateEvent(ev["type"].get<std::string>(), &key);
    });
    sendRequest("update_state", json{{"state", std::move(state)}}, [](Result<json>) {}, true);
}

} // namespace tessera::bridge
