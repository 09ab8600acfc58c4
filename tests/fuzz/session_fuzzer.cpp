// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// A whole WidgetSession fed arbitrary messages. Input: one item per line; a line is a message
// from the widget unless it starts with `!`:
//   !config nowait|modal|account|tight|noload|harness   (first line only) session settings;
//           `harness` uses tessera-bridge's MemoryRoomDriver instead of the checking driver
//   !load  !stop  !advance <ms>  !flush  !fail  !junk  !defer
//   !feed <event>  !state <event>  !todevice <type> <content>  !revoke <cap>,<cap>  !theme
// The widget is `w` in room !room:example.org; the session's first requests are tessera-1
// (supported_api_versions) and tessera-2 (capabilities), so seeds can answer them.
//
// Invariants:
// - nothing throws, crashes or leaks; every message sent is strict JSON, names this widget, and
//   is audited (one ToWidget/Info audit row per message sent); replies fit the size limit;
// - the checking driver is only ever called for what the approved capabilities allow (send, read,
//   to-device, navigate, TURN, media, ...), and only Recognised, requested capabilities that the
//   driver approved are ever approved;
// - nothing reaches the widget that its capabilities do not allow (live events, state,
//   to-device, read_events results), even when the driver returns junk;
// - every fromWidget request gets exactly one reply once time has run out (unless stopped).

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "audit/auditsink.h"
#include "bridge/actionregistry.h"
#include "bridge/capabilities.h"
#include "bridge/widgetsession.h"
#include "fuzztarget.h"
#include "manualscheduler.h"
#include "memoryroom.h"
#include "util/text.h"

using namespace tessera;
using namespace tessera::bridge;
using nlohmann::json;

namespace {

constexpr const char *kWidgetId = "w";
constexpr const char *kRoomId = "!room:example.org";
constexpr const char *kOtherRoom = "!other:example.org";

const std::string *optString(const json &obj, const char *key)
{
    if (!obj.is_object())
        return nullptr;
    auto it = obj.find(key);
    return it == obj.end() || !it->is_string() ? nullptr : it->get_ptr<const std::string *>();
}

const std::string *msgtypeOf(const json &event)
{
    auto c = event.find("content");
    return c == event.end() ? nullptr : optString(*c, "msgtype");
}

// Whether @p approved lets a widget in @p ownRoom see @p event (the reference's feed rules).
bool mayReceive(const CapabilitySet &approved, const std::string &ownRoom, const json &event)
{
    const std::string *type = optString(event, "type");
    const std::string *room = optString(event, "room_id");
    if (!type || !room)
        return false;
    if (*room != ownRoom && !approved.canUseRoomTimeline(*room))
        return false;
    if (const std::string *key = optString(event, "state_key"))
        return approved.canReceiveStateEvent(*type, key);
    return approved.canReceiveRoomEvent(*type, msgtypeOf(event));
}

class CheckingAuditSink final : public audit::AuditSink {
public:
    bool append(const audit::Record &r) override
    {
        FUZZ_CHECK(r.category != audit::Category::Invalid && r.direction != audit::Direction::Invalid
                       && r.decision != audit::Decision::Invalid,
                   "audit record with an Invalid field, action " << r.action);
        if (r.direction == audit::Direction::ToWidget && r.decision == audit::Decision::Info)
            ++toWidgetMessages;
        return true;
    }
    bool accepting() const override { return true; }
    std::size_t toWidgetMessages = 0;
};

struct World {
    bool fail = false;  ///< driver calls fail
    bool junk = false;  ///< reads return malformed events as well
    bool defer = false; ///< driver answers wait for !flush
    std::vector<std::function<void()>> deferred;
    std::vector<json> timeline;
    std::map<std::pair<std::string, std::string>, json> state;
    std::set<std::string> driverApproved;
    std::uint64_t counter = 0;
    WidgetSession *session = nullptr;
    std::string ownRoom = kRoomId;
};

class FuzzDriver final : public WidgetDriver {
public:
    explicit FuzzDriver(World &w) : m_w(w) {}

