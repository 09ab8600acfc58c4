// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "cryptoengine.h"

#include <QBuffer>
#include <QFile>
#include <QUrl>
#include <QWebChannel>
#include <QWebEnginePage>
#include <QWebEngineProfile>
#include <QWebEngineUrlRequestInfo>
#include <QWebEngineUrlRequestJob>

// The engine's files are resources of a static library: pull them in by name.
static void initCryptoResources()
{
    Q_INIT_RESOURCE(tessera_crypto_engine);
}

namespace tessera::ui {

namespace {

constexpr char kEngineUrl[] = "tessera-crypto://engine/engine.html";

QByteArray mimeFor(const QString &path)
{
    if (path.endsWith(QLatin1String(".html")))
        return "text/html";
    if (path.endsWith(QLatin1String(".js")) || path.endsWith(QLatin1String(".mjs")))
        return "text/javascript";
    if (path.endsWith(QLatin1String(".wasm")))
        return "application/wasm";
    return "application/octet-stream";
}

} // namespace

void CryptoSchemeHandler::requestStarted(QWebEngineUrlRequestJob *job)
{
    const QUrl url = job->requestUrl();
    // Only the engine's own page may read its files.
    const QUrl initiator = job->initiator();
    const bool fromEngine = initiator.isEmpty() || (initiator.scheme() == QLatin1String(kCryptoScheme) &&
                                                    initiator.host() == QLatin1String("engine"));
    if (url.host() != QLatin1String("engine") || job->requestMethod() != "GET" || !fromEngine) {
        job->fail(QWebEngineUrlRequestJob::RequestDenied);
        return;
    }
    static const std::pair<const char *, const char *> kFiles[] = {
        {"/engine.html", ":/tessera/crypto/engine.html"},
        {"/engine.js", ":/tessera/crypto/engine.js"},
        {"/qwebchannel.js", ":/qtwebchannel/qwebchannel.js"},
        {"/wasm/index.mjs", ":/tessera/crypto/wasm/index.mjs"},
        {"/wasm/pkg/matrix_sdk_crypto_wasm_bg.js", ":/tessera/crypto/wasm/pkg/matrix_sdk_crypto_wasm_bg.js"},
        {"/wasm/pkg/matrix_sdk_crypto_wasm_bg.wasm", ":/tessera/crypto/wasm/pkg/matrix_sdk_crypto_wasm_bg.wasm"},
    };
    const QString path = url.path();
    for (const auto &[served, resource] : kFiles) {
        if (path != QLatin1String(served))
            continue;
        QFile file(QString::fromLatin1(resource));
        if (!file.open(QIODevice::ReadOnly)) {
            job->fail(QWebEngineUrlRequestJob::UrlNotFound);
            return;
        }
        auto *buffer = new QBuffer(job);
        buffer->setData(file.readAll());
        buffer->open(QIODevice::ReadOnly);
        job->reply(mimeFor(path), buffer);
        return;
    }
    job->fail(QWebEngineUrlRequestJob::UrlNotFound);
}

void CryptoNetworkGuard::interceptRequest(QWebEngineUrlRequestInfo &info)
{
    const QUrl url = info.requestUrl();
    if (url.scheme() == QLatin1String(kCryptoScheme) || url.scheme() == QLatin1String("blob"))
        return;
    ++m_refused;
    info.block(true);
}

void CryptoChannelHost::ready()
{
    Q_EMIT pageReady();
}

void CryptoChannelHost::reply(int id, const QString &resultJson)
{
    Q_EMIT replied(id, true, resultJson);
}

void CryptoChannelHost::fail(int id, const QString &message)
{
    Q_EMIT replied(id, false, message);
}

void CryptoChannelHost::notify(const QString &kind, const QString &payloadJson)
{
    Q_EMIT notified(kind, payloadJson);
}

CryptoEngine::CryptoEngine(const std::filesystem::path &storageDir, const QString &storageName, QObject *parent)
    : QObject(parent)
{
    initCryptoResources();
    // A profile of its own: its storage (the IndexedDB crypto store) is apart from the widgets'.
    m_profile = new QWebEngineProfile(storageName, this);
    m_profile->setPersistentStoragePath(QString::fromStdString(storageDir.string()));
    m_profile->setCachePath(QString::fromStdString((storageDir / "cache").string()));
    m_profile->setHttpCacheType(QWebEngineProfile::NoCache);
    m_profile->setPersistentCookiesPolicy(QWebEngineProfile::NoPersistentCookies);
    m_profile->setSpellCheckEnabled(false);
    m_scheme = new CryptoSchemeHandler(this);
    m_guard = new CryptoNetworkGuard(this);
    m_profile->installUrlSchemeHandler(kCryptoScheme, m_scheme);
    m_profile->setUrlRequestInterceptor(m_guard);

    m_host = new CryptoChannelHost(this);
    connect(m_host, &CryptoChannelHost::pageReady, this, [this] {
        m_loaded = true;
        // A reloaded page starts from an empty machine: init again first, then what waited.
        if (!m_initArgs.empty()) {
            const int id = m_nextId++;
            m_pending[id] = Pending{"init", m_initArgs, [](Result<nlohmann::json>) {}};
            Q_EMIT m_host->request(id, QStringLiteral("init"), QString::fromStdString(m_initArgs));
        }
        while (!m_waiting.empty()) {
            const int id = m_waiting.front();
            m_waiting.pop_front();
            auto it = m_pending.find(id);
            if (it != m_pending.end())
                Q_EMIT m_host->request(id, QString::fromStdString(it->second.method), QString::fromStdString(it->second.args));
        }
    });
    connect(m_host, &CryptoChannelHost::replied, this, &CryptoEngine::onReply);
    connect(m_host, &CryptoChannelHost::notified, this, &CryptoEngine::onNotify);
    m_channel = new QWebChannel(this);
    m_channel->registerObject(QStringLiteral("host"), m_host);

    load();
}

CryptoEngine::~CryptoEngine()
{
    // Callbacks of a destroyed engine are dropped (CryptoMachine's contract).
    m_pending.clear();
    m_waiting.clear();
    delete m_page;
    m_page = nullptr;
}

void CryptoEngine::load()
{
    delete m_page;
    m_loaded = false;
    m_page = new QWebEnginePage(m_profile, this);
    m_page->setWebChannel(m_channel);
    connect(m_page, &QWebEnginePage::renderProcessTerminated, this,
            [this](QWebEnginePage::RenderProcessTerminationStatus, int exitCode) {
                onRendererGone(QStringLiteral("the encryption engine's page stopped (exit code %1)").arg(exitCode));
            });
    connect(m_page, &QWebEnginePage::loadFinished, this, [this](bool ok) {
        if (!ok)
            onNotify(QStringLiteral("error"), QStringLiteral(R"({"message":"the encryption engine's page did not load"})"));
    });
    m_page->load(QUrl(QString::fromLatin1(kEngineUrl)));
}

void CryptoEngine::call(const std::string &method, nlohmann::json args, matrix::Callback<nlohmann::json> done)
{
    const int id = m_nextId++;
    std::string text = args.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (method == "init")
        m_initArgs = text;
    m_pending[id] = Pending{method, text, std::move(done)};
    if (m_loaded)
        Q_EMIT m_host->request(id, QString::fromStdString(method), QString::fromStdString(text));
    else
        m_waiting.push_back(id);
}

void CryptoEngine::setNotify(std::function<void(const std::string &, const nlohmann::json &)> notify)
{
    m_notify = std::move(notify);
}

qint64 CryptoEngine::rendererPid() const
{
    return m_page ? m_page->renderProcessPid() : 0;
}

void CryptoEngine::onReply(int id, bool ok, const QString &text)
{
    auto it = m_pending.find(id);
    if (it == m_pending.end())
        return;
    auto done = std::move(it->second.done);
    const std::string method = it->second.method;
    m_pending.erase(it);
    if (!ok) {
        done(Error(ErrorCode::Internal, "the encryption engine refused " + method + ": " + text.toStdString()));
        return;
    }
    auto parsed = nlohmann::json::parse(text.toStdString(), nullptr, false);
    if (parsed.is_discarded()) {
        done(Error(ErrorCode::Corrupt, "the encryption engine answered " + method + " with something that is not JSON"));
        return;
    }
    done(std::move(parsed));
}

void CryptoEngine::onNotify(const QString &kind, const QString &payloadJson)
{
    if (!m_notify)
        return;
    auto parsed = nlohmann::json::parse(payloadJson.toStdString(), nullptr, false);
    m_notify(kind.toStdString(), parsed.is_discarded() ? nlohmann::json() : parsed);
}

void CryptoEngine::onRendererGone(const QString &why)
{
    auto pending = std::move(m_pending);
    m_pending.clear();
    m_waiting.clear();
    for (auto &[id, p] : pending) {
        if (p.done)
            p.done(Error(ErrorCode::Unavailable, why.toStdString()));
    }
    if (m_notify)
        m_notify("error", nlohmann::json{{"message", why.toStdString()}});
    // Not from inside the page's own signal: load a fresh page on the next turn.
    QMetaObject::invokeMethod(this, [this] { load(); }, Qt::QueuedConnection);
}

} // namespace tessera::ui
