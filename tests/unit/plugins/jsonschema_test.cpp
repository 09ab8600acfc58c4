// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <string>

#include "plugins/jsonschema.h"

using nlohmann::json;
using tessera::plugins::JsonSchema;

namespace {

JsonSchema compiled(const char *text)
{
    auto schema = JsonSchema::compile(json::parse(text));
    EXPECT_TRUE(schema) << schema.error().message;
    return std::move(*schema);
}

std::string compileError(const char *text)
{
    auto schema = JsonSchema::compile(json::parse(text));
    return schema ? std::string("(compiled)") : schema.error().message;
}

/** "path: message" of every violation, joined with " | ". */
std::string violations(const JsonSchema &schema, const char *value)
{
    std::string out;
    for (const auto &v : schema.validate(json::parse(value))) {
        if (!out.empty())
            out += " | ";
        out += v.toString();
    }
    return out;
}

} // namespace

TEST(JsonSchemaCompile, AcceptsEverySupportedKeywordAndAnnotation)
{
    EXPECT_EQ(compileError(R"({
        "$schema": "https://json-schema.org/draft/2020-12/schema", "$comment": "x", "title": "t",
        "description": "d", "default": {}, "examples": [{}],
        "type": "object", "required": ["a"], "additionalProperties": {"type": "string"},
        "properties": {
            "a": {"type": ["string", "null"], "minLength": 1, "maxLength": 3, "enum": ["x", null]},
            "n": {"type": "number", "minimum": -1.5, "maximum": 10},
            "l": {"type": "array", "items": {"type": "integer"}}
        }})"),
              "(compiled)");
    EXPECT_EQ(compileError("true"), "(compiled)");
    EXPECT_EQ(compileError("false"), "(compiled)");
}

