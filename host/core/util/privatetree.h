// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "util/result.h"

namespace tessera::paths {

/** The most entries makePrivateTree() looks at; a larger tree is tightened up to this many. */
inline constexpr std::size_t kMaxTightenedEntries = 100'000;

/** What makePrivateTree() changed. */
struct TightenReport {
    /** Entries whose mode lost group or other bits (the directory itself included). */
    std::vector<std::filesystem::path> tightened;
    /** Entries that could not be changed, with the reason. */
    std::vector<std::string> problems;
    /** True when the tree had more than kMaxTightenedEntries entries. */
    bool truncated = false;
};

/**
 * Makes @p dir and everything under it private to the user: the directory and every directory
 * in it lose all group and other permissions (0700), and every file too (0600 for the files
 * Tessera writes). Symbolic links are neither followed nor changed. Creates @p dir (0700) when it
 * is missing. Fails only when @p dir cannot be created or is not a directory; an entry that cannot
 * be changed is listed in the report.
 */
Result<TightenReport> makePrivateTree(const std::filesystem::path &dir);

/** The one-line notice for a report that changed something ("" when nothing changed). */
std::string describe(const TightenReport &report, const std::filesystem::path &dir);


} // namespace tessera::paths
