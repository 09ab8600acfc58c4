// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <mutex>

#include "util/scheduler.h"

namespace tessera {

/**
 * @brief A Scheduler for single-threaded command-line programs: timers and posted work run
 * from runDue(), called by the program's own poll loop.
 */
class LoopScheduler final : public Scheduler {
public:
    std::int64_t nowMs() const override;
    std::int64_t wallClockMs() const override;
    TimerId schedule(std::int64_t delayMs, std::function<void()> fn) override;
    void cancel(TimerId id) override;
    void post(std::function<void()> fn) override;

    /** Runs posted work and every timer that is due. */
    void runDue();
    /** Milliseconds until the next timer (-1: none; 0: work is waiting). */
    [[nodiscard]] int msUntilNext() const;
    [[nodiscard]] bool idle() const;

private:
    TimerId m_nextId = 1;
    std::multimap<std::int64_t, std::pair<TimerId, std::function<void()>>> m_timers;
    mutable std::mutex m_mutex;
    std::deque<std::function<void()>> m_posted;
};

} // namespace tessera
