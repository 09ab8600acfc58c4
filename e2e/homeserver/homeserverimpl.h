// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "testhomeserver.h"

namespace tessera::e2e {

namespace detail {

using Json = nlohmann::json;

/** @brief A reply before it is written to the wire: JSON, or raw bytes for media. */
struct Reply {
    int status = 200;
    Json json = Json::object();
    std::optional<std::string> raw;
    std::string contentType = "application/json";
    std::vector<std::pair<std::string, std::string>> headers;
};

Reply okReply(Json body = Json::object());
/** @brief `{errcode, error, ...extra}` with the given status, as Synapse's cs_error. */
Reply errorReply(int status, const std::string &errcode, const std::string &message, Json extra = Json::object());

/** @brief An Error carrying the homeserver answer (status, errcode, error) in matrixApiError. */
Error mxError(int status, const std::string &errcode, const std::string &message, Json extra = Json::object());
Reply replyFromError(const Error &error);
struct Call;

/** @p text in ASCII lower case. */
std::string lower(std::string text);
/** A query parameter as Synapse's parse_integer reads it: missing gives nullopt, else 400s. */
Result<std::optional<long long>> queryInteger(const Call &call, const std::string &name);
/** The `from`/`next_batch` token for stream position @p pos. */
std::string paginationToken(std::uint64_t pos);
/** The segments of a request's raw path, each percent-decoded ("/a/b%2Fc" -> a, b/c). */
std::vector<std::string> splitPath(const std::string &rawPath);

/** @brief A filter on events: the RoomEventFilter / StateFilter subset the server applies. */
struct EventFilter {
    std::optional<std::vector<std::string>> types;
    std::vector<std::string> notTypes;
    std::optional<std::vector<std::string>> senders;
    std::vector<std::string> notSenders;
    std::optional<int> limit;
    bool lazyLoadMembers = false;

    bool matches(const Json &event) const;
    /** @brief Parses a filter object; a specific 400 M_BAD_JSON error when a field has the wrong type. */
    static Result<EventFilter> parse(const Json &json);
};

/** @brief The /sync filter subset: room ids, include_leave, timeline, state and account data filters. */
struct SyncFilter {
    std::optional<std::vector<std::string>> rooms;
    std::vector<std::string> notRooms;
    bool includeLeave = false;
    EventFilter timeline;
    EventFilter state;
    EventFilter accountData;     ///< top-level `account_data`: global account data
    EventFilter roomAccountData; ///< `room.account_data`

    bool roomAllowed(const std::string &roomId) const;
    static Result<SyncFilter> parse(const Json &json);
};

/** @brief A stream token: room events up to `eventsPos`, to-device up to `toDevicePos`. */
struct StreamToken {
    std::uint64_t eventsPos = 0;
    std::uint64_t toDevicePos = 0;

    std::string toString() const;
    /** @brief Accepts "s<N>", "s<N>_<M>" and "t<N>". */
    static std::optional<StreamToken> parse(const std::string &text);
};

struct StoredEvent {
    Json event;                 ///< event_id, room_id, sender, type, content, origin_server_ts[, state_key, redacts]
    std::uint64_t pos = 0;      ///< global stream position
    std::string txnId;          ///< the sender's transaction id, if sent with one
    std::string txnDevice;      ///< "<user>|<device>" that sent it with txnId
    Json prevContent;           ///< previous state content (state events replacing another), or null
    std::string prevSender;
    std::string replacesState;
    std::string redactedBy;     ///< event id of the redaction, if redacted

