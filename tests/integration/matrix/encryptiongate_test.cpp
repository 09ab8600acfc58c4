// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
// The EncryptionGate in front of both backends (local rooms, and the Matrix backend on the
// loopback homeserver): nothing leaves in plaintext for an encrypted room, whoever sends it
// (directly, or a widget through its driver), every refusal is audited, and what Matrix never
// encrypts (state, redactions) still goes through.
#include <gtest/gtest.h>

#include "harness.h"
#include "matrix/backenddriver.h"
#include "matrix/encryptiongate.h"
#include "sessionharness.h"

using namespace tessera;
using namespace tessera::matrix;
using nlohmann::json;
using tessera::test::BackendHarness;
using tessera::test::RecordingAuditSink;

namespace {

const json kMegolm = {{"algorithm", "m.megolm.v1.aes-sha2"}};

class GateBehaviour : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override
    {
        h = tessera::test::makeHarness(GetParam());
        gate = std::make_unique<EncryptionGate>(h->backend(), h->scheduler(), audit);
        driver = std::make_unique<BackendWidgetDriver>(h->scheduler(), *gate);
        encryptedRoom = createEncryptedRoom("Secret");
        plainRoom = h->createRoom("Open");
        widget.widgetId = "w_enc";
        widget.roomId = encryptedRoom;
        widget.origin = "https://widget.example";
    }
    void TearDown() override
    {
        driver.reset();
        gate.reset();
        h.reset();
    }

    std::string createEncryptedRoom(const std::string &name)
    {
        CreateRoomRequest req;
        req.name = name;
        req.initialState.push_back({{"type", "m.room.encryption"}, {"state_key", ""}, {"content", kMegolm}});
        auto id = h->call<std::string>([&](auto done) { h->backend().createRoom(req, done); });
        EXPECT_TRUE(id) << id.error().message;
        if (!id)
            return {};
        EXPECT_TRUE(h->waitForRoom(*id));
        EXPECT_TRUE(h->pumpUntil([&] { return h->backend().isEncrypted(*id); })) << "the backend never saw the encryption";
        return *id;
    }

    Result<SendResult> send(const SendRequest &req)
    {
        return h->call<SendResult>([&](auto done) { gate->send(req, done); });
    }

    static SendRequest message(const std::string &roomId, const std::string &body)
    {
        SendRequest req;
        req.roomId = roomId;
        req.type = "m.room.message";
        req.content = {{"msgtype", "m.text"}, {"body", body}};
        return req;
    }

    std::vector<RecordingAuditSink::Row> outgoingRows() const
    {
        std::vector<RecordingAuditSink::Row> out;
        for (const auto &r : audit.rows) {
            if (r.category == audit::Category::Outgoing)
                out.push_back(r);
        }
        return out;
    }

    RecordingAuditSink audit;
    std::unique_ptr<BackendHarness> h;
    std::unique_ptr<EncryptionGate> gate;
    std::unique_ptr<BackendWidgetDriver> driver;
    bridge::WidgetContext widget;
    std::string encryptedRoom;
    std::string plainRoom;
};

TEST_P(GateBehaviour, AMessageForAnEncryptedRoomIsRefusedAndAuditedAndNeverStored)
{
    auto r = send(message(encryptedRoom, "a secret in plaintext"));
    ASSERT_FALSE(r) << "sent in plaintext to an encrypted room";
    EXPECT_EQ(r.error().code, ErrorCode::EncryptionRequired);
    EXPECT_EQ(r.error().message, kEncryptedRoomRefusal);
    EXPECT_EQ(h->authorityEventCount(encryptedRoom, "m.room.message"), 0u) << "the server (or rooms.db) got it";

    const auto rows = outgoingRows();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].decision, audit::Decision::Refused);
    EXPECT_EQ(rows[0].direction, audit::Direction::Internal);
    EXPECT_EQ(rows[0].roomId, encryptedRoom);
    EXPECT_EQ(rows[0].widgetId, "") << "the user's own send (the composer) names no widget";
    EXPECT_EQ(rows[0].action, "send");
    EXPECT_NE(rows[0].reason.find("m.room.message"), std::string::npos) << rows[0].reason;
    EXPECT_NE(rows[0].reason.find(kEncryptedRoomRefusal), std::string::npos) << rows[0].reason;
    EXPECT_EQ(rows[0].body, "") << "nothing of the content is kept";
}

