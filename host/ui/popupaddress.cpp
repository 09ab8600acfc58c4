// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "popupaddress.h"

#include <QHostAddress>
#include <QUrl>

#include <libpsl.h>

namespace tessera::ui {

namespace {

const psl_ctx_t *publicSuffixes()
{
    // The newest of libpsl's built-in list and the system's file (publicsuffix); loaded once.
    static const psl_ctx_t *const ctx = [] {
        const psl_ctx_t *latest = psl_latest(nullptr);
        return latest ? latest : psl_builtin();
    }();
    return ctx;
}

// The authority as written ("user@host:port"), even where QUrl drops an empty user name.
QString authorityOf(const QString &text)
{
    const int start = text.indexOf(QLatin1String("//"));
    if (start < 0)
        return {};
    int end = text.size();
    for (QChar c : {QLatin1Char('/'), QLatin1Char('?'), QLatin1Char('#')}) {
        const int at = text.indexOf(c, start + 2);
        if (at >= 0 && at < end)
            end = at;
    }
    return text.mid(start + 2, end - start - 2);
}

} // namespace

QString registrableDomain(const QString &asciiHost)
{
    const psl_ctx_t *psl = publicSuffixes();
    if (!psl || asciiHost.isEmpty() || !QHostAddress(asciiHost).isNull())
        return {};
    const QByteArray host = asciiHost.toLower().toUtf8();
    const char *domain = psl_registrable_domain(psl, host.constData());
    return domain ? QString::fromUtf8(domain) : QString();
}

PopupAddress checkPopupAddress(const QString &text)
{
    PopupAddress out;
    // The engine hands over canonical URLs; the scheme is judged first, whatever follows it.
    const QUrl url(text);
    const QString scheme = url.scheme().toLower();
    if (scheme != QLatin1String("https")) {
        // javascript:, data:, about:, file:, Tessera's own schemes and plain http: alike.
        out.refusal = QStringLiteral("only https: addresses are opened (this one is %1:)").arg(scheme);
        return out;
    }
    if (!url.isValid()) {
        out.refusal = QStringLiteral("not a valid address");
        return out;
    }
    if (!url.userInfo().isEmpty() || authorityOf(text).contains(QLatin1Char('@'))) {
        // https://good.example@evil.example/ goes to evil.example; a password would be shown.
        out.refusal = QStringLiteral("the address carries a user name or password");
        return out;
    }
    out.host = url.host(QUrl::FullyEncoded).toLower();
    if (out.host.isEmpty()) {
        out.refusal = QStringLiteral("the address has no host");
        return out;
    }
    for (const QString &label : out.host.split(QLatin1Char('.')))
        out.internationalized = out.internationalized || label.startsWith(QLatin1String("xn--"));
    out.domain = registrableDomain(out.host);
    if (out.domain.isEmpty())
        out.domain = out.host;
    QUrl ascii = url;
    ascii.setHost(out.host);
    out.url = ascii.toString(QUrl::FullyEncoded);
    return out;
}

} // namespace tessera::ui
