// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <nlohmann/json.hpp>

#include "audit/auditsink.h"
#include "bridge/actionregistry.h"
#include "bridge/capabilities.h"
#include "bridge/envelope.h"
#include "bridge/widgetdriver.h"
#include "util/scheduler.h"
#include "widgets/urlpolicy.h"

namespace tessera::bridge {

/** Where a session's messages to the widget go (the web view's postMessage, a pipe, a test). */
class Transport {
public:
    virtual ~Transport() = default;
    /** Delivers one message, JSON text, to the widget. */
    virtual void send(std::string message) = 0;
};

enum class WidgetKind { Invalid = 0, Room, Account, Modal };

/** The widget types Element hosts as calls (Element Call): they get the call actions. */
bool isCallWidgetType(std::string_view type) noexcept;

/** What a call widget told its host with one of Element's call actions. */
enum class CallAction {
    Invalid = 0,
    Join,       ///< io.element.join: the user joined the call
    Hangup,     ///< im.vector.hangup: the user left the call; the widget stays open
    Close,      ///< io.element.close: the widget is done; the host closes it
    DeviceMute, ///< io.element.device_mute: the widget's microphone and camera state
};

/** A call widget's microphone and camera, as it last said (io.element.device_mute). */
struct DeviceMuteState {
    std::optional<bool> audioEnabled;
    std::optional<bool> videoEnabled;
};

/** Every limit a session enforces. Defaults are what the app uses; tests lower them. */
struct SessionLimits {
    EnvelopeLimits envelope; ///< message size (8 MiB), JSON depth (64), id length (512)
    /** fromWidget requests being processed at once; more are refused with an error. */
    std::size_t maxPendingFromWidget = 32;
    /** toWidget requests awaiting an answer; pushes beyond it are dropped and audited. */
    std::size_t maxPendingToWidget = 64;
    /** How long either side has to answer a request. */
    std::int64_t requestTimeoutMs = 10'000;
    /**
     * send_event: a send not finished after this long is withdrawn (WidgetDriver::withdrawSend),
     * so that the widget hears what happened before its own timeout (matrix-widget-api gives up
     * after 10 s) rather than an error for an event that is sent later.
     */
    std::int64_t sendWithdrawMs = 6'000;
    /**
     * send_event: a send whose last request was with the server when it was withdrawn is awaited
     * until this long after the widget asked; then the widget hears that it may still appear,
     * and the audit log records the outcome when it comes.
     */
    std::int64_t sendAnswerMs = 9'000;
    /** Capabilities one request may list. */
    std::size_t maxCapabilitiesPerRequest = 256;
    /** read_events: the largest `limit`, and the one used when the widget gives none. */
    int maxReadEventsLimit = 1000;
    /** MSC2974 renegotiations allowed per minute (prompt-fatigue guard). */
    int maxRenegotiationsPerMinute = 6;
    /** Event ids remembered to avoid feeding the same event twice. */
    std::size_t feedDedupWindow = 4096;
    /** Largest file upload_file accepts (after base64 decoding). */
    std::size_t maxUploadBytes = 6 * 1024 * 1024;
};

struct SessionConfig {
    WidgetContext widget;
    std::string userId;
    WidgetKind kind = WidgetKind::Room;
    bool waitForIframeLoad = true;
    SessionLimits limits;
    widgets::UrlPolicyOptions urlPolicy; ///< for URLs the widget hands over (open_modal)
    /**
     * Serve Element's call actions (io.element.join, im.vector.hangup, io.element.close,
     * io.element.device_mute) as Element's host does for its call widget. Off, they are
     * unknown actions, as Element answers every other widget. The host sets it for
     * isCallWidgetType() widgets.
     */
    bool callActions = false;
};

/** Notifications for the host UI. All default to nothing. */
class SessionObserver {
public:
    virtual ~SessionObserver() = default;
    /** Negotiation finished; @p approved may be empty. */
    virtual void onReady(const std::vector<std::string> &approved) { (void)approved; }
    /** The approved set changed after onReady (renegotiation or revocation). */
    virtual void onCapabilitiesChanged(const std::vector<std::string> &approved) { (void)approved; }
    /** A widget with waitForIframeLoad=false loaded but sent no content_loaded in time. */
    virtual void onContentLoadTimeout() {}
    /**
     * The widget did not answer the capabilities request (it never started the Widget API, or
     * started it too late); onReady follows with nothing approved. @p reason is English.
     */
    virtual void onCapabilitiesUnanswered(const std::string &reason) { (void)reason; }
    /** A call widget's call action, after the session answered it (see CallAction). */
    virtual void onCallAction(CallAction action) { (void)action; }
};

/**
 * @brief One widget's Widget API session: the protocol object of the message path
 * (docs/architecture.md).
 *
 * It validates every inbound message, runs capability negotiation (MSC2871) and renegotiation
 * (MSC2974), checks each action against the approved capabilities, calls the driver, writes
 * the reply, pushes room events and state the widget may see, and audits every message in and
 * out. It is transport-agnostic and single-threaded (everything on the Scheduler's thread).
 *
 * It is stricter than matrix-widget-api's ClientWidgetApi where that one is lenient: approved ⊆
 * requested, unknown capabilities denied, nothing but version queries before negotiation
 * completes, duplicate in-flight request ids refused, a second content_loaded answered with an
 * error, navigate answered once, end-to-end-encryption to-device types never sent or delivered,
 * and every message dropped for being malformed or misaddressed is audited.
 *
 * It does not load or check the widget's URL, show UI, or decide consent: that is the host's.
 */
class WidgetSession {
public:
    enum class State {
        Invalid = 0,
        Created,            ///< start() not called yet
        WaitingForLoad,     ///< waiting for the iframe's load (or content_loaded)
        Negotiating,        ///< capabilities requested, waiting for the widget or the user
        Ready,              ///< actions are served
        Stopped,
    };

