// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "matrix/clientapi.h"
#include "matrix/cryptomachine.h"
#include "matrix/encryption.h"
#include "matrix/events.h"
#include "matrix/oauth.h"
#include "matrix/roombackend.h"
#include "matrix/roomstore.h"
#include "net/httpclient.h"
#include "storage/database.h"
#include "util/result.h"
#include "util/scheduler.h"
#include "util/secretstore.h"

namespace tessera::matrix {

enum class LogLevel { Invalid = 0, Debug, Info, Warning };

/**
 * @brief The loopback end of a browser sign-in (RFC 8252 §7.3): an HTTP listener on 127.0.0.1
 * with a port the system picks, answering the browser's redirect to oauth::kRedirectPath.
 * The application provides it (it needs an event loop); the backend closes it when done.
 */
class RedirectListener {
public:
    virtual ~RedirectListener() = default;
    /**
     * Listens on 127.0.0.1:0 and returns the port. Each GET of oauth::kRedirectPath calls
     * @p onCallback with its query (without '?'); the browser is told to go back to Tessera.
     */
    virtual Result<int> listen(std::function<void(const std::string &query)> onCallback) = 0;
    virtual void close() = 0;
};

struct MatrixBackendOptions {
    /** Where matrix.db (session, outbox) and matrix-cache.db (rooms) live. */
    std::filesystem::path dataDir;
    /** Required. The keychain-backed store in the app; FileSecretStore makes login() warn. */
    SecretStore *secrets = nullptr;
    /** The `timeout` of each /sync long-poll. */
    std::int64_t syncTimeoutMs = 30'000;
    /** Timeline events per room a sync returns (the filter's limit). */
    int syncTimelineLimit = 50;
    /** Every other request (sends included) gives up after this long and, for sends, retries. */
    std::int64_t requestTimeoutMs = 30'000;
    /** First wait after a failed sync or send; doubles per failure up to maxBackoffMs. */
    std::int64_t initialBackoffMs = 1'000;
    std::int64_t maxBackoffMs = 60'000;
    /** A 429's retry_after_ms is honoured up to this. */
    std::int64_t maxRetryAfterMs = 300'000;
    /** Largest media download kept in memory. */
    std::size_t maxDownloadBytes = 100u * 1024u * 1024u;
    /** /messages requests one timeline read may make to fill a page. */
    int maxBackfillRequestsPerRead = 5;
    /** Diagnostics (no secret ever reaches it). May be empty. */
    std::function<void(LogLevel, const std::string &)> log;
    std::string deviceDisplayName = "Tessera";
    /** Makes the loopback listener of a browser sign-in; without it OAuth sign-in is unavailable. */
    std::function<std::unique_ptr<RedirectListener>()> redirectListeners;
    /** Opens a URL in the system browser. */
    std::function<Result<void>(const std::string &url)> openBrowser;
    /** A client id the server's administrators registered (--oauth-client-id); empty: register dynamically. */
    std::string oauthClientId;
    /** How Tessera introduces itself when it registers (MSC2966). */
    std::string clientName = "Tessera";
    std::string clientUri = "https://tessera.invalid/";
    /** The browser part of a sign-in must finish within this. */
    std::int64_t signInTimeoutMs = 300'000;
    /**
     * The end-to-end encryption state machine (the application's hidden crypto page); it must
     * outlive the backend. Null: no end-to-end encryption, and sends into encrypted rooms are
     * refused rather than made in the clear.
     */
    CryptoMachine *crypto = nullptr;
};

/** The logged-in account. */
struct SessionInfo {
    std::string homeserverUrl;
    std::string userId;
    std::string deviceId;
    /** The token is kept in a file, not a keychain (SecretStore::isFallback()): the UI says so. */
    bool tokenInFallbackStore = false;
    /** "password" or "oauth". */
    std::string authKind = "password";
    /** Where the account is managed (MSC4191), for OAuth sessions whose server gives one. */
    std::string accountManagementUrl;
    std::vector<std::string> accountManagementActions;
};

/** What a homeserver offers for signing in (discoverLogin). */
struct LoginChoices {
    std::string baseUrl;
    bool password = false;
    std::optional<oauth::ServerMetadata> oauth;
    nlohmann::json versions;
};

/** Why the session ended without the user asking (a 401 that no refresh could mend). */
struct SessionEnd {
    /** soft_logout: the data on this computer is kept and signing in again as userId resumes it. */
    bool soft = false;
    std::string userId;
    std::string homeserverUrl;
    std::string reason;
    /** Unsent events discarded with the session (hard ends only). */
    std::size_t discardedSends = 0;
};

struct LoginRequest {
    /** https://matrix.example.org, example.org, or a full user id @name:example.org. */
    std::string homeserver;
    /** Localpart or full user id; taken from `homeserver` when that is a user id and this is empty. */
    std::string user;
    std::string password;
};

enum class SyncState {
    Invalid = 0,
    Stopped,   ///< not started, or stop() was called
    Syncing,   ///< a /sync request is running or about to
    Backoff,   ///< the last sync failed; waiting before the next
    LoggedOut, ///< the server rejected the token (401) and no refresh mended it; login again
};

struct SyncStatus {
    SyncState state = SyncState::Stopped;
    int consecutiveFailures = 0;
    std::string lastError;
};

/** A send the server refused for good, kept so the UI can show it. */
struct FailedSend {
    std::string txnId;
    std::string kind;
    std::string roomId;
    std::string type;
    std::string error;
};

/**
 * @brief A room backend on a Matrix homeserver (Client-Server API v3, over libcurl).
 *
 * Logs in with a password (and recognises servers that only offer the browser OIDC login),
 * keeps the access token in the SecretStore, runs the /sync long-poll with back-off and resumes
 * from the stored next_batch after a restart, caches rooms, state and timelines in SQLite so a
 * restart shows rooms at once, and sends through a persistent outbox: each send is stored with
 * its transaction id before the request goes out, transient failures (no answer, timeouts, 5xx,
 * 429 after retry_after_ms) are retried with the same id, so nothing is lost or duplicated across
 * crashes; permanent refusals reach the caller with the server's errcode and error. Sends go out
 * one at a time, in order.
 *
 * Room account data is read from the cache; for a room no sync has brought since open(), an
 * entry the cache lacks is fetched from the homeserver (and cached). There is no global account
 * data: the sync filter leaves it out and nothing reads it.
 *
 * Media uses the authenticated /_matrix/client/v1/media endpoints and falls back to
 * /_matrix/media/v3 on servers without them. Delayed events (MSC4140) are offered when the
 * server advertises org.matrix.msc4140. The access token never appears in a log line, an error
 * or a MatrixApiError.
 *
 * Sessions come from a password login or from the OAuth 2.0 API (the browser sign-in of a
 * server that delegates to an authorization server such as MAS). An OAuth session's short-lived
 * access token is refreshed before it expires and on a 401 M_UNKNOWN_TOKEN, one refresh at a
 * time: requests made meanwhile wait for the new token, and a request refused with the old one
 * is sent again with the new one, so none is lost to a refresh. A 401 that no refresh mends ends
 * the session: with soft_logout the local data stays for signing in again, otherwise it is wiped
 * (SessionEnd says why).
 *
 * With a CryptoMachine it is a full member of encrypted rooms: the machine's store opens with a
 * key kept in the SecretStore, each sync's to-device events, device lists and key counts reach
 * the machine before the sync is acknowledged, events are decrypted wherever they come out
 * (listeners, timeline reads, relations) and an undecryptable one is given again, decrypted,
 * when its key arrives (RoomListener::onEventDecrypted); non-state sends into an encrypted room
 * are encrypted by the outbox just before they go out (the room key is shared with every
 * member's devices first), and sendEncryptedToDevice() encrypts per device.
 *
 * It has one account at a time.
 */
class MatrixBackend final : public RoomBackend {
public:
    /** Name of the secret that holds the access token. */
    static constexpr std::string_view kTokenSecret = "matrix-access-token";
    /** Name of the secret that holds an OAuth session's refresh token. */
    static constexpr std::string_view kRefreshSecret = "matrix-refresh-token";
    /** Name of the secret that holds the key the crypto store is encrypted with. */
    static constexpr std::string_view kCryptoStoreSecret = "matrix-crypto-store-key";

