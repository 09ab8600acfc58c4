// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "callprobe.h"

#include <functional>
#include <memory>
#include <utility>

#include "jitsiurl.h"

namespace tessera::jitsi {

namespace {

using nlohmann::json;

/** "scheme://authority" of @p url when it is exactly that (a trailing '/' allowed), else "". */
std::string baseOf(std::string url)
{
    while (!url.empty() && url.back() == '/')
        url.pop_back();
    for (const char *scheme : {"https://", "http://"}) {
        const std::string s(scheme);
        if (url.rfind(s, 0) != 0)
            continue;
        const std::string authority = url.substr(s.size());
        if (authority.empty() || authority.find_first_of("/?#@ \\") != std::string::npos)
            return {};
        return url;
    }
    return {};
}

/** The URL of a service from a well-known or JWT answer: http(s), no query or fragment. */
std::string serviceUrl(std::string url)
{
    while (!url.empty() && url.back() == '/')
        url.pop_back();
    if (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0)
        return {};
    if (url.find_first_of("?# \\") != std::string::npos || url.size() > 2048)
        return {};
    return url;
}

/** One probe in progress; owned by the callbacks of its current step. */
struct Probe : std::enable_shared_from_this<Probe> {
    tessera::sdk::Host &host;
    std::uint64_t callId;
    std::uint64_t sessionId;
    ProbeRequest request;
    std::string serviceUrl;
    std::string sfuUrl;

    Probe(tessera::sdk::Host &h, std::uint64_t call, std::uint64_t session, ProbeRequest r)
        : host(h), callId(call), sessionId(session), request(std::move(r))
    {
    }

    void answer(const std::string &state, const std::string &step, const std::string &detail, int httpStatus = 0)
    {
        json reply{{"state", state}, {"step", step}, {"detail", detail}};
        if (!serviceUrl.empty())
            reply["service_url"] = serviceUrl;
        if (!sfuUrl.empty())
            reply["sfu_url"] = sfuUrl;
        if (httpStatus != 0)
            reply["http_status"] = httpStatus;
        host.reply(callId, reply.dump(-1, ' ', false, json::error_handler_t::replace));
    }

    /**
     * Sends one request of step @p step; @p next gets the answer when the server answered with
     * a 2xx status. Anything else answers the call with the state it means.
     */
    void send(const std::string &step, const std::string &method, const std::string &url, std::string body,
              std::function<void(const tessera::sdk::HttpResponse &)> next)
    {
        tessera::sdk::HttpRequest r;
        r.method = method;
        r.url = url;
        r.body = std::move(body);
        if (!r.body.empty())
            r.headers.emplace_back("Content-Type", "application/json");
        r.headers.emplace_back("Accept", "application/json");
        r.timeoutMs = request.stepTimeoutMs;
        r.maxResponseBytes = kMaxProbeAnswerBytes;
        r.sessionId = sessionId;
        auto self = shared_from_this();
        const tessera::sdk::Status started = host.http(r, [self, step, url, next](const tessera::sdk::HttpResponse &response) {
            if (!response.status.ok()) {
                if (response.status.code == TESSERA_TIMEOUT)
                    return self->answer("timeout", step, url + " did not answer within "
                                                             + std::to_string(self->request.stepTimeoutMs) + " ms");
                return self->answer("refused", step, url + ": " + response.status.message);
            }
            if (response.httpStatus >= 500)
                return self->answer("server-error", step, url + " answered HTTP " + std::to_string(response.httpStatus),
                                    response.httpStatus);
            if (response.httpStatus < 200 || response.httpStatus >= 300)
                return self->answer("rejected", step, url + " answered HTTP " + std::to_string(response.httpStatus),
                                    response.httpStatus);
            next(response);
        });
        if (!started)
            answer("bad-answer", step, "Tessera does not make this request: " + started.message);
    }

    void start()
    {
        const std::string url = request.base + "/.well-known/matrix/client";
        auto self = shared_from_this();
        send("well-known", "GET", url, {}, [self, url](const tessera::sdk::HttpResponse &r) { self->readFoci(url, r); });
    }

    void readFoci(const std::string &url, const tessera::sdk::HttpResponse &r)
    {
        const json doc = json::parse(r.body, nullptr, false);
        if (doc.is_discarded() || !doc.is_object())
            return answer("bad-answer", "well-known", url + " is not a JSON object");
        auto foci = doc.find("org.matrix.msc4143.rtc_foci");
        if (foci == doc.end() || !foci->is_array())
            return answer("no-transport", "well-known", url + " names no call transport (org.matrix.msc4143.rtc_foci)");
        for (const json &focus : *foci) {
            if (!focus.is_object())
                continue;
            auto type = focus.find("type");
            if (type == focus.end() || !type->is_string() || type->get<std::string>() != "livekit")
                continue;
            auto service = focus.find("livekit_service_url");
            if (service == focus.end() || !service->is_string())
                continue;
            serviceUrl = jitsi::serviceUrl(service->get<std::string>());
            if (serviceUrl.empty())
                return answer("bad-answer", "well-known", "the LiveKit service URL in " + url + " is not an http(s) address");
            return askService();
        }
        answer("no-transport", "well-known", url + " names no LiveKit transport");
    }

