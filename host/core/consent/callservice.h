// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace tessera::consent {

/**
 * The trusted call service: the user, or the configuration an administrator ships, names the
 * address of the call service (Element Call) they run; widgets served from exactly that origin
 * get, by a standing rule, the capabilities a call needs, the set Element pre-approves for its
 * own call widget (callServiceCapabilities). Nothing else is granted by it: not loading a widget
 * someone else added, not the user's identity (OpenID), not camera or microphone.
 */

/** Longest call service address accepted. */
inline constexpr std::size_t kMaxCallServiceUrlBytes = 1024;

/**
 * The origin (scheme://host[:port], as the browser computes it: lower case, default port
 * omitted) of the call service at @p url. Refused: anything that is not an absolute https URL
 * (http only on a loopback host, where Tessera itself serves nothing else), an address with user
 * information (`https://call.example.org@evil.example`), one longer than kMaxCallServiceUrlBytes.
 * A path, query or fragment is allowed and ignored: the rule is for the origin.
 */
Result<std::string> callServiceOrigin(std::string_view url);

/**
 * Whether a widget whose page is served from @p widgetOrigin (as the host computed it from the
 * widget's URL) is the call service at @p serviceOrigin (a callServiceOrigin()): the same
 * scheme, host and port, nothing less and nothing more. `https://call.example.org.evil.example`,
 * `https://evil.example/call.example.org`, `http://call.example.org` and
 * `https://call.example.org:8443` are other origins.
 */
bool isCallServiceOrigin(std::string_view widgetOrigin, std::string_view serviceOrigin);

/**
 * The capabilities Element grants its own call widget without asking, for a widget in
 * @p roomId used by @p userId on device @p deviceId: staying on screen, TURN servers, delayed
 * and sticky events, downloading the room's media (not uploading), reading this room's timeline, the room state a call reads (name, members,
 * create, encryption, calls and call members), its own call membership state (under the state
 * keys a call member uses: the user, and the user with this device), call signalling, encryption
 * keys, reactions, redactions, notifications and declines in the room, and the call's to-device
 * messages. In a fixed order, without duplicates. Empty @p deviceId: the device's state keys are
 * left out.
 */
std::vector<std::string> callServiceCapabilities(std::string_view roomId, std::string_view userId,
                                                 std::string_view deviceId);

/** Whether @p capability is one of callServiceCapabilities(@p roomId, @p userId, @p deviceId). */
bool isCallServiceCapability(std::string_view capability, std::string_view roomId, std::string_view userId,
                             std::string_view deviceId);

} // namespace tessera::consent
