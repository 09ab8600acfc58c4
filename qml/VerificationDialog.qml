// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Tessera

// Emoji verification (SAS) with another device, from a request either side made: accept it,
// compare the seven emoji with the other device, confirm or reject, see the outcome.
Dialog {
    id: root
    objectName: "verificationDialog"
    parent: Overlay.overlay
    anchors.centerIn: parent
    width: Math.min(520, parent.width - 24)
    modal: true
    closePolicy: Popup.NoAutoClose
    Overlay.modal: Rectangle { color: Theme.scrim }

    readonly property var state: Security.verification
    readonly property string stage: state.stage || ""
    readonly property string who: (state.userId || "") + (state.deviceId ? " (" + state.deviceId + ")" : "")
    visible: state.active === true
    title: stage === "done" ? qsTr("Verified")
         : stage === "cancelled" || stage === "error" ? qsTr("Verification stopped")
         : qsTr("Verify a device")

    ColumnLayout {
        width: parent.width
        spacing: 12
        Label {
            objectName: "verificationText"
            Layout.fillWidth: true
            wrapMode: Text.Wrap
            textFormat: Text.PlainText
            text: root.stage === "incoming" ? qsTr("%1 wants to verify this device. Accept only if you started this on the other device.").arg(root.who)
                : root.stage === "waiting" ? qsTr("Waiting for %1…").arg(root.who)
                : root.stage === "emoji" ? qsTr("Compare these emoji with the ones shown on %1. They must be the same, in the same order.").arg(root.who)
                : root.stage === "confirmed" ? qsTr("Waiting for %1 to confirm…").arg(root.who)
                : root.stage === "done" ? qsTr("%1 is verified: its messages are shown as trusted and it is no longer a warning.").arg(root.who)
                : root.stage === "cancelled" ? qsTr("The verification with %1 was cancelled: %2").arg(root.who).arg(root.state.reason || qsTr("no reason given"))
                : root.stage === "error" ? (root.state.reason || "")
                : ""
        }
        GridLayout {
            visible: root.stage === "emoji" || root.stage === "confirmed"
            Layout.alignment: Qt.AlignHCenter
            columns: root.width < 420 ? 4 : 7
            columnSpacing: 8
            rowSpacing: 8
            Repeater {
                model: root.state.emojis || []
                delegate: ColumnLayout {
                    required property var modelData
                    required property int index
                    objectName: "verificationEmoji_" + index
                    spacing: 2
                    Label {
                        Layout.alignment: Qt.AlignHCenter
                        text: modelData.symbol
                        font.pixelSize: 32
                    }
                    Label {
                        objectName: "verificationEmojiName_" + index
                        Layout.alignment: Qt.AlignHCenter
                        Layout.maximumWidth: 72
                        horizontalAlignment: Text.AlignHCenter
                        wrapMode: Text.Wrap
                        text: modelData.name
                        font.pixelSize: 12
                    }
                }
            }
        }
    }
    footer: RowLayout {
        spacing: 8
        Item { Layout.fillWidth: true }
        Button {
            objectName: "verificationDecline"
            visible: root.stage === "incoming" || root.stage === "waiting" || root.stage === "confirmed"
            implicitHeight: Theme.touch
            text: root.stage === "incoming" ? qsTr("Decline") : qsTr("Cancel")
            onClicked: Security.cancelVerification()
        }
        Button {
            objectName: "verificationMismatch"
            visible: root.stage === "emoji"
            implicitHeight: Theme.touch
            text: qsTr("They don't match")
            onClicked: Security.rejectEmojis()
        }
        PrimaryButton {
            objectName: "verificationAccept"
            visible: root.stage === "incoming"
            implicitHeight: Theme.touch
            text: qsTr("Accept")
            onClicked: Security.acceptVerification()
        }
        PrimaryButton {
            objectName: "verificationMatch"
            visible: root.stage === "emoji"
            implicitHeight: Theme.touch
            text: qsTr("They match")
            onClicked: Security.confirmEmojis()
        }
        PrimaryButton {
            objectName: "verificationClose"
            visible: root.stage === "done" || root.stage === "cancelled" || root.stage === "error"
            implicitHeight: Theme.touch
            text: qsTr("Close")
            onClicked: Security.dismissVerification()
        }
        Item { width: 12 }
    }
}
