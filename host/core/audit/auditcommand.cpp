// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "audit/auditcommand.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <optional>
#include <thread>

#include "audit/checkpoint.h"
#include "util/text.h"

namespace tessera::audit {

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;

int cannotRead(std::ostream &err, const std::string &command, const Error &error)
{
    err << "tessera audit " << command << ": " << error.message << '\n';
    return kExitFailed;
}

std::string textLine(const AuditRow &row)
{
    std::string line = std::to_string(row.seq) + ' ' + formatIsoTime(row.timestampMs) + ' ' + row.category + ' '
        + row.direction + ' ' + row.decision + ' ' + (row.action.empty() ? "-" : row.action);
    auto field = [&line](const char *name, const std::string &value) {
        if (!value.empty())
            line += std::string(" ") + name + '=' + value;
    };
    field("widget", row.widgetId);
    field("room", row.roomId);
    field("origin", row.origin);
    field("request", row.requestId);
    line += " size=" + std::to_string(row.sizeBytes);
    if (row.durationMs >= 0)
        line += ' ' + std::to_string(row.durationMs) + "ms";
    if (!row.reason.empty())
        line += " reason=" + text::jsonString(row.reason);
    // Rows are written by Tessera as valid UTF-8, but keep control characters out of a terminal.
    for (char &c : line) {
        if (static_cast<unsigned char>(c) < 0x20)
            c = ' ';
    }
    return line;
}

} // namespace

Result<std::string> decodePublicKey(std::string_view text)
{
    auto raw = text::base64UrlDecode(text);
    if (!raw)
        raw = text::base64Decode(text);
    if (!raw || raw->size() != 32)
        return Error(ErrorCode::BadRequest, "--public-key must be a 32-byte Ed25519 key in base64 or base64url");
    return *raw;
}

int runVerify(const VerifyCommand &command, const std::filesystem::path &dataDir, std::ostream &out,
              std::ostream &err, const AuditCommandContext &context)
{
    const std::optional<std::string> &pinned = command.publicKey;
    VerifyOptions options;
    std::string keySource;
    if (pinned) {
        options.trustedPublicKey = *pinned;
        keySource = "the key given with --public-key";
    } else if (context.secrets) {
        auto key = CheckpointKey::load(*context.secrets);
        if (key) {
            options.trustedPublicKey = key->publicKey();
            keySource = "this Tessera's checkpoint key";
        } else if (key.error().code != ErrorCode::NotFound) {
            return cannotRead(err, "verify", key.error());
        }
    }

    auto reader = AuditReader::open(dataDir);
    if (!reader)
        return cannotRead(err, "verify", reader.error());
    auto report = reader->verify(options);
    if (!report)
        return cannotRead(err, "verify", report.error());

    const std::string where = "audit log " + reader->path().string();
    if (!report->ok()) {
        const auto &p = *report->firstProblem;
        out << where << ": BROKEN at seq " << p.seq << ": " << p.what << "; " << report->problems
            << (report->problems == 1 ? " row has" : " rows have") << " a problem, " << report->rowsChecked
            << " rows checked\n";
        err << "tessera audit verify: the audit log is broken at seq " << p.seq << '\n';
        return kExitFailed;
    }
    if (report->rowsChecked == 0) {
        out << where << ": OK: empty\n";
        return kExitOk;
    }
    out << where << ": OK: " << report->rowsChecked << " rows (seq " << report->firstSeq << ".." << report->lastSeq
        << "), ";
    if (report->startCheckpointSeq == 0)
        out << "starting at the beginning of the log";
    else
        out << "starting after rows trimmed by retention, as the signed checkpoint at seq "
            << report->startCheckpointSeq << " proves";
    if (report->checkpoints > 0) {
        out << "; " << report->checkpoints << " checkpoint" << (report->checkpoints == 1 ? "" : "s")
            << " signed by key " << report->keyId;
        if (report->keyTrusted)
            out << " (" << keySource << ")";
        else
            out << " (not compared with a trusted key: pass --public-key to pin one)";
    }
    out << '\n';
    return kExitOk;
}

int runTail(const TailCommand &command, const std::filesystem::path &dataDir, std::ostream &out, std::ostream &err,
            const AuditCommandContext &context)
{
    const int count = std::clamp(command.rows, 1, kMaxTailRows);
    const bool follow = command.follow;
    const bool json = command.json;
    auto reader = AuditReader::open(dataDir);
    if (!reader)
        return cannotRead(err, "tail", reader.error());
    auto rows = reader->tail(count);
    if (!rows)
        return cannotRead(err, "tail", rows.error());
    auto print = [&](const AuditRow &row) { out << (json ? toJsonLine(row) : textLine(row)) << '\n'; };
    std::int64_t last = 0;
    for (const AuditRow &row : *rows) {
        print(row);
        last = row.seq;
    }
    out.flush();
    if (!follow)
        return kExitOk;

    const auto pollStep = std::chrono::milliseconds(std::max<std::int64_t>(1, std::min<std::int64_t>(context.followPollMs, 50)));
    while (!context.stop.stop_requested()) {
        for (std::int64_t waited = 0; waited < context.followPollMs && !context.stop.stop_requested();
             waited += pollStep.count())
            std::this_thread::sleep_for(pollStep);
        AuditQuery q;
        q.afterSeq = last;
        q.limit = kMaxPageRows;
        auto page = reader->query(q);
        if (!page)
            return cannotRead(err, "tail", page.error());
        for (const AuditRow &row : page->rows) {
            print(row);
            last = row.seq;
        }
        out.flush();
        if (!out)
            return kExitFailed; // the reader of our output went away
    }
    return kExitOk;
}

int runExport(const ExportCommand &command, const std::filesystem::path &dataDir, std::ostream &out,
              std::ostream &err)
{
    const AuditQuery &filter = command.filter;
    const std::optional<std::filesystem::path> &output = command.output;
    auto reader = AuditReader::open(dataDir);
    if (!reader)
        return cannotRead(err, "export", reader.error());
    if (!output) {
        auto count = reader->exportJsonLines(filter, out);
        if (!count)
            return cannotRead(err, "export", count.error());
        out.flush();
        return kExitOk;
    }

    // Write beside the target and rename at the end, so a failed export never looks complete.
    const std::filesystem::path partial = output->string() + ".partial";
    std::ofstream file(partial, std::ios::binary | std::ios::trunc);
    if (!file)
        return cannotRead(err, "export", Error(ErrorCode::Io, "cannot write " + partial.string()));
    auto count = reader->exportJsonLines(filter, file);
    file.close();
    std::error_code ec;
    if (!count || !file) {
        std::filesystem::remove(partial, ec);
        return cannotRead(err, "export",
                          count ? Error(ErrorCode::Io, "cannot write " + partial.string() + " (disk full?)") : count.error());
    }
    std::filesystem::rename(partial, *output, ec);
    if (ec) {
        std::filesystem::remove(partial, ec);
        return cannotRead(err, "export", Error(ErrorCode::Io, "cannot create " + output->string() + ": " + ec.message()));
    }
    out << "exported " << *count << (*count == 1 ? " row" : " rows") << " to " << output->string() << '\n';
    return kExitOk;
}

} // namespace tessera::audit
