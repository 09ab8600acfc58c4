// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// Is the room's LiveKit call service there? A bounded check, each step through the host's HTTP
// client (so it is audited with the widget it is made for):
//
//   1. the homeserver's client well-known (/.well-known/matrix/client) and its call transports,
//      `org.matrix.msc4143.rtc_foci` (MSC4143): the first `livekit` one's service URL;
//   2. that LiveKit JWT service: with an OpenID token of the user's (a widget gets one with the
//      Widget API's get_openid), POST /sfu/get, whose answer names the SFU; without one, only
//      GET /healthz;
//   3. the SFU it named: an HTTP GET of its address (wss: as https:), which LiveKit answers.
//
// The answer says which step failed and how: healthy, no-transport, refused (no connection),
// timeout, server-error (5xx), rejected (another non-2xx), bad-answer (not what the step
// expects) or sfu-not-answering. The JWT is never part of it.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>
#include <tessera/plugin.hpp>

namespace tessera::jitsi {

/** Each step's time limit unless the request names a shorter one (three steps fit the host's 10 s). */
inline constexpr std::uint32_t kProbeStepTimeoutMs = 2500;
/** The shortest step time limit a request may ask for. */
inline constexpr std::uint32_t kMinProbeStepTimeoutMs = 100;
/** The largest answer read from the well-known or the JWT service. */
inline constexpr std::uint32_t kMaxProbeAnswerBytes = 64 * 1024;

/** What a probe request asks for, checked. */
struct ProbeRequest {
    std::string base;     ///< the homeserver's well-known base: "https://example.org"
    nlohmann::json openid = nullptr; ///< the OpenID token object, or null for /healthz only
    std::string deviceId;
    std::string roomId;
    std::uint32_t stepTimeoutMs = kProbeStepTimeoutMs;
};

/**
 * Checks @p data ({"server", "openid_token"?, "device_id"?, "timeout_ms"?}) of a call from
 * @p widgetJson's room. "server" is the homeserver's name ("example.org") or base URL
 * ("https://example.org", "http://127.0.0.1:8008" on loopback). Returns the reason on failure.
 */
std::string parseProbeRequest(const nlohmann::json &data, const nlohmann::json &widget, ProbeRequest &out);

/**
 * Runs the probe for handler call @p callId of session @p sessionId and answers it with
 * Host::reply once the steps are done: {"state", "step", "detail", "service_url"?, "sfu_url"?,
 * "http_status"?}.
 */
void runProbe(tessera::sdk::Host &host, std::uint64_t callId, std::uint64_t sessionId, ProbeRequest request);

} // namespace tessera::jitsi
