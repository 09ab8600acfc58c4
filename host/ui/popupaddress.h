// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

namespace tessera::ui {

/**
 * @brief An address a widget asked to open in a new window, as the popup prompt shows it.
 *
 * Only plain https: addresses without a user name or password are put to the user; anything
 * else is refused before a prompt shows (`refusal` says why, in English for the audit log).
 * What the user reads is what the browser would load: the host in its ASCII form (punycode,
 * `xn--…`) so that look-alike letters from other alphabets cannot pass for Latin ones, every
 * character outside printable ASCII percent-encoded, and the registrable domain (the part of
 * the host a single owner controls, from the Public Suffix List) on its own.
 */
struct PopupAddress {
    QString refusal;        ///< why it is not put to the user; empty when it may be
    QString url;            ///< the address opened (and shown): ASCII, host in punycode
    QString host;           ///< ASCII (punycode)
    QString domain;         ///< the registrable domain (ASCII); the host itself when it has none
    bool internationalized = false; ///< the host has labels in other alphabets (xn--…)
};

/** Checks and normalises @p url (as Chromium handed it over) for the popup prompt. */
PopupAddress checkPopupAddress(const QString &url);

/**
 * The registrable domain of @p asciiHost (lower case, punycode) by the Public Suffix List the
 * system provides (Debian's publicsuffix, read by libpsl): "example.co.uk" for
 * "a.b.example.co.uk". Empty for an IP address, a single label or a public suffix itself.
 */
QString registrableDomain(const QString &asciiHost);

} // namespace tessera::ui
