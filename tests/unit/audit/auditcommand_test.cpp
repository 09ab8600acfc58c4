// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "audit/auditcommand.h"

#include <mutex>
#include <sstream>
#include <streambuf>
#include <thread>

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include "audit/checkpoint.h"
#include "auditfixture.h"
#include "util/text.h"

using namespace tessera;
using namespace tessera::audit;
using namespace tessera::test;

namespace {

struct CommandRun {
    int code = -1;
    std::string out;
    std::string err;
};

CommandRun run(const std::vector<std::string> &args, const std::filesystem::path &dataDir,
        const AuditCommandContext *context = nullptr)
{
    std::ostringstream out, err;
    CommandRun r;
    r.code = context ? runAuditCommand(args, dataDir, out, err, *context) : runAuditCommand(args, dataDir, out, err);
    r.out = out.str();
    r.err = err.str();
    return r;
}

std::size_t lineCount(const std::string &text)
{
    return std::size_t(std::count(text.begin(), text.end(), '\n'));
}

void fill(const std::filesystem::path &dataDir, int count)
{
    auto log = openLog(dataDir);
    ASSERT_TRUE(log);
    for (int i = 1; i <= count; ++i) {
        OwnedRecord r = messageRecord(i);
        r.widgetId = i % 2 ? "odd" : "even";
        r.decision = i % 10 == 0 ? Decision::Refused : Decision::Allowed;
        r.timestampMs = 1'714'564'800'000 + 1000LL * i; // 2024-05-01T12:00:00Z + i s
        ASSERT_GT(log->submit(r.view()), 0);
    }
    ASSERT_TRUE(log->flush(kWaitMs));
}

/** A stream buffer that one thread writes and another reads. */
class SharedBuffer : public std::streambuf {
public:
    std::string text()
    {
        std::lock_guard lock(m_mutex);
        return m_text;
    }

protected:
    int overflow(int c) override
    {
        if (c != traits_type::eof()) {
            std::lock_guard lock(m_mutex);
            m_text.push_back(char(c));
        }
        return c;
    }
    std::streamsize xsputn(const char *s, std::streamsize n) override
    {
        std::lock_guard lock(m_mutex);
        m_text.append(s, std::size_t(n));
        return n;
    }

private:
    std::mutex m_mutex;
    std::string m_text;
};

} // namespace

TEST(AuditCommand, PrintsUsage)
{
    TempDir dir;
    for (const auto &args : std::vector<std::vector<std::string>>{{"--help"}, {"-h"}, {"help"}}) {
        const CommandRun r = run(args, dir.path());
        EXPECT_EQ(r.code, 0);
        EXPECT_NE(r.out.find("Usage: tessera audit <command>"), std::string::npos);
        EXPECT_TRUE(r.err.empty());
    }
    EXPECT_NE(run({"verify", "--help"}, dir.path()).out.find("Usage: tessera audit verify"), std::string::npos);
    EXPECT_NE(run({"tail", "--help"}, dir.path()).out.find("Usage: tessera audit tail"), std::string::npos);
    EXPECT_NE(run({"export", "--help"}, dir.path()).out.find("Usage: tessera audit export"), std::string::npos);
}

