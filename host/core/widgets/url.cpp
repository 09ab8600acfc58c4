// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "widgets/url.h"

#include <algorithm>
#include <charconv>
#include <vector>

#include "util/text.h"

namespace tessera::widgets {

namespace {

Error bad(std::string message)
{
    return Error(ErrorCode::BadRequest, std::move(message));
}

bool isAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool isDigit(char c) { return c >= '0' && c <= '9'; }

int defaultPort(std::string_view scheme)
{
    if (scheme == "https" || scheme == "wss")
        return 443;
    if (scheme == "http" || scheme == "ws")
        return 80;
    return -1;
}

// A canonical dotted-quad: four decimal octets 0-255 without leading zeros.
bool isCanonicalIpv4(std::string_view host)
{
    int parts = 0;
    std::size_t start = 0;
    while (start <= host.size()) {
        const std::size_t dot = std::min(host.find('.', start), host.size());
        const std::string_view part = host.substr(start, dot - start);
        if (part.empty() || part.size() > 3 || !std::all_of(part.begin(), part.end(), isDigit))
            return false;
        if (part.size() > 1 && part[0] == '0')
            return false;
        int v = 0;
        std::from_chars(part.data(), part.data() + part.size(), v);
        if (v > 255)
            return false;
        ++parts;
        start = dot + 1;
        if (dot == host.size())
            break;
    }
    return parts == 4;
}

// Browsers parse a host whose last label is numeric (decimal, 0x-hex or octal) as IPv4, so
// "2130706433" or "0x7f.1" mean 127.0.0.1. Such hosts must be written canonically.
bool endsInNumber(std::string_view host)
{
    std::string_view last = host;
    if (!last.empty() && last.back() == '.')
        last.remove_suffix(1);
    const std::size_t dot = last.rfind('.');
    if (dot != std::string_view::npos)
        last = last.substr(dot + 1);
    if (last.empty())
        return false;
    if (std::all_of(last.begin(), last.end(), isDigit))
        return true;
    return last.size() >= 2 && last[0] == '0' && (last[1] == 'x' || last[1] == 'X');
}

bool isValidIpv6(std::string_view h)
{
    if (h.empty() || h.size() > 45)
        return false;
    int groups = 0;
    bool doubleColon = false;
    std::size_t i = 0;
    if (h.substr(0, 2) == "::") {
        doubleColon = true;
        i = 2;
        if (i == h.size())
            return true;
    } else if (h[0] == ':') {
        return false;
    }
    while (i < h.size()) {
        std::size_t j = i;
        while (j < h.size() && h[j] != ':')
            ++j;
        const std::string_view group = h.substr(i, j - i);
        if (group.find('.') != std::string_view::npos) {
            // An embedded IPv4 tail counts as two groups and must be last.
            if (j != h.size() || !isCanonicalIpv4(group))
                return false;
            groups += 2;
            break;
        }
        if (group.empty() || group.size() > 4)
            return false;
        for (char c : group) {
            if (!isDigit(c) && !((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
                return false;
        }
        ++groups;
        if (j == h.size())
            break;
        if (j + 1 < h.size() && h[j + 1] == ':') {
            if (doubleColon)
                return false;
            doubleColon = true;
            i = j + 2;
            if (i == h.size())
                break;
        } else {
            i = j + 1;
            if (i == h.size())
                return false; // trailing single colon
        }
    }
    return doubleColon ? groups < 8 : groups == 8;
}

bool isHostChar(char c)
{
    return isAlpha(c) || isDigit(c) || c == '-' || c == '.' || c == '_';
}

} // namespace

Result<Url> parseUrl(std::string_view text)
{
    if (text.empty())
        return bad("URL is empty");
    if (text.size() > kMaxUrlLength)
        return bad("URL is longer than " + std::to_string(kMaxUrlLength) + " bytes");
    for (unsigned char c : text) {
        if (c <= 0x20 || c == 0x7F)
            return bad("URL contains a space or control character");
        if (c == '\\')
            return bad("URL contains a backslash");
    }
    if (!text::isValidUtf8(text))
        return bad("URL is not valid UTF-8");

    Url url;
    std::size_t i = 0;
    if (!isAlpha(text[0]))
        return bad("URL has no scheme");
    while (i < text.size() && (isAlpha(text[i]) || isDigit(text[i]) || text[i] == '+' || text[i] == '-' || text[i] == '.'))
        ++i;
    if (i >= text.size() || text[i] != ':')
        return bad("URL has no scheme");
    url.scheme = text::toLowerAscii(text.substr(0, i));
    std::string_view rest = text.substr(i + 1);

    if (const std::size_t hash = rest.find('#'); hash != std::string_view::npos) {
        url.fragment = std::string(rest.substr(hash + 1));
        url.hasFragment = true;
        rest = rest.substr(0, hash);
    }
    if (const std::size_t q = rest.find('?'); q != std::string_view::npos) {
        url.query = std::string(rest.substr(q + 1));
        url.hasQuery = true;
        rest = rest.substr(0, q);
    }

    if (rest.substr(0, 2) != "//") {
        // Opaque URLs (javascript:, data:, mailto:) have no authority.
        url.path = std::string(rest);
        return url;
    }
    url.hasAuthority = true;
    rest.remove_prefix(2);
    const std::size_t slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    url.path = slash == std::string_view::npos ? std::string("/") : std::string(rest.substr(slash));

    if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
        url.userInfo = std::string(authority.substr(0, at));
        url.hasUserInfo = true;
        authority = authority.substr(at + 1);
    }

    std::string_view hostPart = authority;
    std::string_view portPart;
    bool hasPort = false;
    if (!authority.empty() && authority[0] == '[') {
        const std::size_t close = authority.find(']');
        if (close == std::string_view::npos)
            return bad("URL has an unterminated IPv6 address");
        hostPart = authority.substr(1, close - 1);
        const std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after[0] != ':')
                return bad("URL has characters after its IPv6 address");
            portPart = after.substr(1);
            hasPort = true;
        }
        if (!isValidIpv6(hostPart))
            return bad("URL host is not a valid IPv6 address");
        url.host = text::toLowerAscii(hostPart);
        url.hostIsIpv6 = true;
    } else {
        if (const std::size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
            hostPart = authority.substr(0, colon);
            portPart = authority.substr(colon + 1);
            hasPort = true;
        }
        if (hostPart.empty())
            return bad("URL has no host");
        for (char c : hostPart) {
            if (static_cast<unsigned char>(c) >= 0x80)
                return bad("URL host has non-ASCII characters; write internationalised names in punycode (xn--…)");
            if (c == '%')
                return bad("URL host is percent-encoded");
            if (!isHostChar(c))
                return bad("URL host contains the character '" + std::string(1, c) + "'");
        }
        url.host = text::toLowerAscii(hostPart);
        if (url.host.find("..") != std::string::npos || url.host.front() == '.')
            return bad("URL host has an empty label");
        if (endsInNumber(url.host) && !isCanonicalIpv4(url.host))
            return bad("URL host looks like an IP address but is not a plain dotted-quad (e.g. 127.0.0.1)");
    }
    if (hasPort && !portPart.empty()) {
        if (portPart.size() > 5 || !std::all_of(portPart.begin(), portPart.end(), isDigit))
            return bad("URL port is not a number");
        int port = 0;
        std::from_chars(portPart.data(), portPart.data() + portPart.size(), port);
        if (port < 1 || port > 65535)
            return bad("URL port is out of range (1-65535)");
        if (port != defaultPort(url.scheme))
            url.port = port;
    }
    return url;
}

std::string Url::origin() const
{
    std::string out = scheme + "://";
    out += hostIsIpv6 ? "[" + host + "]" : host;
    if (port)
        out += ":" + std::to_string(*port);
    return out;
}

std::string Url::toString() const
{
    std::string out = scheme + ":";
    if (hasAuthority) {
        out += "//";
        if (hasUserInfo)
            out += userInfo + "@";
        out += hostIsIpv6 ? "[" + host + "]" : host;
        if (port)
            out += ":" + std::to_string(*port);
    }
    out += path;
    if (hasQuery)
        out += "?" + query;
    if (hasFragment)
        out += "#" + fragment;
    return out;
}

bool Url::isLoopbackHost() const
{
    if (hostIsIpv6)
        return host == "::1" || host == "0:0:0:0:0:0:0:1";
    if (host == "localhost")
        return true;
    return isCanonicalIpv4(host) && text::startsWith(host, "127.");
}

} // namespace tessera::widgets
