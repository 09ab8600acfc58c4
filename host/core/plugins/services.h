// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "bridge/widgetdriver.h"
#include "util/result.h"

namespace tessera::plugins {

/**
 * @brief A toWidget request a plugin sends to one widget session.
 */
struct WidgetPush {
    std::string pluginId;
    std::string capability; ///< one of the plugin's handler capabilities
    std::string action;     ///< in the plugin's namespace
    nlohmann::json data = nlohmann::json::object();
};

/**
 * @brief Delivers plugin pushes to widget sessions. The app wires it to its widget sessions.
 *
 * The manager has already checked that the capability and action belong to the plugin and that
 * the plugin learned the session from a call. The implementation MUST check that the session
 * (widget.roomId + widget.widgetId) is still open (otherwise ErrorCode::NotFound) and holds
 * push.capability (otherwise ErrorCode::Denied), send the toWidget request, and call @p done
 * with the widget's `response` object or an error. @p done may be called synchronously.
 */
class WidgetPushTarget {
public:
    virtual ~WidgetPushTarget() = default;
    virtual void push(const bridge::WidgetContext &widget, const WidgetPush &push,
                      bridge::Callback<nlohmann::json> done) = 0;
};

/**
 * @brief Room reads and sends a plugin makes on behalf of a widget session.
 *
 * The implementation MUST apply exactly the session's approved capabilities, as if the widget
 * itself had asked (receive.state_event for readState, receive.event for readEvents,
 * send.event / send.state_event for sendEvent), and answer ErrorCode::Denied otherwise, or
 * ErrorCode::NotFound if the session is closed. It acts only in widget.roomId.
 */
class SessionRoomAccess {
public:
    virtual ~SessionRoomAccess() = default;
    /** @p stateKey nullopt: every key of @p eventType. */
    virtual void readState(const bridge::WidgetContext &widget, const std::string &eventType,
                           const std::optional<std::string> &stateKey,
                           bridge::Callback<std::vector<nlohmann::json>> done) = 0;
    /** Newest first, at most @p limit (1-100). */
    virtual void readEvents(const bridge::WidgetContext &widget, const std::string &eventType, int limit,
                            bridge::Callback<std::vector<nlohmann::json>> done) = 0;
    virtual void sendEvent(const bridge::WidgetContext &widget, const bridge::SendEventRequest &request,
                           bridge::Callback<bridge::SendEventResult> done) = 0;
};

/** What a plugin asks a scoped token for. */
struct ScopedTokenRequest {
    std::string pluginId;
    std::string audience;
    std::string scope;
    std::int64_t lifetimeSeconds = 0; ///< 1..600, already checked
};

struct ScopedToken {
    std::string token;
    std::int64_t expiresAtMs = 0; ///< wall clock
};

/**
 * @brief Mints host-signed tokens bound to user + room + widget (docs/architecture.md invariant 3).
 * The app wires it to the token service.
 */
class ScopedTokenMinter {
public:
    virtual ~ScopedTokenMinter() = default;
    virtual void mint(const bridge::WidgetContext &widget, const ScopedTokenRequest &request,
                      bridge::Callback<ScopedToken> done) = 0;
};

/** @brief Where each plugin's settings (a JSON object) are kept. */
class PluginSettingsStore {
public:
    virtual ~PluginSettingsStore() = default;
    /** The stored object, or {} if none was stored. */
    virtual Result<nlohmann::json> read(const std::string &pluginId) = 0;
    virtual Result<void> write(const std::string &pluginId, const nlohmann::json &settings) = 0;
};

/**
 * @brief One `<id>.json` file per plugin in a 0700 directory, written atomically (temporary
 * file, fsync, rename) with mode 0600.
 */
class FilePluginSettingsStore final : public PluginSettingsStore {
public:
    explicit FilePluginSettingsStore(std::filesystem::path directory);
    Result<nlohmann::json> read(const std::string &pluginId) override;
    Result<void> write(const std::string &pluginId, const nlohmann::json &settings) override;

private:
    std::filesystem::path m_dir;
};

enum class LogLevel { Invalid = 0, Debug, Info, Warning, Error };
const char *toString(LogLevel level) noexcept;

/**
 * Receives the plugins' log lines and the manager's own (pluginId empty). Called from any
 * thread (plugins may log from their own threads), so it must be thread-safe.
 */
using PluginLogSink = std::function<void(LogLevel level, std::string_view pluginId, std::string_view message)>;

/**
 * The default sink: "[<id>] <message>" in the log category tessera.plugins (util/log.h), at the
 * message's level.
 */
PluginLogSink coreLogSink();

} // namespace tessera::plugins
