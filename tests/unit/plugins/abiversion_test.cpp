// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <tessera/plugin_abi.h>
#include <tessera/plugin_abi_version.h>

#include "plugins/abiversion.h"

using tessera::plugins::AbiVersion;
using tessera::plugins::checkAbiCompatible;
using tessera::plugins::hostAbiVersion;
using tessera::plugins::parseAbiVersion;

TEST(AbiVersion, PacksAndUnpacksLikeTheHeader)
{
    const AbiVersion v = AbiVersion::fromPacked(TESSERA_MAKE_VERSION(1, 7, 300));
    EXPECT_EQ(v.major, 1u);
    EXPECT_EQ(v.minor, 7u);
    EXPECT_EQ(v.patch, 300u);
    EXPECT_EQ(v.packed(), TESSERA_MAKE_VERSION(1, 7, 300));
    EXPECT_EQ(v.toString(), "1.7");
}

TEST(AbiVersion, HostVersionIsTheCompiledHeader)
{
    EXPECT_EQ(hostAbiVersion().major, static_cast<unsigned>(TESSERA_PLUGIN_ABI_MAJOR));
    EXPECT_EQ(hostAbiVersion().minor, static_cast<unsigned>(TESSERA_PLUGIN_ABI_MINOR));
}

TEST(AbiVersion, ParsesOnlyMajorDotMinor)
{
    ASSERT_TRUE(parseAbiVersion("1.0"));
    EXPECT_EQ(parseAbiVersion("1.12")->minor, 12u);
    EXPECT_FALSE(parseAbiVersion("1"));
    EXPECT_FALSE(parseAbiVersion("1.0.0"));
    EXPECT_FALSE(parseAbiVersion("1."));
    EXPECT_FALSE(parseAbiVersion(".1"));
    EXPECT_FALSE(parseAbiVersion(" 1.0"));
    EXPECT_FALSE(parseAbiVersion("1.x"));
    EXPECT_FALSE(parseAbiVersion("1.256"));
    EXPECT_FALSE(parseAbiVersion("-1.0"));
}

TEST(AbiVersion, SameMajorAndOlderOrEqualMinorIsCompatible)
{
    const AbiVersion host{1, 3, 0};
    EXPECT_TRUE(checkAbiCompatible({1, 0, 0}, host));
    EXPECT_TRUE(checkAbiCompatible({1, 3, 0}, host));
}

TEST(AbiVersion, PatchLevelIsIgnored)
{
    EXPECT_TRUE(checkAbiCompatible({1, 3, 9}, {1, 3, 0}));
    EXPECT_TRUE(checkAbiCompatible({1, 3, 0}, {1, 3, 9}));
}

TEST(AbiVersion, OtherMajorIsIncompatibleInEitherDirection)
{
    auto newer = checkAbiCompatible({2, 0, 0}, {1, 3, 0});
    ASSERT_FALSE(newer);
    EXPECT_EQ(newer.error().code, tessera::ErrorCode::Unsupported);
    EXPECT_EQ(newer.error().message, "plugin ABI 2.0 is incompatible with host ABI 1.3");
    auto older = checkAbiCompatible({0, 9, 0}, {1, 3, 0});
    ASSERT_FALSE(older);
    EXPECT_EQ(older.error().message, "plugin ABI 0.9 is incompatible with host ABI 1.3");
}

TEST(AbiVersion, NewerMinorIsRefused)
{
    auto r = checkAbiCompatible({1, 4, 0}, {1, 3, 0});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "plugin ABI 1.4 is newer than host ABI 1.3");
}

namespace {
void logNothing(tessera_host *, int32_t, const char *) {}
} // namespace

TEST(AbiVersion, PluginsCanProbeTheHostTableForNewerMembers)
{
    tessera_host_api api{};
    api.struct_size = offsetof(tessera_host_api, log) + sizeof(api.log);
    api.log = &logNothing;
    EXPECT_TRUE(TESSERA_HAS_MEMBER(&api, log));
    EXPECT_FALSE(TESSERA_HAS_MEMBER(&api, set_error)) << "beyond the table's size";
    api.struct_size = sizeof api;
    EXPECT_FALSE(TESSERA_HAS_MEMBER(&api, set_error)) << "within the size but not set";
    const tessera_host_api *none = nullptr;
    EXPECT_FALSE(TESSERA_HAS_MEMBER(none, log));
}