TEST(AuditCommand, UsageErrorsExitWithTwoAndOneLine)
{
    TempDir dir;
    fill(dir.path(), 3);
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
        {{}, "tessera audit: a command is needed: verify, tail or export (see `tessera audit --help`)\n"},
        {{"frobnicate"}, "tessera audit: unknown command \"frobnicate\"; use verify, tail or export (see `tessera audit --help`)\n"},
        {{"verify", "--fast"}, "tessera audit verify: unknown option --fast (see `tessera audit verify --help`)\n"},
        {{"verify", "--public-key"}, "tessera audit verify: --public-key needs a value (see `tessera audit verify --help`)\n"},
        {{"verify", "--public-key", "abc"},
         "tessera audit verify: --public-key must be a 32-byte Ed25519 key in base64 or base64url (see `tessera audit verify --help`)\n"},
        {{"tail", "-n"}, "tessera audit tail: -n needs a value (see `tessera audit tail --help`)\n"},
        {{"tail", "-n", "0"}, "tessera audit tail: -n must be a whole number from 1 to 10000 (see `tessera audit tail --help`)\n"},
        {{"tail", "-n", "10001"}, "tessera audit tail: -n must be a whole number from 1 to 10000 (see `tessera audit tail --help`)\n"},
        {{"tail", "-n", "ten"}, "tessera audit tail: -n must be a whole number from 1 to 10000 (see `tessera audit tail --help`)\n"},
        {{"tail", "--follow=yes"}, "tessera audit tail: --follow takes no value (see `tessera audit tail --help`)\n"},
        {{"export", "--since"}, "tessera audit export: --since needs a value (see `tessera audit export --help`)\n"},
        {{"export", "--since", "last tuesday"},
         "tessera audit export: --since: \"last tuesday\" is not a time; use ISO-8601 such as 2024-05-01T12:00:00Z, "
         "or milliseconds since 1970 (see `tessera audit export --help`)\n"},
        {{"export", "--decision=maybe"},
         "tessera audit export: --decision must be allowed, refused, dropped, failed or info, not \"maybe\" (see "
         "`tessera audit export --help`)\n"},
        {{"export", "--category", "gossip"},
         "tessera audit export: --category must be message, consent, plugin, navigation, session or retention, not "
         "\"gossip\" (see `tessera audit export --help`)\n"},
        {{"export", "--since", "2024-05-02", "--until", "2024-05-01"},
         "tessera audit export: --since must be earlier than --until (see `tessera audit export --help`)\n"},
        {{"export", "--format", "csv"}, "tessera audit export: unknown option --format (see `tessera audit export --help`)\n"},
    };
    for (const auto &[args, expected] : cases) {
        const CommandRun r = run(args, dir.path());
        EXPECT_EQ(r.code, 2) << expected;
        EXPECT_EQ(r.err, expected);
        EXPECT_EQ(lineCount(r.err), 1u);
        EXPECT_TRUE(r.out.empty()) << r.out;
    }
}

TEST(AuditCommand, ReportsAMissingLogAsAFailure)
{
    TempDir dir;
    for (const char *command : {"verify", "tail", "export"}) {
        const CommandRun r = run({command}, dir.path());
        EXPECT_EQ(r.code, 1);
        EXPECT_EQ(r.err, std::string("tessera audit ") + command + ": there is no audit log at "
                             + (dir / "audit.db").string() + "\n");
    }
    EXPECT_FALSE(std::filesystem::exists(dir / "audit.db"));
}

TEST(AuditCommand, VerifySaysOkOrNamesTheBrokenRow)
{
    TempDir dir;
    fill(dir.path(), 12);
    CommandRun r = run({"verify"}, dir.path());
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "audit log " + (dir / "audit.db").string()
                         + ": OK: 12 rows (seq 1..12), starting at the beginning of the log\n");
    EXPECT_TRUE(r.err.empty());

    ASSERT_EQ(runSqliteCli(dir / "audit.db", "DROP TRIGGER audit_log_no_update; "
                                             "INSERT INTO audit_text(text) VALUES ('someone-else'); "
                                             "UPDATE audit_log SET widget = (SELECT id FROM audit_text "
                                             "WHERE text = 'someone-else') WHERE seq = 9;"),
              0);
    r = run({"verify"}, dir.path());
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.out, "audit log " + (dir / "audit.db").string()
                         + ": BROKEN at seq 9: the row's content does not match its hash (the row was edited or "
                           "moved); 1 row has a problem, 12 rows checked\n");
    EXPECT_EQ(r.err, "tessera audit verify: the audit log is broken at seq 9\n");
}

TEST(AuditCommand, VerifyChecksCheckpointsAgainstTheKeyItIsGiven)
{
    TempDir dir;
    const auto dataDir = dir / "data";
    FileSecretStore secrets(dir / "secrets");
    fill(dataDir, 20);
    {
        auto log = openLog(dataDir);
        ASSERT_TRUE(log);
        RetentionPolicy policy;
        policy.maxRows = 5;
        ASSERT_TRUE(log->applyRetention(policy, secrets, kWaitMs));
    }
    auto key = CheckpointKey::load(secrets);
    ASSERT_TRUE(key);

    CommandRun plain = run({"verify"}, dataDir);
    EXPECT_EQ(plain.code, 0) << plain.out << plain.err;
    EXPECT_NE(plain.out.find("OK: 6 rows (seq 16..21), starting after rows trimmed by retention, as the signed "
                             "checkpoint at seq 21 proves; 1 checkpoint signed by key "
                             + key->keyId() + " (not compared with a trusted key: pass --public-key to pin one)"),
              std::string::npos)
        << plain.out;

    AuditCommandContext context;
    context.secrets = &secrets;
    CommandRun own = run({"verify"}, dataDir, &context);
    EXPECT_EQ(own.code, 0);
    EXPECT_NE(own.out.find("(this Tessera's checkpoint key)"), std::string::npos) << own.out;

    CommandRun pinned = run({"verify", "--public-key", text::base64UrlEncode(key->publicKey())}, dataDir);
    EXPECT_EQ(pinned.code, 0);
    EXPECT_NE(pinned.out.find("(the key given with --public-key)"), std::string::npos) << pinned.out;

    TempDir otherDir;
    FileSecretStore otherSecrets(otherDir / "secrets");
    auto other = CheckpointKey::loadOrCreate(otherSecrets);
    ASSERT_TRUE(other);
    CommandRun wrong = run({"verify", "--public-key=" + text::base64Encode(other->publicKey())}, dataDir);
    EXPECT_EQ(wrong.code, 1);
    EXPECT_NE(wrong.out.find("BROKEN at seq 16"), std::string::npos) << wrong.out;
}

