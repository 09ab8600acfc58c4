// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
// OpenID, media, profile, user directory, TURN and delayed events (MSC4140).

#include <algorithm>
#include <thread>

#include "matrixhttp.h"

namespace tessera::e2e::testing {
namespace {

using nlohmann::json;

class OpenId : public HomeserverTest {};

TEST_F(OpenId, TokenIsVerifiableThroughFederationUserinfo)
{
    const HttpResult token = as(bob).post("/_matrix/client/v3/user/" + enc(bob.userId) + "/openid/request_token");
    ASSERT_EQ(token.status, 200) << token.body;
    EXPECT_EQ(token.json["token_type"], "Bearer");
    EXPECT_EQ(token.json["matrix_server_name"], "tessera.test");
    EXPECT_EQ(token.json["expires_in"], 3600);
    const HttpResult info = anonymous().get("/_matrix/federation/v1/openid/userinfo?access_token=" +
                                            enc(token.json["access_token"]));
    ASSERT_EQ(info.status, 200);
    EXPECT_EQ(info.json["sub"], bob.userId);
}

TEST_F(OpenId, UnknownOrMissingTokenIsRefused)
{
    HttpResult r = anonymous().get("/_matrix/federation/v1/openid/userinfo?access_token=forged");
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.errcode(), "M_UNKNOWN_TOKEN");
    r = anonymous().get("/_matrix/federation/v1/openid/userinfo");
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.errcode(), "M_MISSING_TOKEN");
    // The Matrix access token is not an OpenID token.
    r = anonymous().get("/_matrix/federation/v1/openid/userinfo?access_token=" + enc(bob.accessToken));
    EXPECT_EQ(r.errcode(), "M_UNKNOWN_TOKEN");
}

TEST_F(OpenId, CannotRequestTokensForOthers)
{
    const HttpResult r = as(bob).post("/_matrix/client/v3/user/" + enc(alice.userId) + "/openid/request_token");
    EXPECT_EQ(r.status, 403);
    EXPECT_EQ(r.error(), "Cannot request tokens for other users.");
}

class ShortOpenId : public HomeserverTest {
protected:
    void adjust(HomeserverOptions &options) override { options.openIdTokenLifetimeMs = 1; }
};

TEST_F(ShortOpenId, ExpiredTokenIsUnknown)
{
    const HttpResult token = as(bob).post("/_matrix/client/v3/user/" + enc(bob.userId) + "/openid/request_token");
    ASSERT_EQ(token.status, 200);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    const HttpResult r = anonymous().get("/_matrix/federation/v1/openid/userinfo?access_token=" +
                                         enc(token.json["access_token"]));
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.error(), "Access Token unknown or expired");
}

class Media : public HomeserverTest {};

TEST_F(Media, ConfigAdvertisesUploadSize)
{
    for (const std::string path : {"/_matrix/client/v1/media/config", "/_matrix/media/v3/config"}) {
        const HttpResult r = as(bob).get(path);
        ASSERT_EQ(r.status, 200) << path;
        EXPECT_EQ(r.json["m.upload.size"], 4096);
    }
}

TEST_F(Media, UploadThenDownloadThroughBothApis)
{
    const std::string bytes = std::string("\x89PNG\r\n\x1a\n", 8) + std::string(100, '\0');
    const HttpResult up = as(bob).postRaw("/_matrix/media/v3/upload?filename=pic.png", bytes, "image/png");
    ASSERT_EQ(up.status, 200) << up.body;
    const std::string uri = up.json["content_uri"];
    ASSERT_EQ(uri.rfind("mxc://tessera.test/", 0), 0u);
    const std::string mediaId = uri.substr(std::string("mxc://tessera.test/").size());
    EXPECT_EQ(server->mediaContent(uri), bytes);

    const HttpResult v1 = as(alice).get("/_matrix/client/v1/media/download/tessera.test/" + mediaId);
    ASSERT_EQ(v1.status, 200);
    EXPECT_EQ(v1.body, bytes);
    const auto type = v1.headers.find("Content-Type");
    ASSERT_NE(type, v1.headers.end());
    EXPECT_EQ(type->second, "image/png");
    const auto disposition = v1.headers.find("Content-Disposition");
    ASSERT_NE(disposition, v1.headers.end());
    EXPECT_NE(disposition->second.find("pic.png"), std::string::npos);

    const HttpResult legacy = anonymous().get("/_matrix/media/v3/download/tessera.test/" + mediaId + "/other.png");
    ASSERT_EQ(legacy.status, 200);
    EXPECT_EQ(legacy.body, bytes);
}

