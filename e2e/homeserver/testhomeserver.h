// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/result.h"

namespace tessera::e2e {

/**
 * @brief What an injected fault does to a matching request.
 *
 * "Before" faults answer (or drop) without performing the request; "after" faults perform it
 * first, which is what makes client-side idempotency observable.
 */
enum class FaultKind {
    Invalid = 0,
    Delay,          ///< wait `delayMs`, then perform and answer normally
    RateLimit,      ///< 429 M_LIMIT_EXCEEDED with `retry_after_ms` and Retry-After; not performed
    ServerError,    ///< 500 M_UNKNOWN; not performed
    DropConnection, ///< close the socket without a response; not performed
    SlowBody,       ///< perform, then send the body `chunkBytes` at a time, `delayMs` between chunks
    ApplyThenDrop,  ///< perform (e.g. store the event), then close the socket without a response
    Unavailable,    ///< 503 with an HTML page, as a reverse proxy whose homeserver is down; not performed
};

/** @brief The wire name of a fault kind ("delay", "rate_limit", ...), as the control endpoint uses. */
std::string_view faultKindName(FaultKind kind);
/** @brief Parses a wire name; `FaultKind::Invalid` when unknown. */
FaultKind parseFaultKind(std::string_view name);

/**
 * @brief One fault-injection rule: which requests it matches and what it does to them.
 *
 * A rule matches a request when the method matches (empty = any) and the raw request path (no
 * query string, still percent-encoded, e.g. `/_matrix/client/v3/rooms/%21a%3Ahs/send/...`)
 * starts with `pathPrefix` or, when `pathRegex` is set, contains a match of that ECMAScript
 * regex. Rules are tried in the order they were added; the first match with hits left wins and
 * uses one hit. Control requests (`/_tessera_test/...`) never match.
 */
struct FaultRule {
    FaultKind kind = FaultKind::Invalid;
    std::string method;     ///< "GET", "PUT", ...; empty matches every method
    std::string pathPrefix; ///< raw path prefix; empty (with no regex) matches every path
    std::string pathRegex;  ///< used instead of pathPrefix when not empty
    int count = 1;          ///< matching requests it applies to, 1..kMaxFaultCount
    int delayMs = 0;        ///< Delay: before answering; SlowBody: pause between chunks (0..kMaxFaultDelayMs)
    int retryAfterMs = 1000; ///< RateLimit: the `retry_after_ms` answered (0..kMaxFaultDelayMs)
    int chunkBytes = 16;    ///< SlowBody: bytes per chunk, 1..65536

    static constexpr int kMaxFaultCount = 10000;
    static constexpr int kMaxFaultDelayMs = 60000;

