// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Tessera

// The room: its header, its timeline and the composer.
Rectangle {
    id: root
    color: Theme.window
    property bool compact: false
    /// The composer's height: notices are shown above it, never over it.
    readonly property real composerHeight: composer.visible ? composer.height : 0
    signal menuRequested()
    /** A page to show instead of the rooms (as the room list's pageRequested). */
    signal pageRequested(string name)

    ColumnLayout {
        anchors.fill: parent
        spacing: 0

        Rectangle {
            Layout.fillWidth: true
            height: 64
            color: Theme.surface
            RowLayout {
                anchors.fill: parent
                anchors.leftMargin: 8
                anchors.rightMargin: 8
                spacing: 8
                IconButton {
                    objectName: "roomsMenuButton"
                    visible: root.compact
                    glyph: "\u2630"
                    tip: qsTr("Rooms")
                    onClicked: root.menuRequested()
                }
                Avatar {
                    objectName: "roomAvatar"
                    visible: Host.currentRoomName.length > 0
                    size: 40
                    text: Host.currentRoomName.length > 0 ? Host.currentRoomName.charAt(0).toUpperCase() : ""
                    source: Host.currentRoomAvatar
                    colorIndex: Host.rooms.indexOf(Host.currentRoomId)
                    Layout.leftMargin: root.compact ? 0 : 8
                }
                ColumnLayout {
                    spacing: 0
                    Layout.fillWidth: true
                    RowLayout {
                        spacing: 8
                        Layout.fillWidth: true
                        Label {
                            objectName: "roomName"
                            text: Host.currentRoomName.length > 0 ? Host.currentRoomName : qsTr("No room selected")
                            textFormat: Text.PlainText
                            font.pixelSize: 18
                            font.bold: true
                            elide: Text.ElideRight
                            color: Theme.text
                            // As wide as the name, narrower (elided) when the badge needs the room.
                            // In whole pixels: the layout rounds a width down, and the name, a
                            // fraction of a pixel wider than that, was elided with room to spare.
                            Layout.fillWidth: true
                            Layout.preferredWidth: Math.ceil(implicitWidth)
                            Layout.maximumWidth: Math.ceil(implicitWidth)
                            Layout.minimumWidth: 40
                        }
                        // The room has m.room.encryption: said where the room is named, not only in the composer.
                        Rectangle {
                            id: encryptedBadge
                            objectName: "roomEncrypted"
                            visible: Host.currentRoomEncrypted
                            implicitWidth: badgeRow.implicitWidth + 16
                            implicitHeight: 24
                            radius: 12
                            color: Theme.surfaceAlt
                            border.color: Theme.border
                            Accessible.role: Accessible.StaticText
                            Accessible.name: badgeText.text
                            Row {
                                id: badgeRow
                                anchors.centerIn: parent
                                spacing: 6
                                LockIcon {
                                    size: 12
                                    color: Theme.text
                                    anchors.verticalCenter: parent.verticalCenter
                                }
                                Label {
                                    id: badgeText
                                    text: qsTr("End-to-end encrypted")
                                    color: Theme.text
                                    font.pixelSize: 12
                                    anchors.verticalCenter: parent.verticalCenter
                                }
                            }
                        }
                        // Devices in this encrypted room that nobody verified: messages sent here reach them
                        // too. A click leads to the Security page, where they can be verified.
                        AbstractButton {
                            id: unverifiedButton
                            objectName: "roomUnverified"
                            visible: Host.currentRoomEncrypted && Security.available && Security.unverifiedDevices > 0
                            implicitWidth: unverifiedBadge.implicitWidth
                            implicitHeight: Theme.touch
                            text: qsTr("%1 unverified").arg(Security.unverifiedDevices)
                            onClicked: root.pageRequested("security")
                            Accessible.name: qsTr("%1 devices in this room are not verified; open the Security page").arg(Security.unverifiedDevices)
                            ToolTip.visible: hovered || activeFocus
                            ToolTip.text: Accessible.name
                            Rectangle {
                                id: unverifiedBadge
                                anchors.verticalCenter: parent.verticalCenter
                                implicitWidth: unverifiedText.implicitWidth + 16
                                implicitHeight: 24
                                radius: 12
                                color: unverifiedButton.down ? Theme.surfaceAlt : Theme.surface
                                border.color: Theme.warning
                                border.width: unverifiedButton.activeFocus ? 2 : 1
                                Label {
                                    id: unverifiedText
                                    anchors.centerIn: parent
                                    text: "\u26a0 " + unverifiedButton.text
                                    color: Theme.warning
                                    font.pixelSize: 12
                                }
                            }
                        }
                        Item { Layout.fillWidth: true }
                    }
                    Label {
                        text: Host.currentRoomTopic
                        textFormat: Text.PlainText
                        visible: text.length > 0
                        color: Theme.muted
                        font.pixelSize: 13
                        elide: Text.ElideRight
                        Layout.fillWidth: true
                    }
                }
                Button {
                    objectName: "widgetPanelToggle"
                    flat: true
                    implicitHeight: Theme.touch
                    highlighted: Host.panelOpen
                    text: qsTr("Widgets") + (Host.widgetCount > 0 ? "  " + Host.widgetCount : "")
                    onClicked: Host.panelOpen = !Host.panelOpen
                    Accessible.name: qsTr("Show or hide the widget panel")
                }
            }
            Rectangle { anchors.bottom: parent.bottom; width: parent.width; height: 1; color: Theme.border }
        }

        Timeline {
            visible: !Host.currentRoomInvited
            Layout.fillWidth: true
            Layout.fillHeight: true
        }

        // An invitation: nothing of the room can be read or sent until the user joins.
        Item {
            id: invitePane
            objectName: "invitePane"
            visible: Host.currentRoomInvited
            readonly property bool answering: Host.answeringInvites.indexOf(Host.currentRoomId) >= 0
            Layout.fillWidth: true
            Layout.fillHeight: true
            ColumnLayout {
                anchors.centerIn: parent
                width: Math.min(parent.width - 2 * Theme.gap, 420)
                spacing: Theme.gap
                Label {
                    objectName: "inviteText"
                    text: qsTr("You are invited to %1.").arg(Host.currentRoomName)
                    textFormat: Text.PlainText
                    wrapMode: Text.Wrap
                    horizontalAlignment: Text.AlignHCenter
                    font.pixelSize: 16
                    color: Theme.text
                    Layout.fillWidth: true
                }
                Label {
                    text: invitePane.answering ? qsTr("Waiting for the server…")
                                               : qsTr("Join to read the room and send messages, or decline the invitation.")
                    wrapMode: Text.Wrap
                    horizontalAlignment: Text.AlignHCenter
                    color: Theme.muted
                    Layout.fillWidth: true
                }
                RowLayout {
                    Layout.alignment: Qt.AlignHCenter
                    spacing: Theme.gap
                    Button {
                        objectName: "inviteDecline"
                        text: qsTr("Decline")
                        enabled: !invitePane.answering
                        implicitHeight: Theme.touch
                        onClicked: Host.declineInvite(Host.currentRoomId)
                    }
                    PrimaryButton {
                        objectName: "inviteAccept"
                        text: qsTr("Accept")
                        enabled: !invitePane.answering
                        implicitHeight: Theme.touch
                        onClicked: Host.acceptInvite(Host.currentRoomId)
                    }
                }
            }
        }

        Composer {
            id: composer
            objectName: "composer"
            visible: !Host.currentRoomInvited
            Layout.fillWidth: true
        }
    }
}
