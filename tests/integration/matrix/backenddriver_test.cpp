// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
// BackendWidgetDriver over both backends: what a widget session gets back from its driver.
#include <gtest/gtest.h>

#include "harness.h"
#include "matrix/backenddriver.h"

using namespace tessera;
using namespace tessera::matrix;
using tessera::test::BackendHarness;

namespace {

class DriverBehaviour : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override
    {
        h = tessera::test::makeHarness(GetParam());
        driver = std::make_unique<BackendWidgetDriver>(h->scheduler(), h->backend());
        room = h->createRoom("Widgets");
        widget.widgetId = "w1";
        widget.roomId = room;
        widget.origin = "https://widget.example";
    }
    void TearDown() override
    {
        driver.reset();
        h.reset();
    }

    Result<bridge::SendEventResult> sendEvent(const bridge::SendEventRequest &req)
    {
        return h->call<bridge::SendEventResult>([&](auto done) { driver->sendEvent(widget, req, done); });
    }

    bridge::SendEventRequest message(const std::string &body, const std::string &msgtype = "m.text")
    {
        bridge::SendEventRequest req;
        req.roomId = room;
        req.type = "m.room.message";
        req.content = {{"msgtype", msgtype}, {"body", body}};
        return req;
    }

    std::unique_ptr<BackendHarness> h;
    std::unique_ptr<BackendWidgetDriver> driver;
    bridge::WidgetContext widget;
    std::string room;
};

TEST_P(DriverBehaviour, SendEventAnswersTheRoomAndEventId)
{
    auto r = sendEvent(message("from a widget"));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->roomId, room);
    EXPECT_FALSE(r->eventId.empty());
    EXPECT_TRUE(r->delayId.empty());
    ASSERT_TRUE(h->waitForEvent(r->eventId));
}

TEST_P(DriverBehaviour, ARedactionIsSentThroughContentRedacts)
{
    auto target = sendEvent(message("oops"));
    ASSERT_TRUE(target);
    ASSERT_TRUE(h->waitForEvent(target->eventId));
    bridge::SendEventRequest red;
    red.roomId = room;
    red.type = "m.room.redaction";
    red.content = {{"redacts", target->eventId}, {"reason", "mistake"}};
    auto r = sendEvent(red);
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_TRUE(h->waitForEvent(r->eventId));
    EXPECT_EQ(h->authorityEventCount(room, "m.room.redaction"), 1u);

    red.content = {{"reason", "no target"}};
    auto missing = sendEvent(red);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::BadRequest);
    EXPECT_NE(missing.error().message.find("content.redacts"), std::string::npos);
}

TEST_P(DriverBehaviour, SaysWhichCapabilitiesItCannotServe)
{
    // Asked before the user is: what the driver could never do is refused as not supported.
    const auto cap = [](const char *raw) { return *bridge::parseCapability(raw); };
    EXPECT_FALSE(driver->supportsCapability(widget, cap("org.matrix.msc4407.send.sticky_event")));
    EXPECT_FALSE(driver->supportsCapability(widget, cap("org.matrix.msc4407.receive.sticky_event")));
    EXPECT_EQ(driver->supportsCapability(widget, cap("org.matrix.msc4157.send.delayed_event")),
              h->backend().supportsDelayedEvents());
    EXPECT_TRUE(driver->supportsCapability(widget, cap("org.matrix.msc2762.send.event:m.room.message")));
    EXPECT_TRUE(driver->supportsCapability(widget, cap("m.always_on_screen")));
}

TEST_P(DriverBehaviour, StickyEventsAndEncryptedToDeviceAreRefusedAsUnsupported)
{
    auto req = message("sticky");
    req.stickyDurationMs = 60'000;
    auto sticky = sendEvent(req);
    ASSERT_FALSE(sticky);
    EXPECT_EQ(sticky.error().code, ErrorCode::Unsupported);
    EXPECT_NE(sticky.error().message.find("MSC4407"), std::string::npos);
    EXPECT_EQ(h->authorityEventCount(room, "m.room.message"), 0u);

    auto encrypted = h->call<bool>([&](auto done) {
        driver->sendToDevice(widget, "org.example.x", true, {{h->backend().userId(), {{"*", nlohmann::json::object()}}}}, done);
    });
    ASSERT_FALSE(encrypted);
    EXPECT_EQ(encrypted.error().code, ErrorCode::Unsupported);
    auto plain = h->call<bool>([&](auto done) {
        driver->sendToDevice(widget, "org.example.x", false, {{h->backend().userId(), {{"*", nlohmann::json::object()}}}}, done);
    });
    ASSERT_TRUE(plain) << plain.error().message;
}