TEST_P(GateBehaviour, EveryNonStateEventIsRefusedDelayedOnesToo)
{
    SendRequest reaction;
    reaction.roomId = encryptedRoom;
    reaction.type = "m.reaction";
    reaction.content = {{"m.relates_to", {{"rel_type", "m.annotation"}, {"event_id", "$x"}, {"key", "+1"}}}};
    auto r = send(reaction);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::EncryptionRequired);

    auto delayed = message(encryptedRoom, "later");
    delayed.delayMs = 60'000;
    auto d = send(delayed);
    ASSERT_FALSE(d);
    EXPECT_EQ(d.error().code, ErrorCode::EncryptionRequired);
    EXPECT_EQ(h->authorityPendingDelayed(), 0u);
    ASSERT_EQ(outgoingRows().size(), 2u);
    EXPECT_NE(outgoingRows()[1].reason.find("delayed"), std::string::npos) << outgoingRows()[1].reason;
}

TEST_P(GateBehaviour, StateAndRedactionsStillGoThrough)
{
    SendRequest topic;
    topic.roomId = encryptedRoom;
    topic.type = "m.room.topic";
    topic.stateKey = "";
    topic.content = {{"topic", "state is never encrypted"}};
    auto t = send(topic);
    ASSERT_TRUE(t) << t.error().message;
    ASSERT_TRUE(h->waitForEvent(t->eventId));

    auto red = h->call<std::string>([&](auto done) { gate->redact(encryptedRoom, t->eventId, std::string("tidy"), done); });
    ASSERT_TRUE(red) << red.error().message;
    EXPECT_TRUE(outgoingRows().empty());
}

TEST_P(GateBehaviour, AnUnencryptedRoomIsUntouched)
{
    auto r = send(message(plainRoom, "hello"));
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_TRUE(h->waitForEvent(r->eventId));
    EXPECT_EQ(h->authorityEventCount(plainRoom, "m.room.message"), 1u);
    EXPECT_TRUE(outgoingRows().empty());
}

TEST_P(GateBehaviour, ARoomThatTurnsEncryptionOnRefusesTheNextSend)
{
    ASSERT_TRUE(send(message(plainRoom, "before")));
    auto on = h->send(plainRoom, "m.room.encryption", kMegolm, std::string());
    ASSERT_TRUE(on) << on.error().message;
    ASSERT_TRUE(h->pumpUntil([&] { return gate->isEncrypted(plainRoom); }));
    auto after = send(message(plainRoom, "after"));
    ASSERT_FALSE(after);
    EXPECT_EQ(after.error().code, ErrorCode::EncryptionRequired);
    EXPECT_EQ(h->authorityEventCount(plainRoom, "m.room.message"), 1u);
}

TEST_P(GateBehaviour, AWidgetsSendThroughItsDriverIsRefusedInItsName)
{
    bridge::SendEventRequest req;
    req.roomId = encryptedRoom;
    req.type = "m.room.message";
    req.content = {{"msgtype", "m.text"}, {"body", "from a widget"}};
    auto r = h->call<bridge::SendEventResult>([&](auto done) { driver->sendEvent(widget, req, done); });
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::EncryptionRequired);
    EXPECT_EQ(r.error().message, kEncryptedRoomRefusal);
    EXPECT_EQ(h->authorityEventCount(encryptedRoom, "m.room.message"), 0u);
    ASSERT_EQ(outgoingRows().size(), 1u);
    EXPECT_EQ(outgoingRows()[0].widgetId, "w_enc");
}

TEST_P(GateBehaviour, AnEncryptedToDeviceMessageIsRefusedAPlainOneIsSent)
{
    const json messages = {{h->backend().userId(), {{"*", {{"k", "v"}}}}}};
    auto encrypted = h->call<bool>([&](auto done) { driver->sendToDevice(widget, "org.example.x", true, messages, done); });
    ASSERT_FALSE(encrypted);
    EXPECT_EQ(encrypted.error().code, ErrorCode::EncryptionRequired);
    EXPECT_EQ(encrypted.error().message, kEncryptedToDeviceRefusal);
    ASSERT_EQ(outgoingRows().size(), 1u);
    EXPECT_EQ(outgoingRows()[0].action, "send_to_device");
    EXPECT_EQ(outgoingRows()[0].widgetId, "w_enc");
    EXPECT_EQ(outgoingRows()[0].decision, audit::Decision::Refused);

    auto plain = h->call<bool>([&](auto done) { driver->sendToDevice(widget, "org.example.x", false, messages, done); });
    ASSERT_TRUE(plain) << plain.error().message;
}

TEST_P(GateBehaviour, ARefusalIsNeverSentEvenWhenTheAuditLogCannotRecordIt)
{
    audit.isAccepting = false;
    auto r = send(message(encryptedRoom, "unrecorded"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::EncryptionRequired);
    EXPECT_EQ(h->authorityEventCount(encryptedRoom, "m.room.message"), 0u);
}

INSTANTIATE_TEST_SUITE_P(Backends, GateBehaviour, ::testing::Values("local", "matrix"),
                         [](const auto &info) { return info.param; });

} // namespace
