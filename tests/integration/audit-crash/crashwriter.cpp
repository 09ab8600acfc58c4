// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The process the crash test kills. It appends audited widget messages and consent decisions
// to the audit log in <data dir> and prints one line "<seq> <request id>" for every row once
// the log reports it durable, written straight to fd 1 so nothing sits in a stdio buffer when
// SIGKILL arrives.
//
//   tessera_audit_crash_writer <data dir> <records> <run id> [<retention at> <keep rows>]

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include "audit/auditlog.h"
#include "util/secretstore.h"

using namespace tessera;
using namespace tessera::audit;

namespace {

constexpr std::int64_t kWaitMs = 120'000;
constexpr int kPaceEveryRecords = 50; // a short pause now and then, like a UI thread between events

void writeAll(const std::string &text)
{
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(1, text.data() + done, text.size() - done);
        if (n <= 0)
            std::_Exit(4); // the parent went away
        done += std::size_t(n);
    }
}

std::string requestId(const std::string &run, std::int64_t i)
{
    return "r" + run + "-" + std::to_string(i);
}

} // namespace

int main(int argc, char **argv)
{
    std::filesystem::path dataDir;
    std::int64_t records = 0;
    std::string run;
    std::vector<std::int64_t> retention; // <retention at> <keep rows>, or nothing
    CLI::App cli("The process the audit crash test kills: appends to the audit log in DATA_DIR and prints each "
                 "row once it is durable.",
                 "tessera_audit_crash_writer");
    cli.add_option("data-dir", dataDir, "the data directory")->required();
    cli.add_option("records", records, "how many records to append")->required()->check(CLI::NonNegativeNumber);
    cli.add_option("run-id", run, "names this run in the request ids")->required();
    cli.add_option("retention", retention, "<retention at> <keep rows>: apply retention after that record")
        ->expected(2);
    CLI11_PARSE(cli, argc, argv);
    const std::int64_t retentionAt = retention.empty() ? -1 : retention[0];
    const std::int64_t keepRows = retention.empty() ? 0 : retention[1];

    auto log = AuditLog::open(dataDir);
    if (!log) {
        std::fprintf(stderr, "crash writer: %s\n", log.error().message.c_str());
        return 3;
    }
    const std::int64_t base = (*log)->lastSeq();
    // seq base+1+i belongs to record i; a retention checkpoint takes one seq of its own.
    const std::int64_t checkpointSeq = retentionAt >= 0 ? base + 1 + retentionAt : -1;
    std::int64_t printed = base;
    (*log)->setDurableCallback([&](std::int64_t durable) {
        std::string lines;
        for (std::int64_t seq = printed + 1; seq <= durable; ++seq) {
            if (seq == checkpointSeq) {
                lines += std::to_string(seq) + " checkpoint\n";
                continue;
            }
            const std::int64_t i = seq - base - 1 - (checkpointSeq > 0 && seq > checkpointSeq ? 1 : 0);
            lines += std::to_string(seq) + ' ' + requestId(run, i) + '\n';
        }
        printed = durable;
        writeAll(lines);
    });
    writeAll("ready " + std::to_string(base) + "\n");

    FileSecretStore secrets(dataDir / "crash-test-secrets");
    for (std::int64_t i = 0; i < records; ++i) {
        if (i == retentionAt) {
            RetentionPolicy policy;
            policy.maxRows = keepRows;
            auto report = (*log)->applyRetention(policy, secrets, kWaitMs);
            if (!report) {
                std::fprintf(stderr, "crash writer: retention: %s\n", report.error().message.c_str());
                return 5;
            }
        }
        const std::string id = requestId(run, i);
        std::string body;
        Record r;
        r.timestampMs = 1'700'000'000'000 + i;
        r.widgetId = "crash-widget";
        r.roomId = "!crash:example.org";
        r.origin = "https://widget.example.org";
        r.requestId = id;
        if (i % 3 == 2) {
            r.category = Category::Consent;
            r.direction = Direction::Internal;
            r.decision = i % 2 ? Decision::Allowed : Decision::Refused;
            r.action = "capabilities";
            r.reason = "the user answered the consent dialog";
            body = R"({"requested":["org.matrix.msc2762.send.event:m.room.message"],"approved":[)"
                + std::string(i % 2 ? R"("org.matrix.msc2762.send.event:m.room.message")" : "") + "]}";
        } else {
            r.category = Category::Message;
            r.direction = i % 3 ? Direction::ToWidget : Direction::FromWidget;
            r.decision = Decision::Allowed;
            r.action = "send_event";
            body = R"({"api":"fromWidget","widgetId":"crash-widget","requestId":")" + id
                + R"(","action":"send_event","data":{"type":"m.room.message","content":{"msgtype":"m.text","body":"message )"
                + std::to_string(i) + R"("}}})";
        }
        r.body = body;
        r.sizeBytes = body.size();
        r.durationMs = 1;
        if ((*log)->submit(r) == 0) {
            std::fprintf(stderr, "crash writer: record %lld was refused: %s\n", static_cast<long long>(i),
                         (*log)->lastError() ? (*log)->lastError()->message.c_str() : "queue full");
            return 6;
        }
        if (i % kPaceEveryRecords == kPaceEveryRecords - 1)
            std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    if (auto r = (*log)->flush(kWaitMs); !r) {
        std::fprintf(stderr, "crash writer: %s\n", r.error().message.c_str());
        return 7;
    }
    log->reset();
    writeAll("done\n");
    return 0;
}
