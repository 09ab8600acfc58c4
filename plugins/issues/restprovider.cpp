// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "restprovider.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <memory>
#include <optional>
#include <utility>

using nlohmann::json;
using tessera::sdk::Call;
using tessera::sdk::HttpRequest;
using tessera::sdk::HttpResponse;
using tessera::sdk::Status;

namespace issues {

namespace {

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

bool validRepo(const std::string &repo)
{
    const auto slash = repo.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == repo.size() || repo.find('/', slash + 1) != std::string::npos
        || repo.size() > 200 || repo.find("..") != std::string::npos)
        return false;
    return std::all_of(repo.begin(), repo.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '/';
    });
}

std::string percent(const std::string &s)
{
    static const char *hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
            out += static_cast<char>(c);
        else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

std::string header(const json &headers, const char *name)
{
    auto it = headers.find(name);
    return it != headers.end() && it->is_string() ? it->get<std::string>() : std::string();
}

long long number(const std::string &s)
{
    try {
        return s.empty() ? -1 : std::stoll(s);
    } catch (...) {
        return -1;
    }
}

const json &field(const json &data, const char *name)
{
    static const json none;
    auto it = data.find(name);
    return it == data.end() ? none : *it;
}

/**
 * Gitea's ids of the labels named @p names, found among the repository's labels @p known (Gitea
 * takes label ids where GitHub takes names). A name the repository lacks is put in @p missing.
 */
json labelIds(const json &known, const std::vector<std::string> &names, std::optional<std::string> &missing)
{
    json ids = json::array();
    for (const auto &name : names) {
        auto it = std::find_if(known.begin(), known.end(),
                               [&](const json &l) { return l.is_object() && field(l, "name") == name; });
        if (it == known.end()) {
            missing = name;
            return json::array();
        }
        ids.push_back(field(*it, "id"));
    }
    return ids;
}

std::string text(const json &data, const char *name)
{
    const json &v = field(data, name);
    return v.is_string() ? v.get<std::string>() : std::string();
}

/** A list of label names from @p v, or nullopt-like false if it is not one. */
bool labelNames(const json &v, std::vector<std::string> &out)
{
    if (!v.is_array() || v.size() > 20)
        return false;
    for (const auto &l : v) {
        if (!l.is_string() || l.get_ref<const std::string &>().empty() || l.get_ref<const std::string &>().size() > 100)
            return false;
        out.push_back(l.get<std::string>());
    }
    return true;
}

} // namespace

std::string parseTarget(const json &data, RestProvider::Target &out)
{
    out.provider = text(data, "provider");
    if (out.provider.empty())
        out.provider = "gitea";
    if (out.provider != "gitea" && out.provider != "forgejo" && out.provider != "github")
        return "provider must be gitea, forgejo or github";
    out.apiUrl = text(data, "api_url");
    while (!out.apiUrl.empty() && out.apiUrl.back() == '/')
        out.apiUrl.pop_back();
    const auto scheme = out.apiUrl.find("://");
    if (out.apiUrl.size() > 1024 || scheme == std::string::npos
        || (lower(out.apiUrl.substr(0, scheme)) != "https" && lower(out.apiUrl.substr(0, scheme)) != "http")
        || out.apiUrl.find_first_of("?#@ \t\r\n") != std::string::npos)
        return "api_url must be an https: URL without a query, e.g. https://git.example.org/api/v1";
    const auto hostEnd = out.apiUrl.find('/', scheme + 3);
    const std::string host = lower(out.apiUrl.substr(scheme + 3, hostEnd == std::string::npos ? std::string::npos : hostEnd - scheme - 3));
    if (host.empty())
        return "api_url has no host";
    out.server = lower(out.apiUrl.substr(0, scheme)) + "://" + host;
    // The keychain name: letters, digits, '-', '_' and '.' only.
    std::string name = "token.";
    for (char c : host)
        name += std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ? c : '-';
    while (name.find("..") != std::string::npos)
        name.replace(name.find(".."), 2, ".");
    out.secret = name.substr(0, 64);
    out.repo = text(data, "repo");
    if (!validRepo(out.repo))
        return "repo must be owner/name (letters, digits, '-', '_' and '.')";
    return {};
}

