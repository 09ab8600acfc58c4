// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
// Loading real fixture plugins: each failure mode ends in its own state with its exact message,
// and the plugins that are fine keep working next to the broken ones.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <fstream>
#include <map>

#include <tessera/plugin_abi.h>

#include "pluginharness.h"
#include "plugins/abiversion.h"
#include "plugins/roomenablement.h"

using nlohmann::json;
using tessera::ErrorCode;
using tessera::plugins::PluginEventKind;
using tessera::plugins::PluginSource;
using tessera::plugins::PluginState;
using tessera::plugins::WidgetSource;
using tessera::test::fixture;
using tessera::test::fixturePlugins;
using tessera::test::PluginHarness;
using tessera::test::TempDir;

namespace {

const std::string kHostAbi = tessera::plugins::hostAbiVersion().toString();

std::string library(const std::string &folder)
{
    return (fixture(folder) / (folder + ".so")).string();
}

/** Writes a plugin folder with @p manifest; copies @p libraryFrom (a fixture library) into it. */
std::filesystem::path makePlugin(const std::filesystem::path &dir, const std::string &folder, const json &manifest,
                                 const std::string &libraryFrom = {})
{
    const auto path = dir / folder;
    std::filesystem::create_directories(path);
    std::ofstream(path / "plugin.json") << manifest.dump(2);
    if (!libraryFrom.empty())
        std::filesystem::copy_file(library(libraryFrom), path / (manifest.value("library", "") + ".so"));
    return path;
}

json manifestFor(const std::string &id, const std::string &libraryName, json provides, const std::string &abi = "1.3")
{
    return json{{"id", id},           {"name", id},         {"version", "1.0.0"}, {"abi", abi},
                {"library", libraryName}, {"license", "MIT"}, {"provides", std::move(provides)}};
}

} // namespace

TEST(PluginLoading, EveryFixtureEndsInItsStateWithItsExactMessage)
{
    PluginHarness h;
    h.load({fixturePlugins()});

    struct Expected {
        PluginState state;
        std::string error;
    };
    const std::map<std::string, Expected> expected{
        {"io.tessera.test.good", {PluginState::Running, ""}},
        {"io.tessera.test.old-abi", {PluginState::Running, ""}},
        {"io.tessera.test.old-abi-1-2", {PluginState::Running, ""}},
        {"io.tessera.test.handler-throws", {PluginState::Running, ""}},
        {"io.tessera.test.handler-silent", {PluginState::Running, ""}},
        {"io.tessera.test.raw-throws", {PluginState::Running, ""}},
        {"io.tessera.test.raw-load-throws",
         {PluginState::Failed, "initialization failed: the plugin let a C++ exception (raw load exploded) escape from "
                               "tessera_plugin_load (exceptions must not cross the plugin ABI)"}},
        {"io.tessera.test.abi-major",
         {PluginState::Failed, "plugin ABI " + std::to_string(TESSERA_PLUGIN_ABI_MAJOR + 1)
                                   + ".0 is incompatible with host ABI " + kHostAbi}},
        {"io.tessera.test.abi-minor-newer",
         {PluginState::Failed, "plugin ABI " + std::to_string(TESSERA_PLUGIN_ABI_MAJOR) + "."
                                   + std::to_string(TESSERA_PLUGIN_ABI_MINOR + 1) + " is newer than host ABI "
                                   + kHostAbi}},
        {"io.tessera.test.missing-entry",
         {PluginState::Failed, "no entry point tessera_plugin_load in " + library("missing-entry")}},
        {"io.tessera.test.no-version",
         {PluginState::Failed, "no entry point tessera_plugin_abi_version in " + library("no-version")}},
        {"io.tessera.test.init-error", {PluginState::Failed, "initialization failed: the fixture refuses to start"}},
        {"io.tessera.test.init-throws",
         {PluginState::Failed, "initialization failed: uncaught exception: boom during load"}},
        {"io.tessera.test.struct-too-large",
         {PluginState::Failed, "registration failed: tessera_widget_type_info of "
                                   + std::to_string(sizeof(tessera_widget_type_info) + 8 * sizeof(void *))
                                   + " bytes is larger than the host's "
                                   + std::to_string(sizeof(tessera_widget_type_info))
                                   + " bytes (was the plugin built against a newer ABI?)"}},
        {"io.tessera.test.missing-required-field",
         {PluginState::Failed, "registration failed: widget type \"io.tessera.test.missing-required-field\": required "
                               "field display_name is missing"}},
        {"io.tessera.test.duplicate-widget-type",
         {PluginState::Failed,
          "registration failed: widget type \"io.tessera.test.duplicate-widget-type\" is registered twice"}},
        {"io.tessera.test.manifest-mismatch",
         {PluginState::Failed, "registration does not match plugin.json: widget type "
                               "\"io.tessera.test.manifest-mismatch.other\" is registered but not declared in "
                               "provides.widgetTypes"}},
        {"malformed-manifest",
         {PluginState::Failed,
          "invalid manifest " + (fixture("malformed-manifest") / "plugin.json").string() + ": not valid JSON"}},
    };

    ASSERT_EQ(h.manager->plugins().size(), expected.size());
    for (const auto &record : h.manager->plugins()) {
        auto it = expected.find(record.id);
        ASSERT_NE(it, expected.end()) << "unexpected plugin " << record.id;
        EXPECT_EQ(record.state, it->second.state) << record.id << ": " << record.error;
        EXPECT_EQ(record.error, it->second.error) << record.id;
        EXPECT_EQ(record.source, PluginSource::CommandLine);
        if (record.state == PluginState::Failed) {
            const auto rows = h.audit.about("plugin.load", record.id);
            ASSERT_EQ(rows.size(), 1u) << record.id;
            EXPECT_EQ(rows[0].decision, tessera::audit::Decision::Failed);
            EXPECT_EQ(rows[0].reason, record.error);
            EXPECT_TRUE(h.log.contains(tessera::plugins::LogLevel::Error, record.id, record.error)) << record.id;
        }
    }
}

