// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <string_view>

namespace tessera::text {

/**
 * True for the code points that can hide, reorder or fake text when shown as they are, so a
 * security decision never shows them raw:
 * - every control character (Unicode category Cc: C0, DEL, C1 including U+0085);
 * - every format character (category Cf): the bidirectional controls U+061C, U+200E/U+200F,
 *   U+202A–U+202E and U+2066–U+2069, zero width characters, U+FEFF, the tag characters
 *   U+E0000–U+E007F, …;
 * - the line and paragraph separators U+2028 and U+2029;
 * - every Default_Ignorable_Code_Point (Hangul fillers U+115F, U+1160, U+3164, U+FFA0,
 *   variation selectors, the combining grapheme joiner, Mongolian and Khmer invisibles, the
 *   unassigned invisibles U+FFF0–U+FFF8 and U+E0080–U+E0FFF);
 * - U+2800 BRAILLE PATTERN BLANK, which draws nothing and is the usual "blank name" trick;
 * - the noncharacters (U+FDD0–U+FDEF and the last two code points of every plane).
 *
 * Spaces other than U+0020 (no-break, ideographic, …) are not in the set: they show as the
 * spaces they are. Private-use and unassigned code points are not either: they are drawn (as
 * a box when no font has them).
 */
bool isInvisibleCodePoint(char32_t codePoint) noexcept;

/**
 * Returns @p utf8 with every invisible code point (isInvisibleCodePoint) written out visibly
 * as `⟨U+202E⟩`, and every byte that is not part of well-formed UTF-8 as `⟨0xFF⟩`, so that
 * `U+202E txet.m` can no longer read as `m.text`. Everything else is kept as it is.
 *
 * One exception keeps emoji readable: U+FE0E and U+FE0F (text and emoji presentation
 * selectors) are kept when they directly follow a code point that is shown as it is; they only
 * choose how that character is drawn. Anywhere else (at the start, after another selector,
 * after an escaped code point) they are escaped like the other variation selectors.
 *
 * Use it wherever untrusted text (widget, room and plugin names, capability strings, URLs,
 * audit reasons) is shown as part of a security decision.
 */
std::string escapeInvisible(std::string_view utf8);

/** True if escapeInvisible(@p utf8) differs from @p utf8 (the text hides something). */
bool hasInvisible(std::string_view utf8) noexcept;

} // namespace tessera::text
