// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "bridge/capabilities.h"

#include <algorithm>
#include <array>

#include "util/text.h"

namespace tessera::bridge {

namespace {

using text::startsWith;

struct PrefixRule {
    std::string_view prefix;
    CapabilityKind kind;
};

// Unstable prefixes first (what matrix-widget-api sends), then the `m.` forms of MSC2762/MSC3819.
constexpr std::array kEventPrefixes{
    PrefixRule{cap::kSendEventPrefix, CapabilityKind::SendEvent},
    PrefixRule{cap::kSendStatePrefix, CapabilityKind::SendStateEvent},
    PrefixRule{cap::kReceiveEventPrefix, CapabilityKind::ReceiveEvent},
    PrefixRule{cap::kReceiveStatePrefix, CapabilityKind::ReceiveStateEvent},
    PrefixRule{cap::kSendToDevicePrefix, CapabilityKind::SendToDevice},
    PrefixRule{cap::kReceiveToDevicePrefix, CapabilityKind::ReceiveToDevice},
    PrefixRule{cap::kReceiveRoomAccountDataPrefix, CapabilityKind::ReceiveRoomAccountData},
    PrefixRule{"m.send.event:", CapabilityKind::SendEvent},
    PrefixRule{"m.send.state_event:", CapabilityKind::SendStateEvent},
    PrefixRule{"m.receive.event:", CapabilityKind::ReceiveEvent},
    PrefixRule{"m.receive.state_event:", CapabilityKind::ReceiveStateEvent},
    PrefixRule{"m.send.to_device:", CapabilityKind::SendToDevice},
    PrefixRule{"m.receive.to_device:", CapabilityKind::ReceiveToDevice},
};

constexpr std::array<std::string_view, 2> kTimelinePrefixes{cap::kTimelinePrefix, "m.timeline:"};

constexpr std::array kSimpleCapabilities{
    cap::kAlwaysOnScreen,
    cap::kSticker,
    cap::kScreenshot,
    cap::kRequiresClient,
    cap::kVisibility,
    cap::kMsc2931Navigate,
    cap::kMsc3846TurnServers,
    cap::kMsc3973UserDirectorySearch,
    cap::kMsc4039UploadFile,
    cap::kMsc4039DownloadFile,
    cap::kMsc4157SendDelayedEvent,
    cap::kMsc4157UpdateDelayedEvent,
    cap::kMsc4407SendStickyEvent,
    cap::kMsc4407ReceiveStickyEvent,
};

bool isStateKind(CapabilityKind k)
{
    return k == CapabilityKind::SendStateEvent || k == CapabilityKind::ReceiveStateEvent;
}

bool isRoomEventKind(CapabilityKind k)
{
    return k == CapabilityKind::SendEvent || k == CapabilityKind::ReceiveEvent;
}

// Splits an event segment into type and key with the reference's escape rules.
// Returns false when no part terminates the type (every part ends in a backslash).
bool splitTypeAndKey(std::string_view segment, std::string &type, std::optional<std::string> &key)
{
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    for (;;) {
        const std::size_t hash = segment.find('#', start);
        if (hash == std::string_view::npos) {
            parts.push_back(segment.substr(start));
            break;
        }
        parts.push_back(segment.substr(start, hash - start));
        start = hash + 1;
    }
    std::size_t idx = 0;
    while (idx < parts.size() && text::endsWith(parts[idx], "\\"))
        ++idx;
    if (idx == parts.size())
        return false;
    type.clear();
    for (std::size_t i = 0; i <= idx; ++i) {
        std::string_view p = parts[i];
        if (text::endsWith(p, "\\"))
            p.remove_suffix(1);
        if (i > 0)
            type += '#';
        type += p;
    }
    std::string k;
    for (std::size_t i = idx + 1; i < parts.size(); ++i) {
        if (i > idx + 1)
            k += '#';
        k += parts[i];
    }
    key = std::move(k);
    return true;
}

} // namespace

std::optional<Capability> parseCapability(std::string_view raw)
{
    Capability c;
    c.raw = std::string(raw);

    for (const auto &rule : kEventPrefixes) {
        if (!startsWith(raw, rule.prefix))
            continue;
        c.kind = rule.kind;
        const std::string_view segment = raw.substr(rule.prefix.size());
        const bool expectingKey = isStateKind(rule.kind)
            || (isRoomEventKind(rule.kind) && startsWith(segment, "m.room.message#"));
        if (expectingKey && segment.find('#') != std::string_view::npos) {
            if (!splitTypeAndKey(segment, c.eventType, c.key))
                c.eventType.clear(); // unterminated escape: reported as malformed
        } else {
            c.eventType = std::string(segment);
        }
        return c;
    }
    for (const auto prefix : kTimelinePrefixes) {
        if (startsWith(raw, prefix)) {
            c.kind = CapabilityKind::Timeline;
            c.roomId = std::string(raw.substr(prefix.size()));
            return c;
        }
    }
    for (const auto name : kSimpleCapabilities) {
        if (raw == name) {
            c.kind = CapabilityKind::Simple;
            c.eventType = std::string(name);
            return c;
        }
    }
    return std::nullopt;
}

bool isEncryptionToDeviceType(std::string_view type) noexcept
{
    // The set matrix-rust-sdk refuses (is_internal_type), by prefix so new key types stay covered.
    return startsWith(type, "m.room_key") || startsWith(type, "m.secret.")
        || startsWith(type, "m.key.verification.") || type == "m.room.encrypted" || type == "m.dummy"
        || type == "m.forwarded_room_key" || startsWith(type, "m.olm.") || startsWith(type, "m.megolm.");
}

bool isKnownStateEventType(std::string_view type) noexcept
{
    static constexpr std::array<std::string_view, 22> kStateTypes{
        "m.room.create", "m.room.member", "m.room.power_levels", "m.room.join_rules",
        "m.room.history_visibility", "m.room.name", "m.room.topic", "m.room.avatar",
        "m.room.canonical_alias", "m.room.aliases", "m.room.guest_access", "m.room.encryption",
        "m.room.server_acl", "m.room.tombstone", "m.room.pinned_events", "m.room.third_party_invite",
        "m.room.related_groups", "m.space.child", "m.space.parent", "m.widget",
        "im.vector.modular.widgets", "io.element.widgets.layout",
    };
    return std::find(kStateTypes.begin(), kStateTypes.end(), type) != kStateTypes.end();
}

bool isKnownMessageEventType(std::string_view type) noexcept
{
    static constexpr std::array<std::string_view, 12> kMessageTypes{
        "m.room.message", "m.room.encrypted", "m.room.redaction", "m.reaction", "m.sticker",
        "m.call.invite", "m.call.candidates", "m.call.answer", "m.call.hangup", "m.call.reject",
        "m.call.select_answer", "m.call.negotiate",
    };
    return std::find(kMessageTypes.begin(), kMessageTypes.end(), type) != kMessageTypes.end()
        || startsWith(type, "m.key.verification.") || startsWith(type, "m.poll.");
}

bool isPlausibleRoomId(std::string_view roomId) noexcept
{
    if (roomId.size() < 2 || roomId.size() > kMaxEventTypeLength || roomId[0] != '!')
        return false;
    return !text::hasControlCharacters(roomId) && roomId.find(' ') == std::string_view::npos;
}

bool isKnownUnimplementedCapability(std::string_view raw) noexcept
{
    return raw == "org.matrix.msc4515.rtc_transports" || raw == "org.matrix.msc4533.rtc_livekit_get_token"
        || raw == "org.matrix.msc4533.rtc_livekit_delegate_delayed_leave";
}

CapabilityCheck checkCapability(std::string_view raw, const CustomCapabilityLookup *custom)
{
    CapabilityCheck out;
    if (raw.empty() || raw.size() > kMaxCapabilityLength || text::hasControlCharacters(raw)) {
        out.verdict = CapabilityVerdict::Malformed;
        out.reason = "capability is empty, longer than 1024 bytes or contains control characters";
        out.refusal = text::hasControlCharacters(raw) && !raw.empty() && raw.size() <= kMaxCapabilityLength
            ? RefusalReason::ControlCharacters
            : RefusalReason::EmptyOrTooLong;
        return out;
    }
    auto parsed = parseCapability(raw);
    if (!parsed) {
        if (custom && custom->isCustomCapability(raw)) {
            Capability c;
            c.raw = std::string(raw);
            c.kind = CapabilityKind::Custom;
            c.eventType = c.raw;
            out.verdict = CapabilityVerdict::Recognised;
            out.parsed = std::move(c);
            return out;
        }
        out.verdict = CapabilityVerdict::Unknown;
        if (isKnownUnimplementedCapability(raw)) {
            out.reason = "Tessera does not implement this proposal's capability";
            out.refusal = RefusalReason::NotImplemented;
            return out;
        }
        out.reason = "Tessera does not support this capability";
        out.refusal = RefusalReason::Unsupported;
        return out;
    }
    const Capability &c = *parsed;
    switch (c.kind) {
    case CapabilityKind::Timeline:
        if (c.roomId != "*" && !isPlausibleRoomId(c.roomId)) {
            out.verdict = CapabilityVerdict::Malformed;
            out.reason = "timeline capability needs a room id (!…) or *";
            out.refusal = RefusalReason::TimelineRoomId;
            return out;
        }
        break;
    case CapabilityKind::Simple:
    case CapabilityKind::Custom:
    case CapabilityKind::Invalid:
        break;
    default:
        if (c.eventType.empty() || c.eventType.size() > kMaxEventTypeLength) {
            out.verdict = CapabilityVerdict::Malformed;
            out.reason = "event type is empty or longer than 255 bytes";
            out.refusal = RefusalReason::EventTypeLength;
            return out;
        }
        if (c.key && c.key->size() > kMaxEventTypeLength) {
            out.verdict = CapabilityVerdict::Malformed;
            out.reason = "state key or msgtype is longer than 255 bytes";
            out.refusal = RefusalReason::KeyLength;
            return out;
        }
        if ((c.kind == CapabilityKind::SendToDevice || c.kind == CapabilityKind::ReceiveToDevice)
            && isEncryptionToDeviceType(c.eventType)) {
            out.verdict = CapabilityVerdict::Forbidden;
            out.reason = c.eventType + " is used by end-to-end encryption and is never available to widgets";
            out.refusal = RefusalReason::EncryptionToDevice;
            return out;
        }
        if (c.kind == CapabilityKind::SendEvent && isKnownStateEventType(c.eventType)) {
            out.verdict = CapabilityVerdict::Forbidden;
            out.reason = c.eventType + " is a state event type; it can only be sent as a state event";
            out.refusal = RefusalReason::StateTypeAsEvent;
            return out;
        }
        if (c.kind == CapabilityKind::SendStateEvent && isKnownMessageEventType(c.eventType)) {
            out.verdict = CapabilityVerdict::Forbidden;
            out.reason = c.eventType + " is a message event type; it cannot be sent as a state event";
            out.refusal = RefusalReason::MessageTypeAsState;
            return out;
        }
        if (c.kind == CapabilityKind::SendEvent && c.eventType == "m.room.encrypted") {
            out.verdict = CapabilityVerdict::Forbidden;
            out.reason = "widgets cannot send pre-encrypted events";
            out.refusal = RefusalReason::PreEncrypted;
            return out;
        }
        break;
    }
    out.verdict = CapabilityVerdict::Recognised;
    out.parsed = std::move(parsed);
    return out;
}

bool CapabilitySet::add(const Capability &capability)
{
    if (!m_raw.insert(capability.raw).second)
        return false;
    m_items.push_back(capability);
    if (capability.kind == CapabilityKind::Timeline && capability.roomId == "*")
        m_allRooms = true;
    return true;
}

bool CapabilitySet::remove(std::string_view raw)
{
    auto it = m_raw.find(std::string(raw));
    if (it == m_raw.end())
        return false;
    m_raw.erase(it);
    m_items.erase(std::remove_if(m_items.begin(), m_items.end(), [&](const Capability &c) { return c.raw == raw; }),
                  m_items.end());
    m_allRooms = std::any_of(m_items.begin(), m_items.end(), [](const Capability &c) {
        return c.kind == CapabilityKind::Timeline && c.roomId == "*";
    });
    return true;
}

void CapabilitySet::clear()
{
    m_items.clear();
    m_raw.clear();
    m_allRooms = false;
}

bool CapabilitySet::contains(std::string_view raw) const
{
    return m_raw.count(std::string(raw)) != 0;
}

bool CapabilitySet::hasSimple(std::string_view canonicalName) const
{
    for (const auto &c : m_items) {
        if ((c.kind == CapabilityKind::Simple || c.kind == CapabilityKind::Custom) && c.eventType == canonicalName)
            return true;
    }
    return false;
}

bool CapabilitySet::matchEvent(CapabilityKind kind, std::string_view type, const std::string *key) const
{
    for (const auto &c : m_items) {
        if (c.kind != kind || c.eventType != type)
            continue;
        if (isStateKind(kind)) {
            if (!c.key)
                return true; // any state key
            if (key && *c.key == *key)
                return true;
            continue;
        }
        if (type == "m.room.message") {
            if (!c.key)
                return true; // any msgtype
            if (key && *c.key == *key)
                return true;
            continue;
        }
        return true;
    }
    return false;
}

bool CapabilitySet::canSendRoomEvent(std::string_view type, const std::string *msgtype) const
{
    return matchEvent(CapabilityKind::SendEvent, type, msgtype);
}

bool CapabilitySet::canSendStateEvent(std::string_view type, std::string_view stateKey) const
{
    const std::string key(stateKey);
    return matchEvent(CapabilityKind::SendStateEvent, type, &key);
}

bool CapabilitySet::canReceiveRoomEvent(std::string_view type, const std::string *msgtype) const
{
    return matchEvent(CapabilityKind::ReceiveEvent, type, msgtype);
}

bool CapabilitySet::canReceiveStateEvent(std::string_view type, const std::string *stateKey) const
{
    return matchEvent(CapabilityKind::ReceiveStateEvent, type, stateKey);
}

bool CapabilitySet::canSendToDevice(std::string_view type) const
{
    return !isEncryptionToDeviceType(type) && matchEvent(CapabilityKind::SendToDevice, type, nullptr);
}

bool CapabilitySet::canReceiveToDevice(std::string_view type) const
{
    return !isEncryptionToDeviceType(type) && matchEvent(CapabilityKind::ReceiveToDevice, type, nullptr);
}

bool CapabilitySet::canReadRoomAccountData(std::string_view type) const
{
    return matchEvent(CapabilityKind::ReceiveRoomAccountData, type, nullptr);
}

bool CapabilitySet::canUseRoomTimeline(std::string_view roomId) const
{
    if (m_allRooms)
        return true;
    for (const auto &c : m_items) {
        if (c.kind == CapabilityKind::Timeline && c.roomId == roomId)
            return true;
    }
    return false;
}

bool CapabilitySet::hasAnyReceiveState() const
{
    return std::any_of(m_items.begin(), m_items.end(),
                       [](const Capability &c) { return c.kind == CapabilityKind::ReceiveStateEvent; });
}

std::vector<std::string> CapabilitySet::rawList() const
{
    std::vector<std::string> out;
    out.reserve(m_items.size());
    for (const auto &c : m_items)
        out.push_back(c.raw);
    return out;
}

} // namespace tessera::bridge