    /**
     * Opens the stored session and cache (no network). With a stored session, rooms() answers
     * from the cache at once; call start() to sync.
     */
    static Result<std::unique_ptr<MatrixBackend>> open(Scheduler &scheduler, net::HttpClient &http,
                                                       MatrixBackendOptions options);
    ~MatrixBackend() override;

    /**
     * Discovers the homeserver (well-known, /versions), checks that it offers password login
     * (a server that needs the browser OIDC flow is reported as Unsupported), logs in, and stores
     * the session. Replaces a stored session only on success.
     */
    void login(const LoginRequest &request, Callback<SessionInfo> done);
    /**
     * Finds out how @p homeserver (a URL, a server name or a user id) lets one sign in: its base
     * URL (well-known), that it is a Matrix server (/versions), password login (/login flows)
     * and OAuth 2.0 (auth_metadata, or the unstable auth_issuer and the issuer's metadata).
     */
    void discoverLogin(const std::string &homeserver, Callback<LoginChoices> done);
    /**
     * Signs in through the browser (OAuth 2.0 authorization code grant with PKCE): registers the
     * client (or uses the configured/cached id), opens the browser, waits for the loopback
     * redirect (bounded by signInTimeoutMs), exchanges the code, asks /whoami and stores the
     * session. Nothing is stored unless every check passed.
     */
    void loginWithOAuth(const LoginChoices &choices, Callback<SessionInfo> done);
    /** Abandons a discovery or a sign-in in progress; its callback gets ErrorCode::Conflict "cancelled". */
    void cancelLogin();
    /** Logs out on the server (if it answers), forgets token, session, cache and unsent events. */
    void logout(Callback<void> done) { logout(false, std::move(done)); }
    /**
     * Signs out: OAuth sessions revoke their tokens (RFC 7009), password sessions call /logout;
     * the secrets are wiped either way. With @p keepLocalData the cached rooms and unsent
     * events stay for the next sign-in as the same user; otherwise they are deleted.
     */
    void logout(bool keepLocalData, Callback<void> done);
    [[nodiscard]] std::optional<SessionInfo> session() const { return m_session; }
    /** After a soft logout (also across restarts): whom signing in again resumes. */
    [[nodiscard]] std::optional<SessionEnd> pendingReauth() const { return m_pendingReauth; }
    /** Called when the server ends the session (see SessionEnd). */
    void setSessionEndedCallback(std::function<void(const SessionEnd &)> callback)
    {
        m_onSessionEnded = std::move(callback);
    }
    /** The client id to use for browser sign-in instead of registering (empty: register). */
    void setOAuthClientId(std::string clientId) { m_options.oauthClientId = std::move(clientId); }
    [[nodiscard]] const std::string &oauthClientId() const { return m_options.oauthClientId; }
    /** Token refreshes that succeeded since open(). */
    [[nodiscard]] std::uint64_t tokenRefreshes() const { return m_refreshes; }