    WidgetSession(SessionConfig config, WidgetDriver &driver, Transport &transport, audit::AuditSink &audit,
                  Scheduler &scheduler, const ActionRegistry *registry = nullptr);
    ~WidgetSession();
    WidgetSession(const WidgetSession &) = delete;
    WidgetSession &operator=(const WidgetSession &) = delete;

    void setObserver(SessionObserver *observer) { m_observer = observer; }

    /** Call before the widget's iframe starts loading. */
    void start();
    /** Call on every load event of the widget's iframe (reloads renegotiate). */
    void onIframeLoaded();
    /**
     * One message from the widget, JSON text. The transport has already checked that it came
     * from this widget's frame and origin; the session checks everything else.
     */
    void handleMessage(std::string_view text);
    /** Ends the session: pending host requests fail, late driver answers are discarded. */
    void stop();

    // Host → widget.
    /** A live room event (MSC2762 send_event); filtered by room and receive capabilities. */
    void feedEvent(const nlohmann::json &event);
    /** A change of room state (update_state, only if the widget advertises it). */
    void feedStateUpdate(const nlohmann::json &event);
    /** A to-device message received by the user (MSC3819). @p encrypted is computed by the host. */
    void feedToDevice(const std::string &type, const std::string &sender, const nlohmann::json &content,
                      bool encrypted);
    void updateTheme(const nlohmann::json &theme);
    void updateLanguage(const std::string &lang);
    void updateVisibility(bool visible);
    /** MSC2790, to a modal widget when it is ready: the open_modal data. */
    void sendWidgetConfig(const nlohmann::json &config);
    /** MSC2790, to a modal widget: one of its buttons was pressed. */
    void sendButtonClicked(const std::string &buttonId);
    /** MSC2790, to the widget that opened a modal: it closed, with its data or {"m.exited":true}. */
    void sendCloseModal(const nlohmann::json &data);
    /** A plugin's toWidget push; sent only if the widget holds @p capability. Returns false if not. */
    bool pushCustom(const std::string &capability, const std::string &action, const nlohmann::json &data);
    /** Consent revoked: the capabilities are gone at once, and the widget is told. */
    void revokeCapabilities(const std::vector<std::string> &capabilities);

    /**
     * Host → call widget: leave the call (im.vector.hangup, as Element's hang-up button). The
     * widget answers and then sends its own hangup. False if this is not a call widget or the
     * session is not ready.
     */
    bool requestHangup();
    /**
     * Host → call widget: ask for (both nullopt) or change its microphone and camera
     * (io.element.device_mute); @p done gets the state the widget answers with.
     */
    bool requestDeviceMute(const DeviceMuteState &change, std::function<void(Result<DeviceMuteState>)> done);

