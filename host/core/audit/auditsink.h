// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tessera::audit {

/** What an audit record is about. Stored as its name (see toString). */
enum class Category {
    Invalid = 0,
    Message,    ///< a Widget API message in or out of a widget session
    Consent,    ///< a consent decision, a standing rule that granted something, a revocation
    Plugin,     ///< a plugin load, failure, disable, or a capability handler call
    Navigation, ///< a refused navigation, popup, dialog or permission request
    Session,    ///< a widget session started, stopped, reloaded
    Retention,  ///< a retention checkpoint
    Log,        ///< the audit log about itself: a time it could not write (audit.outage)
    Outgoing,   ///< an event for a room or a device refused before it left (plaintext for an encrypted room)
};

enum class Direction {
    Invalid = 0,
    FromWidget, ///< the widget sent it
    ToWidget,   ///< the host sent it
    Internal,   ///< no message crossed the boundary
};

enum class Decision {
    Invalid = 0,
    Allowed,  ///< the request was carried out / the grant was given
    Refused,  ///< answered with an error or a denial
    Dropped,  ///< not answered at all (malformed, wrong widget, …)
    Failed,   ///< allowed, but the driver or server failed
    Info,     ///< nothing was decided (a push, a reply, a lifecycle note)
};

/**
 * @brief One audit row as the producer hands it over. Views are valid only during append().
 *
 * `body` is the raw message text (or a JSON description for non-message records). The audit
 * log decides what to keep of it: by default event contents are hashed and secrets (access
 * tokens, passwords) are removed before anything is written.
 */
struct Record {
    Category category = Category::Invalid;
    Direction direction = Direction::Invalid;
    Decision decision = Decision::Invalid;
    std::int64_t timestampMs = 0; ///< wall clock, ms since the epoch
    std::string_view widgetId;
    std::string_view roomId;
    std::string_view origin;
    std::string_view action;
    std::string_view requestId;
    std::size_t sizeBytes = 0;
    std::string_view reason;
    std::int64_t durationMs = -1; ///< -1 when not applicable
    std::string_view body;
};

/**
 * @brief Where producers (widget sessions, consent, plugins, the web view) send audit records.
 *
 * Implementations must be cheap to call on the UI thread: copy what is needed and return.
 * append() returns false when the log cannot accept records (disk full, database broken); the
 * caller then fails closed and refuses the action it was about to perform
 * (docs/architecture.md, invariant 6). accepting() answers the same question without a record.
 */
class AuditSink {
public:
    virtual ~AuditSink() = default;
    virtual bool append(const Record &record) = 0;
    [[nodiscard]] virtual bool accepting() const = 0;
};

/** Discards everything and always accepts: for benchmarks of the protocol alone. */
class NullAuditSink final : public AuditSink {
public:
    bool append(const Record &) override { return true; }
    [[nodiscard]] bool accepting() const override { return true; }
};

const char *toString(Category c) noexcept;
const char *toString(Direction d) noexcept;
const char *toString(Decision d) noexcept;

} // namespace tessera::audit
