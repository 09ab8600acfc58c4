// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The agent panel plugin (plugins/agent-panel), loaded as built, against the reference agent
// runner (tests/support/agentrunner.h, a real HTTP server verifying Tessera's scoped tokens with
// the published public keys), through the host's real HTTP client (libcurl) and token issuer.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include <httplib.h>

#include "agentrunner.h"
#include "net/httpclient.h"
#include "plugins/issuertokenminter.h"
#include "pluginharness.h"
#include "tokens/tokenissuer.h"
#include "util/secretstore.h"

using nlohmann::json;
using tessera::test::AgentRunner;
using tessera::test::PluginHarness;
using tessera::test::TempDir;
using tessera::test::widgetContext;

namespace {

const std::string kUser = "@ana:example.org";
const std::string kRoom = "!agents:example.org";

/** Records pushes to the page, answering as the page would. */
struct Pushes final : tessera::plugins::WidgetPushTarget {
    std::vector<std::pair<tessera::bridge::WidgetContext, tessera::plugins::WidgetPush>> seen;
    void push(const tessera::bridge::WidgetContext &widget, const tessera::plugins::WidgetPush &p,
              tessera::bridge::Callback<json> done) override
    {
        seen.emplace_back(widget, p);
        done(json::object());
    }
    [[nodiscard]] std::vector<json> of(const std::string &action) const
    {
        std::vector<json> out;
        for (const auto &[w, p] : seen)
            if (p.action == action)
                out.push_back(p.data);
        return out;
    }
};

/** The built plugins with the agent panel, a real HTTP client and token issuer, and a runner. */
struct Panel {
    TempDir dir;
    tessera::FileSecretStore secrets{dir.path() / "secrets"};
    PluginHarness h;
    // Tokens are minted, checked by the plugin and verified by the runner on the host's (manual) clock.
    tessera::tokens::TokenIssuer issuer{secrets, dir.path() / "data", [this] { return h.scheduler.wallClockMs(); }};
    std::unique_ptr<tessera::plugins::IssuerTokenMinter> minter;
    std::unique_ptr<tessera::net::HttpClient> http;
    Pushes pushes;
    std::unique_ptr<AgentRunner> runner;

    Panel()
    {
        auto jwks = issuer.jwks();
        EXPECT_TRUE(jwks) << jwks.error().message;
        AgentRunner::Options options;
        options.jwks = jwks->dump();
        options.clock = [this] { return h.scheduler.wallClockMs(); };
        runner = std::make_unique<AgentRunner>(options);
        runner->addAgent({"triage", "Triage bot", kRoom, "", true});
        runner->addAgent({"nightly", "Nightly builder", kRoom, "", false});
        runner->addAgent({"elsewhere", "Other room's bot", "!other:example.org", "", true});

        minter = std::make_unique<tessera::plugins::IssuerTokenMinter>(issuer, kUser);
        http = std::make_unique<tessera::net::HttpClient>(h.scheduler);
        h.services.http = http.get();
        h.services.tokens = minter.get();
        h.services.push = &pushes;
        h.load({std::filesystem::path(TESSERA_BUILT_PLUGIN_DIR) / "agent-panel"});
        EXPECT_EQ(h.record("io.tessera.agent").state, tessera::plugins::PluginState::Running)
            << h.record("io.tessera.agent").error;
    }
    ~Panel()
    {
        h.manager.reset(); // before the client it uses
        runner.reset();
    }

    /** The panel widget as the host gives it to the plugin, with the data of its m.widget event. */
    tessera::bridge::WidgetContext widget(const std::string &agent = "triage", std::string runnerUrl = {},
                                          const std::string &id = "panel-1") const
    {
        if (runnerUrl.empty())
            runnerUrl = runner->url();
        auto w = widgetContext(id, kRoom);
        w.origin = "tessera-plugin://io.tessera.agent";
        w.url = "https://tessera.invalid/plugin-widget";
        w.data = {{"runner_url", runnerUrl}, {"agent_id", agent}};
        w.widgetType = "io.tessera.agent_panel";
        w.creatorUserId = "@triage-bot:example.org";
        return w;
    }