json normalizeIssue(const json &issue)
{
    json labels = json::array();
    if (issue.contains("labels") && issue["labels"].is_array())
        for (const auto &l : issue["labels"])
            if (l.is_object() && l.contains("name") && l["name"].is_string())
                labels.push_back(l["name"]);
    auto login = [](const json &user) {
        return user.is_object() && user.contains("login") && user["login"].is_string() ? json(user["login"]) : json(nullptr);
    };
    return json{{"number", issue.value("number", 0)},
                {"title", text(issue, "title")},
                {"body", text(issue, "body")},
                {"state", text(issue, "state")},
                {"labels", labels},
                {"assignee", login(field(issue, "assignee"))},
                {"author", login(field(issue, "user"))},
                {"comments", field(issue, "comments").is_number() ? issue["comments"] : json(0)},
                {"created_at", text(issue, "created_at")},
                {"updated_at", text(issue, "updated_at")},
                {"url", text(issue, "html_url")}};
}

std::pair<int, int> linkPages(const std::string &link)
{
    int next = 0;
    int last = 0;
    std::size_t pos = 0;
    while ((pos = link.find('<', pos)) != std::string::npos) {
        const auto close = link.find('>', pos);
        if (close == std::string::npos)
            break;
        const std::string url = link.substr(pos + 1, close - pos - 1);
        const auto semi = link.find(',', close);
        const std::string params = link.substr(close, semi == std::string::npos ? std::string::npos : semi - close);
        int page = 0;
        for (const char *key : {"?page=", "&page="}) {
            const auto p = url.find(key);
            if (p != std::string::npos)
                page = static_cast<int>(number(url.substr(p + 6, url.find('&', p + 6) - p - 6)));
        }
        if (params.find("rel=\"next\"") != std::string::npos)
            next = std::max(0, page);
        else if (params.find("rel=\"last\"") != std::string::npos)
            last = std::max(0, page);
        pos = close;
    }
    return {next, last};
}

void RestProvider::fail(std::uint64_t callId, const std::string &kind, const std::string &message)
{
    // "<kind>: <what happened>": the page shows its own words for the kind, and the server's.
    m_host().replyError(callId, kind + ": " + message);
}

