// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "widgetlistmodel.h"

#include <QSet>

#include "widgetcontroller.h"

namespace tessera::ui {

int WidgetListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_widgets.size());
}

QVariant WidgetListModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_widgets.size())
        return {};
    QObject *widget = m_widgets.at(index.row());
    switch (role) {
    case ModelDataRole: return QVariant::fromValue(widget);
    case NameRole: return static_cast<WidgetController *>(widget)->name();
    case WidgetIdRole: return static_cast<WidgetController *>(widget)->widgetId();
    default: return {};
    }
}

QHash<int, QByteArray> WidgetListModel::roleNames() const
{
    return {{ModelDataRole, "modelData"}, {NameRole, "name"}, {WidgetIdRole, "widgetId"}};
}

void WidgetListModel::setWidgets(const QList<QObject *> &widgets)
{
    if (widgets == m_widgets)
        return;
    const qsizetype before = m_widgets.size();
    // A room can hold thousands of widgets: membership by hash, and each run of neighbouring
    // rows leaves or arrives in one change, so a view does its work once per run, not per row.
    const QSet<QObject *> wanted(widgets.cbegin(), widgets.cend());
    for (qsizetype end = m_widgets.size(); end > 0;) {
        if (wanted.contains(m_widgets.at(end - 1))) {
            --end;
            continue;
        }
        qsizetype first = end - 1;
        while (first > 0 && !wanted.contains(m_widgets.at(first - 1)))
            --first;
        beginRemoveRows({}, int(first), int(end - 1));
        m_widgets.remove(first, end - first);
        endRemoveRows();
        end = first;
    }
    // What remains must be in the new order; if the room reordered its widgets, start over.
    const QSet<QObject *> present(m_widgets.cbegin(), m_widgets.cend());
    QList<QObject *> kept;
    for (QObject *w : widgets)
        if (present.contains(w))
            kept.append(w);
    if (kept != m_widgets) {
        beginResetModel();
        m_widgets = widgets;
        endResetModel();
    } else {
        for (qsizetype i = 0; i < widgets.size();) {
            if (i < m_widgets.size() && m_widgets.at(i) == widgets.at(i)) {
                ++i;
                continue;
            }
            qsizetype end = i;
            while (end < widgets.size() && !present.contains(widgets.at(end)))
                ++end;
            beginInsertRows({}, int(i), int(end - 1));
            m_widgets = m_widgets.mid(0, i) + widgets.mid(i, end - i) + m_widgets.mid(i);
            endInsertRows();
            i = end;
        }
    }
    if (m_widgets.size() != before)
        Q_EMIT countChanged();
}

WidgetSearchModel::WidgetSearchModel(QObject *parent) : QSortFilterProxyModel(parent)
{
    connect(this, &QAbstractItemModel::rowsInserted, this, &WidgetSearchModel::countChanged);
    connect(this, &QAbstractItemModel::rowsRemoved, this, &WidgetSearchModel::countChanged);
    connect(this, &QAbstractItemModel::modelReset, this, &WidgetSearchModel::countChanged);
    connect(this, &QAbstractItemModel::layoutChanged, this, &WidgetSearchModel::countChanged);
}

void WidgetSearchModel::setQuery(const QString &query)
{
    const QString trimmed = query.trimmed();
    if (trimmed == m_query)
        return;
    m_query = trimmed;
    invalidateRowsFilter();
    Q_EMIT queryChanged();
    Q_EMIT countChanged();
}

bool WidgetSearchModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (m_query.isEmpty())
        return true;
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    return index.data(WidgetListModel::NameRole).toString().contains(m_query, Qt::CaseInsensitive)
        || index.data(WidgetListModel::WidgetIdRole).toString().contains(m_query, Qt::CaseInsensitive);
}

} // namespace tessera::ui
