// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QAbstractListModel>

#include <functional>
#include <memory>
#include <vector>

#include <nlohmann/json.hpp>

#include "matrix/roombackend.h"

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
    /** A display name for @p roomId (its name, else its id). */
    QString nameOf(const std::string &roomId) const;
    QString topicOf(const std::string &roomId) const;
    /** Whether @p roomId has m.room.encryption (as last listed). */
    bool encryptedOf(const std::string &roomId) const;
    void reload();

Q_SIGNALS:
    void countChanged();

private:
    matrix::RoomBackend &m_backend;
    std::vector<matrix::RoomInfo> m_rooms;
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

    matrix::RoomBackend &m_backend;
    std::string m_roomId;
    std::vector<Row> m_rows;
    bool m_loading = false;
    std::uint64_t m_generation = 0;
    std::unique_ptr<matrix::ListenerHandle> m_listener;
    std::function<QString(const std::string &)> m_pluginName;
    std::shared_ptr<int> m_lifetime = std::make_shared<int>(0);
};

} // namespace tessera::ui
