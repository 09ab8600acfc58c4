// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "plugins/abiversion.h"

#include <charconv>

#include <tessera/plugin_abi_version.h>

namespace tessera::plugins {

AbiVersion AbiVersion::fromPacked(std::uint32_t packed) noexcept
{
    return AbiVersion{TESSERA_VERSION_MAJOR(packed), TESSERA_VERSION_MINOR(packed), TESSERA_VERSION_PATCH(packed)};
}

std::uint32_t AbiVersion::packed() const noexcept
{
    return TESSERA_MAKE_VERSION(major, minor, patch);
}

std::string AbiVersion::toString() const
{
    return std::to_string(major) + "." + std::to_string(minor);
}

AbiVersion hostAbiVersion() noexcept
{
    return AbiVersion::fromPacked(TESSERA_PLUGIN_ABI_VERSION);
}

std::optional<AbiVersion> parseAbiVersion(std::string_view text)
{
    const auto dot = text.find('.');
    if (dot == std::string_view::npos)
        return std::nullopt;
    auto number = [](std::string_view part) -> std::optional<unsigned> {
        if (part.empty() || part.size() > 3)
            return std::nullopt;
        unsigned value = 0;
        const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
        if (ec != std::errc() || end != part.data() + part.size() || value > 255)
            return std::nullopt;
        return value;
    };
    const auto major = number(text.substr(0, dot));
    const auto minor = number(text.substr(dot + 1));
    if (!major || !minor)
        return std::nullopt;
    return AbiVersion{*major, *minor, 0};
}

Result<void> checkAbiCompatible(const AbiVersion &plugin, const AbiVersion &host)
{
    if (plugin.major != host.major)
        return Error(ErrorCode::Unsupported,
                     "plugin ABI " + plugin.toString() + " is incompatible with host ABI " + host.toString());
    if (plugin.minor > host.minor)
        return Error(ErrorCode::Unsupported,
                     "plugin ABI " + plugin.toString() + " is newer than host ABI " + host.toString());
    return {};
}

} // namespace tessera::plugins
