// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "bridge/envelope.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <clocale>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "util/text.h"

namespace tessera::bridge {

namespace {

// The high bit of each of the eight bytes of @p w that is a quote, a backslash, a control
// character or not ASCII, from the exact "has a zero byte" / "has a byte below n" bit tricks.
// Borrows may also flag a byte above a flagged one, never one below: the lowest flag is exact.
std::uint64_t specialBytes(std::uint64_t w)
{
    constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
    constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
    const std::uint64_t quote = w ^ (kOnes * '"');
    const std::uint64_t backslash = w ^ (kOnes * '\\');
    return (((w - kOnes * 0x20) & ~w) | ((quote - kOnes) & ~quote) | ((backslash - kOnes) & ~backslash) | w) & kHigh;
}

// Skips the run of plain string bytes (printable ASCII other than quote and backslash) at
// @p p, eight at a time, and returns the first byte that needs a look of its own (or @p end).
const char *skipPlainBytes(const char *p, const char *end)
{
    if constexpr (std::endian::native == std::endian::little) {
        while (end - p >= 8) {
            std::uint64_t w;
            std::memcpy(&w, p, sizeof w);
            if (const std::uint64_t special = specialBytes(w))
                return p + std::countr_zero(special) / 8;
            p += 8;
        }
    }
    while (p < end) {
        const unsigned char c = static_cast<unsigned char>(*p);
        if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\')
            break;
        ++p;
    }
    return p;
}

// A strict, allocation-free JSON validator that remembers where values start and end.
class Scanner {
public:
    Scanner(std::string_view text, int maxDepth) : m_begin(text.data()), m_p(text.data()), m_end(text.data() + text.size()), m_maxDepth(maxDepth) {}

    const char *pos() const { return m_p; }
    bool atEnd() const { return m_p == m_end; }
    const std::string &error() const { return m_error; }
    std::size_t offset() const { return std::size_t(m_p - m_begin); }

    void skipWs()
    {
        while (m_p < m_end && (*m_p == ' ' || *m_p == '\t' || *m_p == '\n' || *m_p == '\r'))
            ++m_p;
    }

    bool expect(char c)
    {
        skipWs();
        if (m_p < m_end && *m_p == c) {
            ++m_p;
            return true;
        }
        return fail(std::string("expected '") + c + "'");
    }

    bool peek(char c)
    {
        skipWs();
        return m_p < m_end && *m_p == c;
    }

    bool value(int depth)
    {
        skipWs();
        if (m_p >= m_end)
            return fail("unexpected end of input");
        switch (*m_p) {
        case '{': return object(depth + 1);
        case '[': return array(depth + 1);
        case '"': return string(nullptr);
        case 't': return literal("true");
        case 'f': return literal("false");
        case 'n': return literal("null");
        default: return number();
        }
    }

    // Scans a string starting at the opening quote; on success the raw contents (without
    // quotes) are stored in *raw if given.
    bool string(std::string_view *raw)
    {
        if (m_p >= m_end || *m_p != '"')
            return fail("expected a string");
        ++m_p;
        const char *start = m_p;
        bool highSurrogatePending = false;
        bool sawNonAscii = false;
        while (m_p < m_end) {
            if (!highSurrogatePending) {
                m_p = skipPlainBytes(m_p, m_end); // bytes the checks below would pass unchanged
                if (m_p == m_end)
                    break;
            }
            const unsigned char c = static_cast<unsigned char>(*m_p);
            if (c == '"') {
                if (highSurrogatePending)
                    return fail("unpaired UTF-16 surrogate in string escape");
                const std::string_view contents(start, std::size_t(m_p - start));
                if (sawNonAscii && !text::isValidUtf8(contents))
                    return fail("string is not valid UTF-8");
                if (raw)
                    *raw = contents;
                ++m_p;
                return true;
            }
            if (c < 0x20)
                return fail("control character in string");
            if (c >= 0x80)
                sawNonAscii = true;
            if (c == '\\') {
                ++m_p;
                if (m_p >= m_end)
                    return fail("unterminated escape");
                const char e = *m_p;
                if (e == 'u') {
                    if (m_end - m_p < 5)
                        return fail("truncated \\u escape");
                    std::uint32_t cp = 0;
                    for (int i = 1; i <= 4; ++i) {
                        const int h = text::hexDigitValue(m_p[i]);
                        if (h < 0)
                            return fail("invalid \\u escape");
                        cp = (cp << 4) | std::uint32_t(h);
                    }
                    m_p += 5;
                    if (cp >= 0xD800 && cp <= 0xDBFF) {
                        if (highSurrogatePending)
                            return fail("unpaired UTF-16 surrogate in string escape");
                        highSurrogatePending = true;
                    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                        if (!highSurrogatePending)
                            return fail("unpaired UTF-16 surrogate in string escape");
                        highSurrogatePending = false;
                    } else if (highSurrogatePending) {
                        return fail("unpaired UTF-16 surrogate in string escape");
                    }
                    continue;
                }
                if (highSurrogatePending)
                    return fail("unpaired UTF-16 surrogate in string escape");
                switch (e) {
                case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
                    ++m_p;
                    continue;
                default:
                    return fail("invalid escape in string");
                }
            }
            if (highSurrogatePending)
                return fail("unpaired UTF-16 surrogate in string escape");
            ++m_p;
        }
        return fail("unterminated string");
    }

