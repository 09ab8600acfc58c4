// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>
#include <QVariantMap>

#include <vector>

#include "widgets/catalog.h"

namespace tessera::ui {

/**
 * The widget catalog (widgets/catalog.h) in the user's language, as the "+" dialog binds it:
 * each entry a map {id, kind, type, name, description, icon, offeredBy, fields: [{key, label,
 * kind, required, value, hint}]}. The catalog decides; this only gives it words.
 */
QVariantMap catalogEntryToVariant(const widgets::CatalogEntry &entry, const QString &icon,
                                  const QString &offeredByName);

/** What the person reads next to a refused field. */
QString catalogProblemText(const widgets::CatalogEntry &entry, const widgets::FieldProblem &problem);

/** `/widget`'s help: every form it accepts and the types of this room's catalog. */
QString widgetCommandHelp(const std::vector<widgets::CatalogEntry> &entries);

/** What `/widget` says when it cannot read its words. */
QString widgetCommandErrorText(const widgets::WidgetCommandError &error, const std::vector<widgets::CatalogEntry> &entries);

} // namespace tessera::ui
