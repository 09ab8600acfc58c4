// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
// The OAuth 2.0 pieces that need no server: PKCE, metadata and registration checks, the
// callback and ID token checks, scopes. The flows against a real authorization server
// (oidc-provider) are in e2e/shell/oauth.test.mjs.

#include <gtest/gtest.h>

#include "matrix/oauth.h"
#include "util/text.h"

using namespace tessera;
using namespace tessera::matrix;

namespace {

nlohmann::json goodMetadata(const std::string &issuer = "https://auth.example.org/")
{
    return nlohmann::json{{"issuer", issuer},
                          {"authorization_endpoint", "https://auth.example.org/authorize"},
                          {"token_endpoint", "https://auth.example.org/oauth2/token"},
                          {"registration_endpoint", "https://auth.example.org/oauth2/registration"},
                          {"revocation_endpoint", "https://auth.example.org/oauth2/revoke"},
                          {"account_management_uri", "https://auth.example.org/account"},
                          {"response_types_supported", {"code"}},
                          {"response_modes_supported", {"query", "fragment"}},
                          {"grant_types_supported", {"authorization_code", "refresh_token"}},
                          {"code_challenge_methods_supported", {"S256"}}};
}

std::string jwt(const nlohmann::json &claims)
{
    return text::base64UrlEncode(R"({"alg":"RS256"})") + "." + text::base64UrlEncode(claims.dump()) + ".c2ln";
}

} // namespace

TEST(OAuthPkce, TheS256ChallengeIsRfc7636AppendixB)
{
    EXPECT_EQ(oauth::codeChallengeS256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
              "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

TEST(OAuthPkce, EachAttemptHasFreshSecretsOfTheRightShape)
{
    auto meta = oauth::parseMetadata(goodMetadata(), {}, true);
    ASSERT_TRUE(meta);
    auto a = oauth::newAuthorizationRequest(*meta, "client", "http://127.0.0.1:4000/callback");
    auto b = oauth::newAuthorizationRequest(*meta, "client", "http://127.0.0.1:4000/callback");
    ASSERT_TRUE(a && b);
    EXPECT_NE(a->state, b->state);
    EXPECT_NE(a->codeVerifier, b->codeVerifier);
    EXPECT_NE(a->deviceId, b->deviceId);
    EXPECT_GE(a->codeVerifier.size(), 43u);
    EXPECT_LE(a->codeVerifier.size(), 128u);
    EXPECT_EQ(a->deviceId.size(), 10u);
    EXPECT_EQ(a->scope, "urn:matrix:client:api:* urn:matrix:client:device:" + a->deviceId);
    const std::string url = oauth::authorizationUrl(*meta, *a);
    EXPECT_NE(url.find("code_challenge_method=S256"), std::string::npos);
    EXPECT_NE(url.find("code_challenge=" + oauth::codeChallengeS256(a->codeVerifier)), std::string::npos);
    EXPECT_EQ(url.find(a->codeVerifier), std::string::npos) << "the verifier never leaves Tessera before the exchange";
}

TEST(OAuthMetadata, EndpointsMustBeHttpsExceptOnLoopback)
{
    auto http = goodMetadata();
    http["token_endpoint"] = "http://auth.example.org/token";
    auto r = oauth::parseMetadata(http, {}, true);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("must use https"), std::string::npos) << r.error().message;

    auto loopback = goodMetadata("http://127.0.0.1:8080");
    loopback["token_endpoint"] = "http://127.0.0.1:8080/token";
    EXPECT_TRUE(oauth::parseMetadata(loopback, {}, true));

    auto credentials = goodMetadata();
    credentials["authorization_endpoint"] = "https://user:pw@auth.example.org/authorize";
    EXPECT_FALSE(oauth::parseMetadata(credentials, {}, true));
    auto fragment = goodMetadata();
    fragment["authorization_endpoint"] = "https://auth.example.org/authorize#x";
    EXPECT_FALSE(oauth::parseMetadata(fragment, {}, true));
    auto account = goodMetadata();
    account["account_management_uri"] = "javascript:alert(1)";
    EXPECT_FALSE(oauth::parseMetadata(account, {}, true));
}

TEST(OAuthMetadata, TheIssuerMustBeTheOneTheHomeserverNamed)
{
    auto r = oauth::parseMetadata(goodMetadata("https://evil.example.org/"), "https://auth.example.org/", false);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("issuer mismatch"), std::string::npos) << r.error().message;
    EXPECT_TRUE(oauth::parseMetadata(goodMetadata(), "https://auth.example.org/", false));
}

