// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "bridge/capabilities.h"
#include "bridge/widgetdriver.h"

namespace tessera::bridge {

/**
 * @brief Handles `fromWidget` actions Tessera does not implement itself (a plugin's capability
 * handler, through the plugin manager).
 *
 * The session calls handle() only after the widget was granted the handler's capability, and
 * audits the call and its outcome. @p done receives the response object (success) or an error
 * whose message goes on the wire.
 */
class CustomActionHandler {
public:
    virtual ~CustomActionHandler() = default;
    virtual void handle(const WidgetContext &widget, const std::string &action, const nlohmann::json &data,
                        Callback<nlohmann::json> done) = 0;
};

/**
 * @brief The extension point: which custom capabilities exist and which handler claims which
 * action. Shared by all sessions; owned by the host. Built-in action names cannot be claimed.
 */
class ActionRegistry final : public CustomCapabilityLookup {
public:
    struct Entry {
        std::string capability;
        CustomActionHandler *handler = nullptr;
    };

    /** Declares a custom capability string owned by @p handler (it must not parse as a built-in one). */
    Result<void> addCapability(const std::string &capability, CustomActionHandler *handler);
    /** Routes @p action to @p handler for widgets holding @p capability (declared first). */
    Result<void> addAction(const std::string &action, const std::string &capability, CustomActionHandler *handler);
    /** Removes every action and capability of @p handler (a plugin disabled for the session). */
    void removeHandler(CustomActionHandler *handler);

    [[nodiscard]] const Entry *find(std::string_view action) const;
    [[nodiscard]] bool isCustomCapability(std::string_view capability) const override;

    /** True for the actions the protocol core implements (they cannot be claimed). */
    static bool isBuiltInAction(std::string_view action);

private:
    std::map<std::string, Entry, std::less<>> m_actions;
    std::map<std::string, CustomActionHandler *, std::less<>> m_capabilities;
};

} // namespace tessera::bridge
