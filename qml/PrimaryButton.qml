// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import Tessera

// The main action of a dialog or form: the accent colour with text that stays legible on it in
// every style and theme (the styles derive the text colour from the window's foreground).
Button {
    id: control
    highlighted: true
    // The custom text below leaves the style's accessible name empty: say it here.
    Accessible.name: text
    contentItem: Text {
        text: control.text
        font: control.font
        color: Theme.accentText
        opacity: control.enabled ? 1 : 0.6
        horizontalAlignment: Text.AlignHCenter
        verticalAlignment: Text.AlignVCenter
        elide: Text.ElideRight
    }
    // The keyboard focus is seen in every style (Universal draws none on buttons).
    Rectangle {
        anchors.fill: parent
        anchors.margins: -3
        radius: 6
        color: "transparent"
        border.width: 2
        border.color: Theme.focus
        visible: control.visualFocus
    }
}