TEST(OAuthMetadata, PkceS256AndTheCodeFlowAreRequired)
{
    auto noPkce = goodMetadata();
    noPkce["code_challenge_methods_supported"] = {"plain"};
    EXPECT_FALSE(oauth::parseMetadata(noPkce, {}, true));
    auto noCode = goodMetadata();
    noCode["response_types_supported"] = {"token"};
    EXPECT_FALSE(oauth::parseMetadata(noCode, {}, true));
    auto noRefresh = goodMetadata();
    noRefresh["grant_types_supported"] = {"authorization_code"};
    EXPECT_FALSE(oauth::parseMetadata(noRefresh, {}, true));
}

TEST(OAuthMetadata, ScopesFollowWhatTheServerKnows)
{
    auto stable = oauth::parseMetadata(goodMetadata(), {}, true);
    auto unstableDiscovery = oauth::parseMetadata(goodMetadata(), "https://auth.example.org/", false);
    ASSERT_TRUE(stable && unstableDiscovery);
    EXPECT_TRUE(stable->stableScopes);
    EXPECT_FALSE(unstableDiscovery->stableScopes) << "a server found through the unstable MSC2965 endpoints";
    auto listed = goodMetadata();
    listed["scopes_supported"] = {"openid", "urn:matrix:org.matrix.msc2967.client:api:*"};
    auto onlyUnstable = oauth::parseMetadata(listed, {}, true);
    ASSERT_TRUE(onlyUnstable);
    EXPECT_FALSE(onlyUnstable->stableScopes);
    EXPECT_TRUE(onlyUnstable->openIdScope);
    EXPECT_EQ(oauth::scopeFor("DEV1234567", false, true),
              "openid urn:matrix:org.matrix.msc2967.client:api:* urn:matrix:org.matrix.msc2967.client:device:DEV1234567");
}

TEST(OAuthScope, TheDeviceIsReadFromEitherForm)
{
    EXPECT_EQ(oauth::deviceIdFromScope("urn:matrix:client:api:* urn:matrix:client:device:ABC"), "ABC");
    EXPECT_EQ(oauth::deviceIdFromScope("openid urn:matrix:org.matrix.msc2967.client:device:XYZ"), "XYZ");
    EXPECT_EQ(oauth::deviceIdFromScope("urn:matrix:client:device:A urn:matrix:client:device:B"), "") << "two devices";
    EXPECT_EQ(oauth::deviceIdFromScope("urn:matrix:client:api:*"), "");
}

TEST(OAuthRegistration, ARedirectAwayFromLoopbackIsRefused)
{
    auto ok = oauth::parseRegistration({{"client_id", "abc"}, {"redirect_uris", {"http://127.0.0.1/callback"}},
                                        {"token_endpoint_auth_method", "none"}});
    ASSERT_TRUE(ok);
    EXPECT_EQ(*ok, "abc");
    auto remote = oauth::parseRegistration({{"client_id", "abc"}, {"redirect_uris", {"https://attacker.example/callback"}}});
    ASSERT_FALSE(remote);
    EXPECT_NE(remote.error().message.find("not to this computer's loopback address"), std::string::npos) << remote.error().message;
    auto secret = oauth::parseRegistration({{"client_id", "abc"}, {"token_endpoint_auth_method", "client_secret_basic"}});
    EXPECT_FALSE(secret);
    const auto doc = oauth::registrationDocument("Tessera", "https://tessera.invalid/");
    EXPECT_EQ(doc["application_type"], "native");
    EXPECT_EQ(doc["token_endpoint_auth_method"], "none");
    EXPECT_EQ(doc["redirect_uris"], nlohmann::json::array({"http://127.0.0.1/callback"})) << "no port (RFC 8252 §7.3)";
}

