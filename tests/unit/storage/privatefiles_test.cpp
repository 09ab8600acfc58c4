// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
// Tessera's files are the user's alone: directories it makes are 0700, databases (with their
// -wal and -shm files) 0600, whatever the umask, and a data directory left open to other users
// is tightened and reported.
#include <sys/stat.h>

#include <fstream>

#include <gtest/gtest.h>

#include "storage/database.h"
#include "tempdir.h"
#include "util/paths.h"
#include "util/privatetree.h"

using namespace tessera;
using tessera::test::TempDir;

namespace {

unsigned modeOf(const std::filesystem::path &path)
{
    struct stat st {};
    EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
    return st.st_mode & 07777;
}

/** Runs the test under the most common umask, which makes files 0644 and directories 0755. */
class UsualUmask : public ::testing::Test {
protected:
    void SetUp() override { m_old = ::umask(022); }
    void TearDown() override { ::umask(m_old); }

private:
    mode_t m_old = 0;
};

void touch(const std::filesystem::path &path, unsigned mode)
{
    std::ofstream(path) << "x";
    ::chmod(path.c_str(), mode);
}

} // namespace

TEST_F(UsualUmask, EveryDirectoryItCreatesIsPrivateParentsIncluded)
{
    TempDir tmp;
    const auto leaf = tmp.path() / "data" / "plugin-data" / "io.example";
    ASSERT_TRUE(paths::ensurePrivateDirectory(leaf));
    EXPECT_EQ(modeOf(tmp.path() / "data"), 0700u);
    EXPECT_EQ(modeOf(tmp.path() / "data" / "plugin-data"), 0700u);
    EXPECT_EQ(modeOf(leaf), 0700u);
}

TEST_F(UsualUmask, ADatabaseAndItsWalAndShmFilesAreReadableByTheUserOnly)
{
    TempDir tmp;
    const storage::Migration steps[] = {{1, "a table", "CREATE TABLE t (x INTEGER)", nullptr}};
    auto db = storage::openConcern(tmp.path() / "data", "rooms", steps);
    ASSERT_TRUE(db) << db.error().message;
    ASSERT_TRUE(db->exec("INSERT INTO t VALUES (1)"));
    ASSERT_TRUE(std::filesystem::exists(tmp.path() / "data" / "rooms.db-wal"));
    EXPECT_EQ(modeOf(tmp.path() / "data"), 0700u);
    EXPECT_EQ(modeOf(tmp.path() / "data" / "rooms.db"), 0600u);
    EXPECT_EQ(modeOf(tmp.path() / "data" / "rooms.db-wal"), 0600u);
    EXPECT_EQ(modeOf(tmp.path() / "data" / "rooms.db-shm"), 0600u);
}

TEST_F(UsualUmask, AnOpenDataDirectoryIsTightenedAndReported)
{
    TempDir tmp;
    const auto data = tmp.path() / "data";
    std::filesystem::create_directories(data / "web" / "Local Storage");
    ::chmod(data.c_str(), 0755);
    ::chmod((data / "web").c_str(), 0775);
    ::chmod((data / "web" / "Local Storage").c_str(), 0777);
    touch(data / "audit.db", 0644);
    touch(data / "audit.db-wal", 0666);
    touch(data / "web" / "Local Storage" / "leveldb", 0640);
    touch(data / "secrets", 0600); // already private: not reported
    touch(tmp.path() / "elsewhere", 0644);
    std::filesystem::create_symlink(tmp.path() / "elsewhere", data / "link");

    auto report = paths::makePrivateTree(data);
    ASSERT_TRUE(report) << report.error().message;
    EXPECT_EQ(report->tightened.size(), 6u);
    EXPECT_TRUE(report->problems.empty());
    EXPECT_EQ(modeOf(data), 0700u);
    EXPECT_EQ(modeOf(data / "web"), 0700u);
    EXPECT_EQ(modeOf(data / "web" / "Local Storage"), 0700u);
    EXPECT_EQ(modeOf(data / "audit.db"), 0600u);
    EXPECT_EQ(modeOf(data / "audit.db-wal"), 0600u);
    EXPECT_EQ(modeOf(data / "web" / "Local Storage" / "leveldb"), 0600u);
    EXPECT_EQ(modeOf(data / "secrets"), 0600u);
    EXPECT_EQ(modeOf(tmp.path() / "elsewhere"), 0644u) << "a link is not followed out of the directory";
    EXPECT_EQ(paths::describe(*report, data),
              data.string() + " was open to other users: 6 entries made private (directories 0700, files 0600)");

    auto again = paths::makePrivateTree(data);
    ASSERT_TRUE(again);
    EXPECT_TRUE(again->tightened.empty()) << "nothing left to tighten";
    EXPECT_EQ(paths::describe(*again, data), "");
}

TEST_F(UsualUmask, AMissingDataDirectoryIsCreatedPrivate)
{
    TempDir tmp;
    auto report = paths::makePrivateTree(tmp.path() / "new" / "data");
    ASSERT_TRUE(report) << report.error().message;
    EXPECT_TRUE(report->tightened.empty());
    EXPECT_EQ(modeOf(tmp.path() / "new"), 0700u);
    EXPECT_EQ(modeOf(tmp.path() / "new" / "data"), 0700u);
}

TEST_F(UsualUmask, AFileWhereTheDataDirectoryShouldBeIsAnError)
{
    TempDir tmp;
    touch(tmp.path() / "data", 0644);
    auto report = paths::makePrivateTree(tmp.path() / "data");
    ASSERT_FALSE(report);
    EXPECT_EQ(report.error().message, (tmp.path() / "data").string() + " is not a directory");
    EXPECT_EQ(modeOf(tmp.path() / "data"), 0644u) << "left as it was";
}
