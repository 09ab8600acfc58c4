// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "benchroom.h"

#include <algorithm>
#include <chrono>

#include "util/text.h"

namespace tessera::bench {

using nlohmann::json;

namespace {
constexpr std::int64_t kBaseTs = 1'700'000'000'000;

json makeEvent(const std::string &type, json content, const std::string &sender, const std::string &eventId,
               std::int64_t ts)
{
    return json{{"type", type},       {"sender", sender},         {"event_id", eventId}, {"room_id", kRoomId},
                {"origin_server_ts", ts}, {"content", std::move(content)}, {"unsigned", json::object()}};
}
} // namespace

BenchRoomDriver::BenchRoomDriver()
{
    for (std::size_t i = 0; i < kRoomSize; ++i) {
        m_timeline.push_back(bridge::SerializedEvent::fromJson(makeEvent("m.room.message",
                                       json{{"msgtype", "m.text"}, {"body", "Seed message " + std::to_string(i)}},
                                       "@user" + std::to_string(i % 5) + ":example.org", "$seed" + std::to_string(i),
                                       kBaseTs + std::int64_t(i))));
    }
}

void BenchRoomDriver::validateCapabilities(const bridge::WidgetContext &, const bridge::CapabilityRequest &request,
                                           bridge::Callback<std::vector<std::string>> done)
{
    std::vector<std::string> approved;
    for (const auto &c : request.requested) {
        if (std::find(benchCapabilities().begin(), benchCapabilities().end(), c) != benchCapabilities().end())
            approved.push_back(c);
    }
    done(std::move(approved));
}

void BenchRoomDriver::sendEvent(const bridge::WidgetContext &, const bridge::SendEventRequest &request,
                                bridge::Callback<bridge::SendEventResult> done)
{
    if (request.roomId != kRoomId) {
        done(Error(ErrorCode::NotFound, "unknown room"));
        return;
    }
    ++m_sent;
    bridge::SendEventResult result;
    result.roomId = request.roomId;
    result.eventId = "$bench" + std::to_string(m_sent);
    // The event as the homeserver would echo it, written once: the members in nlohmann's
    // (sorted) order, so that it reads exactly like makeEvent(…).dump().
    const std::string content = request.content.dump();
    std::string text;
    text.reserve(content.size() + request.type.size() + request.roomId.size() + result.eventId.size() + 160);
    text += "{\"content\":";
    text += content;
    text += ",\"event_id\":";
    text::appendJsonString(text, result.eventId);
    text += ",\"origin_server_ts\":";
    text += std::to_string(kBaseTs + std::int64_t(kRoomSize + m_sent));
    text += ",\"room_id\":";
    text::appendJsonString(text, request.roomId);
    text += ",\"sender\":";
    text::appendJsonString(text, kUserId);
    if (request.stateKey) {
        text += ",\"state_key\":";
        text::appendJsonString(text, *request.stateKey);
    }
    text += ",\"type\":";
    text::appendJsonString(text, request.type);
    text += ",\"unsigned\":{}}";
    auto event = bridge::SerializedEvent::fromText(std::move(text));
    if (!event) {
        done(std::move(event).error());
        return;
    }
    m_timeline.push_back(std::move(event).value());
    if (m_timeline.size() > kRoomSize)
        m_timeline.pop_front();
    done(std::move(result));
}

void BenchRoomDriver::readEvents(const bridge::WidgetContext &, const bridge::ReadEventsRequest &request,
                                 bridge::Callback<std::vector<bridge::SerializedEvent>> done)
{
    std::vector<bridge::SerializedEvent> out;
    if (request.roomId == kRoomId) {
        for (auto it = m_timeline.rbegin(); it != m_timeline.rend(); ++it) {
            const bridge::SerializedEvent &ev = *it;
            if (!ev.type() || *ev.type() != request.type)
                continue;
            const bool isState = ev.stateKey() != nullptr;
            if ((request.stateKeySelector != bridge::StateKeySelector::None) != isState)
                continue;
            if (request.msgtype && (!ev.msgtype() || *ev.msgtype() != *request.msgtype))
                continue;
            out.push_back(ev);
            if (request.limit > 0 && int(out.size()) >= request.limit)
                break;
        }
    }
    done(std::move(out));
}

void BenchRoomDriver::readState(const bridge::WidgetContext &, const std::string &, const std::string &,
                                const std::optional<std::string> &, bridge::Callback<std::vector<json>> done)
{
    done(std::vector<json>{});
}

std::int64_t BenchScheduler::nowMs() const
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

std::int64_t BenchScheduler::wallClockMs() const
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

Scheduler::TimerId BenchScheduler::schedule(std::int64_t, std::function<void()> fn)
{
    const TimerId id = m_next++;
    m_timers.emplace(id, std::move(fn));
    return id;
}

void BenchScheduler::cancel(TimerId id)
{
    m_timers.erase(id);
}

void BenchScheduler::post(std::function<void()> fn)
{
    m_posted.push_back(std::move(fn));
}

} // namespace tessera::bench
