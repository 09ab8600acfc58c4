// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
// Discovery, login, logout, whoami and access-token errors against the loopback homeserver.

#include "matrixhttp.h"

namespace tessera::e2e::testing {
namespace {

using nlohmann::json;

class Account : public HomeserverTest {};

TEST_F(Account, VersionsAdvertiseV1SpecReleasesAndDelayedEvents)
{
    const HttpResult r = anonymous().get("/_matrix/client/versions");
    ASSERT_EQ(r.status, 200);
    const json versions = r.json["versions"];
    EXPECT_NE(std::find(versions.begin(), versions.end(), "v1.11"), versions.end());
    EXPECT_TRUE(r.json["unstable_features"]["org.matrix.msc4140"].get<bool>());
}

TEST_F(Account, WellKnownPointsAtTheServersOwnBaseUrl)
{
    const HttpResult r = anonymous().get("/.well-known/matrix/client");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.json["m.homeserver"]["base_url"], server->baseUrl());
    EXPECT_FALSE(r.json.contains("org.matrix.msc2965.authentication"));
}

TEST_F(Account, LoginFlowsOfferPasswordLogin)
{
    const HttpResult r = anonymous().get("/_matrix/client/v3/login");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.json["flows"][0]["type"], "m.login.password");
}

TEST_F(Account, PasswordLoginWithUserIdentifierReturnsTokenAndDevice)
{
    const HttpResult r = anonymous().post(
        "/_matrix/client/v3/login",
        {{"type", "m.login.password"}, {"identifier", {{"type", "m.id.user"}, {"user", "alice"}}},
         {"password", "alice-password"}, {"device_id", "PHONE"}});
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json["user_id"], "@alice:tessera.test");
    EXPECT_EQ(r.json["device_id"], "PHONE");
    EXPECT_EQ(r.json["home_server"], "tessera.test");
    const HttpResult who = MatrixHttp(server->port(), r.json["access_token"]).get("/_matrix/client/v3/account/whoami");
    ASSERT_EQ(who.status, 200);
    EXPECT_EQ(who.json["user_id"], "@alice:tessera.test");
    EXPECT_EQ(who.json["device_id"], "PHONE");
    EXPECT_EQ(who.json["is_guest"], false);
}

TEST_F(Account, LegacyUserFieldAndFullUserIdBothLogIn)
{
    const HttpResult legacy = anonymous().post(
        "/_matrix/client/v3/login", {{"type", "m.login.password"}, {"user", "bob"}, {"password", "bob-password"}});
    EXPECT_EQ(legacy.status, 200) << legacy.body;
    const HttpResult full = anonymous().post(
        "/_matrix/client/r0/login",
        {{"type", "m.login.password"},
         {"identifier", {{"type", "m.id.user"}, {"user", "@bob:tessera.test"}}},
         {"password", "bob-password"}});
    EXPECT_EQ(full.status, 200) << full.body;
    EXPECT_NE(legacy.json["device_id"], full.json["device_id"]);
}

TEST_F(Account, WrongPasswordAndUnknownUserAreForbiddenAlike)
{
    for (const std::string user : {"alice", "nobody"}) {
        const HttpResult r = anonymous().post(
            "/_matrix/client/v3/login", {{"type", "m.login.password"}, {"user", user}, {"password", "wrong"}});
        EXPECT_EQ(r.status, 403);
        EXPECT_EQ(r.errcode(), "M_FORBIDDEN");
        EXPECT_EQ(r.error(), "Invalid username or password");
    }
}

TEST_F(Account, MalformedLoginRequestsGetSynapsesErrors)
{
    MatrixHttp http = anonymous();
    HttpResult r = http.postRaw("/_matrix/client/v3/login", "{not json", "application/json");
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.errcode(), "M_NOT_JSON");

    r = http.postRaw("/_matrix/client/v3/login", "[1,2]", "application/json");
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.errcode(), "M_BAD_JSON");

    r = http.post("/_matrix/client/v3/login", {{"user", "alice"}, {"password", "x"}});
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.error(), "Missing JSON keys.");

    r = http.post("/_matrix/client/v3/login", {{"type", "m.login.password"}, {"user", "alice"}});
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.errcode(), "M_INVALID_PARAM");
    EXPECT_EQ(r.error(), "Bad parameter: password");

    r = http.post("/_matrix/client/v3/login", {{"type", "m.login.bogus"}});
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.error(), "Unknown login type m.login.bogus");

    r = http.post("/_matrix/client/v3/login",
                  {{"type", "m.login.password"}, {"identifier", {{"type", "m.id.phone"}}}, {"password", "x"}});
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.error(), "Unknown login identifier type");

    r = http.post("/_matrix/client/v3/login",
                  {{"type", "m.login.password"}, {"identifier", {{"type", "m.id.user"}}}, {"password", "x"}});
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.error(), "User identifier is missing 'user' key");
}

