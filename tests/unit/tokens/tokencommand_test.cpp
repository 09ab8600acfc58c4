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

    /** `tessera token verify` of @p token with @p options, as the app runs it. */
    CommandRun verify(const std::string &token, VerifyOptions options = {})
    {
        std::ostringstream out;
        std::ostringstream err;
        CommandRun r;
        r.status = runVerify(VerifyCommand{token, std::move(options)}, m_dir.path() / "data", out, err);
        r.out = out.str();
        r.err = err.str();
        return r;
    }

    CommandRun publicKey()
    {
        std::ostringstream out;
        std::ostringstream err;
        CommandRun r;
        r.status = runPublicKey(m_dir.path() / "data", out, err);
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
    VerifyOptions options;
    options.audience = "https://board.example.com/api";
    options.roomId = "!room:example.org";
    options.widgetId = "board";
    const CommandRun r = verify(m_token, options);
    EXPECT_EQ(r.status, 0) << r.err;
    ASSERT_EQ(r.out.rfind("valid\n", 0), 0u);
    const json claims = json::parse(r.out.substr(6));
    EXPECT_EQ(claims["sub"], "@alice:example.org");
    EXPECT_EQ(claims["scopes"], json::array({"cards.read"}));
    EXPECT_EQ(r.err, "");
}

TEST_F(TokenCommandTest, SaysWhenTheAudienceWasNotChecked)
{
    const CommandRun r = verify(m_token);
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(r.err, "tessera token verify: note: the audience was not checked; a service must check it (--audience)\n");
}

TEST_F(TokenCommandTest, RefusesWrongRoomWithOneLineOnStderr)
{
    VerifyOptions options;
    options.roomId = "!elsewhere:example.org";
    const CommandRun r = verify(m_token, options);
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err,
              "tessera token verify: token is bound to room \"!room:example.org\", not \"!elsewhere:example.org\"\n");
}

TEST_F(TokenCommandTest, RefusesATamperedToken)
{
    std::string tampered = m_token;
    tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'a' ? 'b' : 'a';
    VerifyOptions options;
    options.audience = "https://board.example.com/api";
    const CommandRun r = verify(tampered, options);
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1);
}

TEST_F(TokenCommandTest, PrintsThePublicKeySetOnly)
{
    const CommandRun r = publicKey();
    EXPECT_EQ(r.status, 0) << r.err;
    const json doc = json::parse(r.out);
    auto expected = m_issuer.jwks();
    ASSERT_TRUE(expected);
    ASSERT_EQ(doc["keys"].size(), 1u);
    EXPECT_EQ(doc["keys"][0], (*expected)["keys"][0]);
    EXPECT_EQ(r.out.find("\"d\""), std::string::npos);
}

TEST(TokenCommand, ReportsMissingKeysWithTheirPath)
{
    test::TempDir dir;
    std::ostringstream out;
    std::ostringstream err;
    EXPECT_EQ(runPublicKey(dir.path(), out, err), 1);
    EXPECT_EQ(err.str(), "tessera token public-key: no token public keys in "
                             + (dir.path() / "tokens" / "jwks.json").string()
                             + ": Tessera creates them the first time it issues a token\n");
}

} // namespace
} // namespace tessera::tokens
