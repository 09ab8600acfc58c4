// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "widgets/urlpolicy.h"

#include <array>

#include "util/text.h"

namespace tessera::widgets {

namespace {
Error refused(std::string message)
{
    return Error(ErrorCode::Denied, std::move(message));
}

constexpr std::array<std::string_view, 9> kNeverSchemes{
    "javascript", "data", "file", "blob", "about", "filesystem", "view-source", "chrome", "qrc",
};
} // namespace

Result<Url> checkWidgetUrl(std::string_view text, const UrlPolicyOptions &options)
{
    // The scheme is judged before anything else so `javascript:` gets its own message even when
    // the rest would not parse (browsers are lenient with whitespace there).
    std::size_t colon = text.find(':');
    if (colon != std::string_view::npos) {
        std::string scheme;
        for (char c : text.substr(0, colon)) {
            if (c == '\t' || c == '\n' || c == '\r')
                continue; // browsers strip these, so `java\tscript:` is javascript:
            scheme += c;
        }
        scheme = text::toLowerAscii(scheme);
        for (auto never : kNeverSchemes) {
            if (scheme == never)
                return refused(scheme + ": URLs are never loaded as widgets");
        }
    }

    auto parsed = parseUrl(text);
    if (!parsed)
        return refused("widget " + parsed.error().message);
    Url url = std::move(parsed).value();

    if (url.scheme == kPluginScheme) {
        if (!options.allowPluginScheme)
            return refused(std::string(kPluginScheme) + ": URLs are reserved for widgets served by plugins");
        if (!url.hasAuthority || url.host.empty())
            return refused("plugin widget URL has no plugin id");
        return url;
    }
    if (url.scheme != "https" && url.scheme != "http")
        return refused("only https: widget URLs are allowed (got " + url.scheme + ":)");
    if (!url.hasAuthority)
        return refused("widget URL must start with " + url.scheme + "://");
    if (url.hasUserInfo)
        return refused("widget URL must not contain a user name or password");
    if (url.scheme == "http") {
        if (!url.isLoopbackHost())
            return refused("http: is only allowed for loopback hosts (localhost, 127.0.0.1, [::1]); use https:");
        if (!options.allowLoopbackHttp)
            return refused("http: on a loopback host needs the developer switch --allow-http-loopback");
    }
    return url;
}

} // namespace tessera::widgets
