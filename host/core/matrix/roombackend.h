// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/result.h"

namespace tessera::matrix {

using tessera::Callback;

/** Largest page a timeline, relations or directory read returns. */
inline constexpr int kMaxPageSize = 1000;
/** Matrix limits a whole event (JSON) to 65,536 bytes; local events obey the same limit. */
inline constexpr std::size_t kMaxEventBytes = 65'536;
/** Event types and state keys are at most 255 bytes (Matrix spec, "Size limits"). */
inline constexpr std::size_t kMaxTypeOrStateKeyBytes = 255;

enum class Membership { Invalid = 0, Join, Invite, Leave, Ban, Knock };

std::string_view membershipName(Membership membership);
/** "join" → Join; anything unknown → Invalid. */
Membership parseMembership(std::string_view name);

/** A room as the room list shows it. */
struct RoomInfo {
    std::string roomId;
    Membership membership = Membership::Invalid;
    std::string name;  ///< m.room.name, empty if unset
    std::string topic; ///< m.room.topic, empty if unset
    bool encrypted = false; ///< m.room.encryption is set
    std::string canonicalAlias; ///< m.room.canonical_alias's alias, empty if unset
    std::string avatarUrl;      ///< m.room.avatar's url (mxc://), empty if unset
    /** Who the room is named after when it has neither name nor alias (the summary's m.heroes,
     *  else computed from the members; for an invitation, the inviter), user ids. */
    std::vector<std::string> heroes;
    /** The heroes' display names, disambiguated among the members, in the order of `heroes`. */
    std::vector<std::string> heroNames;
    /** The heroes' avatars (mxc://, empty for one without), in the order of `heroes`. */
    std::vector<std::string> heroAvatarUrls;
    std::int64_t joinedMembers = 0;  ///< the summary's m.joined_member_count, else counted
    std::int64_t invitedMembers = 0; ///< the summary's m.invited_member_count, else counted
};

/** Which events a timeline read returns. Defaults match every event. */
struct EventFilter {
    enum class StateMatch {
        Any = 0,     ///< state and non-state events
        NotState,    ///< room (message-like) events only
        AnyStateKey, ///< state events with any state key
        StateKey,    ///< state events whose state key is `stateKey`
    };
    std::vector<std::string> types;     ///< empty matches every type
    std::optional<std::string> msgtype; ///< content.msgtype must equal it
    StateMatch state = StateMatch::Any;
    std::string stateKey; ///< when state == StateKey

