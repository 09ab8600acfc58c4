// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <stdexcept>

#include "util/ratelimiter.h"

using namespace tessera;

namespace {
RateLimiter::Limits limits(int burst, std::int64_t refillMs, std::size_t maxKeys = 256)
{
    RateLimiter::Limits l;
    l.burst = burst;
    l.refillMs = refillMs;
    l.maxKeys = maxKeys;
    return l;
}
} // namespace

TEST(RateLimiter, AdmitsABurstThenOnePerRefill)
{
    RateLimiter r(limits(3, 1000));
    for (int i = 0; i < 3; ++i)
        EXPECT_TRUE(r.admit("w/top_navigation", 0).admitted) << i;
    EXPECT_FALSE(r.admit("w/top_navigation", 0).admitted);
    EXPECT_FALSE(r.admit("w/top_navigation", 999).admitted);
    const auto v = r.admit("w/top_navigation", 1000);
    EXPECT_TRUE(v.admitted);
    EXPECT_EQ(v.suppressedBefore, 2u) << "the two turned away are reported with the next admitted one";
    EXPECT_FALSE(r.admit("w/top_navigation", 1500).admitted);
    // Half a token from before plus half now makes one.
    EXPECT_TRUE(r.admit("w/top_navigation", 2000).admitted);
}

TEST(RateLimiter, KeysAreIndependent)
{
    RateLimiter r(limits(1, 1000));
    EXPECT_TRUE(r.admit("a/dialog", 0).admitted);
    EXPECT_FALSE(r.admit("a/dialog", 10).admitted);
    EXPECT_TRUE(r.admit("b/dialog", 10).admitted);
    EXPECT_TRUE(r.admit("a/popup", 10).admitted);
}

TEST(RateLimiter, TheBucketNeverHoldsMoreThanTheBurst)
{
    RateLimiter r(limits(2, 100));
    EXPECT_TRUE(r.admit("k", 0).admitted);
    // An hour idle refills to the burst, not beyond.
    const std::int64_t later = 3'600'000;
    EXPECT_TRUE(r.admit("k", later).admitted);
    EXPECT_TRUE(r.admit("k", later).admitted);
    EXPECT_FALSE(r.admit("k", later).admitted);
}

TEST(RateLimiter, DrainReportsWhatWasTurnedAwayOnceATokenIsBack)
{
    RateLimiter r(limits(1, 1000));
    EXPECT_EQ(r.msUntilDrain(0), -1) << "nothing waits";
    EXPECT_TRUE(r.admit("k", 0, "first").admitted);
    EXPECT_FALSE(r.admit("k", 100, "second").admitted);
    EXPECT_FALSE(r.admit("k", 200, "third").admitted);
    EXPECT_EQ(r.msUntilDrain(200), 800);
    EXPECT_TRUE(r.drainSuppressed(500).empty()) << "no token yet";

    const auto drained = r.drainSuppressed(1000);
    ASSERT_EQ(drained.size(), 1u);
    EXPECT_EQ(drained[0].key, "k");
    EXPECT_EQ(drained[0].count, 2u);
    EXPECT_EQ(drained[0].lastDetail, "third");
    EXPECT_EQ(r.msUntilDrain(1000), -1);
    // The summary took the token: the next report waits for the following one.
    EXPECT_FALSE(r.admit("k", 1000).admitted);
    const auto v = r.admit("k", 2000);
    EXPECT_TRUE(v.admitted);
    EXPECT_EQ(v.suppressedBefore, 1u) << "the count started again after the drain";
}

TEST(RateLimiter, KeysAreBoundedIdleOnesForgottenFirst)
{
    RateLimiter r(limits(1, 1000, 2));
    EXPECT_TRUE(r.admit("a", 0).admitted);
    EXPECT_TRUE(r.admit("b", 0).admitted);
    EXPECT_FALSE(r.admit("b", 0).admitted); // b is busy: it has something suppressed
    // Both buckets are busy (a has no token, b suppressed): a third key is refused and counted.
    EXPECT_FALSE(r.admit("c", 10).admitted);
    EXPECT_EQ(r.overflow(), 1u);
    EXPECT_EQ(r.keyCount(), 2u);
    // Once a is full again and idle, it makes room for c; b keeps its count.
    EXPECT_TRUE(r.admit("c", 1000).admitted);
    EXPECT_EQ(r.keyCount(), 2u);
    const auto drained = r.drainSuppressed(1000);
    ASSERT_EQ(drained.size(), 1u);
    EXPECT_EQ(drained[0].key, "b");
}

TEST(RateLimiter, RefusesLimitsThatCannotWork)
{
    EXPECT_THROW(RateLimiter(limits(0, 1000)), std::invalid_argument);
    EXPECT_THROW(RateLimiter(limits(1, 0)), std::invalid_argument);
    EXPECT_THROW(RateLimiter(limits(1, 1000, 0)), std::invalid_argument);
}
