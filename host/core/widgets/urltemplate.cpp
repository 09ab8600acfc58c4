// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "widgets/urltemplate.h"

#include <algorithm>
#include <vector>

#include "util/text.h"

namespace tessera::widgets {

namespace {

std::string scalarToString(const nlohmann::json &v, bool &ok)
{
    ok = true;
    if (v.is_string())
        return v.get<std::string>();
    if (v.is_boolean())
        return v.get<bool>() ? "true" : "false";
    if (v.is_number_integer() || v.is_number_unsigned())
        return v.dump();
    if (v.is_number_float()) {
        const double d = v.get<double>();
        // JavaScript's String(1.0) is "1".
        if (d > -1e15 && d < 1e15 && d == static_cast<double>(static_cast<long long>(d)))
            return std::to_string(static_cast<long long>(d));
        return v.dump();
    }
    ok = false;
    return {};
}

} // namespace

std::string runTemplate(std::string_view urlTemplate, const nlohmann::json &data, const TemplateParams &params)
{
    std::vector<std::pair<std::string, std::string>> vars;
    const auto setVar = [&](std::string name, std::string value) {
        auto it = std::find_if(vars.begin(), vars.end(), [&](const auto &kv) { return kv.first == name; });
        if (it != vars.end())
            it->second = std::move(value);
        else
            vars.emplace_back(std::move(name), std::move(value));
    };
    if (data.is_object()) {
        for (const auto &[key, value] : data.items()) {
            bool ok = false;
            std::string s = scalarToString(value, ok);
            if (ok && !key.empty())
                setVar(key, std::move(s));
        }
    }
    // Host values last: they override same-named data keys so the data cannot lie about them.
    setVar("matrix_user_id", params.userId);
    setVar("matrix_room_id", params.roomId);
    setVar("matrix_display_name", params.displayName.empty() ? params.userId : params.displayName);
    setVar("matrix_avatar_url", params.avatarUrl);
    setVar("matrix_widget_id", params.widgetId);
    setVar("org.matrix.msc2873.client_id", params.clientId);
    setVar("org.matrix.msc2873.client_theme", params.clientTheme);
    setVar("org.matrix.msc2873.client_language", params.clientLanguage);
    setVar("org.matrix.msc3819.matrix_device_id", params.deviceId);
    setVar("org.matrix.msc2873.matrix_device_id", params.deviceId);
    setVar("org.matrix.msc4039.matrix_base_url", params.baseUrl);

    std::sort(vars.begin(), vars.end(), [](const auto &a, const auto &b) { return a.first.size() > b.first.size(); });

    std::string out;
    out.reserve(urlTemplate.size() + 64);
    std::size_t i = 0;
    while (i < urlTemplate.size()) {
        const std::size_t dollar = urlTemplate.find('$', i);
        if (dollar == std::string_view::npos) {
            out.append(urlTemplate.substr(i));
            break;
        }
        out.append(urlTemplate.substr(i, dollar - i));
        const std::string_view after = urlTemplate.substr(dollar + 1);
        const auto match = std::find_if(vars.begin(), vars.end(), [&](const auto &kv) { return text::startsWith(after, kv.first); });
        if (match == vars.end()) {
            out += '$';
            i = dollar + 1;
            continue;
        }
        out += text::percentEncodeComponent(match->second);
        i = dollar + 1 + match->first.size();
    }
    return out;
}

std::vector<std::string> emptyServerVariables(std::string_view urlTemplate, const TemplateParams &params)
{
    const std::pair<std::string_view, const std::string *> serverVariables[] = {
        {"org.matrix.msc4039.matrix_base_url", &params.baseUrl},
        {"org.matrix.msc3819.matrix_device_id", &params.deviceId},
        {"org.matrix.msc2873.matrix_device_id", &params.deviceId},
    };
    std::vector<std::string> out;
    for (const auto &[name, value] : serverVariables) {
        if (!value->empty())
            continue;
        for (std::size_t at = urlTemplate.find('$'); at != std::string_view::npos; at = urlTemplate.find('$', at + 1)) {
            if (text::startsWith(urlTemplate.substr(at + 1), name)) {
                out.emplace_back(name);
                break;
            }
        }
    }
    return out;
}

std::string addEmbeddingParameters(std::string_view url, std::string_view widgetId, std::string_view parentUrl)
{
    std::string_view base = url;
    std::string_view fragment;
    if (const std::size_t hash = url.find('#'); hash != std::string_view::npos) {
        base = url.substr(0, hash);
        fragment = url.substr(hash);
    }
    std::string out(base);
    out += base.find('?') == std::string_view::npos ? '?' : '&';
    out += "widgetId=" + text::percentEncodeComponent(widgetId);
    out += "&parentUrl=" + text::percentEncodeComponent(parentUrl);
    out += fragment;
    return out;
}

} // namespace tessera::widgets
