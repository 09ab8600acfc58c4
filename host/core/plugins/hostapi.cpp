// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
// The tessera_host_api and tessera_registrar tables: every function a plugin can call. Each one
// checks its arguments (a plugin is untrusted input), refuses with a status and a reason for
// get_last_error, and never lets a plugin reach beyond its own data, sessions and capabilities.
#include <algorithm>
#include <cstring>
#include <set>

#include <nlohmann/json.hpp>

#include "audit/auditsink.h"
#include "net/httpclient.h"
#include "plugins/pluginruntime.h"
#include "util/secretstore.h"
#include "util/text.h"

#include "plugins/hostapi_internal.h"

namespace tessera::plugins::detail {

namespace hostapi {

using json = nlohmann::json;
using CallEnd = PluginManager::Impl::CallEnd;

constexpr std::size_t kMaxLogBytes = 4096;
constexpr std::size_t kMaxPluginErrorBytes = 1024;
constexpr std::size_t kMaxReplyErrorBytes = 4096;
constexpr std::size_t kMaxStateKeyBytes = 255;
constexpr std::size_t kMaxAudienceBytes = 1024;
constexpr std::size_t kMaxScopeBytes = 1024;
constexpr std::uint32_t kMaxTokenLifetimeSeconds = 600;
constexpr std::uint32_t kMaxReadEvents = 100;

PluginRuntime *runtimeOf(tessera_host *host)
{
    return host ? host->runtime : nullptr;
}

std::string dumpJson(const json &value)
{
    return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::size_t copyOut(const std::string &text, char *buffer, std::size_t size)
{
    if (buffer && size > 0) {
        const std::size_t n = std::min(text.size(), size - 1);
        std::memcpy(buffer, text.data(), n);
        buffer[n] = '\0';
    }
    return text.size();
}

/** A NUL-terminated string of at most @p maxBytes that is valid UTF-8, or nullopt. */
std::optional<std::string> checkedText(const char *value, std::size_t maxBytes)
{
    if (!value)
        return std::nullopt;
    const std::size_t length = ::strnlen(value, maxBytes + 1);
    if (length > maxBytes || !text::isValidUtf8(std::string_view(value, length)))
        return std::nullopt;
    return std::string(value, length);
}

/** Like checkedText, but an over-long text is cut at a character boundary instead of refused. */
std::optional<std::string> boundedText(const char *value, std::size_t maxBytes)
{
    if (!value)
        return std::nullopt;
    std::size_t length = ::strnlen(value, maxBytes + 1);
    const bool cut = length > maxBytes;
    if (cut) {
        length = maxBytes;
        while (length > 0 && (static_cast<unsigned char>(value[length]) & 0xC0) == 0x80)
            --length;
    }
    if (!text::isValidUtf8(std::string_view(value, length)))
        return std::nullopt;
    return std::string(value, length) + (cut ? "…" : "");
}

/** Parses a JSON object of at most @p maxBytes; the error says what is wrong. */
Result<json> checkedObject(const char *value, std::size_t maxBytes, const char *what)
{
    if (!value)
        return Error(ErrorCode::BadRequest, std::string(what) + " is NULL");
    const std::size_t length = ::strnlen(value, maxBytes + 1);
    if (length > maxBytes)
        return Error(ErrorCode::BadRequest,
                     std::string(what) + " is larger than " + std::to_string(maxBytes) + " bytes");
    const std::string_view text(value, length);
    if (!text::isValidUtf8(text))
        return Error(ErrorCode::BadRequest, std::string(what) + " is not valid UTF-8");
    json doc = json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
        return Error(ErrorCode::BadRequest, std::string(what) + " is not a JSON object");
    return doc;
}

LogLevel logLevel(std::int32_t level)
{
    switch (level) {
    case TESSERA_LOG_DEBUG: return LogLevel::Debug;
    case TESSERA_LOG_WARNING: return LogLevel::Warning;
    case TESSERA_LOG_ERROR: return LogLevel::Error;
    default: return LogLevel::Info;
    }
}

/** The checks every request made on behalf of a session starts with. */
const bridge::WidgetContext *sessionOf(PluginRuntime &rt, std::uint64_t sessionId, tessera_status &status)
{
    PluginManager::Impl &core = *rt.core;
    if (!rt.active) {
        status = rt.refuse(TESSERA_UNAVAILABLE, "the plugin is not running");
        return nullptr;
    }
    auto it = rt.sessions.find(sessionId);
    if (it == rt.sessions.end()) {
        status = rt.refuse(TESSERA_NOT_FOUND, "session " + std::to_string(sessionId)
                                                  + " is unknown or closed (sessions come from a call to the plugin)");
        return nullptr;
    }
    if (!core.services.audit->accepting()) {
        status = rt.refuse(TESSERA_UNAVAILABLE, "the audit log cannot be written, so the request was refused");
        return nullptr;
    }
    if (rt.pendingRequests >= kMaxPendingRequestsPerPlugin) {
        status = rt.refuse(TESSERA_LIMIT, "the plugin already has " + std::to_string(kMaxPendingRequestsPerPlugin)
                                              + " requests in flight");
        return nullptr;
    }
    status = TESSERA_OK;
    return &it->second;
}

/**
 * Hands a result to the plugin's callback later on the host thread: never inside the call that
 * started it, never after the plugin stopped, and guarded like every other call into plugin code.
 */
void postResult(PluginRuntime &rt, const std::string &action, tessera_result_fn done, void *userData,
                tessera_status status, std::string text)
{
    rt.core->later(rt, [core = rt.core, weak = rt.weak_from_this(), action, done, userData, status,
                        text = std::move(text)] {
        if (auto alive = weak.lock())
            core->callInto(*alive, "the result callback of " + action, [&] { done(userData, status, text.c_str()); });
    });
}

/**
 * Completes a session request: audits it, then hands the result to the plugin later on the
 * host thread (never inside the call that started it, never after the plugin stopped).
 */
void deliver(const std::weak_ptr<PluginRuntime> &weak, const bridge::WidgetContext &widget, const std::string &action,
             bool toWidget, tessera_result_fn done, void *userData, tessera_status status, std::string text)
{
    auto rt = weak.lock();
    if (!rt)
        return;
    if (rt->pendingRequests > 0)
        rt->pendingRequests--;
    const audit::Decision decision = status == TESSERA_OK       ? audit::Decision::Allowed
                                     : status == TESSERA_DENIED ? audit::Decision::Refused
                                                                : audit::Decision::Failed;
    rt->core->audit(rt->id, action, decision,
                    status == TESSERA_OK ? std::string_view() : std::string_view(text), &widget, -1, {}, toWidget);
    if (done)
        postResult(*rt, action, done, userData, status, std::move(text));
}

/**
 * The runtime and a copy of the session's widget a request is made on behalf of (a copy: the
 * session may close while a service handles the request); no widget after a refusal, whose
 * status says which.
 */
struct SessionRequest {
    PluginRuntime *rt = nullptr;
    std::optional<bridge::WidgetContext> widget;
    tessera_status status = TESSERA_BAD_REQUEST;
};

SessionRequest sessionRequest(tessera_host *host, std::uint64_t sessionId)
{
    SessionRequest out;
    out.rt = runtimeOf(host);
    if (!out.rt)
        return out;
    if (const bridge::WidgetContext *widget = sessionOf(*out.rt, sessionId, out.status))
        out.widget = *widget;
    return out;
}

/**
 * Counts a session request as in flight and returns the callback that completes it (deliver):
 * with the value as JSON made by @p toJson, or with the error.
 */
template<typename T, typename ToJson>
Callback<T> startRequest(PluginRuntime &rt, const bridge::WidgetContext &target, std::string action, bool toWidget,
                         tessera_result_fn done, void *userData, ToJson toJson)
{
    rt.pendingRequests++;
    return [weak = rt.weak_from_this(), target, action = std::move(action), toWidget, done, userData,
            toJson = std::move(toJson)](Result<T> r) {
        if (r)
            deliver(weak, target, action, toWidget, done, userData, TESSERA_OK, dumpJson(toJson(*r)));
        else
            deliver(weak, target, action, toWidget, done, userData, statusFor(r.error().code), r.error().message);
    };
}

} // namespace hostapi

using namespace hostapi;

namespace {

// ---- Diagnostics ------------------------------------------------------------------------------

void hostLog(tessera_host *host, std::int32_t level, const char *message)
{
    PluginRuntime *rt = runtimeOf(host);
    if (!rt || !message)
        return;
    const auto text = boundedText(message, kMaxLogBytes);
    rt->core->log(logLevel(level), rt->id, text ? *text : std::string("(a log line that is not valid UTF-8)"));
}

void hostSetError(tessera_host *host, const char *message)
{
    PluginRuntime *rt = runtimeOf(host);
    if (!rt)
        return;
    const auto text = boundedText(message, kMaxPluginErrorBytes);
    rt->pluginError = text ? *text : std::string(message ? "(an error message that is not valid UTF-8)" : "");
    rt->pluginErrorSet = true;
}

std::size_t hostGetLastError(tessera_host *host, char *buffer, std::size_t size)
{
    PluginRuntime *rt = runtimeOf(host);
    return rt ? copyOut(rt->lastError, buffer, size) : 0;
}

// ---- Storage --------------------------------------------------------------------------------

std::size_t hostGetDataDir(tessera_host *host, char *buffer, std::size_t size)
{
    PluginRuntime *rt = runtimeOf(host);
    return rt ? copyOut(rt->dataDir, buffer, size) : 0;
}

std::size_t hostGetSettings(tessera_host *host, char *buffer, std::size_t size)
{
    PluginRuntime *rt = runtimeOf(host);
    if (!rt)
        return 0;
    auto settings = rt->core->settings().read(rt->id);
    if (!settings) {
        rt->refuse(TESSERA_ERROR, "cannot read the plugin's settings: " + settings.error().message);
        return copyOut(std::string(), buffer, size);
    }
    return copyOut(dumpJson(*settings), buffer, size);
}

tessera_status hostSetSettings(tessera_host *host, const char *settingsJson)
{
    PluginRuntime *rt = runtimeOf(host);
    if (!rt)
        return TESSERA_BAD_REQUEST;
    auto settings = checkedObject(settingsJson, kMaxSettingsBytes, "settings_json");
    if (!settings)
        return rt->refuse(settingsJson && ::strnlen(settingsJson, kMaxSettingsBytes + 1) > kMaxSettingsBytes
                              ? TESSERA_LIMIT
                              : TESSERA_BAD_REQUEST,
                          settings.error().message);
    if (auto written = rt->core->settings().write(rt->id, *settings); !written)
        return rt->refuse(TESSERA_ERROR, "cannot write the plugin's settings: " + written.error().message);
    return TESSERA_OK;
}

// ---- Clock and timers ---------------------------------------------------------------------------

std::int64_t hostNowMs(tessera_host *host)
{
    PluginRuntime *rt = runtimeOf(host);
    return rt ? rt->core->scheduler().nowMs() : 0;
}

std::int64_t hostWallClockMs(tessera_host *host)
{
    PluginRuntime *rt = runtimeOf(host);
    return rt ? rt->core->scheduler().wallClockMs() : 0;
}

std::uint64_t hostSetTimer(tessera_host *host, std::int64_t delayMs, tessera_task_fn fn, void *userData)
{
    PluginRuntime *rt = runtimeOf(host);
    if (!rt)
        return 0;
    if (!fn) {
        rt->refuse(TESSERA_BAD_REQUEST, "set_timer needs a function");
        return 0;
    }
    if (!rt->active) {
        rt->refuse(TESSERA_UNAVAILABLE, "the plugin is not running");
        return 0;
    }
    if (rt->timers.size() >= kMaxTimersPerPlugin) {
        rt->refuse(TESSERA_LIMIT, "the plugin already has " + std::to_string(kMaxTimersPerPlugin) + " pending timers");
        return 0;
    }
    const std::uint64_t id = rt->core->nextTimerId++;
    const Scheduler::TimerId timer =
        rt->core->scheduler().schedule(std::max<std::int64_t>(delayMs, 0), [weak = rt->weak_from_this(), id, fn, userData] {
            auto alive = weak.lock();
            if (!alive || !alive->active || alive->timers.erase(id) == 0)
                return;
            alive->core->callInto(*alive, "a timer callback", [&] { fn(userData); });
        });
    rt->timers.emplace(id, timer);
    return id;
}

void hostCancelTimer(tessera_host *host, std::uint64_t timerId)
{
    PluginRuntime *rt = runtimeOf(host);
    if (!rt)
        return;
    auto it = rt->timers.find(timerId);
    if (it == rt->timers.end())
        return;
    rt->core->scheduler().cancel(it->second);
    rt->timers.erase(it);
}

tessera_status hostPost(tessera_host *host, tessera_task_fn fn, void *userData)
{
    // Any thread: touch nothing of the runtime but what never changes after it was created.
    PluginRuntime *rt = runtimeOf(host);
    if (!rt || !fn)
        return TESSERA_BAD_REQUEST;
    rt->core->scheduler().post([weak = rt->weak_from_this(), fn, userData] {
        if (auto alive = weak.lock(); alive && alive->active)
            alive->core->callInto(*alive, "a posted task", [&] { fn(userData); });
    });
    return TESSERA_OK;
}

// ---- Capability handler calls ---------------------------------------------------------------

/** The action of the pending call @p callId, or nullptr after refusing (the call is not pending). */
const std::string *pendingAction(PluginRuntime &rt, std::uint64_t callId)
{
    auto call = rt.calls.find(callId);
    if (call != rt.calls.end())
        return &call->second.action;
    rt.refuse(TESSERA_NOT_FOUND, "call " + std::to_string(callId)
                                     + " is not pending: it was answered already, timed out, or never existed");
    return nullptr;
}

/** Fails the call @p callId for an invalid reply (@p why is audited as @p what "was refused"), refuses the reply. */
tessera_status refuseReply(PluginRuntime &rt, std::uint64_t callId, const std::string &what, const std::string &why)
{
    rt.core->finishCall(rt, callId, Error(ErrorCode::Internal, "plugin " + rt.id + " sent an invalid reply"),
                        CallEnd::Failed, what + " was refused: " + why);
    return rt.refuse(TESSERA_BAD_REQUEST, why);
}

tessera_status hostReply(tessera_host *host, std::uint64_t callId, const char *responseJson)
{
    PluginRuntime *rt = runtimeOf(host);
    if (!rt)
        return TESSERA_BAD_REQUEST;
    const std::string *action = pendingAction(*rt, callId);
    if (!action)
        return TESSERA_NOT_FOUND;
    auto response = checkedObject(responseJson, kMaxResponseBytes, "the reply");
    if (!response)
        return refuseReply(*rt, callId, "the reply to " + *action, response.error().message);
    rt->core->finishCall(*rt, callId, std::move(*response), CallEnd::Replied, "");
    return TESSERA_OK;
}

tessera_status hostReplyError(tessera_host *host, std::uint64_t callId, const char *message)
{
    PluginRuntime *rt = runtimeOf(host);
    if (!rt)
        return TESSERA_BAD_REQUEST;
    const std::string *action = pendingAction(*rt, callId);
    if (!action)
        return TESSERA_NOT_FOUND;
    const auto text = boundedText(message, kMaxReplyErrorBytes);
    if (!text || text->empty())
        return refuseReply(*rt, callId, "the error reply to " + *action,
                           message ? "the error message is empty or not valid UTF-8" : "the error message is NULL");
    rt->core->finishCall(*rt, callId, Error(ErrorCode::BadRequest, *text), CallEnd::Refused, *text);
    return TESSERA_OK;
}

tessera_status hostPush(tessera_host *host, std::uint64_t sessionId, const char *capability, const char *action,
                        const char *dataJson, tessera_result_fn done, void *userData)
{
    const auto [rt, widget, status] = sessionRequest(host, sessionId);
    if (!widget)
        return status;
    const auto cap = checkedText(capability, bridge::kMaxCapabilityLength);
    if (!cap || !rt->ownsCapability(*cap))
        return rt->refuse(TESSERA_DENIED, "push needs one of the plugin's own handler capabilities");
    const auto act = checkedText(action, bridge::kMaxCapabilityLength);
    if (!act || !isInPluginNamespace(rt->id, *act))
        return rt->refuse(TESSERA_DENIED, "the pushed action must be in the plugin's namespace (\"" + rt->id + ".…\")");
    json data = json::object();
    if (dataJson) {
        auto parsed = checkedObject(dataJson, kMaxResponseBytes, "data_json");
        if (!parsed)
            return rt->refuse(TESSERA_BAD_REQUEST, parsed.error().message);
        data = std::move(*parsed);
    }
    PluginManager::Impl &core = *rt->core;
    if (!core.services.push)
        return rt->refuse(TESSERA_UNSUPPORTED, "this host cannot push to widgets");
    WidgetPush push{rt->id, *cap, *act, std::move(data)};
    core.services.push->push(*widget, push,
                             startRequest<json>(*rt, *widget, *act, true, done, userData,
                                                [](const json &answer) { return answer; }));
    return TESSERA_OK;
}

// ---- Room access ----------------------------------------------------------------------------

json eventsJson(const std::vector<json> &events)
{
    return json(events);
}

/** The event type argument of a room request, or nullopt after refusing it. */
std::optional<std::string> eventType(PluginRuntime &rt, const char *value)
{
    auto type = checkedText(value, bridge::kMaxEventTypeLength);
    if (!type || !isValidWidgetType(*type)) { // same shape: printable ASCII without spaces
        rt.refuse(TESSERA_BAD_REQUEST, "event_type must be 1 to 255 bytes of printable ASCII without spaces");
        return std::nullopt;
    }
    return type;
}

/** The state key argument of a room request into @p key (NULL: none); false after refusing it. */
bool stateKeyArgument(PluginRuntime &rt, const char *value, std::optional<std::string> &key)
{
    if (!value)
        return true;
    key = checkedText(value, kMaxStateKeyBytes);
    if (!key)
        rt.refuse(TESSERA_BAD_REQUEST, "state_key must be UTF-8 of at most 255 bytes");
    return key.has_value();
}

tessera_status hostReadRoomState(tessera_host *host, std::uint64_t sessionId, const char *type, const char *stateKey,
                                 tessera_result_fn done, void *userData)
{
    const auto [rt, widget, status] = sessionRequest(host, sessionId);
    if (!widget)
        return status;
    const auto t = eventType(*rt, type);
    if (!t)
        return TESSERA_BAD_REQUEST;
    std::optional<std::string> key;
    if (!stateKeyArgument(*rt, stateKey, key))
        return TESSERA_BAD_REQUEST;
    if (!done)
        return rt->refuse(TESSERA_BAD_REQUEST, "read_room_state needs a callback");
    if (!rt->core->services.rooms)
        return rt->refuse(TESSERA_UNSUPPORTED, "this host offers no room access to plugins");
    rt->core->services.rooms->readState(*widget, *t, key,
                                        startRequest<std::vector<json>>(*rt, *widget, "plugin.read_room_state", false,
                                                                        done, userData, eventsJson));
    return TESSERA_OK;
}

tessera_status hostReadRoomEvents(tessera_host *host, std::uint64_t sessionId, const char *type, std::uint32_t limit,
                                  tessera_result_fn done, void *userData)
{
    const auto [rt, widget, status] = sessionRequest(host, sessionId);
    if (!widget)
        return status;
    const auto t = eventType(*rt, type);
    if (!t)
        return TESSERA_BAD_REQUEST;
    if (limit < 1 || limit > kMaxReadEvents)
        return rt->refuse(TESSERA_BAD_REQUEST, "limit must be 1 to " + std::to_string(kMaxReadEvents));
    if (!done)
        return rt->refuse(TESSERA_BAD_REQUEST, "read_room_events needs a callback");
    if (!rt->core->services.rooms)
        return rt->refuse(TESSERA_UNSUPPORTED, "this host offers no room access to plugins");
    rt->core->services.rooms->readEvents(*widget, *t, static_cast<int>(limit),
                                         startRequest<std::vector<json>>(*rt, *widget, "plugin.read_room_events", false,
                                                                         done, userData, eventsJson));
    return TESSERA_OK;
}

tessera_status hostSendRoomEvent(tessera_host *host, std::uint64_t sessionId, const char *type, const char *stateKey,
                                 const char *contentJson, tessera_result_fn done, void *userData)
{
    const auto [rt, widget, status] = sessionRequest(host, sessionId);
    if (!widget)
        return status;
    const auto t = eventType(*rt, type);
    if (!t)
        return TESSERA_BAD_REQUEST;
    bridge::SendEventRequest request;
    request.roomId = widget->roomId;
    request.type = *t;
    if (!stateKeyArgument(*rt, stateKey, request.stateKey))
        return TESSERA_BAD_REQUEST;
    auto content = checkedObject(contentJson, kMaxEventContentBytes, "content_json");
    if (!content)
        return rt->refuse(TESSERA_BAD_REQUEST, content.error().message);
    request.content = std::move(*content);
    if (!done)
        return rt->refuse(TESSERA_BAD_REQUEST, "send_room_event needs a callback");
    if (!rt->core->services.rooms)
        return rt->refuse(TESSERA_UNSUPPORTED, "this host offers no room access to plugins");
    rt->core->services.rooms->sendEvent(
        *widget, request,
        startRequest<bridge::SendEventResult>(*rt, *widget, "plugin.send_room_event", false, done, userData,
                                              [](const bridge::SendEventResult &r) {
                                                  return json{{"room_id", r.roomId}, {"event_id", r.eventId}};
                                              }));
    return TESSERA_OK;
}

// ---- Scoped tokens --------------------------------------------------------------------------

tessera_status hostMintToken(tessera_host *host, std::uint64_t sessionId, const char *audience, const char *scope,
                             std::uint32_t lifetimeSeconds, tessera_result_fn done, void *userData)
{
    const auto [rt, widget, status] = sessionRequest(host, sessionId);
    if (!widget)
        return status;
    ScopedTokenRequest request;
    request.pluginId = rt->id;
    auto aud = checkedText(audience, kMaxAudienceBytes);
    if (!aud || aud->empty())
        return rt->refuse(TESSERA_BAD_REQUEST, "audience must be UTF-8 of 1 to 1024 bytes");
    auto scp = checkedText(scope, kMaxScopeBytes);
    if (!scp || scp->empty())
        return rt->refuse(TESSERA_BAD_REQUEST, "scope must be UTF-8 of 1 to 1024 bytes");
    if (lifetimeSeconds < 1 || lifetimeSeconds > kMaxTokenLifetimeSeconds)
        return rt->refuse(TESSERA_BAD_REQUEST,
                          "lifetime_s must be 1 to " + std::to_string(kMaxTokenLifetimeSeconds) + " seconds");
    if (!done)
        return rt->refuse(TESSERA_BAD_REQUEST, "mint_token needs a callback");
    if (!rt->core->services.tokens)
        return rt->refuse(TESSERA_UNSUPPORTED, "this host cannot mint tokens for plugins");
    request.audience = std::move(*aud);
    request.scope = std::move(*scp);
    request.lifetimeSeconds = lifetimeSeconds;
    rt->core->services.tokens->mint(*widget, request,
                                    startRequest<ScopedToken>(*rt, *widget, "plugin.mint_token", false, done, userData,
                                                              [](const ScopedToken &r) {
                                                                  return json{{"token", r.token},
                                                                              {"expires_at_ms", r.expiresAtMs}};
                                                              }));
    return TESSERA_OK;
}

// ---- Registration ---------------------------------------------------------------------------

tessera_status refuseRegistration(PluginRuntime &rt, tessera_status status, std::string message)
{
    rt.registrationErrors.push_back(message);
    return rt.refuse(status, std::move(message));
}

tessera_status hostRegisterWidgetType(tessera_host *host, const tessera_widget_type_info *info, std::size_t size)
{
    PluginRuntime *rt = runtimeOf(host);
    if (!rt)
        return TESSERA_BAD_REQUEST;
    if (!rt->registering)
        return rt->refuse(TESSERA_DENIED, "registration is only possible during tessera_plugin_load");
    auto copied = copyWidgetTypeInfo(info, size);
    if (!copied)
        return refuseRegistration(*rt, TESSERA_BAD_REQUEST, copied.error().message);
    if (std::any_of(rt->types.begin(), rt->types.end(),
                    [&](const RegisteredWidgetType &t) { return t.info.type == copied->info.type; }))
        return refuseRegistration(*rt, TESSERA_BAD_REQUEST,
                                  "widget type \"" + copied->info.type + "\" is registered twice");
    if (rt->types.size() >= kMaxWidgetTypesPerPlugin)
        return refuseRegistration(*rt, TESSERA_LIMIT, "a plugin may register at most "
                                                          + std::to_string(kMaxWidgetTypesPerPlugin) + " widget types");
    copied->info.pluginId = rt->id;
    rt->types.push_back(std::move(*copied));
    return TESSERA_OK;
}

tessera_status hostRegisterCapabilityHandler(tessera_host *host, const tessera_capability_handler_info *info,
                                             std::size_t size)
{
    PluginRuntime *rt = runtimeOf(host);
    if (!rt)
        return TESSERA_BAD_REQUEST;
    if (!rt->registering)
        return rt->refuse(TESSERA_DENIED, "registration is only possible during tessera_plugin_load");
    auto copied = copyHandlerInfo(info, size);
    if (!copied)
        return refuseRegistration(*rt, TESSERA_BAD_REQUEST, copied.error().message);
    const std::string &capability = copied->info.capability;
    if (!isInPluginNamespace(rt->id, capability))
        return refuseRegistration(*rt, TESSERA_BAD_REQUEST, "capability \"" + capability
                                                                + "\" must be in the plugin's namespace (\"" + rt->id
                                                                + "\" or \"" + rt->id + ".…\")");
    for (const std::string &action : copied->info.actions) {
        if (!isInPluginNamespace(rt->id, action))
            return refuseRegistration(*rt, TESSERA_BAD_REQUEST, "action \"" + action
                                                                    + "\" must be in the plugin's namespace (\"" + rt->id
                                                                    + ".…\")");
        if (rt->handlerForAction(action))
            return refuseRegistration(*rt, TESSERA_BAD_REQUEST,
                                      "action \"" + action + "\" is claimed by two capability handlers");
    }
    if (rt->ownsCapability(capability))
        return refuseRegistration(*rt, TESSERA_BAD_REQUEST,
                                  "capability handler \"" + capability + "\" is registered twice");
    if (rt->handlers.size() >= kMaxHandlersPerPlugin)
        return refuseRegistration(*rt, TESSERA_LIMIT, "a plugin may register at most "
                                                          + std::to_string(kMaxHandlersPerPlugin)
                                                          + " capability handlers");
    copied->info.pluginId = rt->id;
    rt->handlers.push_back(std::move(*copied));
    return TESSERA_OK;
}

} // namespace

tessera_host_api makeHostApi(tessera_host *host)
{
    tessera_host_api api{};
    api.struct_size = sizeof api;
    api.abi_version = TESSERA_PLUGIN_ABI_VERSION;
    api.host = host;
    api.log = &hostLog;
    api.set_error = &hostSetError;
    api.get_last_error = &hostGetLastError;
    api.get_data_dir = &hostGetDataDir;
    api.get_settings = &hostGetSettings;
    api.set_settings = &hostSetSettings;
    api.now_ms = &hostNowMs;
    api.wall_clock_ms = &hostWallClockMs;
    api.set_timer = &hostSetTimer;
    api.cancel_timer = &hostCancelTimer;
    api.post = &hostPost;
    api.reply = &hostReply;
    api.reply_error = &hostReplyError;
    api.push = &hostPush;
    api.read_room_state = &hostReadRoomState;
    api.read_room_events = &hostReadRoomEvents;
    api.send_room_event = &hostSendRoomEvent;
    api.mint_token = &hostMintToken;
    api.http_request = &hostHttpRequest;
    api.http_cancel = &hostHttpCancel;
    api.read_secret = &hostReadSecret;
    api.write_secret = &hostWriteSecret;
    api.delete_secret = &hostDeleteSecret;
    return api;
}

tessera_registrar makeRegistrar(tessera_host *host)
{
    tessera_registrar registrar{};
    registrar.struct_size = sizeof registrar;
    registrar.host = host;
    registrar.register_widget_type = &hostRegisterWidgetType;
    registrar.register_capability_handler = &hostRegisterCapabilityHandler;
    return registrar;
}

} // namespace tessera::plugins::detail
