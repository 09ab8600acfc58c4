// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "bridge/capabilities.h"
#include "consent/callservice.h"

using namespace tessera;
using namespace tessera::consent;

namespace {

const std::string kRoom = "!standup:example.org";
const std::string kUser = "@alice:example.org";
const std::string kDevice = "ALICEDEVICE";

bool has(const std::vector<std::string> &all, const std::string &capability)
{
    return std::find(all.begin(), all.end(), capability) != all.end();
}

} // namespace

TEST(CallService, TheOriginIsTakenFromTheAddress)
{
    EXPECT_EQ(callServiceOrigin("https://call.example.org").value(), "https://call.example.org");
    EXPECT_EQ(callServiceOrigin("https://call.example.org/").value(), "https://call.example.org");
    // A path, query or fragment names a page of the service; the rule is for its origin.
    EXPECT_EQ(callServiceOrigin("https://call.example.org/room/#?roomId=!a:b").value(), "https://call.example.org");
    // As the browser computes it: lower case, the default port left out, another port kept.
    EXPECT_EQ(callServiceOrigin("HTTPS://Call.Example.ORG:443/x").value(), "https://call.example.org");
    EXPECT_EQ(callServiceOrigin("https://call.example.org:8443").value(), "https://call.example.org:8443");
    // Plain http only where nothing leaves this computer.
    EXPECT_EQ(callServiceOrigin("http://127.0.0.1:8080/element-call/index.html").value(), "http://127.0.0.1:8080");
    EXPECT_EQ(callServiceOrigin("http://localhost:9000").value(), "http://localhost:9000");
}

TEST(CallService, AddressesThatNameNoSingleSafeOriginAreRefusedWithAReason)
{
    for (const char *bad : {"", "call.example.org", "//call.example.org", "http://call.example.org", "ftp://call.example.org",
                            "https://call.example.org@evil.example", "https://user:pw@call.example.org", "https://",
                            "javascript:alert(1)", "data:text/html,x", "https://call.example.org\n",
                            "https://call example.org", "widgethost://app/"}) {
        auto origin = callServiceOrigin(bad);
        ASSERT_FALSE(origin) << bad << " gave " << *origin;
        EXPECT_EQ(origin.error().code, ErrorCode::BadRequest) << bad;
        EXPECT_FALSE(origin.error().message.empty()) << bad;
    }
    const std::string tooLong = "https://call.example.org/" + std::string(kMaxCallServiceUrlBytes, 'a');
    auto refused = callServiceOrigin(tooLong);
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find(std::to_string(kMaxCallServiceUrlBytes)), std::string::npos);
    // At the limit it is taken.
    EXPECT_TRUE(callServiceOrigin("https://call.example.org/" + std::string(kMaxCallServiceUrlBytes - 25, 'a')));
}

TEST(CallService, OnlyExactlyTheServicesOriginMatches)
{
    const std::string service = "https://call.example.org";
    EXPECT_TRUE(isCallServiceOrigin("https://call.example.org", service));
    // Look-alikes: prefixes, suffixes, other schemes, ports, hosts around it.
    for (const char *other : {"https://call.example.org.evil.example", "https://evil-call.example.org", "https://evilcall.example.org",
                              "https://call.example.or", "https://call.example.org:8443", "http://call.example.org",
                              "https://sub.call.example.org", "https://example.org", "https://call.example.org.",
                              "https://call.example.org/", "https://call.example.org@evil.example", "https://CALL.example.org",
                              "wss://call.example.org", ""}) {
        EXPECT_FALSE(isCallServiceOrigin(other, service)) << other;
    }
    // A service origin that is not one (not normalised, or not an origin at all) matches nothing.
    EXPECT_FALSE(isCallServiceOrigin("https://call.example.org", "https://call.example.org/"));
    EXPECT_FALSE(isCallServiceOrigin("https://call.example.org", "HTTPS://call.example.org"));
    EXPECT_FALSE(isCallServiceOrigin("", ""));
    EXPECT_FALSE(isCallServiceOrigin("http://call.example.org", "http://call.example.org"));
    EXPECT_TRUE(isCallServiceOrigin("http://127.0.0.1:8080", "http://127.0.0.1:8080"));
    EXPECT_FALSE(isCallServiceOrigin("http://127.0.0.1:8081", "http://127.0.0.1:8080"));
    EXPECT_FALSE(isCallServiceOrigin("http://127.0.0.1", "http://127.0.0.1:8080"));
}

