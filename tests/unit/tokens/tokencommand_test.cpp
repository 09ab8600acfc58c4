// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include <sstream>

#include <gtest/gtest.h>

#include "tempdir.h"
#include "tokens/tokencommand.h"
#include "tokens/tokenissuer.h"
#include "util/secretstore.h"

namespace tessera::tokens {
namespace {

using nlohmann::json;

struct CommandRun {
    int status = -1;
    std::string out;
    std::string err;
};

class TokenCommandTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        TokenRequest r;
        r.userId = "@alice:example.org";
        r.roomId = "!room:example.org";
        r.widgetId = "board";
        r.widgetOrigin = "https://board.example.com";
        r.audience = "https://board.example.com/api";
        r.scopes = {"cards.read"};
        // The command checks against the real clock, so the token is minted with it too.
        auto minted = m_issuer.mint(r);
        ASSERT_TRUE(minted) << minted.error().message;
        m_token = minted->token;
    }

    CommandRun run(std::vector<std::string> args)
    {
        std::ostringstream out;
        std::ostringstream err;
        CommandRun r;
        r.status = runTokenCommand(args, m_dir.path() / "data", out, err);
        r.out = out.str();
        r.err = err.str();
        return r;
    }

    test::TempDir m_dir;
    FileSecretStore m_store{m_dir.path() / "secrets"};
    TokenIssuer m_issuer{m_store, m_dir.path() / "data"};
    std::string m_token;
};

TEST_F(TokenCommandTest, VerifiesAValidTokenAndPrintsItsClaims)
{
    const CommandRun r = run({"verify", m_token, "--audience", "https://board.example.com/api", "--room",
                       "!room:example.org", "--widget", "board"});
    EXPECT_EQ(r.status, 0) << r.err;
    ASSERT_EQ(r.out.rfind("valid\n", 0), 0u);
    const json claims = json::parse(r.out.substr(6));
    EXPECT_EQ(claims["sub"], "@alice:example.org");
    EXPECT_EQ(claims["scopes"], json::array({"cards.read"}));
    EXPECT_EQ(r.err, "");
}

TEST_F(TokenCommandTest, SaysWhenTheAudienceWasNotChecked)
{
    const CommandRun r = run({"verify", m_token});
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(r.err, "tessera token verify: note: the audience was not checked; a service must check it (--audience)\n");
}

TEST_F(TokenCommandTest, RefusesWrongRoomWithOneLineOnStderr)
{
    const CommandRun r = run({"verify", m_token, "--room", "!elsewhere:example.org"});
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err,
              "tessera token verify: token is bound to room \"!room:example.org\", not \"!elsewhere:example.org\"\n");
}

TEST_F(TokenCommandTest, RefusesATamperedToken)
{
    std::string tampered = m_token;
    tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'a' ? 'b' : 'a';
    const CommandRun r = run({"verify", tampered, "--audience", "https://board.example.com/api"});
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1);
}

TEST_F(TokenCommandTest, PrintsThePublicKeySetOnly)
{
    const CommandRun r = run({"public-key"});
    EXPECT_EQ(r.status, 0) << r.err;
    const json doc = json::parse(r.out);
    auto expected = m_issuer.jwks();
    ASSERT_TRUE(expected);
    ASSERT_EQ(doc["keys"].size(), 1u);
    EXPECT_EQ(doc["keys"][0], (*expected)["keys"][0]);
    EXPECT_EQ(r.out.find("\"d\""), std::string::npos);
}

TEST_F(TokenCommandTest, ExplainsUsageErrors)
{
    EXPECT_EQ(run({}).status, 2);
    const CommandRun unknown = run({"mint"});
    EXPECT_EQ(unknown.status, 2);
    EXPECT_EQ(unknown.err, "tessera token: unknown command \"mint\" (see tessera token --help)\n");
    const CommandRun noToken = run({"verify"});
    EXPECT_EQ(noToken.status, 2);
    EXPECT_EQ(noToken.err, "tessera token: verify needs a token (see tessera token --help)\n");
    const CommandRun noValue = run({"verify", m_token, "--audience"});
    EXPECT_EQ(noValue.status, 2);
    EXPECT_EQ(noValue.err, "tessera token: --audience needs a value (see tessera token --help)\n");
    const CommandRun twice = run({"verify", m_token, "--room", "!a:b", "--room", "!c:d"});
    EXPECT_EQ(twice.status, 2);
    const CommandRun option = run({"verify", m_token, "--force"});
    EXPECT_EQ(option.status, 2);
    EXPECT_EQ(option.err, "tessera token: unknown option --force (see tessera token --help)\n");
    EXPECT_EQ(run({"public-key", "extra"}).status, 2);
}

TEST_F(TokenCommandTest, PrintsHelp)
{
    const CommandRun r = run({"--help"});
    EXPECT_EQ(r.status, 0);
    EXPECT_NE(r.out.find("verify <token> [--audience A] [--room R] [--widget W]"), std::string::npos);
    EXPECT_NE(r.out.find("public-key"), std::string::npos);
}

TEST(TokenCommand, ReportsMissingKeysWithTheirPath)
{
    test::TempDir dir;
    std::ostringstream out;
    std::ostringstream err;
    EXPECT_EQ(runTokenCommand({"public-key"}, dir.path(), out, err), 1);
    EXPECT_EQ(err.str(), "tessera token public-key: no token public keys in "
                             + (dir.path() / "tokens" / "jwks.json").string()
                             + ": Tessera creates them the first time it issues a token\n");
}

} // namespace
} // namespace tessera::tokens
