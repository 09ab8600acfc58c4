// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "tokens/scopedtoken.h"

#include <chrono>
#include <ctime>

#include "util/text.h"
#include "util/jsonfields.h"

namespace tessera::tokens {

namespace {

using nlohmann::json;

Error refused(std::string message)
{
    return Error(ErrorCode::Denied, std::move(message));
}

Error malformed(std::string message)
{
    return Error(ErrorCode::BadRequest, std::move(message));
}

std::string isoTime(std::int64_t seconds)
{
    const std::time_t t = static_cast<std::time_t>(seconds);
    std::tm tm{};
    if (!gmtime_r(&t, &tm))
        return std::to_string(seconds);
    char buf[32];
    if (std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        return std::to_string(seconds);
    return buf;
}

// Rejects non-canonical base64url (padding, stray bits): one token string per content, so a
// token cannot be re-spelled to dodge a deny list keyed by its text.
std::optional<std::string> decodeCanonical(std::string_view part)
{
    auto decoded = text::base64UrlDecode(part);
    if (!decoded || text::base64UrlEncode(*decoded) != part)
        return std::nullopt;
    return decoded;
}

Result<void> checkBinding(std::string_view name, std::string_view value, bool required)
{
    if (required && value.empty())
        return malformed("the " + std::string(name) + " of a scoped token must not be empty");
    if (value.size() > kMaxClaimBytes)
        return malformed(std::string(name) + " is longer than " + std::to_string(kMaxClaimBytes) + " bytes");
    if (!text::isValidUtf8(value))
        return malformed(std::string(name) + " is not valid UTF-8");
    return {};
}

std::optional<std::int64_t> integerClaim(const json &claims, const char *name)
{
    auto it = claims.find(name);
    if (it == claims.end() || !it->is_number_integer())
        return std::nullopt;
    if (it->is_number_unsigned() && it->get<std::uint64_t>() > std::uint64_t(INT64_MAX))
        return std::nullopt;
    return it->get<std::int64_t>();
}

std::optional<std::string> stringClaim(const json &claims, const char *name)
{
    auto it = claims.find(name);
    if (it == claims.end() || !it->is_string())
        return std::nullopt;
    return it->get<std::string>();
}

Error missingClaim(const char *name, const char *type)
{
    return malformed(std::string("token claim \"") + name + "\" is missing or not " + type);
}

} // namespace

json TokenClaims::toJson() const
{
    return json{{"kid", keyId},         {"iss", issuer},      {"sub", subject},     {"aud", audience},
                {"room_id", roomId},    {"widget_id", widgetId}, {"widget_origin", widgetOrigin},
                {"scopes", scopes},     {"iat", issuedAt},    {"nbf", notBefore},   {"exp", expiresAt},
                {"jti", tokenId}};
}

WallClock systemWallClock()
{
    return [] {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
    };
}

std::string keyIdFor(std::string_view publicKey)
{
    // RFC 7638: the members required for an OKP key, in lexicographic order, no whitespace.
    const std::string canonical =
        R"({"crv":"Ed25519","kty":"OKP","x":")" + text::base64UrlEncode(publicKey) + R"("})";
    return text::base64UrlEncode(sha256(canonical));
}

json publicJwk(std::string_view keyId, std::string_view publicKey)
{
    return json{{"kty", "OKP"},  {"crv", "Ed25519"}, {"x", text::base64UrlEncode(publicKey)},
                {"kid", keyId},  {"alg", kAlgorithm}, {"use", "sig"}};
}

Result<MintedToken> mintToken(const Ed25519Key &key, std::string_view keyId, std::string_view issuer,
                              const TokenRequest &request, std::int64_t nowMs)
{
    if (!key.canSign())
        return Error(ErrorCode::Internal, "the token signing key cannot sign");
    if (request.lifetimeSeconds <= 0 || request.lifetimeSeconds > kMaxLifetimeSeconds)
        return malformed("a scoped token lives 1 to " + std::to_string(kMaxLifetimeSeconds) + " seconds, not "
                         + std::to_string(request.lifetimeSeconds));
    for (auto [name, value] : {std::pair<const char *, std::string_view>{"user id", request.userId},
                               {"room id", request.roomId},
                               {"widget id", request.widgetId},
                               {"widget origin", request.widgetOrigin},
                               {"audience", request.audience},
                               {"issuer", issuer}}) {
        if (auto ok = checkBinding(name, value, true); !ok)
            return ok.error();
    }
    if (request.scopes.size() > kMaxScopes)
        return malformed("a scoped token carries at most " + std::to_string(kMaxScopes) + " scopes, not "
                         + std::to_string(request.scopes.size()));
    for (const auto &scope : request.scopes) {
        if (auto ok = checkBinding("scope", scope, true); !ok)
            return ok.error();
    }
    auto jtiBytes = randomBytes(16);
    if (!jtiBytes)
        return jtiBytes.error();

    MintedToken out;
    TokenClaims &c = out.claims;
    c.keyId = std::string(keyId);
    c.issuer = std::string(issuer);
    c.subject = request.userId;
    c.audience = request.audience;
    c.roomId = request.roomId;
    c.widgetId = request.widgetId;
    c.widgetOrigin = request.widgetOrigin;
    c.scopes = request.scopes;
    c.issuedAt = nowMs / 1000;
    c.notBefore = c.issuedAt;
    c.expiresAt = c.issuedAt + request.lifetimeSeconds;
    c.tokenId = text::base64UrlEncode(*jtiBytes);

    const json header{{"alg", kAlgorithm}, {"typ", "JWT"}, {"kid", keyId}};
    json payload = c.toJson();
    payload.erase("kid");
    const std::string signingInput =
        text::base64UrlEncode(header.dump()) + "." + text::base64UrlEncode(payload.dump());
    auto signature = key.sign(signingInput);
    if (!signature)
        return signature.error();
    out.token = signingInput + "." + text::base64UrlEncode(*signature);
    return out;
}

Result<TokenVerifier> TokenVerifier::fromJwks(std::string_view jwksJson)
{
    const json doc = json::parse(jwksJson, nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
        return malformed("the key set is not a JSON object");
    auto keys = doc.find("keys");
    if (keys == doc.end() || !keys->is_array())
        return malformed("the key set has no \"keys\" array");
    TokenVerifier verifier;
    for (std::size_t i = 0; i < keys->size(); ++i) {
        const json &jwk = (*keys)[i];
        const std::string where = "key " + std::to_string(i) + " of the key set";
        if (!jwk.is_object())
            return malformed(where + " is not a JSON object");
        if (jsonString(jwk, "kty") != "OKP" || jsonString(jwk, "crv") != "Ed25519")
            return malformed(where + " is not an Ed25519 key (kty OKP, crv Ed25519)");
        if (jwk.contains("alg") && jsonString(jwk, "alg") != kAlgorithm)
            return malformed(where + " is not an EdDSA key");
        if (jwk.contains("d"))
            return malformed(where + " contains a private key; publish public keys only");
        const std::string kid = jsonString(jwk, "kid");
        const std::string x = jsonString(jwk, "x");
        if (kid.empty())
            return malformed(where + " has no kid");
        auto raw = decodeCanonical(x);
        if (!raw)
            return malformed(where + " has an \"x\" that is not base64url");
        auto key = Ed25519Key::fromPublicBytes(*raw);
        if (!key)
            return malformed(where + ": " + key.error().message);
        if (!verifier.addKey(kid, std::move(*key)))
            return malformed(where + " repeats the kid \"" + kid + "\"");
    }
    return verifier;
}

bool TokenVerifier::addKey(std::string keyId, Ed25519Key publicKey)
{
    return m_keys.emplace(std::move(keyId), std::move(publicKey)).second;
}

bool TokenVerifier::hasKey(std::string_view keyId) const
{
    return m_keys.find(keyId) != m_keys.end();
}

json TokenVerifier::toJwks() const
{
    json keys = json::array();
    for (const auto &[keyId, key] : m_keys)
        keys.push_back(publicJwk(keyId, key.publicBytes()));
    return json{{"keys", std::move(keys)}};
}

Result<TokenClaims> TokenVerifier::verify(std::string_view token, const VerifyOptions &options,
                                          std::int64_t nowMs) const
{
    return detail::verifyToken(token, options, nowMs, [this](std::string_view keyId) -> const Ed25519Key * {
        auto it = m_keys.find(keyId);
        return it == m_keys.end() ? nullptr : &it->second;
    });
}

Result<TokenClaims> detail::verifyToken(std::string_view token, const VerifyOptions &options, std::int64_t nowMs,
                                        const KeyLookup &findKey)
{
    if (options.leewaySeconds < 0 || options.leewaySeconds > kMaxLeewaySeconds)
        return malformed("the clock leeway must be 0 to " + std::to_string(kMaxLeewaySeconds) + " seconds");
    if (token.size() > kMaxTokenBytes)
        return malformed("token is longer than " + std::to_string(kMaxTokenBytes) + " bytes");
    const std::size_t dot1 = token.find('.');
    const std::size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
    if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos)
        return malformed("token is not a JWS compact serialization (three base64url parts separated by '.')");
    const std::string_view headerPart = token.substr(0, dot1);
    const std::string_view payloadPart = token.substr(dot1 + 1, dot2 - dot1 - 1);
    const std::string_view signaturePart = token.substr(dot2 + 1);

    auto headerText = decodeCanonical(headerPart);
    if (!headerText)
        return malformed("token header is not valid base64url");
    const json header = json::parse(*headerText, nullptr, false);
    if (header.is_discarded() || !header.is_object())
        return malformed("token header is not a JSON object");
    auto alg = header.find("alg");
    if (alg == header.end() || !alg->is_string())
        return malformed("token header has no alg");
    const std::string algName = text::truncateUtf8(alg->get<std::string>(), 32);
    if (text::toLowerAscii(algName) == "none")
        return refused("token alg \"" + algName + "\" is refused: unsigned tokens are never accepted");
    if (algName != kAlgorithm)
        return refused("token alg \"" + algName + "\" is refused: only EdDSA (Ed25519) is accepted");
    if (header.contains("crit"))
        return refused("token header has a crit parameter, which Tessera does not support");
    if (auto typ = header.find("typ"); typ != header.end() && (!typ->is_string() || *typ != "JWT"))
        return refused("token typ is not JWT");
    auto kid = header.find("kid");
    if (kid == header.end() || !kid->is_string() || kid->get_ref<const std::string &>().empty())
        return malformed("token header has no kid");
    const std::string &keyId = kid->get_ref<const std::string &>();
    const Ed25519Key *key = findKey(keyId);
    if (!key)
        return refused("token was signed with an unknown key (kid \"" + text::truncateUtf8(keyId, 64)
                       + "\"): another installation issued it, or its key was retired and its tokens expired");

    auto signature = decodeCanonical(signaturePart);
    if (!signature)
        return malformed("token signature is not valid base64url");
    if (!key->verify(token.substr(0, dot2), *signature))
        return refused("token signature does not match: the token was altered or not signed by this key");

    // Only now, with the signature checked, are the claims looked at.
    auto payloadText = decodeCanonical(payloadPart);
    if (!payloadText)
        return malformed("token claims are not valid base64url");
    const json claims = json::parse(*payloadText, nullptr, false);
    if (claims.is_discarded() || !claims.is_object())
        return malformed("token claims are not a JSON object");

    TokenClaims c;
    c.keyId = keyId;
    struct StringClaim {
        const char *name;
        std::string *into;
    };
    for (auto [name, into] : {StringClaim{"iss", &c.issuer}, StringClaim{"sub", &c.subject},
                              StringClaim{"aud", &c.audience}, StringClaim{"room_id", &c.roomId},
                              StringClaim{"widget_id", &c.widgetId}, StringClaim{"widget_origin", &c.widgetOrigin},
                              StringClaim{"jti", &c.tokenId}}) {
        auto value = stringClaim(claims, name);
        if (!value)
            return missingClaim(name, "a string");
        *into = std::move(*value);
    }
    struct IntClaim {
        const char *name;
        std::int64_t *into;
    };
    for (auto [name, into] : {IntClaim{"iat", &c.issuedAt}, IntClaim{"nbf", &c.notBefore},
                              IntClaim{"exp", &c.expiresAt}}) {
        auto value = integerClaim(claims, name);
        if (!value)
            return missingClaim(name, "an integer");
        *into = *value;
    }
    auto scopes = claims.find("scopes");
    if (scopes == claims.end() || !scopes->is_array())
        return missingClaim("scopes", "an array");
    for (const auto &s : *scopes) {
        if (!s.is_string())
            return malformed("token claim \"scopes\" contains something other than strings");
        c.scopes.push_back(s.get<std::string>());
    }

    if (c.expiresAt <= c.issuedAt || c.expiresAt - c.issuedAt > kMaxLifetimeSeconds)
        return refused("token lifetime is not between 1 second and " + std::to_string(kMaxLifetimeSeconds / 60)
                       + " minutes");
    const std::int64_t nowS = nowMs / 1000;
    const std::int64_t leeway = options.leewaySeconds;
    if (nowS > c.expiresAt + leeway)
        return refused("token expired at " + isoTime(c.expiresAt) + " (" + std::to_string(nowS - c.expiresAt)
                       + " s ago)");
    if (nowS + leeway < c.notBefore)
        return refused("token is not valid before " + isoTime(c.notBefore));
    if (nowS + leeway < c.issuedAt)
        return refused("token was issued in the future (" + isoTime(c.issuedAt) + ")");
    if (options.issuer && c.issuer != *options.issuer)
        return refused("token was issued by \"" + c.issuer + "\", not \"" + *options.issuer + "\"");
    if (options.audience && c.audience != *options.audience)
        return refused("token is for audience \"" + c.audience + "\", not \"" + *options.audience + "\"");
    if (options.roomId && c.roomId != *options.roomId)
        return refused("token is bound to room \"" + c.roomId + "\", not \"" + *options.roomId + "\"");
    if (options.widgetId && c.widgetId != *options.widgetId)
        return refused("token is bound to widget \"" + c.widgetId + "\", not \"" + *options.widgetId + "\"");
    return c;
}

} // namespace tessera::tokens
