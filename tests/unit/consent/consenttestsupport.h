// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "audit/auditsink.h"
#include "consent/prompter.h"
#include "tempdir.h"

namespace tessera::consent::test {

using tessera::test::TempDir;

/**
 * @brief Keeps a copy of every audit record. Stands in for the audit log, whose own tests cover
 * storage; `accepting` and `failAppends` model a log that cannot be written.
 */
class RecordingAudit final : public audit::AuditSink {
public:
    struct Row {
        audit::Category category = audit::Category::Invalid;
        audit::Decision decision = audit::Decision::Invalid;
        std::string widgetId, roomId, origin, action, reason, body;
        std::int64_t durationMs = -1;
    };

    bool append(const audit::Record &r) override
    {
        if (failAppends)
            return false;
        rows.push_back(Row{r.category, r.decision, std::string(r.widgetId), std::string(r.roomId),
                           std::string(r.origin), std::string(r.action), std::string(r.reason), std::string(r.body),
                           r.durationMs});
        return true;
    }
    [[nodiscard]] bool accepting() const override { return isAccepting; }

    [[nodiscard]] std::vector<Row> withAction(std::string_view action) const
    {
        std::vector<Row> out;
        std::copy_if(rows.begin(), rows.end(), std::back_inserter(out), [&](const Row &r) { return r.action == action; });
        return out;
    }

    bool isAccepting = true;
    bool failAppends = false;
    std::vector<Row> rows;
};

/**
 * @brief The test's user: records every prompt shown and withdrawn, and answers either later
 * (the test calls ConsentService::answer) or at once through `autoAnswer`.
 */
class ScriptedPrompter final : public Prompter {
public:
    void show(const Prompt &prompt) override
    {
        shown.push_back(prompt);
        open.push_back(prompt.id);
        if (autoAnswer)
            autoAnswer(prompt);
    }
    void withdraw(PromptId id) override
    {
        withdrawn.push_back(id);
        std::erase(open, id);
    }
    /** Forgets a prompt once the test answered it. */
    void answered(PromptId id) { std::erase(open, id); }

    [[nodiscard]] const Prompt &last() const { return shown.back(); }

    std::vector<Prompt> shown;
    std::vector<PromptId> open;
    std::vector<PromptId> withdrawn;
    std::function<void(const Prompt &)> autoAnswer;
};

} // namespace tessera::consent::test
