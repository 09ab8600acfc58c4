// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls

// A round avatar with initials (no image fetching: names and colours only).
Rectangle {
    id: root
    property string text: ""
    property int colorIndex: 0
    property int size: 36
    width: size
    height: size
    radius: size / 2
    color: Theme.avatarColors[Math.abs(colorIndex) % Theme.avatarColors.length]
    Label {
        anchors.centerIn: parent
        text: root.text
        color: "white"
        font.pixelSize: root.size * 0.42
        font.bold: true
        textFormat: Text.PlainText
    }
}
