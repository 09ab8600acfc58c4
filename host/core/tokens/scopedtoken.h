// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "tokens/ed25519.h"
#include "util/result.h"

namespace tessera::tokens {

/*
 * Scoped tokens: short-lived JWS tokens (RFC 7515 compact serialization, RFC 7519 claims) that
 * Tessera mints for a widget or a plugin service to present to an HTTP service. The service
 * verifies them with Tessera's public keys (a JWKS document) and cannot mint any.
 *
 * Header:  {"alg":"EdDSA","typ":"JWT","kid":<key id>}            (RFC 8037, Ed25519 only)
 * Claims:  iss, sub (the Matrix user id), aud (the service), iat, nbf, exp (NumericDate seconds),
 *          jti (128 random bits, base64url), and Tessera's own:
 *          "room_id", "widget_id", "widget_origin" (strings) and "scopes" (array of strings).
 *
 * The user's Matrix access token is never an input to any of this.
 */

/** A token lives at most this long; longer lifetimes are refused when minting and verifying. */
inline constexpr std::int64_t kMaxLifetimeSeconds = 600;
inline constexpr std::int64_t kDefaultLifetimeSeconds = 300;
/** Clock skew tolerated on exp/nbf/iat by default, and the most a verifier may ask for. */
inline constexpr std::int64_t kDefaultLeewaySeconds = 30;
inline constexpr std::int64_t kMaxLeewaySeconds = 60;
/** Longer token strings are refused before any decoding. */
inline constexpr std::size_t kMaxTokenBytes = 8192;
/** At most this many scopes per token, each at most kMaxClaimBytes. */
inline constexpr std::size_t kMaxScopes = 64;
/** Longest user id, room id, widget id, origin, audience, issuer or scope accepted. */
inline constexpr std::size_t kMaxClaimBytes = 1024;
inline constexpr std::string_view kAlgorithm = "EdDSA";
inline constexpr std::string_view kDefaultIssuer = "tessera";

/** What a token is bound to: everything here ends up in its claims. */
struct TokenRequest {
    std::string userId;       ///< sub; required
    std::string roomId;       ///< required
    std::string widgetId;     ///< required
    std::string widgetOrigin; ///< scheme://host[:port]; required
    std::string audience;     ///< aud: the service that will accept the token; required
    std::vector<std::string> scopes; ///< the granted scopes (capabilities); may be empty
    std::int64_t lifetimeSeconds = kDefaultLifetimeSeconds; ///< 1 … kMaxLifetimeSeconds
};

/** The verified content of a token. Times are seconds since the Unix epoch. */
struct TokenClaims {
    std::string keyId;
    std::string issuer;
    std::string subject;
    std::string audience;
    std::string roomId;
    std::string widgetId;
    std::string widgetOrigin;
    std::vector<std::string> scopes;
    std::int64_t issuedAt = 0;
    std::int64_t notBefore = 0;
    std::int64_t expiresAt = 0;
    std::string tokenId; ///< jti

    [[nodiscard]] nlohmann::json toJson() const;
};

struct MintedToken {
    std::string token; ///< the compact JWS
    TokenClaims claims;
};

/** What a verifier expects. Unset optionals are not checked. */
struct VerifyOptions {
    /**
     * The verifier's own identity. A service MUST set it: without it a token minted for another
     * service would be accepted. Only the command line leaves it unset, and says so.
     */
    std::optional<std::string> audience;
    std::optional<std::string> roomId;
    std::optional<std::string> widgetId;
    std::optional<std::string> issuer;
    std::int64_t leewaySeconds = kDefaultLeewaySeconds; ///< 0 … kMaxLeewaySeconds
};

/** Milliseconds since the Unix epoch. */
using WallClock = std::function<std::int64_t()>;
WallClock systemWallClock();

/** The RFC 7638 thumbprint of an Ed25519 public key, base64url: the key id Tessera uses. */
std::string keyIdFor(std::string_view publicKey);

/** One public key as a JWK: {"kty":"OKP","crv":"Ed25519","x":…,"kid":…,"alg":"EdDSA","use":"sig"}. */
nlohmann::json publicJwk(std::string_view keyId, std::string_view publicKey);

/**
 * @brief Verifies scoped tokens with public keys only (a JWKS document). Cannot mint.
 *
 * This is what a service uses, and what `tessera token verify` uses. Checks, in order: size and
 * shape, header (alg must be EdDSA; "none" and everything else are refused; no crit; a known
 * kid), the signature, then the claims (types, lifetime, exp/nbf/iat with leeway, issuer,
 * audience, room, widget). Every failure has its own message.
 */
class TokenVerifier {
public:
    /** Parses a JWKS document ({"keys":[…]}); keys that are not Ed25519 OKP keys are refused. */
    static Result<TokenVerifier> fromJwks(std::string_view jwksJson);

    /** Adds a public key; false if @p keyId is already present. */
    bool addKey(std::string keyId, Ed25519Key publicKey);
    [[nodiscard]] std::size_t keyCount() const { return m_keys.size(); }
    [[nodiscard]] bool hasKey(std::string_view keyId) const;
    /** The keys as a JWKS document, public members only. */
    [[nodiscard]] nlohmann::json toJwks() const;

    /** @p nowMs is the wall clock in ms since the epoch. */
    [[nodiscard]] Result<TokenClaims> verify(std::string_view token, const VerifyOptions &options,
                                             std::int64_t nowMs) const;

private:
    std::map<std::string, Ed25519Key, std::less<>> m_keys;
};

namespace detail {
/** Looks a key up by kid; null when unknown. */
using KeyLookup = std::function<const Ed25519Key *(std::string_view keyId)>;
/** The checks of TokenVerifier::verify, with keys from @p findKey. */
Result<TokenClaims> verifyToken(std::string_view token, const VerifyOptions &options, std::int64_t nowMs,
                                const KeyLookup &findKey);
} // namespace detail

/**
 * Signs a token for @p request with @p key (which must be able to sign), at wall-clock time
 * @p nowMs. Refuses a missing binding, a lifetime outside 1 … kMaxLifetimeSeconds, and values
 * beyond the limits above, each with its own message. TokenIssuer is the usual way in.
 */
Result<MintedToken> mintToken(const Ed25519Key &key, std::string_view keyId, std::string_view issuer,
                              const TokenRequest &request, std::int64_t nowMs);

} // namespace tessera::tokens
