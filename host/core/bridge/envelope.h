// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

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
 * @brief Walks the members of one JSON object without building a DOM.
 *
 * @p objectText MUST be one JSON object that parseEnvelope or validateJson accepted (an
 * Envelope's `data`, or a member value read from one); it is not validated again. Keys are
 * decoded, values are their raw JSON text. Every member is visited in order, duplicates
 * included, so a caller that keeps the last one reads what a DOM parser would.
 */
class MemberReader {
public:
    explicit MemberReader(std::string_view objectText);

    /** Moves to the next member; false after the last one. */
    bool next();
    /** The current member's decoded key (valid until the next call of next()). */
    [[nodiscard]] std::string_view key() const { return m_key; }
    /** The current member's value, raw JSON text. */
    [[nodiscard]] std::string_view value() const { return m_value; }

private:
    std::string_view m_text;
    std::size_t m_pos = 0;
    std::string m_keyBuffer; ///< holds the key when it had escapes
    std::string_view m_key;
    std::string_view m_value;
};

/**
 * Validates @p text as validateJson does and, in the same pass, stores in @p values[i] the raw
 * JSON text of the top-level member named @p names[i] (empty when absent; the last of
 * duplicate keys wins, as in a DOM). Refuses text that is not one JSON object.
 */
Result<void> scanObjectMembers(std::string_view text, std::span<const std::string_view> names,
                               std::span<std::string_view> values, int maxDepth = 64);

/**
 * The DOM of @p jsonText, which validateJson accepted, equal to what nlohmann::json::parse
 * builds (the same value types, numbers read the same way, the last of duplicate keys kept)
 * without nlohmann's lexer. A number beyond a double's range gives a discarded value, as
 * nlohmann's non-throwing parse does.
 */
nlohmann::json buildJson(std::string_view jsonText);

/** Decodes one JSON string (with its quotes) that validateJson accepted. */
std::string decodeJsonString(std::string_view literal);

/**
 * True if @p jsonText, accepted by validateJson, holds a number beyond the range of a double
 * (such as 1e400). Such a number is valid JSON, but nlohmann/json refuses the whole text; code
 * that reads a request without nlohmann asks this to refuse what a DOM parse would have.
 */
bool hasNumberBeyondDouble(std::string_view jsonText);

/**
 * Writes the reply to a request: the request text with `"response":<responseJson>` added as its
 * last member. @p requestText must be a request accepted by parseEnvelope.
 */
std::string spliceResponse(std::string_view requestText, std::string_view responseJson);

} // namespace tessera::bridge