    void validateCapabilities(const WidgetContext &, const CapabilityRequest &request,
                              Callback<std::vector<std::string>> done) override
    {
        std::vector<std::string> out;
        for (const auto &c : request.requested) {
            FUZZ_CHECK(checkCapability(c, &m_registryLookup).verdict == CapabilityVerdict::Recognised,
                       "the driver was asked to approve " << c);
            FUZZ_CHECK(!session().approved().contains(c), "asked again for the held capability " << c);
            if (c.find("deny") == std::string::npos) {
                out.push_back(c);
                m_w.driverApproved.insert(c);
            }
        }
        out.emplace_back("org.matrix.msc2762.timeline:*"); // more than asked: must be ignored
        answer([done, out] { done(out); });
    }

    void requestOpenId(const WidgetContext &, std::function<void(OpenIdUpdate)> update) override
    {
        const bool twoPhase = (++m_w.counter % 2) == 0;
        OpenIdUpdate u;
        if (twoPhase) {
            u.state = OpenIdUpdate::State::Pending;
            update(u);
        }
        OpenIdUpdate final;
        final.state = m_w.fail ? OpenIdUpdate::State::Blocked : OpenIdUpdate::State::Allowed;
        if (!m_w.fail)
            final.token = OpenIdToken{"openid-token", 3600, "example.org", "Bearer"};
        answer([update, final] { update(final); });
    }

    void sendEvent(const WidgetContext &, const SendEventRequest &r, Callback<SendEventResult> done) override
    {
        const CapabilitySet &caps = session().approved();
        FUZZ_CHECK(r.roomId == m_w.ownRoom || caps.canUseRoomTimeline(r.roomId), "send to room " << r.roomId);
        if (r.stateKey) {
            FUZZ_CHECK(caps.canSendStateEvent(r.type, *r.stateKey) && !isKnownMessageEventType(r.type),
                       "state event " << r.type << " sent without capability");
        } else if (!(r.type == "m.sticker" && caps.hasSimple(cap::kSticker))) {
            FUZZ_CHECK(caps.canSendRoomEvent(r.type, optString(r.content, "msgtype")) && !isKnownStateEventType(r.type)
                           && r.type != "m.room.encrypted",
                       "room event " << r.type << " sent without capability");
        }
        if (r.delayMs || r.parentDelayId)
            FUZZ_CHECK(caps.hasSimple(cap::kMsc4157SendDelayedEvent), "delayed event without capability");
        if (r.stickyDurationMs)
            FUZZ_CHECK(caps.hasSimple(cap::kMsc4407SendStickyEvent) && !r.stateKey, "sticky event without capability");
        FUZZ_CHECK(r.content.is_object(), "content is not an object");
        if (m_w.fail)
            return answer([done] { done(Error(ErrorCode::Unavailable, "fuzz failure")); });
        SendEventResult result;
        result.roomId = r.roomId;
        if (r.delayMs || r.parentDelayId) {
            result.delayId = "delay-" + std::to_string(++m_w.counter);
        } else {
            json ev{{"type", r.type}, {"content", r.content}, {"sender", "@alice:example.org"}, {"room_id", r.roomId},
                    {"event_id", "$f" + std::to_string(++m_w.counter)}, {"origin_server_ts", 1}};
            if (r.stateKey) {
                ev["state_key"] = *r.stateKey;
                m_w.state[{r.type, *r.stateKey}] = ev;
            }
            m_w.timeline.push_back(ev);
            if (m_w.timeline.size() > 64)
                m_w.timeline.erase(m_w.timeline.begin());
            result.eventId = ev["event_id"].get<std::string>();
        }
        answer([done, result] { done(result); });
    }

    void updateDelayedEvent(const WidgetContext &, const std::string &, DelayedEventAction, Callback<bool> done) override
    {
        FUZZ_CHECK(session().approved().hasSimple(cap::kMsc4157UpdateDelayedEvent), "update_delayed_event without capability");
        answerBool(done);
    }

    void sendToDevice(const WidgetContext &, const std::string &type, bool, const json &messages, Callback<bool> done) override
    {
        FUZZ_CHECK(session().approved().canSendToDevice(type) && !isEncryptionToDeviceType(type), "to-device " << type);
        FUZZ_CHECK(messages.is_object(), "to-device messages not an object");
        answerBool(done);
    }

