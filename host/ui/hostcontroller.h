// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QObject>
#include <QJSValue>
#include <QStringList>
#include <QVariantList>
#include <QVariantMap>
#include <map>
#include <memory>
#include <optional>

#include "util/ratelimiter.h"
#include "util/scheduler.h"
#include "widgets/catalog.h"

#include "consentmodel.h"
#include "hostservices.h"
#include "pluginchoices.h"
#include "pagemodels.h"
#include "roommodels.h"
#include "uistate.h"
#include "widgetlistmodel.h"
#include "widgetmanager.h"

namespace tessera::ui {

/**
 * @brief The one object QML talks to: rooms, the current room's timeline and widgets, the
 * consent questions, the Permissions/Audit/Plugins pages, theme and language.
 *
 * Built in main() and registered as the QML singleton instance `Tessera.Host`. QML only binds and
 * calls these members; no decision is made in JavaScript.
 */
class HostController final : public QObject {
    Q_OBJECT
    /**
     * A call widget of the open room that cannot work (it needs a Matrix server, never started the
     * Widget API, failed to load or crashed) while the room has no Jitsi widget: {widgetId, name,
     * reason}, and the panel offers Jitsi instead. Empty when there is nothing to offer.
     */
    Q_PROPERTY(QVariantMap callFallback READ callFallback NOTIFY callFallbackChanged)
    /// The Jitsi Meet server new Jitsi widgets (and the call fallback) use; saveJitsiServer() sets it.
    Q_PROPERTY(QString jitsiServer READ jitsiServer NOTIFY jitsiServerChanged)
    Q_PROPERTY(QString userId READ userId CONSTANT)
    Q_PROPERTY(QString backendLabel READ backendLabel CONSTANT)
    Q_PROPERTY(QString startupWarning READ startupWarning CONSTANT)
    /// Qt and Chromium versions for the About section: qt, qtBuilt, webEngine, chromium,
    /// chromiumMajor, chromiumSecurityPatch, minimumChromium.
    Q_PROPERTY(QVariantMap engineVersions READ engineVersions CONSTANT)
    /// Said once per engine version when it is older than the documented minimum; else empty.
    Q_PROPERTY(QString engineNotice READ engineNotice CONSTANT)
    Q_PROPERTY(QObject *rooms READ rooms CONSTANT)
    Q_PROPERTY(QObject *timeline READ timeline CONSTANT)
    Q_PROPERTY(QObject *consentPrompts READ consentPrompts CONSTANT)
    Q_PROPERTY(QObject *permissions READ permissions CONSTANT)
    Q_PROPERTY(QObject *audit READ audit CONSTANT)
    Q_PROPERTY(QObject *widgetManager READ widgetManager CONSTANT)
    Q_PROPERTY(QObject *widgetProfile READ widgetProfile CONSTANT)
    Q_PROPERTY(QVariantList plugins READ plugins NOTIFY pluginsChanged)
    /// The Plugins page's choices (kept in ui.db, applied at the next start: see PluginChoices).
    Q_PROPERTY(bool thirdPartyPlugins READ thirdPartyPlugins WRITE setThirdPartyPlugins NOTIFY pluginsChanged)
    Q_PROPERTY(bool thirdPartyFromCommandLine READ thirdPartyFromCommandLine CONSTANT)
    Q_PROPERTY(bool pluginRestartNeeded READ pluginRestartNeeded NOTIFY pluginsChanged)
    Q_PROPERTY(QString userPluginDir READ userPluginDir CONSTANT)
    Q_PROPERTY(QString currentRoomId READ currentRoomId WRITE selectRoom NOTIFY currentRoomChanged)
    Q_PROPERTY(QString currentRoomName READ currentRoomName NOTIFY currentRoomChanged)
    Q_PROPERTY(QString currentRoomTopic READ currentRoomTopic NOTIFY currentRoomChanged)
    /// image://avatar/… of the open room ("" for none: the header shows its initials).
    Q_PROPERTY(QString currentRoomAvatar READ currentRoomAvatar NOTIFY currentRoomChanged)
    /// The current room has m.room.encryption: the header says so, the composer says what it cannot send.
    Q_PROPERTY(bool currentRoomEncrypted READ currentRoomEncrypted NOTIFY currentRoomChanged)
    /// Tessera encrypts what is sent into the current room (false: it refuses, and the composer says so).
    Q_PROPERTY(bool currentRoomCanEncrypt READ currentRoomCanEncrypt NOTIFY currentRoomChanged)
    /// The user is invited to the current room and has not answered: the view offers Accept and Decline instead of the composer.
    Q_PROPERTY(bool currentRoomInvited READ currentRoomInvited NOTIFY currentRoomChanged)
    /// Rooms whose invitation is being accepted or declined (the buttons wait for the server).
    Q_PROPERTY(QStringList answeringInvites READ answeringInvites NOTIFY answeringInvitesChanged)
    Q_PROPERTY(QList<QObject *> widgets READ widgets NOTIFY widgetsChanged)
    /// The same widgets as a model whose rows change only where the room's widgets did (for views).
    Q_PROPERTY(QObject *widgetModel READ widgetModel CONSTANT)
    Q_PROPERTY(int widgetCount READ widgetCount NOTIFY widgetsChanged)
    Q_PROPERTY(int hiddenWidgetCount READ hiddenWidgetCount NOTIFY tabsChanged)
    Q_PROPERTY(int activeTabIndex READ activeTabIndex NOTIFY tabsChanged)
    Q_PROPERTY(QObject *activeWidget READ activeWidget NOTIFY tabsChanged)
    Q_PROPERTY(QObject *widgetSearch READ widgetSearch CONSTANT)
    Q_PROPERTY(int maxPanelTabs READ maxPanelTabs CONSTANT)
    /// The current room's widget events that could not be read: the first kMaxUnreadableShown as
    /// [{widgetId, sender, reason}] (reasons translated), and how many there are.
    Q_PROPERTY(QVariantList unreadableWidgets READ unreadableWidgets NOTIFY unreadableWidgetsChanged)
    Q_PROPERTY(int unreadableWidgetCount READ unreadableWidgetCount NOTIFY unreadableWidgetsChanged)
    Q_PROPERTY(bool panelOpen READ panelOpen WRITE setPanelOpen NOTIFY panelChanged)
    /// The window is too narrow for the panel beside the room (the shell sets it from its layout).
    Q_PROPERTY(bool compactLayout READ compactLayout WRITE setCompactLayout NOTIFY panelChanged)
    Q_PROPERTY(int panelWidth READ panelWidth WRITE setPanelWidth NOTIFY panelChanged)
    Q_PROPERTY(bool panelFullScreen READ panelFullScreen WRITE setPanelFullScreen NOTIFY panelChanged)
    Q_PROPERTY(QString activeWidgetId READ activeWidgetId WRITE setActiveWidgetId NOTIFY panelChanged)
    Q_PROPERTY(QString themeMode READ themeMode WRITE setThemeMode NOTIFY themeChanged)
    Q_PROPERTY(bool dark READ dark NOTIFY themeChanged)
    Q_PROPERTY(bool systemDark READ systemDark WRITE setSystemDark NOTIFY themeChanged)
    Q_PROPERTY(QString language READ language WRITE setLanguage NOTIFY languageChanged)
    Q_PROPERTY(QVariantList widgetTypes READ widgetTypes NOTIFY pluginsChanged)
    /// What "+" offers in the current room (widgets/catalog.h): built-in kinds, plugin types, agents' offers.
    Q_PROPERTY(QVariantList widgetCatalog READ widgetCatalog NOTIFY widgetCatalogChanged)
    /// The script each widget view injects into its widget's frame to answer the heartbeat.
    Q_PROPERTY(QString frameWatchScript READ frameWatchScript CONSTANT)

public:
    /**
     * The panel shows a tab (and keeps a view) for at most this many of a room's widgets, the
     * first ones in the room's order, plus the open widget if it is not among them. The others
     * are one search away in the "more" list: a room with thousands of widgets costs the shell
     * no more than one with this many.
     */
    static constexpr int kMaxPanelTabs = 8;
    /// Refusals of one kind from one widget recorded at once, and then one per interval.
    static constexpr int kRefusalBurst = 10;
    static constexpr std::int64_t kRefusalIntervalMs = 1000;
    /// Unreadable widget events listed by name in the panel; the rest are counted.
    static constexpr int kMaxUnreadableShown = 20;

