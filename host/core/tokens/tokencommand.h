// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

namespace tessera::tokens {

/**
 * `tessera token …`: works without a display and without the signing keys, from the public
 * keys a TokenIssuer published in publishedKeysPath(@p dataDir). @p args starts after "token":
 *
 *   verify <token> [--audience A] [--room R] [--widget W]   check a token, print its claims
 *   public-key                                                print the JWKS document
 *   --help                                                    print usage
 *
 * Returns 0 on success, 1 when the token is refused or the keys cannot be read (one line on
 * @p err saying why), 2 for a usage error.
 */
int runTokenCommand(const std::vector<std::string> &args, const std::filesystem::path &dataDir, std::ostream &out,
                    std::ostream &err);

} // namespace tessera::tokens
