// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The plugin manager's calls into plugins and its failure policy: dispatching a widget's action
// to a plugin's handler, answers and their time limits, and disabling a plugin that keeps failing.
#include "plugins/pluginmanager.h"

#include <algorithm>

#include "audit/auditsink.h"
#include "bridge/actionregistry.h"
#include "net/httpclient.h"
#include "plugins/pluginruntime.h"
#include "util/scheduler.h"
#include "util/text.h"

namespace tessera::plugins {

using nlohmann::json;

void PluginManager::Impl::dispatch(detail::PluginRuntime &rt, const bridge::WidgetContext &widget,
                                   const std::string &action, const json &data, bridge::Callback<json> done)
{
    PluginRecord &record = records[rt.recordIndex];
    if (!rt.active || record.state != PluginState::Running) {
        audit(rt.id, action, audit::Decision::Refused, "plugin is not running", &widget);
        return done(Error(ErrorCode::Unavailable, "plugin " + rt.id + " is disabled"));
    }
    const RegisteredHandler *handler = rt.handlerForAction(action);
    if (!handler) {
        audit(rt.id, action, audit::Decision::Refused, "no handler for this action", &widget);
        return done(Error(ErrorCode::NotFound, "plugin " + rt.id + " does not handle " + action));
    }
    if (!services.audit->accepting())
        return done(Error(ErrorCode::Unavailable, "the audit log cannot be written, so the plugin was not called"));
    if (rt.calls.size() >= kMaxPendingCallsPerPlugin) {
        audit(rt.id, action, audit::Decision::Refused, "too many unanswered calls", &widget);
        return done(Error(ErrorCode::Unavailable, "plugin " + rt.id + " has "
                                                      + std::to_string(kMaxPendingCallsPerPlugin)
                                                      + " unanswered requests; try again later"));
    }

    const std::uint64_t sessionId = rt.sessionFor(widget);
    const std::uint64_t callId = nextCallId++;
    detail::PendingCall pending;
    pending.done = std::move(done);
    pending.widget = widget;
    pending.sessionId = sessionId;
    pending.action = action;
    pending.capability = handler->info.capability;
    pending.startedMs = scheduler().nowMs();
    rt.calls.emplace(callId, std::move(pending));

    const std::string dataText =
        (data.is_object() ? data : json::object()).dump(-1, ' ', false, json::error_handler_t::replace);
    const std::string widgetText = json{{"id", widget.widgetId},      {"type", widget.widgetType},
                                        {"room_id", widget.roomId},   {"origin", widget.origin},
                                        {"url", widget.url},          {"creator", widget.creatorUserId},
                                        {"data", widget.data.is_object() ? widget.data : json::object()}}
                                       .dump(-1, ' ', false, json::error_handler_t::replace);
    tessera_call_info info{};
    info.struct_size = sizeof info;
    info.call_id = callId;
    info.session_id = sessionId;
    info.capability = handler->info.capability.c_str();
    info.action = action.c_str();
    info.data_json = dataText.c_str();
    info.widget_json = widgetText.c_str();

    rt.pluginErrorSet = false;
    rt.pluginError.clear();
    const auto keepAlive = rt.shared_from_this();
    tessera_status status = TESSERA_ERROR;
    const auto handle = handler->callbacks.handle;
    void *handlerData = handler->callbacks.handlerData;
    if (auto escaped = detail::guardedCall([&] { status = handle(handlerData, &info); })) {
        const std::string reason = "it let " + *escaped + " escape from its handler for " + action
                                   + " (exceptions must not cross the plugin ABI)";
        if (rt.calls.count(callId))
            finishCall(rt, callId, Error(ErrorCode::Internal, "plugin " + rt.id + " failed to handle " + action),
                       CallEnd::Failed, reason);
        disable(rt, reason);
        return;
    }
    if (status != TESSERA_OK) {
        const std::string why = rt.pluginErrorSet && !rt.pluginError.empty() ? rt.pluginError
                                                                             : "status " + std::to_string(status);
        const std::string reason = "handler for " + action + " failed: " + why;
        if (rt.calls.count(callId))
            finishCall(rt, callId, Error(ErrorCode::Internal, "plugin " + rt.id + " failed to handle " + action),
                       CallEnd::Failed, reason);
        else
            recordFailure(rt, reason);
        return;
    }
    auto it = rt.calls.find(callId);
    if (it == rt.calls.end() || !rt.active)
        return;
    it->second.budgetTimer = scheduler().schedule(options.handlerBudgetMs, [this, weak = rt.weak_from_this(), callId] {
        auto alive = weak.lock();
        if (!alive)
            return;
        auto call = alive->calls.find(callId);
        if (call == alive->calls.end())
            return;
        call->second.budgetTimer = 0;
        const std::string act = call->second.action;
        const std::string reason =
            "handler for " + act + " did not answer within " + std::to_string(options.handlerBudgetMs) + " ms";
        finishCall(*alive, callId, Error(ErrorCode::Timeout, "plugin " + alive->id + " did not answer " + act + " in time"),
                   CallEnd::TimedOut, reason);
        disable(*alive, reason);
    });
}

void PluginManager::Impl::finishCall(detail::PluginRuntime &rt, std::uint64_t callId, Result<json> outcome,
                                     CallEnd how, const std::string &reason)
{
    auto node = rt.calls.extract(callId);
    if (node.empty())
        return;
    detail::PendingCall &call = node.mapped();
    if (call.budgetTimer)
        scheduler().cancel(call.budgetTimer);
    const std::int64_t durationMs = scheduler().nowMs() - call.startedMs;
    PluginRecord &record = records[rt.recordIndex];
    const std::string requestId = "call-" + std::to_string(callId);
    audit::Decision decision = audit::Decision::Invalid;
    switch (how) {
    case CallEnd::Replied:
    case CallEnd::Refused:
        decision = how == CallEnd::Replied ? audit::Decision::Allowed : audit::Decision::Refused;
        record.callsAnswered++;
        recordSuccess(rt);
        break;
    case CallEnd::Failed:
    case CallEnd::TimedOut:
        decision = audit::Decision::Failed;
        record.callsFailed++;
        break;
    case CallEnd::Abandoned:
    case CallEnd::Invalid:
        decision = audit::Decision::Refused;
        break;
    }
    audit(rt.id, call.action, decision, reason, &call.widget, durationMs, requestId);
    auto done = std::move(call.done);
    done(std::move(outcome));
    if (how == CallEnd::Failed)
        recordFailure(rt, reason);
}

void PluginManager::Impl::recordSuccess(detail::PluginRuntime &rt)
{
    rt.consecutiveFailures = 0;
}

void PluginManager::Impl::recordFailure(detail::PluginRuntime &rt, const std::string &reason)
{
    log(LogLevel::Warning, rt.id, reason);
    if (++rt.consecutiveFailures >= options.maxConsecutiveFailures)
        disable(rt, "it failed " + std::to_string(rt.consecutiveFailures) + " times in a row (last: " + reason + ")");
}

void PluginManager::Impl::disable(detail::PluginRuntime &rt, const std::string &reason)
{
    PluginRecord &record = records[rt.recordIndex];
    if (!rt.active || record.state != PluginState::Running)
        return;
    rt.active = false;
    record.state = PluginState::Disabled;
    record.error = "disabled for this session: " + reason;

    auto calls = std::move(rt.calls);
    rt.calls.clear();
    for (auto &[id, call] : calls) {
        if (call.budgetTimer)
            scheduler().cancel(call.budgetTimer);
        audit(rt.id, call.action, audit::Decision::Failed, "the plugin was disabled", &call.widget);
        call.done(Error(ErrorCode::Unavailable, "plugin " + rt.id + " was disabled"));
    }
    cancelTimersAndRequests(rt);
    // The session that called into the plugin may still hold the registry entry; remove the
    // handlers once that call has unwound. Until then the adapter refuses every call.
    if (rt.inActionRegistry && services.actions) {
        scheduler().post([weak = rt.weak_from_this(), registry = services.actions] {
            if (auto alive = weak.lock(); alive && alive->inActionRegistry) {
                registry->removeHandler(alive->adapter.get());
                alive->inActionRegistry = false;
            }
        });
    }
    audit(record.id, "plugin.disable", audit::Decision::Failed, record.error);
    log(LogLevel::Error, record.id, record.error);
    emit(PluginEventKind::Disabled, record);
}

void PluginManager::Impl::forgetSession(detail::PluginRuntime &rt, std::uint64_t sessionId)
{
    auto it = rt.sessions.find(sessionId);
    if (it == rt.sessions.end())
        return;
    rt.sessionIds.erase(std::make_pair(it->second.roomId, it->second.widgetId));
    rt.sessions.erase(it);
    std::vector<std::uint64_t> orphaned;
    for (const auto &[callId, call] : rt.calls)
        if (call.sessionId == sessionId)
            orphaned.push_back(callId);
    for (std::uint64_t callId : orphaned)
        finishCall(rt, callId, Error(ErrorCode::Unavailable, "the widget session closed"), CallEnd::Abandoned,
                   "the widget session closed");
    if (!rt.active)
        return;
    // A copy: a callback that throws disables the plugin, which clears its handlers.
    const std::vector<RegisteredHandler> handlers = rt.handlers;
    for (const auto &h : handlers)
        if (h.callbacks.sessionClosed && rt.active
            && !callInto(rt, "session_closed of " + h.info.capability,
                         [&] { h.callbacks.sessionClosed(h.callbacks.handlerData, sessionId); }))
            return;
}

bool PluginManager::Impl::callInto(detail::PluginRuntime &rt, std::string_view where, const std::function<void()> &call)
{
    const auto keepAlive = rt.shared_from_this();
    const auto escaped = detail::guardedCall(call);
    if (!escaped)
        return true;
    disable(rt, "it let " + *escaped + " escape from " + std::string(where)
                    + " (exceptions must not cross the plugin ABI)");
    return false;
}

void PluginManager::Impl::callQuietly(detail::PluginRuntime &rt, const std::string &where,
                                      const std::function<void()> &call)
{
    if (auto escaped = detail::guardedCall(call)) {
        const std::string reason =
            "the plugin let " + *escaped + " escape from " + where + " (exceptions must not cross the plugin ABI)";
        audit(rt.id, "plugin.exception", audit::Decision::Failed, reason);
        log(LogLevel::Error, rt.id, reason);
    }
}

void PluginManager::Impl::callUnload(detail::PluginRuntime &rt)
{
    callQuietly(rt, TESSERA_ENTRY_UNLOAD, [&] { rt.unload(); });
}

} // namespace tessera::plugins