    HostController(HostServices &services, UiState &uiState, QObject *parent = nullptr);
    ~HostController() override;

    QString userId() const;
    QString backendLabel() const { return m_backendLabel; }
    void setBackendLabel(const QString &label) { m_backendLabel = label; }
    QString startupWarning() const { return m_startupWarning; }
    void setStartupWarning(const QString &warning) { m_startupWarning = warning; }
    /**
     * The call service the administrator's configuration file names (its origin; empty: none).
     * Each account gets its standing rule once, audited as the configuration's; a user who
     * removes it keeps it removed (ui.db remembers the origin given to each account).
     */
    void setConfiguredCallService(const std::string &origin);
    /**
     * Where other clients are sent for a plugin widget this host publishes (a
     * plugins::pluginWidgetPage(); default plugins::defaultPluginWidgetPage()).
     */
    void setPluginWidgetPage(const std::string &page) { m_pluginWidgetPage = page; }
    QVariantMap engineVersions() const { return m_engineVersions; }
    QString engineNotice() const { return m_engineNotice; }
    void setEngine(const QVariantMap &versions, const QString &notice)
    {
        m_engineVersions = versions;
        m_engineNotice = notice;
    }
    QObject *rooms() const { return m_rooms.get(); }
    QObject *timeline() const { return m_timeline.get(); }
    QObject *consentPrompts() const { return m_consentPrompts; }
    /** The panel's tabs: at most kMaxPanelTabs of the room's widgets, plus the open one. */
    QObject *widgetModel() const { return m_widgetModel; }
    int widgetCount() const { return int(m_currentWidgets.size()); }
    /** The room's widgets without a tab (behind "more"). */
    int hiddenWidgetCount() const { return int(m_currentWidgets.size()) - m_widgetModel->rowCount(); }
    /** The open widget's row in widgetModel, or -1. */
    int activeTabIndex() const { return m_activeTab; }
    QObject *activeWidget() const;
    /** Every widget of the room, filtered by its `query`. */
    QObject *widgetSearch() const { return m_widgetSearch; }
    int maxPanelTabs() const { return kMaxPanelTabs; }
    /** Opens the widget of tab @p index (a row of widgetModel). */
    Q_INVOKABLE void selectTab(int index);
    QObject *permissions() const { return m_permissions.get(); }
    QObject *audit() const { return m_audit.get(); }
    QObject *widgetManager() const { return m_widgets.get(); }
    /** The persistent web profile widget views use (named per user, apart from Tessera's own pages). */
    QObject *widgetProfile() const { return m_widgetProfile; }
    void setWidgetProfile(QObject *profile) { m_widgetProfile = profile; }
    QVariantList plugins() const { return m_plugins; }
    void setPlugins(QVariantList plugins, QVariantList widgetTypes);
    /** What the running session loaded its plugins with, and where third-party plugins go. */
    void setPluginChoices(const PluginChoices &atStart, const QString &userPluginDir, bool thirdPartyFromCommandLine);
    bool thirdPartyPlugins() const { return m_pluginChoices.thirdParty; }
    void setThirdPartyPlugins(bool on);
    bool thirdPartyFromCommandLine() const { return m_thirdPartyFromCommandLine; }
    bool pluginRestartNeeded() const { return m_pluginChoices != m_pluginChoicesAtStart; }
    QString userPluginDir() const { return m_userPluginDir; }
    /** Turns a plugin on or off from the next start on. */
    Q_INVOKABLE void setPluginEnabled(const QString &pluginId, bool enabled);
    QVariantList widgetTypes() const { return m_widgetTypes; }

