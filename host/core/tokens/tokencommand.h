// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <filesystem>
#include <ostream>
#include <string>

#include "tokens/scopedtoken.h"

namespace tessera::tokens {

/** `tessera token verify`: a token and what to check besides its signature and lifetime. */
struct VerifyCommand {
    std::string token;
    VerifyOptions options;
};

/**
 * The `tessera token` commands: they work without a display and without the signing keys, from
 * the public keys a TokenIssuer published in publishedKeysPath(@p dataDir); the command line is
 * read by the app (host/app/options.cpp).
 *
 *   runVerify      checks a token and prints its claims; 0 if valid, 1 if refused
 *   runPublicKey   prints the JWKS document; 0, or 1 if the keys cannot be read
 *
 * A refusal or a missing key set is one line on @p err saying why.
 */
int runVerify(const VerifyCommand &command, const std::filesystem::path &dataDir, std::ostream &out,
              std::ostream &err);
int runPublicKey(const std::filesystem::path &dataDir, std::ostream &out, std::ostream &err);

} // namespace tessera::tokens
