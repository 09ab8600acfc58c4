// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <sys/stat.h>

#include "util/secretstore.h"
#include "util/text.h"

using namespace tessera;

TEST(Text, Base64RoundTripsEveryLength)
{
    std::string bytes;
    for (int i = 0; i < 40; ++i) {
        EXPECT_EQ(text::base64Decode(text::base64Encode(bytes)), std::optional<std::string>(bytes));
        EXPECT_EQ(text::base64UrlDecode(text::base64UrlEncode(bytes)), std::optional<std::string>(bytes));
        bytes += char(i * 37);
    }
    EXPECT_EQ(text::base64Encode("foobar"), "Zm9vYmFy");
    EXPECT_EQ(text::base64Encode("fo"), "Zm8=");
    EXPECT_EQ(text::base64UrlEncode("\xfb\xff"), "-_8");
}

TEST(Text, Base64RefusesMalformedInput)
{
    for (const char *bad : {"Zm9", "Zm9v!", "Zm=v", "Zm9vYmF=A", "Zh=="})
        EXPECT_FALSE(text::base64Decode(bad)) << bad;
}

TEST(Text, ValidatesUtf8Strictly)
{
    EXPECT_TRUE(text::isValidUtf8("plain \xC3\xA9 \xF0\x9F\x98\x80"));
    EXPECT_FALSE(text::isValidUtf8("\xC0\xAF"));         // overlong
    EXPECT_FALSE(text::isValidUtf8("\xED\xA0\x80"));     // surrogate
    EXPECT_FALSE(text::isValidUtf8("\xF4\x90\x80\x80")); // above U+10FFFF
    EXPECT_FALSE(text::isValidUtf8("\xE2\x82"));         // truncated
}

TEST(Text, EncodesCodePointsAsUtf8)
{
    // The last code point of each length, and the first of the next.
    const std::pair<char32_t, std::string> cases[] = {
        {U'\0', std::string(1, '\0')}, {0x7F, "\x7f"},           {0x80, "\xc2\x80"},
        {0x7FF, "\xdf\xbf"},            {0x800, "\xe0\xa0\x80"}, {0xFFFD, "\xef\xbf\xbd"},
        {0x10000, "\xf0\x90\x80\x80"},  {0x10FFFF, "\xf4\x8f\xbf\xbf"},
    };
    for (const auto &[cp, bytes] : cases) {
        std::string out = "x";
        text::appendUtf8(out, cp);
        EXPECT_EQ(out, "x" + bytes) << std::hex << std::uint32_t(cp);
        EXPECT_TRUE(text::isValidUtf8(out));
    }
}

TEST(Text, DecodesOneCodePointOrSaysTheBytesAreNotOne)
{
    const auto decode = [](std::string_view bytes, char32_t &cp) {
        const auto *p = reinterpret_cast<const unsigned char *>(bytes.data());
        return text::decodeUtf8(p, p + bytes.size(), cp);
    };
    char32_t cp = 0;
    EXPECT_EQ(decode("A", cp), 1u);
    EXPECT_EQ(cp, U'A');
    EXPECT_EQ(decode("\xc3\xa9x", cp), 2u);
    EXPECT_EQ(cp, U'\u00e9');
    EXPECT_EQ(decode("\xf0\x9f\x98\x80", cp), 4u);
    EXPECT_EQ(cp, U'\U0001F600');
    for (std::string_view bad : {"\xc0\x80", "\xe0\x80\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\x80", "\xe2\x82"})
        EXPECT_EQ(decode(bad, cp), 0u) << text::hexEncode(bad);
}

TEST(Text, ReadsOneHexDigitOfEitherCase)
{
    const std::string digits = "0123456789abcdef";
    for (std::size_t i = 0; i < digits.size(); ++i) {
        EXPECT_EQ(text::hexDigitValue(digits[i]), static_cast<int>(i)) << digits[i];
        EXPECT_EQ(text::hexDigitValue(static_cast<char>(std::toupper(digits[i]))), static_cast<int>(i)) << digits[i];
    }
    for (char c : {'g', 'G', 'x', ' ', '/', ':', '@', '`', '\0', '\xff'})
        EXPECT_EQ(text::hexDigitValue(c), -1) << int(c);
}

TEST(Text, QuotesJsonStrings)
{
    EXPECT_EQ(text::jsonString("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\"");
}

TEST(Text, TruncatesWithoutSplittingCharacters)
{
    EXPECT_EQ(text::truncateUtf8("ab\xC3\xA9", 3), "ab\xE2\x80\xA6");
    EXPECT_EQ(text::truncateUtf8("abc", 3), "abc");
}

TEST(FileSecretStore, StoresSecretsReadableOnlyByTheOwner)
{
    const auto dir = std::filesystem::temp_directory_path() / ("tessera-secrets-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    FileSecretStore store(dir);
    EXPECT_EQ(*store.read("key"), std::nullopt);
    ASSERT_TRUE(store.write("key", std::string("s3cr\0t", 6)));
    EXPECT_EQ(*store.read("key"), std::optional<std::string>(std::string("s3cr\0t", 6)));
    struct stat st {};
    ASSERT_EQ(::stat((dir / "key").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    ASSERT_EQ(::stat(dir.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
    EXPECT_FALSE(store.write("../escape", "x"));
    EXPECT_FALSE(store.write("", "x"));
    std::filesystem::permissions(dir / "key", std::filesystem::perms::others_read, std::filesystem::perm_options::add);
    auto leaked = store.read("key");
    ASSERT_FALSE(leaked);
    EXPECT_NE(leaked.error().message.find("readable by other users"), std::string::npos);
    ASSERT_TRUE(store.remove("key"));
    EXPECT_EQ(*store.read("key"), std::nullopt);
    EXPECT_TRUE(store.remove("key")) << "removing what is not there is fine";
    std::filesystem::remove_all(dir);
}
