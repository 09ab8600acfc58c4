// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "plugins/manifest.h"

using tessera::ErrorCode;
using tessera::plugins::isInPluginNamespace;
using tessera::plugins::isValidPluginId;
using tessera::plugins::isValidWidgetType;
using tessera::plugins::parseManifest;
using tessera::plugins::readManifest;

namespace {

const std::filesystem::path kDir = TESSERA_TEST_MANIFEST_DIR;

std::string errorOf(const std::string &file)
{
    auto manifest = readManifest(kDir / file);
    return manifest ? std::string("(valid)") : manifest.error().message;
}

} // namespace

TEST(PluginManifest, ReadsEveryFieldOfAValidManifest)
{
    auto m = readManifest(kDir / "valid.json");
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_EQ(m->id, "org.example.board");
    EXPECT_EQ(m->name, "Board");
    EXPECT_EQ(m->version, "2.1.0-beta.1");
    EXPECT_EQ(m->abi.toString(), "1.0");
    EXPECT_EQ(m->library, "board");
    EXPECT_EQ(m->license, "MIT OR Apache-2.0");
    EXPECT_EQ(m->homepage, "https://board.example.org");
    EXPECT_EQ(m->description, "Cards that live in the room");
    EXPECT_EQ(m->assets, "web");
    EXPECT_EQ(m->widgetTypes, (std::vector<std::string>{"org.example.board", "jitsi"}));
    ASSERT_EQ(m->capabilityHandlers.size(), 1u);
    EXPECT_EQ(m->capabilityHandlers[0].capability, "org.example.board.cards");
    EXPECT_EQ(m->capabilityHandlers[0].actions,
              (std::vector<std::string>{"org.example.board.move", "org.example.board.list"}));
    EXPECT_EQ(m->capabilities.size(), 3u);
    ASSERT_TRUE(m->configSchema);
    EXPECT_TRUE(m->configSchema->validate(nlohmann::json{{"columns", 9}}).size() == 1);
}

TEST(PluginManifest, RefusesEachKindOfMistakeWithAPreciseMessage)
{
    const std::pair<const char *, const char *> cases[] = {
        {"wrong-not-json.json", "not valid JSON"},
        {"wrong-not-object.json", "must be a JSON object"},
        {"wrong-missing-id.json", "field \"id\" is required"},
        {"wrong-id-case.json",
         "field \"id\" must be a lower-case reverse-DNS name such as \"org.example.board\", not \"Org.Example.Board\""},
        {"wrong-abi-format.json", "field \"abi\" must look like \"1.0\" (major.minor), not \"1\""},
        {"wrong-unknown-field.json", "unknown field \"licence\""},
        {"wrong-missing-license.json", "field \"license\" is required"},
        {"wrong-version.json", "field \"version\" must look like \"1.2.0\", not \"1.0\""},
        {"wrong-library-path.json",
         "field \"library\" must be a file name without directory, prefix or suffix, not \"../../outside/evil\""},
        {"wrong-homepage.json", "field \"homepage\" must be an https: URL"},
        {"wrong-provides-nothing.json", "field \"provides\" must list at least one widget type or capability handler"},
        {"wrong-widget-type.json",
         "widget type \"a board\" in provides.widgetTypes must be 1 to 255 bytes of printable ASCII without spaces"},
        {"wrong-capability-namespace.json",
         "capability \"org.example.other\" must be in the plugin's namespace (\"org.example.board\" or "
         "\"org.example.board.…\")"},
        {"wrong-action-namespace.json",
         "action \"send_event\" must be in the plugin's namespace (\"org.example.board.…\")"},
        {"wrong-builtin-action.json",
         "action \"org.matrix.msc2876.read_events\" is defined by the Widget API and cannot be claimed"},
        {"wrong-duplicate-action.json", "action \"org.example.board.move\" is declared by two capability handlers"},
        {"wrong-schema-keyword.json",
         "field \"configSchema\": schema at /properties/name: unsupported keyword \"pattern\""},
    };
    for (const auto &[file, message] : cases) {
        auto m = readManifest(kDir / file);
        ASSERT_FALSE(m) << file;
        EXPECT_EQ(m.error().code, ErrorCode::BadRequest) << file;
        EXPECT_EQ(m.error().message, message) << file;
    }
}

TEST(PluginManifest, RefusesCapabilitiesTesseraDoesNotRecognise)
{
    const std::string message = errorOf("wrong-unrecognised-capability.json");
    EXPECT_EQ(message.rfind("capability \"m.capabilty.screenshot\" in \"capabilities\" cannot be requested: ", 0), 0u)
        << message;
}

TEST(PluginManifest, ChecksTheAbiBeforeAnythingElse)
{
    // wrong-abi-major.json also has a field from the future: the ABI is what the user must hear.
    auto major = readManifest(kDir / "wrong-abi-major.json");
    ASSERT_FALSE(major);
    EXPECT_EQ(major.error().code, ErrorCode::Unsupported);
    EXPECT_EQ(major.error().message, "plugin ABI 2.0 is incompatible with host ABI "
                                         + tessera::plugins::hostAbiVersion().toString());
    auto newer = readManifest(kDir / "wrong-abi-newer.json");
    ASSERT_FALSE(newer);
    EXPECT_EQ(newer.error().code, ErrorCode::Unsupported);
    EXPECT_EQ(newer.error().message,
              "plugin ABI 1.99 is newer than host ABI " + tessera::plugins::hostAbiVersion().toString());
}

