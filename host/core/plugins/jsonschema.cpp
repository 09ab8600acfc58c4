// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "plugins/jsonschema.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <string_view>

namespace tessera::plugins {

namespace {

using json = nlohmann::json;

constexpr std::array<std::string_view, 7> kTypeNames{"null", "boolean", "object", "array", "number", "integer", "string"};
constexpr std::array<std::string_view, 6> kAnnotations{"title", "description", "default", "examples", "$schema", "$comment"};

std::string escapePointerToken(std::string_view token)
{
    std::string out;
    for (char c : token) {
        if (c == '~')
            out += "~0";
        else if (c == '/')
            out += "~1";
        else
            out += c;
    }
    return out;
}

std::string dumpValue(const json &value)
{
    std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
    if (text.size() > 64)
        text = text.substr(0, 61) + "...";
    return text;
}

bool isNonNegativeInteger(const json &v)
{
    if (v.is_number_unsigned())
        return true;
    if (v.is_number_integer())
        return v.get<std::int64_t>() >= 0;
    return false;
}

Result<void> compileAt(const json &schema, const std::string &where, int depth)
{
    auto fail = [&](const std::string &what) {
        return Error(ErrorCode::BadRequest, "schema" + (where.empty() ? std::string() : " at " + where) + ": " + what);
    };
    if (depth > JsonSchema::kMaxDepth)
        return fail("nested deeper than " + std::to_string(JsonSchema::kMaxDepth) + " levels");
    if (schema.is_boolean())
        return {};
    if (!schema.is_object())
        return fail("must be an object or a boolean");

    for (const auto &[key, value] : schema.items()) {
        if (std::find(kAnnotations.begin(), kAnnotations.end(), key) != kAnnotations.end())
            continue;
        const std::string here = where + "/" + escapePointerToken(key);
        if (key == "type") {
            auto known = [](const json &name) {
                return name.is_string()
                       && std::find(kTypeNames.begin(), kTypeNames.end(), name.get<std::string>()) != kTypeNames.end();
            };
            if (value.is_string()) {
                if (!known(value))
                    return fail("unknown type " + dumpValue(value));
            } else if (value.is_array() && !value.empty()) {
                for (const json &name : value)
                    if (!known(name))
                        return fail("unknown type " + dumpValue(name));
            } else {
                return fail("\"type\" must be a type name or a non-empty array of them");
            }
        } else if (key == "properties") {
            if (!value.is_object())
                return fail("\"properties\" must be an object");
            for (const auto &[name, sub] : value.items())
                if (auto r = compileAt(sub, here + "/" + escapePointerToken(name), depth + 1); !r)
                    return r;
        } else if (key == "required") {
            if (!value.is_array())
                return fail("\"required\" must be an array of property names");
            for (std::size_t i = 0; i < value.size(); ++i) {
                if (!value[i].is_string())
                    return fail("\"required\" must be an array of property names");
                for (std::size_t j = 0; j < i; ++j)
                    if (value[j] == value[i])
                        return fail("\"required\" lists " + dumpValue(value[i]) + " twice");
            }
        } else if (key == "additionalProperties" || key == "items") {
            if (key == "items" && value.is_array())
                return fail("the tuple form of \"items\" is not supported; give one schema");
            if (auto r = compileAt(value, here, depth + 1); !r)
                return r;
        } else if (key == "enum") {
            if (!value.is_array() || value.empty())
                return fail("\"enum\" must be a non-empty array");
        } else if (key == "minimum" || key == "maximum") {
            if (!value.is_number())
                return fail("\"" + key + "\" must be a number");
        } else if (key == "minLength" || key == "maxLength") {
            if (!isNonNegativeInteger(value))
                return fail("\"" + key + "\" must be a non-negative integer");
        } else {
            return fail("unsupported keyword \"" + key + "\"");
        }
    }
    return {};
}

bool matchesType(const json &value, std::string_view type)
{
    if (type == "null")
        return value.is_null();
    if (type == "boolean")
        return value.is_boolean();
    if (type == "object")
        return value.is_object();
    if (type == "array")
        return value.is_array();
    if (type == "number")
        return value.is_number();
    if (type == "string")
        return value.is_string();
    if (type == "integer") {
        if (value.is_number_integer() || value.is_number_unsigned())
            return true;
        if (value.is_number_float()) {
            const double d = value.get<double>();
            return std::isfinite(d) && std::floor(d) == d;
        }
    }
    return false;
}

std::size_t codePoints(const std::string &s)
{
    // Counts the bytes that do not continue a sequence; the JSON parser already checked UTF-8.
    return static_cast<std::size_t>(
        std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

class Validator {
public:
    explicit Validator(std::vector<SchemaViolation> &out) : m_out(out) {}

    void run(const json &schema, const json &value, const std::string &path)
    {
        if (full())
            return;
        if (schema.is_boolean()) {
            if (!schema.get<bool>())
                add(path, "is not allowed");
            return;
        }
        if (auto it = schema.find("type"); it != schema.end() && !checkType(*it, value, path))
            return; // the other keywords would only repeat the type mismatch
        if (auto it = schema.find("enum"); it != schema.end()) {
            if (std::find(it->begin(), it->end(), value) == it->end()) {
                std::string allowed;
                for (const json &option : *it) {
                    if (!allowed.empty())
                        allowed += ", ";
                    allowed += dumpValue(option);
                }
                add(path, "must be one of " + allowed);
            }
        }
        if (value.is_number()) {
            if (auto it = schema.find("minimum"); it != schema.end() && value.get<double>() < it->get<double>())
                add(path, "must be at least " + dumpValue(*it));
            if (auto it = schema.find("maximum"); it != schema.end() && value.get<double>() > it->get<double>())
                add(path, "must be at most " + dumpValue(*it));
        }
        if (value.is_string()) {
            const std::size_t length = codePoints(value.get_ref<const std::string &>());
            auto characters = [](const json &n) { return n.get<std::uint64_t>() == 1 ? " character long" : " characters long"; };
            if (auto it = schema.find("minLength"); it != schema.end() && length < it->get<std::uint64_t>())
                add(path, "must be at least " + dumpValue(*it) + characters(*it));
            if (auto it = schema.find("maxLength"); it != schema.end() && length > it->get<std::uint64_t>())
                add(path, "must be at most " + dumpValue(*it) + characters(*it));
        }
        if (value.is_object())
            checkObject(schema, value, path);
        if (value.is_array()) {
            if (auto it = schema.find("items"); it != schema.end())
                for (std::size_t i = 0; i < value.size(); ++i)
                    run(*it, value[i], path + "/" + std::to_string(i));
        }
    }

private:
    bool checkType(const json &type, const json &value, const std::string &path)
    {
        if (type.is_string()) {
            const auto &name = type.get_ref<const std::string &>();
            if (matchesType(value, name))
                return true;
            add(path, std::string(name == "integer" || name == "object" || name == "array" ? "must be an " : "must be a ")
                          + name);
            return false;
        }
        std::string names;
        for (const json &t : type) {
            if (matchesType(value, t.get_ref<const std::string &>()))
                return true;
            if (!names.empty())
                names += ", ";
            names += t.get<std::string>();
        }
        add(path, "must be one of the types " + names);
        return false;
    }

    void checkObject(const json &schema, const json &value, const std::string &path)
    {
        if (auto it = schema.find("required"); it != schema.end())
            for (const json &name : *it)
                if (!value.contains(name.get<std::string>()))
                    add(path, "is missing the required property " + dumpValue(name));
        const auto props = schema.find("properties");
        const auto additional = schema.find("additionalProperties");
        for (const auto &[key, member] : value.items()) {
            const std::string here = path + "/" + escapePointerToken(key);
            if (props != schema.end()) {
                if (auto p = props->find(key); p != props->end()) {
                    run(*p, member, here);
                    continue;
                }
            }
            if (additional == schema.end())
                continue;
            if (additional->is_boolean() && !additional->get<bool>())
                add(path, "has a property that is not allowed: " + dumpValue(key));
            else
                run(*additional, member, here);
        }
    }

    bool full() const { return m_out.size() >= JsonSchema::kMaxViolations; }
    void add(const std::string &path, std::string message)
    {
        if (!full())
            m_out.push_back(SchemaViolation{path, std::move(message)});
    }

    std::vector<SchemaViolation> &m_out;
};

} // namespace

std::string SchemaViolation::toString() const
{
    return (path.empty() ? std::string("value") : path) + ": " + message;
}

Result<JsonSchema> JsonSchema::compile(nlohmann::json schema)
{
    if (auto r = compileAt(schema, "", 0); !r)
        return std::move(r).error();
    return JsonSchema(std::move(schema));
}

std::vector<SchemaViolation> JsonSchema::validate(const nlohmann::json &value) const
{
    std::vector<SchemaViolation> out;
    Validator(out).run(m_schema, value, "");
    return out;
}

Result<void> JsonSchema::check(const nlohmann::json &value) const
{
    const auto violations = validate(value);
    if (violations.empty())
        return {};
    std::string message;
    for (const SchemaViolation &v : violations) {
        if (!message.empty())
            message += "; ";
        message += v.toString();
    }
    return Error(ErrorCode::BadRequest, message);
}

} // namespace tessera::plugins
