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
    // Scrolled to the top: the page before it (inserted above, the rows on screen stay put).
    function loadOlderIfAtTop() {
        if (list.count > 0 && list.contentY - list.originY < 200 && Host.timeline.canLoadOlder)
            Host.timeline.loadOlder()
    }
    onContentYChanged: loadOlderIfAtTop()
    // A first page shorter than the view cannot be scrolled: fill the view.
    onContentHeightChanged: Qt.callLater(loadOlderIfAtTop)
    Connections {
        target: Host.timeline
        function onOlderChanged() { Qt.callLater(list.loadOlderIfAtTop) }
        // The user's own message: shown where it went, at the end, wherever the view was.
        function onPendingAdded() {
            list.atEnd = true
            Qt.callLater(list.positionViewAtEnd)
        }
    }

    header: Item {
        width: ListView.view.width
        height: Host.timeline.loadingOlder || Host.timeline.olderError.length > 0 ? Theme.touch + 8 : 0
        visible: height > 0
        BusyIndicator {
            objectName: "timelineLoadingOlder"
            anchors.centerIn: parent
            running: Host.timeline.loadingOlder
            visible: running
        }
        RowLayout {
            anchors.centerIn: parent
            visible: !Host.timeline.loadingOlder && Host.timeline.olderError.length > 0
            spacing: 8
            Label {
                objectName: "timelineOlderError"
                text: qsTr("Older messages could not be loaded: %1").arg(Host.timeline.olderError)
                textFormat: Text.PlainText
                elide: Text.ElideRight
                color: Theme.muted
                Layout.maximumWidth: list.width - 140
            }
            Button {
                text: qsTr("Try again")
                implicitHeight: Theme.touch
                onClicked: Host.timeline.loadOlder()
            }
        }
    }

    delegate: Item {
        id: row
        required property string sender
        required property string senderName
        required property string initials
        required property string avatar
        required property int colorIndex
        required property string time
        required property string body
        required property string kind
        required property bool own
        required property string status
        required property string sendError
        required property string localId
        required property int index
        width: ListView.view.width
        height: kind === "state" ? stateLine.implicitHeight + 12 : bubble.height + 8
        // The last row grew (a message that was not sent says so): keep it in view at the end.
        onHeightChanged: if (list.atEnd && index === list.count - 1) Qt.callLater(list.positionViewAtEnd)
        // The message's menu: a long press (touch or mouse) or a right click.
        TapHandler {
            objectName: "messageMenuHandler"
            acceptedButtons: Qt.LeftButton | Qt.RightButton
            onLongPressed: messageMenu.openFor(row, point.position.x, point.position.y)
            onTapped: (eventPoint, button) => {
                if (button === Qt.RightButton)
                    messageMenu.openFor(row, eventPoint.position.x, eventPoint.position.y)
            }
        }

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
                source: row.avatar
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
                // The user's own message on its way, or refused by the server.
                Label {
                    objectName: "sendStatus_" + row.index
                    visible: row.status.length > 0
                    text: row.status === "sending" ? qsTr("Sending…") : qsTr("Not sent: %1").arg(row.sendError)
                    textFormat: Text.PlainText
                    wrapMode: Text.Wrap
                    color: row.status === "failed" ? Theme.danger : Theme.muted
                    font.pixelSize: 12
                    Layout.fillWidth: true
                }
                RowLayout {
                    visible: row.status === "failed"
                    spacing: 8
                    Button {
                        objectName: "sendRetry_" + row.index
                        text: qsTr("Retry")
                        implicitHeight: Theme.touch
                        onClicked: Host.retrySend(row.localId)
                    }
                    Button {
                        objectName: "sendDelete_" + row.index
                        text: qsTr("Delete")
                        implicitHeight: Theme.touch
                        onClicked: Host.discardSend(row.localId)
                    }
                }
            }
        }
    }

    // What can be done with one message.
    FittedMenu {
        id: messageMenu
        objectName: "messageMenu"
        property string text: ""
        property string localId: ""
        property bool failed: false
        function openFor(row, x, y) {
            text = row.kind === "state" ? row.senderName + " " + row.body : row.body
            localId = row.localId
            failed = row.status === "failed"
            popup(row, x, y)
        }
        MenuItem {
            objectName: "messageMenuCopy"
            implicitHeight: Theme.touch
            text: qsTr("Copy the text")
            onTriggered: Host.copyText(messageMenu.text)
        }
        MenuItem {
            objectName: "messageMenuRetry"
            implicitHeight: Theme.touch
            text: qsTr("Try sending again")
            visible: messageMenu.failed
            height: visible ? implicitHeight : 0
            onTriggered: Host.retrySend(messageMenu.localId)
        }
        MenuItem {
            objectName: "messageMenuDelete"
            implicitHeight: Theme.touch
            text: qsTr("Delete the unsent message")
            visible: messageMenu.failed
            height: visible ? implicitHeight : 0
            onTriggered: Host.discardSend(messageMenu.localId)
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
