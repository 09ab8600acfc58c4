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
