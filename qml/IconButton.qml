// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls

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
}
