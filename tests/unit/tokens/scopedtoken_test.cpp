// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include <set>

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "tokens/scopedtoken.h"
#include "util/text.h"

namespace tessera::tokens {
namespace {

using nlohmann::json;

constexpr std::int64_t kNowMs = 1'700'000'000'000;

TokenRequest sampleRequest()
{
    TokenRequest r;
    r.userId = "@alice:example.org";
    r.roomId = "!room:example.org";
    r.widgetId = "kanban-1";
    r.widgetOrigin = "https://kanban.example.com";
    r.audience = "https://kanban.example.com/api";
    r.scopes = {"org.matrix.msc2762.receive.state_event:io.tessera.card", "board.write"};
    r.lifetimeSeconds = 300;
    return r;
}

std::vector<std::string> split(const std::string &token)
{
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (;;) {
        const auto dot = token.find('.', start);
        parts.push_back(token.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
        if (dot == std::string::npos)
            return parts;
        start = dot + 1;
    }
}

json decodePart(const std::string &part)
{
    return json::parse(*text::base64UrlDecode(part));
}

class ScopedTokenTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        auto key = Ed25519Key::generate();
        ASSERT_TRUE(key);
        m_kid = keyIdFor(key->publicBytes());
        auto pub = Ed25519Key::fromPublicBytes(key->publicBytes());
        ASSERT_TRUE(pub);
        m_verifier.addKey(m_kid, std::move(*pub));
        m_key = std::move(*key);
    }

    std::string mint(const TokenRequest &request = sampleRequest(), std::int64_t nowMs = kNowMs)
    {
        auto minted = mintToken(m_key, m_kid, kDefaultIssuer, request, nowMs);
        EXPECT_TRUE(minted) << minted.error().message;
        return minted ? minted->token : std::string();
    }

    // Signs arbitrary header and claims with the real key, to reach checks that come after the signature.
    std::string signRaw(const json &header, const json &claims)
    {
        const std::string input = text::base64UrlEncode(header.dump()) + "." + text::base64UrlEncode(claims.dump());
        auto sig = m_key.sign(input);
        EXPECT_TRUE(sig);
        return input + "." + text::base64UrlEncode(*sig);
    }

    Result<TokenClaims> verify(const std::string &token, VerifyOptions options = {}, std::int64_t nowMs = kNowMs)
    {
        return m_verifier.verify(token, options, nowMs);
    }

    static VerifyOptions expecting()
    {
        VerifyOptions o;
        o.audience = "https://kanban.example.com/api";
        o.roomId = "!room:example.org";
        o.widgetId = "kanban-1";
        return o;
    }

