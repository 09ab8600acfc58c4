// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QObject>
#include <QTcpServer>
#include <functional>
#include <string>

#include "matrix/matrixbackend.h"

namespace tessera::ui {

/**
 * @brief The loopback end of a browser sign-in (RFC 8252 §7.3) on a QTcpServer: 127.0.0.1 only,
 * a port the system picks, one request per connection.
 *
 * GET /callback?… hands the query to the backend and shows the browser a short page saying to go
 * back to Tessera; anything else gets 404. Limits: a request line and headers of at most
 * kMaxRequestBytes, at most kMaxConnections connections over the listener's life, each answered
 * or dropped within kRequestTimeoutMs.
 */
class LoopbackRedirectListener final : public QObject, public matrix::RedirectListener {
    Q_OBJECT
public:
    static constexpr int kMaxRequestBytes = 16 * 1024;
    static constexpr int kMaxConnections = 32;
    static constexpr int kRequestTimeoutMs = 10'000;

    explicit LoopbackRedirectListener(QString pageTitle, QString pageText, QObject *parent = nullptr);
    ~LoopbackRedirectListener() override;

    Result<int> listen(std::function<void(const std::string &query)> onCallback) override;
    void close() override;

private:
    void onConnection();

    QTcpServer m_server;
    QString m_title;
    QString m_text;
    std::function<void(const std::string &)> m_onCallback;
    int m_connections = 0;
};

} // namespace tessera::ui
