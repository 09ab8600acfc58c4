// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "util/result.h"

struct evp_pkey_st;

namespace tessera::tokens {

inline constexpr std::size_t kEd25519KeyBytes = 32;       ///< private seed and public key
inline constexpr std::size_t kEd25519SignatureBytes = 64;

/**
 * @brief An Ed25519 key (RAII over OpenSSL's EVP_PKEY): either a full key pair that can sign, or
 * a public key that can only verify. Move-only.
 *
 * It knows nothing about JWS or where keys are kept; see TokenIssuer for that.
 */
class Ed25519Key {
public:
    /** A new key pair from OpenSSL's CSPRNG. */
    static Result<Ed25519Key> generate();
    /** A key pair from its 32-byte private seed (RFC 8032 "private key"). */
    static Result<Ed25519Key> fromPrivateSeed(std::string_view seed);
    /** A verify-only key from its 32-byte public key. */
    static Result<Ed25519Key> fromPublicBytes(std::string_view publicKey);

    Ed25519Key() = default;
    Ed25519Key(Ed25519Key &&other) noexcept;
    Ed25519Key &operator=(Ed25519Key &&other) noexcept;
    Ed25519Key(const Ed25519Key &) = delete;
    Ed25519Key &operator=(const Ed25519Key &) = delete;
    ~Ed25519Key();

    [[nodiscard]] bool isValid() const { return m_key != nullptr; }
    [[nodiscard]] bool canSign() const { return m_key != nullptr && m_hasPrivate; }

    /** The 32 public key bytes. */
    [[nodiscard]] std::string publicBytes() const;
    /** The 32-byte private seed; empty for a verify-only key. Treat as a secret. */
    [[nodiscard]] std::string privateSeed() const;

    /** A 64-byte signature over @p message; fails for a verify-only key. */
    Result<std::string> sign(std::string_view message) const;
    /** True only if @p signature is a valid signature of @p message by this key. */
    [[nodiscard]] bool verify(std::string_view message, std::string_view signature) const;

private:
    Ed25519Key(evp_pkey_st *key, bool hasPrivate) : m_key(key), m_hasPrivate(hasPrivate) {}

    evp_pkey_st *m_key = nullptr;
    bool m_hasPrivate = false;
};

/** Fills @p count bytes from OpenSSL's CSPRNG. */
Result<std::string> randomBytes(std::size_t count);

/** SHA-256 of @p bytes (32 raw bytes). */
std::string sha256(std::string_view bytes);

} // namespace tessera::tokens
