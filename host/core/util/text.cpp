// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "util/text.h"

#include <algorithm>
#include <array>

namespace tessera::text {

namespace {
constexpr char kHex[] = "0123456789ABCDEF";
constexpr char kHexLower[] = "0123456789abcdef";
constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kB64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

bool isComponentSafe(unsigned char c) noexcept
{
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
        return true;
    switch (c) {
    case '-': case '_': case '.': case '!': case '~': case '*': case '\'': case '(': case ')':
        return true;
    default:
        return false;
    }
}

std::string base64EncodeWith(std::string_view bytes, const char *alphabet, bool pad)
{
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const std::uint32_t v = (std::uint32_t(std::uint8_t(bytes[i])) << 16)
            | (std::uint32_t(std::uint8_t(bytes[i + 1])) << 8) | std::uint8_t(bytes[i + 2]);
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += alphabet[v & 63];
    }
    const std::size_t rest = bytes.size() - i;
    if (rest == 1) {
        const std::uint32_t v = std::uint32_t(std::uint8_t(bytes[i])) << 16;
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        if (pad)
            out += "==";
    } else if (rest == 2) {
        const std::uint32_t v = (std::uint32_t(std::uint8_t(bytes[i])) << 16)
            | (std::uint32_t(std::uint8_t(bytes[i + 1])) << 8);
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        if (pad)
            out += '=';
    }
    return out;
}

std::optional<std::string> base64DecodeWith(std::string_view text, bool url)
{
    std::array<int, 256> table{};
    table.fill(-1);
    const char *alphabet = url ? kB64Url : kB64;
    for (int i = 0; i < 64; ++i)
        table[std::uint8_t(alphabet[i])] = i;

    std::size_t len = text.size();
    if (!url) {
        if (len % 4 != 0)
            return std::nullopt;
        std::size_t padding = 0;
        while (padding < 2 && len > 0 && text[len - 1] == '=') {
            --len;
            ++padding;
        }
    } else if (len % 4 == 1) {
        return std::nullopt;
    }
    std::string out;
    out.reserve(len * 3 / 4);
    std::uint32_t acc = 0;
    int bits = 0;
    for (std::size_t i = 0; i < len; ++i) {
        const int v = table[std::uint8_t(text[i])];
        if (v < 0)
            return std::nullopt;
        acc = (acc << 6) | std::uint32_t(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += char((acc >> bits) & 0xFF);
        }
    }
    // Leftover bits must be zero, otherwise the encoding is not canonical.
    if (bits > 0 && (acc & ((1u << bits) - 1)) != 0)
        return std::nullopt;
    return out;
}
} // namespace

std::string percentEncodeComponent(std::string_view in)
{
    std::string out;
    out.reserve(in.size() * 3 / 2);
    for (unsigned char c : in) {
        if (isComponentSafe(c)) {
            out += char(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

std::size_t decodeUtf8(const unsigned char *p, const unsigned char *end, char32_t &cp) noexcept
{
    const unsigned char c = *p;
    if (c < 0x80) {
        cp = c;
        return 1;
    }
    std::size_t n = 0;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 1;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 2;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 3;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (std::size_t(end - p) <= n)
        return 0;
    for (std::size_t i = 1; i <= n; ++i) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0; // overlong or out of range
    if (cp >= 0xD800 && cp <= 0xDFFF)
        return 0; // surrogate
    return n + 1;
}

bool isValidUtf8(std::string_view in) noexcept
{
    const auto *p = reinterpret_cast<const unsigned char *>(in.data());
    const auto *end = p + in.size();
    while (p < end) {
        if (*p < 0x80) {
            ++p;
            continue;
        }
        char32_t cp = 0;
        const std::size_t n = decodeUtf8(p, end, cp);
        if (n == 0)
            return false;
        p += n;
    }
    return true;
}

void appendJsonString(std::string &out, std::string_view in)
{
    out += '"';
    std::size_t runStart = 0;
    for (std::size_t i = 0; i < in.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(in[i]);
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        out.append(in.data() + runStart, i - runStart);
        runStart = i + 1;
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
            out += "\\u00";
            out += kHexLower[c >> 4];
            out += kHexLower[c & 15];
        }
    }
    out.append(in.data() + runStart, in.size() - runStart);
    out += '"';
}

std::string jsonString(std::string_view in)
{
    std::string out;
    out.reserve(in.size() + 2);
    appendJsonString(out, in);
    return out;
}

std::string toLowerAscii(std::string_view in)
{
    std::string out(in);
    for (char &c : out) {
        if (c >= 'A' && c <= 'Z')
            c = char(c - 'A' + 'a');
    }
    return out;
}

bool startsWith(std::string_view s, std::string_view prefix) noexcept
{
    return s.substr(0, prefix.size()) == prefix;
}

bool endsWith(std::string_view s, std::string_view suffix) noexcept
{
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool hasControlCharacters(std::string_view s) noexcept
{
    return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; });
}

std::string base64Encode(std::string_view bytes) { return base64EncodeWith(bytes, kB64, true); }
std::optional<std::string> base64Decode(std::string_view text) { return base64DecodeWith(text, false); }
std::string base64UrlEncode(std::string_view bytes) { return base64EncodeWith(bytes, kB64Url, false); }
std::optional<std::string> base64UrlDecode(std::string_view text) { return base64DecodeWith(text, true); }

std::string hexEncode(std::string_view bytes)
{
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        out += kHexLower[c >> 4];
        out += kHexLower[c & 15];
    }
    return out;
}

int hexDigitValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

void appendUtf8(std::string &out, char32_t cp)
{
    if (cp < 0x80) {
        out += char(cp);
    } else if (cp < 0x800) {
        out += char(0xC0 | (cp >> 6));
        out += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += char(0xE0 | (cp >> 12));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    } else {
        out += char(0xF0 | (cp >> 18));
        out += char(0x80 | ((cp >> 12) & 0x3F));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    }
}

std::string truncateUtf8(std::string_view in, std::size_t maxBytes)
{
    if (in.size() <= maxBytes)
        return std::string(in);
    std::size_t cut = maxBytes;
    while (cut > 0 && (static_cast<unsigned char>(in[cut]) & 0xC0) == 0x80)
        --cut;
    std::string out(in.substr(0, cut));
    out += "\xE2\x80\xA6";
    return out;
}

} // namespace tessera::text
