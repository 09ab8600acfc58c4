// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "util/paths.h"
#include "util/privatetree.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <system_error>

namespace tessera::paths {

namespace {

constexpr mode_t kGroupOtherBits = S_IRWXG | S_IRWXO;

std::string errnoText(int error)
{
    return std::error_code(error, std::generic_category()).message();
}

/** Removes group and other bits from one entry (not following a symbolic link). */
void tightenEntry(const std::filesystem::path &path, TightenReport &report)
{
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
        report.problems.push_back(path.string() + ": " + errnoText(errno));
        return;
    }
    if (S_ISLNK(st.st_mode) || (st.st_mode & kGroupOtherBits) == 0)
        return;
    if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
        return; // sockets, fifos: their mode is their owner's business
    if (::chmod(path.c_str(), st.st_mode & S_IRWXU) != 0) {
        report.problems.push_back(path.string() + ": " + errnoText(errno));
        return;
    }
    report.tightened.push_back(path);
}

/** $variable/tessera, else $HOME/fallback/tessera. The specification ignores relative values. */
std::filesystem::path xdgDirectory(const char *variable, const std::filesystem::path &fallback)
{
    if (const char *xdg = std::getenv(variable); xdg && *xdg == '/')
        return std::filesystem::path(xdg) / "tessera";
    if (const char *home = std::getenv("HOME"); home && *home)
        return std::filesystem::path(home) / fallback / "tessera";
    return std::filesystem::current_path() / ".tessera" / fallback;
}
} // namespace

std::filesystem::path defaultDataDir()
{
    return xdgDirectory("XDG_DATA_HOME", std::filesystem::path(".local") / "share");
}

AppDirectories appDirectories(const std::filesystem::path &dataDir)
{
    if (!dataDir.empty())
        return {dataDir, dataDir / "config", dataDir / "cache", dataDir / "state"};
    return {defaultDataDir(), xdgDirectory("XDG_CONFIG_HOME", ".config"), xdgDirectory("XDG_CACHE_HOME", ".cache"),
            xdgDirectory("XDG_STATE_HOME", std::filesystem::path(".local") / "state")};
}

Result<void> ensurePrivateDirectory(const std::filesystem::path &dir)
{
    std::error_code ec;
    if (std::filesystem::is_directory(dir, ec))
        return {};
    // Each missing component is made 0700 by mkdir itself, so nothing is ever readable by
    // others, not even between a mkdir and a chmod (create_directories would use the umask).
    const std::filesystem::path absolute = std::filesystem::absolute(dir, ec);
    if (ec)
        return Error(ErrorCode::Io, "cannot create directory " + dir.string() + ": " + ec.message());
    std::filesystem::path built;
    for (const auto &part : absolute) {
        built /= part;
        if (part.empty() || part == built.root_path())
            continue;
        if (::mkdir(built.c_str(), S_IRWXU) == 0 || errno == EEXIST)
            continue;
        return Error(ErrorCode::Io, "cannot create directory " + dir.string() + ": " + errnoText(errno));
    }
    if (!std::filesystem::is_directory(dir, ec))
        return Error(ErrorCode::Io, "cannot create directory " + dir.string() + ": it exists and is not a directory");
    // mkdir's mode is filtered by the umask; a umask never adds bits, but make the mode exact.
    if (::chmod(dir.c_str(), S_IRWXU) != 0)
        return Error(ErrorCode::Io, "cannot restrict permissions of " + dir.string() + ": " + errnoText(errno));
    return {};
}

Result<TightenReport> makePrivateTree(const std::filesystem::path &dir)
{
    TightenReport report;
    std::error_code ec;
    if (!std::filesystem::exists(std::filesystem::symlink_status(dir, ec))) {
        if (auto made = ensurePrivateDirectory(dir); !made)
            return made.error();
        return report;
    }
    if (!std::filesystem::is_directory(dir, ec))
        return Error(ErrorCode::Io, dir.string() + " is not a directory");
    tightenEntry(dir, report);
    std::size_t seen = 0;
    auto it = std::filesystem::recursive_directory_iterator(
        dir, std::filesystem::directory_options::skip_permission_denied, ec);
    if (ec) {
        report.problems.push_back(dir.string() + ": " + ec.message());
        return report;
    }
    for (; it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        if (ec) {
            report.problems.push_back(dir.string() + ": " + ec.message());
            break;
        }
        if (++seen > kMaxTightenedEntries) {
            report.truncated = true;
            break;
        }
        tightenEntry(it->path(), report);
    }
    return report;
}

std::string describe(const TightenReport &report, const std::filesystem::path &dir)
{
    std::string text;
    if (!report.tightened.empty()) {
        const std::size_t n = report.tightened.size();
        text = dir.string() + " was open to other users: " + std::to_string(n) + (n == 1 ? " entry" : " entries")
            + " made private (directories 0700, files 0600)";
    }
    if (!report.problems.empty()) {
        if (!text.empty())
            text += "; ";
        text += "could not make " + std::to_string(report.problems.size()) + " entries private (first: "
            + report.problems.front() + ")";
    }
    if (report.truncated)
        text += (text.empty() ? "" : "; ") + std::string("only the first ") + std::to_string(kMaxTightenedEntries)
            + " entries were looked at";
    return text;
}

} // namespace tessera::paths
