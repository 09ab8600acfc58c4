// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Tessera

// The bar at the top of Tessera's own pages.
Rectangle {
    id: root
    property string title: ""
    default property alias actions: actionRow.data
    signal back()
    Layout.fillWidth: true
    implicitHeight: 64
    color: Theme.surface
    RowLayout {
        anchors.fill: parent
        anchors.leftMargin: 8
        anchors.rightMargin: 8
        IconButton {
            objectName: "pageBack"
            glyph: "\u2190"
            tip: qsTr("Back")
            onClicked: root.back()
        }
        Label {
            text: root.title
            font.pixelSize: 20
            font.bold: true
            Layout.fillWidth: true
        }
        RowLayout { id: actionRow; spacing: 4 }
    }
    Rectangle { anchors.bottom: parent.bottom; width: parent.width; height: 1; color: Theme.border }
}
