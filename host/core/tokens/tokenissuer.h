// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "tokens/scopedtoken.h"
#include "util/result.h"
#include "util/secretstore.h"

namespace tessera::tokens {

/** The SecretStore entry that holds the signing keys (a small JSON document). */
inline constexpr std::string_view kSigningKeysSecretName = "token-signing-keys";

/**
 * Where a TokenIssuer publishes its public keys as a JWKS document: <dataDir>/tokens/jwks.json.
 * `tessera token verify` and `tessera token public-key` read this file; it holds no secret.
 */
std::filesystem::path publishedKeysPath(const std::filesystem::path &dataDir);

/** A retired key stays published this long after its rotation: the longest a token it signed can still verify. */
inline constexpr std::int64_t kRetiredKeyRetentionMs = (kMaxLifetimeSeconds + kMaxLeewaySeconds) * 1000;

struct IssuerOptions {
    std::string issuer = std::string(kDefaultIssuer);
    /** The signing key is replaced when minting finds it this old. 0 disables automatic rotation. */
    std::int64_t rotateAfterMs = 30LL * 24 * 60 * 60 * 1000;
};

/**
 * @brief Mints and verifies scoped tokens with signing keys kept in a SecretStore, and publishes
 * their public keys.
 *
 * The first key is generated on first use (mint, jwks, rotate). rotate() makes a new key
 * current; the old key's private half is discarded at once, its public half stays valid and
 * published for kRetiredKeyRetentionMs, so tokens it signed verify until they expire. Every
 * change to the keys is written to the SecretStore before any token uses it, then the public
 * keys are written to publishedKeysPath(dataDir) (skipped when dataDir is empty). A key set in
 * the store that cannot be read is reported, never replaced. Not thread-safe; the user's Matrix
 * access token is never an input.
 */
class TokenIssuer {
public:
    TokenIssuer(SecretStore &secrets, std::filesystem::path dataDir, WallClock clock = systemWallClock(),
                IssuerOptions options = {});

    /** Signs a token for @p request (see mintToken for what is refused). */
    Result<MintedToken> mint(const TokenRequest &request);
    /** Verifies with the current and retained keys; @p options.issuer defaults to this issuer. */
    Result<TokenClaims> verify(std::string_view token, VerifyOptions options);
    /** Makes a new key current; returns its key id. */
    Result<std::string> rotate();
    /** The public keys as a JWKS document {"keys":[…]}, current key first. */
    Result<nlohmann::json> jwks();
    Result<std::string> currentKeyId();

    /** True when the keys sit in a plain file rather than a keychain: the app warns about it. */
    [[nodiscard]] bool usesFallbackSecretStore() const { return m_secrets.isFallback(); }
    [[nodiscard]] std::string secretStoreDescription() const { return m_secrets.description(); }
    [[nodiscard]] const std::filesystem::path &dataDir() const { return m_dataDir; }

private:
    struct KeyEntry {
        std::string keyId;
        Ed25519Key key; ///< can sign only for the current key
        std::int64_t createdAtMs = 0;
        std::optional<std::int64_t> retiredAtMs;
    };

    Result<void> load();
    Result<void> ensureCurrentKey();
    Result<void> replaceCurrentKey();
    Result<void> pruneRetired();
    /** Writes m_keys to the store; on failure forgets them so the next call reloads the stored state. */
    Result<void> save();
    Result<void> publish();
    nlohmann::json publicKeySet() const;

    SecretStore &m_secrets;
    std::filesystem::path m_dataDir;
    WallClock m_clock;
    IssuerOptions m_options;
    bool m_loaded = false;
    bool m_publishPending = false;
    std::vector<KeyEntry> m_keys; ///< current key first, then retired keys newest first
};

} // namespace tessera::tokens
