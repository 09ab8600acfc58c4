// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal to host/core/plugins: the state of one opened plugin, shared by the manager
// (pluginmanager.cpp) and the host function table (hostapi.cpp).

#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <tessera/plugin_abi.h>

#include "audit/auditsink.h"
#include "bridge/actionregistry.h"
#include "plugins/abiversion.h"
#include "plugins/library.h"
#include "plugins/pluginmanager.h"
#include "util/scheduler.h"

namespace tessera::plugins::detail {
struct PluginRuntime;
}

/** The per-plugin context the C ABI passes around as `tessera_host *`. */
struct tessera_host {
    tessera::plugins::detail::PluginRuntime *runtime = nullptr;
};

namespace tessera::plugins::detail {

/** A handler call waiting for the plugin's reply. */
struct PendingCall {
    bridge::Callback<nlohmann::json> done;
    bridge::WidgetContext widget;
    std::uint64_t sessionId = 0;
    std::string action;
    std::string capability;
    std::int64_t startedMs = 0;
    Scheduler::TimerId budgetTimer = 0;
};

/** Routes the ActionRegistry's calls for one plugin's actions to the manager. */
class HandlerAdapter final : public bridge::CustomActionHandler {
public:
    HandlerAdapter(PluginManager::Impl &core, PluginRuntime &runtime) : m_core(core), m_runtime(runtime) {}
    void handle(const bridge::WidgetContext &widget, const std::string &action, const nlohmann::json &data,
                bridge::Callback<nlohmann::json> done) override;

private:
    PluginManager::Impl &m_core;
    PluginRuntime &m_runtime;
};

/** One plugin whose library was opened. Lives in a shared_ptr so late callbacks can check it. */
struct PluginRuntime : std::enable_shared_from_this<PluginRuntime> {
    PluginManager::Impl *core = nullptr;
    std::size_t recordIndex = 0;
    std::string id;
    std::string dataDir;

    tessera_host context;
    tessera_host_api api{};
    tessera_registrar registrar{};
    std::optional<SharedLibrary> library;
    tessera_plugin_unload_fn unload = nullptr;
    /** What the library reports (equal to its manifest's): which status codes it knows. */
    AbiVersion abi;

    /** True from before load until the plugin fails, is disabled or stops: gates every callback. */
    bool active = true;
    bool loadSucceeded = false;
    bool registering = false;
    std::vector<std::string> registrationErrors;
    std::vector<RegisteredWidgetType> types;
    std::vector<RegisteredHandler> handlers;
    std::unique_ptr<HandlerAdapter> adapter;
    bool inActionRegistry = false;

    /** Text of the last set_error, and whether it was called since it was last cleared. */
    std::string pluginError;
    bool pluginErrorSet = false;
    /** Why the last host function failed (get_last_error). */
    std::string lastError;

    std::map<std::uint64_t, PendingCall> calls;
    std::map<std::uint64_t, Scheduler::TimerId> timers;
    std::map<std::uint64_t, std::uint64_t> httpRequests; ///< plugin request id -> net request id
    std::size_t pendingRequests = 0;                     ///< push, room, token requests in flight
    int consecutiveFailures = 0;

    std::map<std::uint64_t, bridge::WidgetContext> sessions;
    std::map<std::pair<std::string, std::string>, std::uint64_t> sessionIds; ///< (room, widget) -> id
    std::uint64_t nextSessionId = 1;

    /** The session id for @p widget, created on first use (the oldest is forgotten past the limit). */
    std::uint64_t sessionFor(const bridge::WidgetContext &widget);
    [[nodiscard]] const RegisteredHandler *handlerForAction(const std::string &action) const;
    [[nodiscard]] bool ownsCapability(std::string_view capability) const;

    /** Records why a host function fails and returns @p status. */
    tessera_status refuse(tessera_status status, std::string message)
    {
        lastError = std::move(message);
        return status;
    }
};

/** How much of an escaped exception's what() is kept for the user and the audit log. */
inline constexpr std::size_t kMaxEscapedWhatBytes = 200;

/** "a C++ exception (<what>)", bounded and valid UTF-8. */
std::string describeEscapedException(const char *what);

/**
 * Calls plugin code (an entry point or a callback the plugin registered) so that nothing unwinds
 * through the host. plugin_abi.h forbids exceptions across the boundary and plugin.hpp catches
 * them, but a plugin on the raw C ABI can still throw: the exception stops here. Returns what
 * escaped ("a C++ exception (…)"), or nothing when the call returned normally. A plugin that
 * crashes (a segfault) still takes the process down; nothing in-process can stop that.
 */
template<typename Call>
[[nodiscard]] std::optional<std::string> guardedCall(Call &&call)
{
    try {
        std::forward<Call>(call)();
        return std::nullopt;
    } catch (const std::exception &e) {
        return describeEscapedException(e.what());
    } catch (...) {
        return describeEscapedException(nullptr);
    }
}

/** Fills the host function table for one plugin (hostapi.cpp). */
tessera_host_api makeHostApi(tessera_host *host);
tessera_registrar makeRegistrar(tessera_host *host);

/** The tessera_status for an Error's code. */
tessera_status statusFor(ErrorCode code) noexcept;

/** True if a plugin built against @p abi knows what its @p minor (of major 1) added. */
inline bool knowsMinor(const AbiVersion &abi, unsigned minor) noexcept
{
    return abi.major > 1 || (abi.major == 1 && abi.minor >= minor);
}

} // namespace tessera::plugins::detail

