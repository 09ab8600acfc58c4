// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "matrix/clientapi.h"

#include <charconv>

#include "matrix/events.h"
#include "util/text.h"

namespace tessera::matrix {

void ClientApi::setBaseUrl(std::string baseUrl)
{
    while (!baseUrl.empty() && baseUrl.back() == '/')
        baseUrl.pop_back();
    m_baseUrl = std::move(baseUrl);
}

std::string ClientApi::segment(std::string_view raw)
{
    return text::percentEncodeComponent(raw);
}

net::HttpClient::RequestId ClientApi::call(const ApiCall &call, std::function<void(Result<ApiResponse>)> done)
{
    net::Request req;
    req.method = call.method;
    req.url = m_baseUrl + call.path;
    for (std::size_t i = 0; i < call.query.size(); ++i) {
        req.url += i == 0 ? '?' : '&';
        req.url += text::percentEncodeComponent(call.query[i].first) + "=" +
                   text::percentEncodeComponent(call.query[i].second);
    }
    req.timeoutMs = call.timeoutMs;
    req.maxResponseBytes = call.maxResponseBytes;
    req.followRedirects = call.followRedirects;
    if (call.authenticated && !m_token.empty())
        req.headers.push_back({"Authorization", "Bearer " + m_token});
    if (call.rawBody) {
        req.body = *call.rawBody;
        req.headers.push_back({"Content-Type", call.contentType.empty() ? "application/octet-stream" : call.contentType});
    } else if (call.body) {
        req.body = call.body->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        req.headers.push_back({"Content-Type", "application/json"});
    }
    req.headers.push_back({"Accept", call.rawResponse ? "*/*" : "application/json"});

    const std::string what = call.method + " " + call.path;
    const std::string shownUrl = net::redactUrl(req.url);
    const bool raw = call.rawResponse;
    const bool arrayOk = call.arrayResponse;
    return m_http.send(std::move(req), [done = std::move(done), what, shownUrl, raw, arrayOk](Result<net::Response> r) {
        if (!r) {
            done(std::move(r).error());
            return;
        }
        net::Response &resp = *r;
        ApiResponse out;
        out.status = resp.status;
        out.contentType = std::string(resp.header("content-type").value_or(""));
        if (resp.status >= 200 && resp.status < 300) {
            if (raw) {
                out.body = std::move(resp.body);
                done(std::move(out));
                return;
            }
            out.json = nlohmann::json::parse(resp.body, nullptr, false);
            if (out.json.is_discarded() || !(arrayOk ? out.json.is_array() : out.json.is_object())) {
                done(Error(ErrorCode::Corrupt, what + ": the homeserver answered " + std::to_string(resp.status) +
                                                   std::string(arrayOk ? " with a body that is not a JSON array" : " with a body that is not a JSON object")));
                return;
            }
            done(std::move(out));
            return;
        }
        MatrixApiError api;
        api.httpStatus = static_cast<int>(resp.status);
        api.url = shownUrl;
        for (const auto &h : resp.headers)
            api.httpHeaders[h.name] = h.value;
        nlohmann::json body = nlohmann::json::parse(resp.body, nullptr, false);
        api.response = body.is_object() ? body : nlohmann::json::object();
        const std::string errcode = jsonString(api.response, "errcode");
        const std::string message = jsonString(api.response, "error");
        std::string text = what + ": " + std::to_string(resp.status);
        if (!errcode.empty())
            text += " " + errcode;
        if (!message.empty())
            text += ": " + text::truncateUtf8(message, 300);
        done(Error(errorCodeForStatus(static_cast<int>(resp.status)), std::move(text), std::move(api)));
    });
}

bool isTransient(const Error &error)
{
    if (error.matrixApiError) {
        const int status = error.matrixApiError->httpStatus;
        return status == 429 || status >= 500;
    }
    return error.code == ErrorCode::Timeout || error.code == ErrorCode::Unavailable;
}

std::optional<std::int64_t> retryAfterMs(const Error &error)
{
    if (!error.matrixApiError || error.matrixApiError->httpStatus != 429)
        return std::nullopt;
    const auto &resp = error.matrixApiError->response;
    if (auto it = resp.find("retry_after_ms"); it != resp.end() && it->is_number_integer())
        return std::max<std::int64_t>(0, it->get<std::int64_t>());
    const auto &headers = error.matrixApiError->httpHeaders;
    if (auto it = headers.find("retry-after"); it != headers.end() && it->is_string()) {
        const std::string &s = it->get_ref<const std::string &>();
        std::int64_t seconds = 0;
        const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), seconds);
        if (ec == std::errc() && ptr == s.data() + s.size() && seconds >= 0)
            return seconds * 1000;
    }
    return std::nullopt;
}

std::string errcodeOf(const Error &error)
{
    if (!error.matrixApiError)
        return {};
    return jsonString(error.matrixApiError->response, "errcode");
}

} // namespace tessera::matrix
