// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "matrix/events.h"
#include "matrix/roombackend.h"
#include "matrix/roomstore.h"
#include "storage/database.h"
#include "util/result.h"
#include "util/scheduler.h"

namespace tessera::matrix {

/** What the first run puts in the welcome room. The app passes the widgets it wants seeded. */
struct WelcomeRoomOptions {
    std::string name = "Welcome to Tessera";
    std::string topic = "Widgets running on this computer: no server, no account needed.";
    std::string message = "Welcome to Tessera! The widgets of this room run locally; what they send stays in "
                          "this room on your computer. Open one from the widget panel to try it.";
    /**
     * State events added after the room's own (create, member, power levels, join rules, name,
     * topic): [{type, state_key, content}], typically `m.widget` / `im.vector.modular.widgets`
     * events and `io.tessera.plugin` state.
     */
    std::vector<nlohmann::json> stateEvents;
};

struct LocalBackendOptions {
    /** Where rooms.db lives (created with mode 0700 if missing). */
    std::filesystem::path dataDir;
    /** The local user's localpart: the user is @<userName>:local. Matrix user id grammar, lower case. */
    std::string userName = "user";
    /** The display name given to the local user on first run; empty means userName. */
    std::string displayName;
    /** Create the welcome room on the first run (only ever once per data directory). */
    bool createWelcomeRoom = true;
    WelcomeRoomOptions welcome;
    /** Largest upload (m.upload.size); larger ones fail with 413 M_TOO_LARGE. */
    std::size_t maxUploadBytes = 50u * 1024u * 1024u;
    /** Largest room export importRoom() reads. */
    std::size_t maxImportBytes = 64u * 1024u * 1024u;
    /** Events (state plus timeline) one import may hold. */
    std::size_t maxImportEvents = 200'000;
    /** Longest MSC4140 delay accepted (as a server's max_event_delay_duration). */
    std::int64_t maxDelayMs = 24LL * 3600 * 1000;
};

/**
 * @brief The embedded room backend: rooms, state, timelines, media and one local user in
 * SQLite (rooms.db), with no server.
 *
 * Events have the shapes a homeserver gives them (event ids `$…`, `origin_server_ts`,
 * `unsigned.age`, `unsigned.transaction_id` on the user's own events, room ids `!…:local`), and
 * sends obey membership and m.room.power_levels the way a server's authorization rules do, with
 * the same errcodes; widgets cannot tell the difference. Delayed events (MSC4140) run on the
 * scheduler's clock and survive a restart. To-device messages addressed to the local user come
 * back to it; others are dropped, as a server drops those for unknown users.
 *
 * It has no federation, no other live users, no TURN and no OpenID provider: those calls
 * report Unsupported. Imports and exports move one room as JSON.
 */
class LocalBackend final : public RoomBackend {
public:
    static constexpr std::string_view kServerName = "local";
    static constexpr std::string_view kDeviceId = "TESSERALOCAL";
    /** The `format` field of a room export. */
    static constexpr std::string_view kExportFormat = "io.tessera.room_export";
    static constexpr int kExportVersion = 1;

    /** Opens (and on first run creates and seeds) the local rooms under options.dataDir. */
    static Result<std::unique_ptr<LocalBackend>> open(Scheduler &scheduler, LocalBackendOptions options);
    ~LocalBackend() override;

    /** The welcome room, if one was created on this or an earlier run. */
    [[nodiscard]] std::optional<std::string> welcomeRoomId();

    /**
     * The room as JSON: {format, version, room_id, state: [...], timeline: [...]} with events
     * in client format, oldest first, without unsigned.age.
     */
    Result<std::string> exportRoom(const std::string &roomId);
    /**
     * Adds a room from exportRoom()'s JSON, keeping its ids. Everything is checked before
     * anything is written; a bad file is refused with the first problem found (the field and
     * the index of the event) and changes nothing. If the local user is not joined to the
     * imported room, a join event is added. A room id that exists already is a Conflict.
     */
    Result<std::string> importRoom(std::string_view json);

    /** Delayed events waiting, children included (for tests and the UI). */
    [[nodiscard]] std::size_t pendingDelayedEvents();

