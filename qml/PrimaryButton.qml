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
    contentItem: Text {
        text: control.text
        font: control.font
        color: Theme.accentText
        opacity: control.enabled ? 1 : 0.6
        horizontalAlignment: Text.AlignHCenter
        verticalAlignment: Text.AlignVCenter
        elide: Text.ElideRight
    }
}
