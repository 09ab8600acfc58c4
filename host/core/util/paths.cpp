// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "util/paths.h"

#include <cstdlib>
#include <system_error>

namespace tessera::paths {

std::filesystem::path defaultDataDir()
{
    if (const char *xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg)
        return std::filesystem::path(xdg) / "tessera";
    if (const char *home = std::getenv("HOME"); home && *home)
        return std::filesystem::path(home) / ".local" / "share" / "tessera";
    return std::filesystem::current_path() / ".tessera";
}

Result<void> ensurePrivateDirectory(const std::filesystem::path &dir)
{
    std::error_code ec;
    if (std::filesystem::is_directory(dir, ec))
        return {};
    std::filesystem::create_directories(dir, ec);
    if (ec)
        return Error(ErrorCode::Io, "cannot create directory " + dir.string() + ": " + ec.message());
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace, ec);
    if (ec)
        return Error(ErrorCode::Io, "cannot restrict permissions of " + dir.string() + ": " + ec.message());
    return {};
}

} // namespace tessera::paths
