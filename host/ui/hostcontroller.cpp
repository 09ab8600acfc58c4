// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
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

namespace {

consent::Language consentLanguage(const QString &language)
{
    return consent::languageFromTag(language.toStdString()).value_or(consent::Language::English);
}

// Dates and numbers in the language the shell speaks: the system's own formats when they are
// of that language (es_MX stays es_MX), Spain's when the system speaks another one.
void useLocaleOf(const QString &language)
{
    const QLocale system = QLocale::system();
    if (language == QLatin1String("es") && system.language() != QLocale::Spanish)
        QLocale::setDefault(QLocale(QLocale::Spanish, QLocale::Spain));
    else
        QLocale::setDefault(system);
}

} // namespace

HostController::HostController(HostServices &services, UiState &uiState, QObject *parent)
    : QObject(parent), m_services(services), m_ui(uiState),
      m_refusals(RateLimiter::Limits{kRefusalBurst, kRefusalIntervalMs, 256})
{
    m_rooms = std::make_unique<RoomListModel>(*services.backend);
    m_timeline = std::make_unique<TimelineModel>(*services.backend);
    m_timeline->setPluginNameLookup([plugins = services.plugins](const std::string &pluginId) {
        const plugins::PluginRecord *plugin = plugins ? plugins->find(pluginId) : nullptr;
        return plugin ? QString::fromStdString(plugin->displayName()) : QString();
    });
    m_widgets = std::make_unique<WidgetManager>(services);
    m_widgetModel = new WidgetListModel(this);
    m_allWidgets = new WidgetListModel(this);
    m_widgetSearch = new WidgetSearchModel(this);
    m_widgetSearch->setSourceModel(m_allWidgets);
    m_permissions = std::make_unique<PermissionsModel>(*services.consent, [backend = services.backend] { return backend->userId(); });
    // Plugin capabilities are described by the plugin that handles them, as the consent
    // service (which decides with the same ActionRegistry) grants them.
    if (services.actions)
        m_capabilities = std::make_unique<plugins::PluginCapabilityDirectory>(*services.actions, services.plugins);
    m_permissions->setCapabilityDirectory(m_capabilities.get());
    m_permissions->setNameSource(services.backend);
    m_audit = std::make_unique<AuditModel>(services.dataDir);
    m_widgets->start();

    connect(m_widgets.get(), &WidgetManager::roomWidgetsChanged, this, [this](const QString &roomId) {
        if (roomId.toStdString() == m_roomId) {
            refreshWidgets();
            Q_EMIT unreadableWidgetsChanged();
        }
    });
    // What a room's state or a widget's page can cause at will is audited under the refusal
    // limit. A room can hold any number of unreadable widget events, each with its own id: they
    // share the room's limit rather than one per widget.
    m_widgets->setRefusalSink([this](const std::string &roomId, const std::string &widgetId, const std::string &action,
                                     const std::string &reason) {
        recordRefusal(roomId, widgetId, action, reason, action != "load_widget");
    });
    connect(m_widgets.get(), &WidgetManager::navigateRequested, this, &HostController::selectRoom);
    connect(m_widgets.get(), &WidgetManager::notice, this, &HostController::notice);
    connect(m_widgets.get(), &WidgetManager::callsChanged, this, [this] {
        if (m_widgets && m_rooms) // not while either is being destroyed
            m_rooms->setRoomsInCall(m_widgets->roomsInCall());
    });
    connect(m_rooms.get(), &RoomListModel::countChanged, this, &HostController::roomsReloaded);

    if (auto mode = m_ui.value("theme"))
        m_themeMode = q(*mode);
    if (auto lang = m_ui.value("language"))
        m_language = q(*lang);
    m_widgets->setDark(dark());
    m_widgets->setLanguage(m_language);
    m_permissions->setLanguage(consentLanguage(m_language));
    useLocaleOf(m_language);
}

