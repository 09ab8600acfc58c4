// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <filesystem>
#include <ostream>
#include <stop_token>
#include <string>
#include <vector>

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

/**
 * `tessera audit …`, without a display and beside a running Tessera (it only reads audit.db in
 * @p dataDir). @p args starts after "audit":
 *
 *   verify [--public-key KEY]                  check the hash chain and checkpoint signatures
 *   tail [-n N] [--follow] [--json]            the last N rows (default 10), then new ones
 *   export [--since T] [--until T] [--widget ID] [--room ID] [--action A] [--decision D]
 *          [--category C] [--output FILE]      matching rows as JSON Lines (stdout or FILE)
 *   --help                                     usage; also `<command> --help`
 *
 * T is ISO-8601 (2024-05-01, 2024-05-01T12:00:00Z, …+02:00) or ms since 1970. Returns 0 on
 * success; 1 when verification finds a problem or the log cannot be read (one line on @p err
 * saying why); 2 for a usage error (one line on @p err).
 */
int runAuditCommand(const std::vector<std::string> &args, const std::filesystem::path &dataDir, std::ostream &out,
                    std::ostream &err);

/** The same, with a secret store and a stop token. */
int runAuditCommand(const std::vector<std::string> &args, const std::filesystem::path &dataDir, std::ostream &out,
                    std::ostream &err, const AuditCommandContext &context);

} // namespace tessera::audit