    bool isState() const { return event.contains("state_key"); }
    const std::string &type() const { return event["type"].get_ref<const std::string &>(); }
    const std::string &sender() const { return event["sender"].get_ref<const std::string &>(); }
    const std::string &id() const { return event["event_id"].get_ref<const std::string &>(); }
};

using StateKey = std::pair<std::string, std::string>;

struct Room {
    std::string id;
    std::string version = "10";
    std::vector<StoredEvent> events;
    std::map<StateKey, std::size_t> state; ///< current state: index into events
};

/** @brief One account data entry: its content and the stream position of its last change. */
struct AccountDataEntry {
    Json content;
    std::uint64_t pos = 0;
};

using AccountDataMap = std::map<std::string, AccountDataEntry>; ///< by type

struct User {
    std::string id;
    std::string password;
    std::string displayName;
    std::string avatarUrl;
    std::set<std::string> devices;
    std::map<std::string, std::string> deviceDisplayNames; ///< device id -> initial_device_display_name
    std::vector<Json> filters;
    AccountDataMap accountData;                            ///< global account data
    std::map<std::string, AccountDataMap> roomAccountData; ///< room id -> that room's account data
};

/** @brief A one-time or fallback key as uploaded: "<algorithm>:<key id>" and its JSON. */
struct UploadedKey {
    std::string algorithm;
    std::string keyId;
    Json key;
    bool used = false; ///< fallback keys only: claimed since it was uploaded
};

/** @brief What a device published for end-to-end encryption (/keys/upload). */
struct DeviceE2e {
    Json deviceKeys;                               ///< null until uploaded; signatures merged in
    std::vector<UploadedKey> oneTimeKeys;          ///< unclaimed, in upload order (claimed oldest first)
    std::map<std::string, UploadedKey> fallbackKeys; ///< by algorithm: one per algorithm
};

/** @brief A user's cross-signing keys (/keys/device_signing/upload); null when absent. */
struct CrossSigningKeys {
    Json master;
    Json selfSigning;
    Json userSigning;
};

/** @brief One server-side key backup version (/room_keys/version) and its keys. */
struct KeyBackup {
    std::uint64_t version = 0;
    std::string algorithm;
    Json authData;
    std::uint64_t etag = 0;
    bool deleted = false;
    std::map<std::string, std::map<std::string, Json>> keys; ///< room id -> session id -> key data
};

struct ToDeviceMessage {
    std::uint64_t pos = 0;
    Json event; ///< {sender, type, content}
};

struct Media {
    std::string contentType;
    std::string fileName;
    std::string bytes;
};

struct OpenIdToken {
    std::string userId;
    std::chrono::steady_clock::time_point expiresAt;
};

struct DelayedEvent {
    std::string delayId;
    Session owner;
    std::string roomId;
    std::string type;
    std::optional<std::string> stateKey;
    Json content;
    std::chrono::milliseconds delay{0};
    std::chrono::steady_clock::time_point due;
    std::int64_t runningSinceMs = 0;
};

struct FaultState {
    FaultRule rule;
    std::optional<std::regex> regex;
    int remaining = 0;
};

/** @brief One request as the handlers see it. */
struct Call {
    const httplib::Request *http = nullptr;
    std::string method;
    std::string path;                 ///< raw path, no query
    std::vector<std::string> params;  ///< decoded path parameters, in pattern order
    std::optional<Session> session;   ///< set for authenticated routes

    std::optional<std::string> query(const std::string &name) const;
};

} // namespace detail

class TestHomeserver::Impl {
public:
    using Json = detail::Json;
    using Reply = detail::Reply;
    using Call = detail::Call;
    using Handler = Reply (Impl::*)(Call &);

    explicit Impl(HomeserverOptions options);
    ~Impl();

    // lifecycle (server.cpp)
    Result<void> start();
    void stop();
    bool isRunning() const;
    std::optional<StopReason> waitUntilStopped(std::chrono::milliseconds timeout) const;

    // faults (server.cpp)
    Result<void> addFault(const FaultRule &rule);
    void clearFaults();
    std::size_t remainingFaultHits() const;

