// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

// Invariants of the URL parser and the widget URL policy (docs/architecture.md invariant 1), shared
// by the templater and widget-state fuzz targets.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "widgets/urltemplate.h"

namespace tessera::fuzz {

/**
 * parseUrl(@p text) and, when it parses, re-parsing its origin() and toString(): an accepted
 * URL's origin re-parses to the same origin, and toString() is a fixed point.
 */
void checkParsedUrl(std::string_view text);

/**
 * checkWidgetUrl(@p url) under every combination of the developer switches: whatever it
 * accepts is https: (http: only for a loopback host with the switch; the plugin scheme only
 * with its switch), has a host and no credentials, never javascript:/data:/file:/blob:/about:
 * or another scheme, and keeps its origin when the embedding parameters are added.
 */
void checkWidgetUrlPolicy(std::string_view url);

/**
 * runTemplate(@p urlTemplate, @p data, @p params) and its invariants: host values win over
 * `data`, substituted text is percent-encoded (so it can change neither the scheme nor the
 * origin of the template), and the result goes through checkWidgetUrlPolicy().
 */
void checkTemplate(std::string_view urlTemplate, const nlohmann::json &data, const widgets::TemplateParams &params);

} // namespace tessera::fuzz