    void pump(const std::function<bool()> &until, int seconds = 30)
    {
        const auto giveUp = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
        while (!until() && std::chrono::steady_clock::now() < giveUp) {
            h.scheduler.runPosted();
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
    }

    tessera::Result<json> call(const std::string &action, json data = json::object(),
                               const tessera::bridge::WidgetContext *w = nullptr)
    {
        auto outcome = h.call(action, std::move(data), w ? *w : widget());
        pump([&] { return outcome->has_value(); });
        if (!outcome->has_value())
            return tessera::Error(tessera::ErrorCode::Timeout, "no answer");
        return std::move(**outcome);
    }

    /** The kind of a failed call: the text before the first colon. */
    std::string kind(const tessera::Result<json> &r) const
    {
        if (r)
            return "ok";
        return r.error().message.substr(0, r.error().message.find(':'));
    }
};

const std::string kStatus = "io.tessera.agent.read.status";
const std::string kRuns = "io.tessera.agent.read.runs";
const std::string kLogs = "io.tessera.agent.read.logs";
const std::string kTail = "io.tessera.agent.read.tail";
const std::string kUntail = "io.tessera.agent.read.untail";
const std::string kRestart = "io.tessera.agent.control.restart";
const std::string kStop = "io.tessera.agent.control.stop";
const std::string kStart = "io.tessera.agent.control.start";

} // namespace

TEST(AgentPanel, StatusIsReadWithATokenBoundToTheUserRoomWidgetAndRunner)
{
    Panel p;
    auto r = p.call(kStatus);
    ASSERT_TRUE(r) << r.error().message;
    const json &agent = (*r)["agent"];
    EXPECT_EQ(agent["id"], "triage");
    EXPECT_EQ(agent["name"], "Triage bot");
    EXPECT_EQ(agent["status"], "running");
    EXPECT_TRUE(agent["current_task"].is_string());
    EXPECT_EQ(agent["last_run"]["result"], "running");
    EXPECT_EQ(agent["controls"]["restart"], true);
    EXPECT_EQ(agent["controls"]["stop"], true);

    const auto seen = p.runner->requests();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].method, "GET");
    EXPECT_EQ(seen[0].path, "/agents/triage");
    EXPECT_EQ(seen[0].status, 200);
    EXPECT_EQ(seen[0].subject, kUser);
    EXPECT_EQ(seen[0].scopes, std::vector<std::string>{"io.tessera.agent:agent.read"}) << "read only: no control scope";
    ASSERT_EQ(seen[0].authorization.rfind("Bearer ", 0), 0u);
    // The token verifies with the published keys, for this runner, user, room and widget, and is short-lived.
    tessera::tokens::VerifyOptions options;
    options.audience = p.runner->url();
    options.roomId = kRoom;
    options.widgetId = "panel-1";
    auto claims = p.issuer.verify(seen[0].authorization.substr(7), options);
    ASSERT_TRUE(claims) << claims.error().message;
    EXPECT_EQ(claims->subject, kUser);
    EXPECT_LE(claims->expiresAt - claims->issuedAt, 300);
    // The only credential the runner sees is that token.
    EXPECT_EQ(seen[0].headers.find("Cookie"), std::string::npos) << seen[0].headers;
    // Each request is audited with the widget it was made for.
    const auto rows = p.h.audit.about("plugin.http");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].widgetId, "panel-1");
    EXPECT_NE(rows[0].reason.find("GET " + p.runner->url() + "/agents/triage -> 200"), std::string::npos) << rows[0].reason;
    for (const auto &row : p.h.audit.rows)
        EXPECT_EQ(row.reason.find(seen[0].authorization.substr(7)), std::string::npos) << "the token is not in the log";
}

TEST(AgentPanel, TokensAreReusedWhileFreshAndReplacedBeforeTheyExpire)
{
    Panel p;
    ASSERT_TRUE(p.call(kStatus));
    ASSERT_TRUE(p.call(kStatus));
    auto seen = p.runner->requests();
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0].authorization, seen[1].authorization) << "a fresh token is reused";
    p.h.scheduler.advance(250'000); // within a minute of its 5-minute lifetime
    ASSERT_TRUE(p.call(kStatus));
    seen = p.runner->requests();
    ASSERT_EQ(seen.size(), 3u);
    EXPECT_NE(seen[2].authorization, seen[1].authorization) << "replaced before it expires";
    EXPECT_EQ(seen[2].status, 200);
}

