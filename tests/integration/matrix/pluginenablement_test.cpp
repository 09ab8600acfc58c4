// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
// Per-room plugin enablement on both backends: the io.tessera.plugin state event is written and
// read back through the backend, decided by the same code the shell uses, and a member without
// the power to send it is refused by the server (or the local rooms), leaving the room as it was.
#include <gtest/gtest.h>

#include "harness.h"
#include "plugins/pluginmanager.h"
#include "plugins/roomenablement.h"

using namespace tessera;
using namespace tessera::matrix;
using nlohmann::json;
using tessera::plugins::RoomPluginStatus;

namespace {

const std::string kPlugin = "org.example.board";

plugins::PluginRecord runningBoard()
{
    auto manifest = plugins::parseManifest(R"({
        "id": "org.example.board", "name": "Board", "version": "1.0.0", "abi": "1.0", "library": "board",
        "license": "MIT", "provides": {"widgetTypes": ["org.example.board"]},
        "configSchema": {"type": "object", "properties": {"columns": {"type": "integer", "minimum": 1}}}
    })");
    EXPECT_TRUE(manifest) << manifest.error().message;
    plugins::PluginRecord record;
    record.id = kPlugin;
    record.state = plugins::PluginState::Running;
    record.manifest = std::move(*manifest);
    return record;
}

class PluginEnablement : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override { h = tessera::test::makeHarness(GetParam()); }
    void TearDown() override { h.reset(); }

    /** What the shell decides for the board plugin in @p room, from the backend's own state. */
    plugins::RoomPluginDecision decide(const std::string &room)
    {
        auto state = h->call<std::vector<json>>([&](auto done) { h->backend().readState(room, "io.tessera.plugin", std::nullopt, done); });
        EXPECT_TRUE(state) << state.error().message;
        auto levels = h->call<std::vector<json>>([&](auto done) { h->backend().readState(room, "m.room.power_levels", std::string(), done); });
        EXPECT_TRUE(levels) << levels.error().message;
        const json powerLevels = levels && !levels->empty() ? (*levels)[0]["content"] : json();
        const plugins::PluginRecord board = runningBoard();
        return plugins::decideRoomPlugin(kPlugin, &board, {}, state ? *state : std::vector<json>{}, powerLevels,
                                         h->backend().userId());
    }

    std::unique_ptr<tessera::test::BackendHarness> h;
};

TEST_P(PluginEnablement, AnEnablingStateEventEnablesThePluginWithItsConfig)
{
    const std::string room = h->createRoom();
    EXPECT_EQ(decide(room).status, RoomPluginStatus::NotEnabledHere);

    auto content = plugins::makePluginStateContent(runningBoard(), true, {{"columns", 3}});
    ASSERT_TRUE(content) << content.error().message;
    ASSERT_TRUE(h->send(room, "io.tessera.plugin", *content, kPlugin));
    const auto d = decide(room);
    EXPECT_EQ(d.status, RoomPluginStatus::Enabled) << d.message;
    EXPECT_EQ(d.config, (json{{"columns", 3}}));
    EXPECT_EQ(d.setBy, h->backend().userId());

    // Turning it off is the same event with enabled false; the last one wins.
    auto off = plugins::makePluginStateContent(runningBoard(), false);
    ASSERT_TRUE(off);
    ASSERT_TRUE(h->send(room, "io.tessera.plugin", *off, kPlugin));
    EXPECT_EQ(decide(room).status, RoomPluginStatus::DisabledHere);
}

TEST_P(PluginEnablement, AMemberWithoutThePowerCannotChangeIt)
{
    const std::string room = h->createRoom();
    auto on = plugins::makePluginStateContent(runningBoard(), true);
    ASSERT_TRUE(on);
    ASSERT_TRUE(h->send(room, "io.tessera.plugin", *on, kPlugin));
    // The room now asks for power 100 to change plugins, and the user has 10.
    const json levels = {{"users", {{h->backend().userId(), 10}}},
                         {"events", {{"io.tessera.plugin", 100}}},
                         {"state_default", 50},
                         {"events_default", 0}};
    ASSERT_TRUE(h->send(room, "m.room.power_levels", levels, std::string()));
    EXPECT_FALSE(h->backend().canSendState(room, "io.tessera.plugin"));
    const auto before = decide(room);
    EXPECT_EQ(before.status, RoomPluginStatus::Enabled);
    EXPECT_FALSE(before.rights.currentUserCan);
    EXPECT_EQ(before.rights.requiredPowerLevel, 100);

    auto off = plugins::makePluginStateContent(runningBoard(), false);
    ASSERT_TRUE(off);
    SendRequest req;
    req.roomId = room;
    req.type = "io.tessera.plugin";
    req.stateKey = kPlugin;
    req.content = *off;
    auto refused = h->call<SendResult>([&](auto done) { h->backend().send(req, done); });
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::Denied);
    ASSERT_TRUE(refused.error().matrixApiError);
    EXPECT_EQ(refused.error().matrixApiError->httpStatus, 403);
    EXPECT_EQ(refused.error().matrixApiError->response["errcode"], "M_FORBIDDEN");
    EXPECT_EQ(decide(room).status, RoomPluginStatus::Enabled) << "the refused event changed nothing";
}

INSTANTIATE_TEST_SUITE_P(Backends, PluginEnablement, ::testing::Values("local", "matrix"),
                         [](const ::testing::TestParamInfo<std::string> &info) { return info.param; });

} // namespace