void RestProvider::handle(const Call &call)
{
    const json data = json::parse(call.dataJson, nullptr, false);
    if (!data.is_object())
        return fail(call.id, "bad-request", "the request's data is not a JSON object");
    // The repository is the one the widget was set up for: its data in the room, as the host
    // passes it with the call. Only a widget whose data names none of provider, api_url and repo
    // (one added before the fields existed) takes them from the page's request.
    const json widget = json::parse(call.widgetJson, nullptr, false);
    const json widgetData = widget.is_object() ? field(widget, "data") : json();
    const bool fromWidget = widgetData.is_object()
        && (widgetData.contains("provider") || widgetData.contains("api_url") || widgetData.contains("repo"));
    Target target;
    if (const std::string e = parseTarget(fromWidget ? widgetData : data, target); !e.empty())
        return fail(call.id, "bad-request", fromWidget ? "the widget's settings: " + e : e);
    const std::string action(call.action.substr(call.action.rfind('.') + 1));
    const std::string repo = "/repos/" + target.repo;
    const bool github = target.provider == "github";

    if (action == "token")
        return token(call, target, data);

    if (action == "list") {
        const std::string state = text(data, "state").empty() ? "open" : text(data, "state");
        if (state != "open" && state != "closed" && state != "all")
            return fail(call.id, "bad-request", "state must be open, closed or all");
        const long long page = field(data, "page").is_number_integer() ? data["page"].get<long long>() : 1;
        const long long limit = field(data, "limit").is_number_integer() ? data["limit"].get<long long>() : 30;
        if (page < 1 || page > 100000)
            return fail(call.id, "bad-request", "page must be 1 or more");
        if (limit < 1 || limit > kMaxPageSize)
            return fail(call.id, "bad-request", "limit must be 1 to " + std::to_string(kMaxPageSize));
        std::vector<std::string> labels;
        if (!field(data, "labels").is_null() && !labelNames(data["labels"], labels))
            return fail(call.id, "bad-request", "labels must be a list of up to 20 names");
        const std::string q = text(data, "q");
        if (q.size() > 256)
            return fail(call.id, "bad-request", "a search is at most 256 bytes");
        if (github && !q.empty())
            return fail(call.id, "unsupported", "searching needs Gitea or Forgejo; GitHub's search API is not supported");
        std::string path = repo + "/issues?state=" + state + "&page=" + std::to_string(page)
                         + (github ? "&per_page=" : "&type=issues&limit=") + std::to_string(limit);
        if (!labels.empty()) {
            std::string joined;
            for (const auto &l : labels)
                joined += (joined.empty() ? "" : ",") + l;
            path += "&labels=" + percent(joined);
        }
        if (!q.empty())
            path += "&q=" + percent(q);
        const std::uint64_t callId = call.id;
        return request(callId, call.sessionId, target, "GET", path, nullptr, [this, callId](const json &body, const json &meta) {
            json issues = json::array();
            if (body.is_array())
                for (const auto &i : body)
                    if (i.is_object() && field(i, "pull_request").is_null()) // GitHub lists pull requests too
                        issues.push_back(normalizeIssue(i));
            json out = meta;
            out["issues"] = issues;
            m_host().reply(callId, out.dump());
        });
    }

    if (action == "create") {
        const std::string title = text(data, "title");
        if (title.empty() || title.size() > kMaxTitleBytes)
            return fail(call.id, "bad-request", "a title is 1 to " + std::to_string(kMaxTitleBytes) + " bytes");
        const std::string body = text(data, "body");
        if (body.size() > kMaxBodyBytes)
            return fail(call.id, "bad-request", "a description is at most " + std::to_string(kMaxBodyBytes) + " bytes");
        std::vector<std::string> labels;
        if (!field(data, "labels").is_null() && !labelNames(data["labels"], labels))
            return fail(call.id, "bad-request", "labels must be a list of up to 20 names");
        const json &assignee = field(data, "assignee");
        if (!assignee.is_null() && (!assignee.is_string() || assignee.get_ref<const std::string &>().empty()))
            return fail(call.id, "bad-request", "assignee must be a user name or null");
        json create{{"title", title}, {"body", body}};
        if (assignee.is_string())
            create["assignees"] = json::array({assignee});
        const std::uint64_t callId = call.id;
        const std::uint64_t session = call.sessionId;
        auto answer = [this, callId](const json &issue, const json &meta) {
            json out = meta;
            out["issue"] = normalizeIssue(issue);
            m_host().reply(callId, out.dump());
        };
        if (labels.empty() || github) {
            if (!labels.empty())
                create["labels"] = labels; // GitHub takes names
            return request(callId, session, target, "POST", repo + "/issues", create, answer);
        }
        // Gitea takes label ids: look them up by name first.
        return request(callId, session, target, "GET", repo + "/labels?limit=50", nullptr,
                       [this, callId, session, target, repo, labels, create, answer](const json &known, const json &) mutable {
                           std::optional<std::string> missing;
                           json ids = labelIds(known, labels, missing);
                           if (missing)
                               return fail(callId, "invalid", "the repository has no label \"" + *missing + "\"");
                           create["labels"] = ids;
                           request(callId, session, target, "POST", repo + "/issues", create, answer);
                       });
    }

    const json &num = field(data, "number");
    if (!num.is_number_integer() || num.get<long long>() < 1)
        return fail(call.id, "bad-request", "number must be an issue number");
    const std::string issuePath = repo + "/issues/" + std::to_string(num.get<long long>());
    const std::uint64_t callId = call.id;
    const std::uint64_t session = call.sessionId;

    if (action == "get") {
        // The issue and its comments, fetched side by side (each within its own timeout).
        struct Join {
            json issue, comments, meta;
            int left = 2;
            bool failed = false;
        };
        auto join = std::make_shared<Join>();
        auto finish = [this, callId, join] {
            if (--join->left > 0 || join->failed)
                return;
            json comments = json::array();
            if (join->comments.is_array())
                for (const auto &c : join->comments)
                    if (c.is_object())
                        comments.push_back(json{{"id", field(c, "id")},
                                                {"body", text(c, "body")},
                                                {"author", c.contains("user") && c["user"].is_object() ? field(c["user"], "login") : json(nullptr)},
                                                {"created_at", text(c, "created_at")}});
            json out = join->meta;
            out["issue"] = normalizeIssue(join->issue);
            out["comment_list"] = comments;
            m_host().reply(callId, out.dump());
        };
        // A failure answers the call once; the other half then finds it answered.
        auto onFail = [this, callId, join](const std::string &kind, const std::string &message) {
            if (join->failed)
                return;
            join->failed = true;
            fail(callId, kind, message);
        };
        request(callId, session, target, "GET", issuePath, nullptr, [join, finish](const json &body, const json &meta) {
            join->issue = body;
            join->meta = meta;
            finish();
        }, onFail);
        request(callId, session, target, "GET", issuePath + "/comments", nullptr, [join, finish](const json &body, const json &) {
            join->comments = body;
            finish();
        }, onFail);
        return;
    }

    if (action == "comment") {
        const std::string body = text(data, "body");
        if (body.empty() || body.size() > kMaxBodyBytes)
            return fail(callId, "bad-request", "a comment is 1 to " + std::to_string(kMaxBodyBytes) + " bytes");
        return request(callId, session, target, "POST", issuePath + "/comments", json{{"body", body}},
                       [this, callId](const json &c, const json &meta) {
                           json out = meta;
                           // Its author as the server has it: the page does not know the token's user.
                           out["comment"] = json{{"id", field(c, "id")},
                                                 {"body", text(c, "body")},
                                                 {"author", c.contains("user") && c["user"].is_object() ? field(c["user"], "login") : json(nullptr)},
                                                 {"created_at", text(c, "created_at")}};
                           m_host().reply(callId, out.dump());
                       });
    }

    if (action == "update") {
        json patch = json::object();
        if (data.contains("title")) {
            const std::string title = text(data, "title");
            if (title.empty() || title.size() > kMaxTitleBytes)
                return fail(callId, "bad-request", "a title is 1 to " + std::to_string(kMaxTitleBytes) + " bytes");
            patch["title"] = title;
        }
        if (data.contains("body")) {
            if (!data["body"].is_string() || data["body"].get_ref<const std::string &>().size() > kMaxBodyBytes)
                return fail(callId, "bad-request", "a description is at most " + std::to_string(kMaxBodyBytes) + " bytes");
            patch["body"] = data["body"];
        }
        if (data.contains("state")) {
            if (data["state"] != "open" && data["state"] != "closed")
                return fail(callId, "bad-request", "state must be open or closed");
            patch["state"] = data["state"];
        }
        if (data.contains("assignee")) {
            if (!data["assignee"].is_null() && (!data["assignee"].is_string() || data["assignee"].get_ref<const std::string &>().empty()))
                return fail(callId, "bad-request", "assignee must be a user name or null");
            patch["assignees"] = data["assignee"].is_null() ? json::array() : json::array({data["assignee"]});
        }
        std::vector<std::string> labels;
        const bool setLabels = data.contains("labels");
        if (setLabels && !labelNames(data["labels"], labels))
            return fail(callId, "bad-request", "labels must be a list of up to 20 names");
        if (setLabels && !patch.empty())
            return fail(callId, "bad-request", "labels are changed on their own, not with other fields");
        if (!setLabels && patch.empty())
            return fail(callId, "bad-request", "nothing to change");
        auto answer = [this, callId](const json &issue, const json &meta) {
            json out = meta;
            out["issue"] = normalizeIssue(issue);
            m_host().reply(callId, out.dump());
        };
        if (!setLabels)
            return request(callId, session, target, "PATCH", issuePath, patch, answer);
        if (github)
            return request(callId, session, target, "PUT", issuePath + "/labels", json{{"labels", labels}},
                           [this, callId, session, target, issuePath, answer](const json &, const json &) {
                               request(callId, session, target, "GET", issuePath, nullptr, answer);
                           });
        // Gitea takes label ids: look them up by name first.
        return request(callId, session, target, "GET", repo + "/labels?limit=50", nullptr,
                       [this, callId, session, target, issuePath, labels, answer](const json &known, const json &) {
                           std::optional<std::string> missing;
                           json ids = labelIds(known, labels, missing);
                           if (missing)
                               return fail(callId, "invalid", "the repository has no label \"" + *missing + "\"");
                           request(callId, session, target, "PUT", issuePath + "/labels", json{{"labels", ids}},
                                   [this, callId, session, target, issuePath, answer](const json &, const json &) {
                                       request(callId, session, target, "GET", issuePath, nullptr, answer);
                                   });
                       });
    }

    return fail(callId, "bad-request", "unknown action " + std::string(call.action));
}