    bool fail(std::string message)
    {
        if (m_error.empty())
            m_error = std::move(message) + " at byte " + std::to_string(offset());
        return false;
    }

private:
    bool object(int depth)
    {
        if (depth > m_maxDepth)
            return fail("nesting deeper than " + std::to_string(m_maxDepth));
        ++m_p; // '{'
        if (peek('}')) {
            ++m_p;
            return true;
        }
        for (bool more = true; more;) {
            skipWs();
            if (!string(nullptr) || !expect(':') || !value(depth) || !separator('}', "object", more))
                return false;
        }
        return true;
    }

    bool array(int depth)
    {
        if (depth > m_maxDepth)
            return fail("nesting deeper than " + std::to_string(m_maxDepth));
        ++m_p; // '['
        if (peek(']')) {
            ++m_p;
            return true;
        }
        for (bool more = true; more;) {
            if (!value(depth) || !separator(']', "array", more))
                return false;
        }
        return true;
    }

    /**
     * After a member or an element: consumes ',' (@p more: another follows) or @p close (@p more
     * false); anything else fails, naming the @p container.
     */
    bool separator(char close, const char *container, bool &more)
    {
        skipWs();
        if (m_p < m_end && (*m_p == ',' || *m_p == close)) {
            more = *m_p++ == ',';
            return true;
        }
        return fail(std::string("expected ',' or '") + close + "' in " + container);
    }

    bool literal(std::string_view word)
    {
        if (std::size_t(m_end - m_p) < word.size() || std::string_view(m_p, word.size()) != word)
            return fail("invalid literal");
        m_p += word.size();
        return true;
    }

    bool digits()
    {
        const char *start = m_p;
        while (m_p < m_end && *m_p >= '0' && *m_p <= '9')
            ++m_p;
        return m_p > start;
    }

    bool number()
    {
        if (m_p < m_end && *m_p == '-')
            ++m_p;
        if (m_p >= m_end)
            return fail("invalid number");
        if (*m_p == '0') {
            ++m_p;
        } else if (*m_p >= '1' && *m_p <= '9') {
            digits();
        } else {
            return fail("unexpected character");
        }
        if (m_p < m_end && *m_p == '.') {
            ++m_p;
            if (!digits())
                return fail("invalid number");
        }
        if (m_p < m_end && (*m_p == 'e' || *m_p == 'E')) {
            ++m_p;
            if (m_p < m_end && (*m_p == '+' || *m_p == '-'))
                ++m_p;
            if (!digits())
                return fail("invalid number");
        }
        return true;
    }

    const char *m_begin;
    const char *m_p;
    const char *m_end;
    int m_maxDepth;
    std::string m_error;
};

// Decodes the raw contents of a string the Scanner already validated.
std::string decodeString(std::string_view raw)
{
    if (raw.find('\\') == std::string_view::npos)
        return std::string(raw);
    std::string out;
    out.reserve(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i) {
        const char c = raw[i];
        if (c != '\\') {
            out += c;
            continue;
        }
        const char e = raw[++i];
        switch (e) {
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
            std::uint32_t cp = 0;
            for (int k = 1; k <= 4; ++k)
                cp = (cp << 4) | std::uint32_t(text::hexDigitValue(raw[i + std::size_t(k)]));
            i += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                std::uint32_t low = 0;
                for (int k = 3; k <= 6; ++k)
                    low = (low << 4) | std::uint32_t(text::hexDigitValue(raw[i + std::size_t(k)]));
                i += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            }
            text::appendUtf8(out, cp);
            break;
        }
        default: out += e; break; // " \ /
        }
    }
    return out;
}

