// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <stop_token>
#include <string>
#include <string_view>

#include "audit/auditreader.h"
#include "util/result.h"
#include "util/secretstore.h"

namespace tessera::audit {

/** The largest -n of `tail`. */
inline constexpr int kMaxTailRows = 10'000;

/** What the app can give `tessera audit …` beyond its arguments. */
struct AuditCommandContext {
    /**
     * Where the checkpoint key lives, so that `verify` checks checkpoint signatures against this
     * Tessera's own key. Without it (or with --public-key) the report says which key was used.
     */
    SecretStore *secrets = nullptr;
    /** Ends `tail --follow` (which otherwise runs until the process is interrupted). */
    std::stop_token stop;
    /** How often `tail --follow` looks for new rows. */
    std::int64_t followPollMs = 250;
};

/** The rows `tail` shows without -n. */
inline constexpr int kDefaultTailRows = 10;
/** What --decision and --category of `export` accept. */
inline constexpr std::array<std::string_view, 5> kDecisionNames = {"allowed", "refused", "dropped", "failed", "info"};
inline constexpr std::array<std::string_view, 8> kCategoryNames = {"message",    "consent", "plugin",
                                                                   "navigation", "session", "retention", "outgoing", "log"};

/** `tessera audit verify`. */
struct VerifyCommand {
    /** The checkpoint key to trust (32 raw bytes); by default this Tessera's own key, if any. */
    std::optional<std::string> publicKey;
};

/** `tessera audit tail`. */
struct TailCommand {
    int rows = kDefaultTailRows; ///< 1 … kMaxTailRows
    bool follow = false;
    bool json = false;
};

/** `tessera audit export`. */
struct ExportCommand {
    AuditQuery filter;
    /** Written complete or not at all (a .partial file is renamed at the end); stdout if unset. */
    std::optional<std::filesystem::path> output;
};

/** --public-key's value: a 32-byte Ed25519 key in base64 or base64url. */
Result<std::string> decodePublicKey(std::string_view text);

/**
 * The `tessera audit` commands, without a display and beside a running Tessera (they only read
 * audit.db in @p dataDir); the command line is read by the app (host/app/options.cpp). Each
 * returns 0 on success; 1 when verification finds a problem or the log cannot be read (one line
 * on @p err saying why); 2 when the arguments do not fit together (one line on @p err).
 */
int runVerify(const VerifyCommand &command, const std::filesystem::path &dataDir, std::ostream &out,
              std::ostream &err, const AuditCommandContext &context = {});
int runTail(const TailCommand &command, const std::filesystem::path &dataDir, std::ostream &out, std::ostream &err,
            const AuditCommandContext &context = {});
int runExport(const ExportCommand &command, const std::filesystem::path &dataDir, std::ostream &out,
              std::ostream &err);

} // namespace tessera::audit
