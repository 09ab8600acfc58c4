// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "plugins/manifest.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <system_error>

#include <nlohmann/json.hpp>

#include "bridge/actionregistry.h"
#include "bridge/capabilities.h"
#include "util/text.h"

namespace tessera::plugins {

namespace {

using json = nlohmann::json;

constexpr std::size_t kMaxIdBytes = 128;
constexpr std::size_t kMaxNameBytes = 128;
constexpr std::size_t kMaxVersionBytes = 64;
constexpr std::size_t kMaxLibraryBytes = 128;
constexpr std::size_t kMaxLicenseBytes = 128;
constexpr std::size_t kMaxHomepageBytes = 2048;
constexpr std::size_t kMaxDescriptionBytes = 1024;

Error invalid(const std::string &message)
{
    return Error(ErrorCode::BadRequest, message);
}

bool isPrintableAsciiWithoutSpace(std::string_view s)
{
    return std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7F; });
}

bool isFileName(std::string_view s)
{
    if (s.empty() || s == "." || s == ".." || s.front() == '.' || s.front() == '-')
        return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'
               || c == '.';
    });
}

bool isSemanticVersion(std::string_view v)
{
    std::size_t i = 0;
    for (int part = 0; part < 3; ++part) {
        const std::size_t start = i;
        while (i < v.size() && v[i] >= '0' && v[i] <= '9')
            ++i;
        if (i == start)
            return false;
        if (part < 2) {
            if (i >= v.size() || v[i] != '.')
                return false;
            ++i;
        }
    }
    if (i == v.size())
        return true;
    if (v[i] != '-' && v[i] != '+')
        return false;
    const std::string_view rest = v.substr(i + 1);
    return !rest.empty() && std::all_of(rest.begin(), rest.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-'
               || c == '+';
    });
}

/** Reads an optional/required string field with a byte limit. */
Result<std::string> stringField(const json &doc, const char *name, bool required, std::size_t maxBytes)
{
    auto it = doc.find(name);
    if (it == doc.end()) {
        if (required)
            return invalid(std::string("field \"") + name + "\" is required");
        return std::string();
    }
    if (!it->is_string())
        return invalid(std::string("field \"") + name + "\" must be a string");
    const auto &value = it->get_ref<const std::string &>();
    if (required && value.empty())
        return invalid(std::string("field \"") + name + "\" must not be empty");
    if (value.size() > maxBytes)
        return invalid(std::string("field \"") + name + "\" is longer than " + std::to_string(maxBytes) + " bytes");
    if (text::hasControlCharacters(value))
        return invalid(std::string("field \"") + name + "\" must not contain control characters");
    return value;
}

Result<std::vector<std::string>> stringArray(const json &value, const std::string &field, std::size_t maxCount)
{
    if (!value.is_array())
        return invalid("field \"" + field + "\" must be an array of strings");
    if (value.size() > maxCount)
        return invalid("field \"" + field + "\" has more than " + std::to_string(maxCount) + " entries");
    std::vector<std::string> out;
    std::set<std::string> seen;
    for (const json &item : value) {
        if (!item.is_string())
            return invalid("field \"" + field + "\" must be an array of strings");
        const auto &s = item.get_ref<const std::string &>();
        if (!seen.insert(s).second)
            return invalid("field \"" + field + "\" lists \"" + s + "\" twice");
        out.push_back(s);
    }
    return out;
}

class ManifestLookup final : public bridge::CustomCapabilityLookup {
public:
    explicit ManifestLookup(const PluginManifest &m) : m_manifest(m) {}
    bool isCustomCapability(std::string_view capability) const override
    {
        return std::any_of(m_manifest.capabilityHandlers.begin(), m_manifest.capabilityHandlers.end(),
                           [&](const CapabilityHandlerDeclaration &h) { return h.capability == capability; });
    }

private:
    const PluginManifest &m_manifest;
};

