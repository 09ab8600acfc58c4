// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "audit/auditsink.h"
#include "bridge/widgetsession.h"
#include "manualscheduler.h"

namespace tessera::test {

/** Records everything the session sends to the widget. */
class FakeTransport final : public bridge::Transport {
public:
    void send(std::string message) override { sent.push_back(std::move(message)); }
    std::vector<std::string> sent;
};

/** Keeps a copy of every audit record; can be told to stop accepting (a broken log). */
class RecordingAuditSink final : public audit::AuditSink {
public:
    struct Row {
        audit::Category category;
        audit::Direction direction;
        audit::Decision decision;
        std::string widgetId, roomId, origin, action, requestId, reason, body;
        std::size_t sizeBytes;
        std::int64_t durationMs;
    };
    bool append(const audit::Record &r) override;
    [[nodiscard]] bool accepting() const override { return isAccepting; }

    /** Rows with this decision (and action, if given). */
    std::vector<Row> with(audit::Decision decision, std::string_view action = {}) const;

    bool isAccepting = true;
    std::vector<Row> rows;
};

/**
 * @brief A widget driver whose answers the test scripts.
 *
 * By default every call succeeds with plausible data; set the std::function members to change
 * an answer, or set `defer` to keep callbacks for the test to resolve later.
 */
class ScriptedDriver : public bridge::WidgetDriver {
public:
    // What the driver was asked.
    std::vector<bridge::CapabilityRequest> capabilityRequests;
    std::vector<bridge::SendEventRequest> sentEvents;
    std::vector<std::tuple<std::string, bridge::DelayedEventAction>> delayedUpdates;
    std::vector<std::tuple<std::string, bool, nlohmann::json>> toDevice;
    std::vector<bridge::ReadEventsRequest> eventReads;
    std::vector<std::tuple<std::string, std::string, std::optional<std::string>>> stateReads;
    std::vector<bridge::RelationsRequest> relationReads;
    std::vector<std::pair<std::string, std::optional<int>>> directorySearches;
    std::vector<bridge::MediaUpload> uploads;
    std::vector<std::string> downloads;
    std::vector<std::string> navigations;
    std::vector<bool> alwaysOnScreen;
    std::vector<bridge::OpenModalRequest> modals;
    std::vector<nlohmann::json> modalCloses;
    std::vector<std::pair<std::string, bool>> buttonToggles;
    std::vector<std::string> accountDataReads;
    int openIdRequests = 0;
    int turnWatches = 0;

    // How it answers.
    /** Capabilities approved; default: everything requested. */
    std::function<std::vector<std::string>(const bridge::CapabilityRequest &)> approve;
    /** If set, capability decisions wait here until the test calls them. */
    bool deferCapabilities = false;
    std::vector<bridge::Callback<std::vector<std::string>>> pendingCapabilityDecisions;
    std::optional<Error> failWith; ///< every room/media/… call fails with this
    std::vector<nlohmann::json> events; ///< the room's timeline (readEvents filters by type)
    std::vector<nlohmann::json> state;  ///< the room's current state
    std::vector<nlohmann::json> relations;
    std::vector<std::string> rooms = {"!room:example.org"};
    bool encryptedRoom = false;
    std::vector<bridge::OpenIdUpdate> openIdScript; ///< updates delivered in order (default: blocked)
    std::function<void(std::function<void(bridge::OpenIdUpdate)>)> openIdHook; ///< overrides openIdScript
    std::optional<Result<bridge::TurnServer>> turnFirst; ///< default: a server
    std::function<void(Result<bridge::TurnServer>)> turnPush; ///< set by watchTurnServers
    bool deferSends = false;
    std::vector<std::function<void()>> pendingSends;

