// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// tessera-bench-bridge: messages per second through one WidgetSession (parse, validate,
// capability check, driver, serialise), JSON text in and JSON text out, for a realistic mix:
// 40% send_event (approved m.room.message), 30% read_events (limit 10 over a 100-event room),
// 20% supported_api_versions, 10% send_event refused for a missing capability. run.sh runs it
// next to matrix-widget-api's ClientWidgetApi on the same stream file and prints the ratio.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <time.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "audit/auditsink.h"
#include "benchroom.h"
#include "bridge/widgetsession.h"

#if __has_include("audit/auditlog.h")
#include "audit/auditlog.h"
#define TESSERA_BENCH_HAVE_AUDIT_LOG 1
#endif

using namespace tessera;
using nlohmann::json;

namespace {

constexpr const char *kAbout = "Runs a stream of fromWidget requests through one widget session and prints one JSON line:\n"
                               "{\"impl\":\"tessera\", \"requests_per_second\":..., \"ok\":..., \"errors\":..., ...}.";

struct Options {
    std::string writeStream;
    std::string streamFile;
    std::size_t requests = 200'000;
    std::string mix = "full";
    int passes = 2;
    std::string audit = "null";
    std::string samplesFile;
    bool check = false;
};

enum class Kind { Send, Read, Versions, Refused };

std::string requestLine(Kind kind, std::size_t i)
{
    std::string head = R"({"api":"fromWidget","widgetId":")" + std::string(bench::kWidgetId) + R"(","requestId":"req-)"
        + std::to_string(i) + R"(","action":")";
    switch (kind) {
    case Kind::Send:
        return head + R"(send_event","data":{"type":"m.room.message","content":{"msgtype":"m.text","body":"Message )"
            + std::to_string(i) + R"( from the benchmark widget"}}})";
    case Kind::Read:
        return head + R"(org.matrix.msc2876.read_events","data":{"type":"m.room.message","limit":10}})";
    case Kind::Versions:
        return head + R"(supported_api_versions","data":{}})";
    case Kind::Refused:
        return head + R"(send_event","data":{"type":"m.reaction","content":{"m.relates_to":{"rel_type":"m.annotation","event_id":"$seed1","key":"\ud83d\udc4d"}}}})";
    }
    return {};
}

// Exact proportions, shuffled with a fixed seed so every run and both implementations see the
// same order.
std::vector<std::string> makeStream(std::size_t n, const std::string &mix)
{
    std::vector<Kind> kinds;
    kinds.reserve(n);
    if (mix == "versions") {
        kinds.assign(n, Kind::Versions);
    } else {
        const std::size_t send = n * 40 / 100, read = n * 30 / 100, versions = n * 20 / 100;
        kinds.insert(kinds.end(), send, Kind::Send);
        kinds.insert(kinds.end(), read, Kind::Read);
        kinds.insert(kinds.end(), versions, Kind::Versions);
        kinds.insert(kinds.end(), n - send - read - versions, Kind::Refused);
        std::mt19937_64 rng(20240917);
        for (std::size_t i = n - 1; i > 0; --i)
            std::swap(kinds[i], kinds[rng() % (i + 1)]);
    }
    std::vector<std::string> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i)
        out.push_back(requestLine(kinds[i], i));
    return out;
}

bool isSampled(std::size_t i)
{
    return i < 50 || i % 997 == 0;
}

// Counts replies and keeps the sampled ones; answers the session's own requests during setup.
class BenchTransport final : public bridge::Transport {
public:
    void send(std::string message) override
    {
        if (message.compare(0, 18, R"({"api":"toWidget",)") == 0) {
            hostRequests.push_back(std::move(message));
            return;
        }
        // A reply is the request with `,"response":…` spliced in before its closing brace.
        if (requestSize > 0 && message.compare(requestSize - 1, 22, R"(,"response":{"error":{)") == 0)
            ++errors;
        else
            ++ok;
        if (sampling && isSampled(requestIndex))
            samples.emplace_back(requestIndex, std::move(message));
        ++replies;
    }

    std::vector<std::string> hostRequests;
    std::size_t requestSize = 0;  ///< size of the request being handled
    std::size_t requestIndex = 0; ///< its index in the stream
    std::size_t replies = 0, ok = 0, errors = 0;
    bool sampling = false;
    std::vector<std::pair<std::size_t, std::string>> samples;
};