TEST(JsonSchemaCompile, RefusesKeywordsOutsideTheSubsetAndSaysWhere)
{
    EXPECT_EQ(compileError(R"({"properties": {"name": {"pattern": "^a"}}})"),
              "schema at /properties/name: unsupported keyword \"pattern\"");
    EXPECT_EQ(compileError(R"({"oneOf": []})"), "schema: unsupported keyword \"oneOf\"");
    EXPECT_EQ(compileError(R"({"$ref": "#/x"})"), "schema: unsupported keyword \"$ref\"");
}

TEST(JsonSchemaCompile, RefusesMalformedKeywords)
{
    EXPECT_EQ(compileError("3"), "schema: must be an object or a boolean");
    EXPECT_EQ(compileError(R"({"type": "text"})"), "schema: unknown type \"text\"");
    EXPECT_EQ(compileError(R"({"type": []})"), "schema: \"type\" must be a type name or a non-empty array of them");
    EXPECT_EQ(compileError(R"({"required": "a"})"), "schema: \"required\" must be an array of property names");
    EXPECT_EQ(compileError(R"({"required": ["a", "a"]})"), "schema: \"required\" lists \"a\" twice");
    EXPECT_EQ(compileError(R"({"enum": []})"), "schema: \"enum\" must be a non-empty array");
    EXPECT_EQ(compileError(R"({"minimum": "1"})"), "schema: \"minimum\" must be a number");
    EXPECT_EQ(compileError(R"({"maxLength": -1})"), "schema: \"maxLength\" must be a non-negative integer");
    EXPECT_EQ(compileError(R"({"maxLength": 1.5})"), "schema: \"maxLength\" must be a non-negative integer");
    EXPECT_EQ(compileError(R"({"items": [{}]})"),
              "schema: the tuple form of \"items\" is not supported; give one schema");
    EXPECT_EQ(compileError(R"({"properties": []})"), "schema: \"properties\" must be an object");
}

TEST(JsonSchemaCompile, RefusesNestingBeyondTheLimit)
{
    std::string deep = "{}";
    for (int i = 0; i <= JsonSchema::kMaxDepth; ++i)
        deep = R"({"items": )" + deep + "}";
    EXPECT_NE(compileError(deep.c_str()).find("nested deeper than 32 levels"), std::string::npos);
}

TEST(JsonSchemaValidate, ChecksTypesIncludingIntegerAsWholeNumber)
{
    const JsonSchema schema = compiled(R"({"type": "integer"})");
    EXPECT_EQ(violations(schema, "3"), "");
    EXPECT_EQ(violations(schema, "3.0"), "");
    EXPECT_EQ(violations(schema, "3.5"), "value: must be an integer");
    EXPECT_EQ(violations(schema, "\"3\""), "value: must be an integer");
    EXPECT_EQ(violations(compiled(R"({"type": ["string", "null"]})"), "1"),
              "value: must be one of the types string, null");
    EXPECT_EQ(violations(compiled(R"({"type": "boolean"})"), "0"), "value: must be a boolean");
}

TEST(JsonSchemaValidate, ChecksPropertiesRequiredAndAdditionalProperties)
{
    const JsonSchema schema = compiled(R"({
        "type": "object", "required": ["greeting"], "additionalProperties": false,
        "properties": {"greeting": {"type": "string"}, "columns": {"type": "integer"}}})");
    EXPECT_EQ(violations(schema, R"({"greeting": "hi", "columns": 3})"), "");
    EXPECT_EQ(violations(schema, R"({"columns": "three", "colour": "red"})"),
              "value: is missing the required property \"greeting\" | value: has a property that is not allowed: "
              "\"colour\" | /columns: must be an integer");
    EXPECT_EQ(violations(schema, "[]"), "value: must be an object");
}

TEST(JsonSchemaValidate, AdditionalPropertiesCanBeASchema)
{
    const JsonSchema schema = compiled(R"({"properties": {"a": {}}, "additionalProperties": {"type": "number"}})");
    EXPECT_EQ(violations(schema, R"({"a": "anything", "b": 1})"), "");
    EXPECT_EQ(violations(schema, R"({"b": "x"})"), "/b: must be a number");
}

TEST(JsonSchemaValidate, ChecksEnumMinimumMaximum)
{
    EXPECT_EQ(violations(compiled(R"({"enum": ["light", "dark", 3]})"), "\"blue\""),
              "value: must be one of \"light\", \"dark\", 3");
    EXPECT_EQ(violations(compiled(R"({"enum": [1]})"), "1.0"), "");
    const JsonSchema range = compiled(R"({"minimum": 1, "maximum": 12})");
    EXPECT_EQ(violations(range, "1"), "");
    EXPECT_EQ(violations(range, "12"), "");
    EXPECT_EQ(violations(range, "0"), "value: must be at least 1");
    EXPECT_EQ(violations(range, "12.5"), "value: must be at most 12");
    EXPECT_EQ(violations(range, "\"13\""), "") << "minimum and maximum apply to numbers only";
}

TEST(JsonSchemaValidate, CountsStringLengthInCodePoints)
{
    const JsonSchema schema = compiled(R"({"minLength": 2, "maxLength": 3})");
    EXPECT_EQ(violations(schema, "\"äöü\""), "") << "three code points, six bytes";
    EXPECT_EQ(violations(schema, "\"a\""), "value: must be at least 2 characters long");
    EXPECT_EQ(violations(schema, "\"abcd\""), "value: must be at most 3 characters long");
}

TEST(JsonSchemaValidate, ChecksEveryArrayItemWithItsIndex)
{
    const JsonSchema schema = compiled(R"({"type": "array", "items": {"type": "string"}})");
    EXPECT_EQ(violations(schema, R"(["a", 2, "c", null])"), "/1: must be a string | /3: must be a string");
}

TEST(JsonSchemaValidate, EscapesPointerTokens)
{
    const JsonSchema schema = compiled(R"({"properties": {"a/b": {"type": "string"}, "c~d": {"type": "string"}}})");
    EXPECT_EQ(violations(schema, R"({"a/b": 1, "c~d": 2})"), "/a~1b: must be a string | /c~0d: must be a string");
}

TEST(JsonSchemaValidate, FalseSchemaRefusesEverything)
{
    EXPECT_EQ(violations(compiled("false"), "{}"), "value: is not allowed");
    EXPECT_EQ(violations(compiled("true"), "{}"), "");
}

TEST(JsonSchemaValidate, StopsAfterTheViolationLimit)
{
    const JsonSchema schema = compiled(R"({"items": {"type": "string"}})");
    EXPECT_EQ(schema.validate(json::parse("[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20]")).size(),
              JsonSchema::kMaxViolations);
}

TEST(JsonSchemaValidate, CheckJoinsViolationsIntoOneMessage)
{
    const JsonSchema schema = compiled(R"({"properties": {"a": {"type": "string"}, "b": {"type": "string"}}})");
    auto r = schema.check(json::parse(R"({"a": 1, "b": 2})"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, tessera::ErrorCode::BadRequest);
    EXPECT_EQ(r.error().message, "/a: must be a string; /b: must be a string");
}
