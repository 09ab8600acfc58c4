// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Tessera

// The connection to the homeserver when it is not simply fine: connecting, or offline with a
// retry. Nothing is shown for local rooms or while everything works.
Rectangle {
    id: root
    objectName: "connectionBanner"
    readonly property bool shown: Account.matrix && !Account.required
                                  && (Account.connection === "connecting" || Account.connection === "offline")
    height: shown ? Math.max(Theme.touch, row.implicitHeight + 8) : 0
    visible: shown
    color: Account.connection === "offline" ? Theme.warningBackground : Theme.surfaceAlt
    Accessible.role: Accessible.AlertMessage
    Accessible.name: label.text

    RowLayout {
        id: row
        anchors.fill: parent
        anchors.leftMargin: 16
        anchors.rightMargin: 8
        spacing: 12
        BusyIndicator {
            visible: Account.connection === "connecting"
            running: visible
            implicitWidth: 28
            implicitHeight: 28
        }
        Label {
            id: label
            objectName: "connectionText"
            text: Account.connection === "offline"
                  ? (Account.connectionDetail.length > 0
                     ? qsTr("Offline: %1 Tessera keeps trying.").arg(Account.connectionDetail)
                     : qsTr("Offline. Tessera keeps trying."))
                  : qsTr("Connecting to your homeserver…")
            textFormat: Text.PlainText
            wrapMode: Text.Wrap
            color: Theme.text
            Layout.fillWidth: true
        }
        Button {
            objectName: "connectionRetry"
            visible: Account.connection === "offline"
            text: qsTr("Retry now")
            implicitHeight: Theme.touch
            onClicked: Account.retryNow()
        }
    }
}
