// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "bridge/widgetsession.h"

#include <algorithm>
#include <array>

#include "bridge/apiversions.h"
#include "util/text.h"

namespace tessera::bridge {

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

const std::string *optString(const json &obj, const char *key)
{
    auto it = obj.find(key);
    if (it == obj.end() || !it->is_string())
        return nullptr;
    return it->get_ptr<const std::string *>();
}

// A string member of an untrusted event, or "" (json::value() throws on a non-object or a non-string member).
std::string textField(const json &ev, const char *key)
{
    if (!ev.is_object())
        return {};
    const std::string *s = optString(ev, key);
    return s ? *s : std::string();
}

std::string stateKeyOf(const json &ev)
{
    auto it = ev.find("state_key");
    return it != ev.end() && it->is_string() ? it->get<std::string>() : std::string();
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
    audit::Record r;
    r.category = audit::Category::Message;
    r.direction = audit::Direction::FromWidget;
    r.decision = audit::Decision::Dropped;
    r.timestampMs = m_scheduler.wallClockMs();
    r.widgetId = m_config.widget.widgetId;
    r.roomId = m_config.widget.roomId;
    r.origin = m_config.widget.origin;
    r.action = action;
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
        if (const std::string *msg = optString(*e, "message")) {
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
        audit::Record r;
        r.category = audit::Category::Message;
        r.direction = audit::Direction::ToWidget;
        r.decision = audit::Decision::Dropped;
        r.timestampMs = m_scheduler.wallClockMs();
        r.widgetId = m_config.widget.widgetId;
        r.roomId = m_config.widget.roomId;
        r.origin = m_config.widget.origin;
        r.action = action;
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
// Negotiation (MSC2871) and renegotiation (MSC2974)

void WidgetSession::onIframeLoaded()
{
    if (m_state == State::Stopped || m_state == State::Created)
        return;
    if (m_config.waitForIframeLoad) {
        beginNegotiation();
        return;
    }
    // A page's content_loaded may arrive before or after its load event, and the parent cannot
    // see a navigation start. So: one content_loaded per page; a load event after the page's own
    // (or with no content_loaded yet) starts a new page, and a content_loaded refused as a
    // duplicate just before it is taken to be the new page's.
    const bool refused = m_refusedContentLoaded;
    m_refusedContentLoaded = false;
    if (m_pageSentContentLoaded && !m_pageLoadSeen) {
        m_pageLoadSeen = true; // the load event of the page that already announced itself
        return;
    }
    ++m_generation;
    m_state = State::WaitingForLoad;
    m_approved.clear();
    stopTurnWatch();
    m_pageSentContentLoaded = false;
    m_pageLoadSeen = true;
    if (m_contentLoadTimer)
        m_scheduler.cancel(m_contentLoadTimer);
    m_contentLoadTimer = 0;
    if (refused) {
        acceptContentLoaded();
        return;
    }
    std::weak_ptr<int> life = m_lifetime;
    const std::uint64_t generation = m_generation;
    m_contentLoadTimer = m_scheduler.schedule(m_config.limits.requestTimeoutMs, [this, life, generation] {
        if (life.expired() || generation != m_generation || m_state != State::WaitingForLoad)
            return;
        m_contentLoadTimer = 0;
        audit(audit::Direction::Internal, audit::Decision::Failed, "content_loaded", {}, {},
              "widget loaded but did not send content_loaded within the timeout", -1);
        if (m_observer)
            m_observer->onContentLoadTimeout();
    });
}

void WidgetSession::acceptContentLoaded()
{
    m_pageSentContentLoaded = true;
    if (m_contentLoadTimer) {
        m_scheduler.cancel(m_contentLoadTimer);
        m_contentLoadTimer = 0;
    }
    beginNegotiation();
}

void WidgetSession::beginNegotiation()
{
    const std::uint64_t generation = ++m_generation;
    m_state = State::Negotiating;
    m_approved.clear();
    stopTurnWatch();
    m_widgetVersions.clear();
    m_versionsKnown = false;
    m_renegotiating = false;
    m_initialStatePending = false;
    m_initialStateReads = 0;
    m_pendingState.clear();

    sendRequest("supported_api_versions", json::object(), [this, generation](Result<json> r) {
        if (generation != m_generation)
            return;
        m_widgetVersions.clear();
        if (r && r->contains("supported_versions") && (*r)["supported_versions"].is_array()) {
            for (const auto &v : (*r)["supported_versions"]) {
                if (v.is_string())
                    m_widgetVersions.push_back(v.get<std::string>());
            }
        }
        m_versionsKnown = true;
        if (m_state == State::Ready)
            pushInitialState();
    }, true);
    sendRequest("capabilities", json::object(), [this, generation](Result<json> r) {
        onCapabilitiesReply(generation, std::move(r));
    }, true);
}

std::vector<Capability> WidgetSession::screenCapabilities(const std::vector<std::string> &requested,
                                                          std::string_view phase, std::vector<RefusedCapability> &refused)
{
    std::vector<Capability> recognised;
    for (const auto &raw : requested) {
        if (m_approved.contains(raw))
            continue;
        CapabilityCheck check = checkCapability(raw, m_registry);
        if (check.verdict == CapabilityVerdict::Recognised) {
            if (m_driver.supportsCapability(m_config.widget, *check.parsed)) {
                recognised.push_back(std::move(*check.parsed));
                continue;
            }
            // Known, but nothing here can do it: refused as not supported, never granted in vain.
            check.verdict = CapabilityVerdict::Unknown;
            check.reason = "not supported by Tessera with this room backend";
            check.refusal = RefusalReason::NotImplemented;
        }
        audit::Record r;
        r.category = audit::Category::Consent;
        r.direction = audit::Direction::Internal;
        r.decision = audit::Decision::Refused;
        r.timestampMs = m_scheduler.wallClockMs();
        r.widgetId = m_config.widget.widgetId;
        r.roomId = m_config.widget.roomId;
        r.origin = m_config.widget.origin;
        r.action = phase;
        const std::string reason = "capability " + raw + " denied automatically: " + check.reason;
        r.reason = reason;
        m_audit.append(r);
        refused.push_back(RefusedCapability{raw, check.verdict, check.refusal});
    }
    return recognised;
}

namespace {
// The widget's list: strings only, duplicates removed, order kept, at most @p max entries.
Result<std::vector<std::string>> readCapabilityList(const json &value, std::size_t max)
{
    if (!value.is_array())
        return Error(ErrorCode::BadRequest, "capabilities must be a list of strings");
    std::vector<std::string> out;
    std::unordered_set<std::string> seen;
    for (const auto &v : value) {
        if (!v.is_string())
            return Error(ErrorCode::BadRequest, "capabilities must be a list of strings");
        if (seen.insert(v.get<std::string>()).second)
            out.push_back(v.get<std::string>());
    }
    if (out.size() > max) {
        return Error(ErrorCode::BadRequest, "a widget may request at most " + std::to_string(max)
                                                + " capabilities at once");
    }
    return out;
}
} // namespace

void WidgetSession::onCapabilitiesReply(std::uint64_t generation, Result<json> reply)
{
    if (generation != m_generation || m_state != State::Negotiating)
        return;
    std::vector<std::string> requested;
    if (!reply) {
        const std::string reason = "widget did not answer the capabilities request: " + reply.error().message;
        audit(audit::Direction::Internal, audit::Decision::Failed, "capabilities", {}, {}, reason, -1);
        if (m_observer)
            m_observer->onCapabilitiesUnanswered(reason);
    } else {
        const json &body = *reply;
        auto list = readCapabilityList(body.contains("capabilities") ? body["capabilities"] : json(),
                                       m_config.limits.maxCapabilitiesPerRequest);
        if (!list) {
            audit(audit::Direction::Internal, audit::Decision::Refused, "capabilities", {}, {},
                  "capabilities reply refused: " + list.error().message, -1);
        } else {
            requested = std::move(list).value();
        }
    }
    CapabilityRequest request;
    std::vector<Capability> recognised = screenCapabilities(requested, "capabilities", request.refused);
    if (recognised.empty()) {
        finishNegotiation(generation, requested, recognised, std::vector<std::string>{}, false);
        return;
    }
    for (const auto &c : recognised)
        request.requested.push_back(c.raw);
    std::weak_ptr<int> life = m_lifetime;
    m_driver.validateCapabilities(m_config.widget, request,
                                  [this, life, generation, requested, recognised](Result<std::vector<std::string>> r) {
                                      if (life.expired())
                                          return;
                                      finishNegotiation(generation, requested, recognised, std::move(r), false);
                                  });
}

void WidgetSession::finishNegotiation(std::uint64_t generation, const std::vector<std::string> &requested,
                                      const std::vector<Capability> &recognised,
                                      Result<std::vector<std::string>> decision, bool renegotiation)
{
    if (generation != m_generation || m_state == State::Stopped)
        return;
    if (renegotiation)
        m_renegotiating = false;
    if (!decision) {
        audit(audit::Direction::Internal, audit::Decision::Failed, "capabilities", {}, {},
              "capability decision failed, nothing granted: " + decision.error().message, -1);
    } else {
        for (const auto &raw : *decision) {
            // Approved ⊆ requested, whatever the driver says.
            auto it = std::find_if(recognised.begin(), recognised.end(), [&](const Capability &c) { return c.raw == raw; });
            if (it == recognised.end()) {
                audit(audit::Direction::Internal, audit::Decision::Refused, "capabilities", {}, {},
                      "capability " + raw + " was approved but not requested; ignored", -1);
                continue;
            }
            m_approved.add(*it);
        }
    }
    notifyCapabilities(requested);
    if (!renegotiation) {
        m_state = State::Ready;
        if (m_observer)
            m_observer->onReady(m_approved.rawList());
        if (m_versionsKnown)
            pushInitialState();
    } else {
        if (m_observer)
            m_observer->onCapabilitiesChanged(m_approved.rawList());
        if (m_versionsKnown && std::any_of(recognised.begin(), recognised.end(), [&](const Capability &c) {
                return c.kind == CapabilityKind::ReceiveStateEvent && m_approved.contains(c.raw);
            })) {
            pushInitialState();
        }
    }
}

void WidgetSession::notifyCapabilities(const std::vector<std::string> &requested)
{
    sendRequest("notify_capabilities", json{{"requested", requested}, {"approved", m_approved.rawList()}},
                [](Result<json>) {}, true);
}

void WidgetSession::revokeCapabilities(const std::vector<std::string> &capabilities)
{
    if (m_state == State::Stopped)
        return;
    std::vector<std::string> removed;
    for (const auto &raw : capabilities) {
        if (m_approved.remove(raw))
            removed.push_back(raw);
    }
    if (removed.empty())
        return;
    if (m_turnWatching && !m_approved.hasSimple(cap::kMsc3846TurnServers))
        stopTurnWatch();
    std::string list;
    for (const auto &r : removed)
        list += (list.empty() ? "" : ", ") + r;
    audit(audit::Direction::Internal, audit::Decision::Info, "revoke_capabilities", {}, {},
          "revoked by the user: " + list, -1);
    if (m_state == State::Ready) {
        notifyCapabilities({});
        if (m_observer)
            m_observer->onCapabilitiesChanged(m_approved.rawList());
    }
}

bool WidgetSession::widgetSupportsUpdateState() const
{
    return std::find(m_widgetVersions.begin(), m_widgetVersions.end(), kUpdateStateVersion) != m_widgetVersions.end();
}

std::vector<std::string> WidgetSession::timelineRooms()
{
    std::vector<std::string> rooms;
    if (!m_config.widget.roomId.empty())
        rooms.push_back(m_config.widget.roomId);
    std::vector<std::string> candidates;
    if (m_approved.hasAllRoomsTimeline()) {
        candidates = m_driver.knownRooms(m_config.widget);
    } else {
        for (const auto &c : m_approved.items()) {
            if (c.kind == CapabilityKind::Timeline)
                candidates.push_back(c.roomId);
        }
    }
    for (auto &room : candidates) {
        if (std::find(rooms.begin(), rooms.end(), room) == rooms.end())
            rooms.push_back(std::move(room));
    }
    return rooms;
}

void WidgetSession::pushInitialState()
{
    if (m_state != State::Ready || !widgetSupportsUpdateState() || !m_approved.hasAnyReceiveState())
        return;
    if (m_initialStatePending)
        return; // the batch in flight will include the new capabilities' reads as well
    m_initialStatePending = true;
    m_pendingState.clear();
    m_initialStateReads = 0;
    const std::uint64_t generation = m_generation;
    std::weak_ptr<int> life = m_lifetime;
    std::vector<std::pair<std::string, Capability>> reads;
    for (const auto &room : timelineRooms()) {
        for (const auto &c : m_approved.items()) {
            if (c.kind == CapabilityKind::ReceiveStateEvent)
                reads.emplace_back(room, c);
        }
    }
    m_initialStateReads = int(reads.size());
    if (reads.empty()) {
        flushInitialState();
        return;
    }
    for (const auto &[room, c] : reads) {
        m_driver.readState(m_config.widget, room, c.eventType, c.key,
                           [this, life, generation](Result<std::vector<json>> r) {
                               if (life.expired() || generation != m_generation || !m_initialStatePending)
                                   return;
                               if (r) {
                                   for (auto &ev : *r) {
                                       // First value wins; updates that raced the read replaced it already.
                                       const bool present = std::any_of(m_pendingState.begin(), m_pendingState.end(), [&](const json &p) {
                                           return textField(p, "room_id") == textField(ev, "room_id") && textField(p, "type") == textField(ev, "type")
                                               && stateKeyOf(p) == stateKeyOf(ev);
                                       });
                                       if (!present)
                                           m_pendingState.push_back(std::move(ev));
                                   }
                               } else {
                                   audit(audit::Direction::Internal, audit::Decision::Failed, "update_state", {}, {},
                                         "reading initial room state failed: " + r.error().message, -1);
                               }
                               if (--m_initialStateReads == 0)
                                   flushInitialState();
                           });
    }
}

void WidgetSession::flushInitialState()
{
    m_initialStatePending = false;
    std::vector<json> state = std::move(m_pendingState);
    m_pendingState.clear();
    // Re-check every event: the driver is not trusted to filter.
    std::erase_if(state, [&](const json &ev) {
        if (!ev.is_object() || !ev.contains("type") || !ev["type"].is_string() || !ev.contains("state_key")
            || !ev["state_key"].is_string())
            return true;
        const std::string room = textField(ev, "room_id");
        if (room != m_config.widget.roomId && !m_approved.canUseRoomTimeline(room))
            return true;
        const std::string key = ev["state_key"].get<std::string>();
        return !m_approved.canReceiveStateEvent(ev["type"].get<std::string>(), &key);
    });
    sendRequest("update_state", json{{"state", std::move(state)}}, [](Result<json>) {}, true);
}

// ---------------------------------------------------------------------------------------------
// Host → widget pushes

bool WidgetSession::rememberFed(const json &event)
{
    const std::string *id = optString(event, "event_id");
    if (!id)
        return true;
    if (!m_fedIds.insert(*id).second)
        return false;
    m_fedOrder.push_back(*id);
    if (m_fedOrder.size() > m_config.limits.feedDedupWindow) {
        m_fedIds.erase(m_fedOrder.front());
        m_fedOrder.pop_front();
    }
    return true;
}

void WidgetSession::feedEvent(const json &event)
{
    if (m_state != State::Ready || !event.is_object())
        return;
    const std::string *type = optString(event, "type");
    const std::string *room = optString(event, "room_id");
    if (!type || !room)
        return;
    if (*room != m_config.widget.roomId && !m_approved.canUseRoomTimeline(*room))
        return;
    if (const std::string *stateKey = optString(event, "state_key")) {
        if (!m_approved.canReceiveStateEvent(*type, stateKey))
            return;
    } else {
        const std::string *msgtype = nullptr;
        if (auto c = event.find("content"); c != event.end() && c->is_object())
            msgtype = optString(*c, "msgtype");
        if (!m_approved.canReceiveRoomEvent(*type, msgtype))
            return;
    }
    if (!rememberFed(event))
        return;
    sendRequest("send_event", event, [](Result<json>) {}, false);
}

void WidgetSession::feedStateUpdate(const json &event)
{
    if (m_state != State::Ready || !event.is_object() || !widgetSupportsUpdateState())
        return;
    const std::string *type = optString(event, "type");
    const std::string *room = optString(event, "room_id");
    const std::string *stateKey = optString(event, "state_key");
    if (!type || !room || !stateKey)
        return;
    if (*room != m_config.widget.roomId && !m_approved.canUseRoomTimeline(*room))
        return;
    if (!m_approved.canReceiveStateEvent(*type, stateKey))
        return;
    if (m_initialStatePending) {
        // Merge into the batch in flight so the widget never sees the older value after this one.
        auto it = std::find_if(m_pendingState.begin(), m_pendingState.end(), [&](const json &p) {
            return textField(p, "room_id") == *room && textField(p, "type") == *type && stateKeyOf(p) == *stateKey;
        });
        if (it != m_pendingState.end())
            *it = event;
        else
            m_pendingState.push_back(event);
        return;
    }
    sendRequest("update_state", json{{"state", json::array({event})}}, [](Result<json>) {}, false);
}

void WidgetSession::feedToDevice(const std::string &type, const std::string &sender, const json &content,
                                 bool encrypted)
{
    if (m_state != State::Ready)
        return;
    if (isEncryptionToDeviceType(type) || !m_approved.canReceiveToDevice(type))
        return;
    // matrix-rust-sdk: plaintext to-device messages are not delivered to a widget in an
    // encrypted room, where an attacker could otherwise inject unauthenticated messages.
    if (!encrypted && !m_config.widget.roomId.empty() && m_driver.isRoomEncrypted(m_config.widget, m_config.widget.roomId))
        return;
    sendRequest("send_to_device", json{{"type", type}, {"sender", sender}, {"content", content}, {"encrypted", encrypted}},
                [](Result<json>) {}, false);
}

void WidgetSession::updateTheme(const json &theme)
{
    if (m_state == State::Ready)
        sendRequest("theme_change", theme.is_object() ? theme : json::object(), [](Result<json>) {}, false);
}

void WidgetSession::updateLanguage(const std::string &lang)
{
    if (m_state == State::Ready)
        sendRequest("language_change", json{{"lang", lang}}, [](Result<json>) {}, false);
}

void WidgetSession::updateVisibility(bool visible)
{
    if (m_state == State::Ready)
        sendRequest("visibility", json{{"visible", visible}}, [](Result<json>) {}, false);
}

void WidgetSession::sendWidgetConfig(const json &config)
{
    if (m_state == State::Ready)
        sendRequest("widget_config", config.is_object() ? config : json::object(), [](Result<json>) {}, true);
}

void WidgetSession::sendButtonClicked(const std::string &buttonId)
{
    if (m_state == State::Ready)
        sendRequest("button_clicked", json{{"id", buttonId}}, [](Result<json>) {}, true);
}

void WidgetSession::sendCloseModal(const json &data)
{
    if (m_state == State::Ready)
        sendRequest("close_modal", data.is_object() ? data : json::object(), [](Result<json>) {}, true);
}

bool WidgetSession::pushCustom(const std::string &capability, const std::string &action, const json &data)
{
    if (m_state != State::Ready || !m_approved.contains(capability) || ActionRegistry::isBuiltInAction(action))
        return false;
    return sendRequest(action, data.is_object() ? data : json::object(), [](Result<json>) {}, false);
}

void WidgetSession::stopTurnWatch()
{
    m_turnSubscription.reset();
    m_turnWatching = false;
}

// ---------------------------------------------------------------------------------------------
// Audit

void WidgetSession::audit(audit::Direction direction, audit::Decision decision, std::string_view action,
                          std::string_view requestId, std::string_view body, std::string_view reason,
                          std::int64_t durationMs)
{
    audit::Record r;
    r.category = direction == audit::Direction::Internal ? audit::Category::Session : audit::Category::Message;
    if (direction == audit::Direction::Internal && (action == "capabilities" || action == "revoke_capabilities"))
        r.category = audit::Category::Consent;
    r.direction = direction;
    r.decision = decision;
    r.timestampMs = m_scheduler.wallClockMs();
    r.widgetId = m_config.widget.widgetId;
    r.roomId = m_config.widget.roomId;
    r.origin = m_config.widget.origin;
    r.action = action;
    r.requestId = requestId;
    r.sizeBytes = body.size();
    r.reason = reason;
    r.durationMs = durationMs;
    r.body = body;
    m_audit.append(r);
}

} // namespace tessera::bridge
