// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <gtest/gtest.h>

#include "audit/auditreader.h"
#include "storage/database.h"
#include "tempdir.h"

using namespace tessera;
using namespace tessera::audit;
using tessera::test::TempDir;

namespace {

constexpr int kRecordsPerRun = 10'000;
constexpr int kKilledRuns = 6;
constexpr std::int64_t kMaxWaitMs = 120'000; // hang guard only

/** The writer process, its output read by a thread as it comes (the pipe must never fill up). */
class WriterProcess {
public:
    explicit WriterProcess(const std::vector<std::string> &args)
    {
        int fds[2];
        if (::pipe(fds) != 0)
            return;
        m_pid = ::fork();
        if (m_pid == 0) {
            ::dup2(fds[1], 1);
            ::close(fds[0]);
            ::close(fds[1]);
            std::vector<char *> argv;
            for (const auto &a : args)
                argv.push_back(const_cast<char *>(a.c_str()));
            argv.push_back(nullptr);
            ::execv(argv[0], argv.data());
            ::_exit(127);
        }
        ::close(fds[1]);
        m_reader = std::thread([this, fd = fds[0]] {
            char buf[65536];
            for (;;) {
                const ssize_t n = ::read(fd, buf, sizeof buf);
                if (n <= 0)
                    break;
                std::lock_guard lock(m_mutex);
                for (ssize_t i = 0; i < n; ++i) {
                    m_output.push_back(buf[i]);
                    if (buf[i] == '\n')
                        ++m_lines;
                }
                m_changed.notify_all();
            }
            ::close(fd);
            std::lock_guard lock(m_mutex);
            m_eof = true;
            m_changed.notify_all();
        });
    }

    ~WriterProcess()
    {
        if (m_pid > 0 && !m_reaped) {
            ::kill(m_pid, SIGKILL);
            wait();
        }
        if (m_reader.joinable())
            m_reader.join();
    }

    [[nodiscard]] bool started() const { return m_pid > 0; }

    /** Waits until the process has printed @p lines lines or ended (bounded by kMaxWaitMs). */
    void waitForLines(std::size_t lines)
    {
        std::unique_lock lock(m_mutex);
        m_changed.wait_for(lock, std::chrono::milliseconds(kMaxWaitMs), [&] { return m_lines >= lines || m_eof; });
    }

    void kill() { ::kill(m_pid, SIGKILL); }

    /** Reaps the process; returns its wait status. Reads the rest of its output first. */
    int wait()
    {
        int status = 0;
        ::waitpid(m_pid, &status, 0);
        m_reaped = true;
        if (m_reader.joinable())
            m_reader.join();
        return status;
    }

    std::string output()
    {
        std::lock_guard lock(m_mutex);
        return m_output;
    }

private:
    pid_t m_pid = -1;
    bool m_reaped = false;
    std::thread m_reader;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::string m_output;
    std::size_t m_lines = 0;
    bool m_eof = false;
};

struct RunResult {
    std::map<std::int64_t, std::string> acknowledged; // seq -> request id (or "checkpoint")
    bool finished = false;
};

RunResult parse(const std::string &output)
{
    RunResult result;
    // Only whole lines: a kill can cut the last one short ("33996 " of "33996 r3-9944"), and a
    // row's acknowledgement is its whole line. The cut row may still be stored; it was never
    // promised.
    const auto lastNewline = output.rfind('\n');
    std::istringstream in(lastNewline == std::string::npos ? std::string() : output.substr(0, lastNewline + 1));
    std::string line;
    while (std::getline(in, line)) {
        if (line == "done") {
            result.finished = true;
            continue;
        }
        if (line.rfind("ready ", 0) == 0)
            continue;
        const auto space = line.find(' ');
        if (space == std::string::npos)
            continue;
        result.acknowledged[std::stoll(line.substr(0, space))] = line.substr(space + 1);
    }
    return result;
}

} // namespace

