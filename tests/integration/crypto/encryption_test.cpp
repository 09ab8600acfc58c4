// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// End-to-end encryption on real parts: the encryption engine's hidden page (matrix-sdk-crypto-wasm
// on Qt WebEngine, offscreen) driven by the Matrix backend, against the loopback test homeserver,
// with two Tessera accounts as each other's peer. (The independent peer, matrix-js-sdk, is in the
// end-to-end tests of the real binary.)

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QGuiApplication>
#include <QtWebEngineQuick/qtwebenginequickglobal.h>

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <memory>

#include "cryptoengine.h"
#include "homeserver/testhomeserver.h"
#include "matrix/encryptiongate.h"
#include "matrix/matrixbackend.h"
#include "net/httpclient.h"
#include "qtscheduler.h"
#include "schemehandler.h"
#include "sessionharness.h"
#include "tempdir.h"
#include "util/secretstore.h"

namespace tessera::test {
namespace {

using nlohmann::json;

/** Runs the Qt event loop until @p done holds or @p timeoutMs passes. */
bool pumpUntil(const std::function<bool()> &done, int timeoutMs = 60000)
{
    QElapsedTimer timer;
    timer.start();
    while (!done()) {
        if (timer.elapsed() > timeoutMs)
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
    }
    return true;
}

template<typename T>
Result<T> await(const std::function<void(std::function<void(Result<T>)>)> &start, int timeoutMs = 60000)
{
    std::optional<Result<T>> out;
    start([&](Result<T> r) { out.emplace(std::move(r)); });
    if (!pumpUntil([&] { return out.has_value(); }, timeoutMs))
        return Error(ErrorCode::Timeout, "no answer in time");
    return std::move(*out);
}

/** One Tessera account: its data directory, secrets, encryption engine and Matrix backend. */
class Client {
public:
    Client(ui::QtScheduler &scheduler, const std::string &user, const std::string &password, std::string baseUrl,
           std::shared_ptr<TempDir> dir = nullptr)
        : m_scheduler(scheduler), m_user(user), m_password(password), m_baseUrl(std::move(baseUrl)),
          m_dir(dir ? std::move(dir) : std::make_shared<TempDir>("tessera-crypto-it"))
    {
        m_http = std::make_unique<net::HttpClient>(scheduler);
        m_secrets = std::make_unique<FileSecretStore>(m_dir->path() / "secrets");
        open();
    }

    ~Client()
    {
        // The backend uses the HTTP client and drives the engine: it goes first.
        m_listener.reset();
        backend.reset();
        m_engine.reset();
    }
    Client(const Client &) = delete;
    Client &operator=(const Client &) = delete;

    void open()
    {
        m_engine = std::make_unique<ui::CryptoEngine>(m_dir->path() / "crypto", QStringLiteral("crypto-") + QString::fromStdString(m_user));
        matrix::MatrixBackendOptions o;
        o.dataDir = m_dir->path() / "matrix";
        o.secrets = m_secrets.get();
        o.syncTimeoutMs = 500;
        o.requestTimeoutMs = 10'000;
        o.initialBackoffMs = 50;
        o.maxBackoffMs = 400;
        o.crypto = m_engine.get();
        o.log = [this](matrix::LogLevel, const std::string &line) { log.push_back(line); };
        auto b = matrix::MatrixBackend::open(m_scheduler, *m_http, o);
        ASSERT_TRUE(b) << b.error().message;
        backend = std::move(b).value();
        matrix::RoomListener listener;
        listener.onEvent = [this](const json &e) { events.push_back(e); };
        listener.onEventDecrypted = [this](const json &e) { lateDecrypted.push_back(e); };
        listener.onToDevice = [this](const json &m) { toDevice.push_back(m); };
        m_listener = backend->addListener(listener);
    }

    /** Destroys the backend and the engine (what a restart does) and opens them again on the same data. */
    void reopen()
    {
        m_listener.reset();
        backend.reset();
        m_engine.reset();
        events.clear();
        lateDecrypted.clear();
        open();
        backend->start();
    }

