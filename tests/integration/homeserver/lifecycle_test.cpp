// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
// Starting, stopping, the request and lifetime bounds, seeding, and the executable.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <future>
#include <thread>

#include "matrixhttp.h"

extern char **environ;

namespace tessera::e2e::testing {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

HomeserverOptions bounded(std::size_t maxRequests, int maxLifetimeMs)
{
    HomeserverOptions options;
    options.maxRequests = maxRequests;
    options.maxLifetimeMs = maxLifetimeMs;
    return options;
}

TEST(HomeserverLifecycle, EphemeralPortAndBaseUrl)
{
    TestHomeserver server(bounded(10, 10000));
    EXPECT_EQ(server.port(), 0);
    ASSERT_TRUE(server.start());
    EXPECT_GT(server.port(), 0);
    EXPECT_EQ(server.baseUrl(), "http://127.0.0.1:" + std::to_string(server.port()));
    EXPECT_TRUE(server.isRunning());
    EXPECT_EQ(MatrixHttp(server.port()).get("/_matrix/client/versions").status, 200);
    server.stop();
    EXPECT_FALSE(server.isRunning());
    EXPECT_EQ(server.waitUntilStopped(milliseconds(0)), StopReason::Stopped);
    EXPECT_FALSE(MatrixHttp(server.port()).get("/_matrix/client/versions").connected);
}

TEST(HomeserverLifecycle, StopsAfterMaxRequests)
{
    TestHomeserver server(bounded(3, 30000));
    ASSERT_TRUE(server.start());
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(MatrixHttp(server.port()).get("/_matrix/client/versions").status, 200);
    }
    EXPECT_EQ(server.waitUntilStopped(seconds(10)), StopReason::RequestLimit);
    const HttpResult after = MatrixHttp(server.port()).get("/_matrix/client/versions");
    EXPECT_NE(after.status, 200) << "no request past the bound is served";
}

TEST(HomeserverLifecycle, StopsAfterMaxLifetime)
{
    TestHomeserver server(bounded(100, 50));
    ASSERT_TRUE(server.start());
    EXPECT_EQ(server.waitUntilStopped(seconds(10)), StopReason::Lifetime);
    EXPECT_FALSE(MatrixHttp(server.port()).get("/_matrix/client/versions").connected);
}

TEST(HomeserverLifecycle, StopEndsAPendingLongPoll)
{
    TestHomeserver server(bounded(100, 30000));
    ASSERT_TRUE(server.createUser("alice", "pw"));
    const Session alice = *server.login("alice");
    ASSERT_TRUE(server.start());
    MatrixHttp http(server.port(), alice.accessToken);
    const std::string since = http.get("/_matrix/client/v3/sync").json["next_batch"];
    auto pending = std::async(std::launch::async, [&] {
        return http.get("/_matrix/client/v3/sync?timeout=30000&since=" + since);
    });
    for (int i = 0; i < 5000 && server.requestCount() < 2; ++i) {
        std::this_thread::sleep_for(milliseconds(1));
    }
    server.stop();
    const HttpResult r = pending.get();
    EXPECT_TRUE(!r.connected || r.status == 200) << "the held request ends with the server";
    EXPECT_EQ(server.waitUntilStopped(milliseconds(0)), StopReason::Stopped);
}

TEST(HomeserverLifecycle, StartRejectsInvalidOptionsAndRestart)
{
    HomeserverOptions badThreads = bounded(10, 1000);
    badThreads.workerThreads = 1;
    auto r = TestHomeserver(badThreads).start();
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("workerThreads"), std::string::npos);
    auto zero = TestHomeserver(bounded(0, 1000)).start();
    ASSERT_FALSE(zero);
    EXPECT_NE(zero.error().message.find("maxRequests"), std::string::npos);

    TestHomeserver server(bounded(10, 1000));
    ASSERT_TRUE(server.start());
    server.stop();
    EXPECT_FALSE(server.start());
}

TEST(HomeserverLifecycle, BusyPortIsAClearError)
{
    TestHomeserver first(bounded(10, 10000));
    ASSERT_TRUE(first.start());
    HomeserverOptions same = bounded(10, 10000);
    same.port = first.port();
    auto r = TestHomeserver(same).start();
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("cannot listen on 127.0.0.1:" + std::to_string(first.port())), std::string::npos);
}

