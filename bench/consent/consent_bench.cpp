// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// Consent decisions: a request answered from remembered decisions, and a remembered answer
// written to consent.db, against the bare SQLite work underneath (the same query, the same
// upsert and commit through host/core/storage) in the same process. Prints the ratios at the end.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>

#include <benchmark/benchmark.h>

#include "ratioreporter.h"

#include "audit/auditsink.h"
#include "consent/consentservice.h"
#include "manualscheduler.h"

namespace {

using namespace tessera;
using namespace tessera::consent;

const std::vector<std::string> kCapabilities{
    "org.matrix.msc2762.receive.state_event:m.room.topic",
    "org.matrix.msc2762.send.event:m.room.message#m.text",
    "org.matrix.msc2762.receive.event:m.room.message#m.text",
    "m.always_on_screen",
};

class AnsweringPrompter final : public Prompter {
public:
    void show(const Prompt &prompt) override
    {
        if (service)
            (void)service->answer(prompt.id, PromptAnswer{prompt.items, true});
    }
    void withdraw(PromptId) override {}
    ConsentService *service = nullptr;
};

ConsentSubject subjectFor(const std::string &widgetId)
{
    ConsentSubject s;
    s.userId = "@alice:example.org";
    s.widget.widgetId = widgetId;
    s.widget.roomId = "!room:example.org";
    s.widget.origin = "https://board.example.com";
    s.widget.url = "https://board.example.com/" + widgetId;
    return s;
}

struct Fixture {
    Fixture()
    {
        std::string pattern = (std::filesystem::temp_directory_path() / "tessera-bench-consent-XXXXXX").string();
        dir = ::mkdtemp(pattern.data()); // TMPDIR, else /tmp
        service = std::move(ConsentService::open(dir, prompter, audit, scheduler).value());
        prompter.service = service.get();
        // The remembered widget every lookup asks about.
        service->requestCapabilities(service->openSession(), subjectFor("remembered"), kCapabilities, false,
                                     [](Result<CapabilityDecision>) {});
        peerDb = std::move(storage::openConcern(dir, "peer", consentMigrations()).value());
        lookupDb = std::move(storage::Database::open(dir / "consent.db").value());
    }
    ~Fixture()
    {
        service.reset();
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }

    std::filesystem::path dir;
    AnsweringPrompter prompter;
    audit::NullAuditSink audit;
    tessera::test::ManualScheduler scheduler;
    std::unique_ptr<ConsentService> service;
    storage::Database peerDb;
    storage::Database lookupDb;
    int nextWidget = 0;
};

Fixture &fixture()
{
    static Fixture f;
    return f;
}

void peerSqliteLookup(benchmark::State &state)
{
    Fixture &f = fixture();
    const WidgetScope scope = scopeFor("@alice:example.org", subjectFor("remembered").widget);
    for (auto _ : state) {
        auto s = f.lookupDb.prepare("SELECT item, allowed FROM decisions WHERE kind = ?1 AND user_id = ?2 AND "
                                    "room_id = ?3 AND widget_id = ?4 AND origin = ?5 AND url = ?6");
        (void)s->bindText(1, "capability");
        (void)s->bindText(2, scope.userId);
        (void)s->bindText(3, scope.roomId);
        (void)s->bindText(4, scope.widgetId);
        (void)s->bindText(5, scope.origin);
        (void)s->bindText(6, scope.url);
        int rows = 0;
        while (*s->step())
            ++rows;
        benchmark::DoNotOptimize(rows);
    }
    state.SetItemsProcessed(state.iterations());
}

void tesseraRememberedRequest(benchmark::State &state)
{
    Fixture &f = fixture();
    const SessionId session = f.service->openSession();
    const ConsentSubject subject = subjectFor("remembered");
    for (auto _ : state) {
        std::size_t approved = 0;
        f.service->requestCapabilities(session, subject, kCapabilities, false, [&](Result<CapabilityDecision> d) {
            approved = d ? d->approved.size() : 0;
        });
        if (approved != kCapabilities.size())
            state.SkipWithError("the remembered decision was not found");
    }
    state.SetItemsProcessed(state.iterations());
}

void peerSqliteUpsertCommit(benchmark::State &state)
{
    Fixture &f = fixture();
    for (auto _ : state) {
        const std::string widget = "peer-" + std::to_string(f.nextWidget++);
        auto tx = f.peerDb.begin();
        auto s = f.peerDb.prepare("INSERT INTO decisions (kind, user_id, room_id, widget_id, origin, url, item, allowed, "
                                  "decided_at_ms, detail) VALUES ('capability', '@alice:example.org', "
                                  "'!room:example.org', ?1, 'https://board.example.com', ?2, ?3, 1, 0, '{}') "
                                  "ON CONFLICT (kind, user_id, room_id, widget_id, origin, url, item) DO UPDATE SET "
                                  "allowed = excluded.allowed RETURNING id");
        for (const auto &c : kCapabilities) {
            s->reset();
            (void)s->bindText(1, widget);
            (void)s->bindText(2, "https://board.example.com/" + widget);
            (void)s->bindText(3, c);
            (void)s->run();
        }
        if (!tx->commit())
            state.SkipWithError("commit failed");
    }
    state.SetItemsProcessed(state.iterations());
}

void tesseraRememberAnswer(benchmark::State &state)
{
    Fixture &f = fixture();
    const SessionId session = f.service->openSession();
    for (auto _ : state) {
        const ConsentSubject subject = subjectFor("w-" + std::to_string(f.nextWidget++));
        bool ok = false;
        f.service->requestCapabilities(session, subject, kCapabilities, false,
                                       [&](Result<CapabilityDecision> d) { ok = d && d->approved.size() == 4; });
        if (!ok)
            state.SkipWithError("the answer was not remembered");
    }
    state.SetItemsProcessed(state.iterations());
}

} // namespace

int main(int argc, char **argv)
{
    benchmark::RegisterBenchmark("peer/sqlite_lookup", peerSqliteLookup);
    benchmark::RegisterBenchmark("tessera/remembered_request", tesseraRememberedRequest);
    // Commits wait for fsync: wall-clock time is what a user sees.
    benchmark::RegisterBenchmark("peer/sqlite_upsert_commit", peerSqliteUpsertCommit)->UseRealTime();
    benchmark::RegisterBenchmark("tessera/remember_answer", tesseraRememberAnswer)->UseRealTime();
    benchmark::Initialize(&argc, argv);
    tessera::bench::RatioReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    auto ratio = [&](const char *ours, const char *peer) {
        const double a = reporter.rates[ours];
        const double b = reporter.rates[peer];
        std::printf("%-36s %10.0f /s, %10.0f for %s: ratio %.2f\n", ours, a, b, peer, b > 0 ? a / b : 0.0);
    };
    std::printf("\n");
    ratio("tessera/remembered_request", "peer/sqlite_lookup");
    ratio("tessera/remember_answer/real_time", "peer/sqlite_upsert_commit/real_time");
    return 0;
}