Result<void> parseProvides(const json &doc, PluginManifest &m)
{
    auto it = doc.find("provides");
    if (it == doc.end())
        return invalid("field \"provides\" is required");
    if (!it->is_object())
        return invalid("field \"provides\" must be an object");
    for (const auto &[key, value] : it->items()) {
        if (key == "widgetTypes") {
            auto types = stringArray(value, "provides.widgetTypes", kMaxWidgetTypesPerPlugin);
            if (!types)
                return std::move(types).error();
            for (const std::string &t : *types)
                if (!isValidWidgetType(t))
                    return invalid("widget type \"" + t
                                   + "\" in provides.widgetTypes must be 1 to 255 bytes of printable ASCII without spaces");
            m.widgetTypes = std::move(*types);
        } else if (key == "widgetFields") {
            if (!value.is_object())
                return invalid("field \"provides.widgetFields\" must be an object of widget types");
            for (const auto &[type, fields] : value.items()) {
                auto parsed = widgets::parseFieldDeclarations(fields, "provides.widgetFields[\"" + type + "\"]");
                if (!parsed)
                    return invalid(parsed.error().message);
                m.widgetFields.emplace(type, std::move(*parsed));
            }
        } else if (key == "capabilityHandlers") {
            if (!value.is_array())
                return invalid("field \"provides.capabilityHandlers\" must be an array of objects");
            if (value.size() > kMaxHandlersPerPlugin)
                return invalid("field \"provides.capabilityHandlers\" has more than "
                               + std::to_string(kMaxHandlersPerPlugin) + " entries");
            std::set<std::string> actionsSeen;
            for (const json &h : value) {
                if (!h.is_object())
                    return invalid("field \"provides.capabilityHandlers\" must be an array of objects");
                CapabilityHandlerDeclaration decl;
                for (const auto &[hk, hv] : h.items()) {
                    if (hk == "capability") {
                        if (!hv.is_string())
                            return invalid("a capability handler's \"capability\" must be a string");
                        decl.capability = hv.get<std::string>();
                    } else if (hk == "actions") {
                        auto actions = stringArray(hv, "provides.capabilityHandlers[].actions", kMaxActionsPerHandler);
                        if (!actions)
                            return std::move(actions).error();
                        decl.actions = std::move(*actions);
                    } else {
                        return invalid("unknown field \"" + hk + "\" in a capability handler");
                    }
                }
                if (decl.capability.size() > bridge::kMaxCapabilityLength || !isInPluginNamespace(m.id, decl.capability))
                    return invalid("capability \"" + decl.capability + "\" must be in the plugin's namespace (\"" + m.id
                                   + "\" or \"" + m.id + ".…\")");
                if (std::any_of(m.capabilityHandlers.begin(), m.capabilityHandlers.end(),
                                [&](const auto &other) { return other.capability == decl.capability; }))
                    return invalid("capability \"" + decl.capability + "\" is declared twice");
                if (decl.actions.empty())
                    return invalid("capability handler \"" + decl.capability + "\" must declare at least one action");
                for (const std::string &a : decl.actions) {
                    if (!isInPluginNamespace(m.id, a))
                        return invalid("action \"" + a + "\" must be in the plugin's namespace (\"" + m.id + ".…\")");
                    if (bridge::ActionRegistry::isBuiltInAction(a))
                        return invalid("action \"" + a + "\" is defined by the Widget API and cannot be claimed");
                    if (!actionsSeen.insert(a).second)
                        return invalid("action \"" + a + "\" is declared by two capability handlers");
                }
                m.capabilityHandlers.push_back(std::move(decl));
            }
        } else {
            return invalid("unknown field \"provides." + key + "\"");
        }
    }
    for (const auto &[type, fields] : m.widgetFields)
        if (std::find(m.widgetTypes.begin(), m.widgetTypes.end(), type) == m.widgetTypes.end())
            return invalid("provides.widgetFields names \"" + type + "\", which is not in provides.widgetTypes");
    if (m.widgetTypes.empty() && m.capabilityHandlers.empty())
        return invalid("field \"provides\" must list at least one widget type or capability handler");
    return {};
}

} // namespace

bool isValidPluginId(std::string_view id) noexcept
{
    if (id.size() < 3 || id.size() > kMaxIdBytes)
        return false;
    int labels = 0;
    std::size_t start = 0;
    while (start <= id.size()) {
        const std::size_t end = std::min(id.find('.', start), id.size());
        const std::string_view label = id.substr(start, end - start);
        if (label.empty())
            return false;
        const char first = label.front();
        if (!((first >= 'a' && first <= 'z') || (first >= '0' && first <= '9')))
            return false;
        for (char c : label)
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
                return false;
        ++labels;
        start = end + 1;
    }
    return labels >= 2;
}

bool isValidWidgetType(std::string_view type) noexcept
{
    return !type.empty() && type.size() <= bridge::kMaxEventTypeLength && isPrintableAsciiWithoutSpace(type);
}

bool isInPluginNamespace(std::string_view pluginId, std::string_view name) noexcept
{
    if (name.size() > bridge::kMaxCapabilityLength || !isPrintableAsciiWithoutSpace(name))
        return false;
    if (name == pluginId)
        return true;
    return name.size() > pluginId.size() + 1 && name.substr(0, pluginId.size()) == pluginId
           && name[pluginId.size()] == '.';
}