TEST(AuditCrash, EveryAcknowledgedRowSurvivesKillNineAndTheChainVerifies)
{
    TempDir dir;
    const auto dataDir = dir.path() / "data";
    std::random_device device;
    const unsigned seed = device();
    std::mt19937 random(seed);
    SCOPED_TRACE("random seed " + std::to_string(seed));

    std::map<std::int64_t, std::string> acknowledged;
    int killedMidStream = 0;
    for (int run = 0; run <= kKilledRuns; ++run) {
        const bool kill = run < kKilledRuns;
        std::vector<std::string> args = {TESSERA_AUDIT_CRASH_WRITER, dataDir.string(), std::to_string(kRecordsPerRun),
                                         std::to_string(run)};
        if (run == 2 || run == 4) {
            // A retention run in the middle: trims from the start and appends a signed checkpoint.
            args.push_back(std::to_string(std::uniform_int_distribution<int>(100, kRecordsPerRun - 100)(random)));
            args.push_back("15000");
        }
        WriterProcess writer(args);
        ASSERT_TRUE(writer.started());
        if (kill) {
            // Kill after a random number of acknowledged rows, then a little later still, so the
            // kill lands anywhere: between appends, inside a batch, during a commit.
            const auto ackedBeforeKill = std::size_t(std::uniform_int_distribution<int>(0, kRecordsPerRun - 1)(random));
            writer.waitForLines(ackedBeforeKill + 1); // + the "ready" line
            std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(0, 3000)(random)));
            writer.kill();
        }
        const int status = writer.wait();
        const RunResult result = parse(writer.output());
        if (kill) {
            if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL && !result.finished)
                ++killedMidStream;
        } else {
            ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
            EXPECT_TRUE(result.finished);
            EXPECT_GE(result.acknowledged.size(), std::size_t(kRecordsPerRun));
        }
        for (const auto &[seq, id] : result.acknowledged) {
            EXPECT_EQ(acknowledged.count(seq), 0u) << "seq " << seq << " acknowledged twice";
            acknowledged[seq] = id;
        }

        // After every run, killed or not: every acknowledged row is there, and the chain holds.
        auto reader = AuditReader::open(dataDir);
        ASSERT_TRUE(reader) << reader.error().message;
        auto report = reader->verify();
        ASSERT_TRUE(report) << report.error().message;
        EXPECT_TRUE(report->ok()) << "run " << run << ": seq " << report->firstProblem->seq << ": "
                                  << report->firstProblem->what;
        std::map<std::int64_t, AuditRow> stored;
        AuditQuery q;
        q.limit = kMaxPageRows;
        for (;;) {
            auto page = reader->query(q);
            ASSERT_TRUE(page) << page.error().message;
            for (auto &row : page->rows)
                stored.emplace(row.seq, std::move(row));
            if (page->nextCursor == 0)
                break;
            q.afterSeq = page->nextCursor;
        }
        ASSERT_FALSE(stored.empty());
        const std::int64_t firstKept = stored.begin()->first;
        EXPECT_EQ(report->firstSeq, firstKept);
        std::int64_t missing = 0;
        for (const auto &[seq, id] : acknowledged) {
            if (seq < firstKept)
                continue; // trimmed by retention, which verify() proved through a signed checkpoint
            auto it = stored.find(seq);
            if (it == stored.end()) {
                ++missing;
                continue;
            }
            const std::string expected = id == "checkpoint" ? "retention.checkpoint" : id;
            EXPECT_EQ(id == "checkpoint" ? it->second.action : it->second.requestId, expected) << "seq " << seq;
        }
        EXPECT_EQ(missing, 0) << "run " << run << ": acknowledged rows lost";
        if (firstKept > 1) {
            EXPECT_GT(report->startCheckpointSeq, 0);
        }

        auto db = storage::Database::open(dataDir / "audit.db");
        ASSERT_TRUE(db);
        auto check = db->prepare("PRAGMA integrity_check");
        ASSERT_TRUE(check);
        ASSERT_TRUE(check->step().value());
        EXPECT_EQ(check->columnText(0), "ok");
    }
    std::printf("[ crash    ] %d of %d writers killed before finishing; %zu rows acknowledged in all (seed %u)\n",
                killedMidStream, kKilledRuns, acknowledged.size(), seed);
    EXPECT_GT(acknowledged.size(), std::size_t(kRecordsPerRun));
}
