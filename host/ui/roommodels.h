// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QAbstractListModel>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include <nlohmann/json.hpp>

#include "matrix/roombackend.h"
#include "matrix/roomname.h"

namespace tessera::ui {

/** @brief The rooms the user is in or invited to, for the room list. */
class RoomListModel final : public QAbstractListModel {
    Q_OBJECT
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
public:
    enum Roles {
        RoomIdRole = Qt::UserRole + 1,
        NameRole,
        TopicRole,
        EncryptedRole,
        InvitedRole,
        InitialsRole,
        InCallRole, ///< a call widget of the room is in its call
        AvatarRole, ///< image://avatar/… of m.room.avatar, else of the one other member; "" for none
    };
    Q_ENUM(Roles)

    explicit RoomListModel(matrix::RoomBackend &backend, QObject *parent = nullptr);
    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;
    Q_INVOKABLE int indexOf(const QString &roomId) const;
    Q_INVOKABLE QString roomIdAt(int row) const;
    /** The name @p roomId shows (the spec's room-name algorithm, worded in the user's language); its id if unknown. */
    QString nameOf(const std::string &roomId) const;
    /** Whether the user is invited to @p roomId and has not answered yet. */
    bool invitedOf(const std::string &roomId) const;
    /** How @p room is named: m.room.name, else its alias, else its members ("Alice and Bob"), else "Empty room". */
    static QString displayName(const matrix::RoomInfo &room);
    /** "A", "A and B", "A, B and C". */
    static QString listOf(const QStringList &names);
    QString topicOf(const std::string &roomId) const;
    /** Whether @p roomId has m.room.encryption (as last listed). */
    bool encryptedOf(const std::string &roomId) const;
    /** AvatarRole of @p roomId ("" when it has none, or is not listed). */
    QString avatarOf(const std::string &roomId) const;
    /** The avatar a room shows: its m.room.avatar, else the avatar of the one member it is named after. */
    static QString avatarUrl(const matrix::RoomInfo &room);
    void reload();
    /** The rooms whose call widget is in its call (the room list says "in call"). */
    void setRoomsInCall(std::set<std::string> roomIds);

Q_SIGNALS:
    void countChanged();

private:
    matrix::RoomBackend &m_backend;
    std::set<std::string> m_inCall;
    std::vector<matrix::RoomInfo> m_rooms;
    std::vector<QString> m_names; ///< displayName() of each room, in the order of m_rooms
    std::unique_ptr<matrix::ListenerHandle> m_listener;
};

/**
 * @brief The timeline of one room: messages, stickers and the state changes people care about
 * (widgets added or removed, name and topic changes), oldest first.
 */
class TimelineModel final : public QAbstractListModel {
    Q_OBJECT
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
    Q_PROPERTY(bool loading READ loading NOTIFY loadingChanged)
    /// Older events can be loaded (scrolling back): the server has more, and the model has room for them.
    Q_PROPERTY(bool canLoadOlder READ canLoadOlder NOTIFY olderChanged)
    Q_PROPERTY(bool loadingOlder READ loadingOlder NOTIFY olderChanged)
    /// Why the last page of older events could not be loaded (empty when it could).
    Q_PROPERTY(QString olderError READ olderError NOTIFY olderChanged)
public:
    enum Roles {
        EventIdRole = Qt::UserRole + 1,
        SenderRole,
        SenderNameRole,
        InitialsRole,
        ColorIndexRole,
        TimeRole,
        BodyRole,
        KindRole, ///< "message", "emote", "notice", "state", "sticker", "encrypted" (not decrypted)
        OwnRole,
        DayRole,
        StatusRole,    ///< "" (on the server), "sending" or "failed": the user's own messages not yet accepted
        SendErrorRole, ///< for "failed": why the server refused it
        LocalIdRole,   ///< for a message not yet accepted: what retrySend()/discardSend() take
        AvatarRole,    ///< image://avatar/… of the sender's member event; "" for none
    };
    Q_ENUM(Roles)

