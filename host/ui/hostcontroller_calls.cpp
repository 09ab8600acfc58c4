// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// HostController: when a room's call widget cannot work, Jitsi instead (issue 16's fallback as
// the shell sees it: from the call widget's own state).
#include "hostcontroller.h"

#include <algorithm>

#include "widgets/catalog.h"

#include "qtext.h"
#include "widgetcatalog.h"
#include "widgetcontroller.h"

namespace tessera::ui {

namespace {

/** The states in which a call widget cannot carry a call. */
bool cannotCall(const QString &state)
{
    return state == QLatin1String("needs_server") || state == QLatin1String("no_api") || state == QLatin1String("failed")
        || state == QLatin1String("crashed");
}

bool isJitsi(const WidgetController &w)
{
    const std::string &type = w.definition().type;
    return type == "m.jitsi" || type == "jitsi";
}

/** Where the user's Jitsi Meet server is kept (UiState). */
constexpr char kJitsiServerSetting[] = "jitsiServer";

QString declineKey(const std::string &roomId, const WidgetController &w)
{
    return q(roomId) + QLatin1Char('\n') + q(w.definition().id) + QLatin1Char('\n') + QString::number(w.generation());
}

} // namespace

void HostController::updateCallFallback()
{
    QVariantMap next;
    const auto widgetAt = [](QObject *o) { return static_cast<WidgetController *>(o); };
    const bool hasJitsi = std::any_of(m_currentWidgets.begin(), m_currentWidgets.end(),
                                      [&](QObject *o) { return isJitsi(*widgetAt(o)); });
    if (!hasJitsi) {
        for (QObject *o : m_currentWidgets) {
            const WidgetController &w = *widgetAt(o);
            if (!w.isCall() || !cannotCall(w.state()) || declineKey(m_roomId, w) == m_callFallbackDeclined)
                continue;
            next[QStringLiteral("widgetId")] = q(w.definition().id);
            next[QStringLiteral("name")] = w.name();
            next[QStringLiteral("reason")] = w.errorTitle();
            break;
        }
    }
    if (next == m_callFallback)
        return;
    m_callFallback = next;
    Q_EMIT callFallbackChanged();
}

QVariantMap HostController::useJitsiInstead()
{
    QVariantMap result;
    if (m_callFallback.isEmpty()) {
        result[QStringLiteral("error")] = tr("There is no call to replace here.");
        return result;
    }
    // The catalog's Jitsi kind with nothing typed: the room's own conference on the user's
    // server, so everyone who falls back meets there.
    return addCatalogWidget(QStringLiteral("jitsi"), {});
}

void HostController::dismissCallFallback()
{
    const QString id = m_callFallback.value(QStringLiteral("widgetId")).toString();
    for (QObject *o : m_currentWidgets) {
        auto *w = static_cast<WidgetController *>(o);
        if (q(w->definition().id) == id)
            m_callFallbackDeclined = declineKey(m_roomId, *w);
    }
    updateCallFallback();
}

QString HostController::jitsiServer() const
{
    const auto saved = m_ui.value(kJitsiServerSetting);
    return saved && !saved->empty() ? q(*saved) : q(std::string(widgets::kDefaultJitsiDomain));
}

QString HostController::saveJitsiServer(const QString &server)
{
    // Checked as the "+" dialog checks its Jitsi server field, with the same words.
    widgets::CatalogRoom room{m_roomId, m_services.backend->userId(), m_services.urlPolicy, {}};
    const auto entries = widgets::builtInEntries(room);
    const auto jitsi = std::find_if(entries.begin(), entries.end(),
                                    [](const widgets::CatalogEntry &e) { return e.kind == widgets::CatalogKind::Jitsi; });
    std::string value;
    if (!server.trimmed().isEmpty() && jitsi != entries.end()) {
        const auto field = std::find_if(jitsi->fields.begin(), jitsi->fields.end(),
                                        [](const widgets::CatalogField &f) { return f.key == widgets::kFieldDomain; });
        auto checked = widgets::checkField(*field, server.toStdString(), m_services.urlPolicy);
        if (const auto *problem = std::get_if<widgets::FieldProblem>(&checked))
            return catalogProblemText(*jitsi, *problem);
        value = std::get<std::string>(checked);
    }
    if (value == std::string(widgets::kDefaultJitsiDomain))
        value.clear(); // the default stays the default if it ever changes
    m_ui.setValue(kJitsiServerSetting, value);
    Q_EMIT jitsiServerChanged();
    publishCatalog(); // "+" offers the new server
    return {};
}

} // namespace tessera::ui
