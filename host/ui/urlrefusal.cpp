// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "urlrefusal.h"

#include <QCoreApplication>

namespace tessera::ui {

namespace {

constexpr const char *kContext = "tessera::ui::UrlRefusal";

// Every reason of host/core/widgets/urlpolicy.cpp and url.cpp as checkWidgetUrl() returns it,
// with at most one variable part written %1.
constexpr const char *kReasons[] = {
    QT_TRANSLATE_NOOP("tessera::ui::UrlRefusal", "%1: URLs are never loaded as widgets"),
    QT_TRANSLATE_NOOP("tessera::ui::UrlRefusal", "%1: URLs are reserved for widgets served by plugins"),
    QT_TRANSLATE_NOOP("tessera::ui::UrlRefusal", "plugin widget URL has no plugin id"),
    QT_TRANSLATE_NOOP("tessera::ui::UrlRefusal", "only https: widget URLs are allowed (got %1:)"),
    QT_TRANSLATE_NOOP("tessera::ui::UrlRefusal", "widget URL must start with %1://"),
    QT_TRANSLATE_NOOP("tessera::ui::UrlRefusal", "widget URL must not contain a user name or password"),
    QT_TRANSLATE_NOOP("tessera::ui::UrlRefusal",
                      "http: is only allowed for loopback hosts (localhost, 127.0.0.1, [::1]); use https:"),
    QT_TRANSLATE_NOOP("tessera::ui::UrlRefusal", "http: on a loopback host needs the developer switch --allow-http-loopback"),
    QT_TRANSLATE_NOOP("tessera::ui::UrlRefusal", "widget URL is empty"),
    QT_TRANSLATE_NOOP("tessera::ui::UrlRefusal", "widget URL is longer than %1 bytes"),
    QT_TRANSLATE_NOOP("tessera::ui::UrlRefusal", "widget URL contains a space or control character"),
    QT_TRANSLATE_NOOP("tessera::ui::UrlRefusal", "widget URL contains a backslash"),
    QT_TRANSLATE_NOOP("tessera::ui::UrlRefusal", "widget URL is not valid UTF-8"),
    QT_TRANSLATE_NOOP("tessera::ui::UrlRefusal", "widget URL has no scheme"),
    QT_TRANSLATE_NOOP("tessera::ui::UrlRefusal", "widget URL has an unterminated IPv6 address"),
    QT_TRANSLATE_NOOP("tessera::ui::UrlRefusal", "widget URL has characters after its IPv6 address"),
    QT_TRANSLATE_NOOP("tessera::ui::UrlRefusal", "widget URL host is not a valid IPv6 address"),
    QT_TRANSLATE_NOOP("tessera::ui::UrlRefusal", "widget URL has no host"),
    QT_TRANSLATE_NOOP("tessera::ui::UrlRefusal",
                      "widget URL host has non-ASCII characters; write internationalised names in punycode (xn--…)"),
    QT_TRANSLATE_NOOP("tessera::ui::UrlRefusal", "widget URL host is percent-encoded"),
    QT_TRANSLATE_NOOP("tessera::ui::UrlRefusal", "widget URL host contains the character '%1'"),
    QT_TRANSLATE_NOOP("tessera::ui::UrlRefusal", "widget URL host has an empty label"),
    QT_TRANSLATE_NOOP("tessera::ui::UrlRefusal",
                      "widget URL host looks like an IP address but is not a plain dotted-quad (e.g. 127.0.0.1)"),
    QT_TRANSLATE_NOOP("tessera::ui::UrlRefusal", "widget URL port is not a number"),
    QT_TRANSLATE_NOOP("tessera::ui::UrlRefusal", "widget URL port is out of range (1-65535)"),
};

constexpr const char *kWidgetEventContext = "tessera::ui::WidgetEventError";

// Every reason of host/core/widgets/widgetdefinition.cpp's parseWidgetStateEvent().
constexpr const char *kWidgetEventErrors[] = {
    QT_TRANSLATE_NOOP("tessera::ui::WidgetEventError", "widget state event is not a JSON object"),
    QT_TRANSLATE_NOOP("tessera::ui::WidgetEventError", "event type must be m.widget or im.vector.modular.widgets"),
    QT_TRANSLATE_NOOP("tessera::ui::WidgetEventError", "widget state event has no state_key (the widget id)"),
    QT_TRANSLATE_NOOP("tessera::ui::WidgetEventError", "widget id is longer than 255 bytes"),
    QT_TRANSLATE_NOOP("tessera::ui::WidgetEventError", "widget state event has no content object"),
    QT_TRANSLATE_NOOP("tessera::ui::WidgetEventError", "widget `url` must be a non-empty string"),
    QT_TRANSLATE_NOOP("tessera::ui::WidgetEventError", "widget `url` is longer than %1 bytes"),
    QT_TRANSLATE_NOOP("tessera::ui::WidgetEventError", "widget `type` must be a non-empty string"),
    QT_TRANSLATE_NOOP("tessera::ui::WidgetEventError", "widget `name` must be a string"),
    QT_TRANSLATE_NOOP("tessera::ui::WidgetEventError", "widget `data` must be an object"),
    QT_TRANSLATE_NOOP("tessera::ui::WidgetEventError", "widget `waitForIframeLoad` must be a boolean"),
    QT_TRANSLATE_NOOP("tessera::ui::WidgetEventError", "widget `creatorUserId` must be a string"),
    QT_TRANSLATE_NOOP("tessera::ui::WidgetEventError", "widget `avatar_url` must be an mxc:// URI"),
};

template<std::size_t N>
QString localized(const char *context, const char *const (&reasons)[N], std::string_view english)
{
    for (const char *reason : reasons) {
        const std::string_view pattern(reason);
        const auto hole = pattern.find("%1");
        if (hole == std::string_view::npos) {
            if (english == pattern)
                return QCoreApplication::translate(context, reason);
            continue;
        }
        const std::string_view before = pattern.substr(0, hole);
        const std::string_view after = pattern.substr(hole + 2);
        if (english.size() > before.size() + after.size() && english.substr(0, before.size()) == before
            && english.substr(english.size() - after.size()) == after) {
            const std::string_view part = english.substr(before.size(), english.size() - before.size() - after.size());
            return QCoreApplication::translate(context, reason)
                .arg(QString::fromUtf8(part.data(), static_cast<qsizetype>(part.size())));
        }
    }
    return QString::fromUtf8(english.data(), static_cast<qsizetype>(english.size()));
}

} // namespace

QString localizedUrlRefusal(std::string_view english)
{
    return localized(kContext, kReasons, english);
}

QString localizedWidgetEventError(std::string_view english)
{
    return localized(kWidgetEventContext, kWidgetEventErrors, english);
}

} // namespace tessera::ui