    explicit TimelineModel(matrix::RoomBackend &backend, QObject *parent = nullptr);
    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;
    bool loading() const { return m_loading; }

    bool canLoadOlder() const { return !m_olderToken.empty() && !m_loading; }
    bool loadingOlder() const { return m_loadingOlder; }
    QString olderError() const { return m_olderError; }

    void setRoom(const std::string &roomId);
    /** Loads the page of events before the oldest shown (the backend's /messages when its cache runs out). */
    Q_INVOKABLE void loadOlder();
    /** How a plugin id is shown ("Kanban board" for io.tessera.kanban); the id when unset or unknown. */
    void setPluginNameLookup(std::function<QString(const std::string &pluginId)> lookup);

    /** The user's message @p body to @p roomId is on its way: shown at once as "sending". */
    void addPending(const std::string &localId, const std::string &roomId, const std::string &body);
    /** The server accepted it as @p eventId (its echo from the sync is the same row). */
    void markSent(const std::string &localId, const std::string &eventId);
    /** The server refused it for good: "not sent", with @p reason. */
    void markFailed(const std::string &localId, const QString &reason);
    /** Forgets a message not yet accepted (sent again or deleted by the user). */
    void removePending(const std::string &localId);
    /** The room and text of a message not yet accepted; nullopt if there is none with @p localId. */
    std::optional<std::pair<std::string, std::string>> pending(const std::string &localId) const;

    /** Events held at most: more live events drop the oldest, and with them the way further back. */
    static constexpr int kMaxEvents = 5000;
    /** Events the first page of a room shows; scrolling back loads kOlderPageSize more at a time. */
    static constexpr int kFirstPageSize = 200;
    static constexpr int kOlderPageSize = 100;

Q_SIGNALS:
    void countChanged();
    void loadingChanged();
    void olderChanged();
    /** The user just sent a message to the room shown (the view goes to the end to show it). */
    void pendingAdded();

private:
    struct Row {
        std::string eventId, sender, body, kind;
        std::string stateKind; ///< for kind "state": what changed (translated when shown)
        std::int64_t ts = 0;
        std::string localId; ///< the user's messages not yet accepted by the server
        std::string status;  ///< "", "sending", "failed"
        QString sendError;
    };
    int rowOfLocal(const std::string &localId) const;
    void trimOldest();
    std::optional<Row> rowFor(const nlohmann::json &event) const;
    void append(const nlohmann::json &event);
    /** An event shown as undecryptable that can now be read: its row becomes the message. */
    void replaceDecrypted(const nlohmann::json &event);
    QString pluginName(const std::string &pluginId) const;
    /** How @p userId is shown: their display name in this room, disambiguated, else the id's localpart. */
    QString senderName(const std::string &userId) const;
    void setMembers(const std::vector<nlohmann::json> &memberEvents);
    void updateMember(const nlohmann::json &memberEvent);

    matrix::RoomBackend &m_backend;
    std::string m_roomId;
    std::vector<Row> m_rows;
    /** Live events that arrived while the first page was loading: merged in after it. */
    std::vector<nlohmann::json> m_liveWhileLoading;
    /** The room's members (m.room.member state) by user id, and how many members in the room use each display name. */
    std::map<std::string, matrix::RoomMember> m_members;
    std::map<std::string, int> m_nameUses;
    bool m_loading = false;
    /** Where loadOlder() continues; empty at the start of the room (or once events were dropped). */
    std::string m_olderToken;
    bool m_loadingOlder = false;
    QString m_olderError;
    /** The user's messages not yet accepted by the server, per room, so they survive switching rooms. */
    std::map<std::string, std::vector<Row>> m_unsent;
    std::uint64_t m_generation = 0;
    std::unique_ptr<matrix::ListenerHandle> m_listener;
    std::function<QString(const std::string &)> m_pluginName;
    std::shared_ptr<int> m_lifetime = std::make_shared<int>(0);
};

} // namespace tessera::ui
