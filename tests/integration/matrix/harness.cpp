// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "harness.h"

#include <gtest/gtest.h>

namespace tessera::test {

void BackendHarness::listen()
{
    matrix::RoomListener listener;
    listener.onEvent = [this](const nlohmann::json &ev) { m_seen.insert(matrix::jsonString(ev, "event_id")); };
    m_listener = backend().addListener(listener);
}

bool BackendHarness::pumpUntil(const std::function<bool()> &done)
{
    return test::pumpUntil(m_scheduler, done, m_virtualMsPerStep);
}

bool BackendHarness::waitForEvent(const std::string &eventId)
{
    return pumpUntil([&] { return m_seen.count(eventId) > 0; });
}

bool BackendHarness::waitForRoom(const std::string &roomId)
{
    return pumpUntil([&] {
        auto info = backend().room(roomId);
        return info && info->membership == matrix::Membership::Join;
    });
}

std::string BackendHarness::createRoom(const std::string &name)
{
    matrix::CreateRoomRequest req;
    req.name = name;
    auto id = call<std::string>([&](auto done) { backend().createRoom(req, done); });
    EXPECT_TRUE(id) << id.error().message;
    if (!id)
        return {};
    EXPECT_TRUE(waitForRoom(*id)) << name << " never appeared in the room list";
    return *id;
}

Result<std::string> BackendHarness::send(const std::string &roomId, const std::string &type,
                                         const nlohmann::json &content, const std::optional<std::string> &stateKey)
{
    matrix::SendRequest req;
    req.roomId = roomId;
    req.type = type;
    req.content = content;
    req.stateKey = stateKey;
    auto sent = call<matrix::SendResult>([&](auto done) { backend().send(req, done); });
    if (!sent)
        return std::move(sent).error();
    if (!waitForEvent(sent->eventId))
        return Error(ErrorCode::Timeout, "the backend never heard its own event " + sent->eventId);
    return sent->eventId;
}

// --- local ------------------------------------------------------------------------------------

LocalHarness::LocalHarness()
{
    matrix::LocalBackendOptions options;
    options.dataDir = m_dir.path();
    options.userName = "alice";
    options.createWelcomeRoom = false;
    auto b = matrix::LocalBackend::open(m_scheduler, options);
    EXPECT_TRUE(b) << b.error().message;
    if (b)
        m_backend = std::move(b).value();
    listen();
}

std::size_t LocalHarness::authorityEventCount(const std::string &roomId, const std::string &type)
{
    matrix::TimelineQuery q;
    q.roomId = roomId;
    q.filter.types = {type};
    q.limit = matrix::kMaxPageSize;
    auto page = call<matrix::TimelinePage>([&](auto done) { m_backend->readTimeline(q, done); });
    return page ? page->events.size() : 0;
}

// --- matrix -----------------------------------------------------------------------------------

MatrixHarness::MatrixHarness(MatrixHarnessOptions options) : m_options(std::move(options))
{
    // Retries and back-offs run on the manual clock; let it run ahead of real time.
    m_virtualMsPerStep = 5;
    m_server = std::make_unique<e2e::TestHomeserver>(m_options.server);
    auto user = m_server->createUser(m_options.user, m_options.password, "Alice");
    EXPECT_TRUE(user) << user.error().message;
    auto started = m_server->start();
    EXPECT_TRUE(started) << started.error().message;
    m_http = std::make_unique<net::HttpClient>(m_scheduler);
    m_secrets = std::make_unique<FileSecretStore>(m_dir.path() / "secrets");
    reopen(false);
    if (m_options.loginAndStart) {
        auto session = loginAndStart();
        EXPECT_TRUE(session) << session.error().message;
    }
}

MatrixHarness::~MatrixHarness()
{
    m_listener.reset();
    m_backend.reset();
    m_http.reset();
    m_server->stop();
}

matrix::MatrixBackendOptions MatrixHarness::backendOptions()
{
    matrix::MatrixBackendOptions o;
    o.dataDir = m_dir.path();
    o.secrets = m_secrets.get();
    o.syncTimeoutMs = 300;
    o.syncTimelineLimit = m_options.syncTimelineLimit;
    o.requestTimeoutMs = m_options.requestTimeoutMs;
    o.initialBackoffMs = m_options.initialBackoffMs;
    o.maxBackoffMs = m_options.maxBackoffMs;
    o.log = [this](matrix::LogLevel, const std::string &line) {
        std::lock_guard lock(m_logMutex);
        m_log.push_back(line);
    };
    return o;
}

void MatrixHarness::reopen(bool start)
{
    m_listener.reset();
    m_backend.reset();
    m_seen.clear();
    auto b = matrix::MatrixBackend::open(m_scheduler, *m_http, backendOptions());
    EXPECT_TRUE(b) << b.error().message;
    if (!b)
        return;
    m_backend = std::move(b).value();
    listen();
    if (start) {
        const auto before = m_backend->completedSyncs();
        m_backend->start();
        EXPECT_TRUE(pumpUntil([&] { return m_backend->completedSyncs() > before; }));
    }
}

Result<matrix::SessionInfo> MatrixHarness::loginAndStart()
{
    matrix::LoginRequest req;
    req.homeserver = m_server->baseUrl();
    req.user = m_options.user;
    req.password = m_options.password;
    auto session = call<matrix::SessionInfo>([&](auto done) { m_backend->login(req, done); });
    if (!session)
        return session;
    m_backend->start();
    if (!pumpUntil([&] { return m_backend->completedSyncs() > 0; }))
        return Error(ErrorCode::Timeout, "no first sync");
    return session;
}

std::string MatrixHarness::accessToken()
{
    auto t = m_secrets->read(matrix::MatrixBackend::kTokenSecret);
    return t && *t ? **t : std::string();
}

std::vector<std::string> MatrixHarness::logLines() const
{
    std::lock_guard lock(m_logMutex);
    return m_log;
}

std::size_t MatrixHarness::authorityEventCount(const std::string &roomId, const std::string &type)
{
    return m_server->countEvents(roomId, type);
}

std::unique_ptr<BackendHarness> makeHarness(const std::string &kind)
{
    if (kind == "local")
        return std::make_unique<LocalHarness>();
    return std::make_unique<MatrixHarness>();
}

} // namespace tessera::test
