// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "audit/auditcommand.h"

#include <array>
#include <cstdio>
#include <fstream>
#include <optional>
#include <thread>

#include "audit/auditreader.h"
#include "audit/checkpoint.h"
#include "util/text.h"

namespace tessera::audit {

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;
constexpr int kDefaultTailRows = 10;

constexpr std::string_view kUsage =
    "Usage: tessera audit <command> [options]\n"
    "\n"
    "Read the audit log (audit.db in the data directory). Works beside a running Tessera.\n"
    "\n"
    "Commands:\n"
    "  verify    check the hash chain and the signed retention checkpoints\n"
    "  tail      show the newest rows, and with --follow new ones as they come\n"
    "  export    write matching rows as JSON Lines\n"
    "\n"
    "Run `tessera audit <command> --help` for its options.\n";

constexpr std::string_view kVerifyUsage =
    "Usage: tessera audit verify [--public-key KEY]\n"
    "\n"
    "Checks every row: no seq is missing, each row links to the hash of the one before it, each\n"
    "hash matches its row, and each retention checkpoint carries a valid signature. Prints OK or\n"
    "the first broken row. Exit status: 0 intact, 1 broken or unreadable, 2 usage error.\n"
    "\n"
    "  --public-key KEY   the checkpoint key to trust (32 bytes, base64 or base64url); by default\n"
    "                     this Tessera's own key when it is available\n";

constexpr std::string_view kTailUsage =
    "Usage: tessera audit tail [-n N] [--follow] [--json]\n"
    "\n"
    "  -n N       how many of the newest rows to show (1 to 10000, default 10)\n"
    "  --follow   keep running and show new rows as they are written\n"
    "  --json     one JSON object per row instead of a line of text\n";

constexpr std::string_view kExportUsage =
    "Usage: tessera audit export [filters] [--output FILE]\n"
    "\n"
    "Writes every matching row, oldest first, as JSON Lines.\n"
    "\n"
    "  --since T       rows at or after T     (T: 2024-05-01, 2024-05-01T12:00:00Z,\n"
    "  --until T       rows before T              2024-05-01T14:00+02:00, or ms since 1970)\n"
    "  --widget ID     rows of this widget\n"
    "  --room ID       rows of this room\n"
    "  --action A      rows with this action (e.g. send_event, retention.checkpoint)\n"
    "  --decision D    allowed, refused, dropped, failed or info\n"
    "  --category C    message, consent, plugin, navigation, session or retention\n"
    "  --output FILE   write to FILE (replaced only when the export is complete) instead of stdout\n";

constexpr std::array kDecisions = {"allowed", "refused", "dropped", "failed", "info"};
constexpr std::array kCategories = {"message", "consent", "plugin", "navigation", "session", "retention"};

template<typename List>
bool oneOf(const List &list, const std::string &value)
{
    for (std::string_view item : list) {
        if (item == value)
            return true;
    }
    return false;
}

/** Walks the arguments of one command: flags, and options with a value as `--x v` or `--x=v`. */
class ArgReader {
public:
    ArgReader(const std::vector<std::string> &args, std::size_t start) : m_args(args), m_pos(start) {}

    [[nodiscard]] bool done() const { return m_pos >= m_args.size(); }

    /** The next option's name (without "=value"). */
    std::string next()
    {
        m_inlineValue.reset();
        std::string arg = m_args[m_pos++];
        if (arg.rfind("--", 0) == 0) {
            const auto eq = arg.find('=');
            if (eq != std::string::npos) {
                m_inlineValue = arg.substr(eq + 1);
                arg.resize(eq);
            }
        }
        return arg;
    }

    std::optional<std::string> value()
    {
        if (m_inlineValue)
            return std::exchange(m_inlineValue, std::nullopt);
        if (m_pos >= m_args.size())
            return std::nullopt;
        return m_args[m_pos++];
    }