TEST_P(DriverBehaviour, AServerRefusalReachesTheWidgetAsMatrixApiError)
{
    bridge::SendEventRequest pl;
    pl.roomId = room;
    pl.type = "m.room.power_levels";
    pl.stateKey = "";
    pl.content = {{"users", {{h->backend().userId(), 0}}}, {"state_default", 50}};
    auto lowered = sendEvent(pl);
    ASSERT_TRUE(lowered) << lowered.error().message;
    ASSERT_TRUE(h->waitForEvent(lowered->eventId));
    bridge::SendEventRequest topic;
    topic.roomId = room;
    topic.type = "m.room.topic";
    topic.stateKey = "";
    topic.content = {{"topic", "x"}};
    auto r = sendEvent(topic);
    ASSERT_FALSE(r);
    ASSERT_TRUE(r.error().matrixApiError);
    EXPECT_EQ(r.error().matrixApiError->httpStatus, 403);
    EXPECT_EQ(r.error().matrixApiError->response["errcode"], "M_FORBIDDEN");
}

TEST_P(DriverBehaviour, ReadEventsIsNewestFirstWithLimitMsgtypeAndSince)
{
    std::vector<std::string> ids;
    for (int i = 0; i < 5; ++i) {
        auto r = sendEvent(message("e" + std::to_string(i), i == 3 ? "m.notice" : "m.text"));
        ASSERT_TRUE(r);
        ASSERT_TRUE(h->waitForEvent(r->eventId));
        ids.push_back(r->eventId);
    }
    bridge::ReadEventsRequest req;
    req.roomId = room;
    req.type = "m.room.message";
    req.limit = 2;
    auto two = h->call<std::vector<bridge::SerializedEvent>>([&](auto done) { driver->readEvents(widget, req, done); });
    ASSERT_TRUE(two);
    ASSERT_EQ(two->size(), 2u);
    EXPECT_EQ((*two)[0].toJson()["event_id"], ids[4]);
    EXPECT_EQ((*two)[1].toJson()["event_id"], ids[3]);

    req.limit = 0; // "as many as possible"
    req.since = ids[1];
    auto newer = h->call<std::vector<bridge::SerializedEvent>>([&](auto done) { driver->readEvents(widget, req, done); });
    ASSERT_TRUE(newer);
    EXPECT_EQ(newer->size(), 3u);

    req.since.reset();
    req.msgtype = "m.notice";
    auto notices = h->call<std::vector<bridge::SerializedEvent>>([&](auto done) { driver->readEvents(widget, req, done); });
    ASSERT_TRUE(notices);
    ASSERT_EQ(notices->size(), 1u);
    EXPECT_EQ((*notices)[0].toJson()["event_id"], ids[3]);
    ASSERT_TRUE((*notices)[0].msgtype());
    EXPECT_EQ(*(*notices)[0].msgtype(), "m.notice");

    bridge::ReadEventsRequest state;
    state.roomId = room;
    state.type = "m.room.name";
    state.stateKeySelector = bridge::StateKeySelector::Exact;
    state.stateKey = "";
    state.limit = 10;
    auto names = h->call<std::vector<bridge::SerializedEvent>>([&](auto done) { driver->readEvents(widget, state, done); });
    ASSERT_TRUE(names);
    ASSERT_EQ(names->size(), 1u);
    EXPECT_EQ((*names)[0].toJson()["content"]["name"], "Widgets");
    ASSERT_TRUE((*names)[0].stateKey());
    EXPECT_EQ(*(*names)[0].stateKey(), "");
}

TEST_P(DriverBehaviour, ReadStateRelationsAndAccountData)
{
    auto names = h->call<std::vector<nlohmann::json>>([&](auto done) {
        driver->readState(widget, room, "m.room.name", std::nullopt, done);
    });
    ASSERT_TRUE(names);
    ASSERT_EQ(names->size(), 1u);

    auto target = sendEvent(message("target"));
    ASSERT_TRUE(target);
    bridge::SendEventRequest reaction;
    reaction.roomId = room;
    reaction.type = "m.reaction";
    reaction.content = {{"m.relates_to", {{"rel_type", "m.annotation"}, {"event_id", target->eventId}, {"key", "x"}}}};
    auto sent = sendEvent(reaction);
    ASSERT_TRUE(sent);
    ASSERT_TRUE(h->waitForEvent(sent->eventId));
    bridge::RelationsRequest rel;
    rel.eventId = target->eventId; // no room id: the widget's own room
    auto relations = h->call<bridge::RelationsResult>([&](auto done) { driver->readRelations(widget, rel, done); });
    ASSERT_TRUE(relations) << relations.error().message;
    ASSERT_EQ(relations->chunk.size(), 1u);

    auto none = h->call<std::vector<nlohmann::json>>([&](auto done) {
        driver->readRoomAccountData(widget, room, "org.example.none", done);
    });
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->empty());
    auto set = h->call<void>([&](auto done) { h->backend().setRoomAccountData(room, "org.example.some", {{"a", 1}}, done); });
    ASSERT_TRUE(set) << set.error().message;
    auto some = h->call<std::vector<nlohmann::json>>([&](auto done) {
        driver->readRoomAccountData(widget, room, "org.example.some", done);
    });
    ASSERT_TRUE(some);
    ASSERT_EQ(some->size(), 1u);
    EXPECT_EQ((*some)[0]["content"]["a"], 1);
}