    /** True if @p event (client format) passes. */
    [[nodiscard]] bool matches(const nlohmann::json &event) const;
};

enum class Direction { Invalid = 0, Backwards, Forwards };

/**
 * A page of a room's timeline. Backwards pages run newest first from `from` (or from the
 * newest event); Forwards pages run oldest first from `from` (or from the oldest event the
 * backend knows). `sinceEventId` ends a backwards read before that event (it is not returned):
 * "everything newer than X" as Widget API read_events asks.
 */
struct TimelineQuery {
    std::string roomId;
    Direction direction = Direction::Backwards;
    std::string from;  ///< a `next` token of an earlier page; empty = start at the end
    int limit = 50;    ///< 1..kMaxPageSize
    EventFilter filter;
    std::optional<std::string> sinceEventId;
};

struct TimelinePage {
    std::vector<nlohmann::json> events; ///< client-format events, with room_id and unsigned.age
    std::string next;                   ///< token to continue in the same direction; empty at the end
    bool reachedSince = false;          ///< the read stopped at sinceEventId
};

/** /relations: events whose m.relates_to points at `eventId`. */
struct RelationsQuery {
    std::string roomId;
    std::string eventId;
    std::optional<std::string> relType;
    std::optional<std::string> eventType; ///< only with relType (as the Matrix endpoint)
    std::string from;
    std::string to;
    int limit = 50; ///< 1..kMaxPageSize
    Direction direction = Direction::Backwards;
};

struct RelationsPage {
    std::vector<nlohmann::json> chunk;
    std::string nextBatch; ///< empty when there is no more
    std::string prevBatch;
};

/** A message or state event to send. */
struct SendRequest {
    std::string roomId;
    std::string type;
    nlohmann::json content = nlohmann::json::object();
    std::optional<std::string> stateKey;
    /** MSC4140: send after this many milliseconds unless cancelled or restarted. */
    std::optional<std::int64_t> delayMs;
    /** MSC4140: send right after the delayed event `parentDelayId` is sent; cancelled with it. */
    std::optional<std::string> parentDelayId;
    /** The widget the event is sent for (for the audit log); empty for the user's own, e.g. the composer. */
    std::string widgetId;
    /**
     * Names the send for withdrawSend() while it waits in an outbox (the sender chooses it and
     * keeps it unique among its sends in flight); empty: it cannot be withdrawn.
     */
    std::string sendKey;
};

/** What withdrawSend() did. */
enum class Withdrawal {
    Unknown = 0,    ///< no send waits under that key (finished, refused, or never queued): nothing changed
    Withdrawn,      ///< taken out of the outbox before any request carrying it could have reached the server
    MayHaveArrived, ///< taken out, no more attempts; an earlier attempt got no answer, so it may still appear
    InFlight,       ///< a request carrying it is with the server now: no more attempts, its outcome is the send's
};

struct SendResult {
    std::string eventId; ///< immediate sends
    std::string delayId; ///< delayed sends
};

enum class DelayedEventAction { Invalid = 0, Cancel, Restart, Send };

struct OpenIdToken {
    std::string accessToken;
    std::string tokenType = "Bearer";
    std::string matrixServerName;
    std::int64_t expiresInSeconds = 0;
};

struct MediaUpload {
    std::string bytes;
    std::string contentType = "application/octet-stream";
    std::optional<std::string> fileName;
};

struct MediaDownload {
    std::string bytes;
    std::string contentType;
};

struct UserDirectoryEntry {
    std::string userId;
    std::optional<std::string> displayName;
    std::optional<std::string> avatarUrl;
};

struct UserDirectoryResult {
    bool limited = false;
    std::vector<UserDirectoryEntry> results;
};

/**
 * How an encrypted room event came out of decryption, for the user interface (never sent to
 * widgets, which get the decrypted event only).
 */
struct DecryptionInfo {
    bool failed = false;        ///< the event could not be decrypted (yet): it stays m.room.encrypted
    std::string failureCode;    ///< missing_room_key, unknown_message_index, …
    std::string failureMessage;
    std::string sessionId;
    std::string senderDevice;   ///< the device that sent it, when decrypted
    std::string shield;         ///< "none", "grey" (e.g. an unverified device) or "red"
    std::string shieldMessage;
};

struct TurnServers {
    std::vector<std::string> uris;
    std::string username;
    std::string password;
    std::int64_t ttlSeconds = 0;
};

struct Profile {
    std::optional<std::string> displayName;
    std::optional<std::string> avatarUrl;
};

struct CreateRoomRequest {
    std::string name;
    std::string topic;
    /** "private_chat" (default), "public_chat" or "trusted_private_chat". */
    std::string preset = "private_chat";
    /** Extra state: [{type, state_key, content}], applied after the preset's events. */
    std::vector<nlohmann::json> initialState;
    std::vector<std::string> invite;
};

/**
 * What a listener hears. Every member may be empty. Callbacks run on the scheduler's thread,
 * after the data is stored, so a read from inside a callback sees the event.
 */
struct RoomListener {
    /** A new timeline event (state events in the timeline included), client format with room_id. */
    std::function<void(const nlohmann::json &event)> onEvent;
    /** The current state of a room changed to @p event (from the timeline or from a state block). */
    std::function<void(const nlohmann::json &event)> onStateChanged;
    /**
     * A to-device message: {sender, type, content, encrypted}. `encrypted` is true when it came
     * Olm-encrypted to this device and was decrypted.
     */
    std::function<void(const nlohmann::json &message)> onToDevice;
    /**
     * An encrypted event that onEvent (or a read) gave as m.room.encrypted, because its key had
     * not arrived, can now be read: the decrypted event, with the same event id.
     */
    std::function<void(const nlohmann::json &event)> onEventDecrypted;
    /** A room appeared, or its membership, name, topic or encryption changed. */
    std::function<void(const RoomInfo &room)> onRoomChanged;
    /**
     * The server skipped events of @p roomId (a `limited` sync): what a listener holds of the
     * room's timeline no longer reaches the events that follow, which onEvent gives next. A
     * timeline read from the newest event sees them contiguously again.
     */
    std::function<void(const std::string &roomId)> onTimelineGap;
};

/** Keeps a listener registered; destroying it unregisters. May outlive the backend. */
class ListenerHandle {
public:
    virtual ~ListenerHandle() = default;
};

/**
 * @brief The rooms the host shows and widgets act on: one interface, implemented by the
 * embedded local backend (LocalBackend) and by a Matrix homeserver client (MatrixBackend).
 *
 * Asynchronous and Qt-free. Every call is made on the scheduler's thread; every callback runs
 * later on that thread (delivered through Scheduler::post, never on a network thread and never
 * from inside the call), exactly once — unless the backend is destroyed first, after which
 * callbacks still waiting for the network are dropped. Server failures keep the homeserver's answer in
 * Error::matrixApiError (status, errcode, error and extra fields); the local backend reports
 * its refusals the same way, so a widget sees the same errors from both.
 *
 * The synchronous queries (rooms, power levels, encryption) answer from data the backend
 * keeps locally and never block on the network.
 *
 * It does not decide what a widget may do: capabilities and consent are the bridge's and the
 * host's business. A backend with end-to-end encryption gives decrypted events (type and content
 * in the clear, as Element gives them to widgets) wherever events come out, and encrypts what
 * is sent into an encrypted room; decryptionInfo() tells how an event was decrypted. Whether
 * anything may leave for an encrypted room is decided in front of it by the EncryptionGate
 * (encryptiongate.h), which refuses what the backend cannot encrypt (canEncrypt(), encrypts()).
 */
class RoomBackend {
public:
    virtual ~RoomBackend() = default;