TEST(CallService, TheCapabilitiesAreWhatACallNeedsInThisRoomForThisUser)
{
    const auto all = callServiceCapabilities(kRoom, kUser, kDevice);
    EXPECT_EQ(std::set<std::string>(all.begin(), all.end()).size(), all.size()) << "no duplicates";
    for (const std::string &c : std::vector<std::string>{std::string("m.always_on_screen"), std::string("town.robin.msc3846.turn_servers"),
                                 "org.matrix.msc2762.timeline:" + kRoom, std::string("org.matrix.msc4157.send.delayed_event"),
                                 std::string("org.matrix.msc4157.update_delayed_event"),
                                 std::string("org.matrix.msc2762.receive.state_event:m.room.member"),
                                 std::string("org.matrix.msc2762.receive.state_event:org.matrix.msc3401.call.member"),
                                 std::string("org.matrix.msc2762.receive.state_event:m.room.create"),
                                 std::string("org.matrix.msc2762.receive.state_event:m.room.encryption"),
                                 std::string("org.matrix.msc2762.receive.state_event:m.room.name"),
                                 "org.matrix.msc2762.send.state_event:org.matrix.msc3401.call.member#" + kUser,
                                 "org.matrix.msc2762.send.state_event:org.matrix.msc3401.call.member#_" + kUser + "_" + kDevice,
                                 "org.matrix.msc2762.send.state_event:org.matrix.msc3401.call.member#_" + kUser + "_" + kDevice + "_m.call",
                                 "org.matrix.msc2762.send.state_event:org.matrix.msc3401.call.member#" + kUser + "_" + kDevice,
                                 std::string("org.matrix.msc2762.send.event:io.element.call.encryption_keys"),
                                 std::string("org.matrix.msc2762.receive.event:io.element.call.encryption_keys"),
                                 std::string("org.matrix.msc2762.send.event:org.matrix.msc4075.rtc.notification"),
                                 std::string("org.matrix.msc3819.send.to_device:m.call.invite"),
                                 std::string("org.matrix.msc3819.receive.to_device:io.element.call.encryption_keys"),
                                 std::string("org.matrix.msc4039.download_file")}) {
        EXPECT_TRUE(has(all, c)) << c;
        EXPECT_TRUE(isCallServiceCapability(c, kRoom, kUser, kDevice)) << c;
    }
    // Every one of them is a capability Tessera recognises or knows as one it does not support.
    for (const auto &c : all)
        EXPECT_NE(bridge::checkCapability(c).verdict, bridge::CapabilityVerdict::Malformed) << c;
}

TEST(CallService, NothingBeyondACallIsInTheSet)
{
    // Nobody else's call membership, no other room's timeline, nothing about the user's messages,
    // the whole state, the user's identity, files or navigation.
    for (const std::string &c : std::vector<std::string>{"org.matrix.msc2762.send.state_event:org.matrix.msc3401.call.member#@bob:example.org",
                                 "org.matrix.msc2762.send.state_event:org.matrix.msc3401.call.member#_@bob:example.org_BOBDEVICE",
                                 "org.matrix.msc2762.send.state_event:org.matrix.msc3401.call.member",
                                 "org.matrix.msc2762.send.state_event:org.matrix.msc3401.call.member#_" + kUser + "_OTHERDEVICE",
                                 std::string("org.matrix.msc2762.timeline:!other:example.org"),
                                 std::string("org.matrix.msc2762.timeline:*"),
                                 std::string("org.matrix.msc2762.send.event:m.room.message"),
                                 std::string("org.matrix.msc2762.receive.event:m.room.message"),
                                 std::string("org.matrix.msc2762.send.state_event:m.room.name"),
                                 std::string("org.matrix.msc2762.send.state_event:m.room.power_levels"),
                                 std::string("org.matrix.msc2762.receive.state_event:m.room.power_levels"),
                                 std::string("org.matrix.msc2762.send.state_event:m.widget"),
                                 std::string("org.matrix.msc2931.navigate"), std::string("org.matrix.msc4039.upload_file"),
                                 std::string("m.capability.screenshot"),
                                 std::string("org.matrix.msc3973.user_directory_search"), std::string("openid"),
                                 std::string("org.matrix.msc3819.send.to_device:m.room_key_request"), std::string("")}) {
        EXPECT_FALSE(isCallServiceCapability(c, kRoom, kUser, kDevice)) << c;
    }
    // Without a room, a user or a device, what depends on them is left out, never widened.
    const auto noDevice = callServiceCapabilities(kRoom, kUser, "");
    EXPECT_FALSE(std::any_of(noDevice.begin(), noDevice.end(), [](const std::string &c) { return c.find("#_") != std::string::npos; }));
    const auto noRoom = callServiceCapabilities("", kUser, kDevice);
    EXPECT_FALSE(std::any_of(noRoom.begin(), noRoom.end(), [](const std::string &c) { return c.rfind("org.matrix.msc2762.timeline:", 0) == 0; }));
    const auto noUser = callServiceCapabilities(kRoom, "", kDevice);
    EXPECT_FALSE(std::any_of(noUser.begin(), noUser.end(), [](const std::string &c) { return c.find(".call.member#") != std::string::npos; }));
}
