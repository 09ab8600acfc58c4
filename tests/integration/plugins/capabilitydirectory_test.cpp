// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "consent/capabilitytext.h"
#include "pluginharness.h"
#include "plugins/capabilitydirectory.h"

using tessera::bridge::CapabilityVerdict;
using tessera::consent::describeCapability;
using tessera::consent::Language;
using tessera::plugins::PluginCapabilityDirectory;
using tessera::test::fixture;
using tessera::test::PluginHarness;

TEST(PluginCapabilityDirectory, DescribesALoadedPluginsCapabilityInItsOwnWords)
{
    PluginHarness h;
    h.load({fixture("good")});
    const PluginCapabilityDirectory directory(h.actions, h.manager.get());
    const auto info = directory.findCustomCapability("io.tessera.test.good.echo");
    ASSERT_TRUE(info);
    EXPECT_EQ(info->pluginName, "Good fixture");
    EXPECT_EQ(info->description, "Echo test requests");
    const auto d = describeCapability("io.tessera.test.good.echo", Language::English, &directory);
    EXPECT_EQ(d.verdict, CapabilityVerdict::Recognised);
    EXPECT_EQ(d.text, "Handled by the plugin Good fixture: Echo test requests");
    EXPECT_FALSE(directory.findCustomCapability("io.tessera.test.good.other"));
}

TEST(PluginCapabilityDirectory, AStoppedPluginsCapabilityIsRefusedAndSaysSo)
{
    PluginHarness h;
    h.load({fixture("good")});
    const PluginCapabilityDirectory directory(h.actions, h.manager.get());
    h.manager->shutdown();
    // What the text says follows what the sessions would grant: nothing any more.
    EXPECT_FALSE(directory.isCustomCapability("io.tessera.test.good.echo"));
    const auto d = describeCapability("io.tessera.test.good.echo", Language::English, &directory);
    EXPECT_EQ(d.verdict, CapabilityVerdict::Unknown);
    EXPECT_NE(d.text.find("always refused"), std::string::npos) << d.text;
}
