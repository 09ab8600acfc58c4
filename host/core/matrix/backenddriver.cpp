// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "matrix/backenddriver.h"

#include <algorithm>

#include "matrix/events.h"

namespace tessera::matrix {

namespace {

/**
 * One widget's TURN watch: fetches, reports, and fetches again before the credentials expire.
 * The state is shared with in-flight callbacks, which do nothing once the watch is gone.
 */
class TurnWatch final : public bridge::Subscription {
public:
    struct State {
        State(Scheduler &s, RoomBackend &b, BackendDriverOptions o, std::function<void(Result<bridge::TurnServer>)> u)
            : scheduler(s), backend(b), options(o), update(std::move(u))
        {
        }
        Scheduler &scheduler;
        RoomBackend &backend;
        BackendDriverOptions options;
        std::function<void(Result<bridge::TurnServer>)> update;
        bool active = true;
        bool reportedOnce = false;
        std::optional<Scheduler::TimerId> timer;
    };

    explicit TurnWatch(std::shared_ptr<State> state) : m_state(std::move(state)) { fetch(m_state); }
    ~TurnWatch() override
    {
        m_state->active = false;
        if (m_state->timer)
            m_state->scheduler.cancel(*m_state->timer);
    }

private:
    static void fetch(const std::shared_ptr<State> &state)
    {
        state->backend.turnServers([state](Result<TurnServers> r) {
            if (!state->active)
                return;
            std::int64_t nextMs = state->options.turnRetryMs;
            if (r) {
                bridge::TurnServer out;
                out.uris = r->uris;
                out.username = r->username;
                out.password = r->password;
                state->reportedOnce = true;
                state->update(std::move(out));
                // Fetch before the ttl runs out, never in a tight loop.
                nextMs = std::max(state->options.turnMinRefreshMs,
                                  r->ttlSeconds * 1000 - state->options.turnRefreshMarginMs);
            } else if (!state->reportedOnce) {
                state->active = false;
                state->update(std::move(r).error()); // the widget hears "TURN servers not available"
                return;
            }
            if (!state->active)
                return;
            state->timer = state->scheduler.schedule(nextMs, [state] {
                state->timer.reset();
                if (state->active)
                    fetch(state);
            });
        });
    }