    /** Starts syncing and sending (no-op without a session). */
    void start();
    /** Stops syncing and sending; unsent events stay in the outbox. */
    void stop();
    [[nodiscard]] const SyncStatus &syncStatus() const { return m_syncStatus; }
    /** Called whenever syncStatus() changes. */
    void setSyncStatusCallback(std::function<void(const SyncStatus &)> callback)
    {
        m_onSyncStatus = std::move(callback);
    }
    /** The stored next_batch: where the next sync resumes. */
    [[nodiscard]] std::string syncToken() const;
    /** Syncs processed since open(). */
    [[nodiscard]] std::uint64_t completedSyncs() const { return m_completedSyncs; }
    /** Sends stored and not yet accepted by the server. */
    [[nodiscard]] std::size_t pendingSends() const;
    [[nodiscard]] std::vector<FailedSend> failedSends() const;

    /**
     * Applies one /sync response to the cache and tells the listeners (used by the sync loop and
     * benchmarks). @p toDevice, when given, replaces the response's to-device events (what the
     * encryption machine made of them).
     */
    Result<void> applySync(const nlohmann::json &response, const std::vector<ReceivedToDevice> *toDevice = nullptr);

    /** The end-to-end encryption driver; null without a CryptoMachine or before start(). */
    [[nodiscard]] Encryption *encryption() { return m_encryption.get(); }
    /** True once the crypto store is open and the sync loop may run. */
    [[nodiscard]] bool encryptionReady() const { return m_encryption && m_encryption->isReady(); }
    /**
     * Hears the encryption machine's own reports (kind "ready" with this device's identity,
     * "devices", "identity", "verification", "error"), for the user interface.
     */
    void setEncryptionListener(std::function<void(const std::string &kind, const nlohmann::json &payload)> listener);
    /** What a restore from the server-side key backup did. */
    struct BackupRestore {
        std::string version;
        std::int64_t imported = 0;
        std::int64_t total = 0;
        std::int64_t failures = 0;
    };
    /**
     * Opens the server-side key backup with @p recoveryKey (its base58 recovery key) and imports
     * its room keys; events that waited for them are given again, decrypted (onEventDecrypted).
     */
    void restoreKeyBackup(const std::string &recoveryKey, Callback<BackupRestore> done);

