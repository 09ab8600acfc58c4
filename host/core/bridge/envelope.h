// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "util/result.h"

namespace tessera::bridge {

/** The two values of the envelope's `api` field. */
inline constexpr std::string_view kApiFromWidget = "fromWidget";
inline constexpr std::string_view kApiToWidget = "toWidget";

/**
 * @brief The top level of one Widget API message, scanned without building a DOM.
 *
 * The whole text is validated as strict JSON (RFC 8259, UTF-8, bounded depth, no duplicate keys
 * at the top level); only the envelope's string fields are decoded. `data` and `response` are
 * kept as views into the original text so the protocol layer parses them only when an action
 * needs them, and a reply can be written by splicing `"response"` into the request text.
 */
struct Envelope {
    std::string api;
    std::string widgetId;
    std::string requestId;
    std::string action;
    std::string_view data;     ///< raw JSON object text; empty if absent
    std::string_view response; ///< raw JSON text of `response`; empty if absent
    bool hasResponse = false;
};

struct EnvelopeLimits {
    std::size_t maxMessageBytes = 8 * 1024 * 1024;
    int maxDepth = 64;
    std::size_t maxIdLength = 512; ///< widgetId, requestId and action
};

/**
 * Scans one message. Errors (code BadRequest) say exactly what is wrong, e.g.
 * "message is 10485760 bytes; the limit is 8388608" or "field `requestId` must be a non-empty string".
 */
Result<Envelope> parseEnvelope(std::string_view text, const EnvelopeLimits &limits = {});

/**
 * Validates that @p text is one strict JSON value (same rules as parseEnvelope) and returns the
 * error text if not. Exposed for fuzzing and for checking JSON handed over by plugins.
 */
Result<void> validateJson(std::string_view text, int maxDepth = 64);

/**
 * Writes the reply to a request: the request text with `"response":<responseJson>` added as its
 * last member. @p requestText must be a request accepted by parseEnvelope.
 */
std::string spliceResponse(std::string_view requestText, std::string_view responseJson);

} // namespace tessera::bridge
