// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "plugins/manifest.h"
#include "plugins/registration.h"
#include "plugins/services.h"
#include "util/result.h"

namespace tessera {
class Scheduler;
class SecretStore;
namespace audit {
class AuditSink;
}
namespace bridge {
class ActionRegistry;
}
namespace net {
class HttpClient;
}
} // namespace tessera

namespace tessera::plugins {

/** Where a plugin is in its life. */
enum class PluginState {
    Invalid = 0,
    Discovered, ///< its folder was found; not processed yet
    Skipped,    ///< not loaded by policy (safe mode, third-party off, disabled by the user, shadowed)
    Failed,     ///< could not be loaded; the error names the layer that failed
    Running,    ///< loaded, registered and serving
    Disabled,   ///< was running; disabled for this session after it failed
    Stopped,    ///< unloaded at shutdown
};
const char *toString(PluginState state) noexcept;

/** Which search directory a plugin was found in. */
enum class PluginSource {
    Invalid = 0,
    CommandLine, ///< --plugins-dir
    Environment, ///< TESSERA_PLUGIN_PATH
    Bundled,     ///< the installed plugin directory
    User,        ///< the user's plugin directory (third-party plugins)
};
const char *toString(PluginSource source) noexcept;

/** @brief What the Plugins page and `tessera plugins list` show for one plugin. */
struct PluginRecord {
    /** The manifest's id; the folder name if the manifest could not be read. */
    std::string id;
    std::filesystem::path directory;
    PluginSource source = PluginSource::Invalid;
    PluginState state = PluginState::Invalid;
    /** Why the plugin is Skipped, Failed or Disabled; empty otherwise. */
    std::string error;
    std::optional<PluginManifest> manifest;
    /** What it registered (kept after it is Disabled, so the UI can say what is gone). */
    std::vector<std::string> widgetTypes;
    std::vector<std::string> capabilities;
    std::uint64_t callsAnswered = 0;
    std::uint64_t callsFailed = 0;

    /** The name and description in the user's language (translations/<lang>.json), if given. */
    std::string localizedName;
    std::string localizedDescription;