namespace tessera::plugins {
struct PluginTranslation;

/** The manager's state and the operations the host function table needs. */
struct PluginManager::Impl {
    PluginManagerOptions options;
    PluginServices services;
    std::unique_ptr<PluginSettingsStore> ownSettings;

    std::vector<PluginRecord> records;
    /** Plugins whose library was opened, in load order. */
    std::vector<std::shared_ptr<detail::PluginRuntime>> runtimes;
    /** Registered widget types: type -> (plugin, index into its types). */
    std::map<std::string, std::pair<detail::PluginRuntime *, std::size_t>, std::less<>> widgetTypes;
    std::vector<std::string> warnings;
    std::map<ListenerId, std::function<void(const PluginEvent &)>> listeners;
    ListenerId nextListenerId = 1;
    std::uint64_t nextCallId = 1;
    std::uint64_t nextTimerId = 1;
    std::uint64_t nextRequestId = 1;
    bool loaded = false;
    bool stopped = false;

    Impl(PluginManagerOptions o, PluginServices s);

    Scheduler &scheduler() const { return *services.scheduler; }
    PluginSettingsStore &settings() const { return services.settings ? *services.settings : *ownSettings; }

    // Loading (pluginmanager.cpp)
    std::vector<SearchDirectory> searchPath() const;
    void discover();
    /** loadAll() (@p open) or discoverAll(). */
    void discoverAndLoad(bool open);
    void loadOne(std::size_t index);
    void failLoad(detail::PluginRuntime &rt, const std::string &message);
    Result<void> matchManifest(const detail::PluginRuntime &rt) const;
    void applyTranslation(PluginRecord &record, detail::PluginRuntime &rt, const PluginTranslation &translation);
    /** The registered strings, then options.language's translation where the plugin has one. */
    void translate(PluginRecord &record, detail::PluginRuntime &rt);
    Result<void> commit(detail::PluginRuntime &rt);
    void releaseRegistrations(detail::PluginRuntime &rt, bool callPlugin);
    /** Cancels the plugin's timers and its HTTP requests in flight, without calling it. */
    void cancelTimersAndRequests(detail::PluginRuntime &rt);
    void stop(detail::PluginRuntime &rt);

    // Running
    void dispatch(detail::PluginRuntime &rt, const bridge::WidgetContext &widget, const std::string &action,
                  const nlohmann::json &data, bridge::Callback<nlohmann::json> done);
    /** How a handler call ended, for the audit row and the failure policy. */
    enum class CallEnd {
        Invalid = 0,
        Replied,   ///< reply: the plugin works
        Refused,   ///< reply_error: a considered answer, the plugin works
        Failed,    ///< the plugin is to blame: counts towards disabling it
        TimedOut,  ///< no answer within the budget: the caller disables the plugin
        Abandoned, ///< the session closed or Tessera stops: nobody is to blame
    };
    /** Answers a pending call with @p outcome; @p reason goes to the audit row. */
    void finishCall(detail::PluginRuntime &rt, std::uint64_t callId, Result<nlohmann::json> outcome, CallEnd how,
                    const std::string &reason);
    /** Runs a plugin callback later on the scheduler's thread if the plugin is still active. */
    void later(detail::PluginRuntime &rt, std::function<void()> fn);
    void recordFailure(detail::PluginRuntime &rt, const std::string &reason);
    void recordSuccess(detail::PluginRuntime &rt);
    void disable(detail::PluginRuntime &rt, const std::string &reason);
    void forgetSession(detail::PluginRuntime &rt, std::uint64_t sessionId);
    /**
     * Runs @p call (plugin code) through guardedCall; if an exception escaped, disables the
     * running plugin, naming @p where ("its handler for io.example.act"). Returns false then.
     */
    bool callInto(detail::PluginRuntime &rt, std::string_view where, const std::function<void()> &call);
    /** The same for calls while the plugin is not running (unload, free_*): audited and logged only. */
    void callQuietly(detail::PluginRuntime &rt, const std::string &where, const std::function<void()> &call);
    void callUnload(detail::PluginRuntime &rt);

    // Reporting
    void emit(PluginEventKind kind, const PluginRecord &record);
    void log(LogLevel level, std::string_view pluginId, std::string_view message) const;
    /** Writes one audit row of category Plugin; returns false if the log refused it. */
    bool audit(std::string_view pluginId, std::string_view action, audit::Decision decision, std::string_view reason,
               const bridge::WidgetContext *widget = nullptr, std::int64_t durationMs = -1,
               std::string_view requestId = {}, bool toWidget = false) const;
};

} // namespace tessera::plugins
