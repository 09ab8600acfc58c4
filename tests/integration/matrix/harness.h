// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "homeserver/testhomeserver.h"
#include "manualscheduler.h"
#include "matrix/localbackend.h"
#include "matrix/matrixbackend.h"
#include "net/httpclient.h"
#include "support/await.h"
#include "tempdir.h"
#include "util/secretstore.h"

namespace tessera::test {

/**
 * @brief One room backend ready for behavioural tests, with the "server side" it talks to, so
 * one test body can run against the local backend and against the Matrix backend on a real
 * loopback homeserver.
 */
class BackendHarness {
public:
    virtual ~BackendHarness() = default;
    [[nodiscard]] virtual std::string name() const = 0;
    virtual matrix::RoomBackend &backend() = 0;
    ManualScheduler &scheduler() { return m_scheduler; }

    /** Pumps until the backend has heard of @p eventId (its listener saw it). */
    bool waitForEvent(const std::string &eventId);
    /** Pumps until the backend lists @p roomId as joined. */
    bool waitForRoom(const std::string &roomId);
    /** Pumps until @p done holds (the Matrix harness lets virtual time run faster). */
    bool pumpUntil(const std::function<bool()> &done);
    /** Events of @p type the authority (homeserver, or the local store) holds for the room. */
    virtual std::size_t authorityEventCount(const std::string &roomId, const std::string &type) = 0;
    /** Delayed events the authority still holds. */
    virtual std::size_t authorityPendingDelayed() = 0;

    /** Creates a room named @p name and waits until the backend lists it. */
    std::string createRoom(const std::string &name = "Room");
    /** Sends and waits until the backend heard its own event back. Returns the event id. */
    Result<std::string> send(const std::string &roomId, const std::string &type, const nlohmann::json &content,
                             const std::optional<std::string> &stateKey = std::nullopt);

    template<typename T>
    Result<T> call(const std::function<void(std::function<void(Result<T>)>)> &start)
    {
        return await<T>(m_scheduler, start, m_virtualMsPerStep);
    }

protected:
    void listen();

    ManualScheduler m_scheduler;
    std::int64_t m_virtualMsPerStep = 1;
    std::unique_ptr<matrix::ListenerHandle> m_listener;
    std::set<std::string> m_seen;
};

class LocalHarness final : public BackendHarness {
public:
    LocalHarness();
    [[nodiscard]] std::string name() const override { return "local"; }
    matrix::RoomBackend &backend() override { return *m_backend; }
    matrix::LocalBackend &local() { return *m_backend; }
    std::size_t authorityEventCount(const std::string &roomId, const std::string &type) override;
    std::size_t authorityPendingDelayed() override { return m_backend->pendingDelayedEvents(); }

private:
    TempDir m_dir{"tessera-local-it"};
    std::unique_ptr<matrix::LocalBackend> m_backend;
};

struct MatrixHarnessOptions {
    e2e::HomeserverOptions server;
    std::string user = "alice";
    std::string password = "correct horse battery staple";
    int syncTimelineLimit = 50;
    std::int64_t requestTimeoutMs = 5'000;
    /** The outbox's and the sync's first wait after a failure (virtual time), doubling up to maxBackoffMs. */
    std::int64_t initialBackoffMs = 50;
    std::int64_t maxBackoffMs = 400;
    bool loginAndStart = true;
};

class MatrixHarness final : public BackendHarness {
public:
    explicit MatrixHarness(MatrixHarnessOptions options = {});
    ~MatrixHarness() override;
    [[nodiscard]] std::string name() const override { return "matrix"; }
    matrix::RoomBackend &backend() override { return *m_backend; }
    matrix::MatrixBackend &matrixBackend() { return *m_backend; }
    e2e::TestHomeserver &server() { return *m_server; }
    net::HttpClient &http() { return *m_http; }
    std::size_t authorityEventCount(const std::string &roomId, const std::string &type) override;
    std::size_t authorityPendingDelayed() override { return m_server->pendingDelayedEventCount(); }

    [[nodiscard]] matrix::MatrixBackendOptions backendOptions();
    /** Destroys the backend (as a crash would, minus the process) and opens a new one on the same data. */
    void reopen(bool start = true);
    /** Logs in and starts syncing; waits for the first sync. */
    Result<matrix::SessionInfo> loginAndStart();
    /** The access token the backend holds (read from the secret store), for leak checks. */
    std::string accessToken();
    [[nodiscard]] std::vector<std::string> logLines() const;
    [[nodiscard]] const std::filesystem::path &dataDir() const { return m_dir.path(); }

private:
    MatrixHarnessOptions m_options;
    TempDir m_dir{"tessera-matrix-it"};
    std::unique_ptr<e2e::TestHomeserver> m_server;
    std::unique_ptr<net::HttpClient> m_http;
    std::unique_ptr<FileSecretStore> m_secrets;
    std::unique_ptr<matrix::MatrixBackend> m_backend;
    mutable std::mutex m_logMutex;
    std::vector<std::string> m_log;
};

/** "local" or "matrix". */
std::unique_ptr<BackendHarness> makeHarness(const std::string &kind);

} // namespace tessera::test