    /** The name in the user's language, else the manifest's name, else the id. */
    [[nodiscard]] std::string displayName() const;
    /** The description in the user's language, else the manifest's (may be empty). */
    [[nodiscard]] std::string displayDescription() const;
};

enum class PluginEventKind {
    Invalid = 0,
    Loaded,   ///< now Running
    Skipped,  ///< not loaded by policy
    Failed,   ///< could not be loaded
    Disabled, ///< was running, disabled for this session: tell the user
    Stopped,  ///< unloaded at shutdown
};
const char *toString(PluginEventKind kind) noexcept;

/** A change the UI shows (the Plugins page, the error banner). message is the record's error. */
struct PluginEvent {
    PluginEventKind kind = PluginEventKind::Invalid;
    std::string pluginId;
    std::string message;
};

/** One directory of the search path, in search order. */
struct SearchDirectory {
    std::filesystem::path path;
    PluginSource source = PluginSource::Invalid;
};

/**
 * @brief Where plugins are looked for, and the policy that decides which may load.
 *
 * Search order: pluginDirs (--plugins-dir), environmentDirs (TESSERA_PLUGIN_PATH), bundledDir,
 * userDir. Each directory is either a plugin folder itself (it holds plugin.json) or a
 * directory of plugin folders, searched in name order. When two folders carry the same id, the
 * first one found wins and the others are Skipped.
 */
struct PluginManagerOptions {
    std::vector<std::filesystem::path> pluginDirs;
    std::vector<std::filesystem::path> environmentDirs;
    std::filesystem::path bundledDir;
    std::filesystem::path userDir;
    /** Third-party plugins (userDir) load only when the user turned this on. Off by default. */
    bool allowUserPlugins = false;
    /** Load bundled plugins only (every other plugin is listed as Skipped). */
    bool safeMode = false;
    /**
     * The user's language ("es"): a plugin's translations/<lang>.json, when it has one, gives
     * its names, descriptions and capability reasons. Empty: as the plugin registered them.
     */
    std::string language;
    /** Plugin ids the user disabled globally. */
    std::set<std::string, std::less<>> disabledByUser;
    /** Each plugin's data directory is dataDir/<id> (mode 0700); settings live in dataDir/.settings. */
    std::filesystem::path dataDir;
    /** A handler call not answered within this time fails and disables its plugin. */
    std::int64_t handlerBudgetMs = 10'000;
    /** A plugin whose handlers fail this many times in a row is disabled. */
    int maxConsecutiveFailures = 3;
};

/**
 * @brief The services the host offers plugins. scheduler and audit are required; a missing
 * optional service makes the matching host function answer TESSERA_UNSUPPORTED with a message.
 * Every service must outlive the manager.
 */
struct PluginServices {
    Scheduler *scheduler = nullptr;
    audit::AuditSink *audit = nullptr;
    /** Where capability handlers are registered (the widget sessions' extension point). */
    bridge::ActionRegistry *actions = nullptr;
    WidgetPushTarget *push = nullptr;
    SessionRoomAccess *rooms = nullptr;
    ScopedTokenMinter *tokens = nullptr;
    net::HttpClient *http = nullptr;
    /** Where plugins' secrets are kept (the app's keychain store); none: the secret functions are unsupported. */
    SecretStore *secrets = nullptr;
    /** Defaults to a FilePluginSettingsStore in dataDir/.settings. */
    PluginSettingsStore *settings = nullptr;
    /** Defaults to coreLogSink(). */
    PluginLogSink log;
};

/** Limits on what one plugin may have outstanding (plugin-api/ABI.md lists them). */
inline constexpr std::size_t kMaxPendingCallsPerPlugin = 64;
inline constexpr std::size_t kMaxPendingRequestsPerPlugin = 64;
inline constexpr std::size_t kMaxTimersPerPlugin = 256;
inline constexpr std::size_t kMaxSessionsPerPlugin = 1024;
inline constexpr std::size_t kMaxPluginsPerDirectory = 256;
inline constexpr std::size_t kMaxResponseBytes = 1024 * 1024;
inline constexpr std::size_t kMaxSettingsBytes = 64 * 1024;
inline constexpr std::size_t kMaxEventContentBytes = 64 * 1024;
inline constexpr std::size_t kMaxUrlBytes = 8192;

/**
 * @brief Finds, loads, runs and stops plugins: the host side of plugin-api/.
 *
 * loadAll() reads every manifest before it opens any library, checks the ABI version a library
 * exports before it calls anything else, and lets a plugin register only during its load. A
 * plugin that fails to load gets a record with a layered error ("cannot open library …",
 * "no entry point … in …", "plugin ABI 2.0 is incompatible with host ABI 1.1",
 * "initialization failed: …", "registration failed: …"); the others are unaffected.
 *
 * At run time, capability handlers are reached through the ActionRegistry (the widget session
 * checks consent before calling). A plugin whose calls fail maxConsecutiveFailures times in a
 * row, or that leaves a call unanswered for handlerBudgetMs, is disabled for the session: its
 * handlers are removed, its pending calls and requests fail, its timers stop, and listeners
 * hear a Disabled event. Every load, failure, call and outcome is audited.
 *
 * Single-threaded: every member is called on the scheduler's thread. Libraries are never
 * closed before shutdown, because plugin code (threads, timers) may still be running.
 */
class PluginManager {
public:
    PluginManager(PluginManagerOptions options, PluginServices services);
    /** Calls shutdown(). */
    ~PluginManager();
    PluginManager(const PluginManager &) = delete;
    PluginManager &operator=(const PluginManager &) = delete;

    /** Discovers and loads every plugin. Call once (or discoverAll() instead). */
    void loadAll();
    /**
     * Reads every manifest and applies the load policy, and opens no library: no plugin code
     * runs. A plugin that loadAll() would load stays Discovered. For `tessera plugins list`.
     */
    void discoverAll();
    /** Unloads every plugin in reverse load order and releases the libraries. Idempotent. */
    void shutdown();
    /**
     * The user changed language: every loaded plugin's names, descriptions, field labels and
     * capability reasons are read again from its translation for @p language ("" = as registered).
     * Pointers from findWidgetType() and findCapability() stay valid.
     */
    void setLanguage(const std::string &language);