Result<PluginManifest> parseManifest(std::string_view text)
{
    if (text.size() > kMaxManifestBytes)
        return invalid("larger than " + std::to_string(kMaxManifestBytes) + " bytes");
    const json doc = json::parse(text, nullptr, false);
    if (doc.is_discarded())
        return invalid("not valid JSON");
    if (!doc.is_object())
        return invalid("must be a JSON object");

    PluginManifest m;
    auto abiText = stringField(doc, "abi", true, 16);
    if (!abiText)
        return std::move(abiText).error();
    const auto abi = parseAbiVersion(*abiText);
    if (!abi)
        return invalid("field \"abi\" must look like \"1.0\" (major.minor), not \"" + *abiText + "\"");
    if (auto compatible = checkAbiCompatible(*abi); !compatible)
        return std::move(compatible).error();
    m.abi = *abi;

    static const std::set<std::string, std::less<>> kKnown{
        "abi", "id", "name", "version", "library", "license", "homepage", "description",
        "assets", "provides", "capabilities", "configSchema"};
    for (const auto &item : doc.items())
        if (kKnown.find(item.key()) == kKnown.end())
            return invalid("unknown field \"" + item.key() + "\"");

    auto id = stringField(doc, "id", true, kMaxIdBytes);
    if (!id)
        return std::move(id).error();
    if (!isValidPluginId(*id))
        return invalid("field \"id\" must be a lower-case reverse-DNS name such as \"org.example.board\", not \"" + *id
                       + "\"");
    if (text::startsWith(*id, "m."))
        return invalid("field \"id\" must not use the m. namespace, which the Matrix specification reserves");
    m.id = std::move(*id);

    struct Field {
        const char *name;
        bool required;
        std::size_t maxBytes;
        std::string *out;
    };
    const Field fields[] = {
        {"name", true, kMaxNameBytes, &m.name},
        {"version", true, kMaxVersionBytes, &m.version},
        {"library", true, kMaxLibraryBytes, &m.library},
        {"license", true, kMaxLicenseBytes, &m.license},
        {"homepage", false, kMaxHomepageBytes, &m.homepage},
        {"description", false, kMaxDescriptionBytes, &m.description},
        {"assets", false, kMaxLibraryBytes, &m.assets},
    };
    for (const Field &f : fields) {
        auto value = stringField(doc, f.name, f.required, f.maxBytes);
        if (!value)
            return std::move(value).error();
        *f.out = std::move(*value);
    }
    if (!isSemanticVersion(m.version))
        return invalid("field \"version\" must look like \"1.2.0\", not \"" + m.version + "\"");
    if (!isFileName(m.library))
        return invalid("field \"library\" must be a file name without directory, prefix or suffix, not \"" + m.library
                       + "\"");
    if (!m.assets.empty() && !isFileName(m.assets))
        return invalid("field \"assets\" must name a directory next to plugin.json, not \"" + m.assets + "\"");
    if (!m.homepage.empty() && !text::startsWith(m.homepage, "https://"))
        return invalid("field \"homepage\" must be an https: URL");

    if (auto r = parseProvides(doc, m); !r)
        return std::move(r).error();

    if (auto it = doc.find("capabilities"); it != doc.end()) {
        auto caps = stringArray(*it, "capabilities", kMaxDeclaredCapabilities);
        if (!caps)
            return std::move(caps).error();
        const ManifestLookup lookup(m);
        for (const std::string &c : *caps) {
            const bridge::CapabilityCheck check = bridge::checkCapability(c, &lookup);
            if (check.verdict != bridge::CapabilityVerdict::Recognised)
                return invalid("capability \"" + c + "\" in \"capabilities\" cannot be requested: " + check.reason);
        }
        m.capabilities = std::move(*caps);
    }

    if (auto it = doc.find("configSchema"); it != doc.end()) {
        auto schema = JsonSchema::compile(*it);
        if (!schema)
            return invalid("field \"configSchema\": " + schema.error().message);
        m.configSchema = std::move(*schema);
    }
    return m;
}

namespace {

Result<std::string> readSmallFile(const std::filesystem::path &file)
{
    std::error_code ec;
    const auto size = std::filesystem::file_size(file, ec);
    if (ec)
        return Error(ErrorCode::Io, "cannot read " + file.string() + ": " + ec.message());
    if (size > kMaxManifestBytes)
        return invalid("larger than " + std::to_string(kMaxManifestBytes) + " bytes");
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return Error(ErrorCode::Io, "cannot read " + file.string());
    std::string text(static_cast<std::size_t>(size), '\0');
    in.read(text.data(), static_cast<std::streamsize>(size));
    if (static_cast<std::size_t>(in.gcount()) != size)
        return Error(ErrorCode::Io, "cannot read " + file.string() + ": short read");
    return text;
}

} // namespace

std::optional<std::string> manifestIdHint(const std::filesystem::path &file)
{
    auto text = readSmallFile(file);
    if (!text)
        return std::nullopt;
    const json doc = json::parse(*text, nullptr, false);
    if (!doc.is_object() || !doc.contains("id") || !doc["id"].is_string())
        return std::nullopt;
    const auto &id = doc["id"].get_ref<const std::string &>();
    if (!isValidPluginId(id))
        return std::nullopt;
    return id;
}

Result<PluginManifest> readManifest(const std::filesystem::path &file)
{
    auto text = readSmallFile(file);
    if (!text)
        return std::move(text).error();
    return parseManifest(*text);
}

} // namespace tessera::plugins
