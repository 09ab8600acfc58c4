// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
// Room and member avatars on the Matrix backend against the loopback test homeserver: the room
// list and the timeline name them, the avatar image provider fetches each once (a thumbnail,
// authenticated media), crops it round, keeps it, and refuses what is too large or not an image.
#include <gtest/gtest.h>

#include <QBuffer>
#include <QImage>

#include <optional>

#include "avatarimages.h"
#include "harness.h"
#include "roommodels.h"

using namespace tessera;
using namespace tessera::matrix;
using tessera::test::MatrixHarness;

namespace {

std::string png(int width, int height, QColor colour)
{
    QImage image(width, height, QImage::Format_ARGB32);
    image.fill(colour);
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return bytes.toStdString();
}

std::string upload(MatrixHarness &h, std::string bytes, const std::string &type)
{
    MediaUpload up;
    up.bytes = std::move(bytes);
    up.contentType = type;
    auto mxc = h.call<std::string>([&](auto done) { h.backend().uploadMedia(up, done); });
    EXPECT_TRUE(mxc) << mxc.error().message;
    return mxc ? *mxc : std::string();
}

/** What the provider answers for @p url (image://avatar/…), pumping the backend meanwhile. */
struct Answer {
    QImage image;
    QString error;
};
std::optional<Answer> request(MatrixHarness &h, ui::AvatarImageProvider &provider, const QString &url)
{
    const QString id = url.mid(QStringLiteral("image://avatar/").size());
    std::optional<Answer> answer;
    provider.fetch(id, [&](const QImage &image, const QString &error) { answer = Answer{image, error}; });
    if (!h.pumpUntil([&] { return answer.has_value(); }))
        return std::nullopt;
    return answer;
}

std::size_t mediaRequests(MatrixHarness &h)
{
    std::size_t n = 0;
    for (const auto &r : h.server().requestLog())
        n += r.path.find("/media/") != std::string::npos && r.method == "GET" && r.path.find("/config") == std::string::npos;
    return n;
}

} // namespace

TEST(Avatars, ARoomAvatarIsFetchedOnceAsAThumbnailCroppedRoundAndKept)
{
    MatrixHarness h;
    const std::string room = h.createRoom("Pictures");
    const std::string mxc = upload(h, png(200, 100, Qt::red), "image/png");
    ASSERT_TRUE(h.send(room, "m.room.avatar", {{"url", mxc}}, std::string("")));

    ui::RoomListModel rooms(h.backend());
    const QString expected = QStringLiteral("image://avatar/") + QString::fromStdString(mxc.substr(6));
    ASSERT_TRUE(h.pumpUntil([&] { return rooms.avatarOf(room) == expected; })) << rooms.avatarOf(room).toStdString();
    const int row = rooms.indexOf(QString::fromStdString(room));
    EXPECT_EQ(rooms.data(rooms.index(row), ui::RoomListModel::AvatarRole).toString(), expected);

    ui::AvatarImageProvider provider(h.backend(), h.scheduler());
    const std::size_t before = mediaRequests(h);
    auto first = request(h, provider, expected);
    ASSERT_TRUE(first);
    ASSERT_FALSE(first->image.isNull()) << first->error.toStdString();
    EXPECT_EQ(first->image.size(), QSize(ui::AvatarImageProvider::kSidePx, ui::AvatarImageProvider::kSidePx));
    EXPECT_EQ(qAlpha(first->image.pixel(0, 0)), 0) << "a corner outside the circle is transparent";
    EXPECT_EQ(QColor(first->image.pixel(48, 48)), QColor(Qt::red)) << "the middle is the picture";
    bool thumbnail = false;
    for (const auto &r : h.server().requestLog())
        thumbnail = thumbnail || (r.path.find("/_matrix/client/v1/media/thumbnail/") == 0 && r.status == 200);
    EXPECT_TRUE(thumbnail) << "a thumbnail, from the authenticated media endpoint";

    // Shown again (another row, the header): from memory, no second download.
    auto again = request(h, provider, expected);
    ASSERT_TRUE(again);
    EXPECT_FALSE(again->image.isNull());
    EXPECT_EQ(provider.downloads(), 1);
    EXPECT_EQ(mediaRequests(h), before + 1);
}

