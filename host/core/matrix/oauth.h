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

/**
 * The Matrix OAuth 2.0 API (Client-Server API v1.15+, MSC3861 and its parts MSC2964, MSC2965,
 * MSC2966, MSC2967, MSC4191): the pieces a native client needs, without any UI or storage.
 *
 * - discovery: GET /_matrix/client/v1/auth_metadata, or the unstable
 *   org.matrix.msc2965/auth_issuer and the issuer's /.well-known/openid-configuration;
 * - dynamic client registration (RFC 7591) as a native public client with a loopback redirect;
 * - the authorization code grant with PKCE S256 (RFC 7636), state, nonce and the RFC 9207 `iss`
 *   check, through the system browser and a loopback redirect (RFC 8252);
 * - the refresh token grant and token revocation (RFC 7009).
 *
 * Every URL the server names is checked: https, or http on a loopback host (for tests), no
 * fragment, no user info. Tokens never appear in an error message.
 */
namespace tessera::matrix::oauth {

/** The stable scope tokens (spec v1.15) and their MSC2967 unstable forms. */
inline constexpr std::string_view kScopeApi = "urn:matrix:client:api:*";
inline constexpr std::string_view kScopeDevicePrefix = "urn:matrix:client:device:";
inline constexpr std::string_view kUnstableScopeApi = "urn:matrix:org.matrix.msc2967.client:api:*";
inline constexpr std::string_view kUnstableScopeDevicePrefix = "urn:matrix:org.matrix.msc2967.client:device:";
/** Where the loopback listener expects the browser (RFC 8252 §7.3); the port is added per sign-in. */
inline constexpr std::string_view kRedirectPath = "/callback";
/** Responses from the authorization server larger than this are refused. */
inline constexpr std::size_t kMaxResponseBytes = 256u * 1024u;

/** What the homeserver's authorization server offers (RFC 8414 + Matrix's extensions). */
struct ServerMetadata {
    std::string issuer;
    std::string authorizationEndpoint;
    std::string tokenEndpoint;
    std::string registrationEndpoint; ///< empty: no dynamic registration (a client id must be configured)
    std::string revocationEndpoint;
    std::string accountManagementUri; ///< MSC4191; empty when the server gives none
    std::vector<std::string> accountManagementActions;
    std::vector<std::string> promptValues;
    bool openIdScope = false;   ///< the server lists the `openid` scope: ask for an ID token and check its nonce
    bool stableScopes = true;   ///< false: ask for the unstable urn:matrix:org.matrix.msc2967.client: scopes
    bool issParameter = false;  ///< authorization_response_iss_parameter_supported (RFC 9207)
};

/**
 * Checks one URL the server named: https (or http on a loopback host), a host, no user info, no
 * fragment. @p what names it in the error ("the token endpoint").
 */
Result<void> checkServerUrl(std::string_view what, const std::string &url);

/**
 * Reads and checks authorization server metadata. @p expectedIssuer (when not empty) must equal
 * the document's issuer exactly (RFC 8414 §3.3); @p viaStableEndpoint says how it was found,
 * which decides the scope form when the document does not list the scopes it knows.
 */
Result<ServerMetadata> parseMetadata(const nlohmann::json &document, const std::string &expectedIssuer,
                                     bool viaStableEndpoint);

/** Random bytes from OpenSSL's generator, base64url without padding. */
Result<std::string> randomToken(std::size_t bytes);
/** BASE64URL(SHA256(verifier)): the S256 code challenge of RFC 7636 §4.2. */
std::string codeChallengeS256(std::string_view verifier);
/** A device id of 10 characters from RFC 3986's unreserved set (A–Z, 0–9), as the spec suggests. */
Result<std::string> makeDeviceId();
/** The scope to ask for: full API access and this device (stable or unstable forms), and `openid` when asked. */
std::string scopeFor(const std::string &deviceId, bool stable, bool openId);
/** The device id in a granted scope (either form); empty when there is none or more than one. */
std::string deviceIdFromScope(std::string_view scope);

/** x-www-form-urlencoded body from name/value pairs. */
std::string formEncode(const std::vector<std::pair<std::string, std::string>> &fields);

/** One authorization attempt's secrets. */
struct AuthorizationRequest {
    std::string clientId;
    std::string redirectUri; ///< http://127.0.0.1:<port>/callback
    std::string scope;
    std::string state;
    std::string codeVerifier;
    std::string nonce; ///< empty unless the scope has `openid`
    std::string deviceId;
};

/** Makes state, verifier, nonce and device id for a new attempt. */
Result<AuthorizationRequest> newAuthorizationRequest(const ServerMetadata &metadata, const std::string &clientId,
                                                     const std::string &redirectUri);
/** The URL to open in the browser. */
std::string authorizationUrl(const ServerMetadata &metadata, const AuthorizationRequest &request);

/** What came back to the redirect URI. */
struct Callback {
    std::string code;
    std::string state;
    std::string error;
    std::string errorDescription;
    std::optional<std::string> iss;
};
/** Parses the query of the redirect (without the leading '?'). */
Callback parseCallbackQuery(std::string_view query);
/**
 * Checks a callback against its request: the state must match (else the callback is refused as
 * forged), `iss` must be the issuer when present or when the server promised it, and an error
 * from the server becomes a sentence (access_denied: the user declined).
 * Returns the code.
 */
Result<std::string> checkCallback(const Callback &callback, const AuthorizationRequest &request,
                                  const ServerMetadata &metadata);

/** A token endpoint answer. */
struct TokenSet {
    std::string accessToken;
    std::string refreshToken;          ///< may be empty in a refresh answer without rotation
    std::optional<std::int64_t> expiresInMs;
    std::string scope;
    std::string idToken;
};
Result<TokenSet> parseTokenResponse(const nlohmann::json &response);
/**
 * Checks an ID token's claims (OpenID Connect Core §3.1.3.7): iss, aud, exp, nonce. The token
 * came straight from the token endpoint over the connection Tessera checked, which §3.1.3.7 (6)
 * allows in place of checking its signature.
 */
Result<void> checkIdToken(const std::string &idToken, const std::string &issuer, const std::string &clientId,
                          const std::string &nonce, std::int64_t nowMs);

/** The client registration document Tessera sends (MSC2966): a native public client. */
nlohmann::json registrationDocument(const std::string &clientName, const std::string &clientUri);
/** Checks a registration answer: a client id, no secret needed, and only the loopback redirect asked for. */
Result<std::string> parseRegistration(const nlohmann::json &answer);

/** An error from an OAuth endpoint ({error, error_description}) as a sentence and a code. */
Error endpointError(std::string_view what, const Result<net::Response> &response);
/** True when the failure is worth retrying later (no answer, a timeout, a 5xx). */
bool isTransientEndpointError(const Error &error);
/** The OAuth `error` value of a failed endpoint call (invalid_grant, …), or empty. */
std::string oauthErrorOf(const Error &error);

/**
 * @brief The HTTP side: discovery, registration, token requests and revocation.
 *
 * Each call completes once, on the scheduler's thread (net::HttpClient's rule).
 */
class Client {
public:
    explicit Client(net::HttpClient &http, std::int64_t timeoutMs = 30'000) : m_http(http), m_timeoutMs(timeoutMs) {}

    /** Discovery from the homeserver's base URL: the stable endpoint, then the unstable pair. */
    void discover(const std::string &homeserverBaseUrl, std::function<void(Result<ServerMetadata>)> done);
    void registerClient(const ServerMetadata &metadata, const std::string &clientName, const std::string &clientUri,
                        std::function<void(Result<std::string>)> done);
    void exchangeCode(const ServerMetadata &metadata, const AuthorizationRequest &request, const std::string &code,
                      std::function<void(Result<TokenSet>)> done);
    /** The refresh token grant; the request is returned so a caller can cancel it. */
    net::HttpClient::RequestId refresh(const std::string &tokenEndpoint, const std::string &clientId,
                                       const std::string &refreshToken, std::function<void(Result<TokenSet>)> done);
    /** RFC 7009: revokes @p token (a refresh or access token, as @p hint says). */
    void revoke(const std::string &revocationEndpoint, const std::string &clientId, const std::string &token,
                const std::string &hint, std::function<void(Result<void>)> done);
    void cancel(net::HttpClient::RequestId id) { m_http.cancel(id); }

private:
    net::HttpClient::RequestId postForm(const std::string &url, std::string body,
                                        std::function<void(Result<net::Response>)> done);
    void getJson(const std::string &url, std::function<void(Result<nlohmann::json>)> done);

    net::HttpClient &m_http;
    std::int64_t m_timeoutMs;
};

} // namespace tessera::matrix::oauth
