// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
// Fault injection: each kind, from C++ and through the loopback control endpoint.

#include <chrono>

#include "matrixhttp.h"

namespace tessera::e2e::testing {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

class Faults : public HomeserverTest {
protected:
    FaultRule sendRule(FaultKind kind, int count = 1)
    {
        FaultRule rule;
        rule.kind = kind;
        rule.method = "PUT";
        rule.pathRegex = "/send/m\\.room\\.message/";
        rule.count = count;
        return rule;
    }
};

TEST_F(Faults, RateLimitAnswers429WithRetryAfterAndDoesNotSend)
{
    const std::string roomId = sharedRoom();
    FaultRule rule = sendRule(FaultKind::RateLimit);
    rule.retryAfterMs = 1500;
    ASSERT_TRUE(server->addFault(rule));
    const std::string path = roomPath(roomId, "/send/m.room.message/t1");
    HttpResult r = as(bob).put(path, {{"body", "x"}});
    EXPECT_EQ(r.status, 429);
    EXPECT_EQ(r.errcode(), "M_LIMIT_EXCEEDED");
    EXPECT_EQ(r.json["retry_after_ms"], 1500);
    const auto retryAfter = r.headers.find("Retry-After");
    ASSERT_NE(retryAfter, r.headers.end());
    EXPECT_EQ(retryAfter->second, "2");
    EXPECT_EQ(server->countEvents(roomId, "m.room.message"), 0u);
    // The fault had one hit: the retry goes through and is stored once.
    r = as(bob).put(path, {{"body", "x"}});
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(server->countEvents(roomId, "m.room.message"), 1u);
    EXPECT_EQ(server->remainingFaultHits(), 0u);
}

TEST_F(Faults, ServerErrorAnswers500AndDoesNotSend)
{
    const std::string roomId = sharedRoom();
    ASSERT_TRUE(server->addFault(sendRule(FaultKind::ServerError, 2)));
    for (int i = 0; i < 2; ++i) {
        const HttpResult r = as(bob).put(roomPath(roomId, "/send/m.room.message/t"), {{"body", "x"}});
        EXPECT_EQ(r.status, 500);
        EXPECT_EQ(r.errcode(), "M_UNKNOWN");
    }
    EXPECT_EQ(server->countEvents(roomId, "m.room.message"), 0u);
    EXPECT_EQ(as(bob).put(roomPath(roomId, "/send/m.room.message/t"), {{"body", "x"}}).status, 200);
}

TEST_F(Faults, UnavailableAnswers503LikeAProxyAndDoesNotSend)
{
    const std::string roomId = sharedRoom();
    ASSERT_TRUE(server->addFault(sendRule(FaultKind::Unavailable)));
    const HttpResult r = as(bob).put(roomPath(roomId, "/send/m.room.message/t"), {{"body", "x"}});
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(r.errcode(), "") << "a proxy's page, not a homeserver's JSON";
    EXPECT_EQ(server->countEvents(roomId, "m.room.message"), 0u);
    EXPECT_EQ(as(bob).put(roomPath(roomId, "/send/m.room.message/t"), {{"body", "x"}}).status, 200);
    EXPECT_EQ(FaultRule::fromJson(json{{"kind", "unavailable"}})->kind, FaultKind::Unavailable);
}

TEST_F(Faults, DroppedConnectionGivesNoAnswerAndDoesNotSend)
{
    const std::string roomId = sharedRoom();
    ASSERT_TRUE(server->addFault(sendRule(FaultKind::DropConnection)));
    const HttpResult r = as(bob).put(roomPath(roomId, "/send/m.room.message/t"), {{"body", "x"}});
    EXPECT_FALSE(r.connected);
    EXPECT_EQ(server->countEvents(roomId, "m.room.message"), 0u);
    const auto log = server->requestLog();
    ASSERT_FALSE(log.empty());
    EXPECT_EQ(log.back().status, 0);
    EXPECT_EQ(log.back().fault, FaultKind::DropConnection);
}

TEST_F(Faults, ApplyThenDropStoresTheEventAndTheRetryFindsIt)
{
    const std::string roomId = sharedRoom();
    ASSERT_TRUE(server->addFault(sendRule(FaultKind::ApplyThenDrop)));
    const std::string path = roomPath(roomId, "/send/m.room.message/idem-1");
    const HttpResult lost = as(bob).put(path, {{"body", "exactly once"}});
    EXPECT_FALSE(lost.connected);
    ASSERT_EQ(server->countEvents(roomId, "m.room.message"), 1u);
    const HttpResult retry = as(bob).put(path, {{"body", "exactly once"}});
    ASSERT_EQ(retry.status, 200);
    EXPECT_EQ(retry.json["event_id"], server->roomEvents(roomId, "m.room.message")[0]["event_id"]);
    EXPECT_EQ(server->countEvents(roomId, "m.room.message"), 1u) << "a retried transaction must not duplicate";
}

TEST_F(Faults, DelayHoldsTheAnswerThenPerforms)
{
    const std::string roomId = sharedRoom();
    FaultRule rule = sendRule(FaultKind::Delay);
    rule.delayMs = 120;
    ASSERT_TRUE(server->addFault(rule));
    const auto start = std::chrono::steady_clock::now();
    const HttpResult r = as(bob).put(roomPath(roomId, "/send/m.room.message/t"), {{"body", "x"}});
    EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(120));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(server->countEvents(roomId, "m.room.message"), 1u);
}

