// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "redirectlistener.h"

#include <QTcpSocket>
#include <QTimer>

namespace tessera::ui {

LoopbackRedirectListener::LoopbackRedirectListener(QString pageTitle, QString pageText, QObject *parent)
    : QObject(parent), m_title(std::move(pageTitle)), m_text(std::move(pageText))
{
    connect(&m_server, &QTcpServer::newConnection, this, &LoopbackRedirectListener::onConnection);
}

LoopbackRedirectListener::~LoopbackRedirectListener()
{
    close();
}

Result<int> LoopbackRedirectListener::listen(std::function<void(const std::string &)> onCallback)
{
    m_onCallback = std::move(onCallback);
    if (!m_server.listen(QHostAddress::LocalHost, 0))
        return Error(ErrorCode::Io, m_server.errorString().toStdString());
    return static_cast<int>(m_server.serverPort());
}

void LoopbackRedirectListener::close()
{
    m_onCallback = nullptr;
    m_server.close();
}

void LoopbackRedirectListener::onConnection()
{
    while (QTcpSocket *socket = m_server.nextPendingConnection()) {
        if (++m_connections > kMaxConnections) {
            socket->abort();
            socket->deleteLater();
            continue;
        }
        // The socket lives on its own until its answer is out: the listener may be gone by then.
        socket->setParent(nullptr);
        auto *timer = new QTimer(socket);
        timer->setSingleShot(true);
        connect(timer, &QTimer::timeout, socket, [socket] { socket->abort(); });
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        timer->start(kRequestTimeoutMs);
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] {
            if (socket->property("answered").toBool())
                return;
            QByteArray buffer = socket->property("buffer").toByteArray() + socket->readAll();
            if (buffer.size() > kMaxRequestBytes) {
                socket->abort();
                return;
            }
            if (!buffer.contains("\r\n\r\n")) {
                socket->setProperty("buffer", buffer);
                return;
            }
            socket->setProperty("answered", true);
            const QList<QByteArray> parts = buffer.left(buffer.indexOf("\r\n")).split(' ');
            const QByteArray target = parts.size() == 3 && parts[0] == "GET" ? parts[1] : QByteArray();
            const int q = target.indexOf('?');
            const QByteArray path = q < 0 ? target : target.left(q);
            QByteArray status = "404 Not Found";
            QByteArray body = "Not found";
            QByteArray type = "text/plain; charset=utf-8";
            std::string query;
            const bool callback = path == QByteArray::fromStdString(std::string(matrix::oauth::kRedirectPath));
            if (callback) {
                query = q < 0 ? std::string() : target.mid(q + 1).toStdString();
                status = "200 OK";
                type = "text/html; charset=utf-8";
                body = "<!doctype html><html><head><meta charset=\"utf-8\"><title>" + m_title.toHtmlEscaped().toUtf8() +
                       "</title></head><body style=\"font-family:sans-serif;margin:3em\"><h1>" +
                       m_title.toHtmlEscaped().toUtf8() + "</h1><p>" + m_text.toHtmlEscaped().toUtf8() +
                       "</p></body></html>";
            }
            socket->write("HTTP/1.1 " + status + "\r\nContent-Type: " + type + "\r\nContent-Length: " +
                          QByteArray::number(body.size()) +
                          "\r\nCache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nConnection: close\r\n\r\n" + body);
            socket->disconnectFromHost();
            if (callback && m_onCallback) {
                // Not from inside the socket's signal: the handler may delete this listener.
                QTimer::singleShot(0, this, [handler = m_onCallback, query] { handler(query); });
            }
        });
    }
}

} // namespace tessera::ui
