// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <csignal>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "homeserver/testhomeserver.h"

namespace tessera::e2e::testing {

/** @brief What a request got back: `connected` is false when no HTTP response arrived. */
struct HttpResult {
    bool connected = false;
    int status = 0;
    std::string body;
    nlohmann::json json;
    httplib::Headers headers;

    std::string errcode() const { return json.is_object() ? json.value("errcode", "") : ""; }
    std::string error() const { return json.is_object() ? json.value("error", "") : ""; }
};

/** @brief Percent-encodes a path segment or query value (everything but unreserved characters). */
inline std::string enc(const std::string &text)
{
    static const char *hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 0xF]);
        }
    }
    return out;
}

/**
 * @brief A tiny Matrix HTTP client over cpp-httplib for the homeserver's tests: one connection
 * per request, JSON in and out, the access token as a Bearer header.
 */
class MatrixHttp {
public:
    MatrixHttp(int port, std::string token = {}) : m_client("127.0.0.1", port), m_token(std::move(token))
    {
        // cpp-httplib's client writes with send() without MSG_NOSIGNAL: a server that answers
        // before reading a whole body (413) must not kill the test process.
        std::signal(SIGPIPE, SIG_IGN);
        m_client.set_connection_timeout(5, 0);
        m_client.set_read_timeout(15, 0);
        m_client.set_write_timeout(5, 0);
    }

    void setToken(std::string token) { m_token = std::move(token); }
    httplib::Client &client() { return m_client; }

    HttpResult get(const std::string &path) { return wrap(m_client.Get(path.c_str(), headers())); }
    HttpResult del(const std::string &path) { return wrap(m_client.Delete(path.c_str(), headers())); }
    HttpResult post(const std::string &path, const nlohmann::json &body = nlohmann::json::object())
    {
        return wrap(m_client.Post(path.c_str(), headers(), body.dump(), "application/json"));
    }
    HttpResult put(const std::string &path, const nlohmann::json &body = nlohmann::json::object())
    {
        return wrap(m_client.Put(path.c_str(), headers(), body.dump(), "application/json"));
    }
    HttpResult postRaw(const std::string &path, const std::string &body, const std::string &contentType)
    {
        return wrap(m_client.Post(path.c_str(), headers(), body, contentType.c_str()));
    }
    HttpResult putRaw(const std::string &path, const std::string &body, const std::string &contentType)
    {
        return wrap(m_client.Put(path.c_str(), headers(), body, contentType.c_str()));
    }

private:
    httplib::Headers headers() const
    {
        httplib::Headers h;
        if (!m_token.empty()) {
            h.emplace("Authorization", "Bearer " + m_token);
        }
        return h;
    }

    static HttpResult wrap(const httplib::Result &result)
    {
        HttpResult out;
        if (!result) {
            return out;
        }
        out.connected = true;
        out.status = result->status;
        out.body = result->body;
        out.headers = result->headers;
        out.json = nlohmann::json::parse(result->body, nullptr, false);
        return out;
    }

    httplib::Client m_client;
    std::string m_token;
};

/**
 * @brief A started server with users alice (creator of things) and bob, both logged in, bounded
 * to 2000 requests and 60 s.
 */
class HomeserverTest : public ::testing::Test {
protected:
    virtual void adjust(HomeserverOptions &) {}

    void SetUp() override
    {
        HomeserverOptions options;
        options.maxRequests = 2000;
        options.maxLifetimeMs = 60000;
        options.maxUploadBytes = 4096;
        adjust(options);
        server = std::make_unique<TestHomeserver>(options);
        ASSERT_TRUE(server->createUser("alice", "alice-password", "Alice"));
        ASSERT_TRUE(server->createUser("bob", "bob-password", "Bob"));
        auto a = server->login("alice", "ALICEDEV");
        auto b = server->login("bob", "BOBDEV");
        ASSERT_TRUE(a && b);
        alice = *a;
        bob = *b;
        auto started = server->start();
        ASSERT_TRUE(started) << started.error().message;
    }

    MatrixHttp as(const Session &session) { return MatrixHttp(server->port(), session.accessToken); }
    MatrixHttp anonymous() { return MatrixHttp(server->port()); }

    /** @brief A room created by alice with bob joined; `preset` as POST /createRoom. */
    std::string sharedRoom(const std::string &preset = "private_chat")
    {
        RoomSpec spec;
        spec.creator = "alice";
        spec.preset = preset;
        spec.join = {"bob"};
        auto room = server->createRoom(spec);
        EXPECT_TRUE(room) << (room ? "" : room.error().message);
        return room ? *room : std::string();
    }

    static std::string roomPath(const std::string &roomId, const std::string &rest = {})
    {
        return "/_matrix/client/v3/rooms/" + enc(roomId) + rest;
    }

    std::unique_ptr<TestHomeserver> server;
    Session alice;
    Session bob;
};

} // namespace tessera::e2e::testing
