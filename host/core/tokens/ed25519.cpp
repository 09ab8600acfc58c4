// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "tokens/ed25519.h"

#include <memory>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

namespace tessera::tokens {

namespace {

struct MdCtxDeleter {
    void operator()(EVP_MD_CTX *ctx) const { EVP_MD_CTX_free(ctx); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

struct PkeyCtxDeleter {
    void operator()(EVP_PKEY_CTX *ctx) const { EVP_PKEY_CTX_free(ctx); }
};

std::string openSslError()
{
    const unsigned long code = ERR_get_error();
    ERR_clear_error();
    if (code == 0)
        return "unknown OpenSSL error";
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    return buf;
}

const unsigned char *bytes(std::string_view s)
{
    return reinterpret_cast<const unsigned char *>(s.data());
}

} // namespace

Ed25519Key::Ed25519Key(Ed25519Key &&other) noexcept : m_key(other.m_key), m_hasPrivate(other.m_hasPrivate)
{
    other.m_key = nullptr;
    other.m_hasPrivate = false;
}

Ed25519Key &Ed25519Key::operator=(Ed25519Key &&other) noexcept
{
    if (this != &other) {
        EVP_PKEY_free(m_key);
        m_key = other.m_key;
        m_hasPrivate = other.m_hasPrivate;
        other.m_key = nullptr;
        other.m_hasPrivate = false;
    }
    return *this;
}

Ed25519Key::~Ed25519Key()
{
    EVP_PKEY_free(m_key);
}

Result<Ed25519Key> Ed25519Key::generate()
{
    std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter> ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr));
    EVP_PKEY *key = nullptr;
    if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_keygen(ctx.get(), &key) != 1)
        return Error(ErrorCode::Internal, "cannot generate an Ed25519 key: " + openSslError());
    return Ed25519Key(key, true);
}

Result<Ed25519Key> Ed25519Key::fromPrivateSeed(std::string_view seed)
{
    if (seed.size() != kEd25519KeyBytes)
        return Error(ErrorCode::BadRequest, "an Ed25519 private key is 32 bytes, not " + std::to_string(seed.size()));
    EVP_PKEY *key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, bytes(seed), seed.size());
    if (!key)
        return Error(ErrorCode::BadRequest, "not a usable Ed25519 private key: " + openSslError());
    return Ed25519Key(key, true);
}

Result<Ed25519Key> Ed25519Key::fromPublicBytes(std::string_view publicKey)
{
    if (publicKey.size() != kEd25519KeyBytes)
        return Error(ErrorCode::BadRequest,
                     "an Ed25519 public key is 32 bytes, not " + std::to_string(publicKey.size()));
    EVP_PKEY *key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes(publicKey), publicKey.size());
    if (!key)
        return Error(ErrorCode::BadRequest, "not a usable Ed25519 public key: " + openSslError());
    return Ed25519Key(key, false);
}

std::string Ed25519Key::publicBytes() const
{
    if (!m_key)
        return {};
    std::string out(kEd25519KeyBytes, '\0');
    std::size_t len = out.size();
    if (EVP_PKEY_get_raw_public_key(m_key, reinterpret_cast<unsigned char *>(out.data()), &len) != 1
        || len != kEd25519KeyBytes) {
        ERR_clear_error();
        return {};
    }
    return out;
}

std::string Ed25519Key::privateSeed() const
{
    if (!canSign())
        return {};
    std::string out(kEd25519KeyBytes, '\0');
    std::size_t len = out.size();
    if (EVP_PKEY_get_raw_private_key(m_key, reinterpret_cast<unsigned char *>(out.data()), &len) != 1
        || len != kEd25519KeyBytes) {
        ERR_clear_error();
        return {};
    }
    return out;
}

Result<std::string> Ed25519Key::sign(std::string_view message) const
{
    if (!canSign())
        return Error(ErrorCode::Internal, "this Ed25519 key can only verify");
    MdCtx ctx(EVP_MD_CTX_new());
    // Ed25519 is a one-shot scheme: no digest is named and the whole message goes in at once.
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, m_key) != 1)
        return Error(ErrorCode::Internal, "cannot start an Ed25519 signature: " + openSslError());
    std::string sig(kEd25519SignatureBytes, '\0');
    std::size_t len = sig.size();
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char *>(sig.data()), &len, bytes(message),
                       message.size())
            != 1
        || len != kEd25519SignatureBytes)
        return Error(ErrorCode::Internal, "cannot sign with Ed25519: " + openSslError());
    return sig;
}

bool Ed25519Key::verify(std::string_view message, std::string_view signature) const
{
    if (!m_key || signature.size() != kEd25519SignatureBytes)
        return false;
    MdCtx ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, m_key) != 1) {
        ERR_clear_error();
        return false;
    }
    const int rc = EVP_DigestVerify(ctx.get(), bytes(signature), signature.size(), bytes(message), message.size());
    if (rc != 1)
        ERR_clear_error();
    return rc == 1;
}

Result<std::string> randomBytes(std::size_t count)
{
    std::string out(count, '\0');
    if (count > 0 && RAND_bytes(reinterpret_cast<unsigned char *>(out.data()), static_cast<int>(count)) != 1)
        return Error(ErrorCode::Internal, "the system random number generator failed: " + openSslError());
    return out;
}

std::string sha256(std::string_view data)
{
    std::string out(32, '\0');
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char *>(out.data()), &len, EVP_sha256(),
                   nullptr)
            != 1
        || len != 32) {
        ERR_clear_error();
        return {};
    }
    return out;
}

} // namespace tessera::tokens
