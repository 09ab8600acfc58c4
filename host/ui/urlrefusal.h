// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

#include <string_view>

namespace tessera::ui {

/**
 * The reason widgets::checkWidgetUrl() gave for refusing a URL, in the user's language.
 *
 * The core writes its reasons in English (they also go to the audit log and the command line,
 * which stay English); the shell shows them translated. Each known reason is listed here with
 * its variable part as %1; a reason not listed is shown as it is.
 */
QString localizedUrlRefusal(std::string_view english);

/** The reason widgets::parseWidgetStateEvent() gave for a widget event it cannot read, in the user's language. */
QString localizedWidgetEventError(std::string_view english);

} // namespace tessera::ui