    void readEvents(const WidgetContext &, const ReadEventsRequest &r, Callback<std::vector<SerializedEvent>> done) override
    {
        const CapabilitySet &caps = session().approved();
        FUZZ_CHECK(r.roomId == m_w.ownRoom || caps.canUseRoomTimeline(r.roomId), "read from room " << r.roomId);
        FUZZ_CHECK(r.limit >= 1, "limit " << r.limit);
        if (r.stateKeySelector == StateKeySelector::None) {
            const std::string *mt = r.msgtype ? &*r.msgtype : nullptr;
            FUZZ_CHECK(caps.canReceiveRoomEvent(r.type, mt), "read of room events " << r.type << " without capability");
        } else {
            const std::string *key = r.stateKeySelector == StateKeySelector::Exact ? &r.stateKey : nullptr;
            FUZZ_CHECK(caps.canReceiveStateEvent(r.type, key), "read of state " << r.type << " without capability");
        }
        // Deliberately unfiltered: the session must filter what the driver returns.
        if (m_w.fail)
            return answer([done] { done(Error(ErrorCode::Unavailable, "fuzz failure")); });
        std::vector<SerializedEvent> events;
        for (const json &ev : withJunk(m_w.timeline))
            events.push_back(SerializedEvent::fromJson(ev));
        answer([done, events = std::move(events)] { done(events); });
    }

    void readState(const WidgetContext &, const std::string &roomId, const std::string &type,
                   const std::optional<std::string> &stateKey, Callback<std::vector<json>> done) override
    {
        const CapabilitySet &caps = session().approved();
        FUZZ_CHECK(roomId == m_w.ownRoom || caps.canUseRoomTimeline(roomId), "state read from room " << roomId);
        FUZZ_CHECK(caps.canReceiveStateEvent(type, stateKey ? &*stateKey : nullptr), "state read of " << type);
        std::vector<json> out;
        for (const auto &[key, ev] : m_w.state)
            out.push_back(ev);
        answerEvents(done, std::move(out));
    }

    void readRelations(const WidgetContext &, const RelationsRequest &r, Callback<RelationsResult> done) override
    {
        FUZZ_CHECK(r.roomId == m_w.ownRoom || session().approved().canUseRoomTimeline(r.roomId), "relations in " << r.roomId);
        if (m_w.fail)
            return answer([done] { done(Error(ErrorCode::Unavailable, "fuzz failure")); });
        RelationsResult result;
        result.chunk = withJunk(m_w.timeline);
        result.nextBatch = "next";
        answer([done, result] { done(result); });
    }

    void readRoomAccountData(const WidgetContext &, const std::string &, const std::string &type,
                             Callback<std::vector<json>> done) override
    {
        FUZZ_CHECK(session().approved().canReadRoomAccountData(type), "account data " << type);
        answerEvents(done, {json{{"type", type}, {"content", json::object()}}, json{{"type", "other"}, {"content", 1}}});
    }

    void searchUserDirectory(const WidgetContext &, const std::string &, std::optional<int> limit,
                             Callback<UserDirectoryResult> done) override
    {
        FUZZ_CHECK(session().approved().hasSimple(cap::kMsc3973UserDirectorySearch), "directory search");
        FUZZ_CHECK(!limit || *limit >= 0, "limit");
        UserDirectoryResult r;
        r.results.push_back({"@bob:example.org", std::string("Bob"), std::nullopt});
        answer([done, r] { done(r); });
    }

    void getMediaConfig(const WidgetContext &, Callback<json> done) override
    {
        FUZZ_CHECK(session().approved().hasSimple(cap::kMsc4039UploadFile), "media config");
        answer([done] { done(json{{"m.upload.size", 1LL << 40}}); });
    }

    void uploadFile(const WidgetContext &, const MediaUpload &, Callback<std::string> done) override
    {
        FUZZ_CHECK(session().approved().hasSimple(cap::kMsc4039UploadFile), "upload");
        answer([done] { done(std::string("mxc://example.org/upload")); });
    }

    void downloadFile(const WidgetContext &, const std::string &uri, Callback<MediaDownload> done) override
    {
        FUZZ_CHECK(session().approved().hasSimple(cap::kMsc4039DownloadFile), "download");
        FUZZ_CHECK(text::startsWith(uri, "mxc://"), "download of " << uri);
        answer([done] { done(MediaDownload{std::string("\x00\xff bytes", 8), "application/octet-stream"}); });
    }

