// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <functional>
#include <string>

#include "plugins/services.h"

namespace tessera::tokens {
class TokenIssuer;
}

namespace tessera::plugins {

/**
 * @brief The plugins' scoped tokens, minted by the host's TokenIssuer.
 *
 * Each token is bound to the signed-in user and to the session's room, widget id and widget
 * origin. The plugin's space-separated scope words are recorded as "<plugin id>:<word>", so a
 * service can tell which plugin asked and no plugin can mint another plugin's scopes.
 */
class IssuerTokenMinter final : public ScopedTokenMinter {
public:
    IssuerTokenMinter(tokens::TokenIssuer &issuer, std::string userId);
    /** The user asked for at each mint: a Matrix account signs in after the plugins load. */
    IssuerTokenMinter(tokens::TokenIssuer &issuer, std::function<std::string()> userId);
    void mint(const bridge::WidgetContext &widget, const ScopedTokenRequest &request,
              bridge::Callback<ScopedToken> done) override;

private:
    tokens::TokenIssuer &m_issuer;
    std::function<std::string()> m_userId;
};

} // namespace tessera::plugins
