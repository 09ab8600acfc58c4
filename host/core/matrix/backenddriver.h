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

#include "bridge/widgetdriver.h"
#include "matrix/roombackend.h"
#include "util/result.h"
#include "util/scheduler.h"

namespace tessera::matrix {

struct BackendDriverOptions {
    /** TURN credentials are fetched again this long before their ttl runs out. */
    std::int64_t turnRefreshMarginMs = 60'000;
    /** The shortest wait between two TURN fetches, whatever the ttl says. */
    std::int64_t turnMinRefreshMs = 30'000;
    /** After a failed refresh, the next try comes this much later (the last servers stay valid). */
    std::int64_t turnRetryMs = 60'000;
    /** user_directory_search: the limit when the widget gives none (Synapse's default). */
    int defaultDirectoryLimit = 10;
    /** read_relations: the limit when the widget gives none or 0. */
    int defaultRelationsLimit = 50;
};

/**
 * @brief Serves the room-related calls of a widget session from a RoomBackend.
 *
 * Implements sendEvent (redactions through `content.redacts` as MSC2762 asks, MSC4157 delayed
 * events where the backend supports them; MSC4407 sticky events and delayed redactions are
 * refused as unsupported), updateDelayedEvent, sendToDevice (an `encrypted` one goes to the
 * backend's sendEncryptedToDevice, which encrypts per device; the EncryptionGate refuses it where
 * Tessera cannot encrypt), readEvents (newest first, as Element's readRoomTimeline), readState,
 * readRelations, readRoomAccountData, searchUserDirectory, getMediaConfig, uploadFile,
 * downloadFile, watchTurnServers (fetched again before the ttl expires), knownRooms and
 * isRoomEncrypted, plus fetchOpenIdToken() for the host's consent-gated requestOpenId.
 * Backend errors pass through untouched, so a homeserver's answer reaches the widget as
 * `matrix_api_error`.
 *
 * It trusts the session's capability checks and decides nothing the user must decide:
 * validateCapabilities, requestOpenId (the user's confirmation), navigate, the modal calls and
 * setAlwaysOnScreen keep WidgetDriver's denying defaults. The host's composition subclasses
 * this driver and overrides them with the consent service and the UI.
 */
class BackendWidgetDriver : public bridge::WidgetDriver {
public:
    BackendWidgetDriver(Scheduler &scheduler, RoomBackend &backend, BackendDriverOptions options = {});
    ~BackendWidgetDriver() override;

    void sendEvent(const bridge::WidgetContext &widget, const bridge::SendEventRequest &request,
                   bridge::Callback<bridge::SendEventResult> done) override;
    bridge::SendWithdrawal withdrawSend(const bridge::WidgetContext &widget, const std::string &sendKey) override;
    void updateDelayedEvent(const bridge::WidgetContext &widget, const std::string &delayId,
                            bridge::DelayedEventAction action, bridge::Callback<bool> done) override;
    void sendToDevice(const bridge::WidgetContext &widget, const std::string &type, bool encrypted,
                      const nlohmann::json &messages, bridge::Callback<bool> done) override;
    void readEvents(const bridge::WidgetContext &widget, const bridge::ReadEventsRequest &request,
                    bridge::Callback<std::vector<bridge::SerializedEvent>> done) override;
    void readState(const bridge::WidgetContext &widget, const std::string &roomId, const std::string &type,
                   const std::optional<std::string> &stateKey,
                   bridge::Callback<std::vector<nlohmann::json>> done) override;
    void readRelations(const bridge::WidgetContext &widget, const bridge::RelationsRequest &request,
                       bridge::Callback<bridge::RelationsResult> done) override;
    void readRoomAccountData(const bridge::WidgetContext &widget, const std::string &roomId, const std::string &type,
                             bridge::Callback<std::vector<nlohmann::json>> done) override;
    void searchUserDirectory(const bridge::WidgetContext &widget, const std::string &searchTerm,
                             std::optional<int> limit, bridge::Callback<bridge::UserDirectoryResult> done) override;
    void getMediaConfig(const bridge::WidgetContext &widget, bridge::Callback<nlohmann::json> done) override;
    void uploadFile(const bridge::WidgetContext &widget, const bridge::MediaUpload &upload,
                    bridge::Callback<std::string> done) override;
    void downloadFile(const bridge::WidgetContext &widget, const std::string &contentUri,
                      bridge::Callback<bridge::MediaDownload> done) override;
    std::unique_ptr<bridge::Subscription> watchTurnServers(
        const bridge::WidgetContext &widget, std::function<void(Result<bridge::TurnServer>)> update) override;
    /** Sticky events (MSC4407): never, this driver does not send them; delayed events (MSC4140): if the backend can. */
    bool supportsCapability(const bridge::WidgetContext &widget, const bridge::Capability &capability) override;
    std::vector<std::string> knownRooms(const bridge::WidgetContext &widget) override;
    bool isRoomEncrypted(const bridge::WidgetContext &widget, const std::string &roomId) override;

    /**
     * Fetches an OpenID token (MSC1960) from the backend. The host calls it from its
     * requestOpenId once the user (or a standing rule) allowed it.
     */
    void fetchOpenIdToken(std::function<void(Result<bridge::OpenIdToken>)> done);

protected:
    RoomBackend &backend() { return m_backend; }
    Scheduler &scheduler() { return m_scheduler; }

private:
    template<typename T>
    void fail(bridge::Callback<T> done, Error error);

    Scheduler &m_scheduler;
    RoomBackend &m_backend;
    BackendDriverOptions m_options;
};

} // namespace tessera::matrix