    std::unique_ptr<Subscription> watchTurnServers(const WidgetContext &, std::function<void(Result<TurnServer>)> update) override
    {
        FUZZ_CHECK(session().approved().hasSimple(cap::kMsc3846TurnServers), "TURN");
        if (m_w.fail)
            update(Error(ErrorCode::Unavailable, "no TURN"));
        else
            update(TurnServer{{"turn:turn.example.org"}, "user", "pass"});
        return std::make_unique<Subscription>();
    }

    void navigate(const WidgetContext &, const std::string &uri, Callback<bool> done) override
    {
        FUZZ_CHECK(session().approved().hasSimple(cap::kMsc2931Navigate), "navigate");
        FUZZ_CHECK(text::startsWith(uri, "https://matrix.to/#"), "navigate to " << uri);
        answerBool(done);
    }

    void setAlwaysOnScreen(const WidgetContext &, bool, Callback<bool> done) override
    {
        FUZZ_CHECK(session().approved().hasSimple(cap::kAlwaysOnScreen), "always on screen");
        answerBool(done);
    }

    void openModal(const WidgetContext &, const OpenModalRequest &r, Callback<bool> done) override
    {
        FUZZ_CHECK(text::startsWith(r.url, "https://"), "modal URL " << r.url);
        FUZZ_CHECK(r.buttons.size() <= 3, "buttons");
        answerBool(done);
    }

    void closeModal(const WidgetContext &, const json &, Callback<bool> done) override { answerBool(done); }
    void setModalButtonEnabled(const WidgetContext &, const std::string &, bool, Callback<bool> done) override
    {
        answerBool(done);
    }

    std::vector<std::string> knownRooms(const WidgetContext &) override { return {kRoomId, kOtherRoom}; }

    class Lookup final : public CustomCapabilityLookup {
    public:
        bool isCustomCapability(std::string_view c) const override { return c == "io.example.echo"; }
    } m_registryLookup;

private:
    WidgetSession &session() { return *m_w.session; }

    void answer(std::function<void()> fn)
    {
        if (m_w.defer)
            m_w.deferred.push_back(std::move(fn));
        else
            fn();
    }

    void answerBool(Callback<bool> done)
    {
        if (m_w.fail)
            return answer([done] { done(Error(ErrorCode::Unavailable, "fuzz failure")); });
        answer([done] { done(true); });
    }

    std::vector<json> withJunk(std::vector<json> events) const
    {
        if (m_w.junk) {
            events.push_back(42);
            events.push_back(json{{"type", 5}, {"room_id", kRoomId}});
            events.push_back(json{{"type", "m.room.message"}, {"room_id", 7}, {"content", "text"}});
            events.push_back(json{{"type", "m.room.member"}, {"room_id", kRoomId}, {"state_key", 3}});
            events.push_back(json{{"type", "m.room.message"}, {"room_id", kOtherRoom}, {"content", {{"msgtype", 1}}}});
            events.push_back(json{{"type", "m.room.topic"}, {"room_id", 7}, {"state_key", ""}});
        }
        return events;
    }

    void answerEvents(Callback<std::vector<json>> done, std::vector<json> events)
    {
        if (m_w.fail)
            return answer([done] { done(Error(ErrorCode::Unavailable, "fuzz failure")); });
        answer([done, events = withJunk(std::move(events))] { done(events); });
    }

    World &m_w;
};

// tessera-bridge's own driver (host/harness), wrapped only to record what it approved: the
// "!config harness" mode fuzzes the protocol harness as it runs, live echo of sends included.
class HarnessDriver final : public WidgetDriver {
public:
    explicit HarnessDriver(World &w)
        : m_w(w), m_room(kRoomId, "@alice:example.org", *harness::ConsentPolicy::parse("approve-all"))
    {
    }