    /** Every plugin found, in search order. */
    [[nodiscard]] const std::vector<PluginRecord> &plugins() const;
    [[nodiscard]] const PluginRecord *find(std::string_view pluginId) const;
    /**
     * The directories searched, in order. Every configured directory is searched, so plugins
     * that policy keeps from loading (safe mode, third-party plugins off) are listed as Skipped.
     */
    [[nodiscard]] std::vector<SearchDirectory> searchPath() const;
    /** Problems with the search path itself ("plugin directory /x does not exist"). */
    [[nodiscard]] const std::vector<std::string> &warnings() const;
    [[nodiscard]] const PluginManagerOptions &options() const;

    using ListenerId = std::uint64_t;
    /** Listeners run on the scheduler's thread, possibly from inside a plugin call. */
    ListenerId addListener(std::function<void(const PluginEvent &)> listener);
    void removeListener(ListenerId id);

    /** A widget type registered by a Running or Disabled plugin (check its state). */
    [[nodiscard]] const WidgetTypeInfo *findWidgetType(std::string_view type) const;
    /** Every registered widget type of Running plugins. */
    [[nodiscard]] std::vector<WidgetTypeInfo> widgetTypes() const;
    /**
     * The plugin that provides @p type: the one that registered it, else one whose manifest
     * declares it (a Failed or Skipped plugin), so the UI can say why the type is unavailable.
     */
    [[nodiscard]] const PluginRecord *findProvider(std::string_view type) const;
    /** The handler that owns a custom capability (for the consent dialog's description). */
    [[nodiscard]] const CapabilityHandlerInfo *findCapability(std::string_view capability) const;

    /**
     * Asks the plugin of a WidgetSource::Builder type for a widget's URL. @p widget is the
     * widget as JSON ({"id","type","url","name","data","room_id","creator"}, and for ABI 1.3
     * "config" and "user", which the caller adds). The result still has to pass the URL policy.
     * A failure counts against the plugin like a handler failure, except BadRequest: the plugin
     * said it cannot show this widget (TESSERA_BAD_WIDGET), and the message is its reason.
     */
    Result<std::string> buildWidgetUrl(std::string_view type, const nlohmann::json &widget);

    /**
     * The file behind @p relativePath in a Running plugin's assets directory, for the plugin
     * scheme handler. Refuses absolute paths, "..", backslashes, and symbolic links that lead
     * out of the directory (Denied); NotFound if there is no such regular file.
     */
    [[nodiscard]] Result<std::filesystem::path> resolveAsset(std::string_view pluginId,
                                                             std::string_view relativePath) const;

    /**
     * Tells the plugins that a widget session closed: its pending handler calls are answered
     * with an error (without counting against the plugin) and handlers hear session_closed.
     */
    void sessionClosed(const std::string &roomId, const std::string &widgetId);

    struct Impl;

private:
    std::unique_ptr<Impl> d;
};

/** Splits a TESSERA_PLUGIN_PATH value on ':' (empty entries are ignored). */
std::vector<std::filesystem::path> parsePluginPath(std::string_view value);

/** Where an application finds the plugins installed (or built) with it. */
struct BundledPluginLayout {
    /**
     * The installed plugin directory relative to the executable's directory: where
     * tessera_add_plugin installs them (CMAKE_INSTALL_LIBDIR/tessera/plugins, a multiarch
     * directory such as lib/x86_64-linux-gnu on Debian with the prefix /usr).
     */
    std::filesystem::path installed = "../lib/tessera/plugins";
    /** The executable's directory in its build tree, and the plugins built beside it there. */
    std::filesystem::path buildTreeBin;
    std::filesystem::path buildTreePlugins;
};

/**
 * The bundled plugin directory of the application at @p executable: the build tree's plugins
 * when it runs from its build tree, else <directory of the executable>/layout.installed.
 */
std::filesystem::path bundledPluginDir(const std::filesystem::path &executable, const BundledPluginLayout &layout = {});

} // namespace tessera::plugins
