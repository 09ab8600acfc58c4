// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Tessera

// Message entry; `/widget <url> [name]` adds a widget. Refusals are shown, never sent.
Rectangle {
    id: root
    color: Theme.surface
    implicitHeight: column.implicitHeight + 16
    property string error: ""

    Rectangle { anchors.top: parent.top; width: parent.width; height: 1; color: Theme.border }

    ColumnLayout {
        id: column
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.verticalCenter: parent.verticalCenter
        anchors.margins: 12
        spacing: 6

        // Said before anyone types: messages cannot be sent here (adding widgets still works).
        // Where Tessera encrypts (a Matrix account's Megolm rooms) nothing needs saying.
        RowLayout {
            objectName: "composerEncrypted"
            visible: Host.currentRoomEncrypted && !Host.currentRoomCanEncrypt
            spacing: 8
            Layout.fillWidth: true
            LockIcon {
                size: 14
                color: Theme.muted
                Layout.alignment: Qt.AlignTop
                Layout.topMargin: 2
            }
            Label {
                text: qsTr("This room is end-to-end encrypted and Tessera cannot encrypt messages here, so it sends none; widgets can still be added.")
                textFormat: Text.PlainText
                wrapMode: Text.Wrap
                color: Theme.muted
                font.pixelSize: 13
                Layout.fillWidth: true
            }
        }
        Label {
            objectName: "composerError"
            visible: root.error.length > 0
            text: root.error
            textFormat: Text.PlainText
            wrapMode: Text.Wrap
            color: Theme.danger
            Layout.fillWidth: true
        }
        RowLayout {
            spacing: 8
            Layout.fillWidth: true
            TextField {
                id: input
                objectName: "composerInput"
                Layout.fillWidth: true
                implicitHeight: Theme.touch
                placeholderText: Host.currentRoomId.length > 0 ? qsTr("Message, or /widget https://… to add a widget")
                                                               : qsTr("Choose a room")
                enabled: Host.currentRoomId.length > 0
                Accessible.name: qsTr("Message")
                Accessible.description: placeholderText
                onAccepted: root.send()
                onTextChanged: if (root.error.length > 0) root.error = ""
            }
            PrimaryButton {
                objectName: "composerSend"
                text: qsTr("Send")
                implicitHeight: Theme.touch
                enabled: input.text.trim().length > 0
                onClicked: root.send()
            }
        }
    }

    // A message refused before it left comes back with the reason: nothing typed is lost.
    Connections {
        target: Host
        function onComposerRefused(roomId, text, reason) {
            if (roomId !== Host.currentRoomId)
                return
            if (input.text.length === 0)
                input.text = text
            root.error = reason
        }
    }

    function send() {
        const message = Host.submitComposer(input.text)
        if (message.length > 0) {
            error = message
        } else {
            error = ""
            input.clear()
        }
    }
}