    // C++ setup API (rooms.cpp); each takes the lock
    Result<std::string> createUser(const std::string &user, const std::string &password,
                                   const std::string &displayName);
    Result<Session> login(const std::string &user, const std::string &deviceId);
    Result<std::string> createRoom(const RoomSpec &spec);
    Result<std::string> joinRoom(const std::string &user, const std::string &roomIdOrAlias);
    Result<void> invite(const std::string &roomId, const std::string &inviter, const std::string &invitee);
    Result<void> leaveRoom(const std::string &user, const std::string &roomId);
    Result<std::string> sendEvent(const std::string &roomId, const std::string &sender,
                                  const std::string &type, const Json &content);
    Result<std::string> setState(const std::string &roomId, const std::string &sender,
                                 const std::string &type, const std::string &stateKey, const Json &content);
    Result<void> applySeed(const Json &seed);

    // reading back (rooms.cpp)
    std::optional<std::string> resolveAlias(const std::string &alias) const;
    std::vector<Json> roomEvents(const std::string &roomId, const std::string &type) const;
    std::optional<Json> stateEvent(const std::string &roomId, const std::string &type,
                                   const std::string &stateKey) const;
    std::string membership(const std::string &roomId, const std::string &user) const;
    std::size_t pendingToDeviceCount(const std::string &user, const std::string &deviceId) const;
    std::size_t pendingDelayedEventCount() const;
    std::optional<std::string> mediaContent(const std::string &mxcUri) const;
    std::vector<RequestRecord> requestLog() const;

    // runtime switches
    void setLegacyMediaOnly(bool legacyOnly);
    void setDelegatedOidcIssuer(const std::string &issuer);
    void setTurnServer(std::optional<TurnServerConfig> turn);

    HomeserverOptions m_options; ///< serverName/port/limits are fixed; switches change under m_mutex
    std::atomic<int> m_port{0};
    std::atomic<std::size_t> m_requests{0};

private:
    struct Route {
        std::string method;
        std::vector<std::string> pattern; ///< literal segments, "{}" for a parameter
        bool auth = true;
        Handler handler = nullptr;
    };

    // --- HTTP plumbing (server.cpp)
    void registerRoutes();
    void route(const std::string &method, const std::string &pattern, Handler handler, bool auth = true);
    void handleHttp(const httplib::Request &req, httplib::Response &res);
    bool handleOversized(const httplib::Request &req, httplib::Response &res, std::size_t readUpTo);
    std::size_t bodyLimit(const std::string &rawPath) const;
    std::size_t drainLimit() const;
    void writeReply(const httplib::Request &req, httplib::Response &res, Reply reply, const detail::FaultState *fault,
                    bool closeAfter = false);
    Reply dispatch(Call &call);
    Reply handleControl(Call &call);
    std::optional<detail::FaultState> takeFault(const std::string &method, const std::string &path);
    void dropConnection(const httplib::Request &req);
    bool sleepUnlessStopping(std::chrono::milliseconds duration);
    void recordRequest(RequestRecord record);
    void requestFinished();
    void timerLoop();
    void shutdownServer();

