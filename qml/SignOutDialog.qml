// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Tessera

// Signing out: the server forgets this session and Tessera wipes its secrets; the user says
// whether the rooms stay on this computer.
Dialog {
    id: root
    objectName: "signOutDialog"
    modal: true
    anchors.centerIn: Overlay.overlay
    width: Math.min(460, (parent ? parent.width : 460) - 32)
    title: qsTr("Sign out?")
    padding: 20

    ColumnLayout {
        width: root.availableWidth
        spacing: 12
        Label {
            text: Account.authKind === "oauth"
                  ? qsTr("Tessera asks the server to revoke this session and deletes its keys to your account from this computer.")
                  : qsTr("Tessera tells the server to end this session and deletes its key to your account from this computer.")
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }
        CheckBox {
            id: keep
            objectName: "signOutKeepData"
            text: qsTr("Keep my rooms and unsent messages on this computer for the next sign-in")
            Layout.fillWidth: true
            implicitHeight: Theme.touch
            contentItem: Label {
                leftPadding: keep.indicator.width + keep.spacing
                text: keep.text
                wrapMode: Text.Wrap
                verticalAlignment: Text.AlignVCenter
            }
        }
        Label {
            text: qsTr("The audit log always stays.")
            color: Theme.muted
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }
        RowLayout {
            Layout.alignment: Qt.AlignRight
            spacing: 8
            Button {
                objectName: "signOutCancel"
                text: qsTr("Cancel")
                implicitHeight: Theme.touch
                onClicked: root.reject()
            }
            PrimaryButton {
                objectName: "signOutConfirm"
                text: qsTr("Sign out")
                implicitHeight: Theme.touch
                onClicked: {
                    Account.signOut(keep.checked)
                    root.accept()
                }
            }
        }
    }
    onOpened: keep.checked = false
}
