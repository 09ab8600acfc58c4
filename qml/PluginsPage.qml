// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Tessera

// The plugins Tessera found, with their state and, for those that failed, why.
Rectangle {
    id: root
    objectName: "pluginsPage"
    color: Theme.window
    signal back()

    ColumnLayout {
        anchors.fill: parent
        spacing: 0
        PageHeader { title: qsTr("Plugins"); onBack: root.back() }
        ListView {
            id: list
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: Host.plugins
            spacing: 8
            topMargin: 12
            delegate: Rectangle {
                id: card
                required property var modelData
                x: 12
                width: list.width - 24
                implicitHeight: column.implicitHeight + 20
                radius: Theme.radius
                color: Theme.surface
                border.color: Theme.border
                ColumnLayout {
                    id: column
                    anchors.fill: parent
                    anchors.margins: 10
                    anchors.leftMargin: 14
                    spacing: 2
                    RowLayout {
                        Label { text: card.modelData.name; textFormat: Text.PlainText; font.bold: true }
                        Label { text: card.modelData.version; textFormat: Text.PlainText; color: Theme.muted }
                        Item { Layout.fillWidth: true }
                        Label {
                            text: card.modelData.state
                            color: card.modelData.error.length > 0 ? Theme.danger : Theme.success
                            font.bold: true
                        }
                    }
                    Label { text: card.modelData.id + " · " + card.modelData.source; textFormat: Text.PlainText; color: Theme.muted; font.pixelSize: 12 }
                    Label {
                        Layout.fillWidth: true
                        visible: card.modelData.error.length > 0
                        text: card.modelData.error
                        textFormat: Text.PlainText
                        wrapMode: Text.Wrap
                        color: Theme.danger
                    }
                }
            }
            Label {
                anchors.centerIn: parent
                visible: list.count === 0
                text: qsTr("No plugins found.")
                color: Theme.muted
            }
        }
    }
}