TEST(PluginLoading, TheHostKeepsServingThePluginsThatLoaded)
{
    PluginHarness h;
    h.load({fixturePlugins()});
    auto echo = h.answer("io.tessera.test.good.echo", {{"text", "still here"}});
    ASSERT_TRUE(echo) << echo.error().message;
    EXPECT_EQ((*echo)["echo"], (json{{"text", "still here"}}));
    auto old = h.answer("io.tessera.test.old-abi.echo");
    ASSERT_TRUE(old) << old.error().message;
    EXPECT_EQ((*old)["abi"], "1.0");
    EXPECT_NE(h.manager->findWidgetType("io.tessera.test.good.board"), nullptr);
    EXPECT_EQ(h.manager->findWidgetType("io.tessera.test.init-error"), nullptr);
    EXPECT_EQ(h.actions.find("io.tessera.test.manifest-mismatch.other"), nullptr);
}

TEST(PluginLoading, ListenersHearEveryOutcome)
{
    PluginHarness h;
    h.load({fixture("good"), fixture("init-error")});
    ASSERT_EQ(h.events.size(), 2u);
    EXPECT_EQ(h.events[0].kind, PluginEventKind::Loaded);
    EXPECT_EQ(h.events[0].pluginId, "io.tessera.test.good");
    EXPECT_EQ(h.events[1].kind, PluginEventKind::Failed);
    EXPECT_EQ(h.events[1].pluginId, "io.tessera.test.init-error");
    EXPECT_EQ(h.events[1].message, "initialization failed: the fixture refuses to start");
}

TEST(PluginLoading, APluginBuiltAgainstAnOlderMinorLoadsAfterTheStructsGrew)
{
    static_assert(TESSERA_PLUGIN_ABI_MINOR >= 1, "the test needs a host newer than the 1.0 fixture");
    PluginHarness h;
    h.load({fixture("old-abi-1.0")});
    const auto &record = h.record("io.tessera.test.old-abi");
    ASSERT_EQ(record.state, PluginState::Running) << record.error;
    EXPECT_EQ(record.manifest->abi.toString(), "1.0");
    const auto *type = h.manager->findWidgetType("io.tessera.test.old-abi.widget");
    ASSERT_NE(type, nullptr);
    EXPECT_EQ(type->displayName, "Old widget");
    EXPECT_EQ(type->description, "") << "the 1.1 member is zero-filled for a 1.0 plugin";
    auto reply = h.answer("io.tessera.test.old-abi.echo");
    ASSERT_TRUE(reply) << reply.error().message;
    EXPECT_EQ((*reply)["abi"], "1.0");
    EXPECT_EQ((*reply)["host_table_bytes"], sizeof(tessera_host_api));
}

