// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "manualscheduler.h"
#include "matrix/localbackend.h"
#include "support/await.h"
#include "tempdir.h"

using namespace tessera;
using namespace tessera::matrix;
using tessera::test::await;
using tessera::test::ManualScheduler;
using tessera::test::TempDir;

namespace {

class LocalBackendTest : public ::testing::Test {
protected:
    void SetUp() override { open(); }

    void open(LocalBackendOptions options = {})
    {
        m_backend.reset();
        options.dataDir = m_dir.path();
        auto b = LocalBackend::open(m_scheduler, std::move(options));
        ASSERT_TRUE(b) << b.error().message;
        m_backend = std::move(b).value();
    }

    std::string makeRoom(const std::string &name = "Test room")
    {
        CreateRoomRequest req;
        req.name = name;
        auto id = await<std::string>(m_scheduler, [&](auto done) { m_backend->createRoom(req, done); });
        EXPECT_TRUE(id) << id.error().message;
        return id ? *id : std::string();
    }

    Result<SendResult> send(const std::string &roomId, const std::string &type, nlohmann::json content,
                            std::optional<std::string> stateKey = std::nullopt)
    {
        SendRequest req;
        req.roomId = roomId;
        req.type = type;
        req.content = std::move(content);
        req.stateKey = std::move(stateKey);
        return await<SendResult>(m_scheduler, [&](auto done) { m_backend->send(req, done); });
    }

    Result<std::string> message(const std::string &roomId, const std::string &body,
                                const std::string &msgtype = "m.text")
    {
        auto r = send(roomId, "m.room.message", {{"msgtype", msgtype}, {"body", body}});
        if (!r)
            return std::move(r).error();
        return r->eventId;
    }

    Result<TimelinePage> timeline(TimelineQuery q)
    {
        return await<TimelinePage>(m_scheduler, [&](auto done) { m_backend->readTimeline(q, done); });
    }

    std::vector<std::string> bodies(const TimelinePage &page)
    {
        std::vector<std::string> out;
        for (const auto &ev : page.events)
            out.push_back(ev["content"].value("body", ev["type"].get<std::string>()));
        return out;
    }

