// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"

namespace tessera::widgets {

/** Longest URL Tessera accepts for a widget. */
inline constexpr std::size_t kMaxUrlLength = 8192;

/**
 * @brief An absolute URL split into parts, parsed strictly.
 *
 * Stricter than a browser on purpose: anything a browser would silently repair (tabs or
 * newlines inside the URL, backslashes, `https:host` without slashes, hex or short IPv4 hosts)
 * is refused, so what Tessera checks is exactly what the browser loads.
 */
struct Url {
    std::string scheme;   ///< lower case, without ':'
    std::string userInfo; ///< raw, empty if absent
    bool hasUserInfo = false;
    std::string host;     ///< lower case; IPv6 literals without brackets
    bool hostIsIpv6 = false;
    std::optional<int> port; ///< only when given and not the scheme's default
    std::string path;     ///< raw, starts with '/' when there is an authority
    std::string query;    ///< raw, without '?'
    bool hasQuery = false;
    std::string fragment; ///< raw, without '#'
    bool hasFragment = false;
    bool hasAuthority = false;

    /** scheme://host[:port] as the browser computes it (default ports omitted). */
    [[nodiscard]] std::string origin() const;
    /** The whole URL, re-serialised. */
    [[nodiscard]] std::string toString() const;
    /** host, 127.0.0.0/8, ::1 or localhost. */
    [[nodiscard]] bool isLoopbackHost() const;
};

/** Parses an absolute URL; errors name what is wrong ("URL contains a space or control character"). */
Result<Url> parseUrl(std::string_view text);

} // namespace tessera::widgets
