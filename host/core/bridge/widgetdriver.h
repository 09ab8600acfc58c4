// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bridge/capabilities.h"
#include "bridge/serializedevent.h"
#include "util/result.h"

namespace tessera::bridge {

using tessera::Callback;

/** Who is asking: the session that forwards a widget's request to the driver. */
struct WidgetContext {
    std::string widgetId;
    std::string roomId;      ///< the room the widget belongs to (empty for account widgets)
    std::string origin;      ///< scheme://host[:port] of the templated widget URL
    std::string url;         ///< templated widget URL
    std::string creatorUserId;
    std::string stateEventId; ///< the m.widget event that defined it (empty for virtual widgets)
    std::string widgetType;
    /** The widget's `data` object as published in its state event ({} if none); untrusted input. */
    nlohmann::json data = nlohmann::json::object();
};

struct SendEventRequest {
    std::string roomId; ///< always set: `room_id` from the widget or the widget's own room
    std::string type;
    nlohmann::json content = nlohmann::json::object();
    std::optional<std::string> stateKey;
    std::optional<std::int64_t> delayMs;      ///< MSC4157
    std::optional<std::string> parentDelayId; ///< MSC4157
    std::optional<std::int64_t> stickyDurationMs; ///< MSC4407
    /** Set by the session: names this send for WidgetDriver::withdrawSend(). */
    std::string sendKey;
};

/** What WidgetDriver::withdrawSend() did with a send that had not finished. */
enum class SendWithdrawal {
    Unknown = 0,    ///< nothing to withdraw under that key: the send's callback will come as it comes
    Withdrawn,      ///< it will never be sent; its callback gets an error
    MayHaveArrived, ///< no more attempts, but an earlier one got no answer: it may still appear
    InFlight,       ///< its last request is with the server; its callback gets the outcome
};

struct SendEventResult {
    std::string roomId;
    std::string eventId; ///< set for immediate sends
    std::string delayId; ///< set for delayed sends
};

enum class DelayedEventAction { Invalid = 0, Cancel, Restart, Send };

enum class StateKeySelector { None = 0, Any, Exact };

struct ReadEventsRequest {
    std::string roomId;
    std::string type;
    std::optional<std::string> msgtype;
    StateKeySelector stateKeySelector = StateKeySelector::None; ///< None = room (non-state) events
    std::string stateKey;                                     ///< when Exact
    int limit = 0;                                            ///< already clamped by the session
    std::optional<std::string> since;                         ///< event id to read after
};

struct RelationsRequest {
    std::string eventId;
    std::string roomId;
    std::optional<std::string> relType;
    std::optional<std::string> eventType;
    std::optional<std::string> from;
    std::optional<std::string> to;
    std::optional<int> limit;
    std::optional<std::string> direction; ///< "f" or "b"
};

struct RelationsResult {
    std::vector<nlohmann::json> chunk;
    std::optional<std::string> prevBatch;
    std::optional<std::string> nextBatch;
};

struct UserDirectoryResult {
    bool limited = false;
    struct Entry {
        std::string userId;
        std::optional<std::string> displayName;
        std::optional<std::string> avatarUrl;
    };
    std::vector<Entry> results;
};

struct MediaUpload {
    std::string bytes;
    std::string contentType = "application/octet-stream";
    std::optional<std::string> fileName;
};

struct MediaDownload {
    std::string bytes;
    std::string contentType;
};

struct TurnServer {
    std::vector<std::string> uris;
    std::string username;
    std::string password;
};

struct OpenIdToken {
    std::string accessToken;
    std::int64_t expiresInSeconds = 0;
    std::string matrixServerName;
    std::string tokenType = "Bearer";
};

/** One step of MSC1960's flow. Pending means "the user is being asked"; a second update follows. */
struct OpenIdUpdate {
    enum class State { Invalid = 0, Allowed, Blocked, Pending } state = State::Invalid;
    std::optional<OpenIdToken> token; ///< required when Allowed
};

struct ModalButton {
    std::string id;
    std::string label;
    std::string kind;
    bool disabled = false;
};

struct OpenModalRequest {
    std::string type;
    std::string url; ///< already checked by the URL policy
    std::string name;
    std::vector<ModalButton> buttons;
    nlohmann::json data = nlohmann::json::object();
    bool waitForIframeLoad = true;
};

/** A capability of a request that the session refused by itself, without asking anyone. */
struct RefusedCapability {
    std::string capability;
    CapabilityVerdict verdict = CapabilityVerdict::Invalid; ///< Unknown, Malformed or Forbidden
    RefusalReason reason = RefusalReason::Invalid;
};

struct CapabilityRequest {
    /** Recognised capabilities the widget asked for that are not yet approved. */
    std::vector<std::string> requested;
    bool isRenegotiation = false; ///< MSC2974 request_capabilities
    /** What the same request asked for that Tessera refuses by itself (already audited), to show the user. */
    std::vector<RefusedCapability> refused;
};

/** Ends a subscription when destroyed. */
class Subscription {
public:
    virtual ~Subscription() = default;
};

/**
 * @brief Everything a widget session needs from the rest of the host.
 *
 * Every member has a default that denies or reports "not supported", so a partial driver is
 * safe (matrix-widget-api's WidgetDriver does the same). Callbacks MUST be invoked on the
 * scheduler's thread, at most once (TURN and OpenID updates excepted). The session ignores
 * callbacks that arrive after it stopped.
 */
class WidgetDriver {
public:
    virtual ~WidgetDriver() = default;

