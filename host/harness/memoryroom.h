// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bridge/widgetdriver.h"

namespace tessera::harness {

/** How the harness answers capability requests (there is no user to ask). */
struct ConsentPolicy {
    enum class Mode { Invalid = 0, ApproveAll, ApproveListed, DenyAll } mode = Mode::DenyAll;
    std::set<std::string> listed; ///< for ApproveListed
    bool allowOpenId = false;

    /** Parses "approve-all", "deny-all" or "approve:<cap>,<cap>,…". */
    static Result<ConsentPolicy> parse(const std::string &text);
};

/**
 * @brief A widget driver over one in-memory room, for the protocol harness and benchmarks.
 *
 * Sends append to the room's timeline (with Matrix-shaped ids and timestamps) and, if a
 * listener is set, come back as live events like a homeserver's sync would deliver them.
 * Consent follows a fixed ConsentPolicy. Not a product mode: nothing is stored.
 */
class MemoryRoomDriver final : public bridge::WidgetDriver {
public:
    MemoryRoomDriver(std::string roomId, std::string userId, ConsentPolicy policy);

    /** Seeds the timeline / state (events are completed with ids and room_id if missing). */
    void addEvent(nlohmann::json event);
    /** Called for every event the widget sends (the harness feeds it back to the session). */
    std::function<void(const nlohmann::json &)> onEventSent;

    void validateCapabilities(const bridge::WidgetContext &, const bridge::CapabilityRequest &request,
                              bridge::Callback<std::vector<std::string>> done) override;
    void requestOpenId(const bridge::WidgetContext &, std::function<void(bridge::OpenIdUpdate)> update) override;
    void sendEvent(const bridge::WidgetContext &, const bridge::SendEventRequest &request,
                   bridge::Callback<bridge::SendEventResult> done) override;
    void readEvents(const bridge::WidgetContext &, const bridge::ReadEventsRequest &request,
                    bridge::Callback<std::vector<bridge::SerializedEvent>> done) override;
    void readState(const bridge::WidgetContext &, const std::string &roomId, const std::string &type,
                   const std::optional<std::string> &stateKey, bridge::Callback<std::vector<nlohmann::json>> done) override;
    void navigate(const bridge::WidgetContext &, const std::string &uri, bridge::Callback<bool> done) override;
    void setAlwaysOnScreen(const bridge::WidgetContext &, bool value, bridge::Callback<bool> done) override;
    std::vector<std::string> knownRooms(const bridge::WidgetContext &) override { return {m_roomId}; }

    [[nodiscard]] const std::vector<nlohmann::json> &timeline() const { return m_timeline; }

private:
    nlohmann::json complete(nlohmann::json event);

    std::string m_roomId;
    std::string m_userId;
    ConsentPolicy m_policy;
    std::vector<nlohmann::json> m_timeline;
    std::map<std::pair<std::string, std::string>, nlohmann::json> m_state;
    std::uint64_t m_counter = 0;
};

} // namespace tessera::harness
