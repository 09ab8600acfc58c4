// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
// End-to-end encryption endpoints: device and one-time keys, fallback keys, device lists in
// /sync and /keys/changes, cross-signing keys and signatures, server-side key backup.

#include <chrono>
#include <future>
#include <thread>

#include "matrixhttp.h"

namespace tessera::e2e::testing {
namespace {

using nlohmann::json;

const std::string kKeys = "/_matrix/client/v3/keys";
const std::string kRoomKeys = "/_matrix/client/v3/room_keys";

json deviceKeys(const Session &who, const std::string &curve = "curve-key")
{
    return json{{"user_id", who.userId},
                {"device_id", who.deviceId},
                {"algorithms", {"m.olm.v1.curve25519-aes-sha2", "m.megolm.v1.aes-sha2"}},
                {"keys",
                 {{"curve25519:" + who.deviceId, curve}, {"ed25519:" + who.deviceId, "ed-" + who.deviceId}}},
                {"signatures", {{who.userId, {{"ed25519:" + who.deviceId, "sig"}}}}}};
}

json signedKey(const Session &who, const std::string &key)
{
    return json{{"key", key}, {"signatures", {{who.userId, {{"ed25519:" + who.deviceId, "sig-" + key}}}}}};
}

class Keys : public HomeserverTest {
protected:
    HttpResult upload(const Session &who, const json &body) { return as(who).post(kKeys + "/upload", body); }

    HttpResult sync(const Session &who, const std::string &since = {})
    {
        return as(who).get("/_matrix/client/v3/sync" + (since.empty() ? std::string() : "?since=" + enc(since)));
    }

    static std::vector<std::string> list(const json &value)
    {
        std::vector<std::string> out;
        if (value.is_array()) {
            for (const json &v : value) {
                out.push_back(v.get<std::string>());
            }
        }
        return out;
    }
};

TEST_F(Keys, UploadedDeviceKeysAreQueriedWithTheDeviceDisplayName)
{
    // A login over HTTP names the device.
    auto login = anonymous().post("/_matrix/client/v3/login",
                                  {{"type", "m.login.password"},
                                   {"identifier", {{"type", "m.id.user"}, {"user", "alice"}}},
                                   {"password", "alice-password"},
                                   {"initial_device_display_name", "Alice's laptop"}});
    ASSERT_EQ(login.status, 200) << login.body;
    Session laptop{login.json["user_id"], login.json["device_id"], login.json["access_token"]};
    auto r = upload(laptop, {{"device_keys", deviceKeys(laptop)}});
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json["one_time_key_counts"], json({{"signed_curve25519", 0}}));

    auto q = as(bob).post(kKeys + "/query", {{"device_keys", {{alice.userId, json::array()}}}});
    ASSERT_EQ(q.status, 200) << q.body;
    const json devices = q.json["device_keys"][alice.userId];
    ASSERT_TRUE(devices.contains(laptop.deviceId)) << q.body;
    EXPECT_FALSE(devices.contains(alice.deviceId)) << "a device that uploaded no keys is not listed";
    EXPECT_EQ(devices[laptop.deviceId]["keys"], deviceKeys(laptop)["keys"]);
    EXPECT_EQ(devices[laptop.deviceId]["unsigned"]["device_display_name"], "Alice's laptop");
    EXPECT_TRUE(q.json["failures"].is_object());

    // Asking for one device by id; an unknown local user gives an empty map.
    q = as(bob).post(kKeys + "/query", {{"device_keys", {{alice.userId, {laptop.deviceId}}, {"@nobody:tessera.test", json::array()}}}});
    EXPECT_EQ(q.json["device_keys"][alice.userId].size(), 1u);
    EXPECT_EQ(q.json["device_keys"]["@nobody:tessera.test"], json::object());
    // Another server cannot be reached: a failure for it, as Synapse reports an unreachable one.
    q = as(bob).post(kKeys + "/query", {{"device_keys", {{"@carol:elsewhere.test", json::array()}}}});
    EXPECT_TRUE(q.json["failures"].contains("elsewhere.test")) << q.body;
}

TEST_F(Keys, UploadRefusesKeysOfAnotherUserOrDeviceAndMalformedBodies)
{
    json keys = deviceKeys(alice);
    keys["user_id"] = bob.userId;
    auto r = upload(alice, {{"device_keys", keys}});
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.errcode(), "M_BAD_JSON");
    EXPECT_NE(r.error().find("user_id"), std::string::npos) << r.error();

