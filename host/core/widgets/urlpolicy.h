// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <string_view>

#include "util/result.h"
#include "widgets/url.h"

namespace tessera::widgets {

/** The scheme on which plugins serve their bundled widget pages. */
inline constexpr std::string_view kPluginScheme = "tessera-plugin";

struct UrlPolicyOptions {
    /** Developer switch (--allow-http-loopback): http: to localhost/127.0.0.0/8/[::1]. */
    bool allowLoopbackHttp = false;
    /** True only when a plugin's widget type produced the URL; room state never may. */
    bool allowPluginScheme = false;
};

/**
 * Applies docs/architecture.md invariant 1 to a widget URL *after* templating: only https:, http:
 * only for loopback hosts with the developer switch, never javascript:, data:, file:, blob:,
 * about: or a custom scheme from room state, no credentials in the URL. Every refusal has its
 * own message, shown to the user as is (e.g. "javascript: URLs are never loaded as widgets").
 */
Result<Url> checkWidgetUrl(std::string_view url, const UrlPolicyOptions &options = {});

} // namespace tessera::widgets