// CPU time of the whole process (the audit log's writer thread included): on a shared machine it
// moves less than wall-clock time when other work competes for the cores.
double processCpuSeconds()
{
    timespec ts{};
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

struct PassResult {
    double seconds = 0;
    double cpuSeconds = 0;
    std::size_t ok = 0, errors = 0;
    std::vector<std::pair<std::size_t, std::string>> samples;
};

// Plays the widget's side of negotiation until the session is Ready.
void negotiate(bridge::WidgetSession &session, BenchTransport &transport)
{
    session.start();
    session.onIframeLoaded();
    for (int round = 0; round < 4 && !transport.hostRequests.empty(); ++round) {
        auto requests = std::move(transport.hostRequests);
        transport.hostRequests.clear();
        for (auto &text : requests) {
            json request = json::parse(text);
            const std::string action = request["action"];
            if (action == "supported_api_versions")
                request["response"] = {{"supported_versions", {"0.0.1", "0.0.2", "org.matrix.msc2762",
                                                                "org.matrix.msc2762_update_state", "org.matrix.msc2871",
                                                                "org.matrix.msc2876"}}};
            else if (action == "capabilities")
                request["response"] = {{"capabilities", bench::benchCapabilities()}};
            else
                request["response"] = json::object();
            session.handleMessage(request.dump());
        }
    }
    if (session.state() != bridge::WidgetSession::State::Ready || session.approved().size() != 2) {
        std::cerr << "tessera-bench-bridge: the session did not become ready with both capabilities\n";
        std::exit(2);
    }
}

PassResult runPass(const std::vector<std::string> &stream, audit::AuditSink &sink, bool sampling,
                   const std::function<void()> &waitForSink)
{
    bench::BenchRoomDriver driver;
    bench::BenchScheduler scheduler;
    BenchTransport transport;
    bridge::SessionConfig config;
    config.widget.widgetId = bench::kWidgetId;
    config.widget.roomId = bench::kRoomId;
    config.widget.origin = bench::kOrigin;
    config.widget.url = std::string(bench::kOrigin) + "/index.html";
    config.userId = bench::kUserId;
    bridge::WidgetSession session(config, driver, transport, sink, scheduler);
    negotiate(session, transport);
    transport.replies = transport.ok = transport.errors = 0;
    transport.sampling = sampling;

    const double cpuStart = processCpuSeconds();
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < stream.size(); ++i) {
        transport.requestSize = stream[i].size();
        transport.requestIndex = i;
        session.handleMessage(stream[i]);
    }
    if (waitForSink)
        waitForSink();
    const auto end = std::chrono::steady_clock::now();
    const double cpuEnd = processCpuSeconds();

    if (transport.replies != stream.size()) {
        std::cerr << "tessera-bench-bridge: " << transport.replies << " replies to " << stream.size() << " requests\n";
        std::exit(2);
    }
    PassResult r;
    r.seconds = std::chrono::duration<double>(end - start).count();
    r.cpuSeconds = cpuEnd - cpuStart;
    r.ok = transport.ok;
    r.errors = transport.errors;
    r.samples = std::move(transport.samples);
    return r;
}

/** Reads the command line into @p o; returns the exit code when the program should stop now. */
std::optional<int> parseArgs(int argc, char **argv, Options &o)
{
    CLI::App cli(kAbout, "tessera-bench-bridge");
    cli.add_option("--write-stream", o.writeStream, "write the stream (one request per line) to FILE and exit");
    cli.add_option("--stream", o.streamFile, "read the stream from FILE (default: generate it in memory)");
    cli.add_option("--requests", o.requests, "stream length when generating")->check(CLI::PositiveNumber)->capture_default_str();
    cli.add_option("--mix", o.mix, "the anchors' mix, or supported_api_versions only")
        ->check(CLI::IsMember({"full", "versions"}))
        ->capture_default_str();
    cli.add_option("--passes", o.passes,
                   "passes over the stream, each with a fresh session; the last one is measured, the others warm up")
        ->check(CLI::Range(1, 1000))
        ->capture_default_str();
    cli.add_option("--audit", o.audit,
                   "NullAuditSink, or the SQLite audit log in a temporary directory, timed until every row is durable")
        ->check(CLI::IsMember({"null", "log"}))
        ->capture_default_str();
    cli.add_option("--samples", o.samplesFile, "write sampled replies of the measured pass as JSON lines {\"i\":...,\"reply\":...}");
    cli.add_flag("--check", o.check, "exit 1 unless ok/error counts are those of the mix");
    try {
        cli.parse(argc, argv);
    } catch (const CLI::CallForHelp &) {
        std::cout << cli.help();
        return 0;
    } catch (const CLI::ParseError &e) {
        std::cerr << "tessera-bench-bridge: " << e.what() << " (see --help)\n";
        return 2;
    }
    return std::nullopt;
}

} // namespace