    [[nodiscard]] State state() const { return m_state; }
    /** A call widget said io.element.join and has not hung up or closed since. */
    [[nodiscard]] bool inCall() const { return m_inCall; }
    [[nodiscard]] const DeviceMuteState &deviceMute() const { return m_deviceMute; }
    [[nodiscard]] const CapabilitySet &approved() const { return m_approved; }
    [[nodiscard]] const std::vector<std::string> &widgetVersions() const { return m_widgetVersions; }
    [[nodiscard]] const SessionConfig &config() const { return m_config; }
    [[nodiscard]] std::size_t pendingFromWidget() const { return m_inbound.size(); }
    [[nodiscard]] std::size_t pendingToWidget() const { return m_outbound.size(); }

private:
    /** A fromWidget request being processed. */
    struct Inbound {
        std::string text; ///< the request as received
        std::string action;
        std::string requestId;
        std::size_t dataOffset = 0; ///< where `data` starts in text (0 = absent)
        std::size_t dataLength = 0;
        nlohmann::json data;
        std::int64_t startMs = 0;
        Scheduler::TimerId timer = 0;
        bool done = false;
        std::string sendKey;         ///< send_event: what the driver knows the send by
        bool outcomeUnknown = false; ///< answered "may still appear"; the outcome is audited when it comes
    };
    using ResponseHandler = std::function<void(Result<nlohmann::json>)>;
    struct Outbound {
        std::string action;
        std::int64_t sentAtMs = 0;
        Scheduler::TimerId timer = 0;
        ResponseHandler handler;
    };
    using InboundPtr = std::shared_ptr<Inbound>;
    using Handler = void (WidgetSession::*)(const InboundPtr &);

    // Inbound path.
    void handleRequest(std::string_view text, Envelope &&env);
    void handleResponse(std::string_view text, const Envelope &env);
    void drop(std::string_view text, std::string_view action, std::string_view requestId, std::string_view reason);
    /** An audit row of this session's widget, stamped now, for the caller to complete and append. */
    [[nodiscard]] audit::Record auditRecord(audit::Category category, audit::Direction direction,
                                            audit::Decision decision, std::string_view action) const;
    void reply(const InboundPtr &req, const nlohmann::json &response);
    /** Replies `{}`. */
    void replyEmpty(const InboundPtr &req);
    void replyRaw(const InboundPtr &req, std::string_view responseJson, audit::Decision decision, std::string_view reason);
    void replyError(const InboundPtr &req, std::string_view message, audit::Decision decision = audit::Decision::Refused,
                    std::string_view auditReason = {});
    void replyDriverError(const InboundPtr &req, std::string_view message, const Error &error);
    /** Builds req->data; refuses the request (and returns false) if it is not an object. */
    bool parseData(const InboundPtr &req);
    /** For handlers that read `data` as text: refuses what parseData would refuse. */
    bool checkDataText(const InboundPtr &req);
    /** The request's `data` as raw JSON text ("{}" when absent). */
    static std::string_view dataText(const InboundPtr &req);
    void armTimeout(const InboundPtr &req);
    void scheduleTimeout(const InboundPtr &req, std::int64_t delayMs);
    /** send_event's time is nearly up: withdraws the send and answers what that did. */
    void withdrawSend(const InboundPtr &req);
    bool alive(const InboundPtr &req) const;
    /** Wraps a driver callback so it does nothing once the session stopped or the request was answered. */
    template<typename T>
    Callback<T> guarded(const InboundPtr &req, std::function<void(Result<T>)> fn)
    {
        std::weak_ptr<int> life = m_lifetime;
        return [life, req, fn = std::move(fn)](Result<T> result) {
            if (life.expired() || requestDone(req))
                return;
            fn(std::move(result));
        };
    }
    static bool requestDone(const InboundPtr &req);

    // Outbound path.
    bool sendRequest(const std::string &action, const nlohmann::json &data, ResponseHandler handler, bool essential);
    void sendRequestRaw(const std::string &action, std::string_view dataJson, ResponseHandler handler, bool essential);
    void failAllOutbound(const std::string &message);

