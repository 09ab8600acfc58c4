// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
// The Matrix backend's private session types, shared by its source files.
#pragma once

#include "matrix/matrixbackend.h"
#include "util/jsonfields.h"

namespace tessera::matrix {

// What the backend's source files share: paths, limits, small helpers and private types.

inline constexpr const char *kClient = "/_matrix/client/v3";
/** Extra time a /sync request gets beyond its long-poll timeout before it counts as lost. */
inline constexpr std::int64_t kSyncMarginMs = 30'000;
/** Sync responses can be large on the first run of a big account. */
inline constexpr std::size_t kMaxSyncResponseBytes = 256u * 1024u * 1024u;
inline constexpr int kBackfillPageSize = 100;
inline constexpr int kMaxStorePagesPerRead = 50;

inline Error unavailable(const std::string &message)
{
    return Error(ErrorCode::Unavailable, message);
}

inline std::string stripSlash(std::string url)
{
    while (!url.empty() && url.back() == '/')
        url.pop_back();
    return url;
}

/** The server does not know the endpoint (an older server): try the older one. */
inline bool isUnrecognised(const Error &e)
{
    if (!e.matrixApiError)
        return false;
    const int status = e.matrixApiError->httpStatus;
    return (status == 404 || status == 405 || status == 400) && errcodeOf(e) == "M_UNRECOGNIZED";
}

inline Error notJoined(const RoomInfo &room)
{
    return matrixError(403, "M_FORBIDDEN",
                       room.membership == Membership::Invite
                           ? "You have not joined this room: accept the invitation first"
                           : "You are not a member of this room");
}

/** A timeline read that decrypts matches encrypted events too, and applies the filter afterwards. */
inline bool needsDecryptingRead(const EventFilter &filter)
{
    return filter.state == EventFilter::StateMatch::Any || filter.state == EventFilter::StateMatch::NotState;
}

struct MatrixBackend::OutboxRow {
    std::string kind;
    bool encrypt = false;
    std::string roomId;
    std::string type;
    std::optional<std::string> stateKey;
    std::optional<std::string> target;
    nlohmann::json body = nlohmann::json::object();
    std::optional<std::int64_t> delayMs;
    std::optional<std::string> parentDelayId;
};

struct MatrixBackend::TimelineRead {
    TimelineQuery query;
    Callback<TimelinePage> done;
    TimelinePage out;
    std::optional<std::int64_t> cursor;
    int backfills = 0;
    int storePages = 0; ///< pages read from the cache (more than one when decryption filters events out)
};

/** What one sync tells the listeners, emitted in order once its encrypted events are decrypted. */
struct MatrixBackend::EmitBatch {
    std::vector<std::string> gaps; ///< rooms whose cached timeline a limited sync cut off
    std::vector<nlohmann::json> stateChanges;
    std::vector<nlohmann::json> events;
    std::set<std::string> roomsChanged;
    std::vector<nlohmann::json> toDevice;
    bool decrypted = false;
};

struct MatrixBackend::AuthState {
    std::string kind = "password";
    std::string issuer;
    std::string clientId;
    std::string tokenEndpoint;
    std::string revocationEndpoint;
    std::string accountManagementUri;
    std::vector<std::string> accountManagementActions;
    std::string refreshToken;
    std::int64_t expiresAtMs = 0; ///< wall clock; 0: unknown
    std::int64_t lifetimeMs = 0;
    /** The server ended the session with soft_logout: data kept, token gone. */
    bool softLoggedOut = false;
    std::string softReason;

    [[nodiscard]] bool oauth() const { return kind == "oauth"; }

    nlohmann::json toJson() const
    {
        return nlohmann::json{{"kind", kind},
                              {"issuer", issuer},
                              {"client_id", clientId},
                              {"token_endpoint", tokenEndpoint},
                              {"revocation_endpoint", revocationEndpoint},
                              {"account_management_uri", accountManagementUri},
                              {"account_management_actions", accountManagementActions},
                              {"expires_at_ms", expiresAtMs},
                              {"lifetime_ms", lifetimeMs},
                              {"soft_logged_out", softLoggedOut},
                              {"soft_reason", softReason}};
    }

    static AuthState fromJson(const nlohmann::json &j)
    {
        AuthState a;
        if (!j.is_object())
            return a;
        a.kind = jsonString(j, "kind", "password");
        a.issuer = jsonString(j, "issuer");
        a.clientId = jsonString(j, "client_id");
        a.tokenEndpoint = jsonString(j, "token_endpoint");
        a.revocationEndpoint = jsonString(j, "revocation_endpoint");
        a.accountManagementUri = jsonString(j, "account_management_uri");
        if (const auto it = j.find("account_management_actions"); it != j.end() && it->is_array())
            for (const auto &v : *it)
                if (v.is_string())
                    a.accountManagementActions.push_back(v.get<std::string>());
        a.expiresAtMs = jsonInt(j, "expires_at_ms", 0);
        a.lifetimeMs = jsonInt(j, "lifetime_ms", 0);
        a.softLoggedOut = jsonBool(j, "soft_logged_out", false);
        a.softReason = jsonString(j, "soft_reason");
        return a;
    }
};

struct MatrixBackend::PendingCall {
    ApiCall call;
    std::function<void(Result<ApiResponse>)> done;
    std::optional<net::HttpClient::RequestId> wire;
    int refreshes = 0; ///< refreshes this call waited for after a 401
};

struct MatrixBackend::OAuthFlow {
    enum class Step { Client, Listen, Browser, Exchange, WhoAmI } step = Step::Client;
    LoginChoices choices;
    Callback<SessionInfo> done;
    std::string clientId;
    bool registeredNow = false;
    std::unique_ptr<RedirectListener> listener;
    oauth::AuthorizationRequest request;
    std::optional<Scheduler::TimerId> timer;
    oauth::TokenSet tokens;
    bool finished = false;
};

template<typename T>
void MatrixBackend::post(Callback<T> done, Result<T> result)
{
    m_scheduler.post([done = std::move(done), result = std::move(result)]() mutable { done(std::move(result)); });
}

struct MatrixBackend::DiscoveryFlow {
    std::string startUrl;
    std::string baseUrl;
    nlohmann::json versions;
};

} // namespace tessera::matrix
