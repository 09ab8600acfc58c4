// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Tessera

// Messages, newest at the bottom; kinetic scrolling, follows new messages while at the end.
ListView {
    id: list
    objectName: "timelineList"
    clip: true
    model: Host.timeline
    spacing: 2
    topMargin: 12
    bottomMargin: 12
    boundsBehavior: Flickable.DragAndOvershootBounds
    flickDeceleration: 2500
    ScrollBar.vertical: ScrollBar { }
    property bool atEnd: true
    onMovementEnded: atEnd = list.atYEnd
    onCountChanged: if (atEnd) Qt.callLater(list.positionViewAtEnd)

    delegate: Item {
        id: row
        required property string sender
        required property string senderName
        required property string initials
        required property int colorIndex
        required property string time
        required property string body
        required property string kind
        required property bool own
        required property int index
        width: ListView.view.width
        height: kind === "state" ? stateLine.implicitHeight + 12 : bubble.height + 8

        Label {
            id: stateLine
            visible: row.kind === "state"
            anchors.horizontalCenter: parent.horizontalCenter
            anchors.verticalCenter: parent.verticalCenter
            width: Math.min(implicitWidth, parent.width - 48)
            text: row.senderName + " " + row.body
            textFormat: Text.PlainText
            wrapMode: Text.Wrap
            horizontalAlignment: Text.AlignHCenter
            color: Theme.muted
            font.pixelSize: 12
        }

        RowLayout {
            id: bubble
            visible: row.kind !== "state"
            x: 16
            width: parent.width - 32
            spacing: 10
            Avatar {
                Layout.alignment: Qt.AlignTop
                text: row.initials
                colorIndex: row.colorIndex
                size: 36
            }
            ColumnLayout {
                spacing: 2
                Layout.fillWidth: true
                RowLayout {
                    spacing: 8
                    Label {
                        text: row.senderName
                        textFormat: Text.PlainText
                        font.bold: true
                        color: Theme.avatarColors[row.colorIndex % Theme.avatarColors.length]
                    }
                    Label { text: row.time; color: Theme.muted; font.pixelSize: 12 }
                }
                RowLayout {
                    spacing: 6
                    Layout.fillWidth: true
                    // An event Tessera cannot decrypt keeps its place in the room, marked as such.
                    LockIcon {
                        visible: row.kind === "encrypted"
                        size: 13
                        color: Theme.muted
                        Layout.alignment: Qt.AlignTop
                        Layout.topMargin: 2
                    }
                    Label {
                        Layout.fillWidth: true
                        text: row.kind === "emote" ? "* " + row.senderName + " " + row.body
                            : row.kind === "sticker" ? "\u{1F5BC} " + row.body : row.body
                        textFormat: Text.PlainText
                        wrapMode: Text.Wrap
                        color: row.kind === "notice" || row.kind === "encrypted" ? Theme.muted : Theme.text
                        font.italic: row.kind === "emote" || row.kind === "encrypted"
                    }
                }
            }
        }
    }

    Label {
        anchors.centerIn: parent
        visible: list.count === 0 && !Host.timeline.loading
        text: qsTr("No messages yet")
        color: Theme.muted
    }
    BusyIndicator {
        anchors.centerIn: parent
        running: Host.timeline.loading
        visible: running
    }
}
