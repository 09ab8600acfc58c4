// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <string>

#include "plugins/registration.h"
#include "plugins/translation.h"

using tessera::plugins::isTranslationLanguage;
using tessera::plugins::parseTranslation;

TEST(PluginTranslation, ReadsEveryField)
{
    auto t = parseTranslation(R"({"name": "Tablero", "description": "Un tablero",
        "widgetTypes": {"org.example.board": {"name": "Tablero", "description": "Tarjetas"}},
        "capabilities": {"org.example.board.read": "Lee el tablero"}})");
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->name, "Tablero");
    EXPECT_EQ(t->description, "Un tablero");
    ASSERT_EQ(t->widgetTypes.count("org.example.board"), 1u);
    EXPECT_EQ(t->widgetTypes.at("org.example.board").name, "Tablero");
    EXPECT_EQ(t->widgetTypes.at("org.example.board").description, "Tarjetas");
    EXPECT_EQ(t->capabilities.at("org.example.board.read"), "Lee el tablero");
    auto empty = parseTranslation("{}");
    ASSERT_TRUE(empty);
    EXPECT_TRUE(empty->name.empty());
}

TEST(PluginTranslation, RefusesWhatItCannotUseNamingTheField)
{
    const std::string longName(tessera::plugins::kMaxDisplayNameBytes + 1, 'x');
    for (const auto &[text, message] : std::initializer_list<std::pair<std::string, std::string>>{
             {"[]", "a translation must be a JSON object"},
             {"{", "a translation must be a JSON object"},
             {R"({"nombre": "x"})", "unknown field \"nombre\""},
             {R"({"name": 5})", "\"name\" must be a string"},
             {R"({"name": ""})", "\"name\" must have 1 to 128 bytes"},
             {R"({"name": ")" + longName + R"("})", "\"name\" must have 1 to 128 bytes"},
             {"{\"name\": \"\xff\"}", "a translation must be a JSON object"},
             {R"({"widgetTypes": []})", "\"widgetTypes\" must be an object of widget types"},
             {R"({"widgetTypes": {"t": {"icon": "x"}}})", "widgetTypes[\"t\"] has an unknown field \"icon\""},
             {R"({"widgetTypes": {"t": {"name": 1}}})", "widgetTypes[\"t\"].name must be a string"},
             {R"({"capabilities": {"c": ""}})", "capabilities[\"c\"] must have 1 to 512 bytes"},
         }) {
        auto t = parseTranslation(text);
        ASSERT_FALSE(t) << text;
        EXPECT_EQ(t.error().message, message) << text;
    }
}

TEST(PluginTranslation, LanguageCodesAreLowerCaseLetters)
{
    for (const char *ok : {"es", "en", "ast"})
        EXPECT_TRUE(isTranslationLanguage(ok)) << ok;
    for (const char *bad : {"", "e", "ES", "es-ES", "../x", "abcd", "e1"})
        EXPECT_FALSE(isTranslationLanguage(bad)) << bad;
}