    // Negotiation.
    void beginNegotiation();
    void acceptContentLoaded();
    void onCapabilitiesReply(std::uint64_t generation, Result<nlohmann::json> reply);
    void finishNegotiation(std::uint64_t generation, const std::vector<std::string> &requested,
                           const std::vector<Capability> &recognised, Result<std::vector<std::string>> decision,
                           bool renegotiation);
    /** The recognised capabilities of @p requested not yet held; audits the others and adds them to @p refused. */
    std::vector<Capability> screenCapabilities(const std::vector<std::string> &requested, std::string_view phase,
                                               std::vector<RefusedCapability> &refused);
    void notifyCapabilities(const std::vector<std::string> &requested);
    void pushInitialState();
    void flushInitialState();
    bool widgetSupportsUpdateState() const;
    std::vector<std::string> timelineRooms();
    void stopTurnWatch();

    // Actions.
    void onSupportedApiVersions(const InboundPtr &req);
    void onContentLoaded(const InboundPtr &req);
    void onRequestCapabilities(const InboundPtr &req);
    void onGetOpenId(const InboundPtr &req);
    void onSendEvent(const InboundPtr &req);
    void onUpdateDelayedEvent(const InboundPtr &req);
    void onSendToDevice(const InboundPtr &req);
    void onReadEvents(const InboundPtr &req);
    void onReadRelations(const InboundPtr &req);
    void onUserDirectorySearch(const InboundPtr &req);
    void onGetMediaConfig(const InboundPtr &req);
    void onUploadFile(const InboundPtr &req);
    void onDownloadFile(const InboundPtr &req);
    void onWatchTurnServers(const InboundPtr &req);
    void onUnwatchTurnServers(const InboundPtr &req);
    void onNavigate(const InboundPtr &req);
    void onSetAlwaysOnScreen(const InboundPtr &req);
    void onSticker(const InboundPtr &req);
    void onOpenModal(const InboundPtr &req);
    void onCloseModal(const InboundPtr &req);
    void onSetButtonEnabled(const InboundPtr &req);
    void onReadRoomAccountData(const InboundPtr &req);
    void onCustomAction(const InboundPtr &req, const ActionRegistry::Entry &entry);
    void onCallJoin(const InboundPtr &req);
    void onCallHangup(const InboundPtr &req);
    void onCallClose(const InboundPtr &req);
    void onCallDeviceMute(const InboundPtr &req);
    void notifyCall(CallAction action);

    void audit(audit::Direction direction, audit::Decision decision, std::string_view action,
               std::string_view requestId, std::string_view body, std::string_view reason, std::int64_t durationMs);
    bool rememberFed(const nlohmann::json &event);

    SessionConfig m_config;
    WidgetDriver &m_driver;
    Transport &m_transport;
    audit::AuditSink &m_audit;
    Scheduler &m_scheduler;
    const ActionRegistry *m_registry;
    SessionObserver *m_observer = nullptr;

    State m_state = State::Created;
    std::shared_ptr<int> m_lifetime; ///< callbacks hold a weak_ptr; reset on stop
    std::uint64_t m_generation = 0;  ///< bumped on every (re)load; stale negotiation replies are ignored

    std::unordered_map<std::string, InboundPtr> m_inbound;
    std::unordered_map<std::string, Outbound> m_outbound;
    std::uint64_t m_nextRequestId = 1;

    CapabilitySet m_approved;
    std::vector<std::string> m_widgetVersions;
    bool m_versionsKnown = false;
    // content_loaded bookkeeping for waitForIframeLoad=false (see onIframeLoaded).
    bool m_pageSentContentLoaded = false; ///< the current page's content_loaded was accepted
    bool m_pageLoadSeen = false;          ///< the current page's load event arrived
    bool m_refusedContentLoaded = false;  ///< a content_loaded was refused since the last load event
    Scheduler::TimerId m_contentLoadTimer = 0;
    bool m_renegotiating = false;
    std::deque<std::int64_t> m_renegotiationTimes;

    // Initial state push (MSC2762 update_state), merged with updates that race it.
    bool m_initialStatePending = false;
    int m_initialStateReads = 0;
    std::vector<nlohmann::json> m_pendingState;

    bool m_inCall = false;
    DeviceMuteState m_deviceMute;

    std::unique_ptr<Subscription> m_turnSubscription;
    bool m_turnWatching = false;

    std::unordered_set<std::string> m_fedIds;
    std::deque<std::string> m_fedOrder;
};

} // namespace tessera::bridge
