// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace tessera::audit {

class Sha256;

/** What the audit log keeps of a message body. Secrets are removed in both modes. */
enum class BodyMode {
    Invalid = 0,
    Redacted, ///< the default: event contents are replaced by their SHA-256 and size
    Full,     ///< event contents are kept (a user setting, for debugging widgets)
};

/** A stored body larger than this is replaced by {"omitted":"too large","sha256":…,"bytes":N}. */
inline constexpr std::size_t kMaxStoredBodyBytes = 64 * 1024;
/** A body nested deeper than this is replaced by {"omitted":"too deep","sha256":…,"bytes":N}. */
inline constexpr int kMaxBodyDepth = 64;

/**
 * True for a JSON key that names a secret, compared case-insensitively with '-' read as '_': it
 * contains "token", "password", "passwd", "passphrase", "secret", "authorization", "cookie",
 * "api_key", "apikey", "private_key", "privatekey" or "session_key". Broad on purpose: removing
 * a harmless field (token_type) costs nothing, keeping a secret costs a lot.
 */
bool isSecretKey(std::string_view key);

/**
 * Replaces the values of secret query parameters ("access_token=…", "password=…", any
 * "…token=…"), of "Bearer …" credentials, and anything shaped like a Matrix access or refresh
 * token (syt_, syr_, mat_, mar_, mct_, mcr_ followed by at least 16 token characters) in free
 * text with "REDACTED". Used on every string of a body and on the reason column.
 */
std::string scrubSecretsInText(std::string_view text);

/**
 * @brief Turns a raw message body into what the audit log stores. Pure, no I/O.
 *
 * The body is parsed as JSON. In every mode, each member whose key isSecretKey() is removed,
 * wherever it is, and every string is passed through scrubSecretsInText(). In Redacted mode
 * event contents are replaced by {"sha256": <hex of the canonical JSON>, "bytes": N}: every
 * member named "content" or "prev_content" at any depth, and the payloads of actions that carry
 * content under another name (send_to_device `data.messages`, MSC4039 upload `data.file`,
 * download `response.file`). Canonical JSON is nlohmann's compact dump (keys sorted), so the
 * hash is reproducible from the original content.
 *
 * A body that is not JSON cannot be searched for secrets and is stored as
 * {"omitted":"not JSON","sha256":…,"bytes":N}; bodies too deep or too large (see the limits
 * above) likewise. An empty body stays empty.
 */
class Redactor {
public:
    Redactor();
    ~Redactor();
    Redactor(const Redactor &) = delete;
    Redactor &operator=(const Redactor &) = delete;

    /** @p action selects the action-specific payloads; it is the record's action. */
    std::string redact(std::string_view body, std::string_view action, BodyMode mode);

private:
    std::unique_ptr<Sha256> m_sha;
};

} // namespace tessera::audit
