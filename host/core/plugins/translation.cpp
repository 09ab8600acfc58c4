// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "plugins/translation.h"

#include <fstream>
#include <iterator>
#include <system_error>

#include <nlohmann/json.hpp>

#include "plugins/manifest.h"
#include "plugins/registration.h"
#include "util/text.h"
#include "widgets/catalog.h"

namespace tessera::plugins {

using nlohmann::json;

namespace {

/** The longest label of a widget field (as in plugin.json). */

Error bad(const std::string &message)
{
    return Error(ErrorCode::BadRequest, message);
}

Result<std::string> stringField(const json &value, const std::string &where, std::size_t maxBytes)
{
    if (!value.is_string())
        return bad(where + " must be a string");
    std::string s = value.get<std::string>();
    if (s.empty() || s.size() > maxBytes)
        return bad(where + " must have 1 to " + std::to_string(maxBytes) + " bytes");
    if (!text::isValidUtf8(s))
        return bad(where + " is not valid UTF-8");
    return s;
}

} // namespace

bool isTranslationLanguage(std::string_view lang)
{
    if (lang.size() < 2 || lang.size() > 3)
        return false;
    for (char c : lang)
        if (c < 'a' || c > 'z')
            return false;
    return true;
}

Result<PluginTranslation> parseTranslation(std::string_view textIn)
{
    const json doc = json::parse(textIn, nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
        return bad("a translation must be a JSON object");
    PluginTranslation t;
    for (const auto &[key, value] : doc.items()) {
        if (key == "name") {
            auto s = stringField(value, "\"name\"", kMaxDisplayNameBytes);
            if (!s)
                return s.error();
            t.name = std::move(*s);
        } else if (key == "description") {
            auto s = stringField(value, "\"description\"", kMaxTypeDescriptionBytes);
            if (!s)
                return s.error();
            t.description = std::move(*s);
        } else if (key == "widgetTypes") {
            if (!value.is_object())
                return bad("\"widgetTypes\" must be an object of widget types");
            for (const auto &[type, fields] : value.items()) {
                const std::string where = "widgetTypes[\"" + type + "\"]";
                if (!fields.is_object())
                    return bad(where + " must be an object");
                PluginTranslation::WidgetType w;
                for (const auto &[field, v] : fields.items()) {
                    if (field == "fields") {
                        if (!v.is_object())
                            return bad(where + ".fields must be an object of labels");
                        for (const auto &[key, label] : v.items()) {
                            auto s = stringField(label, where + ".fields[\"" + key + "\"]", widgets::kMaxFieldLabelBytes);
                            if (!s)
                                return s.error();
                            w.fields.emplace(key, std::move(*s));
                        }
                        continue;
                    }
                    if (field != "name" && field != "description")
                        return bad(where + " has an unknown field \"" + field + "\"");
                    auto s = stringField(v, where + "." + field,
                                         field == "name" ? kMaxDisplayNameBytes : kMaxTypeDescriptionBytes);
                    if (!s)
                        return s.error();
                    (field == "name" ? w.name : w.description) = std::move(*s);
                }
                t.widgetTypes.emplace(type, std::move(w));
            }
        } else if (key == "capabilities") {
            if (!value.is_object())
                return bad("\"capabilities\" must be an object of capabilities");
            for (const auto &[capability, reason] : value.items()) {
                auto s = stringField(reason, "capabilities[\"" + capability + "\"]", kMaxReasonBytes);
                if (!s)
                    return s.error();
                t.capabilities.emplace(capability, std::move(*s));
            }
        } else {
            return bad("unknown field \"" + key + "\"");
        }
    }
    return t;
}

Result<std::optional<PluginTranslation>> readTranslation(const std::filesystem::path &pluginDirectory,
                                                         std::string_view lang)
{
    if (!isTranslationLanguage(lang))
        return bad("\"" + std::string(lang) + "\" is not a language code");
    const auto file = pluginDirectory / "translations" / (std::string(lang) + ".json");
    std::error_code ec;
    if (!std::filesystem::exists(file, ec))
        return std::optional<PluginTranslation>();
    const auto size = std::filesystem::file_size(file, ec);
    if (ec)
        return Error(ErrorCode::Io, "cannot read " + file.string() + ": " + ec.message());
    if (size > kMaxTranslationBytes)
        return bad(file.string() + " is larger than " + std::to_string(kMaxTranslationBytes) + " bytes");
    std::ifstream in(file, std::ios::binary);
    const std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in && !in.eof())
        return Error(ErrorCode::Io, "cannot read " + file.string());
    auto parsed = parseTranslation(content);
    if (!parsed)
        return Error(parsed.error().code, file.string() + ": " + parsed.error().message);
    return std::optional<PluginTranslation>(std::move(*parsed));
}

} // namespace tessera::plugins
