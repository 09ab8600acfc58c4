// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>
#include <QStringList>

#include <string_view>

namespace tessera::ui {

/**
 * An audit row's reason in the user's language, for the Audit page.
 *
 * The log keeps what the core wrote, in English: that is the record, hashed into the chain, and
 * what `tessera audit` prints. The page shows it translated: each reason the host writes is
 * listed in auditreason.cpp with its variable parts as %1, %2, …; a variable part that is itself
 * a known reason ("…: %1") is translated too. The reasons of the URL policy and of widget events
 * come from urlrefusal.cpp. A reason not listed (a server's or a plugin's own words) is shown as
 * it is.
 */
QString localizedAuditReason(std::string_view english);

/** Every reason localizedAuditReason() knows, as written in English with its %N parts (for tests). */
QStringList auditReasonPatterns();

/** The translation context of the reasons (tessera_es.ts). */
inline constexpr const char *kAuditReasonContext = "tessera::ui::AuditReason";

} // namespace tessera::ui
