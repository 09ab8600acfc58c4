// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include <csignal>
#include <random>
#include <set>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "consent/consentservice.h"
#include "consenttestsupport.h"
#include "manualscheduler.h"

namespace tessera::consent {
namespace {

constexpr const char *kUser = "@alice:example.org";
const std::string kReadTopic = "org.matrix.msc2762.receive.state_event:m.room.topic";
const std::string kSendText = "org.matrix.msc2762.send.event:m.room.message#m.text";
constexpr int kDecisionsPerWriter = 5000;

ConsentSubject subjectFor(int n)
{
    ConsentSubject s;
    s.userId = kUser;
    s.widget.widgetId = "widget-" + std::to_string(n);
    s.widget.roomId = "!room:example.org";
    s.widget.origin = "https://w.example.com";
    s.widget.url = "https://w.example.com/" + std::to_string(n);
    return s;
}

// The writer: the user answers every prompt at once (allow the first capability, deny the second,
// remember both); each decision the service acknowledges is reported on @p ackFd. Never returns.
[[noreturn]] void runWriter(const std::filesystem::path &dataDir, int firstWidget, int ackFd)
{
    test::ScriptedPrompter prompter;
    test::RecordingAudit audit;
    tessera::test::ManualScheduler scheduler;
    auto service = ConsentService::open(dataDir, prompter, audit, scheduler);
    if (!service)
        ::_exit(3);
    prompter.autoAnswer = [&](const Prompt &p) {
        if (!(*service)->answer(p.id, PromptAnswer{{kReadTopic}, true}))
            ::_exit(4);
    };
    for (int n = firstWidget; n < firstWidget + kDecisionsPerWriter; ++n) {
        audit.rows.clear();
        (*service)->requestCapabilities((*service)->openSession(), subjectFor(n), {kReadTopic, kSendText}, false,
                                        [&](Result<CapabilityDecision> d) {
                                            if (!d || d->approved != std::vector<std::string>{kReadTopic})
                                                ::_exit(5);
                                            if (::write(ackFd, &n, sizeof n) != sizeof n)
                                                ::_exit(6);
                                        });
    }
    ::_exit(0);
}

TEST(ConsentDurability, EveryAcknowledgedDecisionSurvivesSigkill)
{
    test::TempDir dir;
    std::mt19937 random(20261125);
    std::set<int> acknowledged;
    int nextWidget = 0;
    for (int round = 0; round < 3; ++round) {
        int fds[2];
        ASSERT_EQ(::pipe(fds), 0);
        const pid_t pid = ::fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            ::close(fds[0]);
            runWriter(dir.path(), nextWidget, fds[1]);
        }
        ::close(fds[1]);
        const int killAfter = std::uniform_int_distribution<int>(5, 60)(random);
        int received = 0;
        int n = 0;
        while (received < killAfter && ::read(fds[0], &n, sizeof n) == sizeof n) {
            acknowledged.insert(n);
            ++received;
        }
        ::kill(pid, SIGKILL);
        int status = 0;
        ASSERT_EQ(::waitpid(pid, &status, 0), pid);
        // Acknowledgements already in the pipe when the writer died count too.
        while (::read(fds[0], &n, sizeof n) == sizeof n)
            acknowledged.insert(n);
        ::close(fds[0]);
        ASSERT_TRUE(WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) == 0))
            << "the writer failed with status " << status;
        nextWidget += kDecisionsPerWriter;
    }
    ASSERT_GE(acknowledged.size(), 15u);

    auto store = ConsentStore::open(dir.path());
    ASSERT_TRUE(store) << store.error().message;
    for (int n : acknowledged) {
        const ConsentSubject s = subjectFor(n);
        auto remembered = store->lookup(DecisionKind::Capability, scopeFor(kUser, s.widget));
        ASSERT_TRUE(remembered);
        EXPECT_EQ(*remembered, (std::map<std::string, bool>{{kReadTopic, true}, {kSendText, false}}))
            << "decision for widget " << n << " was acknowledged but is not complete";
    }
}

} // namespace
} // namespace tessera::consent
