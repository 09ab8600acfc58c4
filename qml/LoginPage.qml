// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Tessera

// Sign in to a Matrix homeserver: first the address (what the field shows is what is asked),
// then what the server offers: a password, the browser (OAuth 2.0), or both.
Rectangle {
    id: root
    objectName: "loginPage"
    color: Theme.window
    property bool showDetail: false

    // The field starts with --homeserver (or the server of the session that ended) and is never
    // overwritten afterwards: what the user typed stays.
    property string shownReauthUser: ""
    Component.onCompleted: server.text = Account.initialHomeserver
    Connections {
        target: Account
        function onChanged() {
            if (server.text.length === 0 && Account.initialHomeserver.length > 0)
                server.text = Account.initialHomeserver
            // Signing in again after the server ended the session: as the same user.
            if (Account.reauthUser !== root.shownReauthUser) {
                root.shownReauthUser = Account.reauthUser
                if (Account.reauthUser.length > 0)
                    user.text = Account.reauthUser
            }
            // A password is never kept in the page once it served.
            if (!Account.required)
                password.text = ""
            if (Account.error.length === 0)
                root.showDetail = false
        }
    }

    Flickable {
        anchors.fill: parent
        contentHeight: card.height + 64
        clip: true
        boundsBehavior: Flickable.StopAtBounds

        Rectangle {
            id: card
            anchors.horizontalCenter: parent.horizontalCenter
            y: Math.max(32, (root.height - height) / 2)
            width: Math.min(460, root.width - 32)
            height: form.implicitHeight + 48
            radius: Theme.radius + 4
            color: Theme.surface
            border.color: Theme.border

            ColumnLayout {
                id: form
                anchors.fill: parent
                anchors.margins: 24
                spacing: 10

                Label { text: qsTr("Sign in"); font.pixelSize: 22; font.bold: true }
                Label {
                    objectName: "loginNotice"
                    visible: Account.notice.length > 0
                    text: Account.notice
                    textFormat: Text.PlainText
                    wrapMode: Text.Wrap
                    color: Theme.warning
                    Layout.fillWidth: true
                }
                Label {
                    text: qsTr("Tessera will keep your session in the system keychain (or, without one, in a file only you can read).")
                    wrapMode: Text.Wrap
                    color: Theme.muted
                    Layout.fillWidth: true
                }

                // 1. The address.
                Label {
                    id: serverLabel
                    visible: Account.stage === "server"
                    text: qsTr("Homeserver")
                    font.bold: true
                }
                TextField {
                    id: server
                    objectName: "loginHomeserver"
                    visible: Account.stage === "server"
                    enabled: !Account.busy
                    Layout.fillWidth: true
                    implicitHeight: Theme.touch
                    placeholderText: "https://matrix.example.org"
                    inputMethodHints: Qt.ImhUrlCharactersOnly | Qt.ImhNoAutoUppercase
                    Accessible.name: serverLabel.text
                    onAccepted: continueButton.clicked()
                }
                PrimaryButton {
                    id: continueButton
                    objectName: "loginContinue"
                    visible: Account.stage === "server"
                    enabled: !Account.busy
                    Layout.fillWidth: true
                    implicitHeight: Theme.touch
                    text: qsTr("Continue")
                    onClicked: Account.discover(server.text)
                }

                // 2. What the server offers.
                RowLayout {
                    visible: Account.stage !== "server"
                    Layout.fillWidth: true
                    Label {
                        objectName: "loginServer"
                        text: qsTr("Server: %1").arg(Account.server)
                        textFormat: Text.PlainText
                        elide: Text.ElideMiddle
                        Layout.fillWidth: true
                    }
                    Button {
                        objectName: "loginChangeServer"
                        text: qsTr("Change")
                        flat: true
                        implicitHeight: Theme.touch
                        enabled: Account.stage === "choose" && !Account.busy
                        onClicked: Account.back()
                    }
                }
                ColumnLayout {
                    visible: Account.stage === "choose" && Account.passwordOffered
                    spacing: 6
                    Layout.fillWidth: true
                    Label { id: userLabel; text: qsTr("User name"); font.bold: true }
                    TextField {
                        id: user
                        objectName: "loginUser"
                        enabled: !Account.busy
                        Layout.fillWidth: true
                        implicitHeight: Theme.touch
                        placeholderText: "@name:example.org"
                        inputMethodHints: Qt.ImhNoAutoUppercase
                        Accessible.name: userLabel.text
                    }
                    Label { id: passwordLabel; text: qsTr("Password"); font.bold: true }
                    TextField {
                        id: password
                        objectName: "loginPassword"
                        enabled: !Account.busy
                        Layout.fillWidth: true
                        implicitHeight: Theme.touch
                        echoMode: TextInput.Password
                        Accessible.name: passwordLabel.text
                        onAccepted: signIn.clicked()
                    }
                    PrimaryButton {
                        id: signIn
                        objectName: "loginSubmit"
                        Layout.fillWidth: true
                        implicitHeight: Theme.touch
                        enabled: !Account.busy
                        text: qsTr("Sign in")
                        onClicked: Account.signInWithPassword(user.text, password.text)
                    }
                }
                ColumnLayout {
                    visible: Account.stage === "choose" && Account.browserOffered
                    spacing: 6
                    Layout.fillWidth: true
                    Label {
                        text: Account.passwordOffered
                              ? qsTr("Or sign in on the server's own page in your web browser.")
                              : qsTr("This server signs you in on its own page, in your web browser.")
                        wrapMode: Text.Wrap
                        color: Theme.muted
                        Layout.fillWidth: true
                    }
                    PrimaryButton {
                        objectName: "loginBrowser"
                        Layout.fillWidth: true
                        implicitHeight: Theme.touch
                        enabled: !Account.busy
                        text: qsTr("Continue in the browser")
                        onClicked: Account.signInWithBrowser()
                    }
                }

                // Progress, with a way out.
                RowLayout {
                    objectName: "loginProgress"
                    visible: Account.busy
                    spacing: 12
                    Layout.fillWidth: true
                    BusyIndicator {
                        running: Account.busy
                        implicitWidth: 40
                        implicitHeight: 40
                        Accessible.name: qsTr("Working")
                    }
                    Label {
                        objectName: "loginBusyText"
                        text: Account.busyText
                        textFormat: Text.PlainText
                        wrapMode: Text.Wrap
                        Layout.fillWidth: true
                    }
                    Button {
                        objectName: "loginCancel"
                        text: qsTr("Cancel")
                        implicitHeight: Theme.touch
                        onClicked: Account.cancel()
                    }
                }

                // What went wrong, in words; the technical detail on demand.
                Label {
                    objectName: "loginError"
                    visible: Account.error.length > 0
                    text: Account.error
                    textFormat: Text.PlainText
                    wrapMode: Text.Wrap
                    color: Theme.danger
                    Layout.fillWidth: true
                }
                Button {
                    objectName: "loginErrorDetailsToggle"
                    visible: Account.errorDetail.length > 0
                    flat: true
                    implicitHeight: Theme.touch
                    text: root.showDetail ? qsTr("Hide details") : qsTr("Show details")
                    onClicked: root.showDetail = !root.showDetail
                }
                Label {
                    objectName: "loginErrorDetail"
                    visible: root.showDetail && Account.errorDetail.length > 0
                    text: Account.errorDetail
                    textFormat: Text.PlainText
                    wrapMode: Text.WrapAnywhere
                    color: Theme.muted
                    font.family: "monospace"
                    Layout.fillWidth: true
                }
            }
        }
    }
}