TEST(Avatars, WhatIsTooLargeOrNotAnImageShowsTheInitials)
{
    MatrixHarness h;
    const std::string room = h.createRoom("Odd");
    ui::AvatarImageProvider provider(h.backend(), h.scheduler());

    const std::string text = upload(h, "not a picture", "image/png");
    auto notImage = request(h, provider, ui::AvatarImageProvider::urlFor(text));
    ASSERT_TRUE(notImage);
    EXPECT_TRUE(notImage->image.isNull());
    EXPECT_EQ(notImage->error.toStdString(), "the avatar is not an image Tessera can read");

    const std::string huge = upload(h, std::string(ui::AvatarImageProvider::kMaxAvatarBytes + 1, 'x'), "image/png");
    auto tooLarge = request(h, provider, ui::AvatarImageProvider::urlFor(huge));
    ASSERT_TRUE(tooLarge);
    EXPECT_TRUE(tooLarge->image.isNull());
    EXPECT_NE(tooLarge->error.indexOf(QStringLiteral("larger than")), -1) << tooLarge->error.toStdString();
    // A small file that declares a picture too large to decode is refused before decoding.
    const std::string wide = upload(h, png(ui::AvatarImageProvider::kMaxSourceSidePx + 1, 1, Qt::blue), "image/png");
    auto tooWide = request(h, provider, ui::AvatarImageProvider::urlFor(wide));
    ASSERT_TRUE(tooWide);
    EXPECT_TRUE(tooWide->image.isNull());
    EXPECT_EQ(tooWide->error.toStdString(), "the avatar is 4097 × 1 pixels, more than 4096 on a side");
    // Neither is fetched again.
    const int downloads = provider.downloads();
    ASSERT_TRUE(request(h, provider, ui::AvatarImageProvider::urlFor(huge)));
    EXPECT_EQ(provider.downloads(), downloads);

    EXPECT_TRUE(ui::AvatarImageProvider::urlFor("https://example.org/a.png").isEmpty());
    EXPECT_TRUE(ui::AvatarImageProvider::urlFor("mxc://server/../etc").isEmpty());
    EXPECT_TRUE(ui::AvatarImageProvider::urlFor("mxc://server/").isEmpty());
}

TEST(Avatars, ADirectChatShowsThePersonAndTheTimelineEverySendersAvatar)
{
    MatrixHarness h;
    auto &server = h.server();
    ASSERT_TRUE(server.createUser("bob", "pw", "Bob"));
    const std::string face = upload(h, png(64, 64, Qt::blue), "image/png");
    e2e::RoomSpec spec;
    spec.creator = "bob";
    spec.preset = "trusted_private_chat";
    spec.join = {"alice"};
    auto roomId = server.createRoom(spec);
    ASSERT_TRUE(roomId) << roomId.error().message;
    ASSERT_TRUE(server.setState(*roomId, "@bob:tessera.test", "m.room.member", "@bob:tessera.test",
                                {{"membership", "join"}, {"displayname", "Bob"}, {"avatar_url", face}}));
    auto hello = server.sendEvent(*roomId, "@bob:tessera.test", "m.room.message", {{"msgtype", "m.text"}, {"body", "hi"}});
    ASSERT_TRUE(hello);
    ASSERT_TRUE(h.waitForEvent(*hello));

    ui::RoomListModel rooms(h.backend());
    const QString bobs = ui::AvatarImageProvider::urlFor(face);
    ASSERT_FALSE(bobs.isEmpty());
    ASSERT_TRUE(h.pumpUntil([&] { return rooms.avatarOf(*roomId) == bobs; }))
        << "named after Bob, it shows Bob: " << rooms.avatarOf(*roomId).toStdString();

    ui::TimelineModel timeline(h.backend());
    timeline.setRoom(*roomId);
    ASSERT_TRUE(h.pumpUntil([&] {
        for (int i = 0; i < timeline.rowCount(); ++i)
            if (timeline.data(timeline.index(i), ui::TimelineModel::BodyRole).toString() == QStringLiteral("hi"))
                return timeline.data(timeline.index(i), ui::TimelineModel::AvatarRole).toString() == bobs;
        return false;
    }));
}