    void validateCapabilities(const WidgetContext &widget, const CapabilityRequest &request,
                              Callback<std::vector<std::string>> done) override
    {
        m_room.validateCapabilities(widget, request, [this, done](Result<std::vector<std::string>> r) {
            if (r) {
                for (const auto &c : *r)
                    m_w.driverApproved.insert(c);
            }
            done(std::move(r));
        });
    }
    void requestOpenId(const WidgetContext &w, std::function<void(OpenIdUpdate)> update) override
    {
        m_room.requestOpenId(w, std::move(update));
    }
    void sendEvent(const WidgetContext &w, const SendEventRequest &r, Callback<SendEventResult> done) override
    {
        m_room.sendEvent(w, r, std::move(done));
    }
    void readEvents(const WidgetContext &w, const ReadEventsRequest &r, Callback<std::vector<SerializedEvent>> done) override
    {
        m_room.readEvents(w, r, std::move(done));
    }
    void readState(const WidgetContext &w, const std::string &roomId, const std::string &type,
                   const std::optional<std::string> &stateKey, Callback<std::vector<json>> done) override
    {
        m_room.readState(w, roomId, type, stateKey, std::move(done));
    }
    void navigate(const WidgetContext &w, const std::string &uri, Callback<bool> done) override
    {
        m_room.navigate(w, uri, std::move(done));
    }
    void setAlwaysOnScreen(const WidgetContext &w, bool value, Callback<bool> done) override
    {
        m_room.setAlwaysOnScreen(w, value, std::move(done));
    }
    std::vector<std::string> knownRooms(const WidgetContext &w) override { return m_room.knownRooms(w); }

    harness::MemoryRoomDriver &room() { return m_room; }

private:
    World &m_w;
    harness::MemoryRoomDriver m_room;
};

class EchoHandler final : public CustomActionHandler {
public:
    void handle(const WidgetContext &, const std::string &, const json &data, Callback<json> done) override
    {
        if (data.contains("bad"))
            done(json::array()); // not an object: the session must refuse it
        else
            done(json{{"echo", data}});
    }
};

class CheckingTransport final : public Transport {
public:
    CheckingTransport(World &w, std::size_t maxBytes) : m_w(w), m_maxBytes(maxBytes) {}

    void send(std::string message) override
    {
        if (m_trace)
            std::fprintf(stderr, "<- %s\n", message.c_str());
        ++sent;
        FUZZ_CHECK(m_w.session, "a message sent while the session is being destroyed: " << message);
        FUZZ_CHECK(validateJson(message), "the session sent malformed JSON: " << message);
        const json m = json::parse(message, nullptr, false);
        FUZZ_CHECK(m.is_object() && m.value("widgetId", "") == kWidgetId, "message for another widget: " << message);
        const std::string *api = optString(m, "api");
        const std::string *action = optString(m, "action");
        const std::string *requestId = optString(m, "requestId");
        FUZZ_CHECK(api && action && requestId, "envelope fields missing: " << message);
        const CapabilitySet &caps = m_w.session->approved();

        if (m.contains("response")) {
            FUZZ_CHECK(*api == "fromWidget" && m["response"].is_object(), "bad reply: " << message);
            // Replies are held to the message size limit; the session's own pushes are not.
            FUZZ_CHECK(message.size() <= m_maxBytes, "a reply of " << message.size() << " bytes was sent");
            ++replies[*requestId];
            const json &response = m["response"];
            if (auto e = response.find("error"); e != response.end())
                FUZZ_CHECK(optString(*e, "message"), "error without a message: " << message);
            else if (*action == "org.matrix.msc2876.read_events")
                checkReadEvents(m, caps);
            return;
        }
        FUZZ_CHECK(*api == "toWidget" && text::startsWith(*requestId, "tessera-"), "bad request: " << message);
        const json &data = m["data"];
        FUZZ_CHECK(data.is_object(), "toWidget data is not an object");
        if (*action == "send_event") {
            FUZZ_CHECK(mayReceive(caps, m_w.ownRoom, data), "event pushed without capability: " << message);
        } else if (*action == "update_state") {
            for (const auto &ev : data["state"])
                FUZZ_CHECK(ev.contains("state_key") && mayReceive(caps, m_w.ownRoom, ev), "state pushed without capability: " << ev.dump());
        } else if (*action == "send_to_device") {
            const std::string type = data.value("type", "");
            FUZZ_CHECK(!isEncryptionToDeviceType(type) && caps.canReceiveToDevice(type), "to-device " << type << " delivered");
        } else if (*action == "notify_capabilities") {
            for (const auto &c : data["approved"]) {
                const std::string raw = c.get<std::string>();
                FUZZ_CHECK(caps.contains(raw), "notified " << raw << " which is not held");
                FUZZ_CHECK(m_w.driverApproved.count(raw), "approved " << raw << " which the driver never approved");
                FUZZ_CHECK(checkCapability(raw, &m_lookup).verdict == CapabilityVerdict::Recognised, "approved " << raw);
            }
        }
    }