    Result<matrix::SessionInfo> login()
    {
        matrix::LoginRequest req;
        req.homeserver = m_baseUrl;
        req.user = m_user;
        req.password = m_password;
        auto session = await<matrix::SessionInfo>([&](auto done) { backend->login(req, done); });
        if (session)
            backend->start();
        return session;
    }

    bool waitSynced()
    {
        const auto before = backend->completedSyncs();
        return pumpUntil([&] { return backend->completedSyncs() > before + 1; });
    }

    const json *find(const std::string &eventId) const
    {
        for (const auto &e : events) {
            if (e.value("event_id", "") == eventId)
                return &e;
        }
        return nullptr;
    }

    std::shared_ptr<TempDir> dir() const { return m_dir; }
    ui::CryptoEngine &engine() { return *m_engine; }
    SecretStore &secrets() { return *m_secrets; }

    std::unique_ptr<matrix::MatrixBackend> backend;
    std::vector<json> events;
    std::vector<json> lateDecrypted;
    std::vector<json> toDevice;
    std::vector<std::string> log;

private:
    ui::QtScheduler &m_scheduler;
    std::string m_user;
    std::string m_password;
    std::string m_baseUrl;
    std::shared_ptr<TempDir> m_dir;
    std::unique_ptr<net::HttpClient> m_http;
    std::unique_ptr<FileSecretStore> m_secrets;
    std::unique_ptr<ui::CryptoEngine> m_engine;
    std::unique_ptr<matrix::ListenerHandle> m_listener;
};

class Encryption : public ::testing::Test {
protected:
    void SetUp() override
    {
        e2e::HomeserverOptions options;
        options.maxRequests = 5000;
        options.maxLifetimeMs = 240'000;
        server = std::make_unique<e2e::TestHomeserver>(options);
        ASSERT_TRUE(server->createUser("alice", "alice-password", "Alice"));
        ASSERT_TRUE(server->createUser("bob", "bob-password", "Bob"));
        ASSERT_TRUE(server->start());
        scheduler = std::make_unique<ui::QtScheduler>();
    }

    void TearDown() override
    {
        clients.clear();
        scheduler.reset();
        server->stop();
    }

    Client &client(const std::string &user, std::shared_ptr<TempDir> dir = nullptr)
    {
        clients.push_back(std::make_unique<Client>(*scheduler, user, user + "-password", server->baseUrl(), std::move(dir)));
        return *clients.back();
    }

    /** Alice's encrypted room with bob joined, both synced. */
    std::string encryptedRoom(Client &alice, Client &bob)
    {
        e2e::RoomSpec spec;
        spec.creator = "alice";
        spec.name = "Secret";
        spec.preset = "private_chat";
        spec.initialState = json::array({{{"type", "m.room.encryption"}, {"state_key", ""},
                                          {"content", {{"algorithm", "m.megolm.v1.aes-sha2"}}}}});
        spec.join = {"bob"};
        auto room = server->createRoom(spec);
        EXPECT_TRUE(room);
        EXPECT_TRUE(pumpUntil([&] {
            auto a = alice.backend->room(*room);
            auto b = bob.backend->room(*room);
            return a && b && a->encrypted && b->encrypted;
        })) << "both see the encrypted room";
        return *room;
    }

    Result<std::string> send(Client &from, const std::string &roomId, const std::string &body)
    {
        matrix::SendRequest req;
        req.roomId = roomId;
        req.type = "m.room.message";
        req.content = {{"msgtype", "m.text"}, {"body", body}};
        auto sent = await<matrix::SendResult>([&](auto done) { from.backend->send(req, done); });
        if (!sent)
            return std::move(sent).error();
        return sent->eventId;
    }

