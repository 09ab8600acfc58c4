// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
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
#include "matrix/events.h"
#include "matrix/roombackend.h"
#include "matrix/roomstore.h"
#include "net/httpclient.h"
#include "storage/database.h"
#include "util/result.h"
#include "util/scheduler.h"
#include "util/secretstore.h"

namespace tessera::matrix {

enum class LogLevel { Invalid = 0, Debug, Info, Warning };

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
};

/** The logged-in account. */
struct SessionInfo {
    std::string homeserverUrl;
    std::string userId;
    std::string deviceId;
    /** The token is kept in a file, not a keychain (SecretStore::isFallback()). */
    bool tokenInFallbackStore = false;
    /** A sentence for the UI when tokenInFallbackStore; empty otherwise. */
    std::string warning;
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
    LoggedOut, ///< the server rejected the token (401); login again
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
 * It has no end-to-end encryption, no OIDC login flow yet, and one account at a time.
 */
class MatrixBackend final : public RoomBackend {
public:
    /** Name of the secret that holds the access token. */
    static constexpr std::string_view kTokenSecret = "matrix-access-token";

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
    /** Logs out on the server (if it answers), forgets token, session, cache and unsent events. */
    void logout(Callback<void> done);
    [[nodiscard]] std::optional<SessionInfo> session() const { return m_session; }

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

    /** Applies one /sync response to the cache and tells the listeners (used by the sync loop and benchmarks). */
    Result<void> applySync(const nlohmann::json &response);

    // RoomBackend
    [[nodiscard]] std::string userId() const override;
    [[nodiscard]] std::string deviceId() const override;
    [[nodiscard]] std::vector<RoomInfo> rooms() const override;
    [[nodiscard]] std::optional<RoomInfo> room(const std::string &roomId) const override;
    [[nodiscard]] std::int64_t powerLevel(const std::string &roomId, const std::string &userId) const override;
    [[nodiscard]] bool canSendState(const std::string &roomId, const std::string &type) const override;
    [[nodiscard]] bool canSendEvent(const std::string &roomId, const std::string &type) const override;
    [[nodiscard]] bool isEncrypted(const std::string &roomId) const override;
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
    void redact(const std::string &roomId, const std::string &eventId, const std::optional<std::string> &reason,
                Callback<std::string> done) override;
    [[nodiscard]] bool supportsDelayedEvents() const override { return m_delayedEvents; }
    void updateDelayedEvent(const std::string &delayId, DelayedEventAction action, Callback<void> done) override;
    void sendToDevice(const std::string &type, const nlohmann::json &messages, Callback<void> done) override;
    void requestOpenIdToken(Callback<OpenIdToken> done) override;
    void mediaConfig(Callback<nlohmann::json> done) override;
    void uploadMedia(const MediaUpload &upload, Callback<std::string> done) override;
    void downloadMedia(const std::string &mxcUri, Callback<MediaDownload> done) override;
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
    /** Calls the API and hands the result to @p done on the scheduler's thread, if this backend lives. */
    void api(ApiCall call, std::function<void(Result<ApiResponse>)> done);
    Error notLoggedIn() const;

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
    void scheduleSync(std::int64_t delayMs);
    std::int64_t backoffMs(int failures) const;

    // outbox
    Result<std::int64_t> enqueue(const OutboxRow &row);
    void pumpOutbox();
    void onOutboxResult(std::int64_t seq, Result<ApiResponse> result);
    void finishOutbox(std::int64_t seq, Result<ApiResponse> result);

    // timeline reads with backfill
    void continueTimelineRead(std::shared_ptr<TimelineRead> read);

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
    std::optional<net::HttpClient::RequestId> m_syncRequest;
    std::optional<Scheduler::TimerId> m_syncTimer;
    std::uint64_t m_completedSyncs = 0;
    /** Rooms a sync processed since open() brought (the account data of): for the others an
     *  empty cache proves nothing, and readRoomAccountData() asks the homeserver. */
    std::set<std::string> m_syncedRooms;

    bool m_outboxBusy = false;
    std::optional<Scheduler::TimerId> m_outboxTimer;
    std::optional<net::HttpClient::RequestId> m_outboxRequest;
    int m_outboxFailures = 0;
    std::map<std::int64_t, std::function<void(Result<ApiResponse>)>> m_outboxWaiters;

    std::shared_ptr<int> m_alive = std::make_shared<int>(0);
};

} // namespace tessera::matrix
