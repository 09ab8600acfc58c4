// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Tessera

// MSC2790: a widget's modal widget, with its buttons (at most three).
Popup {
    id: root
    objectName: "modalWidget"
    parent: Overlay.overlay
    anchors.centerIn: parent
    width: Math.min(720, parent.width - 24)
    height: Math.min(560, parent.height - 24)
    modal: true
    Overlay.modal: Rectangle { color: Theme.scrim }
    closePolicy: Popup.CloseOnEscape
    readonly property var widget: Host.widgetManager.modal
    visible: widget !== null
    onClosed: if (widget !== null) Host.widgetManager.dismissModal()
    padding: 0
    background: Rectangle { color: Theme.surface; radius: Theme.radius; border.color: Theme.border }

    contentItem: ColumnLayout {
        spacing: 0
        RowLayout {
            Layout.fillWidth: true
            Layout.margins: 8
            Label {
                Layout.fillWidth: true
                Layout.leftMargin: 8
                text: root.widget ? root.widget.name : ""
                textFormat: Text.PlainText
                font.bold: true
                elide: Text.ElideRight
            }
            IconButton { glyph: "\u2715"; tip: qsTr("Close"); onClicked: Host.widgetManager.dismissModal() }
        }
        WidgetView {
            Layout.fillWidth: true
            Layout.fillHeight: true
            widget: root.widget
            shown: root.visible
        }
        RowLayout {
            Layout.fillWidth: true
            Layout.margins: 12
            visible: root.widget !== null && root.widget.modalButtons.length > 0
            Item { Layout.fillWidth: true }
            Repeater {
                model: root.widget ? root.widget.modalButtons.slice(0, 3) : []
                Button {
                    required property var modelData
                    text: modelData.label
                    enabled: !modelData.disabled
                    highlighted: modelData.kind === "m.primary"
                    implicitHeight: Theme.touch
                    onClicked: root.widget.pressModalButton(modelData.id)
                }
            }
        }
    }
}