TEST_F(Media, AuthenticatedDownloadNeedsAToken)
{
    const HttpResult up = as(bob).postRaw("/_matrix/media/v3/upload", "x", "text/plain");
    const std::string mediaId = up.json["content_uri"].get<std::string>().substr(19);
    const HttpResult r = anonymous().get("/_matrix/client/v1/media/download/tessera.test/" + mediaId);
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.errcode(), "M_MISSING_TOKEN");
}

TEST_F(Media, TooLargeUploadIs413AndNothingIsStored)
{
    const HttpResult r = as(bob).postRaw("/_matrix/media/v3/upload", std::string(4097, 'x'), "application/octet-stream");
    EXPECT_EQ(r.status, 413);
    EXPECT_EQ(r.errcode(), "M_TOO_LARGE");
    EXPECT_EQ(r.error(), "Upload request body is too large");
    const HttpResult exact = as(bob).postRaw("/_matrix/media/v3/upload", std::string(4096, 'x'), "text/plain");
    EXPECT_EQ(exact.status, 200) << "exactly m.upload.size is allowed";
}

TEST_F(Media, WayTooLargeUploadIsRefusedBeforeItIsRead)
{
    const HttpResult r = as(bob).postRaw("/_matrix/media/v3/upload", std::string(5 * 1024 * 1024, 'x'), "text/plain");
    // Past the drain limit the server answers without reading; the client may only see a reset.
    if (r.connected) {
        EXPECT_EQ(r.status, 413);
        EXPECT_EQ(r.errcode(), "M_TOO_LARGE");
    }
    EXPECT_EQ(as(bob).get("/_matrix/media/v3/config").status, 200) << "the server still serves";
}

TEST_F(Media, UnknownMediaIs404)
{
    const HttpResult r = as(bob).get("/_matrix/client/v1/media/download/tessera.test/doesnotexist");
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(r.errcode(), "M_NOT_FOUND");
}

class LegacyMedia : public HomeserverTest {
protected:
    void adjust(HomeserverOptions &options) override { options.legacyMediaOnly = true; }
};

TEST_F(LegacyMedia, V1EndpointsAreUnrecognizedAndVersionsStopAtV110)
{
    const HttpResult up = as(bob).postRaw("/_matrix/media/v3/upload", "legacy", "text/plain");
    ASSERT_EQ(up.status, 200);
    const std::string mediaId = up.json["content_uri"].get<std::string>().substr(19);
    HttpResult r = as(bob).get("/_matrix/client/v1/media/download/tessera.test/" + mediaId);
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(r.errcode(), "M_UNRECOGNIZED");
    r = as(bob).get("/_matrix/client/v1/media/config");
    EXPECT_EQ(r.errcode(), "M_UNRECOGNIZED");
    r = as(bob).get("/_matrix/media/v3/download/tessera.test/" + mediaId);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "legacy");
    const json versions = anonymous().get("/_matrix/client/versions").json["versions"];
    EXPECT_EQ(std::find(versions.begin(), versions.end(), "v1.11"), versions.end());
}

TEST_F(LegacyMedia, CanBeSwitchedAtRuntime)
{
    server->setLegacyMediaOnly(false);
    EXPECT_EQ(as(bob).get("/_matrix/client/v1/media/config").status, 200);
}

class Profile : public HomeserverTest {};

TEST_F(Profile, ReadAndSetDisplayNamePropagatesToRooms)
{
    const std::string roomId = sharedRoom();
    HttpResult r = anonymous().get("/_matrix/client/v3/profile/" + enc(bob.userId));
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.json["displayname"], "Bob");
    r = as(bob).put("/_matrix/client/v3/profile/" + enc(bob.userId) + "/displayname", {{"displayname", "Robert"}});
    ASSERT_EQ(r.status, 200) << r.body;
    r = anonymous().get("/_matrix/client/v3/profile/" + enc(bob.userId) + "/displayname");
    EXPECT_EQ(r.json["displayname"], "Robert");
    EXPECT_EQ(server->stateEvent(roomId, "m.room.member", bob.userId)->at("content")["displayname"], "Robert");
    ASSERT_EQ(as(bob).put("/_matrix/client/v3/profile/" + enc(bob.userId) + "/avatar_url",
                          {{"avatar_url", "mxc://tessera.test/face"}})
                  .status,
              200);
    EXPECT_EQ(anonymous().get("/_matrix/client/v3/profile/" + enc(bob.userId)).json["avatar_url"],
              "mxc://tessera.test/face");
}

