// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
// The shell's room models on the Matrix backend against the loopback test homeserver: room names
// by the spec's algorithm from the sync summary, senders by display name, and live events that
// arrive while a room's first page is loading.
#include <gtest/gtest.h>

#include <QCoreApplication>
#include <QStringList>

#include "harness.h"
#include "roommodels.h"

using namespace tessera;
using namespace tessera::matrix;
using tessera::e2e::FaultKind;
using tessera::e2e::FaultRule;
using tessera::test::MatrixHarness;
using tessera::test::MatrixHarnessOptions;

namespace {

QStringList column(const ui::TimelineModel &model, int role)
{
    QStringList out;
    for (int i = 0; i < model.rowCount(); ++i)
        out << model.data(model.index(i), role).toString();
    return out;
}

nlohmann::json text(const std::string &body)
{
    return {{"msgtype", "m.text"}, {"body", body}};
}

TEST(RoomModels, AnUnnamedRoomIsNamedAfterItsMembersAndSendersByDisplayName)
{
    MatrixHarness h;
    auto &server = h.server();
    ASSERT_TRUE(server.createUser("bob", "pw", "Bob"));
    ASSERT_TRUE(server.createUser("carol", "pw", "Carol"));
    e2e::RoomSpec spec;
    spec.creator = "bob";
    spec.preset = "public_chat";
    spec.join = {"alice", "carol"};
    auto roomId = server.createRoom(spec);
    ASSERT_TRUE(roomId) << roomId.error().message;
    auto hello = server.sendEvent(*roomId, "@bob:tessera.test", "m.room.message", text("hello"));
    ASSERT_TRUE(hello);
    ASSERT_TRUE(h.waitForEvent(*hello));

    ui::RoomListModel rooms(h.backend());
    EXPECT_EQ(rooms.nameOf(*roomId).toStdString(), "Bob and Carol") << "never the raw room id";
    ui::TimelineModel timeline(h.backend());
    timeline.setRoom(*roomId);
    ASSERT_TRUE(h.pumpUntil([&] { return !timeline.loading() && column(timeline, ui::TimelineModel::BodyRole).contains("hello"); }));
    const int row = int(column(timeline, ui::TimelineModel::BodyRole).indexOf("hello"));
    EXPECT_EQ(timeline.data(timeline.index(row), ui::TimelineModel::SenderNameRole).toString().toStdString(), "Bob");

    // Someone else takes the name Bob: both are told apart by their ids, in the list and the timeline.
    ASSERT_TRUE(server.createUser("bob2", "pw", "Bob"));
    ASSERT_TRUE(server.joinRoom("bob2", *roomId));
    auto again = server.sendEvent(*roomId, "@bob2:tessera.test", "m.room.message", text("me too"));
    ASSERT_TRUE(again);
    ASSERT_TRUE(h.waitForEvent(*again));
    ASSERT_TRUE(h.pumpUntil([&] { return column(timeline, ui::TimelineModel::BodyRole).contains("me too"); }));
    const QStringList senders = column(timeline, ui::TimelineModel::SenderNameRole);
    const QStringList bodies = column(timeline, ui::TimelineModel::BodyRole);
    EXPECT_EQ(senders[bodies.indexOf("hello")].toStdString(), "Bob (@bob:tessera.test)");
    EXPECT_EQ(senders[bodies.indexOf("me too")].toStdString(), "Bob (@bob2:tessera.test)");
    const QString three = rooms.nameOf(*roomId);
    EXPECT_TRUE(three.contains(QStringLiteral("Bob (@bob:tessera.test)")) && three.contains(QStringLiteral("Carol")) &&
                three.contains(QStringLiteral("Bob (@bob2:tessera.test)")))
        << "the summary's heroes, told apart: " << three.toStdString();

    // Everyone leaves: an empty room that says who was there.
    for (const char *who : {"bob", "carol", "bob2"})
        ASSERT_TRUE(server.leaveRoom(who, *roomId));
    ASSERT_TRUE(h.pumpUntil([&] { return rooms.nameOf(*roomId).startsWith(QStringLiteral("Empty room (was ")); }))
        << rooms.nameOf(*roomId).toStdString();
}

TEST(RoomModels, LiveEventsDuringTheFirstOpenAreMergedNotDropped)
{
    MatrixHarnessOptions options;
    // The first sync leaves older events to /messages; a sync can still bring the whole burst
    // (a longer one is a gap, which is not what this test is about).
    options.syncTimelineLimit = 20;
    MatrixHarness h(options);
    auto &server = h.server();
    ASSERT_TRUE(server.createUser("bob", "pw", "Bob"));
    e2e::RoomSpec spec;
    spec.creator = "bob";
    spec.name = "Busy";
    spec.preset = "public_chat";
    spec.join = {"alice"};
    auto roomId = server.createRoom(spec);
    ASSERT_TRUE(roomId);
    std::string last;
    for (int i = 0; i < 40; ++i) {
        auto id = server.sendEvent(*roomId, "@bob:tessera.test", "m.room.message", text("old " + std::to_string(i)));
        ASSERT_TRUE(id);
        last = *id;
    }
    ASSERT_TRUE(h.waitForEvent(last));

    // The first page needs /messages (the cache has the last 20): the server holds it while Bob
    // sends a burst, which the sync brings while the page is still loading.
    FaultRule hold;
    hold.kind = FaultKind::Delay;
    hold.method = "GET";
    hold.pathRegex = "/messages$";
    hold.count = 1;
    hold.delayMs = 1500;
    ASSERT_TRUE(server.addFault(hold));
    ui::TimelineModel timeline(h.backend());
    int heardWhileLoading = 0;
    RoomListener listener;
    listener.onEvent = [&](const nlohmann::json &) { heardWhileLoading += timeline.loading() ? 1 : 0; };
    auto handle = h.backend().addListener(std::move(listener));
    timeline.setRoom(*roomId);
    ASSERT_TRUE(timeline.loading());
    for (int i = 0; i < 15; ++i) {
        auto id = server.sendEvent(*roomId, "@bob:tessera.test", "m.room.message", text("burst " + std::to_string(i)));
        ASSERT_TRUE(id);
        last = *id;
    }
    ASSERT_TRUE(h.waitForEvent(last));
    ASSERT_TRUE(h.pumpUntil([&] { return !timeline.loading(); }));
    ASSERT_GT(heardWhileLoading, 0) << "the burst must arrive while the page loads, or this tests nothing";

    QStringList expected;
    for (int i = 0; i < 40; ++i)
        expected << QStringLiteral("old %1").arg(i);
    for (int i = 0; i < 15; ++i)
        expected << QStringLiteral("burst %1").arg(i);
    QStringList messages;
    for (const QString &body : column(timeline, ui::TimelineModel::BodyRole)) {
        if (body.startsWith(QStringLiteral("old ")) || body.startsWith(QStringLiteral("burst ")))
            messages << body;
    }
    EXPECT_TRUE(messages == expected) << "every event once, oldest first: " << messages.join(QStringLiteral(" | ")).toStdString();
}

TEST(RoomModels, ScrollingBackLoadsTheWholeHistoryOnceInOrder)
{
    MatrixHarness h;
    auto &server = h.server();
    ASSERT_TRUE(server.createUser("bob", "pw", "Bob"));
    e2e::RoomSpec spec;
    spec.creator = "bob";
    spec.name = "Long";
    spec.preset = "public_chat";
    spec.join = {"alice"};
    auto roomId = server.createRoom(spec);
    ASSERT_TRUE(roomId);
    constexpr int kHistory = ui::TimelineModel::kFirstPageSize + 2 * ui::TimelineModel::kOlderPageSize + 30;
    std::string last;
    for (int i = 0; i < kHistory; ++i) {
        auto id = server.sendEvent(*roomId, "@bob:tessera.test", "m.room.message", text("m" + std::to_string(i)));
        ASSERT_TRUE(id);
        last = *id;
    }
    ASSERT_TRUE(h.waitForEvent(last));
    ui::TimelineModel timeline(h.backend());
    timeline.setRoom(*roomId);
    ASSERT_TRUE(h.pumpUntil([&] { return !timeline.loading(); }));
    EXPECT_TRUE(timeline.canLoadOlder());
    EXPECT_FALSE(column(timeline, ui::TimelineModel::BodyRole).contains(QStringLiteral("m0")));
    int pages = 0;
    while (timeline.canLoadOlder() && pages < 20) {
        timeline.loadOlder();
        EXPECT_TRUE(timeline.loadingOlder());
        ASSERT_TRUE(h.pumpUntil([&] { return !timeline.loadingOlder(); }));
        EXPECT_TRUE(timeline.olderError().isEmpty()) << timeline.olderError().toStdString();
        ++pages;
    }
    EXPECT_FALSE(timeline.canLoadOlder()) << "the start of the room is reached";
    QStringList messages;
    for (const QString &body : column(timeline, ui::TimelineModel::BodyRole)) {
        if (body.startsWith(QLatin1Char('m')) && body.size() > 1 && body[1].isDigit())
            messages << body;
    }
    ASSERT_EQ(messages.size(), kHistory);
    for (int i = 0; i < kHistory; ++i)
        ASSERT_EQ(messages[i].toStdString(), "m" + std::to_string(i));
    EXPECT_TRUE(column(timeline, ui::TimelineModel::BodyRole).contains(QStringLiteral("created the room")));
}

TEST(RoomModels, AnOpenTimelineShowsNoHoleAfterALimitedSync)
{
    MatrixHarnessOptions options;
    options.syncTimelineLimit = 5;
    MatrixHarness h(options);
    auto &server = h.server();
    ASSERT_TRUE(server.createUser("bob", "pw", "Bob"));
    e2e::RoomSpec spec;
    spec.creator = "bob";
    spec.name = "Busy";
    spec.preset = "public_chat";
    spec.join = {"alice"};
    auto roomId = server.createRoom(spec);
    ASSERT_TRUE(roomId);
    std::string last;
    for (int i = 0; i < 3; ++i) {
        auto id = server.sendEvent(*roomId, "@bob:tessera.test", "m.room.message", text("before " + std::to_string(i)));
        ASSERT_TRUE(id);
        last = *id;
    }
    ASSERT_TRUE(h.waitForEvent(last));
    ui::TimelineModel timeline(h.backend());
    timeline.setRoom(*roomId);
    ASSERT_TRUE(h.pumpUntil([&] { return !timeline.loading() && column(timeline, ui::TimelineModel::BodyRole).contains("before 2"); }));

    // Away for a while: more happens than one sync gives (its timeline is `limited`).
    h.matrixBackend().stop();
    for (int i = 0; i < 20; ++i) {
        auto id = server.sendEvent(*roomId, "@bob:tessera.test", "m.room.message", text("burst " + std::to_string(i)));
        ASSERT_TRUE(id);
        last = *id;
    }
    h.matrixBackend().start();
    ASSERT_TRUE(h.waitForEvent(last));
    ASSERT_TRUE(h.pumpUntil([&] { return !timeline.loading() && column(timeline, ui::TimelineModel::BodyRole).contains("burst 19"); }));

    // What the timeline shows is one stretch of the room, without the skipped events missing in it.
    QStringList serverMessages;
    for (const auto &ev : server.roomEvents(*roomId, "m.room.message"))
        serverMessages << QString::fromStdString(ev["content"]["body"].get<std::string>());
    QStringList shown;
    for (const QString &body : column(timeline, ui::TimelineModel::BodyRole)) {
        if (serverMessages.contains(body))
            shown << body;
    }
    ASSERT_FALSE(shown.isEmpty());
    const int first = int(serverMessages.indexOf(shown.front()));
    EXPECT_EQ(shown, serverMessages.mid(first, shown.size())) << "shown: " << shown.join(QStringLiteral(", ")).toStdString();
    // Scrolling back reaches the rest, in order, without a hole.
    int pages = 0;
    while (timeline.canLoadOlder() && pages < 20) {
        timeline.loadOlder();
        ASSERT_TRUE(h.pumpUntil([&] { return !timeline.loadingOlder(); }));
        ++pages;
    }
    shown.clear();
    for (const QString &body : column(timeline, ui::TimelineModel::BodyRole)) {
        if (serverMessages.contains(body))
            shown << body;
    }
    EXPECT_EQ(shown, serverMessages);
}

TEST(RoomModels, AMessageOnItsWayIsOneRowWhicheverComesFirstAnswerOrEcho)
{
    MatrixHarness h;
    const std::string roomId = h.createRoom("Echo");
    ui::TimelineModel timeline(h.backend());
    timeline.setRoom(roomId);
    ASSERT_TRUE(h.pumpUntil([&] { return !timeline.loading(); }));
    const int before = timeline.rowCount();
    timeline.addPending("l1", roomId, "hello");
    ASSERT_EQ(timeline.rowCount(), before + 1);
    EXPECT_EQ(timeline.data(timeline.index(before), ui::TimelineModel::StatusRole).toString(), QStringLiteral("sending"));
    auto sent = h.send(roomId, "m.room.message", text("hello")); // the echo arrives before the answer is told
    ASSERT_TRUE(sent);
    timeline.markSent("l1", *sent);
    EXPECT_EQ(timeline.rowCount(), before + 1) << "the pending row gave way to the echo";
    EXPECT_EQ(timeline.data(timeline.index(before), ui::TimelineModel::EventIdRole).toString().toStdString(), *sent);
    EXPECT_EQ(timeline.data(timeline.index(before), ui::TimelineModel::StatusRole).toString(), QString());

    timeline.addPending("l2", roomId, "refused");
    timeline.markFailed("l2", QStringLiteral("M_FORBIDDEN"));
    EXPECT_EQ(timeline.data(timeline.index(before + 1), ui::TimelineModel::StatusRole).toString(), QStringLiteral("failed"));
    // Another room and back: the refused message is still there, at the end.
    timeline.setRoom({});
    timeline.setRoom(roomId);
    ASSERT_TRUE(h.pumpUntil([&] { return !timeline.loading(); }));
    const int last = timeline.rowCount() - 1;
    EXPECT_EQ(timeline.data(timeline.index(last), ui::TimelineModel::BodyRole).toString(), QStringLiteral("refused"));
    EXPECT_EQ(timeline.data(timeline.index(last), ui::TimelineModel::SendErrorRole).toString(), QStringLiteral("M_FORBIDDEN"));
    timeline.removePending("l2");
    EXPECT_EQ(timeline.rowCount(), last);
}

TEST(Invitations, AnInvitationIsReadFromTheSyncAndNothingIsSentIntoIt)
{
    MatrixHarness h;
    auto &server = h.server();
    ASSERT_TRUE(server.createUser("bob", "pw", "Bob"));
    e2e::RoomSpec spec;
    spec.creator = "bob";
    spec.initialState = {{{"type", "m.widget"}, {"state_key", "w"}, {"content", {{"url", "https://w.test"}}}}};
    auto roomId = server.createRoom(spec);
    ASSERT_TRUE(roomId);
    ASSERT_TRUE(server.invite(*roomId, "bob", "alice"));
    ASSERT_TRUE(h.pumpUntil([&] {
        auto info = h.backend().room(*roomId);
        return info && info->membership == Membership::Invite;
    }));
    ui::RoomListModel rooms(h.backend());
    EXPECT_EQ(rooms.nameOf(*roomId).toStdString(), "Bob") << "named after the inviter";

    const std::size_t before = server.requestLog().size();
    // What opening the room reads (the widget panel, the timeline's members) comes from the
    // invitation the sync brought: the server refuses /state to someone not in the room.
    for (const char *type : {"m.widget", "m.room.power_levels", "m.room.member", "m.room.create"}) {
        auto state = h.call<std::vector<nlohmann::json>>(
            [&](auto done) { h.backend().readState(*roomId, type, std::nullopt, done); });
        ASSERT_TRUE(state) << type << ": " << state.error().message;
    }
    SendRequest send;
    send.roomId = *roomId;
    send.type = "m.room.message";
    send.content = text("not yet");
    auto sent = h.call<SendResult>([&](auto done) { h.backend().send(send, done); });
    ASSERT_FALSE(sent);
    ASSERT_TRUE(sent.error().matrixApiError);
    EXPECT_EQ(sent.error().matrixApiError->httpStatus, 403);
    EXPECT_NE(sent.error().message.find("accept the invitation"), std::string::npos) << sent.error().message;
    EXPECT_EQ(h.matrixBackend().pendingSends(), 0u) << "nothing queued";
    const auto log = server.requestLog();
    for (std::size_t i = before; i < log.size(); ++i) {
        EXPECT_EQ(log[i].path.find("/rooms/"), std::string::npos) << log[i].method << " " << log[i].path << " " << log[i].status;
    }

    // Accepted: the room is joined once the sync says so, and sending works.
    auto joined = h.call<std::string>([&](auto done) { h.backend().joinRoom(*roomId, done); });
    ASSERT_TRUE(joined) << joined.error().message;
    ASSERT_TRUE(h.waitForRoom(*roomId));
    auto widgets = h.call<std::vector<nlohmann::json>>(
        [&](auto done) { h.backend().readState(*roomId, "m.widget", std::nullopt, done); });
    ASSERT_TRUE(widgets);
    EXPECT_EQ(widgets->size(), 1u) << "the joined room's full state came with the sync";
    sent = h.call<SendResult>([&](auto done) { h.backend().send(send, done); });
    EXPECT_TRUE(sent) << sent.error().message;
}

} // namespace
