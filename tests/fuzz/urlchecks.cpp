// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "urlchecks.h"

#include <algorithm>
#include <array>
#include <utility>

#include "fuzztarget.h"
#include "util/text.h"
#include "widgets/url.h"
#include "widgets/urlpolicy.h"

namespace tessera::fuzz {

namespace {

using widgets::Url;

bool sameOrigin(const Url &a, const Url &b)
{
    return a.scheme == b.scheme && a.host == b.host && a.port == b.port && a.hostIsIpv6 == b.hostIsIpv6;
}

// The scheme as a browser reads it: tabs and newlines removed, up to the first ':', lower case.
std::string browserScheme(std::string_view url)
{
    std::string out;
    for (char c : url) {
        if (c == '\t' || c == '\n' || c == '\r')
            continue;
        if (c == ':')
            return text::toLowerAscii(out);
        out += c;
    }
    return {};
}

// Where the authority of "scheme://authority/..." ends, or npos if @p t has no authority.
std::pair<std::size_t, std::size_t> authorityRange(std::string_view t)
{
    const std::size_t colon = t.find(':');
    if (colon == std::string_view::npos || t.substr(colon + 1, 2) != "//")
        return {std::string_view::npos, std::string_view::npos};
    const std::size_t begin = colon + 3;
    const std::size_t end = std::min(t.find_first_of("/?#", begin), t.size());
    return {begin, end};
}

} // namespace

void checkParsedUrl(std::string_view text)
{
    auto parsed = widgets::parseUrl(text);
    if (!parsed) {
        FUZZ_CHECK(!parsed.error().message.empty(), "empty parse error");
        return;
    }
    const Url &u = *parsed;
    FUZZ_CHECK(!u.scheme.empty() && u.scheme == text::toLowerAscii(u.scheme), "scheme " << u.scheme);
    FUZZ_CHECK(u.host == text::toLowerAscii(u.host), "host not lower case: " << u.host);
    FUZZ_CHECK(!u.port || (*u.port >= 1 && *u.port <= 65535), "port out of range");
    if (u.scheme == "https")
        FUZZ_CHECK(u.port != 443, "default port kept");
    if (u.hasAuthority) {
        FUZZ_CHECK(!u.host.empty(), "an authority without a host was accepted");
        FUZZ_CHECK(!u.path.empty() && u.path.front() == '/', "path " << u.path);
        const std::string origin = u.origin();
        auto again = widgets::parseUrl(origin);
        FUZZ_CHECK(again, "origin " << origin << " does not re-parse: " << again.error().message);
        FUZZ_CHECK(sameOrigin(*again, u) && again->origin() == origin,
                   "origin " << origin << " re-parses to " << again->origin());
    }
    const std::string serialised = u.toString();
    if (serialised.size() <= widgets::kMaxUrlLength) {
        auto again = widgets::parseUrl(serialised);
        FUZZ_CHECK(again, "toString() " << serialised << " does not re-parse: " << again.error().message);
        FUZZ_CHECK(again->toString() == serialised && sameOrigin(*again, u) && again->path == u.path
                       && again->query == u.query && again->fragment == u.fragment && again->userInfo == u.userInfo,
                   "toString() is not a fixed point: " << serialised << " -> " << again->toString());
    }
}

void checkWidgetUrlPolicy(std::string_view url)
{
    static constexpr std::array<std::string_view, 9> kNever{
        "javascript", "data", "file", "blob", "about", "filesystem", "view-source", "chrome", "qrc",
    };
    const std::string scheme = browserScheme(url);
    const bool neverScheme = std::find(kNever.begin(), kNever.end(), scheme) != kNever.end();

    bool acceptedStrict = false;
    for (int mode = 0; mode < 4; ++mode) {
        widgets::UrlPolicyOptions options;
        options.allowLoopbackHttp = (mode & 1) != 0;
        options.allowPluginScheme = (mode & 2) != 0;
        auto checked = widgets::checkWidgetUrl(url, options);
        if (mode == 0)
            acceptedStrict = bool(checked);
        else if (acceptedStrict)
            FUZZ_CHECK(checked, "a switch made the policy stricter: " << checked.error().message);
        if (!checked) {
            FUZZ_CHECK(!checked.error().message.empty(), "empty refusal");
            if (neverScheme)
                FUZZ_CHECK(checked.error().message.find("never loaded") != std::string::npos,
                           scheme << ": refused with " << checked.error().message);
            continue;
        }
        const Url &u = *checked;
        FUZZ_CHECK(!neverScheme, "accepted a " << scheme << ": URL");
        FUZZ_CHECK(u.scheme == scheme, "parsed scheme " << u.scheme << ", a browser reads " << scheme);
        if (u.scheme == widgets::kPluginScheme) {
            FUZZ_CHECK(options.allowPluginScheme, "plugin scheme without the switch");
        } else {
            FUZZ_CHECK(u.scheme == "https" || u.scheme == "http", "accepted scheme " << u.scheme);
            FUZZ_CHECK(!u.hasUserInfo, "accepted credentials in a widget URL");
        }
        if (u.scheme == "http")
            FUZZ_CHECK(options.allowLoopbackHttp && u.isLoopbackHost(), "http: to " << u.host);
        if (mode == 0)
            FUZZ_CHECK(u.scheme == "https", "default policy accepted " << u.scheme);
        FUZZ_CHECK(u.hasAuthority && !u.host.empty(), "accepted a URL without a host");

        auto plain = widgets::parseUrl(url);
        FUZZ_CHECK(plain && sameOrigin(*plain, u), "checkWidgetUrl and parseUrl disagree");
        const std::string origin = u.origin();
        auto originChecked = widgets::checkWidgetUrl(origin, options);
        FUZZ_CHECK(originChecked && originChecked->origin() == origin, "origin " << origin << " is not itself accepted");

        const std::string embedded = widgets::addEmbeddingParameters(url, "w id/\xC3\xA9", "https://client.example/#/room/!r:x?a=b");
        if (embedded.size() <= widgets::kMaxUrlLength) {
            auto e = widgets::checkWidgetUrl(embedded, options);
            FUZZ_CHECK(e, "embedding parameters made " << embedded << " unacceptable: " << e.error().message);
            FUZZ_CHECK(sameOrigin(*e, u), "embedding parameters changed the origin: " << embedded);
            FUZZ_CHECK(e->fragment == u.fragment && e->hasFragment == u.hasFragment, "fragment changed");
            FUZZ_CHECK(text::endsWith(e->query, "widgetId=w%20id%2F%C3%A9&parentUrl=https%3A%2F%2Fclient.example%2F%23%2Froom%2F!r%3Ax%3Fa%3Db"),
                       "query " << e->query);
        }
    }
}

void checkTemplate(std::string_view urlTemplate, const nlohmann::json &data, const widgets::TemplateParams &params)
{
    const std::string out = widgets::runTemplate(urlTemplate, data, params);
    if (urlTemplate.find('$') == std::string_view::npos)
        FUZZ_CHECK(out == urlTemplate, "a template without variables changed: " << out);

    // Host values always win over data, whatever keys data has.
    const std::pair<const char *, const std::string *> hostVars[] = {
        {"matrix_user_id", &params.userId},
        {"matrix_room_id", &params.roomId},
        {"matrix_display_name", params.displayName.empty() ? &params.userId : &params.displayName},
        {"matrix_avatar_url", &params.avatarUrl},
        {"matrix_widget_id", &params.widgetId},
        {"org.matrix.msc2873.client_id", &params.clientId},
        {"org.matrix.msc2873.client_theme", &params.clientTheme},
        {"org.matrix.msc2873.client_language", &params.clientLanguage},
        {"org.matrix.msc3819.matrix_device_id", &params.deviceId},
        {"org.matrix.msc2873.matrix_device_id", &params.deviceId},
        {"org.matrix.msc4039.matrix_base_url", &params.baseUrl},
    };
    for (const auto &[name, value] : hostVars) {
        const std::string got = widgets::runTemplate(std::string("$") + name, data, params);
        FUZZ_CHECK(got == text::percentEncodeComponent(*value), "$" << name << " became " << got);
    }
    // A data key is its own value when the template names exactly it.
    if (data.is_object()) {
        for (const auto &item : data.items()) {
            const std::string &key = item.key();
            const nlohmann::json &value = item.value();
            if (key.empty() || std::any_of(std::begin(hostVars), std::end(hostVars), [&](const auto &h) { return key == h.first; }))
                continue;
            std::string expected;
            if (value.is_string())
                expected = value.get<std::string>();
            else if (value.is_boolean())
                expected = value.get<bool>() ? "true" : "false";
            else if (value.is_number_integer() || value.is_number_unsigned())
                expected = value.dump();
            else
                continue;
            const std::string got = widgets::runTemplate("$" + key, data, params);
            FUZZ_CHECK(got == text::percentEncodeComponent(expected), "$" << key << " became " << got);
        }
    }

    // Substituted text is percent-encoded, so it cannot move the template's origin.
    const auto [begin, end] = authorityRange(urlTemplate);
    auto before = widgets::parseUrl(urlTemplate);
    if (before && before->hasAuthority && begin != std::string_view::npos
        && urlTemplate.substr(begin, end - begin).find('$') == std::string_view::npos && out.size() <= widgets::kMaxUrlLength) {
        auto after = widgets::parseUrl(out);
        FUZZ_CHECK(after, "templating broke a valid URL: " << out << ": " << after.error().message);
        FUZZ_CHECK(sameOrigin(*after, *before), "templating moved the origin to " << after->origin());
    }

    checkParsedUrl(urlTemplate);
    checkParsedUrl(out);
    checkWidgetUrlPolicy(out);
}

} // namespace tessera::fuzz
