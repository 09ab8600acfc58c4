// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "giteafixture.h"

#include <algorithm>
#include <chrono>
#include <functional>

#include <httplib.h>

using nlohmann::json;

namespace tessera::test {

namespace {

void error(httplib::Response &res, int status, const std::string &message)
{
    res.status = status;
    res.set_content(json{{"message", message}, {"url", "https://gitea.example/api/swagger"}}.dump(), "application/json");
}

std::string hexHash(const std::string &text)
{
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016zx", std::hash<std::string>{}(text));
    return buf;
}

} // namespace

GiteaFixture::GiteaFixture(std::string repo, std::string user, std::string token)
    : m_repo(std::move(repo)), m_user(std::move(user)), m_token(std::move(token)),
      m_server(std::make_unique<httplib::Server>())
{
    routes();
    m_server->set_keep_alive_max_count(1); // stop() need not wait for an idle connection
    m_port = m_server->bind_to_any_port("127.0.0.1");
    m_thread = std::thread([this] { m_server->listen_after_bind(); });
    while (!m_server->is_running())
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

GiteaFixture::~GiteaFixture()
{
    m_server->stop();
    if (m_thread.joinable())
        m_thread.join();
}

std::string GiteaFixture::apiUrl() const
{
    return "http://127.0.0.1:" + std::to_string(m_port) + "/api/v1";
}

void GiteaFixture::addLabel(const std::string &name, const std::string &color)
{
    std::lock_guard lock(m_mutex);
    m_labels.emplace_back(name, color);
}

std::int64_t GiteaFixture::addIssue(Issue issue)
{
    std::lock_guard lock(m_mutex);
    issue.number = m_nextNumber++;
    if (issue.author.empty())
        issue.author = m_user;
    issue.updated = 1;
    m_issues[issue.number] = issue;
    return issue.number;
}

void GiteaFixture::addReadOnlyToken(const std::string &token)
{
    std::lock_guard lock(m_mutex);
    m_readOnlyTokens.push_back(token);
}

void GiteaFixture::setRateLimit(int remaining, int resetInSeconds)
{
    std::lock_guard lock(m_mutex);
    m_rateRemaining = remaining;
    m_rateReset = resetInSeconds;
}

void GiteaFixture::failNext(int status, int count, int delayMs)
{
    std::lock_guard lock(m_mutex);
    for (int i = 0; i < count; ++i)
        m_faults.push_back({status, delayMs});
}

std::vector<GiteaFixture::Seen> GiteaFixture::requests() const
{
    std::lock_guard lock(m_mutex);
    return m_seen;
}

GiteaFixture::Issue GiteaFixture::issue(std::int64_t number) const
{
    std::lock_guard lock(m_mutex);
    auto it = m_issues.find(number);
    return it == m_issues.end() ? Issue{} : it->second;
}

json GiteaFixture::labelJson(const std::string &name) const
{
    for (std::size_t i = 0; i < m_labels.size(); ++i)
        if (m_labels[i].first == name)
            return json{{"id", i + 1}, {"name", name}, {"color", m_labels[i].second}, {"description", ""}};
    return json{{"id", 0}, {"name", name}, {"color", "000000"}, {"description", ""}};
}

json GiteaFixture::issueJson(const Issue &issue) const
{
    json labels = json::array();
    for (const auto &l : issue.labels)
        labels.push_back(labelJson(l));
    const std::string html = "http://127.0.0.1:" + std::to_string(m_port) + "/" + m_repo + "/issues/" + std::to_string(issue.number);
    json assignee = issue.assignee.empty() ? json(nullptr) : json{{"id", 2}, {"login", issue.assignee}};
    return json{{"id", 1000 + issue.number},
                {"url", apiUrl() + "/repos/" + m_repo + "/issues/" + std::to_string(issue.number)},
                {"html_url", html},
                {"number", issue.number},
                {"user", {{"id", 1}, {"login", issue.author}, {"full_name", ""}}},
                {"title", issue.title},
                {"body", issue.body},
                {"labels", labels},
                {"milestone", nullptr},
                {"assignee", assignee},
                {"assignees", issue.assignee.empty() ? json(nullptr) : json::array({assignee})},
                {"state", issue.state},
                {"is_locked", false},
                {"comments", issue.comments.size()},
                {"created_at", "2026-01-0" + std::to_string(1 + issue.number % 9) + "T10:00:00Z"},
                {"updated_at", "2026-02-01T10:00:" + std::string(issue.updated < 10 ? "0" : "") + std::to_string(issue.updated % 60) + "Z"},
                {"closed_at", issue.state == "closed" ? json("2026-02-01T10:00:00Z") : json(nullptr)},
                {"pull_request", nullptr},
                {"repository", {{"id", 1}, {"name", m_repo.substr(m_repo.find('/') + 1)}, {"full_name", m_repo}}}};
}

void GiteaFixture::routes()
{
    httplib::Server &s = *m_server;
    // Recording, faults, authentication and the rate limit, before any route.
    s.set_pre_routing_handler([this](const httplib::Request &req, httplib::Response &res) {
        Fault fault{0, 0};
        std::string auth = req.get_header_value("Authorization");
        bool readOnly = false;
        bool limited = false;
        int remaining = 0;
        int reset = 0;
        {
            std::lock_guard lock(m_mutex);
            std::string path = req.path;
            if (!req.params.empty()) {
                std::string q;
                for (const auto &[k, v] : req.params)
                    q += (q.empty() ? "?" : "&") + k + "=" + v;
                path += q;
            }
            m_seen.push_back({req.method, path, auth, req.get_header_value("If-None-Match"), 0});
            if (!m_faults.empty()) {
                fault = m_faults.front();
                m_faults.pop_front();
            }
            readOnly = std::find(m_readOnlyTokens.begin(), m_readOnlyTokens.end(), auth.substr(auth.find(' ') + 1))
                    != m_readOnlyTokens.end();
            if (m_rateRemaining <= 0)
                limited = true;
            else
                --m_rateRemaining;
            remaining = std::max(0, m_rateRemaining);
            reset = m_rateReset;
        }
        const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
        res.set_header("X-RateLimit-Limit", "5000");
        res.set_header("X-RateLimit-Remaining", std::to_string(remaining));
        res.set_header("X-RateLimit-Reset", std::to_string(now + reset));
        if (fault.delayMs > 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(fault.delayMs));
        if (fault.status != 0) {
            error(res, fault.status, fault.status >= 500 ? "Internal Server Error" : "injected failure");
            return httplib::Server::HandlerResponse::Handled;
        }
        if (limited) {
            res.set_header("Retry-After", std::to_string(reset));
            error(res, 429, "API rate limit exceeded");
            return httplib::Server::HandlerResponse::Handled;
        }
        if (auth.empty()) {
            error(res, 401, "token is required");
            return httplib::Server::HandlerResponse::Handled;
        }
        if (auth != "token " + m_token && !readOnly) {
            error(res, 401, "user does not exist [uid: 0, name: ]");
            return httplib::Server::HandlerResponse::Handled;
        }
        if (readOnly && req.method != "GET") {
            error(res, 403, "token does not have at least one of required scope(s): [write:issue]");
            return httplib::Server::HandlerResponse::Handled;
        }
        return httplib::Server::HandlerResponse::Unhandled;
    });
    s.set_post_routing_handler([this](const httplib::Request &, httplib::Response &res) {
        std::lock_guard lock(m_mutex);
        if (!m_seen.empty())
            m_seen.back().status = res.status;
    });

    const std::string repo = "/api/v1/repos/" + m_repo;

    s.Get(repo + "/labels", [this](const httplib::Request &, httplib::Response &res) {
        std::lock_guard lock(m_mutex);
        json out = json::array();
        for (const auto &l : m_labels)
            out.push_back(labelJson(l.first));
        res.set_content(out.dump(), "application/json");
    });

    s.Get(repo + "/issues", [this, repo](const httplib::Request &req, httplib::Response &res) {
        std::lock_guard lock(m_mutex);
        const std::string state = req.has_param("state") ? req.get_param_value("state") : "open";
        const std::string q = req.get_param_value("q");
        std::vector<std::string> wanted;
        for (std::string labels = req.get_param_value("labels"); !labels.empty();) {
            const auto comma = labels.find(',');
            wanted.push_back(labels.substr(0, comma));
            labels = comma == std::string::npos ? "" : labels.substr(comma + 1);
        }
        const std::string assignee = req.get_param_value("assigned_by");
        int page = req.has_param("page") ? std::max(1, std::atoi(req.get_param_value("page").c_str())) : 1;
        int limit = req.has_param("limit") ? std::atoi(req.get_param_value("limit").c_str()) : 30;
        if (limit < 1 || limit > 50)
            limit = 50; // Gitea's MAX_RESPONSE_ITEMS
        std::vector<const Issue *> matching;
        for (auto it = m_issues.rbegin(); it != m_issues.rend(); ++it) { // newest first
            const Issue &i = it->second;
            if (state != "all" && i.state != state)
                continue;
            if (!q.empty() && i.title.find(q) == std::string::npos && i.body.find(q) == std::string::npos)
                continue;
            if (!assignee.empty() && i.assignee != assignee)
                continue;
            if (!std::all_of(wanted.begin(), wanted.end(), [&](const std::string &w) {
                    return std::find(i.labels.begin(), i.labels.end(), w) != i.labels.end();
                }))
                continue;
            matching.push_back(&i);
        }
        json out = json::array();
        for (std::size_t k = static_cast<std::size_t>((page - 1) * limit); k < matching.size() && out.size() < static_cast<std::size_t>(limit); ++k)
            out.push_back(issueJson(*matching[k]));
        const std::string body = out.dump();
        const std::string etag = "\"" + hexHash(body) + "\"";
        res.set_header("ETag", etag);
        res.set_header("X-Total-Count", std::to_string(matching.size()));
        const int last = std::max<int>(1, static_cast<int>((matching.size() + limit - 1) / limit));
        auto link = [&](int p, const char *rel) {
            std::string query;
            for (const auto &[k, v] : req.params)
                if (k != "page")
                    query += k + "=" + v + "&";
            return "<http://127.0.0.1:" + std::to_string(m_port) + repo + "/issues?" + query + "page=" + std::to_string(p)
                 + ">; rel=\"" + rel + "\"";
        };
        std::string links;
        if (page < last)
            links = link(page + 1, "next") + "," + link(last, "last");
        if (page > 1)
            links += (links.empty() ? "" : ",") + link(1, "first") + "," + link(page - 1, "prev");
        if (!links.empty())
            res.set_header("Link", links);
        if (req.get_header_value("If-None-Match") == etag) {
            res.status = 304;
            return;
        }
        res.set_content(body, "application/json");
    });

    s.Get(repo + R"(/issues/(\d+))", [this](const httplib::Request &req, httplib::Response &res) {
        std::lock_guard lock(m_mutex);
        auto it = m_issues.find(std::stoll(req.matches[1]));
        if (it == m_issues.end())
            return error(res, 404, "issue does not exist [id: 0, repo_id: 1, index: " + std::string(req.matches[1]) + "]");
        const std::string body = issueJson(it->second).dump();
        const std::string etag = "\"" + hexHash(body) + "\"";
        res.set_header("ETag", etag);
        if (req.get_header_value("If-None-Match") == etag) {
            res.status = 304;
            return;
        }
        res.set_content(body, "application/json");
    });

    s.Get(repo + R"(/issues/(\d+)/comments)", [this](const httplib::Request &req, httplib::Response &res) {
        std::lock_guard lock(m_mutex);
        auto it = m_issues.find(std::stoll(req.matches[1]));
        if (it == m_issues.end())
            return error(res, 404, "issue does not exist");
        res.set_content(json(it->second.comments).dump(), "application/json");
    });

    s.Post(repo + "/issues", [this](const httplib::Request &req, httplib::Response &res) {
        const json in = json::parse(req.body, nullptr, false);
        if (!in.is_object())
            return error(res, 400, "invalid JSON");
        const std::string title = in.value("title", std::string());
        if (title.empty())
            return error(res, 422, "[Title]: Required");
        if (title.size() > 255)
            return error(res, 422, "[Title]: MaxSize");
        std::lock_guard lock(m_mutex);
        Issue issue;
        issue.number = m_nextNumber++;
        issue.title = title;
        issue.body = in.value("body", std::string());
        issue.author = m_user;
        issue.updated = 1;
        if (in.contains("labels") && in["labels"].is_array())
            for (const auto &id : in["labels"]) {
                if (!id.is_number_integer() || id.get<std::int64_t>() < 1 || id.get<std::size_t>() > m_labels.size())
                    return error(res, 422, "label does not exist [id: " + id.dump() + "]");
                issue.labels.push_back(m_labels[id.get<std::size_t>() - 1].first);
            }
        if (in.contains("assignees") && in["assignees"].is_array() && !in["assignees"].empty())
            issue.assignee = in["assignees"][0].get<std::string>();
        m_issues[issue.number] = issue;
        res.status = 201;
        res.set_content(issueJson(issue).dump(), "application/json");
    });

    s.Patch(repo + R"(/issues/(\d+))", [this](const httplib::Request &req, httplib::Response &res) {
        const json in = json::parse(req.body, nullptr, false);
        if (!in.is_object())
            return error(res, 400, "invalid JSON");
        std::lock_guard lock(m_mutex);
        auto it = m_issues.find(std::stoll(req.matches[1]));
        if (it == m_issues.end())
            return error(res, 404, "issue does not exist");
        Issue &issue = it->second;
        if (in.contains("title")) {
            if (!in["title"].is_string() || in["title"].get<std::string>().empty())
                return error(res, 422, "[Title]: Required");
            issue.title = in["title"];
        }
        if (in.contains("body") && in["body"].is_string())
            issue.body = in["body"];
        if (in.contains("state")) {
            if (in["state"] != "open" && in["state"] != "closed")
                return error(res, 422, "[State]: invalid state");
            issue.state = in["state"];
        }
        if (in.contains("assignees") && in["assignees"].is_array())
            issue.assignee = in["assignees"].empty() ? "" : in["assignees"][0].get<std::string>();
        ++issue.updated;
        res.status = 201; // as Gitea answers an edit
        res.set_content(issueJson(issue).dump(), "application/json");
    });

    s.Put(repo + R"(/issues/(\d+)/labels)", [this](const httplib::Request &req, httplib::Response &res) {
        const json in = json::parse(req.body, nullptr, false);
        if (!in.is_object() || !in.contains("labels") || !in["labels"].is_array())
            return error(res, 422, "[Labels]: Required");
        std::lock_guard lock(m_mutex);
        auto it = m_issues.find(std::stoll(req.matches[1]));
        if (it == m_issues.end())
            return error(res, 404, "issue does not exist");
        std::vector<std::string> names;
        for (const auto &id : in["labels"]) {
            if (!id.is_number_integer() || id.get<std::int64_t>() < 1 || id.get<std::size_t>() > m_labels.size())
                return error(res, 422, "label does not exist [id: " + id.dump() + "]");
            names.push_back(m_labels[id.get<std::size_t>() - 1].first);
        }
        it->second.labels = names;
        ++it->second.updated;
        json out = json::array();
        for (const auto &n : names)
            out.push_back(labelJson(n));
        res.set_content(out.dump(), "application/json");
    });

    s.Post(repo + R"(/issues/(\d+)/comments)", [this](const httplib::Request &req, httplib::Response &res) {
        const json in = json::parse(req.body, nullptr, false);
        if (!in.is_object() || !in.contains("body") || !in["body"].is_string() || in["body"].get<std::string>().empty())
            return error(res, 422, "[Body]: Required");
        std::lock_guard lock(m_mutex);
        auto it = m_issues.find(std::stoll(req.matches[1]));
        if (it == m_issues.end())
            return error(res, 404, "issue does not exist");
        json comment{{"id", m_nextCommentId++},
                     {"body", in["body"]},
                     {"user", {{"id", 1}, {"login", m_user}}},
                     {"created_at", "2026-02-02T09:00:00Z"},
                     {"updated_at", "2026-02-02T09:00:00Z"}};
        it->second.comments.push_back(comment);
        ++it->second.updated;
        res.status = 201;
        res.set_content(comment.dump(), "application/json");
    });
}

} // namespace tessera::test
