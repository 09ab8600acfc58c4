// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QAbstractListModel>
#include <QList>

namespace tessera::ui {

/**
 * @brief The open room's widget controllers as a list model whose rows only change where the
 * room's widgets changed.
 *
 * A view over a plain list property rebuilds every delegate on any change, and a widget's
 * delegate holds its web view: adding one widget would reload every other. Here adding or
 * removing a widget inserts or removes that row only, so the other pages keep running.
 * The single role is `modelData` (the WidgetController).
 */
class WidgetListModel final : public QAbstractListModel {
    Q_OBJECT
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)

public:
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

} // namespace tessera::ui