TEST(AgentPanel, RunsAndLogsArePagedAndTheirLimitsChecked)
{
    Panel p;
    for (int i = 0; i < 45; ++i)
        p.runner->tick(); // a run is 12 steps and 3 idle ones: three runs done, a fourth just started
    auto runs = p.call(kRuns, {{"limit", 2}});
    ASSERT_TRUE(runs) << runs.error().message;
    ASSERT_EQ((*runs)["runs"].size(), 2u);
    EXPECT_EQ((*runs)["runs"][0]["result"], "running");
    EXPECT_EQ((*runs)["runs"][1]["result"], "succeeded");
    EXPECT_TRUE((*runs)["runs"][1]["duration_ms"].is_number());
    ASSERT_TRUE((*runs)["next_before"].is_string());
    auto older = p.call(kRuns, {{"limit", 50}, {"before", (*runs)["next_before"]}});
    ASSERT_TRUE(older) << older.error().message;
    EXPECT_EQ((*older)["runs"].size(), 2u);
    EXPECT_TRUE((*older)["next_before"].is_null());

    auto logs = p.call(kLogs, {{"since", 0}, {"limit", 5}});
    ASSERT_TRUE(logs) << logs.error().message;
    ASSERT_EQ((*logs)["lines"].size(), 5u);
    const auto last = (*logs)["last_seq"].get<std::int64_t>();
    EXPECT_EQ((*logs)["lines"][4]["seq"], last) << "the newest lines, oldest first";
    p.runner->log("triage", "error", "disk full");
    auto newer = p.call(kLogs, {{"since", last}});
    ASSERT_TRUE(newer) << newer.error().message;
    ASSERT_EQ((*newer)["lines"].size(), 1u);
    EXPECT_EQ((*newer)["lines"][0]["level"], "error");
    EXPECT_EQ((*newer)["lines"][0]["message"], "disk full");

    const std::size_t before = p.runner->requests().size();
    for (const json &bad : {json{{"limit", 0}}, json{{"limit", 51}}, json{{"limit", "ten"}}, json{{"before", "../x"}}}) {
        auto r = p.call(kRuns, bad);
        EXPECT_EQ(p.kind(r), "bad-request") << bad.dump();
    }
    for (const json &bad : {json{{"limit", 501}}, json{{"since", -1}}}) {
        auto r = p.call(kLogs, bad);
        EXPECT_EQ(p.kind(r), "bad-request") << bad.dump();
    }
    EXPECT_EQ(p.runner->requests().size(), before) << "nothing is sent for a bad request";
}

TEST(AgentPanel, TheTailPushesNewLinesAndStatusAndSaysWhenTheRunnerGoes)
{
    Panel p;
    const auto start = p.call(kLogs);
    ASSERT_TRUE(start) << start.error().message;
    const auto since = (*start)["last_seq"].get<std::int64_t>();
    auto r = p.call(kTail, {{"since", since}});
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ((*r)["tailing"], true);
    p.runner->log("triage", "warning", "slow answer from the API");
    p.runner->log("triage", "info", "carried on");
    auto lines = [&] {
        std::vector<std::string> out;
        for (const json &push : p.pushes.of("io.tessera.agent.read.tail_event"))
            for (const json &l : push["lines"])
                out.push_back(l["level"].get<std::string>() + " " + l["message"].get<std::string>());
        return out;
    };
    p.pump([&] { return lines().size() >= 2; });
    ASSERT_EQ(lines(), (std::vector<std::string>{"warning slow answer from the API", "info carried on"}));
    for (const auto &[w, push] : p.pushes.seen) {
        EXPECT_EQ(w.widgetId, "panel-1");
        EXPECT_EQ(push.capability, "io.tessera.agent.read");
    }

    // A status change comes with the lines.
    ASSERT_TRUE(p.call(kStop));
    p.pump([&] {
        for (const json &push : p.pushes.of("io.tessera.agent.read.tail_event"))
            if (push["agent"].is_object() && push["agent"]["status"] == "stopped")
                return true;
        return false;
    });
    bool stopped = false;
    for (const json &push : p.pushes.of("io.tessera.agent.read.tail_event"))
        stopped = stopped || (push["agent"].is_object() && push["agent"]["status"] == "stopped");
    EXPECT_TRUE(stopped);

    // The runner goes away mid-tail: the page is told, with the last line it has.
    p.runner->stop();
    p.pump([&] { return !p.pushes.of("io.tessera.agent.read.tail_ended").empty(); });
    const auto ended = p.pushes.of("io.tessera.agent.read.tail_ended");
    ASSERT_EQ(ended.size(), 1u);
    EXPECT_EQ(ended[0]["kind"], "offline") << ended[0].dump();
    EXPECT_GT(ended[0]["last_seq"].get<std::int64_t>(), since);
    auto down = p.call(kTail, {{"since", ended[0]["last_seq"]}});
    EXPECT_EQ(p.kind(down), "offline") << (down ? "" : down.error().message);

    // Back again, the tail resumes from there.
    p.runner->start();
    auto again = p.call(kTail, {{"since", ended[0]["last_seq"]}});
    ASSERT_TRUE(again) << again.error().message;
    p.runner->log("triage", "info", "back");
    p.pump([&] { return !lines().empty() && lines().back() == "info back"; });
    EXPECT_EQ(lines().back(), "info back");
    ASSERT_TRUE(p.call(kUntail));
}