    std::unique_ptr<e2e::TestHomeserver> server;
    std::unique_ptr<ui::QtScheduler> scheduler;
    std::vector<std::unique_ptr<Client>> clients;
};

TEST_F(Encryption, TheEngineLoadsInTheHiddenPageAndReportsItsFigures)
{
    TempDir dir("tessera-crypto-engine");
    ui::CryptoEngine engine(dir.path(), QStringLiteral("crypto-figures"));
    QElapsedTimer timer;
    timer.start();
    auto identity = await<json>([&](auto done) {
        engine.call("init", {{"userId", "@alice:tessera.test"}, {"deviceId", "FIGURES"}, {"storeName", "figures"},
                             {"passphrase", "p"}},
                    done);
    });
    ASSERT_TRUE(identity) << identity.error().message;
    const auto total = timer.elapsed();
    EXPECT_EQ((*identity)["ed25519"].get<std::string>().size(), 43u) << identity->dump();
    EXPECT_EQ((*identity)["curve25519"].get<std::string>().size(), 43u);
    // Figures for the record (bench/ measures them properly).
    std::cout << "[ figures ] page + init " << total << " ms; WebAssembly " << (*identity)["wasmLoadMs"]
              << " ms; store " << (*identity)["machineMs"] << " ms; matrix-sdk-crypto "
              << (*identity)["versions"]["sdk"] << ", vodozemac " << (*identity)["versions"]["vodozemac"] << '\n';
    EXPECT_EQ(engine.refusedRequests(), 0) << "the engine asked for nothing outside its own files";
    // Its first requests are the key upload and its own key query.
    auto outgoing = await<json>([&](auto done) { engine.call("outgoing", json::object(), done); });
    ASSERT_TRUE(outgoing) << outgoing.error().message;
    std::set<std::string> types;
    for (const auto &r : *outgoing)
        types.insert(r["type"].get<std::string>());
    EXPECT_TRUE(types.count("keys_upload")) << outgoing->dump();
}

TEST_F(Encryption, UnknownMethodsAndCallsBeforeInitAreRefusedWithAReason)
{
    TempDir dir("tessera-crypto-engine");
    ui::CryptoEngine engine(dir.path(), QStringLiteral("crypto-refusals"));
    auto early = await<json>([&](auto done) { engine.call("outgoing", json::object(), done); });
    ASSERT_FALSE(early);
    EXPECT_NE(early.error().message.find("has not been initialised"), std::string::npos) << early.error().message;
    auto unknown = await<json>([&](auto done) { engine.call("nonsense", json::object(), done); });
    ASSERT_FALSE(unknown);
    EXPECT_NE(unknown.error().message.find("unknown method nonsense"), std::string::npos) << unknown.error().message;
}

TEST_F(Encryption, TwoAccountsExchangeEncryptedMessagesThatTheServerCannotRead)
{
    Client &alice = client("alice");
    Client &bob = client("bob");
    ASSERT_TRUE(alice.login());
    ASSERT_TRUE(bob.login());
    ASSERT_TRUE(pumpUntil([&] { return alice.backend->encryptionReady() && bob.backend->encryptionReady(); }));
    const std::string roomId = encryptedRoom(alice, bob);

    auto hello = send(alice, roomId, "hello bob");
    ASSERT_TRUE(hello) << hello.error().message;
    // The server holds only ciphertext.
    const auto stored = server->roomEvents(roomId, "m.room.encrypted");
    ASSERT_EQ(stored.size(), 1u);
    EXPECT_EQ(stored[0]["event_id"], *hello);
    EXPECT_EQ(stored[0]["content"]["algorithm"], "m.megolm.v1.aes-sha2");
    EXPECT_EQ(stored[0].dump().find("hello bob"), std::string::npos);
    EXPECT_EQ(server->countEvents(roomId, "m.room.message"), 0u);

    // Bob's listener hears the decrypted event, in Element's shape.
    ASSERT_TRUE(pumpUntil([&] { return bob.find(*hello) != nullptr; }));
    const json &seen = *bob.find(*hello);
    EXPECT_EQ(seen["type"], "m.room.message") << seen.dump();
    EXPECT_EQ(seen["content"]["body"], "hello bob");
    EXPECT_EQ(seen["sender"], "@alice:tessera.test");
    EXPECT_EQ(seen["room_id"], roomId);
    auto info = bob.backend->decryptionInfo(*hello);
    ASSERT_TRUE(info);
    EXPECT_FALSE(info->failed);

    // And the other way round; a timeline read filtered on m.room.message finds both, decrypted.
    auto reply = send(bob, roomId, "hello alice");
    ASSERT_TRUE(reply) << reply.error().message;
    ASSERT_TRUE(pumpUntil([&] { return alice.find(*reply) != nullptr; }));
    EXPECT_EQ((*alice.find(*reply))["content"]["body"], "hello alice");
    matrix::TimelineQuery q;
    q.roomId = roomId;
    q.limit = 10;
    q.filter.types = {"m.room.message"};
    q.filter.msgtype = "m.text";
    auto page = await<matrix::TimelinePage>([&](auto done) { alice.backend->readTimeline(q, done); });
    ASSERT_TRUE(page) << page.error().message;
    ASSERT_EQ(page->events.size(), 2u);
    EXPECT_EQ(page->events[0]["content"]["body"], "hello alice");
    EXPECT_EQ(page->events[1]["content"]["body"], "hello bob");
}

TEST_F(Encryption, TheRoomKeyRotatesAsTheRoomsSettingsSayAndReachesMembersWhoJoinLater)
{
    ASSERT_TRUE(server->createUser("carol", "carol-password", "Carol"));
    Client &alice = client("alice");
    Client &bob = client("bob");
    Client &carol = client("carol");
    ASSERT_TRUE(alice.login());
    ASSERT_TRUE(bob.login());
    ASSERT_TRUE(carol.login());
    ASSERT_TRUE(pumpUntil([&] {
        return alice.backend->encryptionReady() && bob.backend->encryptionReady() && carol.backend->encryptionReady();
    }));
    e2e::RoomSpec spec;
    spec.creator = "alice";
    spec.preset = "private_chat";
    spec.initialState = json::array({{{"type", "m.room.encryption"}, {"state_key", ""},
                                      {"content", {{"algorithm", "m.megolm.v1.aes-sha2"}, {"rotation_period_msgs", 2}}}}});
    spec.join = {"bob"};
    auto roomId = server->createRoom(spec);
    ASSERT_TRUE(roomId);
    ASSERT_TRUE(pumpUntil([&] { return alice.backend->isEncrypted(*roomId) && bob.backend->isEncrypted(*roomId); }));
    std::vector<std::string> sessions;
    for (int i = 0; i < 3; ++i) {
        auto sent = send(alice, *roomId, "message " + std::to_string(i));
        ASSERT_TRUE(sent) << sent.error().message;
        sessions.push_back(server->roomEvents(*roomId, "m.room.encrypted").back()["content"]["session_id"]);
    }
    EXPECT_EQ(sessions[0], sessions[1]);
    EXPECT_NE(sessions[1], sessions[2]) << "a new room key after rotation_period_msgs (2) messages";

    // Carol joins: the next message is encrypted so that she (and bob) can read it.
    ASSERT_TRUE(server->invite(*roomId, "alice", "carol"));
    ASSERT_TRUE(server->joinRoom("carol", *roomId));
    ASSERT_TRUE(pumpUntil([&] {
        auto members = await<std::vector<json>>([&](auto done) {
            alice.backend->readState(*roomId, "m.room.member", std::string("@carol:tessera.test"), done);
        });
        return members && !members->empty() && (*members)[0]["content"]["membership"] == "join";
    }));
    auto after = send(alice, *roomId, "welcome carol");
    ASSERT_TRUE(after) << after.error().message;
    ASSERT_TRUE(pumpUntil([&] { return carol.find(*after) != nullptr && bob.find(*after) != nullptr; }));
    EXPECT_EQ((*carol.find(*after))["content"]["body"], "welcome carol");
    EXPECT_EQ((*bob.find(*after))["content"]["body"], "welcome carol");
}

TEST_F(Encryption, AnEventDecryptedBeforeItsKeyArrivedIsGivenAgainWhenItDoes)
{
    Client &alice = client("alice");
    Client &bob = client("bob");
    ASSERT_TRUE(alice.login());
    ASSERT_TRUE(bob.login());
    ASSERT_TRUE(pumpUntil([&] { return alice.backend->encryptionReady() && bob.backend->encryptionReady(); }));
    const std::string roomId = encryptedRoom(alice, bob);
    ASSERT_TRUE(bob.waitSynced());
    bob.backend->stop(); // bob's device does not hear the room key yet
    auto late = send(alice, roomId, "the key comes later");
    ASSERT_TRUE(late) << late.error().message;
    json wire = server->roomEvents(roomId, "m.room.encrypted").back();
    auto before = await<matrix::DecryptedEvent>([&](auto done) { bob.backend->encryption()->decryptRoomEvent(wire, done); });
    ASSERT_TRUE(before);
    EXPECT_TRUE(before->info.failed);
    EXPECT_EQ(before->info.failureCode, "missing_room_key") << before->info.failureMessage;
    EXPECT_EQ(before->event["type"], "m.room.encrypted");

    bob.backend->start(); // the sync brings the room key
    ASSERT_TRUE(pumpUntil([&] {
        return std::any_of(bob.lateDecrypted.begin(), bob.lateDecrypted.end(),
                           [&](const json &e) { return e["event_id"] == *late; });
    }));
    const json &healed = bob.lateDecrypted.back();
    EXPECT_EQ(healed["type"], "m.room.message");
    EXPECT_EQ(healed["content"]["body"], "the key comes later");
}

TEST_F(Encryption, ARestartKeepsTheSessionsAndTheKeyOfTheStoreStaysInTheSecretStore)
{
    Client &alice = client("alice");
    Client &bob = client("bob");
    ASSERT_TRUE(alice.login());
    ASSERT_TRUE(bob.login());
    ASSERT_TRUE(pumpUntil([&] { return alice.backend->encryptionReady() && bob.backend->encryptionReady(); }));
    const std::string roomId = encryptedRoom(alice, bob);
    auto first = send(alice, roomId, "before the restart");
    ASSERT_TRUE(first);
    ASSERT_TRUE(pumpUntil([&] { return bob.find(*first) != nullptr; }));
    auto key = bob.secrets().read(matrix::MatrixBackend::kCryptoStoreSecret);
    ASSERT_TRUE(key && *key && (*key)->size() >= 32) << "the store key is in the secret store";
    const std::string fingerprint = bob.backend->encryption()->identity().ed25519;

    bob.reopen();
    ASSERT_TRUE(pumpUntil([&] { return bob.backend->encryptionReady(); }));
    EXPECT_EQ(bob.backend->encryption()->identity().ed25519, fingerprint) << "the same device identity after a restart";
    // The old message still decrypts (the room key was stored), and a new one in the same session too.
    matrix::TimelineQuery q;
    q.roomId = roomId;
    q.limit = 5;
    q.filter.types = {"m.room.message"};
    auto page = await<matrix::TimelinePage>([&](auto done) { bob.backend->readTimeline(q, done); });
    ASSERT_TRUE(page) << page.error().message;
    ASSERT_FALSE(page->events.empty());
    EXPECT_EQ(page->events[0]["content"]["body"], "before the restart");
    auto second = send(alice, roomId, "after the restart");
    ASSERT_TRUE(second);
    ASSERT_TRUE(pumpUntil([&] { return bob.find(*second) != nullptr; }));
    EXPECT_EQ((*bob.find(*second))["content"]["body"], "after the restart");
}

TEST_F(Encryption, AnEventReadWhileTheEngineStartsIsGivenAgainDecryptedWhenItIsReady)
{
    Client &alice = client("alice");
    Client &bob = client("bob");
    ASSERT_TRUE(alice.login());
    ASSERT_TRUE(bob.login());
    ASSERT_TRUE(pumpUntil([&] { return alice.backend->encryptionReady() && bob.backend->encryptionReady(); }));
    const std::string roomId = encryptedRoom(alice, bob);
    auto first = send(alice, roomId, "read during the start");
    ASSERT_TRUE(first);
    ASSERT_TRUE(pumpUntil([&] { return bob.find(*first) != nullptr; }));

    // Right after a restart the timeline is read before the machine's store is open: the event
    // comes out still encrypted, and is given again, decrypted, once the machine is ready.
    bob.reopen();
    ASSERT_FALSE(bob.backend->encryptionReady());
    matrix::TimelineQuery q;
    q.roomId = roomId;
    q.limit = 5;
    auto page = await<matrix::TimelinePage>([&](auto done) { bob.backend->readTimeline(q, done); });
    ASSERT_TRUE(page) << page.error().message;
    ASSERT_FALSE(page->events.empty());
    EXPECT_EQ(page->events[0]["event_id"], *first);
    EXPECT_EQ(page->events[0]["type"], "m.room.encrypted") << "not decrypted while the engine starts";
    ASSERT_TRUE(pumpUntil([&] {
        return std::any_of(bob.lateDecrypted.begin(), bob.lateDecrypted.end(),
                           [&](const json &e) { return e.value("event_id", "") == *first; });
    })) << "given again once the engine is ready";
    for (const auto &e : bob.lateDecrypted) {
        if (e.value("event_id", "") == *first) {
            EXPECT_EQ(e["type"], "m.room.message");
            EXPECT_EQ(e["content"]["body"], "read during the start");
        }
    }
}

TEST_F(Encryption, TheGateLetsThroughWhatTheBackendEncryptsAndRefusesWhatItCannot)
{
    Client &alice = client("alice");
    Client &bob = client("bob");
    ASSERT_TRUE(alice.login());
    ASSERT_TRUE(bob.login());
    ASSERT_TRUE(pumpUntil([&] { return alice.backend->encryptionReady() && bob.backend->encryptionReady(); }));
    const std::string megolm = encryptedRoom(alice, bob);
    RecordingAuditSink audit;
    matrix::EncryptionGate gate(*alice.backend, *scheduler, audit);

    // A Megolm room: the gate lets the send through and the backend encrypts it.
    EXPECT_TRUE(gate.canEncrypt(megolm));
    matrix::SendRequest req;
    req.roomId = megolm;
    req.type = "m.room.message";
    req.content = {{"msgtype", "m.text"}, {"body", "through the gate"}};
    auto sent = await<matrix::SendResult>([&](auto done) { gate.send(req, done); });
    ASSERT_TRUE(sent) << sent.error().message;
    EXPECT_EQ(server->roomEvents(megolm, "m.room.encrypted").size(), 1u);
    ASSERT_TRUE(pumpUntil([&] { return bob.find(sent->eventId) != nullptr; }));
    EXPECT_EQ((*bob.find(sent->eventId))["content"]["body"], "through the gate");

    // A room whose algorithm Tessera does not know: refused before it leaves, and audited.
    e2e::RoomSpec spec;
    spec.creator = "alice";
    spec.name = "Unknown";
    spec.initialState = json::array({{{"type", "m.room.encryption"}, {"state_key", ""},
                                      {"content", {{"algorithm", "org.example.unknown-algorithm"}}}}});
    auto unknown = server->createRoom(spec);
    ASSERT_TRUE(unknown);
    ASSERT_TRUE(pumpUntil([&] { return alice.backend->isEncrypted(*unknown); }));
    EXPECT_FALSE(gate.canEncrypt(*unknown));
    req.roomId = *unknown;
    auto refused = await<matrix::SendResult>([&](auto done) { gate.send(req, done); });
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::EncryptionRequired);
    EXPECT_EQ(refused.error().message, matrix::kEncryptedRoomRefusal);
    EXPECT_EQ(audit.with(audit::Decision::Refused, "send").size(), 1u);
    EXPECT_EQ(server->countEvents(*unknown, "m.room.message") + server->countEvents(*unknown, "m.room.encrypted"), 0u);

