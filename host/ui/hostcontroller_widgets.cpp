// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// HostController: adding widgets (the "+" dialog's catalog, /widget, a plugin's types) and
// removing them.
#include "hostcontroller.h"

#include <algorithm>

#include <QClipboard>
#include <QDesktopServices>
#include <QGuiApplication>
#include <QFile>
#include <QLocale>
#include <QRandomGenerator>
#include <QUrl>

#include "consent/consenttypes.h"
#include "consent/mediapolicy.h"
#include "plugins/capabilitydirectory.h"
#include "plugins/pluginmanager.h"
#include "plugins/roomenablement.h"
#include "util/jsonfields.h"
#include "util/log.h"
#include "util/text.h"
#include "widgets/urlpolicy.h"

#include "pluginwords.h"
#include "qtext.h"
#include "popupaddress.h"
#include "urlrefusal.h"
#include "widgetcatalog.h"
#include "visibletext.h"

namespace tessera::ui {

using nlohmann::json;

QString HostController::addWidget(const QString &url, const QString &name)
{
    // The catalog's custom kind: the same checks and the same event as "+" and `/widget <url>`.
    const auto entries = catalogEntries();
    auto custom = std::find_if(entries.begin(), entries.end(),
                               [](const widgets::CatalogEntry &e) { return e.kind == widgets::CatalogKind::Custom; });
    std::map<std::string, std::string> values{{std::string(widgets::kFieldUrl), url.toStdString()}};
    if (!name.isEmpty())
        values[std::string(widgets::kFieldName)] = name.toStdString();
    return catalogOutcomeText(*custom, addFromCatalog(*custom, values));
}

QString HostController::catalogOutcomeText(const widgets::CatalogEntry &entry, const QVariantMap &result) const
{
    if (const QString error = result.value(QStringLiteral("error")).toString(); !error.isEmpty())
        return error;
    // The entry's fields in their order, then any key the entry does not know.
    const QVariantMap problems = result.value(QStringLiteral("problems")).toMap();
    QStringList out;
    for (const auto &field : entry.fields)
        if (const QString problem = problems.value(QString::fromStdString(field.key)).toString(); !problem.isEmpty())
            out << problem;
    for (auto it = problems.begin(); it != problems.end(); ++it)
        if (std::none_of(entry.fields.begin(), entry.fields.end(),
                         [&](const auto &f) { return QString::fromStdString(f.key) == it.key(); }))
            out << it.value().toString();
    return out.join(QLatin1Char(' '));
}

std::vector<widgets::CatalogPluginType> HostController::catalogPluginTypes() const
{
    std::vector<widgets::CatalogPluginType> out;
    if (!m_services.plugins)
        return out;
    const std::string_view page = m_pluginWidgetPage.empty() ? plugins::defaultPluginWidgetPage() : m_pluginWidgetPage;
    // The kinds "+" has entries of its own for (a Jitsi conference, a call, a web page) are added
    // by those entries, which publish an address every client can open. A plugin that shows such
    // widgets (the Jitsi fallback renders `m.jitsi` and the older `jitsi`) changes how they are
    // shown, not how they are added, and is not offered a second time.
    std::vector<std::string> builtIn{"jitsi"};
    for (const auto &e : widgets::builtInEntries(widgets::CatalogRoom{}))
        builtIn.push_back(e.widgetType);
    for (const auto &t : m_services.plugins->widgetTypes()) {
        if (std::find(builtIn.begin(), builtIn.end(), t.type) != builtIn.end())
            continue;
        widgets::CatalogPluginType c;
        c.pluginId = t.pluginId;
        c.type = t.type;
        c.name = t.displayName;
        c.description = t.description;
        c.widgetUrl = plugins::publishedWidgetUrl(t, page);
        c.fields = t.fields;
        out.push_back(std::move(c));
    }
    return out;
}

std::vector<widgets::CatalogEntry> HostController::catalogEntries() const
{
    widgets::CatalogRoom room{m_roomId, m_services.backend->userId(), m_services.urlPolicy, jitsiServer().toStdString()};
    auto entries = widgets::builtInEntries(room);
    for (const auto &t : catalogPluginTypes())
        entries.push_back(widgets::pluginEntry(t));
    if (m_offersRoom == m_roomId)
        entries.insert(entries.end(), m_offers.begin(), m_offers.end());
    return entries;
}

void HostController::publishCatalog()
{
    QVariantList list;
    for (const auto &e : catalogEntries()) {
        QString icon;
        for (const QVariant &t : m_widgetTypes) // the icons Startup registered for the plugin types
            if (t.toMap().value(QStringLiteral("type")).toString() == QString::fromStdString(e.widgetType))
                icon = t.toMap().value(QStringLiteral("icon")).toString();
        QString by;
        if (!e.offeredBy.empty()) {
            auto it = m_offerNames.find(e.offeredBy);
            by = it != m_offerNames.end() && !it->second.isEmpty() ? it->second : QString::fromStdString(e.offeredBy);
        }
        list.push_back(catalogEntryToVariant(e, icon, by));
    }
    if (list == m_catalogVariant)
        return; // unchanged: the dialog's list keeps its place
    m_catalogVariant = std::move(list);
    Q_EMIT widgetCatalogChanged();
}

void HostController::refreshWidgetCatalog()
{
    const std::uint64_t generation = ++m_catalogGeneration;
    publishCatalog();
    if (m_roomId.empty())
        return;
    // Agents' offers: read with the room's members, so only agents still in the room count.
    const std::string roomId = m_roomId;
    std::weak_ptr<int> life = m_lifetime;
    m_services.backend->readState(roomId, std::string(widgets::kAgentOfferEventType), std::nullopt,
                                  [this, life, roomId, generation](Result<std::vector<json>> offers) {
        if (life.expired() || generation != m_catalogGeneration || !offers)
            return;
        if (offers->empty()) {
            m_offers.clear();
            m_offersRoom = roomId;
            return publishCatalog();
        }
        m_services.backend->readState(roomId, "m.room.member", std::nullopt,
                                      [this, life, roomId, generation, offers = std::move(*offers)](Result<std::vector<json>> members) {
            if (life.expired() || generation != m_catalogGeneration || !members)
                return;
            std::vector<std::string> joined;
            for (const json &m : *members) {
                if (!m.is_object() || jsonString(m.value("content", json::object()), "membership") != "join")
                    continue;
                const std::string user = jsonString(m, "state_key");
                joined.push_back(user);
                m_offerNames[user] = QString::fromStdString(jsonString(m.value("content", json::object()), "displayname"));
            }
            m_offers = widgets::agentOffers(offers, catalogPluginTypes(), joined, m_services.urlPolicy);
            m_offersRoom = roomId;
            publishCatalog();
        });
    });
}

QVariantMap HostController::addCatalogWidget(const QString &entryId, const QVariantMap &values)
{
    const auto entries = catalogEntries();
    auto entry = std::find_if(entries.begin(), entries.end(),
                              [&](const widgets::CatalogEntry &e) { return e.id == entryId.toStdString(); });
    if (entry == entries.end()) {
        QVariantMap result;
        result[QStringLiteral("error")] = tr("This kind of widget is not offered here any more.");
        return result;
    }
    std::map<std::string, std::string> typed;
    for (auto it = values.begin(); it != values.end(); ++it)
        typed[it.key().toStdString()] = it.value().toString().toStdString();
    return addFromCatalog(*entry, typed);
}

std::string HostController::newWidgetId() const
{
    return "tessera_" + std::to_string(m_services.scheduler->wallClockMs()) + "_"
           + std::to_string(QRandomGenerator::global()->bounded(100000));
}

QVariantMap HostController::addFromCatalog(const widgets::CatalogEntry &entry, const std::map<std::string, std::string> &values)
{
    QVariantMap result;
    const auto fail = [&](const QString &error) {
        result[QStringLiteral("error")] = error;
        return result;
    };
    if (m_roomId.empty())
        return fail(tr("Choose a room first."));
    const std::string widgetId = newWidgetId();
    widgets::CatalogRoom room{m_roomId, m_services.backend->userId(), m_services.urlPolicy, jitsiServer().toStdString()};
    auto built = widgets::buildWidget(entry, values, room, widgetId);
    if (!built.ok()) {
        QVariantMap problems;
        for (const auto &p : built.problems)
            problems[QString::fromStdString(p.field)] = catalogProblemText(entry, p);
        result[QStringLiteral("problems")] = problems;
        return result;
    }
    if (!m_services.backend->canSendState(m_roomId, "m.widget"))
        return fail(tr("You are not allowed to add widgets to this room."));

    // Adding a plugin's widget where the plugin is not enabled yet enables it, through the same
    // io.tessera.plugin state event an agent would send, when the user may send it. A room that
    // turned the plugin off, or a user who cannot turn it on, gets the reason instead of a
    // widget that could only show "not enabled here". The widget still asks for its
    // capabilities like any other.
    std::optional<matrix::SendRequest> enable;
    if (entry.kind == widgets::CatalogKind::Plugin || entry.kind == widgets::CatalogKind::AgentOffer) {
        const plugins::PluginRecord *plugin = m_services.plugins ? m_services.plugins->find(entry.pluginId) : nullptr;
        if (!plugin)
            return fail(tr("No enabled plugin provides widgets of type %1.").arg(QString::fromStdString(entry.widgetType)));
        if (auto decision = m_widgets->pluginDecision(m_roomId, entry.widgetType); decision && !decision->enabled()) {
            if (decision->status != plugins::RoomPluginStatus::NotEnabledHere || !decision->rights.currentUserCan
                || !m_services.backend->canSendState(m_roomId, std::string(plugins::kPluginStateEventType)))
                return fail(describeRoomPlugin(*decision, plugin, q(plugin->displayName())).text);
            auto content = plugins::makePluginStateContent(*plugin, true);
            if (!content)
                return fail(q(content.error().message));
            matrix::SendRequest send;
            send.roomId = m_roomId;
            send.type = std::string(plugins::kPluginStateEventType);
            send.stateKey = plugin->id;
            send.content = std::move(content).value();
            enable = std::move(send);
        }
    }
    std::weak_ptr<int> life = m_lifetime;
    if (enable)
        m_services.backend->send(*enable, [this, life, widgetId](Result<matrix::SendResult> r) {
            if (!life.expired() && !r)
                addWidgetFailed(widgetId, r.error().message);
        });
    matrix::SendRequest send;
    send.roomId = m_roomId;
    send.type = "m.widget";
    send.stateKey = widgetId;
    send.content = std::move(*built.content);
    m_panel.activeWidgetId = widgetId;
    m_panel.open = true;
    m_panel.chosen = true;
    m_pendingWidgetId = widgetId;
    savePanel();
    m_services.backend->send(send, [this, life, widgetId](Result<matrix::SendResult> r) {
        if (!life.expired() && !r)
            addWidgetFailed(widgetId, r.error().message);
    });
    return result;
}

void HostController::addWidgetFailed(const std::string &widgetId, const std::string &message)
{
    Q_EMIT notice(tr("The widget was not added: %1").arg(q(message)));
    if (m_pendingWidgetId == widgetId) {
        m_pendingWidgetId.clear();
        refreshWidgets();
    }
}

void HostController::removeWidget(const QString &widgetId)
{
    auto *w = m_widgets->find(m_roomId, widgetId.toStdString());
    if (!w)
        return;
    matrix::SendRequest send;
    send.roomId = m_roomId;
    send.type = w->definition().eventType.empty() ? "m.widget" : w->definition().eventType;
    send.stateKey = widgetId.toStdString();
    send.content = json::object(); // removal: the same state key without url or type
    std::weak_ptr<int> life = m_lifetime;
    m_services.backend->send(send, [this, life](Result<matrix::SendResult> r) {
        if (!life.expired() && !r)
            Q_EMIT notice(tr("The widget was not removed: %1").arg(q(r.error().message)));
    });
}

} // namespace tessera::ui
