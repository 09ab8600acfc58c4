// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "widgetmanager.h"

#include <QTimer>
#include <QUrl>
#include <algorithm>
#include <map>
#include <string_view>

#include "plugins/pluginmanager.h"
#include "plugins/roomenablement.h"
#include "util/text.h"
#include "util/jsonfields.h"

namespace tessera::ui {

using nlohmann::json;

WidgetManager::WidgetManager(HostServices &services, QObject *parent) : QObject(parent), m_services(services) {}

WidgetManager::~WidgetManager()
{
    if (m_listening)
        m_services.consent->removeListener(this);
    m_listener.reset();
    m_modalOwner.reset();
    m_rooms.clear();
}

void WidgetManager::start()
{
    matrix::RoomListener listener;
    std::weak_ptr<int> life = m_lifetime;
    listener.onEvent = [this, life](const json &event) {
        if (!life.expired())
            onEvent(event);
    };
    listener.onStateChanged = [this, life](const json &event) {
        if (!life.expired())
            onStateChanged(event);
    };
    listener.onToDevice = [this, life](const json &message) {
        if (!life.expired())
            onToDevice(message);
    };
    // An encrypted event whose key arrived late reaches widgets then, decrypted (as Element does);
    // until then they got nothing for it (see onEvent).
    listener.onEventDecrypted = [this, life](const json &event) {
        if (!life.expired())
            forEachOpen([&](WidgetController &w) { w.feedEvent(event); });
    };
    m_listener = m_services.backend->addListener(std::move(listener));
    if (!m_listening) {
        m_services.consent->addListener(this);
        m_listening = true;
    }
}

void WidgetManager::onBrowserPermissionRevoked(const std::string &userId, const std::string &origin,
                                               consent::BrowserPermission permission)
{
    if (userId != m_services.backend->userId())
        return;
    std::vector<QPointer<WidgetController>> live;
    forEachOpen([&](WidgetController &w) {
        if (w.origin().toStdString() == origin)
            live.emplace_back(&w);
    });
    // After the consent service has finished its change, never from inside it.
    QTimer::singleShot(0, this, [live, permission] {
        for (const auto &w : live)
            if (w)
                w->browserPermissionRevoked(permission);
    });
}

std::vector<WidgetController *> WidgetManager::widgetsFor(const std::string &roomId)
{
    if (!m_loaded[roomId])
        refreshRoom(roomId);
    std::vector<WidgetController *> out;
    for (const auto &w : m_rooms[roomId])
        out.push_back(w.get());
    return out;
}

const std::vector<WidgetManager::UnreadableWidget> &WidgetManager::unreadableWidgets(const std::string &roomId) const
{
    static const std::vector<UnreadableWidget> none;
    auto it = m_unreadable.find(roomId);
    return it == m_unreadable.end() ? none : it->second;
}

void WidgetManager::reportRefusal(const std::string &roomId, const std::string &widgetId, const std::string &action,
                                  const std::string &reason)
{
    if (m_refusalSink)
        m_refusalSink(roomId, widgetId, action, reason);
}

WidgetController *WidgetManager::find(const std::string &roomId, const std::string &widgetId) const
{
    auto it = m_rooms.find(roomId);
    if (it == m_rooms.end())
        return nullptr;
    for (const auto &w : it->second) {
        if (w->definition().id == widgetId)
            return w.get();
    }
    return nullptr;
}

void WidgetManager::refreshRoom(const std::string &roomId)
{
    m_loaded[roomId] = true;
    std::weak_ptr<int> life = m_lifetime;
    auto collected = std::make_shared<std::vector<json>>();
    auto pluginState = std::make_shared<std::vector<json>>();
    auto powerLevels = std::make_shared<json>();
    // $matrix_display_name in the widgets' URLs: the user's profile is asked for once, before the
    // first widgets are made (the user id stands in only when the server has no display name).
    if (m_profileUser != m_services.backend->userId()) {
        m_profileUser = m_services.backend->userId(); // another account: its own name
        m_displayName.clear();
        m_profileAsked = false;
    }
    const bool needProfile = !m_profileAsked && !m_profileUser.empty();
    m_profileAsked = true;
    auto remaining = std::make_shared<int>(needProfile ? 5 : 4);
    const auto finish = [this, roomId, collected, pluginState, powerLevels, remaining] {
        if (--*remaining != 0)
            return;
        m_pluginState[roomId] = std::move(*pluginState);
        m_powerLevels[roomId] = std::move(*powerLevels);
        applyWidgetState(roomId, std::move(*collected));
    };
    for (const char *type : {"m.widget", "im.vector.modular.widgets"}) {
        m_services.backend->readState(roomId, type, std::nullopt, [life, collected, finish](Result<std::vector<json>> r) {
            if (life.expired())
                return;
            if (r) {
                for (auto &ev : *r)
                    collected->push_back(std::move(ev));
            }
            finish();
        });
    }
    // Which plugins the room enabled, and who may change that (for the "not enabled here" tile).
    m_services.backend->readState(roomId, "io.tessera.plugin", std::nullopt, [life, pluginState, finish](Result<std::vector<json>> r) {
        if (life.expired())
            return;
        if (r)
            *pluginState = std::move(*r);
        finish();
    });
    if (needProfile) {
        const std::string user = m_services.backend->userId();
        m_services.backend->profile(user, [this, life, user, finish](Result<matrix::Profile> profile) {
            if (life.expired())
                return;
            if (profile && profile->displayName && m_displayName.empty() && user == m_profileUser)
                m_displayName = *profile->displayName;
            finish();
        });
    }
    m_services.backend->readState(roomId, "m.room.power_levels", std::string(), [life, powerLevels, finish](Result<std::vector<json>> r) {
        if (life.expired())
            return;
        if (r && !r->empty())
            *powerLevels = r->front().value("content", json());
        finish();
    });
}

void WidgetManager::applyWidgetState(const std::string &roomId, std::vector<json> events)
{
    // m.widget wins over the legacy type for the same widget id.
    std::map<std::string, widgets::WidgetDefinition> defs;
    std::vector<std::string> order;
    std::sort(events.begin(), events.end(), [](const json &a, const json &b) {
        return jsonInt(a, "origin_server_ts") < jsonInt(b, "origin_server_ts");
    });
    std::vector<UnreadableWidget> unreadable;
    auto &reported = m_reportedUnreadable[roomId];
    for (auto &ev : events) {
        if (!ev.contains("room_id"))
            ev["room_id"] = roomId;
        auto parsed = widgets::parseWidgetStateEvent(ev);
        if (!parsed) {
            // Not shown, but not silently: the panel says how many could not be read and why,
            // and each is audited once (any member can send them, so under the refusal limit).
            UnreadableWidget bad{jsonString(ev, "state_key"), jsonString(ev, "event_id"), jsonString(ev, "type"),
                                 jsonString(ev, "sender"), parsed.error().message};
            if (reported.insert(bad.eventId.empty() ? bad.eventType + '\n' + bad.widgetId : bad.eventId).second)
                reportRefusal(roomId, bad.widgetId, "load_widget",
                              "refused, its " + bad.eventType + " event " + bad.eventId + " from " + bad.sender
                                  + " cannot be read: " + bad.reason);
            unreadable.push_back(std::move(bad));
            continue;
        }
        if (!parsed->has_value())
            continue; // removed widgets are not shown (MSC2764)
        widgets::WidgetDefinition def = std::move(**parsed);
        auto existing = defs.find(def.id);
        if (existing != defs.end() && existing->second.eventType == widgets::kWidgetEventType
            && def.eventType != widgets::kWidgetEventType)
            continue;
        if (existing == defs.end())
            order.push_back(def.id);
        defs[def.id] = std::move(def);
    }

    auto &list = m_rooms[roomId];
    // By id, not by search: a room may hold thousands of widgets.
    std::map<std::string_view, std::unique_ptr<WidgetController> *> existing;
    for (auto &w : list)
        if (w)
            existing.emplace(w->definition().id, &w);
    std::vector<std::unique_ptr<WidgetController>> next;
    next.reserve(order.size());
    for (const auto &id : order) {
        const auto &def = defs[id];
        auto it = existing.find(id);
        if (it != existing.end() && *it->second && (*it->second)->sameDefinition(def)) {
            next.push_back(std::move(*it->second));
            continue;
        }
        // New, or edited: an edited widget is a new widget (load consent is keyed by the event).
        next.push_back(std::make_unique<WidgetController>(m_services, *this, def));
    }
    for (auto &old : list) {
        if (old)
            old->deactivate();
    }
    list = std::move(next);
    m_unreadable[roomId] = std::move(unreadable);
    Q_EMIT roomWidgetsChanged(QString::fromStdString(roomId));
    Q_EMIT alwaysOnScreenWidgetChanged();
}

QObject *WidgetManager::alwaysOnScreenWidget() const
{
    // Shown as a floating tile while the user looks at another room.
    for (const auto &[room, list] : m_rooms) {
        if (room == m_viewedRoom)
            continue;
        for (const auto &w : list) {
            if (w->alwaysOnScreen() && w->state() == QLatin1String("ready"))
                return w.get();
        }
    }
    return nullptr;
}

void WidgetManager::setViewedRoom(const std::string &roomId)
{
    if (m_viewedRoom == roomId)
        return;
    // Leaving a room stops its widgets unless they asked to stay on screen (MSC1354).
    auto it = m_rooms.find(m_viewedRoom);
    if (it != m_rooms.end()) {
        for (const auto &w : it->second) {
            if (!w->alwaysOnScreen())
                w->deactivate();
        }
    }
    m_viewedRoom = roomId;
    Q_EMIT alwaysOnScreenWidgetChanged();
}

void WidgetManager::setDark(bool dark)
{
    if (m_dark == dark)
        return;
    m_dark = dark;
    forEachOpen([dark](WidgetController &w) { w.updateTheme(dark); });
}

void WidgetManager::setLanguage(const QString &lang)
{
    if (m_language == lang)
        return;
    m_language = lang;
    forEachOpen([lang](WidgetController &w) { w.updateLanguage(lang); });
    // A plugin widget shown under its type's name shows it in the new language.
    for (auto &[room, list] : m_rooms)
        for (auto &w : list)
            Q_EMIT w->definitionChanged();
}

void WidgetManager::setUserProfile(const std::string &displayName, const std::string &avatarHttpUrl)
{
    m_displayName = displayName;
    m_avatarUrl = avatarHttpUrl;
}

void WidgetManager::forEachOpen(const std::function<void(WidgetController &)> &fn)
{
    for (auto &[room, list] : m_rooms) {
        for (auto &w : list) {
            if (w->session())
                fn(*w);
        }
    }
    if (m_modal && m_modal->session())
        fn(*m_modal);
}

void WidgetManager::onEvent(const json &event)
{
    // An event still encrypted could not be decrypted: widgets get it when it can be.
    if (jsonString(event, "type") == "m.room.encrypted")
        return;
    forEachOpen([&](WidgetController &w) { w.feedEvent(event); });
}

void WidgetManager::onStateChanged(const json &event)
{
    forEachOpen([&](WidgetController &w) { w.feedStateUpdate(event); });
    const std::string type = jsonString(event, "type");
    const std::string room = jsonString(event, "room_id");
    if ((type == widgets::kWidgetEventType || type == widgets::kLegacyWidgetEventType || type == "io.tessera.plugin"
         || type == "m.room.power_levels")
        && m_loaded[room])
        refreshRoom(room);
}

void WidgetManager::onToDevice(const json &message)
{
    forEachOpen([&](WidgetController &w) { w.feedToDevice(message); });
}

namespace {
// A plugin that is enabled but did not give a page: the plugin's own words are the detail.
PluginWords pageFailure(const std::string &detail)
{
    return {WidgetManager::tr("The plugin could not show this widget"),
            WidgetManager::tr("The plugin that provides this widget did not give Tessera a page for it. Reloading may help."),
            QString::fromStdString(detail)};
}
// The plugin runs, but this widget's data is not something it can show: the room's widget is
// wrong, not the plugin, and reloading will not change that. The plugin's reason is the detail.
PluginWords badWidget(const std::string &reason)
{
    return {WidgetManager::tr("This widget cannot be shown"),
            WidgetManager::tr("The plugin that provides this widget cannot show it as it was added to this room."),
            QString::fromStdString(reason)};
}
} // namespace

std::optional<WidgetManager::PluginPage> WidgetManager::pluginWidgetPage(const widgets::WidgetDefinition &widget)
{
    // The welcome room's demo widget ships with Tessera and is served like a bundled plugin's page.
    // It starts in the client's theme and language, as MSC2873's template variables give them.
    if (widget.type == "io.tessera.welcome")
        return PluginPage{widgets::runTemplate(
                              "tessera-plugin://io.tessera.welcome/index.html?theme=$org.matrix.msc2873.client_theme"
                              "&lang=$org.matrix.msc2873.client_language",
                              widget.data, templateParams(widget)),
                          {}};
    if (!m_services.plugins)
        return std::nullopt;
    auto decision = plugins::decideWidgetType(widget.type, *m_services.plugins, m_pluginState[widget.roomId],
                                              m_powerLevels[widget.roomId], m_services.backend->userId());
    if (!decision)
        return std::nullopt; // an ordinary widget
    if (!decision->enabled()) {
        const plugins::PluginRecord *plugin = m_services.plugins->find(decision->pluginId);
        const QString name = QString::fromStdString(plugin ? plugin->displayName() : decision->pluginId);
        PluginPage page;
        page.refusal = describeRoomPlugin(*decision, plugin, name);
        // Added by someone else (an agent) who may not enable the plugin: the server refused
        // that, and the tile says so, with the levels.
        if (decision->status == plugins::RoomPluginStatus::NotEnabledHere && !widget.sender.empty()
            && widget.sender != m_services.backend->userId()) {
            if (auto limit = plugins::adderCannotEnable(m_powerLevels[widget.roomId], widget.sender))
                page.refusal.text = describeAdderLimit(*limit, QString::fromStdString(widget.sender), name)
                                    + QLatin1Char(' ') + page.refusal.text;
        }
        return page;
    }
    const plugins::WidgetTypeInfo *info = m_services.plugins->findWidgetType(widget.type);
    if (!info)
        return PluginPage{{}, pageFailure("no running plugin provides " + widget.type)};
    switch (info->source) {
    case plugins::WidgetSource::Assets: {
        // Like the welcome widget, a served page starts in the client's theme and language
        // (MSC2873's variables); theme_change and language_change tell it of later changes. The
        // user's id lets a page tell its own changes from other members' in the room.
        const char *join = info->assetEntry.find('?') == std::string::npos ? "?" : "&";
        return PluginPage{"tessera-plugin://" + info->pluginId + "/" + info->assetEntry
                              + widgets::runTemplate(std::string(join)
                                                         + "theme=$org.matrix.msc2873.client_theme"
                                                           "&lang=$org.matrix.msc2873.client_language"
                                                           "&userId=$matrix_user_id",
                                                     json::object(), templateParams(widget)),
                          {}};
    }
    case plugins::WidgetSource::UrlTemplate: {
        json data = widget.data;
        if (data.is_object() && decision->config.is_object())
            data["config"] = decision->config;
        return PluginPage{widgets::runTemplate(info->urlTemplate, data, templateParams(widget)), {}};
    }
    case plugins::WidgetSource::Builder: {
        // ABI 1.3: the room's config of the plugin, and who the widget is shown to (the user's
        // id stands in while the server has not told us a display name).
        const std::string userId = m_services.backend->userId();
        json w{{"id", widget.id},
               {"type", widget.type},
               {"url", widget.url},
               {"name", widget.name},
               {"data", widget.data},
               {"room_id", widget.roomId},
               {"creator", widget.creatorUserId},
               {"config", decision->config.is_object() ? decision->config : json::object()},
               {"user", {{"id", userId}, {"display_name", m_displayName.empty() ? userId : m_displayName}}}};
        auto url = m_services.plugins->buildWidgetUrl(widget.type, w);
        if (!url && url.error().code == ErrorCode::BadRequest)
            return PluginPage{{}, badWidget(url.error().message)};
        if (!url)
            return PluginPage{{}, pageFailure(url.error().message)};
        return PluginPage{std::move(url).value(), {}};
    }
    case plugins::WidgetSource::Invalid:
        break;
    }
    return PluginPage{{}, pageFailure("widget type " + widget.type + " has no page")};
}

std::optional<plugins::RoomPluginDecision> WidgetManager::pluginDecision(const std::string &roomId,
                                                                         const std::string &widgetType)
{
    if (!m_services.plugins)
        return std::nullopt;
    return plugins::decideWidgetType(widgetType, *m_services.plugins, m_pluginState[roomId], m_powerLevels[roomId],
                                     m_services.backend->userId());
}

std::optional<consent::PluginWidget> WidgetManager::pluginFor(const widgets::WidgetDefinition &widget)
{
    if (!m_services.plugins)
        return std::nullopt;
    const plugins::WidgetTypeInfo *info = m_services.plugins->findWidgetType(widget.type);
    if (!info)
        return std::nullopt;
    consent::PluginWidget p;
    p.pluginId = info->pluginId;
    for (const auto &c : info->capabilities) {
        p.declaredCapabilities.push_back(c.capability);
        if (!c.reason.empty())
            p.reasons[c.capability] = c.reason;
    }
    return p;
}

std::string WidgetManager::displayName(const widgets::WidgetDefinition &widget) const
{
    std::string name = widget.displayName();
    if (!m_services.plugins)
        return name;
    const plugins::WidgetTypeInfo *info = m_services.plugins->findWidgetType(widget.type);
    if (info && (name == info->registeredName || name == info->displayName))
        return info->displayName;
    return name;
}

widgets::TemplateParams WidgetManager::templateParams(const widgets::WidgetDefinition &widget) const
{
    widgets::TemplateParams p;
    p.userId = m_services.backend->userId();
    p.roomId = widget.roomId;
    p.displayName = m_displayName;
    p.avatarUrl = m_avatarUrl;
    p.widgetId = widget.id;
    p.clientTheme = m_dark ? "dark" : "light";
    p.clientLanguage = m_language.toStdString();
    p.deviceId = m_services.backend->deviceId();
    p.baseUrl = m_services.homeserverUrl;
    return p;
}

bridge::WidgetContext WidgetManager::contextFor(const widgets::WidgetDefinition &widget, const std::string &url,
                                                const std::string &origin) const
{
    bridge::WidgetContext c;
    c.widgetId = widget.id;
    c.roomId = widget.roomId;
    c.origin = origin;
    // The template, not the templated URL: remembered consent must not depend on the theme or
    // language the URL carries. The origin comes from the templated URL.
    (void)url;
    c.url = widget.url;
    c.creatorUserId = widget.creatorUserId;
    c.stateEventId = widget.eventId;
    c.widgetType = widget.type;
    if (widget.data.is_object())
        c.data = widget.data;
    return c;
}

QString WidgetManager::permissionsPolicyFor(const QString &origin, bool callWidget) const
{
    auto decisions = m_services.consent->listDecisions(m_services.backend->userId());
    // Decisions that cannot be read allow nothing, not even a call widget's question.
    if (!decisions)
        return {};
    return QString::fromStdString(consent::framePermissionsPolicy(origin.toStdString(), callWidget, *decisions));
}

Result<void> WidgetManager::navigate(const std::string &uri)
{
    // https://matrix.to/#/<room id or alias>[/<event id>][?via=…]
    constexpr std::string_view kPrefix = "https://matrix.to/#/";
    if (!text::startsWith(uri, kPrefix))
        return Error(ErrorCode::Unsupported, "Tessera can only open links to rooms");
    std::string target = uri.substr(kPrefix.size());
    if (auto q = target.find('?'); q != std::string::npos)
        target.resize(q);
    if (auto slash = target.find('/'); slash != std::string::npos)
        target.resize(slash);
    const std::string id = QUrl::fromPercentEncoding(QByteArray::fromStdString(target)).toStdString();
    if (id.empty() || (id[0] != '!' && id[0] != '#'))
        return Error(ErrorCode::Unsupported, "Tessera can only open links to rooms");
    for (const auto &room : m_services.backend->rooms()) {
        if (room.roomId == id && room.membership == matrix::Membership::Join) {
            Q_EMIT navigateRequested(QString::fromStdString(id));
            return {};
        }
    }
    Q_EMIT notice(tr("A widget tried to open %1, which is not a room you are in.").arg(QString::fromStdString(id)));
    return Error(ErrorCode::NotFound, "you are not in room " + id);
}

Result<void> WidgetManager::openModal(WidgetController &source, const bridge::OpenModalRequest &request)
{
    if (m_modal)
        return Error(ErrorCode::Conflict, "a modal widget is already open");
    widgets::WidgetDefinition def;
    def.id = "modal_" + source.definition().id;
    def.type = request.type;
    def.url = request.url;
    def.name = request.name.empty() ? source.definition().displayName() : request.name;
    def.data = request.data;
    def.waitForIframeLoad = request.waitForIframeLoad;
    def.roomId = source.definition().roomId;
    // The modal belongs to its source widget: it inherits who added it, not a new load consent.
    def.creatorUserId = source.definition().creatorUserId;
    def.sender = source.definition().sender;
    auto modal = std::make_unique<WidgetController>(m_services, *this, def, bridge::WidgetKind::Modal);
    json config = request.data;
    config["type"] = request.type;
    config["url"] = request.url;
    config["name"] = def.name;
    modal->setModal(std::move(config), request.buttons);
    m_modalSource = &source;
    m_modal = modal.get();
    m_modalOwner = std::move(modal);
    m_modal->activate();
    Q_EMIT modalChanged();
    return {};
}

void WidgetManager::closeModal(WidgetController &modal, const json &data)
{
    if (m_modal != &modal)
        return;
    if (m_modalSource)
        if (auto *session = m_modalSource->session())
            session->sendCloseModal(data);
    m_modal = nullptr;
    m_modalSource = nullptr;
    Q_EMIT modalChanged();
    // The modal's session is mid-call (it asked to close): destroy it after this call returns.
    WidgetController *owned = m_modalOwner.release();
    owned->deactivate();
    owned->deleteLater();
}

void WidgetManager::dismissModal()
{
    if (m_modal)
        closeModal(*m_modal, json{{"m.exited", true}});
}

void WidgetManager::widgetReady(WidgetController &widget)
{
    widget.updateTheme(m_dark);
    widget.updateLanguage(m_language);
    if (&widget == m_modal && widget.session())
        widget.session()->sendWidgetConfig(widget.modalConfig());
    Q_EMIT alwaysOnScreenWidgetChanged();
}

void WidgetManager::widgetStopped(WidgetController &widget)
{
    if (m_services.plugins)
        m_services.plugins->sessionClosed(widget.definition().roomId, widget.definition().id);
    if (&widget == m_modalSource)
        dismissModal();
    Q_EMIT alwaysOnScreenWidgetChanged();
}

void WidgetManager::callStateChanged(WidgetController &)
{
    Q_EMIT callsChanged();
}

std::set<std::string> WidgetManager::roomsInCall() const
{
    std::set<std::string> out;
    for (const auto &[room, list] : m_rooms) {
        for (const auto &w : list) {
            if (w && w->inCall())
                out.insert(room);
        }
    }
    return out;
}

} // namespace tessera::ui