TEST(HomeserverLifecycle, RequestLogRecordsEveryAnswer)
{
    TestHomeserver server(bounded(10, 10000));
    ASSERT_TRUE(server.start());
    MatrixHttp(server.port()).get("/_matrix/client/versions");
    MatrixHttp(server.port()).get("/nowhere");
    const auto log = server.requestLog();
    ASSERT_EQ(log.size(), 2u);
    EXPECT_EQ(log[0].method, "GET");
    EXPECT_EQ(log[0].path, "/_matrix/client/versions");
    EXPECT_EQ(log[0].status, 200);
    EXPECT_EQ(log[1].status, 404);
}

TEST(HomeserverSeed, CreatesUsersRoomsStateAndEvents)
{
    TestHomeserver server(bounded(50, 10000));
    const json seed = json::parse(R"({
        "users": [{"user": "alice", "password": "a", "displayname": "Alice"}, {"user": "bob", "password": "b"}],
        "rooms": [{"creator": "alice", "alias": "widgets", "preset": "public_chat", "join": ["bob"],
                   "state": [{"type": "m.widget", "state_key": "clock", "content": {"url": "https://w.test"}}],
                   "events": [{"sender": "bob", "type": "m.room.message", "content": {"body": "hi"}}]}],
        "turn": {"uris": ["turn:t.test"], "username": "u", "password": "p"}
    })");
    auto applied = server.applySeed(seed);
    ASSERT_TRUE(applied) << applied.error().message;
    const auto roomId = server.resolveAlias("#widgets:tessera.test");
    ASSERT_TRUE(roomId);
    EXPECT_EQ(server.membership(*roomId, "bob"), "join");
    EXPECT_EQ(server.stateEvent(*roomId, "m.widget", "clock")->at("content")["url"], "https://w.test");
    EXPECT_EQ(server.countEvents(*roomId, "m.room.message"), 1u);
    ASSERT_TRUE(server.start());
    const HttpResult login = MatrixHttp(server.port()).post(
        "/_matrix/client/v3/login", {{"type", "m.login.password"}, {"user", "bob"}, {"password", "b"}});
    ASSERT_EQ(login.status, 200);
    EXPECT_EQ(MatrixHttp(server.port(), login.json["access_token"]).get("/_matrix/client/v3/voip/turnServer").json["uris"][0],
              "turn:t.test");
}

TEST(HomeserverSeed, ErrorsSayWhere)
{
    TestHomeserver server(bounded(10, 10000));
    auto r = server.applySeed(json::parse(R"({"usres": []})"));
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("unknown key 'usres'"), std::string::npos);
    r = server.applySeed(json::parse(R"({"users": [{"user": "a"}]})"));
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("users[0]"), std::string::npos);
    EXPECT_NE(r.error().message.find("'password' is required"), std::string::npos);
    r = server.applySeed(json::parse(R"({"users": [{"user": "a", "password": "p"}],
        "rooms": [{"creator": "a", "state": [{"sender": "ghost", "type": "t", "content": {}}]}]})"));
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("rooms[0].state[0]"), std::string::npos);
}

TEST(HomeserverSeed, ControlEndpointSeedsARunningServer)
{
    TestHomeserver server(bounded(10, 10000));
    ASSERT_TRUE(server.start());
    MatrixHttp control(server.port());
    HttpResult r = control.post("/_tessera_test/seed", {{"users", {{{"user", "zoe"}, {"password", "z"}}}}});
    ASSERT_EQ(r.status, 200) << r.body;
    r = control.post("/_tessera_test/seed", {{"users", {{{"user", "zoe"}, {"password", "z"}}}}});
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.errcode(), "M_USER_IN_USE");
}

// --- the executable ----------------------------------------------------------------------------

struct Process {
    pid_t pid = -1;
    int stdoutFd = -1;
    int stderrFd = -1;
};

