// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// A loopback stand-in for a Gitea/Forgejo server's issue API (/api/v1), for tests of the issue
// tracker's REST provider. No Gitea can run here, so this reproduces what the provider relies on:
// the JSON shapes of issues, labels and comments; token authentication ("Authorization: token
// …"); pagination with `page`/`limit`, `Link` (rel="next"/"last") and `X-Total-Count`; `ETag` and
// `If-None-Match` → 304; `X-RateLimit-*` headers and 429 with `Retry-After` once the budget is
// spent; and the error bodies ({"message", "url"}) of 401, 403, 404 and 422. Faults (a status, a
// delay) can be queued for the next requests. See tests/support/README-gitea.md.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace httplib {
class Server;
}

namespace tessera::test {

class GiteaFixture {
public:
    struct Issue {
        std::int64_t number = 0;
        std::string title;
        std::string body;
        std::string state = "open";
        std::vector<std::string> labels;
        std::string assignee; // empty: none
        std::string author;
        std::vector<nlohmann::json> comments;
        std::int64_t updated = 0; // a change counter, for the ETag
    };

    /** Serves repository @p repo ("owner/name") on 127.0.0.1, with one user and their token. */
    GiteaFixture(std::string repo, std::string user, std::string token);
    ~GiteaFixture();
    GiteaFixture(const GiteaFixture &) = delete;
    GiteaFixture &operator=(const GiteaFixture &) = delete;

    /** http://127.0.0.1:<port>/api/v1 */
    [[nodiscard]] std::string apiUrl() const;
    [[nodiscard]] int port() const { return m_port; }

    void addLabel(const std::string &name, const std::string &color = "e11d21");
    std::int64_t addIssue(Issue issue);
    /** A token that may read but not write (writes answer 403). */
    void addReadOnlyToken(const std::string &token);
    /** Requests left before 429 (each request spends one); starts at 5000. */
    void setRateLimit(int remaining, int resetInSeconds = 60);
    /** The next @p count requests answer @p status with a Gitea error body (or sleep @p delayMs first). */
    void failNext(int status, int count = 1, int delayMs = 0);

    struct Seen {
        std::string method;
        std::string path; // with the query
        std::string authorization;
        std::string ifNoneMatch;
        int status = 0;
    };
    [[nodiscard]] std::vector<Seen> requests() const;
    [[nodiscard]] Issue issue(std::int64_t number) const;

private:
    struct Fault {
        int status;
        int delayMs;
    };
    void routes();
    [[nodiscard]] nlohmann::json issueJson(const Issue &issue) const;
    [[nodiscard]] nlohmann::json labelJson(const std::string &name) const;

    std::string m_repo, m_user, m_token;
    std::vector<std::string> m_readOnlyTokens;
    std::unique_ptr<httplib::Server> m_server;
    std::thread m_thread;
    int m_port = 0;
    mutable std::mutex m_mutex;
    std::map<std::int64_t, Issue> m_issues;
    std::vector<std::pair<std::string, std::string>> m_labels; // name, colour; id = index + 1
    std::int64_t m_nextNumber = 1;
    std::int64_t m_nextCommentId = 1;
    int m_rateRemaining = 5000;
    int m_rateReset = 60;
    std::deque<Fault> m_faults;
    std::vector<Seen> m_seen;
};

} // namespace tessera::test