    // RoomBackend
    [[nodiscard]] std::string userId() const override { return m_userId; }
    [[nodiscard]] std::string deviceId() const override { return std::string(kDeviceId); }
    [[nodiscard]] std::vector<RoomInfo> rooms() const override;
    [[nodiscard]] std::optional<RoomInfo> room(const std::string &roomId) const override;
    [[nodiscard]] std::int64_t powerLevel(const std::string &roomId, const std::string &userId) const override;
    [[nodiscard]] bool canSendState(const std::string &roomId, const std::string &type) const override;
    [[nodiscard]] bool canSendEvent(const std::string &roomId, const std::string &type) const override;
    [[nodiscard]] bool isEncrypted(const std::string &roomId) const override;
    void createRoom(const CreateRoomRequest &request, Callback<std::string> done) override;
    void joinRoom(const std::string &roomIdOrAlias, Callback<std::string> done) override;
    void leaveRoom(const std::string &roomId, Callback<void> done) override;
    void readState(const std::string &roomId, const std::string &type, const std::optional<std::string> &stateKey,
                   Callback<std::vector<nlohmann::json>> done) override;
    void readTimeline(const TimelineQuery &query, Callback<TimelinePage> done) override;
    void readRelations(const RelationsQuery &query, Callback<RelationsPage> done) override;
    void readRoomAccountData(const std::string &roomId, const std::string &type,
                             Callback<std::optional<nlohmann::json>> done) override;
    void setRoomAccountData(const std::string &roomId, const std::string &type, const nlohmann::json &content,
                            Callback<void> done) override;
    void send(const SendRequest &request, Callback<SendResult> done) override;
    void redact(const std::string &roomId, const std::string &eventId, const std::optional<std::string> &reason,
                Callback<std::string> done) override;
    [[nodiscard]] bool supportsDelayedEvents() const override { return true; }
    void updateDelayedEvent(const std::string &delayId, DelayedEventAction action, Callback<void> done) override;
    void sendToDevice(const std::string &type, const nlohmann::json &messages, Callback<void> done) override;
    void sendEncryptedToDevice(const std::string &type, const nlohmann::json &messages, const std::string &widgetId,
                               Callback<void> done) override;
    void requestOpenIdToken(Callback<OpenIdToken> done) override;
    void mediaConfig(Callback<nlohmann::json> done) override;
    void uploadMedia(const MediaUpload &upload, Callback<std::string> done) override;
    void downloadMedia(const std::string &mxcUri, Callback<MediaDownload> done) override;
    void searchUserDirectory(const std::string &term, int limit, Callback<UserDirectoryResult> done) override;
    void turnServers(Callback<TurnServers> done) override;
    void profile(const std::string &userId, Callback<Profile> done) override;
    void setDisplayName(const std::string &displayName, Callback<void> done) override;
    void setAvatarUrl(const std::string &mxcUri, Callback<void> done) override;
    [[nodiscard]] std::unique_ptr<ListenerHandle> addListener(RoomListener listener) override;

    /** What one write changed, announced to listeners after it committed. */
    struct Changes {
        std::vector<nlohmann::json> timeline;    ///< new timeline events (state ones too)
        std::vector<nlohmann::json> stateOnly;   ///< state set outside the timeline (none today)
        std::vector<std::string> roomsChanged;   ///< rooms whose RoomInfo may differ
        std::vector<nlohmann::json> toDevice;
    };

private:
    LocalBackend(Scheduler &scheduler, LocalBackendOptions options, storage::Database db);
    Result<void> initialise();

    template<typename T>
    void reply(Callback<T> done, Result<T> result);
    void publish(Changes changes);

    Result<void> requireJoined(const std::string &roomId);
    Result<nlohmann::json> appendEvent(const std::string &roomId, const std::string &type,
                                       const nlohmann::json &content, const std::optional<std::string> &stateKey,
                                       Changes &changes, const nlohmann::json &extraTopLevel = nlohmann::json::object());
    Result<void> authorise(const std::string &roomId, const std::string &type,
                           const std::optional<std::string> &stateKey, const nlohmann::json &content);
    Result<std::string> createRoomTx(const CreateRoomRequest &request, Changes &changes);
    Result<SendResult> sendNow(const SendRequest &request, Changes &changes);
    Result<SendResult> scheduleDelayed(const SendRequest &request);
    Result<void> updateDelayedTx(const std::string &delayId, DelayedEventAction action, Changes &changes);
    void armDelayTimer(const std::string &delayId, std::int64_t delayMs);
    void fireDelayed(const std::string &delayId);
    Result<void> sendDelayedRow(const std::string &delayId, Changes &changes);
    Result<void> restoreDelayedEvents();
    Result<void> updateOwnMember(const nlohmann::json &patch, Changes &changes);

    Scheduler &m_scheduler;
    LocalBackendOptions m_options;
    storage::Database m_db;
    std::unique_ptr<RoomStore> m_store;
    ListenerSet m_listeners;
    std::string m_userId;
    std::map<std::string, Scheduler::TimerId> m_delayTimers;
    std::shared_ptr<int> m_alive = std::make_shared<int>(0);
};

} // namespace tessera::matrix
