// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <functional>
#include <optional>

#include "manualscheduler.h"
#include "support/pump.h"
#include "util/result.h"

namespace tessera::test {

/**
 * Starts an asynchronous call and drives @p scheduler until its callback ran; returns what the
 * callback got (an Internal error if it never ran within the hang bound).
 *
 *     auto sent = await<matrix::SendResult>(sched, [&](auto done) { backend.send(req, done); });
 */
template<typename T>
Result<T> await(ManualScheduler &scheduler, const std::function<void(std::function<void(Result<T>)>)> &start,
                std::int64_t virtualMsPerStep = 1, std::chrono::milliseconds bound = std::chrono::seconds(30))
{
    std::optional<Result<T>> out;
    start([&out](Result<T> r) { out.emplace(std::move(r)); });
    if (!pumpUntil(scheduler, [&] { return out.has_value(); }, virtualMsPerStep, bound))
        return Error(ErrorCode::Internal, "the callback never ran");
    return std::move(*out);
}

} // namespace tessera::test
