// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QObject>
#include <QPointer>
#include <QString>
#include <QWebEngineUrlRequestInterceptor>
#include <QWebEngineUrlSchemeHandler>

#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>

#include "matrix/cryptomachine.h"

class QWebChannel;
class QWebEnginePage;
class QWebEngineProfile;

namespace tessera::ui {

/** The scheme of the encryption engine's page (registered with the others in registerSchemes()). */
inline constexpr char kCryptoScheme[] = "tessera-crypto";

/** Serves tessera-crypto://engine/…: the page, its script, qwebchannel.js and the WebAssembly package. */
class CryptoSchemeHandler final : public QWebEngineUrlSchemeHandler {
    Q_OBJECT
public:
    using QWebEngineUrlSchemeHandler::QWebEngineUrlSchemeHandler;
    void requestStarted(QWebEngineUrlRequestJob *job) override;
};

/** Refuses every request of the engine's profile that is not for its own scheme: it has no network. */
class CryptoNetworkGuard final : public QWebEngineUrlRequestInterceptor {
    Q_OBJECT
public:
    using QWebEngineUrlRequestInterceptor::QWebEngineUrlRequestInterceptor;
    void interceptRequest(QWebEngineUrlRequestInfo &info) override;
    [[nodiscard]] int refused() const { return m_refused; }

private:
    int m_refused = 0;
};

/** The object the page sees as `host` on its web channel. */
class CryptoChannelHost final : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;
    Q_INVOKABLE void ready();
    Q_INVOKABLE void reply(int id, const QString &resultJson);
    Q_INVOKABLE void fail(int id, const QString &message);
    Q_INVOKABLE void notify(const QString &kind, const QString &payloadJson);

Q_SIGNALS:
    void request(int id, const QString &method, const QString &argsJson);
    void pageReady();
    void replied(int id, bool ok, const QString &text);
    void notified(const QString &kind, const QString &payloadJson);
};

/**
 * @brief The end-to-end encryption state machine in a hidden page: matrix-sdk-crypto-wasm's
 * OlmMachine on Qt WebEngine, in a profile of its own (its IndexedDB crypto store lives under
 * @p storageDir), on its own scheme, with every other request refused.
 *
 * Calls made before the page has loaded wait for it. If the page's renderer dies, the calls under
 * way fail with the reason, the page is loaded again and "init" is replayed with its last
 * arguments (the store is persistent, so nothing is lost but the calls that failed).
 */
class CryptoEngine final : public QObject, public matrix::CryptoMachine {
    Q_OBJECT
public:
    CryptoEngine(const std::filesystem::path &storageDir, const QString &storageName, QObject *parent = nullptr);
    ~CryptoEngine() override;

    void call(const std::string &method, nlohmann::json args, matrix::Callback<nlohmann::json> done) override;
    void setNotify(std::function<void(const std::string &, const nlohmann::json &)> notify) override;

    /** The page's renderer process, for memory figures (0 before it runs). */
    [[nodiscard]] qint64 rendererPid() const;
    [[nodiscard]] bool isLoaded() const { return m_loaded; }
    /** Requests to anything but the engine's own files that were refused. */
    [[nodiscard]] int refusedRequests() const { return m_guard ? m_guard->refused() : 0; }

private:
    void load();
    void send(int id, const std::string &method, const std::string &args);
    void onReply(int id, bool ok, const QString &text);
    void onNotify(const QString &kind, const QString &payloadJson);
    void onRendererGone(const QString &why);

    struct Pending {
        std::string method;
        std::string args;
        matrix::Callback<nlohmann::json> done;
    };

    QWebEngineProfile *m_profile = nullptr;
    QWebEnginePage *m_page = nullptr;
    QWebChannel *m_channel = nullptr;
    CryptoChannelHost *m_host = nullptr;
    CryptoSchemeHandler *m_scheme = nullptr;
    CryptoNetworkGuard *m_guard = nullptr;
    bool m_loaded = false;
    int m_nextId = 1;
    std::map<int, Pending> m_pending;
    std::deque<int> m_waiting; ///< ids sent once the page is ready
    std::string m_initArgs;    ///< replayed after a renderer crash
    std::function<void(const std::string &, const nlohmann::json &)> m_notify;
};

} // namespace tessera::ui