TEST(OAuthCallback, StateIssuerAndErrorsAreChecked)
{
    auto meta = oauth::parseMetadata(goodMetadata(), {}, true);
    ASSERT_TRUE(meta);
    meta->issParameter = true;
    auto request = oauth::newAuthorizationRequest(*meta, "client", "http://127.0.0.1:4000/callback");
    ASSERT_TRUE(request);
    const std::string iss = "&iss=" + text::percentEncodeComponent(meta->issuer);
    auto good = oauth::checkCallback(oauth::parseCallbackQuery("code=c0de&state=" + request->state + iss), *request, *meta);
    ASSERT_TRUE(good);
    EXPECT_EQ(*good, "c0de");

    auto forged = oauth::checkCallback(oauth::parseCallbackQuery("code=c0de&state=other" + iss), *request, *meta);
    ASSERT_FALSE(forged);
    EXPECT_NE(forged.error().message.find("state does not match"), std::string::npos);
    EXPECT_FALSE(oauth::checkCallback(oauth::parseCallbackQuery("code=c0de" + iss), *request, *meta));

    auto mixUp = oauth::checkCallback(
        oauth::parseCallbackQuery("code=c0de&state=" + request->state + "&iss=https%3A%2F%2Fevil.example%2F"), *request, *meta);
    ASSERT_FALSE(mixUp);
    EXPECT_NE(mixUp.error().message.find("issuer mismatch"), std::string::npos);
    EXPECT_FALSE(oauth::checkCallback(oauth::parseCallbackQuery("code=c0de&state=" + request->state), *request, *meta))
        << "the server promised iss (RFC 9207)";

    auto denied = oauth::checkCallback(
        oauth::parseCallbackQuery("error=access_denied&error_description=The+user+said+no&state=" + request->state + iss),
        *request, *meta);
    ASSERT_FALSE(denied);
    EXPECT_NE(denied.error().message.find("declined in the browser (The user said no)"), std::string::npos)
        << denied.error().message;
}

TEST(OAuthIdToken, IssuerAudienceExpiryAndNonceAreChecked)
{
    const std::int64_t now = 1'700'000'000'000;
    const nlohmann::json claims = {{"iss", "https://auth.example.org/"}, {"aud", "client"}, {"exp", now / 1000 + 300}, {"nonce", "n1"}};
    EXPECT_TRUE(oauth::checkIdToken(jwt(claims), "https://auth.example.org/", "client", "n1", now));
    auto otherNonce = oauth::checkIdToken(jwt(claims), "https://auth.example.org/", "client", "n2", now);
    ASSERT_FALSE(otherNonce);
    EXPECT_NE(otherNonce.error().message.find("nonce"), std::string::npos);
    EXPECT_FALSE(oauth::checkIdToken(jwt(claims), "https://auth.example.org/", "someone-else", "n1", now));
    EXPECT_FALSE(oauth::checkIdToken(jwt(claims), "https://other.example.org/", "client", "n1", now));
    EXPECT_FALSE(oauth::checkIdToken(jwt(claims), "https://auth.example.org/", "client", "n1", now + 3'600'000));
    EXPECT_FALSE(oauth::checkIdToken("not-a-jwt", "https://auth.example.org/", "client", "n1", now));
}

TEST(OAuthTokens, TheAnswerMustBeABearerToken)
{
    auto t = oauth::parseTokenResponse({{"access_token", "a"}, {"token_type", "Bearer"}, {"expires_in", 300},
                                        {"refresh_token", "r"}, {"scope", "urn:matrix:client:api:*"}});
    ASSERT_TRUE(t);
    EXPECT_EQ(t->expiresInMs, 300'000);
    EXPECT_FALSE(oauth::parseTokenResponse({{"access_token", "a"}, {"token_type", "mac"}}));
    EXPECT_FALSE(oauth::parseTokenResponse({{"token_type", "Bearer"}}));
}