TEST_F(Account, MissingTokenAndUnknownTokenAreDistinct401s)
{
    HttpResult r = anonymous().get("/_matrix/client/v3/account/whoami");
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.errcode(), "M_MISSING_TOKEN");

    r = MatrixHttp(server->port(), "syt_not_a_token").get("/_matrix/client/v3/account/whoami");
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.errcode(), "M_UNKNOWN_TOKEN");
    EXPECT_EQ(r.json["soft_logout"], false);
}

TEST_F(Account, AccessTokenIsAlsoAcceptedAsQueryParameter)
{
    const HttpResult r = anonymous().get("/_matrix/client/v3/account/whoami?access_token=" + enc(bob.accessToken));
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.json["user_id"], bob.userId);
}

TEST_F(Account, LogoutInvalidatesOnlyThatToken)
{
    auto second = server->login("alice");
    ASSERT_TRUE(second);
    EXPECT_EQ(as(alice).post("/_matrix/client/v3/logout").status, 200);
    EXPECT_EQ(as(alice).get("/_matrix/client/v3/account/whoami").errcode(), "M_UNKNOWN_TOKEN");
    EXPECT_EQ(as(*second).get("/_matrix/client/v3/account/whoami").status, 200);

    EXPECT_EQ(as(*second).post("/_matrix/client/v3/logout/all").status, 200);
    EXPECT_EQ(as(*second).get("/_matrix/client/v3/account/whoami").errcode(), "M_UNKNOWN_TOKEN");
    EXPECT_EQ(as(bob).get("/_matrix/client/v3/account/whoami").status, 200);
}

TEST_F(Account, UnknownEndpointIs404AndWrongMethodIs405Unrecognized)
{
    HttpResult r = as(alice).get("/_matrix/client/v3/no_such_thing");
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(r.errcode(), "M_UNRECOGNIZED");
    r = as(alice).del("/_matrix/client/v3/account/whoami");
    EXPECT_EQ(r.status, 405);
    EXPECT_EQ(r.errcode(), "M_UNRECOGNIZED");
}

TEST_F(Account, OversizedJsonBodyIsRefusedWith413)
{
    const std::string big = "{\"x\":\"" + std::string(1024 * 1024 + 10, 'a') + "\"}";
    const HttpResult r = as(alice).postRaw("/_matrix/client/v3/createRoom", big, "application/json");
    EXPECT_EQ(r.status, 413);
    EXPECT_EQ(r.errcode(), "M_TOO_LARGE");
}

class DelegatedOidc : public HomeserverTest {
protected:
    void adjust(HomeserverOptions &options) override { options.delegatedOidcIssuer = "https://auth.tessera.test/"; }
};

TEST_F(DelegatedOidc, AdvertisesTheIssuerAndNoPasswordFlow)
{
    MatrixHttp http = anonymous();
    const HttpResult flows = http.get("/_matrix/client/v3/login");
    ASSERT_EQ(flows.status, 200);
    for (const json &flow : flows.json["flows"]) {
        EXPECT_NE(flow["type"], "m.login.password");
    }
    const HttpResult issuer = http.get("/_matrix/client/unstable/org.matrix.msc2965/auth_issuer");
    ASSERT_EQ(issuer.status, 200);
    EXPECT_EQ(issuer.json["issuer"], "https://auth.tessera.test/");
    const HttpResult metadata = http.get("/_matrix/client/v1/auth_metadata");
    ASSERT_EQ(metadata.status, 200);
    EXPECT_EQ(metadata.json["authorization_endpoint"], "https://auth.tessera.test/authorize");
    const HttpResult wellKnown = http.get("/.well-known/matrix/client");
    EXPECT_EQ(wellKnown.json["org.matrix.msc2965.authentication"]["issuer"], "https://auth.tessera.test/");
}

TEST_F(DelegatedOidc, PasswordLoginIsRefused)
{
    const HttpResult r = anonymous().post(
        "/_matrix/client/v3/login", {{"type", "m.login.password"}, {"user", "alice"}, {"password", "alice-password"}});
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.error(), "Unknown login type m.login.password");
}

TEST_F(Account, AuthIssuerIsUnrecognizedWithoutDelegation)
{
    const HttpResult r = anonymous().get("/_matrix/client/unstable/org.matrix.msc2965/auth_issuer");
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(r.errcode(), "M_UNRECOGNIZED");
}

} // namespace
} // namespace tessera::e2e::testing