int main(int argc, char **argv)
{
    Options o;
    if (auto stop = parseArgs(argc, argv, o))
        return *stop;

    std::vector<std::string> stream;
    if (!o.streamFile.empty()) {
        std::ifstream in(o.streamFile);
        if (!in) {
            std::cerr << "tessera-bench-bridge: cannot read " << o.streamFile << '\n';
            return 2;
        }
        for (std::string line; std::getline(in, line);) {
            if (!line.empty())
                stream.push_back(std::move(line));
        }
    } else {
        stream = makeStream(o.requests, o.mix);
    }
    if (!o.writeStream.empty()) {
        std::ofstream out(o.writeStream, std::ios::trunc);
        for (const auto &line : stream)
            out << line << '\n';
        return out ? 0 : 2;
    }

    audit::NullAuditSink nullSink;
    audit::AuditSink *sink = &nullSink;
    std::function<void()> waitForSink;
#ifdef TESSERA_BENCH_HAVE_AUDIT_LOG
    std::unique_ptr<audit::AuditLog> log;
    std::filesystem::path logDir;
    if (o.audit == "log") {
        logDir = std::filesystem::temp_directory_path() / ("tessera-bench-audit-" + std::to_string(::getpid()));
        std::filesystem::create_directories(logDir);
        auto opened = audit::AuditLog::open(logDir);
        if (!opened) {
            std::cerr << "tessera-bench-bridge: " << opened.error().message << '\n';
            return 2;
        }
        log = std::move(opened).value();
        sink = log.get();
        waitForSink = [&log] {
            if (auto r = log->flush(600'000); !r)
                std::cerr << "tessera-bench-bridge: audit flush failed: " << r.error().message << '\n';
        };
    }
#else
    if (o.audit == "log") {
        std::cerr << "tessera-bench-bridge: built without the audit log (audit/auditlog.h)\n";
        return 3;
    }
#endif

    PassResult result;
    for (int pass = 0; pass < o.passes; ++pass)
        result = runPass(stream, *sink, pass + 1 == o.passes && !o.samplesFile.empty(), waitForSink);

#ifdef TESSERA_BENCH_HAVE_AUDIT_LOG
    log.reset();
    if (!logDir.empty())
        std::filesystem::remove_all(logDir);
#endif

    if (!o.samplesFile.empty()) {
        std::ofstream out(o.samplesFile, std::ios::trunc);
        for (const auto &[i, reply] : result.samples)
            out << R"({"i":)" << i << R"(,"reply":)" << reply << "}\n";
    }
    const double rps = double(stream.size()) / result.seconds;
    std::printf("{\"impl\":\"tessera\",\"audit\":\"%s\",\"mix\":\"%s\",\"requests\":%zu,\"passes\":%d,"
                "\"seconds\":%.6f,\"cpu_seconds\":%.6f,\"requests_per_second\":%.0f,"
                "\"requests_per_cpu_second\":%.0f,\"ok\":%zu,\"errors\":%zu}\n",
                o.audit.c_str(), o.streamFile.empty() ? o.mix.c_str() : "file", stream.size(), o.passes, result.seconds,
                result.cpuSeconds, rps, double(stream.size()) / result.cpuSeconds, result.ok, result.errors);

    if (o.check && o.streamFile.empty()) {
        const std::size_t n = stream.size();
        const std::size_t expectedErrors = o.mix == "versions" ? 0 : n - n * 40 / 100 - n * 30 / 100 - n * 20 / 100;
        if (result.errors != expectedErrors || result.ok != n - expectedErrors) {
            std::cerr << "tessera-bench-bridge: expected " << expectedErrors << " errors, got " << result.errors << '\n';
            return 1;
        }
    }
    return 0;
}
