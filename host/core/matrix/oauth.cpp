// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "matrix/oauth.h"

#include <algorithm>

#include "tokens/ed25519.h"
#include "util/jsonfields.h"
#include "util/text.h"

namespace tessera::matrix::oauth {

namespace {

Error refused(std::string message)
{
    return Error(ErrorCode::Denied, std::move(message));
}

bool listHas(const nlohmann::json &document, const char *key, std::string_view value)
{
    const auto it = document.find(key);
    if (it == document.end() || !it->is_array())
        return false;
    return std::any_of(it->begin(), it->end(), [&](const nlohmann::json &v) { return v.is_string() && v.get_ref<const std::string &>() == value; });
}

std::vector<std::string> stringList(const nlohmann::json &document, const char *key)
{
    std::vector<std::string> out;
    const auto it = document.find(key);
    if (it == document.end() || !it->is_array())
        return out;
    for (const auto &v : *it)
        if (v.is_string())
            out.push_back(v.get<std::string>());
    return out;
}

std::string stripSlash(std::string url)
{
    while (!url.empty() && url.back() == '/')
        url.pop_back();
    return url;
}

std::string percentDecode(std::string_view in)
{
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        const int hi = i + 2 < in.size() ? text::hexDigitValue(in[i + 1]) : -1;
        const int lo = i + 2 < in.size() ? text::hexDigitValue(in[i + 2]) : -1;
        if (in[i] == '+') {
            out += ' ';
        } else if (in[i] == '%' && hi >= 0 && lo >= 0) {
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else {
            out += in[i];
        }
    }
    return out;
}

} // namespace

Result<void> checkServerUrl(std::string_view what, const std::string &url)
{
    const std::string scheme = net::urlScheme(url);
    const std::string host = net::urlHost(url);
    const std::string shown = text::truncateUtf8(net::redactUrl(url), 200);
    if (url.empty())
        return Error(ErrorCode::Unsupported, "the authorization server names no " + std::string(what));
    if (host.empty() || (scheme != "https" && scheme != "http"))
        return refused(std::string(what) + " '" + shown + "' is not an https URL");
    if (scheme == "http" && !net::isLoopbackHost(host))
        return refused(std::string(what) + " " + shown + " must use https (http is only accepted on this computer's loopback address)");
    const auto authorityEnd = url.find('/', scheme.size() + 3);
    const std::string_view authority = std::string_view(url).substr(scheme.size() + 3, authorityEnd == std::string::npos ? std::string::npos : authorityEnd - scheme.size() - 3);
    if (authority.find('@') != std::string_view::npos)
        return refused(std::string(what) + " " + shown + " must not carry a user name or password");
    if (url.find('#') != std::string::npos)
        return refused(std::string(what) + " " + shown + " must not have a fragment");
    return {};
}

Result<ServerMetadata> parseMetadata(const nlohmann::json &document, const std::string &expectedIssuer,
                                     bool viaStableEndpoint)
{
    if (!document.is_object())
        return Error(ErrorCode::Corrupt, "the authorization server metadata is not a JSON object");
    ServerMetadata m;
    m.issuer = jsonString(document, "issuer");
    if (m.issuer.empty())
        return Error(ErrorCode::Corrupt, "the authorization server metadata has no issuer");
    if (auto ok = checkServerUrl("the issuer", m.issuer); !ok)
        return std::move(ok).error();
    if (m.issuer.find('?') != std::string::npos)
        return refused("the issuer " + net::redactUrl(m.issuer) + " must not have a query");
    if (!expectedIssuer.empty() && m.issuer != expectedIssuer) {
        return refused("issuer mismatch: the homeserver names the authorization server " +
                       text::truncateUtf8(expectedIssuer, 200) + " but its metadata says it is " +
                       text::truncateUtf8(m.issuer, 200) + "; Tessera does not sign in through it");
    }
    m.authorizationEndpoint = jsonString(document, "authorization_endpoint");
    m.tokenEndpoint = jsonString(document, "token_endpoint");
    m.registrationEndpoint = jsonString(document, "registration_endpoint");
    m.revocationEndpoint = jsonString(document, "revocation_endpoint");
    m.accountManagementUri = jsonString(document, "account_management_uri");
    if (m.accountManagementUri.empty())
        m.accountManagementUri = jsonString(document, "org.matrix.matrix-authentication-service.account_management_uri");
    if (auto ok = checkServerUrl("the authorization endpoint", m.authorizationEndpoint); !ok)
        return std::move(ok).error();
    if (auto ok = checkServerUrl("the token endpoint", m.tokenEndpoint); !ok)
        return std::move(ok).error();
    if (!m.registrationEndpoint.empty())
        if (auto ok = checkServerUrl("the registration endpoint", m.registrationEndpoint); !ok)
            return std::move(ok).error();
    if (!m.revocationEndpoint.empty())
        if (auto ok = checkServerUrl("the revocation endpoint", m.revocationEndpoint); !ok)
            return std::move(ok).error();
    if (!m.accountManagementUri.empty())
        if (auto ok = checkServerUrl("the account management URL", m.accountManagementUri); !ok)
            return std::move(ok).error();
    if (!listHas(document, "response_types_supported", "code"))
        return Error(ErrorCode::Unsupported, "the authorization server does not offer the authorization code flow");
    if (!listHas(document, "code_challenge_methods_supported", "S256"))
        return Error(ErrorCode::Unsupported, "the authorization server does not offer PKCE with S256, which Tessera requires");
    if (document.contains("grant_types_supported") &&
        (!listHas(document, "grant_types_supported", "authorization_code") ||
         !listHas(document, "grant_types_supported", "refresh_token")))
        return Error(ErrorCode::Unsupported, "the authorization server does not offer the authorization code and refresh token grants");
    if (document.contains("response_modes_supported") && !listHas(document, "response_modes_supported", "query"))
        return Error(ErrorCode::Unsupported, "the authorization server cannot answer a loopback redirect in the query");
    m.accountManagementActions = stringList(document, "account_management_actions_supported");
    if (m.accountManagementActions.empty())
        m.accountManagementActions = stringList(document, "org.matrix.matrix-authentication-service.account_management_actions_supported");
    m.promptValues = stringList(document, "prompt_values_supported");
    m.openIdScope = listHas(document, "scopes_supported", "openid");
    if (listHas(document, "scopes_supported", kScopeApi))
        m.stableScopes = true;
    else if (listHas(document, "scopes_supported", kUnstableScopeApi))
        m.stableScopes = false;
    else
        m.stableScopes = viaStableEndpoint;
    m.issParameter = jsonBool(document, "authorization_response_iss_parameter_supported", false);
    return m;
}

Result<std::string> randomToken(std::size_t bytes)
{
    auto r = tokens::randomBytes(bytes);
    if (!r)
        return std::move(r).error();
    return text::base64UrlEncode(*r);
}

std::string codeChallengeS256(std::string_view verifier)
{
    return text::base64UrlEncode(tokens::sha256(verifier));
}

Result<std::string> makeDeviceId()
{
    static constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    auto r = tokens::randomBytes(10);
    if (!r)
        return std::move(r).error();
    std::string id;
    for (unsigned char c : *r)
        id += kAlphabet[c % kAlphabet.size()]; // 256 % 36 leaves a slight bias; ids need uniqueness, not secrecy
    return id;
}

std::string scopeFor(const std::string &deviceId, bool stable, bool openId)
{
    std::string scope = openId ? "openid " : "";
    scope += std::string(stable ? kScopeApi : kUnstableScopeApi) + " ";
    scope += std::string(stable ? kScopeDevicePrefix : kUnstableScopeDevicePrefix) + deviceId;
    return scope;
}

std::string deviceIdFromScope(std::string_view scope)
{
    std::string found;
    int count = 0;
    std::size_t pos = 0;
    while (pos < scope.size()) {
        const auto end = std::min(scope.find(' ', pos), scope.size());
        const std::string_view token = scope.substr(pos, end - pos);
        for (std::string_view prefix : {kScopeDevicePrefix, kUnstableScopeDevicePrefix}) {
            if (token.size() > prefix.size() && token.substr(0, prefix.size()) == prefix) {
                const std::string id(token.substr(prefix.size()));
                if (id != found) {
                    found = id;
                    ++count;
                }
            }
        }
        pos = end + 1;
    }
    return count == 1 ? found : std::string();
}

std::string formEncode(const std::vector<std::pair<std::string, std::string>> &fields)
{
    std::string out;
    for (const auto &[name, value] : fields) {
        if (!out.empty())
            out += '&';
        out += text::percentEncodeComponent(name) + "=" + text::percentEncodeComponent(value);
    }
    return out;
}

Result<AuthorizationRequest> newAuthorizationRequest(const ServerMetadata &metadata, const std::string &clientId,
                                                     const std::string &redirectUri)
{
    AuthorizationRequest r;
    r.clientId = clientId;
    r.redirectUri = redirectUri;
    auto state = randomToken(24);
    auto verifier = randomToken(48); // 64 characters, within RFC 7636's 43..128
    auto device = makeDeviceId();
    if (!state || !verifier || !device)
        return Error(ErrorCode::Internal, "no random numbers for the sign-in");
    r.state = *state;
    r.codeVerifier = *verifier;
    r.deviceId = *device;
    if (metadata.openIdScope) {
        auto nonce = randomToken(24);
        if (!nonce)
            return std::move(nonce).error();
        r.nonce = *nonce;
    }
    r.scope = scopeFor(r.deviceId, metadata.stableScopes, metadata.openIdScope);
    return r;
}

std::string authorizationUrl(const ServerMetadata &metadata, const AuthorizationRequest &request)
{
    std::vector<std::pair<std::string, std::string>> q = {
        {"response_type", "code"},
        {"response_mode", "query"},
        {"client_id", request.clientId},
        {"redirect_uri", request.redirectUri},
        {"scope", request.scope},
        {"state", request.state},
        {"code_challenge", codeChallengeS256(request.codeVerifier)},
        {"code_challenge_method", "S256"},
    };
    if (!request.nonce.empty())
        q.emplace_back("nonce", request.nonce);
    const char sep = metadata.authorizationEndpoint.find('?') == std::string::npos ? '?' : '&';
    return metadata.authorizationEndpoint + sep + formEncode(q);
}

Callback parseCallbackQuery(std::string_view query)
{
    Callback c;
    std::size_t pos = 0;
    while (pos <= query.size()) {
        const auto end = std::min(query.find('&', pos), query.size());
        const std::string_view pair = query.substr(pos, end - pos);
        const auto eq = pair.find('=');
        const std::string name = percentDecode(pair.substr(0, eq));
        const std::string value = eq == std::string_view::npos ? std::string() : percentDecode(pair.substr(eq + 1));
        if (name == "code")
            c.code = value;
        else if (name == "state")
            c.state = value;
        else if (name == "error")
            c.error = value;
        else if (name == "error_description")
            c.errorDescription = value;
        else if (name == "iss")
            c.iss = value;
        pos = end + 1;
    }
    return c;
}

Result<std::string> checkCallback(const Callback &callback, const AuthorizationRequest &request,
                                  const ServerMetadata &metadata)
{
    if (callback.state.empty() || callback.state != request.state)
        return refused("the answer that reached Tessera does not belong to this sign-in (its state does not "
                       "match), so it was refused; start the sign-in again");
    if (callback.iss && *callback.iss != metadata.issuer)
        return refused("issuer mismatch: the answer comes from " + text::truncateUtf8(*callback.iss, 200) +
                       ", not from " + metadata.issuer + "; it was refused");
    if (!callback.iss && metadata.issParameter)
        return refused("the answer lacks the issuer the authorization server promised to send; it was refused");
    if (!callback.error.empty()) {
        const std::string detail = callback.errorDescription.empty()
                                       ? std::string()
                                       : " (" + text::truncateUtf8(callback.errorDescription, 300) + ")";
        if (callback.error == "access_denied")
            return Error(ErrorCode::Denied, "the sign-in was declined in the browser" + detail);
        return Error(ErrorCode::Unavailable, "the authorization server refused the sign-in: " +
                                                 text::truncateUtf8(callback.error, 100) + detail);
    }
    if (callback.code.empty())
        return Error(ErrorCode::Corrupt, "the answer from the authorization server has neither a code nor an error");
    return callback.code;
}

Result<TokenSet> parseTokenResponse(const nlohmann::json &response)
{
    TokenSet t;
    t.accessToken = jsonString(response, "access_token");
    if (t.accessToken.empty())
        return Error(ErrorCode::Corrupt, "the token endpoint's answer has no access_token");
    if (text::toLowerAscii(jsonString(response, "token_type")) != "bearer")
        return Error(ErrorCode::Unsupported, "the token endpoint answered a token type other than Bearer");
    t.refreshToken = jsonString(response, "refresh_token");
    if (const auto it = response.find("expires_in"); it != response.end() && it->is_number() && it->get<double>() > 0)
        t.expiresInMs = static_cast<std::int64_t>(it->get<double>() * 1000.0);
    t.scope = jsonString(response, "scope");
    t.idToken = jsonString(response, "id_token");
    return t;
}

Result<void> checkIdToken(const std::string &idToken, const std::string &issuer, const std::string &clientId,
                          const std::string &nonce, std::int64_t nowMs)
{
    const auto first = idToken.find('.');
    const auto second = first == std::string::npos ? std::string::npos : idToken.find('.', first + 1);
    if (second == std::string::npos)
        return Error(ErrorCode::Corrupt, "the ID token is not a JWT");
    const auto payload = text::base64UrlDecode(std::string_view(idToken).substr(first + 1, second - first - 1));
    const nlohmann::json claims = payload ? nlohmann::json::parse(*payload, nullptr, false) : nlohmann::json();
    if (!claims.is_object())
        return Error(ErrorCode::Corrupt, "the ID token's claims are not a JSON object");
    if (jsonString(claims, "iss") != issuer)
        return refused("issuer mismatch: the ID token was issued by " + text::truncateUtf8(jsonString(claims, "iss"), 200) +
                       ", not by " + issuer);
    const auto aud = claims.find("aud");
    const bool audOk = aud != claims.end() &&
                       ((aud->is_string() && aud->get_ref<const std::string &>() == clientId) ||
                        (aud->is_array() && std::any_of(aud->begin(), aud->end(), [&](const nlohmann::json &a) {
                             return a.is_string() && a.get_ref<const std::string &>() == clientId;
                         })));
    if (!audOk)
        return refused("the ID token was issued to another client");
    const auto exp = claims.find("exp");
    if (exp == claims.end() || !exp->is_number() || exp->get<double>() * 1000.0 < static_cast<double>(nowMs) - 60'000.0)
        return refused("the ID token has expired");
    if (jsonString(claims, "nonce") != nonce)
        return refused("the ID token's nonce does not match this sign-in; it was refused");
    return {};
}

nlohmann::json registrationDocument(const std::string &clientName, const std::string &clientUri)
{
    return nlohmann::json{
        {"client_name", clientName},
        {"client_uri", clientUri},
        {"application_type", "native"},
        {"redirect_uris", nlohmann::json::array({"http://127.0.0.1" + std::string(kRedirectPath)})},
        {"token_endpoint_auth_method", "none"},
        {"response_types", nlohmann::json::array({"code"})},
        {"grant_types", nlohmann::json::array({"authorization_code", "refresh_token"})},
    };
}

Result<std::string> parseRegistration(const nlohmann::json &answer)
{
    const std::string clientId = jsonString(answer, "client_id");
    if (clientId.empty())
        return Error(ErrorCode::Corrupt, "the client registration answer has no client_id");
    const std::string method = jsonString(answer, "token_endpoint_auth_method");
    if (!method.empty() && method != "none")
        return refused("the authorization server registered Tessera as a client with a secret (" +
                       text::truncateUtf8(method, 60) + "), which a desktop application cannot keep");
    const auto uris = answer.find("redirect_uris");
    if (uris != answer.end()) {
        if (!uris->is_array() || uris->empty())
            return Error(ErrorCode::Corrupt, "the client registration answer's redirect_uris is not a list");
        for (const auto &u : *uris) {
            const std::string uri = u.is_string() ? u.get<std::string>() : std::string();
            if (net::urlScheme(uri) != "http" || !net::isLoopbackHost(net::urlHost(uri)))
                return refused("the authorization server registered a redirect to " +
                               text::truncateUtf8(net::redactUrl(uri), 200) +
                               ", not to this computer's loopback address; Tessera does not use that registration");
        }
    }
    return clientId;
}

Error endpointError(std::string_view what, const Result<net::Response> &response)
{
    if (!response)
        return response.error();
    const nlohmann::json body = nlohmann::json::parse(response->body, nullptr, false);
    const std::string error = body.is_object() ? jsonString(body, "error") : std::string();
    const std::string description = body.is_object() ? jsonString(body, "error_description") : std::string();
    std::string message = std::string(what) + ": the authorization server answered " + std::to_string(response->status);
    if (!error.empty())
        message += " " + text::truncateUtf8(error, 100);
    if (!description.empty())
        message += " (" + text::truncateUtf8(description, 300) + ")";
    MatrixApiError details;
    details.httpStatus = static_cast<int>(response->status);
    details.response = nlohmann::json{{"error", error}};
    const ErrorCode code = response->status >= 500 ? ErrorCode::Unavailable
                           : response->status == 401 || response->status == 403 ? ErrorCode::Denied
                                                                                 : ErrorCode::BadRequest;
    return Error(code, std::move(message), std::move(details));
}

bool isTransientEndpointError(const Error &error)
{
    if (error.matrixApiError)
        return error.matrixApiError->httpStatus >= 500 || error.matrixApiError->httpStatus == 429;
    return error.code == ErrorCode::Timeout || error.code == ErrorCode::Unavailable;
}

std::string oauthErrorOf(const Error &error)
{
    return error.matrixApiError ? jsonString(error.matrixApiError->response, "error") : std::string();
}

// --- the HTTP side -----------------------------------------------------------------------------

net::HttpClient::RequestId Client::postForm(const std::string &url, std::string body,
                                            std::function<void(Result<net::Response>)> done)
{
    net::Request req;
    req.method = "POST";
    req.url = url;
    req.body = std::move(body);
    req.timeoutMs = m_timeoutMs;
    req.maxResponseBytes = kMaxResponseBytes;
    req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
    return m_http.send(std::move(req), std::move(done));
}

void Client::getJson(const std::string &url, std::function<void(Result<nlohmann::json>)> done)
{
    net::Request req;
    req.url = url;
    req.timeoutMs = m_timeoutMs;
    req.maxResponseBytes = kMaxResponseBytes;
    req.headers = {{"Accept", "application/json"}};
    const std::string shown = net::redactUrl(url);
    m_http.send(std::move(req), [done = std::move(done), shown](Result<net::Response> r) {
        if (!r)
            return done(std::move(r).error());
        if (r->status != 200) {
            MatrixApiError details;
            details.httpStatus = static_cast<int>(r->status);
            const nlohmann::json body = nlohmann::json::parse(r->body, nullptr, false);
            details.response = body.is_object() ? body : nlohmann::json::object();
            return done(Error(r->status == 404 ? ErrorCode::NotFound : ErrorCode::Unavailable,
                              "GET " + shown + " answered " + std::to_string(r->status), std::move(details)));
        }
        nlohmann::json body = nlohmann::json::parse(r->body, nullptr, false);
        if (!body.is_object())
            return done(Error(ErrorCode::Corrupt, "GET " + shown + " did not answer a JSON object"));
        done(std::move(body));
    });
}

void Client::discover(const std::string &homeserverBaseUrl, std::function<void(Result<ServerMetadata>)> done)
{
    const std::string base = stripSlash(homeserverBaseUrl);
    getJson(base + "/_matrix/client/v1/auth_metadata", [this, base, done = std::move(done)](Result<nlohmann::json> r) mutable {
        if (r)
            return done(parseMetadata(*r, {}, true));
        if (!r.error().matrixApiError || r.error().matrixApiError->httpStatus >= 500)
            return done(std::move(r).error());
        // Not there (404 M_UNRECOGNIZED on older servers): the unstable MSC2965 pair.
        getJson(base + "/_matrix/client/unstable/org.matrix.msc2965/auth_issuer",
                [this, done = std::move(done)](Result<nlohmann::json> issuerAnswer) mutable {
                    if (!issuerAnswer) {
                        if (issuerAnswer.error().matrixApiError && issuerAnswer.error().matrixApiError->httpStatus < 500)
                            return done(Error(ErrorCode::NotFound, "the homeserver does not offer OAuth 2.0 sign-in"));
                        return done(std::move(issuerAnswer).error());
                    }
                    const std::string issuer = jsonString(*issuerAnswer, "issuer");
                    if (auto ok = checkServerUrl("the issuer", issuer); !ok)
                        return done(std::move(ok).error());
                    getJson(stripSlash(issuer) + "/.well-known/openid-configuration",
                            [issuer, done = std::move(done)](Result<nlohmann::json> document) {
                                if (!document)
                                    return done(Error(ErrorCode::Unavailable, "the authorization server " +
                                                                                  text::truncateUtf8(issuer, 200) +
                                                                                  " the homeserver names gives no metadata: " +
                                                                                  document.error().message));
                                done(parseMetadata(*document, issuer, false));
                            });
                });
    });
}

void Client::registerClient(const ServerMetadata &metadata, const std::string &clientName, const std::string &clientUri,
                            std::function<void(Result<std::string>)> done)
{
    if (metadata.registrationEndpoint.empty()) {
        done(Error(ErrorCode::Unsupported, "the authorization server does not let applications register themselves; "
                                           "ask the server's administrators for a client id and give it with "
                                           "--oauth-client-id"));
        return;
    }
    net::Request req;
    req.method = "POST";
    req.url = metadata.registrationEndpoint;
    req.body = registrationDocument(clientName, clientUri).dump();
    req.timeoutMs = m_timeoutMs;
    req.maxResponseBytes = kMaxResponseBytes;
    req.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
    m_http.send(std::move(req), [done = std::move(done)](Result<net::Response> r) {
        if (!r || (r->status != 201 && r->status != 200))
            return done(endpointError("client registration", r));
        const nlohmann::json body = nlohmann::json::parse(r->body, nullptr, false);
        if (!body.is_object())
            return done(Error(ErrorCode::Corrupt, "the client registration answer is not a JSON object"));
        done(parseRegistration(body));
    });
}

namespace {
void onTokenAnswer(std::string_view what, Result<net::Response> r, const std::function<void(Result<TokenSet>)> &done)
{
    if (!r || r->status != 200)
        return done(endpointError(what, r));
    const nlohmann::json body = nlohmann::json::parse(r->body, nullptr, false);
    if (!body.is_object())
        return done(Error(ErrorCode::Corrupt, std::string(what) + ": the answer is not a JSON object"));
    done(parseTokenResponse(body));
}
} // namespace

void Client::exchangeCode(const ServerMetadata &metadata, const AuthorizationRequest &request, const std::string &code,
                          std::function<void(Result<TokenSet>)> done)
{
    postForm(metadata.tokenEndpoint,
             formEncode({{"grant_type", "authorization_code"},
                         {"code", code},
                         {"redirect_uri", request.redirectUri},
                         {"client_id", request.clientId},
                         {"code_verifier", request.codeVerifier}}),
             [done = std::move(done)](Result<net::Response> r) { onTokenAnswer("the code exchange", std::move(r), done); });
}

net::HttpClient::RequestId Client::refresh(const std::string &tokenEndpoint, const std::string &clientId,
                                           const std::string &refreshToken, std::function<void(Result<TokenSet>)> done)
{
    return postForm(tokenEndpoint,
                    formEncode({{"grant_type", "refresh_token"}, {"refresh_token", refreshToken}, {"client_id", clientId}}),
                    [done = std::move(done)](Result<net::Response> r) { onTokenAnswer("the token refresh", std::move(r), done); });
}

void Client::revoke(const std::string &revocationEndpoint, const std::string &clientId, const std::string &token,
                    const std::string &hint, std::function<void(Result<void>)> done)
{
    postForm(revocationEndpoint, formEncode({{"token", token}, {"token_type_hint", hint}, {"client_id", clientId}}),
             [done = std::move(done)](Result<net::Response> r) {
                 if (!r || r->status != 200)
                     return done(endpointError("the token revocation", r));
                 done({});
             });
}

} // namespace tessera::matrix::oauth
