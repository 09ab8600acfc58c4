// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// Send-after-restart latency. A Matrix backend signs in to the loopback test homeserver, syncs,
// and is destroyed; a new one (new HTTP client, as after a restart) opens the same data and
// starts: its first /sync carries the stored token, so the server holds it as a long-poll (up to
// 30 s). 200 ms later the user sends a message. Measured: wall time from send() to its answer.
// Peer, same process and server: the same PUT from a fresh HTTP client with nothing else in
// flight. Prints each run, the medians and their ratio.
//
//   build/bench/restart/tessera_bench_restart [runs]   (default 5)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "homeserver/testhomeserver.h"
#include "manualscheduler.h"
#include "tempdir.h"
#include "matrix/matrixbackend.h"
#include "net/httpclient.h"
#include "util/secretstore.h"

namespace {

using namespace tessera;
using Clock = std::chrono::steady_clock;

/** Runs the scheduler in real time until @p done, at most @p boundMs. */
bool pump(test::ManualScheduler &scheduler, const std::function<bool()> &done, int boundMs = 60'000)
{
    const auto until = Clock::now() + std::chrono::milliseconds(boundMs);
    while (Clock::now() < until) {
        scheduler.runPosted();
        if (done())
            return true;
        std::this_thread::sleep_for(std::chrono::microseconds(500));
        scheduler.advance(1);
    }
    return false;
}

double msSince(Clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

struct Run {
    double afterRestartMs = -1;
    double peerMs = -1;
};

std::optional<Run> runOnce(int n)
{
    e2e::HomeserverOptions serverOptions;
    serverOptions.maxLifetimeMs = 120'000;
    e2e::TestHomeserver server(serverOptions);
    if (!server.createUser("alice", "secret", "Alice") || !server.start())
        return std::nullopt;
    e2e::RoomSpec spec;
    spec.creator = "alice";
    spec.name = "Bench";
    auto roomId = server.createRoom(spec);
    if (!roomId)
        return std::nullopt;

    test::TempDir scratch("tessera-bench-restart");
    const std::filesystem::path dir = scratch.path();
    FileSecretStore secrets(dir / "secrets");
    test::ManualScheduler scheduler;
    auto options = [&] {
        matrix::MatrixBackendOptions o;
        o.dataDir = dir;
        o.secrets = &secrets;
        o.syncTimeoutMs = 30'000; // as the application
        return o;
    };
    Run run;
    {
        net::HttpClient http(scheduler);
        auto backend = matrix::MatrixBackend::open(scheduler, http, options());
        if (!backend)
            return std::nullopt;
        std::optional<Result<matrix::SessionInfo>> session;
        matrix::LoginRequest login{server.baseUrl(), "alice", "secret"};
        (*backend)->login(login, [&](Result<matrix::SessionInfo> r) { session.emplace(std::move(r)); });
        if (!pump(scheduler, [&] { return session.has_value(); }) || !*session)
            return std::nullopt;
        (*backend)->start();
        if (!pump(scheduler, [&] { return (*backend)->completedSyncs() > 0; }))
            return std::nullopt;
        (*backend)->stop();
    }
    {
        // The restart: a new HTTP client and backend on the same data.
        net::HttpClient http(scheduler);
        auto backend = matrix::MatrixBackend::open(scheduler, http, options());
        if (!backend)
            return std::nullopt;
        (*backend)->start();
        pump(scheduler, [] { return false; }, 200); // the long-poll is on the wire
        matrix::SendRequest send;
        send.roomId = *roomId;
        send.type = "m.room.message";
        send.content = {{"msgtype", "m.text"}, {"body", "after restart"}};
        std::optional<Result<matrix::SendResult>> sent;
        const auto start = Clock::now();
        (*backend)->send(send, [&](Result<matrix::SendResult> r) { sent.emplace(std::move(r)); });
        if (!pump(scheduler, [&] { return sent.has_value(); }) || !*sent)
            return std::nullopt;
        run.afterRestartMs = msSince(start);
        (*backend)->stop();
    }
    {
        // The peer: the same PUT from a fresh client, nothing else in flight.
        auto session = server.login("alice");
        if (!session)
            return std::nullopt;
        net::HttpClient http(scheduler);
        net::Request put;
        put.method = "PUT";
        put.url = server.baseUrl() + "/_matrix/client/v3/rooms/" + *roomId + "/send/m.room.message/peer" + std::to_string(n);
        put.headers = {{"Authorization", "Bearer " + session->accessToken}, {"Content-Type", "application/json"}};
        put.body = R"({"msgtype":"m.text","body":"peer"})";
        std::optional<Result<net::Response>> answer;
        const auto start = Clock::now();
        http.send(put, [&](Result<net::Response> r) { answer.emplace(std::move(r)); });
        if (!pump(scheduler, [&] { return answer.has_value(); }) || !*answer || (*answer)->status != 200)
            return std::nullopt;
        run.peerMs = msSince(start);
    }
    server.stop();
    return run;
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

} // namespace

int main(int argc, char **argv)
{
    const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
    std::vector<double> after;
    std::vector<double> peer;
    for (int i = 0; i < runs; ++i) {
        auto r = runOnce(i);
        if (!r) {
            std::fprintf(stderr, "run %d failed\n", i + 1);
            return 1;
        }
        std::printf("run %d: first send after restart %.1f ms, peer PUT %.1f ms\n", i + 1, r->afterRestartMs, r->peerMs);
        after.push_back(r->afterRestartMs);
        peer.push_back(r->peerMs);
    }
    const double a = median(after);
    const double p = median(peer);
    std::printf("median: first send after restart %.1f ms, peer %.1f ms, ratio %.2f\n", a, p, p > 0 ? a / p : 0.0);
    return 0;
}
