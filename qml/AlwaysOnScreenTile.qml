// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Tessera

// A widget that asked to stay on screen (m.always_on_screen) keeps running in a small floating
// tile while the user is in another room. The tile shows where it is from and goes back to it.
Rectangle {
    id: root
    objectName: "alwaysOnScreenTile"
    readonly property var widget: Host.widgetManager.alwaysOnScreenWidget
    visible: widget !== null
    width: 300
    height: 72
    radius: Theme.radius
    color: Theme.surface
    border.color: Theme.border
    anchors.right: parent.right
    anchors.bottom: parent.bottom
    anchors.margins: 20

    RowLayout {
        anchors.fill: parent
        anchors.margins: 12
        spacing: 10
        Rectangle {
            width: 12; height: 12; radius: 6
            color: Theme.success
        }
        ColumnLayout {
            spacing: 0
            Layout.fillWidth: true
            Label {
                text: root.widget ? root.widget.name : ""
                textFormat: Text.PlainText
                font.bold: true
                elide: Text.ElideRight
                Layout.fillWidth: true
            }
            Label {
                text: qsTr("Still running")
                color: Theme.muted
                font.pixelSize: 12
            }
        }
        Button {
            text: qsTr("Return")
            flat: true
            implicitHeight: Theme.touch
            onClicked: Host.selectRoom(root.widget.roomId)
        }
    }
}
