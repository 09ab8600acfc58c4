// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include <fstream>
#include <sstream>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "tempdir.h"
#include "tokens/tokenissuer.h"
#include "util/secretstore.h"

namespace tessera::tokens {
namespace {

using nlohmann::json;

TokenRequest sampleRequest()
{
    TokenRequest r;
    r.userId = "@alice:example.org";
    r.roomId = "!room:example.org";
    r.widgetId = "agent-panel";
    r.widgetOrigin = "https://agents.example.com";
    r.audience = "https://agents.example.com/api";
    r.scopes = {"agent.restart"};
    r.lifetimeSeconds = 600;
    return r;
}

VerifyOptions forAgents()
{
    VerifyOptions o;
    o.audience = "https://agents.example.com/api";
    o.roomId = "!room:example.org";
    o.widgetId = "agent-panel";
    return o;
}

std::string readFile(const std::filesystem::path &path)
{
    std::ifstream in(path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

class TokenIssuerTest : public ::testing::Test {
protected:
    std::filesystem::path secretsDir() const { return m_dir.path() / "secrets"; }
    std::filesystem::path dataDir() const { return m_dir.path() / "data"; }
    TokenIssuer makeIssuer(IssuerOptions options = {})
    {
        return TokenIssuer(m_store, dataDir(), [this] { return m_nowMs; }, std::move(options));
    }

    test::TempDir m_dir;
    FileSecretStore m_store{secretsDir()};
    std::int64_t m_nowMs = 1'700'000'000'000;
};

TEST_F(TokenIssuerTest, GeneratesTheSigningKeyOnFirstUseInTheSecretStore)
{
    EXPECT_FALSE(*m_store.read(kSigningKeysSecretName));
    TokenIssuer issuer = makeIssuer();
    EXPECT_TRUE(issuer.usesFallbackSecretStore());
    auto minted = issuer.mint(sampleRequest());
    ASSERT_TRUE(minted) << minted.error().message;

    auto stored = m_store.read(kSigningKeysSecretName);
    ASSERT_TRUE(stored && stored->has_value());
    const json doc = json::parse(**stored);
    ASSERT_EQ(doc["keys"].size(), 1u);
    EXPECT_EQ(doc["keys"][0]["kid"], minted->claims.keyId);
    struct stat st {};
    ASSERT_EQ(::stat((secretsDir() / std::string(kSigningKeysSecretName)).c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(TokenIssuerTest, KeyPersistsAcrossInstances)
{
    std::string token;
    std::string kid;
    {
        TokenIssuer first = makeIssuer();
        auto minted = first.mint(sampleRequest());
        ASSERT_TRUE(minted);
        token = minted->token;
        kid = minted->claims.keyId;
    }
    TokenIssuer second = makeIssuer();
    auto claims = second.verify(token, forAgents());
    ASSERT_TRUE(claims) << claims.error().message;
    EXPECT_EQ(claims->keyId, kid);
    auto again = second.mint(sampleRequest());
    ASSERT_TRUE(again);
    EXPECT_EQ(again->claims.keyId, kid);
}

TEST_F(TokenIssuerTest, RotatedKeyKeepsOldTokensValidUntilTheyExpire)
{
    TokenIssuer issuer = makeIssuer();
    auto old = issuer.mint(sampleRequest());
    ASSERT_TRUE(old);
    auto newKid = issuer.rotate();
    ASSERT_TRUE(newKid) << newKid.error().message;
    EXPECT_NE(*newKid, old->claims.keyId);

    auto fresh = issuer.mint(sampleRequest());
    ASSERT_TRUE(fresh);
    EXPECT_EQ(fresh->claims.keyId, *newKid);
    EXPECT_TRUE(issuer.verify(old->token, forAgents()));
    EXPECT_TRUE(issuer.verify(fresh->token, forAgents()));

    // A new instance (a restart) still knows the retired public key.
    TokenIssuer restarted = makeIssuer();
    EXPECT_TRUE(restarted.verify(old->token, forAgents()));
    auto published = TokenVerifier::fromJwks(readFile(publishedKeysPath(dataDir())));
    ASSERT_TRUE(published);
    EXPECT_TRUE(published->hasKey(old->claims.keyId));
    EXPECT_TRUE(published->hasKey(*newKid));

    m_nowMs += (kMaxLifetimeSeconds + kDefaultLeewaySeconds + 1) * 1000;
    auto expired = issuer.verify(old->token, forAgents());
    ASSERT_FALSE(expired);
    EXPECT_NE(expired.error().message.find("token expired at"), std::string::npos);

    // Once no token of the old key can still be valid, the key leaves the key set.
    m_nowMs = fresh->claims.issuedAt * 1000 + kRetiredKeyRetentionMs + 1000;
    auto keys = issuer.jwks();
    ASSERT_TRUE(keys);
    ASSERT_EQ((*keys)["keys"].size(), 1u);
    EXPECT_EQ((*keys)["keys"][0]["kid"], *newKid);
    auto gone = issuer.verify(old->token, forAgents());
    ASSERT_FALSE(gone);
    EXPECT_NE(gone.error().message.find("unknown key"), std::string::npos);
    auto republished = TokenVerifier::fromJwks(readFile(publishedKeysPath(dataDir())));
    ASSERT_TRUE(republished);
    EXPECT_FALSE(republished->hasKey(old->claims.keyId));
}

TEST_F(TokenIssuerTest, RotationDiscardsTheOldPrivateKey)
{
    TokenIssuer issuer = makeIssuer();
    ASSERT_TRUE(issuer.mint(sampleRequest()));
    ASSERT_TRUE(issuer.rotate());
    const json doc = json::parse(**m_store.read(kSigningKeysSecretName));
    ASSERT_EQ(doc["keys"].size(), 2u);
    int withPrivate = 0;
    for (const auto &k : doc["keys"])
        withPrivate += k.contains("d") ? 1 : 0;
    EXPECT_EQ(withPrivate, 1);
}

TEST_F(TokenIssuerTest, RotatesAutomaticallyWhenTheKeyIsOld)
{
    IssuerOptions options;
    options.rotateAfterMs = 24 * 60 * 60 * 1000;
    TokenIssuer issuer = makeIssuer(options);
    auto first = issuer.mint(sampleRequest());
    ASSERT_TRUE(first);
    m_nowMs += options.rotateAfterMs - 1;
    auto stillFirst = issuer.mint(sampleRequest());
    ASSERT_TRUE(stillFirst);
    EXPECT_EQ(stillFirst->claims.keyId, first->claims.keyId);
    m_nowMs += 1;
    auto second = issuer.mint(sampleRequest());
    ASSERT_TRUE(second);
    EXPECT_NE(second->claims.keyId, first->claims.keyId);
}

TEST_F(TokenIssuerTest, PublishesOnlyPublicKeysForServices)
{
    TokenIssuer issuer = makeIssuer();
    auto minted = issuer.mint(sampleRequest());
    ASSERT_TRUE(minted);
    const std::string text = readFile(publishedKeysPath(dataDir()));
    const json doc = json::parse(text);
    ASSERT_EQ(doc["keys"].size(), 1u);
    EXPECT_FALSE(doc["keys"][0].contains("d"));
    EXPECT_EQ(doc["keys"][0]["kty"], "OKP");
    EXPECT_EQ(doc["keys"][0]["crv"], "Ed25519");
    EXPECT_EQ(doc["keys"][0]["alg"], "EdDSA");
    EXPECT_EQ(doc["keys"][0]["kid"], minted->claims.keyId);

    auto verifier = TokenVerifier::fromJwks(text);
    ASSERT_TRUE(verifier);
    EXPECT_TRUE(verifier->verify(minted->token, forAgents(), m_nowMs));
}

TEST_F(TokenIssuerTest, ReportsUnreadableKeysWithoutReplacingThem)
{
    ASSERT_TRUE(m_store.write(kSigningKeysSecretName, "{ not json"));
    TokenIssuer issuer = makeIssuer();
    auto minted = issuer.mint(sampleRequest());
    ASSERT_FALSE(minted);
    EXPECT_EQ(minted.error().code, ErrorCode::Corrupt);
    EXPECT_NE(minted.error().message.find("cannot be used: it is not a JSON object"), std::string::npos);
    EXPECT_NE(minted.error().message.find("Remove the secret \"token-signing-keys\""), std::string::npos);
    EXPECT_EQ(**m_store.read(kSigningKeysSecretName), "{ not json");
}

TEST_F(TokenIssuerTest, ReportsAStoreWithAVersionOfTheWrongTypeWithoutReplacingIt)
{
    const std::string stored = R"({"version": "1", "keys": []})";
    ASSERT_TRUE(m_store.write(kSigningKeysSecretName, stored));
    TokenIssuer issuer = makeIssuer();
    auto minted = issuer.mint(sampleRequest());
    ASSERT_FALSE(minted);
    EXPECT_EQ(minted.error().code, ErrorCode::Corrupt);
    EXPECT_NE(minted.error().message.find("its format version is not"), std::string::npos) << minted.error().message;
    EXPECT_EQ(**m_store.read(kSigningKeysSecretName), stored);
}

TEST_F(TokenIssuerTest, RefusesAStoredKeyThatDoesNotMatchItsId)
{
    {
        TokenIssuer issuer = makeIssuer();
        ASSERT_TRUE(issuer.mint(sampleRequest()));
    }
    json doc = json::parse(**m_store.read(kSigningKeysSecretName));
    doc["keys"][0]["kid"] = "not-the-thumbprint";
    ASSERT_TRUE(m_store.write(kSigningKeysSecretName, doc.dump()));
    TokenIssuer issuer = makeIssuer();
    auto minted = issuer.mint(sampleRequest());
    ASSERT_FALSE(minted);
    EXPECT_NE(minted.error().message.find("key not-the-thumbprint does not match its key id"), std::string::npos);
}

TEST_F(TokenIssuerTest, FailsClearlyWhenTheKeyCannotBeStored)
{
    // A directory where the store writes its temporary file: reading works, writing cannot.
    std::filesystem::create_directories(secretsDir() / (std::string(kSigningKeysSecretName) + ".tmp"));
    TokenIssuer issuer = makeIssuer();
    auto minted = issuer.mint(sampleRequest());
    ASSERT_FALSE(minted);
    EXPECT_NE(minted.error().message.find("cannot store the token signing keys in"), std::string::npos);
    EXPECT_FALSE(std::filesystem::exists(publishedKeysPath(dataDir())));
}

TEST_F(TokenIssuerTest, VerifyingNeverWritesTheKeys)
{
    TokenIssuer issuer = makeIssuer();
    auto old = issuer.mint(sampleRequest());
    ASSERT_TRUE(old);
    ASSERT_TRUE(issuer.rotate());
    auto fresh = issuer.mint(sampleRequest());
    ASSERT_TRUE(fresh);
    const std::string stored = **m_store.read(kSigningKeysSecretName);

    // From now on nothing can be written to the store; verification must not need to.
    std::filesystem::create_directories(secretsDir() / (std::string(kSigningKeysSecretName) + ".tmp"));
    m_nowMs += kRetiredKeyRetentionMs + 1000;
    TokenIssuer restarted = makeIssuer();
    auto gone = restarted.verify(old->token, forAgents());
    ASSERT_FALSE(gone);
    EXPECT_NE(gone.error().message.find("unknown key"), std::string::npos);
    m_nowMs = fresh->claims.issuedAt * 1000;
    EXPECT_TRUE(restarted.verify(fresh->token, forAgents()));
    EXPECT_EQ(**m_store.read(kSigningKeysSecretName), stored);
}

TEST_F(TokenIssuerTest, VerifyDefaultsToItsOwnIssuer)
{
    IssuerOptions other;
    other.issuer = "tessera-test-other";
    TokenIssuer issuer = makeIssuer(other);
    auto minted = issuer.mint(sampleRequest());
    ASSERT_TRUE(minted);
    EXPECT_EQ(minted->claims.issuer, "tessera-test-other");
    EXPECT_TRUE(issuer.verify(minted->token, forAgents()));
    VerifyOptions o = forAgents();
    o.issuer = "tessera";
    EXPECT_FALSE(issuer.verify(minted->token, o));
}

} // namespace
} // namespace tessera::tokens
