// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <cstddef>
#include <cstring>
#include <string>

#include "plugins/registration.h"

using tessera::plugins::copyHandlerInfo;
using tessera::plugins::copyWidgetTypeInfo;
using tessera::plugins::isSafeAssetPath;
using tessera::plugins::publishedWidgetUrl;
using tessera::plugins::WidgetSource;

namespace {

tessera_widget_type_info templateType()
{
    tessera_widget_type_info info{};
    info.type = "org.example.board";
    info.display_name = "Board";
    info.url_template = "https://board.example.org/$board_id";
    return info;
}

tessera_status handleNothing(void *, const tessera_call_info *)
{
    return TESSERA_OK;
}

std::string typeError(const tessera_widget_type_info &info, std::size_t size = sizeof(tessera_widget_type_info))
{
    auto r = copyWidgetTypeInfo(&info, size);
    return r ? std::string("(accepted)") : r.error().message;
}

} // namespace

TEST(WidgetTypeRegistration, CopiesEveryString)
{
    tessera_widget_type_info info = templateType();
    info.icon = "icons/board.svg";
    info.capabilities_json = R"([{"capability": "m.always_on_screen", "reason": "Stays visible during calls"}])";
    info.description = "Cards that live in the room";
    std::string type = info.type;
    info.type = type.c_str();
    auto r = copyWidgetTypeInfo(&info, sizeof info);
    ASSERT_TRUE(r) << r.error().message;
    type.assign("overwritten after the call");
    EXPECT_EQ(r->info.type, "org.example.board") << "the host keeps its own copy";
    EXPECT_EQ(r->info.displayName, "Board");
    EXPECT_EQ(r->info.icon, "icons/board.svg");
    EXPECT_EQ(r->info.source, WidgetSource::UrlTemplate);
    EXPECT_EQ(r->info.urlTemplate, "https://board.example.org/$board_id");
    EXPECT_EQ(r->info.description, "Cards that live in the room");
    ASSERT_EQ(r->info.capabilities.size(), 1u);
    EXPECT_EQ(r->info.capabilities[0].capability, "m.always_on_screen");
    EXPECT_EQ(r->info.capabilities[0].reason, "Stays visible during calls");
}

TEST(WidgetTypeRegistration, RefusesAStructLargerThanTheHostsNamingBothSizes)
{
    struct Bigger {
        tessera_widget_type_info info;
        void *future[4];
    } bigger{};
    bigger.info = templateType();
    EXPECT_EQ(typeError(bigger.info, sizeof bigger),
              "tessera_widget_type_info of " + std::to_string(sizeof bigger) + " bytes is larger than the host's "
                  + std::to_string(sizeof(tessera_widget_type_info))
                  + " bytes (was the plugin built against a newer ABI?)");
}

TEST(WidgetTypeRegistration, ZeroFillsWhatAnOlderPluginDoesNotKnow)
{
    // A 1.0 plugin's struct ends before `description`; whatever lies beyond it must not be read.
    struct Older {
        tessera_widget_type_info info;
    } older{};
    older.info = templateType();
    older.info.description = "must not be read: it is beyond the 1.0 struct";
    auto r = copyWidgetTypeInfo(&older.info, offsetof(tessera_widget_type_info, description));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->info.description, "");
    EXPECT_EQ(r->info.displayName, "Board");
}

TEST(WidgetTypeRegistration, ReadsTheFlagsOfA13PluginAndRefusesUnknownBits)
{
    tessera_widget_type_info byDefault = templateType();
    byDefault.flags = TESSERA_WIDGET_TYPE_ENABLED_BY_DEFAULT;
    auto r = copyWidgetTypeInfo(&byDefault, sizeof byDefault);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_TRUE(r->info.enabledByDefault);

    const tessera_widget_type_info noFlags = templateType();
    auto plain = copyWidgetTypeInfo(&noFlags, sizeof noFlags);
    ASSERT_TRUE(plain);
    EXPECT_FALSE(plain->info.enabledByDefault);

    tessera_widget_type_info unknown = templateType();
    unknown.flags = TESSERA_WIDGET_TYPE_ENABLED_BY_DEFAULT | 0x40u;
    EXPECT_EQ(typeError(unknown), "widget type \"org.example.board\": flags has bits this host does not know (0x40)");

    // A 1.2 plugin's struct ends before `flags`: what lies beyond must not be read.
    tessera_widget_type_info older = templateType();
    older.flags = 0xffffffffu;
    auto old = copyWidgetTypeInfo(&older, offsetof(tessera_widget_type_info, flags));
    ASSERT_TRUE(old) << old.error().message;
    EXPECT_FALSE(old->info.enabledByDefault);
}

