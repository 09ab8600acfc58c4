// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
// `tessera plugins list`: what the command line shows for loaded, failed and broken plugins.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <sstream>

#include "pluginharness.h"
#include "plugins/pluginscommand.h"

using nlohmann::json;
using tessera::plugins::runList;
using tessera::test::fixture;
using tessera::test::PluginHarness;

namespace {

struct CommandRun {
    int code = -1;
    std::string out;
    std::string err;
};

CommandRun run(const tessera::plugins::PluginManager &manager, bool json = false)
{
    std::ostringstream out;
    std::ostringstream err;
    CommandRun r;
    r.code = runList(manager, json, out, err);
    r.out = out.str();
    r.err = err.str();
    return r;
}

} // namespace

TEST(PluginsCommand, ListsEveryPluginWithItsStateAndError)
{
    PluginHarness h;
    h.load({fixture("good"), fixture("init-error"), fixture("malformed-manifest")});
    const CommandRun r = run(*h.manager);
    EXPECT_EQ(r.code, 0);
    EXPECT_EQ(r.err, "");
    EXPECT_EQ(r.out,
              "ID                          VERSION  STATE     SOURCE        NAME\n"
              "io.tessera.test.good        1.2.3    running   command-line  Good fixture\n"
              "io.tessera.test.init-error  1.0.0    failed    command-line  Initialization error\n"
              "    initialization failed: the fixture refuses to start\n"
              "malformed-manifest          -        failed    command-line  malformed-manifest\n"
              "    invalid manifest "
                  + (fixture("malformed-manifest") / "plugin.json").string()
                  + ": not valid JSON\n"
                    "Searched:\n"
                    "  "
                  + fixture("good").string() + " (command-line)\n  " + fixture("init-error").string()
                  + " (command-line)\n  " + fixture("malformed-manifest").string() + " (command-line)\n");
}

TEST(PluginsCommand, ListsAsJsonForScripts)
{
    PluginHarness h;
    h.options.bundledDir = "/nonexistent/bundled";
    h.load({fixture("good"), "/nonexistent/plugins"});
    const CommandRun r = run(*h.manager, true);
    EXPECT_EQ(r.code, 0);
    EXPECT_EQ(r.err, "tessera plugins: warning: plugin directory /nonexistent/plugins does not exist\n");
    const json doc = json::parse(r.out);
    ASSERT_EQ(doc["plugins"].size(), 1u);
    const json &good = doc["plugins"][0];
    EXPECT_EQ(good["id"], "io.tessera.test.good");
    EXPECT_EQ(good["name"], "Good fixture");
    EXPECT_EQ(good["version"], "1.2.3");
    EXPECT_EQ(good["state"], "running");
    EXPECT_EQ(good["source"], "command-line");
    EXPECT_EQ(good["directory"], fixture("good").string());
    EXPECT_EQ(good["error"], "");
    EXPECT_EQ(good["widgetTypes"].size(), 3u);
    EXPECT_EQ(good["capabilities"], (json{"io.tessera.test.good.echo"}));
    EXPECT_EQ(doc["searchPath"].size(), 3u);
    EXPECT_EQ(doc["searchPath"][2], (json{{"path", "/nonexistent/bundled"}, {"source", "bundled"}}));
    EXPECT_EQ(doc["warnings"], (json{"plugin directory /nonexistent/plugins does not exist"}));
}

TEST(PluginsCommand, SaysSoWhenThereAreNoPlugins)
{
    PluginHarness h;
    h.load();
    const CommandRun r = run(*h.manager);
    EXPECT_EQ(r.code, 0);
    EXPECT_EQ(r.out, "No plugins found.\nSearched: (no plugin directories configured)\n");
}

TEST(PluginsCommand, ListingReadsManifestsOnlyAndRunsNoPluginCode)
{
    // Copies, so that no other test in this process can have mapped these libraries.
    tessera::test::TempDir copies;
    for (const char *folder : {"raw-load-throws", "init-error", "good"})
        std::filesystem::copy(fixture(folder), copies / folder, std::filesystem::copy_options::recursive);
    PluginHarness h;
    h.options.pluginDirs = {copies.path()};
    h.manager = std::make_unique<tessera::plugins::PluginManager>(h.options, h.services);
    h.manager->discoverAll();

    const CommandRun r = run(*h.manager);
    EXPECT_EQ(r.code, 0);
    EXPECT_EQ(r.out,
              "ID                               VERSION  STATE       SOURCE        NAME\n"
              "io.tessera.test.good             1.2.3    discovered  command-line  Good fixture\n"
              "io.tessera.test.init-error       1.0.0    discovered  command-line  Initialization error\n"
              "io.tessera.test.raw-load-throws  1.0.0    discovered  command-line  Raw ABI, load throws\n"
              "Searched:\n  "
                  + copies.path().string() + " (command-line)\n");
    // No library was opened: none is mapped into this process, and no plugin got a data directory.
    std::ifstream maps("/proc/self/maps");
    const std::string mapped((std::istreambuf_iterator<char>(maps)), std::istreambuf_iterator<char>());
    EXPECT_EQ(mapped.find(copies.path().string()), std::string::npos) << "a plugin library was opened";
    EXPECT_FALSE(std::filesystem::exists(h.options.dataDir / "io.tessera.test.good"));
}
