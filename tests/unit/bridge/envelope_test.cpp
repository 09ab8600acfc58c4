// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "bridge/envelope.h"

using namespace tessera::bridge;

namespace {
const char *kRequest = R"({"api":"fromWidget","widgetId":"w1","requestId":"r1","action":"send_event","data":{"type":"m.room.message","content":{"body":"hi"}}})";
}

TEST(Envelope, ParsesTheTopLevelFieldsAndKeepsDataAsText)
{
    auto env = parseEnvelope(kRequest);
    ASSERT_TRUE(env) << env.error().message;
    EXPECT_EQ(env->api, "fromWidget");
    EXPECT_EQ(env->widgetId, "w1");
    EXPECT_EQ(env->requestId, "r1");
    EXPECT_EQ(env->action, "send_event");
    EXPECT_EQ(env->data, R"({"type":"m.room.message","content":{"body":"hi"}})");
    EXPECT_FALSE(env->hasResponse);
}

TEST(Envelope, DecodesEscapesInEnvelopeStrings)
{
    auto env = parseEnvelope(R"({"api":"fromWidget","widgetId":"w\u00e9\ud83d\ude00","requestId":"a\"b","action":"x"})");
    ASSERT_TRUE(env) << env.error().message;
    EXPECT_EQ(env->widgetId, "w\xC3\xA9\xF0\x9F\x98\x80");
    EXPECT_EQ(env->requestId, "a\"b");
    EXPECT_TRUE(env->data.empty());
}

TEST(Envelope, RecognisesResponses)
{
    auto env = parseEnvelope(R"({"api":"toWidget","widgetId":"w","requestId":"r","action":"capabilities","data":{},"response":{"capabilities":[]}})");
    ASSERT_TRUE(env);
    EXPECT_TRUE(env->hasResponse);
    EXPECT_EQ(env->response, R"({"capabilities":[]})");
}

struct Rejection {
    const char *name;
    std::string text;
    const char *messagePart;
};

class EnvelopeRejects : public ::testing::TestWithParam<Rejection> {};

TEST_P(EnvelopeRejects, WithASpecificMessage)
{
    auto env = parseEnvelope(GetParam().text);
    ASSERT_FALSE(env);
    EXPECT_NE(env.error().message.find(GetParam().messagePart), std::string::npos) << env.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Malformed, EnvelopeRejects,
    ::testing::Values(
        Rejection{"Empty", "", "empty"},
        Rejection{"Null", "null", "not a JSON object"},
        Rejection{"Array", "[1]", "not a JSON object"},
        Rejection{"TrailingGarbage", R"({"api":"fromWidget","widgetId":"w","requestId":"r","action":"a"}x)", "trailing"},
        Rejection{"Truncated", R"({"api":"fromWidget","widgetId":"w")", "malformed JSON"},
        Rejection{"MissingAction", R"({"api":"fromWidget","widgetId":"w","requestId":"r"})", "`action`"},
        Rejection{"MissingRequestId", R"({"api":"fromWidget","widgetId":"w","action":"a"})", "`requestId`"},
        Rejection{"MissingWidgetId", R"({"api":"fromWidget","requestId":"r","action":"a"})", "`widgetId`"},
        Rejection{"EmptyRequestId", R"({"api":"fromWidget","widgetId":"w","requestId":"","action":"a"})", "`requestId`"},
        Rejection{"NumericRequestId", R"({"api":"fromWidget","widgetId":"w","requestId":5,"action":"a"})", "`requestId`"},
        Rejection{"BadApi", R"({"api":"sideways","widgetId":"w","requestId":"r","action":"a"})", "`api`"},
        Rejection{"DataNotObject", R"({"api":"fromWidget","widgetId":"w","requestId":"r","action":"a","data":[]})", "`data`"},
        Rejection{"ResponseNotObject", R"({"api":"toWidget","widgetId":"w","requestId":"r","action":"a","response":1})", "`response`"},
        Rejection{"DuplicateAction", R"({"api":"fromWidget","widgetId":"w","requestId":"r","action":"a","action":"b"})", "duplicate"},
        Rejection{"ControlCharacter", std::string("{\"api\":\"fromWidget\",\"widgetId\":\"w\x01\",\"requestId\":\"r\",\"action\":\"a\"}"), "control character"},
        Rejection{"InvalidUtf8", std::string("{\"api\":\"fromWidget\",\"widgetId\":\"w\xC0\xAF\",\"requestId\":\"r\",\"action\":\"a\"}"), "UTF-8"},
        Rejection{"LoneSurrogate", R"({"api":"fromWidget","widgetId":"\ud800","requestId":"r","action":"a"})", "surrogate"},
        Rejection{"BadEscape", R"({"api":"fromWidget","widgetId":"\q","requestId":"r","action":"a"})", "escape"},
        Rejection{"LeadingZero", R"({"api":"fromWidget","widgetId":"w","requestId":"r","action":"a","data":{"n":01}})", "malformed"},
        Rejection{"SingleQuotes", "{'api':'fromWidget'}", "malformed"}),
    [](const auto &info) { return std::string(info.param.name); });

TEST(Envelope, RefusesMessagesAboveTheSizeLimit)
{
    EnvelopeLimits limits;
    limits.maxMessageBytes = 100;
    std::string big = R"({"api":"fromWidget","widgetId":"w","requestId":"r","action":"a","data":{"x":")" + std::string(200, 'a') + "\"}}";
    auto env = parseEnvelope(big, limits);
    ASSERT_FALSE(env);
    EXPECT_EQ(env.error().message, "message is " + std::to_string(big.size()) + " bytes; the limit is 100");
}

