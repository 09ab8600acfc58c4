// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"

namespace tessera {

/**
 * @brief Where secrets live: access tokens, token-signing keys, audit checkpoint keys.
 *
 * The desktop app uses the system keychain (QtKeychain, in host/ui); where no keychain runs it
 * falls back to FileSecretStore and says so. Names are short ASCII identifiers such as
 * "token-signing-key".
 */
class SecretStore {
public:
    virtual ~SecretStore() = default;
    /** nullopt if no secret of that name exists. */
    virtual Result<std::optional<std::string>> read(std::string_view name) = 0;
    virtual Result<void> write(std::string_view name, std::string_view value) = 0;
    virtual Result<void> remove(std::string_view name) = 0;
    /** Where the secrets are kept, for messages shown to the user. */
    [[nodiscard]] virtual std::string description() const = 0;
    /** True for stores weaker than a keychain, so the UI can warn. */
    [[nodiscard]] virtual bool isFallback() const = 0;
};

/**
 * @brief One file per secret in a 0700 directory, each file 0600, written atomically.
 * The fallback where no keychain runs.
 */
class FileSecretStore final : public SecretStore {
public:
    explicit FileSecretStore(std::filesystem::path directory);

    Result<std::optional<std::string>> read(std::string_view name) override;
    Result<void> write(std::string_view name, std::string_view value) override;
    Result<void> remove(std::string_view name) override;
    [[nodiscard]] std::string description() const override;
    [[nodiscard]] bool isFallback() const override { return true; }

private:
    Result<std::filesystem::path> pathFor(std::string_view name) const;
    std::filesystem::path m_dir;
};

} // namespace tessera