    Ed25519Key m_key;
    std::string m_kid;
    TokenVerifier m_verifier;
};

TEST_F(ScopedTokenTest, MintsCompactJwsWithEdDsaHeaderKidAndAllClaims)
{
    const std::string token = mint();
    const auto parts = split(token);
    ASSERT_EQ(parts.size(), 3u);
    const json header = decodePart(parts[0]);
    EXPECT_EQ(header, (json{{"alg", "EdDSA"}, {"typ", "JWT"}, {"kid", m_kid}}));
    const json claims = decodePart(parts[1]);
    EXPECT_EQ(claims["iss"], "tessera");
    EXPECT_EQ(claims["sub"], "@alice:example.org");
    EXPECT_EQ(claims["aud"], "https://kanban.example.com/api");
    EXPECT_EQ(claims["room_id"], "!room:example.org");
    EXPECT_EQ(claims["widget_id"], "kanban-1");
    EXPECT_EQ(claims["widget_origin"], "https://kanban.example.com");
    EXPECT_EQ(claims["scopes"], json::array({"org.matrix.msc2762.receive.state_event:io.tessera.card", "board.write"}));
    EXPECT_EQ(claims["iat"], kNowMs / 1000);
    EXPECT_EQ(claims["nbf"], kNowMs / 1000);
    EXPECT_EQ(claims["exp"], kNowMs / 1000 + 300);
    EXPECT_EQ(text::base64UrlDecode(claims["jti"].get<std::string>())->size(), 16u);
    EXPECT_EQ(text::base64UrlDecode(parts[2])->size(), 64u);
}

TEST_F(ScopedTokenTest, VerifiesItsBindings)
{
    auto claims = verify(mint(), expecting());
    ASSERT_TRUE(claims) << claims.error().message;
    EXPECT_EQ(claims->subject, "@alice:example.org");
    EXPECT_EQ(claims->roomId, "!room:example.org");
    EXPECT_EQ(claims->widgetId, "kanban-1");
    EXPECT_EQ(claims->widgetOrigin, "https://kanban.example.com");
    EXPECT_EQ(claims->keyId, m_kid);
    EXPECT_EQ(claims->scopes.size(), 2u);
}

TEST_F(ScopedTokenTest, RefusesExpiredTokenAfterTheLeeway)
{
    const std::string token = mint();
    const std::int64_t expMs = kNowMs + 300'000;
    EXPECT_TRUE(verify(token, expecting(), expMs + kDefaultLeewaySeconds * 1000));
    auto late = verify(token, expecting(), expMs + (kDefaultLeewaySeconds + 1) * 1000);
    ASSERT_FALSE(late);
    EXPECT_EQ(late.error().code, ErrorCode::Denied);
    EXPECT_EQ(late.error().message, "token expired at 2023-11-14T22:18:20Z (31 s ago)");

    VerifyOptions strict = expecting();
    strict.leewaySeconds = 0;
    EXPECT_FALSE(verify(token, strict, expMs + 1000));
}

TEST_F(ScopedTokenTest, RefusesTokenBeforeItsNotBeforeTime)
{
    const std::string token = mint();
    EXPECT_TRUE(verify(token, expecting(), kNowMs - kDefaultLeewaySeconds * 1000));
    auto early = verify(token, expecting(), kNowMs - (kDefaultLeewaySeconds + 1) * 1000);
    ASSERT_FALSE(early);
    EXPECT_EQ(early.error().message, "token is not valid before 2023-11-14T22:13:20Z");
}

TEST_F(ScopedTokenTest, RefusesWrongAudience)
{
    VerifyOptions o = expecting();
    o.audience = "https://other-service.example.com";
    auto r = verify(mint(), o);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::Denied);
    EXPECT_EQ(r.error().message,
              "token is for audience \"https://kanban.example.com/api\", not \"https://other-service.example.com\"");
}

TEST_F(ScopedTokenTest, RefusesWrongRoom)
{
    VerifyOptions o = expecting();
    o.roomId = "!other:example.org";
    auto r = verify(mint(), o);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "token is bound to room \"!room:example.org\", not \"!other:example.org\"");
}

TEST_F(ScopedTokenTest, RefusesWrongWidget)
{
    VerifyOptions o = expecting();
    o.widgetId = "kanban-2";
    auto r = verify(mint(), o);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "token is bound to widget \"kanban-1\", not \"kanban-2\"");
}

TEST_F(ScopedTokenTest, RefusesWrongIssuerWhenOneIsExpected)
{
    VerifyOptions o = expecting();
    o.issuer = "someone-else";
    auto r = verify(mint(), o);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "token was issued by \"tessera\", not \"someone-else\"");
}

TEST_F(ScopedTokenTest, RefusesTamperedSignature)
{
    std::string token = mint();
    const std::size_t sigStart = token.rfind('.') + 1;
    token[sigStart] = token[sigStart] == 'A' ? 'B' : 'A';
    auto r = verify(token, expecting());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::Denied);
    EXPECT_EQ(r.error().message, "token signature does not match: the token was altered or not signed by this key");
}

TEST_F(ScopedTokenTest, RefusesTamperedClaimsUnderAValidHeader)
{
    const auto parts = split(mint());
    json claims = decodePart(parts[1]);
    claims["room_id"] = "!victim:example.org";
    const std::string forged = parts[0] + "." + text::base64UrlEncode(claims.dump()) + "." + parts[2];
    VerifyOptions o = expecting();
    o.roomId = "!victim:example.org";
    auto r = verify(forged, o);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "token signature does not match: the token was altered or not signed by this key");
}

TEST_F(ScopedTokenTest, RefusesTamperedHeaderWithAlgNone)
{
    const auto parts = split(mint());
    const json header{{"alg", "none"}, {"typ", "JWT"}, {"kid", m_kid}};
    for (const std::string &forged :
         {text::base64UrlEncode(header.dump()) + "." + parts[1] + ".",
          text::base64UrlEncode(header.dump()) + "." + parts[1] + "." + parts[2]}) {
        auto r = verify(forged, expecting());
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, ErrorCode::Denied);
        EXPECT_EQ(r.error().message, "token alg \"none\" is refused: unsigned tokens are never accepted");
    }
    const json upper{{"alg", "NONE"}, {"kid", m_kid}};
    auto r = verify(text::base64UrlEncode(upper.dump()) + "." + parts[1] + ".", expecting());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "token alg \"NONE\" is refused: unsigned tokens are never accepted");
}

