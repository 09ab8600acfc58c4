// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "matrix/roombackend.h"

namespace tessera::matrix {

/**
 * @brief The end-to-end encryption state machine (matrix-sdk-crypto's OlmMachine), seen as method
 * calls with JSON arguments and results.
 *
 * Tessera does no cryptography of its own: the application runs the machine in a hidden page
 * (host/crypto/engine.js lists the methods and their JSON), and the Matrix backend's Encryption
 * drives it: sync results in, the HTTP requests it asks for out (sent by the backend), encrypt
 * and decrypt calls. Calls are answered in the order they were made; each callback runs later on
 * the scheduler's thread, exactly once, unless the machine is destroyed first.
 */
class CryptoMachine {
public:
    virtual ~CryptoMachine() = default;

    virtual void call(const std::string &method, nlohmann::json args, Callback<nlohmann::json> done) = 0;

    /**
     * What the machine reports on its own: "room_keys" ([{roomId, sessionId}] newly usable),
     * "devices" ([user ids] whose devices changed), "identity" ([user id]), "verification"
     * (one verification's state), "error" ({message}).
     */
    virtual void setNotify(std::function<void(const std::string &kind, const nlohmann::json &payload)> notify) = 0;
};

} // namespace tessera::matrix
