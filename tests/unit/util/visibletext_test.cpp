// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "util/text.h"
#include "util/visibletext.h"

using namespace tessera;

namespace {

// Debian's unicode-data package (scripts/debian-packages.txt).
const std::string kUnicodeDir = TESSERA_UNICODE_DATA_DIR;

std::string utf8(char32_t cp)
{
    std::string out;
    text::appendUtf8(out, cp);
    return out;
}

std::string escaped(char32_t cp)
{
    char buf[16];
    std::snprintf(buf, sizeof buf, "U+%04X", unsigned(cp));
    return "\xE2\x9F\xA8" + std::string(buf) + "\xE2\x9F\xA9";
}

std::string trim(std::string s)
{
    const auto b = s.find_first_not_of(" \t");
    const auto e = s.find_last_not_of(" \t");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

/** General category of every assigned code point, from UnicodeData.txt (ranges expanded). */
std::map<char32_t, std::string> readCategories()
{
    std::map<char32_t, std::string> out;
    std::ifstream in(kUnicodeDir + "/UnicodeData.txt");
    std::string line;
    char32_t rangeStart = 0;
    while (std::getline(in, line)) {
        std::vector<std::string> f;
        std::stringstream ss(line);
        for (std::string part; std::getline(ss, part, ';');)
            f.push_back(part);
        if (f.size() < 3)
            continue;
        const auto cp = char32_t(std::stoul(f[0], nullptr, 16));
        if (f[1].find(", First>") != std::string::npos) {
            rangeStart = cp;
            continue;
        }
        if (f[1].find(", Last>") != std::string::npos) {
            for (char32_t c = rangeStart; c <= cp; ++c)
                out[c] = f[2];
            continue;
        }
        out[cp] = f[2];
    }
    return out;
}

/** The code points a DerivedCoreProperties.txt / PropList.txt property lists. */
std::set<char32_t> readProperty(const std::string &file, const std::string &property)
{
    std::set<char32_t> out;
    std::ifstream in(kUnicodeDir + "/" + file);
    std::string line;
    while (std::getline(in, line)) {
        line = line.substr(0, line.find('#'));
        const auto semi = line.find(';');
        if (semi == std::string::npos || trim(line.substr(semi + 1)) != property)
            continue;
        const std::string range = trim(line.substr(0, semi));
        const auto dots = range.find("..");
        const auto first = char32_t(std::stoul(range.substr(0, dots), nullptr, 16));
        const auto last = dots == std::string::npos ? first : char32_t(std::stoul(range.substr(dots + 2), nullptr, 16));
        for (char32_t c = first; c <= last; ++c)
            out.insert(c);
    }
    return out;
}

class UnicodeData : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        s_categories = new std::map<char32_t, std::string>(readCategories());
        s_ignorable = new std::set<char32_t>(readProperty("DerivedCoreProperties.txt", "Default_Ignorable_Code_Point"));
        s_bidiControls = new std::set<char32_t>(readProperty("PropList.txt", "Bidi_Control"));
    }
    static void TearDownTestSuite()
    {
        delete s_categories;
        delete s_ignorable;
        delete s_bidiControls;
    }
    void SetUp() override
    {
        // Without the data the test could not fail: refuse to pass.
        ASSERT_GT(s_categories->size(), 100'000u) << "install Debian's unicode-data package (" << kUnicodeDir << ")";
        ASSERT_GT(s_ignorable->size(), 4'000u);
        ASSERT_EQ(s_bidiControls->size(), 12u);
    }
    static std::map<char32_t, std::string> *s_categories;
    static std::set<char32_t> *s_ignorable;
    static std::set<char32_t> *s_bidiControls;
};
std::map<char32_t, std::string> *UnicodeData::s_categories = nullptr;
std::set<char32_t> *UnicodeData::s_ignorable = nullptr;
std::set<char32_t> *UnicodeData::s_bidiControls = nullptr;

void expectEscaped(char32_t cp, const char *why)
{
    const std::string alone = utf8(cp);
    EXPECT_TRUE(text::isInvisibleCodePoint(cp)) << why << " " << escaped(cp);
    EXPECT_EQ(text::escapeInvisible(alone), escaped(cp)) << why;
    if (cp == 0xFE0E || cp == 0xFE0F)
        return; // kept after a visible character (KeepsEmojiPresentationAfterAVisibleCharacterOnly)
    EXPECT_EQ(text::escapeInvisible("m." + alone + "text"), "m." + escaped(cp) + "text") << why;
    EXPECT_TRUE(text::hasInvisible("name" + alone)) << why << " " << escaped(cp);
}

} // namespace

TEST_F(UnicodeData, EscapesEveryControlFormatAndSeparatorCharacter)
{
    std::size_t cf = 0;
    for (const auto &[cp, category] : *s_categories) {
        if (category == "Cc" || category == "Cf" || category == "Zl" || category == "Zp") {
            expectEscaped(cp, category.c_str());
            cf += category == "Cf" ? 1 : 0;
        }
    }
    EXPECT_GT(cf, 150u) << "the whole Cf category, tag characters included";
}

TEST_F(UnicodeData, EscapesEveryDefaultIgnorableCodePointAndBidiControl)
{
    for (char32_t cp : *s_ignorable)
        expectEscaped(cp, "Default_Ignorable_Code_Point");
    for (char32_t cp : *s_bidiControls)
        expectEscaped(cp, "Bidi_Control");
}

TEST_F(UnicodeData, KeepsEveryVisibleCharacterAsItIs)
{
    // Letters, marks, numbers, punctuation, symbols and spaces of every script stay as they are
    // (the default ignorable ones aside, and U+2800, which draws nothing).
    std::size_t kept = 0;
    for (const auto &[cp, category] : *s_categories) {
        const char kind = category[0];
        if (kind != 'L' && kind != 'M' && kind != 'N' && kind != 'P' && kind != 'S' && category != "Zs")
            continue;
        if (s_ignorable->count(cp) != 0 || cp == 0x2800)
            continue;
        const std::string s = "a" + utf8(cp);
        ASSERT_FALSE(text::isInvisibleCodePoint(cp)) << std::hex << unsigned(cp);
        ASSERT_EQ(text::escapeInvisible(s), s) << std::hex << unsigned(cp);
        ASSERT_FALSE(text::hasInvisible(s)) << std::hex << unsigned(cp);
        ++kept;
    }
    EXPECT_GT(kept, 140'000u);
}

TEST(VisibleText, ShowsBidiSpoofsForWhatTheyAre)
{
    // A right-to-left override before "txet.m" makes it draw as "m.text".
    EXPECT_EQ(text::escapeInvisible("\xE2\x80\xAEtxet.m"), "⟨U+202E⟩txet.m");
    for (char32_t cp : {0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x200E, 0x200F, 0x061C})
        expectEscaped(cp, "bidi");
    EXPECT_EQ(text::escapeInvisible("m.text\xE2\x80\x8B"), "m.text⟨U+200B⟩");
    EXPECT_EQ(text::escapeInvisible("line\xC2\x85next\xE2\x80\xA8sep\xE2\x80\xA9"), "line⟨U+0085⟩next⟨U+2028⟩sep⟨U+2029⟩");
    EXPECT_EQ(text::escapeInvisible("a\tb\nc\x7F"), "a⟨U+0009⟩b⟨U+000A⟩c⟨U+007F⟩");
    EXPECT_EQ(text::escapeInvisible("\xEF\xBB\xBFid"), "⟨U+FEFF⟩id");
    EXPECT_EQ(text::escapeInvisible("tag\xF3\xA0\x81\x81"), "tag⟨U+E0041⟩");
}

TEST(VisibleText, EscapesTheOtherInvisibles)
{
    // Hangul fillers and the blank Braille cell draw nothing; the combining grapheme joiner,
    // variation selectors and noncharacters neither.
    for (char32_t cp : {0x115F, 0x1160, 0x3164, 0xFFA0, 0x2800, 0x034F, 0xFE00, 0xE0100, 0xFDD0, 0xFFFE, 0x10FFFF, 0x1FFFE})
        expectEscaped(cp, "invisible");
    EXPECT_FALSE(text::isInvisibleCodePoint(0x00A0)) << "a no-break space shows as a space";
    EXPECT_FALSE(text::isInvisibleCodePoint(0xE000)) << "private use is drawn";
    EXPECT_FALSE(text::isInvisibleCodePoint(0x110000));
}

TEST(VisibleText, KeepsEmojiPresentationAfterAVisibleCharacterOnly)
{
    const std::string heart = "\xE2\x9D\xA4\xEF\xB8\x8F"; // U+2764 U+FE0F
    EXPECT_EQ(text::escapeInvisible("I " + heart), "I " + heart);
    EXPECT_FALSE(text::hasInvisible(heart));
    EXPECT_EQ(text::escapeInvisible("\xEF\xB8\x8F" "a"), "⟨U+FE0F⟩a") << "nothing to apply to";
    EXPECT_EQ(text::escapeInvisible(heart + "\xEF\xB8\x8F"), heart + "⟨U+FE0F⟩") << "a second selector hides a bit";
    EXPECT_EQ(text::escapeInvisible("\xE2\x80\xAE\xEF\xB8\x8E"), "⟨U+202E⟩⟨U+FE0E⟩");
    EXPECT_EQ(text::escapeInvisible("a\xEF\xB8\x80"), "a⟨U+FE00⟩") << "other selectors are always escaped";
}

TEST(VisibleText, ShowsBytesThatAreNotUtf8)
{
    EXPECT_EQ(text::escapeInvisible("a\xFF" "b"), "a⟨0xFF⟩b");
    EXPECT_EQ(text::escapeInvisible("\xC0\xAF"), "⟨0xC0⟩⟨0xAF⟩");         // overlong
    EXPECT_EQ(text::escapeInvisible("\xED\xA0\x80"), "⟨0xED⟩⟨0xA0⟩⟨0x80⟩"); // surrogate
    EXPECT_EQ(text::escapeInvisible("x\xE2\x82"), "x⟨0xE2⟩⟨0x82⟩");        // truncated
    EXPECT_TRUE(text::hasInvisible("\xFF"));
    EXPECT_EQ(text::escapeInvisible(std::string("a\0b", 3)), "a⟨U+0000⟩b");
}

TEST(VisibleText, LeavesOrdinaryTextAlone)
{
    for (const char *s : {"", "Kanban board", "org.matrix.msc2762.send.event:m.room.message#m.text",
                          "Tablero Kanban · ñandú", "Доска задач", "לוח משימות", "لوحة المهام", "看板 ボード",
                          "https://example.org/widget?x=1", "⟨U+202E⟩ typed by hand"}) {
        EXPECT_EQ(text::escapeInvisible(s), s);
        EXPECT_FALSE(text::hasInvisible(s)) << s;
    }
}
