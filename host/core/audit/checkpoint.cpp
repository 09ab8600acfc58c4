// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "audit/checkpoint.h"

#include <openssl/evp.h>

#include <utility>

#include <nlohmann/json.hpp>

#include "audit/auditschema.h"
#include "util/text.h"

namespace tessera::audit {

namespace {

constexpr std::size_t kKeyBytes = 32;
constexpr std::size_t kSignatureBytes = 64;
constexpr std::string_view kSignedPrefix = "tessera audit checkpoint v1\n";

const unsigned char *bytes(std::string_view s)
{
    return reinterpret_cast<const unsigned char *>(s.data());
}

struct MdCtxDeleter {
    void operator()(EVP_MD_CTX *ctx) const { EVP_MD_CTX_free(ctx); }
};
struct PkeyCtxDeleter {
    void operator()(EVP_PKEY_CTX *ctx) const { EVP_PKEY_CTX_free(ctx); }
};

std::string rawPublic(EVP_PKEY *key)
{
    std::string out(kKeyBytes, '\0');
    std::size_t len = out.size();
    if (EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char *>(out.data()), &len) != 1 || len != kKeyBytes)
        return {};
    return out;
}

Result<std::string> fromHex(std::string_view hex, std::size_t expectBytes)
{
    if (hex.size() != expectBytes * 2)
        return Error(ErrorCode::Corrupt, "hash has the wrong length");
    std::string out;
    out.reserve(expectBytes);
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        return -1;
    };
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        const int hi = nibble(hex[i]);
        const int lo = nibble(hex[i + 1]);
        if (hi < 0 || lo < 0)
            return Error(ErrorCode::Corrupt, "hash is not lower-case hex");
        out.push_back(char(hi * 16 + lo));
    }
    return out;
}

nlohmann::json unsignedJson(const Checkpoint &c)
{
    return nlohmann::json{
        {"version", 1},
        {"trimmed_from_seq", c.trimmedFromSeq},
        {"trimmed_through_seq", c.trimmedThroughSeq},
        {"trimmed_rows", c.trimmedRows},
        {"last_trimmed_hash", text::hexEncode(c.lastTrimmedHash)},
        {"head_seq", c.headSeq},
        {"head_hash", text::hexEncode(c.headHash)},
        {"created_ms", c.createdMs},
        {"policy", c.policy},
        {"public_key", text::base64UrlEncode(c.publicKey)},
    };
}

} // namespace

CheckpointKey::CheckpointKey() = default;

CheckpointKey::CheckpointKey(evp_pkey_st *key, bool hasPrivate)
    : m_key(key), m_hasPrivate(hasPrivate), m_public(key ? rawPublic(key) : std::string())
{
}

CheckpointKey::CheckpointKey(CheckpointKey &&other) noexcept
    : m_key(std::exchange(other.m_key, nullptr)),
      m_hasPrivate(std::exchange(other.m_hasPrivate, false)),
      m_public(std::move(other.m_public))
{
}

CheckpointKey &CheckpointKey::operator=(CheckpointKey &&other) noexcept
{
    if (this != &other) {
        EVP_PKEY_free(m_key);
        m_key = std::exchange(other.m_key, nullptr);
        m_hasPrivate = std::exchange(other.m_hasPrivate, false);
        m_public = std::move(other.m_public);
    }
    return *this;
}

CheckpointKey::~CheckpointKey()
{
    EVP_PKEY_free(m_key);
}

Result<CheckpointKey> CheckpointKey::load(SecretStore &secrets)
{
    auto stored = secrets.read(kCheckpointKeySecretName);
    if (!stored)
        return Error(stored.error().code, "cannot read the audit checkpoint key: " + stored.error().message);
    if (!stored->has_value())
        return Error(ErrorCode::NotFound, "no audit checkpoint key in " + secrets.description());
    auto seed = text::base64Decode(**stored);
    if (!seed || seed->size() != kKeyBytes)
        // Never replaced silently: checkpoints signed with it would stop verifying.
        return Error(ErrorCode::Corrupt, "the audit checkpoint key \"" + std::string(kCheckpointKeySecretName) + "\" in "
                                             + secrets.description()
                                             + " is not a base64 Ed25519 key; restore it from a backup, or remove it "
                                               "to start a new key (older checkpoints will then show another key)");
    EVP_PKEY *key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, bytes(*seed), seed->size());
    if (!key)
        return Error(ErrorCode::Internal, "OpenSSL cannot load an Ed25519 key");
    return CheckpointKey(key, true);
}

Result<CheckpointKey> CheckpointKey::loadOrCreate(SecretStore &secrets)
{
    auto existing = load(secrets);
    if (existing || existing.error().code != ErrorCode::NotFound)
        return existing;
    std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter> ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr));
    EVP_PKEY *key = nullptr;
    if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_keygen(ctx.get(), &key) != 1)
        return Error(ErrorCode::Internal, "OpenSSL cannot generate an Ed25519 key");
    CheckpointKey created(key, true);
    std::string seed(kKeyBytes, '\0');
    std::size_t len = seed.size();
    if (EVP_PKEY_get_raw_private_key(key, reinterpret_cast<unsigned char *>(seed.data()), &len) != 1 || len != kKeyBytes)
        return Error(ErrorCode::Internal, "OpenSSL cannot export an Ed25519 key");
    if (auto r = secrets.write(kCheckpointKeySecretName, text::base64Encode(seed)); !r)
        return Error(r.error().code, "cannot store the new audit checkpoint key: " + r.error().message);
    return created;
}

