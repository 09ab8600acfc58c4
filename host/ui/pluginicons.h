// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QHash>
#include <QMutex>
#include <QQuickImageProvider>
#include <QString>

namespace tessera::ui {

/**
 * @brief The icons plugins register for their widget types, for the widget panel's tabs and
 * "+": `image://plugin-icon/<key>`. The files are resolved in the plugins' assets on the main
 * thread (add()); the provider only reads those files, SVG drawn at the size asked for.
 */
class PluginIconProvider final : public QQuickImageProvider {
public:
    static constexpr const char *kProviderId = "plugin-icon";
    /** An icon file larger than this is not read. */
    static constexpr qint64 kMaxIconBytes = 256 * 1024;

    PluginIconProvider();
    /** Makes @p file available under its returned image:// URL. */
    QString add(const QString &pluginId, const QString &file);

    QImage requestImage(const QString &id, QSize *size, const QSize &requestedSize) override;

private:
    QMutex m_mutex;
    QHash<QString, QString> m_files; // key → absolute file path
};

} // namespace tessera::ui
