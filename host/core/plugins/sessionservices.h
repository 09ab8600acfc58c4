// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "plugins/issuertokenminter.h"
#include "plugins/pluginmanager.h"
#include "plugins/services.h"

namespace tessera::bridge {
class WidgetSession;
class WidgetDriver;
} // namespace tessera::bridge

namespace tessera::plugins {

/** Finds the live widget session of a widget, or returns null. */
using WidgetSessionLookup = std::function<bridge::WidgetSession *(const std::string &roomId, const std::string &widgetId)>;

/**
 * @brief Plugin pushes delivered through the widget sessions (WidgetSession::pushCustom).
 *
 * Refuses with NotFound when the session is gone, Unavailable while it is not Ready, and
 * Denied when it does not hold the capability. WidgetSession::pushCustom does not report the
 * widget's answer, so a delivered push completes with an empty object.
 */
class SessionPushTarget final : public WidgetPushTarget {
public:
    explicit SessionPushTarget(WidgetSessionLookup lookup);
    void push(const bridge::WidgetContext &widget, const WidgetPush &push, bridge::Callback<nlohmann::json> done) override;

private:
    WidgetSessionLookup m_lookup;
};

/**
 * @brief Room access for plugins, limited to what the calling widget session was granted.
 *
 * Applies the session's approved capabilities exactly as the session does for the widget's
 * own read_events / send_event requests (receive.state_event, receive.event, send.event with
 * the msgtype, send.state_event with the state key), then asks @p driver, the same driver the
 * sessions use, in the session's room only. Results are filtered against the capabilities
 * again when they arrive, with the session's capabilities as they are then (a revocation in
 * between wins), because the driver is not trusted to filter.
 */
class SessionRoomAccessAdapter final : public SessionRoomAccess {
public:
    SessionRoomAccessAdapter(WidgetSessionLookup lookup, bridge::WidgetDriver &driver);
    void readState(const bridge::WidgetContext &widget, const std::string &eventType,
                   const std::optional<std::string> &stateKey,
                   bridge::Callback<std::vector<nlohmann::json>> done) override;
    void readEvents(const bridge::WidgetContext &widget, const std::string &eventType, int limit,
                    bridge::Callback<std::vector<nlohmann::json>> done) override;
    void sendEvent(const bridge::WidgetContext &widget, const bridge::SendEventRequest &request,
                   bridge::Callback<bridge::SendEventResult> done) override;

private:
    WidgetSessionLookup m_lookup;
    bridge::WidgetDriver &m_driver;
};

/**
 * @brief What plugins reach of the live widget sessions in the running app: pushes, room access
 * and scoped tokens, each limited to what the session was granted (the app's composition root
 * and the tests build this same object).
 */
struct SessionPluginServices {
    /**
     * @p driver is a room driver of the sessions' kind (it must outlive this); @p issuer may be
     * null (no tokens); @p userId names the signed-in user at each mint.
     */
    SessionPluginServices(WidgetSessionLookup lookup, bridge::WidgetDriver &driver, tokens::TokenIssuer *issuer,
                          std::function<std::string()> userId);
    /** Points push, rooms and tokens of @p services here. */
    void wire(PluginServices &services);

    SessionPushTarget push;
    SessionRoomAccessAdapter rooms;
    std::optional<IssuerTokenMinter> tokens;
};

} // namespace tessera::plugins
