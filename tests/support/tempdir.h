// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace tessera::test {

/**
 * @brief A fresh private directory under the system temp directory, removed with everything in it.
 *
 * The one temporary directory of the tests and benchmarks. Made with mkdtemp (mode 0700, a name
 * no other process has); if it cannot be made, the constructor throws with the reason rather than
 * leave a test working in an empty path.
 */
class TempDir {
public:
    explicit TempDir(std::string_view prefix = "tessera-test")
    {
        std::string pattern = (std::filesystem::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
        if (!::mkdtemp(pattern.data()))
            throw std::runtime_error("cannot make a temporary directory " + pattern + ": " + std::strerror(errno));
        m_path = pattern;
    }
    ~TempDir()
    {
        std::error_code ec;
        std::filesystem::remove_all(m_path, ec);
    }
    TempDir(const TempDir &) = delete;
    TempDir &operator=(const TempDir &) = delete;

    [[nodiscard]] const std::filesystem::path &path() const { return m_path; }
    [[nodiscard]] std::filesystem::path operator/(const std::string &name) const { return m_path / name; }

private:
    std::filesystem::path m_path;
};

} // namespace tessera::test
