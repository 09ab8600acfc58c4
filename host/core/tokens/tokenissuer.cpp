// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "tokens/tokenissuer.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include "util/paths.h"
#include "util/text.h"
#include "util/jsonfields.h"

namespace tessera::tokens {

namespace {

using nlohmann::json;

constexpr int kStoreFormatVersion = 1;

Error corruptStore(const SecretStore &store, const std::string &what)
{
    return Error(ErrorCode::Corrupt, "the token signing keys in " + store.description() + " cannot be used: " + what
                                         + ". Remove the secret \"" + std::string(kSigningKeysSecretName)
                                         + "\" to start with a new key (tokens issued so far will stop verifying)");
}

Result<void> writeFileAtomically(const std::filesystem::path &path, std::string_view content)
{
    const std::filesystem::path tmp = path.string() + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    auto fail = [&](const char *what, const std::filesystem::path &p) {
        const std::string reason = std::strerror(errno);
        if (fd >= 0)
            ::close(fd);
        ::unlink(tmp.c_str());
        return Error(ErrorCode::Io, std::string(what) + " " + p.string() + ": " + reason);
    };
    if (fd < 0)
        return fail("cannot write", tmp);
    std::size_t done = 0;
    while (done < content.size()) {
        const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return fail("cannot write", tmp);
        }
        done += std::size_t(n);
    }
    if (::fsync(fd) != 0)
        return fail("cannot flush", tmp);
    ::close(fd);
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const std::string reason = std::strerror(errno);
        ::unlink(tmp.c_str());
        return Error(ErrorCode::Io, "cannot replace " + path.string() + ": " + reason);
    }
    return {};
}

} // namespace

std::filesystem::path publishedKeysPath(const std::filesystem::path &dataDir)
{
    return dataDir / "tokens" / "jwks.json";
}

TokenIssuer::TokenIssuer(SecretStore &secrets, std::filesystem::path dataDir, WallClock clock, IssuerOptions options)
    : m_secrets(secrets), m_dataDir(std::move(dataDir)), m_clock(std::move(clock)), m_options(std::move(options))
{
}