enum Field { kApi, kWidgetId, kRequestId, kAction, kData, kResponse, kFieldCount };

int fieldIndex(std::string_view key)
{
    if (key == "api") return kApi;
    if (key == "widgetId") return kWidgetId;
    if (key == "requestId") return kRequestId;
    if (key == "action") return kAction;
    if (key == "data") return kData;
    if (key == "response") return kResponse;
    return -1;
}

constexpr const char *kFieldNames[kFieldCount] = {"api", "widgetId", "requestId", "action", "data", "response"};

Error bad(std::string message)
{
    return Error(ErrorCode::BadRequest, std::move(message));
}

/**
 * Walks a text that must be one JSON object: for each member, @p onMember(key) gets its key
 * (escapes decoded) with @p s at the value, which it must consume; an Error it returns stops the
 * walk. @p notAnObject is the error when the text does not start with '{'.
 */
template<typename OnMember>
Result<void> walkObject(Scanner &s, const char *notAnObject, OnMember &&onMember)
{
    s.skipWs();
    if (!s.peek('{'))
        return bad(notAnObject);
    s.expect('{');
    if (!s.peek('}')) {
        for (;;) {
            s.skipWs();
            std::string_view rawKey;
            if (!s.string(&rawKey) || !s.expect(':'))
                return bad("malformed JSON: " + s.error());
            s.skipWs();
            const bool escaped = rawKey.find('\\') != std::string_view::npos;
            const std::string decodedKey = escaped ? decodeString(rawKey) : std::string();
            TRY(onMember(escaped ? std::string_view(decodedKey) : rawKey));
            s.skipWs();
            if (s.peek(',')) {
                s.expect(',');
                continue;
            }
            if (s.peek('}'))
                break;
            return bad("malformed JSON: expected ',' or '}' at byte " + std::to_string(s.offset()));
        }
    }
    s.expect('}');
    s.skipWs();
    if (!s.atEnd())
        return bad("malformed JSON: trailing characters at byte " + std::to_string(s.offset()));
    return {};
}

} // namespace

Result<void> validateJson(std::string_view text, int maxDepth)
{
    Scanner s(text, maxDepth);
    if (!s.value(0))
        return bad("malformed JSON: " + s.error());
    s.skipWs();
    if (!s.atEnd())
        return bad("malformed JSON: trailing characters at byte " + std::to_string(s.offset()));
    return {};
}

Result<void> scanObjectMembers(std::string_view text, std::span<const std::string_view> names,
                               std::span<std::string_view> values, int maxDepth)
{
    Scanner s(text, maxDepth);
    return walkObject(s, "not a JSON object", [&](std::string_view key) -> Result<void> {
        const char *valueStart = s.pos();
        if (!s.value(1))
            return bad("malformed JSON: " + s.error());
        const std::string_view value(valueStart, std::size_t(s.pos() - valueStart));
        for (std::size_t i = 0; i < names.size() && i < values.size(); ++i) {
            if (names[i] == key)
                values[i] = value;
        }
        return {};
    });
}

Result<Envelope> parseEnvelope(std::string_view text, const EnvelopeLimits &limits)
{
    if (text.empty())
        return bad("message is empty");
    if (text.size() > limits.maxMessageBytes) {
        return bad("message is " + std::to_string(text.size()) + " bytes; the limit is "
                   + std::to_string(limits.maxMessageBytes));
    }
    std::string_view values[kFieldCount];
    bool seen[kFieldCount] = {};
    bool isString[kFieldCount] = {};
    std::string_view rawStrings[kFieldCount];

    Scanner s(text, limits.maxDepth);
    TRY(walkObject(s, "message is not a JSON object", [&](std::string_view key) -> Result<void> {
        const char *valueStart = s.pos();
        const int idx = fieldIndex(key);
        if (idx >= 0 && seen[idx])
            return bad(std::string("duplicate field `") + kFieldNames[idx] + "`");
        bool ok;
        if (idx >= 0 && !s.atEnd() && *valueStart == '"') {
            ok = s.string(&rawStrings[idx]);
            isString[idx] = ok;
        } else {
            ok = s.value(0);
        }
        if (!ok)
            return bad("malformed JSON: " + s.error());
        if (idx >= 0) {
            seen[idx] = true;
            values[idx] = std::string_view(valueStart, std::size_t(s.pos() - valueStart));
        }
        return {};
    }));

    Envelope env;
    std::string *targets[] = {&env.api, &env.widgetId, &env.requestId, &env.action};
    for (int i = kApi; i <= kAction; ++i) {
        if (!seen[i] || !isString[i] || rawStrings[i].empty())
            return bad(std::string("field `") + kFieldNames[i] + "` must be a non-empty string");
        if (rawStrings[i].size() > limits.maxIdLength) {
            return bad(std::string("field `") + kFieldNames[i] + "` is longer than "
                       + std::to_string(limits.maxIdLength) + " bytes");
        }
        *targets[i] = decodeString(rawStrings[i]);
    }
    if (env.api != kApiFromWidget && env.api != kApiToWidget)
        return bad("field `api` must be \"fromWidget\" or \"toWidget\"");
    if (seen[kData]) {
        if (values[kData].front() != '{')
            return bad("field `data` must be an object");
        env.data = values[kData];
    }
    if (seen[kResponse]) {
        if (values[kResponse].front() != '{')
            return bad("field `response` must be an object");
        env.response = values[kResponse];
        env.hasResponse = true;
    }
    return env;
}

