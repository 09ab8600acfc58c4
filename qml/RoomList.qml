// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Tessera

// The rooms, and the way to Tessera's own pages.
Rectangle {
    id: root
    color: Theme.surface
    signal roomChosen()
    signal pageRequested(string name)

    ColumnLayout {
        anchors.fill: parent
        spacing: 0

        RowLayout {
            Layout.fillWidth: true
            Layout.margins: Theme.gap
            spacing: Theme.gap
            Rectangle {
                width: 36; height: 36; radius: 10
                color: Theme.accent
                Label { anchors.centerIn: parent; text: "T"; color: Theme.accentText; font.bold: true; font.pixelSize: 18 }
            }
            ColumnLayout {
                spacing: 0
                Layout.fillWidth: true
                Label { text: "Tessera"; font.bold: true; font.pixelSize: 17; color: Theme.text }
                Label {
                    text: Host.backendLabel
                    color: Theme.muted
                    font.pixelSize: 12
                    elide: Text.ElideRight
                    Layout.fillWidth: true
                    textFormat: Text.PlainText
                }
            }
        }

        Label {
            text: qsTr("Rooms")
            color: Theme.muted
            font.pixelSize: 12
            font.capitalization: Font.AllUppercase
            font.letterSpacing: 1
            Layout.leftMargin: Theme.gap + 4
            Layout.topMargin: 4
            Layout.bottomMargin: 4
        }

        ListView {
            id: list
            objectName: "roomList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: Host.rooms
            boundsBehavior: Flickable.DragAndOvershootBounds
            ScrollBar.vertical: ScrollBar { }
            delegate: ItemDelegate {
                id: item
                required property string roomId
                required property string name
                required property string topic
                required property string initials
                required property string avatar
                required property bool invited
                required property bool inCall
                required property int index
                objectName: "room_" + index
                readonly property bool answering: Host.answeringInvites.indexOf(roomId) >= 0
                width: list.width
                height: invited ? 60 + Theme.touch + 4 : 60
                highlighted: roomId === Host.currentRoomId
                Accessible.name: item.invited ? qsTr("%1, invitation").arg(item.name)
                                 : item.inCall ? qsTr("%1, in call").arg(item.name) : item.name
                // Delegates take no focus by default: the rooms are reached with Tab.
                focusPolicy: Qt.StrongFocus
                onClicked: { Host.selectRoom(roomId); root.roomChosen() }
                // Enter opens the room as Space does.
                Keys.onReturnPressed: clicked()
                Keys.onEnterPressed: clicked()
                // The room's menu: a long press (touch), a right click, or the Menu key.
                onPressAndHold: roomMenu.openFor(item, item.width / 2, item.height / 2)
                Keys.onMenuPressed: roomMenu.openFor(item, 0, item.height)
                TapHandler {
                    acceptedButtons: Qt.RightButton
                    // A right click; a touch has no buttons, and its tap is the row's own.
                    acceptedDevices: PointerDevice.Mouse | PointerDevice.TouchPad
                    onTapped: (point) => roomMenu.openFor(item, point.position.x, point.position.y)
                }
                contentItem: GridLayout {
                    columns: 2
                    columnSpacing: Theme.gap
                    rowSpacing: 4
                    Avatar { text: item.initials; source: item.avatar; colorIndex: item.index; size: 36 }
                    ColumnLayout {
                        spacing: 0
                        Layout.fillWidth: true
                        Label {
                            objectName: "roomLabel_" + item.index
                            text: item.name
                            textFormat: Text.PlainText
                            elide: Text.ElideRight
                            font.bold: item.highlighted
                            color: Theme.text
                            Layout.fillWidth: true
                        }
                        Label {
                            objectName: "roomSubtitle_" + item.index
                            // In a call, the room says so where its topic is.
                            text: item.invited ? qsTr("Invitation") : item.inCall ? qsTr("● In call") : item.topic
                            textFormat: Text.PlainText
                            elide: Text.ElideRight
                            color: item.inCall && !item.invited ? Theme.success : Theme.muted
                            font.bold: item.inCall && !item.invited
                            font.pixelSize: 12
                            visible: text.length > 0
                            Layout.fillWidth: true
                        }
                    }
                    // An invitation is answered from the list, without opening it.
                    Item { visible: item.invited; width: 36; height: 1 }
                    RowLayout {
                        visible: item.invited
                        spacing: 8
                        Layout.fillWidth: true
                        Button {
                            objectName: "inviteDecline_" + item.index
                            text: qsTr("Decline")
                            enabled: !item.answering
                            implicitHeight: Theme.touch
                            onClicked: Host.declineInvite(item.roomId)
                        }
                        PrimaryButton {
                            objectName: "inviteAccept_" + item.index
                            text: qsTr("Accept")
                            enabled: !item.answering
                            implicitHeight: Theme.touch
                            onClicked: Host.acceptInvite(item.roomId)
                        }
                    }
                }
            }
            Label {
                anchors.centerIn: parent
                visible: list.count === 0
                text: qsTr("No rooms yet")
                color: Theme.muted
            }
        }

        Rectangle { Layout.fillWidth: true; height: 1; color: Theme.border }

        Repeater {
            model: [
                { name: "permissions", label: qsTr("Permissions"), glyph: "\u2713" },
                { name: "audit", label: qsTr("Audit log"), glyph: "\u2261" },
                { name: "plugins", label: qsTr("Plugins"), glyph: "\u25A6" },
                { name: "security", label: qsTr("Security"), glyph: "\u25C8" },
                { name: "settings", label: qsTr("Settings"), glyph: "\u2699" }
            ]
            delegate: ItemDelegate {
                required property var modelData
                objectName: "page_" + modelData.name
                Layout.fillWidth: true
                // In a layout, the height is the layout's to give: 48 px, as every touch target.
                Layout.preferredHeight: Theme.touch
                text: modelData.glyph + "   " + modelData.label
                Accessible.name: modelData.label
                focusPolicy: Qt.StrongFocus
                onClicked: root.pageRequested(modelData.name)
            }
        }
        Label {
            text: Host.userId
            textFormat: Text.PlainText
            color: Theme.muted
            font.pixelSize: 12
            elide: Text.ElideMiddle
            Layout.fillWidth: true
            Layout.margins: Theme.gap
        }
    }

    // What can be done with one room, without opening it first.
    FittedMenu {
        id: roomMenu
        objectName: "roomMenu"
        property string roomId: ""
        property bool invited: false
        function openFor(row, x, y) {
            roomId = row.roomId
            invited = row.invited
            popup(row, x, y)
        }
        MenuItem {
            objectName: "roomMenuOpen"
            implicitHeight: Theme.touch
            text: qsTr("Open")
            onTriggered: { Host.selectRoom(roomMenu.roomId); root.roomChosen() }
        }
        MenuItem {
            objectName: "roomMenuWidgets"
            implicitHeight: Theme.touch
            text: qsTr("Open with its widgets")
            visible: !roomMenu.invited
            height: visible ? implicitHeight : 0
            onTriggered: { Host.selectRoom(roomMenu.roomId); Host.panelOpen = true; root.roomChosen() }
        }
        MenuItem {
            objectName: "roomMenuAccept"
            implicitHeight: Theme.touch
            text: qsTr("Accept the invitation")
            visible: roomMenu.invited
            height: visible ? implicitHeight : 0
            onTriggered: Host.acceptInvite(roomMenu.roomId)
        }
        MenuItem {
            objectName: "roomMenuDecline"
            implicitHeight: Theme.touch
            text: qsTr("Decline the invitation")
            visible: roomMenu.invited
            height: visible ? implicitHeight : 0
            onTriggered: Host.declineInvite(roomMenu.roomId)
        }
        MenuItem {
            objectName: "roomMenuCopyId"
            implicitHeight: Theme.touch
            text: qsTr("Copy the room ID")
            onTriggered: Host.copyText(roomMenu.roomId)
        }
    }
}