    void validateCapabilities(const bridge::WidgetContext &, const bridge::CapabilityRequest &request,
                              bridge::Callback<std::vector<std::string>> done) override;
    void requestOpenId(const bridge::WidgetContext &, std::function<void(bridge::OpenIdUpdate)> update) override;
    void sendEvent(const bridge::WidgetContext &, const bridge::SendEventRequest &request,
                   bridge::Callback<bridge::SendEventResult> done) override;
    void updateDelayedEvent(const bridge::WidgetContext &, const std::string &delayId, bridge::DelayedEventAction action,
                            bridge::Callback<bool> done) override;
    void sendToDevice(const bridge::WidgetContext &, const std::string &type, bool encrypted,
                      const nlohmann::json &messages, bridge::Callback<bool> done) override;
    void readEvents(const bridge::WidgetContext &, const bridge::ReadEventsRequest &request,
                    bridge::Callback<std::vector<bridge::SerializedEvent>> done) override;
    void readState(const bridge::WidgetContext &, const std::string &roomId, const std::string &type,
                   const std::optional<std::string> &stateKey, bridge::Callback<std::vector<nlohmann::json>> done) override;
    void readRelations(const bridge::WidgetContext &, const bridge::RelationsRequest &request,
                       bridge::Callback<bridge::RelationsResult> done) override;
    void readRoomAccountData(const bridge::WidgetContext &, const std::string &roomId, const std::string &type,
                             bridge::Callback<std::vector<nlohmann::json>> done) override;
    void searchUserDirectory(const bridge::WidgetContext &, const std::string &term, std::optional<int> limit,
                             bridge::Callback<bridge::UserDirectoryResult> done) override;
    void getMediaConfig(const bridge::WidgetContext &, bridge::Callback<nlohmann::json> done) override;
    void uploadFile(const bridge::WidgetContext &, const bridge::MediaUpload &upload,
                    bridge::Callback<std::string> done) override;
    void downloadFile(const bridge::WidgetContext &, const std::string &uri,
                      bridge::Callback<bridge::MediaDownload> done) override;
    std::unique_ptr<bridge::Subscription> watchTurnServers(const bridge::WidgetContext &,
                                                           std::function<void(Result<bridge::TurnServer>)> update) override;
    void navigate(const bridge::WidgetContext &, const std::string &uri, bridge::Callback<bool> done) override;
    void setAlwaysOnScreen(const bridge::WidgetContext &, bool value, bridge::Callback<bool> done) override;
    void openModal(const bridge::WidgetContext &, const bridge::OpenModalRequest &request,
                   bridge::Callback<bool> done) override;
    void closeModal(const bridge::WidgetContext &, const nlohmann::json &data, bridge::Callback<bool> done) override;
    void setModalButtonEnabled(const bridge::WidgetContext &, const std::string &buttonId, bool enabled,
                               bridge::Callback<bool> done) override;
    std::vector<std::string> knownRooms(const bridge::WidgetContext &) override { return rooms; }
    /** Which capabilities the driver can serve; default: all. */
    std::function<bool(const bridge::Capability &)> supports;
    bool supportsCapability(const bridge::WidgetContext &, const bridge::Capability &c) override
    {
        return !supports || supports(c);
    }
    bool isRoomEncrypted(const bridge::WidgetContext &, const std::string &) override { return encryptedRoom; }

    /** Live TURN subscriptions (destroyed ones decrement it). */
    int liveTurnSubscriptions = 0;
};

/** A MatrixApiError as a homeserver would produce it. */
Error matrixError(int status, const std::string &errcode, const std::string &error,
                  nlohmann::json extra = nlohmann::json::object());

/**
 * @brief One widget session wired to fakes, with helpers that speak the widget's side.
 *
 * The widget is `test` in room `!room:example.org`, origin https://example.org, like the
 * reference's ClientWidgetApi test.
 */
class SessionHarness {
public:
    explicit SessionHarness(bridge::SessionConfig config = defaultConfig());
    /** The same with @p sink (a real AuditLog, say) in place of `audit`; it must outlive the harness. */
    SessionHarness(bridge::SessionConfig config, audit::AuditSink &sink);

    static bridge::SessionConfig defaultConfig();

    /** Simulates the iframe load and answers negotiation: versions, then capabilities. */
    void loadAndNegotiate(const std::vector<std::string> &capabilities,
                          const std::vector<std::string> &widgetVersions = {"0.0.1", "0.0.2", "org.matrix.msc2762",
                                                                           "org.matrix.msc2762_update_state",
                                                                           "org.matrix.msc2871"});
    /**
     * Sends a fromWidget request and returns the session's reply (the whole message), or
     * nullopt if it has not replied (yet).
     */
    std::optional<nlohmann::json> request(const std::string &action, const nlohmann::json &data,
                                          const std::string &requestId = "");
    /** The `response` of request(). Fails the test if there was no reply. */
    nlohmann::json respond(const std::string &action, const nlohmann::json &data);
    /** The error message of a reply, or "" if it was a success. */
    static std::string errorOf(const nlohmann::json &response);

    /** toWidget requests sent so far (parsed), optionally only one action. */
    std::vector<nlohmann::json> toWidgetRequests(const std::string &action = "") const;
    /** Answers a toWidget request the session sent. */
    void answer(const nlohmann::json &request, const nlohmann::json &response);
    /** Answers every unanswered toWidget request of @p action with @p response. */
    void answerAll(const std::string &action, const nlohmann::json &response);
    /** The reply to requestId, if any, among everything sent. */
    std::optional<nlohmann::json> replyTo(const std::string &requestId) const;

    ManualScheduler scheduler;
    FakeTransport transport;
    RecordingAuditSink audit;
    ScriptedDriver driver;
    std::unique_ptr<bridge::WidgetSession> session;

private:
    int m_nextId = 1;
    std::vector<std::string> m_answered;
};

} // namespace tessera::test
