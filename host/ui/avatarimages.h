// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QQuickAsyncImageProvider>
#include <QImage>
#include <QString>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "matrix/roombackend.h"
#include "util/scheduler.h"

namespace tessera::ui {

/**
 * @brief Room and member avatars from the homeserver's media repository, for the room list, the
 * room header and the timeline: `image://avatar/<server>/<media-id>` (urlFor()).
 *
 * Each is fetched once through the room backend (a server-made thumbnail where the server has
 * them, authenticated media where it has that, at most kMaxAvatarBytes), decoded, cropped to a
 * kSidePx circle and kept in memory: at most kMaxCached images, the least recently shown leaves
 * first. An avatar that cannot be fetched or read is remembered as such, and the shell shows the
 * initials instead. The backend is called on the scheduler's thread (through its thread-safe
 * post()), never on the image loader's.
 */
class AvatarImageProvider final : public QQuickAsyncImageProvider {
public:
    static constexpr const char *kProviderId = "avatar";
    /** A file larger than this is not fetched (a thumbnail is far smaller). */
    static constexpr std::size_t kMaxAvatarBytes = 1024 * 1024;
    /** A picture wider or taller than this is refused before it is decoded. */
    static constexpr int kMaxSourceSidePx = 4096;
    /** The thumbnail size asked for, and the side of the images kept. */
    static constexpr int kSidePx = 96;
    /** Images kept in memory (96 × 96 × 4 bytes each: under 10 MiB). */
    static constexpr int kMaxCached = 256;

    AvatarImageProvider(matrix::RoomBackend &backend, Scheduler &scheduler);
    ~AvatarImageProvider() override;

    /** `image://avatar/<server>/<media-id>` for an mxc:// URI; empty when it is not one. */
    static QString urlFor(const std::string &mxcUri);

    QQuickImageResponse *requestImageResponse(const QString &id, const QSize &requestedSize) override;
    /**
     * The round image of `image://avatar/<id>`, or a null image and why, to @p done on the
     * scheduler's thread: what requestImageResponse() answers the image loader.
     */
    void fetch(const QString &id, std::function<void(const QImage &, const QString &)> done);

    /** Downloads started so far (each avatar once while it stays cached). Thread-safe. */
    [[nodiscard]] int downloads() const;
    /** Images held now. Thread-safe. */
    [[nodiscard]] int cached() const;

    struct Shared;

private:
    std::shared_ptr<Shared> m_shared;
};

} // namespace tessera::ui
