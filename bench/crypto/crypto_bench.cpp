// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// Tessera's side of the encryption benchmark (bench/crypto/run.sh runs the peer in the same
// script): two accounts signed in to a test homeserver, each with its encryption engine (the
// hidden page running matrix-sdk-crypto-wasm, driven from C++ through the Matrix backend), share
// an encrypted room. After one message has shared the room key it measures
//   encrypt: Encryption::encryptRoomEvent, one after the other (each also checks that every
//            member's device has the room key, as a real send does), events/s;
//   decrypt: the other account decrypting those events (Encryption::decryptRoomEvents, a fresh
//            event id each, so no cache answers), events/s;
//   memory:  PSS of the encryption page's renderer process, and of the whole application.
// Prints one JSON line.
//
//   tessera-bench-crypto --homeserver URL [--events N]   (users alice and bob, password "<user>-password")

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QGuiApplication>
#include <QtWebEngineQuick/qtwebenginequickglobal.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "cryptoengine.h"
#include "matrix/matrixbackend.h"
#include "net/httpclient.h"
#include "qtscheduler.h"
#include "schemehandler.h"
#include "tempdir.h"
#include "util/secretstore.h"

using namespace tessera;
using nlohmann::json;

namespace {

bool pumpUntil(const std::function<bool()> &done, int timeoutMs = 120000)
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
Result<T> await(const std::function<void(std::function<void(Result<T>)>)> &start)
{
    std::optional<Result<T>> out;
    start([&](Result<T> r) { out.emplace(std::move(r)); });
    if (!pumpUntil([&] { return out.has_value(); }))
        return Error(ErrorCode::Timeout, "no answer in time");
    return std::move(*out);
}

/** PSS in KiB of one process (/proc/PID/smaps_rollup), 0 if unreadable. */
long pssKib(long pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/smaps_rollup");
    std::string key;
    long value = 0;
    std::string unit;
    while (in >> key) {
        if (key == "Pss:") {
            in >> value >> unit;
            return value;
        }
        in.ignore(4096, '\n');
    }
    return 0;
}

/** PSS of this process and all its descendants (the WebEngine processes). */
long treePssKib(long pid)
{
    long total = pssKib(pid);
    std::ifstream children("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
    long child = 0;
    while (children >> child)
        total += treePssKib(child);
    return total;
}

struct Account {
    std::unique_ptr<FileSecretStore> secrets;
    std::unique_ptr<ui::CryptoEngine> engine;
    std::unique_ptr<matrix::MatrixBackend> backend;
};

int fail(const std::string &what)
{
    std::cerr << "tessera-bench-crypto: " << what << '\n';
    return 1;
}

} // namespace

int main(int argc, char **argv)
{
    std::string homeserver;
    int events = 500;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        if (flag == "--homeserver")
            homeserver = argv[i + 1];
        else if (flag == "--events")
            events = std::max(1, std::atoi(argv[i + 1]));
    }
    if (homeserver.empty())
        return fail("usage: tessera-bench-crypto --homeserver URL [--events N]");
    if (geteuid() == 0)
        setenv("QTWEBENGINE_DISABLE_SANDBOX", "1", 0);
    setenv("QT_QPA_PLATFORM", "offscreen", 0);
    ui::registerSchemes();
    QtWebEngineQuick::initialize();
    int qtArgc = 1;
    QGuiApplication app(qtArgc, argv);

    // Declared before the accounts, so removed after them, on every way out.
    const test::TempDir scratch("tessera-bench-crypto");
    const std::filesystem::path &dir = scratch.path();
    ui::QtScheduler scheduler;
    net::HttpClient http(scheduler);

    auto account = [&](const std::string &user) -> std::unique_ptr<Account> {
        auto a = std::make_unique<Account>();
        a->secrets = std::make_unique<FileSecretStore>(dir / user / "secrets");
        a->engine = std::make_unique<ui::CryptoEngine>(dir / user / "crypto", QString::fromStdString("bench-" + user));
        matrix::MatrixBackendOptions o;
        o.dataDir = dir / user / "matrix";
        o.secrets = a->secrets.get();
        o.syncTimeoutMs = 1000;
        o.crypto = a->engine.get();
        auto b = matrix::MatrixBackend::open(scheduler, http, o);
        if (!b)
            return nullptr;
        a->backend = std::move(b).value();
        matrix::LoginRequest req;
        req.homeserver = homeserver;
        req.user = user;
        req.password = user + "-password";
        if (!await<matrix::SessionInfo>([&](auto done) { a->backend->login(req, done); }))
            return nullptr;
        a->backend->start();
        if (!pumpUntil([&] { return a->backend->encryptionReady() && a->backend->completedSyncs() > 0; }))
            return nullptr;
        return a;
    };
    auto alice = account("alice");
    auto bob = account("bob");
    if (!alice || !bob)
        return fail("the accounts could not sign in to " + homeserver);

