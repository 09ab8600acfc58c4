// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "audit/redaction.h"

#include <array>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include <nlohmann/json.hpp>

#include "audit/auditschema.h"
#include "util/text.h"

namespace tessera::audit {

namespace {

char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
}

// Finds @p needle (lower-case ASCII) in @p hay ignoring ASCII case, from @p from.
std::size_t findNoCase(std::string_view hay, std::string_view needle, std::size_t from = 0)
{
    if (needle.size() > hay.size())
        return std::string_view::npos;
    for (std::size_t i = from; i + needle.size() <= hay.size(); ++i) {
        std::size_t k = 0;
        while (k < needle.size() && lower(hay[i + k]) == needle[k])
            ++k;
        if (k == needle.size())
            return i;
    }
    return std::string_view::npos;
}

constexpr std::array kSecretKeyParts = {
    std::string_view("token"),         std::string_view("password"),    std::string_view("passwd"),
    std::string_view("passphrase"),    std::string_view("secret"),      std::string_view("authorization"),
    std::string_view("cookie"),        std::string_view("api_key"),     std::string_view("apikey"),
    std::string_view("private_key"),   std::string_view("privatekey"),  std::string_view("session_key"),
};

// Query parameters whose value is a credential; any "...token=" is covered by "token=".
constexpr std::array kSecretParams = {
    std::string_view("token="),  std::string_view("password="), std::string_view("passwd="),
    std::string_view("secret="), std::string_view("api_key="),  std::string_view("apikey="),
};

constexpr std::string_view kRedacted = "REDACTED";

// Prefixes of Matrix access and refresh tokens (Synapse syt_/syr_, MAS mat_/mar_ and the
// compatibility mct_/mcr_): a token is replaced wherever it appears, even in message text.
constexpr std::array kTokenPrefixes = {
    std::string_view("syt_"), std::string_view("syr_"), std::string_view("mat_"),
    std::string_view("mar_"), std::string_view("mct_"), std::string_view("mcr_"),
};
constexpr std::size_t kMinTokenTailChars = 16;

bool isTokenChar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

// Replaces "syt_<at least 16 token characters>" and the like with "syt_REDACTED".
void scrubTokenShapes(std::string &out)
{
    for (std::size_t i = 3; i < out.size(); ++i) {
        if (out[i] != '_')
            continue;
        const std::string_view prefix = std::string_view(out).substr(i - 3, 4);
        bool known = false;
        for (std::string_view p : kTokenPrefixes)
            known = known || p == prefix;
        if (!known || (i >= 4 && isTokenChar(out[i - 4])))
            continue;
        std::size_t end = i + 1;
        while (end < out.size() && isTokenChar(out[end]))
            ++end;
        if (end - (i + 1) < kMinTokenTailChars)
            continue;
        out.replace(i + 1, end - (i + 1), kRedacted);
        i += kRedacted.size();
    }
}

bool isParamValueEnd(char c)
{
    return c == '&' || c == '#' || c == ' ' || c == '"' || c == '\'' || c == '\n' || c == '\t' || c == '<'
        || c == '>';
}

bool isBearerTokenEnd(char c)
{
    return c == ' ' || c == '"' || c == '\'' || c == '\n' || c == '\t' || c == ',' || c == ';';
}

// Content-bearing payloads that are not called "content": (action, member of the envelope, key).
struct ActionPayload {
    std::string_view action;
    std::string_view envelopeMember;
    std::string_view key;
};
constexpr std::array kActionPayloads = {
    ActionPayload{"send_to_device", "data", "messages"},
    ActionPayload{"org.matrix.msc4039.upload_file", "data", "file"},
    ActionPayload{"org.matrix.msc4039.download_file", "response", "file"},
};

bool isContentKey(std::string_view key)
{
    return key == "content" || key == "prev_content";
}

std::string hexSha(Sha256 &sha, std::string_view bytes)
{
    auto digest = sha.digest(bytes);
    return digest ? text::hexEncode(*digest) : std::string();
}

std::string hashedPlaceholder(Sha256 &sha, std::string_view bytes, const char *why)
{
    // Members in the order nlohmann would sort them, so placeholders look alike everywhere.
    std::string out = "{\"bytes\":" + std::to_string(bytes.size());
    if (why)
        out += std::string(",\"omitted\":\"") + why + "\"";
    out += ",\"sha256\":\"" + hexSha(sha, bytes) + "\"}";
    return out;
}

// Every pattern scrubSecretsInText looks for contains '=' or '_', or the word "bearer".
bool mayNeedScrub(std::string_view text)
{
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '=' || c == '_')
            return true;
        if ((c == 'b' || c == 'B') && findNoCase(text.substr(i, 6), "bearer") == 0)
            return true;
    }
    return false;
}