TEST(PluginLoading, A12PluginLoadsWithoutTheFlagsItCannotHaveAndStatus8IsAFailure)
{
    PluginHarness h;
    h.load({fixture("old-abi-1.2")});
    const auto &record = h.record("io.tessera.test.old-abi-1-2");
    ASSERT_EQ(record.state, PluginState::Running) << record.error;
    EXPECT_EQ(record.manifest->abi.toString(), "1.2");
    const auto *type = h.manager->findWidgetType("io.tessera.test.old-abi-1-2.widget");
    ASSERT_NE(type, nullptr);
    EXPECT_FALSE(type->enabledByDefault) << "the 1.3 member is beyond the 1.2 struct";
    auto url = h.manager->buildWidgetUrl("io.tessera.test.old-abi-1-2.widget", {{"id", "w"}, {"data", json::object()}});
    ASSERT_TRUE(url) << url.error().message;
    EXPECT_EQ(*url, "https://example.org/old-1.2");
    // TESSERA_BAD_WIDGET means nothing to a 1.2 plugin: its 8 is a failure like any other.
    auto failed = h.manager->buildWidgetUrl("io.tessera.test.old-abi-1-2.widget",
                                            {{"id", "w"}, {"data", {{"x", "status-8"}}}});
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().code, ErrorCode::Unavailable);
    EXPECT_EQ(failed.error().message,
              "plugin io.tessera.test.old-abi-1-2 could not build the widget's URL: the widget asked for status 8");
    EXPECT_EQ(h.audit.about("plugin.build_url").back().decision, tessera::audit::Decision::Failed);
}

TEST(PluginLoading, RegistrationsReachTheActionRegistryAndTheTypeTable)
{
    PluginHarness h;
    h.load({fixture("good")});
    EXPECT_TRUE(h.actions.isCustomCapability("io.tessera.test.good.echo"));
    const auto *entry = h.actions.find("io.tessera.test.good.state");
    ASSERT_NE(entry, nullptr);
    EXPECT_EQ(entry->capability, "io.tessera.test.good.echo");

    const auto *board = h.manager->findWidgetType("io.tessera.test.good.board");
    ASSERT_NE(board, nullptr);
    EXPECT_EQ(board->pluginId, "io.tessera.test.good");
    EXPECT_EQ(board->displayName, "Test board");
    EXPECT_EQ(board->description, "A board for tests");
    EXPECT_EQ(board->icon, "icon.svg");
    EXPECT_EQ(board->source, WidgetSource::Assets);
    EXPECT_EQ(board->assetEntry, "board/index.html");
    ASSERT_EQ(board->capabilities.size(), 2u);
    EXPECT_EQ(board->capabilities[0].capability, "org.matrix.msc2762.receive.state_event:io.tessera.test.card");
    EXPECT_EQ(board->capabilities[0].reason, "Shows the cards of this room");
    const auto *link = h.manager->findWidgetType("io.tessera.test.good.link");
    ASSERT_NE(link, nullptr);
    EXPECT_EQ(link->source, WidgetSource::UrlTemplate);
    EXPECT_EQ(link->urlTemplate, "https://example.org/board/$board_id?room=$matrix_room_id");
    EXPECT_EQ(h.manager->widgetTypes().size(), 3u);

    const auto *handler = h.manager->findCapability("io.tessera.test.good.echo");
    ASSERT_NE(handler, nullptr);
    EXPECT_EQ(handler->description, "Echo test requests");
    EXPECT_EQ(handler->actions.size(), 19u);

    const auto &record = h.record("io.tessera.test.good");
    EXPECT_EQ(record.widgetTypes.size(), 3u);
    EXPECT_EQ(record.capabilities, std::vector<std::string>{"io.tessera.test.good.echo"});
    EXPECT_EQ(record.displayName(), "Good fixture");
    ASSERT_EQ(h.audit.about("plugin.load", "io.tessera.test.good").size(), 1u);
    EXPECT_EQ(h.audit.about("plugin.load", "io.tessera.test.good")[0].decision, tessera::audit::Decision::Allowed);
}

