// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// Delegated authentication (MSC3861) as Synapse does it with the Matrix Authentication Service:
// the authorization server's metadata is served as auth_metadata, and access tokens are checked
// by token introspection (RFC 7662) with the homeserver's own client credentials.

#include "homeserver/homeserverimpl.h"

namespace tessera::e2e {

using detail::Json;
using detail::mxError;

namespace {

constexpr std::string_view kDevicePrefixes[] = {"urn:matrix:client:device:", "urn:matrix:org.matrix.msc2967.client:device:"};
constexpr std::string_view kApiScopes[] = {"urn:matrix:client:api:*", "urn:matrix:org.matrix.msc2967.client:api:*"};
constexpr int kIntrospectionTimeoutSeconds = 10;

std::string lower(std::string text)
{
    for (char &c : text)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

/** "http://127.0.0.1:PORT/path" -> ("http://127.0.0.1:PORT", "/path"). */
std::pair<std::string, std::string> splitUrl(const std::string &url)
{
    const auto scheme = url.find("://");
    const auto slash = scheme == std::string::npos ? std::string::npos : url.find('/', scheme + 3);
    if (slash == std::string::npos)
        return {url, "/"};
    return {url.substr(0, slash), url.substr(slash)};
}

Result<Json> requestJson(const std::string &url, const httplib::Headers &headers, const std::string *form)
{
    const auto [origin, path] = splitUrl(url);
    if (origin.rfind("http://127.0.0.1:", 0) != 0)
        return Error(ErrorCode::Denied, "the test homeserver only talks to an authorization server on 127.0.0.1, not " + origin);
    httplib::Client client(origin);
    client.set_connection_timeout(kIntrospectionTimeoutSeconds, 0);
    client.set_read_timeout(kIntrospectionTimeoutSeconds, 0);
    auto res = form ? client.Post(path, headers, *form, "application/x-www-form-urlencoded") : client.Get(path, headers);
    if (!res)
        return mxError(503, "M_UNKNOWN", "The authorization server could not be reached: " + httplib::to_string(res.error()));
    Json body = Json::parse(res->body, nullptr, false);
    if (res->status != 200 || !body.is_object())
        return mxError(503, "M_UNKNOWN", "The authorization server answered " + std::to_string(res->status));
    return body;
}

std::string formValue(std::string_view text)
{
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
            out += static_cast<char>(c);
        else {
            static const char *hex = "0123456789ABCDEF";
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

} // namespace

Result<Json> TestHomeserver::Impl::issuerMetadata()
{
    const OAuthDelegation &o = *m_options.oauth;
    std::string issuer = o.issuer;
    while (!issuer.empty() && issuer.back() == '/')
        issuer.pop_back();
    return requestJson(issuer + "/.well-known/openid-configuration", {{"Accept", "application/json"}}, nullptr);
}

Result<Session> TestHomeserver::Impl::introspect(const std::string &token)
{
    auto metadata = issuerMetadata();
    if (!metadata)
        return metadata.error();
    const std::string endpoint = metadata->value("introspection_endpoint", "");
    if (endpoint.empty())
        return mxError(503, "M_UNKNOWN", "The authorization server offers no token introspection");
    const OAuthDelegation &o = *m_options.oauth;
    const std::string form = "token=" + formValue(token) + "&token_type_hint=access_token";
    httplib::Headers headers = {{"Accept", "application/json"},
                                httplib::make_basic_authentication_header(o.clientId, o.clientSecret)};
    auto answer = requestJson(endpoint, headers, &form);
    if (!answer)
        return answer.error();
    if (!answer->value("active", false))
        return mxError(401, "M_UNKNOWN_TOKEN", "Token is not active", Json{{"soft_logout", false}});
    const std::string scope = answer->value("scope", "");
    std::string deviceId;
    bool api = false;
    std::size_t pos = 0;
    while (pos < scope.size()) {
        const auto end = std::min(scope.find(' ', pos), scope.size());
        const std::string_view item = std::string_view(scope).substr(pos, end - pos);
        for (std::string_view prefix : kDevicePrefixes)
            if (item.size() > prefix.size() && item.substr(0, prefix.size()) == prefix)
                deviceId = std::string(item.substr(prefix.size()));
        for (std::string_view a : kApiScopes)
            api = api || item == a;
        pos = end + 1;
    }
    if (!api)
        return mxError(403, "M_FORBIDDEN", "Missing required scope: urn:matrix:client:api:*");
    if (deviceId.empty())
        return mxError(401, "M_UNKNOWN_TOKEN", "The token is not bound to a device", Json{{"soft_logout", false}});
    std::string user = answer->value("username", "");
    if (user.empty())
        user = answer->value("sub", "");
    std::lock_guard lock(m_mutex);
    const std::string userId = user.empty() || user[0] != '@' ? qualifyUser(lower(user)) : user;
    auto it = m_users.find(userId);
    if (it == m_users.end())
        return mxError(401, "M_UNKNOWN_TOKEN", "The token's user " + userId + " is unknown here", Json{{"soft_logout", false}});
    it->second.devices.insert(deviceId); // Synapse makes the device on first use
    Session session;
    session.userId = userId;
    session.deviceId = deviceId;
    session.accessToken = token;
    return session;
}

std::size_t TestHomeserver::Impl::expireTokens(const std::string &user, bool softLogout)
{
    std::lock_guard lock(m_mutex);
    const std::string userId = qualifyUser(user);
    std::size_t count = 0;
    for (auto it = m_tokens.begin(); it != m_tokens.end();) {
        if (it->second.userId == userId) {
            m_expiredTokens[it->first] = softLogout;
            it = m_tokens.erase(it);
            ++count;
        } else {
            ++it;
        }
    }
    return count;
}

std::size_t TestHomeserver::expireTokens(const std::string &user, bool softLogout)
{
    return m_impl->expireTokens(user, softLogout);
}

} // namespace tessera::e2e
