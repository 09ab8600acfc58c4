// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tessera::text {

/** Percent-encodes everything except the characters JavaScript's encodeURIComponent keeps. */
std::string percentEncodeComponent(std::string_view in);

/**
 * Decodes the UTF-8 sequence at @p p (before @p end) into @p cp; returns its length in bytes, or
 * 0 if the bytes there are not one (overlong, surrogate, above U+10FFFF, truncated, stray
 * continuation byte). @p p must be before @p end.
 */
std::size_t decodeUtf8(const unsigned char *p, const unsigned char *end, char32_t &cp) noexcept;

/** True if @p in is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF). */
bool isValidUtf8(std::string_view in) noexcept;

/**
 * Appends the UTF-8 encoding of the code point @p cp to @p out. @p cp must be a Unicode scalar
 * value (at most U+10FFFF, not a surrogate): callers decode or range-check before they encode.
 */
void appendUtf8(std::string &out, char32_t cp);

/** Appends @p in to @p out as a JSON string literal, quotes included. @p in must be UTF-8. */
void appendJsonString(std::string &out, std::string_view in);

/** Returns @p in as a JSON string literal. */
std::string jsonString(std::string_view in);

std::string toLowerAscii(std::string_view in);

bool startsWith(std::string_view s, std::string_view prefix) noexcept;
bool endsWith(std::string_view s, std::string_view suffix) noexcept;
/** True if @p s holds an ASCII control character (below 0x20, or DEL). */
bool hasControlCharacters(std::string_view s) noexcept;

/** Standard base64 (RFC 4648, with padding). */
std::string base64Encode(std::string_view bytes);
/** Decodes standard base64; whitespace is not allowed; returns nullopt on any error. */
std::optional<std::string> base64Decode(std::string_view text);
/** URL-safe base64 without padding (RFC 7515 "base64url"). */
std::string base64UrlEncode(std::string_view bytes);
std::optional<std::string> base64UrlDecode(std::string_view text);

/** Lower-case hexadecimal. */
std::string hexEncode(std::string_view bytes);
/** The value of one hexadecimal digit (0-9, a-f, A-F), or -1 for any other character. */
int hexDigitValue(char c);

/** Shortens @p in to at most @p maxBytes without splitting a UTF-8 sequence; appends "…" if cut. */
std::string truncateUtf8(std::string_view in, std::size_t maxBytes);

} // namespace tessera::text
