// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "audit/redaction.h"

#include <array>

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

// Recursion below is bounded by the depth check that runs first.
bool deeperThan(const nlohmann::json &j, int limit)
{
    if (limit < 0)
        return true;
    if (j.is_object() || j.is_array()) {
        for (const auto &child : j) {
            if (deeperThan(child, limit - 1))
                return true;
        }
    }
    return false;
}

std::string hexSha(Sha256 &sha, std::string_view bytes)
{
    auto digest = sha.digest(bytes);
    return digest ? text::hexEncode(*digest) : std::string();
}

nlohmann::json hashedPlaceholder(Sha256 &sha, std::string_view bytes, const char *why)
{
    nlohmann::json out = nlohmann::json::object();
    if (why)
        out["omitted"] = why;
    out["sha256"] = hexSha(sha, bytes);
    out["bytes"] = bytes.size();
    return out;
}

void scrubTree(nlohmann::json &j, bool hashContent, Sha256 &sha)
{
    if (j.is_string()) {
        const auto &s = j.get_ref<const std::string &>();
        std::string scrubbed = scrubSecretsInText(s);
        if (scrubbed != s)
            j = std::move(scrubbed);
        return;
    }
    if (j.is_array()) {
        for (auto &child : j)
            scrubTree(child, hashContent, sha);
        return;
    }
    if (!j.is_object())
        return;
    for (auto it = j.begin(); it != j.end();) {
        if (isSecretKey(it.key())) {
            it = j.erase(it);
            continue;
        }
        if (hashContent && isContentKey(it.key())) {
            it.value() = hashedPlaceholder(sha, it.value().dump(), nullptr);
        } else {
            scrubTree(it.value(), hashContent, sha);
        }
        ++it;
    }
}

} // namespace

bool isSecretKey(std::string_view key)
{
    std::string normalised;
    normalised.reserve(key.size());
    for (char c : key)
        normalised.push_back(c == '-' ? '_' : lower(c));
    for (std::string_view part : kSecretKeyParts) {
        if (normalised.find(part) != std::string::npos)
            return true;
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
    nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
    if (j.is_discarded())
        return hashedPlaceholder(*m_sha, body, "not JSON").dump();
    if (deeperThan(j, kMaxBodyDepth))
        return hashedPlaceholder(*m_sha, body, "too deep").dump();

    const bool hashContent = mode != BodyMode::Full;
    if (hashContent && j.is_object()) {
        for (const auto &payload : kActionPayloads) {
            if (payload.action != action)
                continue;
            auto member = j.find(std::string(payload.envelopeMember));
            if (member == j.end() || !member->is_object())
                continue;
            auto value = member->find(std::string(payload.key));
            if (value != member->end())
                *value = hashedPlaceholder(*m_sha, value->dump(), nullptr);
        }
    }
    scrubTree(j, hashContent, *m_sha);
    std::string out = j.dump();
    if (out.size() > kMaxStoredBodyBytes)
        return hashedPlaceholder(*m_sha, body, "too large").dump();
    return out;
}

} // namespace tessera::audit
