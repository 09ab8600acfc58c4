// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "util/result.h"
#include "util/secretstore.h"

struct evp_pkey_st;

namespace tessera::audit {

/** The SecretStore entry holding the checkpoint signing key (base64 of the 32-byte Ed25519 seed). */
inline constexpr std::string_view kCheckpointKeySecretName = "audit-checkpoint-key";
/** The action of a checkpoint row (category "retention", direction "internal", decision "info"). */
inline constexpr std::string_view kCheckpointAction = "retention.checkpoint";

/**
 * @brief The Ed25519 key that signs retention checkpoints (OpenSSL EVP). Either a key pair
 * (from the SecretStore, generated there on first use) or a public key that can only verify.
 * Move-only; a loaded key may be used from any one thread at a time.
 */
class CheckpointKey {
public:
    /** Reads the key from @p secrets, or generates one and stores it there first. */
    static Result<CheckpointKey> loadOrCreate(SecretStore &secrets);
    /** Reads the key from @p secrets; NotFound if none was ever created. */
    static Result<CheckpointKey> load(SecretStore &secrets);
    /** A verify-only key from its 32 raw public bytes. */
    static Result<CheckpointKey> fromPublicKey(std::string_view publicKey);

    CheckpointKey();
    CheckpointKey(CheckpointKey &&other) noexcept;
    CheckpointKey &operator=(CheckpointKey &&other) noexcept;
    ~CheckpointKey();

    [[nodiscard]] bool canSign() const { return m_hasPrivate; }
    /** The 32 raw public key bytes. */
    [[nodiscard]] const std::string &publicKey() const { return m_public; }
    /** A short fingerprint for people: the first 16 hex digits of SHA-256(public key). */
    [[nodiscard]] std::string keyId() const;

    Result<std::string> sign(std::string_view message) const;
    [[nodiscard]] bool verify(std::string_view message, std::string_view signature) const;

private:
    CheckpointKey(evp_pkey_st *key, bool hasPrivate);
    evp_pkey_st *m_key = nullptr;
    bool m_hasPrivate = false;
    std::string m_public;
};

/**
 * What a checkpoint row says, signed. It is appended by retention after the rows it trimmed
 * (possibly none), and carries:
 *  - trimmedFromSeq..trimmedThroughSeq (trimmedRows rows, 0 if nothing was trimmed) and the
 *    hash of the last trimmed row, which must equal the prev_hash of the first row still stored:
 *    this proves where the remaining chain starts;
 *  - the seq and hash of the row just before the checkpoint (the chain head at that moment), so
 *    that everything up to a checkpoint is covered by a signature, not only by the chain.
 */
struct Checkpoint {
    std::int64_t trimmedFromSeq = 0;
    std::int64_t trimmedThroughSeq = 0;
    std::int64_t trimmedRows = 0;
    std::string lastTrimmedHash; ///< raw 32 bytes: prev_hash of row trimmedThroughSeq + 1
    std::int64_t headSeq = 0;    ///< the row before the checkpoint
    std::string headHash;        ///< raw 32 bytes
    std::int64_t createdMs = 0;
    std::string policy;          ///< what retention was asked to do, for people
    std::string publicKey;       ///< raw 32 bytes of the signing key
};

/** The body of a checkpoint row: canonical JSON of @p checkpoint plus a signature by @p key. */
Result<std::string> makeCheckpointBody(const Checkpoint &checkpoint, const CheckpointKey &key);

/**
 * Parses a checkpoint row body and checks its signature with the key it names. Corrupt when the
 * body is malformed or the signature does not verify. Whether that key is the right one is the
 * caller's question (compare publicKey with a trusted key).
 */
Result<Checkpoint> readCheckpointBody(std::string_view body);

} // namespace tessera::audit