    /** @brief Parses the control endpoint's JSON form (see README); a specific error when invalid. */
    static Result<FaultRule> fromJson(const nlohmann::json &json);
    nlohmann::json toJson() const;
};

/** @brief TURN credentials answered by GET /voip/turnServer. */
struct TurnServerConfig {
    std::vector<std::string> uris;
    std::string username;
    std::string password;
    int ttlSeconds = 86400;
};

/**
 * @brief Delegated authentication to a real OAuth 2.0 authorization server, as Synapse does with
 * the Matrix Authentication Service (MSC3861): the server's metadata is served as auth_metadata,
 * and every access token the server does not know is checked by token introspection (RFC 7662)
 * with the server's own client credentials. The user is the `username` claim (else `sub`), the
 * device the urn:matrix:client:device: scope (stable or MSC2967 form).
 */
struct OAuthDelegation {
    std::string issuer;              ///< http://127.0.0.1:PORT (its /.well-known/openid-configuration is read)
    std::string clientId;            ///< the homeserver's confidential client at the authorization server
    std::string clientSecret;
    std::string advertisedIssuer;    ///< what auth_issuer answers; empty = issuer (another: the mismatch case)
    bool stableMetadata = true;      ///< false: /_matrix/client/v1/auth_metadata answers 404 (older servers)
    std::string accountManagementUri; ///< added to the metadata (MSC4191) when not empty
};

/**
 * @brief How a test homeserver is set up. Every server is bounded: it stops by itself after
 * `maxRequests` requests or `maxLifetimeMs`, whichever comes first.
 */
struct HomeserverOptions {
    std::string serverName = "tessera.test"; ///< the domain of user ids, room ids, aliases and mxc URIs
    int port = 0;                            ///< 0 = an ephemeral port chosen by the kernel
    std::size_t maxRequests = 5000;          ///< requests answered before the server stops itself (>= 1)
    int maxLifetimeMs = 120000;              ///< lifetime after start() before it stops itself (>= 1)
    int maxSyncTimeoutMs = 30000;            ///< cap on how long /sync holds a request (its `timeout`)
    std::size_t workerThreads = 32;          ///< concurrent connections (long-polls hold one each), 2..256
    std::size_t maxUploadBytes = 10 * 1024 * 1024; ///< m.upload.size; larger uploads get 413 M_TOO_LARGE
    std::size_t maxJsonBodyBytes = 1024 * 1024;    ///< larger non-media bodies get 413 M_TOO_LARGE
    int maxDelayedEventDelayMs = 24 * 3600 * 1000; ///< MSC4140 max_event_delay_duration
    int openIdTokenLifetimeMs = 3600 * 1000;       ///< expires_in of OpenID tokens
    bool legacyMediaOnly = false;            ///< answer only /_matrix/media/v3; v1 media gives 404 M_UNRECOGNIZED
    std::string delegatedOidcIssuer;         ///< non-empty: advertise MSC2965 OIDC, no password login
    std::optional<TurnServerConfig> turn;    ///< empty: /voip/turnServer answers 200 {} (as Synapse does)
    std::optional<OAuthDelegation> oauth;    ///< delegate authentication (no password login)
};

/** @brief Why a server stopped. */
enum class StopReason {
    Invalid = 0,
    Stopped,      ///< stop() or the destructor
    RequestLimit, ///< maxRequests requests were answered
    Lifetime,     ///< maxLifetimeMs elapsed
};

std::string_view stopReasonName(StopReason reason);

/** @brief A logged-in device: what POST /login would have answered. */
struct Session {
    std::string userId;
    std::string deviceId;
    std::string accessToken;
};

/**
 * @brief A room to create through the C++ API (the same rules as POST /createRoom).
 * Users may be given as localparts ("alice") or full ids ("@alice:tessera.test").
 */
struct RoomSpec {
    std::string creator;   ///< required
    std::string alias;     ///< optional: "widgets" or "#widgets:tessera.test"
    std::string name;      ///< optional m.room.name
    std::string topic;     ///< optional m.room.topic
    std::string preset;    ///< private_chat (default), trusted_private_chat or public_chat
    nlohmann::json initialState = nlohmann::json::array(); ///< [{type, state_key, content}]
    nlohmann::json powerLevelContentOverride = nlohmann::json::object();
    std::vector<std::string> invite; ///< invited by the creator after creation
    std::vector<std::string> join;   ///< invited (if needed) and joined after creation
};

/** @brief One answered request, for assertions on what a client sent. */
struct RequestRecord {
    std::string method;
    std::string path;  ///< raw path without the query string
    int status = 0;    ///< 0 when the connection was dropped
    FaultKind fault = FaultKind::Invalid; ///< the fault applied, Invalid when none
};

/**
 * @brief A loopback Matrix homeserver for tests: real HTTP on 127.0.0.1, state in memory.
 *
 * Implements the Client-Server API subset Tessera uses (login, rooms, state with power levels,
 * idempotent sends, long-poll /sync, /messages, relations, to-device, OpenID, media, profile,
 * user directory, TURN, MSC4140 delayed events) with Synapse's status codes, errcodes and
 * response shapes, plus fault injection. It is a test fixture, never a product mode: it has no
 * federation, no encryption, no persistence, and it binds only to 127.0.0.1.
 *
 * All methods are thread-safe. The C++ setup API (createUser, createRoom, ...) applies the same
 * rules as the HTTP API and may be used before or after start(). stop() must not be called
 * from inside a request handler (it joins the server threads).
 *
 * cpp-httplib writes with send() without MSG_NOSIGNAL: the server's threads block SIGPIPE so a
 * client hanging up mid-response cannot kill the process; the process disposition is untouched.
 */
class TestHomeserver {
public:
    explicit TestHomeserver(HomeserverOptions options = {});
    ~TestHomeserver();
    TestHomeserver(const TestHomeserver &) = delete;
    TestHomeserver &operator=(const TestHomeserver &) = delete;

