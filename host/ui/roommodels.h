// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QAbstractListModel>

#include <functional>
#include <map>
#include <memory>
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
    enum Roles { RoomIdRole = Qt::UserRole + 1, NameRole, TopicRole, EncryptedRole, InvitedRole, InitialsRole };
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
    void reload();

Q_SIGNALS:
    void countChanged();

private:
    matrix::RoomBackend &m_backend;
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
    };
    Q_ENUM(Roles)

    explicit TimelineModel(matrix::RoomBackend &backend, QObject *parent = nullptr);
    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;
    bool loading() const { return m_loading; }

    void setRoom(const std::string &roomId);
    /** How a plugin id is shown ("Kanban board" for io.tessera.kanban); the id when unset or unknown. */
    void setPluginNameLookup(std::function<QString(const std::string &pluginId)> lookup);
    /** Number of events shown at most (older ones are dropped from the model). */
    static constexpr int kMaxEvents = 500;

Q_SIGNALS:
    void countChanged();
    void loadingChanged();

private:
    struct Row {
        std::string eventId, sender, body, kind;
        std::string stateKind; ///< for kind "state": what changed (translated when shown)
        std::int64_t ts = 0;
    };
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
    std::uint64_t m_generation = 0;
    std::unique_ptr<matrix::ListenerHandle> m_listener;
    std::function<QString(const std::string &)> m_pluginName;
    std::shared_ptr<int> m_lifetime = std::make_shared<int>(0);
};

} // namespace tessera::ui
