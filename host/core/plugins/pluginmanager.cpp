// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "plugins/pluginmanager.h"
#include "plugins/translation.h"

#include <algorithm>
#include <cstring>
#include <set>
#include <system_error>

#include "audit/auditsink.h"
#include "bridge/actionregistry.h"
#include "net/httpclient.h"
#include "plugins/pluginruntime.h"
#include "util/paths.h"
#include "util/scheduler.h"
#include "util/text.h"

namespace tessera::plugins {

using nlohmann::json;

const char *toString(PluginState state) noexcept
{
    switch (state) {
    case PluginState::Discovered: return "discovered";
    case PluginState::Skipped: return "skipped";
    case PluginState::Failed: return "failed";
    case PluginState::Running: return "running";
    case PluginState::Disabled: return "disabled";
    case PluginState::Stopped: return "stopped";
    case PluginState::Invalid: break;
    }
    return "invalid";
}

const char *toString(PluginSource source) noexcept
{
    switch (source) {
    case PluginSource::CommandLine: return "command-line";
    case PluginSource::Environment: return "environment";
    case PluginSource::Bundled: return "bundled";
    case PluginSource::User: return "user";
    case PluginSource::Invalid: break;
    }
    return "invalid";
}

const char *toString(PluginEventKind kind) noexcept
{
    switch (kind) {
    case PluginEventKind::Loaded: return "loaded";
    case PluginEventKind::Skipped: return "skipped";
    case PluginEventKind::Failed: return "failed";
    case PluginEventKind::Disabled: return "disabled";
    case PluginEventKind::Stopped: return "stopped";
    case PluginEventKind::Invalid: break;
    }
    return "invalid";
}

std::string PluginRecord::displayName() const
{
    if (!localizedName.empty())
        return localizedName;
    return manifest ? manifest->name : id;
}

std::string PluginRecord::displayDescription() const
{
    if (!localizedDescription.empty())
        return localizedDescription;
    return manifest ? manifest->description : std::string();
}

std::vector<std::filesystem::path> parsePluginPath(std::string_view value)
{
    std::vector<std::filesystem::path> out;
    std::size_t start = 0;
    while (start <= value.size()) {
        const std::size_t end = std::min(value.find(':', start), value.size());
        if (end > start)
            out.emplace_back(std::string(value.substr(start, end - start)));
        start = end + 1;
    }
    return out;
}

std::filesystem::path bundledPluginDir(const std::filesystem::path &executable, const BundledPluginLayout &layout)
{
    const std::filesystem::path bin = executable.parent_path();
    std::error_code ec;
    if (!layout.buildTreeBin.empty() && std::filesystem::equivalent(bin, layout.buildTreeBin, ec))
        return layout.buildTreePlugins;
    return (bin / layout.installed).lexically_normal();
}

namespace detail {

std::uint64_t PluginRuntime::sessionFor(const bridge::WidgetContext &widget)
{
    const auto key = std::make_pair(widget.roomId, widget.widgetId);
    if (auto it = sessionIds.find(key); it != sessionIds.end()) {
        sessions[it->second] = widget;
        return it->second;
    }
    if (sessions.size() >= kMaxSessionsPerPlugin)
        core->forgetSession(*this, sessions.begin()->first);
    const std::uint64_t id = nextSessionId++;
    sessions.emplace(id, widget);
    sessionIds.emplace(key, id);
    return id;
}

const RegisteredHandler *PluginRuntime::handlerForAction(const std::string &action) const
{
    for (const RegisteredHandler &h : handlers)
        if (std::find(h.info.actions.begin(), h.info.actions.end(), action) != h.info.actions.end())
            return &h;
    return nullptr;
}

bool PluginRuntime::ownsCapability(std::string_view capability) const
{
    return std::any_of(handlers.begin(), handlers.end(),
                       [&](const RegisteredHandler &h) { return h.info.capability == capability; });
}

void HandlerAdapter::handle(const bridge::WidgetContext &widget, const std::string &action, const json &data,
                            bridge::Callback<json> done)
{
    m_core.dispatch(m_runtime, widget, action, data, std::move(done));
}

std::string describeEscapedException(const char *what)
{
    if (!what)
        return "a C++ exception";
    std::string_view text(what, ::strnlen(what, kMaxEscapedWhatBytes + 1));
    std::string kept(text.substr(0, kMaxEscapedWhatBytes));
    while (!kept.empty() && !text::isValidUtf8(kept))
        kept.pop_back(); // the cut may split a character; a text invalid throughout ends empty
    if (kept.size() < text.size())
        kept += "…";
    return kept.empty() ? std::string("a C++ exception") : "a C++ exception (" + kept + ")";
}

tessera_status statusFor(ErrorCode code) noexcept
{
    switch (code) {
    case ErrorCode::BadRequest: return TESSERA_BAD_REQUEST;
    case ErrorCode::Denied:
    case ErrorCode::EncryptionRequired: return TESSERA_DENIED;
    case ErrorCode::NotFound: return TESSERA_NOT_FOUND;
    case ErrorCode::Unsupported: return TESSERA_UNSUPPORTED;
    case ErrorCode::Unavailable:
    case ErrorCode::Timeout: return TESSERA_UNAVAILABLE;
    default: return TESSERA_ERROR;
    }
}

} // namespace detail

// ---- Impl: setup and reporting -------------------------------------------------------------

PluginManager::Impl::Impl(PluginManagerOptions o, PluginServices s) : options(std::move(o)), services(std::move(s))
{
    if (!services.log)
        services.log = coreLogSink();
    if (options.dataDir.empty())
        options.dataDir = paths::defaultDataDir() / "plugins";
    if (!services.settings)
        ownSettings = std::make_unique<FilePluginSettingsStore>(options.dataDir / ".settings");
    if (options.maxConsecutiveFailures < 1)
        options.maxConsecutiveFailures = 1;
    if (options.handlerBudgetMs < 1)
        options.handlerBudgetMs = 1;
}

void PluginManager::Impl::emit(PluginEventKind kind, const PluginRecord &record)
{
    const PluginEvent event{kind, record.id, record.error};
    // A listener may add or remove listeners; iterate over a copy of the ids.
    std::vector<ListenerId> ids;
    for (const auto &entry : listeners)
        ids.push_back(entry.first);
    for (ListenerId id : ids)
        if (auto it = listeners.find(id); it != listeners.end())
            it->second(event);
}

void PluginManager::Impl::log(LogLevel level, std::string_view pluginId, std::string_view message) const
{
    services.log(level, pluginId, message);
}

bool PluginManager::Impl::audit(std::string_view pluginId, std::string_view action, audit::Decision decision,
                                std::string_view reason, const bridge::WidgetContext *widget, std::int64_t durationMs,
                                std::string_view requestId, bool toWidget) const
{
    const std::string body = json{{"plugin", pluginId}}.dump(-1, ' ', false, json::error_handler_t::replace);
    audit::Record record;
    record.category = audit::Category::Plugin;
    record.direction = toWidget ? audit::Direction::ToWidget : audit::Direction::Internal;
    record.decision = decision;
    record.timestampMs = services.scheduler->wallClockMs();
    if (widget) {
        record.widgetId = widget->widgetId;
        record.roomId = widget->roomId;
        record.origin = widget->origin;
    }
    record.action = action;
    record.requestId = requestId;
    record.reason = reason;
    record.durationMs = durationMs;
    record.body = body;
    record.sizeBytes = body.size();
    return services.audit->append(record);
}

void PluginManager::Impl::later(detail::PluginRuntime &rt, std::function<void()> fn)
{
    // Plugin callbacks never run inside the host function that started the request, and never
    // after the plugin was disabled or unloaded.
    scheduler().post([weak = rt.weak_from_this(), fn = std::move(fn)] {
        if (auto alive = weak.lock(); alive && alive->active)
            fn();
    });
}

// ---- Discovery and loading -----------------------------------------------------------------

std::vector<SearchDirectory> PluginManager::Impl::searchPath() const
{
    std::vector<SearchDirectory> out;
    for (const auto &dir : options.pluginDirs)
        out.push_back({dir, PluginSource::CommandLine});
    for (const auto &dir : options.environmentDirs)
        out.push_back({dir, PluginSource::Environment});
    if (!options.bundledDir.empty())
        out.push_back({options.bundledDir, PluginSource::Bundled});
    if (!options.userDir.empty())
        out.push_back({options.userDir, PluginSource::User});
    return out;
}

void PluginManager::Impl::discover()
{
    for (const SearchDirectory &dir : searchPath()) {
        std::error_code ec;
        const bool explicitDir = dir.source == PluginSource::CommandLine || dir.source == PluginSource::Environment;
        if (!std::filesystem::is_directory(dir.path, ec)) {
            if (explicitDir)
                warnings.push_back("plugin directory " + dir.path.string()
                                   + (std::filesystem::exists(dir.path, ec) ? " is not a directory" : " does not exist"));
            continue;
        }
        std::vector<std::filesystem::path> folders;
        if (std::filesystem::exists(dir.path / "plugin.json", ec)) {
            folders.push_back(dir.path);
        } else {
            for (const auto &entry : std::filesystem::directory_iterator(dir.path, ec)) {
                std::error_code entryEc;
                if (entry.is_directory(entryEc) && std::filesystem::exists(entry.path() / "plugin.json", entryEc))
                    folders.push_back(entry.path());
            }
            if (ec)
                warnings.push_back("cannot list plugin directory " + dir.path.string() + ": " + ec.message());
            std::sort(folders.begin(), folders.end());
        }
        if (folders.size() > kMaxPluginsPerDirectory) {
            warnings.push_back("plugin directory " + dir.path.string() + " holds more than "
                               + std::to_string(kMaxPluginsPerDirectory) + " plugins; only the first "
                               + std::to_string(kMaxPluginsPerDirectory) + " by name are considered");
            folders.resize(kMaxPluginsPerDirectory);
        }
        for (const auto &folder : folders) {
            PluginRecord record;
            record.directory = folder;
            record.source = dir.source;
            record.state = PluginState::Discovered;
            const auto manifestPath = folder / "plugin.json";
            auto manifest = readManifest(manifestPath);
            if (!manifest) {
                record.id = manifestIdHint(manifestPath).value_or(folder.filename().string());
                record.state = PluginState::Failed;
                record.error = manifest.error().code == ErrorCode::Unsupported
                                   ? manifest.error().message
                                   : "invalid manifest " + manifestPath.string() + ": " + manifest.error().message;
            } else {
                record.id = manifest->id;
                record.manifest = std::move(*manifest);
            }
            records.push_back(std::move(record));
        }
    }
}

void PluginManager::Impl::failLoad(detail::PluginRuntime &rt, const std::string &message)
{
    rt.active = false;
    releaseRegistrations(rt, true);
    if (rt.loadSucceeded && rt.unload)
        callUnload(rt);
    rt.loadSucceeded = false;
    PluginRecord &record = records[rt.recordIndex];
    record.state = PluginState::Failed;
    record.error = message;
    audit(record.id, "plugin.load", audit::Decision::Failed, message);
    log(LogLevel::Error, record.id, message);
    emit(PluginEventKind::Failed, record);
}

void PluginManager::Impl::loadOne(std::size_t index)
{
    PluginRecord &record = records[index];
    const PluginManifest &manifest = *record.manifest;
    auto fail = [&](const std::string &message) {
        record.state = PluginState::Failed;
        record.error = message;
        audit(record.id, "plugin.load", audit::Decision::Failed, message);
        log(LogLevel::Error, record.id, message);
        emit(PluginEventKind::Failed, record);
    };

    const auto dataDir = options.dataDir / manifest.id;
    if (auto r = paths::ensurePrivateDirectory(dataDir); !r)
        return fail("cannot create the plugin's data directory: " + r.error().message);

    const auto libraryPath = record.directory / (manifest.library + SharedLibrary::suffix());
    auto library = SharedLibrary::open(libraryPath);
    if (!library)
        return fail(library.error().message);

    auto rt = std::make_shared<detail::PluginRuntime>();
    rt->core = this;
    rt->recordIndex = index;
    rt->id = manifest.id;
    rt->dataDir = dataDir.string();
    rt->context.runtime = rt.get();
    rt->library = std::move(*library);
    // Kept even if it fails below: a library whose initialisers ran stays mapped until shutdown.
    runtimes.push_back(rt);

    const std::string path = libraryPath.string();
    auto abiVersion = reinterpret_cast<tessera_plugin_abi_version_fn>(rt->library->symbol(TESSERA_ENTRY_ABI_VERSION));
    if (!abiVersion)
        return failLoad(*rt, std::string("no entry point " TESSERA_ENTRY_ABI_VERSION " in ") + path);
    std::uint32_t packed = 0;
    if (auto escaped = detail::guardedCall([&] { packed = abiVersion(); }))
        return failLoad(*rt, "the plugin let " + *escaped + " escape from " TESSERA_ENTRY_ABI_VERSION
                             " (exceptions must not cross the plugin ABI)");
    const AbiVersion built = AbiVersion::fromPacked(packed);
    if (auto compatible = checkAbiCompatible(built); !compatible)
        return failLoad(*rt, compatible.error().message);
    if (built.major != manifest.abi.major || built.minor != manifest.abi.minor)
        return failLoad(*rt, "plugin.json declares ABI " + manifest.abi.toString() + " but " + path
                                 + " was built against ABI " + built.toString());
    rt->abi = built;
    auto load = reinterpret_cast<tessera_plugin_load_fn>(rt->library->symbol(TESSERA_ENTRY_LOAD));
    if (!load)
        return failLoad(*rt, std::string("no entry point " TESSERA_ENTRY_LOAD " in ") + path);
    rt->unload = reinterpret_cast<tessera_plugin_unload_fn>(rt->library->symbol(TESSERA_ENTRY_UNLOAD));

    rt->api = detail::makeHostApi(&rt->context);
    rt->registrar = detail::makeRegistrar(&rt->context);
    rt->pluginErrorSet = false;
    rt->pluginError.clear();
    rt->registering = true;
    tessera_status status = TESSERA_ERROR;
    const auto escaped = detail::guardedCall([&] { status = load(&rt->api, &rt->registrar); });
    rt->registering = false;
    if (escaped)
        return failLoad(*rt, "initialization failed: the plugin let " + *escaped + " escape from " TESSERA_ENTRY_LOAD
                             " (exceptions must not cross the plugin ABI)");
    rt->loadSucceeded = status == TESSERA_OK;

    if (!rt->registrationErrors.empty())
        return failLoad(*rt, "registration failed: " + rt->registrationErrors.front());
    if (status != TESSERA_OK) {
        const std::string why = rt->pluginErrorSet && !rt->pluginError.empty()
                                    ? rt->pluginError
                                    : "the plugin returned status " + std::to_string(status) + " without a reason";
        return failLoad(*rt, "initialization failed: " + why);
    }
    if (auto match = matchManifest(*rt); !match)
        return failLoad(*rt, "registration does not match plugin.json: " + match.error().message);
    if (auto committed = commit(*rt); !committed)
        return failLoad(*rt, "registration failed: " + committed.error().message);

    // What "+" asks for each type: the fields its manifest declares.
    for (auto &t : rt->types)
        if (auto it = manifest.widgetFields.find(t.info.type); it != manifest.widgetFields.end())
            t.info.fields = it->second;

    for (auto &t : rt->types)
        t.registered = t.info;
    for (auto &h : rt->handlers)
        h.registeredDescription = h.info.description;
    translate(record, *rt);

    record.state = PluginState::Running;
    record.error.clear();
    for (const auto &t : rt->types)
        record.widgetTypes.push_back(t.info.type);
    for (const auto &h : rt->handlers)
        record.capabilities.push_back(h.info.capability);
    audit(record.id, "plugin.load", audit::Decision::Allowed, "");
    log(LogLevel::Info, record.id,
        "loaded " + manifest.name + " " + manifest.version + " from " + record.directory.string());
    emit(PluginEventKind::Loaded, record);
}

void PluginManager::Impl::translate(PluginRecord &record, detail::PluginRuntime &rt)
{
    record.localizedName.clear();
    record.localizedDescription.clear();
    for (auto &t : rt.types)
        t.info = t.registered;
    for (auto &h : rt.handlers)
        h.info.description = h.registeredDescription;
    // Strings in the user's language. A translation that cannot be read costs only itself.
    if (options.language.empty())
        return;
    auto translation = readTranslation(record.directory, options.language);
    if (!translation)
        log(LogLevel::Warning, record.id, "translation not used: " + translation.error().message);
    else if (*translation)
        applyTranslation(record, rt, **translation);
}

void PluginManager::Impl::applyTranslation(PluginRecord &record, detail::PluginRuntime &rt, const PluginTranslation &t)
{
    record.localizedName = t.name;
    record.localizedDescription = t.description;
    for (auto &type : rt.types) {
        if (auto it = t.widgetTypes.find(type.info.type); it != t.widgetTypes.end()) {
            if (!it->second.name.empty())
                type.info.displayName = it->second.name;
            if (!it->second.description.empty())
                type.info.description = it->second.description;
            for (auto &field : type.info.fields)
                if (auto label = it->second.fields.find(field.key); label != it->second.fields.end())
                    field.label = label->second;
        }
        for (auto &need : type.info.capabilities)
            if (auto it = t.capabilities.find(need.capability); it != t.capabilities.end())
                need.reason = it->second;
    }
    for (auto &handler : rt.handlers)
        if (auto it = t.capabilities.find(handler.info.capability); it != t.capabilities.end())
            handler.info.description = it->second;
}

Result<void> PluginManager::Impl::matchManifest(const detail::PluginRuntime &rt) const
{
    const PluginManifest &m = *records[rt.recordIndex].manifest;
    for (const auto &t : rt.types)
        if (std::find(m.widgetTypes.begin(), m.widgetTypes.end(), t.info.type) == m.widgetTypes.end())
            return Error(ErrorCode::Conflict,
                         "widget type \"" + t.info.type + "\" is registered but not declared in provides.widgetTypes");
    for (const auto &declared : m.widgetTypes)
        if (std::none_of(rt.types.begin(), rt.types.end(), [&](const auto &t) { return t.info.type == declared; }))
            return Error(ErrorCode::Conflict,
                         "widget type \"" + declared + "\" is declared in provides.widgetTypes but was not registered");
    for (const auto &h : rt.handlers) {
        auto decl = std::find_if(m.capabilityHandlers.begin(), m.capabilityHandlers.end(),
                                 [&](const auto &d) { return d.capability == h.info.capability; });
        if (decl == m.capabilityHandlers.end())
            return Error(ErrorCode::Conflict, "capability handler \"" + h.info.capability
                                                  + "\" is registered but not declared in provides.capabilityHandlers");
        const std::set<std::string> registered(h.info.actions.begin(), h.info.actions.end());
        const std::set<std::string> declared(decl->actions.begin(), decl->actions.end());
        if (registered != declared)
            return Error(ErrorCode::Conflict, "capability handler \"" + h.info.capability
                                                  + "\" registers other actions than plugin.json declares");
    }
    for (const auto &declared : m.capabilityHandlers)
        if (!rt.ownsCapability(declared.capability))
            return Error(ErrorCode::Conflict, "capability handler \"" + declared.capability
                                                  + "\" is declared in provides.capabilityHandlers but was not registered");
    for (const auto &t : rt.types) {
        for (const auto &need : t.info.capabilities)
            if (!rt.ownsCapability(need.capability)
                && std::find(m.capabilities.begin(), m.capabilities.end(), need.capability) == m.capabilities.end())
                return Error(ErrorCode::Conflict, "widget type \"" + t.info.type + "\" needs capability \""
                                                      + need.capability + "\", which plugin.json does not declare");
        if ((t.info.source == WidgetSource::Assets || !t.info.icon.empty()) && m.assets.empty())
            return Error(ErrorCode::Conflict,
                         "widget type \"" + t.info.type + "\" uses assets but plugin.json names no \"assets\" directory");
    }
    return {};
}

Result<void> PluginManager::Impl::commit(detail::PluginRuntime &rt)
{
    for (const auto &t : rt.types)
        if (auto it = widgetTypes.find(t.info.type); it != widgetTypes.end())
            return Error(ErrorCode::Conflict,
                         "widget type \"" + t.info.type + "\" is already provided by plugin " + it->second.first->id);
    if (!rt.handlers.empty() && services.actions) {
        rt.adapter = std::make_unique<detail::HandlerAdapter>(*this, rt);
        rt.inActionRegistry = true;
        for (const auto &h : rt.handlers) {
            Result<void> added = services.actions->addCapability(h.info.capability, rt.adapter.get());
            for (std::size_t i = 0; added && i < h.info.actions.size(); ++i)
                added = services.actions->addAction(h.info.actions[i], h.info.capability, rt.adapter.get());
            if (!added) {
                services.actions->removeHandler(rt.adapter.get());
                rt.inActionRegistry = false;
                return added;
            }
        }
    } else if (!rt.handlers.empty()) {
        log(LogLevel::Warning, rt.id, "no action registry is wired, so widgets cannot reach this plugin's handlers");
    }
    for (std::size_t i = 0; i < rt.types.size(); ++i)
        widgetTypes.emplace(rt.types[i].info.type, std::make_pair(&rt, i));
    return {};
}

void PluginManager::Impl::cancelTimersAndRequests(detail::PluginRuntime &rt)
{
    for (auto &[id, timer] : rt.timers)
        scheduler().cancel(timer);
    rt.timers.clear();
    if (services.http)
        for (auto &[id, netId] : rt.httpRequests)
            services.http->cancel(netId);
    rt.httpRequests.clear();
}

void PluginManager::Impl::releaseRegistrations(detail::PluginRuntime &rt, bool callPlugin)
{
    for (auto it = widgetTypes.begin(); it != widgetTypes.end();)
        it = it->second.first == &rt ? widgetTypes.erase(it) : std::next(it);
    if (rt.inActionRegistry && services.actions)
        services.actions->removeHandler(rt.adapter.get());
    rt.inActionRegistry = false;
    cancelTimersAndRequests(rt);
    if (callPlugin) {
        for (auto &t : rt.types)
            if (t.callbacks.freeTypeData)
                callQuietly(rt, "free_type_data of " + t.info.type,
                            [&] { t.callbacks.freeTypeData(t.callbacks.typeData); });
        for (auto &h : rt.handlers)
            if (h.callbacks.freeHandlerData)
                callQuietly(rt, "free_handler_data of " + h.info.capability,
                            [&] { h.callbacks.freeHandlerData(h.callbacks.handlerData); });
    }
    rt.types.clear();
    rt.handlers.clear();
}

void PluginManager::Impl::stop(detail::PluginRuntime &rt)
{
    rt.active = false;
    auto calls = std::move(rt.calls);
    rt.calls.clear();
    for (auto &[id, call] : calls) {
        if (call.budgetTimer)
            scheduler().cancel(call.budgetTimer);
        audit(rt.id, call.action, audit::Decision::Refused, "Tessera is shutting down", &call.widget);
        call.done(Error(ErrorCode::Unavailable, "Tessera is shutting down"));
    }
    const bool loaded = rt.loadSucceeded;
    releaseRegistrations(rt, loaded);
    if (loaded && rt.unload)
        callUnload(rt);
    rt.loadSucceeded = false;
    PluginRecord &record = records[rt.recordIndex];
    if (record.state == PluginState::Running) {
        record.state = PluginState::Stopped;
        audit(record.id, "plugin.unload", audit::Decision::Info, "");
        emit(PluginEventKind::Stopped, record);
    }
}

// ---- PluginManager -------------------------------------------------------------------------

PluginManager::PluginManager(PluginManagerOptions options, PluginServices services)
    : d(std::make_unique<Impl>(std::move(options), std::move(services)))
{
}

PluginManager::~PluginManager()
{
    shutdown();
}

void PluginManager::loadAll()
{
    d->discoverAndLoad(true);
}

void PluginManager::discoverAll()
{
    d->discoverAndLoad(false);
}

void PluginManager::Impl::discoverAndLoad(bool open)
{
    if (loaded)
        return;
    loaded = true;
    discover();
    for (std::size_t i = 0; i < records.size(); ++i) {
        PluginRecord &record = records[i];
        if (record.state == PluginState::Failed) {
            audit(record.id, "plugin.load", audit::Decision::Failed, record.error);
            log(LogLevel::Error, record.id, record.error);
            emit(PluginEventKind::Failed, record);
            continue;
        }
        std::string skipped;
        for (std::size_t j = 0; j < i && skipped.empty(); ++j)
            if (records[j].manifest && records[j].id == record.id)
                skipped = "shadowed by " + records[j].directory.string()
                          + " (the same id was found earlier in the search path)";
        if (!skipped.empty()) {
        } else if (options.safeMode && record.source != PluginSource::Bundled) {
            skipped = "safe mode: only bundled plugins are loaded";
        } else if (record.source == PluginSource::User && !options.allowUserPlugins) {
            skipped = "third-party plugins are off: turn them on on the Plugins page, or start Tessera with --user-plugins";
        } else if (options.disabledByUser.count(record.id)) {
            skipped = "disabled by the user";
        }
        if (!skipped.empty()) {
            record.state = PluginState::Skipped;
            record.error = skipped;
            audit(record.id, "plugin.load", audit::Decision::Refused, skipped);
            log(LogLevel::Info, record.id, "not loaded: " + skipped);
            emit(PluginEventKind::Skipped, record);
            continue;
        }
        if (open)
            loadOne(i);
    }
}

void PluginManager::shutdown()
{
    if (d->stopped)
        return;
    d->stopped = true;
    for (auto it = d->runtimes.rbegin(); it != d->runtimes.rend(); ++it)
        d->stop(**it);
    // Libraries close only now, after every plugin's unload ran.
    d->widgetTypes.clear();
    d->runtimes.clear();
}

void PluginManager::setLanguage(const std::string &language)
{
    if (language == d->options.language)
        return;
    d->options.language = language;
    for (const auto &rt : d->runtimes) {
        PluginRecord &record = d->records[rt->recordIndex];
        // A plugin that failed to load has no registrations left to translate.
        if (record.state == PluginState::Running || record.state == PluginState::Disabled)
            d->translate(record, *rt);
    }
}

const std::vector<PluginRecord> &PluginManager::plugins() const
{
    return d->records;
}

const PluginRecord *PluginManager::find(std::string_view pluginId) const
{
    // The first record with a readable manifest is the one that counts (later ones are
    // shadowed); a record whose manifest was refused is found only if no other claims the id.
    const PluginRecord *refused = nullptr;
    for (const PluginRecord &r : d->records) {
        if (r.id != pluginId)
            continue;
        if (r.manifest)
            return &r;
        if (!refused)
            refused = &r;
    }
    return refused;
}

std::vector<SearchDirectory> PluginManager::searchPath() const
{
    return d->searchPath();
}

const std::vector<std::string> &PluginManager::warnings() const
{
    return d->warnings;
}

const PluginManagerOptions &PluginManager::options() const
{
    return d->options;
}

PluginManager::ListenerId PluginManager::addListener(std::function<void(const PluginEvent &)> listener)
{
    const ListenerId id = d->nextListenerId++;
    d->listeners.emplace(id, std::move(listener));
    return id;
}

void PluginManager::removeListener(ListenerId id)
{
    d->listeners.erase(id);
}

const WidgetTypeInfo *PluginManager::findWidgetType(std::string_view type) const
{
    auto it = d->widgetTypes.find(type);
    if (it == d->widgetTypes.end())
        return nullptr;
    return &it->second.first->types[it->second.second].info;
}

std::vector<WidgetTypeInfo> PluginManager::widgetTypes() const
{
    std::vector<WidgetTypeInfo> out;
    for (const auto &[type, where] : d->widgetTypes)
        if (where.first->active)
            out.push_back(where.first->types[where.second].info);
    return out;
}

const PluginRecord *PluginManager::findProvider(std::string_view type) const
{
    if (const WidgetTypeInfo *info = findWidgetType(type))
        return find(info->pluginId);
    for (const PluginRecord &r : d->records)
        if (r.manifest
            && std::find(r.manifest->widgetTypes.begin(), r.manifest->widgetTypes.end(), type)
                   != r.manifest->widgetTypes.end())
            return &r;
    return nullptr;
}

const CapabilityHandlerInfo *PluginManager::findCapability(std::string_view capability) const
{
    for (const auto &rt : d->runtimes)
        for (const auto &h : rt->handlers)
            if (h.info.capability == capability)
                return &h.info;
    return nullptr;
}

Result<std::string> PluginManager::buildWidgetUrl(std::string_view type, const json &widget)
{
    auto it = d->widgetTypes.find(type);
    if (it == d->widgetTypes.end())
        return Error(ErrorCode::NotFound, "no plugin provides widget type " + std::string(type));
    detail::PluginRuntime &rt = *it->second.first;
    const RegisteredWidgetType &registered = rt.types[it->second.second];
    if (!rt.active)
        return Error(ErrorCode::Unavailable, "plugin " + rt.id + " is disabled");
    if (registered.info.source != WidgetSource::Builder)
        return Error(ErrorCode::BadRequest, "widget type " + std::string(type) + " does not build its URLs");

    std::string buffer(kMaxUrlBytes + 1, '\0');
    const std::string widgetText = widget.dump(-1, ' ', false, json::error_handler_t::replace);
    rt.pluginErrorSet = false;
    rt.pluginError.clear();
    const auto keepAlive = rt.shared_from_this();
    tessera_status status = TESSERA_ERROR;
    const auto buildUrl = registered.callbacks.buildUrl;
    void *typeData = registered.callbacks.typeData;
    if (auto escaped = detail::guardedCall(
            [&] { status = buildUrl(typeData, widgetText.c_str(), buffer.data(), buffer.size()); })) {
        const std::string reason = "it let " + *escaped + " escape from build_url of " + std::string(type)
                                   + " (exceptions must not cross the plugin ABI)";
        d->records[rt.recordIndex].callsFailed++;
        d->audit(rt.id, "plugin.build_url", audit::Decision::Failed, reason);
        d->disable(rt, reason);
        return Error(ErrorCode::Unavailable, "plugin " + rt.id + " could not build the widget's URL: " + reason);
    }
    PluginRecord &record = d->records[rt.recordIndex];
    // A widget the plugin cannot show (1.3): the room's data is wrong, not the plugin. The tile
    // says why; it does not count against the plugin. The code means nothing before 1.3.
    if (status == TESSERA_BAD_WIDGET && detail::knowsMinor(rt.abi, 3)) {
        std::string reason = rt.pluginErrorSet && !rt.pluginError.empty()
                                 ? rt.pluginError
                                 : std::string("the plugin gave no reason");
        d->audit(rt.id, "plugin.build_url", audit::Decision::Refused,
                 "the plugin cannot show this " + std::string(type) + " widget: " + reason);
        return Error(ErrorCode::BadRequest, std::move(reason));
    }
    std::string why;
    if (status != TESSERA_OK) {
        why = rt.pluginErrorSet && !rt.pluginError.empty() ? rt.pluginError : "status " + std::to_string(status);
    } else {
        const std::size_t length = ::strnlen(buffer.data(), buffer.size());
        if (length == buffer.size())
            why = "the URL is not NUL-terminated within " + std::to_string(kMaxUrlBytes) + " bytes";
        else if (length == 0)
            why = "the URL is empty";
        else if (!text::isValidUtf8(std::string_view(buffer.data(), length)))
            why = "the URL is not valid UTF-8";
        else
            buffer.resize(length);
    }
    if (!why.empty()) {
        const std::string reason = "building the URL of a " + std::string(type) + " widget failed: " + why;
        record.callsFailed++;
        d->audit(rt.id, "plugin.build_url", audit::Decision::Failed, reason);
        d->recordFailure(rt, reason);
        return Error(ErrorCode::Unavailable, "plugin " + rt.id + " could not build the widget's URL: " + why);
    }
    record.callsAnswered++;
    d->audit(rt.id, "plugin.build_url", audit::Decision::Allowed, "");
    d->recordSuccess(rt);
    return buffer;
}

Result<std::filesystem::path> PluginManager::resolveAsset(std::string_view pluginId,
                                                          std::string_view relativePath) const
{
    const PluginRecord *record = find(pluginId);
    if (!record || !record->manifest)
        return Error(ErrorCode::NotFound, "no plugin " + std::string(pluginId));
    if (record->state != PluginState::Running)
        return Error(ErrorCode::Unavailable, "plugin " + record->id + " is not running");
    if (record->manifest->assets.empty())
        return Error(ErrorCode::NotFound, "plugin " + record->id + " serves no assets");
    if (!isSafeAssetPath(relativePath))
        return Error(ErrorCode::Denied, "asset path \"" + std::string(relativePath)
                                            + "\" is not a relative path inside the assets directory");
    std::error_code ec;
    const auto base = std::filesystem::weakly_canonical(record->directory / record->manifest->assets, ec);
    if (ec)
        return Error(ErrorCode::NotFound, "plugin " + record->id + " has no assets directory");
    const auto target = std::filesystem::weakly_canonical(base / std::string(relativePath), ec);
    if (ec)
        return Error(ErrorCode::NotFound, "plugin " + record->id + " has no asset \"" + std::string(relativePath) + "\"");
    auto b = base.begin();
    auto t = target.begin();
    for (; b != base.end(); ++b, ++t)
        if (t == target.end() || *t != *b)
            return Error(ErrorCode::Denied,
                         "asset path \"" + std::string(relativePath) + "\" leads out of the assets directory");
    if (!std::filesystem::is_regular_file(target, ec))
        return Error(ErrorCode::NotFound, "plugin " + record->id + " has no asset \"" + std::string(relativePath) + "\"");
    return target;
}

void PluginManager::sessionClosed(const std::string &roomId, const std::string &widgetId)
{
    for (const auto &rt : d->runtimes) {
        auto it = rt->sessionIds.find(std::make_pair(roomId, widgetId));
        if (it != rt->sessionIds.end())
            d->forgetSession(*rt, it->second);
    }
}

} // namespace tessera::plugins
