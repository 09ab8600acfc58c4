// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonObject>
#include <QLocalServer>
#include <QObject>
#include <QPointer>

#include <functional>

class QLocalSocket;
class QQmlApplicationEngine;
class QQuickItem;
class QQuickWindow;

namespace tessera::ui {

class HostController;

/**
 * @brief A test hook: drives the QML shell over a local socket, one JSON object per line, the
 * way a person would (clicks at an item's centre, text typed into a field).
 *
 * It exists for the end-to-end tests and starts only when TESSERA_AUTOMATION_SOCKET names a
 * socket path; the socket is readable and writable by the user alone. Items are found by
 * objectName. Commands: find, click, setText, type (real key events), key, property, widgets, timeline, model (the rows
 * of rooms, timeline, consentPrompts, permissions or audit), screenshot, kick, quit. Every answer
 * is {"ok":true,…} or {"ok":false,"error":"…"}; a command's "id", if it has one, is echoed back.
 */
class AutomationServer final : public QObject {
    Q_OBJECT
public:
    AutomationServer(QQmlApplicationEngine &engine, HostController &host, QObject *parent = nullptr);
    /** Listens on @p path; false (with @p error) if it cannot. */
    bool listen(const QString &path, QString &error);

private:
    /** Answers the commands @p socket has sent, in order, one at a time. */
    void serve(QLocalSocket *socket);
    void answer(QLocalSocket *socket, const QJsonObject &command, QJsonObject reply);
    /** Runs @p fn once the window has drawn its next frame (or after a bounded wait). */
    void afterNextFrame(const std::function<void()> &fn);
    QJsonObject handle(const QJsonObject &command);
    QQuickWindow *window() const;
    QQuickItem *findItem(const QString &name) const;
    QObject *findObject(const QString &name) const;
    void click(QQuickItem *item);

    QQmlApplicationEngine &m_engine;
    HostController &m_host;
    QLocalServer m_server;
    quint64 m_eventTime = 0; ///< synthetic input timestamps, increasing
};

} // namespace tessera::ui
