// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import Tessera

// A flat, touch-sized button with a glyph and a tooltip (the glyph is text so no icon theme is needed).
ToolButton {
    id: root
    property string glyph: ""
    property string tip: ""
    implicitWidth: Theme.touch
    implicitHeight: Theme.touch
    text: glyph
    font.pixelSize: 20
    Accessible.name: tip
    ToolTip.visible: hovered && tip.length > 0
    ToolTip.delay: 600
    ToolTip.text: tip
    // The keyboard focus is seen in every style (Universal draws none on buttons).
    Rectangle {
        anchors.fill: parent
        anchors.margins: 2
        radius: 6
        color: "transparent"
        border.width: 2
        border.color: Theme.focus
        visible: root.visualFocus
    }
}