    // RoomBackend
    [[nodiscard]] std::string userId() const override;
    [[nodiscard]] std::string deviceId() const override;
    [[nodiscard]] std::vector<RoomInfo> rooms() const override;
    [[nodiscard]] std::optional<RoomInfo> room(const std::string &roomId) const override;
    [[nodiscard]] std::int64_t powerLevel(const std::string &roomId, const std::string &userId) const override;
    [[nodiscard]] bool canSendState(const std::string &roomId, const std::string &type) const override;
    [[nodiscard]] bool canSendEvent(const std::string &roomId, const std::string &type) const override;
    [[nodiscard]] bool isEncrypted(const std::string &roomId) const override;
    [[nodiscard]] bool encrypts() const override { return m_options.crypto != nullptr; }
    [[nodiscard]] bool canEncrypt(const std::string &roomId) const override;
    void createRoom(const CreateRoomRequest &request, Callback<std::string> done) override;
    void joinRoom(const std::string &roomIdOrAlias, Callback<std::string> done) override;
    void leaveRoom(const std::string &roomId, Callback<void> done) override;
    void readState(const std::string &roomId, const std::string &type, const std::optional<std::string> &stateKey,
                   Callback<std::vector<nlohmann::json>> done) override;
    void readTimeline(const TimelineQuery &query, Callback<TimelinePage> done) override;
    void readRelations(const RelationsQuery &query, Callback<RelationsPage> done) override;
    void readRoomAccountData(const std::string &roomId, const std::string &type,
                             Callback<std::optional<nlohmann::json>> done) override;
    void setRoomAccountData(const std::string &roomId, const std::string &type, const nlohmann::json &content,
                            Callback<void> done) override;
    void send(const SendRequest &request, Callback<SendResult> done) override;
    /**
     * Takes a send out of the outbox unless its request is with the server right now (then that
     * request is its last attempt). An earlier attempt that got no answer (a timeout, a dropped
     * connection, a 500) may have reached the server: MayHaveArrived. Attempts that could not
     * connect, and 429 and 503 answers, did not.
     */
    Withdrawal withdrawSend(const std::string &sendKey) override;
    /** Deletes the `failed` outbox row of a refused send (failedSends() no longer lists it). */
    bool forgetFailedSend(const std::string &sendKey) override;
    void redact(const std::string &roomId, const std::string &eventId, const std::optional<std::string> &reason,
                Callback<std::string> done) override;
    [[nodiscard]] bool supportsDelayedEvents() const override { return m_delayedEvents; }
    void updateDelayedEvent(const std::string &delayId, DelayedEventAction action, Callback<void> done) override;
    void sendToDevice(const std::string &type, const nlohmann::json &messages, Callback<void> done) override;
    void sendEncryptedToDevice(const std::string &type, const nlohmann::json &messages, const std::string &widgetId,
                               Callback<void> done) override;
    [[nodiscard]] std::optional<DecryptionInfo> decryptionInfo(const std::string &eventId) const override;
    void requestOpenIdToken(Callback<OpenIdToken> done) override;
    void mediaConfig(Callback<nlohmann::json> done) override;
    void uploadMedia(const MediaUpload &upload, Callback<std::string> done) override;
    void downloadMedia(const std::string &mxcUri, Callback<MediaDownload> done) override;
    /** The authenticated thumbnail endpoint (crop), else the file; both capped at @p maxBytes. */
    void downloadThumbnail(const std::string &mxcUri, int sizePx, std::size_t maxBytes,
                           Callback<MediaDownload> done) override;
    void searchUserDirectory(const std::string &term, int limit, Callback<UserDirectoryResult> done) override;
    void turnServers(Callback<TurnServers> done) override;
    void profile(const std::string &userId, Callback<Profile> done) override;
    void setDisplayName(const std::string &displayName, Callback<void> done) override;
    void setAvatarUrl(const std::string &mxcUri, Callback<void> done) override;
    [[nodiscard]] std::unique_ptr<ListenerHandle> addListener(RoomListener listener) override;

