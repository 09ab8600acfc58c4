// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The issue tracker's REST provider: Gitea and Forgejo (/api/v1) and the GitHub-compatible
// subset, reached through the host's HTTP client (tessera_host_api.http_request, made for the
// calling widget session, so it is consented and audited like the call), with the API token the
// user entered once kept in the system keychain (read_secret / write_secret), per server.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include <nlohmann/json.hpp>
#include <tessera/plugin.hpp>

namespace issues {

/** The actions of the capability io.tessera.issues.rest, each io.tessera.issues.rest.<name>. */
inline constexpr const char *kRestCapability = "io.tessera.issues.rest";
inline constexpr const char *kRestActions[] = {"token", "list", "get", "create", "comment", "update"};

/** Limits, each named and tested. */
inline constexpr std::uint32_t kRequestTimeoutMs = 4500;  ///< per request: a call is answered within the host's 10 s
inline constexpr std::uint32_t kMaxResponseBytes = 4u << 20;
inline constexpr std::size_t kMaxTitleBytes = 255;        ///< Gitea's limit
inline constexpr std::size_t kMaxBodyBytes = 65535;
inline constexpr std::size_t kMaxTokenBytes = 512;
inline constexpr int kMaxPageSize = 50;                   ///< Gitea's default MAX_RESPONSE_ITEMS
inline constexpr std::size_t kMaxCachedResponses = 64;    ///< ETag cache entries (oldest dropped)

class RestProvider {
public:
    explicit RestProvider(std::function<tessera::sdk::Host &()> host) : m_host(std::move(host)) {}

    /** Answers one call of an io.tessera.issues.rest.* action (always, with reply or reply_error). */
    void handle(const tessera::sdk::Call &call);

    struct Target {
        std::string provider; ///< gitea, forgejo or github
        std::string apiUrl;   ///< without a trailing slash
        std::string repo;     ///< owner/name
        std::string server;   ///< scheme://host[:port], what the token belongs to
        std::string secret;   ///< the keychain name of that server's token
    };

private:
    using Json = nlohmann::json;
    using Done = std::function<void(const Json &body, const Json &meta)>;
    using Fail = std::function<void(const std::string &kind, const std::string &message)>;

    void token(const tessera::sdk::Call &call, const Target &target, const Json &data);
    /**
     * Reads the server's token and makes the request; on any failure answers the call itself
     * (or calls @p onFail instead when given).
     */
    void request(std::uint64_t callId, std::uint64_t sessionId, const Target &target, const std::string &method,
                 const std::string &path, const Json &body, Done done, Fail onFail = nullptr);
    void fail(std::uint64_t callId, const std::string &kind, const std::string &message);

    std::function<tessera::sdk::Host &()> m_host;
    struct Cached {
        std::string etag;
        Json body;
        Json meta;
        std::uint64_t used = 0;
    };
    std::map<std::string, Cached> m_cache; // by token name + URL
    std::uint64_t m_clock = 0;
};

/** Parses a widget request's provider, api_url and repo; an error text if they are not valid. */
std::string parseTarget(const nlohmann::json &data, RestProvider::Target &out);

/** The issue as the page knows it, from a Gitea/GitHub issue object. */
nlohmann::json normalizeIssue(const nlohmann::json &issue);

/** The page numbers of a Link header's rel="next" and rel="last" (0 when absent). */
std::pair<int, int> linkPages(const std::string &link);

} // namespace issues
