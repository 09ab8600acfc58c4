// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "widgetport.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace tessera::ui {

WidgetPort::WidgetPort(Config config, QObject *parent) : QObject(parent), m_config(std::move(config)) {}

QString WidgetPort::config() const
{
    QJsonObject o{{"url", m_config.url},         {"origin", m_config.origin}, {"sandbox", m_config.sandbox},
                  {"allow", m_config.allow},     {"title", m_config.title},   {"widgetId", m_config.widgetId},
                  {"theme", m_config.theme}};
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

void WidgetPort::fromWidget(const QString &message)
{
    if (onMessage) {
        const QByteArray utf8 = message.toUtf8();
        onMessage(std::string_view(utf8.constData(), std::size_t(utf8.size())));
    }
}

void WidgetPort::frameLoaded()
{
    if (onFrameLoaded)
        onFrameLoaded();
}

void WidgetPort::refused(const QString &kind, const QString &detail, int size)
{
    if (onRefused)
        onRefused(kind, detail, size);
}

void WidgetPort::pulse(int seq, int frameSilentMs)
{
    if (onPulse)
        onPulse(seq, frameSilentMs);
}

void WidgetPort::send(std::string message)
{
    Q_EMIT toWidget(QString::fromUtf8(message.data(), qsizetype(message.size())));
}

void WidgetPort::requestUnload()
{
    Q_EMIT unload();
}

} // namespace tessera::ui