Result<CheckpointKey> CheckpointKey::fromPublicKey(std::string_view publicKey)
{
    if (publicKey.size() != kKeyBytes)
        return Error(ErrorCode::BadRequest, "an Ed25519 public key has 32 bytes, not " + std::to_string(publicKey.size()));
    EVP_PKEY *key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes(publicKey), publicKey.size());
    if (!key)
        return Error(ErrorCode::BadRequest, "not an Ed25519 public key");
    return CheckpointKey(key, false);
}

std::string CheckpointKey::keyId() const
{
    Sha256 sha;
    auto digest = sha.digest(m_public);
    return digest ? text::hexEncode(digest->substr(0, 8)) : std::string();
}

Result<std::string> CheckpointKey::sign(std::string_view message) const
{
    if (!m_key || !m_hasPrivate)
        return Error(ErrorCode::Internal, "this checkpoint key can only verify");
    std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
    std::string signature(kSignatureBytes, '\0');
    std::size_t len = signature.size();
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, m_key) != 1
        || EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char *>(signature.data()), &len, bytes(message),
                          message.size())
            != 1
        || len != kSignatureBytes)
        return Error(ErrorCode::Internal, "OpenSSL cannot sign with Ed25519");
    return signature;
}

bool CheckpointKey::verify(std::string_view message, std::string_view signature) const
{
    if (!m_key || signature.size() != kSignatureBytes)
        return false;
    std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
    return ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, m_key) == 1
        && EVP_DigestVerify(ctx.get(), bytes(signature), signature.size(), bytes(message), message.size()) == 1;
}

Result<std::string> makeCheckpointBody(const Checkpoint &checkpoint, const CheckpointKey &key)
{
    Checkpoint c = checkpoint;
    c.publicKey = key.publicKey();
    nlohmann::json body = unsignedJson(c);
    auto signature = key.sign(std::string(kSignedPrefix) + body.dump());
    if (!signature)
        return signature.error();
    body["signature"] = text::base64UrlEncode(*signature);
    return body.dump();
}

Result<Checkpoint> readCheckpointBody(std::string_view body)
{
    auto bad = [](const std::string &what) { return Error(ErrorCode::Corrupt, "checkpoint " + what); };
    nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return bad("body is not a JSON object");
    auto integer = [&](const char *name, std::int64_t &out) {
        auto it = j.find(name);
        if (it == j.end() || !it->is_number_integer())
            return false;
        out = it->get<std::int64_t>();
        return true;
    };
    auto string = [&](const char *name, std::string &out) {
        auto it = j.find(name);
        if (it == j.end() || !it->is_string())
            return false;
        out = it->get<std::string>();
        return true;
    };
    std::int64_t version = 0;
    Checkpoint c;
    std::string lastTrimmedHex, headHex, publicB64, signatureB64;
    if (!integer("version", version) || version != 1)
        return bad("has an unknown version");
    if (!integer("trimmed_from_seq", c.trimmedFromSeq) || !integer("trimmed_through_seq", c.trimmedThroughSeq)
        || !integer("trimmed_rows", c.trimmedRows) || !integer("head_seq", c.headSeq)
        || !integer("created_ms", c.createdMs) || !string("last_trimmed_hash", lastTrimmedHex)
        || !string("head_hash", headHex) || !string("policy", c.policy) || !string("public_key", publicB64)
        || !string("signature", signatureB64))
        return bad("is missing a field");
    auto lastTrimmed = fromHex(lastTrimmedHex, kHashBytes);
    auto head = fromHex(headHex, kHashBytes);
    if (!lastTrimmed || !head)
        return bad("has a malformed hash");
    c.lastTrimmedHash = std::move(*lastTrimmed);
    c.headHash = std::move(*head);
    auto publicKey = text::base64UrlDecode(publicB64);
    auto signature = text::base64UrlDecode(signatureB64);
    if (!publicKey || !signature)
        return bad("has a malformed key or signature");
    auto key = CheckpointKey::fromPublicKey(*publicKey);
    if (!key)
        return bad("names an invalid public key");
    c.publicKey = *publicKey;
    // The signature covers exactly what makeCheckpointBody signed: the canonical dump without it.
    if (!key->verify(std::string(kSignedPrefix) + unsignedJson(c).dump(), *signature))
        return bad("signature does not verify");
    // A body with extra members would still verify above; refuse it so the body is exactly what was signed.
    if (j.size() != unsignedJson(c).size() + 1)
        return bad("has unsigned members");
    return c;
}

} // namespace tessera::audit
