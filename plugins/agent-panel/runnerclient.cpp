// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "runnerclient.h"

#include <algorithm>
#include <cctype>
#include <memory>

using nlohmann::json;
using tessera::sdk::Call;
using tessera::sdk::HttpRequest;
using tessera::sdk::HttpResponse;

namespace agentpanel {

namespace {

constexpr std::size_t kMaxTextBytes = 8192;
constexpr std::size_t kMaxRunnerMessageBytes = 300;

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

bool validId(const std::string &id, std::size_t maxBytes)
{
    if (id.empty() || id.size() > maxBytes || id == "." || id == "..")
        return false;
    return std::all_of(id.begin(), id.end(), [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '_' || c == '.'; });
}

bool isLoopback(const std::string &host)
{
    return host == "127.0.0.1" || host == "localhost" || host == "[::1]";
}

const json &field(const json &data, const char *name)
{
    static const json none;
    if (!data.is_object())
        return none;
    auto it = data.find(name);
    return it == data.end() ? none : *it;
}

bool isInteger(const json &v)
{
    return v.is_number_integer() || v.is_number_unsigned();
}

std::string runnerMessage(const std::string &body)
{
    const json j = json::parse(body, nullptr, false);
    std::string m;
    if (j.is_object()) {
        if (field(j, "message").is_string())
            m = j["message"].get<std::string>();
        else if (field(j, "error").is_string())
            m = j["error"].get<std::string>();
    }
    if (m.size() > kMaxRunnerMessageBytes) {
        m.resize(kMaxRunnerMessageBytes);
        // Do not cut a UTF-8 sequence in half.
        while (!m.empty() && (static_cast<unsigned char>(m.back()) & 0xC0) == 0x80)
            m.pop_back();
        if (!m.empty() && (static_cast<unsigned char>(m.back()) & 0x80))
            m.pop_back();
        m += "…";
    }
    return m;
}

std::string kindFor(int status)
{
    switch (status) {
    case 400: return "bad-request";
    case 401: return "unauthorized";
    case 403: return "forbidden";
    case 404: return "not-found";
    case 409: return "conflict";
    default: return status >= 500 && status <= 599 ? "server" : "unexpected";
    }
}

std::string text(const json &data, const char *name)
{
    const json &v = field(data, name);
    return v.is_string() ? v.get<std::string>() : std::string();
}

} // namespace

std::string checkTarget(const std::string &runnerUrl, const std::string &agentId, Target &out)
{
    std::string url = runnerUrl;
    while (!url.empty() && url.back() == '/')
        url.pop_back();
    const auto scheme = url.find("://");
    if (url.empty() || url.size() > kMaxRunnerUrlBytes || scheme == std::string::npos)
        return "runner_url must be an https: address of at most " + std::to_string(kMaxRunnerUrlBytes)
               + " bytes, e.g. https://agents.example.org";
    const std::string s = lower(url.substr(0, scheme));
    if (s != "https" && s != "http")
        return "runner_url must be an https: address, not " + s + ":";
    if (std::any_of(url.begin(), url.end(), [](unsigned char c) { return c <= 0x20 || c >= 0x7f; })
        || url.find_first_of("?#@\\") != std::string::npos)
        return "runner_url must not contain a query, a fragment, a user name, spaces or other characters";
    const auto hostEnd = url.find('/', scheme + 3);
    const std::string authority = lower(url.substr(scheme + 3, hostEnd == std::string::npos ? std::string::npos : hostEnd - scheme - 3));
    if (authority.empty())
        return "runner_url has no host";
    std::string host = authority;
    if (host.front() == '[') {
        host = host.substr(0, host.find(']') + 1);
    } else if (host.find(':') != std::string::npos) {
        host = host.substr(0, host.find(':'));
    }
    const std::string port = authority.substr(host.size());
    if (!port.empty() && (port.size() < 2 || port.size() > 6 || port[0] != ':'
                          || !std::all_of(port.begin() + 1, port.end(), [](unsigned char c) { return std::isdigit(c); })))
        return "runner_url has an invalid port";
    if (s == "http" && !isLoopback(host))
        return "runner_url must use https: (http: is allowed only for a runner on this computer)";
    if (!validId(agentId, kMaxAgentIdBytes))
        return "agent_id must be 1 to " + std::to_string(kMaxAgentIdBytes)
               + " letters, digits, '-', '_' or '.'";
    out.runnerUrl = s + "://" + authority + (hostEnd == std::string::npos ? std::string() : url.substr(hostEnd));
    out.audience = s + "://" + authority;
    out.agentId = agentId;
    return {};
}

std::string parseTarget(std::string_view widgetJson, Target &out)
{
    const json widget = json::parse(widgetJson, nullptr, false);
    const json &data = field(widget, "data");
    const json &runnerUrl = field(data, "runner_url");
    const json &agentId = field(data, "agent_id");
    if (!runnerUrl.is_string() || runnerUrl.get<std::string>().empty())
        return "the widget's data has no runner_url";
    if (!agentId.is_string() || agentId.get<std::string>().empty())
        return "the widget's data has no agent_id";
    return checkTarget(runnerUrl.get<std::string>(), agentId.get<std::string>(), out);
}

std::string normalizeRun(const json &in, json &out)
{
    if (!in.is_object())
        return "a run is not a JSON object";
    const std::string id = text(in, "id");
    if (id.empty() || id.size() > 128)
        return "a run has no id";
    const json &started = field(in, "started_at");
    if (!isInteger(started))
        return "run " + id + " has no started_at (milliseconds since 1970)";
    const json &finished = field(in, "finished_at");
    if (!finished.is_null() && !isInteger(finished))
        return "run " + id + ": finished_at is not a time";
    const std::string result = text(in, "result");
    if (result != "running" && result != "succeeded" && result != "failed" && result != "cancelled")
        return "run " + id + ": result \"" + result.substr(0, 40) + "\" is not running, succeeded, failed or cancelled";
    out = json{{"id", id}, {"started_at", started}, {"finished_at", finished.is_null() ? json(nullptr) : finished},
               {"result", result}, {"trigger", text(in, "trigger").substr(0, 64)}, {"task", text(in, "task").substr(0, 500)}};
    const json &duration = field(in, "duration_ms");
    if (isInteger(duration))
        out["duration_ms"] = duration;
    else if (isInteger(finished))
        out["duration_ms"] = finished.get<std::int64_t>() - started.get<std::int64_t>();
    else
        out["duration_ms"] = nullptr;
    return {};
}

std::string normalizeAgent(const json &in, json &out)
{
    if (!in.is_object())
        return "the agent is not a JSON object";
    const std::string id = text(in, "id");
    if (id.empty())
        return "the agent has no id";
    const std::string status = text(in, "status");
    if (status != "running" && status != "idle" && status != "failed" && status != "stopped")
        return "the agent's status \"" + status.substr(0, 40) + "\" is not running, idle, failed or stopped";
    const json &task = field(in, "current_task");
    if (!task.is_null() && !task.is_string())
        return "the agent's current_task is not text";
    out = json{{"id", id.substr(0, 128)},
               {"name", text(in, "name").empty() ? id.substr(0, 128) : text(in, "name").substr(0, 200)},
               {"status", status},
               {"current_task", task.is_string() ? json(task.get<std::string>().substr(0, 500)) : json(nullptr)}};
    const json &last = field(in, "last_run");
    if (last.is_null()) {
        out["last_run"] = nullptr;
    } else {
        json run;
        if (std::string e = normalizeRun(last, run); !e.empty())
            return e;
        out["last_run"] = run;
    }
    const json &controls = field(in, "controls");
    auto allowed = [&](const char *name, bool fallback) {
        const json &v = field(controls, name);
        return v.is_boolean() ? v.get<bool>() : fallback;
    };
    out["controls"] = {{"restart", allowed("restart", true)}, {"stop", allowed("stop", false)}, {"start", allowed("start", false)}};
    const json &seq = field(in, "log_seq");
    out["log_seq"] = isInteger(seq) ? seq : json(nullptr);
    return {};
}

std::string normalizeLine(const json &in, json &out)
{
    if (!in.is_object())
        return "a log line is not a JSON object";
    const json &seq = field(in, "seq");
    if (!isInteger(seq) || seq.get<std::int64_t>() < 0)
        return "a log line has no sequence number";
    const std::string level = text(in, "level");
    if (level != "debug" && level != "info" && level != "warning" && level != "error")
        return "log line " + std::to_string(seq.get<std::int64_t>()) + ": level \"" + level.substr(0, 40)
               + "\" is not debug, info, warning or error";
    const json &message = field(in, "message");
    if (!message.is_string())
        return "log line " + std::to_string(seq.get<std::int64_t>()) + " has no message";
    std::string m = message.get<std::string>();
    if (m.size() > kMaxTextBytes)
        m.resize(kMaxTextBytes); // the dump below replaces a cut UTF-8 sequence
    out = json{{"seq", seq}, {"ts", isInteger(field(in, "ts")) ? in["ts"] : json(nullptr)}, {"level", level}, {"message", m}};
    return {};
}

std::string httpFailure(const HttpResponse &response)
{
    if (!response.status.ok()) {
        const std::string &m = response.status.message;
        if (m.find("timed out") != std::string::npos)
            return "timeout: the runner did not answer in time (" + m + ")";
        return "offline: the runner cannot be reached (" + m + ")";
    }
    const std::string said = runnerMessage(response.body);
    return kindFor(response.httpStatus) + ": the runner answered HTTP " + std::to_string(response.httpStatus)
           + (said.empty() ? std::string() : ": " + said);
}

void takeEvents(std::string &buffer,
                const std::function<void(const std::string &, const std::string &, const std::string &)> &event)
{
    for (;;) {
        // Events end with a blank line; line ends may be \n or \r\n.
        std::size_t end = buffer.find("\n\n");
        std::size_t crlf = buffer.find("\r\n\r\n");
        std::size_t skip = 2;
        if (crlf != std::string::npos && (end == std::string::npos || crlf < end)) {
            end = crlf;
            skip = 4;
        }
        if (end == std::string::npos)
            return;
        const std::string block = buffer.substr(0, end);
        buffer.erase(0, end + skip);
        std::string name = "message";
        std::string data;
        std::string id;
        bool any = false;
        std::size_t pos = 0;
        while (pos <= block.size()) {
            std::size_t nl = block.find('\n', pos);
            std::string line = block.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
            pos = nl == std::string::npos ? block.size() + 1 : nl + 1;
            if (!line.empty() && line.back() == '\r')
                line.pop_back();
            if (line.empty() || line[0] == ':')
                continue; // a comment: the runner's keep-alive
            const auto colon = line.find(':');
            const std::string key = line.substr(0, colon);
            std::string value = colon == std::string::npos ? std::string() : line.substr(colon + 1);
            if (!value.empty() && value[0] == ' ')
                value.erase(0, 1);
            if (key == "event")
                name = value;
            else if (key == "data") {
                data += (any ? "\n" : "") + value;
                any = true;
            } else if (key == "id")
                id = value;
        }
        if (any)
            event(name, data, id);
    }
}

// ---- the client -----------------------------------------------------------------------------

void RunnerClient::withToken(std::uint64_t sessionId, const Target &target, const std::string &scope, Done done)
{
    tessera::sdk::Host &host = m_host();
    const auto key = std::make_pair(sessionId, target.audience + " " + scope);
    auto it = m_tokens.find(key);
    if (it != m_tokens.end() && it->second.expiresAtMs - host.wallClockMs() > kTokenRefreshMarginMs)
        return done({}, it->second.value);
    const auto status = host.mintToken(sessionId, target.audience, scope, kTokenLifetimeSeconds,
                                       [this, key, done](const tessera::sdk::Status &s, std::string_view answer) {
                                           if (!s)
                                               return done("token: Tessera could not sign a token for the runner ("
                                                               + s.message + ")",
                                                           {});
                                           const json j = json::parse(answer, nullptr, false);
                                           const std::string token = text(j, "token");
                                           if (token.empty())
                                               return done("token: Tessera's answer held no token", {});
                                           const json &exp = field(j, "expires_at_ms");
                                           m_tokens[key] = Token{token, isInteger(exp) ? exp.get<std::int64_t>() : 0};
                                           done({}, token);
                                       });
    if (!status)
        done("token: Tessera could not sign a token for the runner (" + status.message + ")", {});
}

void RunnerClient::send(const Call &call, const Target &target, const std::string &scope, const std::string &method,
                        const std::string &path, std::function<void(std::uint64_t, const json &)> onOk)
{
    const std::uint64_t callId = call.id;
    const std::uint64_t sessionId = call.sessionId;
    withToken(sessionId, target, scope, [this, callId, sessionId, target, method, path, onOk](const std::string &error,
                                                                                             const std::string &token) {
        tessera::sdk::Host &host = m_host();
        if (!error.empty())
            return void(host.replyError(callId, error));
        HttpRequest r;
        r.method = method;
        r.url = target.runnerUrl + path;
        r.headers = {{"Authorization", "Bearer " + token}, {"Accept", "application/json"}};
        if (method == "POST") {
            r.headers.emplace_back("Content-Type", "application/json");
            r.body = "{}";
        }
        r.timeoutMs = kRequestTimeoutMs;
        r.maxResponseBytes = kMaxAnswerBytes;
        r.sessionId = sessionId;
        const auto started = host.http(r, [this, callId, onOk](const HttpResponse &response) {
            tessera::sdk::Host &h = m_host();
            if (!response.status.ok() || response.httpStatus < 200 || response.httpStatus > 299)
                return void(h.replyError(callId, httpFailure(response)));
            const json answer = json::parse(response.body, nullptr, false);
            if (!answer.is_object())
                return void(h.replyError(callId, "malformed: the runner's answer (HTTP " + std::to_string(response.httpStatus)
                                                      + ") is not a JSON object"));
            onOk(callId, answer);
        });
        if (!started)
            host.replyError(callId, "offline: the request could not be made (" + started.message + ")");
    });
}

void RunnerClient::handle(const Call &call)
{
    tessera::sdk::Host &host = m_host();
    Target target;
    if (const std::string e = parseTarget(call.widgetJson, target); !e.empty())
        return void(host.replyError(call.id, "bad-config: " + e));
    const json data = json::parse(call.dataJson, nullptr, false);
    if (!data.is_object())
        return void(host.replyError(call.id, "bad-request: the request's data is not a JSON object"));
    const std::string action(call.action);
    const std::string agent = "/agents/" + target.agentId;
    auto reply = [this](std::uint64_t id, const json &answer) { m_host().reply(id, answer.dump(-1, ' ', false, json::error_handler_t::replace)); };
    auto agentAnswer = [this, reply](std::uint64_t id, const json &answer) {
        json agentJson;
        const json &in = answer.contains("agent") ? answer["agent"] : answer;
        if (std::string e = normalizeAgent(in, agentJson); !e.empty())
            return void(m_host().replyError(id, "malformed: " + e));
        reply(id, json{{"agent", agentJson}});
    };

    if (action == std::string(kReadCapability) + ".config")
        return reply(call.id, json{{"runner_url", target.runnerUrl}, {"agent_id", target.agentId}});
    if (action == std::string(kReadCapability) + ".status")
        return send(call, target, kReadScope, "GET", agent, agentAnswer);
    if (action == std::string(kReadCapability) + ".runs") {
        const json &limit = field(data, "limit");
        int n = 10;
        if (!limit.is_null()) {
            if (!isInteger(limit) || limit.get<std::int64_t>() < 1 || limit.get<std::int64_t>() > kMaxRunsLimit)
                return void(host.replyError(call.id, "bad-request: limit must be 1 to " + std::to_string(kMaxRunsLimit)));
            n = limit.get<int>();
        }
        std::string path = agent + "/runs?limit=" + std::to_string(n);
        const json &before = field(data, "before");
        if (!before.is_null()) {
            if (!before.is_string() || !validId(before.get<std::string>(), 128))
                return void(host.replyError(call.id, "bad-request: before must be a run id"));
            path += "&before=" + before.get<std::string>();
        }
        return send(call, target, kReadScope, "GET", path, [this, reply](std::uint64_t id, const json &answer) {
            const json &runs = field(answer, "runs");
            if (!runs.is_array())
                return void(m_host().replyError(id, "malformed: the runner's answer has no list of runs"));
            json out = json::array();
            for (const json &r : runs) {
                json run;
                if (std::string e = normalizeRun(r, run); !e.empty())
                    return void(m_host().replyError(id, "malformed: " + e));
                out.push_back(run);
            }
            const std::string next = text(answer, "next_before");
            reply(id, json{{"runs", out}, {"next_before", next.empty() ? json(nullptr) : json(next)}});
        });
    }
    if (action == std::string(kReadCapability) + ".logs") {
        const json &since = field(data, "since");
        const json &limit = field(data, "limit");
        if (!since.is_null() && (!isInteger(since) || since.get<std::int64_t>() < 0))
            return void(host.replyError(call.id, "bad-request: since must be a log sequence number"));
        if (!limit.is_null() && (!isInteger(limit) || limit.get<std::int64_t>() < 1 || limit.get<std::int64_t>() > kMaxLogsLimit))
            return void(host.replyError(call.id, "bad-request: limit must be 1 to " + std::to_string(kMaxLogsLimit)));
        const std::string path = agent + "/logs?since=" + std::to_string(since.is_null() ? 0 : since.get<std::int64_t>())
                                 + "&limit=" + std::to_string(limit.is_null() ? 200 : limit.get<std::int64_t>());
        return send(call, target, kReadScope, "GET", path, [this, reply](std::uint64_t id, const json &answer) {
            const json &lines = field(answer, "lines");
            if (!lines.is_array())
                return void(m_host().replyError(id, "malformed: the runner's answer has no list of log lines"));
            json out = json::array();
            for (const json &l : lines) {
                json line;
                if (std::string e = normalizeLine(l, line); !e.empty())
                    return void(m_host().replyError(id, "malformed: " + e));
                out.push_back(line);
            }
            const json &last = field(answer, "last_seq");
            reply(id, json{{"lines", out}, {"last_seq", isInteger(last) ? last : json(nullptr)}});
        });
    }
    if (action == std::string(kReadCapability) + ".tail") {
        const json &since = field(data, "since");
        if (!since.is_null() && (!isInteger(since) || since.get<std::int64_t>() < 0))
            return void(host.replyError(call.id, "bad-request: since must be a log sequence number"));
        return startTail(call.sessionId, target, since.is_null() ? 0 : since.get<std::int64_t>(), call.id);
    }
    if (action == std::string(kReadCapability) + ".untail") {
        stopTail(call.sessionId);
        return reply(call.id, json::object());
    }
    for (const char *verb : {"restart", "stop", "start"})
        if (action == std::string(kControlCapability) + "." + verb)
            return send(call, target, kControlScope, "POST", agent + "/" + verb, agentAnswer);
    host.replyError(call.id, "bad-request: unknown action " + action);
}

void RunnerClient::startTail(std::uint64_t sessionId, const Target &target, std::int64_t since, std::uint64_t callId)
{
    stopTail(sessionId);
    const std::uint64_t generation = m_nextGeneration++;
    Tail &tail = m_tails[sessionId];
    tail.generation = generation;
    tail.lastSeq = since;
    tail.target = target;
    tail.lastByteMs = m_host().nowMs();
    auto replied = std::make_shared<bool>(callId == 0);
    withToken(sessionId, target, kReadScope, [this, sessionId, generation, callId, replied](const std::string &error,
                                                                                           const std::string &token) {
        tessera::sdk::Host &host = m_host();
        auto it = m_tails.find(sessionId);
        if (it == m_tails.end() || it->second.generation != generation) {
            if (!*replied)
                host.replyError(callId, "bad-request: the tail was stopped");
            return;
        }
        if (!error.empty()) {
            if (!*replied) {
                *replied = true;
                host.replyError(callId, error);
                m_tails.erase(it);
            } else {
                tailEnded(sessionId, generation, error);
            }
            return;
        }
        const Tail &tail = it->second;
        HttpRequest r;
        r.url = tail.target.runnerUrl + "/agents/" + tail.target.agentId + "/logs/stream?since=" + std::to_string(tail.lastSeq);
        r.headers = {{"Authorization", "Bearer " + token}, {"Accept", "text/event-stream"}};
        r.timeoutMs = kTailWindowMs;
        r.maxResponseBytes = 64u * 1024u * 1024u;
        r.sessionId = sessionId;
        r.onData = [this, sessionId, generation, callId, replied](int status, std::string_view piece) {
            auto t = m_tails.find(sessionId);
            if (t == m_tails.end() || t->second.generation != generation)
                return;
            Tail &tl = t->second;
            tl.status = status;
            tl.lastByteMs = m_host().nowMs();
            if (status != 200) {
                if (tl.body.size() < 8192)
                    tl.body.append(piece.substr(0, 8192 - tl.body.size()));
                return;
            }
            if (!*replied) {
                *replied = true;
                m_host().reply(callId, R"({"tailing":true})");
            }
            tl.buffer.append(piece);
            if (tl.buffer.size() > kMaxTailBuffer) {
                m_host().cancelHttp(tl.requestId);
                return tailEnded(sessionId, generation,
                                 "malformed: the runner's log stream sent an event longer than "
                                     + std::to_string(kMaxTailBuffer / 1024) + " KiB");
            }
            std::string problem;
            json lines = json::array();
            json status_ = nullptr;
            takeEvents(tl.buffer, [&](const std::string &name, const std::string &data, const std::string &) {
                const json j = json::parse(data, nullptr, false);
                if (name == "log") {
                    json line;
                    if (std::string e = normalizeLine(j, line); !e.empty()) {
                        problem = e;
                        return;
                    }
                    if (line["seq"].get<std::int64_t>() > tl.lastSeq) {
                        tl.lastSeq = line["seq"].get<std::int64_t>();
                        lines.push_back(line);
                    }
                } else if (name == "status") {
                    json agent;
                    if (std::string e = normalizeAgent(j, agent); !e.empty()) {
                        problem = e;
                        return;
                    }
                    status_ = agent;
                }
            });
            if (!lines.empty() || !status_.is_null())
                m_host().push(sessionId, kReadCapability, kTailPush,
                              json{{"lines", lines}, {"agent", status_}}.dump(-1, ' ', false, json::error_handler_t::replace));
            if (!problem.empty()) {
                m_host().cancelHttp(tl.requestId);
                tailEnded(sessionId, generation, "malformed: " + problem);
            }
        };
        std::uint64_t requestId = 0;
        const auto started = host.http(
            r,
            [this, sessionId, generation, callId, replied](const HttpResponse &response) {
                auto t = m_tails.find(sessionId);
                if (t == m_tails.end() || t->second.generation != generation)
                    return;
                Tail &tl = t->second;
                std::string error;
                if (!response.status.ok()) {
                    // The window ends with a timeout by design: reopen from the last line seen.
                    if (*replied && tl.status == 200 && response.status.message.find("timed out") != std::string::npos) {
                        const Target target = tl.target;
                        const std::int64_t since = tl.lastSeq;
                        return startTail(sessionId, target, since, 0);
                    }
                    error = httpFailure(response);
                } else if (tl.status != 200 && response.httpStatus != 200) {
                    HttpResponse withBody = response;
                    withBody.body = tl.body;
                    error = httpFailure(withBody);
                } else {
                    error = "offline: the runner closed the log stream";
                }
                if (!*replied) {
                    *replied = true;
                    m_host().replyError(callId, error);
                    stopTail(sessionId);
                    return;
                }
                tailEnded(sessionId, generation, error);
            },
            &requestId);
        if (!started) {
            if (!*replied) {
                *replied = true;
                host.replyError(callId, "offline: the request could not be made (" + started.message + ")");
                stopTail(sessionId);
            } else {
                tailEnded(sessionId, generation, "offline: the request could not be made (" + started.message + ")");
            }
            return;
        }
        auto again = m_tails.find(sessionId);
        if (again == m_tails.end() || again->second.generation != generation)
            return; // it ended already
        again->second.requestId = requestId;
        watchTail(sessionId, generation);
        // The first answer must come within the usual time, or the call says so.
        if (!*replied)
            host.setTimer(kRequestTimeoutMs, [this, sessionId, generation, callId, replied] {
                auto t = m_tails.find(sessionId);
                if (*replied || t == m_tails.end() || t->second.generation != generation)
                    return;
                *replied = true;
                m_host().replyError(callId, "timeout: the runner did not start the log stream within "
                                                + std::to_string(kRequestTimeoutMs / 1000.0).substr(0, 3) + " s");
                stopTail(sessionId);
            });
    });
}

void RunnerClient::watchTail(std::uint64_t sessionId, std::uint64_t generation)
{
    auto it = m_tails.find(sessionId);
    if (it == m_tails.end() || it->second.generation != generation)
        return;
    it->second.timerId = m_host().setTimer(2500, [this, sessionId, generation] {
        auto t = m_tails.find(sessionId);
        if (t == m_tails.end() || t->second.generation != generation)
            return;
        t->second.timerId = 0;
        if (m_host().nowMs() - t->second.lastByteMs > kTailSilenceMs) {
            m_host().cancelHttp(t->second.requestId);
            return tailEnded(sessionId, generation,
                             "offline: no word from the runner for " + std::to_string(kTailSilenceMs / 1000) + " s");
        }
        watchTail(sessionId, generation);
    });
}

void RunnerClient::tailEnded(std::uint64_t sessionId, std::uint64_t generation, const std::string &error)
{
    auto it = m_tails.find(sessionId);
    if (it == m_tails.end() || it->second.generation != generation)
        return;
    const std::int64_t lastSeq = it->second.lastSeq;
    stopTail(sessionId);
    const auto colon = error.find(':');
    m_host().push(sessionId, kReadCapability, kTailEndedPush,
                  json{{"kind", error.substr(0, colon)},
                       {"message", colon == std::string::npos ? error : error.substr(colon + 2)},
                       {"last_seq", lastSeq}}
                      .dump(-1, ' ', false, json::error_handler_t::replace));
}

void RunnerClient::stopTail(std::uint64_t sessionId)
{
    auto it = m_tails.find(sessionId);
    if (it == m_tails.end())
        return;
    if (it->second.requestId)
        m_host().cancelHttp(it->second.requestId);
    if (it->second.timerId)
        m_host().cancelTimer(it->second.timerId);
    m_tails.erase(it);
}

void RunnerClient::sessionClosed(std::uint64_t sessionId)
{
    stopTail(sessionId);
    for (auto it = m_tokens.begin(); it != m_tokens.end();)
        it = it->first.first == sessionId ? m_tokens.erase(it) : std::next(it);
}

void RunnerClient::stopAll()
{
    while (!m_tails.empty())
        stopTail(m_tails.begin()->first);
    m_tokens.clear();
}

} // namespace agentpanel
