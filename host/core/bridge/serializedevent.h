// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "util/result.h"

namespace tessera::bridge {

/**
 * @brief One room event as immutable JSON text, with the few fields a session checks before it
 * passes the event to a widget.
 *
 * The fields are read from the same value the text is written from, so they always agree with
 * it; a session checks them against the capabilities and copies the text into its reply as it
 * is, without parsing or serialising the event again. Copies share one immutable buffer, so a
 * driver can keep its events in this form and hand the same ones out to any number of reads.
 */
class SerializedEvent {
public:
    /** Serialises @p event (nlohmann's dump). A value that is not an object has no fields. */
    static SerializedEvent fromJson(const nlohmann::json &event);
    /**
     * Takes @p text as it is, for a driver that writes or keeps events as text. It must be one
     * JSON object (validateJson's rules, so it is strict JSON and at most 64 levels deep);
     * the fields are read from it, the last of duplicate keys winning as in a DOM.
     */
    static Result<SerializedEvent> fromText(std::string text);

    /** The event's JSON text. */
    [[nodiscard]] const std::string &text() const { return m_data->text; }
    /** `type`, if it is a string. */
    [[nodiscard]] const std::string *type() const { return field(m_data->type); }
    /** `room_id`, if it is a string. */
    [[nodiscard]] const std::string *roomId() const { return field(m_data->roomId); }
    /** `state_key`, if it is a string (a state event). */
    [[nodiscard]] const std::string *stateKey() const { return field(m_data->stateKey); }
    /** `content.msgtype`, if `content` is an object and `msgtype` a string. */
    [[nodiscard]] const std::string *msgtype() const { return field(m_data->msgtype); }

    /** The event as a DOM again, for code that needs more than the fields above. */
    [[nodiscard]] nlohmann::json toJson() const;

private:
    struct Data {
        std::string text;
        std::optional<std::string> type;
        std::optional<std::string> roomId;
        std::optional<std::string> stateKey;
        std::optional<std::string> msgtype;
    };

    explicit SerializedEvent(std::shared_ptr<const Data> data) : m_data(std::move(data)) {}
    static const std::string *field(const std::optional<std::string> &f) { return f ? &*f : nullptr; }

    std::shared_ptr<const Data> m_data;
};

} // namespace tessera::bridge
