// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "pluginicons.h"

#include <QCryptographicHash>
#include <QFile>
#include <QMutexLocker>
#include <QPainter>
#include <QSvgRenderer>

namespace tessera::ui {

PluginIconProvider::PluginIconProvider() : QQuickImageProvider(QQuickImageProvider::Image) {}

QString PluginIconProvider::add(const QString &pluginId, const QString &file)
{
    // The key hides the path: QML sees only an opaque name.
    const QString key = QString::fromLatin1(
        QCryptographicHash::hash((pluginId + QLatin1Char('\n') + file).toUtf8(), QCryptographicHash::Sha256).toHex().left(24));
    QMutexLocker lock(&m_mutex);
    m_files.insert(key, file);
    return QStringLiteral("image://%1/%2").arg(QLatin1String(kProviderId), key);
}

QImage PluginIconProvider::requestImage(const QString &id, QSize *size, const QSize &requestedSize)
{
    QString path;
    {
        QMutexLocker lock(&m_mutex);
        path = m_files.value(id);
    }
    QFile file(path);
    if (path.isEmpty() || !file.open(QIODevice::ReadOnly) || file.size() > kMaxIconBytes)
        return {};
    const QByteArray bytes = file.readAll();
    const QSize want = requestedSize.isValid() && !requestedSize.isEmpty() ? requestedSize : QSize(64, 64);
    QImage image;
    if (path.endsWith(QLatin1String(".svg"), Qt::CaseInsensitive)) {
        QSvgRenderer svg(bytes);
        if (!svg.isValid())
            return {};
        image = QImage(want, QImage::Format_ARGB32_Premultiplied);
        image.fill(Qt::transparent);
        QPainter painter(&image);
        svg.render(&painter);
    } else {
        image.loadFromData(bytes);
        if (!image.isNull() && image.size() != want)
            image = image.scaled(want, Qt::KeepAspectRatio, Qt::SmoothTransformation);
    }
    if (size)
        *size = image.size();
    return image;
}

} // namespace tessera::ui