TEST_F(Profile, Errors)
{
    HttpResult r = anonymous().get("/_matrix/client/v3/profile/" + enc("@ghost:tessera.test"));
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(r.error(), "Profile was not found");
    r = as(bob).put("/_matrix/client/v3/profile/" + enc(alice.userId) + "/displayname", {{"displayname", "x"}});
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.error(), "Cannot set another user's displayname");
    r = as(bob).put("/_matrix/client/v3/profile/" + enc(bob.userId) + "/displayname", json::object());
    EXPECT_EQ(r.errcode(), "M_MISSING_PARAM");
}

class Directory : public HomeserverTest {};

TEST_F(Directory, FindsUsersSharingARoomAndReportsLimited)
{
    ASSERT_TRUE(server->createUser("carol", "pw", "Carol"));
    ASSERT_TRUE(server->createUser("caroline", "pw", "Caroline"));
    ASSERT_TRUE(server->createUser("hermit", "pw", "Carolus the hermit"));
    RoomSpec spec;
    spec.creator = "alice";
    spec.join = {"bob", "carol", "caroline"};
    ASSERT_TRUE(server->createRoom(spec));

    HttpResult r = as(bob).post("/_matrix/client/v3/user_directory/search", {{"search_term", "carol"}});
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_FALSE(r.json["limited"].get<bool>());
    ASSERT_EQ(r.json["results"].size(), 2u) << "the hermit shares no room with bob";
    EXPECT_EQ(r.json["results"][0]["user_id"], "@carol:tessera.test");
    EXPECT_EQ(r.json["results"][0]["display_name"], "Carol");

    r = as(bob).post("/_matrix/client/v3/user_directory/search", {{"search_term", "carol"}, {"limit", 1}});
    EXPECT_EQ(r.json["results"].size(), 1u);
    EXPECT_TRUE(r.json["limited"].get<bool>());

    r = as(bob).post("/_matrix/client/v3/user_directory/search", {{"limit", 1}});
    EXPECT_EQ(r.status, 400);
}

class Turn : public HomeserverTest {};

TEST_F(Turn, UnconfiguredAnswersEmptyObjectThenConfiguredCredentials)
{
    HttpResult r = as(bob).get("/_matrix/client/v3/voip/turnServer");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.json, json::object());
    server->setTurnServer(TurnServerConfig{{"turn:turn.tessera.test:3478?transport=udp"}, "user", "pass", 600});
    r = as(bob).get("/_matrix/client/v3/voip/turnServer");
    EXPECT_EQ(r.json["uris"][0], "turn:turn.tessera.test:3478?transport=udp");
    EXPECT_EQ(r.json["username"], "user");
    EXPECT_EQ(r.json["password"], "pass");
    EXPECT_EQ(r.json["ttl"], 600);
}

class DelayedEvents : public HomeserverTest {
protected:
    const std::string kDelayed = "/_matrix/client/unstable/org.matrix.msc4140/delayed_events";
};

TEST_F(DelayedEvents, SendActionDeliversAtOnceAndCancelDropsIt)
{
    const std::string roomId = sharedRoom();
    HttpResult r = as(bob).put(roomPath(roomId, "/send/m.room.message/d1?org.matrix.msc4140.delay=600000"),
                               {{"body", "later"}});
    ASSERT_EQ(r.status, 200) << r.body;
    const std::string first = r.json["delay_id"];
    r = as(bob).put(roomPath(roomId, "/state/org.example.call/" + enc(bob.userId) + "?org.matrix.msc4140.delay=600000"),
                    {{"left", true}});
    ASSERT_EQ(r.status, 200) << r.body;
    const std::string second = r.json["delay_id"];
    EXPECT_EQ(server->pendingDelayedEventCount(), 2u);
    EXPECT_EQ(as(bob).get(kDelayed).json["delayed_events"].size(), 2u);

    EXPECT_EQ(as(bob).post(kDelayed + "/" + second, {{"action", "restart"}}).status, 200);
    EXPECT_EQ(server->pendingDelayedEventCount(), 2u) << "a restarted delayed event is still pending";
    EXPECT_EQ(as(alice).post(kDelayed + "/" + first, {{"action", "send"}}).status, 404)
        << "only the owner may act on a delayed event";
    EXPECT_EQ(as(bob).post(kDelayed + "/" + first, {{"action", "send"}}).status, 200);
    EXPECT_EQ(server->countEvents(roomId, "m.room.message"), 1u);
    EXPECT_EQ(as(bob).post(kDelayed + "/" + second, {{"action", "cancel"}}).status, 200);
    EXPECT_EQ(server->pendingDelayedEventCount(), 0u);
    EXPECT_FALSE(server->stateEvent(roomId, "org.example.call", bob.userId));
    r = as(bob).post(kDelayed + "/" + second, {{"action", "restart"}});
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(r.errcode(), "M_NOT_FOUND");
}

