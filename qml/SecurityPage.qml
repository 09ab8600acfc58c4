// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Tessera

// End-to-end encryption: this device's fingerprint, the devices of the room's members and
// whether each is verified (with emoji verification), and restoring room keys from the key
// backup with the recovery key.
Rectangle {
    id: root
    objectName: "securityPage"
    color: Theme.window
    signal back()


    ColumnLayout {
        anchors.fill: parent
        spacing: 0
        PageHeader { title: qsTr("Security"); onBack: root.back() }

        Label {
            objectName: "securityUnavailable"
            visible: !Security.available
            Layout.margins: 20
            Layout.fillWidth: true
            wrapMode: Text.Wrap
            text: Security.supported
                  ? qsTr("End-to-end encryption is starting…")
                  : qsTr("Local rooms stay on this computer and are not end-to-end encrypted. Encryption is for rooms on a Matrix homeserver.")
        }

        ScrollView {
            visible: Security.available
            Layout.fillWidth: true
            Layout.fillHeight: true
            contentWidth: availableWidth
            ColumnLayout {
                width: parent.width
                spacing: 12

                // This device.
                ColumnLayout {
                    Layout.margins: 20
                    Layout.bottomMargin: 0
                    spacing: 6
                    Label { text: qsTr("This device"); font.bold: true; font.pixelSize: 16 }
                    Label {
                        objectName: "securityDeviceId"
                        text: qsTr("Device %1").arg(Security.deviceId)
                        textFormat: Text.PlainText
                        color: Theme.muted
                    }
                    Label {
                        text: qsTr("Fingerprint (compare it with what your other devices show for this one):")
                        wrapMode: Text.Wrap
                        Layout.fillWidth: true
                    }
                    TextEdit {
                        objectName: "securityFingerprint"
                        text: Security.fingerprint
                        readOnly: true
                        selectByMouse: true
                        font.family: "monospace"
                        font.pixelSize: 15
                        color: Theme.text
                        wrapMode: Text.WrapAnywhere
                        Layout.fillWidth: true
                    }
                }

                // Devices.
                ColumnLayout {
                    Layout.leftMargin: 20
                    Layout.rightMargin: 20
                    spacing: 6
                    Label {
                        text: Host.currentRoomId.length > 0 ? qsTr("Devices in this room") : qsTr("Your devices")
                        font.bold: true
                        font.pixelSize: 16
                    }
                    Label {
                        objectName: "securityUnverifiedCount"
                        visible: Security.unverifiedDevices > 0
                        Layout.fillWidth: true
                        wrapMode: Text.Wrap
                        color: Theme.warning
                        text: qsTr("%n device(s) not verified: messages you send here can be read by them, and you cannot be sure who holds them.", "", Security.unverifiedDevices)
                    }
                    Repeater {
                        model: Security.devices
                        delegate: Rectangle {
                            id: deviceRow
                            required property var modelData
                            required property int index
                            objectName: "securityDevice_" + index
                            Layout.fillWidth: true
                            implicitHeight: Math.max(Theme.touch + 16, deviceColumn.implicitHeight + 20)
                            radius: Theme.radius
                            color: Theme.surface
                            border.color: Theme.border
                            RowLayout {
                                anchors.fill: parent
                                anchors.margins: 10
                                spacing: 10
                                ColumnLayout {
                                    id: deviceColumn
                                    Layout.fillWidth: true
                                    spacing: 2
                                    Label {
                                        Layout.fillWidth: true
                                        elide: Text.ElideRight
                                        textFormat: Text.PlainText
                                        font.bold: true
                                        text: (deviceRow.modelData.displayName.length > 0 ? deviceRow.modelData.displayName : deviceRow.modelData.deviceId)
                                              + (deviceRow.modelData.own ? " " + qsTr("(this device)") : "")
                                    }
                                    Label {
                                        Layout.fillWidth: true
                                        elide: Text.ElideRight
                                        textFormat: Text.PlainText
                                        color: Theme.muted
                                        text: deviceRow.modelData.userId + " · " + deviceRow.modelData.deviceId
                                    }
                                    Label {
                                        Layout.fillWidth: true
                                        wrapMode: Text.WrapAnywhere
                                        textFormat: Text.PlainText
                                        font.family: "monospace"
                                        color: Theme.muted
                                        text: deviceRow.modelData.fingerprint
                                    }
                                }
                                Label {
                                    objectName: "securityDeviceState_" + deviceRow.index
                                    visible: !deviceRow.modelData.own
                                    text: deviceRow.modelData.verified ? "\u2713 " + qsTr("Verified") : "\u26a0 " + qsTr("Not verified")
                                    color: deviceRow.modelData.verified ? Theme.success : Theme.warning
                                }
                                Button {
                                    objectName: "securityVerify_" + deviceRow.index
                                    visible: !deviceRow.modelData.own && !deviceRow.modelData.verified
                                    implicitHeight: Theme.touch
                                    text: qsTr("Verify")
                                    onClicked: Security.verifyDevice(deviceRow.modelData.userId, deviceRow.modelData.deviceId)
                                }
                            }
                        }
                    }
                }

                // Recovery from the key backup.
                ColumnLayout {
                    Layout.margins: 20
                    spacing: 6
                    Label { text: qsTr("Read older messages"); font.bold: true; font.pixelSize: 16 }
                    Label {
                        Layout.fillWidth: true
                        wrapMode: Text.Wrap
                        text: qsTr("Messages sent before this device was signed in can be read with the keys in your key backup. Enter your recovery key to restore them.")
                    }
                    RowLayout {
                        Layout.fillWidth: true
                        spacing: 8
                        TextField {
                            id: recoveryKey
                            objectName: "securityRecoveryKey"
                            Layout.fillWidth: true
                            implicitHeight: Theme.touch
                            placeholderText: qsTr("Recovery key")
                            echoMode: TextInput.Password
                            enabled: !Security.recoveryBusy
                            onAccepted: Security.restoreFromBackup(text)
                        }
                        PrimaryButton {
                            objectName: "securityRestore"
                            implicitHeight: Theme.touch
                            text: qsTr("Restore keys")
                            enabled: !Security.recoveryBusy && recoveryKey.text.length > 0
                            onClicked: Security.restoreFromBackup(recoveryKey.text)
                        }
                    }
                    Label {
                        objectName: "securityRecoveryStatus"
                        visible: Security.recoveryStatus.length > 0
                        Layout.fillWidth: true
                        wrapMode: Text.Wrap
                        textFormat: Text.PlainText
                        text: Security.recoveryStatus
                        color: Security.recoveryFailed ? Theme.danger : Theme.text
                    }
                }
            }
        }
    }
}
