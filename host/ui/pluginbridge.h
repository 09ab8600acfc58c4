// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "bridge/capabilities.h"
#include "matrix/roombackend.h"
#include "plugins/services.h"
#include "tokens/tokenissuer.h"

namespace tessera::ui {

class WidgetManager;

/**
 * @brief What the plugin manager reaches in the running app: pushes to live widget sessions,
 * room access limited to what each session was granted, and scoped tokens for its widgets.
 *
 * Everything goes through a live session: a plugin can do nothing for a widget that is not
 * open, and nothing the widget itself could not have done.
 */
class PluginBridge final : public plugins::WidgetPushTarget,
                           public plugins::SessionRoomAccess,
                           public plugins::ScopedTokenMinter {
public:
    PluginBridge(matrix::RoomBackend &backend, tokens::TokenIssuer *tokens);
    /** Set once the shell exists (plugins load before it). */
    void setWidgetManager(WidgetManager *manager) { m_widgets = manager; }

    void push(const bridge::WidgetContext &widget, const plugins::WidgetPush &push,
              bridge::Callback<nlohmann::json> done) override;
    void readState(const bridge::WidgetContext &widget, const std::string &eventType,
                   const std::optional<std::string> &stateKey, bridge::Callback<std::vector<nlohmann::json>> done) override;
    void readEvents(const bridge::WidgetContext &widget, const std::string &eventType, int limit,
                    bridge::Callback<std::vector<nlohmann::json>> done) override;
    void sendEvent(const bridge::WidgetContext &widget, const bridge::SendEventRequest &request,
                   bridge::Callback<bridge::SendEventResult> done) override;
    void mint(const bridge::WidgetContext &widget, const plugins::ScopedTokenRequest &request,
              bridge::Callback<plugins::ScopedToken> done) override;

private:
    const bridge::CapabilitySet *approvedFor(const bridge::WidgetContext &widget) const;

    matrix::RoomBackend &m_backend;
    tokens::TokenIssuer *m_tokens;
    WidgetManager *m_widgets = nullptr;
};

} // namespace tessera::ui