    // --- model helpers (rooms.cpp); "Locked" = caller holds m_mutex
    std::string newId(std::size_t length, bool upper = false);
    std::string qualifyUser(const std::string &user) const;
    std::string qualifyAlias(const std::string &alias) const;
    std::int64_t nowMs() const;
    std::uint64_t bumpPosLocked();
    Result<Session> loginLocked(const std::string &userId, const std::string &deviceId);
    detail::Room *findRoomLocked(const std::string &roomId);
    const detail::Room *findRoomLocked(const std::string &roomId) const;
    const detail::StoredEvent *stateLocked(const detail::Room &room, const std::string &type,
                                           const std::string &stateKey) const;
    std::string membershipLocked(const detail::Room &room, const std::string &userId) const;
    std::int64_t userLevelLocked(const detail::Room &room, const std::string &userId) const;
    std::int64_t namedLevelLocked(const detail::Room &room, const std::string &name, std::int64_t dflt) const;
    std::int64_t sendLevelLocked(const detail::Room &room, const std::string &type, bool isState) const;
    Result<void> checkSenderJoinedLocked(const detail::Room &room, const std::string &userId) const;
    Result<void> checkCanReadLocked(const detail::Room &room, const std::string &userId,
                                    std::uint64_t *visibleUpTo) const;
    /** @brief The room if @p userId may read it (up to *visibleUpTo), else Synapse's 403. */
    Result<const detail::Room *> readableRoomLocked(const std::string &roomId, const std::string &userId,
                                                    std::uint64_t *visibleUpTo) const;
    Result<void> checkPowerLevelsChangeLocked(const detail::Room &room, const std::string &sender,
                                              const Json &content) const;
    /** @brief Authorises and appends a non-membership event; returns its id. */
    Result<std::string> appendEventLocked(detail::Room &room, const std::string &sender,
                                          const std::string &type, const std::optional<std::string> &stateKey,
                                          Json content, const std::string &txnId = {},
                                          const std::string &txnDevice = {}, const std::string &redacts = {});
    /** @brief Appends without authorisation (room creation, membership after its own checks). */
    std::string storeEventLocked(detail::Room &room, const std::string &sender, const std::string &type,
                                 const std::optional<std::string> &stateKey, Json content,
                                 const std::string &txnId = {}, const std::string &txnDevice = {},
                                 const std::string &redacts = {});
    Result<std::string> createRoomLocked(const std::string &creator, const Json &request);
    Result<std::string> membershipChangeLocked(detail::Room &room, const std::string &sender,
                                               const std::string &target, const std::string &membership,
                                               const Json &extra, const std::string &txnId = {},
                                               const std::string &txnDevice = {});
    Result<std::string> joinLocked(const std::string &userId, const std::string &roomIdOrAlias,
                                   const Json &extra);
    Result<std::string> redactLocked(detail::Room &room, const std::string &sender, const std::string &eventId,
                                     const Json &content, const std::string &txnId, const std::string &txnDevice);
    void cancelDelayedStateLocked(const std::string &roomId, const std::string &type,
                                  const std::string &stateKey, const std::string &sender);
    void fireDueDelayedEventsLocked();
    Result<std::string> sendDelayedLocked(const detail::DelayedEvent &delayed);
    /** @brief The client format; `timeline` adds the viewer's membership (MSC4115) as Synapse does. */
    Json clientEventLocked(const detail::Room &room, const detail::StoredEvent &event,
                           const std::string &viewerDevice, bool withRoomId, bool timeline = false) const;
    Json strippedStateLocked(const detail::Room &room, const std::string &inviteEventId) const;
    std::map<detail::StateKey, std::size_t> stateAtLocked(const detail::Room &room, std::uint64_t pos) const;
    void notifyLocked();

    // --- sync (sync.cpp)
    Json syncLocked(const Session &session, const detail::StreamToken *since, const detail::SyncFilter &filter,
                    bool fullState, std::uint64_t snapshotPos, std::uint64_t &toDeviceUpTo);
    /** @brief The room summary (m.heroes, member counts) for @p userId at @p upToPos. */
    Json roomSummaryLocked(const detail::Room &room, const std::string &userId, std::uint64_t upToPos) const;
    Json syncRoomLocked(const detail::Room &room, const Session &session, std::uint64_t fromPos,
                        std::uint64_t upToPos, bool fullState, const detail::SyncFilter &filter);
    /** @brief `{type, content}` of the entries changed in (fromPos, upToPos] that pass `filter`. */
    static Json accountDataEventsLocked(const detail::AccountDataMap *entries, std::uint64_t fromPos,
                                        std::uint64_t upToPos, const detail::EventFilter &filter);

    // --- HTTP handlers (clientapi.cpp, sync.cpp, media.cpp)
    Result<Json> jsonBody(const Call &call, bool allowEmpty = false) const;
    /** @brief The content of a PUT of an event and its MSC4140 delay, when the query asks for one. */
    struct EventPut {
        Json content;
        std::optional<long long> delayMs;
    };
    Result<EventPut> eventPut(const Call &call) const;
    std::string deviceKey(const Session &session) const;
    Reply cachedTxn(const Call &call, const std::function<Reply()> &perform);

