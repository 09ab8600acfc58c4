// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
// tessera-test-homeserver: the loopback test homeserver as a process, for end-to-end runs.

#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <signal.h>
#include <time.h>

#include <CLI/CLI.hpp>

#include "testhomeserver.h"

namespace {

constexpr const char *kProgram = "tessera-test-homeserver";
constexpr long long kDefaultMaxRequests = 10000;
constexpr long long kDefaultMaxSeconds = 600;
constexpr long long kMaxMaxSeconds = 24 * 3600;

constexpr const char *kAbout = R"(A loopback Matrix homeserver for tests (never a product). It listens on 127.0.0.1 only,
keeps everything in memory, and stops by itself after --max-requests requests or
--max-seconds seconds. When it is ready it prints its base URL (http://127.0.0.1:PORT)
as the only line on stdout.

Exit status: 0 when it stopped by a bound or by SIGINT/SIGTERM, 1 when it could not start,
2 for a bad command line. Every error is one line on stderr.)";

int fail(int status, const std::string &message)
{
    std::cerr << kProgram << ": " << message << "\n";
    return status;
}

bool parseCount(const std::string &text, long long min, long long max, long long &out)
{
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos || text.size() > 12) {
        return false;
    }
    out = std::stoll(text);
    return out >= min && out <= max;
}

} // namespace

