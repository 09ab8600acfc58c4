// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "matrix/roombackend.h"
#include "util/jsonfields.h"
#include "util/result.h"

namespace tessera::matrix {

/** Random URL-safe text from @p bytes random bytes (OpenSSL's CSPRNG). */
std::string randomToken(std::size_t bytes);
/** "$" + 43 characters of base64url, the shape of room version 4+ event ids. */
std::string makeEventId();
/** "!" + 18 random letters + ":" + @p serverName, the shape Synapse uses. */
std::string makeRoomId(std::string_view serverName);
/** A transaction id unique to this device: "tsr" + 22 characters of base64url. */
std::string makeTxnId();

/** The server name part of a user or room id ("@a:b.c" → "b.c"); empty if there is none. */
std::string serverNameOf(std::string_view id);
/** True for "@localpart:server" with a localpart of Matrix's user id grammar. */
bool isValidUserId(std::string_view id);

// Fields of events read without throwing (util/jsonfields.h).
using tessera::jsonBool;
using tessera::jsonInt;
using tessera::jsonString;

/** The event's state key if it is a state event (has a string state_key). */
std::optional<std::string> stateKeyOf(const nlohmann::json &event);

/**
 * An Error that carries a homeserver-style answer: Error::matrixApiError has @p httpStatus and
 * {errcode, error} (plus @p extra fields), and the code follows the status (403 → Denied, …).
 * The local backend uses it so its refusals look like a server's.
 */
Error matrixError(int httpStatus, std::string_view errcode, std::string_view message,
                  const nlohmann::json &extra = nlohmann::json::object());

/** The ErrorCode a Matrix HTTP status maps to. */
ErrorCode errorCodeForStatus(int httpStatus);

/** Checks type, state key and content against the Matrix size limits. */
Result<void> checkEventLimits(std::string_view type, const std::optional<std::string> &stateKey,
                              const nlohmann::json &content);

/**
 * Applies the redaction algorithm (room version 11 keys) to @p event in place and records
 * @p redaction under unsigned.redacted_because.
 */
void redactEvent(nlohmann::json &event, const nlohmann::json &redaction);

/**
 * @brief Power levels of one room (m.room.power_levels content), with the spec's defaults.
 *
 * Without a power-levels event the creator has 100 and everyone else 0, and every event and
 * state type needs 0. It answers levels; it does not know membership.
 */
class PowerLevels {
public:
    /** @p content nullopt means the room has no m.room.power_levels event. */
    PowerLevels(std::optional<nlohmann::json> content, std::string creatorUserId);

    [[nodiscard]] std::int64_t userLevel(const std::string &userId) const;
    /** Level needed to send @p type as a state event (isState) or a message event. */
    [[nodiscard]] std::int64_t requiredFor(const std::string &type, bool isState) const;
    [[nodiscard]] std::int64_t redactLevel() const;
    [[nodiscard]] std::int64_t inviteLevel() const;

    /**
     * Whether @p userId may replace these power levels with @p newContent: it needs the level for
     * m.room.power_levels, and every user level and event level it adds, removes or changes must
     * be at most its own (its own level may only go down).
     */
    [[nodiscard]] bool allowsChange(const std::string &userId, const nlohmann::json &newContent) const;

private:
    std::optional<nlohmann::json> m_content;
    std::string m_creator;
};

/**
 * @brief The listeners of one backend. Handles may outlive it; emitting while a listener adds
 * or removes listeners is safe (a listener removed during an emission is not called after).
 */
class ListenerSet {
public:
    ListenerSet();
    ~ListenerSet();
    ListenerSet(const ListenerSet &) = delete;
    ListenerSet &operator=(const ListenerSet &) = delete;

    std::unique_ptr<ListenerHandle> add(RoomListener listener);

    void emitEvent(const nlohmann::json &event) const;
    void emitStateChanged(const nlohmann::json &event) const;
    void emitToDevice(const nlohmann::json &message) const;
    void emitRoomChanged(const RoomInfo &room) const;
    void emitEventDecrypted(const nlohmann::json &event) const;
    void emitTimelineGap(const std::string &roomId) const;
    [[nodiscard]] std::size_t size() const;

    struct Registry;

private:
    std::shared_ptr<Registry> m_registry;
};

} // namespace tessera::matrix