    std::size_t sent = 0;
    std::map<std::string, int> replies;

private:
    void checkReadEvents(const json &m, const CapabilitySet &caps)
    {
        const json &data = m["data"];
        const std::string *type = optString(data, "type");
        FUZZ_CHECK(type, "read_events answered without a type");
        const bool state = data.contains("state_key") && !data["state_key"].is_null();
        for (const auto &ev : m["response"]["events"]) {
            FUZZ_CHECK(optString(ev, "type") && *optString(ev, "type") == *type, "read_events returned " << ev.dump());
            FUZZ_CHECK(mayReceive(caps, m_w.ownRoom, ev), "read_events returned a forbidden event: " << ev.dump());
            FUZZ_CHECK(ev.contains("state_key") == state, "read_events mixed state and room events");
        }
    }

    World &m_w;
    std::size_t m_maxBytes;
    const bool m_trace = std::getenv("TESSERA_FUZZ_TRACE") != nullptr; ///< print what the session sends
    class Lookup final : public CustomCapabilityLookup {
    public:
        bool isCustomCapability(std::string_view c) const override { return c == "io.example.echo"; }
    } m_lookup;
};

std::vector<std::string_view> splitLines(std::string_view text)
{
    std::vector<std::string_view> lines;
    std::size_t start = 0;
    while (start < text.size() && lines.size() < 256) {
        const std::size_t nl = std::min(text.find('\n', start), text.size());
        lines.push_back(text.substr(start, nl - start));
        start = nl + 1;
    }
    return lines;
}

} // namespace