TEST(WidgetTypeRegistration, ChecksRequiredFieldsByOffset)
{
    const tessera_widget_type_info info = templateType();
    EXPECT_EQ(typeError(info, offsetof(tessera_widget_type_info, type)), "widget type: required field type is missing");
    EXPECT_EQ(typeError(info, offsetof(tessera_widget_type_info, display_name)),
              "widget type \"org.example.board\": required field display_name is missing");
    tessera_widget_type_info noName = templateType();
    noName.display_name = nullptr;
    EXPECT_EQ(typeError(noName), "widget type \"org.example.board\": required field display_name is missing");
    EXPECT_EQ(typeError(tessera_widget_type_info{}), "widget type: required field type is missing");
}

TEST(WidgetTypeRegistration, NeedsExactlyOneSource)
{
    tessera_widget_type_info none = templateType();
    none.url_template = nullptr;
    EXPECT_EQ(typeError(none),
              "widget type \"org.example.board\": exactly one of url_template, build_url and asset_entry must be set (0 are)");
    tessera_widget_type_info two = templateType();
    two.asset_entry = "index.html";
    EXPECT_EQ(typeError(two),
              "widget type \"org.example.board\": exactly one of url_template, build_url and asset_entry must be set (2 are)");
    tessera_widget_type_info assets = templateType();
    assets.url_template = nullptr;
    assets.asset_entry = "board/index.html";
    auto r = copyWidgetTypeInfo(&assets, sizeof assets);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->info.source, WidgetSource::Assets);
    EXPECT_EQ(r->info.assetEntry, "board/index.html");
}

TEST(WidgetTypeRegistration, RefusesBadStrings)
{
    tessera_widget_type_info spaced = templateType();
    spaced.type = "a board";
    EXPECT_EQ(typeError(spaced), "widget type \"a board\" must be 1 to 255 bytes of printable ASCII without spaces");
    tessera_widget_type_info latin1 = templateType();
    latin1.display_name = "Caf\xe9";
    EXPECT_EQ(typeError(latin1), "widget type \"org.example.board\": display_name is not valid UTF-8");
    const std::string longName(129, 'n');
    tessera_widget_type_info tooLong = templateType();
    tooLong.display_name = longName.c_str();
    EXPECT_EQ(typeError(tooLong), "widget type \"org.example.board\": display_name is longer than 128 bytes");
    tessera_widget_type_info escape = templateType();
    escape.url_template = nullptr;
    escape.asset_entry = "../../etc/passwd";
    EXPECT_EQ(typeError(escape),
              "widget type \"org.example.board\": asset_entry must be a relative path inside the assets directory");
}

TEST(WidgetTypeRegistration, ValidatesTheNeededCapabilities)
{
    tessera_widget_type_info info = templateType();
    const std::pair<const char *, const char *> cases[] = {
        {"{}", "capabilities_json must be a JSON array"},
        {"[1]", "capabilities_json entries must be objects {\"capability\", \"reason\"}"},
        {R"([{"capability": "m.sticker"}])", "capabilities_json: capability \"m.sticker\" needs a reason"},
        {R"([{"capability": "m.sticker", "reason": "r", "why": "x"}])", "capabilities_json: unknown field \"why\""},
        {R"([{"capability": "m.sticker", "reason": "r"}, {"capability": "m.sticker", "reason": "r"}])",
         "capabilities_json lists \"m.sticker\" twice"},
    };
    for (const auto &[json, message] : cases) {
        info.capabilities_json = json;
        EXPECT_EQ(typeError(info), std::string("widget type \"org.example.board\": ") + message) << json;
    }
}

TEST(HandlerRegistration, CopiesEveryStringAndTheActions)
{
    const char *actions[] = {"org.example.board.move", "org.example.board.list", nullptr};
    tessera_capability_handler_info info{};
    info.capability = "org.example.board.cards";
    info.description = "Move cards";
    info.actions = actions;
    info.handle = &handleNothing;
    auto r = copyHandlerInfo(&info, sizeof info);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->info.capability, "org.example.board.cards");
    EXPECT_EQ(r->info.description, "Move cards");
    EXPECT_EQ(r->info.actions, (std::vector<std::string>{"org.example.board.move", "org.example.board.list"}));
    EXPECT_EQ(r->callbacks.handle, &handleNothing);
}

