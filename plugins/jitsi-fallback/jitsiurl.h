// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// How a `jitsi` / `m.jitsi` widget becomes a Jitsi Meet address: the Jitsi Meet page itself on
// the conference's server, https://<server>/<conference>, with the user's display name, the
// conference's subject and audio-only in the URL fragment the way Jitsi Meet reads its config
// (`#config.subject="…"&userInfo.displayName="…"`). The fragment never leaves the browser, and
// no wrapper page (Element's jitsi.html, a widget service's) is ever loaded: nothing between
// the user and their Jitsi server is handed their name.
//
// Plain C++17 and nlohmann::json, no host code: the plugin is built only against the SDK.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace tessera::jitsi {

/** A server name: at most 253 bytes (a DNS name), plus an optional ":port". */
inline constexpr std::size_t kMaxDomainBytes = 253;
/** A conference (Jitsi room) name, before percent-encoding. */
inline constexpr std::size_t kMaxConferenceBytes = 128;
/** The display name and the subject are cut to this many bytes (at a character boundary). */
inline constexpr std::size_t kMaxFragmentTextBytes = 256;

/** The outcome of buildMeetUrl: the address, or why this widget cannot be shown. */
struct MeetUrl {
    std::string url;
    std::string problem; ///< non-empty: the widget cannot be shown, in a sentence for the user

    [[nodiscard]] bool ok() const { return problem.empty(); }
};

/**
 * The Jitsi Meet address for @p widget, the widget as build_url gets it ({"id", "type", "url",
 * "name", "data", "room_id", "creator", "config", "user"}), with @p settings the user's own
 * settings of the plugin ({"domain"}, or {}).
 *
 * The server: the widget's `data.domain` (what every client of the room uses, so all members
 * meet on the same server), else `conferenceDomain` in the widget URL's query or fragment (an
 * Element wrapper URL), else the room's config `domain`, else the user's settings `domain`.
 * The conference: `data.conferenceId`, else `conferenceId` / `confId` in the widget URL, else
 * derived from the room id (conferenceForRoom), so every member meets in the same conference.
 * URL values that are still template variables (`$conferenceId`) are ignored.
 */
MeetUrl buildMeetUrl(const nlohmann::json &widget, const nlohmann::json &settings);

/**
 * @p raw as a server name, lower-cased: DNS labels of 1-63 letters, digits and '-' (not at
 * either end), at most 253 bytes, optionally ":<port>" (1-65535). nullopt for anything else:
 * a scheme, a path, user info, spaces, an IPv6 literal.
 */
std::optional<std::string> normaliseDomain(std::string_view raw);

/**
 * The conference a room meets in when its widget names none: "tessera" and the first 25
 * characters of the lower-case base32 SHA-256 of the room id, the same name Tessera's own "+"
 * proposes for a new Jitsi widget in that room.
 */
std::string conferenceForRoom(std::string_view roomId);

/** Every byte of @p text outside RFC 3986's unreserved characters as %XX (upper-case hex). */
std::string percentEncode(std::string_view text);

/** The SHA-256 digest of @p data: 32 raw bytes. */
std::string sha256(std::string_view data);

} // namespace tessera::jitsi
