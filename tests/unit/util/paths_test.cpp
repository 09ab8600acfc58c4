// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "util/paths.h"

using tessera::paths::appDirectories;

namespace {
/** Sets (or, with nullopt, unsets) an environment variable for one test, then puts it back. */
class ScopedEnv {
public:
    ScopedEnv(const char *name, std::optional<std::string> value) : m_name(name)
    {
        if (const char *old = std::getenv(name))
            m_old = old;
        if (value)
            ::setenv(name, value->c_str(), 1);
        else
            ::unsetenv(name);
    }
    ~ScopedEnv()
    {
        if (m_old)
            ::setenv(m_name, m_old->c_str(), 1);
        else
            ::unsetenv(m_name);
    }
    ScopedEnv(const ScopedEnv &) = delete;
    ScopedEnv &operator=(const ScopedEnv &) = delete;

private:
    const char *m_name;
    std::optional<std::string> m_old;
};
} // namespace

TEST(Paths, XdgDirectoriesUnderHomeByDefault)
{
    ScopedEnv home("HOME", "/home/ana");
    ScopedEnv d("XDG_DATA_HOME", std::nullopt), c("XDG_CONFIG_HOME", std::nullopt), k("XDG_CACHE_HOME", std::nullopt),
        s("XDG_STATE_HOME", std::nullopt);
    const auto dirs = appDirectories();
    EXPECT_EQ(dirs.data, "/home/ana/.local/share/tessera");
    EXPECT_EQ(dirs.config, "/home/ana/.config/tessera");
    EXPECT_EQ(dirs.cache, "/home/ana/.cache/tessera");
    EXPECT_EQ(dirs.state, "/home/ana/.local/state/tessera");
}

TEST(Paths, XdgVariablesMoveEachDirectory)
{
    ScopedEnv home("HOME", "/home/ana");
    ScopedEnv d("XDG_DATA_HOME", "/d"), c("XDG_CONFIG_HOME", "/c"), k("XDG_CACHE_HOME", "/k"), s("XDG_STATE_HOME", "/s");
    const auto dirs = appDirectories();
    EXPECT_EQ(dirs.data, "/d/tessera");
    EXPECT_EQ(dirs.config, "/c/tessera");
    EXPECT_EQ(dirs.cache, "/k/tessera");
    EXPECT_EQ(dirs.state, "/s/tessera");
}

TEST(Paths, RelativeXdgValuesAreIgnoredAsTheSpecificationSays)
{
    ScopedEnv home("HOME", "/home/ana");
    ScopedEnv d("XDG_DATA_HOME", "relative"), c("XDG_CONFIG_HOME", ""), k("XDG_CACHE_HOME", "./x"),
        s("XDG_STATE_HOME", "state");
    const auto dirs = appDirectories();
    EXPECT_EQ(dirs.data, "/home/ana/.local/share/tessera");
    EXPECT_EQ(dirs.config, "/home/ana/.config/tessera");
    EXPECT_EQ(dirs.cache, "/home/ana/.cache/tessera");
    EXPECT_EQ(dirs.state, "/home/ana/.local/state/tessera");
}

TEST(Paths, DataDirKeepsEverythingInside)
{
    ScopedEnv c("XDG_CONFIG_HOME", "/c");
    const auto dirs = appDirectories("/tmp/run");
    EXPECT_EQ(dirs.data, "/tmp/run");
    EXPECT_EQ(dirs.config, "/tmp/run/config");
    EXPECT_EQ(dirs.cache, "/tmp/run/cache");
    EXPECT_EQ(dirs.state, "/tmp/run/state");
}