    struct OutboxRow;
    struct TimelineRead;

private:
    MatrixBackend(Scheduler &scheduler, net::HttpClient &http, MatrixBackendOptions options,
                  storage::Database sessionDb, storage::Database cacheDb);
    Result<void> loadSession();
    void logLine(LogLevel level, const std::string &text) const;
    std::string scrub(std::string text) const;

    template<typename T>
    void post(Callback<T> done, Result<T> result);
    /**
     * Calls the API and hands the result to @p done on the scheduler's thread, if this backend
     * lives. Authenticated calls go through the token handling (refresh before expiry and on 401);
     * the returned id cancels the call wherever it is (waiting for a token or on the wire).
     */
    std::uint64_t api(ApiCall call, std::function<void(Result<ApiResponse>)> done);
    void cancelCall(std::uint64_t id);
    /** Answers each of the calls @p ids that is still pending with @p error. */
    void failCalls(const std::vector<std::uint64_t> &ids, const Error &error);

    // tokens and session lifecycle (matrixbackend_auth.cpp)
    struct AuthState;
    struct PendingCall;
    struct OAuthFlow;
    struct DiscoveryFlow;
    void sendCall(std::uint64_t id);
    void onCallResult(std::uint64_t id, const std::string &tokenUsed, Result<ApiResponse> result);
    bool tokenExpiresSoon() const;
    /** While running, refreshes an expiring access token ahead of time, without waiting for a call. */
    void scheduleRefresh();
    void startRefresh();
    void onRefreshResult(Result<oauth::TokenSet> result);
    Result<void> storeTokens(const oauth::TokenSet &tokens);
    void endSession(const Error &why, bool soft);
    Result<void> storeSession(const SessionInfo &info, const nlohmann::json &versions);
    Result<void> prepareLocalDataFor(const std::string &userId);
    void oauthStep(std::shared_ptr<OAuthFlow> flow);
    void finishOAuth(std::shared_ptr<OAuthFlow> flow, Result<SessionInfo> result);
    Error notLoggedIn() const;
    /** downloadMedia() with at most @p maxBytes (authenticated media, else the legacy endpoint). */
    void downloadFile(const std::string &mxcUri, std::size_t maxBytes, Callback<MediaDownload> done);

    // login
    struct LoginFlow;
    void loginStep(std::shared_ptr<LoginFlow> flow);
    Result<SessionInfo> finishLogin(const std::string &baseUrl, const nlohmann::json &versions,
                                    const nlohmann::json &loginResponse);
    void applyVersions(const nlohmann::json &versions);
    Result<void> clearLocalData();

    // sync
    void setSyncState(SyncState state, const std::string &error = {});
    void ensureFilterThenSync();
    void syncOnce();
    void onSyncResult(Result<ApiResponse> result);
    void finishSync(const nlohmann::json &response, const std::vector<ReceivedToDevice> *toDevice);
    void syncFailed(const Error &error);
    void scheduleSync(std::int64_t delayMs);
    std::int64_t backoffMs(int failures) const;

    // outbox
    Result<std::int64_t> enqueue(const OutboxRow &row);
    void pumpOutbox();
    void onOutboxResult(std::int64_t seq, Result<ApiResponse> result);
    /** @p keepRefused: a refused send stays as `failed` for the UI (not for a withdrawn one). */
    void finishOutbox(std::int64_t seq, Result<ApiResponse> result, bool keepRefused = true);
    /** Sends withdrawn while on the wire whose answer never came: gone, and their senders told so. */
    void dropWithdrawnInFlight(const std::string &why);
    /** Removes one outbox row; false (and a log line) if the store refused. */
    bool deleteOutboxRow(std::int64_t seq);
    [[nodiscard]] bool callOnWire(std::uint64_t id) const;

