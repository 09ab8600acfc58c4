// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "widgets/catalog.h"

#include "tokens/ed25519.h"
#include "util/text.h"
#include "widgets/url.h"

#include <algorithm>
#include <set>

namespace tessera::widgets {

using nlohmann::json;

std::string_view toString(FieldKind kind) noexcept
{
    switch (kind) {
    case FieldKind::Text: return "text";
    case FieldKind::Url: return "url";
    case FieldKind::Domain: return "domain";
    case FieldKind::Identifier: return "identifier";
    }
    return "text";
}

std::optional<FieldKind> fieldKindFromString(std::string_view name) noexcept
{
    for (FieldKind k : {FieldKind::Text, FieldKind::Url, FieldKind::Domain, FieldKind::Identifier})
        if (toString(k) == name)
            return k;
    return std::nullopt;
}

std::string_view toString(CatalogKind kind) noexcept
{
    switch (kind) {
    case CatalogKind::Custom: return "custom";
    case CatalogKind::Jitsi: return "jitsi";
    case CatalogKind::Call: return "call";
    case CatalogKind::Plugin: return "plugin";
    case CatalogKind::AgentOffer: return "offer";
    }
    return "custom";
}

std::string_view toString(FieldProblem::Kind kind) noexcept
{
    switch (kind) {
    case FieldProblem::Kind::Missing: return "missing";
    case FieldProblem::Kind::TooLong: return "too-long";
    case FieldProblem::Kind::ControlChars: return "control-characters";
    case FieldProblem::Kind::BadUrl: return "bad-url";
    case FieldProblem::Kind::BadDomain: return "bad-domain";
    case FieldProblem::Kind::BadIdentifier: return "bad-identifier";
    case FieldProblem::Kind::Unknown: return "unknown";
    }
    return "missing";
}

namespace {

std::string trimmed(std::string_view s)
{
    const auto isSpace = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    while (!s.empty() && isSpace(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && isSpace(s.back()))
        s.remove_suffix(1);
    return std::string(s);
}

bool isIdentifierChar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
           || c == '.';
}

bool isDomain(std::string_view d)
{
    if (d.empty() || d.size() > kMaxDomainBytes)
        return false;
    std::size_t start = 0;
    int labels = 0;
    while (start <= d.size()) {
        const std::size_t end = std::min(d.find('.', start), d.size());
        const std::string_view label = d.substr(start, end - start);
        if (label.empty() || label.size() > kMaxDnsLabelBytes || label.front() == '-' || label.back() == '-')
            return false;
        for (char c : label)
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
                return false;
        ++labels;
        start = end + 1;
    }
    return labels >= 1;
}

std::string base32Lower(std::string_view bytes)
{
    static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
    std::string out;
    std::uint32_t buffer = 0;
    int bits = 0;
    for (unsigned char b : bytes) {
        buffer = (buffer << 8) | b;
        bits += 8;
        while (bits >= 5) {
            out.push_back(kAlphabet[(buffer >> (bits - 5)) & 31]);
            bits -= 5;
        }
    }
    if (bits > 0)
        out.push_back(kAlphabet[(buffer << (5 - bits)) & 31]);
    return out;
}

CatalogField field(std::string_view key, FieldKind kind, bool required, std::size_t maxLength,
                   std::string defaultValue = {})
{
    CatalogField f;
    f.key = std::string(key);
    f.kind = kind;
    f.required = required;
    f.maxLength = maxLength;
    f.defaultValue = std::move(defaultValue);
    return f;
}

CatalogField nameField(std::string defaultValue = {})
{
    auto f = field(kFieldName, FieldKind::Text, false, kMaxWidgetNameBytes, std::move(defaultValue));
    f.label = "Name";
    return f;
}

/** The Element Call widget parameters, filled in by each client from its own session. */
constexpr std::string_view kCallParameters =
    "widgetId=$matrix_widget_id&roomId=$matrix_room_id&userId=$matrix_user_id"
    "&deviceId=$org.matrix.msc3819.matrix_device_id&baseUrl=$org.matrix.msc4039.matrix_base_url"
    "&lang=$org.matrix.msc2873.client_language&theme=$org.matrix.msc2873.client_theme"
    "&displayName=$matrix_display_name&embed=true&hideHeader=true&confineToRoom=true";

} // namespace

std::string defaultJitsiConference(std::string_view roomId)
{
    return "tessera" + base32Lower(tokens::sha256(roomId)).substr(0, 25);
}

std::vector<CatalogEntry> builtInEntries(const CatalogRoom &room)
{
    std::vector<CatalogEntry> out;
    CatalogEntry custom;
    custom.id = "custom";
    custom.kind = CatalogKind::Custom;
    custom.widgetType = "m.custom";
    custom.fields = {field(kFieldUrl, FieldKind::Url, true, kMaxUrlLength), nameField()};
    custom.fields[0].label = "Address";
    out.push_back(std::move(custom));

    CatalogEntry jitsi;
    jitsi.id = "jitsi";
    jitsi.kind = CatalogKind::Jitsi;
    jitsi.widgetType = "m.jitsi";
    jitsi.fields = {field(kFieldConference, FieldKind::Identifier, true, kMaxConferenceIdBytes,
                          room.roomId.empty() ? std::string() : defaultJitsiConference(room.roomId)),
                    field(kFieldDomain, FieldKind::Domain, true, kMaxDomainBytes,
                          room.jitsiDomain.empty() ? std::string(kDefaultJitsiDomain) : room.jitsiDomain),
                    nameField("Jitsi Meet")};
    jitsi.fields[0].label = "Conference";
    jitsi.fields[1].label = "Jitsi server";
    out.push_back(std::move(jitsi));

    CatalogEntry call;
    call.id = "call";
    call.kind = CatalogKind::Call;
    call.widgetType = "m.call";
    call.fields = {field(kFieldUrl, FieldKind::Url, true, kMaxUrlLength), nameField("Element Call")};
    call.fields[0].label = "Call service address";
    out.push_back(std::move(call));
    return out;
}

CatalogEntry pluginEntry(const CatalogPluginType &type)
{
    CatalogEntry e;
    e.id = "plugin:" + type.type;
    e.kind = CatalogKind::Plugin;
    e.widgetType = type.type;
    e.name = type.name;
    e.description = type.description;
    e.pluginId = type.pluginId;
    e.widgetUrl = type.widgetUrl;
    e.fields = type.fields;
    e.fields.push_back(nameField(type.name));
    return e;
}

std::variant<std::string, FieldProblem> checkField(const CatalogField &f, std::string_view raw,
                                                   const UrlPolicyOptions &policy)
{
    std::string value = trimmed(raw);
    const auto problem = [&](FieldProblem::Kind kind, std::string detail = {}) {
        return FieldProblem{f.key, kind, std::move(detail)};
    };
    if (value.empty())
        return f.required ? std::variant<std::string, FieldProblem>(problem(FieldProblem::Kind::Missing))
                          : std::variant<std::string, FieldProblem>(std::string());
    if (value.size() > f.maxLength)
        return problem(FieldProblem::Kind::TooLong, std::to_string(f.maxLength));
    if (text::hasControlCharacters(value) || !text::isValidUtf8(value))
        return problem(FieldProblem::Kind::ControlChars);
    switch (f.kind) {
    case FieldKind::Text:
        break;
    case FieldKind::Url:
        if (auto checked = checkWidgetUrl(value, policy); !checked)
            return problem(FieldProblem::Kind::BadUrl, checked.error().message);
        break;
    case FieldKind::Domain:
        value = text::toLowerAscii(value);
        if (!isDomain(value))
            return problem(FieldProblem::Kind::BadDomain);
        break;
    case FieldKind::Identifier:
        if (!std::all_of(value.begin(), value.end(), isIdentifierChar))
            return problem(FieldProblem::Kind::BadIdentifier);
        break;
    }
    return value;
}

CatalogResult buildWidget(const CatalogEntry &entry, const std::map<std::string, std::string> &values,
                          const CatalogRoom &room, const std::string &widgetId)
{
    CatalogResult result;
    // Not a structured binding: clang before 16 cannot capture one in a lambda (the fuzzers
    // build this file with clang).
    for (const auto &entryValue : values) {
        const std::string &key = entryValue.first;
        if (std::none_of(entry.fields.begin(), entry.fields.end(), [&](const CatalogField &f) { return f.key == key; }))
            result.problems.push_back(FieldProblem{key, FieldProblem::Kind::Unknown, {}});
    }
    std::map<std::string, std::string> checked;
    for (const CatalogField &f : entry.fields) {
        auto it = values.find(f.key);
        auto r = checkField(f, it == values.end() ? std::string_view(f.defaultValue) : std::string_view(it->second),
                            room.policy);
        if (auto *p = std::get_if<FieldProblem>(&r))
            result.problems.push_back(std::move(*p));
        else
            checked[f.key] = std::get<std::string>(std::move(r));
    }
    if (!result.problems.empty())
        return result;

    std::string name = checked[std::string(kFieldName)];
    json data = json::object();
    std::string url;
    switch (entry.kind) {
    case CatalogKind::Custom: {
        url = checked[std::string(kFieldUrl)];
        if (name.empty())
            if (auto parsed = parseUrl(url))
                name = parsed->host;
        break;
    }
    case CatalogKind::Jitsi: {
        // The Jitsi Meet page itself on the chosen server: nothing between the user and it.
        const std::string &domain = checked[std::string(kFieldDomain)];
        const std::string &conference = checked[std::string(kFieldConference)];
        url = "https://" + domain + "/" + conference;
        if (auto ok = checkWidgetUrl(url, room.policy); !ok) {
            result.problems.push_back(FieldProblem{std::string(kFieldDomain), FieldProblem::Kind::BadUrl,
                                                   ok.error().message});
            return result;
        }
        data = json{{"domain", domain}, {"conferenceId", conference}, {"isAudioOnly", false}};
        break;
    }
    case CatalogKind::Call: {
        // The call service's page for a room, told who and where it is by the widget URL's
        // variables, which every client fills in from its own session.
        std::string service = checked[std::string(kFieldUrl)];
        auto parsed = parseUrl(service);
        if (parsed && !parsed->hasFragment && !parsed->hasQuery) {
            while (!service.empty() && service.back() == '/')
                service.pop_back();
            const bool atRoom = text::endsWith(parsed->path, "/room");
            url = service + (atRoom ? "" : "/room") + "#?" + std::string(kCallParameters);
        } else {
            url = service; // a fully written widget address is used as given
        }
        break;
    }
    case CatalogKind::Plugin:
    case CatalogKind::AgentOffer: {
        url = entry.widgetUrl;
        data = entry.presetData.is_object() ? entry.presetData : json::object();
        for (const CatalogField &f : entry.fields)
            if (f.key != kFieldName && !checked[f.key].empty())
                data[f.key] = checked[f.key];
        break;
    }
    }
    if (name.empty())
        name = entry.name.empty() ? entry.widgetType : entry.name;
    result.content = json{{"type", entry.widgetType}, {"url", url},           {"name", name},
                          {"data", std::move(data)},  {"creatorUserId", room.userId}, {"id", widgetId}};
    return result;
}

Result<std::vector<CatalogField>> parseFieldDeclarations(const json &value, const std::string &where)
{
    const auto bad = [&](const std::string &message) { return Error(ErrorCode::BadRequest, where + " " + message); };
    if (!value.is_array())
        return bad("must be an array of fields");
    if (value.size() > kMaxFieldsPerType)
        return bad("has more than " + std::to_string(kMaxFieldsPerType) + " fields");
    std::vector<CatalogField> out;
    std::set<std::string> seen;
    for (const json &item : value) {
        if (!item.is_object())
            return bad("must be an array of objects");
        CatalogField f;
        f.kind = FieldKind::Text;
        bool haveKind = false;
        for (const auto &[k, v] : item.items()) {
            if (k == "key" || k == "label") {
                if (!v.is_string())
                    return bad("field \"" + k + "\" must be a string");
                (k == "key" ? f.key : f.label) = v.get<std::string>();
            } else if (k == "kind") {
                if (!v.is_string())
                    return bad("field \"kind\" must be a string");
                auto kind = fieldKindFromString(v.get<std::string>());
                if (!kind)
                    return bad("field \"kind\" must be one of text, url, domain, identifier");
                f.kind = *kind;
                haveKind = true;
            } else if (k == "required") {
                if (!v.is_boolean())
                    return bad("field \"required\" must be true or false");
                f.required = v.get<bool>();
            } else if (k == "maxLength") {
                if (!v.is_number_integer() || v.get<long long>() < 1
                    || v.get<long long>() > static_cast<long long>(kMaxFieldValueBytes))
                    return bad("field \"maxLength\" must be an integer from 1 to " + std::to_string(kMaxFieldValueBytes));
                f.maxLength = static_cast<std::size_t>(v.get<long long>());
            } else {
                return bad("has an unknown field \"" + k + "\"");
            }
        }
        if (f.key.empty() || f.key.size() > kMaxFieldKeyBytes || !std::all_of(f.key.begin(), f.key.end(), isIdentifierChar))
            return bad("has a key that is not 1 to " + std::to_string(kMaxFieldKeyBytes)
                       + " letters, digits, '-', '_' or '.'");
        if (f.key == kFieldUrl || f.key == kFieldName)
            return bad("uses the reserved key \"" + f.key + "\"");
        if (!seen.insert(f.key).second)
            return bad("lists the key \"" + f.key + "\" twice");
        if (f.label.empty() || f.label.size() > kMaxFieldLabelBytes || text::hasControlCharacters(f.label) || !text::isValidUtf8(f.label))
            return bad("has a label that is not 1 to 80 bytes of text");
        if (!haveKind)
            return bad("has a field without \"kind\"");
        if (f.kind == FieldKind::Url && !item.contains("maxLength"))
            f.maxLength = kMaxFieldValueBytes;
        out.push_back(std::move(f));
    }
    return out;
}

std::vector<CatalogEntry> agentOffers(const std::vector<json> &offerEvents, const std::vector<CatalogPluginType> &types,
                                      const std::vector<std::string> &joined, const UrlPolicyOptions &policy)
{
    std::vector<CatalogEntry> out;
    std::vector<const json *> events;
    for (const json &e : offerEvents)
        if (e.is_object())
            events.push_back(&e);
    // The same order whatever order the server listed them in.
    std::sort(events.begin(), events.end(), [](const json *a, const json *b) {
        return a->value("state_key", std::string()) < b->value("state_key", std::string());
    });
    for (const json *e : events) {
        const std::string sender = e->value("sender", std::string());
        const json *key = e->contains("state_key") ? &(*e)["state_key"] : nullptr;
        if (sender.empty() || !key || !key->is_string() || key->get<std::string>() != sender)
            continue;
        if (std::find(joined.begin(), joined.end(), sender) == joined.end())
            continue;
        const json content = e->value("content", json::object());
        if (!content.is_object() || !content.contains("widgets") || !content["widgets"].is_array())
            continue;
        std::size_t n = 0;
        for (const json &w : content["widgets"]) {
            if (n >= kMaxOffersPerAgent || out.size() >= kMaxOffersPerRoom)
                break;
            const std::size_t index = n++;
            if (!w.is_object() || !w.contains("type") || !w["type"].is_string())
                continue;
            const std::string type = w["type"].get<std::string>();
            auto t = std::find_if(types.begin(), types.end(), [&](const CatalogPluginType &p) { return p.type == type; });
            if (t == types.end())
                continue;
            const json data = w.value("data", json::object());
            if (!data.is_object())
                continue;
            CatalogEntry entry = pluginEntry(*t);
            entry.id = "offer:" + sender + ":" + std::to_string(index);
            entry.kind = CatalogKind::AgentOffer;
            entry.offeredBy = sender;
            // The agent's own data, checked as if the person had typed it; what it does not set
            // stays for the person to fill in.
            bool valid = true;
            std::vector<CatalogField> remaining;
            for (const CatalogField &f : entry.fields) {
                if (f.key == kFieldName) {
                    remaining.push_back(f);
                    continue;
                }
                auto it = data.find(f.key);
                if (it == data.end()) {
                    remaining.push_back(f);
                    continue;
                }
                if (!it->is_string()) {
                    valid = false;
                    break;
                }
                auto r = checkField(f, it->get<std::string>(), policy);
                if (std::holds_alternative<FieldProblem>(r)) {
                    valid = false;
                    break;
                }
                entry.presetData[f.key] = std::get<std::string>(r);
            }
            if (!valid)
                continue;
            entry.fields = std::move(remaining);
            if (w.contains("name") && w["name"].is_string()) {
                std::string name = trimmed(w["name"].get<std::string>());
                if (!name.empty() && name.size() <= kMaxWidgetNameBytes && !text::hasControlCharacters(name) && text::isValidUtf8(name)) {
                    entry.name = name;
                    for (auto &f : entry.fields)
                        if (f.key == kFieldName)
                            f.defaultValue = name;
                }
            }
            if (w.contains("description") && w["description"].is_string()) {
                std::string d = trimmed(w["description"].get<std::string>());
                if (d.size() <= kMaxOfferDescriptionBytes && !text::hasControlCharacters(d) && text::isValidUtf8(d))
                    entry.description = d;
            }
            out.push_back(std::move(entry));
        }
    }
    return out;
}

std::string commandWord(const CatalogEntry &entry)
{
    switch (entry.kind) {
    case CatalogKind::Custom:
    case CatalogKind::Jitsi:
    case CatalogKind::Call:
        return std::string(toString(entry.kind));
    case CatalogKind::Plugin: {
        const auto dot = entry.widgetType.rfind('.');
        return dot == std::string::npos ? entry.widgetType : entry.widgetType.substr(dot + 1);
    }
    case CatalogKind::AgentOffer:
        return {};
    }
    return {};
}

std::variant<WidgetCommand, WidgetCommandError> parseWidgetCommand(std::string_view args,
                                                                   const std::vector<CatalogEntry> &entries)
{
    std::vector<std::string> words;
    {
        std::string current;
        for (char c : args) {
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                if (!current.empty())
                    words.push_back(std::move(current));
                current.clear();
            } else {
                current.push_back(c);
            }
        }
        if (!current.empty())
            words.push_back(std::move(current));
    }
    if (words.empty() || words.front() == "help")
        return WidgetCommandError{WidgetCommandError::Kind::Usage, {}};

