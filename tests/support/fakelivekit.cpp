// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "fakelivekit.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace tessera::test {

namespace {

using nlohmann::json;

/** A loopback port that was bound (never listened on) and closed again: connecting is refused. */
int unusedPort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        throw std::runtime_error("no socket for an unused port");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0
        && ::getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length) == 0)
        port = ntohs(address.sin_port);
    ::close(fd);
    if (port == 0)
        throw std::runtime_error("no unused loopback port");
    return port;
}

} // namespace

FakeLiveKit::FakeLiveKit() : m_server(std::make_unique<httplib::Server>())
{
    m_closedPort = unusedPort();
    auto record = [this](const httplib::Request &req) {
        std::lock_guard lock(m_mutex);
        m_requests.push_back({req.method, req.path, req.body});
    };
    m_server->Get("/.well-known/matrix/client", [this, record](const httplib::Request &req, httplib::Response &res) {
        record(req);
        json doc{{"m.homeserver", {{"base_url", base()}}}};
        switch (wellKnown.load()) {
        case WellKnown::LiveKit:
            doc["org.matrix.msc4143.rtc_foci"] = json::array(
                {json{{"type", "nextgen_new_foci_type"}, {"props", json::object()}},
                 json{{"type", "livekit"}, {"livekit_service_url", serviceUrl()}}});
            break;
        case WellKnown::NoFoci: break;
        case WellKnown::ServiceRefuses:
            doc["org.matrix.msc4143.rtc_foci"] = json::array(
                {json{{"type", "livekit"},
                      {"livekit_service_url", "http://127.0.0.1:" + std::to_string(m_closedPort) + "/livekit/jwt"}}});
            break;
        case WellKnown::NotJson: res.set_content("<html>not here</html>", "text/html"); return;
        }
        res.set_content(doc.dump(), "application/json");
    });
    auto token = [this](httplib::Response &res) {
        switch (service.load()) {
        case Service::Healthy:
            res.set_content(json{{"url", sfuUrl()}, {"jwt", "header.claims.signature"}}.dump(), "application/json");
            return;
        case Service::ServerError:
            res.status = 500;
            res.set_content(R"({"errcode":"M_UNKNOWN","error":"the LiveKit server is down"})", "application/json");
            return;
        case Service::Slow:
            std::this_thread::sleep_for(std::chrono::milliseconds(slowMs.load()));
            res.set_content(json{{"url", sfuUrl()}, {"jwt", "late"}}.dump(), "application/json");
            return;
        case Service::SfuSilent:
            res.set_content(json{{"url", "ws://127.0.0.1:" + std::to_string(m_closedPort)}, {"jwt", "header.claims.signature"}}.dump(),
                            "application/json");
            return;
        case Service::NotAToken: res.set_content(R"({"token":"not what LiveKit answers"})", "application/json"); return;
        case Service::Unauthorised:
            res.status = 401;
            res.set_content(R"({"errcode":"M_UNAUTHORIZED","error":"the OpenID token is not valid"})", "application/json");
            return;
        }
    };
    m_server->Post("/livekit/jwt/sfu/get", [record, token](const httplib::Request &req, httplib::Response &res) {
        record(req);
        token(res);
    });
    m_server->Get("/livekit/jwt/healthz", [this, record](const httplib::Request &req, httplib::Response &res) {
        record(req);
        if (service.load() == Service::ServerError)
            res.status = 503;
        else if (service.load() == Service::Slow)
            std::this_thread::sleep_for(std::chrono::milliseconds(slowMs.load()));
        res.set_content("", "text/plain");
    });
    // LiveKit answers a plain GET on its address with "OK".
    m_server->Get("/sfu/", [record](const httplib::Request &req, httplib::Response &res) {
        record(req);
        res.set_content("OK", "text/plain");
    });
    m_server->set_keep_alive_max_count(1); // stop() need not wait for an idle keep-alive connection
    m_port = m_server->bind_to_any_port("127.0.0.1");
    if (m_port <= 0)
        throw std::runtime_error("the fake LiveKit could not bind to 127.0.0.1");
    m_thread = std::thread([this] { m_server->listen_after_bind(); });
}

FakeLiveKit::~FakeLiveKit()
{
    m_server->stop();
    if (m_thread.joinable())
        m_thread.join();
}

std::string FakeLiveKit::base() const
{
    return "http://127.0.0.1:" + std::to_string(m_port);
}

std::string FakeLiveKit::sfuUrl() const
{
    return "ws://127.0.0.1:" + std::to_string(m_port) + "/sfu";
}

std::vector<FakeLiveKit::Request> FakeLiveKit::requests() const
{
    std::lock_guard lock(m_mutex);
    return m_requests;
}

} // namespace tessera::test
