// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "sessionharness.h"

#include <algorithm>

#include <gtest/gtest.h>

namespace tessera::test {

using nlohmann::json;
using namespace tessera::bridge;

bool RecordingAuditSink::append(const audit::Record &r)
{
    rows.push_back(Row{r.category, r.direction, r.decision, std::string(r.widgetId), std::string(r.roomId),
                       std::string(r.origin), std::string(r.action), std::string(r.requestId), std::string(r.reason),
                       std::string(r.body), r.sizeBytes, r.durationMs});
    return isAccepting;
}

std::vector<RecordingAuditSink::Row> RecordingAuditSink::with(audit::Decision decision, std::string_view action) const
{
    std::vector<Row> out;
    for (const auto &r : rows) {
        if (r.decision == decision && (action.empty() || r.action == action))
            out.push_back(r);
    }
    return out;
}

Error matrixError(int status, const std::string &errcode, const std::string &error, json extra)
{
    MatrixApiError m;
    m.httpStatus = status;
    m.response = extra.is_object() ? extra : json::object();
    m.response["errcode"] = errcode;
    m.response["error"] = error;
    return Error(ErrorCode::Unavailable, "homeserver said " + errcode, m);
}

// ---- ScriptedDriver ----

void ScriptedDriver::validateCapabilities(const WidgetContext &, const CapabilityRequest &request,
                                          Callback<std::vector<std::string>> done)
{
    capabilityRequests.push_back(request);
    if (deferCapabilities) {
        pendingCapabilityDecisions.push_back(std::move(done));
        return;
    }
    done(approve ? approve(request) : request.requested);
}

void ScriptedDriver::requestOpenId(const WidgetContext &, std::function<void(OpenIdUpdate)> update)
{
    ++openIdRequests;
    if (openIdHook) {
        openIdHook(std::move(update));
        return;
    }
    if (openIdScript.empty()) {
        OpenIdUpdate blocked;
        blocked.state = OpenIdUpdate::State::Blocked;
        update(blocked);
        return;
    }
    for (const auto &u : openIdScript)
        update(u);
}

void ScriptedDriver::sendEvent(const WidgetContext &, const SendEventRequest &request, Callback<SendEventResult> done)
{
    sentEvents.push_back(request);
    auto finish = [this, request, done] {
        if (failWith) {
            done(*failWith);
            return;
        }
        SendEventResult r;
        r.roomId = request.roomId;
        if (request.delayMs || request.parentDelayId)
            r.delayId = "ft";
        else
            r.eventId = "$event" + std::to_string(sentEvents.size());
        done(r);
    };
    if (deferSends)
        pendingSends.push_back(finish);
    else
        finish();
}

void ScriptedDriver::updateDelayedEvent(const WidgetContext &, const std::string &delayId, DelayedEventAction action,
                                        Callback<bool> done)
{
    delayedUpdates.emplace_back(delayId, action);
    if (failWith)
        done(*failWith);
    else
        done(true);
}

void ScriptedDriver::sendToDevice(const WidgetContext &, const std::string &type, bool encrypted, const json &messages,
                                  Callback<bool> done)
{
    toDevice.emplace_back(type, encrypted, messages);
    if (failWith)
        done(*failWith);
    else
        done(true);
}

void ScriptedDriver::readEvents(const WidgetContext &, const ReadEventsRequest &request,
                                Callback<std::vector<SerializedEvent>> done)
{
    eventReads.push_back(request);
    if (failWith) {
        done(*failWith);
        return;
    }
    std::vector<SerializedEvent> out;
    for (const auto &ev : events) {
        if (ev.value("room_id", "") == request.roomId && ev.value("type", "") == request.type)
            out.push_back(SerializedEvent::fromJson(ev));
    }
    done(out);
}

void ScriptedDriver::readState(const WidgetContext &, const std::string &roomId, const std::string &type,
                               const std::optional<std::string> &stateKey, Callback<std::vector<json>> done)
{
    stateReads.emplace_back(roomId, type, stateKey);
    if (failWith) {
        done(*failWith);
        return;
    }
    std::vector<json> out;
    for (const auto &ev : state) {
        if (ev.value("room_id", "") == roomId && ev.value("type", "") == type
            && (!stateKey || ev.value("state_key", "") == *stateKey))
            out.push_back(ev);
    }
    done(out);
}

void ScriptedDriver::readRelations(const WidgetContext &, const RelationsRequest &request, Callback<RelationsResult> done)
{
    relationReads.push_back(request);
    if (failWith) {
        done(*failWith);
        return;
    }
    RelationsResult r;
    r.chunk = relations;
    done(r);
}

void ScriptedDriver::readRoomAccountData(const WidgetContext &, const std::string &roomId, const std::string &type,
                                         Callback<std::vector<json>> done)
{
    accountDataReads.push_back(type);
    if (failWith) {
        done(*failWith);
        return;
    }
    done(std::vector<json>{json{{"type", type}, {"room_id", roomId}, {"content", json::object()}}});
}

void ScriptedDriver::searchUserDirectory(const WidgetContext &, const std::string &term, std::optional<int> limit,
                                         Callback<UserDirectoryResult> done)
{
    directorySearches.emplace_back(term, limit);
    if (failWith) {
        done(*failWith);
        return;
    }
    UserDirectoryResult r;
    r.limited = true;
    r.results.push_back({"@foo:bar.com", std::nullopt, std::nullopt});
    r.results.push_back({"@bob:bar.com", std::string("Bob"), std::string("mxc://bar.com/bob")});
    done(r);
}

void ScriptedDriver::getMediaConfig(const WidgetContext &, Callback<json> done)
{
    if (failWith)
        done(*failWith);
    else
        done(json{{"m.upload.size", 1000}});
}

void ScriptedDriver::uploadFile(const WidgetContext &, const MediaUpload &upload, Callback<std::string> done)
{
    uploads.push_back(upload);
    if (failWith)
        done(*failWith);
    else
        done(std::string("mxc://example.org/upload") + std::to_string(uploads.size()));
}

void ScriptedDriver::downloadFile(const WidgetContext &, const std::string &uri, Callback<MediaDownload> done)
{
    downloads.push_back(uri);
    if (failWith)
        done(*failWith);
    else
        done(MediaDownload{"test contents", "text/plain"});
}

namespace {
class CountingSubscription final : public Subscription {
public:
    explicit CountingSubscription(int &live) : m_live(live) { ++m_live; }
    ~CountingSubscription() override { --m_live; }

private:
    int &m_live;
};
} // namespace

std::unique_ptr<Subscription> ScriptedDriver::watchTurnServers(const WidgetContext &,
                                                               std::function<void(Result<TurnServer>)> update)
{
    ++turnWatches;
    turnPush = update;
    auto sub = std::make_unique<CountingSubscription>(liveTurnSubscriptions);
    if (turnFirst)
        update(*turnFirst);
    else
        update(TurnServer{{"turn:turn.example.org:3478"}, "user1", "pass1"});
    return sub;
}

void ScriptedDriver::navigate(const WidgetContext &, const std::string &uri, Callback<bool> done)
{
    navigations.push_back(uri);
    if (failWith)
        done(*failWith);
    else
        done(true);
}

void ScriptedDriver::setAlwaysOnScreen(const WidgetContext &, bool value, Callback<bool> done)
{
    alwaysOnScreen.push_back(value);
    if (failWith)
        done(*failWith);
    else
        done(true);
}

void ScriptedDriver::openModal(const WidgetContext &, const OpenModalRequest &request, Callback<bool> done)
{
    modals.push_back(request);
    if (failWith)
        done(*failWith);
    else
        done(true);
}

void ScriptedDriver::closeModal(const WidgetContext &, const json &data, Callback<bool> done)
{
    modalCloses.push_back(data);
    if (failWith)
        done(*failWith);
    else
        done(true);
}

void ScriptedDriver::setModalButtonEnabled(const WidgetContext &, const std::string &buttonId, bool enabled,
                                           Callback<bool> done)
{
    buttonToggles.emplace_back(buttonId, enabled);
    if (failWith || buttonId == "unknown")
        done(failWith ? *failWith : Error(ErrorCode::NotFound, "no such button"));
    else
        done(true);
}

// ---- SessionHarness ----

SessionConfig SessionHarness::defaultConfig()
{
    SessionConfig c;
    c.widget.widgetId = "test";
    c.widget.roomId = "!room:example.org";
    c.widget.origin = "https://example.org";
    c.widget.url = "https://example.org";
    c.widget.creatorUserId = "@alice:example.org";
    c.widget.widgetType = "example";
    c.userId = "@alice:example.org";
    return c;
}

SessionHarness::SessionHarness(SessionConfig config) : SessionHarness(std::move(config), audit) {}

SessionHarness::SessionHarness(SessionConfig config, audit::AuditSink &sink)
{
    session = std::make_unique<WidgetSession>(std::move(config), driver, transport, sink, scheduler);
    session->start();
}

std::vector<json> SessionHarness::toWidgetRequests(const std::string &action) const
{
    std::vector<json> out;
    for (const auto &m : transport.sent) {
        json j = json::parse(m);
        if (j.value("api", "") == "toWidget" && !j.contains("response") && (action.empty() || j["action"] == action))
            out.push_back(std::move(j));
    }
    return out;
}

void SessionHarness::answer(const json &request, const json &response)
{
    json reply = request;
    reply["response"] = response;
    m_answered.push_back(request["requestId"].get<std::string>());
    session->handleMessage(reply.dump());
}

void SessionHarness::answerAll(const std::string &action, const json &response)
{
    for (const auto &r : toWidgetRequests(action)) {
        const std::string id = r["requestId"];
        if (std::find(m_answered.begin(), m_answered.end(), id) == m_answered.end())
            answer(r, response);
    }
}

void SessionHarness::loadAndNegotiate(const std::vector<std::string> &capabilities,
                                      const std::vector<std::string> &widgetVersions)
{
    session->onIframeLoaded();
    answerAll("supported_api_versions", json{{"supported_versions", widgetVersions}});
    answerAll("capabilities", json{{"capabilities", capabilities}});
    answerAll("notify_capabilities", json::object());
}

std::optional<json> SessionHarness::replyTo(const std::string &requestId) const
{
    for (auto it = transport.sent.rbegin(); it != transport.sent.rend(); ++it) {
        json j = json::parse(*it);
        if (j.value("api", "") == "fromWidget" && j.value("requestId", "") == requestId && j.contains("response"))
            return j;
    }
    return std::nullopt;
}

std::optional<json> SessionHarness::request(const std::string &action, const json &data, const std::string &requestId)
{
    const std::string id = requestId.empty() ? "req-" + std::to_string(m_nextId++) : requestId;
    json msg{{"api", "fromWidget"}, {"widgetId", "test"}, {"requestId", id}, {"action", action}, {"data", data}};
    session->handleMessage(msg.dump());
    return replyTo(id);
}

json SessionHarness::respond(const std::string &action, const json &data)
{
    auto r = request(action, data);
    if (!r) {
        ADD_FAILURE() << "no reply to " << action;
        return json::object();
    }
    return (*r)["response"];
}

std::string SessionHarness::errorOf(const json &response)
{
    if (response.contains("error") && response["error"].is_object() && response["error"].contains("message"))
        return response["error"]["message"].get<std::string>();
    return {};
}

} // namespace tessera::test
