// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "matrix/matrixbackend.h"
#include "matrix/matrixbackend_internal.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "util/log.h"
#include "util/paths.h"
#include "util/text.h"

namespace tessera::matrix {

namespace {

constexpr std::string_view kSessionSchemaV1 = R"sql(
CREATE TABLE session (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    homeserver_url TEXT NOT NULL,
    user_id        TEXT NOT NULL,
    device_id      TEXT NOT NULL,
    versions       TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE outbox (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    txn_id          TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL CHECK (kind IN ('event', 'state', 'redaction', 'to_device')),
    room_id         TEXT,
    event_type      TEXT NOT NULL,
    state_key       TEXT,
    target_event_id TEXT,
    body            TEXT NOT NULL,
    delay_ms        INTEGER,
    parent_delay_id TEXT,
    created_ms      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'failed')),
    error           TEXT
);
)sql";

// v2: how the session signed in (password or OAuth, with the authorization server's endpoints
// and the access token's expiry) and the OAuth client ids registered per issuer.
constexpr std::string_view kSessionSchemaV2 = R"sql(
ALTER TABLE session ADD COLUMN auth TEXT NOT NULL DEFAULT '{}';
CREATE TABLE oauth_clients (
    issuer        TEXT PRIMARY KEY,
    client_id     TEXT NOT NULL,
    registered_ms INTEGER NOT NULL
);
)sql";

// v3: a send into an encrypted room waits in the outbox with `encrypt` set and is encrypted
// just before it goes out; the row then holds the m.room.encrypted content (and `encrypt` is 0).
constexpr std::string_view kSessionSchemaV3 = R"sql(
ALTER TABLE outbox ADD COLUMN encrypt INTEGER NOT NULL DEFAULT 0;
)sql";

const storage::Migration kSessionMigrations[] = {
    {1, "session and outbox", kSessionSchemaV1, {}},
    {2, "session sign-in kind and OAuth clients", kSessionSchemaV2, {}},
    {3, "outbox rows encrypted before sending", kSessionSchemaV3, {}},
};

constexpr const char *kClient = "/_matrix/client/v3";
/** Extra time a /sync request gets beyond its long-poll timeout before it counts as lost. */
constexpr std::int64_t kSyncMarginMs = 30'000;
/** Sync responses can be large on the first run of a big account. */
constexpr std::size_t kMaxSyncResponseBytes = 256u * 1024u * 1024u;
constexpr int kBackfillPageSize = 100;

Error unavailable(const std::string &message)
{
    return Error(ErrorCode::Unavailable, message);
}

Result<void> checkHomeserverUrl(const std::string &url)
{
    const std::string scheme = net::urlScheme(url);
    const std::string host = net::urlHost(url);
    if (host.empty() || (scheme != "https" && scheme != "http"))
        return Error(ErrorCode::BadRequest, "'" + net::redactUrl(url) + "' is not a homeserver URL");
    if (scheme == "http" && !net::isLoopbackHost(host))
        return Error(ErrorCode::Denied, "the homeserver URL " + net::redactUrl(url) +
                                            " must use https (http is only allowed for loopback addresses)");
    return {};
}

std::string stripSlash(std::string url)
{
    while (!url.empty() && url.back() == '/')
        url.pop_back();
    return url;
}

bool hasVersion(const nlohmann::json &versions, std::string_view minimum)
{
    // "v1.11" style strings compared numerically
    auto parse = [](std::string_view v) -> std::pair<int, int> {
        if (v.size() < 4 || v[0] != 'v')
            return {0, 0};
        const auto dot = v.find('.');
        if (dot == std::string_view::npos)
            return {0, 0};
        return {std::atoi(std::string(v.substr(1, dot - 1)).c_str()), std::atoi(std::string(v.substr(dot + 1)).c_str())};
    };
    const auto want = parse(minimum);
    const auto list = versions.find("versions");
    if (list == versions.end() || !list->is_array())
        return false;
    for (const auto &v : *list) {
        if (v.is_string() && parse(v.get<std::string>()) >= want)
            return true;
    }
    return false;
}

bool isUnrecognised(const Error &e)
{
    if (!e.matrixApiError)
        return false;
    const int status = e.matrixApiError->httpStatus;
    return (status == 404 || status == 405 || status == 400) && errcodeOf(e) == "M_UNRECOGNIZED";
}

Error notJoined(const RoomInfo &room)
{
    return matrixError(403, "M_FORBIDDEN",
                       room.membership == Membership::Invite
                           ? "You have not joined this room: accept the invitation first"
                           : "You are not a member of this room");
}

} // namespace

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

namespace {
/** A timeline read that decrypts matches encrypted events too, and applies the filter afterwards. */
bool needsDecryptingRead(const EventFilter &filter)
{
    return filter.state == EventFilter::StateMatch::Any || filter.state == EventFilter::StateMatch::NotState;
}
constexpr int kMaxStorePagesPerRead = 50;
} // namespace

struct MatrixBackend::LoginFlow {
    enum class Step { WellKnown, Versions, Flows, OidcMetadata, OidcIssuer, Login } step = Step::WellKnown;
    LoginRequest request;
    Callback<SessionInfo> done;
    std::string user;
    std::string startUrl;  ///< what the user typed, as a URL
    std::string baseUrl;   ///< after discovery
    bool wellKnownOidc = false;
    nlohmann::json versions;
};