    const CatalogEntry *entry = nullptr;
    std::size_t next = 1;
    const std::string &first = words.front();
    const auto byId = [&](std::string_view id) -> const CatalogEntry * {
        auto it = std::find_if(entries.begin(), entries.end(), [&](const CatalogEntry &e) { return e.id == id; });
        return it == entries.end() ? nullptr : &*it;
    };
    if (first.find("://") != std::string::npos || first.find(':') != std::string::npos) {
        // An address (or something meant as one: javascript:, data:): a custom widget, whose
        // URL check says what is wrong with it.
        entry = byId("custom");
        next = 0;
    } else {
        const std::string word = text::toLowerAscii(first);
        std::vector<const CatalogEntry *> matches;
        for (const CatalogEntry &e : entries) {
            if (e.kind == CatalogKind::AgentOffer)
                continue;
            if (text::toLowerAscii(e.widgetType) == word && e.kind == CatalogKind::Plugin) {
                matches = {&e};
                break;
            }
            if (commandWord(e) == word)
                matches.push_back(&e);
        }
        if (matches.size() > 1)
            return WidgetCommandError{WidgetCommandError::Kind::Ambiguous, first};
        if (matches.empty())
            return WidgetCommandError{WidgetCommandError::Kind::UnknownType, first};
        entry = matches.front();
    }
    if (!entry)
        return WidgetCommandError{WidgetCommandError::Kind::UnknownType, first};

    WidgetCommand command;
    command.entryId = entry->id;
    std::vector<std::string> bare;
    for (std::size_t i = next; i < words.size(); ++i) {
        const std::string &w = words[i];
        const auto eq = w.find('=');
        if (eq != std::string::npos && eq > 0) {
            const std::string key = w.substr(0, eq);
            if (std::any_of(entry->fields.begin(), entry->fields.end(), [&](const CatalogField &f) { return f.key == key; })) {
                command.values[key] = w.substr(eq + 1);
                continue;
            }
        }
        bare.push_back(w);
    }
    std::size_t b = 0;
    for (const CatalogField &f : entry->fields) {
        if (b >= bare.size())
            break;
        if (f.key == kFieldName || command.values.count(f.key))
            continue;
        command.values[f.key] = bare[b++];
    }
    if (b < bare.size() && !command.values.count(std::string(kFieldName))) {
        std::string name;
        for (; b < bare.size(); ++b)
            name += (name.empty() ? "" : " ") + bare[b];
        command.values[std::string(kFieldName)] = name;
    }
    return command;
}

} // namespace tessera::widgets