Result<void> TokenIssuer::load()
{
    if (m_loaded)
        return {};
    auto stored = m_secrets.read(kSigningKeysSecretName);
    if (!stored)
        return Error(stored.error().code,
                     "cannot read the token signing keys from " + m_secrets.description() + ": " + stored.error().message);
    m_keys.clear();
    if (!stored->has_value()) {
        m_loaded = true;
        return {};
    }
    const json doc = json::parse(**stored, nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
        return corruptStore(m_secrets, "it is not a JSON object");
    if (jsonInt(doc, "version", -1) != kStoreFormatVersion)
        return corruptStore(m_secrets, "its format version is not " + std::to_string(kStoreFormatVersion));
    auto keys = doc.find("keys");
    if (keys == doc.end() || !keys->is_array())
        return corruptStore(m_secrets, "it has no \"keys\" array");
    std::vector<KeyEntry> loaded;
    for (const auto &k : *keys) {
        if (!k.is_object() || !k.contains("kid") || !k["kid"].is_string() || !k.contains("created_ms")
            || !k["created_ms"].is_number_integer())
            return corruptStore(m_secrets, "a key entry lacks kid or created_ms");
        KeyEntry entry;
        entry.keyId = k["kid"].get<std::string>();
        entry.createdAtMs = k["created_ms"].get<std::int64_t>();
        if (auto r = k.find("retired_ms"); r != k.end()) {
            if (!r->is_number_integer())
                return corruptStore(m_secrets, "retired_ms of key " + entry.keyId + " is not an integer");
            entry.retiredAtMs = r->get<std::int64_t>();
        }
        const bool isCurrent = !entry.retiredAtMs;
        const std::string field = isCurrent ? "d" : "x";
        auto raw = k.contains(field) && k[field].is_string() ? text::base64UrlDecode(k[field].get<std::string>())
                                                             : std::nullopt;
        if (!raw)
            return corruptStore(m_secrets, "key " + entry.keyId + " has no usable \"" + field + "\"");
        auto key = isCurrent ? Ed25519Key::fromPrivateSeed(*raw) : Ed25519Key::fromPublicBytes(*raw);
        if (!key)
            return corruptStore(m_secrets, "key " + entry.keyId + ": " + key.error().message);
        if (keyIdFor(key->publicBytes()) != entry.keyId)
            return corruptStore(m_secrets, "key " + entry.keyId + " does not match its key id");
        entry.key = std::move(*key);
        if (isCurrent && !loaded.empty() && !loaded.front().retiredAtMs)
            return corruptStore(m_secrets, "it holds more than one current key");
        if (isCurrent)
            loaded.insert(loaded.begin(), std::move(entry));
        else
            loaded.push_back(std::move(entry));
    }
    if (!loaded.empty() && loaded.front().retiredAtMs)
        return corruptStore(m_secrets, "it holds retired keys but no current key");
    m_keys = std::move(loaded);
    m_loaded = true;
    return {};
}

Result<void> TokenIssuer::save()
{
    json keys = json::array();
    for (const auto &k : m_keys) {
        json entry{{"kid", k.keyId}, {"created_ms", k.createdAtMs}};
        if (k.retiredAtMs) {
            entry["retired_ms"] = *k.retiredAtMs;
            entry["x"] = text::base64UrlEncode(k.key.publicBytes());
        } else {
            entry["d"] = text::base64UrlEncode(k.key.privateSeed());
        }
        keys.push_back(std::move(entry));
    }
    const json doc{{"version", kStoreFormatVersion}, {"keys", std::move(keys)}};
    if (auto ok = m_secrets.write(kSigningKeysSecretName, doc.dump()); !ok) {
        m_loaded = false; // what is in memory was never stored: reload the stored state next time
        m_keys.clear();
        return Error(ok.error().code,
                     "cannot store the token signing keys in " + m_secrets.description() + ": " + ok.error().message);
    }
    m_publishPending = true;
    return {};
}

json TokenIssuer::publicKeySet() const
{
    json keys = json::array();
    for (const auto &k : m_keys)
        keys.push_back(publicJwk(k.keyId, k.key.publicBytes()));
    return json{{"keys", std::move(keys)}};
}

Result<void> TokenIssuer::publish()
{
    if (!m_publishPending || m_dataDir.empty())
        return {};
    const auto path = publishedKeysPath(m_dataDir);
    if (auto ok = paths::ensurePrivateDirectory(path.parent_path()); !ok)
        return Error(ok.error().code, "cannot publish the token public keys: " + ok.error().message);
    if (auto ok = writeFileAtomically(path, publicKeySet().dump(2) + "\n"); !ok)
        return Error(ok.error().code, "cannot publish the token public keys: " + ok.error().message);
    m_publishPending = false;
    return {};
}

Result<void> TokenIssuer::pruneRetired()
{
    const std::int64_t now = m_clock();
    const auto before = m_keys.size();
    std::erase_if(m_keys, [&](const KeyEntry &k) {
        return k.retiredAtMs && now > *k.retiredAtMs + kRetiredKeyRetentionMs;
    });
    if (m_keys.size() == before)
        return {};
    return save();
}

Result<void> TokenIssuer::replaceCurrentKey()
{
    auto fresh = Ed25519Key::generate();
    if (!fresh)
        return fresh.error();
    const std::int64_t now = m_clock();
    if (!m_keys.empty() && !m_keys.front().retiredAtMs) {
        // The old private half is dropped here; only what verification needs is kept.
        KeyEntry &old = m_keys.front();
        auto publicOnly = Ed25519Key::fromPublicBytes(old.key.publicBytes());
        if (!publicOnly)
            return publicOnly.error();
        old.key = std::move(*publicOnly);
        old.retiredAtMs = now;
    }
    KeyEntry entry;
    entry.keyId = keyIdFor(fresh->publicBytes());
    entry.key = std::move(*fresh);
    entry.createdAtMs = now;
    m_keys.insert(m_keys.begin(), std::move(entry));
    return save();
}

Result<void> TokenIssuer::ensureCurrentKey()
{
    if (auto ok = load(); !ok)
        return ok;
    if (auto ok = pruneRetired(); !ok)
        return ok;
    if (m_keys.empty()) {
        if (auto ok = replaceCurrentKey(); !ok)
            return ok;
    }
    return publish();
}

Result<MintedToken> TokenIssuer::mint(const TokenRequest &request)
{
    if (auto ok = ensureCurrentKey(); !ok)
        return ok.error();
    if (m_options.rotateAfterMs > 0 && m_clock() - m_keys.front().createdAtMs >= m_options.rotateAfterMs) {
        if (auto ok = replaceCurrentKey(); !ok)
            return ok.error();
        if (auto ok = publish(); !ok)
            return ok.error();
    }
    const KeyEntry &current = m_keys.front();
    return mintToken(current.key, current.keyId, m_options.issuer, request, m_clock());
}

Result<TokenClaims> TokenIssuer::verify(std::string_view token, VerifyOptions options)
{
    if (auto ok = load(); !ok)
        return ok.error();
    if (!options.issuer)
        options.issuer = m_options.issuer;
    const std::int64_t now = m_clock();
    // Verifying never writes: a retired key past its retention is skipped here and removed from
    // the store the next time a key is needed for minting.
    return detail::verifyToken(token, options, now, [this, now](std::string_view keyId) -> const Ed25519Key * {
        for (const auto &k : m_keys) {
            if (k.keyId == keyId && !(k.retiredAtMs && now > *k.retiredAtMs + kRetiredKeyRetentionMs))
                return &k.key;
        }
        return nullptr;
    });
}

Result<std::string> TokenIssuer::rotate()
{
    if (auto ok = load(); !ok)
        return ok.error();
    if (auto ok = pruneRetired(); !ok)
        return ok.error();
    if (auto ok = replaceCurrentKey(); !ok)
        return ok.error();
    if (auto ok = publish(); !ok)
        return ok.error();
    return m_keys.front().keyId;
}

Result<nlohmann::json> TokenIssuer::jwks()
{
    if (auto ok = ensureCurrentKey(); !ok)
        return ok.error();
    return publicKeySet();
}

Result<std::string> TokenIssuer::currentKeyId()
{
    if (auto ok = ensureCurrentKey(); !ok)
        return ok.error();
    return m_keys.front().keyId;
}

} // namespace tessera::tokens
