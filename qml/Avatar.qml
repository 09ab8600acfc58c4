// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls

// A round avatar: the image (image://avatar/…, already round) once it is loaded, else initials
// on a colour.
Rectangle {
    id: root
    property string text: ""
    property int colorIndex: 0
    property int size: 36
    /// image://avatar/… or "" for none.
    property string source: ""
    readonly property bool showsImage: image.status === Image.Ready
    width: size
    height: size
    radius: size / 2
    color: showsImage ? "transparent" : Theme.avatarColors[Math.abs(colorIndex) % Theme.avatarColors.length]
    Label {
        anchors.centerIn: parent
        visible: !root.showsImage
        text: root.text
        color: "white"
        font.pixelSize: root.size * 0.42
        font.bold: true
        textFormat: Text.PlainText
    }
    Image {
        id: image
        anchors.fill: parent
        source: root.source
        sourceSize: Qt.size(96, 96)
        fillMode: Image.PreserveAspectCrop
        smooth: true
        visible: root.showsImage
    }
}