TEST(PluginManifest, RefusesOversizedFilesUnread)
{
    const auto path = std::filesystem::temp_directory_path() / "tessera-oversized-plugin.json";
    {
        std::ofstream out(path);
        out << std::string(tessera::plugins::kMaxManifestBytes + 1, ' ');
    }
    auto m = readManifest(path);
    std::filesystem::remove(path);
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error().message, "larger than 262144 bytes");
}

TEST(PluginManifest, ReportsAMissingFileWithItsPath)
{
    auto m = readManifest(kDir / "does-not-exist.json");
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error().code, ErrorCode::Io);
    EXPECT_NE(m.error().message.find("does-not-exist.json"), std::string::npos);
}

TEST(PluginManifest, FieldsMustHaveTheRightTypeAndSize)
{
    const std::string base = R"("id": "org.example.x", "version": "1.0.0", "abi": "1.0", "library": "x",
                                 "license": "MIT", "provides": {"widgetTypes": ["t"]})";
    auto m = parseManifest("{" + base + R"(, "name": 3})");
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error().message, "field \"name\" must be a string");
    m = parseManifest("{" + base + R"(, "name": ")" + std::string(129, 'n') + R"("})");
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error().message, "field \"name\" is longer than 128 bytes");
    m = parseManifest("{" + base + R"(, "name": "a\nb"})");
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error().message, "field \"name\" must not contain control characters");
    m = parseManifest("{" + base + R"(, "name": ""})");
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error().message, "field \"name\" must not be empty");
    m = parseManifest("{" + base + R"(, "name": "X", "assets": "../web"})");
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error().message, "field \"assets\" must name a directory next to plugin.json, not \"../web\"");
}

TEST(PluginManifest, TheMatrixNamespaceIsNotForPlugins)
{
    auto m = parseManifest(R"({"id": "m.sticker", "name": "S", "version": "1.0.0", "abi": "1.0", "library": "s",
                               "license": "MIT", "provides": {"capabilityHandlers": [
                                   {"capability": "m.sticker", "actions": ["m.sticker.send"]}]}})");
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error().message, "field \"id\" must not use the m. namespace, which the Matrix specification reserves");
}

TEST(PluginManifest, ProvidesIsStrictToo)
{
    const std::string head = R"({"id": "org.example.x", "name": "X", "version": "1.0.0", "abi": "1.0",
                                 "library": "x", "license": "MIT", "provides": )";
    auto m = parseManifest(head + R"({"widgetTypes": ["a"], "services": []}})");
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error().message, "unknown field \"provides.services\"");
    m = parseManifest(head + R"({"widgetTypes": ["a", "a"]}})");
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error().message, "field \"provides.widgetTypes\" lists \"a\" twice");
    m = parseManifest(head + R"({"capabilityHandlers": [{"capability": "org.example.x"}]}})");
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error().message, "capability handler \"org.example.x\" must declare at least one action");
    m = parseManifest(head + R"({"capabilityHandlers": [{"capability": "org.example.x", "actions": ["org.example.x.a"],
                                                          "description": "no"}]}})");
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error().message, "unknown field \"description\" in a capability handler");
}

TEST(PluginManifest, PluginIdsAreLowerCaseReverseDns)
{
    EXPECT_TRUE(isValidPluginId("org.example.board"));
    EXPECT_TRUE(isValidPluginId("io.tessera.test.good"));
    EXPECT_TRUE(isValidPluginId("io.x-y_z.a1"));
    EXPECT_FALSE(isValidPluginId("board"));
    EXPECT_FALSE(isValidPluginId("org..board"));
    EXPECT_FALSE(isValidPluginId("org.board."));
    EXPECT_FALSE(isValidPluginId(".org.board"));
    EXPECT_FALSE(isValidPluginId("org.-board"));
    EXPECT_FALSE(isValidPluginId("org.Board"));
    EXPECT_FALSE(isValidPluginId("org/board"));
    EXPECT_FALSE(isValidPluginId("a." + std::string(127, 'b')));
}

TEST(PluginManifest, NamespacesBelongToTheId)
{
    EXPECT_TRUE(isInPluginNamespace("org.example.board", "org.example.board"));
    EXPECT_TRUE(isInPluginNamespace("org.example.board", "org.example.board.move"));
    EXPECT_FALSE(isInPluginNamespace("org.example.board", "org.example.boardx"));
    EXPECT_FALSE(isInPluginNamespace("org.example.board", "org.example.board."));
    EXPECT_FALSE(isInPluginNamespace("org.example.board", "org.example"));
    EXPECT_FALSE(isInPluginNamespace("org.example.board", "org.example.board.a b"));
}

TEST(PluginManifest, WidgetTypesArePrintableAsciiWithoutSpaces)
{
    EXPECT_TRUE(isValidWidgetType("jitsi"));
    EXPECT_TRUE(isValidWidgetType("m.custom"));
    EXPECT_FALSE(isValidWidgetType(""));
    EXPECT_FALSE(isValidWidgetType("a b"));
    EXPECT_FALSE(isValidWidgetType("tab\t"));
    EXPECT_FALSE(isValidWidgetType("ü"));
    EXPECT_FALSE(isValidWidgetType(std::string(256, 'x')));
}
