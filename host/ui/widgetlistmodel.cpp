// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "widgetlistmodel.h"

namespace tessera::ui {

int WidgetListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_widgets.size());
}

QVariant WidgetListModel::data(const QModelIndex &index, int role) const
{
    if (role != Qt::UserRole || !index.isValid() || index.row() >= m_widgets.size())
        return {};
    return QVariant::fromValue(m_widgets.at(index.row()));
}

QHash<int, QByteArray> WidgetListModel::roleNames() const
{
    return {{Qt::UserRole, "modelData"}};
}

void WidgetListModel::setWidgets(const QList<QObject *> &widgets)
{
    if (widgets == m_widgets)
        return;
    const qsizetype before = m_widgets.size();
    // Rows that left, from the end so indexes stay valid.
    for (qsizetype i = m_widgets.size() - 1; i >= 0; --i) {
        if (!widgets.contains(m_widgets.at(i))) {
            beginRemoveRows({}, int(i), int(i));
            m_widgets.removeAt(i);
            endRemoveRows();
        }
    }
    // What remains must be in the new order; if the room reordered its widgets, start over.
    QList<QObject *> kept;
    for (QObject *w : widgets)
        if (m_widgets.contains(w))
            kept.append(w);
    if (kept != m_widgets) {
        beginResetModel();
        m_widgets = widgets;
        endResetModel();
    } else {
        for (qsizetype i = 0; i < widgets.size(); ++i) {
            if (i < m_widgets.size() && m_widgets.at(i) == widgets.at(i))
                continue;
            beginInsertRows({}, int(i), int(i));
            m_widgets.insert(i, widgets.at(i));
            endInsertRows();
        }
    }
    if (m_widgets.size() != before)
        Q_EMIT countChanged();
}

} // namespace tessera::ui
