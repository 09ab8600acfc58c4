// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// tessera-agent-runner: the reference agent runner (agentrunner.h) as a process, for the
// end-to-end scenarios. It prints "listening <url>" once it serves, then runs until SIGTERM or
// SIGINT (or is killed, which is the point of some scenarios).
//
//   tessera-agent-runner --jwks-file <data dir>/tokens/jwks.json
//       [--port N] [--audience URL] [--tick-ms N] [--request-log FILE]
//       --agent 'id|name|room id|widget id'…    (widget id may be empty: any widget of the room)
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include <unistd.h>

#include "agentrunner.h"

namespace {

volatile std::sig_atomic_t g_quit = 0;

void onSignal(int)
{
    g_quit = 1;
}

int usage(const std::string &why)
{
    std::cerr << "tessera-agent-runner: " << why << "\n"
              << "usage: tessera-agent-runner --jwks-file FILE [--port N] [--audience URL] [--tick-ms N]"
                 " [--request-log FILE] --agent 'id|name|room|widget'...\n";
    return 2;
}

std::vector<std::string> split(const std::string &text, char sep)
{
    std::vector<std::string> out(1);
    for (char c : text) {
        if (c == sep)
            out.emplace_back();
        else
            out.back() += c;
    }
    return out;
}

} // namespace

int main(int argc, char **argv)
{
    tessera::test::AgentRunner::Options options;
    options.tickMs = 500;
    std::vector<tessera::test::AgentRunner::Agent> agents;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (i + 1 >= argc)
            return usage(arg + " needs a value");
        const std::string value = argv[++i];
        try {
            if (arg == "--jwks-file")
                options.jwksFile = value;
            else if (arg == "--port")
                options.port = std::stoi(value);
            else if (arg == "--audience")
                options.audience = value;
            else if (arg == "--tick-ms")
                options.tickMs = std::stoi(value);
            else if (arg == "--request-log")
                options.requestLog = value;
            else if (arg == "--agent") {
                const auto parts = split(value, '|');
                if (parts.size() != 4 || parts[0].empty() || parts[2].empty())
                    return usage("--agent must be 'id|name|room id|widget id'");
                agents.push_back({parts[0], parts[1].empty() ? parts[0] : parts[1], parts[2], parts[3], true});
            } else
                return usage("unknown option " + arg);
        } catch (const std::exception &) {
            return usage(arg + " needs a number");
        }
    }
    if (options.jwksFile.empty() || agents.empty())
        return usage("--jwks-file and at least one --agent are required");

    std::signal(SIGTERM, onSignal);
    std::signal(SIGINT, onSignal);
    tessera::test::AgentRunner runner(options);
    if (runner.port() <= 0) {
        std::cerr << "tessera-agent-runner: cannot listen on 127.0.0.1:" << options.port << "\n";
        return 1;
    }
    for (const auto &agent : agents)
        runner.addAgent(agent);
    std::cout << "listening " << runner.url() << std::endl;
    while (!g_quit)
        ::usleep(100 * 1000);
    return 0;
}