void RestProvider::token(const Call &call, const Target &target, const json &data)
{
    const std::string op = text(data, "op");
    const std::uint64_t callId = call.id;
    const std::string server = target.server;
    auto done = [this, callId, server](const Status &s, bool stored) {
        if (!s)
            return fail(callId, s.code == TESSERA_UNSUPPORTED ? "unsupported" : "keychain", s.message);
        m_host().reply(callId, json{{"server", server}, {"stored", stored}}.dump());
    };
    Status started;
    if (op == "set") {
        const std::string value = text(data, "token");
        if (value.empty() || value.size() > kMaxTokenBytes || value.find_first_of(" \t\r\n") != std::string::npos)
            return fail(callId, "bad-request", "a token is 1 to " + std::to_string(kMaxTokenBytes) + " bytes without spaces");
        // A new token makes the answers cached under the old one stale.
        for (auto it = m_cache.begin(); it != m_cache.end();)
            it = it->first.rfind(target.secret + " ", 0) == 0 ? m_cache.erase(it) : std::next(it);
        started = m_host().writeSecret(target.secret, value, [done](const Status &s, std::string_view) { done(s, s.ok()); });
    } else if (op == "clear") {
        started = m_host().deleteSecret(target.secret, [done](const Status &s, std::string_view) { done(s, false); });
    } else if (op == "status") {
        started = m_host().readSecret(target.secret, [done](const Status &s, std::string_view) {
            done(s.code == TESSERA_NOT_FOUND ? Status::success() : s, s.ok());
        });
    } else {
        return fail(callId, "bad-request", "op must be set, clear or status");
    }
    if (!started)
        fail(callId, "keychain", started.message);
}