    QString currentRoomId() const { return QString::fromStdString(m_roomId); }
    QString currentRoomName() const;
    QString currentRoomTopic() const;
    QString currentRoomAvatar() const;
    bool currentRoomEncrypted() const;
    bool currentRoomCanEncrypt() const;
    QList<QObject *> widgets() const { return m_currentWidgets; }
    QVariantList unreadableWidgets() const;
    int unreadableWidgetCount() const;

    bool panelOpen() const;
    bool compactLayout() const { return m_compactLayout; }
    void setCompactLayout(bool compact);
    int panelWidth() const { return m_panel.widthPx; }
    bool panelFullScreen() const { return m_panel.fullScreen; }
    QString activeWidgetId() const { return QString::fromStdString(m_panel.activeWidgetId); }
    void setPanelOpen(bool open);
    void setPanelWidth(int width);
    void setPanelFullScreen(bool fullScreen);
    void setActiveWidgetId(const QString &id);

    QString themeMode() const { return m_themeMode; }
    void setThemeMode(const QString &mode);
    bool dark() const;
    bool systemDark() const { return m_systemDark; }
    void setSystemDark(bool dark);
    QString language() const { return m_language; }
    void setLanguage(const QString &language);

    WidgetManager &manager() { return *m_widgets; }

    QString frameWatchScript() const;
    /** The consent dialog's model; it gets the plugin capability directory and the language. */
    void setConsentPromptModel(ConsentPromptModel *model);
    /**
     * @p text with its invisible and bidirectional control characters written out (`⟨U+202E⟩`),
     * for untrusted text QML puts together itself.
     */
    Q_INVOKABLE QString visibleText(const QString &text) const;
    /** The account signed in or out: the room list is read again and a room that is gone is left. */
    void accountChanged();