    TempDir m_dir{"tessera-local"};
    ManualScheduler m_scheduler;
    std::unique_ptr<LocalBackend> m_backend;
};

TEST_F(LocalBackendTest, FirstRunCreatesOneWelcomeRoomWithTheStateTheAppPassesIn)
{
    m_backend.reset();
    TempDir dir("tessera-welcome");
    LocalBackendOptions options;
    options.dataDir = dir.path();
    options.welcome.stateEvents = {
        {{"type", "m.widget"}, {"state_key", "demo"}, {"content", {{"type", "custom"}, {"url", "https://example.org/w"}}}},
    };
    auto opened = LocalBackend::open(m_scheduler, options);
    ASSERT_TRUE(opened) << opened.error().message;
    auto &backend = **opened;

    const auto welcome = backend.welcomeRoomId();
    ASSERT_TRUE(welcome);
    const auto rooms = backend.rooms();
    ASSERT_EQ(rooms.size(), 1u);
    EXPECT_EQ(rooms[0].roomId, *welcome);
    EXPECT_EQ(rooms[0].membership, Membership::Join);
    EXPECT_EQ(rooms[0].name, "Welcome to Tessera");
    EXPECT_FALSE(rooms[0].topic.empty());
    EXPECT_EQ(backend.powerLevel(*welcome, backend.userId()), 100);

    auto widget = await<std::vector<nlohmann::json>>(
        m_scheduler, [&](auto done) { backend.readState(*welcome, "m.widget", std::string("demo"), done); });
    ASSERT_TRUE(widget) << widget.error().message;
    ASSERT_EQ(widget->size(), 1u);
    EXPECT_EQ((*widget)[0]["content"]["url"], "https://example.org/w");

    TimelineQuery q;
    q.roomId = *welcome;
    q.limit = 1;
    auto last = await<TimelinePage>(m_scheduler, [&](auto done) { backend.readTimeline(q, done); });
    ASSERT_TRUE(last);
    ASSERT_EQ(last->events.size(), 1u);
    EXPECT_EQ(last->events[0]["type"], "m.room.message");
    EXPECT_NE(last->events[0]["content"]["body"].get<std::string>().find("Welcome"), std::string::npos);

    // Leaving it and starting again does not bring it back: seeding happens once.
    ASSERT_TRUE(await<void>(m_scheduler, [&](auto done) { backend.leaveRoom(*welcome, done); }));
    opened->reset();
    auto again = LocalBackend::open(m_scheduler, options);
    ASSERT_TRUE(again);
    EXPECT_EQ((*again)->rooms().size(), 1u);
    EXPECT_EQ((*again)->rooms()[0].membership, Membership::Leave);
    EXPECT_EQ((*again)->welcomeRoomId(), welcome);
}

TEST_F(LocalBackendTest, AnInvalidUserNameIsRefusedAtOpen)
{
    LocalBackendOptions options;
    options.dataDir = m_dir.path() / "other";
    options.userName = "Not Valid";
    auto b = LocalBackend::open(m_scheduler, options);
    ASSERT_FALSE(b);
    EXPECT_EQ(b.error().code, ErrorCode::BadRequest);
    EXPECT_NE(b.error().message.find("not a valid Matrix localpart"), std::string::npos);
}

TEST_F(LocalBackendTest, EventsHaveTheShapesAServerGivesThem)
{
    const std::string room = makeRoom();
    EXPECT_TRUE(std::regex_match(room, std::regex(R"(![A-Za-z]{18}:local)"))) << room;
    EXPECT_EQ(m_backend->userId(), "@user:local");

    auto id = message(room, "hello");
    ASSERT_TRUE(id) << id.error().message;
    EXPECT_TRUE(std::regex_match(*id, std::regex(R"(\$[A-Za-z0-9_-]{43})"))) << *id;

    m_scheduler.advance(1500);
    TimelineQuery q;
    q.roomId = room;
    q.limit = 1;
    auto page = timeline(q);
    ASSERT_TRUE(page);
    ASSERT_EQ(page->events.size(), 1u);
    const auto &ev = page->events[0];
    EXPECT_EQ(ev["event_id"], *id);
    EXPECT_EQ(ev["room_id"], room);
    EXPECT_EQ(ev["sender"], "@user:local");
    EXPECT_EQ(ev["type"], "m.room.message");
    EXPECT_TRUE(ev["origin_server_ts"].is_number_integer());
    EXPECT_GE(ev["unsigned"]["age"].get<std::int64_t>(), 1500);
    EXPECT_TRUE(ev["unsigned"]["transaction_id"].is_string());
}

TEST_F(LocalBackendTest, StateReplacementsCarryTheReplacedEvent)
{
    const std::string room = makeRoom();
    auto first = send(room, "org.example.config", {{"v", 1}}, std::string("k"));
    ASSERT_TRUE(first) << first.error().message;
    auto second = send(room, "org.example.config", {{"v", 2}}, std::string("k"));
    ASSERT_TRUE(second);
    TimelineQuery q;
    q.roomId = room;
    q.limit = 1;
    auto page = timeline(q);
    ASSERT_TRUE(page);
    EXPECT_EQ(page->events[0]["unsigned"]["replaces_state"], first->eventId);
    EXPECT_EQ(page->events[0]["unsigned"]["prev_content"]["v"], 1);
    auto state = await<std::vector<nlohmann::json>>(
        m_scheduler, [&](auto done) { m_backend->readState(room, "org.example.config", std::nullopt, done); });
    ASSERT_TRUE(state);
    ASSERT_EQ(state->size(), 1u);
    EXPECT_EQ((*state)[0]["content"]["v"], 2);
}

TEST_F(LocalBackendTest, PowerLevelsAreHonouredWithTheServersErrcode)
{
    const std::string room = makeRoom();
    EXPECT_TRUE(m_backend->canSendState(room, "m.room.topic"));
    // The creator lowers their own level to 10; state then needs 50.
    nlohmann::json levels = {{"users", {{m_backend->userId(), 10}}}, {"state_default", 50}, {"events_default", 0}};
    ASSERT_TRUE(send(room, "m.room.power_levels", levels, std::string("")));
    EXPECT_EQ(m_backend->powerLevel(room, m_backend->userId()), 10);
    EXPECT_FALSE(m_backend->canSendState(room, "m.room.topic"));
    EXPECT_TRUE(m_backend->canSendEvent(room, "m.room.message"));

    auto refused = send(room, "m.room.topic", {{"topic", "nope"}}, std::string(""));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::Denied);
    ASSERT_TRUE(refused.error().matrixApiError);
    EXPECT_EQ(refused.error().matrixApiError->httpStatus, 403);
    EXPECT_EQ(refused.error().matrixApiError->response["errcode"], "M_FORBIDDEN");
    EXPECT_NE(refused.error().message.find("required 50"), std::string::npos) << refused.error().message;

    // Nor can it climb back up.
    levels["users"][m_backend->userId()] = 100;
    auto climb = send(room, "m.room.power_levels", levels, std::string(""));
    ASSERT_FALSE(climb);
    EXPECT_EQ(climb.error().matrixApiError->response["errcode"], "M_FORBIDDEN");
    ASSERT_TRUE(message(room, "messages still work"));
}

