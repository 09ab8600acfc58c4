// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace tessera::bridge {

/** Capability strings Tessera knows, in the spellings the reference implementation sends. */
namespace cap {
inline constexpr std::string_view kAlwaysOnScreen = "m.always_on_screen";
inline constexpr std::string_view kSticker = "m.sticker";
inline constexpr std::string_view kScreenshot = "m.capability.screenshot";
inline constexpr std::string_view kRequiresClient = "io.element.requires_client";
inline constexpr std::string_view kVisibility = "visibility";
inline constexpr std::string_view kMsc2931Navigate = "org.matrix.msc2931.navigate";
inline constexpr std::string_view kMsc3846TurnServers = "town.robin.msc3846.turn_servers";
inline constexpr std::string_view kMsc3973UserDirectorySearch = "org.matrix.msc3973.user_directory_search";
inline constexpr std::string_view kMsc4039UploadFile = "org.matrix.msc4039.upload_file";
inline constexpr std::string_view kMsc4039DownloadFile = "org.matrix.msc4039.download_file";
inline constexpr std::string_view kMsc4157SendDelayedEvent = "org.matrix.msc4157.send.delayed_event";
inline constexpr std::string_view kMsc4157UpdateDelayedEvent = "org.matrix.msc4157.update_delayed_event";
inline constexpr std::string_view kMsc4407SendStickyEvent = "org.matrix.msc4407.send.sticky_event";
inline constexpr std::string_view kMsc4407ReceiveStickyEvent = "org.matrix.msc4407.receive.sticky_event";

inline constexpr std::string_view kSendEventPrefix = "org.matrix.msc2762.send.event:";
inline constexpr std::string_view kSendStatePrefix = "org.matrix.msc2762.send.state_event:";
inline constexpr std::string_view kReceiveEventPrefix = "org.matrix.msc2762.receive.event:";
inline constexpr std::string_view kReceiveStatePrefix = "org.matrix.msc2762.receive.state_event:";
inline constexpr std::string_view kSendToDevicePrefix = "org.matrix.msc3819.send.to_device:";
inline constexpr std::string_view kReceiveToDevicePrefix = "org.matrix.msc3819.receive.to_device:";
inline constexpr std::string_view kReceiveRoomAccountDataPrefix = "com.beeper.capabilities.receive.room_account_data:";
inline constexpr std::string_view kTimelinePrefix = "org.matrix.msc2762.timeline:";
} // namespace cap

/** Longest capability string accepted; longer ones are malformed. */
inline constexpr std::size_t kMaxCapabilityLength = 1024;
/** Matrix limits event types and state keys to 255 bytes. */
inline constexpr std::size_t kMaxEventTypeLength = 255;

enum class CapabilityKind {
    Invalid = 0,
    SendEvent,
    SendStateEvent,
    ReceiveEvent,
    ReceiveStateEvent,
    SendToDevice,
    ReceiveToDevice,
    ReceiveRoomAccountData,
    Timeline,
    Simple, ///< a capability without parameters, e.g. m.always_on_screen
    Custom, ///< claimed by a plugin's capability handler
};

/**
 * @brief One capability string, parsed.
 *
 * The `m.` forms MSC2762 and MSC3819 define (`m.send.event:`, `m.timeline:`, …) parse to the
 * same kind as the unstable prefixes; `raw` always keeps the string the widget sent, because
 * that is what the host approves and echoes back.
 */
struct Capability {
    std::string raw;
    CapabilityKind kind = CapabilityKind::Invalid;
    /** Event type (event and to-device kinds), account data type, or the canonical simple name. */
    std::string eventType;
    /** State key (state kinds) or msgtype (`m.room.message#…`); nullopt matches any. */
    std::optional<std::string> key;
    /** Room id or `*` for Timeline. */
    std::string roomId;
};

/** Why a capability is refused before anyone is asked. */
enum class CapabilityVerdict {
    Invalid = 0,
    Recognised, ///< may be shown to the user and approved
    Unknown,    ///< Tessera does not implement it: denied automatically (MSC2764)
    Malformed,  ///< a known prefix with an unusable tail (empty type, bad room id, …)
    Forbidden,  ///< never granted: E2EE to-device types, state/message type confusion (MSC2762)
};

/** The rule that refused a capability, so each can be explained in the user's language. */
enum class RefusalReason {
    Invalid = 0,              ///< not refused
    EmptyOrTooLong,           ///< empty, or longer than kMaxCapabilityLength
    ControlCharacters,        ///< contains C0 control characters or DEL
    Unsupported,              ///< Unknown: no such capability in Tessera or its plugins
    TimelineRoomId,           ///< a timeline capability without a room id or `*`
    EventTypeLength,          ///< empty event type, or longer than kMaxEventTypeLength
    KeyLength,                ///< state key or msgtype longer than kMaxEventTypeLength
    EncryptionToDevice,       ///< a to-device type end-to-end encryption uses
    StateTypeAsEvent,         ///< a state event type asked for as a message event
    MessageTypeAsState,       ///< a message event type asked for as a state event
    PreEncrypted,             ///< sending m.room.encrypted
    NotImplemented,           ///< Unknown, but a known proposal (MSC) Tessera or its room backend does not implement
};

