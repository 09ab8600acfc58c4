// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Tessera

// Every message and decision, newest first, with filters, a live tail and the chain check.
Rectangle {
    id: root
    objectName: "auditPage"
    color: Theme.window
    signal back()
    Component.onCompleted: { Host.audit.refresh(); Host.audit.live = true }
    Component.onDestruction: Host.audit.live = false

    ColumnLayout {
        anchors.fill: parent
        spacing: 0
        PageHeader {
            title: qsTr("Audit log")
            onBack: root.back()
            Button {
                objectName: "auditVerify"
                text: qsTr("Verify chain")
                implicitHeight: Theme.touch
                onClicked: Host.audit.verify()
            }
        }

        Rectangle {
            Layout.fillWidth: true
            visible: Host.audit.verifyResult.length > 0
            implicitHeight: verifyLabel.implicitHeight + 20
            color: Host.audit.verifyOk ? Theme.successBackground : Theme.dangerBackground
            Label {
                id: verifyLabel
                objectName: "auditVerifyResult"
                anchors.fill: parent
                anchors.margins: 10
                anchors.leftMargin: 16
                text: Host.audit.verifyResult
                textFormat: Text.PlainText
                wrapMode: Text.Wrap
                color: Host.audit.verifyOk ? Theme.success : Theme.danger
            }
        }

        RowLayout {
            Layout.fillWidth: true
            Layout.margins: 12
            spacing: 8
            TextField {
                Layout.fillWidth: true
                implicitHeight: Theme.touch
                placeholderText: qsTr("Widget")
                Accessible.name: qsTr("Widget")
                onEditingFinished: Host.audit.widgetFilter = text.trim()
            }
            TextField {
                Layout.fillWidth: true
                implicitHeight: Theme.touch
                placeholderText: qsTr("Action")
                Accessible.name: qsTr("Action")
                onEditingFinished: Host.audit.actionFilter = text.trim()
            }
            ComboBox {
                objectName: "auditDecisionFilter"
                implicitHeight: Theme.touch
                // As wide as its longest choice, in any language.
                implicitContentWidthPolicy: ComboBox.WidestText
                model: Host.audit.decisionChoices
                textRole: "text"
                valueRole: "value"
                Accessible.name: qsTr("Decision")
                onActivated: Host.audit.decisionFilter = currentValue
            }
            Switch {
                text: qsTr("Live")
                implicitHeight: Theme.touch
                checked: Host.audit.live
                onToggled: Host.audit.live = checked
            }
        }

        ListView {
            id: list
            objectName: "auditList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: Host.audit
            ScrollBar.vertical: ScrollBar { }
            delegate: ItemDelegate {
                id: row
                required property var model
                width: list.width
                height: Math.max(Theme.touch, content.implicitHeight + 12)
                // What a screen reader reads for the row: the words shown, in the order shown.
                Accessible.name: [row.model.decisionText, row.model.directionText, row.model.action,
                                  row.model.widget, row.model.reasonText].filter(s => s && s.length > 0).join(", ")
                contentItem: ColumnLayout {
                    id: content
                    spacing: 2
                    RowLayout {
                        spacing: 8
                        Label { text: "#" + row.model.seq; color: Theme.muted; font.family: "monospace"; font.pixelSize: 12 }
                        Label { text: row.model.time; color: Theme.muted; font.pixelSize: 12 }
                        Label {
                            objectName: "auditDecision"
                            text: row.model.decisionText
                            font.pixelSize: 12
                            font.bold: true
                            // The tone comes from the model (AuditModel::Tone), not from the word.
                            color: Theme.toneColors[row.model.tone]
                        }
                        Label { objectName: "auditDirection"; text: row.model.directionText; color: Theme.muted; font.pixelSize: 12 }
                        Label {
                            objectName: "auditAction"
                            text: row.model.action
                            textFormat: Text.PlainText
                            font.pixelSize: 13
                            elide: Text.ElideRight
                            Layout.fillWidth: true
                        }
                    }
                    Label {
                        objectName: "auditDetail"
                        Layout.fillWidth: true
                        text: [row.model.widget, row.model.reasonText].filter(s => s && s.length > 0).join(" — ")
                        textFormat: Text.PlainText
                        elide: Text.ElideRight
                        color: Theme.muted
                        font.pixelSize: 12
                        visible: text.length > 0
                    }
                }
            }
            Label {
                anchors.centerIn: parent
                visible: list.count === 0
                text: qsTr("No audit rows match.")
                color: Theme.muted
            }
        }
    }
}