TEST_F(LocalBackendTest, NobodyGivesPowerAboveTheirOwn)
{
    const std::string room = makeRoom();
    nlohmann::json levels = {{"users", {{m_backend->userId(), 50}}}, {"state_default", 50},
                             {"events", {{"m.room.power_levels", 50}}}};
    ASSERT_TRUE(send(room, "m.room.power_levels", levels, std::string("")));
    levels["users"]["@friend:local"] = 60;
    auto r = send(room, "m.room.power_levels", levels, std::string(""));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().matrixApiError->response["errcode"], "M_FORBIDDEN");
    levels["users"]["@friend:local"] = 40;
    EXPECT_TRUE(send(room, "m.room.power_levels", levels, std::string("")));
}

TEST_F(LocalBackendTest, SendingRequiresMembershipAndAKnownRoom)
{
    const std::string room = makeRoom();
    ASSERT_TRUE(await<void>(m_scheduler, [&](auto done) { m_backend->leaveRoom(room, done); }));
    auto r = message(room, "after leaving");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().matrixApiError->httpStatus, 403);
    EXPECT_EQ(r.error().matrixApiError->response["errcode"], "M_FORBIDDEN");

    auto unknown = message("!nosuchroom:local", "x");
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, ErrorCode::NotFound);
    EXPECT_EQ(unknown.error().matrixApiError->response["errcode"], "M_NOT_FOUND");

    // others' user-id state keys are theirs
    auto others = send(room, "org.example.s", {}, std::string("@someone:local"));
    ASSERT_FALSE(others);
}

TEST_F(LocalBackendTest, OversizedEventsAreRefusedWithMTooLarge)
{
    const std::string room = makeRoom();
    auto r = message(room, std::string(70'000, 'x'));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().matrixApiError->httpStatus, 413);
    EXPECT_EQ(r.error().matrixApiError->response["errcode"], "M_TOO_LARGE");
    auto longType = send(room, std::string(256, 't'), {});
    ASSERT_FALSE(longType);
    EXPECT_EQ(longType.error().matrixApiError->response["errcode"], "M_BAD_JSON");
}

TEST_F(LocalBackendTest, TimelinePagesRunBothWaysWithFiltersAndSince)
{
    const std::string room = makeRoom();
    std::vector<std::string> ids;
    for (int i = 0; i < 7; ++i) {
        auto id = message(room, "m" + std::to_string(i), i % 2 ? "m.notice" : "m.text");
        ASSERT_TRUE(id);
        ids.push_back(*id);
    }
    ASSERT_TRUE(send(room, "org.example.state", {{"x", 1}}, std::string("a")));
    ASSERT_TRUE(send(room, "org.example.state", {{"x", 2}}, std::string("b")));

    TimelineQuery q;
    q.roomId = room;
    q.filter.types = {"m.room.message"};
    q.limit = 3;
    auto p1 = timeline(q);
    ASSERT_TRUE(p1);
    EXPECT_EQ(bodies(*p1), (std::vector<std::string>{"m6", "m5", "m4"}));
    ASSERT_FALSE(p1->next.empty());
    q.from = p1->next;
    auto p2 = timeline(q);
    ASSERT_TRUE(p2);
    EXPECT_EQ(bodies(*p2), (std::vector<std::string>{"m3", "m2", "m1"}));
    q.from = p2->next;
    auto p3 = timeline(q);
    ASSERT_TRUE(p3);
    EXPECT_EQ(bodies(*p3), (std::vector<std::string>{"m0"}));
    EXPECT_TRUE(p3->next.empty());

    TimelineQuery fwd;
    fwd.roomId = room;
    fwd.direction = Direction::Forwards;
    fwd.filter.types = {"m.room.message"};
    fwd.filter.msgtype = "m.notice";
    fwd.limit = 10;
    auto notices = timeline(fwd);
    ASSERT_TRUE(notices);
    EXPECT_EQ(bodies(*notices), (std::vector<std::string>{"m1", "m3", "m5"}));

    TimelineQuery since;
    since.roomId = room;
    since.filter.types = {"m.room.message"};
    since.limit = 100;
    since.sinceEventId = ids[4];
    auto newer = timeline(since);
    ASSERT_TRUE(newer);
    EXPECT_EQ(bodies(*newer), (std::vector<std::string>{"m6", "m5"}));
    EXPECT_TRUE(newer->reachedSince);

    TimelineQuery state;
    state.roomId = room;
    state.filter.types = {"org.example.state"};
    state.filter.state = EventFilter::StateMatch::StateKey;
    state.filter.stateKey = "a";
    state.limit = 10;
    auto keyed = timeline(state);
    ASSERT_TRUE(keyed);
    ASSERT_EQ(keyed->events.size(), 1u);
    EXPECT_EQ(keyed->events[0]["content"]["x"], 1);
    state.filter.state = EventFilter::StateMatch::NotState;
    auto none = timeline(state);
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->events.empty());
}

TEST_F(LocalBackendTest, BadPageRequestsGetSpecificErrors)
{
    const std::string room = makeRoom();
    TimelineQuery q;
    q.roomId = room;
    q.limit = 0;
    auto zero = timeline(q);
    ASSERT_FALSE(zero);
    EXPECT_NE(zero.error().message.find("limit must be between 1 and 1000"), std::string::npos);
    q.limit = 5;
    q.from = "garbage";
    auto token = timeline(q);
    ASSERT_FALSE(token);
    EXPECT_NE(token.error().message.find("not a pagination token"), std::string::npos);
    q.from.clear();
    q.roomId = "!unknown:local";
    auto unknown = timeline(q);
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, ErrorCode::NotFound);
}

