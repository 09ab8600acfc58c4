// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "avatarimages.h"

#include <QBuffer>
#include <QByteArray>
#include <QHash>
#include <QImage>
#include <QImageReader>
#include <QMutex>
#include <QMutexLocker>
#include <QPainter>
#include <QPainterPath>

#include <atomic>
#include <functional>
#include <list>
#include <string_view>
#include <vector>

#include "matrix/mxc.h"

namespace tessera::ui {

namespace {

class AvatarResponse final : public QQuickImageResponse {
public:
    QQuickTextureFactory *textureFactory() const override
    {
        QMutexLocker lock(&m_mutex);
        return m_image.isNull() ? nullptr : QQuickTextureFactory::textureFactoryForImage(m_image);
    }
    QString errorString() const override
    {
        QMutexLocker lock(&m_mutex);
        return m_error;
    }
    /** Called once, on the provider's thread; the engine keeps the response until finished(). */
    void finish(const QImage &image, const QString &error)
    {
        {
            QMutexLocker lock(&m_mutex);
            m_image = image;
            m_error = image.isNull() && error.isEmpty() ? QStringLiteral("no avatar") : error;
        }
        Q_EMIT finished();
    }

private:
    mutable QMutex m_mutex;
    QImage m_image;
    QString m_error;
};

/** The middle square of @p image, kSidePx wide, inside a circle (transparent corners). */
QImage roundAvatar(const QImage &image)
{
    const int side = AvatarImageProvider::kSidePx;
    const QImage scaled = image.scaled(side, side, Qt::KeepAspectRatioByExpanding, Qt::SmoothTransformation);
    QImage out(side, side, QImage::Format_ARGB32_Premultiplied);
    out.fill(Qt::transparent);
    QPainter painter(&out);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setRenderHint(QPainter::SmoothPixmapTransform);
    QPainterPath circle;
    circle.addEllipse(0, 0, side, side);
    painter.setClipPath(circle);
    painter.drawImage((side - scaled.width()) / 2, (side - scaled.height()) / 2, scaled);
    return out;
}

/**
 * The image in @p bytes, round, or a null image and why. Its dimensions are read before any pixel
 * is: a small file can declare an enormous picture, which is refused instead of allocated.
 */
QImage decodeAvatar(const std::string &bytes, QString &error)
{
    QByteArray data = QByteArray::fromRawData(bytes.data(), qsizetype(bytes.size()));
    QBuffer buffer(&data);
    buffer.open(QIODevice::ReadOnly);
    QImageReader reader(&buffer);
    const QSize size = reader.size();
    if (!size.isValid()) {
        error = QStringLiteral("the avatar is not an image Tessera can read");
        return {};
    }
    if (size.width() > AvatarImageProvider::kMaxSourceSidePx || size.height() > AvatarImageProvider::kMaxSourceSidePx) {
        error = QStringLiteral("the avatar is %1 × %2 pixels, more than %3 on a side")
                    .arg(size.width())
                    .arg(size.height())
                    .arg(AvatarImageProvider::kMaxSourceSidePx);
        return {};
    }
    QImage image;
    if (!reader.read(&image)) {
        error = QStringLiteral("the avatar is not an image Tessera can read: %1").arg(reader.errorString());
        return {};
    }
    return roundAvatar(image);
}

} // namespace

struct AvatarImageProvider::Shared {
    matrix::RoomBackend *backend = nullptr;
    Scheduler *scheduler = nullptr;
    // On the scheduler's thread only.
    QHash<QString, QImage> images; ///< a null image: known not to be readable
    std::list<QString> recent;     ///< most recently shown first
    QHash<QString, std::vector<std::function<void(const QImage &, const QString &)>>> waiting;
    // Read from any thread.
    std::atomic<int> downloads{0};
    std::atomic<int> cachedCount{0};

    void touch(const QString &id)
    {
        recent.remove(id);
        recent.push_front(id);
    }
    void keep(const QString &id, const QImage &image)
    {
        images.insert(id, image);
        touch(id);
        while (int(recent.size()) > kMaxCached) {
            images.remove(recent.back());
            recent.pop_back();
        }
        cachedCount = int(images.size());
    }
};

AvatarImageProvider::AvatarImageProvider(matrix::RoomBackend &backend, Scheduler &scheduler)
    : m_shared(std::make_shared<Shared>())
{
    m_shared->backend = &backend;
    m_shared->scheduler = &scheduler;
}

AvatarImageProvider::~AvatarImageProvider() = default;

QString AvatarImageProvider::urlFor(const std::string &mxcUri)
{
    const auto mxc = matrix::parseMxcUri(mxcUri);
    if (!mxc)
        return {};
    return QStringLiteral("image://%1/%2/%3")
        .arg(QLatin1String(kProviderId), QString::fromStdString(mxc->serverName), QString::fromStdString(mxc->mediaId));
}

QQuickImageResponse *AvatarImageProvider::requestImageResponse(const QString &id, const QSize &)
{
    auto *response = new AvatarResponse;
    // The engine keeps the response until it says finished.
    fetch(id, [response](const QImage &image, const QString &error) { response->finish(image, error); });
    return response;
}

void AvatarImageProvider::fetch(const QString &id, std::function<void(const QImage &, const QString &)> done)
{
    std::weak_ptr<Shared> weak = m_shared;
    m_shared->scheduler->post([weak, id, done = std::move(done)]() mutable {
        auto shared = weak.lock();
        if (!shared)
            return done({}, QStringLiteral("Tessera is closing"));
        if (auto it = shared->images.constFind(id); it != shared->images.constEnd()) {
            shared->touch(id);
            return done(*it, {});
        }
        auto &waiters = shared->waiting[id];
        waiters.push_back(std::move(done));
        if (waiters.size() > 1)
            return; // on its way already
        ++shared->downloads;
        shared->backend->downloadThumbnail(
            "mxc://" + id.toStdString(), kSidePx, kMaxAvatarBytes, [weak, id](Result<matrix::MediaDownload> r) {
                auto shared = weak.lock();
                if (!shared)
                    return;
                QImage image;
                QString error;
                if (!r)
                    error = QString::fromStdString(r.error().message);
                else
                    image = decodeAvatar(r->bytes, error);
                // Kept, unless the failure may pass (no answer, a server error): then asked again next time.
                const bool lasting = r || r.error().code == ErrorCode::Unsupported ||
                                     (r.error().matrixApiError && r.error().matrixApiError->httpStatus < 500);
                if (lasting)
                    shared->keep(id, image);
                for (auto &waiting : shared->waiting.take(id))
                    waiting(image, error);
            });
    });
}

int AvatarImageProvider::downloads() const
{
    return m_shared->downloads;
}

int AvatarImageProvider::cached() const
{
    return m_shared->cachedCount;
}

} // namespace tessera::ui
