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

#include "testhomeserver.h"

namespace {

constexpr const char *kProgram = "tessera-test-homeserver";
constexpr long long kDefaultMaxRequests = 10000;
constexpr long long kDefaultMaxSeconds = 600;
constexpr long long kMaxMaxSeconds = 24 * 3600;

constexpr const char *kUsage = R"(Usage: tessera-test-homeserver [options]

A loopback Matrix homeserver for tests (never a product). It listens on 127.0.0.1 only,
keeps everything in memory, and stops by itself after --max-requests requests or
--max-seconds seconds. When it is ready it prints its base URL (http://127.0.0.1:PORT)
as the only line on stdout.

Options:
  --port N              port to listen on; 0 (default) picks a free one
  --bind ADDR           address to bind; only 127.0.0.1 is accepted (the default)
  --server-name NAME    server name in user/room ids and mxc URIs (default tessera.test)
  --user NAME:PASSWORD  create a user (repeatable); NAME is a localpart or @user:server
  --room ALIAS:CREATOR  create a public room #ALIAS:server created by CREATOR, which every
                        --user joins (repeatable); CREATOR must be a --user
  --seed FILE.json      load users, rooms, state and switches from a seed file (README)
  --max-requests N      stop after answering N requests (default 10000)
  --max-seconds S       stop after S seconds (default 600, at most 86400)
  --max-upload-bytes N  m.upload.size; larger uploads get 413 M_TOO_LARGE (default 10 MiB)
  --legacy-media        serve only /_matrix/media/v3 (v1 media answers 404 M_UNRECOGNIZED)
  --oidc-issuer URL     advertise delegated OIDC (MSC2965) instead of password login
  --oauth-issuer URL    delegate authentication to this OAuth 2.0 server on 127.0.0.1 (as
                        Synapse with MAS): its metadata is auth_metadata, tokens are checked
                        by introspection; needs --oauth-client
  --oauth-client ID:SECRET  the homeserver's client credentials for introspection
  --oauth-advertised-issuer URL  what auth_issuer names (another URL: the mismatch case)
  --oauth-account URL   the account management URL added to the metadata (MSC4191)
  --oauth-unstable-only answer 404 on auth_metadata: clients must use auth_issuer
  --help                print this help and exit

Exit status: 0 when it stopped by a bound or by SIGINT/SIGTERM, 1 when it could not start,
2 for a bad command line. Every error is one line on stderr.
)";

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

    const std::vector<std::string> args(argv + 1, argv + argc);
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string &arg = args[i];
        if (arg == "--help" || arg == "-h") {
            std::cout << kUsage;
            return 0;
        }
        if (arg == "--legacy-media") {
            legacyMedia = true;
            continue;
        }
        if (arg == "--oauth-unstable-only") {
            oauthUnstableOnly = true;
            continue;
        }
        const bool takesValue = arg == "--port" || arg == "--bind" || arg == "--server-name" || arg == "--user" ||
                                arg == "--room" || arg == "--seed" || arg == "--max-requests" ||
                                arg == "--max-seconds" || arg == "--max-upload-bytes" || arg == "--oidc-issuer" ||
                                arg == "--oauth-issuer" || arg == "--oauth-client" ||
                                arg == "--oauth-advertised-issuer" || arg == "--oauth-account";
        if (!takesValue) {
            return fail(2, "unknown option '" + arg + "' (see --help)");
        }
        if (i + 1 >= args.size()) {
            return fail(2, "option " + arg + " needs a value (see --help)");
        }
        const std::string value = args[++i];
        long long number = 0;
        if (arg == "--port") {
            if (!parseCount(value, 0, 65535, number)) {
                return fail(2, "--port must be 0..65535, got '" + value + "'");
            }
            options.port = static_cast<int>(number);
        } else if (arg == "--bind") {
            if (value != "127.0.0.1") {
                return fail(2, "--bind only accepts 127.0.0.1 (a test server never leaves loopback), got '" +
                                   value + "'");
            }
        } else if (arg == "--server-name") {
            options.serverName = value;
        } else if (arg == "--user" || arg == "--room") {
            // A user may be a full id (@name:server:password); an alias is a bare localpart.
            std::size_t colon = value.find(':');
            if (arg == "--user" && !value.empty() && value[0] == '@' && colon != std::string::npos) {
                colon = value.find(':', colon + 1);
            }
            if (colon == std::string::npos || colon == 0 || colon + 1 == value.size()) {
                return fail(2, arg + " must be " + (arg == "--user" ? "NAME:PASSWORD" : "ALIAS:CREATOR") +
                                   ", got '" + value + "'");
            }
            (arg == "--user" ? users : rooms).emplace_back(value.substr(0, colon), value.substr(colon + 1));
        } else if (arg == "--seed") {
            seedPath = value;
        } else if (arg == "--max-requests") {
            if (!parseCount(value, 1, 100000000, number)) {
                return fail(2, "--max-requests must be 1..100000000, got '" + value + "'");
            }
            options.maxRequests = static_cast<std::size_t>(number);
        } else if (arg == "--max-seconds") {
            if (!parseCount(value, 1, kMaxMaxSeconds, number)) {
                return fail(2, "--max-seconds must be 1.." + std::to_string(kMaxMaxSeconds) + ", got '" + value + "'");
            }
            options.maxLifetimeMs = static_cast<int>(number * 1000);
        } else if (arg == "--max-upload-bytes") {
            if (!parseCount(value, 1, 1LL << 31, number)) {
                return fail(2, "--max-upload-bytes must be 1..2147483648, got '" + value + "'");
            }
            options.maxUploadBytes = static_cast<std::size_t>(number);
        } else if (arg == "--oidc-issuer") {
            oidcIssuer = value;
        } else if (arg == "--oauth-issuer") {
            if (value.rfind("http://127.0.0.1:", 0) != 0) {
                return fail(2, "--oauth-issuer must be http://127.0.0.1:PORT (a test server never leaves loopback)");
            }
            oauth.issuer = value;
        } else if (arg == "--oauth-client") {
            const auto colon = value.find(':');
            if (colon == std::string::npos || colon == 0 || colon + 1 == value.size()) {
                return fail(2, "--oauth-client must be ID:SECRET");
            }
            oauth.clientId = value.substr(0, colon);
            oauth.clientSecret = value.substr(colon + 1);
        } else if (arg == "--oauth-advertised-issuer") {
            oauth.advertisedIssuer = value;
        } else if (arg == "--oauth-account") {
            oauth.accountManagementUri = value;
        }
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
