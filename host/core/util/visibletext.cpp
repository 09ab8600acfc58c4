// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "util/visibletext.h"

#include <algorithm>
#include <array>
#include <cstdint>

#include "util/text.h"

namespace tessera::text {

namespace {

struct Range {
    char32_t first;
    char32_t last;
};

// Cc, Cf, Zl, Zp and Default_Ignorable_Code_Point of Unicode 15.0, plus U+2800, merged and
// sorted. The unit test checks it against the Unicode data installed on the machine
// (/usr/share/unicode), so a newer Unicode version with new format characters fails the test
// until this table is brought up to date. Noncharacters are handled apart.
constexpr std::array kInvisible{
    Range{0x0000, 0x001F},   Range{0x007F, 0x009F},   Range{0x00AD, 0x00AD},   Range{0x034F, 0x034F},
    Range{0x0600, 0x0605},   Range{0x061C, 0x061C},   Range{0x06DD, 0x06DD},   Range{0x070F, 0x070F},
    Range{0x0890, 0x0891},   Range{0x08E2, 0x08E2},   Range{0x115F, 0x1160},   Range{0x17B4, 0x17B5},
    Range{0x180B, 0x180F},   Range{0x200B, 0x200F},   Range{0x2028, 0x202E},   Range{0x2060, 0x206F},
    Range{0x2800, 0x2800},   Range{0x3164, 0x3164},   Range{0xFE00, 0xFE0F},   Range{0xFEFF, 0xFEFF},
    Range{0xFFA0, 0xFFA0},   Range{0xFFF0, 0xFFFB},   Range{0x110BD, 0x110BD}, Range{0x110CD, 0x110CD},
    Range{0x13430, 0x1343F}, Range{0x1BCA0, 0x1BCA3}, Range{0x1D173, 0x1D17A}, Range{0xE0000, 0xE0FFF},
};

constexpr bool sortedAndDisjoint()
{
    for (std::size_t i = 0; i < kInvisible.size(); ++i) {
        if (kInvisible[i].first > kInvisible[i].last)
            return false;
        if (i > 0 && kInvisible[i - 1].last >= kInvisible[i].first)
            return false;
    }
    return true;
}
static_assert(sortedAndDisjoint(), "the table is searched by binary search");

constexpr char kHex[] = "0123456789ABCDEF";
constexpr std::string_view kOpen = "\xE2\x9F\xA8";  // U+27E8 MATHEMATICAL LEFT ANGLE BRACKET
constexpr std::string_view kClose = "\xE2\x9F\xA9"; // U+27E9 MATHEMATICAL RIGHT ANGLE BRACKET

bool isPresentationSelector(char32_t cp) noexcept
{
    return cp == 0xFE0E || cp == 0xFE0F;
}

void appendHex(std::string &out, std::uint32_t value, int minDigits)
{
    int digits = minDigits;
    while (digits < 8 && (value >> (4 * digits)) != 0)
        ++digits;
    for (int i = digits - 1; i >= 0; --i)
        out += kHex[(value >> (4 * i)) & 0xF];
}

/** Walks @p utf8 and calls @p visit(start, length, codePoint, escape) per code point or bad byte. */
template<typename Visit>
void walk(std::string_view utf8, Visit &&visit)
{
    const auto *p = reinterpret_cast<const unsigned char *>(utf8.data());
    const auto *end = p + utf8.size();
    bool afterShown = false; // the previous code point is shown as it is
    while (p < end) {
        char32_t cp = 0;
        const std::size_t n = decodeUtf8(p, end, cp);
        if (n == 0) {
            if (!visit(p, std::size_t(1), char32_t(*p), true, true))
                return;
            afterShown = false;
            ++p;
            continue;
        }
        bool escape = isInvisibleCodePoint(cp);
        if (escape && isPresentationSelector(cp) && afterShown)
            escape = false;
        if (!visit(p, n, cp, escape, false))
            return;
        afterShown = !escape && !isPresentationSelector(cp);
        p += n;
    }
}

} // namespace

bool isInvisibleCodePoint(char32_t cp) noexcept
{
    if (cp > 0x10FFFF)
        return false;
    if ((cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE)
        return true; // noncharacters
    auto it = std::upper_bound(kInvisible.begin(), kInvisible.end(), cp,
                               [](char32_t value, const Range &r) { return value < r.first; });
    return it != kInvisible.begin() && cp <= std::prev(it)->last;
}

std::string escapeInvisible(std::string_view utf8)
{
    std::string out;
    out.reserve(utf8.size());
    walk(utf8, [&](const unsigned char *p, std::size_t n, char32_t cp, bool escape, bool badByte) {
        if (!escape) {
            out.append(reinterpret_cast<const char *>(p), n);
            return true;
        }
        out += kOpen;
        if (badByte) {
            out += "0x";
            appendHex(out, cp, 2);
        } else {
            out += "U+";
            appendHex(out, cp, 4);
        }
        out += kClose;
        return true;
    });
    return out;
}

bool hasInvisible(std::string_view utf8) noexcept
{
    bool found = false;
    walk(utf8, [&](const unsigned char *, std::size_t, char32_t, bool escape, bool) {
        found = escape;
        return !found;
    });
    return found;
}

} // namespace tessera::text
