// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <mutex>

#include "util/scheduler.h"

namespace tessera::test {

/**
 * @brief A Scheduler whose clock only moves when the test says so.
 *
 * Timers fire from advance(); posted functions run from runPosted() (advance() runs them too).
 */
class ManualScheduler final : public Scheduler {
public:
    std::int64_t nowMs() const override { return m_now; }
    std::int64_t wallClockMs() const override { return 1'700'000'000'000 + m_now; }
    TimerId schedule(std::int64_t delayMs, std::function<void()> fn) override;
    void cancel(TimerId id) override;
    void post(std::function<void()> fn) override;

    /** Moves the clock forward, firing due timers in order. */
    void advance(std::int64_t ms);
    /** Runs everything posted so far (and what that posts). */
    void runPosted();
    [[nodiscard]] std::size_t pendingTimers() const { return m_timers.size(); }

private:
    std::int64_t m_now = 0;
    TimerId m_nextId = 1;
    std::multimap<std::int64_t, std::pair<TimerId, std::function<void()>>> m_timers;
    std::mutex m_postMutex;
    std::deque<std::function<void()>> m_posted;
};

} // namespace tessera::test