    keys = deviceKeys(alice);
    keys["device_id"] = "OTHER";
    r = upload(alice, {{"device_keys", keys}});
    EXPECT_EQ(r.status, 400);
    EXPECT_NE(r.error().find("device_id"), std::string::npos) << r.error();

    keys = deviceKeys(alice);
    keys.erase("keys");
    r = upload(alice, {{"device_keys", keys}});
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.errcode(), "M_BAD_JSON");

    r = upload(alice, {{"one_time_keys", {{"no-colon", "k"}}}});
    EXPECT_EQ(r.status, 400);
    EXPECT_NE(r.error().find("no-colon"), std::string::npos) << r.error();
    r = upload(alice, {{"one_time_keys", {{"signed_curve25519:A", {{"key", 5}}}}}});
    EXPECT_EQ(r.status, 400);

    auto q = as(bob).post(kKeys + "/query", {{"device_keys", json::array()}});
    EXPECT_EQ(q.status, 400);
    EXPECT_EQ(q.errcode(), "M_INVALID_PARAM");
    q = as(bob).post(kKeys + "/query", {{"device_keys", {{alice.userId, "ALICEDEV"}}}});
    EXPECT_EQ(q.status, 400);
    EXPECT_EQ(q.error(), "'device_keys' values must be a list of strings");
}

TEST_F(Keys, OneTimeKeysAreCountedClaimedOnceAndNeverReplacedByOtherContent)
{
    auto r = upload(alice, {{"one_time_keys",
                             {{"signed_curve25519:AAAA", signedKey(alice, "k1")},
                              {"signed_curve25519:AAAB", signedKey(alice, "k2")}}}});
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json["one_time_key_counts"]["signed_curve25519"], 2);

    // The same key again is accepted without a second copy; other content under its id is refused.
    r = upload(alice, {{"one_time_keys", {{"signed_curve25519:AAAA", signedKey(alice, "k1")}}}});
    EXPECT_EQ(r.json["one_time_key_counts"]["signed_curve25519"], 2);
    r = upload(alice, {{"one_time_keys",
                        {{"signed_curve25519:AAAC", signedKey(alice, "k3")},
                         {"signed_curve25519:AAAA", signedKey(alice, "different")}}}});
    EXPECT_EQ(r.status, 400);
    EXPECT_NE(r.error().find("One time key signed_curve25519:AAAA already exists"), std::string::npos) << r.error();
    EXPECT_EQ(sync(alice).json["device_one_time_keys_count"]["signed_curve25519"], 2)
        << "a refused upload stores none of its keys";

    auto claim = as(bob).post(kKeys + "/claim",
                              {{"one_time_keys", {{alice.userId, {{alice.deviceId, "signed_curve25519"}}}}}});
    ASSERT_EQ(claim.status, 200) << claim.body;
    const json got = claim.json["one_time_keys"][alice.userId][alice.deviceId];
    ASSERT_EQ(got.size(), 1u) << claim.body;
    EXPECT_EQ(got.begin().key(), "signed_curve25519:AAAA") << "the oldest key goes first";
    EXPECT_EQ(got.begin().value(), signedKey(alice, "k1"));
    EXPECT_EQ(sync(alice).json["device_one_time_keys_count"]["signed_curve25519"], 1);

    claim = as(bob).post(kKeys + "/claim", {{"one_time_keys", {{alice.userId, {{alice.deviceId, "signed_curve25519"}}}}}});
    EXPECT_EQ(claim.json["one_time_keys"][alice.userId][alice.deviceId].begin().key(), "signed_curve25519:AAAB");
    // None left and no fallback key: nothing for that device.
    claim = as(bob).post(kKeys + "/claim", {{"one_time_keys", {{alice.userId, {{alice.deviceId, "signed_curve25519"}}}}}});
    EXPECT_EQ(claim.json["one_time_keys"], json::object()) << claim.body;
    EXPECT_EQ(sync(alice).json["device_one_time_keys_count"], json({{"signed_curve25519", 0}}));
}