TEST_F(LocalBackendTest, RedactionStripsContentAndNeedsPowerForOthersEvents)
{
    const std::string room = makeRoom();
    auto id = message(room, "secret text");
    ASSERT_TRUE(id);
    auto redaction = await<std::string>(
        m_scheduler, [&](auto done) { m_backend->redact(room, *id, std::string("oops"), done); });
    ASSERT_TRUE(redaction) << redaction.error().message;

    TimelineQuery q;
    q.roomId = room;
    q.limit = 2;
    auto page = timeline(q);
    ASSERT_TRUE(page);
    const auto &red = page->events[0];
    EXPECT_EQ(red["type"], "m.room.redaction");
    EXPECT_EQ(red["redacts"], *id);
    EXPECT_EQ(red["content"]["redacts"], *id);
    EXPECT_EQ(red["content"]["reason"], "oops");
    const auto &target = page->events[1];
    EXPECT_EQ(target["event_id"], *id);
    EXPECT_TRUE(target["content"].empty());
    EXPECT_EQ(target["unsigned"]["redacted_because"]["event_id"], *redaction);

    auto missing = await<std::string>(
        m_scheduler, [&](auto done) { m_backend->redact(room, "$doesnotexist", std::nullopt, done); });
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().matrixApiError->response["errcode"], "M_NOT_FOUND");
}

TEST_F(LocalBackendTest, RelationsAreFoundByTargetAndType)
{
    const std::string room = makeRoom();
    auto target = message(room, "target");
    ASSERT_TRUE(target);
    ASSERT_TRUE(send(room, "m.reaction",
                     {{"m.relates_to", {{"rel_type", "m.annotation"}, {"event_id", *target}, {"key", "👍"}}}}));
    ASSERT_TRUE(send(room, "m.room.message",
                     {{"msgtype", "m.text"},
                      {"body", "in thread"},
                      {"m.relates_to", {{"rel_type", "m.thread"}, {"event_id", *target}}}}));
    RelationsQuery q;
    q.roomId = room;
    q.eventId = *target;
    q.limit = 10;
    auto all = await<RelationsPage>(m_scheduler, [&](auto done) { m_backend->readRelations(q, done); });
    ASSERT_TRUE(all);
    EXPECT_EQ(all->chunk.size(), 2u);
    q.relType = "m.annotation";
    auto reactions = await<RelationsPage>(m_scheduler, [&](auto done) { m_backend->readRelations(q, done); });
    ASSERT_TRUE(reactions);
    ASSERT_EQ(reactions->chunk.size(), 1u);
    EXPECT_EQ(reactions->chunk[0]["type"], "m.reaction");
}

