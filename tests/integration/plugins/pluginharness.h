// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "audit/auditsink.h"
#include "bridge/actionregistry.h"
#include "manualscheduler.h"
#include "plugins/pluginmanager.h"
#include "tempdir.h"

namespace tessera::test {

/** Where the fixture plugins were built: one folder per fixture. */
inline std::filesystem::path fixturePlugins()
{
    return TESSERA_TEST_PLUGIN_DIR;
}

inline std::filesystem::path fixture(const std::string &folder)
{
    return fixturePlugins() / folder;
}

/** @brief Keeps every audit row; can be told to stop accepting (a broken log). */
class PluginAudit final : public audit::AuditSink {
public:
    struct Row {
        audit::Direction direction = audit::Direction::Invalid;
        audit::Decision decision = audit::Decision::Invalid;
        std::string widgetId, roomId, action, requestId, reason, body;
        std::int64_t durationMs = -1;
    };
    bool append(const audit::Record &r) override
    {
        if (!isAccepting)
            return false;
        EXPECT_EQ(r.category, audit::Category::Plugin);
        rows.push_back(Row{r.direction, r.decision, std::string(r.widgetId), std::string(r.roomId),
                           std::string(r.action), std::string(r.requestId), std::string(r.reason),
                           std::string(r.body), r.durationMs});
        return true;
    }
    [[nodiscard]] bool accepting() const override { return isAccepting; }

    /** The rows for @p action (and of @p plugin, if given). */
    [[nodiscard]] std::vector<Row> about(const std::string &action, const std::string &plugin = {}) const
    {
        std::vector<Row> out;
        for (const Row &row : rows)
            if (row.action == action
                && (plugin.empty() || nlohmann::json::parse(row.body).value("plugin", "") == plugin))
                out.push_back(row);
        return out;
    }

    bool isAccepting = true;
    std::vector<Row> rows;
};

/** @brief Collects log lines; thread-safe like the real sink must be. */
class PluginLog {
public:
    plugins::PluginLogSink sink()
    {
        return [this](plugins::LogLevel level, std::string_view plugin, std::string_view message) {
            std::lock_guard lock(m_mutex);
            lines.emplace_back(level, std::string(plugin), std::string(message));
        };
    }
    [[nodiscard]] bool contains(plugins::LogLevel level, const std::string &plugin, const std::string &message)
    {
        std::lock_guard lock(m_mutex);
        for (const auto &[l, p, m] : lines)
            if (l == level && p == plugin && m == message)
                return true;
        return false;
    }
    std::vector<std::tuple<plugins::LogLevel, std::string, std::string>> lines;

private:
    std::mutex m_mutex;
};

/** A widget session's context as the bridge hands it to a capability handler. */
inline bridge::WidgetContext widgetContext(const std::string &widgetId = "board-1",
                                           const std::string &roomId = "!ops:example.org")
{
    bridge::WidgetContext w;
    w.widgetId = widgetId;
    w.roomId = roomId;
    w.origin = "https://board.example.org";
    w.url = "https://board.example.org/?room=" + roomId;
    w.creatorUserId = "@alice:example.org";
    w.stateEventId = "$widget";
    w.widgetType = "io.tessera.test.good.board";
    return w;
}

/**
 * @brief Everything a PluginManager needs, real where it matters: a manual clock, a real
 * ActionRegistry, a recording audit sink, a scratch data directory.
 */
struct PluginHarness {
    ManualScheduler scheduler;
    PluginAudit audit;
    PluginLog log;
    bridge::ActionRegistry actions;
    TempDir data;
    plugins::PluginManagerOptions options;
    plugins::PluginServices services;
    std::vector<plugins::PluginEvent> events;
    std::unique_ptr<plugins::PluginManager> manager;

    PluginHarness()
    {
        options.dataDir = data.path() / "plugins";
        services.scheduler = &scheduler;
        services.audit = &audit;
        services.actions = &actions;
        services.log = log.sink();
    }

    /** Builds the manager with the current options and services and loads @p dirs (as --plugins-dir). */
    plugins::PluginManager &load(std::vector<std::filesystem::path> dirs = {})
    {
        if (!dirs.empty())
            options.pluginDirs = std::move(dirs);
        manager = std::make_unique<plugins::PluginManager>(options, services);
        manager->addListener([this](const plugins::PluginEvent &e) { events.push_back(e); });
        manager->loadAll();
        return *manager;
    }

    [[nodiscard]] const plugins::PluginRecord &record(const std::string &id) const
    {
        const plugins::PluginRecord *r = manager->find(id);
        if (!r)
            ADD_FAILURE() << "no plugin " << id;
        static const plugins::PluginRecord kNone;
        return r ? *r : kNone;
    }

    /** The outcome of a call, filled when the plugin answers. */
    using Outcome = std::shared_ptr<std::optional<Result<nlohmann::json>>>;

    /** Sends @p action to its handler the way a widget session does (after consent). */
    Outcome call(const std::string &action, nlohmann::json data = nlohmann::json::object(),
                 const bridge::WidgetContext &widget = widgetContext())
    {
        auto outcome = std::make_shared<std::optional<Result<nlohmann::json>>>();
        const bridge::ActionRegistry::Entry *entry = actions.find(action);
        if (!entry) {
            ADD_FAILURE() << "no handler claims " << action;
            *outcome = Error(ErrorCode::NotFound, "no handler");
            return outcome;
        }
        entry->handler->handle(widget, action, data, [outcome](Result<nlohmann::json> r) { *outcome = std::move(r); });
        return outcome;
    }

    /** A call the plugin answers before returning (or from a posted task): its result. */
    Result<nlohmann::json> answer(const std::string &action, nlohmann::json data = nlohmann::json::object(),
                                  const bridge::WidgetContext &widget = widgetContext())
    {
        Outcome outcome = call(action, std::move(data), widget);
        scheduler.runPosted();
        if (!outcome->has_value()) {
            ADD_FAILURE() << action << " was not answered";
            return Error(ErrorCode::Timeout, "not answered");
        }
        return std::move(**outcome);
    }
};

} // namespace tessera::test
