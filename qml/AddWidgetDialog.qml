// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Tessera

// Add a widget by URL, or pick a type an enabled plugin provides.
Dialog {
    id: root
    objectName: "addWidgetDialog"
    parent: Overlay.overlay
    anchors.centerIn: parent
    width: Math.min(520, parent.width - 24)
    modal: true
    Overlay.modal: Rectangle { color: Theme.scrim }
    title: qsTr("Add a widget")
    property string error: ""
    onOpened: { error = ""; urlField.text = ""; nameField.text = ""; urlField.forceActiveFocus() }

    ColumnLayout {
        width: parent.width
        spacing: 10
        TextField {
            id: urlField
            objectName: "addWidgetUrl"
            Layout.fillWidth: true
            implicitHeight: Theme.touch
            placeholderText: "https://"
            Accessible.name: qsTr("Address of the widget")
            inputMethodHints: Qt.ImhUrlCharactersOnly
        }
        TextField {
            id: nameField
            objectName: "addWidgetName"
            Layout.fillWidth: true
            implicitHeight: Theme.touch
            placeholderText: qsTr("Name (optional)")
            Accessible.name: placeholderText
        }
        Label {
            visible: root.error.length > 0
            text: root.error
            textFormat: Text.PlainText
            wrapMode: Text.Wrap
            color: Theme.danger
            Layout.fillWidth: true
        }
        Label {
            visible: Host.widgetTypes.length > 0
            text: qsTr("Or add one from a plugin:")
            color: Theme.muted
        }
        Repeater {
            // One row per widget type of the running plugins, under the name the plugin gives it.
            model: Host.widgetTypes
            ColumnLayout {
                required property var modelData
                Layout.fillWidth: true
                spacing: 2
                Button {
                    objectName: "addPluginWidget_" + modelData.type
                    text: modelData.name
                    implicitHeight: Theme.touch
                    // The icon the plugin registered for this type.
                    icon.source: modelData.icon
                    icon.color: "transparent"
                    icon.width: 24
                    icon.height: 24
                    onClicked: {
                        root.error = Host.addPluginWidget(modelData.type)
                        if (root.error.length === 0) root.close()
                    }
                }
                Label {
                    visible: text.length > 0
                    text: modelData.description
                    textFormat: Text.PlainText
                    wrapMode: Text.Wrap
                    color: Theme.muted
                    font.pixelSize: 12
                    Layout.fillWidth: true
                }
            }
        }
    }
    footer: DialogButtonBox {
        Button { text: qsTr("Cancel"); DialogButtonBox.buttonRole: DialogButtonBox.RejectRole }
        PrimaryButton {
            objectName: "addWidgetConfirm"
            text: qsTr("Add")
            enabled: urlField.text.trim().length > 0
            onClicked: {
                root.error = Host.addWidget(urlField.text.trim(), nameField.text.trim())
                if (root.error.length === 0) root.close()
            }
        }
    }
}