    // Encrypted to-device: through the gate to a device with keys; refused for one without.
    auto toBob = await<bool>([&](auto done) {
        gate.sendEncryptedToDevice("io.tessera.test.ping", {{"@bob:tessera.test", {{"*", {{"n", 1}}}}}}, "w",
                                   [done](Result<void> r) { r ? done(true) : done(std::move(r).error()); });
    });
    EXPECT_TRUE(toBob) << toBob.error().message;
    auto nobody = await<bool>([&](auto done) {
        gate.sendEncryptedToDevice("io.tessera.test.ping", {{"@bob:tessera.test", {{"NOSUCHDEVICE", {{"n", 2}}}}}}, "w",
                                   [done](Result<void> r) { r ? done(true) : done(std::move(r).error()); });
    });
    ASSERT_FALSE(nobody);
    EXPECT_EQ(nobody.error().code, ErrorCode::EncryptionRequired) << nobody.error().message;
}

TEST_F(Encryption, AnEncryptedToDeviceMessageReachesTheOtherDeviceDecrypted)
{
    Client &alice = client("alice");
    Client &bob = client("bob");
    ASSERT_TRUE(alice.login());
    ASSERT_TRUE(bob.login());
    ASSERT_TRUE(pumpUntil([&] { return alice.backend->encryptionReady() && bob.backend->encryptionReady(); }));
    encryptedRoom(alice, bob);
    const json messages{{"@bob:tessera.test", {{bob.backend->deviceId(), {{"call_id", "c1"}, {"keys", "media-key"}}}}}};
    auto sent = await<void>([&](auto done) {
        alice.backend->sendEncryptedToDevice("io.element.call.encryption_keys", messages, "call-widget", done);
    });
    ASSERT_TRUE(sent) << sent.error().message;
    ASSERT_TRUE(pumpUntil([&] {
        return std::any_of(bob.toDevice.begin(), bob.toDevice.end(),
                           [](const json &m) { return m["type"] == "io.element.call.encryption_keys"; });
    }));
    const auto it = std::find_if(bob.toDevice.begin(), bob.toDevice.end(),
                                 [](const json &m) { return m["type"] == "io.element.call.encryption_keys"; });
    EXPECT_TRUE((*it)["encrypted"].get<bool>());
    EXPECT_EQ((*it)["sender"], "@alice:tessera.test");
    EXPECT_EQ((*it)["content"]["keys"], "media-key");
    // The encryption protocol's own messages (the room key, Olm housekeeping) never reach listeners.
    for (const auto &m : bob.toDevice) {
        const std::string type = m["type"];
        EXPECT_NE(type.rfind("m.room_key", 0), 0u) << type;
        EXPECT_NE(type, "m.room.encrypted");
    }
    // A device nobody has keys for cannot be reached: refused, nothing sent in the clear.
    auto unknown = await<void>([&](auto done) {
        alice.backend->sendEncryptedToDevice("io.element.call.encryption_keys",
                                             {{"@bob:tessera.test", {{"NOSUCHDEVICE", {{"keys", "x"}}}}}}, "call-widget", done);
    });
    EXPECT_FALSE(unknown);
}

} // namespace
} // namespace tessera::test

// WebEngine must be set up before the application exists; the page runs offscreen.
int main(int argc, char **argv)
{
    if (geteuid() == 0)
        setenv("QTWEBENGINE_DISABLE_SANDBOX", "1", 0);
    setenv("QT_QPA_PLATFORM", "offscreen", 0);
    ::testing::InitGoogleTest(&argc, argv);
    tessera::ui::registerSchemes();
    QtWebEngineQuick::initialize();
    QGuiApplication app(argc, argv);
    return RUN_ALL_TESTS();
}
