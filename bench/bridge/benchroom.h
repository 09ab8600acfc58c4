// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bridge/widgetdriver.h"
#include "util/scheduler.h"

namespace tessera::bench {

inline constexpr const char *kRoomId = "!bench:example.org";
inline constexpr const char *kUserId = "@bench:example.org";
inline constexpr const char *kWidgetId = "bench-widget";
inline constexpr const char *kOrigin = "https://widget.example";
inline constexpr std::size_t kRoomSize = 100;

/** The capabilities the benchmark widget asks for; the driver approves exactly these. */
inline const std::vector<std::string> &benchCapabilities()
{
    static const std::vector<std::string> caps{
        "org.matrix.msc2762.send.event:m.room.message#m.text",
        "org.matrix.msc2762.receive.event:m.room.message",
    };
    return caps;
}

/**
 * @brief An in-memory room of 100 events, answering at once. clientwidgetapi_bench.mjs has the
 * same driver for matrix-widget-api, so both sides answer with the same events and ids.
 *
 * Sends append an event (ids `$bench<N>`) and drop the oldest, so the room stays at 100 events;
 * reads return the newest matching events first, like /messages backwards. Events are kept
 * serialised, as a client's timeline cache keeps what the homeserver sent.
 */
class BenchRoomDriver final : public bridge::WidgetDriver {
public:
    BenchRoomDriver();

    void validateCapabilities(const bridge::WidgetContext &, const bridge::CapabilityRequest &request,
                              bridge::Callback<std::vector<std::string>> done) override;
    void sendEvent(const bridge::WidgetContext &, const bridge::SendEventRequest &request,
                   bridge::Callback<bridge::SendEventResult> done) override;
    void readEvents(const bridge::WidgetContext &, const bridge::ReadEventsRequest &request,
                    bridge::Callback<std::vector<bridge::SerializedEvent>> done) override;
    void readState(const bridge::WidgetContext &, const std::string &roomId, const std::string &type,
                   const std::optional<std::string> &stateKey, bridge::Callback<std::vector<nlohmann::json>> done) override;
    std::vector<std::string> knownRooms(const bridge::WidgetContext &) override { return {kRoomId}; }

private:
    std::deque<bridge::SerializedEvent> m_timeline; ///< serialised once, when sent
    std::uint64_t m_sent = 0;
};

/** Real clocks; timers run only when runDue() is called (the benchmark never waits for one). */
class BenchScheduler final : public Scheduler {
public:
    std::int64_t nowMs() const override;
    std::int64_t wallClockMs() const override;
    TimerId schedule(std::int64_t delayMs, std::function<void()> fn) override;
    void cancel(TimerId id) override;
    void post(std::function<void()> fn) override;

private:
    TimerId m_next = 1;
    std::map<TimerId, std::function<void()>> m_timers;
    std::vector<std::function<void()>> m_posted;
};

} // namespace tessera::bench
