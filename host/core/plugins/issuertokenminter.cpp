// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "plugins/issuertokenminter.h"

#include "tokens/tokenissuer.h"

namespace tessera::plugins {

IssuerTokenMinter::IssuerTokenMinter(tokens::TokenIssuer &issuer, std::string userId)
    : m_issuer(issuer), m_userId([userId = std::move(userId)] { return userId; })
{
}

IssuerTokenMinter::IssuerTokenMinter(tokens::TokenIssuer &issuer, std::function<std::string()> userId)
    : m_issuer(issuer), m_userId(std::move(userId))
{
}

void IssuerTokenMinter::mint(const bridge::WidgetContext &widget, const ScopedTokenRequest &request,
                             bridge::Callback<ScopedToken> done)
{
    tokens::TokenRequest token;
    token.userId = m_userId ? m_userId() : std::string();
    if (token.userId.empty())
        return done(Error(ErrorCode::Unavailable, "no one is signed in, so no token can be minted"));
    token.roomId = widget.roomId;
    token.widgetId = widget.widgetId;
    token.widgetOrigin = widget.origin;
    token.audience = request.audience;
    token.lifetimeSeconds = request.lifetimeSeconds;
    std::size_t start = 0;
    while (start < request.scope.size()) {
        std::size_t end = request.scope.find(' ', start);
        if (end == std::string::npos)
            end = request.scope.size();
        if (end > start)
            token.scopes.push_back(request.pluginId + ":" + request.scope.substr(start, end - start));
        start = end + 1;
    }
    if (token.scopes.size() > tokens::kMaxScopes)
        return done(Error(ErrorCode::BadRequest,
                          "a token carries at most " + std::to_string(tokens::kMaxScopes) + " scope words"));
    auto minted = m_issuer.mint(token);
    if (!minted)
        return done(std::move(minted).error());
    done(ScopedToken{minted->token, minted->claims.expiresAt * 1000});
}

} // namespace tessera::plugins