TEST_F(LocalBackendTest, DelayedEventsFireOnTheSchedulersClockAndCanBeCancelledOrRestarted)
{
    const std::string room = makeRoom();
    SendRequest req;
    req.roomId = room;
    req.type = "m.room.message";
    req.content = {{"msgtype", "m.text"}, {"body", "later"}};
    req.delayMs = 10'000;
    auto delayed = await<SendResult>(m_scheduler, [&](auto done) { m_backend->send(req, done); });
    ASSERT_TRUE(delayed) << delayed.error().message;
    EXPECT_TRUE(delayed->eventId.empty());
    ASSERT_FALSE(delayed->delayId.empty());
    EXPECT_EQ(m_backend->pendingDelayedEvents(), 1u);

    auto countLater = [&] {
        TimelineQuery q;
        q.roomId = room;
        q.filter.types = {"m.room.message"};
        q.limit = 100;
        auto page = timeline(q);
        return page ? page->events.size() : 999u;
    };
    m_scheduler.advance(6'000);
    ASSERT_TRUE(await<void>(m_scheduler, [&](auto done) {
        m_backend->updateDelayedEvent(delayed->delayId, DelayedEventAction::Restart, done);
    }));
    m_scheduler.advance(6'000); // 12 s after sending, 6 s after the restart
    EXPECT_EQ(countLater(), 0u);
    m_scheduler.advance(4'100);
    EXPECT_EQ(countLater(), 1u);
    EXPECT_EQ(m_backend->pendingDelayedEvents(), 0u);

    auto cancelled = await<SendResult>(m_scheduler, [&](auto done) { m_backend->send(req, done); });
    ASSERT_TRUE(cancelled);
    ASSERT_TRUE(await<void>(m_scheduler, [&](auto done) {
        m_backend->updateDelayedEvent(cancelled->delayId, DelayedEventAction::Cancel, done);
    }));
    m_scheduler.advance(20'000);
    EXPECT_EQ(countLater(), 1u);
    auto gone = await<void>(m_scheduler, [&](auto done) {
        m_backend->updateDelayedEvent(cancelled->delayId, DelayedEventAction::Send, done);
    });
    ASSERT_FALSE(gone);
    EXPECT_EQ(gone.error().matrixApiError->response["errcode"], "M_NOT_FOUND");

    req.delayMs = 25LL * 3600 * 1000;
    auto tooLong = await<SendResult>(m_scheduler, [&](auto done) { m_backend->send(req, done); });
    ASSERT_FALSE(tooLong);
    EXPECT_EQ(tooLong.error().matrixApiError->response["errcode"], "M_MAX_DELAY_EXCEEDED");
}

TEST_F(LocalBackendTest, DelayedEventsSurviveARestartAndChildrenFollowTheirParent)
{
    const std::string room = makeRoom();
    SendRequest parent;
    parent.roomId = room;
    parent.type = "org.example.call.member";
    parent.stateKey = "@user:local";
    parent.content = nlohmann::json::object();
    parent.delayMs = 30'000;
    auto p = await<SendResult>(m_scheduler, [&](auto done) { m_backend->send(parent, done); });
    ASSERT_TRUE(p) << p.error().message;
    SendRequest child;
    child.roomId = room;
    child.type = "m.room.message";
    child.content = {{"msgtype", "m.notice"}, {"body", "left the call"}};
    child.parentDelayId = p->delayId;
    auto c = await<SendResult>(m_scheduler, [&](auto done) { m_backend->send(child, done); });
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(m_backend->pendingDelayedEvents(), 2u);

    open(); // a restart: the timer must come back from rooms.db
    EXPECT_EQ(m_backend->pendingDelayedEvents(), 2u);
    m_scheduler.advance(30'001);
    EXPECT_EQ(m_backend->pendingDelayedEvents(), 0u);
    TimelineQuery q;
    q.roomId = room;
    q.limit = 2;
    auto page = timeline(q);
    ASSERT_TRUE(page);
    ASSERT_EQ(page->events.size(), 2u);
    EXPECT_EQ(page->events[0]["content"]["body"], "left the call");
    EXPECT_EQ(page->events[1]["type"], "org.example.call.member");
}

TEST_F(LocalBackendTest, ToDeviceMessagesReachOnlyTheLocalUser)
{
    std::vector<nlohmann::json> received;
    RoomListener listener;
    listener.onToDevice = [&](const nlohmann::json &m) { received.push_back(m); };
    auto handle = m_backend->addListener(listener);
    nlohmann::json messages = {
        {m_backend->userId(), {{"*", {{"n", 1}}}}},
        {"@stranger:elsewhere", {{"DEV", {{"n", 2}}}}},
    };
    ASSERT_TRUE(await<void>(m_scheduler, [&](auto done) { m_backend->sendToDevice("org.example.ping", messages, done); }));
    m_scheduler.runPosted();
    ASSERT_EQ(received.size(), 1u);
    EXPECT_EQ(received[0]["type"], "org.example.ping");
    EXPECT_EQ(received[0]["sender"], m_backend->userId());
    EXPECT_EQ(received[0]["content"]["n"], 1);

    auto bad = await<void>(m_scheduler, [&](auto done) { m_backend->sendToDevice("x", nlohmann::json::array(), done); });
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().matrixApiError->response["errcode"], "M_BAD_JSON");
}

TEST_F(LocalBackendTest, ServicesWithoutAServerSayTheyAreUnsupported)
{
    auto openId = await<OpenIdToken>(m_scheduler, [&](auto done) { m_backend->requestOpenIdToken(done); });
    ASSERT_FALSE(openId);
    EXPECT_EQ(openId.error().code, ErrorCode::Unsupported);
    auto turn = await<TurnServers>(m_scheduler, [&](auto done) { m_backend->turnServers(done); });
    ASSERT_FALSE(turn);
    EXPECT_EQ(turn.error().code, ErrorCode::Unsupported);
}

TEST_F(LocalBackendTest, MediaRoundTripsAndHonoursTheUploadLimit)
{
    m_backend.reset();
    LocalBackendOptions options;
    options.maxUploadBytes = 1024;
    open(options);
    MediaUpload up;
    up.bytes = std::string("\x89PNG\r\n\x1a\n\0\x01", 10);
    up.contentType = "image/png";
    auto mxc = await<std::string>(m_scheduler, [&](auto done) { m_backend->uploadMedia(up, done); });
    ASSERT_TRUE(mxc) << mxc.error().message;
    EXPECT_TRUE(std::regex_match(*mxc, std::regex(R"(mxc://local/[A-Za-z0-9_-]+)"))) << *mxc;
    auto down = await<MediaDownload>(m_scheduler, [&](auto done) { m_backend->downloadMedia(*mxc, done); });
    ASSERT_TRUE(down);
    EXPECT_EQ(down->bytes, up.bytes);
    EXPECT_EQ(down->contentType, "image/png");

    auto config = await<nlohmann::json>(m_scheduler, [&](auto done) { m_backend->mediaConfig(done); });
    ASSERT_TRUE(config);
    EXPECT_EQ((*config)["m.upload.size"], 1024);

    up.bytes = std::string(1025, 'x');
    auto big = await<std::string>(m_scheduler, [&](auto done) { m_backend->uploadMedia(up, done); });
    ASSERT_FALSE(big);
    EXPECT_EQ(big.error().matrixApiError->httpStatus, 413);
    EXPECT_EQ(big.error().matrixApiError->response["errcode"], "M_TOO_LARGE");

    for (const char *uri : {"mxc://local/nothing", "mxc://matrix.org/abc"}) {
        auto missing = await<MediaDownload>(m_scheduler, [&](auto done) { m_backend->downloadMedia(uri, done); });
        ASSERT_FALSE(missing) << uri;
        EXPECT_EQ(missing.error().matrixApiError->response["errcode"], "M_NOT_FOUND") << uri;
    }
    for (const char *uri : {"https://local/abc", "mxc://local/", "mxc://local/a/b"}) {
        auto bad = await<MediaDownload>(m_scheduler, [&](auto done) { m_backend->downloadMedia(uri, done); });
        ASSERT_FALSE(bad) << uri;
        EXPECT_EQ(bad.error().matrixApiError->response["errcode"], "M_INVALID_PARAM") << uri;
    }
    auto badAvatar = await<void>(m_scheduler, [&](auto done) { m_backend->setAvatarUrl("mxc://local", done); });
    ASSERT_FALSE(badAvatar);
    EXPECT_EQ(badAvatar.error().matrixApiError->response["errcode"], "M_INVALID_PARAM");
}

TEST_F(LocalBackendTest, ProfileChangesReachTheMemberEventsAndTheDirectory)
{
    const std::string room = makeRoom();
    ASSERT_TRUE(await<void>(m_scheduler, [&](auto done) { m_backend->setDisplayName("Ada Lovelace", done); }));
    auto member = await<std::vector<nlohmann::json>>(m_scheduler, [&](auto done) {
        m_backend->readState(room, "m.room.member", m_backend->userId(), done);
    });
    ASSERT_TRUE(member);
    ASSERT_EQ(member->size(), 1u);
    EXPECT_EQ((*member)[0]["content"]["displayname"], "Ada Lovelace");
    EXPECT_EQ((*member)[0]["content"]["membership"], "join");

    auto profile = await<Profile>(m_scheduler, [&](auto done) { m_backend->profile(m_backend->userId(), done); });
    ASSERT_TRUE(profile);
    EXPECT_EQ(profile->displayName, "Ada Lovelace");

    auto found = await<UserDirectoryResult>(m_scheduler, [&](auto done) { m_backend->searchUserDirectory("lovelace", 10, done); });
    ASSERT_TRUE(found);
    ASSERT_EQ(found->results.size(), 1u);
    EXPECT_EQ(found->results[0].userId, m_backend->userId());
    EXPECT_FALSE(found->limited);
    auto none = await<UserDirectoryResult>(m_scheduler, [&](auto done) { m_backend->searchUserDirectory("zzz", 10, done); });
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->results.empty());
}

TEST_F(LocalBackendTest, CallbacksAndListenersRunLaterNeverInsideTheCall)
{
    const std::string room = makeRoom();
    std::vector<std::string> order;
    RoomListener listener;
    listener.onEvent = [&](const nlohmann::json &ev) { order.push_back("event " + ev["type"].get<std::string>()); };
    listener.onStateChanged = [&](const nlohmann::json &ev) { order.push_back("state " + ev["type"].get<std::string>()); };
    listener.onRoomChanged = [&](const RoomInfo &info) { order.push_back("room " + info.name); };
    auto handle = m_backend->addListener(listener);

    SendRequest req;
    req.roomId = room;
    req.type = "m.room.name";
    req.stateKey = "";
    req.content = {{"name", "Renamed"}};
    bool replied = false;
    m_backend->send(req, [&](Result<SendResult> r) {
        ASSERT_TRUE(r);
        replied = true;
        order.push_back("reply");
    });
    EXPECT_FALSE(replied);
    EXPECT_TRUE(order.empty());
    m_scheduler.runPosted();
    EXPECT_EQ(order, (std::vector<std::string>{"reply", "event m.room.name", "state m.room.name", "room Renamed"}));

    handle.reset();
    order.clear();
    ASSERT_TRUE(message(room, "unheard"));
    m_scheduler.runPosted();
    EXPECT_TRUE(order.empty());
}

TEST_F(LocalBackendTest, RoomAccountDataIsStoredPerRoomAndType)
{
    const std::string room = makeRoom();
    auto missing = await<std::optional<nlohmann::json>>(
        m_scheduler, [&](auto done) { m_backend->readRoomAccountData(room, "org.example.prefs", done); });
    ASSERT_TRUE(missing);
    EXPECT_FALSE(*missing);
    ASSERT_TRUE(await<void>(m_scheduler, [&](auto done) {
        m_backend->setRoomAccountData(room, "org.example.prefs", {{"colour", "teal"}}, done);
    }));
    auto stored = await<std::optional<nlohmann::json>>(
        m_scheduler, [&](auto done) { m_backend->readRoomAccountData(room, "org.example.prefs", done); });
    ASSERT_TRUE(stored && *stored);
    EXPECT_EQ((**stored)["content"]["colour"], "teal");
    EXPECT_EQ((**stored)["type"], "org.example.prefs");
}

TEST_F(LocalBackendTest, EncryptionStateMarksTheRoom)
{
    const std::string room = makeRoom();
    EXPECT_FALSE(m_backend->isEncrypted(room));
    ASSERT_TRUE(send(room, "m.room.encryption", {{"algorithm", "m.megolm.v1.aes-sha2"}}, std::string("")));
    EXPECT_TRUE(m_backend->isEncrypted(room));
    EXPECT_TRUE(m_backend->room(room)->encrypted);
}

// --- import / export --------------------------------------------------------------------------

TEST_F(LocalBackendTest, ARoomRoundTripsThroughExportAndImport)
{
    const std::string room = makeRoom("Shared demo");
    ASSERT_TRUE(message(room, "one"));
    ASSERT_TRUE(send(room, "m.widget", {{"type", "custom"}, {"url", "https://example.org"}}, std::string("w1")));
    auto exported = m_backend->exportRoom(room);
    ASSERT_TRUE(exported) << exported.error().message;

    TempDir other("tessera-import");
    LocalBackendOptions options;
    options.dataDir = other.path();
    options.createWelcomeRoom = false;
    auto fresh = LocalBackend::open(m_scheduler, options);
    ASSERT_TRUE(fresh);
    auto imported = (*fresh)->importRoom(*exported);
    ASSERT_TRUE(imported) << imported.error().message;
    EXPECT_EQ(*imported, room);
    auto again = (*fresh)->exportRoom(room);
    ASSERT_TRUE(again);
    EXPECT_EQ(nlohmann::json::parse(*again), nlohmann::json::parse(*exported));
    auto info = (*fresh)->room(room);
    ASSERT_TRUE(info);
    EXPECT_EQ(info->name, "Shared demo");
    EXPECT_EQ(info->membership, Membership::Join);

    auto twice = (*fresh)->importRoom(*exported);
    ASSERT_FALSE(twice);
    EXPECT_EQ(twice.error().code, ErrorCode::Conflict);
    EXPECT_NE(twice.error().message.find("already exists"), std::string::npos);
}

TEST_F(LocalBackendTest, ImportingAnotherUsersRoomJoinsTheLocalUser)
{
    m_backend.reset();
    LocalBackendOptions alice;
    alice.userName = "alice";
    alice.createWelcomeRoom = false;
    open(alice);
    const std::string room = makeRoom("Alice's room");
    auto exported = m_backend->exportRoom(room);
    ASSERT_TRUE(exported);

    TempDir other("tessera-import");
    LocalBackendOptions bob;
    bob.dataDir = other.path();
    bob.userName = "bob";
    bob.createWelcomeRoom = false;
    auto backend = LocalBackend::open(m_scheduler, bob);
    ASSERT_TRUE(backend);
    ASSERT_TRUE((*backend)->importRoom(*exported));
    EXPECT_EQ((*backend)->room(room)->membership, Membership::Join);
    EXPECT_EQ((*backend)->powerLevel(room, "@bob:local"), 0);
    EXPECT_EQ((*backend)->powerLevel(room, "@alice:local"), 100);
}

struct BadImport {
    const char *name;
    std::function<void(nlohmann::json &)> spoil;
    const char *expected;
};

// Names the case in test listings instead of dumping the struct's bytes.
static void PrintTo(const BadImport &c, std::ostream *os)
{
    *os << c.name;
}

class LocalImportErrors : public LocalBackendTest, public ::testing::WithParamInterface<BadImport> {};

TEST_P(LocalImportErrors, AreSpecificAndChangeNothing)
{
    const std::string room = makeRoom();
    ASSERT_TRUE(message(room, "one"));
    auto exported = m_backend->exportRoom(room);
    ASSERT_TRUE(exported);
    nlohmann::json doc = nlohmann::json::parse(*exported);
    ASSERT_TRUE(await<void>(m_scheduler, [&](auto done) { m_backend->leaveRoom(room, done); }));

    TempDir other("tessera-import");
    LocalBackendOptions options;
    options.dataDir = other.path();
    options.createWelcomeRoom = false;
    auto fresh = LocalBackend::open(m_scheduler, options);
    ASSERT_TRUE(fresh);
    GetParam().spoil(doc);
    auto r = (*fresh)->importRoom(doc.dump());
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find(GetParam().expected), std::string::npos) << r.error().message;
    EXPECT_TRUE((*fresh)->rooms().empty());
}

INSTANTIATE_TEST_SUITE_P(
    LocalBackend, LocalImportErrors,
    ::testing::Values(
        BadImport{"WrongFormat", [](nlohmann::json &d) { d["format"] = "something.else"; }, "not a Tessera room export"},
        BadImport{"NewerVersion", [](nlohmann::json &d) { d["version"] = 2; }, "export version 2 is not supported"},
        BadImport{"BadRoomId", [](nlohmann::json &d) { d["room_id"] = "room"; }, "'room_id' must look like"},
        BadImport{"NoCreate",
                  [](nlohmann::json &d) {
                      auto &s = d["state"];
                      s.erase(std::remove_if(s.begin(), s.end(), [](const nlohmann::json &e) { return e["type"] == "m.room.create"; }),
                              s.end());
                  },
                  "no m.room.create"},
        BadImport{"BadSender", [](nlohmann::json &d) { d["timeline"][2]["sender"] = "mallory"; },
                  "timeline[2]: 'sender' must be a user id"},
        BadImport{"StateWithoutKey", [](nlohmann::json &d) { d["state"][0].erase("state_key"); },
                  "state[0]: a state event needs a 'state_key'"},
        BadImport{"DuplicateEventId",
                  [](nlohmann::json &d) { d["timeline"][1]["event_id"] = d["timeline"][0]["event_id"]; }, "appears twice"},
        BadImport{"ForeignRoomId", [](nlohmann::json &d) { d["timeline"][0]["room_id"] = "!other:local"; },
                  "differs from the room's id"},
        BadImport{"ContentNotObject", [](nlohmann::json &d) { d["timeline"][3]["content"] = "text"; },
                  "timeline[3]: 'content' must be a JSON object"}),
    [](const ::testing::TestParamInfo<BadImport> &info) { return info.param.name; });

TEST_F(LocalBackendTest, ImportRefusesTextThatIsNotJsonOrTooLarge)
{
    auto r = m_backend->importRoom(R"({"format": "io.tessera.room_export", "version": 1,, })");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("not valid JSON (the error is at byte 51)"), std::string::npos) << r.error().message;

    m_backend.reset();
    LocalBackendOptions options;
    options.maxImportBytes = 100;
    open(options);
    auto big = m_backend->importRoom(std::string(101, ' '));
    ASSERT_FALSE(big);
    EXPECT_NE(big.error().message.find("larger than the import limit of 100 bytes"), std::string::npos);
}

} // namespace
