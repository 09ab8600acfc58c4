// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"

namespace tessera::plugins {

/**
 * @brief A plugin ABI version (plugin-api/include/tessera/plugin_abi_version.h), unpacked.
 */
struct AbiVersion {
    unsigned major = 0;
    unsigned minor = 0;
    unsigned patch = 0;

    /** Unpacks (major << 24) | (minor << 16) | patch. */
    static AbiVersion fromPacked(std::uint32_t packed) noexcept;
    [[nodiscard]] std::uint32_t packed() const noexcept;
    /** "major.minor": the patch level never matters for compatibility, so it is not shown. */
    [[nodiscard]] std::string toString() const;

    friend bool operator==(const AbiVersion &, const AbiVersion &) = default;
};

/** The ABI this host implements (the plugin_abi_version.h it was compiled with). */
AbiVersion hostAbiVersion() noexcept;

/** Parses the manifest form "MAJOR.MINOR" (no patch, no spaces). */
std::optional<AbiVersion> parseAbiVersion(std::string_view text);

/**
 * The compatibility rule: the major must equal the host's, the plugin's minor may not be newer
 * than the host's, the patch is ignored. Errors (ErrorCode::Unsupported) read
 * "plugin ABI 2.0 is incompatible with host ABI 1.1" or
 * "plugin ABI 1.2 is newer than host ABI 1.1".
 */
Result<void> checkAbiCompatible(const AbiVersion &plugin, const AbiVersion &host = hostAbiVersion());

} // namespace tessera::plugins
