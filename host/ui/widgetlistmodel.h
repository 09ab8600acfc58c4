// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QAbstractListModel>
#include <QList>
#include <QSortFilterProxyModel>

namespace tessera::ui {

/**
 * @brief The open room's widget controllers as a list model whose rows only change where the
 * room's widgets changed.
 *
 * A view over a plain list property rebuilds every delegate on any change, and a widget's
 * delegate holds its web view: adding one widget would reload every other. Here adding or
 * removing a widget inserts or removes that row only, so the other pages keep running.
 * Roles: `modelData` (the WidgetController), `name` and `widgetId` (for searching).
 */
class WidgetListModel final : public QAbstractListModel {
    Q_OBJECT
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)

public:
    enum Role { ModelDataRole = Qt::UserRole, NameRole, WidgetIdRole };
    using QAbstractListModel::QAbstractListModel;

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    /** Makes the rows equal to @p widgets with the fewest removals and insertions. */
    void setWidgets(const QList<QObject *> &widgets);
    const QList<QObject *> &widgets() const { return m_widgets; }

Q_SIGNALS:
    void countChanged();

private:
    QList<QObject *> m_widgets;
};

/**
 * @brief The rows of a WidgetListModel whose name or widget id contains the query (ignoring
 * case), in the room's order: the panel's searchable list of every widget.
 */
class WidgetSearchModel final : public QSortFilterProxyModel {
    Q_OBJECT
    Q_PROPERTY(QString query READ query WRITE setQuery NOTIFY queryChanged)
    Q_PROPERTY(int count READ count NOTIFY countChanged)

public:
    explicit WidgetSearchModel(QObject *parent = nullptr);

    QString query() const { return m_query; }
    void setQuery(const QString &query);
    int count() const { return rowCount(); }

Q_SIGNALS:
    void queryChanged();
    void countChanged();

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_query;
};

} // namespace tessera::ui