    Reply getVersions(Call &call);
    Reply getWellKnown(Call &call);
    Reply getCapabilities(Call &call);
    Reply getLoginFlows(Call &call);
    Reply postLogin(Call &call);
    Reply postLogout(Call &call);
    Reply postLogoutAll(Call &call);
    Reply getWhoami(Call &call);
    Reply getAuthIssuer(Call &call);
    Reply getAuthMetadata(Call &call);
    Reply postCreateRoom(Call &call);
    Reply postJoin(Call &call);
    Reply postRoomJoin(Call &call);
    Reply postInvite(Call &call);
    Reply postLeave(Call &call);
    Reply getJoinedRooms(Call &call);
    Reply getRoomState(Call &call);
    Reply getRoomStateEvent(Call &call);
    Reply getRoomStateEventEmptyKey(Call &call);
    Reply putRoomStateEvent(Call &call);
    Reply putRoomStateEventEmptyKey(Call &call);
    Reply putSend(Call &call);
    Reply putRedact(Call &call);
    Reply getMessages(Call &call);
    Reply getRelations(Call &call);
    Reply getEvent(Call &call);
    Reply getDirectoryAlias(Call &call);
    Reply postFilter(Call &call);
    Reply getFilter(Call &call);
    Reply getSync(Call &call);
    Reply putSendToDevice(Call &call);
    Reply postOpenIdToken(Call &call);
    Reply getOpenIdUserinfo(Call &call);
    Reply getProfile(Call &call);
    Reply getProfileField(Call &call);
    Reply putProfileField(Call &call);
    Reply postUserDirectorySearch(Call &call);
    Reply getTurnServer(Call &call);
    Reply postDelayedEventAction(Call &call);
    Reply getDelayedEvents(Call &call);
    // end-to-end encryption keys and key backup (keys.cpp)
    Reply postKeysUpload(Call &call);
    Reply postKeysQuery(Call &call);
    Reply postKeysClaim(Call &call);
    Reply getKeysChanges(Call &call);
    Reply postDeviceSigningUpload(Call &call);
    Reply postSignaturesUpload(Call &call);
    Reply getRoomKeysVersionCurrent(Call &call);
    Reply postRoomKeysVersion(Call &call);
    Reply getRoomKeysVersion(Call &call);
    Reply putRoomKeysVersion(Call &call);
    Reply deleteRoomKeysVersion(Call &call);
    Reply putRoomKeys(Call &call);
    Reply getRoomKeys(Call &call);
    Reply deleteRoomKeys(Call &call);
    /** @brief Records that `userId`'s device list changed (new, changed or deleted device keys). */
    void deviceListChangedLocked(const std::string &userId);
    /** @brief Forgets a logged-out device: its keys, its to-device inbox; tells the user's peers. */
    void deleteDeviceLocked(const std::string &userId, const std::string &deviceId);
    /** @brief `device_lists` of an incremental sync: {changed, left} between the two positions. */
    Json deviceListsLocked(const std::string &userId, std::uint64_t fromPos, std::uint64_t upToPos) const;
    /** @brief {algorithm: count} of the device's unclaimed one-time keys (signed_curve25519 always present). */
    Json oneTimeKeyCountsLocked(const std::string &userId, const std::string &deviceId) const;
    Json unusedFallbackKeyTypesLocked(const std::string &userId, const std::string &deviceId) const;
    Json deviceKeysForQueryLocked(const std::string &userId, const std::string &deviceId) const;
    detail::KeyBackup *currentBackupLocked(const std::string &userId);
    detail::KeyBackup *backupLocked(const std::string &userId, const std::string &version);
    Reply roomKeysReply(Call &call, const std::function<Reply(detail::KeyBackup &, const std::string &)> &perform,
                        bool mustBeCurrent);

