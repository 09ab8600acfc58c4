// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <functional>

namespace tessera {

/**
 * @brief The thread and clock the core runs on.
 *
 * The core is single-threaded: every protocol object, driver callback and timer runs on the
 * thread that owns the scheduler. Implementations: the Qt event loop (host/ui), the harness's
 * poll loop, and a manual clock for tests (tests/support/manualscheduler.h). Code on other
 * threads (libcurl, the audit writer) hands results back with post().
 */
class Scheduler {
public:
    using TimerId = std::uint64_t;

    virtual ~Scheduler() = default;

    /** Milliseconds on a monotonic clock. */
    [[nodiscard]] virtual std::int64_t nowMs() const = 0;

    /** Milliseconds since the Unix epoch (wall clock, for timestamps that leave the process). */
    [[nodiscard]] virtual std::int64_t wallClockMs() const = 0;

    /** Runs @p fn once, after at least @p delayMs. Returns an id for cancel(); never 0. */
    virtual TimerId schedule(std::int64_t delayMs, std::function<void()> fn) = 0;

    /** Cancels a timer that has not fired yet. Unknown or fired ids are ignored. */
    virtual void cancel(TimerId id) = 0;

    /**
     * Runs @p fn soon on the scheduler's thread. This is the only member that may be called
     * from another thread.
     */
    virtual void post(std::function<void()> fn) = 0;
};

} // namespace tessera
