// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

#include <filesystem>
#include <memory>
#include <string>

#include "util/secretstore.h"

namespace tessera::ui {

/**
 * @brief Secrets in the system keychain (QtKeychain: Secret Service, KWallet, macOS Keychain,
 * Windows Credential Store), under the service name "Tessera".
 *
 * Calls block in a local event loop until the keychain answers; they are rare (start-up,
 * login, key rotation). Use openSecretStore() to get this store or, where no keychain runs,
 * the 0600-file fallback.
 */
class KeychainSecretStore final : public SecretStore {
public:
    Result<std::optional<std::string>> read(std::string_view name) override;
    Result<void> write(std::string_view name, std::string_view value) override;
    Result<void> remove(std::string_view name) override;
    [[nodiscard]] std::string description() const override { return "the system keychain"; }
    [[nodiscard]] bool isFallback() const override { return false; }

    /** True if a keychain answers at all (a read of a name that does not exist succeeds). */
    static bool available();
};

/**
 * The keychain if one runs, else FileSecretStore(@p fallbackDir). @p warning is set to a
 * sentence for the user when the fallback is used.
 */
std::unique_ptr<SecretStore> openSecretStore(const std::filesystem::path &fallbackDir, QString &warning);

} // namespace tessera::ui
