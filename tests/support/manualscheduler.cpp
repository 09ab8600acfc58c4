// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "manualscheduler.h"

namespace tessera::test {

Scheduler::TimerId ManualScheduler::schedule(std::int64_t delayMs, std::function<void()> fn)
{
    const TimerId id = m_nextId++;
    m_timers.emplace(m_now + (delayMs < 0 ? 0 : delayMs), std::make_pair(id, std::move(fn)));
    return id;
}

void ManualScheduler::cancel(TimerId id)
{
    for (auto it = m_timers.begin(); it != m_timers.end(); ++it) {
        if (it->second.first == id) {
            m_timers.erase(it);
            return;
        }
    }
}

void ManualScheduler::post(std::function<void()> fn)
{
    std::lock_guard lock(m_postMutex);
    m_posted.push_back(std::move(fn));
}

void ManualScheduler::runPosted()
{
    for (;;) {
        std::function<void()> fn;
        {
            std::lock_guard lock(m_postMutex);
            if (m_posted.empty())
                return;
            fn = std::move(m_posted.front());
            m_posted.pop_front();
        }
        fn();
    }
}

void ManualScheduler::advance(std::int64_t ms)
{
    const std::int64_t target = m_now + ms;
    runPosted();
    while (!m_timers.empty() && m_timers.begin()->first <= target) {
        auto node = m_timers.extract(m_timers.begin());
        m_now = node.key();
        node.mapped().second();
        runPosted();
    }
    m_now = target;
}

} // namespace tessera::test