TEST_F(Keys, FallbackKeyIsHandedOutWhenOneTimeKeysRunOutAndMarkedUsed)
{
    json fallback = signedKey(alice, "fb");
    fallback["fallback"] = true;
    ASSERT_EQ(upload(alice, {{"fallback_keys", {{"signed_curve25519:FB1", fallback}}}}).status, 200);
    EXPECT_EQ(sync(alice).json["device_unused_fallback_key_types"], json({"signed_curve25519"}));

    for (int i = 0; i < 2; ++i) {
        auto claim = as(bob).post(kKeys + "/claim",
                                  {{"one_time_keys", {{alice.userId, {{alice.deviceId, "signed_curve25519"}}}}}});
        EXPECT_EQ(claim.json["one_time_keys"][alice.userId][alice.deviceId]["signed_curve25519:FB1"], fallback)
            << "the fallback key stays until it is replaced";
    }
    EXPECT_EQ(sync(alice).json["device_unused_fallback_key_types"], json::array());
    // Uploading the same fallback key again does not make it unused; a new one is.
    upload(alice, {{"fallback_keys", {{"signed_curve25519:FB1", fallback}}}});
    EXPECT_EQ(sync(alice).json["device_unused_fallback_key_types"], json::array());
    json next = signedKey(alice, "fb2");
    next["fallback"] = true;
    upload(alice, {{"fallback_keys", {{"signed_curve25519:FB2", next}}}});
    EXPECT_EQ(sync(alice).json["device_unused_fallback_key_types"], json({"signed_curve25519"}));
}

TEST_F(Keys, DeviceListsTellRoomMembersAboutChangedJoinedAndLeftUsers)
{
    const std::string roomId = sharedRoom();
    ASSERT_TRUE(server->createUser("carol", "carol-password"));
    const std::string since = sync(bob).json["next_batch"];
    EXPECT_FALSE(sync(bob).json.contains("device_lists")) << "an initial sync has no device list changes";

    ASSERT_EQ(upload(alice, {{"device_keys", deviceKeys(alice)}}).status, 200);
    auto r = sync(bob, since);
    EXPECT_EQ(list(r.json["device_lists"]["changed"]), std::vector<std::string>{alice.userId}) << r.body;
    std::string next = r.json["next_batch"];

    // Unchanged keys uploaded again are no change.
    ASSERT_EQ(upload(alice, {{"device_keys", deviceKeys(alice)}}).status, 200);
    EXPECT_FALSE(sync(bob, next).json.contains("device_lists"));

    // A user who shares no room with bob changes keys: bob is not told.
    auto carol = server->login("carol", "CAROLDEV");
    ASSERT_TRUE(carol);
    ASSERT_EQ(upload(*carol, {{"device_keys", deviceKeys(*carol)}}).status, 200);
    r = sync(bob, next);
    EXPECT_FALSE(r.json.contains("device_lists")) << r.body;
    next = r.json["next_batch"];

    // Carol joins: bob must now track her.
    ASSERT_TRUE(server->invite(roomId, "alice", "carol"));
    ASSERT_TRUE(server->joinRoom("carol", roomId));
    r = sync(bob, next);
    EXPECT_EQ(list(r.json["device_lists"]["changed"]), std::vector<std::string>{carol->userId}) << r.body;
    next = r.json["next_batch"];

    // Carol leaves the only room she shares with bob: he stops tracking her.
    ASSERT_TRUE(server->leaveRoom("carol", roomId));
    r = sync(bob, next);
    EXPECT_EQ(list(r.json["device_lists"]["left"]), std::vector<std::string>{carol->userId}) << r.body;
    EXPECT_FALSE(r.json["device_lists"].contains("changed"));

    // /keys/changes answers the same from a token.
    auto changes = as(bob).get(kKeys + "/changes?from=" + enc(since) + "&to=" + enc(std::string(r.json["next_batch"])));
    ASSERT_EQ(changes.status, 200) << changes.body;
    EXPECT_EQ(list(changes.json["changed"]), std::vector<std::string>{alice.userId});
    EXPECT_EQ(list(changes.json["left"]), std::vector<std::string>{carol->userId});
    EXPECT_EQ(as(bob).get(kKeys + "/changes").status, 400);
    EXPECT_EQ(as(bob).get(kKeys + "/changes?from=nonsense").errcode(), "M_INVALID_PARAM");
}

