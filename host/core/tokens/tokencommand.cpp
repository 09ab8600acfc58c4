// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "tokens/tokencommand.h"

#include <fstream>
#include <sstream>

#include "tokens/scopedtoken.h"
#include "tokens/tokenissuer.h"

namespace tessera::tokens {

namespace {

constexpr std::uintmax_t kMaxKeySetBytes = 1 << 20;

Result<std::string> readKeySet(const std::filesystem::path &dataDir)
{
    const auto path = publishedKeysPath(dataDir);
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        return Error(ErrorCode::NotFound, "no token public keys in " + path.string()
                                              + ": Tessera creates them the first time it issues a token");
    const auto size = std::filesystem::file_size(path, ec);
    if (ec)
        return Error(ErrorCode::Io, "cannot read " + path.string() + ": " + ec.message());
    if (size > kMaxKeySetBytes)
        return Error(ErrorCode::Corrupt, path.string() + " is larger than 1 MiB; it is not a key set Tessera wrote");
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in.good() && !in.eof())
        return Error(ErrorCode::Io, "cannot read " + path.string());
    return text.str();
}

Result<TokenVerifier> loadVerifier(const std::filesystem::path &dataDir)
{
    auto text = readKeySet(dataDir);
    if (!text)
        return text.error();
    auto verifier = TokenVerifier::fromJwks(*text);
    if (!verifier)
        return Error(ErrorCode::Corrupt, publishedKeysPath(dataDir).string() + ": " + verifier.error().message);
    return verifier;
}

} // namespace

int runVerify(const VerifyCommand &command, const std::filesystem::path &dataDir, std::ostream &out,
              std::ostream &err)
{
    const std::string *token = &command.token;
    const VerifyOptions &options = command.options;
    auto verifier = loadVerifier(dataDir);
    if (!verifier) {
        err << "tessera token verify: " << verifier.error().message << "\n";
        return 1;
    }
    auto claims = verifier->verify(*token, options, systemWallClock()());
    if (!claims) {
        err << "tessera token verify: " << claims.error().message << "\n";
        return 1;
    }
    out << "valid\n" << claims->toJson().dump(2) << "\n";
    if (!options.audience)
        err << "tessera token verify: note: the audience was not checked; a service must check it (--audience)\n";
    return 0;
}

int runPublicKey(const std::filesystem::path &dataDir, std::ostream &out, std::ostream &err)
{
    auto verifier = loadVerifier(dataDir);
    if (!verifier) {
        err << "tessera token public-key: " << verifier.error().message << "\n";
        return 1;
    }
    // Re-serialised from the parsed keys, so only public members are ever printed.
    out << verifier->toJwks().dump(2) << "\n";
    return 0;
}

} // namespace tessera::tokens