TEST_F(ScopedTokenTest, RefusesHmacSignedWithThePublicKey)
{
    // The classic algorithm-confusion forgery: HS256 keyed with the (public) verification key.
    const auto parts = split(mint());
    const json header{{"alg", "HS256"}, {"typ", "JWT"}, {"kid", m_kid}};
    const std::string input = text::base64UrlEncode(header.dump()) + "." + parts[1];
    const std::string pub = m_key.publicBytes();
    unsigned char mac[32];
    unsigned int macLen = 0;
    HMAC(EVP_sha256(), pub.data(), int(pub.size()), reinterpret_cast<const unsigned char *>(input.data()),
         input.size(), mac, &macLen);
    const std::string forged =
        input + "." + text::base64UrlEncode(std::string_view(reinterpret_cast<const char *>(mac), macLen));
    auto r = verify(forged, expecting());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "token alg \"HS256\" is refused: only EdDSA (Ed25519) is accepted");
}

TEST_F(ScopedTokenTest, RefusesCritAndForeignTyp)
{
    const json claims = decodePart(split(mint())[1]);
    auto crit = verify(signRaw({{"alg", "EdDSA"}, {"kid", m_kid}, {"crit", {"b64"}}, {"b64", false}}, claims));
    ASSERT_FALSE(crit);
    EXPECT_EQ(crit.error().message, "token header has a crit parameter, which Tessera does not support");
    auto typ = verify(signRaw({{"alg", "EdDSA"}, {"kid", m_kid}, {"typ", "at+jwt"}}, claims));
    ASSERT_FALSE(typ);
    EXPECT_EQ(typ.error().message, "token typ is not JWT");
}

TEST_F(ScopedTokenTest, RefusesUnknownKeyId)
{
    auto other = Ed25519Key::generate();
    ASSERT_TRUE(other);
    const std::string otherKid = keyIdFor(other->publicBytes());
    auto minted = mintToken(*other, otherKid, kDefaultIssuer, sampleRequest(), kNowMs);
    ASSERT_TRUE(minted);
    auto r = verify(minted->token, expecting());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "token was signed with an unknown key (kid \"" + otherKid
                                     + "\"): another installation issued it, or its key was retired and its "
                                       "tokens expired");
}

TEST_F(ScopedTokenTest, RefusesAKidThatNamesAnotherKey)
{
    // Signed by a stranger but claiming our kid: the signature check catches it.
    auto other = Ed25519Key::generate();
    ASSERT_TRUE(other);
    auto minted = mintToken(*other, m_kid, kDefaultIssuer, sampleRequest(), kNowMs);
    ASSERT_TRUE(minted);
    auto r = verify(minted->token, expecting());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "token signature does not match: the token was altered or not signed by this key");
}

TEST_F(ScopedTokenTest, RefusesMalformedTokensWithSpecificMessages)
{
    const auto parts = split(mint());
    struct Case {
        std::string token;
        std::string message;
    };
    const std::vector<Case> cases{
        {"", "token is not a JWS compact serialization (three base64url parts separated by '.')"},
        {parts[0] + "." + parts[1], "token is not a JWS compact serialization (three base64url parts separated by '.')"},
        {parts[0] + "." + parts[1] + "." + parts[2] + ".x",
         "token is not a JWS compact serialization (three base64url parts separated by '.')"},
        {"e30=." + parts[1] + "." + parts[2], "token header is not valid base64url"},
        {text::base64UrlEncode("[1]") + "." + parts[1] + "." + parts[2], "token header is not a JSON object"},
        {text::base64UrlEncode("{}") + "." + parts[1] + "." + parts[2], "token header has no alg"},
        {text::base64UrlEncode(R"({"alg":"EdDSA"})") + "." + parts[1] + "." + parts[2], "token header has no kid"},
        {parts[0] + "." + parts[1] + ".!!", "token signature is not valid base64url"},
        {std::string(kMaxTokenBytes + 1, 'a'), "token is longer than 8192 bytes"},
    };
    for (const auto &c : cases) {
        auto r = verify(c.token, expecting());
        ASSERT_FALSE(r) << c.token;
        EXPECT_EQ(r.error().message, c.message) << c.token;
    }
}