TEST(AgentPanel, AQuietRunnerIsDeclaredGoneAfterFifteenSeconds)
{
    Panel p;
    ASSERT_TRUE(p.call(kTail, {{"since", 0}}));
    // The runner sends a keep-alive every second; on the host's clock none arrives for 18 s.
    p.h.scheduler.advance(18'000);
    p.pump([&] { return !p.pushes.of("io.tessera.agent.read.tail_ended").empty(); }, 5);
    const auto ended = p.pushes.of("io.tessera.agent.read.tail_ended");
    ASSERT_EQ(ended.size(), 1u);
    EXPECT_EQ(ended[0]["kind"], "offline");
    EXPECT_NE(ended[0]["message"].get<std::string>().find("15 s"), std::string::npos) << ended[0].dump();
}

TEST(AgentPanel, RestartStopAndStartReachTheRunnerWithTheControlScope)
{
    Panel p;
    auto r = p.call(kRestart);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ((*r)["agent"]["status"], "running");
    EXPECT_EQ((*r)["agent"]["last_run"]["trigger"], "restart");
    auto seen = p.runner->requests();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].method, "POST");
    EXPECT_EQ(seen[0].path, "/agents/triage/restart");
    EXPECT_EQ(seen[0].scopes, std::vector<std::string>{"io.tessera.agent:agent.control"});
    auto logs = p.call(kLogs);
    ASSERT_TRUE(logs);
    bool named = false;
    for (const json &l : (*logs)["lines"])
        named = named || l["message"].get<std::string>().find("Restart asked by " + kUser) != std::string::npos;
    EXPECT_TRUE(named) << "the runner knows who asked";

    auto stop = p.call(kStop);
    ASSERT_TRUE(stop) << stop.error().message;
    EXPECT_EQ((*stop)["agent"]["status"], "stopped");
    EXPECT_EQ((*stop)["agent"]["controls"]["start"], true);
    EXPECT_EQ(p.kind(p.call(kStop)), "conflict");
    auto start = p.call(kStart);
    ASSERT_TRUE(start) << start.error().message;
    EXPECT_EQ((*start)["agent"]["status"], "running");
    // An agent whose runner does not offer Stop says so.
    const auto nightly = p.widget("nightly");
    auto refused = p.call(kStop, json::object(), &nightly);
    EXPECT_EQ(p.kind(refused), "conflict") << refused.error().message;

    // The runner itself refuses a read token for a control action.
    tessera::tokens::TokenRequest read;
    read.userId = kUser;
    read.roomId = kRoom;
    read.widgetId = "panel-1";
    read.widgetOrigin = "tessera-plugin://io.tessera.agent";
    read.audience = p.runner->url();
    read.scopes = {"io.tessera.agent:agent.read"};
    auto token = p.issuer.mint(read);
    ASSERT_TRUE(token) << token.error().message;
    httplib::Client direct("127.0.0.1", p.runner->port());
    auto answer = direct.Post("/agents/triage/restart", {{"Authorization", "Bearer " + token->token}}, "{}", "application/json");
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->status, 403);
    EXPECT_NE(answer->body.find("agent.control"), std::string::npos) << answer->body;
}