TEST(AuditCommand, TailShowsTheNewestRowsAsTextOrJson)
{
    TempDir dir;
    fill(dir.path(), 30);
    CommandRun r = run({"tail"}, dir.path());
    EXPECT_EQ(r.code, 0);
    EXPECT_EQ(lineCount(r.out), 10u);
    EXPECT_EQ(r.out.rfind("21 2024-05-01T12:00:21.000Z message in allowed send_event widget=odd ", 0), 0u) << r.out;
    EXPECT_NE(r.out.find("\n30 2024-05-01T12:00:30.000Z message in refused send_event widget=even "), std::string::npos);

    r = run({"tail", "-n", "3", "--json"}, dir.path());
    EXPECT_EQ(r.code, 0);
    EXPECT_EQ(lineCount(r.out), 3u);
    auto first = nlohmann::json::parse(r.out.substr(0, r.out.find('\n')), nullptr, false);
    ASSERT_FALSE(first.is_discarded());
    EXPECT_EQ(first["seq"], 28);

    r = run({"tail", "-n", "500"}, dir.path());
    EXPECT_EQ(lineCount(r.out), 30u);
}

TEST(AuditCommand, TailFollowPrintsRowsAsTheyAreWritten)
{
    TempDir dir;
    fill(dir.path(), 2);
    SharedBuffer buffer;
    std::ostream out(&buffer);
    std::ostringstream err;
    std::stop_source stop;
    AuditCommandContext context;
    context.stop = stop.get_token();
    context.followPollMs = 10;
    int code = -1;
    std::thread follower([&] { code = runAuditCommand({"tail", "-n", "1", "--follow"}, dir.path(), out, err, context); });

    auto log = openLog(dir.path());
    ASSERT_TRUE(log);
    for (int i = 3; i <= 7; ++i)
        log->submit(messageRecord(i).view());
    ASSERT_TRUE(log->flush(kWaitMs));
    // Wait (bounded) until the follower has printed the last row.
    for (int i = 0; i < 6000 && buffer.text().find("\n7 ") == std::string::npos; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    stop.request_stop();
    follower.join();
    EXPECT_EQ(code, 0) << err.str();
    const std::string text = buffer.text();
    EXPECT_EQ(text.rfind("2 ", 0), 0u) << text;
    EXPECT_EQ(lineCount(text), 6u) << text; // row 2, then 3..7 once each
}

TEST(AuditCommand, ExportFiltersToStdoutOrAFile)
{
    TempDir dir;
    const auto dataDir = dir / "data";
    fill(dataDir, 40);
    CommandRun r = run({"export", "--widget", "even", "--decision", "refused"}, dataDir);
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(lineCount(r.out), 4u); // 10, 20, 30, 40
    EXPECT_TRUE(r.err.empty());

    r = run({"export", "--since", "2024-05-01T12:00:05Z", "--until=2024-05-01T14:00:08+02:00"}, dataDir);
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(lineCount(r.out), 3u); // 5, 6, 7
    EXPECT_EQ(r.out.rfind("{\"seq\":5,", 0), 0u) << r.out;

    r = run({"export", "--since", "1714564830000", "--room", "!room:example.org", "--action", "send_event",
             "--category", "message"},
            dataDir);
    EXPECT_EQ(lineCount(r.out), 11u); // 30..40

    const auto file = dir / "export.jsonl";
    r = run({"export", "--decision", "refused", "--output", file.string()}, dataDir);
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "exported 4 rows to " + file.string() + "\n");
    const std::string written = readFileBytes(file);
    EXPECT_EQ(lineCount(written), 4u);
    EXPECT_FALSE(std::filesystem::exists(file.string() + ".partial"));

    r = run({"export", "--output", (dir / "missing" / "x.jsonl").string()}, dataDir);
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err, "tessera audit export: cannot write " + (dir / "missing" / "x.jsonl.partial").string() + "\n");
}