    // The room: created by alice, encrypted, bob joined.
    matrix::CreateRoomRequest create;
    create.name = "Bench";
    create.initialState = {{{"type", "m.room.encryption"}, {"state_key", ""}, {"content", {{"algorithm", "m.megolm.v1.aes-sha2"}}}}};
    create.invite = {"@bob:" + matrix::serverNameOf(alice->backend->userId())};
    auto roomId = await<std::string>([&](auto done) { alice->backend->createRoom(create, done); });
    if (!roomId)
        return fail("createRoom: " + roomId.error().message);
    if (!pumpUntil([&] { return bob->backend->room(*roomId).has_value(); }))
        return fail("bob never saw the invite");
    if (!await<std::string>([&](auto done) { bob->backend->joinRoom(*roomId, done); }))
        return fail("bob could not join");
    if (!pumpUntil([&] {
            auto a = alice->backend->room(*roomId);
            auto b = bob->backend->room(*roomId);
            return a && a->encrypted && b && b->membership == matrix::Membership::Join;
        }))
        return fail("the room never settled");
    // Alice must see bob joined before the first send, or the key would not reach him.
    if (!pumpUntil([&] {
            auto members = await<std::vector<json>>([&](auto done) {
                alice->backend->readState(*roomId, "m.room.member", "@bob:" + matrix::serverNameOf(alice->backend->userId()), done);
            });
            return members && !members->empty() && (*members)[0]["content"].value("membership", "") == "join";
        }))
        return fail("alice never saw bob join");

    // One real message shares the room key; bob decrypting it proves he holds the key.
    matrix::SendRequest warm;
    warm.roomId = *roomId;
    warm.type = "m.room.message";
    warm.content = {{"msgtype", "m.text"}, {"body", "warm-up"}};
    auto sent = await<matrix::SendResult>([&](auto done) { alice->backend->send(warm, done); });
    if (!sent)
        return fail("warm-up send: " + sent.error().message);
    bool bobHasKey = false;
    pumpUntil([&] {
        matrix::TimelineQuery q;
        q.roomId = *roomId;
        q.limit = 5;
        q.filter.types = {"m.room.message"};
        auto page = await<matrix::TimelinePage>([&](auto done) { bob->backend->readTimeline(q, done); });
        bobHasKey = page && !page->events.empty();
        return bobHasKey;
    });
    if (!bobHasKey)
        return fail("bob never decrypted the warm-up message");

    // Encrypt.
    std::vector<json> contents;
    contents.reserve(std::size_t(events));
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < events; ++i) {
        const json content{{"msgtype", "m.text"}, {"body", "benchmark message " + std::to_string(i) + " with some words in it"}};
        auto encrypted = await<json>([&](auto done) {
            alice->backend->encryption()->encryptRoomEvent(*roomId, "m.room.message", content, done);
        });
        if (!encrypted)
            return fail("encrypt: " + encrypted.error().message);
        contents.push_back(std::move(*encrypted));
    }
    const double encryptSeconds = double(timer.nsecsElapsed()) / 1e9;

    // Decrypt (as events on the wire: fresh ids, so nothing is answered from a cache).
    std::vector<json> wire;
    for (int i = 0; i < events; ++i) {
        wire.push_back({{"type", "m.room.encrypted"},
                        {"event_id", "$bench" + std::to_string(i)},
                        {"sender", alice->backend->userId()},
                        {"room_id", *roomId},
                        {"origin_server_ts", 1700000000000 + i},
                        {"content", contents[std::size_t(i)]}});
    }
    timer.restart();
    auto decrypted = await<std::vector<matrix::DecryptedEvent>>([&](auto done) {
        bob->backend->encryption()->decryptRoomEvents(wire, done);
    });
    const double decryptSeconds = double(timer.nsecsElapsed()) / 1e9;
    if (!decrypted)
        return fail("decrypt: " + decrypted.error().message);
    int failures = 0;
    for (const auto &d : *decrypted)
        failures += d.info.failed ? 1 : 0;
    if (failures > 0)
        return fail(std::to_string(failures) + " events did not decrypt");

    const long pagePss = pssKib(bob->engine->rendererPid());
    const long appPss = treePssKib(getpid());
    json out{{"impl", "tessera"},
             {"events", events},
             {"encrypt_per_s", double(events) / encryptSeconds},
             {"decrypt_per_s", double(events) / decryptSeconds},
             {"page_pss_kib", pagePss},
             {"pages", 2},
             {"app_tree_pss_kib", appPss}};
    std::cout << out.dump() << std::endl;

    bob->backend.reset();
    alice->backend.reset();
    bob->engine.reset();
    alice->engine.reset();
    return 0;
}