struct CapabilityCheck {
    CapabilityVerdict verdict = CapabilityVerdict::Invalid;
    std::string reason; ///< empty when Recognised; English, for the audit log
    RefusalReason refusal = RefusalReason::Invalid;
    std::optional<Capability> parsed;
};

/** Answers whether a plugin claims a custom capability string. */
class CustomCapabilityLookup {
public:
    virtual ~CustomCapabilityLookup() = default;
    [[nodiscard]] virtual bool isCustomCapability(std::string_view capability) const = 0;
};

/**
 * Parses a capability string with the reference's grammar (matrix-widget-api
 * WidgetEventCapability): a `#` separates the state key for state kinds, and the msgtype for
 * event kinds whose tail starts with `m.room.message#`; a `\` before `#` escapes it.
 * Returns nullopt when the string has none of the known shapes.
 */
std::optional<Capability> parseCapability(std::string_view raw);

/**
 * Capabilities of Matrix proposals Element Call asks for that Tessera does not implement
 * (MSC4515 RTC transports, MSC4533 LiveKit delegation): refused as NotImplemented, so the
 * consent dialog can say "not supported by Tessera" instead of "unrecognised".
 */
bool isKnownUnimplementedCapability(std::string_view raw) noexcept;

/** Parses and applies Tessera's refusal rules. @p custom may be null. */
CapabilityCheck checkCapability(std::string_view raw, const CustomCapabilityLookup *custom = nullptr);

/** Event types used by end-to-end encryption; never sent, delivered or granted to widgets. */
bool isEncryptionToDeviceType(std::string_view type) noexcept;
/** State event types of the Matrix spec (MSC2762: refuse them as `send.event`). */
bool isKnownStateEventType(std::string_view type) noexcept;
/** Message (non-state) event types of the Matrix spec (MSC2762: refuse them as `send.state_event`). */
bool isKnownMessageEventType(std::string_view type) noexcept;

/** Room ids look like `!opaque:server`; `*` is only valid in a timeline capability. */
bool isPlausibleRoomId(std::string_view roomId) noexcept;

/**
 * @brief The capabilities approved for one widget session, with the reference's matching
 * rules (`matchesAs*`, `canUseRoomTimeline`).
 *
 * Only parsed, recognised capabilities can be inserted; the set keeps the widget's raw
 * strings in approval order so `notify_capabilities` can echo them.
 */
class CapabilitySet {
public:
    /** Adds a capability that checkCapability() called Recognised. Returns false if already held. */
    bool add(const Capability &capability);
    /** Removes by raw string. Returns false if it was not held. */
    bool remove(std::string_view raw);
    void clear();

    [[nodiscard]] bool contains(std::string_view raw) const;
    /** True if a Simple capability with this canonical name, or a Custom one with this string, is held. */
    [[nodiscard]] bool hasSimple(std::string_view canonicalName) const;

    [[nodiscard]] bool canSendRoomEvent(std::string_view type, const std::string *msgtype) const;
    [[nodiscard]] bool canSendStateEvent(std::string_view type, std::string_view stateKey) const;
    [[nodiscard]] bool canReceiveRoomEvent(std::string_view type, const std::string *msgtype) const;
    /** @p stateKey null means "any key", which only an any-key capability grants. */
    [[nodiscard]] bool canReceiveStateEvent(std::string_view type, const std::string *stateKey) const;
    [[nodiscard]] bool canSendToDevice(std::string_view type) const;
    [[nodiscard]] bool canReceiveToDevice(std::string_view type) const;
    [[nodiscard]] bool canReadRoomAccountData(std::string_view type) const;
    [[nodiscard]] bool canUseRoomTimeline(std::string_view roomId) const;
    [[nodiscard]] bool hasAllRoomsTimeline() const { return m_allRooms; }
    [[nodiscard]] bool hasAnyReceiveState() const;

    [[nodiscard]] const std::vector<Capability> &items() const { return m_items; }
    [[nodiscard]] std::vector<std::string> rawList() const;
    [[nodiscard]] std::size_t size() const { return m_items.size(); }
    [[nodiscard]] bool empty() const { return m_items.empty(); }

private:
    bool matchEvent(CapabilityKind kind, std::string_view type, const std::string *key) const;

    std::vector<Capability> m_items;
    std::unordered_set<std::string> m_raw;
    bool m_allRooms = false;
};

} // namespace tessera::bridge