    Q_INVOKABLE void selectRoom(const QString &roomId);
    /** Joins the room @p roomId the user is invited to; the room list shows it joined once the server's sync says so. */
    Q_INVOKABLE void acceptInvite(const QString &roomId);
    /** Declines the invitation to @p roomId (leaves the room). */
    Q_INVOKABLE void declineInvite(const QString &roomId);
    bool currentRoomInvited() const;
    QStringList answeringInvites() const { return m_answeringInvites; }
    /** Asks every open widget view for fresh frames (before a screenshot). */
    void repaintWidgets();
    /** Sends composer text: `/widget <url> [name]` adds a widget; anything else is a message. Returns an error or "". */
    Q_INVOKABLE QString submitComposer(const QString &text);
    /** Sends a message that was not sent (TimelineModel's localId role) again, as a new message at the end. */
    Q_INVOKABLE void retrySend(const QString &localId);
    /** Deletes a message that was not sent from the timeline. */
    Q_INVOKABLE void discardSend(const QString &localId);
    /** Adds an `m.custom` widget by URL (the tests' shortcut for "+"). Returns an error or "". */
    Q_INVOKABLE QString addWidget(const QString &url, const QString &name);
    QVariantList widgetCatalog() const { return m_catalogVariant; }
    /**
     * Rebuilds the catalog of the current room: at once from the built-in kinds and the running
     * plugins' types, then again once the agents' offers (io.tessera.agent.offer) are read.
     */
    Q_INVOKABLE void refreshWidgetCatalog();
    /**
     * Adds a widget of catalog entry @p entryId with the field values @p values (key → text).
     * Returns {"error": a sentence or "", "problems": {field key → sentence}}; both empty when
     * the state event was sent.
     */
    Q_INVOKABLE QVariantMap addCatalogWidget(const QString &entryId, const QVariantMap &values);
    QVariantMap callFallback() const { return m_callFallback; }
    /**
     * Adds the room's own Jitsi Meet widget (the conference derived from the room, on the
     * catalog's Jitsi server) in place of the call widget that cannot work, and opens its tab.
     * Returns what addCatalogWidget() returns; {error} when there is nothing to replace.
     */
    Q_INVOKABLE QVariantMap useJitsiInstead();
    /** Stops offering Jitsi for this call widget, until it is loaded again. */
    Q_INVOKABLE void dismissCallFallback();
    QString jitsiServer() const;
    /**
     * Keeps @p server (a domain, checked as the "+" dialog checks it) as the user's Jitsi Meet
     * server; empty goes back to the default. Returns what is wrong, or an empty string.
     */
    Q_INVOKABLE QString saveJitsiServer(const QString &server);
    /** Removes a widget for everyone (sends the empty state event). */
    Q_INVOKABLE void removeWidget(const QString &widgetId);
    /** Opens an http(s) URL in the system browser; anything else is refused. Returns an error or "". */
    Q_INVOKABLE QString openExternally(const QString &url);
    /** Puts @p text on the clipboard (the long-press menus' "Copy") and says so in a notice. */
    Q_INVOKABLE void copyText(const QString &text);
    /**
     * A widget asked to open a window. Only one started by a click on the widget is put to the
     * user, and only one at a time, so a widget can neither raise prompts by itself nor swap
     * the address under a prompt that is showing; everything else is refused and audited.
     */
    Q_INVOKABLE void offerPopup(const QString &widgetId, const QString &url, bool userInitiated);
    /**
     * The user asked to open widget @p widgetId in the system browser. Nothing leaves Tessera
     * at once: the address is put to the user in the same prompt as a widget's popup
     * (popOutRequested), and opens only on answerPopup(true). Returns why it cannot be offered, or "".
     */
    Q_INVOKABLE QString offerPopOut(const QString &widgetId);
    /** The user's answer to the popup prompt: opens the held address in the system browser or not. */
    Q_INVOKABLE void answerPopup(bool open);
    /**
     * Audits something the web view refused (navigation, popup, dialog, permission, a sandbox
     * report). A widget can trigger these at will, so each kind is recorded at most
     * kRefusalBurst times at once and then once a second per widget; what is turned away is
     * counted and recorded with the next row of that kind, or in a summary row once the limit
     * allows one.
     */
    Q_INVOKABLE void auditRefusal(const QString &widgetId, const QString &what, const QString &detail);
    /**
     * A plugin page asked for an asset outside its plugin's folder (`..`, an encoded form, a
     * symlink out): refused by the scheme handler, audited here under the same limit.
     */
    void auditPluginAssetRefusal(const QString &pluginId, const QString &path, const QString &reason,
                                 const QString &initiator);
    /**
     * A widget's web view asks for @p feature (WebEngineView.Feature by name, see
     * consent::permissionsForFeature) on behalf of @p origin:
     * refused at once unless the policy (consent/mediapolicy.h) lets a widget ask for it and the
     * origin is the widget's own; otherwise each browser permission it needs is put to consent
     * (per origin), or answered by a grant held for the widget's call. @p callback(bool) gets
     * the answer, true only if every permission the feature needs was allowed.
     */
    Q_INVOKABLE void requestFeaturePermission(const QString &widgetId, const QString &origin, const QString &feature,
                                              const QJSValue &callback);

Q_SIGNALS:
    void callFallbackChanged();
    void jitsiServerChanged();
    void currentRoomChanged();
    void answeringInvitesChanged();
    void widgetsChanged();
    /** The tabs, the open tab or the number of widgets behind "more" changed. */
    void tabsChanged();
    void unreadableWidgetsChanged();
    void panelChanged();
    void themeChanged();
    void languageChanged();
    void pluginsChanged();
    void widgetCatalogChanged();
    /** A message for the user (snackbar). */
    void notice(const QString &text);
    /**
     * The composer's message @p text for @p roomId was refused before it left (the room is
     * encrypted): the composer gives the text back with @p reason.
     */
    void composerRefused(const QString &roomId, const QString &text, const QString &reason);
    /**
     * A widget wants to open @p url (https:, ASCII, host in punycode) in a new window; the shell
     * asks before doing it, showing @p domain (its registrable domain) prominently and saying
     * when the host is @p internationalized (written in another alphabet).
     */
    void popupRequested(const QString &widgetId, const QString &url, const QString &domain, bool internationalized);
    /** The user asked to open widget @p name in the browser: the prompt asks once more. */
    void popOutRequested(const QString &widgetId, const QString &name, const QString &url, const QString &domain,
                         bool internationalized);

private:
    /** Whether the user remembered allowing @p origin @p permission. */
    bool rememberedAllow(const std::string &origin, consent::BrowserPermission permission) const;
    void refreshWidgets();
    /** Recomputes callFallback from the open room's widgets. */
    void updateCallFallback();
    void updateTabs();
    void addWidgetFailed(const std::string &widgetId, const std::string &message);
    /** What addFromCatalog's @p result says, in one line: its error, or its problems in field order. */
    QString catalogOutcomeText(const widgets::CatalogEntry &entry, const QVariantMap &result) const;
    /** The catalog of the current room as it stands (built-ins, plugin types, the offers last read). */
    std::vector<widgets::CatalogEntry> catalogEntries() const;
    std::vector<widgets::CatalogPluginType> catalogPluginTypes() const;
    void publishCatalog();
    /** Checks and sends the widget; the same result as addCatalogWidget. */
    QVariantMap addFromCatalog(const widgets::CatalogEntry &entry, const std::map<std::string, std::string> &values);
    /** A new widget id: time and a random part, so two adds in one millisecond differ. */
    std::string newWidgetId() const;
    void savePanel();
    void choosePanel();
    /**
     * Audits a refusal under the limit of its room, widget and kind (see auditRefusal); with
     * @p limitPerWidget false, under the limit of its room and kind, whatever the widget.
     */
    void recordRefusal(const std::string &roomId, const std::string &widgetId, const std::string &action,
                       std::string reason, bool limitPerWidget = true);
    bool writeRefusal(const std::string &roomId, const std::string &widgetId, const std::string &action,
                      const std::string &reason);
    bool writeNavigationRow(const std::string &roomId, const std::string &widgetId, const std::string &action,
                            audit::Decision decision, const std::string &reason);
    /** Opens @p url in the system browser (HostServices::openUrl when set); false if none started. */
    bool openInBrowser(const QUrl &url);
    void flushSuppressedRefusals();
    void scheduleRefusalFlush();

