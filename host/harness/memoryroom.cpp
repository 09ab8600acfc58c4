// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "memoryroom.h"

#include <algorithm>
#include <chrono>

namespace tessera::harness {

using nlohmann::json;
using namespace tessera::bridge;

namespace {

// A string member, or "": events here may carry whatever a widget put in them.
std::string textField(const json &obj, const char *key)
{
    if (!obj.is_object())
        return {};
    auto it = obj.find(key);
    return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

} // namespace

Result<ConsentPolicy> ConsentPolicy::parse(const std::string &text)
{
    ConsentPolicy p;
    if (text == "approve-all") {
        p.mode = Mode::ApproveAll;
        p.allowOpenId = true;
    } else if (text == "deny-all") {
        p.mode = Mode::DenyAll;
    } else if (text.rfind("approve:", 0) == 0) {
        p.mode = Mode::ApproveListed;
        std::string rest = text.substr(8);
        std::size_t start = 0;
        while (start <= rest.size()) {
            const std::size_t comma = std::min(rest.find(',', start), rest.size());
            if (comma > start)
                p.listed.insert(rest.substr(start, comma - start));
            start = comma + 1;
        }
        if (p.listed.empty())
            return Error(ErrorCode::BadRequest, "--consent approve: needs at least one capability");
    } else {
        return Error(ErrorCode::BadRequest, "--consent must be approve-all, deny-all or approve:<cap>,<cap>,… (got " + text + ")");
    }
    return p;
}

MemoryRoomDriver::MemoryRoomDriver(std::string roomId, std::string userId, ConsentPolicy policy)
    : m_roomId(std::move(roomId)), m_userId(std::move(userId)), m_policy(std::move(policy))
{
}

json MemoryRoomDriver::complete(json event)
{
    ++m_counter;
    if (!event.contains("event_id"))
        event["event_id"] = "$harness" + std::to_string(m_counter);
    if (!event.contains("room_id"))
        event["room_id"] = m_roomId;
    if (!event.contains("sender"))
        event["sender"] = m_userId;
    if (!event.contains("origin_server_ts"))
        event["origin_server_ts"] = std::int64_t(1'700'000'000'000) + std::int64_t(m_counter);
    if (!event.contains("content"))
        event["content"] = json::object();
    if (!event.contains("unsigned"))
        event["unsigned"] = json::object();
    return event;
}

void MemoryRoomDriver::addEvent(json event)
{
    event = complete(std::move(event));
    if (event.contains("state_key") && event["state_key"].is_string())
        m_state[{textField(event, "type"), event["state_key"].get<std::string>()}] = event;
    m_timeline.push_back(std::move(event));
}

void MemoryRoomDriver::validateCapabilities(const WidgetContext &, const CapabilityRequest &request,
                                            Callback<std::vector<std::string>> done)
{
    std::vector<std::string> out;
    for (const auto &c : request.requested) {
        if (m_policy.mode == ConsentPolicy::Mode::ApproveAll
            || (m_policy.mode == ConsentPolicy::Mode::ApproveListed && m_policy.listed.count(c)))
            out.push_back(c);
    }
    done(std::move(out));
}

void MemoryRoomDriver::requestOpenId(const WidgetContext &widget, std::function<void(OpenIdUpdate)> update)
{
    OpenIdUpdate u;
    if (!m_policy.allowOpenId) {
        u.state = OpenIdUpdate::State::Blocked;
    } else {
        u.state = OpenIdUpdate::State::Allowed;
        // A harness token: it identifies nothing and no server accepts it.
        u.token = OpenIdToken{"harness-openid-" + widget.widgetId, 3600, "harness.invalid", "Bearer"};
    }
    update(u);
}

void MemoryRoomDriver::sendEvent(const WidgetContext &, const SendEventRequest &request, Callback<SendEventResult> done)
{
    if (request.roomId != m_roomId) {
        done(Error(ErrorCode::NotFound, "the harness has only room " + m_roomId));
        return;
    }
    SendEventResult r;
    r.roomId = request.roomId;
    if (request.delayMs || request.parentDelayId) {
        r.delayId = "harness-delay-" + std::to_string(++m_counter);
        done(r);
        return;
    }
    json event{{"type", request.type}, {"content", request.content}, {"sender", m_userId}};
    if (request.stateKey)
        event["state_key"] = *request.stateKey;
    addEvent(std::move(event));
    r.eventId = m_timeline.back()["event_id"].get<std::string>();
    done(r);
    if (onEventSent)
        onEventSent(m_timeline.back());
}

void MemoryRoomDriver::readEvents(const WidgetContext &, const ReadEventsRequest &request,
                                  Callback<std::vector<SerializedEvent>> done)
{
    std::vector<SerializedEvent> out;
    // Newest first, as /messages backwards and matrix-widget-api's readRoomTimeline return them.
    for (auto it = m_timeline.rbegin(); it != m_timeline.rend(); ++it) {
        const json &ev = *it;
        if (request.since && textField(ev, "event_id") == *request.since)
            break;
        if (textField(ev, "room_id") != request.roomId || textField(ev, "type") != request.type)
            continue;
        const bool isState = ev.contains("state_key");
        if ((request.stateKeySelector == StateKeySelector::None) == isState)
            continue;
        if (request.stateKeySelector == StateKeySelector::Exact && textField(ev, "state_key") != request.stateKey)
            continue;
        if (request.msgtype && (!ev["content"].is_object() || !ev["content"].contains("msgtype")
                                || !ev["content"]["msgtype"].is_string() || ev["content"]["msgtype"] != *request.msgtype))
            continue;
        out.push_back(SerializedEvent::fromJson(ev));
        if (request.limit > 0 && int(out.size()) >= request.limit)
            break;
    }
    done(std::move(out));
}

void MemoryRoomDriver::readState(const WidgetContext &, const std::string &roomId, const std::string &type,
                                 const std::optional<std::string> &stateKey, Callback<std::vector<json>> done)
{
    std::vector<json> out;
    if (roomId == m_roomId) {
        for (const auto &[key, ev] : m_state) {
            if (key.first == type && (!stateKey || key.second == *stateKey))
                out.push_back(ev);
        }
    }
    done(std::move(out));
}

void MemoryRoomDriver::navigate(const WidgetContext &, const std::string &, Callback<bool> done)
{
    done(true);
}

void MemoryRoomDriver::setAlwaysOnScreen(const WidgetContext &, bool value, Callback<bool> done)
{
    done(value);
}

} // namespace tessera::harness