Result<std::unique_ptr<MatrixBackend>> MatrixBackend::open(Scheduler &scheduler, net::HttpClient &http,
                                                           MatrixBackendOptions options)
{
    if (!options.secrets)
        return Error(ErrorCode::BadRequest, "the Matrix backend needs a secret store for the access token");
    if (options.dataDir.empty())
        return Error(ErrorCode::BadRequest, "the Matrix backend needs a data directory");
    options.syncTimeoutMs = std::clamp<std::int64_t>(options.syncTimeoutMs, 0, 300'000);
    options.syncTimelineLimit = std::clamp(options.syncTimelineLimit, 1, kMaxPageSize);
    if (options.requestTimeoutMs <= 0)
        options.requestTimeoutMs = 30'000;
    if (options.initialBackoffMs <= 0)
        options.initialBackoffMs = 1'000;
    options.maxBackoffMs = std::max(options.maxBackoffMs, options.initialBackoffMs);
    options.maxDownloadBytes = std::min(options.maxDownloadBytes, net::kMaxResponseBytesCeiling);

    storage::OpenOptions full;
    full.durability = storage::Durability::Full; // the outbox holds acknowledged sends
    auto sessionDb = storage::openConcern(options.dataDir, "matrix", kSessionMigrations, full);
    if (!sessionDb)
        return std::move(sessionDb).error();
    storage::OpenOptions normal;
    normal.durability = storage::Durability::Normal; // a cache: the server has it all
    auto cacheDb = storage::openConcern(options.dataDir, "matrix-cache", RoomStore::migrations(), normal);
    if (!cacheDb)
        return std::move(cacheDb).error();
    std::unique_ptr<MatrixBackend> backend(new MatrixBackend(scheduler, http, std::move(options),
                                                             std::move(sessionDb).value(), std::move(cacheDb).value()));
    if (auto r = backend->loadSession(); !r)
        return std::move(r).error();
    return backend;
}

MatrixBackend::MatrixBackend(Scheduler &scheduler, net::HttpClient &http, MatrixBackendOptions options,
                             storage::Database sessionDb, storage::Database cacheDb)
    : m_scheduler(scheduler), m_options(std::move(options)), m_sessionDb(std::move(sessionDb)),
      m_cacheDb(std::move(cacheDb)), m_api(http), m_http(http), m_oauth(http, m_options.requestTimeoutMs),
      m_auth(std::make_unique<AuthState>())
{
    m_store = std::make_unique<RoomStore>(m_cacheDb, [this] { return m_scheduler.wallClockMs(); });
}

MatrixBackend::~MatrixBackend()
{
    m_onSyncStatus = nullptr; // whoever listened may be gone already
    stop();
    m_encryption.reset();
}

Result<void> MatrixBackend::loadSession()
{
    auto st = m_sessionDb.prepare("SELECT homeserver_url, user_id, device_id, versions, auth FROM session WHERE id = 1");
    if (!st)
        return std::move(st).error();
    auto row = st->step();
    if (!row)
        return std::move(row).error();
    if (!*row)
        return {};
    SessionInfo info;
    info.homeserverUrl = std::string(st->columnText(0));
    info.userId = std::string(st->columnText(1));
    info.deviceId = std::string(st->columnText(2));
    const auto versions = nlohmann::json::parse(st->columnText(3), nullptr, false);
    *m_auth = AuthState::fromJson(nlohmann::json::parse(st->columnText(4), nullptr, false));
    if (m_auth->softLoggedOut) {
        SessionEnd end;
        end.soft = true;
        end.userId = info.userId;
        end.homeserverUrl = info.homeserverUrl;
        end.reason = m_auth->softReason;
        m_pendingReauth = end;
        *m_auth = AuthState{};
        return {};
    }
    auto token = m_options.secrets->read(kTokenSecret);
    if (!token)
        return Error(token.error().code, "the Matrix access token could not be read from " +
                                             m_options.secrets->description() + ": " + token.error().message);
    if (!*token || (*token)->empty()) {
        logLine(LogLevel::Warning, "a Matrix session for " + info.userId + " is stored but its access token is "
                                   "missing from " + m_options.secrets->description() + "; log in again");
        *m_auth = AuthState{};
        return {};
    }
    if (m_auth->oauth()) {
        auto refresh = m_options.secrets->read(kRefreshSecret);
        if (refresh && *refresh)
            m_auth->refreshToken = **refresh;
        info.authKind = "oauth";
        info.accountManagementUrl = m_auth->accountManagementUri;
        info.accountManagementActions = m_auth->accountManagementActions;
    }
    info.tokenInFallbackStore = m_options.secrets->isFallback();
    m_token = **token;
    m_session = info;
    m_api.setBaseUrl(info.homeserverUrl);
    m_api.setAccessToken(m_token);
    if (!versions.is_discarded())
        applyVersions(versions);
    return {};
}

void MatrixBackend::applyVersions(const nlohmann::json &versions)
{
    const auto features = versions.find("unstable_features");
    m_delayedEvents = features != versions.end() && features->is_object() &&
                      features->value("org.matrix.msc4140", false);
    m_legacyMedia = !hasVersion(versions, "v1.11");
}

std::string MatrixBackend::scrub(std::string text) const
{
    for (const std::string *secret : std::initializer_list<const std::string *>{&m_token, &m_auth->refreshToken}) {
        if (secret->empty())
            continue;
        for (auto pos = text.find(*secret); pos != std::string::npos; pos = text.find(*secret, pos))
            text.replace(pos, secret->size(), secret == &m_token ? "[access token]" : "[refresh token]");
    }
    return text;
}

void MatrixBackend::logLine(LogLevel level, const std::string &text) const
{
    if (m_options.log) {
        m_options.log(level, scrub(text));
        return;
    }
    // Without a log of its own, the category tessera.matrix (util/log.h).
    const log::Level to = level == LogLevel::Warning ? log::Level::Warning
                          : level == LogLevel::Info  ? log::Level::Info
                                                     : log::Level::Debug;
    if (log::enabled(log::kMatrix, to))
        log::write(log::kMatrix, to, scrub(text));
}

Error MatrixBackend::notLoggedIn() const
{
    return unavailable("not logged in to a Matrix homeserver");
}

std::unique_ptr<ListenerHandle> MatrixBackend::addListener(RoomListener listener)
{
    return m_listeners.add(std::move(listener));
}

// --- login ------------------------------------------------------------------------------------

void MatrixBackend::login(const LoginRequest &request, Callback<SessionInfo> done)
{
    if (m_session) {
        post<SessionInfo>(std::move(done), Error(ErrorCode::Conflict, "already logged in as " + m_session->userId +
                                                                          "; log out first"));
        return;
    }
    auto flow = std::make_shared<LoginFlow>();
    flow->request = request;
    flow->done = std::move(done);
    std::string where = text::toLowerAscii(request.homeserver);
    std::string serverName;
    flow->user = request.user;
    if (!request.homeserver.empty() && request.homeserver.front() == '@') {
        serverName = serverNameOf(request.homeserver);
        if (flow->user.empty())
            flow->user = request.homeserver;
    } else if (text::startsWith(where, "https://") || text::startsWith(where, "http://")) {
        flow->startUrl = stripSlash(request.homeserver);
    } else {
        serverName = request.homeserver;
    }
    auto fail = [&](Error e) { post<SessionInfo>(std::move(flow->done), std::move(e)); };
    if (flow->user.empty())
        return fail(Error(ErrorCode::BadRequest, "a user name is needed to log in"));
    if (request.password.empty())
        return fail(Error(ErrorCode::BadRequest, "a password is needed to log in"));
    if (flow->startUrl.empty()) {
        if (serverName.empty())
            return fail(Error(ErrorCode::BadRequest, "a homeserver (a URL, a server name or a user id) is needed"));
        flow->startUrl = "https://" + serverName;
    }
    if (auto r = checkHomeserverUrl(flow->startUrl); !r)
        return fail(std::move(r).error());
    flow->baseUrl = flow->startUrl;
    m_api.setBaseUrl(flow->startUrl);
    loginStep(flow);
}

void MatrixBackend::loginStep(std::shared_ptr<LoginFlow> flow)
{
    using Step = LoginFlow::Step;
    auto fail = [this, flow](Error e) {
        m_api.setBaseUrl(m_session ? m_session->homeserverUrl : std::string());
        e.message = scrub(e.message);
        auto done = std::move(flow->done);
        done(std::move(e));
    };
    ApiCall call;
    call.authenticated = false;
    switch (flow->step) {
    case Step::WellKnown:
        call.path = "/.well-known/matrix/client";
        call.followRedirects = true;
        api(call, [this, flow](Result<ApiResponse> r) {
            if (r) {
                const auto hs = r->json.find("m.homeserver");
                if (hs != r->json.end() && hs->is_object() && hs->contains("base_url") && (*hs)["base_url"].is_string())
                    flow->baseUrl = stripSlash((*hs)["base_url"].get<std::string>());
                flow->wellKnownOidc = r->json.contains("org.matrix.msc2965.authentication");
            }
            // no well-known is fine: the URL itself is the homeserver
            if (auto ok = checkHomeserverUrl(flow->baseUrl); !ok) {
                auto done = std::move(flow->done);
                done(std::move(ok).error());
                return;
            }
            m_api.setBaseUrl(flow->baseUrl);
            flow->step = LoginFlow::Step::Versions;
            loginStep(flow);
        });
        return;
    case Step::Versions:
        call.path = "/_matrix/client/versions";
        api(call, [this, flow, fail](Result<ApiResponse> r) {
            if (!r || !r->json.contains("versions") || !r->json["versions"].is_array()) {
                fail(Error(r ? ErrorCode::Unsupported : r.error().code,
                           net::redactUrl(flow->baseUrl) + " does not look like a Matrix homeserver" +
                               (r ? std::string(" (no 'versions' in /_matrix/client/versions)")
                                  : " (" + r.error().message + ")")));
                return;
            }
            flow->versions = r->json;
            flow->step = LoginFlow::Step::Flows;
            loginStep(flow);
        });
        return;
    case Step::Flows:
        call.path = std::string(kClient) + "/login";
        api(call, [this, flow, fail](Result<ApiResponse> r) {
            if (!r) {
                fail(std::move(r).error());
                return;
            }
            bool password = false;
            std::vector<std::string> offered;
            for (const auto &f : r->json.value("flows", nlohmann::json::array())) {
                const std::string type = f.is_object() ? jsonString(f, "type") : "";
                offered.push_back(type);
                password = password || type == "m.login.password";
            }
            if (password) {
                flow->step = LoginFlow::Step::Login;
            } else if (flow->wellKnownOidc) {
                fail(Error(ErrorCode::Unsupported, net::redactUrl(flow->baseUrl) +
                                                       " offers only the browser sign-in (OAuth 2.0, MSC3861): "
                                                       "sign in through the browser instead of with a password"));
                return;
            } else {
                flow->step = LoginFlow::Step::OidcMetadata;
                flow->versions["tessera.offered_flows"] = offered;
            }
            loginStep(flow);
        });
        return;
    case Step::OidcMetadata:
    case Step::OidcIssuer:
        call.path = flow->step == Step::OidcMetadata ? "/_matrix/client/v1/auth_metadata"
                                                     : "/_matrix/client/unstable/org.matrix.msc2965/auth_issuer";
        api(call, [this, flow, fail](Result<ApiResponse> r) {
            if (r) {
                fail(Error(ErrorCode::Unsupported, net::redactUrl(flow->baseUrl) +
                                                       " offers only the browser sign-in (OAuth 2.0, MSC3861): "
                                                       "sign in through the browser instead of with a password"));
                return;
            }
            if (flow->step == LoginFlow::Step::OidcMetadata) {
                flow->step = LoginFlow::Step::OidcIssuer;
                loginStep(flow);
                return;
            }
            std::string list;
            for (const auto &t : flow->versions.value("tessera.offered_flows", nlohmann::json::array()))
                list += (list.empty() ? "" : ", ") + t.get<std::string>();
            fail(Error(ErrorCode::Unsupported, net::redactUrl(flow->baseUrl) + " does not offer password login (it "
                                                   "offers: " + (list.empty() ? "nothing" : list) + ")"));
        });
        return;
    case Step::Login: {
        call.method = "POST";
        call.path = std::string(kClient) + "/login";
        nlohmann::json identifier = {{"type", "m.id.user"}, {"user", flow->user}};
        call.body = nlohmann::json{{"type", "m.login.password"},
                                   {"identifier", identifier},
                                   {"password", flow->request.password},
                                   {"initial_device_display_name", m_options.deviceDisplayName}};
        api(call, [this, flow, fail](Result<ApiResponse> r) {
            flow->request.password.assign(flow->request.password.size(), '\0');
            if (!r) {
                fail(std::move(r).error());
                return;
            }
            auto info = finishLogin(flow->baseUrl, flow->versions, r->json);
            if (!info) {
                fail(std::move(info).error());
                return;
            }
            auto done = std::move(flow->done);
            done(std::move(info));
        });
        return;
    }
    }
}

Result<SessionInfo> MatrixBackend::finishLogin(const std::string &baseUrl, const nlohmann::json &versions,
                                               const nlohmann::json &loginResponse)
{
    const std::string token = jsonString(loginResponse, "access_token");
    const std::string userId = jsonString(loginResponse, "user_id");
    const std::string deviceId = jsonString(loginResponse, "device_id");
    if (token.empty() || userId.empty() || deviceId.empty())
        return Error(ErrorCode::Corrupt, "the homeserver's login answer lacks access_token, user_id or device_id");
    if (auto prepared = prepareLocalDataFor(userId); !prepared)
        return std::move(prepared).error();
    if (auto w = m_options.secrets->write(kTokenSecret, token); !w)
        return Error(w.error().code, "the access token could not be stored in " + m_options.secrets->description() +
                                         ": " + w.error().message);
    (void)m_options.secrets->remove(kRefreshSecret);
    nlohmann::json storedVersions = versions;
    storedVersions.erase("tessera.offered_flows");
    *m_auth = AuthState{};
    SessionInfo stub;
    stub.homeserverUrl = baseUrl;
    stub.userId = userId;
    stub.deviceId = deviceId;
    if (auto stored = storeSession(stub, storedVersions); !stored) {
        (void)m_options.secrets->remove(kTokenSecret);
        return std::move(stored).error();
    }
    SessionInfo info;
    info.homeserverUrl = baseUrl;
    info.userId = userId;
    info.deviceId = deviceId;
    info.tokenInFallbackStore = m_options.secrets->isFallback();
    if (info.tokenInFallbackStore) {
        info.warning = "Your Matrix access token is kept in " + m_options.secrets->description() +
                       " because no system keychain is available; anyone who can read that file can use your account.";
    }
    m_token = token;
    m_session = info;
    m_pendingReauth.reset();
    m_api.setBaseUrl(baseUrl);
    m_api.setAccessToken(token);
    applyVersions(storedVersions);
    logLine(LogLevel::Info, "logged in as " + userId + " on " + net::redactUrl(baseUrl) + " (device " + deviceId + ")");
    if (!info.warning.empty())
        logLine(LogLevel::Warning, info.warning);
    return info;
}

Result<void> MatrixBackend::clearLocalData()
{
    TRY(m_sessionDb.exec("DELETE FROM session; DELETE FROM outbox;"));
    TRY(m_cacheDb.exec("DELETE FROM rooms; DELETE FROM state; DELETE FROM timeline; DELETE FROM room_account_data; "
                       "DELETE FROM settings;"));
    m_syncedRooms.clear();
    return m_options.secrets->remove(kTokenSecret);
}

// --- sync -------------------------------------------------------------------------------------

void MatrixBackend::start()
{
    if (!m_session || m_running)
        return;
    m_running = true;
    m_syncedSinceStart = false;
    scheduleRefresh();
    setSyncState(SyncState::Syncing);
    if (m_options.crypto && !encryptionReady()) {
        // No sync before the crypto store is open: a sync acknowledges to-device messages (room
        // keys), which must reach the store first.
        startEncryption();
        pumpOutbox();
        return;
    }
    ensureFilterThenSync();
    pumpOutbox();
}

void MatrixBackend::stop()
{
    m_running = false;
    if (m_syncRequest)
        cancelCall(*m_syncRequest);
    m_syncRequest.reset();
    if (m_syncTimer)
        m_scheduler.cancel(*m_syncTimer);
    m_syncTimer.reset();
    if (m_outboxRequest)
        cancelCall(*m_outboxRequest);
    m_outboxRequest.reset();
    m_outboxSeq.reset();
    dropWithdrawnInFlight("Tessera stopped sending before the homeserver answered; the event may still appear");
    if (m_outboxTimer)
        m_scheduler.cancel(*m_outboxTimer);
    m_outboxTimer.reset();
    m_outboxRetrySeq.reset();
    if (m_refreshTimer)
        m_scheduler.cancel(*m_refreshTimer);
    m_refreshTimer.reset();
    if (m_syncStatus.state != SyncState::LoggedOut)
        setSyncState(SyncState::Stopped);
}

void MatrixBackend::setSyncState(SyncState state, const std::string &error)
{
    m_syncStatus.state = state;
    if (!error.empty())
        m_syncStatus.lastError = scrub(error);
    if (m_onSyncStatus)
        m_onSyncStatus(m_syncStatus);
}

std::string MatrixBackend::syncToken() const
{
    auto t = m_store->setting("next_batch");
    return t && *t ? **t : std::string();
}

std::int64_t MatrixBackend::backoffMs(int failures) const
{
    std::int64_t delay = m_options.initialBackoffMs;
    for (int i = 1; i < failures && delay < m_options.maxBackoffMs; ++i)
        delay *= 2;
    return std::min(delay, m_options.maxBackoffMs);
}

void MatrixBackend::ensureFilterThenSync()
{
    const nlohmann::json filter = {
        {"room",
         {{"timeline", {{"limit", m_options.syncTimelineLimit}}},
          {"state", {{"lazy_load_members", true}}},
          {"ephemeral", {{"types", nlohmann::json::array()}}}}},
        {"presence", {{"types", nlohmann::json::array()}}},
        {"account_data", {{"types", nlohmann::json::array()}}},
    };
    const std::string filterJson = filter.dump();
    auto storedJson = m_store->setting("filter_json");
    auto storedId = m_store->setting("filter_id");
    if (storedJson && storedId && *storedJson && *storedId && **storedJson == filterJson) {
        m_filter = **storedId;
        syncOnce();
        return;
    }
    ApiCall call;
    call.method = "POST";
    call.path = std::string(kClient) + "/user/" + ClientApi::segment(m_session->userId) + "/filter";
    call.body = filter;
    api(call, [this, filterJson](Result<ApiResponse> r) {
        if (!m_running)
            return;
        if (r && r->json.contains("filter_id") && r->json["filter_id"].is_string()) {
            m_filter = r->json["filter_id"].get<std::string>();
            (void)m_store->setSetting("filter_json", filterJson);
            (void)m_store->setSetting("filter_id", m_filter);
        } else {
            // Servers without filter storage take the filter inline.
            m_filter = filterJson;
            if (!r)
                logLine(LogLevel::Info, "sync filter not stored on the server, sending it inline: " + r.error().message);
        }
        syncOnce();
    });
}

void MatrixBackend::scheduleSync(std::int64_t delayMs)
{
    if (m_syncTimer)
        m_scheduler.cancel(*m_syncTimer);
    m_syncTimer = m_scheduler.schedule(delayMs, [this] {
        m_syncTimer.reset();
        syncOnce();
    });
}

void MatrixBackend::syncOnce()
{
    if (!m_running || m_syncRequest)
        return;
    const std::string since = syncToken();
    ApiCall call;
    call.path = std::string(kClient) + "/sync";
    call.query = {{"filter", m_filter}, {"timeout", since.empty() ? "0" : std::to_string(m_options.syncTimeoutMs)}};
    if (!since.empty())
        call.query.emplace_back("since", since);
    call.timeoutMs = m_options.syncTimeoutMs + kSyncMarginMs;
    call.maxResponseBytes = kMaxSyncResponseBytes;
    if (call.timeoutMs <= 0)
        call.timeoutMs = kSyncMarginMs;
    m_syncRequest = api(call, [this](Result<ApiResponse> r) { onSyncResult(std::move(r)); });
}

void MatrixBackend::onSyncResult(Result<ApiResponse> result)
{
    m_syncRequest.reset();
    if (!m_running)
        return;
    if (!result)
        return syncFailed(result.error());
    if (!m_encryption)
        return finishSync(result->json, nullptr);
    // The machine takes the to-device events, device lists and key counts into its store before
    // this sync's token is stored: a crash in between replays the sync, never loses a room key.
    auto response = std::make_shared<nlohmann::json>(std::move(result->json));
    m_encryption->receiveSync(*response, [alive = std::weak_ptr<int>(m_alive), this,
                                          response](Result<std::vector<ReceivedToDevice>> toDevice) {
        if (!alive.lock() || !m_running)
            return; // not stored: the next sync starts from the stored token and brings it again
        if (!toDevice)
            return syncFailed(Error(toDevice.error().code,
                                    "the encryption engine could not take the sync: " + toDevice.error().message));
        finishSync(*response, &*toDevice);
    });
}

void MatrixBackend::finishSync(const nlohmann::json &response, const std::vector<ReceivedToDevice> *toDevice)
{
    if (auto applied = applySync(response, toDevice); !applied)
        return syncFailed(Error(applied.error().code, "the sync could not be stored: " + applied.error().message));
    ++m_completedSyncs;
    m_syncStatus.consecutiveFailures = 0;
    // The first sync after start() is news too: the client is connected now.
    if (m_syncStatus.state != SyncState::Syncing || !m_syncedSinceStart)
        setSyncState(SyncState::Syncing);
    m_syncedSinceStart = true;
    scheduleSync(0);
}

void MatrixBackend::syncFailed(const Error &e)
{
    if (e.matrixApiError && e.matrixApiError->httpStatus == 401) {
        logLine(LogLevel::Warning, "the homeserver rejected the access token (" + errcodeOf(e) + "); log in again");
        m_running = false;
        setSyncState(SyncState::LoggedOut, e.message);
        return;
    }
    ++m_syncStatus.consecutiveFailures;
    std::int64_t delay = backoffMs(m_syncStatus.consecutiveFailures);
    if (auto after = retryAfterMs(e))
        delay = std::min(*after, m_options.maxRetryAfterMs);
    logLine(LogLevel::Info, "sync failed (" + std::to_string(m_syncStatus.consecutiveFailures) + " in a row), next try in " +
                                std::to_string(delay) + " ms: " + e.message);
    setSyncState(SyncState::Backoff, e.message);
    scheduleSync(delay);
}

Result<void> MatrixBackend::applySync(const nlohmann::json &response, const std::vector<ReceivedToDevice> *toDevice)
{
    if (!response.is_object())
        return Error(ErrorCode::Corrupt, "a sync response must be a JSON object");
    const auto nextBatch = response.find("next_batch");
    if (nextBatch == response.end() || !nextBatch->is_string())
        return Error(ErrorCode::Corrupt, "the sync response has no next_batch");

    const std::int64_t now = m_scheduler.wallClockMs();
    std::vector<nlohmann::json> newEvents;
    std::vector<nlohmann::json> stateChanges;
    std::vector<std::string> gaps;
    std::set<std::string> roomsChanged;
    std::vector<std::string> roomsWithAccountData; // rooms whose account data this sync brings up to date
    auto tx = m_cacheDb.begin();
    if (!tx)
        return std::move(tx).error();

    // What the room list shows: a change of these is a room change. Members count for a room
    // named after its members (neither name nor alias).
    bool unnamed = false;
    auto isInfoType = [this, &unnamed](const nlohmann::json &ev) {
        const std::string type = jsonString(ev, "type");
        return type == "m.room.name" || type == "m.room.topic" || type == "m.room.encryption" ||
               type == "m.room.canonical_alias" || type == "m.room.avatar" ||
               (type == "m.room.member" && (unnamed || jsonString(ev, "state_key") == userId()));
    };

    auto applyRoom = [&](const std::string &roomId, const nlohmann::json &room, Membership section) -> Result<void> {
        auto before = m_store->room(roomId);
        if (!before)
            return std::move(before).error();
        if (!*before || (*before)->membership != section)
            roomsChanged.insert(roomId);
        unnamed = !*before || ((*before)->name.empty() && (*before)->canonicalAlias.empty());
        TRY(m_store->setMembership(roomId, section));
        if (!room.is_object())
            return {};
        if (auto summary = room.find("summary"); summary != room.end() && summary->is_object() && !summary->empty()) {
            TRY(m_store->setSummary(roomId, *summary));
            roomsChanged.insert(roomId);
        }
        const char *stateKey = section == Membership::Invite ? "invite_state" : "state";
        if (auto st = room.find(stateKey); st != room.end() && st->is_object()) {
            for (auto ev : st->value("events", nlohmann::json::array())) {
                if (!ev.is_object() || !stateKeyOf(ev))
                    continue;
                ev["room_id"] = roomId;
                TRY(m_store->putState(ev));
                if (isInfoType(ev))
                    roomsChanged.insert(roomId);
                stateChanges.push_back(std::move(ev));
            }
        }
        if (auto tl = room.find("timeline"); tl != room.end() && tl->is_object()) {
            const bool limited = tl->value("limited", false);
            const auto prevBatch = tl->find("prev_batch");
            auto count = m_store->timelineCount(roomId);
            if (!count)
                return std::move(count).error();
            if (limited && *count > 0) {
                TRY(m_store->clearTimeline(roomId)); // a gap: the cache stays contiguous, older pages come from /messages
                gaps.push_back(roomId);
            }
            if ((limited || *count == 0) && prevBatch != tl->end() && prevBatch->is_string())
                TRY(m_store->setBackfillToken(roomId, prevBatch->get<std::string>()));
            for (auto ev : tl->value("events", nlohmann::json::array())) {
                if (!ev.is_object() || !ev.contains("event_id"))
                    continue;
                ev["room_id"] = roomId;
                std::int64_t age = 0;
                if (auto u = ev.find("unsigned"); u != ev.end() && u->is_object() && u->contains("age") &&
                                                   (*u)["age"].is_number_integer())
                    age = std::max<std::int64_t>(0, (*u)["age"].get<std::int64_t>());
                auto added = m_store->appendEvent(ev, now - age);
                if (!added)
                    return std::move(added).error();
                if (!*added)
                    continue; // already cached (a replayed batch)
                if (stateKeyOf(ev)) {
                    nlohmann::json current = ev;
                    if (current.contains("unsigned") && current["unsigned"].is_object())
                        current["unsigned"].erase("age");
                    TRY(m_store->putState(current));
                    if (isInfoType(ev))
                        roomsChanged.insert(roomId);
                }
                if (jsonString(ev, "type") == "m.room.redaction") {
                    std::string target = jsonString(ev, "redacts");
                    if (target.empty() && ev.contains("content") && ev["content"].is_object())
                        target = jsonString(ev["content"], "redacts");
                    if (!target.empty()) {
                        auto redacted = m_store->redact(roomId, target, ev);
                        if (!redacted)
                            return std::move(redacted).error();
                    }
                }
                if (auto u = ev.find("unsigned"); u != ev.end() && u->is_object())
                    (*u)["age"] = age;
                newEvents.push_back(std::move(ev));
            }
        }
        if (auto ad = room.find("account_data"); ad != room.end() && ad->is_object()) {
            for (const auto &ev : ad->value("events", nlohmann::json::array())) {
                if (ev.is_object() && ev.contains("type") && ev["type"].is_string() && ev.contains("content"))
                    TRY(m_store->putRoomAccountData(roomId, ev["type"].get<std::string>(), ev["content"]));
            }
        }
        return {};
    };

    if (auto rooms = response.find("rooms"); rooms != response.end() && rooms->is_object()) {
        const std::pair<const char *, Membership> sections[] = {
            {"join", Membership::Join}, {"invite", Membership::Invite}, {"leave", Membership::Leave}};
        for (const auto &[name, membership] : sections) {
            const auto section = rooms->find(name);
            if (section == rooms->end() || !section->is_object())
                continue;
            for (auto it = section->begin(); it != section->end(); ++it) {
                Membership m = membership;
                if (m == Membership::Leave && it->is_object() && it->contains("timeline") && (*it)["timeline"].is_object()) {
                    // "leave" also carries bans; the user's own member event says which
                    for (const auto &ev : (*it)["timeline"].value("events", nlohmann::json::array())) {
                        if (ev.is_object() && jsonString(ev, "type") == "m.room.member" && jsonString(ev, "state_key") == userId() &&
                            ev.contains("content") && jsonString(ev["content"], "membership") == "ban")
                            m = Membership::Ban;
                    }
                }
                TRY(applyRoom(it.key(), it.value(), m));
                if (membership != Membership::Invite) // an invite carries no account data
                    roomsWithAccountData.push_back(it.key());
            }
        }
    }
    TRY(m_store->setSetting("next_batch", nextBatch->get<std::string>()));
    TRY(tx->commit());
    m_syncedRooms.insert(roomsWithAccountData.begin(), roomsWithAccountData.end());

    if (m_encryption) {
        // New members (and rooms that became encrypted) need their devices tracked.
        std::set<std::string> stateRooms;
        for (const auto &ev : stateChanges)
            stateRooms.insert(jsonString(ev, "room_id"));
        for (const auto &ev : newEvents) {
            if (stateKeyOf(ev))
                stateRooms.insert(jsonString(ev, "room_id"));
        }
        trackEncryptedRooms(stateRooms);
    }

    EmitBatch batch;
    batch.gaps = std::move(gaps);
    batch.stateChanges = std::move(stateChanges);
    batch.events = std::move(newEvents);
    batch.roomsChanged = std::move(roomsChanged);
    if (toDevice) {
        for (const auto &received : *toDevice) {
            nlohmann::json message = received.message;
            message["encrypted"] = received.encrypted;
            batch.toDevice.push_back(std::move(message));
        }
    } else if (auto td = response.find("to_device"); td != response.end() && td->is_object()) {
        for (const auto &ev : td->value("events", nlohmann::json::array())) {
            if (ev.is_object() && ev.contains("type") && ev["type"].is_string())
                batch.toDevice.push_back({{"sender", jsonString(ev, "sender")},
                                          {"type", ev["type"]},
                                          {"content", ev.value("content", nlohmann::json::object())},
                                          {"encrypted", false}});
        }
    }
    queueEmit(std::move(batch));
    return {};
}

// --- telling the listeners, in order, after decryption ------------------------------------------

void MatrixBackend::queueEmit(EmitBatch batch)
{
    m_emits.push_back(std::make_unique<EmitBatch>(std::move(batch)));
    pumpEmits();
}

void MatrixBackend::pumpEmits()
{
    while (!m_emitBusy && !m_emits.empty()) {
        EmitBatch &head = *m_emits.front();
        if (m_encryption && !head.decrypted) {
            std::vector<std::size_t> encrypted;
            for (std::size_t i = 0; i < head.events.size(); ++i) {
                if (jsonString(head.events[i], "type") == "m.room.encrypted")
                    encrypted.push_back(i);
            }
            head.decrypted = true;
            if (!encrypted.empty()) {
                std::vector<nlohmann::json> events;
                for (std::size_t i : encrypted)
                    events.push_back(head.events[i]);
                m_emitBusy = true;
                m_encryption->decryptRoomEvents(std::move(events), [alive = std::weak_ptr<int>(m_alive), this, encrypted](
                                                                       Result<std::vector<DecryptedEvent>> r) {
                    if (!alive.lock())
                        return;
                    m_emitBusy = false;
                    if (r && !m_emits.empty()) {
                        for (std::size_t k = 0; k < encrypted.size() && k < r->size(); ++k) {
                            if ((*r)[k].event.is_object())
                                m_emits.front()->events[encrypted[k]] = std::move((*r)[k].event);
                        }
                    }
                    pumpEmits();
                });
                return;
            }
        }
        std::unique_ptr<EmitBatch> batch = std::move(m_emits.front());
        m_emits.pop_front();
        for (const auto &roomId : batch->gaps)
            m_listeners.emitTimelineGap(roomId);
        for (const auto &ev : batch->stateChanges)
            m_listeners.emitStateChanged(ev);
        for (const auto &ev : batch->events) {
            m_listeners.emitEvent(ev);
            if (stateKeyOf(ev))
                m_listeners.emitStateChanged(ev);
        }
        for (const auto &roomId : batch->roomsChanged) {
            if (auto info = room(roomId))
                m_listeners.emitRoomChanged(*info);
        }
        for (const auto &message : batch->toDevice)
            m_listeners.emitToDevice(message);
    }
}

// --- end-to-end encryption ------------------------------------------------------------------------

void MatrixBackend::startEncryption()
{
    if (!m_options.crypto || !m_session || m_encryptionStarting || encryptionReady())
        return;
    // The key the crypto store is encrypted with lives in the keychain beside the access token.
    auto key = m_options.secrets->read(kCryptoStoreSecret);
    std::string passphrase;
    if (key && *key && !(*key)->empty()) {
        passphrase = **key;
    } else if (key) {
        passphrase = randomToken(32);
        if (auto stored = m_options.secrets->write(kCryptoStoreSecret, passphrase); !stored) {
            setSyncState(SyncState::Backoff, "the key of the encryption store could not be kept in " +
                                                 m_options.secrets->description() + ": " + stored.error().message);
            return;
        }
    } else {
        setSyncState(SyncState::Backoff, "the key of the encryption store could not be read from " +
                                             m_options.secrets->description() + ": " + key.error().message);
        return;
    }
    if (!m_encryption) {
        m_encryption = std::make_unique<Encryption>(
            m_scheduler, *m_options.crypto,
            [this](ApiCall call, std::function<void(Result<ApiResponse>)> done) { api(std::move(call), std::move(done)); },
            [this](const std::string &roomId) { return encryptionRoom(roomId); },
            [this](int level, const std::string &text) {
                logLine(level >= 2 ? LogLevel::Warning : level == 1 ? LogLevel::Info : LogLevel::Debug, text);
            });
        m_encryption->setOnEventDecrypted([this](const DecryptedEvent &decrypted) {
            m_listeners.emitEventDecrypted(decrypted.event);
        });
        m_encryption->setOnNotify([this](const std::string &kind, const nlohmann::json &payload) {
            if (m_encryptionListener)
                m_encryptionListener(kind, payload);
        });
    }
    m_encryptionStarting = true;
    m_encryption->start(m_session->userId, m_session->deviceId, passphrase,
                        [alive = std::weak_ptr<int>(m_alive), this](Result<DeviceIdentity> r) {
                            if (!alive.lock())
                                return;
                            m_encryptionStarting = false;
                            if (!m_running)
                                return;
                            if (!r) {
                                // Without the store no sync may run (it would drop room keys): retry later.
                                ++m_encryptionFailures;
                                const std::int64_t delay = backoffMs(m_encryptionFailures);
                                logLine(LogLevel::Warning, "end-to-end encryption could not start, next try in " +
                                                               std::to_string(delay) + " ms: " + r.error().message);
                                setSyncState(SyncState::Backoff, "end-to-end encryption could not start: " + r.error().message);
                                m_syncTimer = m_scheduler.schedule(delay, [this] {
                                    m_syncTimer.reset();
                                    startEncryption();
                                });
                                return;
                            }
                            m_encryptionFailures = 0;
                            if (m_encryptionListener)
                                m_encryptionListener("ready", {{"ed25519", r->ed25519}, {"curve25519", r->curve25519},
                                                               {"deviceId", m_session->deviceId}});
                            std::set<std::string> encryptedRooms;
                            for (const auto &info : rooms()) {
                                if (info.encrypted && info.membership == Membership::Join)
                                    encryptedRooms.insert(info.roomId);
                            }
                            trackEncryptedRooms(encryptedRooms);
                            setSyncState(SyncState::Syncing);
                            ensureFilterThenSync();
                            pumpOutbox();
                        });
}

void MatrixBackend::closeEncryption(bool forgetStore)
{
    if (m_encryption) {
        if (m_encryption->isReady())
            m_encryption->call("close", nlohmann::json::object(), [](Result<nlohmann::json>) {});
        m_encryption.reset();
    }
    m_encryptionStarting = false;
    m_encryptionFailures = 0;
    m_emits.clear();
    m_emitBusy = false;
    if (forgetStore)
        (void)m_options.secrets->remove(kCryptoStoreSecret);
}

Result<EncryptionRoom> MatrixBackend::encryptionRoom(const std::string &roomId) const
{
    auto encryption = m_store->stateEvent(roomId, "m.room.encryption", "");
    if (!encryption)
        return std::move(encryption).error();
    if (!*encryption)
        return Error(ErrorCode::BadRequest, "the room " + roomId + " is not encrypted");
    const nlohmann::json settings = (**encryption).value("content", nlohmann::json::object());
    const std::string algorithm = settings.is_object() ? jsonString(settings, "algorithm") : std::string();
    if (algorithm != "m.megolm.v1.aes-sha2")
        return Error(ErrorCode::Unsupported, "the room " + roomId + " uses the encryption algorithm '" + algorithm +
                                                 "', which Tessera does not support (only m.megolm.v1.aes-sha2)");
    std::string visibility = "shared";
    if (auto hv = m_store->stateEvent(roomId, "m.room.history_visibility", ""); hv && *hv) {
        const auto content = (**hv).value("content", nlohmann::json::object());
        if (content.is_object() && !jsonString(content, "history_visibility").empty())
            visibility = jsonString(content, "history_visibility");
    }
    auto members = m_store->state(roomId, "m.room.member", std::nullopt);
    if (!members)
        return std::move(members).error();
    EncryptionRoom out;
    // As Element: joined members, and invited ones too unless history is only for joined members.
    for (const auto &m : *members) {
        const std::string membership = m.contains("content") ? jsonString(m["content"], "membership") : std::string();
        if (membership == "join" || (membership == "invite" && visibility != "joined"))
            out.targets.push_back(jsonString(m, "state_key"));
    }
    out.settings = {{"historyVisibility", visibility}};
    if (settings.contains("rotation_period_ms") && settings["rotation_period_ms"].is_number())
        out.settings["rotationPeriodMs"] = settings["rotation_period_ms"];
    if (settings.contains("rotation_period_msgs") && settings["rotation_period_msgs"].is_number())
        out.settings["rotationPeriodMessages"] = settings["rotation_period_msgs"];
    return out;
}

void MatrixBackend::trackEncryptedRooms(const std::set<std::string> &roomIds)
{
    if (!encryptionReady())
        return;
    std::set<std::string> users;
    for (const auto &roomId : roomIds) {
        if (!isEncrypted(roomId))
            continue;
        if (auto room = encryptionRoom(roomId))
            users.insert(room->targets.begin(), room->targets.end());
    }
    if (!users.empty())
        m_encryption->trackUsers(std::vector<std::string>(users.begin(), users.end()));
}

bool MatrixBackend::canEncrypt(const std::string &roomId) const
{
    if (!m_options.crypto || !m_store)
        return false;
    auto encryption = m_store->stateEvent(roomId, "m.room.encryption", "");
    if (!encryption || !*encryption)
        return false;
    const nlohmann::json content = (**encryption).value("content", nlohmann::json::object());
    return content.is_object() && jsonString(content, "algorithm") == "m.megolm.v1.aes-sha2";
}

std::optional<DecryptionInfo> MatrixBackend::decryptionInfo(const std::string &eventId) const
{
    return m_encryption ? m_encryption->info(eventId) : std::nullopt;
}

void MatrixBackend::setEncryptionListener(std::function<void(const std::string &, const nlohmann::json &)> listener)
{
    m_encryptionListener = std::move(listener);
    if (m_encryptionListener && encryptionReady())
        m_encryptionListener("ready", {{"ed25519", m_encryption->identity().ed25519},
                                       {"curve25519", m_encryption->identity().curve25519},
                                       {"deviceId", m_session ? m_session->deviceId : std::string()}});
}

void MatrixBackend::restoreKeyBackup(const std::string &recoveryKey, Callback<BackupRestore> done)
{
    if (!m_session)
        return post<BackupRestore>(std::move(done), notLoggedIn());
    if (!encryptionReady())
        return post<BackupRestore>(std::move(done), Error(ErrorCode::Unavailable, "end-to-end encryption is not ready"));
    ApiCall versionCall;
    versionCall.path = std::string(kClient) + "/room_keys/version";
    api(versionCall, [this, recoveryKey, done = std::move(done)](Result<ApiResponse> version) mutable {
        if (!version) {
            if (version.error().matrixApiError && version.error().matrixApiError->httpStatus == 404)
                return done(Error(ErrorCode::NotFound, "there is no key backup on the server for this account"));
            return done(std::move(version).error());
        }
        const nlohmann::json backup = version->json;
        // The machine checks that the key opens this backup before anything is downloaded.
        m_encryption->call("useRecoveryKey", {{"recoveryKey", recoveryKey}, {"backup", backup}},
                           [this, backup, done = std::move(done)](Result<nlohmann::json> used) mutable {
                               if (!used)
                                   return done(Error(ErrorCode::BadRequest, used.error().message));
                               const std::string v = jsonString(backup, "version");
                               ApiCall keysCall;
                               keysCall.path = std::string(kClient) + "/room_keys/keys";
                               keysCall.query = {{"version", v}};
                               keysCall.maxResponseBytes = kMaxSyncResponseBytes;
                               api(keysCall, [this, v, done = std::move(done)](Result<ApiResponse> keys) mutable {
                                   if (!keys)
                                       return done(std::move(keys).error());
                                   m_encryption->call(
                                       "importBackup", {{"rooms", keys->json.value("rooms", nlohmann::json::object())}, {"version", v}},
                                       [v, done = std::move(done)](Result<nlohmann::json> imported) mutable {
                                           if (!imported)
                                               return done(std::move(imported).error());
                                           BackupRestore out;
                                           out.version = v;
                                           out.imported = jsonInt(*imported, "imported");
                                           out.total = jsonInt(*imported, "total");
                                           out.failures = jsonInt(*imported, "failures");
                                           done(out);
                                       });
                               });
                           });
    });
}

// --- outbox -----------------------------------------------------------------------------------

Result<std::int64_t> MatrixBackend::enqueue(const OutboxRow &row)
{
    // The transaction id is stored (and fsync'ed) before any request carries it: a crash after
    // the server applied the send but before we saw the answer replays the same id, which the
    // server recognises.
    auto st = m_sessionDb.prepare("INSERT INTO outbox (txn_id, kind, room_id, event_type, state_key, target_event_id, "
                                  "body, delay_ms, parent_delay_id, created_ms, encrypt) "
                                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    if (!st)
        return std::move(st).error();
    TRY(st->bindText(1, makeTxnId()));
    TRY(st->bindText(2, row.kind));
    TRY(row.roomId.empty() ? st->bindNull(3) : st->bindText(3, row.roomId));
    TRY(st->bindText(4, row.type));
    TRY(row.stateKey ? st->bindText(5, *row.stateKey) : st->bindNull(5));
    TRY(row.target ? st->bindText(6, *row.target) : st->bindNull(6));
    TRY(st->bindText(7, row.body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
    TRY(row.delayMs ? st->bindInt64(8, *row.delayMs) : st->bindNull(8));
    TRY(row.parentDelayId ? st->bindText(9, *row.parentDelayId) : st->bindNull(9));
    TRY(st->bindInt64(10, m_scheduler.wallClockMs()));
    TRY(st->bindInt64(11, row.encrypt ? 1 : 0));
    TRY(st->run());
    return m_sessionDb.lastInsertRowId();
}

std::size_t MatrixBackend::pendingSends() const
{
    auto st = m_sessionDb.prepare("SELECT COUNT(*) FROM outbox WHERE status = 'pending'");
    if (!st)
        return 0;
    auto row = st->step();
    return row && *row ? static_cast<std::size_t>(st->columnInt64(0)) : 0;
}

std::vector<FailedSend> MatrixBackend::failedSends() const
{
    std::vector<FailedSend> out;
    auto st = m_sessionDb.prepare("SELECT txn_id, kind, room_id, event_type, error FROM outbox WHERE status = 'failed' ORDER BY seq");
    if (!st)
        return out;
    for (;;) {
        auto row = st->step();
        if (!row || !*row)
            break;
        out.push_back({std::string(st->columnText(0)), std::string(st->columnText(1)), std::string(st->columnText(2)),
                       std::string(st->columnText(3)), std::string(st->columnText(4))});
    }
    return out;
}

void MatrixBackend::pumpOutbox()
{
    if (!m_running || !m_session || m_outboxSeq || m_outboxTimer)
        return;
    auto st = m_sessionDb.prepare("SELECT seq, txn_id, kind, room_id, event_type, state_key, target_event_id, body, "
                                  "delay_ms, parent_delay_id, encrypt FROM outbox WHERE status = 'pending' "
                                  "ORDER BY seq LIMIT 1");
    if (!st) {
        logLine(LogLevel::Warning, "the outbox cannot be read: " + st.error().message);
        return;
    }
    auto row = st->step();
    if (!row || !*row)
        return;
    const std::int64_t seq = st->columnInt64(0);
    const std::string txn(st->columnText(1));
    const std::string kind(st->columnText(2));
    const std::string roomId(st->columnText(3));
    const std::string type(st->columnText(4));
    const std::optional<std::string> stateKey = st->isNull(5) ? std::nullopt : std::optional<std::string>(st->columnText(5));
    const std::string target(st->columnText(6));
    nlohmann::json body = nlohmann::json::parse(st->columnText(7), nullptr, false);
    const std::int64_t delayMs = st->isNull(8) ? -1 : st->columnInt64(8); // -1: not delayed
    const std::optional<std::string> parent = st->isNull(9) ? std::nullopt : std::optional<std::string>(st->columnText(9));
    if (body.is_discarded())
        body = nlohmann::json::object();
    if (st->columnInt64(10) != 0) {
        // Encrypted just before it goes out, then sent on the next turn of the pump.
        return encryptOutboxRow(seq, roomId, type, body);
    }

    ApiCall call;
    call.method = "PUT";
    call.body = body;
    const std::string room = "/rooms/" + ClientApi::segment(roomId);
    if (kind == "event")
        call.path = std::string(kClient) + room + "/send/" + ClientApi::segment(type) + "/" + ClientApi::segment(txn);
    else if (kind == "state")
        call.path = std::string(kClient) + room + "/state/" + ClientApi::segment(type) + "/" +
                    ClientApi::segment(stateKey.value_or(""));
    else if (kind == "redaction")
        call.path = std::string(kClient) + room + "/redact/" + ClientApi::segment(target) + "/" + ClientApi::segment(txn);
    else
        call.path = std::string(kClient) + "/sendToDevice/" + ClientApi::segment(type) + "/" + ClientApi::segment(txn);
    if (delayMs >= 0)
        call.query.emplace_back("org.matrix.msc4140.delay", std::to_string(delayMs));
    if (parent)
        call.query.emplace_back("org.matrix.msc4140.parent_delay_id", *parent);

    call.timeoutMs = m_options.requestTimeoutMs;
    m_outboxSeq = seq;
    m_outboxRequest = api(call, [this, seq](Result<ApiResponse> r) { onOutboxResult(seq, std::move(r)); });
}

void MatrixBackend::encryptOutboxRow(std::int64_t seq, const std::string &roomId, const std::string &type,
                                     const nlohmann::json &body)
{
    if (!encryptionReady()) {
        if (!m_options.crypto) {
            // Without an encryption engine nothing goes into an encrypted room in the clear.
            finishOutbox(seq, Error(ErrorCode::Unsupported, "the room is encrypted and this Tessera cannot encrypt"));
            return pumpOutbox();
        }
        return; // startEncryption() pumps the outbox once the store is open
    }
    m_outboxSeq = seq;
    m_encryption->encryptRoomEvent(roomId, type, body, [alive = std::weak_ptr<int>(m_alive), this, seq](Result<nlohmann::json> r) {
        if (!alive.lock())
            return;
        if (m_outboxSeq != seq)
            return; // withdrawn (or stopped) while it was being encrypted: the outbox moved on
        m_outboxSeq.reset();
        if (!m_running)
            return;
        if (!r) {
            // A failed key share (no answer, 5xx, 429) is retried like a failed send; a refusal is final.
            Error e = std::move(r).error();
            e.message = "the event could not be encrypted: " + e.message;
            return onOutboxResult(seq, std::move(e));
        }
        // The row now holds the ciphertext: a crash from here on sends exactly this, with the same
        // transaction id, and the plain text is gone from the outbox.
        auto up = m_sessionDb.prepare("UPDATE outbox SET event_type = 'm.room.encrypted', body = ?2, encrypt = 0 "
                                      "WHERE seq = ?1");
        auto stored = [&]() -> Result<void> {
            if (!up)
                return std::move(up).error();
            TRY(up->bindInt64(1, seq));
            TRY(up->bindText(2, r->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
            return up->run();
        }();
        if (!stored) {
            logLine(LogLevel::Warning, "an encrypted event could not be stored in the outbox: " + stored.error().message);
            finishOutbox(seq, Error(stored.error().code, "the encrypted event could not be stored: " + stored.error().message));
        }
        pumpOutbox();
    });
}

namespace {
/** Whether a failed attempt may still have been applied by the server (no answer says it was not). */
bool mayHaveTakenEffect(const Error &e)
{
    if (net::neverSent(e))
        return false;
    if (e.matrixApiError) {
        const int status = e.matrixApiError->httpStatus;
        return status != 429 && status != 503 && status != 401;
    }
    return true;
}
} // namespace

void MatrixBackend::onOutboxResult(std::int64_t seq, Result<ApiResponse> result)
{
    m_outboxSeq.reset();
    m_outboxRequest.reset();
    if (m_outboxLastAttempt.erase(seq)) {
        // Withdrawn while this request was on the wire: its answer is the outcome, whatever it is.
        if (result)
            m_outboxFailures = 0;
        logLine(LogLevel::Info, std::string("a withdrawn send's last request ") +
                                    (result ? "was accepted" : "failed: " + result.error().message));
        finishOutbox(seq, std::move(result), false);
        pumpOutbox();
        return;
    }
    if (result || !isTransient(result.error())) {
        if (!result && result.error().matrixApiError && result.error().matrixApiError->httpStatus == 401) {
            // the session is gone; keep the send for after the next login
            logLine(LogLevel::Warning, "a send was refused because the access token is no longer valid");
            return;
        }
        m_outboxFailures = 0;
        finishOutbox(seq, std::move(result));
        pumpOutbox();
        return;
    }
    const Error &e = result.error();
    if (mayHaveTakenEffect(e))
        m_outboxMaybeArrived.insert(seq);
    ++m_outboxFailures;
    auto up = m_sessionDb.prepare("UPDATE outbox SET attempts = attempts + 1 WHERE seq = ?1");
    if (up && up->bindInt64(1, seq))
        (void)up->run();
    std::int64_t delay = backoffMs(m_outboxFailures);
    if (auto after = retryAfterMs(e))
        delay = std::min(*after, m_options.maxRetryAfterMs);
    logLine(LogLevel::Info, "a send failed (" + std::to_string(m_outboxFailures) + " in a row), retrying with the same "
                            "transaction id in " + std::to_string(delay) + " ms: " + e.message);
    m_outboxRetrySeq = seq;
    m_outboxTimer = m_scheduler.schedule(delay, [this] {
        m_outboxTimer.reset();
        m_outboxRetrySeq.reset();
        pumpOutbox();
    });
}

void MatrixBackend::finishOutbox(std::int64_t seq, Result<ApiResponse> result, bool keepRefused)
{
    if (auto key = m_outboxKeys.find(seq); key != m_outboxKeys.end()) {
        if (!result && keepRefused)
            m_failedKeys[key->second] = seq;
        m_outboxKeys.erase(key);
    }
    m_outboxMaybeArrived.erase(seq);
    if (result || !keepRefused) {
        (void)deleteOutboxRow(seq);
    } else {
        auto up = m_sessionDb.prepare("UPDATE outbox SET status = 'failed', error = ?2 WHERE seq = ?1");
        if (up && up->bindInt64(1, seq) && up->bindText(2, scrub(result.error().message)))
            (void)up->run();
        logLine(LogLevel::Warning, "the homeserver refused a send: " + result.error().message);
    }
    auto it = m_outboxWaiters.find(seq);
    if (it == m_outboxWaiters.end())
        return;
    auto waiter = std::move(it->second);
    m_outboxWaiters.erase(it);
    waiter(std::move(result));
}

Withdrawal MatrixBackend::withdrawSend(const std::string &sendKey)
{
    if (sendKey.empty())
        return Withdrawal::Unknown;
    auto key = std::find_if(m_outboxKeys.begin(), m_outboxKeys.end(), [&](const auto &k) { return k.second == sendKey; });
    if (key == m_outboxKeys.end())
        return Withdrawal::Unknown;
    const std::int64_t seq = key->first;
    if (m_outboxLastAttempt.count(seq))
        return Withdrawal::InFlight;
    if (m_outboxSeq == seq && m_outboxRequest && callOnWire(*m_outboxRequest)) {
        // Cancelling the request now would not unsend it: let its answer decide, and no retry.
        m_outboxLastAttempt.insert(seq);
        logLine(LogLevel::Info, "a send was withdrawn while its request was with the homeserver; its answer decides");
        return Withdrawal::InFlight;
    }
    if (m_outboxSeq == seq) {
        // Waiting for an access token or being encrypted: nothing has left yet.
        if (m_outboxRequest)
            cancelCall(*m_outboxRequest);
        m_outboxRequest.reset();
        m_outboxSeq.reset();
    }
    if (m_outboxTimer && m_outboxRetrySeq == seq) {
        // The wait was for this row's next attempt; the next row need not wait for it.
        m_scheduler.cancel(*m_outboxTimer);
        m_outboxTimer.reset();
        m_outboxRetrySeq.reset();
    }
    const bool maybe = m_outboxMaybeArrived.count(seq) > 0;
    m_outboxKeys.erase(key);
    m_outboxMaybeArrived.erase(seq);
    if (!deleteOutboxRow(seq))
        return Withdrawal::Unknown; // still queued: it will be sent, and its sender hears so
    logLine(LogLevel::Info, maybe ? "a send was withdrawn; an earlier attempt got no answer, so it may still appear"
                                  : "a send was withdrawn before it reached the homeserver");
    if (auto it = m_outboxWaiters.find(seq); it != m_outboxWaiters.end()) {
        auto waiter = std::move(it->second);
        m_outboxWaiters.erase(it);
        m_scheduler.post([waiter = std::move(waiter), maybe] {
            waiter(Error(ErrorCode::Conflict, maybe ? "withdrawn; an earlier attempt may have reached the homeserver"
                                                    : "withdrawn before it reached the homeserver"));
        });
    }
    if (m_running && !m_outboxSeq && !m_outboxTimer)
        m_scheduler.post([alive = std::weak_ptr<int>(m_alive), this] {
            if (alive.lock())
                pumpOutbox();
        });
    return maybe ? Withdrawal::MayHaveArrived : Withdrawal::Withdrawn;
}

bool MatrixBackend::deleteOutboxRow(std::int64_t seq)
{
    auto del = m_sessionDb.prepare("DELETE FROM outbox WHERE seq = ?1");
    if (del && del->bindInt64(1, seq) && del->run())
        return true;
    logLine(LogLevel::Warning, "a send could not be removed from the outbox");
    return false;
}

bool MatrixBackend::forgetFailedSend(const std::string &sendKey)
{
    auto it = m_failedKeys.find(sendKey);
    if (it == m_failedKeys.end())
        return false;
    const std::int64_t seq = it->second;
    m_failedKeys.erase(it);
    auto del = m_sessionDb.prepare("DELETE FROM outbox WHERE seq = ?1 AND status = 'failed'");
    if (!del || !del->bindInt64(1, seq) || !del->run()) {
        logLine(LogLevel::Warning, "a refused send could not be removed from the outbox");
        return false;
    }
    return m_sessionDb.changes() > 0;
}

void MatrixBackend::dropWithdrawnInFlight(const std::string &why)
{
    auto seqs = std::move(m_outboxLastAttempt);
    m_outboxLastAttempt.clear();
    for (std::int64_t seq : seqs) {
        m_outboxKeys.erase(seq);
        m_outboxMaybeArrived.erase(seq);
        (void)deleteOutboxRow(seq);
        auto it = m_outboxWaiters.find(seq);
        if (it == m_outboxWaiters.end())
            continue;
        m_scheduler.post([waiter = std::move(it->second), why] { waiter(Error(ErrorCode::Timeout, why)); });
        m_outboxWaiters.erase(it);
    }
}

// --- rooms ------------------------------------------------------------------------------------

std::string MatrixBackend::userId() const
{
    return m_session ? m_session->userId : std::string();
}

std::string MatrixBackend::deviceId() const
{
    return m_session ? m_session->deviceId : std::string();
}

std::vector<RoomInfo> MatrixBackend::rooms() const
{
    auto r = m_store->rooms(userId());
    return r ? std::move(r).value() : std::vector<RoomInfo>{};
}

std::optional<RoomInfo> MatrixBackend::room(const std::string &roomId) const
{
    auto r = m_store->room(roomId, userId());
    return r ? std::move(r).value() : std::nullopt;
}

std::int64_t MatrixBackend::powerLevel(const std::string &roomId, const std::string &user) const
{
    auto pl = m_store->powerLevels(roomId);
    return pl ? pl->userLevel(user) : 0;
}

bool MatrixBackend::canSendState(const std::string &roomId, const std::string &type) const
{
    auto info = room(roomId);
    if (!info || info->membership != Membership::Join)
        return false;
    auto pl = m_store->powerLevels(roomId);
    return pl && pl->userLevel(userId()) >= pl->requiredFor(type, true);
}

bool MatrixBackend::canSendEvent(const std::string &roomId, const std::string &type) const
{
    auto info = room(roomId);
    if (!info || info->membership != Membership::Join)
        return false;
    auto pl = m_store->powerLevels(roomId);
    return pl && pl->userLevel(userId()) >= pl->requiredFor(type, false);
}

bool MatrixBackend::isEncrypted(const std::string &roomId) const
{
    auto info = room(roomId);
    return info && info->encrypted;
}

void MatrixBackend::createRoom(const CreateRoomRequest &request, Callback<std::string> done)
{
    if (!m_session)
        return post<std::string>(std::move(done), notLoggedIn());
    ApiCall call;
    call.method = "POST";
    call.path = std::string(kClient) + "/createRoom";
    nlohmann::json body = {{"preset", request.preset.empty() ? "private_chat" : request.preset}};
    if (!request.name.empty())
        body["name"] = request.name;
    if (!request.topic.empty())
        body["topic"] = request.topic;
    if (!request.initialState.empty())
        body["initial_state"] = request.initialState;
    if (!request.invite.empty())
        body["invite"] = request.invite;
    call.body = body;
    api(call, [done = std::move(done)](Result<ApiResponse> r) {
        if (!r)
            return done(std::move(r).error());
        const std::string id = jsonString(r->json, "room_id");
        if (id.empty())
            return done(Error(ErrorCode::Corrupt, "the homeserver created a room but did not say its id"));
        done(id);
    });
}

void MatrixBackend::joinRoom(const std::string &roomIdOrAlias, Callback<std::string> done)
{
    if (!m_session)
        return post<std::string>(std::move(done), notLoggedIn());
    ApiCall call;
    call.method = "POST";
    call.path = std::string(kClient) + "/join/" + ClientApi::segment(roomIdOrAlias);
    call.body = nlohmann::json::object();
    api(call, [done = std::move(done)](Result<ApiResponse> r) {
        if (!r)
            return done(std::move(r).error());
        done(jsonString(r->json, "room_id"));
    });
}

void MatrixBackend::leaveRoom(const std::string &roomId, Callback<void> done)
{
    if (!m_session)
        return post<void>(std::move(done), notLoggedIn());
    ApiCall call;
    call.method = "POST";
    call.path = std::string(kClient) + "/rooms/" + ClientApi::segment(roomId) + "/leave";
    call.body = nlohmann::json::object();
    api(call, [done = std::move(done)](Result<ApiResponse> r) {
        if (!r)
            return done(std::move(r).error());
        done(Result<void>());
    });
}

// --- reading ----------------------------------------------------------------------------------

void MatrixBackend::readState(const std::string &roomId, const std::string &type,
                              const std::optional<std::string> &stateKey, Callback<std::vector<nlohmann::json>> done)
{
    auto info = room(roomId);
    // A room the sync brought answers from the cache: all of it for a joined room; for an
    // invitation (or a room left) what the server let the user see, since asking it for the
    // state of a room the user is not in gets 403.
    if (info && info->membership != Membership::Invalid)
        return post(std::move(done), m_store->state(roomId, type, stateKey));
    if (!m_session)
        return post<std::vector<nlohmann::json>>(std::move(done), notLoggedIn());
    // Not synced yet (a room created or joined a moment ago): ask the server.
    ApiCall call;
    call.path = std::string(kClient) + "/rooms/" + ClientApi::segment(roomId) + "/state";
    call.arrayResponse = true;
    api(call, [done = std::move(done), type, stateKey, roomId](Result<ApiResponse> r) {
        if (!r)
            return done(std::move(r).error());
        std::vector<nlohmann::json> out;
        if (r->json.is_array()) {
            for (auto ev : r->json) {
                if (!ev.is_object() || jsonString(ev, "type") != type || !stateKeyOf(ev))
                    continue;
                if (stateKey && *stateKeyOf(ev) != *stateKey)
                    continue;
                if (!ev.contains("room_id"))
                    ev["room_id"] = roomId;
                out.push_back(std::move(ev));
            }
        }
        std::sort(out.begin(), out.end(), [](const nlohmann::json &a, const nlohmann::json &b) {
            return jsonString(a, "state_key") < jsonString(b, "state_key");
        });
        done(std::move(out));
    });
}

void MatrixBackend::continueTimelineRead(std::shared_ptr<TimelineRead> read)
{
    TimelineQuery q = read->query;
    q.limit = read->query.limit - static_cast<int>(read->out.events.size());
    if (read->cursor)
        q.from = RoomStore::tokenFor(*read->cursor);
    // In an encrypted room the cache holds m.room.encrypted events: read those too, decrypt them
    // and apply the filter (types, msgtype) to the clear events.
    const bool decrypting = m_encryption && isEncrypted(q.roomId) && needsDecryptingRead(q.filter);
    if (decrypting) {
        if (!q.filter.types.empty() &&
            std::find(q.filter.types.begin(), q.filter.types.end(), "m.room.encrypted") == q.filter.types.end())
            q.filter.types.push_back("m.room.encrypted");
        q.filter.msgtype.reset();
    }
    auto page = m_store->readTimeline(q);
    if (!page)
        return read->done(std::move(page).error());
    ++read->storePages;
    if (!decrypting)
        return takeTimelinePage(read, std::move(*page));
    auto events = std::move(page->page.events);
    page->page.events.clear();
    m_encryption->decryptRoomEvents(std::move(events), [alive = std::weak_ptr<int>(m_alive), this, read,
                                                        page = std::move(*page)](Result<std::vector<DecryptedEvent>> r) mutable {
        if (!alive.lock())
            return;
        if (!r)
            return read->done(std::move(r).error());
        for (auto &d : *r) {
            // Undecryptable events are kept when the reader asked for every type (the timeline shows them).
            if (read->query.filter.matches(d.event))
                page.page.events.push_back(std::move(d.event));
        }
        takeTimelinePage(read, std::move(page));
    });
}

void MatrixBackend::takeTimelinePage(std::shared_ptr<TimelineRead> read, StorePage pageValue)
{
    StorePage *page = &pageValue;
    for (auto &ev : page->page.events)
        read->out.events.push_back(std::move(ev));
    if (page->lastOrdering)
        read->cursor = page->lastOrdering;
    const bool full = static_cast<int>(read->out.events.size()) >= read->query.limit;
    if (page->page.reachedSince) {
        read->out.reachedSince = true;
        read->out.next.clear();
        return read->done(std::move(read->out));
    }
    if (!page->page.next.empty()) {
        // Decryption filtered some events out: read on from the cache until the page is full.
        if (!full && read->storePages < kMaxStorePagesPerRead)
            return continueTimelineRead(read);
        read->out.next = page->page.next;
        return read->done(std::move(read->out));
    }
    // The cache ran out in this direction.
    auto token = m_store->backfillToken(read->query.roomId);
    if (!token)
        return read->done(std::move(token).error());
    const bool backwards = read->query.direction == Direction::Backwards;
    if (!backwards || !*token) {
        read->out.next.clear();
        return read->done(std::move(read->out));
    }
    if (full || read->backfills >= m_options.maxBackfillRequestsPerRead || !m_session) {
        read->out.next = read->cursor ? RoomStore::tokenFor(*read->cursor) : std::string();
        return read->done(std::move(read->out));
    }
    ++read->backfills;
    ApiCall call;
    call.path = std::string(kClient) + "/rooms/" + ClientApi::segment(read->query.roomId) + "/messages";
    // Members are lazy-loaded (as in the sync filter): the page brings the member events of its senders.
    call.query = {{"dir", "b"},
                  {"from", **token},
                  {"limit", std::to_string(kBackfillPageSize)},
                  {"filter", R"({"lazy_load_members":true})"}};
    api(call, [this, read](Result<ApiResponse> r) {
        if (!r)
            return read->done(std::move(r).error());
        auto stored = [&]() -> Result<void> {
            auto tx = m_cacheDb.begin();
            if (!tx)
                return std::move(tx).error();
            const std::int64_t now = m_scheduler.wallClockMs();
            const auto chunk = r->json.value("chunk", nlohmann::json::array());
            for (auto ev : chunk) {
                if (!ev.is_object() || !ev.contains("event_id"))
                    continue;
                ev["room_id"] = read->query.roomId;
                std::int64_t age = 0;
                if (auto u = ev.find("unsigned"); u != ev.end() && u->is_object() && (*u).contains("age") &&
                                                   (*u)["age"].is_number_integer())
                    age = (*u)["age"].get<std::int64_t>();
                auto added = m_store->prependEvent(ev, now - age);
                if (!added)
                    return std::move(added).error();
            }
            // The senders' member events, for their display names: only where the cache has
            // none, since what the cache holds is the room's current state and this is older.
            for (auto ev : r->json.value("state", nlohmann::json::array())) {
                if (!ev.is_object() || jsonString(ev, "type") != "m.room.member" || !stateKeyOf(ev))
                    continue;
                auto known = m_store->stateEvent(read->query.roomId, "m.room.member", *stateKeyOf(ev));
                if (!known)
                    return std::move(known).error();
                if (*known)
                    continue;
                ev["room_id"] = read->query.roomId;
                TRY(m_store->putState(ev));
            }
            const auto end = r->json.find("end");
            const bool more = !chunk.empty() && end != r->json.end() && end->is_string();
            TRY(m_store->setBackfillToken(read->query.roomId,
                                          more ? std::optional<std::string>(end->get<std::string>()) : std::nullopt));
            return tx->commit();
        }();
        if (!stored)
            return read->done(std::move(stored).error());
        continueTimelineRead(read);
    });
}

void MatrixBackend::readTimeline(const TimelineQuery &query, Callback<TimelinePage> done)
{
    if (!room(query.roomId)) {
        return post<TimelinePage>(std::move(done),
                                  matrixError(404, "M_NOT_FOUND", "Room " + query.roomId + " is not known (yet) to this client"));
    }
    auto read = std::make_shared<TimelineRead>();
    read->query = query;
    // answers go out through post() so no caller is called back from inside readTimeline
    read->done = [this, done = std::move(done)](Result<TimelinePage> r) mutable { post(std::move(done), std::move(r)); };
    if (!query.from.empty()) {
        read->cursor = RoomStore::parseToken(query.from);
        if (!read->cursor)
            return read->done(matrixError(400, "M_INVALID_PARAM",
                                          "'" + query.from.substr(0, 64) + "' is not a pagination token of this room"));
    }
    continueTimelineRead(read);
}

void MatrixBackend::readRelations(const RelationsQuery &query, Callback<RelationsPage> done)
{
    if (!m_session)
        return post<RelationsPage>(std::move(done), notLoggedIn());
    if (query.limit < 1 || query.limit > kMaxPageSize)
        return post<RelationsPage>(std::move(done), matrixError(400, "M_INVALID_PARAM", "limit must be between 1 and " +
                                                                                            std::to_string(kMaxPageSize)));
    if (query.eventType && !query.relType)
        return post<RelationsPage>(std::move(done),
                                   matrixError(400, "M_INVALID_PARAM", "an event type filter needs a relation type"));
    ApiCall call;
    call.path = "/_matrix/client/v1/rooms/" + ClientApi::segment(query.roomId) + "/relations/" +
                ClientApi::segment(query.eventId);
    if (query.relType)
        call.path += "/" + ClientApi::segment(*query.relType);
    if (query.eventType)
        call.path += "/" + ClientApi::segment(*query.eventType);
    call.query = {{"dir", query.direction == Direction::Forwards ? "f" : "b"}, {"limit", std::to_string(query.limit)}};
    if (!query.from.empty())
        call.query.emplace_back("from", query.from);
    if (!query.to.empty())
        call.query.emplace_back("to", query.to);
    api(call, [alive = std::weak_ptr<int>(m_alive), this, done = std::move(done), roomId = query.roomId](Result<ApiResponse> r) mutable {
        if (!r)
            return done(std::move(r).error());
        RelationsPage page;
        for (auto ev : r->json.value("chunk", nlohmann::json::array())) {
            if (!ev.is_object())
                continue;
            if (!ev.contains("room_id"))
                ev["room_id"] = roomId;
            page.chunk.push_back(std::move(ev));
        }
        if (r->json.contains("next_batch") && r->json["next_batch"].is_string())
            page.nextBatch = r->json["next_batch"].get<std::string>();
        if (r->json.contains("prev_batch") && r->json["prev_batch"].is_string())
            page.prevBatch = r->json["prev_batch"].get<std::string>();
        if (!alive.lock() || !m_encryption || !isEncrypted(roomId))
            return done(std::move(page));
        auto chunk = std::move(page.chunk);
        page.chunk.clear();
        m_encryption->decryptRoomEvents(std::move(chunk), [page = std::move(page), done = std::move(done)](
                                                              Result<std::vector<DecryptedEvent>> d) mutable {
            if (!d)
                return done(std::move(d).error());
            for (auto &e : *d)
                page.chunk.push_back(std::move(e.event));
            done(std::move(page));
        });
    });
}

void MatrixBackend::readRoomAccountData(const std::string &roomId, const std::string &type,
                                        Callback<std::optional<nlohmann::json>> done)
{
    auto cached = m_store->roomAccountData(roomId, type);
    if (!cached || *cached || !m_session || m_syncedRooms.count(roomId))
        return post(std::move(done), std::move(cached));
    // Nothing cached and no sync has brought this room yet (just after start-up, before the first
    // sync): the cache cannot tell "unset" from "not heard of yet", so ask the homeserver.
    ApiCall call;
    call.path = std::string(kClient) + "/user/" + ClientApi::segment(m_session->userId) + "/rooms/" +
                ClientApi::segment(roomId) + "/account_data/" + ClientApi::segment(type);
    api(call, [this, done = std::move(done), roomId, type](Result<ApiResponse> r) {
        if (!r) {
            const Error &e = r.error();
            if (e.matrixApiError && e.matrixApiError->httpStatus == 404 && errcodeOf(e) == "M_NOT_FOUND")
                return done(std::optional<nlohmann::json>()); // unset
            return done(std::move(r).error());
        }
        // A sync or setRoomAccountData() that stored it while the request ran is at least as new.
        auto now = m_store->roomAccountData(roomId, type);
        if (!now || *now)
            return done(std::move(now));
        if (!r->json.is_object())
            return done(Error(ErrorCode::Corrupt, "the homeserver's room account data " + text::truncateUtf8(type, 100) +
                                                      " is not a JSON object"));
        if (auto stored = m_store->putRoomAccountData(roomId, type, r->json); !stored)
            return done(std::move(stored).error());
        done(std::optional<nlohmann::json>(nlohmann::json{{"type", type}, {"room_id", roomId}, {"content", r->json}}));
    });
}

void MatrixBackend::setRoomAccountData(const std::string &roomId, const std::string &type,
                                       const nlohmann::json &content, Callback<void> done)
{
    if (!m_session)
        return post<void>(std::move(done), notLoggedIn());
    if (auto r = checkEventLimits(type, std::nullopt, content); !r)
        return post<void>(std::move(done), std::move(r).error());
    ApiCall call;
    call.method = "PUT";
    call.path = std::string(kClient) + "/user/" + ClientApi::segment(m_session->userId) + "/rooms/" +
                ClientApi::segment(roomId) + "/account_data/" + ClientApi::segment(type);
    call.body = content;
    api(call, [this, done = std::move(done), roomId, type, content](Result<ApiResponse> r) {
        if (!r)
            return done(std::move(r).error());
        // the next sync brings it too; storing it now lets an immediate read see it
        done(m_store->putRoomAccountData(roomId, type, content));
    });
}

// --- sending ----------------------------------------------------------------------------------

void MatrixBackend::send(const SendRequest &request, Callback<SendResult> done)
{
    if (!m_session)
        return post<SendResult>(std::move(done), notLoggedIn());
    if (auto r = checkEventLimits(request.type, request.stateKey, request.content); !r)
        return post<SendResult>(std::move(done), std::move(r).error());
    if ((request.delayMs || request.parentDelayId) && !m_delayedEvents)
        return post<SendResult>(std::move(done), Error(ErrorCode::Unsupported,
                                                       "the homeserver does not support delayed events (MSC4140)"));
    if (request.delayMs && *request.delayMs < 0)
        return post<SendResult>(std::move(done), matrixError(400, "M_INVALID_PARAM", "The delay must not be negative"));
    // Nothing is queued for a room the user is known not to be in: the server would refuse it
    // for good, after the caller had been told it was on its way. (A room no sync has brought
    // yet, e.g. created a moment ago, is the server's to judge.)
    if (auto info = room(request.roomId); info && info->membership != Membership::Join && info->membership != Membership::Invalid)
        return post<SendResult>(std::move(done), notJoined(*info));
    OutboxRow row;
    row.kind = request.stateKey ? "state" : "event";
    // Message events into an encrypted room are encrypted (state events stay in the clear).
    row.encrypt = !request.stateKey && isEncrypted(request.roomId);
    if (row.encrypt && !m_options.crypto)
        return post<SendResult>(std::move(done), Error(ErrorCode::Unsupported,
                                                       "the room is encrypted and this Tessera cannot encrypt"));
    row.roomId = request.roomId;
    row.type = request.type;
    row.stateKey = request.stateKey;
    row.body = request.content;
    row.delayMs = request.delayMs;
    row.parentDelayId = request.parentDelayId;
    auto seq = enqueue(row);
    if (!seq)
        return post<SendResult>(std::move(done), std::move(seq).error());
    if (!request.sendKey.empty())
        m_outboxKeys[*seq] = request.sendKey;
    m_outboxWaiters[*seq] = [done = std::move(done)](Result<ApiResponse> r) {
        if (!r)
            return done(std::move(r).error());
        SendResult out;
        out.eventId = jsonString(r->json, "event_id");
        out.delayId = jsonString(r->json, "delay_id");
        if (out.eventId.empty() && out.delayId.empty())
            return done(Error(ErrorCode::Corrupt, "the homeserver accepted the event but gave no event_id"));
        done(std::move(out));
    };
    pumpOutbox();
}

void MatrixBackend::redact(const std::string &roomId, const std::string &eventId,
                           const std::optional<std::string> &reason, Callback<std::string> done)
{
    if (!m_session)
        return post<std::string>(std::move(done), notLoggedIn());
    OutboxRow row;
    row.kind = "redaction";
    row.roomId = roomId;
    row.type = "m.room.redaction";
    row.target = eventId;
    if (reason)
        row.body["reason"] = *reason;
    auto seq = enqueue(row);
    if (!seq)
        return post<std::string>(std::move(done), std::move(seq).error());
    m_outboxWaiters[*seq] = [done = std::move(done)](Result<ApiResponse> r) {
        if (!r)
            return done(std::move(r).error());
        done(jsonString(r->json, "event_id"));
    };
    pumpOutbox();
}

void MatrixBackend::sendToDevice(const std::string &type, const nlohmann::json &messages, Callback<void> done)
{
    if (!m_session)
        return post<void>(std::move(done), notLoggedIn());
    if (type.empty() || type.size() > kMaxTypeOrStateKeyBytes)
        return post<void>(std::move(done), matrixError(400, "M_INVALID_PARAM", "the to-device type must be 1 to 255 bytes"));
    if (!messages.is_object())
        return post<void>(std::move(done), matrixError(400, "M_BAD_JSON", "'messages' must be an object of user ids"));
    OutboxRow row;
    row.kind = "to_device";
    row.type = type;
    row.body = {{"messages", messages}};
    auto seq = enqueue(row);
    if (!seq)
        return post<void>(std::move(done), std::move(seq).error());
    m_outboxWaiters[*seq] = [done = std::move(done)](Result<ApiResponse> r) {
        if (!r)
            return done(std::move(r).error());
        done(Result<void>());
    };
    pumpOutbox();
}

void MatrixBackend::sendEncryptedToDevice(const std::string &type, const nlohmann::json &messages, const std::string &,
                                          Callback<void> done)
{
    if (!m_session)
        return post<void>(std::move(done), notLoggedIn());
    if (!m_options.crypto)
        return post<void>(std::move(done), Error(ErrorCode::Unsupported, "this Tessera has no end-to-end encryption"));
    if (!encryptionReady())
        return post<void>(std::move(done), Error(ErrorCode::Unavailable, "end-to-end encryption is still starting"));
    if (type.empty() || type.size() > kMaxTypeOrStateKeyBytes)
        return post<void>(std::move(done), matrixError(400, "M_INVALID_PARAM", "the to-device type must be 1 to 255 bytes"));
    if (!messages.is_object())
        return post<void>(std::move(done), matrixError(400, "M_BAD_JSON", "'messages' must be an object of user ids"));
    m_encryption->encryptToDevice(type, messages, [alive = std::weak_ptr<int>(m_alive), this,
                                                   done = std::move(done)](Result<nlohmann::json> encrypted) mutable {
        if (!alive.lock())
            return;
        if (!encrypted)
            return done(std::move(encrypted).error());
        // Olm ciphertext per device, sent through the outbox like any to-device message.
        OutboxRow row;
        row.kind = "to_device";
        row.type = "m.room.encrypted";
        row.body = {{"messages", std::move(*encrypted)}};
        auto seq = enqueue(row);
        if (!seq)
            return done(std::move(seq).error());
        m_outboxWaiters[*seq] = [done = std::move(done)](Result<ApiResponse> r) {
            if (!r)
                return done(std::move(r).error());
            done(Result<void>());
        };
        pumpOutbox();
    });
}

void MatrixBackend::updateDelayedEvent(const std::string &delayId, DelayedEventAction action, Callback<void> done)
{
    if (!m_session)
        return post<void>(std::move(done), notLoggedIn());
    if (!m_delayedEvents)
        return post<void>(std::move(done),
                          Error(ErrorCode::Unsupported, "the homeserver does not support delayed events (MSC4140)"));
    const char *name = action == DelayedEventAction::Cancel    ? "cancel"
                       : action == DelayedEventAction::Restart ? "restart"
                       : action == DelayedEventAction::Send    ? "send"
                                                               : nullptr;
    if (!name)
        return post<void>(std::move(done), matrixError(400, "M_INVALID_PARAM", "The action must be cancel, restart or send"));
    ApiCall call;
    call.method = "POST";
    call.path = "/_matrix/client/unstable/org.matrix.msc4140/delayed_events/" + ClientApi::segment(delayId);
    call.body = nlohmann::json{{"action", name}};
    api(call, [done = std::move(done)](Result<ApiResponse> r) {
        if (!r)
            return done(std::move(r).error());
        done(Result<void>());
    });
}

// --- account services -------------------------------------------------------------------------

void MatrixBackend::requestOpenIdToken(Callback<OpenIdToken> done)
{
    if (!m_session)
        return post<OpenIdToken>(std::move(done), notLoggedIn());
    ApiCall call;
    call.method = "POST";
    call.path = std::string(kClient) + "/user/" + ClientApi::segment(m_session->userId) + "/openid/request_token";
    call.body = nlohmann::json::object();
    api(call, [done = std::move(done)](Result<ApiResponse> r) {
        if (!r)
            return done(std::move(r).error());
        OpenIdToken t;
        t.accessToken = jsonString(r->json, "access_token");
        t.tokenType = jsonString(r->json, "token_type", "Bearer");
        t.matrixServerName = jsonString(r->json, "matrix_server_name");
        t.expiresInSeconds = jsonInt(r->json, "expires_in");
        if (t.accessToken.empty() || t.matrixServerName.empty())
            return done(Error(ErrorCode::Corrupt, "the homeserver's OpenID answer lacks access_token or matrix_server_name"));
        done(std::move(t));
    });
}

void MatrixBackend::mediaConfig(Callback<nlohmann::json> done)
{
    if (!m_session)
        return post<nlohmann::json>(std::move(done), notLoggedIn());
    ApiCall call;
    call.path = m_legacyMedia ? "/_matrix/media/v3/config" : "/_matrix/client/v1/media/config";
    api(call, [this, done = std::move(done), legacy = m_legacyMedia](Result<ApiResponse> r) mutable {
        if (!r && !legacy && isUnrecognised(r.error())) {
            m_legacyMedia = true; // a server from before Matrix 1.11
            return mediaConfig(std::move(done));
        }
        if (!r)
            return done(std::move(r).error());
        done(std::move(r->json));
    });
}

void MatrixBackend::uploadMedia(const MediaUpload &upload, Callback<std::string> done)
{
    if (!m_session)
        return post<std::string>(std::move(done), notLoggedIn());
    ApiCall call;
    call.method = "POST";
    call.path = "/_matrix/media/v3/upload";
    if (upload.fileName)
        call.query = {{"filename", *upload.fileName}};
    call.rawBody = upload.bytes;
    call.contentType = upload.contentType;
    api(call, [done = std::move(done)](Result<ApiResponse> r) {
        if (!r)
            return done(std::move(r).error());
        const std::string uri = jsonString(r->json, "content_uri");
        if (!text::startsWith(uri, "mxc://"))
            return done(Error(ErrorCode::Corrupt, "the homeserver's upload answer has no mxc:// content_uri"));
        done(uri);
    });
}

namespace {
/** mxc://<server-name>/<media-id> as its two parts; the media id is [A-Za-z0-9_-]+ (spec, "Matrix Content URIs"). */
Result<std::pair<std::string, std::string>> parseMxc(const std::string &mxcUri)
{
    const std::string rest = text::startsWith(mxcUri, "mxc://") ? mxcUri.substr(6) : std::string();
    const auto slash = rest.find('/');
    const std::string server = slash == std::string::npos ? std::string() : rest.substr(0, slash);
    const std::string mediaId = slash == std::string::npos ? std::string() : rest.substr(slash + 1);
    const bool idOk = !mediaId.empty() && std::all_of(mediaId.begin(), mediaId.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    });
    if (server.empty() || !idOk)
        return matrixError(400, "M_INVALID_PARAM",
                           "'" + text::truncateUtf8(mxcUri, 100) + "' is not an mxc://server/media-id URI");
    return std::make_pair(server, mediaId);
}
} // namespace

void MatrixBackend::downloadThumbnail(const std::string &mxcUri, int sizePx, std::size_t maxBytes,
                                      Callback<MediaDownload> done)
{
    if (!m_session)
        return post<MediaDownload>(std::move(done), notLoggedIn());
    auto parts = parseMxc(mxcUri);
    if (!parts)
        return post<MediaDownload>(std::move(done), std::move(parts).error());
    const std::string size = std::to_string(std::clamp(sizePx, 1, 1024));
    ApiCall call;
    call.path = (m_legacyMedia ? "/_matrix/media/v3/thumbnail/" : "/_matrix/client/v1/media/thumbnail/") +
                ClientApi::segment(parts->first) + "/" + parts->second;
    call.query = {{"width", size}, {"height", size}, {"method", "crop"}};
    call.rawResponse = true;
    call.maxResponseBytes = std::min(maxBytes, m_options.maxDownloadBytes);
    call.followRedirects = true;
    api(call, [this, done = std::move(done), mxcUri, maxBytes](Result<ApiResponse> r) mutable {
        if (r) {
            MediaDownload out;
            out.bytes = std::move(r->body);
            out.contentType = r->contentType;
            return done(std::move(out));
        }
        // No thumbnail (a server without them, or one it cannot make): the file itself, as bounded.
        downloadFile(mxcUri, maxBytes, std::move(done));
    });
}

void MatrixBackend::downloadMedia(const std::string &mxcUri, Callback<MediaDownload> done)
{
    downloadFile(mxcUri, m_options.maxDownloadBytes, std::move(done));
}

void MatrixBackend::downloadFile(const std::string &mxcUri, std::size_t maxBytes, Callback<MediaDownload> done)
{
    if (!m_session)
        return post<MediaDownload>(std::move(done), notLoggedIn());
    auto parts = parseMxc(mxcUri);
    if (!parts)
        return post<MediaDownload>(std::move(done), std::move(parts).error());
    const std::string &server = parts->first;
    const std::string &mediaId = parts->second;
    ApiCall call;
    call.path = (m_legacyMedia ? "/_matrix/media/v3/download/" : "/_matrix/client/v1/media/download/") +
                ClientApi::segment(server) + "/" + mediaId;
    call.rawResponse = true;
    call.maxResponseBytes = std::min(maxBytes, m_options.maxDownloadBytes);
    call.followRedirects = true;
    api(call, [this, done = std::move(done), mxcUri, maxBytes, legacy = m_legacyMedia](Result<ApiResponse> r) mutable {
        if (!r && !legacy && isUnrecognised(r.error())) {
            m_legacyMedia = true;
            return downloadFile(mxcUri, maxBytes, std::move(done));
        }
        if (!r)
            return done(std::move(r).error());
        MediaDownload out;
        out.bytes = std::move(r->body);
        out.contentType = r->contentType;
        done(std::move(out));
    });
}

void MatrixBackend::searchUserDirectory(const std::string &term, int limit, Callback<UserDirectoryResult> done)
{
    if (!m_session)
        return post<UserDirectoryResult>(std::move(done), notLoggedIn());
    if (limit < 1 || limit > kMaxPageSize)
        return post<UserDirectoryResult>(std::move(done), matrixError(400, "M_INVALID_PARAM", "limit must be between 1 and " +
                                                                                                  std::to_string(kMaxPageSize)));
    ApiCall call;
    call.method = "POST";
    call.path = std::string(kClient) + "/user_directory/search";
    call.body = nlohmann::json{{"search_term", term}, {"limit", limit}};
    api(call, [done = std::move(done)](Result<ApiResponse> r) {
        if (!r)
            return done(std::move(r).error());
        UserDirectoryResult out;
        out.limited = jsonBool(r->json, "limited", false);
        for (const auto &u : r->json.value("results", nlohmann::json::array())) {
            if (!u.is_object() || !u.contains("user_id") || !u["user_id"].is_string())
                continue;
            UserDirectoryEntry e;
            e.userId = u["user_id"].get<std::string>();
            if (u.contains("display_name") && u["display_name"].is_string())
                e.displayName = u["display_name"].get<std::string>();
            if (u.contains("avatar_url") && u["avatar_url"].is_string())
                e.avatarUrl = u["avatar_url"].get<std::string>();
            out.results.push_back(std::move(e));
        }
        done(std::move(out));
    });
}

void MatrixBackend::turnServers(Callback<TurnServers> done)
{
    if (!m_session)
        return post<TurnServers>(std::move(done), notLoggedIn());
    ApiCall call;
    call.path = std::string(kClient) + "/voip/turnServer";
    api(call, [done = std::move(done)](Result<ApiResponse> r) {
        if (!r)
            return done(std::move(r).error());
        TurnServers t;
        for (const auto &u : r->json.value("uris", nlohmann::json::array())) {
            if (u.is_string())
                t.uris.push_back(u.get<std::string>());
        }
        if (t.uris.empty())
            return done(Error(ErrorCode::Unavailable, "the homeserver offers no TURN servers"));
        t.username = jsonString(r->json, "username");
        t.password = jsonString(r->json, "password");
        t.ttlSeconds = jsonInt(r->json, "ttl");
        done(std::move(t));
    });
}

void MatrixBackend::profile(const std::string &user, Callback<Profile> done)
{
    if (!m_session)
        return post<Profile>(std::move(done), notLoggedIn());
    ApiCall call;
    call.path = std::string(kClient) + "/profile/" + ClientApi::segment(user);
    api(call, [done = std::move(done)](Result<ApiResponse> r) {
        if (!r)
            return done(std::move(r).error());
        Profile p;
        if (r->json.contains("displayname") && r->json["displayname"].is_string())
            p.displayName = r->json["displayname"].get<std::string>();
        if (r->json.contains("avatar_url") && r->json["avatar_url"].is_string())
            p.avatarUrl = r->json["avatar_url"].get<std::string>();
        done(std::move(p));
    });
}

void MatrixBackend::setDisplayName(const std::string &displayName, Callback<void> done)
{
    if (!m_session)
        return post<void>(std::move(done), notLoggedIn());
    ApiCall call;
    call.method = "PUT";
    call.path = std::string(kClient) + "/profile/" + ClientApi::segment(m_session->userId) + "/displayname";
    call.body = nlohmann::json{{"displayname", displayName}};
    api(call, [done = std::move(done)](Result<ApiResponse> r) {
        if (!r)
            return done(std::move(r).error());
        done(Result<void>());
    });
}

void MatrixBackend::setAvatarUrl(const std::string &mxcUri, Callback<void> done)
{
    if (!m_session)
        return post<void>(std::move(done), notLoggedIn());
    ApiCall call;
    call.method = "PUT";
    call.path = std::string(kClient) + "/profile/" + ClientApi::segment(m_session->userId) + "/avatar_url";
    call.body = nlohmann::json{{"avatar_url", mxcUri}};
    api(call, [done = std::move(done)](Result<ApiResponse> r) {
        if (!r)
            return done(std::move(r).error());
        done(Result<void>());
    });
}

} // namespace tessera::matrix
