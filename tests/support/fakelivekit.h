// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// A loopback stand-in for a homeserver's call transport: the client well-known with
// `org.matrix.msc4143.rtc_foci`, a LiveKit JWT service (POST /sfu/get, GET /healthz) and an SFU
// address that answers a plain GET, all on one HTTP server on 127.0.0.1 that the test starts.
// Each part can be told to misbehave the ways a real deployment does.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace httplib {
class Server;
}

namespace tessera::test {

class FakeLiveKit {
public:
    enum class WellKnown { LiveKit, NoFoci, ServiceRefuses, NotJson };
    enum class Service { Healthy, ServerError, Slow, SfuSilent, NotAToken, Unauthorised };

    struct Request {
        std::string method, path, body;
    };

    FakeLiveKit();
    ~FakeLiveKit();
    FakeLiveKit(const FakeLiveKit &) = delete;
    FakeLiveKit &operator=(const FakeLiveKit &) = delete;

    /** http://127.0.0.1:<port>, the homeserver's base (its well-known lives here). */
    [[nodiscard]] std::string base() const;
    /** The JWT service's URL the well-known names. */
    [[nodiscard]] std::string serviceUrl() const { return base() + "/livekit/jwt"; }
    /** The SFU address a healthy service hands out (ws:, as LiveKit's are). */
    [[nodiscard]] std::string sfuUrl() const;
    /** A loopback port nobody listens on. */
    [[nodiscard]] int closedPort() const { return m_closedPort; }

    std::atomic<WellKnown> wellKnown{WellKnown::LiveKit};
    std::atomic<Service> service{Service::Healthy};
    /** How long the Slow service takes to answer. */
    std::atomic<int> slowMs{1500};

    [[nodiscard]] std::vector<Request> requests() const;

private:
    std::unique_ptr<httplib::Server> m_server;
    std::thread m_thread;
    int m_port = 0;
    int m_closedPort = 0;
    mutable std::mutex m_mutex;
    std::vector<Request> m_requests;
};

} // namespace tessera::test
