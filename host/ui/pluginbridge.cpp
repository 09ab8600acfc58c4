// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "pluginbridge.h"

#include "widgetmanager.h"
#include "util/jsonfields.h"

#include <algorithm>

namespace tessera::ui {

using nlohmann::json;

namespace {
Error notOpen(const bridge::WidgetContext &widget)
{
    return Error(ErrorCode::NotFound, "widget " + widget.widgetId + " has no open session");
}
} // namespace

PluginBridge::PluginBridge(matrix::RoomBackend &backend, tokens::TokenIssuer *tokens) : m_backend(backend), m_tokens(tokens) {}

const bridge::CapabilitySet *PluginBridge::approvedFor(const bridge::WidgetContext &widget) const
{
    if (!m_widgets)
        return nullptr;
    WidgetController *w = m_widgets->find(widget.roomId, widget.widgetId);
    if (!w || !w->session() || w->session()->state() != bridge::WidgetSession::State::Ready)
        return nullptr;
    return &w->session()->approved();
}

void PluginBridge::push(const bridge::WidgetContext &widget, const plugins::WidgetPush &push,
                        bridge::Callback<json> done)
{
    WidgetController *w = m_widgets ? m_widgets->find(widget.roomId, widget.widgetId) : nullptr;
    if (!w || !w->session()) {
        done(notOpen(widget));
        return;
    }
    if (!w->session()->pushCustom(push.capability, push.action, push.data)) {
        done(Error(ErrorCode::Denied, "the widget does not hold " + push.capability + " (or is not answering)"));
        return;
    }
    done(json::object());
}

void PluginBridge::readState(const bridge::WidgetContext &widget, const std::string &eventType,
                             const std::optional<std::string> &stateKey, bridge::Callback<std::vector<json>> done)
{
    const bridge::CapabilitySet *caps = approvedFor(widget);
    if (!caps) {
        done(notOpen(widget));
        return;
    }
    if (!caps->canReceiveStateEvent(eventType, stateKey ? &*stateKey : nullptr)) {
        done(Error(ErrorCode::Denied, "the widget may not read " + eventType + " state"));
        return;
    }
    m_backend.readState(widget.roomId, eventType, stateKey, std::move(done));
}

void PluginBridge::readEvents(const bridge::WidgetContext &widget, const std::string &eventType, int limit,
                              bridge::Callback<std::vector<json>> done)
{
    const bridge::CapabilitySet *caps = approvedFor(widget);
    if (!caps) {
        done(notOpen(widget));
        return;
    }
    matrix::TimelineQuery query;
    query.roomId = widget.roomId;
    query.limit = std::clamp(limit, 1, 100);
    query.filter.types = {eventType};
    query.filter.state = matrix::EventFilter::StateMatch::NotState;
    // Exactly what the widget could read itself: each event is checked, msgtype included.
    m_backend.readTimeline(query, [this, widget, done = std::move(done)](Result<matrix::TimelinePage> page) {
        if (!page) {
            done(page.error());
            return;
        }
        const bridge::CapabilitySet *now = approvedFor(widget);
        std::vector<json> events;
        for (auto &ev : page->events) {
            const json *content = ev.contains("content") && ev["content"].is_object() ? &ev["content"] : nullptr;
            const std::string *msgtype = content && content->contains("msgtype") && (*content)["msgtype"].is_string()
                ? (*content)["msgtype"].get_ptr<const std::string *>()
                : nullptr;
            if (now && now->canReceiveRoomEvent(jsonString(ev, "type"), msgtype))
                events.push_back(std::move(ev));
        }
        done(std::move(events));
    });
}

void PluginBridge::sendEvent(const bridge::WidgetContext &widget, const bridge::SendEventRequest &request,
                             bridge::Callback<bridge::SendEventResult> done)
{
    const bridge::CapabilitySet *caps = approvedFor(widget);
    if (!caps) {
        done(notOpen(widget));
        return;
    }
    const std::string *msgtype = request.content.contains("msgtype") && request.content["msgtype"].is_string()
        ? request.content["msgtype"].get_ptr<const std::string *>()
        : nullptr;
    const bool allowed = request.stateKey ? caps->canSendStateEvent(request.type, *request.stateKey)
                                          : caps->canSendRoomEvent(request.type, msgtype);
    if (!allowed || request.roomId != widget.roomId) {
        done(Error(ErrorCode::Denied, "the widget may not send " + request.type + " here"));
        return;
    }
    matrix::SendRequest send;
    send.roomId = widget.roomId;
    send.type = request.type;
    send.content = request.content;
    send.stateKey = request.stateKey;
    m_backend.send(send, [done = std::move(done), room = widget.roomId](Result<matrix::SendResult> r) {
        if (!r) {
            done(r.error());
            return;
        }
        bridge::SendEventResult out;
        out.roomId = room;
        out.eventId = r->eventId;
        done(out);
    });
}

void PluginBridge::mint(const bridge::WidgetContext &widget, const plugins::ScopedTokenRequest &request,
                        bridge::Callback<plugins::ScopedToken> done)
{
    const bridge::CapabilitySet *caps = approvedFor(widget);
    if (!caps) {
        done(notOpen(widget));
        return;
    }
    if (!m_tokens) {
        done(Error(ErrorCode::Unavailable, "scoped tokens are not available"));
        return;
    }
    tokens::TokenRequest t;
    t.userId = m_backend.userId();
    t.roomId = widget.roomId;
    t.widgetId = widget.widgetId;
    t.widgetOrigin = widget.origin;
    t.audience = request.audience;
    if (!request.scope.empty())
        t.scopes.push_back(request.scope);
    t.lifetimeSeconds = request.lifetimeSeconds;
    auto minted = m_tokens->mint(t);
    if (!minted) {
        done(minted.error());
        return;
    }
    plugins::ScopedToken out;
    out.token = minted->token;
    out.expiresAtMs = minted->claims.expiresAt * 1000;
    done(out);
}

} // namespace tessera::ui