void RestProvider::request(std::uint64_t callId, std::uint64_t sessionId, const Target &target, const std::string &method,
                           const std::string &path, const json &body, Done done, Fail onFail)
{
    auto failed = [this, callId, onFail](const std::string &kind, const std::string &message) {
        if (onFail)
            onFail(kind, message);
        else
            fail(callId, kind, message);
    };
    const Status started = m_host().readSecret(
        target.secret, [this, failed, sessionId, target, method, path, body, done](const Status &s, std::string_view token) {
            if (s.code == TESSERA_NOT_FOUND)
                return failed("no-token", "no API token is stored for " + target.server);
            if (!s)
                return failed("keychain", s.message);
            HttpRequest r;
            r.method = method;
            r.url = target.apiUrl + path;
            r.sessionId = sessionId;
            r.timeoutMs = kRequestTimeoutMs;
            r.maxResponseBytes = kMaxResponseBytes;
            r.headers.emplace_back("Authorization", (target.provider == "github" ? "Bearer " : "token ") + std::string(token));
            r.headers.emplace_back("Accept", target.provider == "github" ? "application/vnd.github+json" : "application/json");
            const std::string cacheKey = target.secret + " " + r.url;
            if (method == "GET") {
                auto it = m_cache.find(cacheKey);
                if (it != m_cache.end())
                    r.headers.emplace_back("If-None-Match", it->second.etag);
            }
            if (!body.is_null()) {
                r.body = body.dump();
                r.headers.emplace_back("Content-Type", "application/json");
            }
            const Status sent = m_host().http(r, [this, failed, cacheKey, method, done](const HttpResponse &resp) {
                if (!resp.status) {
                    const std::string m = lower(resp.status.message);
                    return failed(m.find("timed out") != std::string::npos || m.find("timeout") != std::string::npos ? "timeout" : "network",
                                  resp.status.message);
                }
                const json headers = json::parse(resp.headersJson, nullptr, false);
                json meta = json::object();
                const long long remaining = number(header(headers, "x-ratelimit-remaining"));
                const long long reset = number(header(headers, "x-ratelimit-reset"));
                if (remaining >= 0)
                    meta["rate_limit"] = json{{"remaining", remaining}, {"reset", reset}};
                const int status = resp.httpStatus;
                if (status == 304) {
                    auto it = m_cache.find(cacheKey);
                    if (it == m_cache.end())
                        return failed("server", "the server answered 304 to a request with no cached answer");
                    it->second.used = ++m_clock;
                    json m = it->second.meta;
                    m["rate_limit"] = meta.value("rate_limit", json(nullptr));
                    m["not_modified"] = true;
                    return done(it->second.body, m);
                }
                const json parsed = json::parse(resp.body, nullptr, false);
                const std::string serverMessage = parsed.is_object() && parsed.contains("message") && parsed["message"].is_string()
                                                    ? parsed["message"].get<std::string>()
                                                    : std::string();
                const std::string said = " (HTTP " + std::to_string(status) + (serverMessage.empty() ? "" : ": " + serverMessage) + ")";
                if (status == 429 || (status == 403 && remaining == 0)) {
                    long long after = number(header(headers, "retry-after"));
                    if (after < 0 && reset > 0)
                        after = std::max(0LL, reset - static_cast<long long>(std::time(nullptr)));
                    return failed("rate-limited", "the server's rate limit is spent; try again in " + std::to_string(std::max(0LL, after))
                                                      + " s" + said);
                }
                if (status == 401)
                    return failed("unauthorized", "the server did not accept the token" + said);
                if (status == 403)
                    return failed("forbidden", "the token may not do this" + said);
                if (status == 404)
                    return failed("not-found", "no such repository or issue, or the token cannot see it" + said);
                if (status == 422 || status == 400)
                    return failed("invalid", "the server refused the change" + said);
                if (status >= 500)
                    return failed("server", "the server failed" + said);
                if (status < 200 || status >= 300)
                    return failed("server", "unexpected answer" + said);
                if (parsed.is_discarded())
                    return failed("server", "the answer is not JSON" + said);
                const auto pages = linkPages(header(headers, "link"));
                if (pages.first > 0)
                    meta["next_page"] = pages.first;
                if (pages.second > 0)
                    meta["last_page"] = pages.second;
                const long long total = number(header(headers, "x-total-count"));
                if (total >= 0)
                    meta["total"] = total;
                const std::string etag = header(headers, "etag");
                if (method == "GET" && !etag.empty()) {
                    if (m_cache.size() >= kMaxCachedResponses && !m_cache.count(cacheKey))
                        m_cache.erase(std::min_element(m_cache.begin(), m_cache.end(), [](const auto &a, const auto &b) {
                            return a.second.used < b.second.used;
                        }));
                    m_cache[cacheKey] = Cached{etag, parsed, meta, ++m_clock};
                }
                done(parsed, meta);
            });
            if (!sent)
                failed(sent.code == TESSERA_UNSUPPORTED ? "unsupported" : "network", sent.message);
        });
    if (!started)
        failed(started.code == TESSERA_UNSUPPORTED ? "unsupported" : "keychain", started.message);
}

} // namespace issues
