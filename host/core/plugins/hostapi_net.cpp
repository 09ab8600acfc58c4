// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
// The host API's HTTP requests (through the host's libcurl client, bounded, audited) and
// secrets (the plugin's own names in the system keychain). See hostapi.cpp.
#include <algorithm>
#include <cstring>

#include <nlohmann/json.hpp>

#include "audit/auditsink.h"
#include "net/httpclient.h"
#include "plugins/hostapi_internal.h"
#include "plugins/pluginruntime.h"
#include "util/secretstore.h"
#include "util/text.h"

namespace tessera::plugins::detail::hostapi {

using json = nlohmann::json;

constexpr std::size_t kMaxHttpHeaders = 64;
constexpr std::size_t kMaxHttpBodyBytes = 8u * 1024u * 1024u;
constexpr std::uint32_t kDefaultHttpTimeoutMs = 30'000;
constexpr std::uint32_t kMaxHttpTimeoutMs = 120'000;
constexpr std::uint32_t kDefaultHttpResponseBytes = 8u * 1024u * 1024u;
constexpr std::uint32_t kMaxHttpResponseBytes = 64u * 1024u * 1024u;

// ---- HTTP -----------------------------------------------------------------------------------

bool isHeaderNameChar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

bool isForbiddenHeader(const std::string &lowerName)
{
    static const std::set<std::string, std::less<>> kForbidden{"host", "content-length", "transfer-encoding",
                                                               "connection", "cookie", "upgrade", "te"};
    return kForbidden.count(lowerName) || text::startsWith(lowerName, "proxy-");
}

#define TESSERA_HTTP_FIELD_PRESENT(field, size) \
    (offsetof(tessera_http_request, field) + sizeof(((tessera_http_request *)nullptr)->field) <= (size))

tessera_status hostHttpRequest(tessera_host *host, const tessera_http_request *request, std::size_t size,
                               tessera_http_fn done, void *userData, std::uint64_t *requestId)
{
    PluginRuntime *rt = runtimeOf(host);
    if (!rt)
        return TESSERA_BAD_REQUEST;
    if (requestId)
        *requestId = 0;
    if (!rt->active)
        return rt->refuse(TESSERA_UNAVAILABLE, "the plugin is not running");
    if (!request || !done)
        return rt->refuse(TESSERA_BAD_REQUEST, "http_request needs a request and a callback");
    if (size > sizeof(tessera_http_request))
        return rt->refuse(TESSERA_BAD_REQUEST, "tessera_http_request of " + std::to_string(size)
                                                   + " bytes is larger than the host's "
                                                   + std::to_string(sizeof(tessera_http_request)) + " bytes");
    tessera_http_request c;
    std::memset(&c, 0, sizeof c);
    std::memcpy(&c, request, size);
    if (!TESSERA_HTTP_FIELD_PRESENT(method, size) || !c.method || !TESSERA_HTTP_FIELD_PRESENT(url, size) || !c.url)
        return rt->refuse(TESSERA_BAD_REQUEST, "http_request: the required fields method and url must be set");

    net::Request out;
    static const std::set<std::string, std::less<>> kMethods{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"};
    const auto method = checkedText(c.method, 16);
    if (!method || !kMethods.count(*method))
        return rt->refuse(TESSERA_BAD_REQUEST, "method must be GET, HEAD, POST, PUT, PATCH or DELETE");
    out.method = *method;
    const auto url = checkedText(c.url, kMaxUrlBytes);
    if (!url)
        return rt->refuse(TESSERA_BAD_REQUEST, "url must be UTF-8 of at most 8192 bytes");
    const std::string scheme = net::urlScheme(*url);
    if (!(scheme == "https" || (scheme == "http" && net::isLoopbackHost(net::urlHost(*url)))))
        return rt->refuse(TESSERA_DENIED, "only https: URLs, or http: URLs of a loopback host, are allowed");
    out.url = *url;
    out.followRedirects = true; // the client follows only to https:, or http: on loopback

    if (c.headers_json) {
        auto headers = checkedObject(c.headers_json, 64 * 1024, "headers_json");
        if (!headers)
            return rt->refuse(TESSERA_BAD_REQUEST, headers.error().message);
        if (headers->size() > kMaxHttpHeaders)
            return rt->refuse(TESSERA_LIMIT, "at most " + std::to_string(kMaxHttpHeaders) + " request headers");
        for (const auto &[name, value] : headers->items()) {
            if (name.empty() || !std::all_of(name.begin(), name.end(), isHeaderNameChar))
                return rt->refuse(TESSERA_BAD_REQUEST, "header name \"" + name + "\" is not a valid token");
            if (isForbiddenHeader(text::toLowerAscii(name)))
                return rt->refuse(TESSERA_DENIED, "header \"" + name + "\" is set by the host and cannot be sent");
            if (!value.is_string() || value.get_ref<const std::string &>().find_first_of("\r\n") != std::string::npos)
                return rt->refuse(TESSERA_BAD_REQUEST, "header \"" + name + "\" needs a single-line string value");
            out.headers.push_back({name, value.get<std::string>()});
        }
    }
    if (TESSERA_HTTP_FIELD_PRESENT(body_size, size) && c.body_size > 0) {
        if (!c.body)
            return rt->refuse(TESSERA_BAD_REQUEST, "body_size is set but body is NULL");
        if (c.body_size > kMaxHttpBodyBytes)
            return rt->refuse(TESSERA_LIMIT, "the request body is larger than 8 MiB");
        out.body.assign(c.body, c.body_size);
    }
    if (c.timeout_ms > kMaxHttpTimeoutMs)
        return rt->refuse(TESSERA_BAD_REQUEST, "timeout_ms must be at most " + std::to_string(kMaxHttpTimeoutMs));
    out.timeoutMs = c.timeout_ms ? c.timeout_ms : kDefaultHttpTimeoutMs;
    if (c.max_response_bytes > kMaxHttpResponseBytes)
        return rt->refuse(TESSERA_BAD_REQUEST, "max_response_bytes must be at most 64 MiB");
    out.maxResponseBytes = c.max_response_bytes ? c.max_response_bytes : kDefaultHttpResponseBytes;

    // 1.2: a request made for a widget session, and a streamed body.
    std::optional<bridge::WidgetContext> forWidget;
    if (TESSERA_HTTP_FIELD_PRESENT(session_id, size) && c.session_id != 0) {
        auto it = rt->sessions.find(c.session_id);
        if (it == rt->sessions.end())
            return rt->refuse(TESSERA_NOT_FOUND, "session " + std::to_string(c.session_id)
                                                     + " is unknown or closed (sessions come from a call to the plugin)");
        forWidget = it->second;
    }
    const tessera_http_data_fn onData = TESSERA_HTTP_FIELD_PRESENT(on_data, size) ? c.on_data : nullptr;

    PluginManager::Impl &core = *rt->core;
    if (!core.services.http)
        return rt->refuse(TESSERA_UNSUPPORTED, "this host offers no HTTP client");
    if (!core.services.audit->accepting())
        return rt->refuse(TESSERA_UNAVAILABLE, "the audit log cannot be written, so the request was refused");
    if (rt->httpRequests.size() >= kMaxPendingRequestsPerPlugin)
        return rt->refuse(TESSERA_LIMIT, "the plugin already has " + std::to_string(kMaxPendingRequestsPerPlugin)
                                             + " HTTP requests in flight");

    const std::uint64_t id = core.nextRequestId++;
    const std::string what = out.method + " " + net::redactUrl(out.url);
    if (onData) {
        out.onData = [weak = rt->weak_from_this(), id, onData, userData](long status, std::string piece) {
            auto alive = weak.lock();
            if (!alive || !alive->active || alive->httpRequests.count(id) == 0)
                return;
            alive->core->callInto(*alive, "an HTTP data callback", [&] {
                onData(userData, static_cast<std::int32_t>(status), piece.data(), piece.size());
            });
        };
    }
    const std::uint64_t netId = core.services.http->send(
        std::move(out), [weak = rt->weak_from_this(), id, what, forWidget, done, userData](Result<net::Response> r) {
            auto alive = weak.lock();
            if (!alive || alive->httpRequests.erase(id) == 0)
                return; // cancelled, or the plugin stopped
            const std::string outcome = r ? what + " -> " + std::to_string(r->status) : what + ": " + r.error().message;
            alive->core->audit(alive->id, "plugin.http", r ? audit::Decision::Allowed : audit::Decision::Failed,
                               outcome, forWidget ? &*forWidget : nullptr);
            if (!alive->active)
                return;
            json headers = json::object();
            std::string error;
            tessera_http_response response{};
            response.struct_size = sizeof response;
            if (r) {
                for (const net::Header &h : r->headers) {
                    auto &slot = headers[h.name];
                    slot = slot.is_string() ? slot.get<std::string>() + ", " + h.value : h.value;
                }
                response.status = TESSERA_OK;
                response.http_status = static_cast<std::int32_t>(r->status);
                response.body = r->body.c_str();
                response.body_size = r->body.size();
            } else {
                error = r.error().message;
                // 1.3 tells a transfer that ran out of time from one that could not be made.
                response.status = r.error().code == ErrorCode::Timeout && knowsMinor(alive->abi, 3)
                                      ? TESSERA_TIMEOUT
                                      : statusFor(r.error().code);
                response.body = "";
            }
            const std::string headersText = dumpJson(headers);
            response.headers_json = headersText.c_str();
            response.error = error.c_str();
            alive->core->callInto(*alive, "an HTTP response callback", [&] { done(userData, &response); });
        });
    rt->httpRequests.emplace(id, netId);
    if (requestId)
        *requestId = id;
    return TESSERA_OK;
}

void hostHttpCancel(tessera_host *host, std::uint64_t requestId)
{
    PluginRuntime *rt = runtimeOf(host);
    if (!rt)
        return;
    auto it = rt->httpRequests.find(requestId);
    if (it == rt->httpRequests.end())
        return;
    if (rt->core->services.http)
        rt->core->services.http->cancel(it->second);
    rt->httpRequests.erase(it);
}

// ---- Secrets --------------------------------------------------------------------------------

constexpr std::size_t kMaxSecretNameBytes = 64;
constexpr std::size_t kMaxSecretValueBytes = 8192;

/** The store's name for a plugin's secret @p name, or nullopt (with the reason) if it is not valid. */
std::optional<std::string> secretName(PluginRuntime &rt, const char *name)
{
    const auto n = checkedText(name, kMaxSecretNameBytes);
    if (!n || n->empty() || n->find("..") != std::string::npos
        || !std::all_of(n->begin(), n->end(), [](char c) {
               return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
                   || c == '_' || c == '.';
           })) {
        rt.refuse(TESSERA_BAD_REQUEST, "a secret name is 1 to 64 bytes of letters, digits, '-', '_' and '.' (no \"..\")");
        return std::nullopt;
    }
    return "plugin." + rt.id + "." + *n;
}

/** Checks shared by the secret functions; returns the store or null (with the reason). */
SecretStore *secretStoreFor(PluginRuntime &rt, tessera_result_fn done, tessera_status &status)
{
    status = TESSERA_OK;
    if (!rt.active)
        status = rt.refuse(TESSERA_UNAVAILABLE, "the plugin is not running");
    else if (!done)
        status = rt.refuse(TESSERA_BAD_REQUEST, "the secret functions need a callback");
    else if (!rt.core->services.secrets)
        status = rt.refuse(TESSERA_UNSUPPORTED, "this host keeps no secrets for plugins");
    else if (!rt.core->services.audit->accepting())
        status = rt.refuse(TESSERA_UNAVAILABLE, "the audit log cannot be written, so the request was refused");
    return status == TESSERA_OK ? rt.core->services.secrets : nullptr;
}

/** What a secret operation came to: the plugin's status and the text its callback is given. */
struct SecretOutcome {
    tessera_status status;
    std::string text;
};

/**
 * The one path of the secret functions: checks the runtime, the callback, the store and the name,
 * runs @p operation on the store (it returns nullopt when it refused the request itself, having said
 * why), audits the outcome by the secret's name (never its value) and answers the plugin later.
 */
template <typename Operation>
tessera_status runSecretOperation(tessera_host *host, const std::string &action, const char *name,
                                  tessera_result_fn done, void *userData, Operation operation)
{
    PluginRuntime *rt = runtimeOf(host);
    if (!rt)
        return TESSERA_BAD_REQUEST;
    tessera_status status = TESSERA_OK;
    SecretStore *store = secretStoreFor(*rt, done, status);
    if (!store)
        return status;
    const auto key = secretName(*rt, name);
    if (!key)
        return TESSERA_BAD_REQUEST;
    std::optional<SecretOutcome> outcome = operation(*rt, *store, *key);
    if (!outcome)
        return TESSERA_BAD_REQUEST;
    rt->core->audit(rt->id, action,
                    outcome->status == TESSERA_OK || outcome->status == TESSERA_NOT_FOUND ? audit::Decision::Allowed
                                                                                        : audit::Decision::Failed,
                    outcome->status == TESSERA_OK ? *key
                                                  : *key + ": " + (outcome->status == TESSERA_NOT_FOUND ? "none stored"
                                                                                                       : outcome->text));
    postResult(*rt, action, done, userData, outcome->status, std::move(outcome->text));
    return TESSERA_OK;
}

/** The outcome of a store call that returns nothing but may fail. */
template <typename Result>
SecretOutcome doneOrFailed(const Result &result)
{
    return result ? SecretOutcome{TESSERA_OK, "{}"} : SecretOutcome{statusFor(result.error().code), result.error().message};
}

tessera_status hostReadSecret(tessera_host *host, const char *name, tessera_result_fn done, void *userData)
{
    return runSecretOperation(host, "plugin.read_secret", name, done, userData,
                              [name](PluginRuntime &, SecretStore &store, const std::string &key)
                                  -> std::optional<SecretOutcome> {
                                  auto value = store.read(key);
                                  if (!value)
                                      return SecretOutcome{statusFor(value.error().code), value.error().message};
                                  if (!*value)
                                      return SecretOutcome{TESSERA_NOT_FOUND,
                                                           "no secret named \"" + std::string(name) + "\""};
                                  return SecretOutcome{TESSERA_OK, std::move(**value)};
                              });
}

tessera_status hostWriteSecret(tessera_host *host, const char *name, const char *value, tessera_result_fn done,
                               void *userData)
{
    return runSecretOperation(host, "plugin.write_secret", name, done, userData,
                              [value](PluginRuntime &rt, SecretStore &store, const std::string &key)
                                  -> std::optional<SecretOutcome> {
                                  const auto text = checkedText(value, kMaxSecretValueBytes);
                                  if (!text || text->empty()) {
                                      rt.refuse(TESSERA_BAD_REQUEST, "a secret's value is UTF-8 of 1 to 8192 bytes");
                                      return std::nullopt;
                                  }
                                  return doneOrFailed(store.write(key, *text));
                              });
}

tessera_status hostDeleteSecret(tessera_host *host, const char *name, tessera_result_fn done, void *userData)
{
    return runSecretOperation(host, "plugin.delete_secret", name, done, userData,
                              [](PluginRuntime &, SecretStore &store, const std::string &key)
                                  -> std::optional<SecretOutcome> { return doneOrFailed(store.remove(key)); });
}

} // namespace tessera::plugins::detail::hostapi
