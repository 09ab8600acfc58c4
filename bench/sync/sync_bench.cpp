// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// Events per second through /sync: the response text parsed, applied to the SQLite cache
// (rooms, state, timeline, next_batch, one transaction) and delivered to a listener, against two
// peers run in the same process on the same payloads: a bare nlohmann parse of the text (no
// cache), and the same timeline rows inserted naively (one autocommit INSERT per event, same
// schema, same file system). Prints the ratios at the end.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>

#include <benchmark/benchmark.h>

#include "ratioreporter.h"

#include "manualscheduler.h"
#include "matrix/matrixbackend.h"
#include "matrix/roomstore.h"
#include "net/httpclient.h"
#include "util/secretstore.h"

namespace {

using namespace tessera;

constexpr int kRooms = 10;
constexpr int kEventsPerRoom = 50; // per sync response
constexpr int kEventsPerSync = kRooms * kEventsPerRoom;

/** A sync response with fresh event ids: mostly messages, every tenth event a state change. */
std::string makeSync(std::uint64_t batch)
{
    nlohmann::json join = nlohmann::json::object();
    for (int r = 0; r < kRooms; ++r) {
        const std::string roomId = "!room" + std::to_string(r) + ":bench.example";
        nlohmann::json events = nlohmann::json::array();
        for (int e = 0; e < kEventsPerRoom; ++e) {
            const std::string id = "$b" + std::to_string(batch) + "r" + std::to_string(r) + "e" + std::to_string(e) +
                                   "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
            nlohmann::json ev = {{"event_id", id},
                                 {"sender", "@user" + std::to_string(e % 7) + ":bench.example"},
                                 {"origin_server_ts", 1'700'000'000'000LL + static_cast<long long>(batch * 1000 + e)},
                                 {"unsigned", {{"age", 120}}}};
            if (e % 10 == 9) {
                ev["type"] = "org.example.widget.state";
                ev["state_key"] = "key" + std::to_string(e % 3);
                ev["content"] = {{"url", "https://widgets.example/w?n=" + std::to_string(e)}, {"batch", batch}};
            } else {
                ev["type"] = "m.room.message";
                ev["content"] = {{"msgtype", e % 4 ? "m.text" : "m.notice"},
                                 {"body", "A message of ordinary length for a chat room, number " + std::to_string(e)}};
            }
            events.push_back(std::move(ev));
        }
        join[roomId] = {{"timeline", {{"events", std::move(events)}, {"limited", false}, {"prev_batch", "p" + std::to_string(batch)}}},
                        {"state", {{"events", nlohmann::json::array()}}}};
    }
    return nlohmann::json{{"next_batch", "s" + std::to_string(batch)}, {"rooms", {{"join", std::move(join)}}}}.dump();
}

struct Fixture {
    Fixture()
    {
        std::string pattern = (std::filesystem::temp_directory_path() / "tessera-bench-sync-XXXXXX").string();
        dir = ::mkdtemp(pattern.data()); // TMPDIR, else /tmp
        secrets = std::make_unique<FileSecretStore>(dir / "secrets");
        http = std::make_unique<net::HttpClient>(scheduler);
        matrix::MatrixBackendOptions options;
        options.dataDir = dir / "tessera";
        options.secrets = secrets.get();
        backend = std::move(matrix::MatrixBackend::open(scheduler, *http, options).value());
        matrix::RoomListener listener;
        listener.onEvent = [this](const nlohmann::json &) { ++delivered; };
        handle = backend->addListener(listener);

        storage::OpenOptions normal;
        normal.durability = storage::Durability::Normal;
        peerDb = std::move(storage::openConcern(dir / "peer", "naive", matrix::RoomStore::migrations(), normal).value());
    }
    ~Fixture()
    {
        handle.reset();
        backend.reset();
        http.reset();
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }

    std::filesystem::path dir;
    tessera::test::ManualScheduler scheduler;
    std::unique_ptr<FileSecretStore> secrets;
    std::unique_ptr<net::HttpClient> http;
    std::unique_ptr<matrix::MatrixBackend> backend;
    std::unique_ptr<matrix::ListenerHandle> handle;
    std::uint64_t delivered = 0;
    storage::Database peerDb;
    std::uint64_t nextBatch = 1;
};

Fixture &fixture()
{
    static Fixture f;
    return f;
}

void peerParseOnly(benchmark::State &state)
{
    Fixture &f = fixture();
    for (auto _ : state) {
        state.PauseTiming();
        const std::string text = makeSync(f.nextBatch++);
        state.ResumeTiming();
        auto json = nlohmann::json::parse(text, nullptr, false);
        benchmark::DoNotOptimize(json);
        if (json.is_discarded())
            state.SkipWithError("payload did not parse");
    }
    state.SetItemsProcessed(state.iterations() * kEventsPerSync);
}

void peerNaiveInserts(benchmark::State &state)
{
    Fixture &f = fixture();
    for (auto _ : state) {
        state.PauseTiming();
        const std::string text = makeSync(f.nextBatch++);
        state.ResumeTiming();
        auto json = nlohmann::json::parse(text, nullptr, false);
        std::int64_t ordering = static_cast<std::int64_t>(f.nextBatch) * kEventsPerSync;
        for (auto &[roomId, room] : json["rooms"]["join"].items()) {
            for (const auto &ev : room["timeline"]["events"]) {
                // one statement and one implicit transaction per event
                auto s = f.peerDb.prepare("INSERT INTO timeline (room_id, ordering, event_id, type, state_key, msgtype, "
                                          "age_ts, json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
                (void)s->bindText(1, roomId);
                (void)s->bindInt64(2, ordering++);
                (void)s->bindText(3, ev["event_id"].get<std::string>());
                (void)s->bindText(4, ev["type"].get<std::string>());
                (void)(ev.contains("state_key") ? s->bindText(5, ev["state_key"].get<std::string>()) : s->bindNull(5));
                (void)s->bindText(6, ev["content"].value("msgtype", ""));
                (void)s->bindInt64(7, 0);
                (void)s->bindText(8, ev.dump());
                if (!s->run())
                    state.SkipWithError("insert failed");
            }
        }
    }
    state.SetItemsProcessed(state.iterations() * kEventsPerSync);
}

void tesseraApplySync(benchmark::State &state)
{
    Fixture &f = fixture();
    for (auto _ : state) {
        state.PauseTiming();
        const std::string text = makeSync(f.nextBatch++);
        const std::uint64_t before = f.delivered;
        state.ResumeTiming();
        auto json = nlohmann::json::parse(text, nullptr, false);
        if (!f.backend->applySync(json))
            state.SkipWithError("applySync failed");
        if (f.delivered - before != static_cast<std::uint64_t>(kEventsPerSync))
            state.SkipWithError("not every event reached the listener");
    }
    state.SetItemsProcessed(state.iterations() * kEventsPerSync);
}

} // namespace

int main(int argc, char **argv)
{
    // SQLite writes go to the file system: wall-clock time is what the user waits for.
    benchmark::RegisterBenchmark("peer/nlohmann_parse_only", peerParseOnly)->UseRealTime();
    benchmark::RegisterBenchmark("peer/naive_row_inserts", peerNaiveInserts)->UseRealTime();
    benchmark::RegisterBenchmark("tessera/sync_to_cache_and_listeners", tesseraApplySync)->UseRealTime();
    benchmark::Initialize(&argc, argv);
    tessera::bench::RatioReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    auto ratio = [&](const char *ours, const char *peer) {
        const double a = reporter.rates[ours];
        const double b = reporter.rates[peer];
        std::printf("%-48s %10.0f events/s, %10.0f for %s: ratio %.2f\n", ours, a, b, peer, b > 0 ? a / b : 0.0);
    };
    std::printf("\n%d rooms x %d events per sync response\n", kRooms, kEventsPerRoom);
    ratio("tessera/sync_to_cache_and_listeners/real_time", "peer/nlohmann_parse_only/real_time");
    ratio("tessera/sync_to_cache_and_listeners/real_time", "peer/naive_row_inserts/real_time");
    return 0;
}