Process spawnHomeserver(const std::vector<std::string> &args)
{
    int out[2];
    int err[2];
    EXPECT_EQ(pipe(out), 0);
    EXPECT_EQ(pipe(err), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    posix_spawn_file_actions_addclose(&actions, err[0]);
    std::vector<std::string> all{TESSERA_TEST_HOMESERVER_EXE};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char *> argv;
    for (std::string &a : all) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    Process p;
    EXPECT_EQ(posix_spawn(&p.pid, argv[0], &actions, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    close(err[1]);
    p.stdoutFd = out[0];
    p.stderrFd = err[0];
    return p;
}

std::string readLine(int fd)
{
    std::string line;
    char c = 0;
    while (read(fd, &c, 1) == 1 && c != '\n') {
        line.push_back(c);
    }
    return line;
}

std::string readAll(int fd)
{
    std::string text;
    char buffer[4096];
    ssize_t n = 0;
    while ((n = read(fd, buffer, sizeof buffer)) > 0) {
        text.append(buffer, static_cast<std::size_t>(n));
    }
    return text;
}

int waitExit(Process &p)
{
    int status = 0;
    waitpid(p.pid, &status, 0);
    close(p.stdoutFd);
    close(p.stderrFd);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int portOf(const std::string &baseUrl)
{
    const std::size_t colon = baseUrl.rfind(':');
    return colon == std::string::npos ? -1 : std::atoi(baseUrl.c_str() + colon + 1);
}

TEST(HomeserverExecutable, PrintsBaseUrlServesUsersAndRoomsAndStopsAtItsRequestBound)
{
    Process p = spawnHomeserver({"--user", "alice:secret", "--user", "bob:pw", "--room", "lobby:alice",
                                 "--max-requests", "3", "--max-seconds", "30"});
    const std::string url = readLine(p.stdoutFd);
    ASSERT_EQ(url.rfind("http://127.0.0.1:", 0), 0u) << url;
    MatrixHttp http(portOf(url));
    const HttpResult login = http.post("/_matrix/client/v3/login",
                                       {{"type", "m.login.password"}, {"user", "bob"}, {"password", "pw"}});
    ASSERT_EQ(login.status, 200) << login.body;
    http.setToken(login.json["access_token"]);
    const HttpResult joined = http.get("/_matrix/client/v3/joined_rooms");
    ASSERT_EQ(joined.json["joined_rooms"].size(), 1u) << "--room joins every --user";
    const HttpResult alias = http.get("/_matrix/client/v3/directory/room/" + enc("#lobby:tessera.test"));
    EXPECT_EQ(alias.json["room_id"], joined.json["joined_rooms"][0]);
    const std::string err = readAll(p.stderrFd);
    EXPECT_EQ(waitExit(p), 0);
    EXPECT_NE(err.find("request limit reached"), std::string::npos) << err;
}

TEST(HomeserverExecutable, StopsOnSigterm)
{
    Process p = spawnHomeserver({"--max-seconds", "30"});
    ASSERT_EQ(readLine(p.stdoutFd).rfind("http://127.0.0.1:", 0), 0u);
    kill(p.pid, SIGTERM);
    EXPECT_EQ(waitExit(p), 0);
}

TEST(HomeserverExecutable, LoadsASeedFile)
{
    const std::string path = ::testing::TempDir() + "homeserver-seed.json";
    {
        std::ofstream file(path);
        file << R"({"users": [{"user": "sam", "password": "s"}], "legacy_media_only": true})";
    }
    Process p = spawnHomeserver({"--seed", path, "--max-requests", "2", "--max-seconds", "30"});
    MatrixHttp http(portOf(readLine(p.stdoutFd)));
    EXPECT_EQ(http.post("/_matrix/client/v3/login", {{"type", "m.login.password"}, {"user", "sam"}, {"password", "s"}})
                  .status,
              200);
    const json versions = http.get("/_matrix/client/versions").json["versions"];
    EXPECT_EQ(std::find(versions.begin(), versions.end(), "v1.11"), versions.end());
    EXPECT_EQ(waitExit(p), 0);
    std::remove(path.c_str());
}

TEST(HomeserverExecutable, BadCommandLinesFailWithOneLine)
{
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
        {{"--bind", "0.0.0.0"}, "--bind only accepts 127.0.0.1"},
        {{"--port", "http"}, "--port must be 0..65535"},
        {{"--max-requests", "0"}, "--max-requests must be"},
        {{"--user", "nopassword"}, "--user must be NAME:PASSWORD"},
        {{"--room", "lobby:ghost"}, "--room lobby:ghost"},
        {{"--seed", "/nonexistent/seed.json"}, "cannot read seed file"},
        {{"--frobnicate"}, "unknown option '--frobnicate'"},
    };
    for (const auto &[args, expected] : cases) {
        Process p = spawnHomeserver(args);
        const std::string out = readAll(p.stdoutFd);
        const std::string err = readAll(p.stderrFd);
        EXPECT_EQ(waitExit(p), 2) << expected;
        EXPECT_TRUE(out.empty());
        EXPECT_NE(err.find(expected), std::string::npos) << err;
        EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
    }
}

TEST(HomeserverExecutable, HelpDescribesTheFlags)
{
    Process p = spawnHomeserver({"--help"});
    const std::string out = readAll(p.stdoutFd);
    EXPECT_EQ(waitExit(p), 0);
    for (const char *flag : {"--port", "--bind", "--user", "--room", "--seed", "--max-requests", "--max-seconds"}) {
        EXPECT_NE(out.find(flag), std::string::npos) << flag;
    }
}

} // namespace
} // namespace tessera::e2e::testing