TEST(PluginLoading, FindProviderNamesThePluginOfAnUnavailableType)
{
    PluginHarness h;
    h.load({fixture("good"), fixture("manifest-mismatch")});
    const auto *running = h.manager->findProvider("io.tessera.test.good.link");
    ASSERT_NE(running, nullptr);
    EXPECT_EQ(running->id, "io.tessera.test.good");
    const auto *failed = h.manager->findProvider("io.tessera.test.manifest-mismatch.declared");
    ASSERT_NE(failed, nullptr);
    EXPECT_EQ(failed->id, "io.tessera.test.manifest-mismatch");
    EXPECT_EQ(failed->state, PluginState::Failed);
    EXPECT_EQ(h.manager->findProvider("m.custom"), nullptr);
}

TEST(PluginLoading, EachPluginGetsAPrivateDataDirectoryAndIsUnloadedAtShutdown)
{
    PluginHarness h;
    h.load({fixture("good")});
    const auto dir = h.options.dataDir / "io.tessera.test.good";
    EXPECT_TRUE(std::filesystem::exists(dir / "loaded"));
    struct stat st {};
    ASSERT_EQ(::stat(dir.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
    EXPECT_FALSE(std::filesystem::exists(dir / "unloaded"));

    h.manager->shutdown();
    EXPECT_TRUE(std::filesystem::exists(dir / "unloaded"));
    EXPECT_EQ(h.record("io.tessera.test.good").state, PluginState::Stopped);
    EXPECT_EQ(h.events.back().kind, PluginEventKind::Stopped);
    EXPECT_FALSE(h.actions.isCustomCapability("io.tessera.test.good.echo"));
    EXPECT_EQ(h.actions.find("io.tessera.test.good.echo"), nullptr);
    EXPECT_EQ(h.manager->findWidgetType("io.tessera.test.good.board"), nullptr);
    h.manager->shutdown(); // idempotent
}

TEST(PluginLoading, ALibraryThatCannotBeOpenedSaysWhatTheLoaderSaid)
{
    TempDir dir;
    const auto missing = makePlugin(dir.path(), "absent", manifestFor("org.example.absent", "absent", {{"widgetTypes", {"x"}}}));
    const auto garbage = makePlugin(dir.path(), "garbage", manifestFor("org.example.garbage", "garbage", {{"widgetTypes", {"y"}}}));
    std::ofstream(garbage / "garbage.so") << std::string(4096, 'x');
    PluginHarness h;
    h.load({dir.path()});

    const std::string absentPath = (missing / "absent.so").string();
    EXPECT_EQ(h.record("org.example.absent").state, PluginState::Failed);
    EXPECT_EQ(h.record("org.example.absent").error,
              "cannot open library " + absentPath + ": " + absentPath + ": cannot open shared object file: No such file or directory");
    const std::string garbagePath = (garbage / "garbage.so").string();
    const std::string &error = h.record("org.example.garbage").error;
    EXPECT_EQ(error.rfind("cannot open library " + garbagePath + ": ", 0), 0u) << error;
    EXPECT_EQ(error.substr(error.size() - std::string("invalid ELF header").size()), "invalid ELF header") << error;
}

TEST(PluginLoading, AnIncompatibleManifestIsRefusedBeforeTheLibraryIsOpened)
{
    TempDir dir;
    // The library does not even exist: had the host tried to open it, the error would say so.
    makePlugin(dir.path(), "future", manifestFor("org.example.future", "future", {{"widgetTypes", {"x"}}}, "2.0"));
    PluginHarness h;
    h.load({dir.path()});
    EXPECT_EQ(h.record("org.example.future").state, PluginState::Failed);
    EXPECT_EQ(h.record("org.example.future").error, "plugin ABI 2.0 is incompatible with host ABI " + kHostAbi);
}

TEST(PluginLoading, TheLibraryMustAgreeWithItsManifestAboutTheAbi)
{
    TempDir dir;
    const auto folder = makePlugin(dir.path(), "mismatch",
                                   manifestFor("io.tessera.test.manifest-mismatch", "manifest-mismatch",
                                               {{"widgetTypes", {"io.tessera.test.manifest-mismatch.other"}}}, "1.0"),
                                   "manifest-mismatch");
    PluginHarness h;
    h.load({dir.path()});
    EXPECT_EQ(h.record("io.tessera.test.manifest-mismatch").error,
              "plugin.json declares ABI 1.0 but " + (folder / "manifest-mismatch.so").string()
                  + " was built against ABI " + kHostAbi);
}

TEST(PluginLoading, AWidgetTypeBelongsToTheFirstPluginThatRegistersIt)
{
    TempDir dir;
    const json provides{{"widgetTypes", {"io.tessera.test.manifest-mismatch.other"}}};
    makePlugin(dir.path(), "a-first", manifestFor("io.tessera.test.first", "manifest-mismatch", provides), "manifest-mismatch");
    makePlugin(dir.path(), "b-second", manifestFor("io.tessera.test.second", "manifest-mismatch", provides), "manifest-mismatch");
    PluginHarness h;
    h.load({dir.path()});
    EXPECT_EQ(h.record("io.tessera.test.first").state, PluginState::Running);
    EXPECT_EQ(h.record("io.tessera.test.second").state, PluginState::Failed);
    EXPECT_EQ(h.record("io.tessera.test.second").error,
              "registration failed: widget type \"io.tessera.test.manifest-mismatch.other\" is already provided by "
              "plugin io.tessera.test.first");
    EXPECT_EQ(h.manager->findWidgetType("io.tessera.test.manifest-mismatch.other")->pluginId, "io.tessera.test.first");
}

TEST(PluginLoading, ARefusedManifestIsListedUnderItsIdWithoutHidingAValidOne)
{
    TempDir dir;
    const json provides{{"widgetTypes", {"io.tessera.test.manifest-mismatch.other"}}};
    json broken = manifestFor("io.tessera.test.first", "manifest-mismatch", provides);
    broken.erase("license");
    makePlugin(dir.path(), "a-broken", broken);
    makePlugin(dir.path(), "b-valid", manifestFor("io.tessera.test.first", "manifest-mismatch", provides), "manifest-mismatch");
    PluginHarness h;
    h.load({dir.path()});
    ASSERT_EQ(h.manager->plugins().size(), 2u);
    EXPECT_EQ(h.manager->plugins()[0].id, "io.tessera.test.first");
    EXPECT_EQ(h.manager->plugins()[0].state, PluginState::Failed);
    EXPECT_EQ(h.manager->plugins()[0].error,
              "invalid manifest " + (dir / "a-broken" / "plugin.json").string() + ": field \"license\" is required");
    EXPECT_EQ(h.record("io.tessera.test.first").state, PluginState::Running);
    EXPECT_EQ(h.record("io.tessera.test.first").directory, dir / "b-valid");
}

TEST(PluginLoading, SearchesDirectoriesInOrderAndTheFirstIdWins)
{
    TempDir copy;
    std::filesystem::copy(fixture("good"), copy / "good", std::filesystem::copy_options::recursive);
    PluginHarness h;
    h.options.environmentDirs = {copy.path()};
    h.load({fixture("good")});
    ASSERT_EQ(h.manager->plugins().size(), 2u);
    const auto &first = h.manager->plugins()[0];
    const auto &second = h.manager->plugins()[1];
    EXPECT_EQ(first.source, PluginSource::CommandLine);
    EXPECT_EQ(first.state, PluginState::Running);
    EXPECT_EQ(second.source, PluginSource::Environment);
    EXPECT_EQ(second.state, PluginState::Skipped);
    EXPECT_EQ(second.error,
              "shadowed by " + fixture("good").string() + " (the same id was found earlier in the search path)");
    EXPECT_EQ(&h.record("io.tessera.test.good"), &first);
    const auto path = h.manager->searchPath();
    ASSERT_EQ(path.size(), 2u);
    EXPECT_EQ(path[0].path, fixture("good"));
    EXPECT_EQ(path[1].source, PluginSource::Environment);
}

TEST(PluginLoading, SafeModeLoadsBundledPluginsOnly)
{
    PluginHarness h;
    h.options.safeMode = true;
    h.options.bundledDir = fixture("old-abi-1.0");
    h.load({fixture("good")});
    EXPECT_EQ(h.record("io.tessera.test.good").state, PluginState::Skipped);
    EXPECT_EQ(h.record("io.tessera.test.good").error, "safe mode: only bundled plugins are loaded");
    EXPECT_EQ(h.record("io.tessera.test.old-abi").state, PluginState::Running);
    EXPECT_EQ(h.record("io.tessera.test.old-abi").source, PluginSource::Bundled);
    EXPECT_EQ(h.audit.about("plugin.load", "io.tessera.test.good")[0].decision, tessera::audit::Decision::Refused);
}

TEST(PluginLoading, ThirdPartyPluginsStayOffUntilTheUserAllowsThem)
{
    PluginHarness off;
    off.options.userDir = fixture("good");
    off.load();
    EXPECT_EQ(off.record("io.tessera.test.good").state, PluginState::Skipped);
    EXPECT_EQ(off.record("io.tessera.test.good").error,
              "third-party plugins are off: turn them on on the Plugins page, or start Tessera with --user-plugins");
    EXPECT_EQ(off.record("io.tessera.test.good").source, PluginSource::User);

    PluginHarness on;
    on.options.userDir = fixture("good");
    on.options.allowUserPlugins = true;
    on.load();
    EXPECT_EQ(on.record("io.tessera.test.good").state, PluginState::Running);
}

TEST(PluginLoading, APluginTheUserDisabledIsNotLoaded)
{
    PluginHarness h;
    h.options.disabledByUser = {"io.tessera.test.good"};
    h.load({fixture("good")});
    EXPECT_EQ(h.record("io.tessera.test.good").state, PluginState::Skipped);
    EXPECT_EQ(h.record("io.tessera.test.good").error, "disabled by the user");
    EXPECT_FALSE(std::filesystem::exists(h.options.dataDir / "io.tessera.test.good" / "loaded"));
}

TEST(PluginLoading, MissingExplicitDirectoriesAreReportedNotFatal)
{
    PluginHarness h;
    h.options.environmentDirs = {"/nonexistent/tessera-plugins"};
    h.options.bundledDir = "/nonexistent/bundled";
    h.load({fixture("good") / "plugin.json"});
    EXPECT_EQ(h.manager->warnings(),
              (std::vector<std::string>{"plugin directory " + (fixture("good") / "plugin.json").string()
                                            + " is not a directory",
                                        "plugin directory /nonexistent/tessera-plugins does not exist"}));
    EXPECT_TRUE(h.manager->plugins().empty());
}

TEST(PluginLoading, PluginPathsAndTheBundledDirectory)
{
    using tessera::plugins::bundledPluginDir;
    using tessera::plugins::parsePluginPath;
    EXPECT_EQ(parsePluginPath("/a::/b:"), (std::vector<std::filesystem::path>{"/a", "/b"}));
    EXPECT_TRUE(parsePluginPath("").empty());
    EXPECT_EQ(bundledPluginDir("/usr/bin/tessera"), std::filesystem::path("/usr/lib/tessera/plugins"));
    EXPECT_EQ(bundledPluginDir("/opt/tessera/bin/tessera"), std::filesystem::path("/opt/tessera/lib/tessera/plugins"));

    // Installed with the prefix /usr on Debian: the multiarch library directory.
    tessera::plugins::BundledPluginLayout debian;
    debian.installed = "../lib/x86_64-linux-gnu/tessera/plugins";
    EXPECT_EQ(bundledPluginDir("/usr/bin/tessera", debian), std::filesystem::path("/usr/lib/x86_64-linux-gnu/tessera/plugins"));

    // Run from its build tree (its directory, however it is spelt): the plugins built there.
    TempDir tree;
    std::filesystem::create_directories(tree.path() / "host" / "app");
    tessera::plugins::BundledPluginLayout built;
    built.buildTreeBin = tree.path() / "host" / "app";
    built.buildTreePlugins = tree.path() / "lib" / "tessera" / "plugins";
    EXPECT_EQ(bundledPluginDir(tree.path() / "host" / "." / "app" / "tessera", built), built.buildTreePlugins);
    // Installed elsewhere, the same binary uses the installed layout.
    EXPECT_EQ(bundledPluginDir("/usr/bin/tessera", built), std::filesystem::path("/usr/lib/tessera/plugins"));
}

TEST(PluginLoading, APluginsTranslationGivesItsStringsInTheUsersLanguage)
{
    PluginHarness h;
    h.options.language = "es";
    h.load({fixture("good")});
    const auto &record = h.record("io.tessera.test.good");
    ASSERT_EQ(record.state, PluginState::Running) << record.error;
    EXPECT_EQ(record.displayName(), "Complemento de prueba");
    EXPECT_EQ(record.displayDescription(), "A fixture plugin that uses every host function") << "not translated: as is";
    const auto *board = h.manager->findWidgetType("io.tessera.test.good.board");
    ASSERT_NE(board, nullptr);
    EXPECT_EQ(board->displayName, "Tablero de prueba");
    EXPECT_EQ(board->description, "Un tablero para pruebas");
    EXPECT_EQ(board->capabilities[0].reason, "Muestra las tarjetas de esta sala");
    // The fields its manifest declares, labelled in the user's language where the table has them.
    ASSERT_EQ(board->fields.size(), 2u);
    EXPECT_EQ(board->fields[0].key, "board_url");
    EXPECT_EQ(board->fields[0].label, "Dirección del tablero");
    EXPECT_EQ(board->fields[0].maxLength, 300u);
    EXPECT_EQ(board->fields[1].label, "Board code") << "not translated: as is";
    EXPECT_FALSE(board->fields[1].required);
    EXPECT_TRUE(h.manager->findWidgetType("io.tessera.test.good.link")->fields.empty());
    EXPECT_EQ(h.manager->findWidgetType("io.tessera.test.good.link")->displayName, "Test link") << "not translated: as is";
    EXPECT_EQ(h.manager->findCapability("io.tessera.test.good.echo")->description, "Responde a las peticiones de prueba");
    EXPECT_EQ(board->registeredName, "Test board") << "the name it registered, for widgets published under it";

    // The user switches language: the same pointers read the other language, and back.
    h.manager->setLanguage("en");
    EXPECT_EQ(board->displayName, "Test board") << "no English table: as registered";
    EXPECT_EQ(board->fields[0].label, "Board address");
    EXPECT_EQ(board->capabilities[0].reason, "Shows the cards of this room");
    EXPECT_EQ(h.record("io.tessera.test.good").displayName(), "Good fixture");
    EXPECT_EQ(h.manager->findCapability("io.tessera.test.good.echo")->description, "Echo test requests");
    h.manager->setLanguage("es");
    EXPECT_EQ(board->displayName, "Tablero de prueba");
    EXPECT_EQ(board->fields[0].label, "Dirección del tablero");
    EXPECT_EQ(h.record("io.tessera.test.good").displayName(), "Complemento de prueba");
}

TEST(PluginLoading, ALanguageWithoutATranslationOrABrokenOneKeepsTheRegisteredStrings)
{
    for (const char *language : {"de", "fr"}) {
        PluginHarness h;
        h.options.language = language;
        h.load({fixture("good")});
        const auto &record = h.record("io.tessera.test.good");
        ASSERT_EQ(record.state, PluginState::Running) << language << ": " << record.error;
        EXPECT_EQ(record.displayName(), "Good fixture") << language;
        EXPECT_EQ(h.manager->findWidgetType("io.tessera.test.good.board")->displayName, "Test board") << language;
    }
    PluginHarness broken;
    broken.options.language = "fr";
    broken.load({fixture("good")});
    EXPECT_TRUE(broken.log.contains(tessera::plugins::LogLevel::Warning, "io.tessera.test.good",
                                    "translation not used: " + (fixture("good") / "translations" / "fr.json").string()
                                        + ": unknown field \"colour\""));
}

TEST(PluginLoading, BuildsWidgetUrlsThroughThePlugin)
{
    PluginHarness h;
    h.load({fixture("good")});
    auto url = h.manager->buildWidgetUrl("io.tessera.test.good.built", {{"id", "w1"}, {"data", json::object()}});
    ASSERT_TRUE(url) << url.error().message;
    EXPECT_EQ(*url, "https://example.org/built/w1");
    auto failed = h.manager->buildWidgetUrl("io.tessera.test.good.built", {{"id", "w2"}, {"data", {{"fail", true}}}});
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().message,
              "plugin io.tessera.test.good could not build the widget's URL: uncaught exception: asked to fail building a URL");
    EXPECT_EQ(h.audit.about("plugin.build_url").back().decision, tessera::audit::Decision::Failed);

    // ABI 1.3: the room's config and the user reach build_url.
    auto configured = h.manager->buildWidgetUrl(
        "io.tessera.test.good.built", {{"id", "w3"},
                                       {"data", json::object()},
                                       {"config", {{"greeting", "hola"}}},
                                       {"user", {{"id", "@ana:example.org"}, {"display_name", "Ana"}}}});
    ASSERT_TRUE(configured) << configured.error().message;
    EXPECT_EQ(*configured, "https://example.org/built/w3?greeting=hola#Ana");

    // A widget the plugin cannot show is the room's widget's fault: a clear reason, audited as
    // refused, and never a failure of the plugin however often it happens.
    const auto failedBefore = h.record("io.tessera.test.good").callsFailed;
    for (int i = 0; i < 5; ++i) {
        auto bad = h.manager->buildWidgetUrl("io.tessera.test.good.built",
                                             {{"id", "w4"}, {"data", {{"bad", "the widget names no board"}}}});
        ASSERT_FALSE(bad);
        EXPECT_EQ(bad.error().code, ErrorCode::BadRequest);
        EXPECT_EQ(bad.error().message, "the widget names no board");
    }
    const auto refused = h.audit.about("plugin.build_url").back();
    EXPECT_EQ(refused.decision, tessera::audit::Decision::Refused);
    EXPECT_EQ(refused.reason, "the plugin cannot show this io.tessera.test.good.built widget: the widget names no board");
    EXPECT_EQ(h.record("io.tessera.test.good").callsFailed, failedBefore);
    EXPECT_EQ(h.record("io.tessera.test.good").state, PluginState::Running);
    auto stillWorks = h.manager->buildWidgetUrl("io.tessera.test.good.built", {{"id", "w5"}, {"data", json::object()}});
    ASSERT_TRUE(stillWorks) << stillWorks.error().message;

    auto notBuilder = h.manager->buildWidgetUrl("io.tessera.test.good.link", json::object());
    ASSERT_FALSE(notBuilder);
    EXPECT_EQ(notBuilder.error().message, "widget type io.tessera.test.good.link does not build its URLs");
    auto unknown = h.manager->buildWidgetUrl("m.custom", json::object());
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, ErrorCode::NotFound);
}

