// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "agentrunner.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>

#include <httplib.h>

#include "tokens/scopedtoken.h"

using nlohmann::json;

namespace tessera::test {

namespace {

/** Lines kept per agent; older ones are dropped (a `since` before them starts at the oldest kept). */
constexpr std::size_t kMaxLines = 5000;
constexpr int kMaxRunsPage = 50;
constexpr int kMaxLogsPage = 500;

std::int64_t nowMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

void error(httplib::Response &res, int status, const std::string &code, const std::string &message)
{
    res.status = status;
    res.set_content(json{{"error", code}, {"message", message}}.dump(), "application/json");
}

std::optional<long long> number(const httplib::Request &req, const char *name)
{
    if (!req.has_param(name))
        return std::nullopt;
    const std::string v = req.get_param_value(name);
    if (v.empty() || v.size() > 18 || !std::all_of(v.begin(), v.end(), [](unsigned char c) { return std::isdigit(c); }))
        return -1;
    return std::stoll(v);
}

const char *const kTasks[] = {"Triaging new issues", "Summarising yesterday's discussion", "Checking the nightly build",
                              "Answering the support queue"};
const char *const kSteps[] = {"fetched 12 items", "classified item", "posted a summary", "waiting for the API",
                              "retrying after a slow answer", "step finished"};

} // namespace

AgentRunner::AgentRunner(Options options) : m_options(std::move(options)), m_jwks(m_options.jwks)
{
    serve();
    if (m_options.tickMs > 0)
        m_ticker = std::thread([this] {
            while (!m_quit) {
                std::unique_lock lock(m_mutex);
                m_changed.wait_for(lock, std::chrono::milliseconds(m_options.tickMs), [this] { return m_quit.load(); });
                lock.unlock();
                if (!m_quit)
                    tick();
            }
        });
}

AgentRunner::~AgentRunner()
{
    m_quit = true;
    m_changed.notify_all();
    if (m_ticker.joinable())
        m_ticker.join();
    stop();
}

void AgentRunner::serve()
{
    m_stopping = false;
    m_server = std::make_unique<httplib::Server>();
    routes();
    m_server->set_keep_alive_max_count(1); // stop() need not wait for an idle connection
    if (m_port == 0) {
        m_port = m_options.port > 0 ? (m_server->bind_to_port("127.0.0.1", m_options.port) ? m_options.port : -1)
                                    : m_server->bind_to_any_port("127.0.0.1");
    } else if (!m_server->bind_to_port("127.0.0.1", m_port)) {
        // The old socket may linger for a moment after stop().
        for (int i = 0; i < 200 && !m_server->bind_to_port("127.0.0.1", m_port); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    m_thread = std::thread([this] { m_server->listen_after_bind(); });
    while (!m_server->is_running() && m_port > 0)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

void AgentRunner::stop()
{
    if (!m_server)
        return;
    m_stopping = true;
    m_changed.notify_all();
    m_server->stop();
    if (m_thread.joinable())
        m_thread.join();
    m_server.reset();
}

void AgentRunner::start()
{
    if (!m_server)
        serve();
}

std::string AgentRunner::url() const
{
    return "http://127.0.0.1:" + std::to_string(m_port);
}

void AgentRunner::addAgent(const Agent &agent)
{
    std::lock_guard lock(m_mutex);
    State &s = m_agents[agent.id];
    s.agent = agent;
    append(s, "info", "Agent " + agent.name + " started");
    startRun(s, "schedule", "");
}

void AgentRunner::append(State &s, const std::string &level, const std::string &message)
{
    s.lines.push_back(Line{s.nextSeq++, nowMs(), level, message});
    while (s.lines.size() > kMaxLines)
        s.lines.pop_front();
    m_changed.notify_all();
}

void AgentRunner::startRun(State &s, const std::string &trigger, const std::string &who)
{
    Run run;
    run.id = "run-" + std::to_string(m_nextRun++);
    run.startedAt = nowMs();
    run.trigger = trigger;
    run.task = kTasks[(m_nextRun - 2) % std::size(kTasks)];
    s.runs.push_back(run);
    s.status = "running";
    s.task = run.task;
    s.step = 0;
    append(s, "info", run.id + " started (" + trigger + (who.empty() ? "" : " by " + who) + "): " + run.task);
}

void AgentRunner::finishRun(State &s, const std::string &result)
{
    if (s.runs.empty() || s.runs.back().finishedAt != 0)
        return;
    Run &run = s.runs.back();
    run.finishedAt = std::max(nowMs(), run.startedAt + 1);
    run.result = result;
    s.task.clear();
    append(s, result == "succeeded" ? "info" : "warning", run.id + " " + result);
}

void AgentRunner::tick()
{
    std::lock_guard lock(m_mutex);
    for (auto &[id, s] : m_agents) {
        if (s.status == "running") {
            const int step = s.step++;
            const std::string level = step % 7 == 5 ? "warning" : step % 11 == 9 ? "error" : step % 3 == 2 ? "debug" : "info";
            append(s, level, s.task + ": " + kSteps[step % std::size(kSteps)]);
            if (s.step >= 12) {
                finishRun(s, "succeeded");
                s.status = "idle";
                s.idleTicks = 0;
            }
        } else if (s.status == "idle" && ++s.idleTicks >= 3) {
            startRun(s, "schedule", "");
        }
    }
}

void AgentRunner::log(const std::string &agentId, const std::string &level, const std::string &message)
{
    std::lock_guard lock(m_mutex);
    auto it = m_agents.find(agentId);
    if (it != m_agents.end())
        append(it->second, level, message);
}

void AgentRunner::setJwks(const std::string &jwks)
{
    std::lock_guard lock(m_mutex);
    m_jwks = jwks;
}

void AgentRunner::failNext(int status, int count, int delayMs)
{
    std::lock_guard lock(m_mutex);
    for (int i = 0; i < count; ++i)
        m_faults.push_back({status, delayMs});
}

std::vector<AgentRunner::Seen> AgentRunner::requests() const
{
    std::lock_guard lock(m_mutex);
    return m_seen;
}

json AgentRunner::runJson(const Run &run) const
{
    json j{{"id", run.id}, {"started_at", run.startedAt}, {"result", run.result}, {"trigger", run.trigger}, {"task", run.task}};
    j["finished_at"] = run.finishedAt ? json(run.finishedAt) : json(nullptr);
    j["duration_ms"] = run.finishedAt ? json(run.finishedAt - run.startedAt) : json(nullptr);
    return j;
}

json AgentRunner::stateJson(const State &s) const
{
    json j{{"id", s.agent.id},
           {"name", s.agent.name},
           {"status", s.status},
           {"current_task", s.task.empty() ? json(nullptr) : json(s.task)},
           {"controls", {{"restart", true}, {"stop", s.agent.canStop && s.status != "stopped"},
                         {"start", s.agent.canStop && s.status == "stopped"}}}};
    j["last_run"] = s.runs.empty() ? json(nullptr) : runJson(s.runs.back());
    j["log_seq"] = s.nextSeq - 1;
    return j;
}

void AgentRunner::routes()
{
    // Every request: recorded, then faults, then the token, then the agent and the scope.
    // Returns the agent's state (locked by the caller's lock) or null after answering.
    struct Checked {
        State *state = nullptr;
        std::string subject;
    };
    auto check = [this](const httplib::Request &req, httplib::Response &res, std::unique_lock<std::mutex> &lock,
                        const std::string &scope) -> Checked {
        Seen seen;
        seen.method = req.method;
        seen.path = req.target.empty() ? req.path : req.target;
        for (const auto &[name, value] : req.headers)
            seen.headers += name + ": " + value + "\n";
        seen.authorization = req.get_header_value("Authorization");
        seen.body = req.body;
        const std::size_t index = m_seen.size();
        m_seen.push_back(seen);
        if (!m_options.requestLog.empty()) {
            std::ofstream out(m_options.requestLog, std::ios::app);
            out << json{{"method", seen.method}, {"path", seen.path}, {"headers", seen.headers}, {"body", seen.body}}.dump() << "\n";
        }
        auto answer = [&](int status, const std::string &code, const std::string &message) {
            error(res, status, code, message);
            m_seen[index].status = status;
            return Checked{};
        };

        if (!m_faults.empty()) {
            const Fault fault = m_faults.front();
            m_faults.pop_front();
            if (fault.delayMs > 0) {
                lock.unlock();
                std::this_thread::sleep_for(std::chrono::milliseconds(fault.delayMs));
                lock.lock();
            }
            if (fault.status == 0) {
                res.status = 200;
                res.set_content("<html>not the runner you are looking for", "application/json");
                m_seen[index].status = 200;
                return Checked{};
            }
            if (fault.status > 0)
                return answer(fault.status, "injected", "the runner failed on purpose (HTTP " + std::to_string(fault.status) + ")");
        }

        const std::string auth = seen.authorization;
        if (auth.rfind("Bearer ", 0) != 0) {
            res.set_header("WWW-Authenticate", "Bearer");
            return answer(401, "unauthorized", "a Tessera scoped token is required (Authorization: Bearer …)");
        }
        std::string jwks = m_jwks;
        if (!m_options.jwksFile.empty()) {
            std::ifstream in(m_options.jwksFile);
            std::stringstream text;
            text << in.rdbuf();
            jwks = text.str();
        }
        auto verifier = tokens::TokenVerifier::fromJwks(jwks);
        if (!verifier)
            return answer(500, "keys", "the runner cannot read Tessera's public keys: " + verifier.error().message);
        tokens::VerifyOptions options;
        options.audience = m_options.audience.empty() ? url() : m_options.audience;
        auto claims = verifier->verify(auth.substr(7), options, m_options.clock ? m_options.clock() : nowMs());
        if (!claims) {
            res.set_header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
            return answer(401, "invalid_token", claims.error().message);
        }
        m_seen[index].subject = claims->subject;
        m_seen[index].scopes = claims->scopes;

        const std::string id = req.matches.size() > 1 ? std::string(req.matches[1]) : std::string();
        auto it = m_agents.find(id);
        if (it == m_agents.end())
            return answer(404, "not_found", "no agent " + id + " on this runner");
        State &s = it->second;
        if (claims->roomId != s.agent.roomId)
            return answer(403, "wrong_room", "the token is for room " + claims->roomId + ", agent " + id + " is in "
                                                 + s.agent.roomId);
        if (!s.agent.widgetId.empty() && claims->widgetId != s.agent.widgetId)
            return answer(403, "wrong_widget", "the token is for widget " + claims->widgetId + ", not the agent's panel");
        const bool scoped = std::any_of(claims->scopes.begin(), claims->scopes.end(), [&](const std::string &sc) {
            return sc.size() > scope.size() && sc.compare(sc.size() - scope.size(), scope.size(), scope) == 0
                   && sc[sc.size() - scope.size() - 1] == ':';
        });
        if (!scoped)
            return answer(403, "insufficient_scope", "this needs the scope " + scope);
        m_seen[index].status = 200;
        return Checked{&s, claims->subject};
    };

    m_server->Get(R"(/agents/([^/]+))", [this, check](const httplib::Request &req, httplib::Response &res) {
        std::unique_lock lock(m_mutex);
        const Checked c = check(req, res, lock, kReadScope);
        if (c.state)
            res.set_content(stateJson(*c.state).dump(), "application/json");
    });

    m_server->Get(R"(/agents/([^/]+)/runs)", [this, check](const httplib::Request &req, httplib::Response &res) {
        std::unique_lock lock(m_mutex);
        const Checked c = check(req, res, lock, kReadScope);
        if (!c.state)
            return;
        const auto limit = number(req, "limit").value_or(10);
        if (limit < 1 || limit > kMaxRunsPage)
            return error(res, 400, "bad_request", "limit must be 1 to " + std::to_string(kMaxRunsPage));
        const std::string before = req.get_param_value("before");
        json runs = json::array();
        bool started = before.empty();
        std::string next;
        for (auto it = c.state->runs.rbegin(); it != c.state->runs.rend(); ++it) {
            if (!started) {
                started = it->id == before;
                continue;
            }
            if (static_cast<long long>(runs.size()) == limit) {
                next = runs.back()["id"];
                break;
            }
            runs.push_back(runJson(*it));
        }
        res.set_content(json{{"runs", runs}, {"next_before", next.empty() ? json(nullptr) : json(next)}}.dump(),
                        "application/json");
    });

    m_server->Get(R"(/agents/([^/]+)/logs)", [this, check](const httplib::Request &req, httplib::Response &res) {
        std::unique_lock lock(m_mutex);
        const Checked c = check(req, res, lock, kReadScope);
        if (!c.state)
            return;
        const auto since = number(req, "since").value_or(0);
        const auto limit = number(req, "limit").value_or(100);
        if (since < 0)
            return error(res, 400, "bad_request", "since must be a log sequence number");
        if (limit < 1 || limit > kMaxLogsPage)
            return error(res, 400, "bad_request", "limit must be 1 to " + std::to_string(kMaxLogsPage));
        // The newest `limit` lines after `since`, oldest first.
        std::vector<const Line *> after;
        for (const Line &l : c.state->lines)
            if (l.seq > since)
                after.push_back(&l);
        const std::size_t from = after.size() > static_cast<std::size_t>(limit) ? after.size() - limit : 0;
        json lines = json::array();
        for (std::size_t i = from; i < after.size(); ++i)
            lines.push_back({{"seq", after[i]->seq}, {"ts", after[i]->ts}, {"level", after[i]->level}, {"message", after[i]->message}});
        res.set_content(json{{"lines", lines}, {"last_seq", c.state->nextSeq - 1}}.dump(), "application/json");
    });

    m_server->Get(R"(/agents/([^/]+)/logs/stream)", [this, check](const httplib::Request &req, httplib::Response &res) {
        std::unique_lock lock(m_mutex);
        const Checked c = check(req, res, lock, kReadScope);
        if (!c.state)
            return;
        const auto since = number(req, "since").value_or(0);
        if (since < 0)
            return error(res, 400, "bad_request", "since must be a log sequence number");
        const std::string id = c.state->agent.id;
        auto last = std::make_shared<std::int64_t>(since);
        auto status = std::make_shared<std::string>();
        res.set_header("Cache-Control", "no-store");
        res.set_chunked_content_provider("text/event-stream", [this, id, last, status](std::size_t, httplib::DataSink &sink) {
            std::unique_lock lock(m_mutex);
            m_changed.wait_for(lock, std::chrono::milliseconds(1000), [&] {
                if (m_stopping)
                    return true;
                auto it = m_agents.find(id);
                return it != m_agents.end() && (it->second.nextSeq - 1 > *last || it->second.status != *status);
            });
            if (m_stopping)
                return false; // the connection is cut, as when the process dies
            auto it = m_agents.find(id);
            if (it == m_agents.end())
                return false;
            std::string out;
            const State &s = it->second;
            if (s.status != *status) {
                *status = s.status;
                out += "event: status\ndata: " + stateJson(s).dump() + "\n\n";
            }
            for (const Line &l : s.lines) {
                if (l.seq <= *last)
                    continue;
                out += "id: " + std::to_string(l.seq) + "\nevent: log\ndata: "
                       + json{{"seq", l.seq}, {"ts", l.ts}, {"level", l.level}, {"message", l.message}}.dump() + "\n\n";
                *last = l.seq;
            }
            if (out.empty())
                out = ": keep-alive\n\n";
            lock.unlock();
            return sink.write(out.data(), out.size());
        });
    });

    auto control = [this, check](const std::string &what) {
        return [this, check, what](const httplib::Request &req, httplib::Response &res) {
            std::unique_lock lock(m_mutex);
            const Checked c = check(req, res, lock, kControlScope);
            if (!c.state)
                return;
            State &s = *c.state;
            if ((what == "stop" || what == "start") && !s.agent.canStop)
                return error(res, 409, "not_supported", "agent " + s.agent.id + " cannot be stopped or started");
            if (what == "stop" && s.status == "stopped")
                return error(res, 409, "already_stopped", "agent " + s.agent.id + " is stopped already");
            if (what == "start" && s.status != "stopped")
                return error(res, 409, "already_running", "agent " + s.agent.id + " is not stopped");
            if (what == "restart" || what == "stop") {
                finishRun(s, "cancelled");
                append(s, "warning", std::string(what == "restart" ? "Restart" : "Stop") + " asked by " + c.subject);
            }
            if (what == "stop")
                s.status = "stopped";
            else
                startRun(s, what == "restart" ? "restart" : "start", c.subject);
            res.status = 202;
            res.set_content(json{{"agent", stateJson(s)}}.dump(), "application/json");
        };
    };
    m_server->Post(R"(/agents/([^/]+)/restart)", control("restart"));
    m_server->Post(R"(/agents/([^/]+)/stop)", control("stop"));
    m_server->Post(R"(/agents/([^/]+)/start)", control("start"));
}

} // namespace tessera::test
