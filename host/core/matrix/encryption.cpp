// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "matrix/encryption.h"

#include <algorithm>

#include "matrix/events.h"

namespace tessera::matrix {

namespace {

constexpr const char *kClient = "/_matrix/client/v3";

std::vector<std::string> stringList(const nlohmann::json &value)
{
    std::vector<std::string> out;
    if (value.is_array()) {
        for (const auto &v : value) {
            if (v.is_string())
                out.push_back(v.get<std::string>());
        }
    }
    return out;
}

bool startsWith(const std::string &text, const char *prefix)
{
    return text.rfind(prefix, 0) == 0;
}

/** To-device types of the encryption protocol itself (matrix-rust-sdk's internal types). */
bool isInternalToDeviceType(const std::string &type)
{
    return startsWith(type, "m.room_key") || startsWith(type, "m.secret.") || startsWith(type, "m.key.verification.") ||
           type == "m.room.encrypted" || type == "m.dummy" || type == "m.forwarded_room_key" ||
           startsWith(type, "m.olm.") || startsWith(type, "m.megolm.");
}

/** The HTTP request for one of the machine's outgoing requests, or why it cannot be sent. */
Result<ApiCall> httpFor(const nlohmann::json &request)
{
    const std::string type = jsonString(request, "type");
    ApiCall call;
    call.body = request.value("body", nlohmann::json::object());
    if (type == "keys_upload" || type == "keys_query" || type == "keys_claim" || type == "signature_upload") {
        call.method = "POST";
        call.path = std::string(kClient) + (type == "keys_upload"    ? "/keys/upload"
                                            : type == "keys_query"   ? "/keys/query"
                                            : type == "keys_claim"   ? "/keys/claim"
                                                                     : "/keys/signatures/upload");
    } else if (type == "to_device") {
        call.method = "PUT";
        call.path = std::string(kClient) + "/sendToDevice/" + ClientApi::segment(jsonString(request, "eventType")) + "/" +
                    ClientApi::segment(jsonString(request, "txnId"));
    } else if (type == "room_message") {
        call.method = "PUT";
        call.path = std::string(kClient) + "/rooms/" + ClientApi::segment(jsonString(request, "roomId")) + "/send/" +
                    ClientApi::segment(jsonString(request, "eventType")) + "/" +
                    ClientApi::segment(jsonString(request, "txnId"));
    } else if (type == "keys_backup") {
        call.method = "PUT";
        call.path = std::string(kClient) + "/room_keys/keys";
        call.query = {{"version", jsonString(request, "version")}};
    } else {
        return Error(ErrorCode::Unsupported, "the encryption engine asked for a request of unknown type '" + type + "'");
    }
    return call;
}

} // namespace

struct Encryption::RequestBatch {
    std::vector<nlohmann::json> requests;
    std::size_t next = 0;
    std::optional<Error> error;
    Callback<void> done;
};

struct Encryption::ToDeviceBatch {
    std::string type;
    std::vector<std::tuple<std::string, std::string, nlohmann::json>> calls; ///< (user, device, content)
    std::size_t next = 0;
    nlohmann::json out = nlohmann::json::object();
    std::vector<std::string> missing;
    Callback<nlohmann::json> done;
};

Encryption::Encryption(Scheduler &scheduler, CryptoMachine &machine, ApiFn api, RoomFn room, LogFn log,
                       EncryptionOptions options)
    : m_scheduler(scheduler), m_machine(machine), m_api(std::move(api)), m_room(std::move(room)), m_log(std::move(log)),
      m_options(options)
{
    m_machine.setNotify([alive = std::weak_ptr<int>(m_alive), this](const std::string &kind, const nlohmann::json &p) {
        if (alive.lock())
            onNotify(kind, p);
    });
}

Encryption::~Encryption()
{
    m_machine.setNotify({});
}

void Encryption::log(int level, const std::string &text) const
{
    if (m_log)
        m_log(level, text);
}

void Encryption::start(const std::string &userId, const std::string &deviceId, const std::string &storePassphrase,
                       Callback<DeviceIdentity> done)
{
    m_userId = userId;
    // One store per account and device: a new login (new device) starts a new store.
    const std::string storeName = "tessera-crypto-" + userId + "-" + deviceId;
    m_machine.call("init",
                   {{"userId", userId}, {"deviceId", deviceId}, {"storeName", storeName}, {"passphrase", storePassphrase}},
                   [alive = std::weak_ptr<int>(m_alive), this, done = std::move(done)](Result<nlohmann::json> r) {
                       if (!alive.lock())
                           return;
                       if (!r)
                           return done(std::move(r).error());
                       m_identity.ed25519 = jsonString(*r, "ed25519");
                       m_identity.curve25519 = jsonString(*r, "curve25519");
                       m_ready = true;
                       retryBeforeReady();
                       log(1, "end-to-end encryption ready (device fingerprint " + m_identity.ed25519 + "; WebAssembly " +
                                  std::to_string(jsonInt(*r, "wasmLoadMs")) + " ms, store " +
                                  std::to_string(jsonInt(*r, "machineMs")) + " ms)");
                       flush();
                       done(m_identity);
                   });
}

// --- sync ---------------------------------------------------------------------------------------

void Encryption::receiveSync(const nlohmann::json &response, Callback<std::vector<ReceivedToDevice>> done)
{
    nlohmann::json args = nlohmann::json::object();
    nlohmann::json toDevice = nlohmann::json::array();
    if (auto td = response.find("to_device"); td != response.end() && td->is_object()) {
        for (const auto &ev : td->value("events", nlohmann::json::array())) {
            if (ev.is_object())
                toDevice.push_back(ev);
        }
    }
    args["toDevice"] = std::move(toDevice);
    if (auto lists = response.find("device_lists"); lists != response.end() && lists->is_object()) {
        args["changed"] = stringList(lists->value("changed", nlohmann::json::array()));
        args["left"] = stringList(lists->value("left", nlohmann::json::array()));
    }
    nlohmann::json counts = nlohmann::json::object();
    if (auto c = response.find("device_one_time_keys_count"); c != response.end() && c->is_object()) {
        for (auto it = c->begin(); it != c->end(); ++it) {
            if (it->is_number_integer())
                counts[it.key()] = *it;
        }
    }
    args["otkCounts"] = std::move(counts);
    if (auto f = response.find("device_unused_fallback_key_types"); f != response.end() && f->is_array())
        args["fallbackTypes"] = stringList(*f);
    else
        args["fallbackTypes"] = nullptr;
    m_machine.call("sync", std::move(args),
                   [alive = std::weak_ptr<int>(m_alive), this, done = std::move(done)](Result<nlohmann::json> r) {
                       if (!alive.lock())
                           return;
                       if (!r)
                           return done(std::move(r).error());
                       std::vector<ReceivedToDevice> out;
                       for (const auto &p : r->value("toDevice", nlohmann::json::array())) {
                           const std::string kind = jsonString(p, "kind");
                           const nlohmann::json event = p.value("event", nlohmann::json::object());
                           // What the machine itself consumes (room keys, secrets, verification,
                           // Olm housekeeping) stays with it: the app and widgets never see it.
                           if (isInternalToDeviceType(jsonString(event, "type")))
                               continue;
                           if (kind == "decrypted" || kind == "plaintext") {
                               ReceivedToDevice message;
                               message.message = {{"sender", jsonString(event, "sender")},
                                                  {"type", event.value("type", nlohmann::json(""))},
                                                  {"content", event.value("content", nlohmann::json::object())}};
                               message.encrypted = kind == "decrypted";
                               out.push_back(std::move(message));
                           } else {
                               log(2, "a to-device message from " + jsonString(event, "sender") +
                                          (kind == "utd" ? " could not be decrypted" : " was not valid"));
                           }
                       }
                       flush();
                       done(std::move(out));
                   });
}

void Encryption::trackUsers(const std::vector<std::string> &users)
{
    if (users.empty())
        return;
    m_machine.call("track", {{"users", users}}, [alive = std::weak_ptr<int>(m_alive), this](Result<nlohmann::json> r) {
        if (!alive.lock())
            return;
        if (!r)
            log(2, "the encryption engine could not track room members: " + r.error().message);
        flush();
    });
}

// --- outgoing requests ----------------------------------------------------------------------------

void Encryption::flush(std::function<void()> done)
{
    if (done)
        m_flushWaiters.push_back(std::move(done));
    if (!m_ready) {
        finishFlush();
        return;
    }
    if (m_flushing) {
        m_flushAgain = true;
        return;
    }
    m_flushing = true;
    m_flushAgain = false;
    flushRound(0);
}

void Encryption::flushRound(int round)
{
    m_machine.call("outgoing", nlohmann::json::object(),
                   [alive = std::weak_ptr<int>(m_alive), this, round](Result<nlohmann::json> r) {
                       if (!alive.lock())
                           return;
                       if (!r || !r->is_array() || r->empty()) {
                           if (!r)
                               log(2, "the encryption engine's pending requests could not be read: " + r.error().message);
                           if (m_flushAgain && round + 1 < m_options.maxFlushRounds) {
                               m_flushAgain = false;
                               return flushRound(round + 1);
                           }
                           return finishFlush();
                       }
                       std::vector<nlohmann::json> requests(r->begin(), r->end());
                       sendRequests(std::move(requests), [alive, this, round](Result<void>) {
                           if (!alive.lock())
                               return;
                           // A round that sent something may have made more (a key query after an upload).
                           if (round + 1 < m_options.maxFlushRounds)
                               return flushRound(round + 1);
                           finishFlush();
                       });
                   });
}

void Encryption::finishFlush()
{
    m_flushing = false;
    auto waiters = std::move(m_flushWaiters);
    m_flushWaiters.clear();
    for (auto &w : waiters)
        w();
}

void Encryption::sendRequest(const nlohmann::json &request, Callback<void> done)
{
    auto call = httpFor(request);
    if (!call)
        return m_scheduler.post([done = std::move(done), e = std::move(call).error()]() mutable { done(std::move(e)); });
    m_api(*call, [alive = std::weak_ptr<int>(m_alive), this, request, done = std::move(done)](Result<ApiResponse> r) {
        if (!alive.lock())
            return;
        const std::string type = jsonString(request, "type");
        if (!r) {
            log(2, "the homeserver refused the encryption request " + type + ": " + r.error().message);
            return done(std::move(r).error());
        }
        if (!request.contains("id") || !request["id"].is_string())
            return done(Result<void>());
        m_machine.call("markSent", {{"id", request["id"]}, {"type", type}, {"response", r->json}},
                       [done](Result<nlohmann::json> marked) {
                           if (!marked)
                               return done(std::move(marked).error());
                           done(Result<void>());
                       });
    });
}

void Encryption::sendRequests(std::vector<nlohmann::json> requests, Callback<void> done)
{
    auto batch = std::make_shared<RequestBatch>();
    batch->requests = std::move(requests);
    batch->done = std::move(done);
    sendNext(std::move(batch));
}

void Encryption::sendNext(std::shared_ptr<RequestBatch> batch)
{
    // One after the other, in the machine's order; the first failure is reported after the rest went.
    if (batch->next >= batch->requests.size()) {
        auto done = std::move(batch->done);
        if (batch->error)
            return done(std::move(*batch->error));
        return done(Result<void>());
    }
    const nlohmann::json request = batch->requests[batch->next++];
    sendRequest(request, [alive = std::weak_ptr<int>(m_alive), this, batch](Result<void> r) {
        if (!alive.lock())
            return;
        if (!r && !batch->error)
            batch->error = r.error();
        sendNext(batch);
    });
}

// --- encrypting -----------------------------------------------------------------------------------

void Encryption::enqueue(Op op)
{
    m_ops.push_back(std::move(op));
    if (!m_opRunning)
        runOps();
}

void Encryption::runOps()
{
    if (m_ops.empty()) {
        m_opRunning = false;
        return;
    }
    m_opRunning = true;
    Op op = std::move(m_ops.front());
    m_ops.pop_front();
    op([alive = std::weak_ptr<int>(m_alive), this] {
        if (!alive.lock())
            return;
        // The next operation starts on a fresh turn, never inside the previous one's callback.
        m_scheduler.post([alive, this] {
            if (alive.lock())
                runOps();
        });
    });
}

void Encryption::claimMissingSessions(const std::vector<std::string> &users, Callback<void> done)
{
    m_machine.call("missingSessions", {{"users", users}},
                   [alive = std::weak_ptr<int>(m_alive), this, done = std::move(done)](Result<nlohmann::json> r) mutable {
                       if (!alive.lock())
                           return;
                       if (!r)
                           return done(std::move(r).error());
                       if (!r->is_object())
                           return done(Result<void>()); // every device has an Olm session
                       sendRequest(*r, std::move(done));
                   });
}

void Encryption::ensureRoomKey(const std::string &roomId, Callback<void> done)
{
    auto room = m_room(roomId);
    if (!room)
        return done(std::move(room).error());
    const std::vector<std::string> users = room->targets;
    const nlohmann::json settings = room->settings;
    // As matrix-js-sdk's RoomEncryptor: track the members, let their key queries finish, open
    // Olm sessions with devices that have none, then share the room key (rotated by the machine
    // per the room's settings) with every device, and only then encrypt.
    m_machine.call("track", {{"users", users}},
                   [alive = std::weak_ptr<int>(m_alive), this, users, settings, roomId,
                    done = std::move(done)](Result<nlohmann::json> tracked) mutable {
                       if (!alive.lock())
                           return;
                       if (!tracked)
                           return done(std::move(tracked).error());
                       flush([alive, this, users, settings, roomId, done = std::move(done)]() mutable {
                           if (!alive.lock())
                               return;
                           claimMissingSessions(users, [alive, this, users, settings, roomId,
                                                        done = std::move(done)](Result<void> claimed) mutable {
                               if (!alive.lock())
                                   return;
                               if (!claimed)
                                   return done(std::move(claimed).error());
                               m_machine.call("share", {{"roomId", roomId}, {"users", users}, {"settings", settings}},
                                              [alive, this, done = std::move(done)](Result<nlohmann::json> r) mutable {
                                                  if (!alive.lock())
                                                      return;
                                                  if (!r)
                                                      return done(std::move(r).error());
                                                  std::vector<nlohmann::json> requests;
                                                  if (r->is_array())
                                                      requests.assign(r->begin(), r->end());
                                                  sendRequests(std::move(requests), std::move(done));
                                              });
                           });
                       });
                   });
}

void Encryption::encryptRoomEvent(const std::string &roomId, const std::string &type, const nlohmann::json &content,
                                  Callback<nlohmann::json> done)
{
    if (!m_ready)
        return m_scheduler.post([done = std::move(done)]() {
            done(Error(ErrorCode::Unavailable, "end-to-end encryption is not ready yet"));
        });
    enqueue([this, roomId, type, content, done = std::move(done)](std::function<void()> next) mutable {
        ensureRoomKey(roomId, [alive = std::weak_ptr<int>(m_alive), this, roomId, type, content, next,
                               done = std::move(done)](Result<void> shared) mutable {
            if (!alive.lock())
                return;
            if (!shared) {
                done(Error(shared.error().code, "the room key could not be shared: " + shared.error().message));
                return next();
            }
            m_machine.call("encrypt", {{"roomId", roomId}, {"type", type}, {"content", content}},
                           [next, done = std::move(done)](Result<nlohmann::json> r) mutable {
                               done(std::move(r));
                               next();
                           });
        });
    });
}

void Encryption::encryptToDevice(const std::string &type, const nlohmann::json &messages, Callback<nlohmann::json> done)
{
    if (!m_ready)
        return m_scheduler.post([done = std::move(done)]() {
            done(Error(ErrorCode::Unavailable, "end-to-end encryption is not ready yet"));
        });
    std::vector<std::string> users;
    for (auto it = messages.begin(); it != messages.end(); ++it)
        users.push_back(it.key());
    enqueue([this, type, messages, users, done = std::move(done)](std::function<void()> next) mutable {
        auto fail = [next](Callback<nlohmann::json> &d, Error e) {
            d(std::move(e));
            next();
        };
        m_machine.call("track", {{"users", users}}, [alive = std::weak_ptr<int>(m_alive), this, type, messages, users, next,
                                                     fail, done = std::move(done)](Result<nlohmann::json> tracked) mutable {
            if (!alive.lock())
                return;
            if (!tracked)
                return fail(done, std::move(tracked).error());
            flush([alive, this, type, messages, users, next, fail, done = std::move(done)]() mutable {
                if (!alive.lock())
                    return;
                claimMissingSessions(users, [alive, this, type, messages, next, fail,
                                             done = std::move(done)](Result<void> claimed) mutable {
                    if (!alive.lock())
                        return;
                    if (!claimed)
                        return fail(done, std::move(claimed).error());
                    // One call per (user, device): each device may get its own content.
                    auto batch = std::make_shared<ToDeviceBatch>();
                    batch->type = type;
                    for (auto user = messages.begin(); user != messages.end(); ++user) {
                        for (auto device = user->begin(); device != user->end(); ++device)
                            batch->calls.emplace_back(user.key(), device.key(), *device);
                    }
                    batch->done = [next, done = std::move(done)](Result<nlohmann::json> r) mutable {
                        done(std::move(r));
                        next();
                    };
                    encryptNextToDevice(std::move(batch));
                });
            });
        });
    });
}

void Encryption::encryptNextToDevice(std::shared_ptr<ToDeviceBatch> batch)
{
    if (batch->next >= batch->calls.size()) {
        if (!batch->missing.empty())
            log(2, "a to-device message could not be encrypted for " + std::to_string(batch->missing.size()) +
                       " device(s) without a session");
        auto done = std::move(batch->done);
        if (batch->out.empty())
            return done(Error(ErrorCode::EncryptionRequired,
                              "None of the devices could be reached with encryption (their keys are not known), so "
                              "nothing was sent (it would have left unencrypted)"));
        return done(std::move(batch->out));
    }
    const auto [userId, deviceId, content] = batch->calls[batch->next++];
    m_machine.call("encryptToDevice", {{"userId", userId}, {"deviceIds", {deviceId}}, {"type", batch->type}, {"content", content}},
                   [alive = std::weak_ptr<int>(m_alive), this, batch, userId = userId](Result<nlohmann::json> r) {
                       if (!alive.lock())
                           return;
                       if (r && r->contains("messages") && (*r)["messages"].is_object()) {
                           for (auto u = (*r)["messages"].begin(); u != (*r)["messages"].end(); ++u) {
                               for (auto d = u->begin(); d != u->end(); ++d)
                                   batch->out[u.key()][d.key()] = *d;
                           }
                           for (const auto &m : stringList(r->value("missing", nlohmann::json::array())))
                               batch->missing.push_back(userId + " " + m);
                       } else {
                           batch->missing.push_back(userId);
                       }
                       encryptNextToDevice(batch);
                   });
}

// --- decrypting -----------------------------------------------------------------------------------

DecryptedEvent Encryption::fromResult(const nlohmann::json &event, const nlohmann::json &result) const
{
    DecryptedEvent out;
    out.wasEncrypted = true;
    out.info.sessionId = event.contains("content") && event["content"].is_object()
                             ? jsonString(event["content"], "session_id")
                             : std::string();
    if (result.contains("error")) {
        const auto &e = result["error"];
        out.event = event;
        out.info.failed = true;
        out.info.failureCode = jsonString(e, "code");
        out.info.failureMessage = jsonString(e, "message");
        return out;
    }
    const nlohmann::json clear = result.value("clear", nlohmann::json::object());
    // Element's shape (matrix-js-sdk's getEffectiveEvent): the wire event with the clear type and
    // content; everything else (event_id, sender, origin_server_ts, unsigned, room_id) stays.
    out.event = event;
    out.event["type"] = clear.value("type", nlohmann::json("m.room.message"));
    out.event["content"] = clear.value("content", nlohmann::json::object());
    out.info.senderDevice = jsonString(result, "senderDevice");
    if (auto shield = result.find("shield"); shield != result.end() && shield->is_object()) {
        out.info.shield = jsonString(*shield, "color");
        out.info.shieldMessage = jsonString(*shield, "message");
    }
    return out;
}

void Encryption::remember(const std::string &eventId, const DecryptedEvent &decrypted)
{
    if (eventId.empty())
        return;
    if (auto it = m_byId.find(eventId); it != m_byId.end()) {
        m_recent.erase(it->second);
        m_byId.erase(it);
    }
    m_recent.emplace_front(eventId, decrypted);
    m_byId[eventId] = m_recent.begin();
    while (m_recent.size() > m_options.maxDecryptedEvents) {
        m_byId.erase(m_recent.back().first);
        m_recent.pop_back();
    }
}

void Encryption::wait(const nlohmann::json &event, const std::string &sessionId)
{
    if (sessionId.empty())
        return;
    auto &list = m_waiting[sessionId];
    const std::string id = jsonString(event, "event_id");
    if (std::any_of(list.begin(), list.end(), [&](const nlohmann::json &e) { return jsonString(e, "event_id") == id; }))
        return;
    if (m_waitingCount >= m_options.maxWaitingEvents)
        return; // the limit: such events are decrypted again when read, not when the key arrives
    list.push_back(event);
    ++m_waitingCount;
}

void Encryption::decryptRoomEvent(const nlohmann::json &event, Callback<DecryptedEvent> done)
{
    if (jsonString(event, "type") != "m.room.encrypted") {
        DecryptedEvent plain;
        plain.event = event;
        return m_scheduler.post([done = std::move(done), plain = std::move(plain)]() mutable { done(std::move(plain)); });
    }
    const std::string eventId = jsonString(event, "event_id");
    if (auto it = m_byId.find(eventId); it != m_byId.end() && !it->second->second.info.failed) {
        DecryptedEvent cached = it->second->second;
        // The cached copy may be older than this one (a redaction, a new unsigned.age): keep this one's envelope.
        nlohmann::json fresh = event;
        fresh["type"] = cached.event["type"];
        fresh["content"] = cached.event["content"];
        cached.event = std::move(fresh);
        return m_scheduler.post([done = std::move(done), cached = std::move(cached)]() mutable { done(std::move(cached)); });
    }
    if (!m_ready) {
        DecryptedEvent pending;
        pending.event = event;
        pending.wasEncrypted = true;
        pending.info.failed = true;
        pending.info.failureCode = "not_ready";
        pending.info.failureMessage = "end-to-end encryption is still starting";
        // Decrypted again once the machine is ready, and given again then (onEventDecrypted).
        const bool known = std::any_of(m_beforeReady.begin(), m_beforeReady.end(), [&](const nlohmann::json &e) {
            return jsonString(e, "event_id") == eventId;
        });
        if (!known && m_beforeReady.size() < m_options.maxWaitingEvents)
            m_beforeReady.push_back(event);
        return m_scheduler.post([done = std::move(done), pending = std::move(pending)]() mutable { done(std::move(pending)); });
    }
    const std::string roomId = jsonString(event, "room_id");
    m_machine.call("decrypt", {{"roomId", roomId}, {"event", event}},
                   [alive = std::weak_ptr<int>(m_alive), this, event, eventId, done = std::move(done)](Result<nlohmann::json> r) {
                       if (!alive.lock())
                           return;
                       DecryptedEvent out;
                       if (!r) {
                           out.event = event;
                           out.wasEncrypted = true;
                           out.info.failed = true;
                           out.info.failureCode = "engine_error";
                           out.info.failureMessage = r.error().message;
                       } else {
                           out = fromResult(event, *r);
                       }
                       remember(eventId, out);
                       if (out.info.failed)
                           wait(event, out.info.sessionId);
                       done(std::move(out));
                   });
}

void Encryption::decryptRoomEvents(std::vector<nlohmann::json> events, Callback<std::vector<DecryptedEvent>> done)
{
    auto results = std::make_shared<std::vector<DecryptedEvent>>(events.size());
    auto remaining = std::make_shared<std::size_t>(events.size());
    if (events.empty())
        return m_scheduler.post([done = std::move(done)]() { done(std::vector<DecryptedEvent>{}); });
    auto shared = std::make_shared<Callback<std::vector<DecryptedEvent>>>(std::move(done));
    for (std::size_t i = 0; i < events.size(); ++i) {
        decryptRoomEvent(events[i], [results, remaining, shared, i](Result<DecryptedEvent> r) {
            if (r)
                (*results)[i] = std::move(*r);
            if (--*remaining == 0)
                (*shared)(std::move(*results));
        });
    }
}

void Encryption::retryBeforeReady()
{
    auto events = std::move(m_beforeReady);
    m_beforeReady.clear();
    for (const auto &event : events) {
        decryptRoomEvent(event, [alive = std::weak_ptr<int>(m_alive), this](Result<DecryptedEvent> r) {
            if (!alive.lock() || !r || r->info.failed)
                return; // a missing key waits for the key (wait())
            if (m_onEventDecrypted)
                m_onEventDecrypted(*r);
        });
    }
}

std::optional<DecryptionInfo> Encryption::info(const std::string &eventId) const
{
    auto it = m_byId.find(eventId);
    if (it == m_byId.end())
        return std::nullopt;
    return it->second->second.info;
}

void Encryption::onNotify(const std::string &kind, const nlohmann::json &payload)
{
    if (kind == "room_keys" && payload.is_array()) {
        // Keys that arrived: decrypt again what waited for them, and tell whoever shows it.
        for (const auto &key : payload) {
            const std::string sessionId = jsonString(key, "sessionId");
            auto it = m_waiting.find(sessionId);
            if (it == m_waiting.end())
                continue;
            std::vector<nlohmann::json> events = std::move(it->second);
            m_waitingCount -= std::min(m_waitingCount, events.size());
            m_waiting.erase(it);
            for (const auto &event : events) {
                // Forget the failure so the next read decrypts it too.
                if (auto cached = m_byId.find(jsonString(event, "event_id")); cached != m_byId.end()) {
                    m_recent.erase(cached->second);
                    m_byId.erase(cached);
                }
                decryptRoomEvent(event, [alive = std::weak_ptr<int>(m_alive), this](Result<DecryptedEvent> r) {
                    if (!alive.lock() || !r || r->info.failed)
                        return;
                    if (m_onEventDecrypted)
                        m_onEventDecrypted(*r);
                });
            }
        }
        return;
    }
    if (kind == "error")
        log(2, "the encryption engine reported: " + jsonString(payload, "message"));
    if (m_onNotify)
        m_onNotify(kind, payload);
}

void Encryption::call(const std::string &method, nlohmann::json args, Callback<nlohmann::json> done)
{
    if (!m_ready)
        return m_scheduler.post([done = std::move(done)]() {
            done(Error(ErrorCode::Unavailable, "end-to-end encryption is not ready yet"));
        });
    // Verification steps answer with the messages to send ({requests: [...]}, or {request}): send them.
    m_machine.call(method, std::move(args),
                   [alive = std::weak_ptr<int>(m_alive), this, done = std::move(done)](Result<nlohmann::json> r) mutable {
                       if (!alive.lock())
                           return;
                       if (!r || !r->is_object())
                           return done(std::move(r));
                       std::vector<nlohmann::json> requests;
                       if (auto list = r->find("requests"); list != r->end() && list->is_array())
                           requests.assign(list->begin(), list->end());
                       if (auto one = r->find("request"); one != r->end() && one->is_object())
                           requests.push_back(*one);
                       requests.erase(std::remove_if(requests.begin(), requests.end(),
                                                     [](const nlohmann::json &q) { return !q.is_object(); }),
                                      requests.end());
                       if (requests.empty())
                           return done(std::move(r));
                       nlohmann::json result = std::move(*r);
                       sendRequests(std::move(requests), [result = std::move(result), done = std::move(done)](Result<void> sent) mutable {
                           if (!sent)
                               return done(std::move(sent).error());
                           done(std::move(result));
                       });
                   });
}

} // namespace tessera::matrix
