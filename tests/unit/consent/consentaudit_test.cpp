// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include <set>

#include <gtest/gtest.h>

#include "audit/auditlog.h"
#include "audit/auditreader.h"
#include "consent/consentservice.h"
#include "consenttestsupport.h"
#include "manualscheduler.h"

namespace tessera::consent {
namespace {

constexpr const char *kUser = "@alice:example.org";
constexpr const char *kBot = "@bot:example.org";
const std::string kReadTopic = "org.matrix.msc2762.receive.state_event:m.room.topic";
const std::string kSendText = "org.matrix.msc2762.send.event:m.room.message#m.text";

ConsentSubject subject(const std::string &widgetId)
{
    ConsentSubject s;
    s.userId = kUser;
    s.widget.widgetId = widgetId;
    s.widget.roomId = "!room:example.org";
    s.widget.origin = "https://w.example.com";
    s.widget.url = "https://w.example.com/" + widgetId;
    s.widget.creatorUserId = kBot;
    s.senderUserId = kBot;
    return s;
}

// With the real audit log: every decision, remembered choice, rule grant, timeout and revocation
// ends up as a consent row in audit.db, and the chain verifies.
TEST(ConsentAudit, EveryKindOfDecisionIsInTheRealAuditLog)
{
    test::TempDir dir;
    auto log = audit::AuditLog::open(dir.path());
    ASSERT_TRUE(log) << log.error().message;
    test::ScriptedPrompter prompter;
    tessera::test::ManualScheduler scheduler;
    {
        auto opened = ConsentService::open(dir.path(), prompter, **log, scheduler);
        ASSERT_TRUE(opened) << opened.error().message;
        ConsentService &service = **opened;

        // Asked, answered and remembered.
        service.requestCapabilities(service.openSession(), subject("asked"), {kReadTopic, kSendText}, false,
                                    [](Result<CapabilityDecision>) {});
        ASSERT_TRUE(service.answer(prompter.last().id, PromptAnswer{{kReadTopic}, true}));
        // Timed out.
        service.requestCapabilities(service.openSession(), subject("slow"), {kReadTopic}, false,
                                    [](Result<CapabilityDecision>) {});
        scheduler.advance(ConsentOptions{}.promptTimeoutMs);
        // Granted by a standing rule.
        auto rule = service.addRule(StandingRule{0, kUser, RuleKind::TrustAgent, kBot, "", 0});
        ASSERT_TRUE(rule);
        service.requestCapabilities(service.openSession(), subject("trusted"), {kSendText}, false,
                                    [](Result<CapabilityDecision>) {});
        // Revoked, and the rule removed.
        auto decisions = service.listDecisions(kUser);
        ASSERT_TRUE(decisions);
        ASSERT_FALSE(decisions->empty());
        ASSERT_TRUE(service.revokeDecision(decisions->front().id));
        ASSERT_TRUE(service.removeRule(rule->id));
    }
    ASSERT_TRUE((*log)->flush(10'000));

    auto reader = audit::AuditReader::open(dir.path());
    ASSERT_TRUE(reader) << reader.error().message;
    audit::AuditQuery query;
    query.category = "consent";
    query.limit = 1000;
    auto page = reader->query(query);
    ASSERT_TRUE(page) << page.error().message;
    std::set<std::string> reasons;
    std::set<std::string> actions;
    for (const auto &row : page->rows) {
        actions.insert(row.action);
        reasons.insert(row.action + ": " + row.reason);
        EXPECT_EQ(row.direction, "internal");
    }
    EXPECT_EQ(actions, (std::set<std::string>{"consent.prompt", "consent.capabilities", "consent.standing_rule",
                                              "consent.rule_added", "consent.revoke", "consent.rule_removed"}));
    EXPECT_TRUE(reasons.count("consent.capabilities: the user allowed 1 and denied 1, remembered"));
    EXPECT_TRUE(reasons.count("consent.capabilities: nobody answered within 120 s: denied"));
    EXPECT_TRUE(reasons.count("consent.standing_rule: rule 1 (trust widgets added by @bot:example.org) granted 1 "
                              "capability"));
    EXPECT_TRUE(reasons.count("consent.rule_removed: the user removed rule 1 (trust widgets added by "
                              "@bot:example.org)"));

    auto report = reader->verify();
    ASSERT_TRUE(report);
    EXPECT_TRUE(report->ok()) << report->firstProblem->what;
}

} // namespace
} // namespace tessera::consent
