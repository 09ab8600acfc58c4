// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Tessera

// Sign in to a Matrix homeserver (password login; servers that need the browser flow say so).
Rectangle {
    id: root
    objectName: "loginPage"
    color: Theme.window

    Rectangle {
        anchors.centerIn: parent
        width: Math.min(440, parent.width - 32)
        height: form.implicitHeight + 48
        radius: Theme.radius + 4
        color: Theme.surface
        border.color: Theme.border

        ColumnLayout {
            id: form
            anchors.fill: parent
            anchors.margins: 24
            spacing: 12
            Label { text: qsTr("Sign in"); font.pixelSize: 22; font.bold: true }
            Label {
                text: qsTr("Tessera will keep your session in the system keychain (or, without one, in a file only you can read).")
                wrapMode: Text.Wrap
                color: Theme.muted
                Layout.fillWidth: true
            }
            TextField {
                id: server
                objectName: "loginHomeserver"
                Layout.fillWidth: true
                implicitHeight: Theme.touch
                placeholderText: "https://matrix.example.org"
                text: Host.homeserverUrl
                inputMethodHints: Qt.ImhUrlCharactersOnly
            }
            TextField {
                id: user
                objectName: "loginUser"
                Layout.fillWidth: true
                implicitHeight: Theme.touch
                placeholderText: qsTr("User name")
            }
            TextField {
                id: password
                objectName: "loginPassword"
                Layout.fillWidth: true
                implicitHeight: Theme.touch
                placeholderText: qsTr("Password")
                echoMode: TextInput.Password
                onAccepted: signIn.clicked()
            }
            Label {
                objectName: "loginError"
                visible: Host.loginError.length > 0
                text: Host.loginError
                textFormat: Text.PlainText
                wrapMode: Text.Wrap
                color: Theme.danger
                Layout.fillWidth: true
            }
            PrimaryButton {
                id: signIn
                objectName: "loginSubmit"
                Layout.fillWidth: true
                implicitHeight: Theme.touch
                enabled: !Host.loginBusy
                text: Host.loginBusy ? qsTr("Signing in…") : qsTr("Sign in")
                onClicked: Host.login(server.text, user.text, password.text)
            }
        }
    }
}
