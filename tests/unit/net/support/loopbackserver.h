// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include <httplib.h>

namespace tessera::test {

/**
 * @brief A cpp-httplib server on 127.0.0.1 and a free port, for tests of HTTP clients.
 *
 * Register handlers on server() before start(). It answers at most @p maxRequests requests
 * (503 afterwards, so a runaway client cannot spin forever) and stops on destruction.
 */
class LoopbackServer {
public:
    explicit LoopbackServer(std::unique_ptr<httplib::Server> server = std::make_unique<httplib::Server>(),
                            int maxRequests = 10'000)
        : m_server(std::move(server)), m_maxRequests(maxRequests)
    {
        m_server->set_keep_alive_max_count(1000);
        m_server->set_tcp_nodelay(true);
        m_server->set_pre_routing_handler([this](const httplib::Request &, httplib::Response &res) {
            if (m_requests.fetch_add(1) >= m_maxRequests) {
                res.status = 503;
                res.set_content("request bound of the test server exceeded", "text/plain");
                return httplib::Server::HandlerResponse::Handled;
            }
            return httplib::Server::HandlerResponse::Unhandled;
        });
    }
    ~LoopbackServer() { stop(); }
    LoopbackServer(const LoopbackServer &) = delete;
    LoopbackServer &operator=(const LoopbackServer &) = delete;

    httplib::Server &server() { return *m_server; }

    /** Binds and starts serving; returns false if no port could be bound. */
    bool start()
    {
        m_port = m_server->bind_to_any_port("127.0.0.1");
        if (m_port <= 0)
            return false;
        m_thread = std::thread([this] { m_server->listen_after_bind(); });
        // stop() before the accept loop runs would be lost (httplib only stops a running server)
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (!m_server->is_running() && std::chrono::steady_clock::now() < until)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        return true;
    }
    void stop()
    {
        if (m_thread.joinable()) {
            m_server->stop();
            m_thread.join();
        }
    }

    [[nodiscard]] int port() const { return m_port; }
    [[nodiscard]] std::string url(const std::string &path, const std::string &scheme = "http") const
    {
        return scheme + "://127.0.0.1:" + std::to_string(m_port) + path;
    }
    [[nodiscard]] int requestCount() const { return m_requests.load(); }

private:
    std::unique_ptr<httplib::Server> m_server;
    int m_maxRequests;
    std::atomic<int> m_requests{0};
    int m_port = 0;
    std::thread m_thread;
};

} // namespace tessera::test
