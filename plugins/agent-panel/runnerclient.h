// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The agent panel's client of an agent runner (openapi.yaml): every request goes through the
// host's HTTP client for the widget's session (so it is bounded and audited), and carries a
// Tessera scoped token minted for that session, never any credential of the user's.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>
#include <tessera/plugin.hpp>

namespace agentpanel {

inline constexpr const char *kPluginId = "io.tessera.agent";
inline constexpr const char *kWidgetType = "io.tessera.agent_panel";
inline constexpr const char *kReadCapability = "io.tessera.agent.read";
inline constexpr const char *kControlCapability = "io.tessera.agent.control";
/** Pushed to the page: new log lines and status changes of the tail, and its end. */
inline constexpr const char *kTailPush = "io.tessera.agent.read.tail_event";
inline constexpr const char *kTailEndedPush = "io.tessera.agent.read.tail_ended";

/** The scope words of the runner contract; a token carries them as "io.tessera.agent:<word>". */
inline constexpr const char *kReadScope = "agent.read";
inline constexpr const char *kControlScope = "agent.control";

// Limits, each named in the README and tested.
inline constexpr std::uint32_t kRequestTimeoutMs = 4500;     ///< a call is answered well within the host's 10 s
inline constexpr std::uint32_t kMaxAnswerBytes = 1u << 20;   ///< 1 MiB per answer
inline constexpr std::uint32_t kTailWindowMs = 60'000;       ///< a log stream is reopened after this long
inline constexpr std::int64_t kTailSilenceMs = 15'000;       ///< no byte for this long: the runner is gone
inline constexpr std::size_t kMaxTailBuffer = 256u * 1024u;  ///< an unfinished SSE event longer than this ends the tail
inline constexpr std::uint32_t kTokenLifetimeSeconds = 300;  ///< tokens live 5 minutes
inline constexpr std::int64_t kTokenRefreshMarginMs = 60'000; ///< and are replaced a minute before they expire
inline constexpr int kMaxRunsLimit = 50;
inline constexpr int kMaxLogsLimit = 500;
inline constexpr std::size_t kMaxRunnerUrlBytes = 512;
inline constexpr std::size_t kMaxAgentIdBytes = 64;

/** Where a panel's agent lives: from the widget's data (runner_url, agent_id), validated. */
struct Target {
    std::string runnerUrl; ///< without a trailing slash
    std::string audience;  ///< the runner's origin, scheme://host[:port]: the tokens' audience
    std::string agentId;
};

/**
 * Reads runner_url and agent_id from the widget's `data` (the m.widget event's, as the host hands
 * it to the plugin with each call, never what the page sends). Returns an error text, or empty.
 */
std::string parseTarget(std::string_view widgetJson, Target &out);
/** The same checks on the two values themselves. */
std::string checkTarget(const std::string &runnerUrl, const std::string &agentId, Target &out);

/** Checks an agent answer's shape; returns the normalized object or an error text. */
std::string normalizeAgent(const nlohmann::json &in, nlohmann::json &out);
std::string normalizeRun(const nlohmann::json &in, nlohmann::json &out);
std::string normalizeLine(const nlohmann::json &in, nlohmann::json &out);

/**
 * An error for the page: "<kind>: <what happened>". Kinds: bad-config, bad-request, token,
 * offline, timeout, unauthorized (401), forbidden (403), not-found (404), conflict (409),
 * server (5xx), unexpected (another status), malformed (not the contract's JSON).
 */
std::string httpFailure(const tessera::sdk::HttpResponse &response);

/** Splits Server-Sent Events off the front of @p buffer; calls @p event(name, data, id) for each. */
void takeEvents(std::string &buffer, const std::function<void(const std::string &, const std::string &, const std::string &)> &event);

class RunnerClient {
public:
    using HostFn = std::function<tessera::sdk::Host &()>;
    explicit RunnerClient(HostFn host) : m_host(std::move(host)) {}

    void handle(const tessera::sdk::Call &call);
    void sessionClosed(std::uint64_t sessionId);
    void stopAll();

private:
    struct Token {
        std::string value;
        std::int64_t expiresAtMs = 0; ///< wall clock
    };
    struct Tail {
        std::uint64_t requestId = 0;
        std::uint64_t timerId = 0;
        std::uint64_t generation = 0;
        std::string buffer;
        std::int64_t lastSeq = 0;
        std::int64_t lastByteMs = 0;
        int status = 0;
        std::string body; ///< an error answer's body
        Target target;
    };
    using Done = std::function<void(const std::string &error, const std::string &token)>;

    void withToken(std::uint64_t sessionId, const Target &target, const std::string &scope, Done done);
    void send(const tessera::sdk::Call &call, const Target &target, const std::string &scope, const std::string &method,
              const std::string &path, std::function<void(std::uint64_t callId, const nlohmann::json &answer)> onOk);
    void startTail(std::uint64_t sessionId, const Target &target, std::int64_t since, std::uint64_t callId);
    void stopTail(std::uint64_t sessionId);
    void tailEnded(std::uint64_t sessionId, std::uint64_t generation, const std::string &error);
    void watchTail(std::uint64_t sessionId, std::uint64_t generation);

    HostFn m_host;
    std::map<std::pair<std::uint64_t, std::string>, Token> m_tokens; ///< (session, scope) → token
    std::map<std::uint64_t, Tail> m_tails;                           ///< one log stream per session
    std::uint64_t m_nextGeneration = 1;
};

} // namespace agentpanel