    // timeline reads with backfill
    void continueTimelineRead(std::shared_ptr<TimelineRead> read);
    void takeTimelinePage(std::shared_ptr<TimelineRead> read, StorePage page);

    // end-to-end encryption
    void startEncryption();
    /** Stops using the machine (a session that ended); @p forgetStore: its store key goes too. */
    void closeEncryption(bool forgetStore);
    Result<EncryptionRoom> encryptionRoom(const std::string &roomId) const;
    void trackEncryptedRooms(const std::set<std::string> &roomIds);
    void encryptOutboxRow(std::int64_t seq, const std::string &roomId, const std::string &type, const nlohmann::json &body);
    struct EmitBatch;
    void queueEmit(EmitBatch batch);
    void pumpEmits();

    Scheduler &m_scheduler;
    MatrixBackendOptions m_options;
    mutable storage::Database m_sessionDb; // const queries (pendingSends) prepare statements
    storage::Database m_cacheDb;
    std::unique_ptr<RoomStore> m_store;
    ClientApi m_api;
    ListenerSet m_listeners;
    std::optional<SessionInfo> m_session;
    std::string m_token;
    bool m_delayedEvents = false;
    bool m_legacyMedia = false;

    bool m_running = false;
    SyncStatus m_syncStatus;
    std::function<void(const SyncStatus &)> m_onSyncStatus;
    std::string m_filter; ///< filter id, or the inline filter JSON
    std::optional<std::uint64_t> m_syncRequest;
    std::optional<Scheduler::TimerId> m_syncTimer;
    std::uint64_t m_completedSyncs = 0;
    bool m_syncedSinceStart = false;
    /** Rooms a sync processed since open() brought (the account data of): for the others an
     *  empty cache proves nothing, and readRoomAccountData() asks the homeserver. */
    std::set<std::string> m_syncedRooms;

    std::optional<Scheduler::TimerId> m_outboxTimer;
    std::optional<std::uint64_t> m_outboxRequest;
    int m_outboxFailures = 0;
    std::map<std::int64_t, std::function<void(Result<ApiResponse>)>> m_outboxWaiters;
    /** The row the outbox works on (being encrypted or on its way); empty while it is idle. */
    std::optional<std::int64_t> m_outboxSeq;
    /** SendRequest::sendKey of the rows sent with one, for withdrawSend(). */
    std::map<std::int64_t, std::string> m_outboxKeys;
    /** Rows an earlier attempt of which got no answer: the server may have applied them. */
    std::set<std::int64_t> m_outboxMaybeArrived;
    /** SendRequest::sendKey of refused sends kept as `failed`, for forgetFailedSend(). */
    std::map<std::string, std::int64_t> m_failedKeys;
    /** The row m_outboxTimer waits to try again. */
    std::optional<std::int64_t> m_outboxRetrySeq;
    /** Rows withdrawn while their request was on the wire: its answer is final, no retry. */
    std::set<std::int64_t> m_outboxLastAttempt;

    net::HttpClient &m_http;
    oauth::Client m_oauth;
    std::unique_ptr<AuthState> m_auth;
    std::map<std::uint64_t, std::unique_ptr<PendingCall>> m_calls;
    std::uint64_t m_nextCallId = 1;
    std::vector<std::uint64_t> m_tokenWaiters;
    bool m_refreshing = false;
    std::optional<net::HttpClient::RequestId> m_refreshRequest;
    std::optional<Scheduler::TimerId> m_refreshTimer;
    std::uint64_t m_refreshes = 0;
    std::function<void(const SessionEnd &)> m_onSessionEnded;
    std::optional<SessionEnd> m_pendingReauth;
    std::shared_ptr<DiscoveryFlow> m_loginFlow;
    std::shared_ptr<OAuthFlow> m_oauthFlow;
    std::unique_ptr<Encryption> m_encryption;
    std::function<void(const std::string &, const nlohmann::json &)> m_encryptionListener;
    bool m_encryptionStarting = false;
    int m_encryptionFailures = 0;
    std::deque<std::unique_ptr<EmitBatch>> m_emits; ///< what listeners hear, in order, after decryption
    bool m_emitBusy = false;

    std::shared_ptr<int> m_alive = std::make_shared<int>(0);
};

} // namespace tessera::matrix
