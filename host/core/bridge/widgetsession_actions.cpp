// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The fromWidget actions. Each handler validates its data, checks the approved capabilities and
// calls the driver, answering with the reference implementation's error texts
// (matrix-widget-api ClientWidgetApi) wherever it defines one.

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>
#include <unordered_set>

#include "bridge/apiversions.h"
#include "bridge/widgetsession.h"
#include "util/text.h"

namespace tessera::bridge {

namespace {

using nlohmann::json;

constexpr std::string_view kMissingCapability = "Missing capability";
constexpr std::string_view kBlobKey = "io.tessera.blob";
constexpr std::int64_t kMaxDelayMs = 366LL * 24 * 3600 * 1000;
constexpr std::int64_t kMaxStickyDurationMs = 3'600'000; // MSC4354: one hour

const std::string *optString(const json &obj, const char *key)
{
    auto it = obj.find(key);
    if (it == obj.end() || !it->is_string())
        return nullptr;
    return it->get_ptr<const std::string *>();
}

// True if @p key is present with a value other than null (JavaScript `!== undefined`).
bool present(const json &obj, const char *key)
{
    auto it = obj.find(key);
    return it != obj.end() && !it->is_null();
}

std::optional<std::int64_t> intInRange(const json &v, std::int64_t lo, std::int64_t hi)
{
    std::int64_t n = 0;
    if (v.is_number_integer()) {
        n = v.get<std::int64_t>();
    } else if (v.is_number_unsigned()) {
        const auto u = v.get<std::uint64_t>();
        if (u > static_cast<std::uint64_t>(hi))
            return std::nullopt;
        n = static_cast<std::int64_t>(u);
    } else if (v.is_number_float()) {
        const double d = v.get<double>();
        if (!(d >= double(lo) && d <= double(hi)) || d != static_cast<double>(static_cast<std::int64_t>(d)))
            return std::nullopt;
        n = static_cast<std::int64_t>(d);
    } else {
        return std::nullopt;
    }
    if (n < lo || n > hi)
        return std::nullopt;
    return n;
}

const std::string *msgtypeOf(const json &event)
{
    auto c = event.find("content");
    if (c == event.end() || !c->is_object())
        return nullptr;
    return optString(*c, "msgtype");
}

// True if a member read as raw text is there with a value other than null.
bool present(std::string_view rawValue)
{
    return !rawValue.empty() && rawValue != "null";
}

// A member read as raw text, decoded if it is a string.
std::optional<std::string> stringValue(std::string_view rawValue)
{
    if (rawValue.empty() || rawValue.front() != '"')
        return std::nullopt;
    return decodeJsonString(rawValue);
}

// intInRange of a member read as raw text: plain digits directly, anything else as a DOM would.
std::optional<std::int64_t> intInRange(std::string_view rawValue, std::int64_t lo, std::int64_t hi)
{
    if (!rawValue.empty() && rawValue.size() <= 18 && rawValue.find_first_not_of("0123456789") == std::string_view::npos) {
        std::int64_t n = 0;
        std::from_chars(rawValue.data(), rawValue.data() + rawValue.size(), n);
        if (n < lo || n > hi)
            return std::nullopt;
        return n;
    }
    return intInRange(buildJson(rawValue), lo, hi);
}

// The raw JSON text of the members of @p object named in @p names, in that order, empty when
// absent (all empty when @p object is not an object). The last of duplicate keys wins, as in a DOM.
template<std::size_t N>
std::array<std::string_view, N> readMembers(std::string_view object, const std::array<std::string_view, N> &names)
{
    std::array<std::string_view, N> values;
    if (object.empty() || object.front() != '{')
        return values;
    MemberReader members(object);
    while (members.next()) {
        const auto it = std::find(names.begin(), names.end(), members.key());
        if (it != names.end())
            values[std::size_t(it - names.begin())] = members.value();
    }
    return values;
}

json blobJson(const MediaDownload &file)
{
    return json{{std::string(kBlobKey), {{"base64", text::base64Encode(file.bytes)}, {"type", file.contentType}}}};
}

} // namespace

void WidgetSession::onSupportedApiVersions(const InboundPtr &req)
{
    static const std::string response = [] {
        json versions = json::array();
        for (auto v : kSupportedApiVersions)
            versions.push_back(std::string(v));
        return json{{"supported_versions", versions}}.dump();
    }();
    replyRaw(req, response, audit::Decision::Allowed, {});
}

void WidgetSession::onContentLoaded(const InboundPtr &req)
{
    if (m_config.waitForIframeLoad) {
        replyError(req, "Improper sequence: not expecting ContentLoaded event if waitForIframeLoad is true (default=true)");
        return;
    }
    if (m_pageSentContentLoaded) {
        m_refusedContentLoaded = true;
        replyError(req, "Improper sequence: content_loaded was already received for this load of the widget");
        return;
    }
    replyEmpty(req);
    acceptContentLoaded();
}

void WidgetSession::onRequestCapabilities(const InboundPtr &req)
{
    const json &data = req->data;
    std::vector<std::string> requested;
    {
        auto it = data.find("capabilities");
        if (it == data.end() || !it->is_array()) {
            replyError(req, "Invalid request - capabilities must be a list of strings");
            return;
        }
        std::unordered_set<std::string> seen;
        for (const auto &v : *it) {
            if (!v.is_string()) {
                replyError(req, "Invalid request - capabilities must be a list of strings");
                return;
            }
            if (seen.insert(v.get<std::string>()).second)
                requested.push_back(v.get<std::string>());
        }
        if (requested.size() > m_config.limits.maxCapabilitiesPerRequest) {
            replyError(req, "Invalid request - at most " + std::to_string(m_config.limits.maxCapabilitiesPerRequest)
                                + " capabilities may be requested at once");
            return;
        }
    }
    if (m_renegotiating) {
        replyError(req, "A capability request is already waiting for an answer");
        return;
    }
    const std::int64_t now = m_scheduler.nowMs();
    while (!m_renegotiationTimes.empty() && now - m_renegotiationTimes.front() >= 60'000)
        m_renegotiationTimes.pop_front();
    if (int(m_renegotiationTimes.size()) >= m_config.limits.maxRenegotiationsPerMinute) {
        replyError(req, "Too many capability requests; at most " + std::to_string(m_config.limits.maxRenegotiationsPerMinute)
                            + " per minute");
        return;
    }
    m_renegotiationTimes.push_back(now);

    replyEmpty(req); // acknowledged before the decision, as MSC2974 specifies
    CapabilityRequest request;
    request.isRenegotiation = true;
    std::vector<Capability> newly = screenCapabilities(requested, "request_capabilities", request.refused);
    if (newly.empty()) {
        notifyCapabilities(requested);
        return;
    }
    for (const auto &c : newly)
        request.requested.push_back(c.raw);
    m_renegotiating = true;
    const std::uint64_t generation = m_generation;
    std::weak_ptr<int> life = m_lifetime;
    m_driver.validateCapabilities(m_config.widget, request,
                                  [this, life, generation, requested, newly](Result<std::vector<std::string>> r) {
                                      if (life.expired())
                                          return;
                                      finishNegotiation(generation, requested, newly, std::move(r), true);
                                  });
}

void WidgetSession::onGetOpenId(const InboundPtr &req)
{
    struct Flow {
        bool phase2 = false;
        bool finished = false;
    };
    auto flow = std::make_shared<Flow>();
    std::weak_ptr<int> life = m_lifetime;
    m_driver.requestOpenId(m_config.widget, [this, life, req, flow](OpenIdUpdate update) {
        if (life.expired() || flow->finished)
            return;
        const auto tokenFields = [](json &d, const OpenIdToken &t) {
            d["access_token"] = t.accessToken;
            d["expires_in"] = t.expiresInSeconds;
            d["matrix_server_name"] = t.matrixServerName;
            d["token_type"] = t.tokenType;
        };
        if (!flow->phase2) {
            if (req->done) {
                flow->finished = true;
                return;
            }
            switch (update.state) {
            case OpenIdUpdate::State::Pending:
                flow->phase2 = true;
                reply(req, json{{"state", "request"}});
                return;
            case OpenIdUpdate::State::Allowed:
                flow->finished = true;
                if (!update.token || update.token->accessToken.empty()) {
                    replyError(req, "client provided invalid OIDC token for an allowed request", audit::Decision::Failed);
                    return;
                }
                {
                    json d{{"state", "allowed"}};
                    tokenFields(d, *update.token);
                    reply(req, d);
                }
                return;
            default:
                flow->finished = true;
                replyRaw(req, R"({"state":"blocked"})", audit::Decision::Refused, "identity request blocked");
                return;
            }
        }
        // Phase 2 (MSC1960): the outcome arrives as a toWidget openid_credentials request.
        flow->finished = true;
        json d{{"original_request_id", req->requestId}};
        if (update.state == OpenIdUpdate::State::Allowed && update.token && !update.token->accessToken.empty()) {
            d["state"] = "allowed";
            tokenFields(d, *update.token);
        } else {
            d["state"] = "blocked";
        }
        sendRequest("openid_credentials", d, [](Result<json>) {}, true);
    });
}

void WidgetSession::onSendEvent(const InboundPtr &req)
{
    // Read from the request text: only the members the checks need, and content is parsed
    // once the request passed them. The checks, their order and their texts are the DOM's.
    const auto [typeText, roomIdText, stateKeyText, delayText, parentDelayIdText, stickyText, content] =
        readMembers<7>(dataText(req), {"type", "room_id", "state_key", "delay", "parent_delay_id",
                                       "sticky_duration_ms", "content"});
    std::optional<std::string> type = stringValue(typeText);
    if (!type || type->empty()) {
        replyError(req, "Invalid request - missing event type");
        return;
    }
    if (type->size() > kMaxEventTypeLength) {
        replyError(req, "Invalid request - event type is longer than 255 bytes");
        return;
    }
    SendEventRequest send;
    if (present(roomIdText)) {
        std::optional<std::string> roomId = stringValue(roomIdText);
        if (!roomId) {
            replyError(req, "Invalid request - room_id must be a string");
            return;
        }
        if (!roomId->empty()) {
            if (!m_approved.canUseRoomTimeline(*roomId)) {
                replyError(req, "Unable to access room timeline: " + *roomId);
                return;
            }
            send.roomId = std::move(*roomId);
        }
    }
    if (send.roomId.empty())
        send.roomId = m_config.widget.roomId;
    if (send.roomId.empty()) {
        replyError(req, "Invalid request - this widget has no room; give room_id");
        return;
    }
    const bool delayed = present(delayText) || present(parentDelayIdText);
    if (delayed && !m_approved.hasSimple(cap::kMsc4157SendDelayedEvent)) {
        replyError(req, "Missing capability for org.matrix.msc4157.send.delayed_event");
        return;
    }
    if (present(stickyText) && !m_approved.hasSimple(cap::kMsc4407SendStickyEvent)) {
        replyError(req, "Missing capability for org.matrix.msc4407.send.sticky_event");
        return;
    }
    if (present(delayText)) {
        auto delay = intInRange(delayText, 0, kMaxDelayMs);
        if (!delay) {
            replyError(req, "Invalid request - delay must be a whole number of milliseconds between 0 and one year");
            return;
        }
        send.delayMs = *delay;
    }
    if (present(parentDelayIdText)) {
        std::optional<std::string> parent = stringValue(parentDelayIdText);
        if (!parent || parent->empty()) {
            replyError(req, "Invalid request - parent_delay_id must be a string");
            return;
        }
        send.parentDelayId = std::move(*parent);
    }
    if (present(stickyText)) {
        auto sticky = intInRange(stickyText, 1, kMaxStickyDurationMs);
        if (!sticky) {
            replyError(req, "Invalid request - sticky_duration_ms must be between 1 and 3600000");
            return;
        }
        send.stickyDurationMs = *sticky;
    }
    const bool hasContent = present(content);
    if (hasContent && content.front() != '{') {
        replyError(req, "Invalid request - content must be an object");
        return;
    }

    if (present(stateKeyText)) {
        std::optional<std::string> stateKey = stringValue(stateKeyText);
        if (!stateKey) {
            replyError(req, "Invalid request - state_key must be a string");
            return;
        }
        if (!m_approved.canSendStateEvent(*type, *stateKey) || isKnownMessageEventType(*type)) {
            replyError(req, "Cannot send state events of this type");
            return;
        }
        if (send.stickyDurationMs) {
            replyError(req, "Cannot send a state event with a sticky duration");
            return;
        }
        send.stateKey = std::move(*stateKey);
    } else {
        const auto [msgtypeText, redactsText] = readMembers<2>(content, {"msgtype", "redacts"});
        const std::optional<std::string> msgtype = stringValue(msgtypeText);
        if (!m_approved.canSendRoomEvent(*type, msgtype ? &*msgtype : nullptr) || isKnownStateEventType(*type)
            || *type == "m.room.encrypted") {
            replyError(req, "Cannot send room events of this type");
            return;
        }
        if (*type == "m.room.redaction") {
            const std::optional<std::string> redacts = stringValue(redactsText);
            if (!redacts || redacts->empty()) {
                replyError(req, "Invalid request - a redaction needs content.redacts");
                return;
            }
        }
    }
    send.type = std::move(*type);
    if (hasContent)
        send.content = buildJson(content); // checkDataText refused what would be discarded

    static std::uint64_t nextSendKey = 0; // unique among every session's sends (one thread)
    send.sendKey = "widget-send-" + std::to_string(++nextSendKey);
    req->sendKey = send.sendKey;
    std::weak_ptr<int> life = m_lifetime;
    m_driver.sendEvent(m_config.widget, send, [this, life, req](Result<SendEventResult> r) {
        if (life.expired())
            return;
        std::string out;
        if (r) {
            // The members in the order nlohmann's dump of the same object would write them.
            const std::string &id = r->delayId.empty() ? r->eventId : r->delayId;
            out.reserve(id.size() + r->roomId.size() + 32);
            out += r->delayId.empty() ? "{\"event_id\":" : "{\"delay_id\":";
            text::appendJsonString(out, id);
            out += ",\"room_id\":";
            text::appendJsonString(out, r->roomId);
            out += '}';
        }
        if (req->done) {
            // The widget was told the event may still appear: the audit log records what did.
            if (req->outcomeUnknown) {
                req->outcomeUnknown = false;
                std::string reason = "sent after the widget was told it may still appear";
                if (!r) {
                    const bool refused = r.error().matrixApiError && r.error().matrixApiError->httpStatus < 500;
                    reason = (refused ? "not sent after all, the homeserver refused it: "
                                      : "still unknown, the last attempt got no answer either: ") + r.error().message;
                }
                audit(audit::Direction::Internal, r ? audit::Decision::Allowed : audit::Decision::Failed, req->action,
                      req->requestId, out, reason, m_scheduler.nowMs() - req->startMs);
            }
            return;
        }
        if (!r) {
            replyDriverError(req, "Error sending event", r.error());
            return;
        }
        replyRaw(req, out, audit::Decision::Allowed, {});
    });
}

void WidgetSession::onUpdateDelayedEvent(const InboundPtr &req)
{
    const json &data = req->data;
    const std::string *delayId = optString(data, "delay_id");
    if (!delayId || delayId->empty()) {
        replyError(req, "Invalid request - missing delay_id");
        return;
    }
    if (!m_approved.hasSimple(cap::kMsc4157UpdateDelayedEvent)) {
        replyError(req, kMissingCapability);
        return;
    }
    const std::string *action = optString(data, "action");
    DelayedEventAction a = DelayedEventAction::Invalid;
    if (action && *action == "cancel")
        a = DelayedEventAction::Cancel;
    else if (action && *action == "restart")
        a = DelayedEventAction::Restart;
    else if (action && *action == "send")
        a = DelayedEventAction::Send;
    if (a == DelayedEventAction::Invalid) {
        replyError(req, "Invalid request - unsupported action");
        return;
    }
    m_driver.updateDelayedEvent(m_config.widget, *delayId, a, guarded<bool>(req, [this, req](Result<bool> r) {
        if (!r)
            replyDriverError(req, "Error updating delayed event", r.error());
        else
            replyEmpty(req);
    }));
}

void WidgetSession::onSendToDevice(const InboundPtr &req)
{
    const json &data = req->data;
    const std::string *type = optString(data, "type");
    if (!type || type->empty()) {
        replyError(req, "Invalid request - missing event type");
        return;
    }
    auto messages = data.find("messages");
    if (messages == data.end() || !messages->is_object()) {
        replyError(req, "Invalid request - missing event contents");
        return;
    }
    auto encrypted = data.find("encrypted");
    if (encrypted == data.end() || !encrypted->is_boolean()) {
        replyError(req, "Invalid request - missing encryption flag");
        return;
    }
    if (!m_approved.canSendToDevice(*type)) {
        replyError(req, "Cannot send to-device events of this type");
        return;
    }
    for (const auto &[user, devices] : messages->items()) {
        if (user.empty() || user[0] != '@' || !devices.is_object()) {
            replyError(req, "Invalid request - messages must map user IDs to device IDs to content objects");
            return;
        }
        for (const auto &[device, content] : devices.items()) {
            if (device.empty() || !content.is_object()) {
                replyError(req, "Invalid request - messages must map user IDs to device IDs to content objects");
                return;
            }
        }
    }
    // The flag goes to the driver as the widget set it: a backend with end-to-end encryption
    // encrypts per device, and the host's EncryptionGate refuses what cannot be encrypted. It is
    // never sent in the clear here.
    m_driver.sendToDevice(m_config.widget, *type, encrypted->get<bool>(), *messages, guarded<bool>(req, [this, req](Result<bool> r) {
        if (!r)
            replyDriverError(req, "Error sending event", r.error());
        else
            replyEmpty(req);
    }));
}

void WidgetSession::onReadEvents(const InboundPtr &req)
{
    const auto [typeText, limitText, msgtypeText, sinceText, roomIdsText, stateKeyText] =
        readMembers<6>(dataText(req), {"type", "limit", "msgtype", "since", "room_ids", "state_key"});
    const std::optional<std::string> type = stringValue(typeText);
    if (!type || type->empty()) {
        replyError(req, "Invalid request - missing event type");
        return;
    }
    int limit = m_config.limits.maxReadEventsLimit;
    if (present(limitText)) {
        auto l = intInRange(limitText, 1, std::numeric_limits<std::int32_t>::max());
        if (!l) {
            replyError(req, "Invalid request - limit out of range");
            return;
        }
        limit = int(std::min<std::int64_t>(*l, m_config.limits.maxReadEventsLimit));
    }
    std::optional<std::string> msgtype;
    if (present(msgtypeText)) {
        msgtype = stringValue(msgtypeText);
        if (!msgtype) {
            replyError(req, "Invalid request - msgtype must be a string");
            return;
        }
    }
    std::optional<std::string> since;
    if (present(sinceText)) {
        since = stringValue(sinceText);
        if (!since) {
            replyError(req, "Invalid request - since must be an event ID");
            return;
        }
    }

    std::vector<std::string> rooms;
    const json roomIds = present(roomIdsText) ? buildJson(roomIdsText) : json();
    if (roomIds.is_null()) {
        if (!m_config.widget.roomId.empty())
            rooms.push_back(m_config.widget.roomId);
    } else if (roomIds.is_string() && roomIds == "*") {
        for (auto &room : m_driver.knownRooms(m_config.widget)) {
            if (m_approved.canUseRoomTimeline(room))
                rooms.push_back(std::move(room));
        }
    } else if (roomIds.is_array()) {
        for (const auto &room : roomIds) {
            if (!room.is_string()) {
                replyError(req, "Invalid request - room_ids must be a list of room IDs or \"*\"");
                return;
            }
            if (!m_approved.canUseRoomTimeline(room.get<std::string>())) {
                replyError(req, "Unable to access room timeline: " + room.get<std::string>());
                return;
            }
            if (std::find(rooms.begin(), rooms.end(), room.get<std::string>()) == rooms.end())
                rooms.push_back(room.get<std::string>());
        }
    } else {
        replyError(req, "Invalid request - room_ids must be a list of room IDs or \"*\"");
        return;
    }

    ReadEventsRequest read;
    read.type = *type;
    read.msgtype = msgtype;
    read.limit = limit;
    read.since = since;
    bool isState = false;
    if (present(stateKeyText)) {
        const json sk = buildJson(stateKeyText);
        if (sk.is_boolean() && sk.get<bool>()) {
            read.stateKeySelector = StateKeySelector::Any;
        } else if (sk.is_string()) {
            read.stateKeySelector = StateKeySelector::Exact;
            read.stateKey = sk.get<std::string>();
        } else {
            replyError(req, "Invalid request - state_key must be a string or true");
            return;
        }
        isState = true;
        const std::string *keyPtr = read.stateKeySelector == StateKeySelector::Exact ? &read.stateKey : nullptr;
        if (!m_approved.canReceiveStateEvent(*type, keyPtr)) {
            replyError(req, "Cannot read state events of this type");
            return;
        }
    } else {
        const std::string *mt = msgtype ? &*msgtype : nullptr;
        if (!m_approved.canReceiveRoomEvent(*type, mt)) {
            replyError(req, "Cannot read room events of this type");
            return;
        }
    }
    if (rooms.empty()) {
        reply(req, json{{"events", json::array()}});
        return;
    }

    struct Gather {
        int remaining = 0;
        std::vector<SerializedEvent> events;
        std::optional<Error> error;
    };
    auto gather = std::make_shared<Gather>();
    gather->remaining = int(rooms.size());
    const bool fromTimeline = !isState || widgetSupportsUpdateState();
    const std::string requestedType = *type;
    auto onRoomDone = guarded<std::vector<SerializedEvent>>(req, [this, req, gather, isState, requestedType, msgtype](
                                                                     Result<std::vector<SerializedEvent>> r) {
        if (!r) {
            if (!gather->error)
                gather->error = r.error();
        } else if (gather->events.empty()) {
            gather->events = std::move(*r);
        } else {
            gather->events.insert(gather->events.end(), r->begin(), r->end());
        }
        if (--gather->remaining > 0)
            return;
        if (gather->error) {
            replyDriverError(req, "Unexpected error while reading events", *gather->error);
            return;
        }
        // The driver is not trusted: every event is checked against the capabilities again.
        // The reply is what nlohmann would write for {"events":[…]}, the events' text unchanged.
        std::size_t size = 16;
        for (const auto &ev : gather->events)
            size += ev.text().size() + 1;
        std::string out;
        out.reserve(size);
        out += "{\"events\":[";
        bool first = true;
        for (const auto &ev : gather->events) {
            const std::string *evType = ev.type();
            const std::string *room = ev.roomId();
            if (!evType || *evType != requestedType || !room)
                continue;
            if (*room != m_config.widget.roomId && !m_approved.canUseRoomTimeline(*room))
                continue;
            const std::string *stateKey = ev.stateKey();
            if (isState) {
                if (!stateKey || !m_approved.canReceiveStateEvent(*evType, stateKey))
                    continue;
            } else {
                if (stateKey || !m_approved.canReceiveRoomEvent(*evType, ev.msgtype()))
                    continue;
                if (msgtype && (!ev.msgtype() || *ev.msgtype() != *msgtype))
                    continue;
            }
            if (!first)
                out += ',';
            out += ev.text();
            first = false;
        }
        out += "]}";
        replyRaw(req, out, audit::Decision::Allowed, {});
    });
    for (const auto &room : rooms) {
        if (fromTimeline) {
            ReadEventsRequest perRoom = read;
            perRoom.roomId = room;
            m_driver.readEvents(m_config.widget, perRoom, onRoomDone);
        } else {
            std::optional<std::string> key;
            if (read.stateKeySelector == StateKeySelector::Exact)
                key = read.stateKey;
            m_driver.readState(m_config.widget, room, read.type, key, [onRoomDone](Result<std::vector<json>> r) {
                if (!r)
                    return onRoomDone(std::move(r).error());
                std::vector<SerializedEvent> events;
                events.reserve(r->size());
                for (const auto &ev : *r)
                    events.push_back(SerializedEvent::fromJson(ev));
                onRoomDone(std::move(events));
            });
        }
    }
}

void WidgetSession::onReadRelations(const InboundPtr &req)
{
    const json &data = req->data;
    const std::string *eventId = optString(data, "event_id");
    if (!eventId || eventId->empty()) {
        replyError(req, "Invalid request - missing event ID");
        return;
    }
    RelationsRequest rel;
    rel.eventId = *eventId;
    if (present(data, "limit")) {
        auto l = intInRange(data["limit"], 0, std::numeric_limits<std::int32_t>::max());
        if (!l) {
            replyError(req, "Invalid request - limit out of range");
            return;
        }
        rel.limit = int(std::min<std::int64_t>(*l, m_config.limits.maxReadEventsLimit));
    }
    if (present(data, "room_id")) {
        const std::string *room = optString(data, "room_id");
        if (!room) {
            replyError(req, "Invalid request - room_id must be a string");
            return;
        }
        if (!m_approved.canUseRoomTimeline(*room)) {
            replyError(req, "Unable to access room timeline: " + *room);
            return;
        }
        rel.roomId = *room;
    }
    if (rel.roomId.empty())
        rel.roomId = m_config.widget.roomId;
    for (auto [key, field] : {std::pair{"rel_type", &rel.relType}, std::pair{"event_type", &rel.eventType},
                              std::pair{"from", &rel.from}, std::pair{"to", &rel.to}}) {
        if (!present(data, key))
            continue;
        const std::string *v = optString(data, key);
        if (!v) {
            replyError(req, std::string("Invalid request - ") + key + " must be a string");
            return;
        }
        *field = *v;
    }
    if (present(data, "direction")) {
        const std::string *d = optString(data, "direction");
        if (!d || (*d != "f" && *d != "b")) {
            replyError(req, "Invalid request - direction must be \"f\" or \"b\"");
            return;
        }
        rel.direction = *d;
    }
    m_driver.readRelations(m_config.widget, rel, guarded<RelationsResult>(req, [this, req](Result<RelationsResult> r) {
        if (!r) {
            replyDriverError(req, "Unexpected error while reading relations", r.error());
            return;
        }
        json chunk = json::array();
        for (auto &ev : r->chunk) {
            if (!ev.is_object())
                continue;
            const std::string *type = optString(ev, "type");
            if (!type)
                continue;
            const std::string *stateKey = optString(ev, "state_key");
            const bool allowed = stateKey ? m_approved.canReceiveStateEvent(*type, stateKey)
                                          : m_approved.canReceiveRoomEvent(*type, msgtypeOf(ev));
            if (allowed)
                chunk.push_back(std::move(ev));
        }
        json out{{"chunk", std::move(chunk)}};
        if (r->prevBatch)
            out["prev_batch"] = *r->prevBatch;
        if (r->nextBatch)
            out["next_batch"] = *r->nextBatch;
        reply(req, out);
    }));
}

void WidgetSession::onUserDirectorySearch(const InboundPtr &req)
{
    const json &data = req->data;
    if (!m_approved.hasSimple(cap::kMsc3973UserDirectorySearch)) {
        replyError(req, kMissingCapability);
        return;
    }
    const std::string *term = optString(data, "search_term");
    if (!term) {
        replyError(req, "Invalid request - missing search term");
        return;
    }
    std::optional<int> limit;
    if (present(data, "limit")) {
        auto l = intInRange(data["limit"], 0, std::numeric_limits<std::int32_t>::max());
        if (!l) {
            replyError(req, "Invalid request - limit out of range");
            return;
        }
        limit = int(std::min<std::int64_t>(*l, m_config.limits.maxReadEventsLimit));
    }
    m_driver.searchUserDirectory(m_config.widget, *term, limit,
                                 guarded<UserDirectoryResult>(req, [this, req](Result<UserDirectoryResult> r) {
                                     if (!r) {
                                         replyDriverError(req, "Unexpected error while searching in the user directory", r.error());
                                         return;
                                     }
                                     json results = json::array();
                                     for (const auto &e : r->results) {
                                         json entry{{"user_id", e.userId}};
                                         if (e.displayName)
                                             entry["display_name"] = *e.displayName;
                                         if (e.avatarUrl)
                                             entry["avatar_url"] = *e.avatarUrl;
                                         results.push_back(std::move(entry));
                                     }
                                     reply(req, json{{"limited", r->limited}, {"results", std::move(results)}});
                                 }));
}

void WidgetSession::onGetMediaConfig(const InboundPtr &req)
{
    if (!m_approved.hasSimple(cap::kMsc4039UploadFile)) {
        replyError(req, kMissingCapability);
        return;
    }
    m_driver.getMediaConfig(m_config.widget, guarded<json>(req, [this, req](Result<json> r) {
        if (!r || !r->is_object()) {
            replyDriverError(req, "Unexpected error while getting the media configuration",
                             r ? Error(ErrorCode::BadRequest, "driver returned a non-object") : r.error());
            return;
        }
        json config = *r;
        // A file must fit in one message after base64 encoding, whatever the server allows.
        const auto cap = static_cast<std::int64_t>(m_config.limits.maxUploadBytes);
        auto it = config.find("m.upload.size");
        if (it == config.end() || !it->is_number_integer() || it->get<std::int64_t>() > cap)
            config["m.upload.size"] = cap;
        reply(req, config);
    }));
}

void WidgetSession::onUploadFile(const InboundPtr &req)
{
    const json &data = req->data;
    if (!m_approved.hasSimple(cap::kMsc4039UploadFile)) {
        replyError(req, kMissingCapability);
        return;
    }
    MediaUpload upload;
    auto file = data.find("file");
    if (file != data.end() && file->is_string()) {
        upload.bytes = file->get<std::string>();
        upload.contentType = "text/plain; charset=utf-8";
    } else if (file != data.end() && file->is_object() && file->contains(kBlobKey) && (*file)[kBlobKey].is_object()) {
        const json &blob = (*file)[kBlobKey];
        const std::string *b64 = optString(blob, "base64");
        auto bytes = b64 ? text::base64Decode(*b64) : std::nullopt;
        if (!bytes) {
            replyError(req, "Invalid request - file is not valid base64");
            return;
        }
        upload.bytes = std::move(*bytes);
        if (const std::string *t = optString(blob, "type"); t && !t->empty())
            upload.contentType = *t;
        if (const std::string *n = optString(blob, "name"); n && !n->empty())
            upload.fileName = *n;
    } else {
        replyError(req, "Invalid request - missing file");
        return;
    }
    if (upload.bytes.size() > m_config.limits.maxUploadBytes) {
        replyError(req, "File too large: " + std::to_string(upload.bytes.size()) + " bytes; the limit is "
                            + std::to_string(m_config.limits.maxUploadBytes));
        return;
    }
    m_driver.uploadFile(m_config.widget, upload, guarded<std::string>(req, [this, req](Result<std::string> r) {
        if (!r)
            replyDriverError(req, "Unexpected error while uploading a file", r.error());
        else
            reply(req, json{{"content_uri", *r}});
    }));
}

void WidgetSession::onDownloadFile(const InboundPtr &req)
{
    const json &data = req->data;
    if (!m_approved.hasSimple(cap::kMsc4039DownloadFile)) {
        replyError(req, kMissingCapability);
        return;
    }
    const std::string *uri = optString(data, "content_uri");
    if (!uri || !text::startsWith(*uri, "mxc://") || uri->find('/', 6) == std::string::npos
        || uri->size() <= uri->find('/', 6) + 1) {
        replyError(req, "Invalid request - content_uri must be an mxc:// URI");
        return;
    }
    m_driver.downloadFile(m_config.widget, *uri, guarded<MediaDownload>(req, [this, req](Result<MediaDownload> r) {
        if (!r)
            replyDriverError(req, "Unexpected error while downloading a file", r.error());
        else
            reply(req, json{{"file", blobJson(*r)}});
    }));
}

void WidgetSession::onWatchTurnServers(const InboundPtr &req)
{
    if (!m_approved.hasSimple(cap::kMsc3846TurnServers)) {
        replyError(req, kMissingCapability);
        return;
    }
    if (m_turnWatching) {
        replyEmpty(req);
        return;
    }
    m_turnWatching = true;
    auto first = std::make_shared<bool>(true);
    std::weak_ptr<int> life = m_lifetime;
    const std::uint64_t generation = m_generation;
    auto subscription = m_driver.watchTurnServers(m_config.widget, [this, life, req, first, generation](Result<TurnServer> r) {
        if (life.expired() || generation != m_generation)
            return;
        if (*first) {
            *first = false;
            if (!r) {
                m_turnWatching = false;
                // The subscription may be the caller of this function: release it later.
                m_scheduler.post([this, life] {
                    if (!life.expired() && !m_turnWatching)
                        m_turnSubscription.reset();
                });
                replyDriverError(req, "TURN servers not available", r.error());
                return;
            }
            replyEmpty(req);
        }
        if (!m_turnWatching || !r)
            return;
        sendRequest("update_turn_servers", json{{"uris", r->uris}, {"username", r->username}, {"password", r->password}},
                    [](Result<json>) {}, true);
    });
    if (m_turnWatching)
        m_turnSubscription = std::move(subscription);
}

void WidgetSession::onUnwatchTurnServers(const InboundPtr &req)
{
    if (!m_approved.hasSimple(cap::kMsc3846TurnServers)) {
        replyError(req, kMissingCapability);
        return;
    }
    stopTurnWatch();
    replyEmpty(req);
}

void WidgetSession::onNavigate(const InboundPtr &req)
{
    if (!m_approved.hasSimple(cap::kMsc2931Navigate)) {
        replyError(req, kMissingCapability);
        return;
    }
    const std::string *uri = optString(req->data, "uri");
    if (!uri || !text::startsWith(*uri, "https://matrix.to/#")) {
        replyError(req, "Invalid matrix.to URI");
        return;
    }
    m_driver.navigate(m_config.widget, *uri, guarded<bool>(req, [this, req](Result<bool> r) {
        if (!r)
            replyDriverError(req, "Error handling navigation", r.error());
        else
            replyEmpty(req);
    }));
}

void WidgetSession::onSetAlwaysOnScreen(const InboundPtr &req)
{
    if (!m_approved.hasSimple(cap::kAlwaysOnScreen)) {
        replyError(req, kMissingCapability);
        return;
    }
    auto value = req->data.find("value");
    if (value == req->data.end() || !value->is_boolean()) {
        replyError(req, "Invalid request - value must be a boolean");
        return;
    }
    m_driver.setAlwaysOnScreen(m_config.widget, value->get<bool>(), guarded<bool>(req, [this, req](Result<bool> r) {
        if (!r)
            replyDriverError(req, "Unable to change always-on-screen", r.error());
        else
            reply(req, json{{"success", *r}}); // matrix-widget-api expects {success}; Element sends {}
    }));
}

void WidgetSession::onSticker(const InboundPtr &req)
{
    if (!m_approved.hasSimple(cap::kSticker)) {
        replyError(req, kMissingCapability);
        return;
    }
    const json &data = req->data;
    auto content = data.find("content");
    const std::string *url = content != data.end() && content->is_object() ? optString(*content, "url") : nullptr;
    if (!url || !text::startsWith(*url, "mxc://")) {
        replyError(req, "Invalid request - a sticker needs content.url (mxc://)");
        return;
    }
    if (m_config.widget.roomId.empty()) {
        replyError(req, "Invalid request - this widget has no room to send stickers to");
        return;
    }
    SendEventRequest send;
    send.roomId = m_config.widget.roomId;
    send.type = "m.sticker";
    std::string body = "Sticker";
    if (const std::string *d = optString(data, "description"); d && !d->empty())
        body = *d;
    else if (const std::string *n = optString(data, "name"); n && !n->empty())
        body = *n;
    send.content = json{{"body", body}, {"url", *url}};
    if (auto info = content->find("info"); info != content->end() && info->is_object())
        send.content["info"] = *info;
    m_driver.sendEvent(m_config.widget, send, guarded<SendEventResult>(req, [this, req](Result<SendEventResult> r) {
        if (!r)
            replyDriverError(req, "Error sending sticker", r.error());
        else
            replyEmpty(req);
    }));
}

void WidgetSession::onOpenModal(const InboundPtr &req)
{
    const json &data = req->data;
    const std::string *url = optString(data, "url");
    if (!url || url->empty()) {
        replyError(req, "Invalid request - missing url");
        return;
    }
    // The host templates the URL and checks it again; a scheme that is refused here would be
    // refused after templating too.
    auto checked = widgets::checkWidgetUrl(*url, m_config.urlPolicy);
    if (!checked) {
        replyError(req, "Invalid request - " + checked.error().message);
        return;
    }
    OpenModalRequest modal;
    // The scheme as the policy read it ("htTps:" is https:), so the host sees one spelling.
    modal.url = checked->scheme + url->substr(url->find(':'));
    modal.type = "m.custom";
    if (present(data, "type")) {
        const std::string *t = optString(data, "type");
        if (!t || t->empty()) {
            replyError(req, "Invalid request - type must be a string");
            return;
        }
        modal.type = *t;
    }
    if (present(data, "name")) {
        const std::string *n = optString(data, "name");
        if (!n) {
            replyError(req, "Invalid request - name must be a string");
            return;
        }
        modal.name = *n;
    }
    if (present(data, "buttons")) {
        const json &buttons = data["buttons"];
        if (!buttons.is_array() || buttons.size() > 3) {
            replyError(req, "Invalid request - buttons must be a list of at most 3 buttons");
            return;
        }
        for (const auto &b : buttons) {
            const std::string *id = b.is_object() ? optString(b, "id") : nullptr;
            const std::string *label = b.is_object() ? optString(b, "label") : nullptr;
            if (!id || id->empty() || !label) {
                replyError(req, "Invalid request - each button needs an id and a label");
                return;
            }
            ModalButton button;
            button.id = *id;
            button.label = *label;
            if (const std::string *k = optString(b, "kind"))
                button.kind = *k;
            if (auto d = b.find("disabled"); d != b.end() && d->is_boolean())
                button.disabled = d->get<bool>();
            modal.buttons.push_back(std::move(button));
        }
    }
    if (present(data, "data")) {
        if (!data["data"].is_object()) {
            replyError(req, "Invalid request - data must be an object");
            return;
        }
        modal.data = data["data"];
    }
    if (present(data, "waitForIframeLoad")) {
        if (!data["waitForIframeLoad"].is_boolean()) {
            replyError(req, "Invalid request - waitForIframeLoad must be a boolean");
            return;
        }
        modal.waitForIframeLoad = data["waitForIframeLoad"].get<bool>();
    }
    m_driver.openModal(m_config.widget, modal, guarded<bool>(req, [this, req](Result<bool> r) {
        if (!r)
            replyDriverError(req, "Unable to open modal at this time", r.error());
        else
            replyEmpty(req);
    }));
}

void WidgetSession::onCloseModal(const InboundPtr &req)
{
    if (m_config.kind != WidgetKind::Modal) {
        replyError(req, "Only a modal widget can close itself");
        return;
    }
    m_driver.closeModal(m_config.widget, req->data, guarded<bool>(req, [this, req](Result<bool> r) {
        if (!r)
            replyDriverError(req, "Unable to close the modal", r.error());
        else
            replyEmpty(req);
    }));
}

void WidgetSession::onSetButtonEnabled(const InboundPtr &req)
{
    if (m_config.kind != WidgetKind::Modal) {
        replyError(req, "Only a modal widget has buttons");
        return;
    }
    const std::string *button = optString(req->data, "button");
    auto enabled = req->data.find("enabled");
    if (!button || button->empty() || *button == "m.close") {
        replyError(req, "Invalid button");
        return;
    }
    if (enabled == req->data.end() || !enabled->is_boolean()) {
        replyError(req, "Invalid request - enabled must be a boolean");
        return;
    }
    m_driver.setModalButtonEnabled(m_config.widget, *button, enabled->get<bool>(),
                                   guarded<bool>(req, [this, req](Result<bool> r) {
                                       if (!r)
                                           replyDriverError(req, "Invalid button", r.error());
                                       else
                                           replyEmpty(req);
                                   }));
}

void WidgetSession::onReadRoomAccountData(const InboundPtr &req)
{
    const std::string *type = optString(req->data, "type");
    if (!type || type->empty()) {
        replyError(req, "Invalid request - missing event type");
        return;
    }
    // Checked before the driver is asked (the reference asks first).
    if (!m_approved.canReadRoomAccountData(*type)) {
        replyError(req, "Cannot read room account data of this type");
        return;
    }
    if (m_config.widget.roomId.empty()) {
        reply(req, json{{"events", json::array()}});
        return;
    }
    const std::string requestedType = *type;
    m_driver.readRoomAccountData(m_config.widget, m_config.widget.roomId, requestedType,
                                 guarded<std::vector<json>>(req, [this, req, requestedType](Result<std::vector<json>> r) {
                                     if (!r) {
                                         replyDriverError(req, "Unexpected error while reading room account data", r.error());
                                         return;
                                     }
                                     json events = json::array();
                                     for (auto &ev : *r) {
                                         const std::string *type = ev.is_object() ? optString(ev, "type") : nullptr;
                                         if (type && *type == requestedType)
                                             events.push_back(std::move(ev));
                                     }
                                     reply(req, json{{"events", std::move(events)}});
                                 }));
}

void WidgetSession::onCustomAction(const InboundPtr &req, const ActionRegistry::Entry &entry)
{
    if (!m_approved.contains(entry.capability)) {
        replyError(req, kMissingCapability);
        return;
    }
    entry.handler->handle(m_config.widget, req->action, req->data, guarded<json>(req, [this, req](Result<json> r) {
        if (!r) {
            replyError(req, r.error().message, audit::Decision::Failed);
            return;
        }
        if (!r->is_object()) {
            replyError(req, "The capability handler returned an invalid response", audit::Decision::Failed);
            return;
        }
        reply(req, *r);
    }));
}

// ---- Element's call actions (a call widget only; see SessionConfig::callActions) ----
//
// Element's host answers each with `{}` and changes its call state: join connects, hangup
// disconnects and leaves the widget open, close disconnects and closes the widget (the shell
// does that once the reply is out).

bool isCallWidgetType(std::string_view type) noexcept
{
    return type == "m.call" || type == "io.element.call" || type == "org.matrix.msc3401.call";
}

void WidgetSession::notifyCall(CallAction action)
{
    if (m_observer)
        m_observer->onCallAction(action);
}

void WidgetSession::onCallJoin(const InboundPtr &req)
{
    replyEmpty(req);
    m_inCall = true;
    notifyCall(CallAction::Join);
}

void WidgetSession::onCallHangup(const InboundPtr &req)
{
    replyEmpty(req);
    m_inCall = false;
    notifyCall(CallAction::Hangup);
}

void WidgetSession::onCallClose(const InboundPtr &req)
{
    // As Element: a widget that closes without hanging up (an error screen) has left the call.
    replyEmpty(req);
    m_inCall = false;
    notifyCall(CallAction::Close);
}

namespace {
// `audio_enabled` / `video_enabled`: absent, or a boolean.
Result<DeviceMuteState> readDeviceMute(const json &data)
{
    DeviceMuteState out;
    for (const auto &[key, field] : {std::pair{"audio_enabled", &DeviceMuteState::audioEnabled},
                                     std::pair{"video_enabled", &DeviceMuteState::videoEnabled}}) {
        auto it = data.find(key);
        if (it == data.end())
            continue;
        if (!it->is_boolean())
            return Error(ErrorCode::BadRequest, std::string("Invalid request - ") + key + " must be a boolean");
        out.*field = it->get<bool>();
    }
    return out;
}
} // namespace

void WidgetSession::onCallDeviceMute(const InboundPtr &req)
{
    auto state = readDeviceMute(req->data);
    if (!state) {
        replyError(req, state.error().message);
        return;
    }
    replyEmpty(req);
    if (state->audioEnabled)
        m_deviceMute.audioEnabled = state->audioEnabled;
    if (state->videoEnabled)
        m_deviceMute.videoEnabled = state->videoEnabled;
    notifyCall(CallAction::DeviceMute);
}

bool WidgetSession::requestHangup()
{
    if (!m_config.callActions || m_state != State::Ready)
        return false;
    // The widget's own hangup request, which follows, is what changes the call state.
    return sendRequest("im.vector.hangup", json::object(), [](Result<json>) {}, true);
}

bool WidgetSession::requestDeviceMute(const DeviceMuteState &change, std::function<void(Result<DeviceMuteState>)> done)
{
    if (!m_config.callActions || m_state != State::Ready)
        return false;
    json data = json::object();
    if (change.audioEnabled)
        data["audio_enabled"] = *change.audioEnabled;
    if (change.videoEnabled)
        data["video_enabled"] = *change.videoEnabled;
    std::weak_ptr<int> life = m_lifetime;
    return sendRequest("io.element.device_mute", data, [this, life, done = std::move(done)](Result<json> r) {
        if (!r) {
            done(r.error());
            return;
        }
        auto state = readDeviceMute(*r);
        if (state && !life.expired()) {
            if (state->audioEnabled)
                m_deviceMute.audioEnabled = state->audioEnabled;
            if (state->videoEnabled)
                m_deviceMute.videoEnabled = state->videoEnabled;
        }
        done(std::move(state));
    }, false);
}

} // namespace tessera::bridge
