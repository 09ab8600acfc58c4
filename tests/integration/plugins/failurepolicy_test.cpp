// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
// A plugin whose handlers keep failing, or do not answer in time, is disabled for the session:
// the user is told, its pending work fails, and the host and the other plugins carry on.
#include <gtest/gtest.h>

#include "pluginharness.h"

using nlohmann::json;
using tessera::plugins::PluginEventKind;
using tessera::plugins::PluginState;
using tessera::test::fixture;
using tessera::test::PluginHarness;
using tessera::test::widgetContext;

namespace {
const std::string kThrows = "io.tessera.test.handler-throws";
const std::string kExplode = kThrows + ".explode";
const std::string kSilent = "io.tessera.test.handler-silent";
const std::string kWait = kSilent + ".wait";
const std::string kGood = "io.tessera.test.good";
} // namespace

TEST(PluginFailurePolicy, AHandlerThatThrowsFailsTheCallWithoutCrashingTheHost)
{
    PluginHarness h;
    h.load({fixture("handler-throws")});
    auto r = h.answer(kExplode);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "plugin io.tessera.test.handler-throws failed to handle " + kExplode)
        << "the plugin's own text stays off the wire";
    const auto rows = h.audit.about(kExplode);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].decision, tessera::audit::Decision::Failed);
    EXPECT_EQ(rows[0].reason, "handler for " + kExplode + " failed: uncaught exception: handler exploded");
    EXPECT_EQ(h.record(kThrows).state, PluginState::Running) << "one failure is not yet a pattern";
}

TEST(PluginFailurePolicy, AHandlerThatFailsThreeTimesInARowDisablesItsPlugin)
{
    PluginHarness h;
    h.load({fixture("handler-throws"), fixture("good")});
    const auto *entry = h.actions.find(kExplode);
    ASSERT_NE(entry, nullptr);
    tessera::bridge::CustomActionHandler *handler = entry->handler;
    ASSERT_FALSE(h.answer(kExplode));
    ASSERT_FALSE(h.answer(kExplode));
    ASSERT_FALSE(h.answer(kExplode));

    const auto &record = h.record(kThrows);
    EXPECT_EQ(record.state, PluginState::Disabled);
    EXPECT_EQ(record.error, "disabled for this session: it failed 3 times in a row (last: handler for " + kExplode
                                + " failed: uncaught exception: handler exploded)");
    EXPECT_EQ(record.callsFailed, 3u);
    ASSERT_FALSE(h.events.empty());
    EXPECT_EQ(h.events.back().kind, PluginEventKind::Disabled);
    EXPECT_EQ(h.events.back().pluginId, kThrows);
    EXPECT_EQ(h.events.back().message, record.error);
    const auto disable = h.audit.about("plugin.disable", kThrows);
    ASSERT_EQ(disable.size(), 1u);
    EXPECT_EQ(disable[0].reason, record.error);

    // A session still holding the handler gets a clear refusal; the plugin is not called again.
    std::optional<tessera::Result<json>> late;
    handler->handle(widgetContext(), kExplode, json::object(), [&](tessera::Result<json> r) { late = std::move(r); });
    ASSERT_TRUE(late.has_value());
    EXPECT_EQ(late->error().message, "plugin io.tessera.test.handler-throws is disabled");
    EXPECT_EQ(h.record(kThrows).callsFailed, 3u);

    // Once the failing call has unwound, the handlers leave the registry.
    h.scheduler.runPosted();
    EXPECT_EQ(h.actions.find(kExplode), nullptr);
    EXPECT_FALSE(h.actions.isCustomCapability(kThrows));

    // The host and the other plugins carry on.
    auto echo = h.answer(kGood + ".echo");
    ASSERT_TRUE(echo) << echo.error().message;
    EXPECT_EQ(h.record(kGood).state, PluginState::Running);
}

TEST(PluginFailurePolicy, ASuccessResetsTheCountOfFailuresInARow)
{
    PluginHarness h;
    h.load({fixture("good")});
    ASSERT_FALSE(h.answer(kGood + ".fail"));
    ASSERT_FALSE(h.answer(kGood + ".fail"));
    ASSERT_TRUE(h.answer(kGood + ".echo"));
    ASSERT_FALSE(h.answer(kGood + ".fail"));
    ASSERT_FALSE(h.answer(kGood + ".fail"));
    ASSERT_FALSE(h.answer(kGood + ".refuse")) << "a considered refusal also shows the plugin works";
    ASSERT_FALSE(h.answer(kGood + ".fail"));
    ASSERT_FALSE(h.answer(kGood + ".fail"));
    EXPECT_EQ(h.record(kGood).state, PluginState::Running);
    ASSERT_FALSE(h.answer(kGood + ".fail"));
    EXPECT_EQ(h.record(kGood).state, PluginState::Disabled);
}

TEST(PluginFailurePolicy, TheLimitOfFailuresIsConfigurable)
{
    PluginHarness h;
    h.options.maxConsecutiveFailures = 1;
    h.load({fixture("good")});
    ASSERT_FALSE(h.answer(kGood + ".invalid"));
    EXPECT_EQ(h.record(kGood).state, PluginState::Disabled);
    EXPECT_EQ(h.record(kGood).error,
              "disabled for this session: it failed 1 times in a row (last: the reply to io.tessera.test.good.invalid was "
              "refused: the reply is not a JSON object)");
}