TEST_F(DelayedEvents, TimerSendsWhenDue)
{
    const std::string roomId = sharedRoom();
    const HttpResult r = as(bob).put(roomPath(roomId, "/send/m.room.message/d?org.matrix.msc4140.delay=20"),
                                     {{"body", "timed"}});
    ASSERT_EQ(r.status, 200);
    for (int i = 0; i < 5000 && server->countEvents(roomId, "m.room.message") == 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ASSERT_EQ(server->countEvents(roomId, "m.room.message"), 1u);
    EXPECT_EQ(server->pendingDelayedEventCount(), 0u);
    EXPECT_EQ(server->roomEvents(roomId, "m.room.message")[0]["content"]["body"], "timed");
}

TEST_F(DelayedEvents, OtherUsersStateChangeCancelsDelayedState)
{
    RoomSpec spec;
    spec.creator = "alice";
    spec.join = {"bob"};
    spec.powerLevelContentOverride = {{"state_default", 0}};
    const std::string roomId = *server->createRoom(spec);
    ASSERT_EQ(as(bob).put(roomPath(roomId, "/state/org.example.s/key?org.matrix.msc4140.delay=600000"), {{"v", 1}})
                  .status,
              200);
    ASSERT_EQ(as(alice).put(roomPath(roomId, "/state/org.example.s/key"), {{"v", 2}}).status, 200);
    EXPECT_EQ(server->pendingDelayedEventCount(), 0u);
}

TEST_F(DelayedEvents, Errors)
{
    const std::string roomId = sharedRoom();
    HttpResult r = as(bob).put(roomPath(roomId, "/send/m.room.message/e?org.matrix.msc4140.delay=soon"), {{"b", 1}});
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.errcode(), "M_INVALID_PARAM");
    r = as(bob).put(roomPath(roomId, "/send/m.room.message/f?org.matrix.msc4140.delay=999999999999"), {{"b", 1}});
    EXPECT_EQ(r.status, 403);
    EXPECT_NE(r.error().find("exceeds the allowed maximum"), std::string::npos);
    r = as(bob).post(kDelayed + "/whatever", json::object());
    EXPECT_EQ(r.errcode(), "M_MISSING_PARAM");
    r = as(bob).post(kDelayed + "/whatever", {{"action", "explode"}});
    EXPECT_EQ(r.errcode(), "M_INVALID_PARAM");
}

class ClientStart : public HomeserverTest {};

// What matrix-js-sdk reads before its first sync: it retries without end when these are missing.
TEST_F(ClientStart, PushRulesAreTheSpecDefaultsAndCapabilitiesNameTheRoomVersions)
{
    auto r = as(alice).get("/_matrix/client/v3/pushrules/");
    ASSERT_EQ(r.status, 200) << r.body;
    const json global = r.json["global"];
    for (const char *kind : {"override", "content", "room", "sender", "underride"}) {
        EXPECT_TRUE(global[kind].is_array()) << kind;
    }
    EXPECT_EQ(global["override"][0]["rule_id"], ".m.rule.master");
    EXPECT_FALSE(global["override"][0]["enabled"].get<bool>());
    EXPECT_EQ(global["content"][0]["pattern"], "alice");
    EXPECT_TRUE(std::any_of(global["underride"].begin(), global["underride"].end(),
                            [](const json &rule) { return rule["rule_id"] == ".m.rule.encrypted"; }));
    EXPECT_EQ(anonymous().get("/_matrix/client/v3/pushrules/").status, 401);

    r = as(alice).get("/_matrix/client/v3/capabilities");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json["capabilities"]["m.room_versions"]["default"], "10");
    EXPECT_EQ(r.json["capabilities"]["m.room_versions"]["available"]["11"], "stable");
}

} // namespace
} // namespace tessera::e2e::testing