    /**
     * Decides which of the requested capabilities are granted: asks the consent service, which
     * may prompt the user. The session intersects the answer with the request, so returning
     * more than was asked grants nothing extra. The default approves nothing.
     */
    virtual void validateCapabilities(const WidgetContext &widget, const CapabilityRequest &request,
                                      Callback<std::vector<std::string>> done);

    /** MSC1960 identity request. May call @p update twice: Pending, then Allowed or Blocked. */
    virtual void requestOpenId(const WidgetContext &widget, std::function<void(OpenIdUpdate)> update);

    virtual void sendEvent(const WidgetContext &widget, const SendEventRequest &request,
                           Callback<SendEventResult> done);
    /**
     * Withdraws a sendEvent() that has not finished (the session asks before the widget's own
     * timeout, so that what the widget hears is what happens). The default has nothing queued.
     */
    virtual SendWithdrawal withdrawSend(const WidgetContext &widget, const std::string &sendKey);
    virtual void updateDelayedEvent(const WidgetContext &widget, const std::string &delayId,
                                    DelayedEventAction action, Callback<bool> done);
    /**
     * @p messages is {user_id: {device_id or "*": content}}. @p encrypted is the widget's flag: a
     * driver that cannot encrypt refuses, never sends the messages in the clear.
     *
     * For sendEvent and sendToDevice, an error with ErrorCode::EncryptionRequired is a refusal
     * whose message is written for the widget: it reaches the widget as it is, audited as
     * refused. Every other error reaches it as the action's fixed message plus what the
     * homeserver answered.
     */
    virtual void sendToDevice(const WidgetContext &widget, const std::string &type, bool encrypted,
                              const nlohmann::json &messages, Callback<bool> done);
    /**
     * Room events, or state events as they appear in the timeline (stateKeySelector != None),
     * newest first. Events come as SerializedEvent so that a driver keeping them serialised
     * hands them over without a copy; the session checks each one again and writes its text
     * into the reply unchanged.
     */
    virtual void readEvents(const WidgetContext &widget, const ReadEventsRequest &request,
                            Callback<std::vector<SerializedEvent>> done);
    /** Current room state; @p stateKey nullopt means every key of the type. */
    virtual void readState(const WidgetContext &widget, const std::string &roomId, const std::string &type,
                           const std::optional<std::string> &stateKey, Callback<std::vector<nlohmann::json>> done);
    virtual void readRelations(const WidgetContext &widget, const RelationsRequest &request,
                               Callback<RelationsResult> done);
    virtual void readRoomAccountData(const WidgetContext &widget, const std::string &roomId, const std::string &type,
                                     Callback<std::vector<nlohmann::json>> done);
    virtual void searchUserDirectory(const WidgetContext &widget, const std::string &searchTerm,
                                     std::optional<int> limit, Callback<UserDirectoryResult> done);
    virtual void getMediaConfig(const WidgetContext &widget, Callback<nlohmann::json> done);
    virtual void uploadFile(const WidgetContext &widget, const MediaUpload &upload, Callback<std::string> done);
    virtual void downloadFile(const WidgetContext &widget, const std::string &contentUri,
                              Callback<MediaDownload> done);
    /**
     * MSC3846: the first call of @p update carries the current servers (or an error); later calls
     * carry rotations. Destroying the returned subscription stops the updates. The default
     * reports that TURN is unavailable.
     */
    virtual std::unique_ptr<Subscription> watchTurnServers(const WidgetContext &widget,
                                                           std::function<void(Result<TurnServer>)> update);
    /** MSC2931: open a matrix.to permalink inside the client. */
    virtual void navigate(const WidgetContext &widget, const std::string &uri, Callback<bool> done);
    virtual void setAlwaysOnScreen(const WidgetContext &widget, bool value, Callback<bool> done);
    /** MSC2790: open a modal widget on behalf of @p widget. */
    virtual void openModal(const WidgetContext &widget, const OpenModalRequest &request, Callback<bool> done);
    /** MSC2790: the modal widget @p widget asks to close with @p data. */
    virtual void closeModal(const WidgetContext &widget, const nlohmann::json &data, Callback<bool> done);
    /** MSC2790: the modal widget @p widget enables or disables one of its buttons. */
    virtual void setModalButtonEnabled(const WidgetContext &widget, const std::string &buttonId, bool enabled,
                                       Callback<bool> done);

    /**
     * Whether what @p capability allows can be done at all (sticky events need a room backend
     * that sends them, delayed events a homeserver with MSC4140). A capability it cannot serve
     * is refused before the user is asked, as not supported. Default: everything.
     */
    virtual bool supportsCapability(const WidgetContext &widget, const Capability &capability);
    /** Rooms the user has joined or been invited to (for `timeline:*`). */
    virtual std::vector<std::string> knownRooms(const WidgetContext &widget);
    /** Whether @p roomId uses end-to-end encryption (plaintext to-device is then not delivered). */
    virtual bool isRoomEncrypted(const WidgetContext &widget, const std::string &roomId);
};

/** The error drivers return for members they do not implement. */
Error driverUnsupported(const char *what);

} // namespace tessera::bridge
