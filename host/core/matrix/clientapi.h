// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "net/httpclient.h"
#include "util/result.h"

namespace tessera::matrix {

/** One Client-Server API request. */
struct ApiCall {
    std::string method = "GET";
    /** Path on the homeserver, segments already encoded with ClientApi::segment(). */
    std::string path;
    std::vector<std::pair<std::string, std::string>> query;
    std::optional<nlohmann::json> body;
    /** A non-JSON body (media upload) and its type; used instead of `body` when set. */
    std::optional<std::string> rawBody;
    std::string contentType;
    bool authenticated = true;
    std::int64_t timeoutMs = 0;
    std::size_t maxResponseBytes = 0;
    /** Keep the body as bytes (media download) instead of parsing JSON. */
    bool rawResponse = false;
    /** The answer is a JSON array (GET /rooms/{id}/state); otherwise it must be an object. */
    bool arrayResponse = false;
    bool followRedirects = false;
};

struct ApiResponse {
    long status = 0;
    nlohmann::json json;  ///< parsed body: an object (an array with arrayResponse) unless rawResponse
    std::string body;     ///< the bytes, when rawResponse
    std::string contentType;
};

/**
 * @brief Sends Client-Server API requests to one homeserver and turns failures into Errors that
 * keep the server's answer (Error::matrixApiError: status, response headers, the URL without
 * its query, and {errcode, error, ...}).
 *
 * The access token goes only into the Authorization header; it never appears in a URL, an
 * error message or a MatrixApiError. It does not retry: callers decide with isTransient().
 */
class ClientApi {
public:
    explicit ClientApi(net::HttpClient &http) : m_http(http) {}

    void setBaseUrl(std::string baseUrl);
    [[nodiscard]] const std::string &baseUrl() const { return m_baseUrl; }
    void setAccessToken(std::string token) { m_token = std::move(token); }
    [[nodiscard]] bool hasAccessToken() const { return !m_token.empty(); }

    net::HttpClient::RequestId call(const ApiCall &call, std::function<void(Result<ApiResponse>)> done);
    void cancel(net::HttpClient::RequestId id) { m_http.cancel(id); }

    /** Percent-encodes one path segment (room ids, event types, user ids). */
    static std::string segment(std::string_view raw);

private:
    net::HttpClient &m_http;
    std::string m_baseUrl;
    std::string m_token;
};

/** A failure worth retrying later: no answer (network, timeout), 429, or a 5xx. */
bool isTransient(const Error &error);
/** The wait a 429 asks for (retry_after_ms, else Retry-After seconds), if any. */
std::optional<std::int64_t> retryAfterMs(const Error &error);
/** The errcode of a homeserver answer, or empty. */
std::string errcodeOf(const Error &error);

} // namespace tessera::matrix
