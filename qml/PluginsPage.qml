// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Tessera

// The plugins Tessera found: each one's state, version, ABI, folder and, for those that failed,
// why; a switch to turn each off or on, and one for third-party plugins. Choices apply at the
// next start (a running plugin is never unloaded), and the page says so.
Rectangle {
    id: root
    objectName: "pluginsPage"
    color: Theme.window
    signal back()

    function stateText(state) {
        switch (state) {
        case "running": return qsTr("Running")
        case "skipped": return qsTr("Not loaded")
        case "failed": return qsTr("Failed")
        case "disabled": return qsTr("Stopped after failing")
        case "stopped": return qsTr("Stopped")
        default: return qsTr("Found")
        }
    }
    function sourceText(source) {
        switch (source) {
        case "bundled": return qsTr("installed with Tessera")
        case "user": return qsTr("third-party")
        case "environment": return qsTr("from TESSERA_PLUGIN_PATH")
        case "command-line": return qsTr("from --plugins-dir")
        default: return source
        }
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 0
        PageHeader { title: qsTr("Plugins"); onBack: root.back() }

        Rectangle {
            objectName: "pluginRestartNotice"
            visible: Host.pluginRestartNeeded
            Layout.fillWidth: true
            implicitHeight: restartLabel.implicitHeight + 24
            color: Theme.surface
            border.color: Theme.accent
            Label {
                id: restartLabel
                anchors.fill: parent
                anchors.margins: 12
                text: qsTr("Restart Tessera to apply your changes: plugins are loaded when it starts.")
                wrapMode: Text.Wrap
                verticalAlignment: Text.AlignVCenter
            }
        }

        ListView {
            id: list
            objectName: "pluginList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: Host.plugins
            spacing: 8
            topMargin: 12
            bottomMargin: 12

            header: Rectangle {
                width: list.width
                implicitHeight: thirdParty.implicitHeight + 20
                color: "transparent"
                ColumnLayout {
                    id: thirdParty
                    x: 14
                    y: 4
                    width: parent.width - 28
                    spacing: 4
                    RowLayout {
                        Layout.fillWidth: true
                        Label {
                            text: qsTr("Third-party plugins")
                            font.bold: true
                            Layout.fillWidth: true
                        }
                        Switch {
                            objectName: "thirdPartySwitch"
                            implicitHeight: Theme.touch
                            checked: Host.thirdPartyPlugins
                            onToggled: Host.thirdPartyPlugins = checked
                            Accessible.name: qsTr("Load third-party plugins")
                        }
                    }
                    Label {
                        objectName: "thirdPartyHelp"
                        Layout.fillWidth: true
                        text: qsTr("Plugins you put in %1 are third-party: native code that runs with your rights. "
                                   + "They load only when this is on, or when Tessera starts with --user-plugins.")
                              .arg(Host.userPluginDir)
                        textFormat: Text.PlainText
                        wrapMode: Text.Wrap
                        color: Theme.muted
                        font.pixelSize: 13
                    }
                    Label {
                        visible: Host.thirdPartyFromCommandLine
                        Layout.fillWidth: true
                        text: qsTr("On for this session: Tessera was started with --user-plugins.")
                        wrapMode: Text.Wrap
                        color: Theme.muted
                        font.pixelSize: 13
                    }
                }
            }

            delegate: Rectangle {
                id: card
                required property var modelData
                objectName: "pluginCard_" + modelData.id
                x: 12
                width: list.width - 24
                implicitHeight: column.implicitHeight + 20
                radius: Theme.radius
                color: Theme.surface
                border.color: Theme.border
                ColumnLayout {
                    id: column
                    anchors.fill: parent
                    anchors.margins: 10
                    anchors.leftMargin: 14
                    spacing: 2
                    RowLayout {
                        Layout.fillWidth: true
                        Label { text: card.modelData.name; textFormat: Text.PlainText; font.bold: true; elide: Text.ElideRight; Layout.fillWidth: true }
                        Label {
                            objectName: "pluginState_" + card.modelData.id
                            text: root.stateText(card.modelData.state)
                            color: card.modelData.error.length > 0 && card.modelData.state !== "skipped" ? Theme.danger
                                 : card.modelData.state === "running" ? Theme.success : Theme.muted
                            font.bold: true
                        }
                        Switch {
                            objectName: "pluginSwitch_" + card.modelData.id
                            implicitHeight: Theme.touch
                            checked: card.modelData.enabled
                            onToggled: Host.setPluginEnabled(card.modelData.id, checked)
                            Accessible.name: qsTr("Load %1").arg(card.modelData.name)
                        }
                    }
                    Label {
                        Layout.fillWidth: true
                        visible: card.modelData.description.length > 0
                        text: card.modelData.description
                        textFormat: Text.PlainText
                        wrapMode: Text.Wrap
                    }
                    Label {
                        objectName: "pluginDetails_" + card.modelData.id
                        Layout.fillWidth: true
                        text: qsTr("Version %1 · ABI %2 · %3 · %4")
                              .arg(card.modelData.version.length > 0 ? card.modelData.version : "?")
                              .arg(card.modelData.abi.length > 0 ? card.modelData.abi : "?")
                              .arg(root.sourceText(card.modelData.source)).arg(card.modelData.id)
                        textFormat: Text.PlainText
                        wrapMode: Text.Wrap
                        color: Theme.muted
                        font.pixelSize: 12
                    }
                    Label {
                        Layout.fillWidth: true
                        text: card.modelData.path
                        textFormat: Text.PlainText
                        wrapMode: Text.WrapAnywhere
                        color: Theme.muted
                        font.pixelSize: 12
                    }
                    Label {
                        objectName: "pluginError_" + card.modelData.id
                        Layout.fillWidth: true
                        visible: card.modelData.error.length > 0
                        text: card.modelData.error
                        textFormat: Text.PlainText
                        wrapMode: Text.Wrap
                        color: card.modelData.state === "skipped" ? Theme.muted : Theme.danger
                    }
                }
            }
            Label {
                anchors.centerIn: parent
                visible: list.count === 0
                text: qsTr("No plugins found.")
                color: Theme.muted
            }
        }
    }
}