int main(int argc, char **argv)
{
    using tessera::e2e::HomeserverOptions;
    using tessera::e2e::TestHomeserver;

    HomeserverOptions options;
    options.maxRequests = kDefaultMaxRequests;
    options.maxLifetimeMs = static_cast<int>(kDefaultMaxSeconds * 1000);
    std::vector<std::pair<std::string, std::string>> users;
    std::vector<std::pair<std::string, std::string>> rooms;
    std::string seedPath;
    std::string oidcIssuer;
    bool legacyMedia = false;
    tessera::e2e::OAuthDelegation oauth;
    bool oauthUnstableOnly = false;

    std::string port = "0";
    std::string bind = "127.0.0.1";
    std::vector<std::string> userArgs;
    std::vector<std::string> roomArgs;
    std::string maxRequests = std::to_string(kDefaultMaxRequests);
    std::string maxSeconds = std::to_string(kDefaultMaxSeconds);
    std::string maxUploadBytes;
    CLI::App cli(kAbout, kProgram);
    cli.allow_extras(); // reported below, in this program's words
    cli.add_option("--port", port, "port to listen on; 0 (default) picks a free one");
    cli.add_option("--bind", bind, "address to bind; only 127.0.0.1 is accepted (the default)");
    cli.add_option("--server-name", options.serverName, "server name in user/room ids and mxc URIs")
        ->capture_default_str();
    cli.add_option("--user", userArgs, "NAME:PASSWORD: create a user (repeatable); NAME is a localpart or @user:server")
        ->allow_extra_args(false);
    cli.add_option("--room", roomArgs,
                   "ALIAS:CREATOR: create a public room #ALIAS:server created by CREATOR, which every --user joins "
                   "(repeatable); CREATOR must be a --user")
        ->allow_extra_args(false);
    cli.add_option("--seed", seedPath, "FILE.json: load users, rooms, state and switches from a seed file (README)");
    cli.add_option("--max-requests", maxRequests, "stop after answering N requests")->capture_default_str();
    cli.add_option("--max-seconds", maxSeconds, "stop after S seconds (at most 86400)")->capture_default_str();
    cli.add_option("--max-upload-bytes", maxUploadBytes,
                   "m.upload.size; larger uploads get 413 M_TOO_LARGE (default 10 MiB)");
    cli.add_flag("--legacy-media", legacyMedia, "serve only /_matrix/media/v3 (v1 media answers 404 M_UNRECOGNIZED)");
    cli.add_option("--oidc-issuer", oidcIssuer, "advertise delegated OIDC (MSC2965) instead of password login");
    std::string oauthClient;
    cli.add_option("--oauth-issuer", oauth.issuer,
                   "URL: delegate authentication to this OAuth 2.0 server on 127.0.0.1 (as Synapse with MAS): its "
                   "metadata is auth_metadata, tokens are checked by introspection; needs --oauth-client");
    cli.add_option("--oauth-client", oauthClient, "ID:SECRET: the homeserver's client credentials for introspection");
    cli.add_option("--oauth-advertised-issuer", oauth.advertisedIssuer,
                   "URL: what auth_issuer names (another URL: the mismatch case)");
    cli.add_option("--oauth-account", oauth.accountManagementUri,
                   "URL: the account management URL added to the metadata (MSC4191)");
    cli.add_flag("--oauth-unstable-only", oauthUnstableOnly, "answer 404 on auth_metadata: clients must use auth_issuer");
    try {
        cli.parse(argc, argv);
    } catch (const CLI::CallForHelp &) {
        std::cout << cli.help();
        return 0;
    } catch (const CLI::ParseError &e) {
        return fail(2, std::string(e.what()) + " (see --help)");
    }
    if (!cli.remaining().empty()) {
        return fail(2, "unknown option '" + cli.remaining().front() + "' (see --help)");
    }

    long long number = 0;
    if (!parseCount(port, 0, 65535, number)) {
        return fail(2, "--port must be 0..65535, got '" + port + "'");
    }
    options.port = static_cast<int>(number);
    if (bind != "127.0.0.1") {
        return fail(2, "--bind only accepts 127.0.0.1 (a test server never leaves loopback), got '" + bind + "'");
    }
    for (const auto *list : {&userArgs, &roomArgs}) {
        const bool isUser = list == &userArgs;
        for (const std::string &value : *list) {
            // A user may be a full id (@name:server:password); an alias is a bare localpart.
            std::size_t colon = value.find(':');
            if (isUser && !value.empty() && value[0] == '@' && colon != std::string::npos) {
                colon = value.find(':', colon + 1);
            }
            if (colon == std::string::npos || colon == 0 || colon + 1 == value.size()) {
                return fail(2, std::string(isUser ? "--user must be NAME:PASSWORD" : "--room must be ALIAS:CREATOR") +
                                   ", got '" + value + "'");
            }
            (isUser ? users : rooms).emplace_back(value.substr(0, colon), value.substr(colon + 1));
        }
    }
    if (!parseCount(maxRequests, 1, 100000000, number)) {
        return fail(2, "--max-requests must be 1..100000000, got '" + maxRequests + "'");
    }
    options.maxRequests = static_cast<std::size_t>(number);
    if (!parseCount(maxSeconds, 1, kMaxMaxSeconds, number)) {
        return fail(2, "--max-seconds must be 1.." + std::to_string(kMaxMaxSeconds) + ", got '" + maxSeconds + "'");
    }
    options.maxLifetimeMs = static_cast<int>(number * 1000);
    if (!maxUploadBytes.empty()) {
        if (!parseCount(maxUploadBytes, 1, 1LL << 31, number)) {
            return fail(2, "--max-upload-bytes must be 1..2147483648, got '" + maxUploadBytes + "'");
        }
        options.maxUploadBytes = static_cast<std::size_t>(number);
    }
    if (!oauth.issuer.empty() && oauth.issuer.rfind("http://127.0.0.1:", 0) != 0) {
        return fail(2, "--oauth-issuer must be http://127.0.0.1:PORT (a test server never leaves loopback)");
    }
    if (!oauthClient.empty()) {
        const auto colon = oauthClient.find(':');
        if (colon == std::string::npos || colon == 0 || colon + 1 == oauthClient.size()) {
            return fail(2, "--oauth-client must be ID:SECRET");
        }
        oauth.clientId = oauthClient.substr(0, colon);
        oauth.clientSecret = oauthClient.substr(colon + 1);
    }
    if (!oauth.issuer.empty()) {
        if (oauth.clientId.empty()) {
            return fail(2, "--oauth-issuer needs --oauth-client ID:SECRET");
        }
        oauth.stableMetadata = !oauthUnstableOnly;
        options.oauth = oauth;
        oidcIssuer = oauth.issuer + "/"; // well-known and /login advertise the delegation; no password login
    }

    nlohmann::json seed;
    if (!seedPath.empty()) {
        std::ifstream file(seedPath);
        if (!file) {
            return fail(2, "cannot read seed file '" + seedPath + "': " + std::strerror(errno));
        }
        std::stringstream text;
        text << file.rdbuf();
        seed = nlohmann::json::parse(text.str(), nullptr, false);
        if (seed.is_discarded()) {
            return fail(2, "seed file '" + seedPath + "' is not valid JSON");
        }
    }

    // Block the stop signals before any thread starts, so only sigtimedwait below sees them.
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGINT);
    sigaddset(&stopSignals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    TestHomeserver server(options);
    server.setLegacyMediaOnly(legacyMedia);
    server.setDelegatedOidcIssuer(oidcIssuer);
    for (const auto &[name, password] : users) {
        if (auto created = server.createUser(name, password); !created) {
            return fail(2, "--user " + name + ": " + created.error().message);
        }
    }
    if (!seed.is_null()) {
        if (auto applied = server.applySeed(seed); !applied) {
            return fail(2, "--seed " + seedPath + ": " + applied.error().message);
        }
    }
    for (const auto &[alias, creator] : rooms) {
        tessera::e2e::RoomSpec spec;
        spec.alias = alias;
        spec.creator = creator;
        spec.preset = "public_chat";
        for (const auto &[name, password] : users) {
            if (name != creator && "@" + name + ":" + options.serverName != creator) {
                spec.join.push_back(name);
            }
        }
        if (auto created = server.createRoom(spec); !created) {
            return fail(2, "--room " + alias + ":" + creator + ": " + created.error().message);
        }
    }
    if (auto started = server.start(); !started) {
        return fail(1, started.error().message);
    }
    std::cout << server.baseUrl() << std::endl;

    timespec tick{0, 200 * 1000 * 1000};
    while (!server.waitUntilStopped(std::chrono::milliseconds(0))) {
        if (sigtimedwait(&stopSignals, nullptr, &tick) > 0) {
            server.stop();
        }
    }
    const auto reason = server.waitUntilStopped(std::chrono::milliseconds(0));
    std::cerr << kProgram << ": stopped after " << server.requestCount() << " requests ("
              << tessera::e2e::stopReasonName(reason.value_or(tessera::e2e::StopReason::Stopped)) << ")\n";
    return 0;
}