    HostServices &m_services;
    UiState &m_ui;
    std::unique_ptr<RoomListModel> m_rooms;
    std::unique_ptr<TimelineModel> m_timeline;
    std::unique_ptr<WidgetManager> m_widgets;
    std::unique_ptr<consent::CustomCapabilityDirectory> m_capabilities;
    std::unique_ptr<PermissionsModel> m_permissions;
    std::unique_ptr<AuditModel> m_audit;
    ConsentPromptModel *m_consentPrompts = nullptr;
    QObject *m_widgetProfile = nullptr;
    QVariantList m_plugins;
    PluginChoices m_pluginChoices;
    PluginChoices m_pluginChoicesAtStart;
    QString m_userPluginDir;
    bool m_thirdPartyFromCommandLine = false;
    QVariantList m_widgetTypes;
    std::vector<widgets::CatalogEntry> m_offers; ///< agents' offers in m_offersRoom
    std::string m_offersRoom;
    std::map<std::string, QString> m_offerNames; ///< agent user id → display name
    QVariantList m_catalogVariant;
    std::uint64_t m_catalogGeneration = 0;
    std::string m_roomId;
    bool m_roomWasInvited = false; ///< the current room was an invitation when last looked at
    QStringList m_answeringInvites;
    std::uint64_t m_nextLocalId = 0;
    void sendMessage(const std::string &roomId, const std::string &body, const QString &composerText);
    void answerInvite(const QString &roomId, bool accept);
    void roomsReloaded();
    QList<QObject *> m_currentWidgets;
    QVariantMap m_callFallback;
    /** roomId + widgetId + generation of the call widget whose offer the user declined. */
    QString m_callFallbackDeclined;
    WidgetListModel *m_widgetModel = nullptr;
    WidgetListModel *m_allWidgets = nullptr;
    WidgetSearchModel *m_widgetSearch = nullptr;
    int m_activeTab = -1;
    PanelState m_panel;
    bool m_compactLayout = false;
    /// A widget added here whose state event has not come back yet: the panel waits for it.
    std::string m_pendingWidgetId;
    QString m_themeMode = QStringLiteral("system");
    bool m_systemDark = false;
    QString m_language = QStringLiteral("en");
    QString m_backendLabel;
    QString m_startupWarning;
    std::string m_configuredCallService;
    std::string m_pluginWidgetPage; ///< empty: plugins::defaultPluginWidgetPage()
    void applyConfiguredCallService();
    QVariantMap m_engineVersions;
    QString m_engineNotice;
    RateLimiter m_refusals;
    Scheduler::TimerId m_refusalFlush = 0;
    /// The window a widget asked for that the popup prompt is showing, if any.
    struct PendingPopup {
        std::string roomId;
        std::string widgetId;
        QString url;
        std::string action; ///< "popup" (asked by the widget) or "pop_out" (asked by the user)
    };
    std::optional<PendingPopup> m_popup;
    std::shared_ptr<int> m_lifetime = std::make_shared<int>(0);
};

} // namespace tessera::ui
