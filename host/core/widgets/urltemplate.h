// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace tessera::widgets {

/** Values the host substitutes; they always win over same-named keys in the widget's `data`. */
struct TemplateParams {
    std::string userId;
    std::string roomId;
    std::string displayName; ///< defaults to userId when empty
    std::string avatarUrl;   ///< an http(s) URL, never mxc
    std::string widgetId;
    std::string clientId = "io.tessera";
    std::string clientTheme;    ///< "light" or "dark"
    std::string clientLanguage; ///< BCP 47
    std::string deviceId;
    std::string baseUrl; ///< homeserver URL
};

/**
 * Replaces `$name` variables in a widget URL template (matrix-widget-api runTemplate, MSC2764
 * "URL Templating"), percent-encoding every value like encodeURIComponent.
 *
 * Differences from the reference, on purpose:
 * - At each `$` the longest known name wins, so a `data` key `matrix` cannot corrupt
 *   `$matrix_user_id`, and substituted values are never scanned again (no nested expansion).
 * - Both device-id spellings are filled (`$org.matrix.msc3819.matrix_device_id` as
 *   matrix-widget-api, `$org.matrix.msc2873.matrix_device_id` as matrix-rust-sdk).
 * - Only string, number and boolean `data` values are variables; objects, arrays and null are
 *   left alone rather than becoming "[object Object]" or "null".
 */
std::string runTemplate(std::string_view urlTemplate, const nlohmann::json &data, const TemplateParams &params);

/**
 * The variables of @p urlTemplate that only a Matrix server gives (the homeserver's base URL,
 * this device's id) and that are empty in @p params, as their names without `$`, in a fixed
 * order: on the local rooms a widget such as Element Call gets nothing for them.
 */
std::vector<std::string> emptyServerVariables(std::string_view urlTemplate, const TemplateParams &params);

/**
 * Adds the query parameters widgets built on matrix-widget-api read to find their host:
 * `widgetId` and `parentUrl` (Element does the same for the embedded URL, not the pop-out one).
 */
std::string addEmbeddingParameters(std::string_view url, std::string_view widgetId, std::string_view parentUrl);

} // namespace tessera::widgets
