// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The URL templater and the URL policy: runTemplate, addEmbeddingParameters, checkWidgetUrl and
// parseUrl (invariants in urlchecks.h). Input, one item per line, so seeds stay readable:
//   line 1            the URL template
//   key=value         a string in the widget's `data`
//   key:json          any JSON value in `data` (numbers, booleans, objects, ...)
//   !name=value       a host value: user, room, display, avatar, widget, theme, lang, device, base

#include <string>

#include <nlohmann/json.hpp>

#include "fuzztarget.h"
#include "urlchecks.h"
#include "widgets/urltemplate.h"

using nlohmann::json;

namespace {

void setHostValue(tessera::widgets::TemplateParams &p, std::string_view name, std::string value)
{
    if (name == "user")
        p.userId = std::move(value);
    else if (name == "room")
        p.roomId = std::move(value);
    else if (name == "display")
        p.displayName = std::move(value);
    else if (name == "avatar")
        p.avatarUrl = std::move(value);
    else if (name == "widget")
        p.widgetId = std::move(value);
    else if (name == "theme")
        p.clientTheme = std::move(value);
    else if (name == "lang")
        p.clientLanguage = std::move(value);
    else if (name == "device")
        p.deviceId = std::move(value);
    else if (name == "base")
        p.baseUrl = std::move(value);
}

} // namespace

TESSERA_FUZZ_TARGET(urltemplate)
{
    const std::string_view text = tessera::fuzz::asText(data, size);
    std::size_t nl = std::min(text.find('\n'), text.size());
    const std::string_view urlTemplate = text.substr(0, nl);

    tessera::widgets::TemplateParams params;
    params.userId = "@alice:example.org";
    params.roomId = "!room:example.org";
    params.displayName = "Alice";
    params.widgetId = "widget-1";
    params.clientTheme = "dark";
    params.clientLanguage = "en-GB";
    params.deviceId = "DEVICEID";
    params.baseUrl = "https://matrix.example.org";

    json widgetData = json::object();
    std::size_t start = nl + 1;
    while (start < text.size()) {
        nl = std::min(text.find('\n', start), text.size());
        const std::string_view line = text.substr(start, nl - start);
        start = nl + 1;
        const std::size_t sep = line.find_first_of("=:");
        if (sep == std::string_view::npos)
            continue;
        const std::string key(line.substr(0, sep));
        const std::string_view value = line.substr(sep + 1);
        if (!key.empty() && key[0] == '!' && line[sep] == '=') {
            setHostValue(params, std::string_view(key).substr(1), std::string(value));
        } else if (line[sep] == '=') {
            widgetData[key] = std::string(value);
        } else {
            json v = json::parse(value, nullptr, false);
            if (!v.is_discarded())
                widgetData[key] = std::move(v);
        }
    }
    tessera::fuzz::checkTemplate(urlTemplate, widgetData, params);
    return 0;
}
