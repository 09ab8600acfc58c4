// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "plugins/sessionservices.h"

#include "bridge/widgetsession.h"

namespace tessera::plugins {

namespace {

using json = nlohmann::json;

/** The session of @p widget if it is serving actions, else the error to answer with. */
Result<bridge::WidgetSession *> readySession(const WidgetSessionLookup &lookup, const bridge::WidgetContext &widget)
{
    bridge::WidgetSession *session = lookup ? lookup(widget.roomId, widget.widgetId) : nullptr;
    if (!session || session->state() == bridge::WidgetSession::State::Stopped)
        return Error(ErrorCode::NotFound, "the widget session is closed");
    if (session->state() != bridge::WidgetSession::State::Ready)
        return Error(ErrorCode::Unavailable, "the widget session is not ready yet");
    return session;
}

const std::string *stringField(const json &object, const char *key)
{
    if (!object.is_object())
        return nullptr;
    auto it = object.find(key);
    return it != object.end() && it->is_string() ? &it->get_ref<const std::string &>() : nullptr;
}

} // namespace

SessionPushTarget::SessionPushTarget(WidgetSessionLookup lookup) : m_lookup(std::move(lookup)) {}

void SessionPushTarget::push(const bridge::WidgetContext &widget, const WidgetPush &push,
                             bridge::Callback<json> done)
{
    auto session = readySession(m_lookup, widget);
    if (!session)
        return done(std::move(session).error());
    if (!(*session)->approved().contains(push.capability))
        return done(Error(ErrorCode::Denied, "the widget session does not hold " + push.capability));
    if (!(*session)->pushCustom(push.capability, push.action, push.data))
        return done(Error(ErrorCode::Unavailable, "the widget session did not accept the push"));
    done(json::object());
}

SessionRoomAccessAdapter::SessionRoomAccessAdapter(WidgetSessionLookup lookup, bridge::WidgetDriver &driver)
    : m_lookup(std::move(lookup)), m_driver(driver)
{
}

void SessionRoomAccessAdapter::readState(const bridge::WidgetContext &widget, const std::string &eventType,
                                         const std::optional<std::string> &stateKey,
                                         bridge::Callback<std::vector<json>> done)
{
    auto session = readySession(m_lookup, widget);
    if (!session)
        return done(std::move(session).error());
    if (!(*session)->approved().canReceiveStateEvent(eventType, stateKey ? &*stateKey : nullptr))
        return done(Error(ErrorCode::Denied, "the widget session may not read " + eventType + " state"
                                                 + (stateKey ? " with state key " + *stateKey : std::string())));
    m_driver.readState(widget, widget.roomId, eventType, stateKey,
                       [lookup = m_lookup, widget, eventType, done = std::move(done)](Result<std::vector<json>> r) {
                           if (!r)
                               return done(std::move(r).error());
                           auto again = readySession(lookup, widget);
                           if (!again)
                               return done(std::move(again).error());
                           std::vector<json> allowed;
                           for (json &ev : *r) {
                               const std::string *type = stringField(ev, "type");
                               const std::string *key = stringField(ev, "state_key");
                               if (type && *type == eventType && key
                                   && (*again)->approved().canReceiveStateEvent(*type, key))
                                   allowed.push_back(std::move(ev));
                           }
                           done(std::move(allowed));
                       });
}

void SessionRoomAccessAdapter::readEvents(const bridge::WidgetContext &widget, const std::string &eventType, int limit,
                                          bridge::Callback<std::vector<json>> done)
{
    auto session = readySession(m_lookup, widget);
    if (!session)
        return done(std::move(session).error());
    if (!(*session)->approved().canReceiveRoomEvent(eventType, nullptr))
        return done(Error(ErrorCode::Denied, "the widget session may not read " + eventType + " events"));
    bridge::ReadEventsRequest request;
    request.roomId = widget.roomId;
    request.type = eventType;
    request.limit = limit;
    m_driver.readEvents(widget, request,
                        [lookup = m_lookup, widget, eventType, limit,
                         done = std::move(done)](Result<std::vector<bridge::SerializedEvent>> r) {
                            if (!r)
                                return done(std::move(r).error());
                            auto again = readySession(lookup, widget);
                            if (!again)
                                return done(std::move(again).error());
                            std::vector<json> allowed;
                            for (const bridge::SerializedEvent &ev : *r) {
                                const std::string *type = ev.type();
                                const std::string *room = ev.roomId();
                                if (!type || *type != eventType || !room || *room != widget.roomId
                                    || !(*again)->approved().canReceiveRoomEvent(*type, ev.msgtype())
                                    || allowed.size() >= static_cast<std::size_t>(limit))
                                    continue;
                                json event = ev.toJson();
                                if (!event.contains("state_key")) // a state_key of any type
                                    allowed.push_back(std::move(event));
                            }
                            done(std::move(allowed));
                        });
}

void SessionRoomAccessAdapter::sendEvent(const bridge::WidgetContext &widget, const bridge::SendEventRequest &request,
                                         bridge::Callback<bridge::SendEventResult> done)
{
    auto session = readySession(m_lookup, widget);
    if (!session)
        return done(std::move(session).error());
    if (request.roomId != widget.roomId)
        return done(Error(ErrorCode::Denied, "a plugin may only send to the widget's own room"));
    const bridge::CapabilitySet &approved = (*session)->approved();
    const bool allowed = request.stateKey ? approved.canSendStateEvent(request.type, *request.stateKey)
                                          : approved.canSendRoomEvent(request.type, stringField(request.content, "msgtype"));
    if (!allowed)
        return done(Error(ErrorCode::Denied, "the widget session may not send " + request.type
                                                 + (request.stateKey ? " state" : " events")));
    m_driver.sendEvent(widget, request, std::move(done));
}

SessionPluginServices::SessionPluginServices(WidgetSessionLookup lookup, bridge::WidgetDriver &driver,
                                             tokens::TokenIssuer *issuer, std::function<std::string()> userId)
    : push(lookup), rooms(lookup, driver)
{
    if (issuer)
        tokens.emplace(*issuer, std::move(userId));
}

void SessionPluginServices::wire(PluginServices &services)
{
    services.push = &push;
    services.rooms = &rooms;
    services.tokens = tokens ? &*tokens : nullptr;
}

} // namespace tessera::plugins
