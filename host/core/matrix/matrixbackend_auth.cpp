// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The Matrix backend's session lifecycle: discovery of how a server lets one sign in, the
// OAuth 2.0 browser sign-in, access tokens (refresh before expiry and on 401, one at a time),
// the end of a session (soft or hard) and signing out.

#include "matrix/matrixbackend.h"
#include "matrix/matrixbackend_internal.h"

#include <algorithm>

#include "util/text.h"

namespace tessera::matrix {

namespace {

/** A refresh waits at most this long for a transient failure to pass before the waiting calls fail. */
constexpr int kMaxRefreshAttemptsPerCall = 2;

bool isUnknownToken(const Error &e)
{
    return e.matrixApiError && e.matrixApiError->httpStatus == 401 && errcodeOf(e) == "M_UNKNOWN_TOKEN";
}

bool isSoftLogout(const Error &e)
{
    return e.matrixApiError && jsonBool(e.matrixApiError->response, "soft_logout", false);
}

Error cancelled()
{
    return Error(ErrorCode::Conflict, "cancelled");
}

} // namespace

// --- calls and tokens --------------------------------------------------------------------------

std::uint64_t MatrixBackend::api(ApiCall call, std::function<void(Result<ApiResponse>)> done)
{
    if (call.timeoutMs <= 0)
        call.timeoutMs = m_options.requestTimeoutMs;
    const std::uint64_t id = m_nextCallId++;
    auto pending = std::make_unique<PendingCall>();
    pending->call = std::move(call);
    pending->done = std::move(done);
    m_calls.emplace(id, std::move(pending));
    sendCall(id);
    return id;
}

bool MatrixBackend::callOnWire(std::uint64_t id) const
{
    auto it = m_calls.find(id);
    return it != m_calls.end() && it->second->wire.has_value();
}

void MatrixBackend::cancelCall(std::uint64_t id)
{
    auto it = m_calls.find(id);
    if (it == m_calls.end())
        return;
    if (it->second->wire)
        m_api.cancel(*it->second->wire);
    m_calls.erase(it);
    m_tokenWaiters.erase(std::remove(m_tokenWaiters.begin(), m_tokenWaiters.end(), id), m_tokenWaiters.end());
}

void MatrixBackend::failCalls(const std::vector<std::uint64_t> &ids, const Error &error)
{
    for (std::uint64_t id : ids) {
        auto it = m_calls.find(id);
        if (it == m_calls.end())
            continue;
        auto done = std::move(it->second->done);
        m_calls.erase(it);
        done(error);
    }
}

bool MatrixBackend::tokenExpiresSoon() const
{
    if (!m_auth->oauth() || m_auth->refreshToken.empty() || m_auth->expiresAtMs <= 0)
        return false;
    // Refresh a quarter of the lifetime early (between 1 s and 60 s): MAS gives 5 minutes.
    const std::int64_t margin = std::clamp<std::int64_t>(m_auth->lifetimeMs / 4, 1'000, 60'000);
    return m_scheduler.wallClockMs() >= m_auth->expiresAtMs - margin;
}

void MatrixBackend::scheduleRefresh()
{
    if (m_refreshTimer)
        m_scheduler.cancel(*m_refreshTimer);
    m_refreshTimer.reset();
    if (!m_running || !m_auth->oauth() || m_auth->refreshToken.empty() || m_auth->expiresAtMs <= 0)
        return;
    const std::int64_t margin = std::clamp<std::int64_t>(m_auth->lifetimeMs / 4, 1'000, 60'000);
    const std::int64_t delay = std::max<std::int64_t>(0, m_auth->expiresAtMs - margin - m_scheduler.wallClockMs());
    m_refreshTimer = m_scheduler.schedule(delay, [this] {
        m_refreshTimer.reset();
        if (m_running && m_session)
            startRefresh();
    });
}

void MatrixBackend::sendCall(std::uint64_t id)
{
    auto it = m_calls.find(id);
    if (it == m_calls.end())
        return;
    PendingCall &p = *it->second;
    if (p.call.authenticated && m_session && (m_refreshing || tokenExpiresSoon())) {
        m_tokenWaiters.push_back(id);
        startRefresh();
        return;
    }
    const std::string tokenUsed = p.call.authenticated ? m_token : std::string();
    p.wire = m_api.call(p.call, [alive = std::weak_ptr<int>(m_alive), this, id, tokenUsed](Result<ApiResponse> r) {
        if (alive.lock())
            onCallResult(id, tokenUsed, std::move(r));
    });
}

void MatrixBackend::onCallResult(std::uint64_t id, const std::string &tokenUsed, Result<ApiResponse> result)
{
    auto it = m_calls.find(id);
    if (it == m_calls.end())
        return;
    PendingCall &p = *it->second;
    p.wire.reset();
    if (!result && isUnknownToken(result.error()) && p.call.authenticated && m_session) {
        if (tokenUsed != m_token && !m_token.empty()) {
            sendCall(id); // refused with a token a refresh has replaced meanwhile: try the new one
            return;
        }
        if (m_auth->oauth() && !m_auth->refreshToken.empty() && p.refreshes < kMaxRefreshAttemptsPerCall) {
            ++p.refreshes;
            m_tokenWaiters.push_back(id);
            startRefresh();
            return;
        }
        endSession(result.error(), isSoftLogout(result.error()) && !m_auth->oauth());
        it = m_calls.find(id);
        if (it == m_calls.end())
            return;
    }
    auto done = std::move(it->second->done);
    m_calls.erase(it);
    done(std::move(result));
}

void MatrixBackend::startRefresh()
{
    if (m_refreshing)
        return;
    m_refreshing = true;
    logLine(LogLevel::Info, "refreshing the access token");
    m_refreshRequest = m_oauth.refresh(m_auth->tokenEndpoint, m_auth->clientId, m_auth->refreshToken,
                                       [alive = std::weak_ptr<int>(m_alive), this](Result<oauth::TokenSet> r) {
                                           if (alive.lock())
                                               onRefreshResult(std::move(r));
                                       });
}

Result<void> MatrixBackend::storeTokens(const oauth::TokenSet &tokens)
{
    // The new refresh token first: once the server has rotated, only the new one works.
    if (!tokens.refreshToken.empty())
        if (auto w = m_options.secrets->write(kRefreshSecret, tokens.refreshToken); !w)
            return w;
    if (auto w = m_options.secrets->write(kTokenSecret, tokens.accessToken); !w)
        return w;
    if (!tokens.refreshToken.empty())
        m_auth->refreshToken = tokens.refreshToken;
    m_auth->lifetimeMs = tokens.expiresInMs.value_or(0);
    m_auth->expiresAtMs = tokens.expiresInMs ? m_scheduler.wallClockMs() + *tokens.expiresInMs : 0;
    auto st = m_sessionDb.prepare("UPDATE session SET auth = ?1 WHERE id = 1");
    if (!st)
        return std::move(st).error();
    if (auto b = st->bindText(1, m_auth->toJson().dump()); !b)
        return b;
    return st->run();
}

void MatrixBackend::onRefreshResult(Result<oauth::TokenSet> result)
{
    m_refreshing = false;
    m_refreshRequest.reset();
    auto waiters = std::move(m_tokenWaiters);
    m_tokenWaiters.clear();
    if (result) {
        if (auto stored = storeTokens(*result); !stored) {
            logLine(LogLevel::Warning, "the refreshed tokens could not be stored: " + stored.error().message);
            result = Error(stored.error().code, "the refreshed tokens could not be stored: " + stored.error().message);
        } else {
            m_token = result->accessToken;
            m_api.setAccessToken(m_token);
            ++m_refreshes;
            logLine(LogLevel::Info, "the access token was refreshed");
            scheduleRefresh();
            for (std::uint64_t id : waiters)
                sendCall(id);
            return;
        }
    }
    const Error &e = result.error();
    if (oauth::isTransientEndpointError(e) || e.code == ErrorCode::Io) {
        // The spec: retry later with the same refresh token. The waiting calls fail now with a
        // transient error; their callers retry (sync backs off, the outbox keeps the event).
        logLine(LogLevel::Info, "the token refresh failed for now: " + e.message);
        if (m_running && !m_refreshTimer)
            m_refreshTimer = m_scheduler.schedule(m_options.initialBackoffMs * 5, [this] {
                m_refreshTimer.reset();
                if (m_running && m_session)
                    startRefresh();
            });
        failCalls(waiters, Error(ErrorCode::Unavailable, "the access token could not be refreshed yet: " + e.message));
        return;
    }
    // A 4xx: the authorization server no longer accepts this session (revoked or expired).
    Error ended(ErrorCode::Denied, "the authorization server ended this session (" + e.message + ")");
    MatrixApiError details;
    details.httpStatus = 401;
    details.response = nlohmann::json{{"errcode", "M_UNKNOWN_TOKEN"}, {"error", ended.message}};
    ended.matrixApiError = details;
    endSession(ended, false);
    failCalls(waiters, ended);
}

void MatrixBackend::endSession(const Error &why, bool soft)
{
    if (!m_session)
        return;
    SessionEnd end;
    end.soft = soft;
    end.userId = m_session->userId;
    end.homeserverUrl = m_session->homeserverUrl;
    end.reason = scrub(why.message);
    logLine(LogLevel::Warning, std::string(soft ? "the homeserver asks to sign in again" : "the session ended") +
                                   ": " + end.reason);
    stop();
    if (m_refreshRequest)
        m_oauth.cancel(*m_refreshRequest);
    m_refreshRequest.reset();
    m_refreshing = false;
    auto tokenWaiters = std::move(m_tokenWaiters);
    m_tokenWaiters.clear();
    auto outboxWaiters = std::move(m_outboxWaiters);
    m_outboxWaiters.clear();
    m_outboxKeys.clear();
    m_outboxMaybeArrived.clear();
    m_failedKeys.clear();
    // A soft logout keeps the device (and so its crypto store) for signing in again.
    closeEncryption(!soft);
    if (soft) {
        m_auth->softLoggedOut = true;
        m_auth->softReason = end.reason;
        if (auto saved = m_sessionDb.run("UPDATE session SET auth = ?1 WHERE id = 1", m_auth->toJson().dump()); !saved)
            logLine(LogLevel::Warning, "the soft logout could not be saved: " + saved.error().message);
        (void)m_options.secrets->remove(kTokenSecret);
        (void)m_options.secrets->remove(kRefreshSecret);
        m_pendingReauth = end;
    } else {
        end.discardedSends = pendingSends();
        if (auto cleared = clearLocalData(); !cleared)
            logLine(LogLevel::Warning, "the ended session's data could not all be deleted: " + cleared.error().message);
        (void)m_options.secrets->remove(kRefreshSecret);
        m_pendingReauth.reset();
    }
    m_session.reset();
    m_token.clear();
    m_api.setAccessToken({});
    *m_auth = AuthState{};
    setSyncState(SyncState::LoggedOut, end.reason);
    for (auto &[seq, waiter] : outboxWaiters)
        waiter(Error(ErrorCode::Unavailable, "the session ended before the homeserver accepted it"));
    failCalls(tokenWaiters, why);
    if (m_onSessionEnded)
        m_onSessionEnded(end);
}

Result<void> MatrixBackend::prepareLocalDataFor(const std::string &userId)
{
    auto owner = m_store->setting("owner_user_id");
    const std::string previous = owner && *owner ? **owner : std::string();
    if (!previous.empty() && previous != userId) {
        // Another account's cache and unsent events must not show up under this one.
        if (auto r = m_sessionDb.exec("DELETE FROM outbox;"); !r)
            return r;
        if (auto r = m_cacheDb.exec("DELETE FROM rooms; DELETE FROM state; DELETE FROM timeline; "
                                    "DELETE FROM room_account_data; DELETE FROM settings;");
            !r)
            return r;
        m_syncedRooms.clear();
    }
    // A new device starts its sync from scratch; the cached rooms stay on screen meanwhile.
    for (const char *key : {"next_batch", "filter_id", "filter_json"}) {
        auto del = m_cacheDb.prepare("DELETE FROM settings WHERE key = ?1");
        if (del && del->bindText(1, key))
            (void)del->run();
    }
    return m_store->setSetting("owner_user_id", userId);
}

Result<void> MatrixBackend::storeSession(const SessionInfo &info, const nlohmann::json &versions)
{
    nlohmann::json storedVersions = versions;
    storedVersions.erase("tessera.offered_flows");
    auto st = m_sessionDb.prepare("INSERT OR REPLACE INTO session (id, homeserver_url, user_id, device_id, versions, auth) "
                                  "VALUES (1, ?1, ?2, ?3, ?4, ?5)");
    if (!st)
        return std::move(st).error();
    for (auto r : {st->bindText(1, info.homeserverUrl), st->bindText(2, info.userId), st->bindText(3, info.deviceId),
                   st->bindText(4, storedVersions.dump()), st->bindText(5, m_auth->toJson().dump())})
        if (!r)
            return r;
    return st->run();
}

// --- discovery ---------------------------------------------------------------------------------

void MatrixBackend::discoverLogin(const std::string &homeserver, Callback<LoginChoices> done)
{
    std::string where = text::toLowerAscii(homeserver);
    std::string startUrl;
    if (!homeserver.empty() && homeserver.front() == '@') {
        const std::string name = serverNameOf(homeserver);
        if (!name.empty())
            startUrl = "https://" + name;
    } else if (text::startsWith(where, "https://") || text::startsWith(where, "http://")) {
        startUrl = stripSlash(homeserver);
    } else if (!homeserver.empty()) {
        startUrl = "https://" + stripSlash(homeserver);
    }
    if (startUrl.empty()) {
        post<LoginChoices>(std::move(done), Error(ErrorCode::BadRequest, "a homeserver (a URL, a server name or a user id) is needed"));
        return;
    }
    if (auto ok = oauth::checkServerUrl("the homeserver URL", startUrl); !ok) {
        post<LoginChoices>(std::move(done), std::move(ok).error());
        return;
    }
    // One discovery at a time: a new one replaces (cancels) the previous.
    auto flow = std::make_shared<DiscoveryFlow>();
    flow->startUrl = startUrl;
    flow->baseUrl = startUrl;
    m_loginFlow = flow;
    auto live = [this, flow] { return m_loginFlow == flow; };
    auto finish = [this, flow, done = std::move(done)](Result<LoginChoices> r) mutable {
        if (m_loginFlow == flow)
            m_loginFlow.reset();
        if (!r) {
            Error e = std::move(r).error();
            e.message = scrub(e.message);
            return done(std::move(e));
        }
        done(std::move(r));
    };
    auto shared = std::make_shared<decltype(finish)>(std::move(finish));

    ApiCall wellKnown;
    wellKnown.authenticated = false;
    wellKnown.followRedirects = true;
    wellKnown.path = "/.well-known/matrix/client";
    auto call = [this](const std::string &base, ApiCall c, std::function<void(Result<ApiResponse>)> cb) {
        ClientApi one(m_http);
        one.setBaseUrl(base);
        if (c.timeoutMs <= 0)
            c.timeoutMs = m_options.requestTimeoutMs;
        one.call(c, [alive = std::weak_ptr<int>(m_alive), cb = std::move(cb)](Result<ApiResponse> r) {
            if (alive.lock())
                cb(std::move(r));
        });
    };
    call(startUrl, wellKnown, [this, flow, live, shared, call](Result<ApiResponse> r) {
        if (!live())
            return (*shared)(cancelled());
        if (r) {
            const auto hs = r->json.find("m.homeserver");
            if (hs != r->json.end() && hs->is_object() && hs->contains("base_url") && (*hs)["base_url"].is_string())
                flow->baseUrl = stripSlash((*hs)["base_url"].get<std::string>());
        }
        if (auto ok = oauth::checkServerUrl("the homeserver URL", flow->baseUrl); !ok)
            return (*shared)(std::move(ok).error());
        ApiCall versions;
        versions.authenticated = false;
        versions.path = "/_matrix/client/versions";
        call(flow->baseUrl, versions, [this, flow, live, shared, call](Result<ApiResponse> v) {
            if (!live())
                return (*shared)(cancelled());
            if (!v)
                return (*shared)(std::move(v).error());
            if (!v->json.contains("versions") || !v->json["versions"].is_array())
                return (*shared)(Error(ErrorCode::Unsupported, net::redactUrl(flow->baseUrl) +
                                                                   " does not look like a Matrix homeserver (no 'versions' "
                                                                   "in /_matrix/client/versions)"));
            flow->versions = v->json;
            ApiCall flows;
            flows.authenticated = false;
            flows.path = std::string(kClient) + "/login";
            call(flow->baseUrl, flows, [this, flow, live, shared](Result<ApiResponse> f) {
                if (!live())
                    return (*shared)(cancelled());
                LoginChoices choices;
                choices.baseUrl = flow->baseUrl;
                choices.versions = flow->versions;
                if (f)
                    for (const auto &item : f->json.value("flows", nlohmann::json::array()))
                        choices.password = choices.password || (item.is_object() && jsonString(item, "type") == "m.login.password");
                m_oauth.discover(flow->baseUrl, [alive = std::weak_ptr<int>(m_alive), this, flow, live, shared,
                                                 choices](Result<oauth::ServerMetadata> m) mutable {
                    if (!alive.lock())
                        return;
                    if (!live())
                        return (*shared)(cancelled());
                    if (m) {
                        choices.oauth = *m;
                    } else if (m.error().code != ErrorCode::NotFound) {
                        // The server claims OAuth but its metadata is wrong: say so rather
                        // than fall back quietly (an issuer mismatch is an attack or a mistake).
                        if (!choices.password)
                            return (*shared)(std::move(m).error());
                        logLine(LogLevel::Warning, "the homeserver's OAuth 2.0 metadata was refused: " + m.error().message);
                    }
                    if (!choices.password && !choices.oauth)
                        return (*shared)(Error(ErrorCode::Unsupported, net::redactUrl(flow->baseUrl) +
                                                                           " offers neither password nor browser sign-in"));
                    (*shared)(std::move(choices));
                });
            });
        });
    });
}

void MatrixBackend::cancelLogin()
{
    if (m_loginFlow) {
        m_loginFlow.reset(); // the running steps see they are no longer live and report "cancelled"
    }
    if (auto flow = m_oauthFlow)
        finishOAuth(flow, cancelled());
}

// --- OAuth sign-in ------------------------------------------------------------------------------

void MatrixBackend::loginWithOAuth(const LoginChoices &choices, Callback<SessionInfo> done)
{
    if (m_session) {
        post<SessionInfo>(std::move(done), Error(ErrorCode::Conflict, "already logged in as " + m_session->userId +
                                                                          "; log out first"));
        return;
    }
    if (!choices.oauth) {
        post<SessionInfo>(std::move(done), Error(ErrorCode::Unsupported, "the homeserver does not offer browser sign-in"));
        return;
    }
    if (!m_options.redirectListeners || !m_options.openBrowser) {
        post<SessionInfo>(std::move(done), Error(ErrorCode::Unsupported, "browser sign-in is not available here"));
        return;
    }
    if (m_oauthFlow)
        finishOAuth(m_oauthFlow, cancelled());
    auto flow = std::make_shared<OAuthFlow>();
    flow->choices = choices;
    flow->done = std::move(done);
    m_oauthFlow = flow;
    m_scheduler.post([alive = std::weak_ptr<int>(m_alive), this, flow] {
        if (alive.lock())
            oauthStep(flow);
    });
}

void MatrixBackend::finishOAuth(std::shared_ptr<OAuthFlow> flow, Result<SessionInfo> result)
{
    if (flow->finished)
        return;
    flow->finished = true;
    if (flow->timer)
        m_scheduler.cancel(*flow->timer);
    if (flow->listener)
        flow->listener->close();
    if (m_oauthFlow == flow)
        m_oauthFlow.reset();
    if (!result) {
        Error e = std::move(result).error();
        e.message = scrub(e.message);
        for (const std::string *secret : std::initializer_list<const std::string *>{&flow->tokens.accessToken, &flow->tokens.refreshToken}) {
            if (secret->empty())
                continue;
            for (auto pos = e.message.find(*secret); pos != std::string::npos; pos = e.message.find(*secret, pos))
                e.message.replace(pos, secret->size(), "[token]");
        }
        logLine(LogLevel::Warning, "the browser sign-in failed: " + e.message);
        result = std::move(e);
    }
    auto done = std::move(flow->done);
    done(std::move(result));
}

void MatrixBackend::oauthStep(std::shared_ptr<OAuthFlow> flow)
{
    using Step = OAuthFlow::Step;
    if (flow->finished)
        return;
    const oauth::ServerMetadata &meta = *flow->choices.oauth;
    auto fail = [this, flow](Error e) { finishOAuth(flow, std::move(e)); };
    switch (flow->step) {
    case Step::Client: {
        if (!m_options.oauthClientId.empty()) {
            flow->clientId = m_options.oauthClientId;
        } else {
            auto st = m_sessionDb.prepare("SELECT client_id FROM oauth_clients WHERE issuer = ?1");
            if (st && st->bindText(1, meta.issuer)) {
                auto row = st->step();
                if (row && *row)
                    flow->clientId = std::string(st->columnText(0));
            }
        }
        if (!flow->clientId.empty()) {
            flow->step = Step::Listen;
            return oauthStep(flow);
        }
        m_oauth.registerClient(meta, m_options.clientName, m_options.clientUri,
                               [alive = std::weak_ptr<int>(m_alive), this, flow, fail](Result<std::string> r) {
                                   if (!alive.lock() || flow->finished)
                                       return;
                                   if (!r)
                                       return fail(std::move(r).error());
                                   flow->clientId = *r;
                                   flow->registeredNow = true;
                                   // Kept per issuer at once: a sign-in that fails later reuses it.
                                   auto st = m_sessionDb.prepare("INSERT OR REPLACE INTO oauth_clients (issuer, client_id, "
                                                                 "registered_ms) VALUES (?1, ?2, ?3)");
                                   if (st && st->bindText(1, flow->choices.oauth->issuer) && st->bindText(2, *r) &&
                                       st->bindInt64(3, m_scheduler.wallClockMs()))
                                       (void)st->run();
                                   flow->step = Step::Listen;
                                   oauthStep(flow);
                               });
        return;
    }
    case Step::Listen: {
        flow->listener = m_options.redirectListeners();
        if (!flow->listener)
            return fail(Error(ErrorCode::Unavailable, "no loopback listener for the browser's answer"));
        std::weak_ptr<OAuthFlow> weakFlow = flow;
        auto port = flow->listener->listen([alive = std::weak_ptr<int>(m_alive), this, weakFlow](const std::string &query) {
            auto f = weakFlow.lock();
            if (!alive.lock() || !f || f->finished || f->step != Step::Browser)
                return;
            auto code = oauth::checkCallback(oauth::parseCallbackQuery(query), f->request, *f->choices.oauth);
            if (!code)
                return finishOAuth(f, std::move(code).error());
            f->step = Step::Exchange;
            if (f->timer)
                m_scheduler.cancel(*f->timer);
            f->timer.reset();
            m_oauth.exchangeCode(*f->choices.oauth, f->request, *code, [alive, this, f](Result<oauth::TokenSet> t) {
                if (!alive.lock() || f->finished)
                    return;
                if (!t) {
                    Error e = std::move(t).error();
                    if (oauth::oauthErrorOf(e) == "invalid_client" && !f->registeredNow) {
                        // The server forgot the registration Tessera kept: register anew next time.
                        auto del = m_sessionDb.prepare("DELETE FROM oauth_clients WHERE issuer = ?1");
                        if (del && del->bindText(1, f->choices.oauth->issuer))
                            (void)del->run();
                    }
                    if (oauth::oauthErrorOf(e) == "invalid_grant")
                        e.message += "; the code was refused (a PKCE check or an expired code): start the sign-in again";
                    return finishOAuth(f, std::move(e));
                }
                f->tokens = *t;
                f->step = Step::WhoAmI;
                oauthStep(f);
            });
        });
        if (!port)
            return fail(Error(port.error().code, "cannot listen on 127.0.0.1 for the browser's answer: " + port.error().message));
        auto request = oauth::newAuthorizationRequest(meta, flow->clientId,
                                                      "http://127.0.0.1:" + std::to_string(*port) + std::string(oauth::kRedirectPath));
        if (!request)
            return fail(std::move(request).error());
        flow->request = *request;
        flow->step = Step::Browser;
        flow->timer = m_scheduler.schedule(m_options.signInTimeoutMs, [this, weakFlow] {
            if (auto f = weakFlow.lock()) {
                f->timer.reset();
                finishOAuth(f, Error(ErrorCode::Timeout, "the sign-in in the browser did not finish within " +
                                                             std::to_string(m_options.signInTimeoutMs / 1000) +
                                                             " seconds; start it again"));
            }
        });
        if (auto opened = m_options.openBrowser(oauth::authorizationUrl(meta, flow->request)); !opened)
            return fail(Error(opened.error().code, "no web browser could be started: " + opened.error().message));
        return;
    }
    case Step::Browser:
    case Step::Exchange:
        return; // waiting
    case Step::WhoAmI: {
        if (!flow->tokens.idToken.empty() || !flow->request.nonce.empty()) {
            if (flow->tokens.idToken.empty())
                return fail(Error(ErrorCode::Denied, "the authorization server sent no ID token to check this sign-in's nonce against"));
            if (auto ok = oauth::checkIdToken(flow->tokens.idToken, meta.issuer, flow->clientId, flow->request.nonce,
                                              m_scheduler.wallClockMs());
                !ok)
                return fail(std::move(ok).error());
        }
        if (!flow->tokens.scope.empty()) {
            const std::string granted = oauth::deviceIdFromScope(flow->tokens.scope);
            if (granted != flow->request.deviceId)
                return fail(Error(ErrorCode::Denied, "the authorization server granted a session for another device "
                                                     "than the one Tessera asked for"));
        }
        ClientApi one(m_http);
        one.setBaseUrl(flow->choices.baseUrl);
        one.setAccessToken(flow->tokens.accessToken);
        ApiCall whoami;
        whoami.path = std::string(kClient) + "/account/whoami";
        whoami.timeoutMs = m_options.requestTimeoutMs;
        one.call(whoami, [alive = std::weak_ptr<int>(m_alive), this, flow, fail](Result<ApiResponse> r) {
            if (!alive.lock() || flow->finished)
                return;
            if (!r)
                return fail(Error(r.error().code, "the homeserver did not accept the new session: " + r.error().message,
                                  r.error().matrixApiError.value_or(MatrixApiError{})));
            const std::string userId = jsonString(r->json, "user_id");
            const std::string deviceId = jsonString(r->json, "device_id", flow->request.deviceId);
            if (userId.empty())
                return fail(Error(ErrorCode::Corrupt, "the homeserver's /whoami answer has no user_id"));
            if (deviceId != flow->request.deviceId)
                return fail(Error(ErrorCode::Denied, "the homeserver bound the session to another device (" +
                                                         text::truncateUtf8(deviceId, 60) + ")"));
            if (m_pendingReauth && m_pendingReauth->userId != userId)
                logLine(LogLevel::Info, "signed in as another user than before: the previous data is deleted");
            // Everything checked: store, and only now.
            const oauth::ServerMetadata &m = *flow->choices.oauth;
            AuthState auth;
            auth.kind = "oauth";
            auth.issuer = m.issuer;
            auth.clientId = flow->clientId;
            auth.tokenEndpoint = m.tokenEndpoint;
            auth.revocationEndpoint = m.revocationEndpoint;
            auth.accountManagementUri = m.accountManagementUri;
            auth.accountManagementActions = m.accountManagementActions;
            *m_auth = auth;
            SessionInfo info;
            info.homeserverUrl = flow->choices.baseUrl;
            info.userId = userId;
            info.deviceId = deviceId;
            info.authKind = "oauth";
            info.accountManagementUrl = m.accountManagementUri;
            info.accountManagementActions = m.accountManagementActions;
            info.tokenInFallbackStore = m_options.secrets->isFallback();
            auto stored = [&]() -> Result<void> {
                if (auto r1 = prepareLocalDataFor(userId); !r1)
                    return r1;
                if (auto r2 = storeSession(info, flow->choices.versions); !r2)
                    return r2;
                if (auto r3 = storeTokens(flow->tokens); !r3)
                    return r3;
                return {};
            }();
            if (!stored) {
                (void)m_sessionDb.exec("DELETE FROM session;");
                (void)m_options.secrets->remove(kTokenSecret);
                (void)m_options.secrets->remove(kRefreshSecret);
                *m_auth = AuthState{};
                return fail(Error(stored.error().code, "the session could not be stored: " + stored.error().message));
            }
            if (info.tokenInFallbackStore)
                logLine(LogLevel::Warning, "the Matrix tokens are kept in " + m_options.secrets->description());
            m_token = flow->tokens.accessToken;
            m_session = info;
            m_pendingReauth.reset();
            m_api.setBaseUrl(info.homeserverUrl);
            m_api.setAccessToken(m_token);
            applyVersions(flow->choices.versions);
            logLine(LogLevel::Info, "signed in through the browser as " + userId + " on " +
                                        net::redactUrl(info.homeserverUrl) + " (device " + deviceId + ")");
            finishOAuth(flow, info);
        });
        return;
    }
    }
}

// --- signing out --------------------------------------------------------------------------------

void MatrixBackend::logout(bool keepLocalData, Callback<void> done)
{
    if (!m_session) {
        if (m_pendingReauth) {
            // Signed out by the server already (soft): forget the kept data unless asked to keep it.
            m_pendingReauth.reset();
            Result<void> r = keepLocalData ? Result<void>{} : clearLocalData();
            (void)m_sessionDb.exec("DELETE FROM session;");
            post<void>(std::move(done), std::move(r));
            return;
        }
        post<void>(std::move(done), notLoggedIn());
        return;
    }
    stop();
    if (m_refreshRequest)
        m_oauth.cancel(*m_refreshRequest);
    m_refreshRequest.reset();
    m_refreshing = false;
    auto finish = [this, keepLocalData, done = std::move(done)](std::string serverProblem) mutable {
        auto waiters = std::move(m_outboxWaiters);
        m_outboxWaiters.clear();
        m_outboxKeys.clear();
        m_outboxMaybeArrived.clear();
        m_failedKeys.clear();
        // The device is gone from the server: its crypto store is closed and its key forgotten,
        // which leaves the store unreadable (kept local data is the rooms' cache only).
        closeEncryption(true);
        Result<void> cleared;
        if (keepLocalData) {
            (void)m_store->setSetting("owner_user_id", m_session->userId);
            cleared = m_sessionDb.exec("DELETE FROM session;");
            if (cleared)
                cleared = m_options.secrets->remove(kTokenSecret);
        } else {
            cleared = clearLocalData();
        }
        (void)m_options.secrets->remove(kRefreshSecret);
        logLine(LogLevel::Info, "signed out " + m_session->userId + (keepLocalData ? " (local data kept)" : ""));
        m_session.reset();
        m_pendingReauth.reset();
        m_token.clear();
        m_api.setAccessToken({});
        *m_auth = AuthState{};
        setSyncState(SyncState::LoggedOut);
        for (auto &[seq, waiter] : waiters)
            waiter(Error(ErrorCode::Unavailable, "logged out before the homeserver accepted it"));
        if (cleared && !serverProblem.empty())
            logLine(LogLevel::Warning, serverProblem);
        done(std::move(cleared));
    };
    if (m_auth->oauth()) {
        const std::string token = m_auth->refreshToken.empty() ? m_token : m_auth->refreshToken;
        const std::string hint = m_auth->refreshToken.empty() ? "access_token" : "refresh_token";
        if (m_auth->revocationEndpoint.empty()) {
            finish("the authorization server offers no revocation: the session's tokens stay valid until they expire");
            return;
        }
        m_oauth.revoke(m_auth->revocationEndpoint, m_auth->clientId, token, hint,
                       [alive = std::weak_ptr<int>(m_alive), finish = std::move(finish)](Result<void> r) mutable {
                           if (!alive.lock())
                               return;
                           finish(r ? std::string() : "the authorization server did not confirm the revocation: " + r.error().message);
                       });
        return;
    }
    ApiCall call;
    call.method = "POST";
    call.path = std::string(kClient) + "/logout";
    call.body = nlohmann::json::object();
    const std::string token = m_token;
    ClientApi one(m_http);
    one.setBaseUrl(m_session->homeserverUrl);
    one.setAccessToken(token);
    call.timeoutMs = m_options.requestTimeoutMs;
    one.call(call, [alive = std::weak_ptr<int>(m_alive), finish = std::move(finish)](Result<ApiResponse> r) mutable {
        if (!alive.lock())
            return;
        // a 401 means the server already forgot the token: the local logout still happens
        if (!r && !(r.error().matrixApiError && r.error().matrixApiError->httpStatus == 401))
            return finish("the homeserver did not confirm the logout: " + r.error().message);
        finish({});
    });
}

} // namespace tessera::matrix