void HostController::setConsentPromptModel(ConsentPromptModel *model)
{
    m_consentPrompts = model;
    if (m_consentPrompts) {
        m_consentPrompts->setCapabilityDirectory(m_capabilities.get());
        m_consentPrompts->setLanguage(consentLanguage(m_language));
        // The consent groups name the room as the room list does, never by its id.
        m_consentPrompts->setRoomNameLookup([this](const std::string &roomId) { return m_rooms->nameOf(roomId); });
    }
}

QString HostController::frameWatchScript() const
{
    QFile file(QStringLiteral(":/tessera/web/framewatch.js"));
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

QString HostController::visibleText(const QString &text) const
{
    return ui::visibleText(text);
}

HostController::~HostController()
{
    if (m_refusalFlush)
        m_services.scheduler->cancel(m_refusalFlush);
    // Widgets stop before the models and services they use.
    m_widgets.reset();
}

QString HostController::userId() const
{
    return q(m_services.backend->userId());
}

QString HostController::currentRoomName() const
{
    return m_roomId.empty() ? QString() : m_rooms->nameOf(m_roomId);
}

QString HostController::currentRoomTopic() const
{
    return m_roomId.empty() ? QString() : m_rooms->topicOf(m_roomId);
}

QString HostController::currentRoomAvatar() const
{
    return m_roomId.empty() ? QString() : m_rooms->avatarOf(m_roomId);
}

bool HostController::currentRoomEncrypted() const
{
    return !m_roomId.empty() && m_rooms->encryptedOf(m_roomId);
}

bool HostController::currentRoomCanEncrypt() const
{
    return !m_roomId.empty() && m_services.backend->canEncrypt(m_roomId);
}

bool HostController::currentRoomInvited() const
{
    return !m_roomId.empty() && m_rooms->invitedOf(m_roomId);
}

void HostController::roomsReloaded()
{
    // An answered invitation is done once the sync shows the room joined (or gone).
    const int before = int(m_answeringInvites.size());
    m_answeringInvites.erase(std::remove_if(m_answeringInvites.begin(), m_answeringInvites.end(),
                                            [this](const QString &id) { return !m_rooms->invitedOf(id.toStdString()); }),
                             m_answeringInvites.end());
    if (int(m_answeringInvites.size()) != before)
        Q_EMIT answeringInvitesChanged();
    if (!m_roomId.empty() && m_roomWasInvited && !m_rooms->invitedOf(m_roomId)) {
        if (m_rooms->indexOf(q(m_roomId)) < 0) {
            selectRoom(QString()); // declined: the room left the list
        } else {
            // Joined: what an invitation could not show (timeline, widgets) is read now.
            m_roomWasInvited = false;
            m_timeline->setRoom(m_roomId);
            refreshWidgets();
            updateTabs();
        }
    }
    m_roomWasInvited = currentRoomInvited();
    Q_EMIT currentRoomChanged();
}

void HostController::acceptInvite(const QString &roomId)
{
    answerInvite(roomId, true);
}

void HostController::declineInvite(const QString &roomId)
{
    answerInvite(roomId, false);
}

void HostController::answerInvite(const QString &roomId, bool accept)
{
    const std::string id = roomId.toStdString();
    if (!m_rooms->invitedOf(id) || m_answeringInvites.contains(roomId))
        return;
    m_answeringInvites.append(roomId);
    Q_EMIT answeringInvitesChanged();
    std::weak_ptr<int> life = m_lifetime;
    const QString name = m_rooms->nameOf(id);
    auto failed = [this, life, roomId, name, accept](const Error &e) {
        if (life.expired())
            return;
        m_answeringInvites.removeAll(roomId);
        Q_EMIT answeringInvitesChanged();
        Q_EMIT notice(accept ? tr("Could not join %1: %2").arg(ui::visibleText(name), q(e.message))
                             : tr("Could not decline the invitation to %1: %2").arg(ui::visibleText(name), q(e.message)));
    };
    if (accept) {
        m_services.backend->joinRoom(id, [failed](Result<std::string> r) {
            if (!r)
                failed(r.error());
        });
    } else {
        m_services.backend->leaveRoom(id, [failed](Result<void> r) {
            if (!r)
                failed(r.error());
        });
    }
}

void HostController::setPlugins(QVariantList plugins, QVariantList widgetTypes)
{
    m_plugins = std::move(plugins);
    m_widgetTypes = std::move(widgetTypes);
    for (QVariant &p : m_plugins) {
        QVariantMap m = p.toMap();
        m[QStringLiteral("enabled")] = !m_pluginChoices.disabled.count(m.value(QStringLiteral("id")).toString().toStdString());
        p = m;
    }
    Q_EMIT pluginsChanged();
    publishCatalog();
}

void HostController::setPluginChoices(const PluginChoices &atStart, const QString &userPluginDir, bool thirdPartyFromCommandLine)
{
    m_pluginChoicesAtStart = atStart;
    m_pluginChoices = atStart;
    m_userPluginDir = userPluginDir;
    m_thirdPartyFromCommandLine = thirdPartyFromCommandLine;
}

void HostController::setThirdPartyPlugins(bool on)
{
    if (m_pluginChoices.thirdParty == on)
        return;
    m_pluginChoices.thirdParty = on;
    writePluginChoices(m_ui, m_pluginChoices);
    Q_EMIT pluginsChanged();
}

void HostController::setPluginEnabled(const QString &pluginId, bool enabled)
{
    const std::string id = pluginId.toStdString();
    if (enabled)
        m_pluginChoices.disabled.erase(id);
    else
        m_pluginChoices.disabled.insert(id);
    writePluginChoices(m_ui, m_pluginChoices);
    setPlugins(m_plugins, m_widgetTypes);
}

void HostController::setConfiguredCallService(const std::string &origin)
{
    m_configuredCallService = origin;
    applyConfiguredCallService();
}

void HostController::applyConfiguredCallService()
{
    const std::string user = m_services.backend->userId();
    if (m_configuredCallService.empty() || user.empty())
        return;
    const std::string given = "call_service_from_config:" + user;
    if (m_ui.value(given) == m_configuredCallService)
        return; // given once: whatever the user did with it since stands
    consent::StandingRule rule;
    rule.userId = user;
    rule.kind = consent::RuleKind::TrustCallService;
    rule.subject = m_configuredCallService;
    auto added = m_services.consent->addRule(rule, consent::RuleAuthor::Configuration);
    if (added || added.error().code == ErrorCode::Conflict)
        m_ui.setValue(given, m_configuredCallService);
    else
        log::warning("consent", "the configured call service's rule was not added: " + added.error().message);
}

void HostController::accountChanged()
{
    applyConfiguredCallService();
    m_rooms->reload();
    if (!m_roomId.empty() && !m_services.backend->room(m_roomId))
        selectRoom(QString());
    Q_EMIT currentRoomChanged();
}

void HostController::selectRoom(const QString &roomId)
{
    const std::string id = roomId.toStdString();
    if (id == m_roomId)
        return;
    m_roomId = id;
    m_roomWasInvited = currentRoomInvited();
    m_ui.setValue("last_room", id);
    m_panel = m_ui.panel(id);
    m_pendingWidgetId.clear();
    m_timeline->setRoom(id);
    m_widgets->setViewedRoom(id);
    refreshWidgets();
    updateTabs();
    Q_EMIT currentRoomChanged();
    Q_EMIT panelChanged();
    Q_EMIT unreadableWidgetsChanged();
}

void HostController::repaintWidgets()
{
    for (QObject *o : m_currentWidgets)
        static_cast<WidgetController *>(o)->requestRepaint();
    if (auto *modal = qobject_cast<WidgetController *>(m_widgets->modal()))
        modal->requestRepaint();
}

QVariantList HostController::unreadableWidgets() const
{
    QVariantList out;
    if (m_roomId.empty())
        return out;
    for (const auto &bad : m_widgets->unreadableWidgets(m_roomId)) {
        if (out.size() >= kMaxUnreadableShown)
            break;
        out.append(QVariantMap{{QStringLiteral("widgetId"), q(bad.widgetId)},
                               {QStringLiteral("sender"), q(bad.sender)},
                               {QStringLiteral("reason"), localizedWidgetEventError(bad.reason)}});
    }
    return out;
}

int HostController::unreadableWidgetCount() const
{
    return m_roomId.empty() ? 0 : static_cast<int>(m_widgets->unreadableWidgets(m_roomId).size());
}

void HostController::refreshWidgets()
{
    const auto widgets = m_widgets->widgetsFor(m_roomId);
    // A list read before the widget just added reached the room lacks it. Taking that list
    // would move the panel to the room's first widget, which would load instead (the race of
    // --open-widget at start-up); wait for the list that has it.
    if (!m_pendingWidgetId.empty()) {
        if (std::none_of(widgets.begin(), widgets.end(), [&](WidgetController *w) { return w->definition().id == m_pendingWidgetId; }))
            return;
        m_pendingWidgetId.clear();
    }
    QList<QObject *> current;
    for (auto *w : widgets)
        current.push_back(w);
    if (current == m_currentWidgets && !m_currentWidgets.isEmpty())
        return; // nothing changed: views keep their pages
    m_currentWidgets = std::move(current);
    // Keep the active tab valid.
    const bool activeExists = std::any_of(m_currentWidgets.begin(), m_currentWidgets.end(), [&](QObject *o) {
        return static_cast<WidgetController *>(o)->definition().id == m_panel.activeWidgetId;
    });
    // An empty list is also what a room shows before its widgets are read: keep the saved tab
    // for when they arrive instead of forgetting it.
    if (!activeExists && !m_currentWidgets.isEmpty()) {
        m_panel.activeWidgetId = static_cast<WidgetController *>(m_currentWidgets.front())->definition().id;
        Q_EMIT panelChanged();
    }
    m_allWidgets->setWidgets(m_currentWidgets);
    updateTabs();
    for (QObject *o : m_currentWidgets)
        connect(static_cast<WidgetController *>(o), &WidgetController::stateChanged, this,
                &HostController::updateCallFallback, Qt::UniqueConnection);
    updateCallFallback();
    Q_EMIT widgetsChanged();
}

void HostController::updateTabs()
{
    QList<QObject *> tabs = m_currentWidgets.mid(0, kMaxPanelTabs);
    const auto isActive = [&](QObject *o) {
        return static_cast<WidgetController *>(o)->definition().id == m_panel.activeWidgetId;
    };
    auto active = std::find_if(tabs.begin(), tabs.end(), isActive);
    int index = active == tabs.end() ? -1 : int(active - tabs.begin());
    if (index < 0) {
        // The open widget came from the "more" list: it gets a tab of its own at the end.
        auto hidden = std::find_if(m_currentWidgets.begin() + tabs.size(), m_currentWidgets.end(), isActive);
        if (hidden != m_currentWidgets.end()) {
            tabs.append(*hidden);
            index = int(tabs.size()) - 1;
        } else if (!tabs.isEmpty()) {
            index = 0; // what the panel shows until the saved tab's widget arrives
        }
    }
    m_widgetModel->setWidgets(tabs);
    m_activeTab = index;
    Q_EMIT tabsChanged();
    if (!m_panel.chosen)
        Q_EMIT panelChanged(); // the layout's choice follows whether the room has widgets
}

QObject *HostController::activeWidget() const
{
    const QList<QObject *> &tabs = m_widgetModel->widgets();
    return m_activeTab >= 0 && m_activeTab < tabs.size() ? tabs.at(m_activeTab) : nullptr;
}

void HostController::selectTab(int index)
{
    const QList<QObject *> &tabs = m_widgetModel->widgets();
    if (index >= 0 && index < tabs.size())
        setActiveWidgetId(static_cast<WidgetController *>(tabs.at(index))->widgetId());
}

void HostController::savePanel()
{
    if (!m_roomId.empty())
        m_ui.setPanel(m_roomId, m_panel);
    updateTabs();
    Q_EMIT panelChanged();
}

bool HostController::panelOpen() const
{
    // Until the panel is opened or closed in this room, the layout decides: beside the room it is
    // open (when empty, it says how to add a widget); over a narrow window it covers the room
    // only when the room has widgets, so a room without any opens on its messages.
    if (m_panel.chosen)
        return m_panel.open;
    return !m_compactLayout || !m_currentWidgets.isEmpty();
}

void HostController::setCompactLayout(bool compact)
{
    if (m_compactLayout == compact)
        return;
    m_compactLayout = compact;
    Q_EMIT panelChanged();
}

// Any change to the panel keeps what it shows now: the layout's choice becomes the room's.
void HostController::choosePanel()
{
    if (m_panel.chosen)
        return;
    m_panel.open = panelOpen();
    m_panel.chosen = true;
}

void HostController::setPanelOpen(bool open)
{
    if (m_panel.chosen && m_panel.open == open)
        return;
    m_panel.open = open;
    m_panel.chosen = true;
    savePanel();
}

void HostController::setPanelWidth(int width)
{
    width = std::clamp(width, 280, 4000);
    if (m_panel.widthPx == width)
        return;
    choosePanel();
    m_panel.widthPx = width;
    savePanel();
}

void HostController::setPanelFullScreen(bool fullScreen)
{
    if (m_panel.fullScreen == fullScreen)
        return;
    choosePanel();
    m_panel.fullScreen = fullScreen;
    savePanel();
}

void HostController::setActiveWidgetId(const QString &id)
{
    if (m_panel.activeWidgetId == id.toStdString())
        return;
    choosePanel();
    m_panel.activeWidgetId = id.toStdString();
    savePanel();
}

bool HostController::dark() const
{
    if (m_themeMode == QLatin1String("dark"))
        return true;
    if (m_themeMode == QLatin1String("light"))
        return false;
    return m_systemDark;
}

void HostController::setThemeMode(const QString &mode)
{
    if (mode != QLatin1String("system") && mode != QLatin1String("light") && mode != QLatin1String("dark"))
        return;
    m_themeMode = mode;
    m_ui.setValue("theme", mode.toStdString());
    m_widgets->setDark(dark());
    Q_EMIT themeChanged();
}

void HostController::setSystemDark(bool isDark)
{
    if (m_systemDark == isDark)
        return;
    m_systemDark = isDark;
    m_widgets->setDark(dark());
    Q_EMIT themeChanged();
}

void HostController::setLanguage(const QString &language)
{
    if (language == m_language)
        return;
    m_language = language;
    m_ui.setValue("language", language.toStdString());
    useLocaleOf(language);
    // Plugins' names and reasons first: the widgets' names and the catalog read them.
    if (m_services.plugins)
        m_services.plugins->setLanguage(language.toStdString());
    m_widgets->setLanguage(language);
    m_permissions->setLanguage(consentLanguage(language));
    if (m_consentPrompts)
        m_consentPrompts->setLanguage(consentLanguage(language));
    Q_EMIT languageChanged();
    publishCatalog(); // its words are the shell's
}

QString HostController::submitComposer(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return {};
    if (m_roomId.empty())
        return tr("Choose a room first.");
    if (trimmed == QLatin1String("/widget") || trimmed.startsWith(QLatin1String("/widget "))) {
        // The same kinds as "+", read by the catalog: `/widget https://… [name]`,
        // `/widget jitsi [conference] [server]`, `/widget call <address>`, `/widget kanban`, …
        const auto entries = catalogEntries();
        auto parsed = widgets::parseWidgetCommand(trimmed.mid(7).toStdString(), entries);
        if (auto *error = std::get_if<widgets::WidgetCommandError>(&parsed))
            return widgetCommandErrorText(*error, entries);
        const auto &command = std::get<widgets::WidgetCommand>(parsed);
        auto entry = std::find_if(entries.begin(), entries.end(),
                                  [&](const widgets::CatalogEntry &e) { return e.id == command.entryId; });
        if (entry == entries.end())
            return widgetCommandHelp(entries);
        return catalogOutcomeText(*entry, addFromCatalog(*entry, command.values));
    }
    if (trimmed.startsWith(QLatin1Char('/')) && !trimmed.startsWith(QLatin1String("//")))
        return tr("Unknown command %1. Start with // to send a message that begins with a slash.").arg(trimmed.section(QLatin1Char(' '), 0, 0));
    if (auto room = m_services.backend->room(m_roomId); room && room->membership != matrix::Membership::Join) {
        // Nothing goes out to a room the user is not in; the text stays in the composer.
        return room->membership == matrix::Membership::Invite
                   ? tr("You have not joined this room yet. Accept the invitation to send messages here.")
                   : tr("You are not a member of this room, so you cannot send messages here.");
    }
    const QString body = trimmed.startsWith(QLatin1String("//")) ? trimmed.mid(1) : trimmed;
    sendMessage(m_roomId, body.toStdString(), text);
    return {};
}

void HostController::sendMessage(const std::string &roomId, const std::string &body, const QString &composerText)
{
    matrix::SendRequest send;
    send.roomId = roomId;
    send.type = "m.room.message";
    send.content = json{{"msgtype", "m.text"}, {"body", body}};
    // Shown at once as "sending…"; the server's answer turns it into the message, or "not sent".
    const std::string localId = "local" + std::to_string(++m_nextLocalId);
    send.sendKey = localId;
    m_timeline->addPending(localId, roomId, body);
    std::weak_ptr<int> life = m_lifetime;
    m_services.backend->send(send, [this, life, roomId, localId, composerText](Result<matrix::SendResult> r) {
        if (life.expired())
            return;
        if (r)
            return m_timeline->markSent(localId, r->eventId);
        // Refused before it left (the one gate every send passes decided): the text goes back
        // to the composer with the reason, in the user's language, and nothing is lost.
        if (r.error().code == ErrorCode::EncryptionRequired) {
            m_timeline->removePending(localId);
            Q_EMIT composerRefused(q(roomId), composerText,
                                   tr("Not sent: this room is end-to-end encrypted and Tessera cannot encrypt "
                                      "messages here, so your message would have reached the server unencrypted."));
            return;
        }
        // The server's own sentence when it gave one (not the request line around it).
        const Error &e = r.error();
        QString reason = q(e.message);
        if (e.matrixApiError && e.matrixApiError->response.is_object()) {
            const std::string said = jsonString(e.matrixApiError->response, "error");
            if (!said.empty())
                reason = q(said);
        }
        m_timeline->markFailed(localId, ui::visibleText(reason));
    });
}

void HostController::retrySend(const QString &localId)
{
    auto unsent = m_timeline->pending(localId.toStdString());
    if (!unsent)
        return;
    // Sent again as a new message: the refused one leaves the outbox.
    m_services.backend->forgetFailedSend(localId.toStdString());
    m_timeline->removePending(localId.toStdString());
    sendMessage(unsent->first, unsent->second, QString::fromStdString(unsent->second));
}

void HostController::discardSend(const QString &localId)
{
    m_services.backend->forgetFailedSend(localId.toStdString());
    m_timeline->removePending(localId.toStdString());
}

} // namespace tessera::ui