    // --- identity and rooms ------------------------------------------------------------------
    [[nodiscard]] virtual std::string userId() const = 0;
    [[nodiscard]] virtual std::string deviceId() const = 0;
    /** Rooms the user is in, invited to, or left (known locally). */
    [[nodiscard]] virtual std::vector<RoomInfo> rooms() const = 0;
    [[nodiscard]] virtual std::optional<RoomInfo> room(const std::string &roomId) const = 0;
    /** The power level m.room.power_levels gives the user (default rules when absent). */
    [[nodiscard]] virtual std::int64_t powerLevel(const std::string &roomId, const std::string &userId) const = 0;
    /** Whether the user's power level allows sending state of @p type (not whether a key is theirs). */
    [[nodiscard]] virtual bool canSendState(const std::string &roomId, const std::string &type) const = 0;
    /** Whether the user's power level allows sending message events of @p type. */
    [[nodiscard]] virtual bool canSendEvent(const std::string &roomId, const std::string &type) const = 0;
    [[nodiscard]] virtual bool isEncrypted(const std::string &roomId) const = 0;
    /** Whether this backend encrypts and decrypts (end-to-end encryption); false: it cannot. */
    [[nodiscard]] virtual bool encrypts() const { return false; }
    /**
     * Whether a message event sent into @p roomId would be encrypted by this backend (it has
     * end-to-end encryption and supports the room's algorithm). False for a room that is not
     * encrypted too.
     */
    [[nodiscard]] virtual bool canEncrypt(const std::string &roomId) const
    {
        (void)roomId;
        return false;
    }

    virtual void createRoom(const CreateRoomRequest &request, Callback<std::string> done) = 0;
    virtual void joinRoom(const std::string &roomIdOrAlias, Callback<std::string> done) = 0;
    virtual void leaveRoom(const std::string &roomId, Callback<void> done) = 0;

    // --- reading -------------------------------------------------------------------------------
    /** Current state events of @p type; @p stateKey nullopt means every key. */
    virtual void readState(const std::string &roomId, const std::string &type,
                           const std::optional<std::string> &stateKey, Callback<std::vector<nlohmann::json>> done) = 0;
    virtual void readTimeline(const TimelineQuery &query, Callback<TimelinePage> done) = 0;
    virtual void readRelations(const RelationsQuery &query, Callback<RelationsPage> done) = 0;
    /** The room account data event of @p type ({type, content}), nullopt if unset. */
    virtual void readRoomAccountData(const std::string &roomId, const std::string &type,
                                     Callback<std::optional<nlohmann::json>> done) = 0;
    virtual void setRoomAccountData(const std::string &roomId, const std::string &type,
                                    const nlohmann::json &content, Callback<void> done) = 0;