TESSERA_FUZZ_TARGET(session)
{
    const auto lines = splitLines(tessera::fuzz::asText(data, size));

    SessionConfig config;
    config.widget.widgetId = kWidgetId;
    config.widget.roomId = kRoomId;
    config.widget.origin = "https://widget.example";
    config.widget.url = "https://widget.example/";
    config.userId = "@alice:example.org";
    std::size_t first = 0;
    bool load = true;
    bool useHarness = false;
    if (!lines.empty() && text::startsWith(lines[0], "!config")) {
        const std::string_view opts = lines[0];
        if (opts.find("nowait") != std::string_view::npos)
            config.waitForIframeLoad = false;
        if (opts.find("modal") != std::string_view::npos)
            config.kind = WidgetKind::Modal;
        if (opts.find("account") != std::string_view::npos) {
            config.kind = WidgetKind::Account;
            config.widget.roomId.clear();
        }
        if (opts.find("tight") != std::string_view::npos) {
            config.limits.maxPendingFromWidget = 2;
            config.limits.maxPendingToWidget = 2;
            config.limits.envelope.maxMessageBytes = 2048;
            config.limits.maxCapabilitiesPerRequest = 4;
            config.limits.maxReadEventsLimit = 2;
        }
        if (opts.find("noload") != std::string_view::npos)
            load = false;
        if (opts.find("harness") != std::string_view::npos)
            useHarness = true;
        first = 1;
    }

    World world;
    world.ownRoom = config.widget.roomId;
    test::ManualScheduler scheduler;
    CheckingAuditSink audit;
    CheckingTransport transport(world, config.limits.envelope.maxMessageBytes);
    FuzzDriver fuzzDriver(world);
    HarnessDriver harnessDriver(world);
    WidgetDriver &driver = useHarness ? static_cast<WidgetDriver &>(harnessDriver) : fuzzDriver;
    EchoHandler echo;
    ActionRegistry registry;
    (void)registry.addCapability("io.example.echo", &echo);
    (void)registry.addAction("io.example.echo", "io.example.echo", &echo);
    const EnvelopeLimits limits = config.limits.envelope;

    std::map<std::string, int> requests;
    bool stopped = false;
    const bool trace = std::getenv("TESSERA_FUZZ_TRACE") != nullptr;
    {
        WidgetSession session(config, driver, transport, audit, scheduler, &registry);
        world.session = &session;
        if (useHarness) // as tessera-bridge --echo-sends
            harnessDriver.room().onEventSent = [&session](const json &ev) { session.feedEvent(ev); };
        session.start();
        if (load)
            session.onIframeLoaded();

        for (std::size_t i = first; i < lines.size(); ++i) {
            const std::string_view line = lines[i];
            if (trace)
                std::fprintf(stderr, "-> %.*s\n", int(line.size()), line.data());
            if (line.empty() || line[0] != '!') {
                if (!stopped) {
                    auto env = parseEnvelope(line, limits);
                    if (env && env->api == "fromWidget" && !env->hasResponse && env->widgetId == kWidgetId)
                        ++requests[env->requestId];
                }
                session.handleMessage(line);
                continue;
            }
            const std::size_t space = std::min(line.find(' '), line.size());
            const std::string_view command = line.substr(1, space - 1);
            const std::string_view arg = space < line.size() ? line.substr(space + 1) : std::string_view();
            // What the host itself hands the session is UTF-8 (nlohmann cannot serialise anything else).
            if (!text::isValidUtf8(arg))
                continue;
            if (command == "load") {
                session.onIframeLoaded();
            } else if (command == "stop") {
                session.stop();
                stopped = true;
            } else if (command == "advance") {
                scheduler.advance(std::min<std::int64_t>(std::atoll(std::string(arg).c_str()) & 0xFFFFF, 120'000));
            } else if (command == "flush") {
                auto pending = std::move(world.deferred);
                world.deferred.clear();
                for (auto &fn : pending)
                    fn();
            } else if (command == "fail") {
                world.fail = !world.fail;
            } else if (command == "junk") {
                world.junk = !world.junk;
            } else if (command == "defer") {
                world.defer = !world.defer;
            } else if (command == "feed" || command == "state") {
                json ev = json::parse(arg, nullptr, false);
                if (!ev.is_discarded())
                    command == "feed" ? session.feedEvent(ev) : session.feedStateUpdate(ev);
            } else if (command == "todevice") {
                const std::size_t sp = std::min(arg.find(' '), arg.size());
                json content = json::parse(arg.substr(std::min(sp + 1, arg.size())), nullptr, false);
                session.feedToDevice(std::string(arg.substr(0, sp)), "@bob:example.org",
                                     content.is_discarded() ? json::object() : content, false);
            } else if (command == "revoke") {
                std::vector<std::string> caps;
                for (std::size_t s = 0; s <= arg.size();) {
                    const std::size_t comma = std::min(arg.find(',', s), arg.size());
                    caps.emplace_back(arg.substr(s, comma - s));
                    s = comma + 1;
                }
                session.revokeCapabilities(caps);
            } else if (command == "theme") {
                session.updateTheme(json{{"name", std::string(arg)}});
                session.updateVisibility(arg.empty());
            }
        }

        // Let every timer run out, then deliver whatever the driver still holds: late answers
        // must be ignored, not answered twice.
        world.defer = false;
        scheduler.advance(30'000);
        auto pending = std::move(world.deferred);
        world.deferred.clear();
        for (auto &fn : pending)
            fn();
        scheduler.advance(30'000);

        if (!stopped) {
            FUZZ_CHECK(session.pendingFromWidget() == 0, session.pendingFromWidget() << " requests never answered");
            FUZZ_CHECK(session.pendingToWidget() == 0, session.pendingToWidget() << " host requests never timed out");
            for (const auto &[id, count] : requests) {
                auto it = transport.replies.find(id);
                const int got = it == transport.replies.end() ? 0 : it->second;
                FUZZ_CHECK(got == count, "request " << id << " sent " << count << " times, answered " << got << " times");
            }
        }
        for (const auto &[id, count] : transport.replies)
            FUZZ_CHECK(requests.count(id) && count <= requests[id], "a reply to " << id << " which was never asked");
        world.session = nullptr;
    }
    FUZZ_CHECK(audit.toWidgetMessages == transport.sent,
               transport.sent << " messages sent, " << audit.toWidgetMessages << " audited");
    return 0;
}
