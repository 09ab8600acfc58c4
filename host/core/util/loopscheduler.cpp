// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "util/loopscheduler.h"

#include <chrono>

namespace tessera {

std::int64_t LoopScheduler::nowMs() const
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

std::int64_t LoopScheduler::wallClockMs() const
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

Scheduler::TimerId LoopScheduler::schedule(std::int64_t delayMs, std::function<void()> fn)
{
    const TimerId id = m_nextId++;
    m_timers.emplace(nowMs() + (delayMs < 0 ? 0 : delayMs), std::make_pair(id, std::move(fn)));
    return id;
}

void LoopScheduler::cancel(TimerId id)
{
    for (auto it = m_timers.begin(); it != m_timers.end(); ++it) {
        if (it->second.first == id) {
            m_timers.erase(it);
            return;
        }
    }
}

void LoopScheduler::post(std::function<void()> fn)
{
    std::lock_guard lock(m_mutex);
    m_posted.push_back(std::move(fn));
}

void LoopScheduler::runDue()
{
    for (;;) {
        std::function<void()> fn;
        {
            std::lock_guard lock(m_mutex);
            if (m_posted.empty())
                break;
            fn = std::move(m_posted.front());
            m_posted.pop_front();
        }
        fn();
    }
    const std::int64_t now = nowMs();
    while (!m_timers.empty() && m_timers.begin()->first <= now) {
        auto node = m_timers.extract(m_timers.begin());
        node.mapped().second();
    }
}

int LoopScheduler::msUntilNext() const
{
    {
        std::lock_guard lock(m_mutex);
        if (!m_posted.empty())
            return 0;
    }
    if (m_timers.empty())
        return -1;
    const std::int64_t wait = m_timers.begin()->first - nowMs();
    return wait < 0 ? 0 : int(wait);
}

bool LoopScheduler::idle() const
{
    std::lock_guard lock(m_mutex);
    return m_posted.empty() && m_timers.empty();
}

} // namespace tessera