// isValidUtf8 for the common case of pure ASCII, eight bytes at a time.
bool isAscii(std::string_view text)
{
    std::size_t i = 0;
    for (; i + 8 <= text.size(); i += 8) {
        std::uint64_t word = 0;
        std::memcpy(&word, text.data() + i, 8);
        if (word & 0x8080808080808080ULL)
            return false;
    }
    for (; i < text.size(); ++i) {
        if (static_cast<unsigned char>(text[i]) & 0x80)
            return false;
    }
    return true;
}

/**
 * One pass over the body text: validates it as JSON (RFC 8259) and writes the stored form
 * compactly, member order and number text kept. The whole body is checked for valid UTF-8
 * before, so strings only need their escapes checked here.
 */
class StreamRedactor {
public:
    enum class Outcome { Ok, NotJson, TooDeep };

    StreamRedactor(std::string_view in, std::string_view action, bool hashContent, Sha256 &sha, std::string &out)
        : m_in(in), m_action(action), m_hashContent(hashContent), m_sha(sha), m_out(out)
    {
    }

    Outcome run()
    {
        skipWs();
        if (!value(0, {}, {}))
            return m_outcome;
        skipWs();
        return m_pos == m_in.size() ? Outcome::Ok : Outcome::NotJson;
    }

private:
    bool fail(Outcome why = Outcome::NotJson)
    {
        if (m_outcome == Outcome::Ok)
            m_outcome = why;
        return false;
    }

    void skipWs()
    {
        while (m_pos < m_in.size()
               && (m_in[m_pos] == ' ' || m_in[m_pos] == '\t' || m_in[m_pos] == '\n' || m_in[m_pos] == '\r'))
            ++m_pos;
    }

    // @p envelopeMember is the depth-1 key this value sits under (for action payloads).
    bool value(int depth, std::string_view envelopeMember, std::string_view key)
    {
        if (m_pos >= m_in.size())
            return fail();
        switch (m_in[m_pos]) {
        case '{': return object(depth + 1, depth == 1 ? key : envelopeMember);
        case '[': return array(depth + 1, envelopeMember);
        case '"': return stringValue();
        case 't': return literal("true");
        case 'f': return literal("false");
        case 'n': return literal("null");
        default: return number();
        }
    }

    bool literal(std::string_view word)
    {
        if (m_in.substr(m_pos, word.size()) != word)
            return fail();
        m_out.append(word);
        m_pos += word.size();
        return true;
    }

    bool number()
    {
        const std::size_t start = m_pos;
        auto digit = [&] { return m_pos < m_in.size() && m_in[m_pos] >= '0' && m_in[m_pos] <= '9'; };
        if (m_pos < m_in.size() && m_in[m_pos] == '-')
            ++m_pos;
        if (!digit())
            return fail();
        if (m_in[m_pos] == '0') {
            ++m_pos;
        } else {
            while (digit())
                ++m_pos;
        }
        if (m_pos < m_in.size() && m_in[m_pos] == '.') {
            ++m_pos;
            if (!digit())
                return fail();
            while (digit())
                ++m_pos;
        }
        bool exponent = false;
        if (m_pos < m_in.size() && (m_in[m_pos] == 'e' || m_in[m_pos] == 'E')) {
            exponent = true;
            ++m_pos;
            if (m_pos < m_in.size() && (m_in[m_pos] == '+' || m_in[m_pos] == '-'))
                ++m_pos;
            if (!digit())
                return fail();
            while (digit())
                ++m_pos;
        }
        const std::string_view text = m_in.substr(start, m_pos - start);
        // Like the project's JSON parser (nlohmann), refuse numbers no double can hold.
        if ((exponent || text.size() > 300) && !std::isfinite(std::strtod(std::string(text).c_str(), nullptr)))
            return fail();
        m_out.append(text);
        return true;
    }

    bool hex4(std::size_t at, unsigned &out) const
    {
        if (at + 4 > m_in.size())
            return false;
        out = 0;
        for (std::size_t i = at; i < at + 4; ++i) {
            const int v = text::hexDigitValue(m_in[i]);
            if (v < 0)
                return false;
            out = out * 16 + unsigned(v);
        }
        return true;
    }