TEST_F(Keys, JoiningARoomReportsItsMembersAndOwnNewDevicesAreReported)
{
    ASSERT_TRUE(server->createUser("carol", "carol-password"));
    RoomSpec spec;
    spec.creator = "alice";
    spec.preset = "public_chat";
    spec.join = {"carol"};
    auto roomId = server->createRoom(spec);
    ASSERT_TRUE(roomId);
    const std::string since = sync(bob).json["next_batch"];
    ASSERT_TRUE(server->joinRoom("bob", *roomId));
    auto r = sync(bob, since);
    auto changed = list(r.json["device_lists"]["changed"]);
    std::sort(changed.begin(), changed.end());
    EXPECT_EQ(changed, (std::vector<std::string>{alice.userId, bob.userId, "@carol:tessera.test"})) << r.body;

    // Bob signs in on a second device: his first device hears of it.
    const std::string next = r.json["next_batch"];
    ASSERT_TRUE(server->login("bob", "BOBPHONE"));
    EXPECT_EQ(list(sync(bob, next).json["device_lists"]["changed"]), std::vector<std::string>{bob.userId});
}

TEST_F(Keys, LongPollWakesOnADeviceListChange)
{
    sharedRoom();
    const std::string since = sync(bob).json["next_batch"];
    auto pending = std::async(std::launch::async, [&] {
        return as(bob).get("/_matrix/client/v3/sync?timeout=20000&since=" + enc(since));
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    ASSERT_EQ(upload(alice, {{"device_keys", deviceKeys(alice)}}).status, 200);
    ASSERT_EQ(pending.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    EXPECT_EQ(list(pending.get().json["device_lists"]["changed"]), std::vector<std::string>{alice.userId});
}

TEST_F(Keys, LogoutForgetsTheDeviceKeysAndTellsItsPeers)
{
    sharedRoom();
    auto phone = server->login("alice", "PHONE");
    ASSERT_TRUE(phone);
    ASSERT_EQ(upload(*phone, {{"device_keys", deviceKeys(*phone)},
                              {"one_time_keys", {{"signed_curve25519:A", signedKey(*phone, "k")}}}})
                  .status,
              200);
    const std::string since = sync(bob).json["next_batch"];
    ASSERT_EQ(as(*phone).post("/_matrix/client/v3/logout").status, 200);
    EXPECT_EQ(list(sync(bob, since).json["device_lists"]["changed"]), std::vector<std::string>{alice.userId});
    auto q = as(bob).post(kKeys + "/query", {{"device_keys", {{alice.userId, json::array()}}}});
    EXPECT_FALSE(q.json["device_keys"][alice.userId].contains("PHONE")) << q.body;
    auto claim = as(bob).post(kKeys + "/claim", {{"one_time_keys", {{alice.userId, {{"PHONE", "signed_curve25519"}}}}}});
    EXPECT_EQ(claim.json["one_time_keys"], json::object());
}

TEST_F(Keys, EncryptedToDeviceMessagesReachOnlyTheAddressedDevice)
{
    auto phone = server->login("bob", "BOBPHONE");
    ASSERT_TRUE(phone);
    const json content{{"algorithm", "m.olm.v1.curve25519-aes-sha2"},
                       {"sender_key", "alice-curve"},
                       {"ciphertext", {{"bob-curve", {{"type", 0}, {"body", "opaque"}}}}}};
    auto r = as(alice).put("/_matrix/client/v3/sendToDevice/m.room.encrypted/txn1",
                           {{"messages", {{bob.userId, {{"BOBPHONE", content}}}}}});
    ASSERT_EQ(r.status, 200) << r.body;
    auto onPhone = sync(*phone);
    ASSERT_EQ(onPhone.json["to_device"]["events"].size(), 1u) << onPhone.body;
    EXPECT_EQ(onPhone.json["to_device"]["events"][0],
              json({{"sender", alice.userId}, {"type", "m.room.encrypted"}, {"content", content}}));
    EXPECT_FALSE(sync(bob).json.contains("to_device"));
}

TEST_F(Keys, CrossSigningKeysNeedThePasswordToBeReplacedAndUserSigningStaysPrivate)
{
    auto key = [&](const std::string &usage, const std::string &pub) {
        return json{{"user_id", alice.userId}, {"usage", {usage}}, {"keys", {{"ed25519:" + pub, pub}}}};
    };
    const json first{{"master_key", key("master", "MASTER1")},
                     {"self_signing_key", key("self_signing", "SSK1")},
                     {"user_signing_key", key("user_signing", "USK1")}};
    auto r = as(alice).post(kKeys + "/device_signing/upload", first);
    ASSERT_EQ(r.status, 200) << "first-time set-up needs no password (MSC3967): " << r.body;
    EXPECT_EQ(as(alice).post(kKeys + "/device_signing/upload", first).status, 200) << "the same keys again";

    json second = first;
    second["master_key"] = key("master", "MASTER2");
    r = as(alice).post(kKeys + "/device_signing/upload", second);
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.json["flows"][0]["stages"][0], "m.login.password") << r.body;
    second["auth"] = {{"type", "m.login.password"}, {"identifier", {{"type", "m.id.user"}, {"user", "alice"}}},
                      {"password", "wrong"}, {"session", r.json["session"]}};
    EXPECT_EQ(as(alice).post(kKeys + "/device_signing/upload", second).status, 401);
    second["auth"]["password"] = "alice-password";
    EXPECT_EQ(as(alice).post(kKeys + "/device_signing/upload", second).status, 200);

    auto q = as(bob).post(kKeys + "/query", {{"device_keys", {{alice.userId, json::array()}}}});
    EXPECT_EQ(q.json["master_keys"][alice.userId]["keys"]["ed25519:MASTER2"], "MASTER2") << q.body;
    EXPECT_TRUE(q.json["self_signing_keys"].contains(alice.userId));
    EXPECT_FALSE(q.json["user_signing_keys"].contains(alice.userId)) << "only alice sees her user-signing key";
    q = as(alice).post(kKeys + "/query", {{"device_keys", {{alice.userId, json::array()}}}});
    EXPECT_TRUE(q.json["user_signing_keys"].contains(alice.userId));

    EXPECT_EQ(as(bob).post(kKeys + "/device_signing/upload", {{"self_signing_key", key("self_signing", "X")}}).status, 400)
        << "no master key";
}

TEST_F(Keys, UploadedSignaturesAreAddedToTheSignedDeviceAndReported)
{
    sharedRoom();
    ASSERT_EQ(upload(alice, {{"device_keys", deviceKeys(alice)}}).status, 200);
    const std::string since = sync(bob).json["next_batch"];
    json signedDevice = deviceKeys(alice);
    signedDevice["signatures"] = {{alice.userId, {{"ed25519:SSK1", "cross-signature"}}}};
    auto r = as(alice).post(kKeys + "/signatures/upload",
                            {{alice.userId, {{alice.deviceId, signedDevice}, {"NODEVICE", signedDevice}}}});
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json["failures"][alice.userId]["NODEVICE"]["errcode"], "M_NOT_FOUND");
    auto q = as(bob).post(kKeys + "/query", {{"device_keys", {{alice.userId, json::array()}}}});
    const json sigs = q.json["device_keys"][alice.userId][alice.deviceId]["signatures"][alice.userId];
    EXPECT_EQ(sigs["ed25519:SSK1"], "cross-signature");
    EXPECT_EQ(sigs["ed25519:" + alice.deviceId], "sig") << "the device's own signature stays";
    EXPECT_EQ(list(sync(bob, since).json["device_lists"]["changed"]), std::vector<std::string>{alice.userId});
}

TEST_F(Keys, KeyBackupVersionsKeysAndReplacementRules)
{
    auto http = as(alice);
    auto r = http.get(kRoomKeys + "/version");
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(r.errcode(), "M_NOT_FOUND");
    EXPECT_EQ(r.error(), "No backup found");

    const json authData{{"public_key", "pub1"}, {"signatures", json::object()}};
    r = http.post(kRoomKeys + "/version", {{"algorithm", "m.megolm_backup.v1.curve25519-aes-sha2"}, {"auth_data", authData}});
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json["version"], "1");
    EXPECT_EQ(http.post(kRoomKeys + "/version", {{"auth_data", authData}}).status, 400);

    const json key{{"first_message_index", 5}, {"forwarded_count", 0}, {"is_verified", false}, {"session_data", {{"ciphertext", "a"}}}};
    r = http.put(kRoomKeys + "/keys?version=1", {{"rooms", {{"!r:tessera.test", {{"sessions", {{"S1", key}}}}}}}});
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json["count"], 1);
    EXPECT_EQ(r.json["etag"], "1");
    EXPECT_EQ(http.put(kRoomKeys + "/keys", json{{"rooms", json::object()}}).errcode(), "M_MISSING_PARAM");

    // A later first index does not replace the held key; an earlier one does.
    json later = key;
    later["first_message_index"] = 9;
    later["session_data"] = {{"ciphertext", "later"}};
    r = http.put(kRoomKeys + "/keys/" + enc("!r:tessera.test") + "/S1?version=1", later);
    EXPECT_EQ(r.json["etag"], "1") << "nothing changed";
    json earlier = key;
    earlier["first_message_index"] = 0;
    earlier["session_data"] = {{"ciphertext", "earlier"}};
    r = http.put(kRoomKeys + "/keys/" + enc("!r:tessera.test") + "/S1?version=1", earlier);
    EXPECT_EQ(r.json["etag"], "2");
    EXPECT_EQ(http.get(kRoomKeys + "/keys/" + enc("!r:tessera.test") + "/S1?version=1").json["session_data"]["ciphertext"],
              "earlier");
    EXPECT_EQ(http.get(kRoomKeys + "/keys/" + enc("!r:tessera.test") + "?version=1").json["sessions"].size(), 1u);
    EXPECT_EQ(http.get(kRoomKeys + "/keys/" + enc("!other:tessera.test") + "?version=1").json, json({{"sessions", json::object()}}));
    EXPECT_EQ(http.get(kRoomKeys + "/keys/" + enc("!r:tessera.test") + "/NOPE?version=1").status, 404);
    EXPECT_EQ(http.get(kRoomKeys + "/keys?version=1").json["rooms"]["!r:tessera.test"]["sessions"]["S1"]["first_message_index"], 0);

    json bad = key;
    bad["is_verified"] = "no";
    EXPECT_EQ(http.put(kRoomKeys + "/keys/" + enc("!r:tessera.test") + "/S2?version=1", bad).errcode(), "M_INVALID_PARAM");

    // A new version becomes current; the old one can be read but not written.
    r = http.post(kRoomKeys + "/version", {{"algorithm", "m.megolm_backup.v1.curve25519-aes-sha2"}, {"auth_data", authData}});
    EXPECT_EQ(r.json["version"], "2");
    r = http.put(kRoomKeys + "/keys/" + enc("!r:tessera.test") + "/S1?version=1", key);
    EXPECT_EQ(r.status, 403);
    EXPECT_EQ(r.errcode(), "M_WRONG_ROOM_KEYS_VERSION");
    EXPECT_EQ(r.json["current_version"], "2");
    EXPECT_EQ(http.get(kRoomKeys + "/version").json["version"], "2");
    EXPECT_EQ(http.get(kRoomKeys + "/version/1").json["count"], 1);

    // Updating auth data must keep the algorithm; deleting a version forgets it.
    EXPECT_EQ(http.put(kRoomKeys + "/version/2", {{"algorithm", "other"}, {"auth_data", authData}}).error(), "Algorithm does not match");
    EXPECT_EQ(http.put(kRoomKeys + "/version/2", {{"algorithm", "m.megolm_backup.v1.curve25519-aes-sha2"},
                                                  {"auth_data", authData}, {"version", "3"}}).error(),
              "Version in body does not match");
    EXPECT_EQ(http.del(kRoomKeys + "/version/2").status, 200);
    EXPECT_EQ(http.get(kRoomKeys + "/version").json["version"], "1") << "the newest version not deleted";
    EXPECT_EQ(http.get(kRoomKeys + "/version/2").status, 404);
    // Backups are per user.
    EXPECT_EQ(as(bob).get(kRoomKeys + "/version").status, 404);
}

} // namespace
} // namespace tessera::e2e::testing
