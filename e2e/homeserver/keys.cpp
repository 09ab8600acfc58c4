// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
// End-to-end encryption support, as Synapse serves it: device and one-time keys
// (/keys/upload, /keys/query, /keys/claim, /keys/changes), cross-signing keys and signatures,
// device list tracking for /sync, and server-side key backup (/room_keys). The server stores and
// hands out what clients publish; it never sees a private key and does no cryptography.
#include "homeserverimpl.h"

#include <algorithm>

namespace tessera::e2e {

using namespace detail;

namespace {

constexpr const char *kSignedCurve25519 = "signed_curve25519";

bool isStringMap(const Json &value)
{
    return value.is_object() &&
           std::all_of(value.begin(), value.end(), [](const Json &v) { return v.is_string(); });
}

bool isSignatures(const Json &value)
{
    return value.is_object() && std::all_of(value.begin(), value.end(), [](const Json &v) { return isStringMap(v); });
}

/** The shape Synapse's KeyUploadRequestBody.DeviceKeys accepts, or why not. */
std::optional<std::string> deviceKeysProblem(const Json &keys)
{
    if (!keys.is_object()) {
        return "device_keys must be an object";
    }
    if (!keys.contains("algorithms") || !keys["algorithms"].is_array() ||
        !std::all_of(keys["algorithms"].begin(), keys["algorithms"].end(), [](const Json &a) { return a.is_string(); })) {
        return "device_keys.algorithms must be a list of strings";
    }
    for (const char *field : {"device_id", "user_id"}) {
        if (!keys.contains(field) || !keys[field].is_string()) {
            return std::string("device_keys.") + field + " must be a string";
        }
    }
    if (!keys.contains("keys") || !isStringMap(keys["keys"])) {
        return "device_keys.keys must be an object of strings";
    }
    if (!keys.contains("signatures") || !isSignatures(keys["signatures"])) {
        return "device_keys.signatures must be an object of user id to key id to signature";
    }
    return std::nullopt;
}

/** A one-time or fallback key: a string (unsigned) or {key, signatures[, fallback]}. */
std::optional<std::string> keyObjectProblem(const std::string &where, const Json &key)
{
    if (key.is_string()) {
        return std::nullopt;
    }
    if (!key.is_object() || !key.contains("key") || !key["key"].is_string() || !key.contains("signatures") ||
        !isSignatures(key["signatures"])) {
        return where + " must be a key string or an object with 'key' and 'signatures'";
    }
    if (key.contains("fallback") && !key["fallback"].is_boolean() && !key["fallback"].is_null()) {
        return where + ".fallback must be a boolean";
    }
    return std::nullopt;
}

/** Splits "<algorithm>:<id>"; nullopt unless there is exactly one colon (Synapse's rule). */
std::optional<std::pair<std::string, std::string>> splitKeyId(const std::string &keyId)
{
    const auto colon = keyId.find(':');
    if (colon == std::string::npos || keyId.find(':', colon + 1) != std::string::npos) {
        return std::nullopt;
    }
    return std::make_pair(keyId.substr(0, colon), keyId.substr(colon + 1));
}

/** Adds every signature in `from` to `into` (both signed JSON objects). */
void mergeSignatures(Json &into, const Json &from)
{
    if (!from.contains("signatures") || !from["signatures"].is_object()) {
        return;
    }
    for (auto user = from["signatures"].begin(); user != from["signatures"].end(); ++user) {
        if (!user->is_object()) {
            continue;
        }
        for (auto sig = user->begin(); sig != user->end(); ++sig) {
            into["signatures"][user.key()][sig.key()] = *sig;
        }
    }
}

/** The public key of a cross-signing key object ({keys: {"ed25519:<pub>": "<pub>"}}), or empty. */
std::string crossSigningPublicKey(const Json &key)
{
    if (!key.is_object() || !key.contains("keys") || !key["keys"].is_object() || key["keys"].size() != 1) {
        return {};
    }
    const Json &value = key["keys"].begin().value();
    return value.is_string() ? value.get<std::string>() : std::string();
}

Reply missingVersion()
{
    return errorReply(400, "M_MISSING_PARAM", "Missing string query parameter 'version'");
}

} // namespace

// --- device lists ------------------------------------------------------------------------------

void TestHomeserver::Impl::deviceListChangedLocked(const std::string &userId)
{
    m_deviceListChanges.emplace_back(bumpPosLocked(), userId);
    notifyLocked();
}

void TestHomeserver::Impl::deleteDeviceLocked(const std::string &userId, const std::string &deviceId)
{
    const std::string key = userId + "|" + deviceId;
    m_toDevice.erase(key);
    m_deviceE2e.erase(key);
    if (auto it = m_users.find(userId); it != m_users.end()) {
        it->second.devices.erase(deviceId);
        it->second.deviceDisplayNames.erase(deviceId);
    }
    deviceListChangedLocked(userId);
}

Json TestHomeserver::Impl::deviceListsLocked(const std::string &userId, std::uint64_t fromPos,
                                            std::uint64_t upToPos) const
{
    // As Synapse's generate_sync_entry_for_device_list: users whose devices changed and who share
    // a room with the viewer (the viewer included), everyone in a room the viewer joined, users
    // who joined or were invited to a room the viewer is in; `left` are users who left (or were
    // in a room the viewer left) and share no room with the viewer any more.
    std::set<std::string> sharing; // users joined to a room the viewer is joined to
    std::set<std::string> changed;
    std::set<std::string> leftCandidates;
    auto joinedMembers = [](const Room &room, const std::map<StateKey, std::size_t> &state) {
        std::vector<std::string> members;
        for (const auto &[key, index] : state) {
            if (key.first == "m.room.member" && room.events[index].event["content"].value("membership", "") == "join") {
                members.push_back(key.second);
            }
        }
        return members;
    };
    for (const auto &[id, roomPtr] : m_rooms) {
        const Room &room = *roomPtr;
        const auto then = stateAtLocked(room, fromPos);
        auto member = then.find({"m.room.member", userId});
        const bool joinedThen = member != then.end() &&
                                room.events[member->second].event["content"].value("membership", "") == "join";
        const bool joinedNow = membershipLocked(room, userId) == "join";
        if (joinedNow) {
            const auto members = joinedMembers(room, room.state);
            sharing.insert(members.begin(), members.end());
            if (!joinedThen) {
                changed.insert(members.begin(), members.end());
                continue;
            }
            for (const StoredEvent &e : room.events) {
                if (e.pos <= fromPos || e.pos > upToPos || e.type() != "m.room.member") {
                    continue;
                }
                const std::string target = e.event["state_key"].get<std::string>();
                const std::string membership = e.event["content"].value("membership", "");
                if (membership == "join" || membership == "invite" || membership == "knock") {
                    changed.insert(target);
                    leftCandidates.erase(target);
                } else {
                    if (e.prevContent.is_object() && e.prevContent.value("membership", "") == "join") {
                        leftCandidates.insert(target);
                    }
                    changed.erase(target);
                }
            }
        } else if (joinedThen) {
            const auto members = joinedMembers(room, then);
            leftCandidates.insert(members.begin(), members.end());
        }
    }
    for (const auto &[pos, who] : m_deviceListChanges) {
        if (pos > fromPos && pos <= upToPos && (who == userId || sharing.count(who))) {
            changed.insert(who);
        }
    }
    Json left = Json::array();
    for (const std::string &who : leftCandidates) {
        if (who != userId && !sharing.count(who)) {
            left.push_back(who);
        }
    }
    Json out = Json::object();
    if (!changed.empty()) {
        out["changed"] = Json(std::vector<std::string>(changed.begin(), changed.end()));
    }
    if (!left.empty()) {
        out["left"] = std::move(left);
    }
    return out;
}

Json TestHomeserver::Impl::oneTimeKeyCountsLocked(const std::string &userId, const std::string &deviceId) const
{
    Json counts{{kSignedCurve25519, 0}};
    if (auto it = m_deviceE2e.find(userId + "|" + deviceId); it != m_deviceE2e.end()) {
        for (const UploadedKey &key : it->second.oneTimeKeys) {
            counts[key.algorithm] = counts.value(key.algorithm, 0) + 1;
        }
    }
    return counts;
}

Json TestHomeserver::Impl::unusedFallbackKeyTypesLocked(const std::string &userId, const std::string &deviceId) const
{
    Json types = Json::array();
    if (auto it = m_deviceE2e.find(userId + "|" + deviceId); it != m_deviceE2e.end()) {
        for (const auto &[algorithm, key] : it->second.fallbackKeys) {
            if (!key.used) {
                types.push_back(algorithm);
            }
        }
    }
    return types;
}

// --- /keys/upload, /keys/query, /keys/claim, /keys/changes --------------------------------------

TestHomeserver::Impl::Reply TestHomeserver::Impl::postKeysUpload(Call &call)
{
    auto body = jsonBody(call);
    if (!body) {
        return replyFromError(body.error());
    }
    const Json &b = *body;
    if (b.contains("device_keys")) {
        if (auto problem = deviceKeysProblem(b["device_keys"])) {
            return errorReply(400, "M_BAD_JSON", *problem);
        }
        if (b["device_keys"]["user_id"] != call.session->userId) {
            return errorReply(400, "M_BAD_JSON",
                              "Provided `user_id` in `device_keys` does not match that of the authenticated user");
        }
        if (b["device_keys"]["device_id"] != call.session->deviceId) {
            return errorReply(400, "M_BAD_JSON",
                              "Provided `device_id` in `device_keys` does not match that of the authenticated user device");
        }
    }
    for (const char *field : {"one_time_keys", "fallback_keys"}) {
        if (!b.contains(field) || b[field].is_null()) {
            continue;
        }
        if (!b[field].is_object()) {
            return errorReply(400, "M_BAD_JSON", std::string(field) + " must be a mapping");
        }
        for (auto it = b[field].begin(); it != b[field].end(); ++it) {
            if (!splitKeyId(it.key())) {
                return errorReply(400, "M_BAD_JSON", std::string("Invalid ") + field + " key '" + it.key() +
                                                          "'. Expected \"<algorithm>:<device_id>\".");
            }
            if (auto problem = keyObjectProblem(std::string(field) + "['" + it.key() + "']", *it)) {
                return errorReply(400, "M_BAD_JSON", *problem);
            }
        }
    }

    std::lock_guard lock(m_mutex);
    DeviceE2e &device = m_deviceE2e[deviceKey(*call.session)];
    // One-time keys first: a key id already held with other content refuses the whole upload
    // before anything is stored (Synapse checks before inserting).
    std::vector<UploadedKey> newKeys;
    if (b.contains("one_time_keys") && b["one_time_keys"].is_object()) {
        for (auto it = b["one_time_keys"].begin(); it != b["one_time_keys"].end(); ++it) {
            const auto [algorithm, keyId] = *splitKeyId(it.key());
            auto held = std::find_if(device.oneTimeKeys.begin(), device.oneTimeKeys.end(), [&](const UploadedKey &k) {
                return k.algorithm == algorithm && k.keyId == keyId;
            });
            if (held != device.oneTimeKeys.end()) {
                if (held->key != *it) {
                    return errorReply(400, "M_UNKNOWN", "One time key " + it.key() + " already exists. Old key: " +
                                                            held->key.dump() + "; new key: " + it->dump());
                }
                continue;
            }
            newKeys.push_back(UploadedKey{algorithm, keyId, *it, false});
        }
    }
    if (b.contains("device_keys")) {
        Json keys = b["device_keys"];
        Json previous = device.deviceKeys;
        if (previous.is_object()) {
            // Signatures others uploaded for this device stay with it.
            Json withSignatures = keys;
            mergeSignatures(withSignatures, previous);
            previous.erase("unsigned");
            keys = withSignatures;
        }
        keys.erase("unsigned");
        if (keys != previous) {
            device.deviceKeys = keys;
            deviceListChangedLocked(call.session->userId);
        }
    }
    for (UploadedKey &key : newKeys) {
        device.oneTimeKeys.push_back(std::move(key));
    }
    if (b.contains("fallback_keys") && b["fallback_keys"].is_object()) {
        for (auto it = b["fallback_keys"].begin(); it != b["fallback_keys"].end(); ++it) {
            const auto [algorithm, keyId] = *splitKeyId(it.key());
            auto held = device.fallbackKeys.find(algorithm);
            // The same key again keeps its "used" mark (Synapse compares the JSON).
            if (held != device.fallbackKeys.end() && held->second.keyId == keyId && held->second.key == *it) {
                continue;
            }
            device.fallbackKeys[algorithm] = UploadedKey{algorithm, keyId, *it, false};
        }
    }
    return okReply(Json{{"one_time_key_counts", oneTimeKeyCountsLocked(call.session->userId, call.session->deviceId)}});
}

Json TestHomeserver::Impl::deviceKeysForQueryLocked(const std::string &userId, const std::string &deviceId) const
{
    auto it = m_deviceE2e.find(userId + "|" + deviceId);
    if (it == m_deviceE2e.end() || !it->second.deviceKeys.is_object()) {
        return Json();
    }
    Json keys = it->second.deviceKeys;
    Json unsignedData = Json::object();
    if (auto user = m_users.find(userId); user != m_users.end()) {
        if (auto name = user->second.deviceDisplayNames.find(deviceId); name != user->second.deviceDisplayNames.end()) {
            unsignedData["device_display_name"] = name->second;
        }
    }
    keys["unsigned"] = unsignedData;
    return keys;
}

TestHomeserver::Impl::Reply TestHomeserver::Impl::postKeysQuery(Call &call)
{
    auto body = jsonBody(call);
    if (!body) {
        return replyFromError(body.error());
    }
    if (!body->contains("device_keys") || !(*body)["device_keys"].is_object()) {
        return errorReply(400, "M_INVALID_PARAM", "'device_keys' must be a JSON object");
    }
    const Json &query = (*body)["device_keys"];
    for (const Json &devices : query) {
        if (!devices.is_array() || !std::all_of(devices.begin(), devices.end(), [](const Json &d) { return d.is_string(); })) {
            return errorReply(400, "M_INVALID_PARAM", "'device_keys' values must be a list of strings");
        }
    }
    std::lock_guard lock(m_mutex);
    Json deviceKeys = Json::object();
    Json failures = Json::object();
    Json masterKeys = Json::object();
    Json selfSigningKeys = Json::object();
    Json userSigningKeys = Json::object();
    for (auto it = query.begin(); it != query.end(); ++it) {
        const std::string &userId = it.key();
        if (userId.size() < 2 || userId[0] != '@' || userId.find(':') == std::string::npos) {
            return errorReply(400, "M_INVALID_PARAM", "Invalid user ID: " + userId);
        }
        if (userId.substr(userId.find(':') + 1) != m_options.serverName) {
            // No federation: a remote server is unreachable, as Synapse reports it.
            failures[userId.substr(userId.find(':') + 1)] = Json{{"status", 503}, {"message", "Not ready for retry"}};
            continue;
        }
        Json devices = Json::object();
        auto user = m_users.find(userId);
        if (user != m_users.end()) {
            std::vector<std::string> wanted(it->begin(), it->end());
            if (wanted.empty()) {
                wanted.assign(user->second.devices.begin(), user->second.devices.end());
            }
            for (const std::string &deviceId : wanted) {
                Json keys = deviceKeysForQueryLocked(userId, deviceId);
                if (keys.is_object()) {
                    devices[deviceId] = std::move(keys);
                }
            }
        }
        deviceKeys[userId] = std::move(devices);
        if (auto cs = m_crossSigning.find(userId); cs != m_crossSigning.end()) {
            if (cs->second.master.is_object()) {
                masterKeys[userId] = cs->second.master;
            }
            if (cs->second.selfSigning.is_object()) {
                selfSigningKeys[userId] = cs->second.selfSigning;
            }
            // The user-signing key is private to its owner.
            if (userId == call.session->userId && cs->second.userSigning.is_object()) {
                userSigningKeys[userId] = cs->second.userSigning;
            }
        }
    }
    Json reply{{"device_keys", deviceKeys}, {"failures", failures}};
    reply["master_keys"] = masterKeys;
    reply["self_signing_keys"] = selfSigningKeys;
    reply["user_signing_keys"] = userSigningKeys;
    return okReply(reply);
}

TestHomeserver::Impl::Reply TestHomeserver::Impl::postKeysClaim(Call &call)
{
    auto body = jsonBody(call);
    if (!body) {
        return replyFromError(body.error());
    }
    const Json query = body->value("one_time_keys", Json::object());
    if (!query.is_object()) {
        return errorReply(400, "M_BAD_JSON", "'one_time_keys' must be an object of user id to device id to algorithm");
    }
    for (const Json &devices : query) {
        if (!isStringMap(devices)) {
            return errorReply(400, "M_BAD_JSON", "'one_time_keys' must be an object of user id to device id to algorithm");
        }
    }
    std::lock_guard lock(m_mutex);
    Json claimed = Json::object();
    Json failures = Json::object();
    for (auto user = query.begin(); user != query.end(); ++user) {
        const std::string &userId = user.key();
        const auto colon = userId.find(':');
        if (colon == std::string::npos || userId.substr(colon + 1) != m_options.serverName) {
            failures[colon == std::string::npos ? userId : userId.substr(colon + 1)] =
                Json{{"status", 503}, {"message", "Not ready for retry"}};
            continue;
        }
        for (auto device = user->begin(); device != user->end(); ++device) {
            const std::string algorithm = device->get<std::string>();
            auto e2e = m_deviceE2e.find(userId + "|" + device.key());
            if (e2e == m_deviceE2e.end()) {
                continue;
            }
            auto &keys = e2e->second.oneTimeKeys;
            auto otk = std::find_if(keys.begin(), keys.end(), [&](const UploadedKey &k) { return k.algorithm == algorithm; });
            if (otk != keys.end()) {
                claimed[userId][device.key()][otk->algorithm + ":" + otk->keyId] = otk->key;
                keys.erase(otk);
                continue;
            }
            // No one-time key left: the fallback key, which stays (marked used) until replaced.
            if (auto fallback = e2e->second.fallbackKeys.find(algorithm); fallback != e2e->second.fallbackKeys.end()) {
                fallback->second.used = true;
                claimed[userId][device.key()][algorithm + ":" + fallback->second.keyId] = fallback->second.key;
            }
        }
    }
    return okReply(Json{{"one_time_keys", claimed}, {"failures", failures}});
}

TestHomeserver::Impl::Reply TestHomeserver::Impl::getKeysChanges(Call &call)
{
    const auto fromText = call.query("from");
    if (!fromText) {
        return errorReply(400, "M_MISSING_PARAM", "Missing string query parameter 'from'");
    }
    const auto from = StreamToken::parse(*fromText);
    if (!from) {
        return errorReply(400, "M_INVALID_PARAM", "Invalid stream token '" + *fromText + "'");
    }
    std::lock_guard lock(m_mutex);
    // As Synapse, `to` is accepted and ignored: changes up to now are reported.
    Json lists = deviceListsLocked(call.session->userId, from->eventsPos, m_pos);
    return okReply(Json{{"changed", lists.value("changed", Json::array())}, {"left", lists.value("left", Json::array())}});
}

// --- cross-signing ------------------------------------------------------------------------------

TestHomeserver::Impl::Reply TestHomeserver::Impl::postDeviceSigningUpload(Call &call)
{
    auto body = jsonBody(call);
    if (!body) {
        return replyFromError(body.error());
    }
    const std::string &userId = call.session->userId;
    std::lock_guard lock(m_mutex);
    CrossSigningKeys &keys = m_crossSigning[userId];
    const bool setUp = keys.master.is_object();
    auto differs = [&](const char *field, const Json &held) {
        return body->contains(field) && (*body)[field] != held;
    };
    const bool different = differs("master_key", keys.master) || differs("self_signing_key", keys.selfSigning) ||
                           differs("user_signing_key", keys.userSigning);
    if (!different) {
        return okReply();
    }
    if (setUp) {
        // Replacing cross-signing keys needs the password (user-interactive auth, m.login.password).
        const Json auth = body->value("auth", Json::object());
        const std::string password = auth.is_object() ? auth.value("password", "") : std::string();
        if (!auth.is_object() || auth.value("type", "") != "m.login.password" ||
            password != m_users.at(userId).password) {
            return Reply{401,
                         Json{{"flows", {{{"stages", {"m.login.password"}}}}},
                              {"params", Json::object()},
                              {"session", newId(24)}},
                         std::nullopt, "application/json", {}};
        }
    }
    auto check = [&](const char *field, const char *usage) -> std::optional<Reply> {
        if (!body->contains(field)) {
            return std::nullopt;
        }
        const Json &key = (*body)[field];
        if (!key.is_object() || key.value("user_id", "") != userId || !key.contains("usage") ||
            !key["usage"].is_array() || std::find(key["usage"].begin(), key["usage"].end(), usage) == key["usage"].end() ||
            crossSigningPublicKey(key).empty()) {
            return errorReply(400, "M_INVALID_PARAM", std::string("Invalid ") + usage + " key");
        }
        return std::nullopt;
    };
    if (!setUp && !body->contains("master_key")) {
        return errorReply(400, "M_MISSING_PARAM", "No master key available");
    }
    for (auto [field, usage] : {std::pair{"master_key", "master"}, std::pair{"self_signing_key", "self_signing"},
                                std::pair{"user_signing_key", "user_signing"}}) {
        if (auto refused = check(field, usage)) {
            return *refused;
        }
    }
    if (body->contains("master_key")) {
        keys.master = (*body)["master_key"];
    }
    if (body->contains("self_signing_key")) {
        keys.selfSigning = (*body)["self_signing_key"];
    }
    if (body->contains("user_signing_key")) {
        keys.userSigning = (*body)["user_signing_key"];
    }
    deviceListChangedLocked(userId);
    return okReply();
}

TestHomeserver::Impl::Reply TestHomeserver::Impl::postSignaturesUpload(Call &call)
{
    auto body = jsonBody(call);
    if (!body) {
        return replyFromError(body.error());
    }
    // Signatures are stored as given: this server does not check them (Synapse verifies each
    // against the signing key; clients verify them again when they read them).
    std::lock_guard lock(m_mutex);
    Json failures = Json::object();
    std::set<std::string> changedUsers;
    for (auto user = body->begin(); user != body->end(); ++user) {
        if (!user->is_object()) {
            failures[user.key()] = Json::object();
            continue;
        }
        for (auto item = user->begin(); item != user->end(); ++item) {
            const std::string &id = item.key(); // a device id, or a cross-signing public key
            if (!item->is_object() || !item->contains("signatures")) {
                failures[user.key()][id] = Json{{"status", 400}, {"errcode", "M_INVALID_PARAM"}, {"message", "Invalid parameter"}};
                continue;
            }
            if (auto device = m_deviceE2e.find(user.key() + "|" + id);
                device != m_deviceE2e.end() && device->second.deviceKeys.is_object()) {
                mergeSignatures(device->second.deviceKeys, *item);
                changedUsers.insert(user.key());
                continue;
            }
            auto cs = m_crossSigning.find(user.key());
            if (cs != m_crossSigning.end() && crossSigningPublicKey(cs->second.master) == id) {
                mergeSignatures(cs->second.master, *item);
                changedUsers.insert(user.key());
                continue;
            }
            failures[user.key()][id] = Json{{"status", 404}, {"errcode", "M_NOT_FOUND"}, {"message", "Unknown device"}};
        }
    }
    for (const std::string &userId : changedUsers) {
        deviceListChangedLocked(userId);
    }
    return okReply(Json{{"failures", failures}});
}

// --- key backup (/room_keys) --------------------------------------------------------------------

KeyBackup *TestHomeserver::Impl::currentBackupLocked(const std::string &userId)
{
    auto it = m_keyBackups.find(userId);
    if (it == m_keyBackups.end()) {
        return nullptr;
    }
    for (auto backup = it->second.rbegin(); backup != it->second.rend(); ++backup) {
        if (!backup->deleted) {
            return &*backup;
        }
    }
    return nullptr;
}

KeyBackup *TestHomeserver::Impl::backupLocked(const std::string &userId, const std::string &version)
{
    auto it = m_keyBackups.find(userId);
    if (it == m_keyBackups.end()) {
        return nullptr;
    }
    for (KeyBackup &backup : it->second) {
        if (!backup.deleted && std::to_string(backup.version) == version) {
            return &backup;
        }
    }
    return nullptr;
}

namespace {

Json versionInfo(const KeyBackup &backup)
{
    std::size_t count = 0;
    for (const auto &[room, sessions] : backup.keys) {
        count += sessions.size();
    }
    return Json{{"algorithm", backup.algorithm},
                {"auth_data", backup.authData},
                {"version", std::to_string(backup.version)},
                {"etag", std::to_string(backup.etag)},
                {"count", count}};
}

std::optional<Reply> versionBodyProblem(const Json &body)
{
    if (!body.contains("algorithm") || !body["algorithm"].is_string()) {
        return errorReply(400, "M_MISSING_PARAM", "Missing or invalid 'algorithm'");
    }
    if (!body.contains("auth_data") || !body["auth_data"].is_object()) {
        return errorReply(400, "M_MISSING_PARAM", "Missing or invalid 'auth_data'");
    }
    return std::nullopt;
}

} // namespace

TestHomeserver::Impl::Reply TestHomeserver::Impl::getRoomKeysVersionCurrent(Call &call)
{
    std::lock_guard lock(m_mutex);
    KeyBackup *backup = currentBackupLocked(call.session->userId);
    if (!backup) {
        return errorReply(404, "M_NOT_FOUND", "No backup found");
    }
    return okReply(versionInfo(*backup));
}

TestHomeserver::Impl::Reply TestHomeserver::Impl::postRoomKeysVersion(Call &call)
{
    auto body = jsonBody(call);
    if (!body) {
        return replyFromError(body.error());
    }
    if (auto problem = versionBodyProblem(*body)) {
        return *problem;
    }
    std::lock_guard lock(m_mutex);
    auto &versions = m_keyBackups[call.session->userId];
    KeyBackup backup;
    backup.version = versions.empty() ? 1 : versions.back().version + 1;
    backup.algorithm = (*body)["algorithm"].get<std::string>();
    backup.authData = (*body)["auth_data"];
    versions.push_back(std::move(backup));
    return okReply(Json{{"version", std::to_string(versions.back().version)}});
}

TestHomeserver::Impl::Reply TestHomeserver::Impl::getRoomKeysVersion(Call &call)
{
    std::lock_guard lock(m_mutex);
    KeyBackup *backup = backupLocked(call.session->userId, call.params[0]);
    if (!backup) {
        return errorReply(404, "M_NOT_FOUND", "No backup found");
    }
    return okReply(versionInfo(*backup));
}

TestHomeserver::Impl::Reply TestHomeserver::Impl::putRoomKeysVersion(Call &call)
{
    auto body = jsonBody(call);
    if (!body) {
        return replyFromError(body.error());
    }
    if (auto problem = versionBodyProblem(*body)) {
        return *problem;
    }
    if (body->contains("version") && (*body)["version"] != call.params[0]) {
        return errorReply(400, "M_INVALID_PARAM", "Version in body does not match");
    }
    std::lock_guard lock(m_mutex);
    KeyBackup *backup = backupLocked(call.session->userId, call.params[0]);
    if (!backup) {
        return errorReply(404, "M_NOT_FOUND", "Unknown backup version");
    }
    if (backup->algorithm != (*body)["algorithm"]) {
        return errorReply(400, "M_INVALID_PARAM", "Algorithm does not match");
    }
    backup->authData = (*body)["auth_data"];
    return okReply();
}

TestHomeserver::Impl::Reply TestHomeserver::Impl::deleteRoomKeysVersion(Call &call)
{
    std::lock_guard lock(m_mutex);
    KeyBackup *backup = backupLocked(call.session->userId, call.params[0]);
    if (!backup) {
        return errorReply(404, "M_NOT_FOUND", "Unknown backup version");
    }
    backup->deleted = true;
    backup->keys.clear();
    return okReply();
}

TestHomeserver::Impl::Reply TestHomeserver::Impl::roomKeysReply(
    Call &call, const std::function<Reply(KeyBackup &, const std::string &)> &perform, bool mustBeCurrent)
{
    const auto version = call.query("version");
    if (!version) {
        return missingVersion();
    }
    std::lock_guard lock(m_mutex);
    KeyBackup *backup = backupLocked(call.session->userId, *version);
    if (mustBeCurrent) {
        KeyBackup *current = currentBackupLocked(call.session->userId);
        if (!current) {
            return errorReply(404, "M_NOT_FOUND", "Version '" + *version + "' not found");
        }
        if (current != backup) {
            if (!backup) {
                return errorReply(404, "M_NOT_FOUND", "Version '" + *version + "' not found");
            }
            return errorReply(403, "M_WRONG_ROOM_KEYS_VERSION", "Wrong room_keys version",
                              Json{{"current_version", std::to_string(current->version)}});
        }
    } else if (!backup) {
        return errorReply(404, "M_NOT_FOUND", "Unknown backup version");
    }
    return perform(*backup, *version);
}

TestHomeserver::Impl::Reply TestHomeserver::Impl::putRoomKeys(Call &call)
{
    auto body = jsonBody(call);
    if (!body) {
        return replyFromError(body.error());
    }
    // PUT /room_keys/keys[/{roomId}[/{sessionId}]]: normalise to {rooms: {room: {sessions: {id: key}}}}.
    Json rooms;
    if (call.params.size() == 2) {
        rooms = Json{{call.params[0], {{"sessions", {{call.params[1], *body}}}}}};
    } else if (call.params.size() == 1) {
        rooms = Json{{call.params[0], *body}};
    } else {
        rooms = body->value("rooms", Json());
    }
    if (!rooms.is_object()) {
        return errorReply(400, "M_BAD_JSON", "'rooms' must be an object of room id to sessions");
    }
    for (auto room = rooms.begin(); room != rooms.end(); ++room) {
        if (!room->is_object() || !room->contains("sessions") || !(*room)["sessions"].is_object()) {
            return errorReply(400, "M_BAD_JSON", "'sessions' of room " + room.key() + " must be an object");
        }
        for (auto session = (*room)["sessions"].begin(); session != (*room)["sessions"].end(); ++session) {
            const Json &key = *session;
            if (!key.is_object() || !key.contains("is_verified") || !key["is_verified"].is_boolean()) {
                return errorReply(400, "M_INVALID_PARAM", "is_verified must be a boolean in keys for session " +
                                                              session.key() + " in room " + room.key());
            }
            if (!key.contains("first_message_index") || !key["first_message_index"].is_number_integer() ||
                !key.contains("forwarded_count") || !key["forwarded_count"].is_number_integer() ||
                !key.contains("session_data")) {
                return errorReply(400, "M_BAD_JSON", "keys for session " + session.key() + " in room " + room.key() +
                                                         " need first_message_index, forwarded_count and session_data");
            }
        }
    }
    return roomKeysReply(
        call,
        [&](KeyBackup &backup, const std::string &) {
            bool changed = false;
            for (auto room = rooms.begin(); room != rooms.end(); ++room) {
                for (auto session = (*room)["sessions"].begin(); session != (*room)["sessions"].end(); ++session) {
                    auto &sessions = backup.keys[room.key()];
                    auto held = sessions.find(session.key());
                    const Json &key = *session;
                    // Synapse's _should_replace_room_key: a verified key, an earlier first index or
                    // fewer forwards wins; otherwise the held key stays.
                    const bool replace =
                        held == sessions.end() ||
                        (key["is_verified"].get<bool>() && !held->second["is_verified"].get<bool>()) ||
                        key["first_message_index"].get<std::int64_t>() <
                            held->second["first_message_index"].get<std::int64_t>() ||
                        key["forwarded_count"].get<std::int64_t>() < held->second["forwarded_count"].get<std::int64_t>();
                    if (replace) {
                        sessions[session.key()] = key;
                        changed = true;
                    }
                }
            }
            if (changed) {
                ++backup.etag;
            }
            const Json info = versionInfo(backup);
            return okReply(Json{{"etag", info["etag"]}, {"count", info["count"]}});
        },
        true);
}

TestHomeserver::Impl::Reply TestHomeserver::Impl::getRoomKeys(Call &call)
{
    return roomKeysReply(
        call,
        [&](KeyBackup &backup, const std::string &) {
            if (call.params.empty()) {
                Json rooms = Json::object();
                for (const auto &[roomId, sessions] : backup.keys) {
                    if (!sessions.empty()) {
                        rooms[roomId] = Json{{"sessions", sessions}};
                    }
                }
                return okReply(Json{{"rooms", rooms}});
            }
            auto room = backup.keys.find(call.params[0]);
            if (call.params.size() == 1) {
                return okReply(Json{{"sessions", room == backup.keys.end() ? Json::object() : Json(room->second)}});
            }
            if (room == backup.keys.end() || !room->second.count(call.params[1])) {
                return errorReply(404, "M_NOT_FOUND", "No room_keys found");
            }
            return okReply(room->second.at(call.params[1]));
        },
        false);
}

TestHomeserver::Impl::Reply TestHomeserver::Impl::deleteRoomKeys(Call &call)
{
    return roomKeysReply(
        call,
        [&](KeyBackup &backup, const std::string &) {
            if (call.params.empty()) {
                backup.keys.clear();
            } else if (call.params.size() == 1) {
                backup.keys.erase(call.params[0]);
            } else if (auto room = backup.keys.find(call.params[0]); room != backup.keys.end()) {
                room->second.erase(call.params[1]);
            }
            ++backup.etag;
            const Json info = versionInfo(backup);
            return okReply(Json{{"etag", info["etag"]}, {"count", info["count"]}});
        },
        false);
}

} // namespace tessera::e2e
