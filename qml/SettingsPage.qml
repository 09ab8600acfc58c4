// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Tessera

// The account (sign out, the server's account page), theme and language; theme and language are
// also pushed to open widgets.
Rectangle {
    id: root
    objectName: "settingsPage"
    color: Theme.window
    signal back()

    ColumnLayout {
        anchors.fill: parent
        spacing: 0
        PageHeader { title: qsTr("Settings"); onBack: root.back() }
        ColumnLayout {
            Layout.margins: 20
            spacing: 12
            Label { visible: Account.matrix; text: qsTr("Account"); font.bold: true }
            Label {
                objectName: "settingsAccountUser"
                visible: Account.matrix && Account.userId.length > 0
                text: qsTr("Signed in as %1").arg(Account.userId)
                textFormat: Text.PlainText
                wrapMode: Text.WrapAnywhere
                Layout.fillWidth: true
            }
            RowLayout {
                visible: Account.matrix && Account.userId.length > 0
                spacing: 8
                Button {
                    objectName: "settingsManageAccount"
                    visible: Account.accountManagementUrl.length > 0
                    text: qsTr("Manage your account…")
                    implicitHeight: Theme.touch
                    onClicked: {
                        const error = Account.openAccountManagement()
                        if (error.length > 0)
                            manageError.text = error
                    }
                }
                Button {
                    objectName: "settingsSignOut"
                    text: qsTr("Sign out…")
                    implicitHeight: Theme.touch
                    onClicked: signOutDialog.open()
                }
            }
            Label {
                id: manageError
                visible: text.length > 0
                color: Theme.danger
                wrapMode: Text.Wrap
                Layout.fillWidth: true
            }
            Label { visible: Account.matrix; text: qsTr("Sign-in in the browser"); font.bold: true }
            Label {
                visible: Account.matrix
                text: Account.oauthClientIdFixed
                      ? qsTr("The client id was given with --oauth-client-id.")
                      : qsTr("If your server's administrators registered Tessera, give the client id they gave you; leave it empty and Tessera registers itself. It is used from the next sign-in on.")
                color: Theme.muted
                wrapMode: Text.Wrap
                Layout.fillWidth: true
            }
            RowLayout {
                visible: Account.matrix
                spacing: 8
                Layout.fillWidth: true
                TextField {
                    id: clientIdField
                    objectName: "settingsClientId"
                    text: Account.oauthClientId
                    enabled: !Account.oauthClientIdFixed
                    placeholderText: qsTr("Client id")
                    Accessible.name: qsTr("OAuth client id")
                    implicitHeight: Theme.touch
                    Layout.fillWidth: true
                    Layout.maximumWidth: 480
                    onTextEdited: clientIdStatus.text = ""
                    onAccepted: clientIdSave.clicked()
                }
                Button {
                    id: clientIdSave
                    objectName: "settingsClientIdSave"
                    visible: !Account.oauthClientIdFixed
                    text: qsTr("Save")
                    implicitHeight: Theme.touch
                    onClicked: {
                        const error = Account.saveOAuthClientId(clientIdField.text)
                        clientIdStatus.failed = error.length > 0
                        clientIdStatus.text = error.length > 0 ? error
                            : Account.oauthClientId.length > 0 ? qsTr("Saved: the next sign-in uses this client id.")
                            : qsTr("Saved: Tessera registers itself at the next sign-in.")
                    }
                }
            }
            Label {
                id: clientIdStatus
                objectName: "settingsClientIdStatus"
                property bool failed: false
                visible: text.length > 0
                color: failed ? Theme.danger : Theme.muted
                wrapMode: Text.Wrap
                Layout.fillWidth: true
            }
            Label { text: qsTr("Jitsi Meet server"); font.bold: true }
            Label {
                text: qsTr("New Jitsi Meet widgets, and Jitsi when a call cannot work, open their conference on this server.")
                color: Theme.muted
                wrapMode: Text.Wrap
                Layout.fillWidth: true
            }
            RowLayout {
                spacing: 8
                Layout.fillWidth: true
                TextField {
                    id: jitsiField
                    objectName: "settingsJitsiServer"
                    text: Host.jitsiServer
                    placeholderText: "meet.example.org"
                    inputMethodHints: Qt.ImhUrlCharactersOnly
                    Accessible.name: qsTr("Jitsi Meet server")
                    implicitHeight: Theme.touch
                    Layout.fillWidth: true
                    Layout.maximumWidth: 480
                    onTextEdited: jitsiStatus.text = ""
                    onAccepted: jitsiSave.clicked()
                }
                Button {
                    id: jitsiSave
                    objectName: "settingsJitsiServerSave"
                    text: qsTr("Save")
                    implicitHeight: Theme.touch
                    onClicked: {
                        const error = Host.saveJitsiServer(jitsiField.text)
                        jitsiStatus.failed = error.length > 0
                        jitsiStatus.text = error.length > 0 ? error : qsTr("Saved: new Jitsi widgets use %1.").arg(Host.jitsiServer)
                        if (!jitsiStatus.failed)
                            jitsiField.text = Host.jitsiServer
                    }
                }
            }
            Label {
                id: jitsiStatus
                objectName: "settingsJitsiServerStatus"
                property bool failed: false
                visible: text.length > 0
                color: failed ? Theme.danger : Theme.muted
                textFormat: Text.PlainText
                wrapMode: Text.Wrap
                Layout.fillWidth: true
            }
            Label { text: qsTr("Theme"); font.bold: true }
            RowLayout {
                spacing: 8
                Repeater {
                    model: [{ v: "system", t: qsTr("Follow the system") }, { v: "light", t: qsTr("Light") }, { v: "dark", t: qsTr("Dark") }]
                    RadioButton {
                        required property var modelData
                        implicitHeight: Theme.touch
                        text: modelData.t
                        checked: Host.themeMode === modelData.v
                        onClicked: Host.themeMode = modelData.v
                    }
                }
            }
            Label { text: qsTr("Language"); font.bold: true }
            RowLayout {
                spacing: 8
                RadioButton { implicitHeight: Theme.touch; text: "English"; checked: Host.language === "en"; onClicked: Host.language = "en" }
                RadioButton { implicitHeight: Theme.touch; text: "Español"; checked: Host.language === "es"; onClicked: Host.language = "es" }
            }
            Label {
                text: qsTr("A change of language applies to Tessera's own texts after a restart; widgets are told at once.")
                color: Theme.muted
                wrapMode: Text.Wrap
                Layout.fillWidth: true
            }
            Label { text: qsTr("About Tessera"); font.bold: true; Layout.topMargin: 12 }
            Label {
                objectName: "aboutVersions"
                readonly property var engine: Host.engineVersions
                text: qsTr("Tessera %1 on Qt %2, with Qt WebEngine %3 (Chromium %4)")
                      .arg(Qt.application.version).arg(engine.qt).arg(engine.webEngine).arg(engine.chromium)
                textFormat: Text.PlainText
                wrapMode: Text.Wrap
                Layout.fillWidth: true
            }
            Label {
                objectName: "aboutEngineOld"
                visible: Host.engineVersions.chromiumMajor < Host.engineVersions.minimumChromium
                text: qsTr("Widgets written for Chromium %1 or later may not display as they should on this engine.")
                      .arg(Host.engineVersions.minimumChromium)
                color: Theme.muted
                wrapMode: Text.Wrap
                Layout.fillWidth: true
            }
        }
        Item { Layout.fillHeight: true }
    }
    SignOutDialog { id: signOutDialog }
}