namespace {

// Skipping over text validateJson accepted: no checks, only the structure.

std::size_t skipWhitespace(std::string_view t, std::size_t i)
{
    while (i < t.size() && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r'))
        ++i;
    return i;
}

// From the opening quote to just past the closing one.
std::size_t skipString(std::string_view t, std::size_t i)
{
    for (++i; i < t.size(); ++i) {
        i = std::size_t(skipPlainBytes(t.data() + i, t.data() + t.size()) - t.data());
        if (i >= t.size() || t[i] == '"')
            break;
        if (t[i] == '\\')
            ++i;
    }
    return i + 1;
}

bool endsScalar(char c)
{
    return c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::size_t skipValue(std::string_view t, std::size_t i)
{
    if (i >= t.size())
        return i;
    if (t[i] == '"')
        return skipString(t, i);
    if (t[i] != '{' && t[i] != '[') {
        while (i < t.size() && !endsScalar(t[i]))
            ++i;
        return i;
    }
    int depth = 0;
    while (i < t.size()) {
        const char c = t[i];
        if (c == '"') {
            i = skipString(t, i);
            continue;
        }
        ++i;
        if (c == '{' || c == '[') {
            ++depth;
        } else if ((c == '}' || c == ']') && --depth == 0) {
            return i;
        }
    }
    return i;
}

} // namespace

MemberReader::MemberReader(std::string_view objectText) : m_text(objectText)
{
    m_pos = skipWhitespace(m_text, 0) + 1; // past '{'
}

bool MemberReader::next()
{
    m_pos = skipWhitespace(m_text, m_pos);
    if (m_pos < m_text.size() && m_text[m_pos] == ',')
        m_pos = skipWhitespace(m_text, m_pos + 1);
    if (m_pos >= m_text.size() || m_text[m_pos] != '"')
        return false; // '}'
    const std::size_t keyEnd = skipString(m_text, m_pos);
    const std::string_view rawKey = m_text.substr(m_pos + 1, keyEnd - m_pos - 2);
    if (rawKey.find('\\') == std::string_view::npos) {
        m_key = rawKey;
    } else {
        m_keyBuffer = decodeString(rawKey);
        m_key = m_keyBuffer;
    }
    const std::size_t valueStart = skipWhitespace(m_text, skipWhitespace(m_text, keyEnd) + 1); // past ':'
    m_pos = skipValue(m_text, valueStart);
    m_value = m_text.substr(valueStart, m_pos - valueStart);
    return true;
}

namespace {

// Reads a number token as nlohmann's lexer does: an integer as unsigned (or, with a sign, as
// signed) when it fits, anything else with strtod and the locale's decimal point.
nlohmann::json readNumber(std::string_view token)
{
    const bool isInteger = token.find_first_of(".eE") == std::string_view::npos;
    if (isInteger && token.front() == '-') {
        std::int64_t n = 0;
        if (std::from_chars(token.data(), token.data() + token.size(), n).ec == std::errc())
            return n;
    } else if (isInteger) {
        std::uint64_t n = 0;
        if (std::from_chars(token.data(), token.data() + token.size(), n).ec == std::errc())
            return n;
    }
    std::string number(token);
    std::replace(number.begin(), number.end(), '.', *std::localeconv()->decimal_point);
    const double d = std::strtod(number.c_str(), nullptr);
    if (!std::isfinite(d))
        return nlohmann::json(nlohmann::json::value_t::discarded);
    return d;
}

class DomBuilder {
public:
    explicit DomBuilder(std::string_view text) : m_t(text) {}

    // False once a value was discarded (a number beyond a double).
    bool value(nlohmann::json &out)
    {
        m_i = skipWhitespace(m_t, m_i);
        const char c = m_t[m_i];
        if (c == '{')
            return object(out);
        if (c == '[')
            return array(out);
        if (c == '"') {
            const std::size_t end = skipString(m_t, m_i);
            out = decodeString(m_t.substr(m_i + 1, end - m_i - 2));
            m_i = end;
            return true;
        }
        const std::size_t start = m_i;
        while (m_i < m_t.size() && !endsScalar(m_t[m_i]))
            ++m_i;
        const std::string_view token = m_t.substr(start, m_i - start);
        if (c == 't')
            out = true;
        else if (c == 'f')
            out = false;
        else if (c == 'n')
            out = nullptr;
        else
            out = readNumber(token);
        return !out.is_discarded();
    }

private:
    bool object(nlohmann::json &out)
    {
        out = nlohmann::json::object();
        m_i = skipWhitespace(m_t, m_i + 1);
        if (m_t[m_i] == '}') {
            ++m_i;
            return true;
        }
        for (;;) {
            m_i = skipWhitespace(m_t, m_i);
            const std::size_t end = skipString(m_t, m_i);
            std::string key = decodeString(m_t.substr(m_i + 1, end - m_i - 2));
            m_i = skipWhitespace(m_t, end) + 1; // ':'
            if (!value(out[std::move(key)])) // operator[]: the last of duplicate keys wins
                return false;
            m_i = skipWhitespace(m_t, m_i);
            if (m_t[m_i++] == '}')
                return true;
        }
    }

    bool array(nlohmann::json &out)
    {
        out = nlohmann::json::array();
        m_i = skipWhitespace(m_t, m_i + 1);
        if (m_t[m_i] == ']') {
            ++m_i;
            return true;
        }
        for (;;) {
            out.push_back(nullptr);
            if (!value(out.back()))
                return false;
            m_i = skipWhitespace(m_t, m_i);
            if (m_t[m_i++] == ']')
                return true;
        }
    }

    std::string_view m_t;
    std::size_t m_i = 0;
};

} // namespace

nlohmann::json buildJson(std::string_view jsonText)
{
    nlohmann::json out;
    if (!DomBuilder(jsonText).value(out))
        return nlohmann::json(nlohmann::json::value_t::discarded);
    return out;
}

std::string decodeJsonString(std::string_view literal)
{
    return decodeString(literal.substr(1, literal.size() - 2));
}

bool hasNumberBeyondDouble(std::string_view jsonText)
{
    std::size_t i = 0;
    while (i < jsonText.size()) {
        const char c = jsonText[i];
        if (c == '"') {
            i = skipString(jsonText, i);
            continue;
        }
        if (c != '-' && (c < '0' || c > '9')) {
            ++i;
            continue;
        }
        const std::size_t start = i;
        bool hasExponent = false;
        while (i < jsonText.size() && !endsScalar(jsonText[i])) {
            hasExponent = hasExponent || jsonText[i] == 'e' || jsonText[i] == 'E';
            ++i;
        }
        // Without an exponent, only a number of more than 309 digits leaves a double's range.
        if (!hasExponent && i - start <= 300)
            continue;
        // Read as nlohmann reads it: strtod, with '.' replaced by the locale's decimal point.
        std::string number(jsonText.substr(start, i - start));
        std::replace(number.begin(), number.end(), '.', *std::localeconv()->decimal_point);
        if (!std::isfinite(std::strtod(number.c_str(), nullptr)))
            return true;
    }
    return false;
}

std::string spliceResponse(std::string_view requestText, std::string_view responseJson)
{
    std::size_t close = requestText.size();
    while (close > 0 && requestText[close - 1] != '}')
        --close;
    // close-1 is the object's closing brace; the object is never empty (api, widgetId, … exist).
    std::string out;
    out.reserve(close + responseJson.size() + 16);
    out.append(requestText.data(), close - 1);
    out += ",\"response\":";
    out += responseJson;
    out += '}';
    return out;
}

} // namespace tessera::bridge
