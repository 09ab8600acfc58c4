// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "util/ratelimiter.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace tessera {

RateLimiter::RateLimiter(Limits limits)
    : m_limits(limits)
{
    if (m_limits.burst < 1 || m_limits.refillMs < 1 || m_limits.maxKeys < 1)
        throw std::invalid_argument("RateLimiter: burst, refillMs and maxKeys must be at least 1");
}

double RateLimiter::tokensAt(const Bucket &b, std::int64_t nowMs) const
{
    if (nowMs <= b.updatedMs)
        return b.tokens;
    const double gained = static_cast<double>(nowMs - b.updatedMs) / static_cast<double>(m_limits.refillMs);
    return std::min(static_cast<double>(m_limits.burst), b.tokens + gained);
}

void RateLimiter::refill(Bucket &b, std::int64_t nowMs) const
{
    b.tokens = tokensAt(b, nowMs);
    b.updatedMs = std::max(b.updatedMs, nowMs);
}

bool RateLimiter::makeRoom(std::int64_t nowMs)
{
    if (m_buckets.size() < m_limits.maxKeys)
        return true;
    for (auto it = m_buckets.begin(); it != m_buckets.end();) {
        refill(it->second, nowMs);
        if (it->second.suppressed == 0 && it->second.tokens >= m_limits.burst)
            it = m_buckets.erase(it);
        else
            ++it;
    }
    return m_buckets.size() < m_limits.maxKeys;
}

RateLimiter::Verdict RateLimiter::admit(const std::string &key, std::int64_t nowMs, const std::string &detail)
{
    auto it = m_buckets.find(key);
    if (it == m_buckets.end()) {
        if (!makeRoom(nowMs)) {
            ++m_overflow;
            return {};
        }
        Bucket fresh;
        fresh.tokens = m_limits.burst;
        fresh.updatedMs = nowMs;
        it = m_buckets.emplace(key, std::move(fresh)).first;
    }
    Bucket &b = it->second;
    refill(b, nowMs);
    if (b.tokens < 1.0) {
        ++b.suppressed;
        b.lastDetail = detail;
        return {};
    }
    b.tokens -= 1.0;
    Verdict v;
    v.admitted = true;
    v.suppressedBefore = b.suppressed;
    b.suppressed = 0;
    b.lastDetail.clear();
    return v;
}

std::vector<RateLimiter::Suppressed> RateLimiter::drainSuppressed(std::int64_t nowMs)
{
    std::vector<Suppressed> out;
    for (auto &[key, b] : m_buckets) {
        if (b.suppressed == 0)
            continue;
        refill(b, nowMs);
        if (b.tokens < 1.0)
            continue;
        b.tokens -= 1.0;
        out.push_back({key, b.suppressed, std::move(b.lastDetail)});
        b.suppressed = 0;
        b.lastDetail.clear();
    }
    std::sort(out.begin(), out.end(), [](const Suppressed &a, const Suppressed &b) { return a.key < b.key; });
    return out;
}

std::int64_t RateLimiter::msUntilDrain(std::int64_t nowMs) const
{
    std::int64_t best = -1;
    for (const auto &[key, b] : m_buckets) {
        if (b.suppressed == 0)
            continue;
        const double tokensNow = tokensAt(b, nowMs);
        const std::int64_t wait = tokensNow >= 1.0
            ? 0
            : static_cast<std::int64_t>(std::ceil((1.0 - tokensNow) * static_cast<double>(m_limits.refillMs)));
        if (best < 0 || wait < best)
            best = wait;
    }
    return best;
}

} // namespace tessera