    // Reads a string at m_pos (on its opening quote). @p raw receives the text between the
    // quotes as written; @p decoded the string's value, filled only when it has escapes.
    bool readString(std::string_view &raw, std::string &decoded, bool &hasEscapes)
    {
        ++m_pos; // opening quote
        const std::size_t start = m_pos;
        hasEscapes = false;
        while (m_pos < m_in.size()) {
            const auto c = static_cast<unsigned char>(m_in[m_pos]);
            if (c == '"')
                break;
            if (c < 0x20)
                return fail();
            if (c == '\\') {
                hasEscapes = true;
                m_pos += 2;
                if (m_pos > m_in.size())
                    return fail();
                if (m_in[m_pos - 1] == 'u')
                    m_pos += 4;
                continue;
            }
            ++m_pos;
        }
        if (m_pos >= m_in.size())
            return fail();
        raw = m_in.substr(start, m_pos - start);
        ++m_pos; // closing quote
        if (!hasEscapes)
            return true;
        decoded.clear();
        for (std::size_t i = start; i < start + raw.size();) {
            if (m_in[i] != '\\') {
                decoded += m_in[i++];
                continue;
            }
            const char e = m_in[i + 1];
            i += 2;
            switch (e) {
            case '"': decoded += '"'; break;
            case '\\': decoded += '\\'; break;
            case '/': decoded += '/'; break;
            case 'b': decoded += '\b'; break;
            case 'f': decoded += '\f'; break;
            case 'n': decoded += '\n'; break;
            case 'r': decoded += '\r'; break;
            case 't': decoded += '\t'; break;
            case 'u': {
                unsigned cp = 0;
                if (!hex4(i, cp))
                    return fail();
                i += 4;
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    unsigned low = 0;
                    if (i + 6 > start + raw.size() || m_in[i] != '\\' || m_in[i + 1] != 'u' || !hex4(i + 2, low)
                        || low < 0xDC00 || low > 0xDFFF)
                        return fail();
                    i += 6;
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                    return fail();
                }
                text::appendUtf8(decoded, cp);
                break;
            }
            default: return fail();
            }
        }
        return true;
    }

    bool stringValue()
    {
        std::string_view raw;
        bool hasEscapes = false;
        if (!readString(raw, m_decoded, hasEscapes))
            return false;
        if (!hasEscapes) {
            if (!mayNeedScrub(raw)) {
                m_out += '"';
                m_out.append(raw);
                m_out += '"';
                return true;
            }
            // Without escapes the raw text is the value; scrubbing only inserts "REDACTED".
            m_out += '"';
            m_out.append(scrubSecretsInText(raw));
            m_out += '"';
            return true;
        }
        const std::string scrubbed = scrubSecretsInText(m_decoded);
        if (scrubbed == m_decoded) {
            m_out += '"';
            m_out.append(raw);
            m_out += '"';
        } else {
            text::appendJsonString(m_out, scrubbed);
        }
        return true;
    }

    bool isActionPayload(int depth, std::string_view envelopeMember, std::string_view key) const
    {
        if (depth != 2)
            return false;
        for (const auto &payload : kActionPayloads) {
            if (payload.action == m_action && payload.envelopeMember == envelopeMember && payload.key == key)
                return true;
        }
        return false;
    }

    bool object(int depth, std::string_view envelopeMember)
    {
        if (depth > kMaxBodyDepth)
            return fail(Outcome::TooDeep);
        ++m_pos; // '{'
        m_out += '{';
        skipWs();
        if (m_pos < m_in.size() && m_in[m_pos] == '}') {
            ++m_pos;
            m_out += '}';
            return true;
        }
        bool first = true;
        for (;;) {
            skipWs();
            if (m_pos >= m_in.size() || m_in[m_pos] != '"')
                return fail();
            std::string_view rawKey;
            bool keyEscaped = false;
            if (!readString(rawKey, m_decoded, keyEscaped))
                return false;
            const std::string key = keyEscaped ? m_decoded : std::string(rawKey);
            skipWs();
            if (m_pos >= m_in.size() || m_in[m_pos] != ':')
                return fail();
            ++m_pos;
            skipWs();

            const std::size_t outBefore = m_out.size();
            if (!first)
                m_out += ',';
            m_out += '"';
            m_out.append(rawKey);
            m_out += "\":";
            const std::size_t valueStart = m_pos;
            if (!value(depth, envelopeMember, key))
                return false;
            if (isSecretKey(key)) {
                m_out.resize(outBefore); // dropped, with its separator
            } else {
                if (m_hashContent && (isContentKey(key) || isActionPayload(depth, envelopeMember, key))) {
                    m_out.resize(outBefore);
                    if (!first)
                        m_out += ',';
                    m_out += '"';
                    m_out.append(rawKey);
                    m_out += "\":";
                    m_out.append(contentPlaceholder(m_in.substr(valueStart, m_pos - valueStart)));
                }
                first = false;
            }
            skipWs();
            if (m_pos < m_in.size() && m_in[m_pos] == ',') {
                ++m_pos;
                continue;
            }
            if (m_pos < m_in.size() && m_in[m_pos] == '}') {
                ++m_pos;
                m_out += '}';
                return true;
            }
            return fail();
        }
    }

    bool array(int depth, std::string_view envelopeMember)
    {
        if (depth > kMaxBodyDepth)
            return fail(Outcome::TooDeep);
        ++m_pos; // '['
        m_out += '[';
        skipWs();
        if (m_pos < m_in.size() && m_in[m_pos] == ']') {
            ++m_pos;
            m_out += ']';
            return true;
        }
        for (bool first = true;; first = false) {
            if (!first)
                m_out += ',';
            skipWs();
            if (!value(depth, envelopeMember, {}))
                return false;
            skipWs();
            if (m_pos < m_in.size() && m_in[m_pos] == ',') {
                ++m_pos;
                continue;
            }
            if (m_pos < m_in.size() && m_in[m_pos] == ']') {
                ++m_pos;
                m_out += ']';
                return true;
            }
            return fail();
        }
    }

    // The hash covers the canonical JSON of the value (nlohmann's compact dump, keys sorted), so
    // it can be recomputed from the same content however it was formatted. The value is valid
    // JSON within the depth limit here: it was just read.
    std::string contentPlaceholder(std::string_view rawValue)
    {
        const nlohmann::json j = nlohmann::json::parse(rawValue, nullptr, false);
        return hashedPlaceholder(m_sha, j.is_discarded() ? std::string(rawValue) : j.dump(), nullptr);
    }

    std::string_view m_in;
    std::string_view m_action;
    bool m_hashContent;
    Sha256 &m_sha;
    std::string &m_out;
    std::size_t m_pos = 0;
    Outcome m_outcome = Outcome::Ok;
    std::string m_decoded;
};

} // namespace