TEST(PluginFailurePolicy, AHandlerThatNeverRepliesIsDisabledWhenItsTimeBudgetRunsOut)
{
    PluginHarness h;
    h.load({fixture("handler-silent"), fixture("good")});
    auto first = h.call(kWait);
    h.scheduler.advance(4000);
    auto second = h.call(kWait, json::object(), widgetContext("board-2"));
    h.scheduler.advance(5999);
    EXPECT_FALSE(first->has_value());
    EXPECT_EQ(h.record(kSilent).state, PluginState::Running);

    h.scheduler.advance(1);
    ASSERT_TRUE(first->has_value());
    EXPECT_EQ((*first)->error().message, "plugin io.tessera.test.handler-silent did not answer " + kWait + " in time");
    EXPECT_EQ(h.record(kSilent).state, PluginState::Disabled);
    EXPECT_EQ(h.record(kSilent).error,
              "disabled for this session: handler for " + kWait + " did not answer within 10000 ms");
    ASSERT_TRUE(second->has_value()) << "the plugin's other pending calls fail with it";
    EXPECT_EQ((*second)->error().message, "plugin io.tessera.test.handler-silent was disabled");
    EXPECT_EQ(h.events.back().kind, PluginEventKind::Disabled);

    const auto rows = h.audit.about(kWait);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].decision, tessera::audit::Decision::Failed);
    EXPECT_EQ(rows[0].durationMs, 10000);
    EXPECT_EQ(rows[0].reason, "handler for " + kWait + " did not answer within 10000 ms");
    EXPECT_EQ(rows[1].reason, "the plugin was disabled");
    EXPECT_TRUE(h.answer(kGood + ".echo"));
}

TEST(PluginFailurePolicy, TheTimeBudgetIsConfigurable)
{
    PluginHarness h;
    h.options.handlerBudgetMs = 250;
    h.load({fixture("handler-silent")});
    auto call = h.call(kWait);
    h.scheduler.advance(250);
    ASSERT_TRUE(call->has_value());
    EXPECT_EQ(h.record(kSilent).error, "disabled for this session: handler for " + kWait + " did not answer within 250 ms");
}

TEST(PluginFailurePolicy, UnansweredCallsAreLimitedPerPlugin)
{
    PluginHarness h;
    h.load({fixture("handler-silent")});
    std::vector<PluginHarness::Outcome> pending;
    for (std::size_t i = 0; i < tessera::plugins::kMaxPendingCallsPerPlugin; ++i)
        pending.push_back(h.call(kWait));
    auto refused = h.call(kWait);
    ASSERT_TRUE(refused->has_value());
    EXPECT_EQ((*refused)->error().message,
              "plugin io.tessera.test.handler-silent has 64 unanswered requests; try again later");
    for (const auto &p : pending)
        EXPECT_FALSE(p->has_value());
}

TEST(PluginFailurePolicy, ADisabledPluginsTimersNeverFire)
{
    PluginHarness h;
    h.options.maxConsecutiveFailures = 1;
    h.load({fixture("good")});
    auto later = h.call(kGood + ".later", {{"delay_ms", 1000}});
    const std::size_t timersBefore = h.scheduler.pendingTimers();
    ASSERT_FALSE(h.answer(kGood + ".fail"));
    ASSERT_EQ(h.record(kGood).state, PluginState::Disabled);
    ASSERT_TRUE(later->has_value());
    EXPECT_EQ((*later)->error().message, "plugin io.tessera.test.good was disabled");
    EXPECT_LT(h.scheduler.pendingTimers(), timersBefore);
    h.scheduler.advance(2000);
    EXPECT_EQ(h.record(kGood).callsAnswered, 0u);
}

TEST(PluginFailurePolicy, BuildingAUrlCountsLikeAHandlerCall)
{
    PluginHarness h;
    h.options.maxConsecutiveFailures = 2;
    h.load({fixture("good")});
    const json failing{{"id", "w"}, {"data", {{"fail", true}}}};
    ASSERT_FALSE(h.manager->buildWidgetUrl(kGood + ".built", failing));
    ASSERT_FALSE(h.manager->buildWidgetUrl(kGood + ".built", failing));
    EXPECT_EQ(h.record(kGood).state, PluginState::Disabled);
    auto after = h.manager->buildWidgetUrl(kGood + ".built", json{{"id", "w"}});
    ASSERT_FALSE(after);
    EXPECT_EQ(after.error().message, "plugin io.tessera.test.good is disabled");
    EXPECT_EQ(h.manager->widgetTypes().size(), 0u) << "a disabled plugin offers no types";
    EXPECT_NE(h.manager->findWidgetType(kGood + ".board"), nullptr) << "but the shell can still say whose type it is";
}

TEST(PluginFailurePolicy, ShutdownAnswersWhatIsStillPending)
{
    PluginHarness h;
    h.load({fixture("handler-silent")});
    auto pending = h.call(kWait);
    h.manager->shutdown();
    ASSERT_TRUE(pending->has_value());
    EXPECT_EQ((*pending)->error().message, "Tessera is shutting down");
    EXPECT_EQ(h.scheduler.pendingTimers(), 0u);
}