TEST(Envelope, RefusesNestingDeeperThanTheLimit)
{
    std::string deep = R"({"api":"fromWidget","widgetId":"w","requestId":"r","action":"a","data":)";
    for (int i = 0; i < 70; ++i)
        deep += "{\"a\":";
    deep += "1";
    for (int i = 0; i < 70; ++i)
        deep += "}";
    deep += "}";
    auto env = parseEnvelope(deep);
    ASSERT_FALSE(env);
    EXPECT_NE(env.error().message.find("nesting deeper than 64"), std::string::npos);
}

TEST(Envelope, RefusesOverlongIdentifiers)
{
    std::string text = R"({"api":"fromWidget","widgetId":"w","requestId":")" + std::string(600, 'r') + R"(","action":"a"})";
    auto env = parseEnvelope(text);
    ASSERT_FALSE(env);
    EXPECT_NE(env.error().message.find("longer than 512"), std::string::npos);
}

TEST(Envelope, ValidateJsonAgreesWithNlohmannOnValidDocuments)
{
    for (const char *doc : {"0", "-0.5e+10", "\"\\u00e9\"", "[1,[2,[3]],{}]", "{\"a\":null,\"b\":true,\"c\":false}"}) {
        EXPECT_TRUE(validateJson(doc)) << doc;
        EXPECT_FALSE(nlohmann::json::parse(doc, nullptr, false).is_discarded()) << doc;
    }
    for (const char *doc : {"01", "1.", ".5", "[1,]", "{\"a\"}", "tru", "\"\\x\"", "1e"}) {
        EXPECT_FALSE(validateJson(doc)) << doc;
        EXPECT_TRUE(nlohmann::json::parse(doc, nullptr, false).is_discarded()) << doc;
    }
}

TEST(Envelope, SplicesTheResponseIntoTheRequestText)
{
    const std::string reply = spliceResponse(std::string(kRequest) + "  \n", R"({"event_id":"$e"})");
    const auto j = nlohmann::json::parse(reply);
    EXPECT_EQ(j["requestId"], "r1");
    EXPECT_EQ(j["data"]["content"]["body"], "hi");
    EXPECT_EQ(j["response"]["event_id"], "$e");
    EXPECT_EQ(reply.rfind(R"(,"response":{"event_id":"$e"}})"), reply.size() - 30);
}

TEST(MemberReader, VisitsEveryMemberWithItsDecodedKeyAndRawValue)
{
    const std::string object = R"( { "type" : "m.room.message", "\u0063ontent":{"body":"a \"}\" b","n":[1,{"x":2}]},)"
                               R"("dup":1,"dup":-2.5e3,"flag":true , "none":null} )";
    MemberReader members(object);
    std::vector<std::pair<std::string, std::string>> seen;
    while (members.next())
        seen.emplace_back(members.key(), members.value());
    const std::vector<std::pair<std::string, std::string>> expected{
        {"type", R"("m.room.message")"}, {"content", R"({"body":"a \"}\" b","n":[1,{"x":2}]})"},
        {"dup", "1"}, {"dup", "-2.5e3"}, {"flag", "true"}, {"none", "null"}};
    EXPECT_EQ(seen, expected);
    MemberReader empty("{ }");
    EXPECT_FALSE(empty.next());
}

TEST(MemberReader, DecodesStringValuesLikeNlohmann)
{
    for (const char *literal : {R"("plain")", R"("a\"b\\c\/d\n")", R"("\u00e9\ud83d\ude00")", R"("")"})
        EXPECT_EQ(decodeJsonString(literal), nlohmann::json::parse(literal).get<std::string>()) << literal;
}

TEST(Envelope, FindsNumbersBeyondADoubleWhereNlohmannDoes)
{
    const std::string huge(400, '9');
    for (const std::string &text : {std::string(R"({"a":1e400})"), std::string(R"({"a":[-1E+309]})"), R"({"a":)" + huge + "}"}) {
        EXPECT_TRUE(hasNumberBeyondDouble(text)) << text;
        EXPECT_TRUE(nlohmann::json::parse(text, nullptr, false).is_discarded()) << text;
    }
    for (const std::string text : {R"({"a":1e-400,"b":1.5,"c":-0,"d":18446744073709551616})", R"({"a":"1e400"})",
                                   R"({"1e400":"\"1e400"})"}) {
        EXPECT_FALSE(hasNumberBeyondDouble(text)) << text;
        EXPECT_FALSE(nlohmann::json::parse(text, nullptr, false).is_discarded()) << text;
    }
}

TEST(Envelope, BuildJsonBuildsNlohmannsDom)
{
    const std::string huge(400, '9');
    for (const std::string &text :
         {std::string(R"( {"a":[1,-1,0,-0,1.5,-2.5e-3,1E2,18446744073709551615,18446744073709551616,-9223372036854775809],)"
                      R"("s":"\u00e9\"\n","d":1,"d":{"x":null},"t":true,"f":false,"e":{},"l":[]} )"),
          std::string("\"just a string\""), std::string("123"), "[" + huge + ".5e-300]"}) {
        const nlohmann::json expected = nlohmann::json::parse(text);
        const nlohmann::json built = buildJson(text);
        EXPECT_EQ(built.dump(), expected.dump()) << text;
        EXPECT_EQ(built, expected) << text;
    }
    const nlohmann::json numbers = buildJson("[1,-1,1.0]");
    EXPECT_TRUE(numbers[0].is_number_unsigned());
    EXPECT_TRUE(numbers[1].is_number_integer() && !numbers[1].is_number_unsigned());
    EXPECT_TRUE(numbers[2].is_number_float());
    EXPECT_TRUE(buildJson(R"({"a":[1e400]})").is_discarded());
}
