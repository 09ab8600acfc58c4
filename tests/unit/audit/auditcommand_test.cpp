// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "audit/auditcommand.h"

#include <functional>
#include <mutex>
#include <sstream>
#include <streambuf>
#include <thread>
#include <type_traits>

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

/** Runs one command of `tessera audit`, as the app does once it has read the command line. */
template<typename Command>
CommandRun run(const Command &command, const std::filesystem::path &dataDir, const AuditCommandContext *context = nullptr)
{
    std::ostringstream out, err;
    CommandRun r;
    const AuditCommandContext none;
    if constexpr (std::is_same_v<Command, VerifyCommand>)
        r.code = runVerify(command, dataDir, out, err, context ? *context : none);
    else if constexpr (std::is_same_v<Command, TailCommand>)
        r.code = runTail(command, dataDir, out, err, context ? *context : none);
    else
        r.code = runExport(command, dataDir, out, err);
    r.out = out.str();
    r.err = err.str();
    return r;
}

TailCommand tail(int rows, bool json = false)
{
    TailCommand c;
    c.rows = rows;
    c.json = json;
    return c;
}

ExportCommand exportWhere(const std::function<void(AuditQuery &)> &filter)
{
    ExportCommand c;
    filter(c.filter);
    return c;
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

TEST(AuditCommand, DecodesAPublicKeyInEitherBase64)
{
    const std::string key(32, '\x07');
    EXPECT_EQ(decodePublicKey(text::base64UrlEncode(key)).value(), key);
    EXPECT_EQ(decodePublicKey(text::base64Encode(key)).value(), key);
    auto bad = decodePublicKey("abc");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message, "--public-key must be a 32-byte Ed25519 key in base64 or base64url");
}

TEST(AuditCommand, ReportsAMissingLogAsAFailure)
{
    TempDir dir;
    const CommandRun runs[] = {run(VerifyCommand{}, dir.path()), run(TailCommand{}, dir.path()),
                               run(ExportCommand{}, dir.path())};
    const char *names[] = {"verify", "tail", "export"};
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(runs[i].code, 1);
        EXPECT_EQ(runs[i].err, std::string("tessera audit ") + names[i] + ": there is no audit log at "
                                   + (dir / "audit.db").string() + "\n");
    }
    EXPECT_FALSE(std::filesystem::exists(dir / "audit.db"));
}

TEST(AuditCommand, VerifySaysOkOrNamesTheBrokenRow)
{
    TempDir dir;
    fill(dir.path(), 12);
    CommandRun r = run(VerifyCommand{}, dir.path());
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "audit log " + (dir / "audit.db").string()
                         + ": OK: 12 rows (seq 1..12), starting at the beginning of the log\n");
    EXPECT_TRUE(r.err.empty());

    ASSERT_EQ(runSqliteCli(dir / "audit.db", "DROP TRIGGER audit_log_no_update; "
                                             "INSERT INTO audit_text(text) VALUES ('someone-else'); "
                                             "UPDATE audit_log SET widget = (SELECT id FROM audit_text "
                                             "WHERE text = 'someone-else') WHERE seq = 9;"),
              0);
    r = run(VerifyCommand{}, dir.path());
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

    CommandRun plain = run(VerifyCommand{}, dataDir);
    EXPECT_EQ(plain.code, 0) << plain.out << plain.err;
    EXPECT_NE(plain.out.find("OK: 6 rows (seq 16..21), starting after rows trimmed by retention, as the signed "
                             "checkpoint at seq 21 proves; 1 checkpoint signed by key "
                             + key->keyId() + " (not compared with a trusted key: pass --public-key to pin one)"),
              std::string::npos)
        << plain.out;

    AuditCommandContext context;
    context.secrets = &secrets;
    CommandRun own = run(VerifyCommand{}, dataDir, &context);
    EXPECT_EQ(own.code, 0);
    EXPECT_NE(own.out.find("(this Tessera's checkpoint key)"), std::string::npos) << own.out;

    CommandRun pinned = run(VerifyCommand{key->publicKey()}, dataDir);
    EXPECT_EQ(pinned.code, 0);
    EXPECT_NE(pinned.out.find("(the key given with --public-key)"), std::string::npos) << pinned.out;

    TempDir otherDir;
    FileSecretStore otherSecrets(otherDir / "secrets");
    auto other = CheckpointKey::loadOrCreate(otherSecrets);
    ASSERT_TRUE(other);
    CommandRun wrong = run(VerifyCommand{other->publicKey()}, dataDir);
    EXPECT_EQ(wrong.code, 1);
    EXPECT_NE(wrong.out.find("BROKEN at seq 16"), std::string::npos) << wrong.out;
}

TEST(AuditCommand, TailShowsTheNewestRowsAsTextOrJson)
{
    TempDir dir;
    fill(dir.path(), 30);
    CommandRun r = run(TailCommand{}, dir.path());
    EXPECT_EQ(r.code, 0);
    EXPECT_EQ(lineCount(r.out), 10u);
    EXPECT_EQ(r.out.rfind("21 2024-05-01T12:00:21.000Z message in allowed send_event widget=odd ", 0), 0u) << r.out;
    EXPECT_NE(r.out.find("\n30 2024-05-01T12:00:30.000Z message in refused send_event widget=even "), std::string::npos);

    r = run(tail(3, true), dir.path());
    EXPECT_EQ(r.code, 0);
    EXPECT_EQ(lineCount(r.out), 3u);
    auto first = nlohmann::json::parse(r.out.substr(0, r.out.find('\n')), nullptr, false);
    ASSERT_FALSE(first.is_discarded());
    EXPECT_EQ(first["seq"], 28);

    r = run(tail(500), dir.path());
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
    TailCommand command = tail(1);
    command.follow = true;
    std::thread follower([&] { code = runTail(command, dir.path(), out, err, context); });

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
    CommandRun r = run(exportWhere([](AuditQuery &q) {
        q.widgetId = "even";
        q.decision = "refused";
    }), dataDir);
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(lineCount(r.out), 4u); // 10, 20, 30, 40
    EXPECT_TRUE(r.err.empty());

    r = run(exportWhere([](AuditQuery &q) {
        q.sinceMs = parseTime("2024-05-01T12:00:05Z");
        q.untilMs = parseTime("2024-05-01T14:00:08+02:00");
        ASSERT_TRUE(q.sinceMs && q.untilMs);
    }), dataDir);
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(lineCount(r.out), 3u); // 5, 6, 7
    EXPECT_EQ(r.out.rfind("{\"seq\":5,", 0), 0u) << r.out;

    r = run(exportWhere([](AuditQuery &q) {
        q.sinceMs = 1714564830000;
        q.roomId = "!room:example.org";
        q.action = "send_event";
        q.category = "message";
    }), dataDir);
    EXPECT_EQ(lineCount(r.out), 11u); // 30..40

    const auto file = dir / "export.jsonl";
    ExportCommand toFile = exportWhere([](AuditQuery &q) { q.decision = "refused"; });
    toFile.output = file;
    r = run(toFile, dataDir);
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "exported 4 rows to " + file.string() + "\n");
    const std::string written = readFileBytes(file);
    EXPECT_EQ(lineCount(written), 4u);
    EXPECT_FALSE(std::filesystem::exists(file.string() + ".partial"));

    ExportCommand nowhere;
    nowhere.output = dir / "missing" / "x.jsonl";
    r = run(nowhere, dataDir);
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err, "tessera audit export: cannot write " + (dir / "missing" / "x.jsonl.partial").string() + "\n");
}
