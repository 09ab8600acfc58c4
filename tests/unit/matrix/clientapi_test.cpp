// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "manualscheduler.h"
#include "matrix/clientapi.h"
#include "support/await.h"
#include "support/loopbackserver.h"

using namespace tessera;
using namespace tessera::matrix;
using tessera::test::await;
using tessera::test::LoopbackServer;
using tessera::test::ManualScheduler;

namespace {

class ClientApiTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        m_server.server().Get("/ok", [this](const httplib::Request &req, httplib::Response &res) {
            m_authorization = req.get_header_value("Authorization");
            m_query = req.get_param_value("since");
            res.set_content(R"({"answer": 42})", "application/json");
        });
        m_server.server().Put(R"(/_matrix/client/v3/rooms/([^/]+)/send/([^/]+)/([^/]+))",
                              [this](const httplib::Request &req, httplib::Response &res) {
                                  m_path = req.path;
                                  res.set_content(R"({"event_id": "$e"})", "application/json");
                              });
        m_server.server().Get("/limited", [](const httplib::Request &, httplib::Response &res) {
            res.status = 429;
            res.set_header("Retry-After", "3");
            res.set_content(R"({"errcode": "M_LIMIT_EXCEEDED", "error": "Too Many Requests", "retry_after_ms": 1500})",
                            "application/json");
        });
        m_server.server().Get("/limited-header-only", [](const httplib::Request &, httplib::Response &res) {
            res.status = 429;
            res.set_header("Retry-After", "3");
            res.set_content(R"({"errcode": "M_LIMIT_EXCEEDED"})", "application/json");
        });
        m_server.server().Get("/forbidden", [](const httplib::Request &, httplib::Response &res) {
            res.status = 403;
            res.set_content(R"({"errcode": "M_FORBIDDEN", "error": "You shall not pass", "org.example.extra": true})",
                            "application/json");
        });
        m_server.server().Get("/html-error", [](const httplib::Request &, httplib::Response &res) {
            res.status = 502;
            res.set_content("<html>Bad gateway</html>", "text/html");
        });
        m_server.server().Get("/not-json", [](const httplib::Request &, httplib::Response &res) {
            res.set_content("this is not json", "text/plain");
        });
        m_server.server().Get("/array", [](const httplib::Request &, httplib::Response &res) {
            res.set_content("[1, 2]", "application/json");
        });
        ASSERT_TRUE(m_server.start());
        m_api.setBaseUrl(m_server.url("/"));
        m_api.setAccessToken("syt_SECRET_TOKEN");
    }

    Result<ApiResponse> call(ApiCall c)
    {
        return await<ApiResponse>(m_scheduler, [&](auto done) { m_api.call(c, done); });
    }
    Result<ApiResponse> get(const std::string &path)
    {
        ApiCall c;
        c.path = path;
        return call(c);
    }

    ManualScheduler m_scheduler;
    LoopbackServer m_server;
    net::HttpClient m_http{m_scheduler};
    ClientApi m_api{m_http};
    std::string m_authorization;
    std::string m_query;
    std::string m_path;
};

TEST_F(ClientApiTest, TheTokenTravelsOnlyInTheAuthorizationHeader)
{
    ApiCall c;
    c.path = "/ok";
    c.query = {{"since", "s1 2&3"}};
    auto r = call(c);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->json["answer"], 42);
    EXPECT_EQ(m_authorization, "Bearer syt_SECRET_TOKEN");
    EXPECT_EQ(m_query, "s1 2&3");

    c.authenticated = false;
    ASSERT_TRUE(call(c));
    EXPECT_EQ(m_authorization, "");
}

TEST_F(ClientApiTest, PathSegmentsArePercentEncoded)
{
    ApiCall c;
    c.method = "PUT";
    c.path = "/_matrix/client/v3/rooms/" + ClientApi::segment("!room:example.org") + "/send/" +
             ClientApi::segment("m.room.message") + "/" + ClientApi::segment("txn 1?x");
    c.body = nlohmann::json::object();
    auto r = call(c);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(m_path, "/_matrix/client/v3/rooms/!room:example.org/send/m.room.message/txn 1?x");
    EXPECT_EQ(ClientApi::segment("a/b?c#d"), "a%2Fb%3Fc%23d");
    EXPECT_EQ(ClientApi::segment("!room:example.org"), "!room%3Aexample.org");
}

TEST_F(ClientApiTest, AServerRefusalKeepsStatusErrcodeErrorAndExtraFields)
{
    auto r = get("/forbidden");
    ASSERT_FALSE(r);
    const Error &e = r.error();
    EXPECT_EQ(e.code, ErrorCode::Denied);
    ASSERT_TRUE(e.matrixApiError);
    EXPECT_EQ(e.matrixApiError->httpStatus, 403);
    EXPECT_EQ(e.matrixApiError->response["errcode"], "M_FORBIDDEN");
    EXPECT_EQ(e.matrixApiError->response["error"], "You shall not pass");
    EXPECT_EQ(e.matrixApiError->response["org.example.extra"], true);
    EXPECT_EQ(e.matrixApiError->url, m_server.url("/forbidden"));
    EXPECT_EQ(e.matrixApiError->httpHeaders["content-type"], "application/json");
    EXPECT_EQ(e.message, "GET /forbidden: 403 M_FORBIDDEN: You shall not pass");
    EXPECT_FALSE(isTransient(e));
    EXPECT_EQ(errcodeOf(e), "M_FORBIDDEN");
    EXPECT_EQ(e.message.find("SECRET"), std::string::npos);
}

TEST_F(ClientApiTest, RateLimitsAreTransientAndSayHowLongToWait)
{
    auto r = get("/limited");
    ASSERT_FALSE(r);
    EXPECT_TRUE(isTransient(r.error()));
    EXPECT_EQ(retryAfterMs(r.error()), 1500);
    auto header = get("/limited-header-only");
    ASSERT_FALSE(header);
    EXPECT_EQ(retryAfterMs(header.error()), 3000);
    auto forbidden = get("/forbidden");
    EXPECT_FALSE(retryAfterMs(forbidden.error()));
}

TEST_F(ClientApiTest, ServerErrorsWithoutJsonAreTransientAndKeepTheStatus)
{
    auto r = get("/html-error");
    ASSERT_FALSE(r);
    EXPECT_TRUE(isTransient(r.error()));
    EXPECT_EQ(r.error().matrixApiError->httpStatus, 502);
    EXPECT_TRUE(r.error().matrixApiError->response.is_object());
    EXPECT_EQ(r.error().message, "GET /html-error: 502");
}

TEST_F(ClientApiTest, ASuccessThatIsNotAJsonObjectIsRefused)
{
    auto text = get("/not-json");
    ASSERT_FALSE(text);
    EXPECT_EQ(text.error().code, ErrorCode::Corrupt);
    EXPECT_NE(text.error().message.find("not a JSON object"), std::string::npos);
    auto array = get("/array");
    ASSERT_FALSE(array);
    ApiCall c;
    c.path = "/array";
    c.arrayResponse = true;
    auto ok = call(c);
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->json.size(), 2u);
}

TEST_F(ClientApiTest, NoAnswerIsTransient)
{
    int freePort = 0;
    {
        LoopbackServer probe;
        ASSERT_TRUE(probe.start());
        freePort = probe.port();
    }
    m_api.setBaseUrl("http://127.0.0.1:" + std::to_string(freePort));
    auto r = get("/ok");
    ASSERT_FALSE(r);
    EXPECT_FALSE(r.error().matrixApiError);
    EXPECT_TRUE(isTransient(r.error()));
}

} // namespace