TEST(AgentPanel, EveryRunnerFailureIsNamed)
{
    Panel p;
    p.runner->failNext(500);
    auto r = p.call(kStatus);
    EXPECT_EQ(p.kind(r), "server");
    EXPECT_NE(r.error().message.find("HTTP 500"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("failed on purpose"), std::string::npos) << "the runner's own words" << r.error().message;

    p.runner->failNext(0); // 200 with a body that is not JSON
    r = p.call(kStatus);
    EXPECT_EQ(p.kind(r), "malformed") << r.error().message;

    p.runner->failNext(200, 1, 6000); // answers after the 4.5 s limit
    r = p.call(kStatus);
    EXPECT_EQ(p.kind(r), "timeout") << r.error().message;

    const auto unknown = p.widget("ghost");
    r = p.call(kStatus, json::object(), &unknown);
    EXPECT_EQ(p.kind(r), "not-found") << r.error().message;
    EXPECT_NE(r.error().message.find("no agent ghost"), std::string::npos) << r.error().message;

    const auto otherRoom = p.widget("elsewhere");
    r = p.call(kStatus, json::object(), &otherRoom);
    EXPECT_EQ(p.kind(r), "forbidden") << "a token for this room does not reach another room's agent";

    // Keys the runner does not know (as if it trusted another Tessera): 401.
    TempDir otherDir;
    tessera::FileSecretStore otherSecrets{otherDir.path() / "secrets"};
    tessera::tokens::TokenIssuer other(otherSecrets, otherDir.path() / "data");
    auto otherKeys = other.jwks();
    ASSERT_TRUE(otherKeys);
    p.runner->setJwks(otherKeys->dump());
    r = p.call(kStatus);
    EXPECT_EQ(p.kind(r), "unauthorized") << r.error().message;
    p.runner->setJwks(p.issuer.jwks()->dump());

    // The runner is not there at all.
    p.runner->stop();
    r = p.call(kStatus);
    EXPECT_EQ(p.kind(r), "offline") << r.error().message;
    r = p.call(kRestart);
    EXPECT_EQ(p.kind(r), "offline") << r.error().message;
    r = p.call(kTail);
    EXPECT_EQ(p.kind(r), "offline") << r.error().message;
}

TEST(AgentPanel, ABadRunnerAddressOrAgentIdIsRefusedBeforeAnyRequest)
{
    Panel p;
    const std::vector<std::pair<std::string, std::string>> bad = {
        {"http://agents.example.org", "triage"},            // http: only on this computer
        {"ftp://127.0.0.1:21", "triage"},                   // not http(s)
        {"https://user@agents.example.org", "triage"},      // a user name
        {"https://agents.example.org/?x=1", "triage"},      // a query
        {"https://agents.example.org:99999999", "triage"},  // a port
        {"not a url", "triage"},
        {p.runner->url(), "../etc"},                        // not an id
        {p.runner->url(), std::string(65, 'a')},            // too long
        {p.runner->url(), ""},
        {"", "triage"},
    };
    for (const auto &[url, agent] : bad) {
        auto w = p.widget(agent, url);
        if (url.empty())
            w.data.erase("runner_url");
        auto r = p.call(kStatus, json::object(), &w);
        EXPECT_EQ(p.kind(r), "bad-config") << url << " " << agent << ": " << (r ? "" : r.error().message);
    }
    EXPECT_TRUE(p.runner->requests().empty());
    // The page's own request data cannot point the plugin elsewhere.
    auto r = p.call(kStatus, {{"runner_url", "https://evil.example.org"}, {"agent_id", "x"}});
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ((*r)["agent"]["id"], "triage");
    auto config = p.call("io.tessera.agent.read.config");
    ASSERT_TRUE(config);
    EXPECT_EQ((*config)["runner_url"], p.runner->url());
    EXPECT_EQ((*config)["agent_id"], "triage");
}
