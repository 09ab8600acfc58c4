// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "matrix/mxc.h"

using namespace tessera::matrix;

TEST(MxcUri, SplitsServerNameAndMediaId)
{
    const auto uri = parseMxcUri("mxc://example.org/AbC_1-2");
    ASSERT_TRUE(uri);
    EXPECT_EQ(uri->serverName, "example.org");
    EXPECT_EQ(uri->mediaId, "AbC_1-2");
}

TEST(MxcUri, AcceptsAPortAndAnIpv6Literal)
{
    const auto withPort = parseMxcUri("mxc://matrix.example.org:8448/media");
    ASSERT_TRUE(withPort);
    EXPECT_EQ(withPort->serverName, "matrix.example.org:8448");
    const auto ipv6 = parseMxcUri("mxc://[::1]:8008/media");
    ASSERT_TRUE(ipv6);
    EXPECT_EQ(ipv6->serverName, "[::1]:8008");
    EXPECT_EQ(ipv6->mediaId, "media");
}

TEST(MxcUri, RefusesAnythingElse)
{
    for (const char *bad : {"", "mxc://", "mxc:///media", "mxc://server", "mxc://server/", "https://server/media",
                            "MXC://server/media", "mxc://server/a/b", "mxc://server/a.b", "mxc://server/a b",
                            "mxc://server/%41", "mxc://ser ver/media", "mxc://server?x/media", "mxc://user@server/m",
                            "mxc://server/méd", " mxc://server/media"}) {
        EXPECT_FALSE(parseMxcUri(bad)) << bad;
    }
}

TEST(MxcUri, AStringWithANulByteIsNotAUri)
{
    using namespace std::string_view_literals;
    EXPECT_FALSE(parseMxcUri("mxc://server/me\0dia"sv));
    EXPECT_FALSE(parseMxcUri("mxc://ser\0ver/media"sv));
}