TEST_P(DriverBehaviour, MediaGoesThroughTheBackend)
{
    bridge::MediaUpload up;
    up.bytes = "abc";
    up.contentType = "text/plain";
    auto mxc = h->call<std::string>([&](auto done) { driver->uploadFile(widget, up, done); });
    ASSERT_TRUE(mxc) << mxc.error().message;
    auto down = h->call<bridge::MediaDownload>([&](auto done) { driver->downloadFile(widget, *mxc, done); });
    ASSERT_TRUE(down);
    EXPECT_EQ(down->bytes, "abc");
    auto config = h->call<nlohmann::json>([&](auto done) { driver->getMediaConfig(widget, done); });
    ASSERT_TRUE(config);
}

TEST_P(DriverBehaviour, KnownRoomsAndEncryption)
{
    const auto rooms = driver->knownRooms(widget);
    EXPECT_NE(std::find(rooms.begin(), rooms.end(), room), rooms.end());
    EXPECT_FALSE(driver->isRoomEncrypted(widget, room));
}

TEST_P(DriverBehaviour, DelayedEventsAreSentAndUpdated)
{
    auto req = message("later");
    req.delayMs = 600'000;
    auto r = sendEvent(req);
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_FALSE(r->delayId.empty());
    auto sent = h->call<bool>([&](auto done) {
        driver->updateDelayedEvent(widget, r->delayId, bridge::DelayedEventAction::Send, done);
    });
    ASSERT_TRUE(sent) << sent.error().message;
    ASSERT_TRUE(h->pumpUntil([&] { return h->authorityEventCount(room, "m.room.message") == 1; }));
}

INSTANTIATE_TEST_SUITE_P(Backends, DriverBehaviour, ::testing::Values("local", "matrix"),
                         [](const ::testing::TestParamInfo<std::string> &info) { return info.param; });

TEST(DriverOpenIdAndTurn, TheLocalBackendHasNeither)
{
    tessera::test::LocalHarness h;
    BackendWidgetDriver driver(h.scheduler(), h.backend());
    auto token = h.call<bridge::OpenIdToken>([&](auto done) { driver.fetchOpenIdToken(done); });
    ASSERT_FALSE(token);
    EXPECT_EQ(token.error().code, ErrorCode::Unsupported);
    std::vector<Result<bridge::TurnServer>> updates;
    auto watch = driver.watchTurnServers({}, [&](Result<bridge::TurnServer> r) { updates.push_back(std::move(r)); });
    ASSERT_TRUE(h.pumpUntil([&] { return !updates.empty(); }));
    EXPECT_FALSE(updates[0]);
    h.scheduler().advance(600'000);
    EXPECT_EQ(updates.size(), 1u) << "a failed first fetch ends the watch";
}

TEST(DriverOpenIdAndTurn, TurnCredentialsAreFetchedAgainBeforeTheyExpire)
{
    tessera::test::MatrixHarness h;
    h.server().setTurnServer(tessera::e2e::TurnServerConfig{{"turn:a.tessera.test"}, "user1", "pass1", 300});
    BackendWidgetDriver driver(h.scheduler(), h.backend());
    std::vector<Result<bridge::TurnServer>> updates;
    auto watch = driver.watchTurnServers({}, [&](Result<bridge::TurnServer> r) { updates.push_back(std::move(r)); });
    ASSERT_TRUE(h.pumpUntil([&] { return !updates.empty(); }));
    ASSERT_TRUE(updates[0]) << updates[0].error().message;
    EXPECT_EQ(updates[0]->username, "user1");

    h.server().setTurnServer(tessera::e2e::TurnServerConfig{{"turn:b.tessera.test"}, "user2", "pass2", 300});
    h.scheduler().advance(200'000); // not yet: 300 s ttl, refreshed 60 s before it ends
    tessera::test::pumpFor(h.scheduler(), std::chrono::milliseconds(100), 0);
    EXPECT_EQ(updates.size(), 1u);
    h.scheduler().advance(40'001);
    ASSERT_TRUE(h.pumpUntil([&] { return updates.size() == 2; }));
    ASSERT_TRUE(updates[1]);
    EXPECT_EQ(updates[1]->username, "user2");
    EXPECT_EQ(updates[1]->uris, (std::vector<std::string>{"turn:b.tessera.test"}));

    watch.reset();
    h.scheduler().advance(1'000'000);
    tessera::test::pumpFor(h.scheduler(), std::chrono::milliseconds(100), 0);
    EXPECT_EQ(updates.size(), 2u) << "no update after the watch ended";
}

TEST(DriverOpenIdAndTurn, AnOpenIdTokenComesFromTheHomeserver)
{
    tessera::test::MatrixHarness h;
    BackendWidgetDriver driver(h.scheduler(), h.backend());
    auto token = h.call<bridge::OpenIdToken>([&](auto done) { driver.fetchOpenIdToken(done); });
    ASSERT_TRUE(token) << token.error().message;
    EXPECT_EQ(token->matrixServerName, "tessera.test");
    EXPECT_EQ(token->tokenType, "Bearer");
    EXPECT_FALSE(token->accessToken.empty());
}

} // namespace
