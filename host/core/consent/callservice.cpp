// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "consent/callservice.h"

#include <algorithm>

#include "widgets/url.h"

namespace tessera::consent {

Result<std::string> callServiceOrigin(std::string_view url)
{
    if (url.empty())
        return Error(ErrorCode::BadRequest, "the call service needs an address (https://…)");
    if (url.size() > kMaxCallServiceUrlBytes)
        return Error(ErrorCode::BadRequest,
                     "the call service's address is longer than " + std::to_string(kMaxCallServiceUrlBytes) + " bytes");
    auto parsed = widgets::parseUrl(url);
    if (!parsed)
        return Error(ErrorCode::BadRequest, "the call service's address is not a URL: " + parsed.error().message);
    if (!parsed->hasAuthority || parsed->host.empty())
        return Error(ErrorCode::BadRequest, "the call service's address names no host");
    if (parsed->hasUserInfo)
        return Error(ErrorCode::BadRequest, "the call service's address must not contain a user name or password (…@)");
    const bool https = parsed->scheme == "https";
    const bool loopbackHttp = parsed->scheme == "http" && parsed->isLoopbackHost();
    if (!https && !loopbackHttp)
        return Error(ErrorCode::BadRequest, "the call service's address must start with https:// (http:// only on this computer)");
    return parsed->origin();
}

bool isCallServiceOrigin(std::string_view widgetOrigin, std::string_view serviceOrigin)
{
    // Both as the browser computes them (lower case, no default port): equal strings or nothing.
    // A service origin that is not one (a stored rule from elsewhere) matches nothing.
    auto service = callServiceOrigin(serviceOrigin);
    return !widgetOrigin.empty() && service && *service == serviceOrigin && widgetOrigin == serviceOrigin;
}

namespace {

// Capability strings (MSC2762, MSC3819): what a widget may send and receive.
std::string sendEvent(std::string_view type) { return "org.matrix.msc2762.send.event:" + std::string(type); }
std::string receiveEvent(std::string_view type) { return "org.matrix.msc2762.receive.event:" + std::string(type); }
std::string sendState(std::string_view type, std::string_view stateKey)
{
    return "org.matrix.msc2762.send.state_event:" + std::string(type) + "#" + std::string(stateKey);
}
std::string receiveState(std::string_view type) { return "org.matrix.msc2762.receive.state_event:" + std::string(type); }
std::string sendToDevice(std::string_view type) { return "org.matrix.msc3819.send.to_device:" + std::string(type); }
std::string receiveToDevice(std::string_view type) { return "org.matrix.msc3819.receive.to_device:" + std::string(type); }

constexpr std::string_view kCallMember = "org.matrix.msc3401.call.member";

} // namespace

std::vector<std::string> callServiceCapabilities(std::string_view roomId, std::string_view userId,
                                                 std::string_view deviceId)
{
    std::vector<std::string> out;
    const auto add = [&out](std::string capability) {
        if (std::find(out.begin(), out.end(), capability) == out.end())
            out.push_back(std::move(capability));
    };
    add("m.always_on_screen");
    add("town.robin.msc3846.turn_servers");
    if (!roomId.empty())
        add("org.matrix.msc2762.timeline:" + std::string(roomId));
    add("org.matrix.msc4157.send.delayed_event");
    add("org.matrix.msc4157.update_delayed_event");
    add("org.matrix.msc4407.send.sticky_event");
    // Reading the room's media from the homeserver (the members' pictures in the call): the build
    // of Element Call Tessera is tested with asks for it, and hosts of that build grant it with
    // the rest. Uploading is not in the set.
    add("org.matrix.msc4039.download_file");

    // The room state a call reads: who is in the room and in the call, how it is encrypted, the
    // room version's rules (create), its name.
    for (std::string_view type : {"m.room.name", "m.room.member", "org.matrix.msc3401.call", "m.room.encryption",
                                  "org.matrix.msc3401.call.member", "m.room.create"})
        add(receiveState(type));
    // Its own membership of the call, and nobody else's: the user's key (legacy), and the
    // device's (MSC4143), with and without the leading underscore and the application suffix.
    if (!userId.empty()) {
        const std::string user(userId);
        add(sendState(kCallMember, user));
        if (!deviceId.empty()) {
            const std::string device = user + "_" + std::string(deviceId);
            add(sendState(kCallMember, "_" + device));
            add(sendState(kCallMember, "_" + device + "_m.call"));
            add(sendState(kCallMember, device));
            add(sendState(kCallMember, device + "_m.call"));
        }
    }

    // Room events it only sends: the call's ring.
    for (std::string_view type : {"org.matrix.msc4075.call.notify", "org.matrix.msc4075.rtc.notification"})
        add(sendEvent(type));
    // Room events it sends and reads: the media keys, bug-report requests, reactions (the room's
    // and the call's own), their redactions, declines and the membership (unstable and final names).
    const std::string_view sendAndReceive[] = {"io.element.call.encryption_keys", "org.matrix.rageshake_request",
                                               "m.reaction", "m.room.redaction", "io.element.call.reaction",
                                               "org.matrix.msc4310.rtc.decline", "m.rtc.decline",
                                               "org.matrix.msc4143.rtc.member", "m.rtc.member"};
    for (auto type : sendAndReceive)
        add(sendEvent(type));
    for (auto type : sendAndReceive)
        add(receiveEvent(type));

    // The call's own messages between devices (legacy 1:1 signalling, and its media keys).
    for (std::string_view type : {"m.call.invite", "m.call.candidates", "m.call.answer", "m.call.hangup", "m.call.reject",
                                  "m.call.select_answer", "m.call.negotiate", "m.call.sdp_stream_metadata_changed",
                                  "org.matrix.call.sdp_stream_metadata_changed", "m.call.replaces",
                                  "io.element.call.encryption_keys"}) {
        add(sendToDevice(type));
        add(receiveToDevice(type));
    }
    return out;
}

bool isCallServiceCapability(std::string_view capability, std::string_view roomId, std::string_view userId,
                             std::string_view deviceId)
{
    const auto all = callServiceCapabilities(roomId, userId, deviceId);
    return std::find(all.begin(), all.end(), capability) != all.end();
}

} // namespace tessera::consent