TEST(HandlerRegistration, RefusesMissingFieldsAndOversizedStructs)
{
    const char *actions[] = {"org.example.board.move", nullptr};
    const char *noActions[] = {nullptr};
    tessera_capability_handler_info info{};
    info.capability = "org.example.board.cards";
    info.description = "Move cards";
    info.actions = actions;
    auto r = copyHandlerInfo(&info, sizeof info);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "capability handler \"org.example.board.cards\": required field handle is missing");
    info.handle = &handleNothing;
    r = copyHandlerInfo(&info, offsetof(tessera_capability_handler_info, handle));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "capability handler \"org.example.board.cards\": required field handle is missing");
    info.actions = noActions;
    r = copyHandlerInfo(&info, sizeof info);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "capability handler \"org.example.board.cards\": actions must name at least one action");
    const char *twice[] = {"org.example.board.move", "org.example.board.move", nullptr};
    info.actions = twice;
    r = copyHandlerInfo(&info, sizeof info);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "capability handler \"org.example.board.cards\": action \"org.example.board.move\" is listed twice");
    r = copyHandlerInfo(&info, sizeof info + 8);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "tessera_capability_handler_info of " + std::to_string(sizeof info + 8)
                                     + " bytes is larger than the host's " + std::to_string(sizeof info)
                                     + " bytes (was the plugin built against a newer ABI?)");
    r = copyHandlerInfo(nullptr, sizeof info);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "tessera_capability_handler_info is NULL");
}

TEST(AssetPaths, StayInsideTheAssetsDirectory)
{
    EXPECT_TRUE(isSafeAssetPath("index.html"));
    EXPECT_TRUE(isSafeAssetPath("board/app.js"));
    EXPECT_TRUE(isSafeAssetPath("a/b.c/d"));
    EXPECT_FALSE(isSafeAssetPath(""));
    EXPECT_FALSE(isSafeAssetPath("/etc/passwd"));
    EXPECT_FALSE(isSafeAssetPath("../secret"));
    EXPECT_FALSE(isSafeAssetPath("a/../../b"));
    EXPECT_FALSE(isSafeAssetPath("a//b"));
    EXPECT_FALSE(isSafeAssetPath("a/./b"));
    EXPECT_FALSE(isSafeAssetPath("a\\b"));
    EXPECT_FALSE(isSafeAssetPath("a/"));
    EXPECT_FALSE(isSafeAssetPath(std::string("a\0b", 3)));
}

TEST(PublishedWidgetUrl, OtherClientsGetThePluginsHttpsPageOrTheNeedsTesseraPage)
{
    const std::string page = "https://pages.example.org/needs-tessera/";
    tessera::plugins::WidgetTypeInfo type;
    type.pluginId = "io.example.boards";
    type.type = "io.example.boards.board";
    type.displayName = "Tablero & notas";
    type.source = WidgetSource::UrlTemplate;
    type.urlTemplate = "https://board.example.org/?room=$matrix_room_id&widget=$matrix_widget_id";
    EXPECT_EQ(publishedWidgetUrl(type, page), type.urlTemplate) << "the plugin's own deployment, filled in by the other client";

    const std::string needsTessera = page + "?plugin=io.example.boards&type=io.example.boards.board&name=Tablero%20%26%20notas"
                                            "&lang=$org.matrix.msc2873.client_language&theme=$org.matrix.msc2873.client_theme";
    type.urlTemplate = "http://127.0.0.1:8080/board";
    EXPECT_EQ(publishedWidgetUrl(type, page), needsTessera) << "a loopback page is nobody else's";
    type.urlTemplate.clear();
    type.source = WidgetSource::Assets;
    type.assetEntry = "index.html";
    EXPECT_EQ(publishedWidgetUrl(type, page), needsTessera) << "the plugin's assets are served only inside Tessera";
    type.source = WidgetSource::Builder;
    EXPECT_EQ(publishedWidgetUrl(type, page), needsTessera);
    EXPECT_EQ(publishedWidgetUrl(type, "https://pages.example.org/x?site=1"),
              "https://pages.example.org/x?site=1&plugin=io.example.boards&type=io.example.boards.board&name=Tablero%20%26%20notas"
              "&lang=$org.matrix.msc2873.client_language&theme=$org.matrix.msc2873.client_theme")
        << "a page whose address has a query of its own";
}

TEST(PluginWidgetPage, TheBuildsDefaultIsAUsableAddress)
{
    auto page = tessera::plugins::pluginWidgetPage(tessera::plugins::defaultPluginWidgetPage());
    ASSERT_TRUE(page) << page.error().message;
    EXPECT_EQ(page->rfind("https://", 0), 0u);
}
