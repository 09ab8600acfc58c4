// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace tessera {

/**
 * @brief Token buckets by key, counting what they turn away.
 *
 * Something a widget can trigger at will (a refused navigation, a blocked dialog, the console
 * reports of Chromium's frame sandbox) is recorded at most `burst` times at once and then once per
 * `refillMs` for each key. Nothing is lost without trace: what a bucket turns away is counted,
 * and the caller records the count with the next report it admits, or from drainSuppressed()
 * once the bucket has a token again.
 *
 * The number of keys is bounded by `maxKeys`: when a new key would exceed it, idle keys (full
 * bucket, nothing suppressed) are forgotten first; if every key is busy the new key is refused
 * and counted under the overflow total instead.
 */
class RateLimiter {
public:
    struct Limits {
        int burst = 10;
        std::int64_t refillMs = 1000;
        std::size_t maxKeys = 256;
    };

    struct Verdict {
        bool admitted = false;
        /** Reports turned away under this key since the last admitted one (set when admitted). */
        std::uint64_t suppressedBefore = 0;
    };

    struct Suppressed {
        std::string key;
        std::uint64_t count = 0;
        /** The detail of the last report turned away. */
        std::string lastDetail;
    };

    explicit RateLimiter(Limits limits);
    RateLimiter() : RateLimiter(Limits{}) {}

    /** Takes a token for @p key at @p nowMs, or counts the report as turned away. */
    Verdict admit(const std::string &key, std::int64_t nowMs, const std::string &detail = {});

    /**
     * The keys with reports turned away whose bucket has a token again at @p nowMs; each takes
     * that token (the summary is a record too) and its count starts again from zero.
     */
    std::vector<Suppressed> drainSuppressed(std::int64_t nowMs);

    /** Milliseconds from @p nowMs until drainSuppressed() has something, or -1 if nothing waits. */
    [[nodiscard]] std::int64_t msUntilDrain(std::int64_t nowMs) const;

    /** Reports turned away because every key was busy (not attributed to any key). */
    [[nodiscard]] std::uint64_t overflow() const { return m_overflow; }
    [[nodiscard]] std::size_t keyCount() const { return m_buckets.size(); }
    [[nodiscard]] const Limits &limits() const { return m_limits; }

private:
    struct Bucket {
        double tokens = 0;
        std::int64_t updatedMs = 0;
        std::uint64_t suppressed = 0;
        std::string lastDetail;
    };

    double tokensAt(const Bucket &b, std::int64_t nowMs) const;
    void refill(Bucket &b, std::int64_t nowMs) const;
    bool makeRoom(std::int64_t nowMs);

    Limits m_limits;
    std::unordered_map<std::string, Bucket> m_buckets;
    std::uint64_t m_overflow = 0;
};

} // namespace tessera