    [[nodiscard]] bool hadInlineValue() const { return m_inlineValue.has_value(); }

private:
    const std::vector<std::string> &m_args;
    std::size_t m_pos;
    std::optional<std::string> m_inlineValue;
};

struct Usage {
    std::string command;
    std::ostream &err;
    int fail(const std::string &message) const
    {
        err << "tessera audit " << command << ": " << message << " (see `tessera audit " << command << " --help`)\n";
        return kExitUsage;
    }
};

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

int runVerify(const std::vector<std::string> &args, const std::filesystem::path &dataDir, std::ostream &out,
              std::ostream &err, const AuditCommandContext &context)
{
    const Usage usage{"verify", err};
    std::optional<std::string> pinned;
    for (ArgReader reader(args, 1); !reader.done();) {
        const std::string opt = reader.next();
        if (opt == "--help" || opt == "-h") {
            out << kVerifyUsage;
            return kExitOk;
        }
        if (opt == "--public-key") {
            auto value = reader.value();
            if (!value)
                return usage.fail("--public-key needs a value");
            auto raw = text::base64UrlDecode(*value);
            if (!raw)
                raw = text::base64Decode(*value);
            if (!raw || raw->size() != 32)
                return usage.fail("--public-key must be a 32-byte Ed25519 key in base64 or base64url");
            pinned = *raw;
            continue;
        }
        return usage.fail("unknown option " + opt);
    }

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

int runTail(const std::vector<std::string> &args, const std::filesystem::path &dataDir, std::ostream &out,
            std::ostream &err, const AuditCommandContext &context)
{
    const Usage usage{"tail", err};
    int count = kDefaultTailRows;
    bool follow = false;
    bool json = false;
    for (ArgReader reader(args, 1); !reader.done();) {
        const std::string opt = reader.next();
        if (opt == "--help" || opt == "-h") {
            out << kTailUsage;
            return kExitOk;
        }
        if ((opt == "--follow" || opt == "--json") && reader.hadInlineValue())
            return usage.fail(opt + " takes no value");
        if (opt == "--follow" || opt == "-f") {
            follow = true;
        } else if (opt == "--json") {
            json = true;
        } else if (opt == "-n" || opt == "--lines") {
            auto value = reader.value();
            if (!value)
                return usage.fail(opt + " needs a value");
            const bool digits = !value->empty() && value->size() <= 6
                && value->find_first_not_of("0123456789") == std::string::npos;
            count = digits ? std::stoi(*value) : 0;
            if (count < 1 || count > kMaxTailRows)
                return usage.fail(opt + " must be a whole number from 1 to " + std::to_string(kMaxTailRows));
        } else {
            return usage.fail("unknown option " + opt);
        }
    }

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

int runExport(const std::vector<std::string> &args, const std::filesystem::path &dataDir, std::ostream &out,
              std::ostream &err)
{
    const Usage usage{"export", err};
    AuditQuery filter;
    std::optional<std::filesystem::path> output;
    for (ArgReader reader(args, 1); !reader.done();) {
        const std::string opt = reader.next();
        if (opt == "--help" || opt == "-h") {
            out << kExportUsage;
            return kExitOk;
        }
        const bool takesValue = opt == "--since" || opt == "--until" || opt == "--widget" || opt == "--room"
            || opt == "--action" || opt == "--decision" || opt == "--category" || opt == "--output";
        if (!takesValue)
            return usage.fail("unknown option " + opt);
        auto value = reader.value();
        if (!value || value->empty())
            return usage.fail(opt + " needs a value");
        if (opt == "--since" || opt == "--until") {
            auto ms = parseTime(*value);
            if (!ms)
                return usage.fail(opt + ": \"" + *value
                                  + "\" is not a time; use ISO-8601 such as 2024-05-01T12:00:00Z, or milliseconds "
                                    "since 1970");
            (opt == "--since" ? filter.sinceMs : filter.untilMs) = *ms;
        } else if (opt == "--widget") {
            filter.widgetId = *value;
        } else if (opt == "--room") {
            filter.roomId = *value;
        } else if (opt == "--action") {
            filter.action = *value;
        } else if (opt == "--decision") {
            if (!oneOf(kDecisions, *value))
                return usage.fail("--decision must be allowed, refused, dropped, failed or info, not \"" + *value + "\"");
            filter.decision = *value;
        } else if (opt == "--category") {
            if (!oneOf(kCategories, *value))
                return usage.fail("--category must be message, consent, plugin, navigation, session or retention, not \""
                                  + *value + "\"");
            filter.category = *value;
        } else {
            output = std::filesystem::path(*value);
        }
    }
    if (filter.sinceMs && filter.untilMs && *filter.sinceMs >= *filter.untilMs)
        return usage.fail("--since must be earlier than --until");

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

} // namespace

int runAuditCommand(const std::vector<std::string> &args, const std::filesystem::path &dataDir, std::ostream &out,
                    std::ostream &err)
{
    return runAuditCommand(args, dataDir, out, err, AuditCommandContext{});
}

int runAuditCommand(const std::vector<std::string> &args, const std::filesystem::path &dataDir, std::ostream &out,
                    std::ostream &err, const AuditCommandContext &context)
{
    if (args.empty()) {
        err << "tessera audit: a command is needed: verify, tail or export (see `tessera audit --help`)\n";
        return kExitUsage;
    }
    const std::string &command = args.front();
    if (command == "--help" || command == "-h" || command == "help") {
        out << kUsage;
        return kExitOk;
    }
    if (command == "verify")
        return runVerify(args, dataDir, out, err, context);
    if (command == "tail")
        return runTail(args, dataDir, out, err, context);
    if (command == "export")
        return runExport(args, dataDir, out, err);
    err << "tessera audit: unknown command \"" << command
        << "\"; use verify, tail or export (see `tessera audit --help`)\n";
    return kExitUsage;
}

} // namespace tessera::audit
