// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/result.h"

namespace tessera::plugins {

/** One way a value fails a schema: where (a JSON pointer, "" for the value itself) and why. */
struct SchemaViolation {
    std::string path;
    std::string message;

    /** "/count: must be at most 10", or "value: must be an object" at the root. */
    [[nodiscard]] std::string toString() const;
};

/**
 * @brief A JSON Schema restricted to the small subset plugins use for their per-room config.
 *
 * Supported keywords (draft 2020-12 meaning):
 *   - `type`: a name or an array of names among null, boolean, object, array, number,
 *     integer, string ("integer" also accepts a number with no fractional part);
 *   - `properties`, `required`, `additionalProperties` (a boolean or a schema);
 *   - `items` (one schema for every element; the tuple form is not supported);
 *   - `enum`; `minimum`, `maximum` (inclusive); `minLength`, `maxLength` (in Unicode code
 *     points).
 * Annotations (`title`, `description`, `default`, `examples`, `$schema`, `$comment`) are
 * accepted and ignored. Every other keyword is refused when the schema is compiled, so a plugin
 * never believes a rule is enforced when it is not. `true` and `false` are valid schemas.
 *
 * Limits: schemas nest at most kMaxDepth levels; validation reports at most kMaxViolations
 * violations (in document order).
 */
class JsonSchema {
public:
    static constexpr int kMaxDepth = 32;
    static constexpr std::size_t kMaxViolations = 16;

    /** Checks @p schema against the subset; errors (BadRequest) name the keyword and where it is. */
    static Result<JsonSchema> compile(nlohmann::json schema);

    /** Every violation of @p value, empty if it conforms. */
    [[nodiscard]] std::vector<SchemaViolation> validate(const nlohmann::json &value) const;

    /** Ok, or BadRequest whose message lists the violations ("; "-separated). */
    [[nodiscard]] Result<void> check(const nlohmann::json &value) const;

    [[nodiscard]] const nlohmann::json &document() const { return m_schema; }

private:
    explicit JsonSchema(nlohmann::json schema) : m_schema(std::move(schema)) {}
    nlohmann::json m_schema;
};

} // namespace tessera::plugins
