// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The reference agent runner: a real HTTP server on 127.0.0.1 that serves the runner contract of
// the agent panel (plugins/agent-panel/openapi.yaml) for a few agents whose state changes over
// time and whose logs grow. It accepts only Tessera scoped tokens, which it verifies with the
// public keys Tessera publishes (a JWKS document, tokens/jwks.json in Tessera's data directory):
// the signature, the lifetime, the audience (the runner itself), the room and widget the agent
// belongs to, and the scope an action needs. It never accepts anything else, and it records every
// request it receives (method, path, headers, body) so tests can check what reached it.
//
// Used by the plugin's integration tests (in-process) and, as `tessera-agent-runner`, by the
// end-to-end scenarios (a process that can be killed and started again on the same port).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace httplib {
class Server;
}

namespace tessera::test {

class AgentRunner {
public:
    /** The scope words the runner asks for; a token carries them as "<plugin id>:<word>". */
    static constexpr const char *kReadScope = "agent.read";
    static constexpr const char *kControlScope = "agent.control";

    struct Options {
        std::string jwks;      ///< the JWKS document whose keys tokens must be signed with
        std::string jwksFile;  ///< or the file that holds it, read at each request (Tessera's tokens/jwks.json)
        std::string requestLog; ///< if set, each request is appended to this file as one JSON line
        int port = 0;          ///< 0: any free port
        std::string audience;  ///< empty: the runner's own origin, http://127.0.0.1:<port>
        int tickMs = 0;        ///< > 0: the agents advance by themselves every tickMs
        std::function<std::int64_t()> clock; ///< the wall clock tokens are checked against (ms); empty: the system's
    };

    struct Agent {
        std::string id;
        std::string name;
        std::string roomId;   ///< tokens must be bound to this room
        std::string widgetId; ///< and, if set, to this widget
        bool canStop = true;  ///< whether Stop/Start are offered
    };

    /** One request as received, before any check. */
    struct Seen {
        std::string method;
        std::string path; ///< with the query
        std::string headers; ///< every header, "Name: value" lines
        std::string authorization;
        std::string body;
        int status = 0;
        std::string subject; ///< the verified token's user, when it verified
        std::vector<std::string> scopes;
    };

    explicit AgentRunner(Options options);
    ~AgentRunner();
    AgentRunner(const AgentRunner &) = delete;
    AgentRunner &operator=(const AgentRunner &) = delete;

    /** http://127.0.0.1:<port> */
    [[nodiscard]] std::string url() const;
    [[nodiscard]] int port() const { return m_port; }

    /** Adds an agent, running its first task. */
    void addAgent(const Agent &agent);
    /** Advances every running agent by one step: a log line, and now and then the end of a run. */
    void tick();
    void log(const std::string &agentId, const std::string &level, const std::string &message);
    /** Replaces the keys tokens are verified with. */
    void setJwks(const std::string &jwks);
    /**
     * The next @p count requests to /agents answer @p status (with an error body), or, with
     * status 0, 200 with a body that is not JSON; each after sleeping @p delayMs first.
     */
    void failNext(int status, int count = 1, int delayMs = 0);
    /** Stops serving (open log streams end), as if the process died; start() serves again on the same port. */
    void stop();
    void start();

    [[nodiscard]] std::vector<Seen> requests() const;

private:
    struct Run {
        std::string id;
        std::int64_t startedAt = 0;
        std::int64_t finishedAt = 0; // 0: still running
        std::string result = "running";
        std::string trigger = "schedule";
        std::string task;
    };
    struct Line {
        std::int64_t seq = 0;
        std::int64_t ts = 0;
        std::string level;
        std::string message;
    };
    struct State {
        Agent agent;
        std::string status = "running";
        std::string task;
        std::vector<Run> runs; // oldest first
        std::deque<Line> lines;
        std::int64_t nextSeq = 1;
        int step = 0;
        int idleTicks = 0;
    };
    struct Fault {
        int status;
        int delayMs;
    };

    void routes();
    void serve();
    void startRun(State &s, const std::string &trigger, const std::string &who);
    void finishRun(State &s, const std::string &result);
    void append(State &s, const std::string &level, const std::string &message);
    [[nodiscard]] nlohmann::json runJson(const Run &run) const;
    [[nodiscard]] nlohmann::json stateJson(const State &s) const;

    Options m_options;
    std::unique_ptr<httplib::Server> m_server;
    std::thread m_thread;
    std::thread m_ticker;
    std::atomic<bool> m_stopping{false};
    std::atomic<bool> m_quit{false};
    int m_port = 0;
    mutable std::mutex m_mutex;
    std::condition_variable m_changed;
    std::string m_jwks;
    std::map<std::string, State> m_agents;
    std::deque<Fault> m_faults;
    std::vector<Seen> m_seen;
    std::int64_t m_nextRun = 1;
};

} // namespace tessera::test