    /** @brief Binds 127.0.0.1:options.port and serves until stop() or a bound is reached. */
    Result<void> start();
    /** @brief Stops serving: pending long-polls and delays end, open connections are closed. */
    void stop();
    [[nodiscard]] bool isRunning() const;
    /** @brief Waits until the server has stopped; std::nullopt if it is still running after timeout. */
    std::optional<StopReason> waitUntilStopped(std::chrono::milliseconds timeout) const;

    [[nodiscard]] int port() const;           ///< the bound port (0 before start())
    [[nodiscard]] std::string baseUrl() const; ///< "http://127.0.0.1:<port>"
    [[nodiscard]] const std::string &serverName() const;
    [[nodiscard]] std::size_t requestCount() const; ///< requests received so far, control ones included

    // --- setup ------------------------------------------------------------------------------
    /** @brief Creates a user; returns the full user id. Fails if the user exists. */
    Result<std::string> createUser(const std::string &user, const std::string &password,
                                   const std::string &displayName = {});
    /** @brief Logs a user in without HTTP (a new device, or `deviceId` if given). */
    Result<Session> login(const std::string &user, const std::string &deviceId = {});
    /** @brief Creates a room; returns its id. */
    Result<std::string> createRoom(const RoomSpec &spec);
    /** @brief Joins a room by id or alias, with the HTTP API's rules; returns the room id. */
    Result<std::string> joinRoom(const std::string &user, const std::string &roomIdOrAlias);
    Result<void> invite(const std::string &roomId, const std::string &inviter, const std::string &invitee);
    Result<void> leaveRoom(const std::string &user, const std::string &roomId);
    /** @brief Sends a message event as `sender`; returns the event id. */
    Result<std::string> sendEvent(const std::string &roomId, const std::string &sender,
                                  const std::string &type, const nlohmann::json &content);
    /** @brief Sets state as `sender` (power levels enforced); returns the event id. */
    Result<std::string> setState(const std::string &roomId, const std::string &sender,
                                 const std::string &type, const std::string &stateKey,
                                 const nlohmann::json &content);
    /** @brief Applies a seed document (the --seed format, see README). */
    Result<void> applySeed(const nlohmann::json &seed);

    // --- runtime switches ---------------------------------------------------------------------
    void setLegacyMediaOnly(bool legacyOnly);
    void setDelegatedOidcIssuer(const std::string &issuer); ///< empty = password login
    void setTurnServer(std::optional<TurnServerConfig> turn);
    /**
     * Makes the user's current access tokens (from password logins) unknown: later requests with
     * them get 401 M_UNKNOWN_TOKEN with `soft_logout` as given (as Synapse for an expired token).
     * Returns how many tokens were expired.
     */
    std::size_t expireTokens(const std::string &user, bool softLogout);

    // --- reading back -------------------------------------------------------------------------
    /** @brief Resolves "#alias:server" (or a bare "alias") to a room id. */
    std::optional<std::string> resolveAlias(const std::string &alias) const;
    /** @brief The room's events in order (client format, with room_id); `type` filters if set. */
    std::vector<nlohmann::json> roomEvents(const std::string &roomId, const std::string &type = {}) const;
    std::size_t countEvents(const std::string &roomId, const std::string &type) const;
    /** @brief The current state event for (type, stateKey), or std::nullopt. */
    std::optional<nlohmann::json> stateEvent(const std::string &roomId, const std::string &type,
                                             const std::string &stateKey = {}) const;
    /** @brief Current membership ("join", "invite", "leave", "ban") or empty if none. */
    std::string membership(const std::string &roomId, const std::string &user) const;
    /** @brief To-device messages queued for the device and not yet acknowledged by a /sync. */
    std::size_t pendingToDeviceCount(const std::string &user, const std::string &deviceId) const;
    /** @brief Delayed events (MSC4140) waiting to be sent. */
    std::size_t pendingDelayedEventCount() const;
    /** @brief The bytes stored for an mxc:// URI, or std::nullopt. */
    std::optional<std::string> mediaContent(const std::string &mxcUri) const;
    /** @brief Every request answered so far (bounded by maxRequests), in arrival order. */
    std::vector<RequestRecord> requestLog() const;

    // --- fault injection ----------------------------------------------------------------------
    Result<void> addFault(const FaultRule &rule);
    void clearFaults();
    /** @brief Hits left over all rules (0 once every rule has fired its count). */
    std::size_t remainingFaultHits() const;

private:
    class Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace tessera::e2e
