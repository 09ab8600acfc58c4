// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "bridge/widgetsession.h"

#include <algorithm>
#include <array>

#include "bridge/apiversions.h"
#include "bridge/widgetsession_internal.h"

namespace tessera::bridge {

using namespace actions;

namespace {

using nlohmann::json;

constexpr std::string_view kNotNegotiated = "Request refused: capabilities have not been negotiated yet";

std::string errorResponse(std::string_view message, const std::optional<MatrixApiError> &details = std::nullopt)
{
    std::string out = "{\"error\":{\"message\":";
    text::appendJsonString(out, message);
    if (details) {
        json m = {{"http_status", details->httpStatus},
                  {"http_headers", details->httpHeaders},
                  {"url", details->url},
                  {"response", details->response}};
        out += ",\"matrix_api_error\":";
        out += m.dump();
    }
    out += "}}";
    return out;
}

} // namespace

WidgetSession::WidgetSession(SessionConfig config, WidgetDriver &driver, Transport &transport,
                             audit::AuditSink &audit, Scheduler &scheduler, const ActionRegistry *registry)
    : m_config(std::move(config)), m_driver(driver), m_transport(transport), m_audit(audit),
      m_scheduler(scheduler), m_registry(registry), m_lifetime(std::make_shared<int>(0))
{
}

WidgetSession::~WidgetSession()
{
    stop();
}

void WidgetSession::start()
{
    if (m_state != State::Created)
        return;
    m_state = State::WaitingForLoad;
    audit(audit::Direction::Internal, audit::Decision::Info, "session_start", {}, {}, {}, -1);
}

void WidgetSession::stop()
{
    if (m_state == State::Stopped)
        return;
    m_state = State::Stopped;
    m_lifetime.reset(); // late driver callbacks and timers now do nothing
    stopTurnWatch();
    if (m_contentLoadTimer)
        m_scheduler.cancel(m_contentLoadTimer);
    for (auto &[id, req] : m_inbound) {
        req->done = true;
        if (req->timer)
            m_scheduler.cancel(req->timer);
    }
    m_inbound.clear();
    failAllOutbound("Transport stopped");
    audit(audit::Direction::Internal, audit::Decision::Info, "session_stop", {}, {}, {}, -1);
}

// ---------------------------------------------------------------------------------------------
// Inbound path

void WidgetSession::handleMessage(std::string_view text)
{
    if (m_state == State::Stopped) {
        drop(text, {}, {}, "session is stopped");
        return;
    }
    auto env = parseEnvelope(text, m_config.limits.envelope);
    if (!env) {
        drop(text, {}, {}, env.error().message);
        return;
    }
    if (env->widgetId != m_config.widget.widgetId) {
        drop(text, env->action, env->requestId, "message names widget " + env->widgetId + ", not this widget");
        return;
    }
    if (env->hasResponse) {
        if (env->api != kApiToWidget) {
            drop(text, env->action, env->requestId, "a fromWidget response: only the host answers fromWidget requests");
            return;
        }
        handleResponse(text, *env);
        return;
    }
    if (env->api != kApiFromWidget) {
        drop(text, env->action, env->requestId, "a toWidget request: only the host sends toWidget requests");
        return;
    }
    handleRequest(text, std::move(env).value());
}

void WidgetSession::drop(std::string_view text, std::string_view action, std::string_view requestId,
                         std::string_view reason)
{
    audit::Record r =
        auditRecord(audit::Category::Message, audit::Direction::FromWidget, audit::Decision::Dropped, action);
    r.requestId = requestId;
    r.sizeBytes = text.size();
    r.reason = reason;
    // Never keep more than a prefix of something that was refused for its size or shape.
    r.body = text.substr(0, 4096);
    m_audit.append(r);
}

void WidgetSession::handleRequest(std::string_view text, Envelope &&env)
{
    auto req = std::make_shared<Inbound>();
    req->text.assign(text.data(), text.size());
    req->action = std::move(env.action);
    req->requestId = std::move(env.requestId);
    if (!env.data.empty()) {
        req->dataOffset = std::size_t(env.data.data() - text.data());
        req->dataLength = env.data.size();
    }
    req->startMs = m_scheduler.nowMs();

    if (m_inbound.count(req->requestId)) {
        replyError(req, "Duplicate request ID: a request with this ID is still being processed");
        return;
    }
    if (m_inbound.size() >= m_config.limits.maxPendingFromWidget) {
        replyError(req, "Too many requests in flight (limit " + std::to_string(m_config.limits.maxPendingFromWidget)
                            + "); wait for answers before sending more");
        return;
    }
    m_inbound.emplace(req->requestId, req);

    if (!m_audit.accepting()) {
        replyError(req, "Tessera cannot write its audit log, so it refuses widget actions until it can",
                   audit::Decision::Refused);
        return;
    }

    // beforeNegotiation: served in any state, `data` unread. readsDataText: the handler reads
    // `data` from the request text itself (dataText()) instead of a DOM.
    struct BuiltIn {
        Handler handler;
        bool beforeNegotiation = false;
        bool readsDataText = false;
    };
    static const std::unordered_map<std::string_view, BuiltIn> kHandlers{
        {"supported_api_versions", {&WidgetSession::onSupportedApiVersions, true}},
        {"content_loaded", {&WidgetSession::onContentLoaded, true}},
        {"org.matrix.msc2974.request_capabilities", {&WidgetSession::onRequestCapabilities}},
        {"get_openid", {&WidgetSession::onGetOpenId}},
        {"send_event", {&WidgetSession::onSendEvent, false, true}},
        {"org.matrix.msc4157.update_delayed_event", {&WidgetSession::onUpdateDelayedEvent}},
        {"send_to_device", {&WidgetSession::onSendToDevice}},
        {"org.matrix.msc2876.read_events", {&WidgetSession::onReadEvents, false, true}},
        {"org.matrix.msc3869.read_relations", {&WidgetSession::onReadRelations}},
        {"org.matrix.msc3973.user_directory_search", {&WidgetSession::onUserDirectorySearch}},
        {"org.matrix.msc4039.get_media_config", {&WidgetSession::onGetMediaConfig}},
        {"org.matrix.msc4039.upload_file", {&WidgetSession::onUploadFile}},
        {"org.matrix.msc4039.download_file", {&WidgetSession::onDownloadFile}},
        {"watch_turn_servers", {&WidgetSession::onWatchTurnServers}},
        {"unwatch_turn_servers", {&WidgetSession::onUnwatchTurnServers}},
        {"org.matrix.msc2931.navigate", {&WidgetSession::onNavigate}},
        {"set_always_on_screen", {&WidgetSession::onSetAlwaysOnScreen}},
        {"m.sticker", {&WidgetSession::onSticker}},
        {"open_modal", {&WidgetSession::onOpenModal}},
        {"close_modal", {&WidgetSession::onCloseModal}},
        {"set_button_enabled", {&WidgetSession::onSetButtonEnabled}},
        {"com.beeper.read_room_account_data", {&WidgetSession::onReadRoomAccountData}},
    };

    // Element's call actions: only a call widget has them; to any other widget they are
    // unknown, as Element answers them (its Call object listens on call widgets alone).
    static const std::unordered_map<std::string_view, BuiltIn> kCallHandlers{
        {"io.element.join", {&WidgetSession::onCallJoin}},
        {"im.vector.hangup", {&WidgetSession::onCallHangup}},
        {"io.element.close", {&WidgetSession::onCallClose}},
        {"io.element.device_mute", {&WidgetSession::onCallDeviceMute}},
    };

    auto it = kHandlers.find(req->action);
    const BuiltIn *builtIn = it != kHandlers.end() ? &it->second : nullptr;
    if (!builtIn && m_config.callActions) {
        it = kCallHandlers.find(req->action);
        builtIn = it != kCallHandlers.end() ? &it->second : nullptr;
    }
    if (!(builtIn && builtIn->beforeNegotiation) && m_state != State::Ready) {
        if (builtIn || (m_registry && m_registry->find(req->action))) {
            replyError(req, kNotNegotiated);
            return;
        }
    }
    if (builtIn) {
        if (!builtIn->beforeNegotiation && !(builtIn->readsDataText ? checkDataText(req) : parseData(req)))
            return;
        (this->*(builtIn->handler))(req);
    } else if (const ActionRegistry::Entry *entry = m_registry ? m_registry->find(req->action) : nullptr) {
        if (!parseData(req))
            return;
        onCustomAction(req, *entry);
    } else {
        replyError(req, "Unknown or unsupported action: " + req->action);
        return;
    }
    if (!req->done)
        armTimeout(req);
}

std::string_view WidgetSession::dataText(const InboundPtr &req)
{
    if (req->dataOffset == 0)
        return "{}";
    return std::string_view(req->text).substr(req->dataOffset, req->dataLength);
}

bool WidgetSession::checkDataText(const InboundPtr &req)
{
    // parseData refuses what nlohmann cannot parse; the envelope scanner accepted everything
    // else already, so the one difference left is a number beyond a double's range.
    if (hasNumberBeyondDouble(dataText(req))) {
        replyError(req, "Invalid request - data is not a JSON object");
        return false;
    }
    return true;
}

bool WidgetSession::parseData(const InboundPtr &req)
{
    if (req->dataOffset == 0) {
        req->data = json::object();
        return true;
    }
    req->data = json::parse(std::string_view(req->text).substr(req->dataOffset, req->dataLength), nullptr, false);
    if (req->data.is_discarded() || !req->data.is_object()) {
        replyError(req, "Invalid request - data is not a JSON object");
        return false;
    }
    return true;
}

void WidgetSession::armTimeout(const InboundPtr &req)
{
    const SessionLimits &limits = m_config.limits;
    if (!req->sendKey.empty() && limits.sendWithdrawMs < limits.requestTimeoutMs) {
        std::weak_ptr<int> life = m_lifetime;
        req->timer = m_scheduler.schedule(limits.sendWithdrawMs, [this, life, req] {
            if (life.expired() || req->done)
                return;
            req->timer = 0;
            withdrawSend(req);
        });
        return;
    }
    scheduleTimeout(req, limits.requestTimeoutMs);
}

void WidgetSession::withdrawSend(const InboundPtr &req)
{
    const SessionLimits &limits = m_config.limits;
    const std::string after = std::to_string(limits.sendWithdrawMs / 1000) + " s";
    switch (m_driver.withdrawSend(m_config.widget, req->sendKey)) {
    case SendWithdrawal::Withdrawn:
        replyError(req, "Error sending event: the homeserver could not be reached in time; the event was withdrawn "
                        "and will not be sent",
                   audit::Decision::Failed, "not sent: withdrawn from the outbox after " + after +
                                                " without reaching the homeserver");
        return;
    case SendWithdrawal::MayHaveArrived:
        replyError(req, "Error sending event: the homeserver did not answer in time; the event was withdrawn, but an "
                        "earlier attempt may have reached the homeserver, so it may still appear in the room",
                   audit::Decision::Failed, "withdrawn from the outbox after " + after + "; an earlier attempt got no "
                                            "answer, so the event may still appear");
        return;
    case SendWithdrawal::InFlight: {
        // Its last request is with the server: wait for the answer while the widget still listens.
        std::weak_ptr<int> life = m_lifetime;
        req->timer = m_scheduler.schedule(std::max<std::int64_t>(0, limits.sendAnswerMs - limits.sendWithdrawMs),
                                          [this, life, req] {
            if (life.expired() || req->done)
                return;
            req->timer = 0;
            req->outcomeUnknown = true;
            replyError(req, "Error sending event: the homeserver has not answered yet; the event may still appear "
                            "in the room",
                       audit::Decision::Failed, "no answer from the homeserver in time; its request was the last "
                                                "attempt, and its outcome is recorded when it comes");
        });
        return;
    }
    case SendWithdrawal::Unknown:
        break;
    }
    scheduleTimeout(req, std::max<std::int64_t>(0, limits.requestTimeoutMs - limits.sendWithdrawMs));
}

void WidgetSession::scheduleTimeout(const InboundPtr &req, std::int64_t delayMs)
{
    std::weak_ptr<int> life = m_lifetime;
    req->timer = m_scheduler.schedule(delayMs, [this, life, req] {
        if (life.expired() || req->done)
            return;
        req->timer = 0;
        replyError(req, "Request timed out: the host did not finish in "
                            + std::to_string(m_config.limits.requestTimeoutMs / 1000) + " s",
                   audit::Decision::Failed);
    });
}

bool WidgetSession::requestDone(const InboundPtr &req)
{
    return req->done;
}

bool WidgetSession::alive(const InboundPtr &req) const
{
    return m_state != State::Stopped && !req->done;
}

void WidgetSession::reply(const InboundPtr &req, const json &response)
{
    replyRaw(req, response.dump(), audit::Decision::Allowed, {});
}

void WidgetSession::replyEmpty(const InboundPtr &req)
{
    replyRaw(req, "{}", audit::Decision::Allowed, {});
}

void WidgetSession::replyRaw(const InboundPtr &req, std::string_view responseJson, audit::Decision decision,
                             std::string_view reason)
{
    if (req->done)
        return;
    req->done = true;
    if (req->timer) {
        m_scheduler.cancel(req->timer);
        req->timer = 0;
    }
    if (auto it = m_inbound.find(req->requestId); it != m_inbound.end() && it->second == req)
        m_inbound.erase(it);

    std::string message = spliceResponse(req->text, responseJson);
    std::string overflowReason;
    if (message.size() > m_config.limits.envelope.maxMessageBytes) {
        overflowReason = "response of " + std::to_string(message.size()) + " bytes exceeds the "
            + std::to_string(m_config.limits.envelope.maxMessageBytes) + "-byte message limit";
        const std::string error = errorResponse("Response too large: " + overflowReason + "; ask for less");
        message = spliceResponse(req->text, error);
        if (message.size() > m_config.limits.envelope.maxMessageBytes) {
            // Not even the error fits beside the request's own data (a request just under the
            // limit): answer with the envelope alone, so the widget still gets its one reply.
            message = nlohmann::json{{"api", "fromWidget"},
                                     {"widgetId", m_config.widget.widgetId},
                                     {"requestId", req->requestId},
                                     {"action", req->action},
                                     {"data", nlohmann::json::object()}}
                          .dump();
            message.pop_back();
            message += ",\"response\":" + error + "}";
        }
        decision = audit::Decision::Failed;
        reason = overflowReason;
        if (message.size() > m_config.limits.envelope.maxMessageBytes) {
            // Its request id and action alone leave no room for any answer: the widget times out.
            const std::int64_t duration = m_scheduler.nowMs() - req->startMs;
            audit(audit::Direction::FromWidget, audit::Decision::Dropped, req->action, req->requestId, req->text,
                  overflowReason + "; no reply fits", duration);
            return;
        }
    }
    const std::int64_t duration = m_scheduler.nowMs() - req->startMs;
    audit(audit::Direction::FromWidget, decision, req->action, req->requestId, req->text, reason, duration);
    audit(audit::Direction::ToWidget, audit::Decision::Info, req->action, req->requestId, message, {}, -1);
    m_transport.send(std::move(message));
}

void WidgetSession::replyError(const InboundPtr &req, std::string_view message, audit::Decision decision,
                               std::string_view auditReason)
{
    replyRaw(req, errorResponse(message), decision, auditReason.empty() ? message : auditReason);
}

void WidgetSession::replyDriverError(const InboundPtr &req, std::string_view message, const Error &error)
{
    if (error.code == ErrorCode::EncryptionRequired) {
        // A refusal, not a failure: the driver wrote its message for the widget (nothing was
        // sent because it would have left unencrypted), so the widget reads it as it is.
        replyRaw(req, errorResponse(error.message), audit::Decision::Refused, error.message);
        return;
    }
    // The driver's own text may name files or servers; the widget gets the reference's fixed
    // message plus what the homeserver said, the audit log gets everything.
    const std::string reason = std::string(message) + ": " + error.message;
    replyRaw(req, errorResponse(message, error.matrixApiError), audit::Decision::Failed, reason);
}

void WidgetSession::handleResponse(std::string_view text, const Envelope &env)
{
    auto it = m_outbound.find(env.requestId);
    if (it == m_outbound.end()) {
        drop(text, env.action, env.requestId, "response to an unknown or expired request");
        return;
    }
    if (it->second.action != env.action) {
        drop(text, env.action, env.requestId, "response names action " + env.action + ", the request was "
                                                  + it->second.action);
        return;
    }
    Outbound out = std::move(it->second);
    m_outbound.erase(it);
    if (out.timer)
        m_scheduler.cancel(out.timer);
    audit(audit::Direction::FromWidget, audit::Decision::Info, env.action, env.requestId, text, {},
          m_scheduler.nowMs() - out.sentAtMs);

    json response = json::parse(env.response, nullptr, false);
    if (response.is_discarded() || !response.is_object()) {
        out.handler(Error(ErrorCode::BadRequest, "widget sent an unreadable response"));
        return;
    }
    if (auto e = response.find("error"); e != response.end() && e->is_object()) {
        if (const std::string *msg = jsonStringPtr(*e, "message")) {
            out.handler(Error(ErrorCode::Denied, *msg));
            return;
        }
    }
    out.handler(std::move(response));
}

// ---------------------------------------------------------------------------------------------
// Outbound path

bool WidgetSession::sendRequest(const std::string &action, const json &data, ResponseHandler handler, bool essential)
{
    if (m_state == State::Stopped)
        return false;
    if (!essential && m_outbound.size() >= m_config.limits.maxPendingToWidget) {
        const std::string reason = "widget is not answering: " + std::to_string(m_outbound.size())
            + " requests already wait for it";
        audit::Record r =
            auditRecord(audit::Category::Message, audit::Direction::ToWidget, audit::Decision::Dropped, action);
        r.reason = reason;
        m_audit.append(r);
        return false;
    }
    sendRequestRaw(action, data.dump(), std::move(handler), essential);
    return true;
}

void WidgetSession::sendRequestRaw(const std::string &action, std::string_view dataJson, ResponseHandler handler,
                                   bool)
{
    std::string requestId = "tessera-" + std::to_string(m_nextRequestId++);
    std::string message;
    message.reserve(dataJson.size() + 128);
    message += "{\"api\":\"toWidget\",\"widgetId\":";
    text::appendJsonString(message, m_config.widget.widgetId);
    message += ",\"requestId\":";
    text::appendJsonString(message, requestId);
    message += ",\"action\":";
    text::appendJsonString(message, action);
    message += ",\"data\":";
    message += dataJson;
    if (action == "visibility") {
        // Scalar-era widgets read the flag at the top level (matrix-widget-api does the same).
        const json d = json::parse(dataJson, nullptr, false);
        if (d.is_object() && d.contains("visible") && d["visible"].is_boolean())
            message += d["visible"].get<bool>() ? ",\"visible\":true" : ",\"visible\":false";
    }
    message += '}';

    Outbound out;
    out.action = action;
    out.sentAtMs = m_scheduler.nowMs();
    out.handler = std::move(handler);
    std::weak_ptr<int> life = m_lifetime;
    out.timer = m_scheduler.schedule(m_config.limits.requestTimeoutMs, [this, life, requestId] {
        if (life.expired())
            return;
        auto it = m_outbound.find(requestId);
        if (it == m_outbound.end())
            return;
        Outbound timedOut = std::move(it->second);
        m_outbound.erase(it);
        audit(audit::Direction::ToWidget, audit::Decision::Failed, timedOut.action, requestId, {},
              "Request timed out", m_scheduler.nowMs() - timedOut.sentAtMs);
        timedOut.handler(Error(ErrorCode::Timeout, "Request timed out"));
    });
    audit(audit::Direction::ToWidget, audit::Decision::Info, action, requestId, message, {}, -1);
    m_outbound.emplace(requestId, std::move(out));
    m_transport.send(std::move(message));
}

void WidgetSession::failAllOutbound(const std::string &message)
{
    auto pending = std::move(m_outbound);
    m_outbound.clear();
    for (auto &[id, out] : pending) {
        if (out.timer)
            m_scheduler.cancel(out.timer);
        out.handler(Error(ErrorCode::Unavailable, message));
    }
}

// ---------------------------------------------------------------------------------------------
// Audit

audit::Record WidgetSession::auditRecord(audit::Category category, audit::Direction direction,
                                         audit::Decision decision, std::string_view action) const
{
    audit::Record r;
    r.category = category;
    r.direction = direction;
    r.decision = decision;
    r.timestampMs = m_scheduler.wallClockMs();
    r.widgetId = m_config.widget.widgetId;
    r.roomId = m_config.widget.roomId;
    r.origin = m_config.widget.origin;
    r.action = action;
    return r;
}

void WidgetSession::audit(audit::Direction direction, audit::Decision decision, std::string_view action,
                          std::string_view requestId, std::string_view body, std::string_view reason,
                          std::int64_t durationMs)
{
    audit::Category category = direction == audit::Direction::Internal ? audit::Category::Session
                                                                       : audit::Category::Message;
    if (direction == audit::Direction::Internal && (action == "capabilities" || action == "revoke_capabilities"))
        category = audit::Category::Consent;
    audit::Record r = auditRecord(category, direction, decision, action);
    r.requestId = requestId;
    r.sizeBytes = body.size();
    r.reason = reason;
    r.durationMs = durationMs;
    r.body = body;
    m_audit.append(r);
}

} // namespace tessera::bridge