    // --- sending -------------------------------------------------------------------------------
    /** Sends a message or state event (or schedules a delayed one). */
    virtual void send(const SendRequest &request, Callback<SendResult> done) = 0;
    /** Redacts @p eventId; answers the redaction's event id. */
    virtual void redact(const std::string &roomId, const std::string &eventId, const std::optional<std::string> &reason,
                        Callback<std::string> done) = 0;
    /**
     * Withdraws a send made with SendRequest::sendKey that has not finished: a backend with an
     * outbox takes it out so no request for it is made again. Answers at once, from local data.
     * Unless the answer is Unknown, the send's callback still runs exactly once: with ErrorCode::
     * Conflict ("withdrawn") when it was taken out, with the server's answer when InFlight.
     * Backends that finish every send at once (the local one) have nothing to withdraw.
     */
    virtual Withdrawal withdrawSend(const std::string &sendKey)
    {
        (void)sendKey;
        return Withdrawal::Unknown;
    }
    /**
     * Forgets a send made with SendRequest::sendKey that the server refused for good and that a
     * backend keeps for the user interface (MatrixBackend::failedSends): the user deleted it, or
     * sends it again as a new send. False if there is none under that key.
     */
    virtual bool forgetFailedSend(const std::string &sendKey)
    {
        (void)sendKey;
        return false;
    }
    /** Whether send() accepts delayMs / parentDelayId (MSC4140). */
    [[nodiscard]] virtual bool supportsDelayedEvents() const = 0;
    virtual void updateDelayedEvent(const std::string &delayId, DelayedEventAction action, Callback<void> done) = 0;
    /** Sends unencrypted to-device messages; @p messages is {user_id: {device_id or "*": content}}. */
    virtual void sendToDevice(const std::string &type, const nlohmann::json &messages, Callback<void> done) = 0;
    /**
     * Sends to-device messages Olm-encrypted for each device (MSC3819's `encrypted: true`), for the
     * widget @p widgetId (empty: the user); refused (Unsupported) by a backend without end-to-end
     * encryption, which the EncryptionGate in front of it never lets such a message reach.
     */
    virtual void sendEncryptedToDevice(const std::string &type, const nlohmann::json &messages,
                                       const std::string &widgetId, Callback<void> done) = 0;
    /** How @p eventId was decrypted, if it was an encrypted event this backend decrypted (or tried to). */
    [[nodiscard]] virtual std::optional<DecryptionInfo> decryptionInfo(const std::string &eventId) const
    {
        (void)eventId;
        return std::nullopt;
    }

    // --- account services ---------------------------------------------------------------------
    virtual void requestOpenIdToken(Callback<OpenIdToken> done) = 0;
    /** The media repository's configuration, e.g. {"m.upload.size": 52428800}. */
    virtual void mediaConfig(Callback<nlohmann::json> done) = 0;
    /** Uploads and answers the mxc:// URI. */
    virtual void uploadMedia(const MediaUpload &upload, Callback<std::string> done) = 0;
    virtual void downloadMedia(const std::string &mxcUri, Callback<MediaDownload> done) = 0;
    /**
     * An image to show at about @p sizePx square (an avatar): a server-made thumbnail where the
     * server has them, else the file itself. Refused (ErrorCode::Unsupported) when larger than
     * @p maxBytes. This default downloads the file and checks its size afterwards.
     */
    virtual void downloadThumbnail(const std::string &mxcUri, int sizePx, std::size_t maxBytes,
                                   Callback<MediaDownload> done)
    {
        (void)sizePx;
        downloadMedia(mxcUri, [maxBytes, done = std::move(done)](Result<MediaDownload> r) {
            if (r && r->bytes.size() > maxBytes)
                return done(Error(ErrorCode::Unsupported,
                                  "the image is larger than " + std::to_string(maxBytes) + " bytes"));
            done(std::move(r));
        });
    }
    virtual void searchUserDirectory(const std::string &term, int limit, Callback<UserDirectoryResult> done) = 0;
    virtual void turnServers(Callback<TurnServers> done) = 0;
    virtual void profile(const std::string &userId, Callback<Profile> done) = 0;
    virtual void setDisplayName(const std::string &displayName, Callback<void> done) = 0;
    virtual void setAvatarUrl(const std::string &mxcUri, Callback<void> done) = 0;

    // --- notifications ------------------------------------------------------------------------
    [[nodiscard]] virtual std::unique_ptr<ListenerHandle> addListener(RoomListener listener) = 0;
};

} // namespace tessera::matrix