    void askService()
    {
        auto self = shared_from_this();
        if (request.openid.is_null()) {
            const std::string url = serviceUrl + "/healthz";
            return send("jwt-service", "GET", url, {}, [self](const tessera::sdk::HttpResponse &) {
                self->answer("healthy", "jwt-service", "the LiveKit JWT service answers; its SFU was not asked for "
                                                       "(no OpenID token)");
            });
        }
        const std::string url = serviceUrl + "/sfu/get";
        json body{{"room", request.roomId}, {"openid_token", request.openid}};
        if (!request.deviceId.empty())
            body["device_id"] = request.deviceId;
        send("jwt-service", "POST", url, body.dump(-1, ' ', false, json::error_handler_t::replace),
             [self, url](const tessera::sdk::HttpResponse &r) { self->readToken(url, r); });
    }

    void readToken(const std::string &url, const tessera::sdk::HttpResponse &r)
    {
        const json doc = json::parse(r.body, nullptr, false);
        if (doc.is_discarded() || !doc.is_object() || !doc.contains("url") || !doc["url"].is_string()
            || !doc.contains("jwt") || !doc["jwt"].is_string())
            return answer("bad-answer", "jwt-service", url + " did not answer with {\"url\", \"jwt\"}");
        std::string sfu = doc["url"].get<std::string>();
        // The SFU's signalling is a WebSocket; LiveKit answers a plain HTTP GET on the same address.
        if (sfu.rfind("wss://", 0) == 0)
            sfu = "https://" + sfu.substr(6);
        else if (sfu.rfind("ws://", 0) == 0)
            sfu = "http://" + sfu.substr(5);
        sfuUrl = jitsi::serviceUrl(sfu);
        if (sfuUrl.empty())
            return answer("bad-answer", "jwt-service", url + " named an SFU that is not a ws(s) or http(s) address");
        tessera::sdk::HttpRequest probe;
        probe.url = sfuUrl + "/";
        probe.timeoutMs = request.stepTimeoutMs;
        probe.maxResponseBytes = kMaxProbeAnswerBytes;
        probe.sessionId = sessionId;
        auto self = shared_from_this();
        const tessera::sdk::Status started = host.http(probe, [self](const tessera::sdk::HttpResponse &response) {
            if (!response.status.ok()) {
                const bool late = response.status.code == TESSERA_TIMEOUT;
                return self->answer("sfu-not-answering", "sfu",
                                    self->sfuUrl + (late ? " did not answer within " + std::to_string(self->request.stepTimeoutMs) + " ms"
                                                         : ": " + response.status.message));
            }
            // Any HTTP answer: the SFU is there (its own errors are the call's, not the service's).
            self->answer("healthy", "sfu", "the LiveKit JWT service gave a token and its SFU answers",
                         response.httpStatus);
        });
        if (!started)
            answer("bad-answer", "sfu", "Tessera does not make this request: " + started.message);
    }
};

} // namespace

std::string parseProbeRequest(const json &data, const json &widget, ProbeRequest &out)
{
    if (!data.is_object())
        return "the request's data must be an object";
    auto server = data.find("server");
    if (server == data.end() || !server->is_string() || server->get<std::string>().empty())
        return "\"server\" must name the homeserver (example.org, or its https:// address)";
    const std::string s = server->get<std::string>();
    if (s.find("://") != std::string::npos) {
        out.base = baseOf(s);
        if (out.base.empty())
            return "\"server\" must be a server name or an address without a path, not \"" + s + "\"";
    } else {
        auto domain = normaliseDomain(s);
        if (!domain)
            return "\"server\" is not a server name: \"" + s + "\"";
        out.base = "https://" + *domain;
    }
    if (auto openid = data.find("openid_token"); openid != data.end() && !openid->is_null()) {
        if (!openid->is_object())
            return "\"openid_token\" must be the object get_openid gave";
        out.openid = *openid;
    }
    if (auto device = data.find("device_id"); device != data.end()) {
        if (!device->is_string() || device->get<std::string>().size() > 255)
            return "\"device_id\" must be a string of at most 255 bytes";
        out.deviceId = device->get<std::string>();
    }
    if (auto timeout = data.find("timeout_ms"); timeout != data.end()) {
        const std::int64_t ms = timeout->is_number_integer() ? timeout->get<std::int64_t>() : -1;
        if (ms < std::int64_t{kMinProbeStepTimeoutMs} || ms > std::int64_t{kProbeStepTimeoutMs})
            return "\"timeout_ms\" must be " + std::to_string(kMinProbeStepTimeoutMs) + " to "
                   + std::to_string(kProbeStepTimeoutMs);
        out.stepTimeoutMs = static_cast<std::uint32_t>(ms);
    }
    if (widget.is_object())
        if (auto room = widget.find("room_id"); room != widget.end() && room->is_string())
            out.roomId = room->get<std::string>();
    return {};
}

void runProbe(tessera::sdk::Host &host, std::uint64_t callId, std::uint64_t sessionId, ProbeRequest request)
{
    std::make_shared<Probe>(host, callId, sessionId, std::move(request))->start();
}

} // namespace tessera::jitsi