TEST_F(ScopedTokenTest, RefusesSignedClaimsOfTheWrongShape)
{
    json claims = decodePart(split(mint())[1]);
    const json header{{"alg", "EdDSA"}, {"kid", m_kid}};

    json noExp = claims;
    noExp.erase("exp");
    auto r1 = verify(signRaw(header, noExp), expecting());
    ASSERT_FALSE(r1);
    EXPECT_EQ(r1.error().message, "token claim \"exp\" is missing or not an integer");

    json audArray = claims;
    audArray["aud"] = json::array({"https://kanban.example.com/api"});
    auto r2 = verify(signRaw(header, audArray), expecting());
    ASSERT_FALSE(r2);
    EXPECT_EQ(r2.error().message, "token claim \"aud\" is missing or not a string");

    json badScopes = claims;
    badScopes["scopes"] = json::array({1});
    auto r3 = verify(signRaw(header, badScopes), expecting());
    ASSERT_FALSE(r3);
    EXPECT_EQ(r3.error().message, "token claim \"scopes\" contains something other than strings");

    auto r4 = verify(signRaw(header, json::array()), expecting());
    ASSERT_FALSE(r4);
    EXPECT_EQ(r4.error().message, "token claims are not a JSON object");
}

TEST_F(ScopedTokenTest, RefusesSignedTokenLivingLongerThanTenMinutes)
{
    json claims = decodePart(split(mint())[1]);
    claims["exp"] = claims["iat"].get<std::int64_t>() + kMaxLifetimeSeconds + 1;
    auto r = verify(signRaw({{"alg", "EdDSA"}, {"kid", m_kid}}, claims), expecting());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "token lifetime is not between 1 second and 10 minutes");
}

TEST_F(ScopedTokenTest, RefusesToMintForLongerThanTenMinutes)
{
    TokenRequest r = sampleRequest();
    r.lifetimeSeconds = kMaxLifetimeSeconds;
    EXPECT_TRUE(mintToken(m_key, m_kid, kDefaultIssuer, r, kNowMs));
    r.lifetimeSeconds = kMaxLifetimeSeconds + 1;
    auto tooLong = mintToken(m_key, m_kid, kDefaultIssuer, r, kNowMs);
    ASSERT_FALSE(tooLong);
    EXPECT_EQ(tooLong.error().code, ErrorCode::BadRequest);
    EXPECT_EQ(tooLong.error().message, "a scoped token lives 1 to 600 seconds, not 601");
    r.lifetimeSeconds = 0;
    EXPECT_FALSE(mintToken(m_key, m_kid, kDefaultIssuer, r, kNowMs));
}

TEST_F(ScopedTokenTest, RefusesToMintWithoutEveryBinding)
{
    const std::vector<std::pair<std::string TokenRequest::*, std::string>> fields{
        {&TokenRequest::userId, "the user id of a scoped token must not be empty"},
        {&TokenRequest::roomId, "the room id of a scoped token must not be empty"},
        {&TokenRequest::widgetId, "the widget id of a scoped token must not be empty"},
        {&TokenRequest::widgetOrigin, "the widget origin of a scoped token must not be empty"},
        {&TokenRequest::audience, "the audience of a scoped token must not be empty"},
    };
    for (const auto &[field, message] : fields) {
        TokenRequest r = sampleRequest();
        r.*field = "";
        auto minted = mintToken(m_key, m_kid, kDefaultIssuer, r, kNowMs);
        ASSERT_FALSE(minted);
        EXPECT_EQ(minted.error().message, message);
    }
}

TEST_F(ScopedTokenTest, RefusesToMintBeyondItsLimits)
{
    TokenRequest r = sampleRequest();
    r.scopes.assign(kMaxScopes + 1, "s");
    auto many = mintToken(m_key, m_kid, kDefaultIssuer, r, kNowMs);
    ASSERT_FALSE(many);
    EXPECT_EQ(many.error().message, "a scoped token carries at most 64 scopes, not 65");

    r = sampleRequest();
    r.roomId = std::string(kMaxClaimBytes + 1, 'r');
    auto longRoom = mintToken(m_key, m_kid, kDefaultIssuer, r, kNowMs);
    ASSERT_FALSE(longRoom);
    EXPECT_EQ(longRoom.error().message, "room id is longer than 1024 bytes");

    r = sampleRequest();
    r.widgetId = "\xff\xfe";
    auto badUtf8 = mintToken(m_key, m_kid, kDefaultIssuer, r, kNowMs);
    ASSERT_FALSE(badUtf8);
    EXPECT_EQ(badUtf8.error().message, "widget id is not valid UTF-8");

    r = sampleRequest();
    r.scopes = {""};
    auto emptyScope = mintToken(m_key, m_kid, kDefaultIssuer, r, kNowMs);
    ASSERT_FALSE(emptyScope);
    EXPECT_EQ(emptyScope.error().message, "the scope of a scoped token must not be empty");
}

