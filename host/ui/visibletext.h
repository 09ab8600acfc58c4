// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>
#include <string>
#include <string_view>

#include "util/visibletext.h"

namespace tessera::ui {

/**
 * Untrusted text (a widget, room or plugin name, a capability, a URL, an audit reason) as the
 * shell shows it: invisible and bidirectional control characters written out as `⟨U+202E⟩`
 * (text::escapeInvisible). Every model that hands such text to QML passes it through here.
 */
inline QString visibleText(std::string_view utf8)
{
    return QString::fromStdString(text::escapeInvisible(utf8));
}

inline QString visibleText(const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    return visibleText(std::string_view(utf8.constData(), std::size_t(utf8.size())));
}

/** True if @p text hides characters (what visibleText() would write out). */
inline bool hidesCharacters(const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    return text::hasInvisible(std::string_view(utf8.constData(), std::size_t(utf8.size())));
}

} // namespace tessera::ui