bool isSecretKey(std::string_view key)
{
    // Case-insensitive substring search with '-' read as '_', without allocating: keys are
    // checked for every member of every body, so only parts that start with the character at
    // hand are compared.
    auto normal = [](char c) { return c == '-' ? '_' : lower(c); };
    for (std::size_t i = 0; i < key.size(); ++i) {
        const char first = normal(key[i]);
        if (first != 't' && first != 'p' && first != 's' && first != 'a' && first != 'c')
            continue;
        for (std::string_view part : kSecretKeyParts) {
            if (part[0] != first || i + part.size() > key.size())
                continue;
            std::size_t k = 1;
            while (k < part.size() && normal(key[i + k]) == part[k])
                ++k;
            if (k == part.size())
                return true;
        }
    }
    return false;
}

std::string scrubSecretsInText(std::string_view text)
{
    std::string out(text);
    if (out.find('_') != std::string::npos)
        scrubTokenShapes(out);
    // Cheap rejection: every other pattern needs an '=' or the word "bearer".
    if (out.find('=') == std::string::npos && findNoCase(out, "bearer") == std::string::npos)
        return out;
    for (std::string_view param : kSecretParams) {
        for (std::size_t at = findNoCase(out, param); at != std::string::npos;
             at = findNoCase(out, param, at + param.size())) {
            const std::size_t start = at + param.size();
            std::size_t end = start;
            while (end < out.size() && !isParamValueEnd(out[end]))
                ++end;
            if (end > start && std::string_view(out).substr(start, end - start) != kRedacted)
                out.replace(start, end - start, kRedacted);
        }
    }
    for (std::size_t at = findNoCase(out, "bearer "); at != std::string::npos;
         at = findNoCase(out, "bearer ", at + 7)) {
        std::size_t start = at + 7;
        while (start < out.size() && out[start] == ' ')
            ++start;
        std::size_t end = start;
        while (end < out.size() && !isBearerTokenEnd(out[end]))
            ++end;
        if (end > start && std::string_view(out).substr(start, end - start) != kRedacted)
            out.replace(start, end - start, kRedacted);
    }
    return out;
}

Redactor::Redactor() : m_sha(std::make_unique<Sha256>()) {}

Redactor::~Redactor() = default;

std::string Redactor::redact(std::string_view body, std::string_view action, BodyMode mode)
{
    if (body.empty())
        return {};
    if (!isAscii(body) && !text::isValidUtf8(body))
        return hashedPlaceholder(*m_sha, body, "not JSON");
    std::string out;
    out.reserve(body.size());
    StreamRedactor redactor(body, action, mode != BodyMode::Full, *m_sha, out);
    switch (redactor.run()) {
    case StreamRedactor::Outcome::Ok: break;
    case StreamRedactor::Outcome::NotJson: return hashedPlaceholder(*m_sha, body, "not JSON");
    case StreamRedactor::Outcome::TooDeep: return hashedPlaceholder(*m_sha, body, "too deep");
    }
    if (out.size() > kMaxStoredBodyBytes)
        return hashedPlaceholder(*m_sha, body, "too large");
    return out;
}

} // namespace tessera::audit
