// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <thread>

#include "manualscheduler.h"

namespace tessera::test {

/**
 * @brief Drives a ManualScheduler while real I/O (libcurl, a loopback server) happens on other
 * threads: runs what was posted and fires timers until @p done holds.
 *
 * Each step advances the manual clock by @p virtualMsPerStep, so retry back-offs of seconds pass
 * in milliseconds of real time. @p bound only stops a test that would otherwise hang; it is not
 * an assertion about speed. Returns done().
 */
inline bool pumpUntil(ManualScheduler &scheduler, const std::function<bool()> &done,
                      std::int64_t virtualMsPerStep = 1, std::chrono::milliseconds bound = std::chrono::seconds(30))
{
    const auto deadline = std::chrono::steady_clock::now() + bound;
    for (;;) {
        scheduler.runPosted();
        if (done())
            return true;
        if (std::chrono::steady_clock::now() > deadline)
            return false;
        std::this_thread::sleep_for(std::chrono::microseconds(500));
        scheduler.advance(virtualMsPerStep);
    }
}

/** Pumps for @p realMs of real time (to show that something does NOT happen). */
inline void pumpFor(ManualScheduler &scheduler, std::chrono::milliseconds realMs, std::int64_t virtualMsPerStep = 1)
{
    const auto until = std::chrono::steady_clock::now() + realMs;
    while (std::chrono::steady_clock::now() < until) {
        scheduler.runPosted();
        std::this_thread::sleep_for(std::chrono::microseconds(500));
        scheduler.advance(virtualMsPerStep);
    }
    scheduler.runPosted();
}

} // namespace tessera::test