TEST_F(Faults, SlowBodyArrivesInSmallChunks)
{
    FaultRule rule;
    rule.kind = FaultKind::SlowBody;
    rule.pathPrefix = "/_matrix/client/versions";
    rule.chunkBytes = 16;
    rule.delayMs = 10;
    ASSERT_TRUE(server->addFault(rule));
    httplib::Client client("127.0.0.1", server->port());
    std::string body;
    int chunks = 0;
    auto result = client.Get("/_matrix/client/versions", [&](const char *data, std::size_t length) {
        body.append(data, length);
        ++chunks;
        return true;
    });
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, 200);
    EXPECT_GT(chunks, 2) << "the body came in one piece";
    const json parsed = json::parse(body, nullptr, false);
    ASSERT_FALSE(parsed.is_discarded()) << "the chunks must reassemble into the full body";
    EXPECT_TRUE(parsed.contains("versions"));
}

TEST_F(Faults, RulesMatchByMethodAndPrefixInOrder)
{
    const std::string roomId = sharedRoom();
    FaultRule getOnly;
    getOnly.kind = FaultKind::ServerError;
    getOnly.method = "GET";
    getOnly.pathPrefix = "/_matrix/client/v3/rooms/";
    ASSERT_TRUE(server->addFault(getOnly));
    EXPECT_EQ(as(bob).put(roomPath(roomId, "/send/m.room.message/t"), {{"body", "x"}}).status, 200);
    EXPECT_EQ(as(bob).get(roomPath(roomId, "/state")).status, 500);
    EXPECT_EQ(as(bob).get(roomPath(roomId, "/state")).status, 200);
}

TEST_F(Faults, InvalidRulesAreRefusedSpecifically)
{
    FaultRule rule;
    auto r = server->addFault(rule);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("kind"), std::string::npos);
    rule.kind = FaultKind::Delay;
    rule.count = 0;
    r = server->addFault(rule);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("count"), std::string::npos);
    rule.count = 1;
    rule.pathRegex = "([";
    r = server->addFault(rule);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("path_regex"), std::string::npos);
}

TEST_F(Faults, ControlEndpointAddsListsAndClearsRules)
{
    const std::string roomId = sharedRoom();
    MatrixHttp control = anonymous();
    HttpResult r = control.post("/_tessera_test/faults", {{"kind", "rate_limit"},
                                                          {"method", "PUT"},
                                                          {"path_prefix", "/_matrix/client/v3/rooms/"},
                                                          {"count", 2},
                                                          {"retry_after_ms", 250}});
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json["added"], 1);
    r = control.get("/_tessera_test/faults");
    ASSERT_EQ(r.json["faults"].size(), 1u);
    EXPECT_EQ(r.json["faults"][0]["remaining"], 2);

    r = as(bob).put(roomPath(roomId, "/send/m.room.message/t"), {{"body", "x"}});
    EXPECT_EQ(r.status, 429);
    EXPECT_EQ(r.json["retry_after_ms"], 250);
    EXPECT_EQ(control.get("/_tessera_test/faults").json["faults"][0]["remaining"], 1);

    EXPECT_EQ(control.del("/_tessera_test/faults").status, 200);
    EXPECT_EQ(as(bob).put(roomPath(roomId, "/send/m.room.message/t"), {{"body", "x"}}).status, 200);

    r = control.get("/_tessera_test/rooms/" + enc(roomId) + "/events?type=m.room.message");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.json["count"], 1);
}

TEST_F(Faults, ControlEndpointRejectsBadRules)
{
    MatrixHttp control = anonymous();
    HttpResult r = control.post("/_tessera_test/faults", {{"kind", "meteor"}});
    EXPECT_EQ(r.status, 400);
    EXPECT_NE(r.error().find("unknown fault kind 'meteor'"), std::string::npos);
    r = control.post("/_tessera_test/faults", {{"kind", "delay"}, {"delay_ms", 600000}});
    EXPECT_EQ(r.status, 400);
    EXPECT_NE(r.error().find("delay_ms"), std::string::npos);
    r = control.post("/_tessera_test/faults", {{"faults", {{{"kind", "delay"}}, {{"kind", "nope"}}}}});
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(control.get("/_tessera_test/faults").json["faults"].size(), 0u) << "a bad batch adds nothing";
}

TEST_F(Faults, ControlRequestsNeverMatchFaults)
{
    FaultRule everything;
    everything.kind = FaultKind::ServerError;
    everything.count = 100;
    ASSERT_TRUE(server->addFault(everything));
    EXPECT_EQ(anonymous().get("/_tessera_test/stats").status, 200);
    EXPECT_EQ(anonymous().get("/_matrix/client/versions").status, 500);
}

} // namespace
} // namespace tessera::e2e::testing
