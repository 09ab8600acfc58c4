// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "schemehandler.h"

#include <QBuffer>
#include <QFile>
#include <QRandomGenerator>
#include <QUrl>
#include <QUrlQuery>
#include <QWebEngineUrlRequestJob>
#include <QWebEngineUrlScheme>

#include "cryptoengine.h"

namespace tessera::ui {

QByteArray mimeTypeForPath(const QString &path)
{
    const QString p = path.toLower();
    static const std::pair<const char *, const char *> kTypes[] = {
        {".html", "text/html"}, {".htm", "text/html"},     {".js", "text/javascript"}, {".mjs", "text/javascript"},
        {".css", "text/css"},   {".json", "application/json"}, {".svg", "image/svg+xml"}, {".png", "image/png"},
        {".jpg", "image/jpeg"}, {".jpeg", "image/jpeg"},   {".gif", "image/gif"},       {".webp", "image/webp"},
        {".woff2", "font/woff2"}, {".woff", "font/woff"},  {".wasm", "application/wasm"}, {".txt", "text/plain"},
    };
    for (const auto &[ext, type] : kTypes) {
        if (p.endsWith(QLatin1String(ext)))
            return type;
    }
    return "application/octet-stream";
}

void registerSchemes()
{
    for (const char *name : {kAppScheme, kPluginScheme}) {
        QWebEngineUrlScheme scheme(name);
        scheme.setSyntax(QWebEngineUrlScheme::Syntax::Host);
        scheme.setFlags(QWebEngineUrlScheme::SecureScheme);
        QWebEngineUrlScheme::registerScheme(scheme);
    }
    // The encryption engine's page reads its WebAssembly module from its own origin (XHR needs CORS).
    QWebEngineUrlScheme crypto(kCryptoScheme);
    crypto.setSyntax(QWebEngineUrlScheme::Syntax::Host);
    crypto.setFlags(QWebEngineUrlScheme::SecureScheme | QWebEngineUrlScheme::CorsEnabled);
    QWebEngineUrlScheme::registerScheme(crypto);
}

namespace {
void replyWith(QWebEngineUrlRequestJob *job, const QByteArray &mimeType, const QByteArray &body)
{
    auto *buffer = new QBuffer(job);
    buffer->setData(body);
    buffer->open(QIODevice::ReadOnly);
    job->reply(mimeType, buffer);
}

QByteArray readResource(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}
} // namespace

AppSchemeHandler::AppSchemeHandler(QObject *parent) : QWebEngineUrlSchemeHandler(parent) {}

QString AppSchemeHandler::registerView(const QString &widgetOrigin)
{
    QString token;
    do {
        token = QString::number(QRandomGenerator::system()->generate64(), 36)
            + QString::number(QRandomGenerator::system()->generate64(), 36);
    } while (m_views.contains(token));
    m_views.insert(token, widgetOrigin);
    return token;
}

void AppSchemeHandler::unregisterView(const QString &token)
{
    m_views.remove(token);
}

QString AppSchemeHandler::wrapperUrl(const QString &token)
{
    return QStringLiteral("tessera://app/wrapper.html?view=") + token;
}

QString AppSchemeHandler::contentSecurityPolicy(const QString &widgetOrigin)
{
    // The wrapper runs only its own script and may frame exactly one origin: the widget's.
    return QStringLiteral("default-src 'none'; script-src tessera://app; style-src tessera://app; "
                          "img-src tessera://app data:; frame-src %1; child-src %1; connect-src 'none'; "
                          "font-src 'none'; media-src 'none'; object-src 'none'; worker-src 'none'; "
                          "manifest-src 'none'; base-uri 'none'; form-action 'none'")
        .arg(widgetOrigin);
}

void AppSchemeHandler::requestStarted(QWebEngineUrlRequestJob *job)
{
    const QUrl url = job->requestUrl();
    if (url.host() != QLatin1String("app") || job->requestMethod() != "GET") {
        job->fail(QWebEngineUrlRequestJob::UrlNotFound);
        return;
    }
    const QString path = url.path();
    if (path == QLatin1String("/wrapper.html")) {
        const QString token = QUrlQuery(url).queryItemValue(QStringLiteral("view"));
        const auto it = m_views.constFind(token);
        if (token.isEmpty() || it == m_views.constEnd()) {
            job->fail(QWebEngineUrlRequestJob::RequestDenied);
            return;
        }
        QByteArray page = readResource(QStringLiteral(":/tessera/web/wrapper.html"));
        page.replace("@CSP@", contentSecurityPolicy(it.value()).toHtmlEscaped().toUtf8());
        replyWith(job, "text/html", page);
    } else if (path == QLatin1String("/wrapper.js")) {
        replyWith(job, "text/javascript", readResource(QStringLiteral(":/tessera/web/wrapper.js")));
    } else if (path == QLatin1String("/wrapper.css")) {
        replyWith(job, "text/css", readResource(QStringLiteral(":/tessera/web/wrapper.css")));
    } else if (path == QLatin1String("/qwebchannel.js")) {
        replyWith(job, "text/javascript", readResource(QStringLiteral(":/qtwebchannel/qwebchannel.js")));
    } else {
        job->fail(QWebEngineUrlRequestJob::UrlNotFound);
    }
}

PluginSchemeHandler::PluginSchemeHandler(AssetLookup lookup, QObject *parent)
    : QWebEngineUrlSchemeHandler(parent), m_lookup(std::move(lookup))
{
}

void PluginSchemeHandler::requestStarted(QWebEngineUrlRequestJob *job)
{
    const QUrl url = job->requestUrl();
    QByteArray mime, body;
    QString path = url.path();
    if (path.isEmpty() || path == QLatin1String("/"))
        path = QStringLiteral("/index.html");
    QString refusal;
    if (path.contains(QLatin1String(".."))) // what is left of ".." after the engine resolved the URL: an encoded form
        refusal = QStringLiteral("the path contains \"..\"");
    const bool found = refusal.isEmpty() && job->requestMethod() == "GET" && m_lookup
        && m_lookup(url.host(), path.mid(1), mime, body, refusal);
    if (!found) {
        if (!refusal.isEmpty() && m_refused)
            m_refused(url.host(), url.path(QUrl::FullyEncoded), refusal, job->initiator().toString());
        job->fail(refusal.isEmpty() ? QWebEngineUrlRequestJob::UrlNotFound : QWebEngineUrlRequestJob::RequestDenied);
        return;
    }
    replyWith(job, mime, body);
}

} // namespace tessera::ui