TEST_F(ScopedTokenTest, GivesEveryTokenAUniqueId)
{
    std::set<std::string> ids;
    for (int i = 0; i < 1000; ++i) {
        auto minted = mintToken(m_key, m_kid, kDefaultIssuer, sampleRequest(), kNowMs);
        ASSERT_TRUE(minted);
        ids.insert(minted->claims.tokenId);
    }
    EXPECT_EQ(ids.size(), 1000u);
}

TEST_F(ScopedTokenTest, RefusesLeewayBeyondOneMinute)
{
    VerifyOptions o = expecting();
    o.leewaySeconds = kMaxLeewaySeconds + 1;
    auto r = verify(mint(), o);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "the clock leeway must be 0 to 60 seconds");
}

TEST(TokenVerifier, VerifiesWithAPublishedKeySetAndCannotMint)
{
    auto key = Ed25519Key::generate();
    ASSERT_TRUE(key);
    const std::string kid = keyIdFor(key->publicBytes());
    const json jwks{{"keys", json::array({publicJwk(kid, key->publicBytes())})}};
    EXPECT_FALSE(jwks.dump().find("\"d\"") != std::string::npos);

    auto verifier = TokenVerifier::fromJwks(jwks.dump());
    ASSERT_TRUE(verifier) << verifier.error().message;
    EXPECT_TRUE(verifier->hasKey(kid));
    auto minted = mintToken(*key, kid, kDefaultIssuer, sampleRequest(), kNowMs);
    ASSERT_TRUE(minted);
    VerifyOptions o;
    o.audience = "https://kanban.example.com/api";
    EXPECT_TRUE(verifier->verify(minted->token, o, kNowMs));
    EXPECT_EQ(verifier->toJwks(), jwks);
}

TEST(TokenVerifier, RefusesKeySetsItCannotTrust)
{
    auto key = Ed25519Key::generate();
    ASSERT_TRUE(key);
    const std::string kid = keyIdFor(key->publicBytes());
    json withPrivate = publicJwk(kid, key->publicBytes());
    withPrivate["d"] = text::base64UrlEncode(key->privateSeed());
    json rsa{{"kty", "RSA"}, {"kid", "r"}, {"n", "AQAB"}, {"e", "AQAB"}};
    json shortKey = publicJwk("s", "short");

    struct Case {
        std::string text;
        std::string message;
    };
    const std::vector<Case> cases{
        {"not json", "the key set is not a JSON object"},
        {"{}", "the key set has no \"keys\" array"},
        {json{{"keys", {withPrivate}}}.dump(), "key 0 of the key set contains a private key; publish public keys only"},
        {json{{"keys", {rsa}}}.dump(), "key 0 of the key set is not an Ed25519 key (kty OKP, crv Ed25519)"},
        // Fields of the wrong type are missing fields, not an exception.
        {json{{"keys", {json{{"kty", 1}, {"crv", "Ed25519"}, {"kid", "k"}, {"x", "AA"}}}}}.dump(),
         "key 0 of the key set is not an Ed25519 key (kty OKP, crv Ed25519)"},
        {json{{"keys", {json{{"kty", "OKP"}, {"crv", "Ed25519"}, {"kid", 5}, {"x", "AA"}}}}}.dump(), "key 0 of the key set has no kid"},
        {json{{"keys", {json{{"kty", "OKP"}, {"crv", "Ed25519"}, {"alg", false}, {"kid", "k"}, {"x", "AA"}}}}}.dump(),
         "key 0 of the key set is not an EdDSA key"},
        {json{{"keys", {shortKey}}}.dump(), "key 0 of the key set: an Ed25519 public key is 32 bytes, not 5"},
        {json{{"keys", {publicJwk(kid, key->publicBytes()), publicJwk(kid, key->publicBytes())}}}.dump(),
         "key 1 of the key set repeats the kid \"" + kid + "\""},
    };
    for (const auto &c : cases) {
        auto r = TokenVerifier::fromJwks(c.text);
        ASSERT_FALSE(r) << c.text;
        EXPECT_EQ(r.error().message, c.message);
    }
}

} // namespace
} // namespace tessera::tokens