TEST(PluginLoading, ATypeEnabledByDefaultIsDecidedAsSuchThroughTheManager)
{
    PluginHarness h;
    h.load({fixture("good")});
    ASSERT_TRUE(h.manager->findWidgetType("io.tessera.test.good.built")->enabledByDefault);
    EXPECT_FALSE(h.manager->findWidgetType("io.tessera.test.good.board")->enabledByDefault);
    // Without an io.tessera.plugin event: the board is not enabled here; the built type is
    // decided on the empty config, which the good plugin's schema refuses (it needs a greeting).
    const auto board = tessera::plugins::decideWidgetType("io.tessera.test.good.board", *h.manager, {}, json(),
                                                          "@ana:example.org");
    ASSERT_TRUE(board);
    EXPECT_EQ(board->status, tessera::plugins::RoomPluginStatus::NotEnabledHere);
    const auto built = tessera::plugins::decideWidgetType("io.tessera.test.good.built", *h.manager, {}, json(),
                                                          "@ana:example.org");
    ASSERT_TRUE(built);
    EXPECT_EQ(built->status, tessera::plugins::RoomPluginStatus::InvalidConfig);
}

TEST(PluginLoading, ServesAssetsFromTheAssetsDirectoryOnly)
{
    TempDir copy;
    std::filesystem::copy(fixture("good"), copy / "good", std::filesystem::copy_options::recursive);
    std::filesystem::create_symlink("../plugin.json", copy / "good" / "assets" / "leak.json");
    PluginHarness h;
    h.load({copy / "good"});
    auto page = h.manager->resolveAsset("io.tessera.test.good", "board/index.html");
    ASSERT_TRUE(page) << page.error().message;
    EXPECT_EQ(*page, std::filesystem::canonical(copy / "good" / "assets" / "board" / "index.html"));

    const std::pair<const char *, ErrorCode> refused[] = {
        {"../plugin.json", ErrorCode::Denied},
        {"/etc/passwd", ErrorCode::Denied},
        {"leak.json", ErrorCode::Denied},
        {"board/missing.html", ErrorCode::NotFound},
        {"board", ErrorCode::NotFound},
    };
    for (const auto &[path, code] : refused) {
        auto r = h.manager->resolveAsset("io.tessera.test.good", path);
        ASSERT_FALSE(r) << path;
        EXPECT_EQ(r.error().code, code) << path << ": " << r.error().message;
    }
    EXPECT_EQ(h.manager->resolveAsset("io.tessera.test.good", "leak.json").error().message,
              "asset path \"leak.json\" leads out of the assets directory");
    EXPECT_EQ(h.manager->resolveAsset("org.example.none", "x").error().code, ErrorCode::NotFound);
}
