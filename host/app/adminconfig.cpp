// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "adminconfig.h"

#include <QFile>

#include <nlohmann/json.hpp>

#include "consent/callservice.h"
#include "plugins/registration.h"

namespace tessera::app {

namespace {

constexpr std::string_view kCallServiceKey = "call_service";
constexpr std::string_view kPluginWidgetPageKey = "plugin_widget_page";

Error bad(const std::string &message) { return Error(ErrorCode::BadRequest, message); }

} // namespace

Result<AdminConfig> parseAdminConfig(std::string_view text)
{
    if (text.size() > kMaxConfigFileBytes)
        return bad("it is larger than " + std::to_string(kMaxConfigFileBytes) + " bytes");
    const auto config = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
    if (config.is_discarded() || !config.is_object())
        return bad("it is not a JSON object ({\"call_service\": \"https://…\"})");
    AdminConfig out;
    for (const auto &[key, value] : config.items()) {
        if (key != kCallServiceKey && key != kPluginWidgetPageKey)
            return bad("\"" + key + "\" is not a setting Tessera knows (it knows \"" + std::string(kCallServiceKey)
                       + "\" and \"" + std::string(kPluginWidgetPageKey) + "\")");
        if (!value.is_string())
            return bad("\"" + key + "\" must be an address, a string");
        const auto url = value.get<std::string>();
        if (key == kCallServiceKey) {
            auto origin = consent::callServiceOrigin(url);
            if (!origin)
                return bad("\"" + key + "\": " + origin.error().message);
            out.callServiceOrigin = std::move(*origin);
        } else {
            auto page = plugins::pluginWidgetPage(url);
            if (!page)
                return bad("\"" + key + "\": " + page.error().message);
            out.pluginWidgetPage = std::move(*page);
        }
    }
    return out;
}

Result<AdminConfig> readAdminConfig(const std::filesystem::path &given)
{
    const std::filesystem::path file = given.empty() ? std::filesystem::path(kSystemConfigFile) : given;
    QFile f(QString::fromStdString(file.string()));
    if (given.empty() && !f.exists())
        return AdminConfig{};
    if (!f.open(QIODevice::ReadOnly))
        return Error(ErrorCode::NotFound,
                     "cannot read the configuration file " + file.string() + ": " + f.errorString().toStdString());
    const QByteArray text = f.read(qint64(kMaxConfigFileBytes) + 1);
    auto config = parseAdminConfig(std::string_view(text.constData(), std::size_t(text.size())));
    if (!config)
        return Error(config.error().code,
                     "the configuration file " + file.string() + " cannot be used: " + config.error().message);
    return config;
}

} // namespace tessera::app
