// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "tokens/tokencommand.h"

#include <fstream>
#include <sstream>

#include "tokens/scopedtoken.h"
#include "tokens/tokenissuer.h"

namespace tessera::tokens {

namespace {

constexpr const char *kUsage =
    "Usage: tessera token <command>\n"
    "\n"
    "Scoped tokens are short-lived EdDSA (Ed25519) JWS tokens Tessera issues to widgets and plugin\n"
    "services. These commands use only the public keys, so they can check tokens but never make one.\n"
    "\n"
    "Commands:\n"
    "  verify <token> [--audience A] [--room R] [--widget W]\n"
    "      Check the token's signature, lifetime and, when given, its audience, room and widget,\n"
    "      then print its claims. Exit status 0 if valid, 1 if refused.\n"
    "  public-key\n"
    "      Print the public keys as a JWKS document (RFC 7517) for a service that verifies tokens.\n"
    "  --help\n"
    "      Print this help.\n"
    "\n"
    "Public keys are read from <data-dir>/tokens/jwks.json, which Tessera writes when it creates or\n"
    "rotates a signing key.\n";

constexpr std::uintmax_t kMaxKeySetBytes = 1 << 20;

int usageError(std::ostream &err, const std::string &message)
{
    err << "tessera token: " << message << " (see tessera token --help)\n";
    return 2;
}

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

int runVerify(const std::vector<std::string> &args, const std::filesystem::path &dataDir, std::ostream &out,
              std::ostream &err)
{
    std::optional<std::string> token;
    VerifyOptions options;
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string &arg = args[i];
        std::optional<std::string> *target = nullptr;
        if (arg == "--audience")
            target = &options.audience;
        else if (arg == "--room")
            target = &options.roomId;
        else if (arg == "--widget")
            target = &options.widgetId;
        if (target) {
            if (i + 1 >= args.size())
                return usageError(err, arg + " needs a value");
            if (*target)
                return usageError(err, arg + " is given twice");
            *target = args[++i];
            continue;
        }
        if (!arg.empty() && arg[0] == '-')
            return usageError(err, "unknown option " + arg);
        if (token)
            return usageError(err, "verify takes one token");
        token = arg;
    }
    if (!token)
        return usageError(err, "verify needs a token");

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

int runPublicKey(const std::vector<std::string> &args, const std::filesystem::path &dataDir, std::ostream &out,
                 std::ostream &err)
{
    if (args.size() > 1)
        return usageError(err, "public-key takes no arguments");
    auto verifier = loadVerifier(dataDir);
    if (!verifier) {
        err << "tessera token public-key: " << verifier.error().message << "\n";
        return 1;
    }
    // Re-serialised from the parsed keys, so only public members are ever printed.
    out << verifier->toJwks().dump(2) << "\n";
    return 0;
}

} // namespace

int runTokenCommand(const std::vector<std::string> &args, const std::filesystem::path &dataDir, std::ostream &out,
                    std::ostream &err)
{
    if (args.empty())
        return usageError(err, "missing command");
    const std::string &command = args[0];
    if (command == "--help" || command == "-h" || command == "help") {
        out << kUsage;
        return 0;
    }
    if (command == "verify")
        return runVerify(args, dataDir, out, err);
    if (command == "public-key")
        return runPublicKey(args, dataDir, out, err);
    return usageError(err, "unknown command \"" + command + "\"");
}

} // namespace tessera::tokens