    std::shared_ptr<State> m_state;
};

} // namespace

BackendWidgetDriver::BackendWidgetDriver(Scheduler &scheduler, RoomBackend &backend, BackendDriverOptions options)
    : m_scheduler(scheduler), m_backend(backend), m_options(options)
{
}

BackendWidgetDriver::~BackendWidgetDriver() = default;

template<typename T>
void BackendWidgetDriver::fail(bridge::Callback<T> done, Error error)
{
    m_scheduler.post([done = std::move(done), error = std::move(error)]() mutable { done(std::move(error)); });
}

void BackendWidgetDriver::sendEvent(const bridge::WidgetContext &widget, const bridge::SendEventRequest &request,
                                    bridge::Callback<bridge::SendEventResult> done)
{
    if (request.stickyDurationMs) {
        return fail(std::move(done), Error(ErrorCode::Unsupported,
                                           "sticky events (MSC4407) are not supported by this room backend"));
    }
    const std::string roomId = request.roomId;
    if (request.type == "m.room.redaction" && !request.stateKey) {
        // MSC2762 "Special case: Redactions": a redaction names its target in content.redacts
        const std::string target = jsonString(request.content, "redacts");
        if (target.empty())
            return fail(std::move(done), Error(ErrorCode::BadRequest, "a redaction needs content.redacts (an event id)"));
        if (request.delayMs || request.parentDelayId)
            return fail(std::move(done), Error(ErrorCode::Unsupported, "delayed redactions are not supported"));
        std::optional<std::string> reason;
        if (request.content.contains("reason") && request.content["reason"].is_string())
            reason = request.content["reason"].get<std::string>();
        m_backend.redact(roomId, target, reason, [roomId, done = std::move(done)](Result<std::string> r) {
            if (!r)
                return done(std::move(r).error());
            bridge::SendEventResult out;
            out.roomId = roomId;
            out.eventId = *r;
            done(std::move(out));
        });
        return;
    }
    if ((request.delayMs || request.parentDelayId) && !m_backend.supportsDelayedEvents()) {
        return fail(std::move(done), Error(ErrorCode::Unsupported,
                                           "delayed events (MSC4140) are not supported by this room backend"));
    }
    SendRequest send;
    send.roomId = roomId;
    send.type = request.type;
    send.content = request.content;
    send.stateKey = request.stateKey;
    send.delayMs = request.delayMs;
    send.parentDelayId = request.parentDelayId;
    send.widgetId = widget.widgetId;
    send.sendKey = request.sendKey;
    m_backend.send(send, [roomId, done = std::move(done)](Result<SendResult> r) {
        if (!r)
            return done(std::move(r).error());
        bridge::SendEventResult out;
        out.roomId = roomId;
        out.eventId = r->eventId;
        out.delayId = r->delayId;
        done(std::move(out));
    });
}

bridge::SendWithdrawal BackendWidgetDriver::withdrawSend(const bridge::WidgetContext &, const std::string &sendKey)
{
    switch (m_backend.withdrawSend(sendKey)) {
    case Withdrawal::Withdrawn: return bridge::SendWithdrawal::Withdrawn;
    case Withdrawal::MayHaveArrived: return bridge::SendWithdrawal::MayHaveArrived;
    case Withdrawal::InFlight: return bridge::SendWithdrawal::InFlight;
    case Withdrawal::Unknown: break;
    }
    return bridge::SendWithdrawal::Unknown;
}

void BackendWidgetDriver::updateDelayedEvent(const bridge::WidgetContext &, const std::string &delayId,
                                             bridge::DelayedEventAction action, bridge::Callback<bool> done)
{
    DelayedEventAction mapped = DelayedEventAction::Invalid;
    switch (action) {
    case bridge::DelayedEventAction::Cancel: mapped = DelayedEventAction::Cancel; break;
    case bridge::DelayedEventAction::Restart: mapped = DelayedEventAction::Restart; break;
    case bridge::DelayedEventAction::Send: mapped = DelayedEventAction::Send; break;
    case bridge::DelayedEventAction::Invalid: break;
    }
    if (mapped == DelayedEventAction::Invalid)
        return fail(std::move(done), Error(ErrorCode::BadRequest, "unknown delayed event action"));
    m_backend.updateDelayedEvent(delayId, mapped, [done = std::move(done)](Result<void> r) {
        if (!r)
            return done(std::move(r).error());
        done(true);
    });
}

void BackendWidgetDriver::sendToDevice(const bridge::WidgetContext &widget, const std::string &type, bool encrypted,
                                       const nlohmann::json &messages, bridge::Callback<bool> done)
{
    auto sent = [done = std::move(done)](Result<void> r) {
        if (!r)
            return done(std::move(r).error());
        done(true);
    };
    if (encrypted)
        m_backend.sendEncryptedToDevice(type, messages, widget.widgetId, std::move(sent));
    else
        m_backend.sendToDevice(type, messages, std::move(sent));
}

void BackendWidgetDriver::readEvents(const bridge::WidgetContext &, const bridge::ReadEventsRequest &request,
                                     bridge::Callback<std::vector<bridge::SerializedEvent>> done)
{
    TimelineQuery q;
    q.roomId = request.roomId;
    q.direction = Direction::Backwards;
    q.limit = request.limit <= 0 ? kMaxPageSize : std::min(request.limit, kMaxPageSize); // 0 = as many as possible
    q.filter.types = {request.type};
    q.filter.msgtype = request.msgtype;
    switch (request.stateKeySelector) {
    case bridge::StateKeySelector::None: q.filter.state = EventFilter::StateMatch::NotState; break;
    case bridge::StateKeySelector::Any: q.filter.state = EventFilter::StateMatch::AnyStateKey; break;
    case bridge::StateKeySelector::Exact:
        q.filter.state = EventFilter::StateMatch::StateKey;
        q.filter.stateKey = request.stateKey;
        break;
    }
    q.sinceEventId = request.since;
    m_backend.readTimeline(q, [done = std::move(done)](Result<TimelinePage> r) {
        if (!r)
            return done(std::move(r).error());
        std::vector<bridge::SerializedEvent> events;
        events.reserve(r->events.size());
        for (const auto &ev : r->events)
            events.push_back(bridge::SerializedEvent::fromJson(ev));
        done(std::move(events));
    });
}

void BackendWidgetDriver::readState(const bridge::WidgetContext &, const std::string &roomId, const std::string &type,
                                    const std::optional<std::string> &stateKey,
                                    bridge::Callback<std::vector<nlohmann::json>> done)
{
    m_backend.readState(roomId, type, stateKey, std::move(done));
}

void BackendWidgetDriver::readRelations(const bridge::WidgetContext &widget, const bridge::RelationsRequest &request,
                                        bridge::Callback<bridge::RelationsResult> done)
{
    RelationsQuery q;
    q.roomId = request.roomId.empty() ? widget.roomId : request.roomId;
    q.eventId = request.eventId;
    q.relType = request.relType;
    q.eventType = request.relType ? request.eventType : std::nullopt;
    q.from = request.from.value_or("");
    q.to = request.to.value_or("");
    q.limit = request.limit && *request.limit > 0 ? std::min(*request.limit, kMaxPageSize) : m_options.defaultRelationsLimit;
    q.direction = request.direction == std::optional<std::string>("f") ? Direction::Forwards : Direction::Backwards;
    m_backend.readRelations(q, [done = std::move(done)](Result<RelationsPage> r) {
        if (!r)
            return done(std::move(r).error());
        bridge::RelationsResult out;
        out.chunk = std::move(r->chunk);
        if (!r->nextBatch.empty())
            out.nextBatch = r->nextBatch;
        if (!r->prevBatch.empty())
            out.prevBatch = r->prevBatch;
        done(std::move(out));
    });
}

void BackendWidgetDriver::readRoomAccountData(const bridge::WidgetContext &, const std::string &roomId,
                                              const std::string &type,
                                              bridge::Callback<std::vector<nlohmann::json>> done)
{
    m_backend.readRoomAccountData(roomId, type, [done = std::move(done)](Result<std::optional<nlohmann::json>> r) {
        if (!r)
            return done(std::move(r).error());
        std::vector<nlohmann::json> out;
        if (*r)
            out.push_back(std::move(**r));
        done(std::move(out));
    });
}

void BackendWidgetDriver::searchUserDirectory(const bridge::WidgetContext &, const std::string &searchTerm,
                                              std::optional<int> limit, bridge::Callback<bridge::UserDirectoryResult> done)
{
    const int n = limit && *limit > 0 ? std::min(*limit, kMaxPageSize) : m_options.defaultDirectoryLimit;
    m_backend.searchUserDirectory(searchTerm, n, [done = std::move(done)](Result<UserDirectoryResult> r) {
        if (!r)
            return done(std::move(r).error());
        bridge::UserDirectoryResult out;
        out.limited = r->limited;
        for (auto &e : r->results)
            out.results.push_back({std::move(e.userId), std::move(e.displayName), std::move(e.avatarUrl)});
        done(std::move(out));
    });
}

void BackendWidgetDriver::getMediaConfig(const bridge::WidgetContext &, bridge::Callback<nlohmann::json> done)
{
    m_backend.mediaConfig(std::move(done));
}

void BackendWidgetDriver::uploadFile(const bridge::WidgetContext &, const bridge::MediaUpload &upload,
                                     bridge::Callback<std::string> done)
{
    MediaUpload up;
    up.bytes = upload.bytes;
    up.contentType = upload.contentType;
    up.fileName = upload.fileName;
    m_backend.uploadMedia(up, std::move(done));
}

void BackendWidgetDriver::downloadFile(const bridge::WidgetContext &, const std::string &contentUri,
                                       bridge::Callback<bridge::MediaDownload> done)
{
    m_backend.downloadMedia(contentUri, [done = std::move(done)](Result<MediaDownload> r) {
        if (!r)
            return done(std::move(r).error());
        bridge::MediaDownload out;
        out.bytes = std::move(r->bytes);
        out.contentType = std::move(r->contentType);
        done(std::move(out));
    });
}

std::unique_ptr<bridge::Subscription> BackendWidgetDriver::watchTurnServers(
    const bridge::WidgetContext &, std::function<void(Result<bridge::TurnServer>)> update)
{
    auto state = std::make_shared<TurnWatch::State>(m_scheduler, m_backend, m_options, std::move(update));
    return std::make_unique<TurnWatch>(std::move(state));
}

bool BackendWidgetDriver::supportsCapability(const bridge::WidgetContext &, const bridge::Capability &capability)
{
    if (capability.kind != bridge::CapabilityKind::Simple)
        return true;
    if (capability.eventType == bridge::cap::kMsc4407SendStickyEvent
        || capability.eventType == bridge::cap::kMsc4407ReceiveStickyEvent)
        return false;
    if (capability.eventType == bridge::cap::kMsc4157SendDelayedEvent
        || capability.eventType == bridge::cap::kMsc4157UpdateDelayedEvent)
        return m_backend.supportsDelayedEvents();
    return true;
}

std::vector<std::string> BackendWidgetDriver::knownRooms(const bridge::WidgetContext &)
{
    std::vector<std::string> out;
    for (const auto &room : m_backend.rooms()) {
        if (room.membership == Membership::Join || room.membership == Membership::Invite)
            out.push_back(room.roomId);
    }
    return out;
}

bool BackendWidgetDriver::isRoomEncrypted(const bridge::WidgetContext &, const std::string &roomId)
{
    return m_backend.isEncrypted(roomId);
}

void BackendWidgetDriver::fetchOpenIdToken(std::function<void(Result<bridge::OpenIdToken>)> done)
{
    m_backend.requestOpenIdToken([done = std::move(done)](Result<OpenIdToken> r) {
        if (!r)
            return done(std::move(r).error());
        bridge::OpenIdToken out;
        out.accessToken = std::move(r->accessToken);
        out.tokenType = std::move(r->tokenType);
        out.matrixServerName = std::move(r->matrixServerName);
        out.expiresInSeconds = r->expiresInSeconds;
        done(std::move(out));
    });
}

} // namespace tessera::matrix