    Reply getPushRules(Call &call);
    Reply getAccountData(Call &call);
    Reply putAccountData(Call &call);
    Reply getRoomAccountData(Call &call);
    Reply putRoomAccountData(Call &call);
    void putAccountDataLocked(detail::AccountDataMap &entries, const std::string &type, Json content);
    Reply getMediaConfig(Call &call);
    Reply getMediaConfigV1(Call &call);
    Reply postUpload(Call &call);
    Reply getDownloadV1(Call &call);
    Reply getDownloadLegacy(Call &call);
    Reply getThumbnailV1(Call &call);
    Reply getThumbnailLegacy(Call &call);
    Reply thumbnail(Call &call);
    Reply download(Call &call, bool authenticated);
    Reply stateEventReply(Call &call, const std::string &stateKey);
    Reply putStateReply(Call &call, const std::string &stateKey);
    /** @brief Schedules an MSC4140 delayed event of the call's type (params[1]) in @p room. */
    Reply delayEventLocked(const Call &call, const detail::Room &room, long long delayMs,
                           std::optional<std::string> stateKey, Json content);

    friend class TestHomeserver;

    // --- state, all guarded by m_mutex
    mutable std::mutex m_mutex;
    std::condition_variable m_changed;  ///< new stream position, or stopping
    std::condition_variable m_timerCv;  ///< delayed events changed, a bound reached, or stop requested
    mutable std::condition_variable m_stoppedCv;
    std::mt19937_64 m_rng;
    std::uint64_t m_pos = 0;
    std::map<std::string, detail::User> m_users;
    std::map<std::string, Session> m_tokens; ///< access token -> session
    std::map<std::string, bool> m_expiredTokens; ///< access token -> soft_logout (expireTokens)

    // delegated OAuth (oauthdelegation.cpp); they take no lock while they talk to the server
    Result<Json> issuerMetadata();
    Result<Session> introspect(const std::string &token);
    std::size_t expireTokens(const std::string &user, bool softLogout);
    std::map<std::string, std::unique_ptr<detail::Room>> m_rooms;
    std::map<std::string, std::string> m_aliases;
    std::map<std::string, std::pair<std::string, std::size_t>> m_eventIndex; ///< event id -> (room, index)
    std::map<std::string, Reply> m_txns;
    std::map<std::string, std::deque<detail::ToDeviceMessage>> m_toDevice; ///< "<user>|<device>"
    std::map<std::string, detail::OpenIdToken> m_openIdTokens;
    std::map<std::string, detail::Media> m_media;
    std::map<std::string, detail::DelayedEvent> m_delayed;
    std::map<std::string, detail::DeviceE2e> m_deviceE2e;           ///< "<user>|<device>"
    std::map<std::string, detail::CrossSigningKeys> m_crossSigning; ///< user id
    std::vector<std::pair<std::uint64_t, std::string>> m_deviceListChanges; ///< (stream position, user id)
    std::map<std::string, std::vector<detail::KeyBackup>> m_keyBackups;    ///< user id -> versions, oldest first
    std::vector<detail::FaultState> m_faults;
    std::vector<RequestRecord> m_requestLog;
    std::vector<Route> m_routes;

    // lifecycle, guarded by m_mutex except the atomics
    httplib::Server m_server;
    std::thread m_listenThread;
    std::thread m_timerThread;
    std::mutex m_joinMutex; ///< serialises stop() callers around the join
    bool m_started = false;
    bool m_stopRequested = false;
    bool m_stopped = false;
    StopReason m_stopReason = StopReason::Invalid;
    std::atomic<bool> m_stopping{false};
    std::atomic<std::size_t> m_inflight{0};
    std::atomic<std::size_t> m_answered{0};
    std::chrono::steady_clock::time_point m_deadline;
};

} // namespace tessera::e2e
