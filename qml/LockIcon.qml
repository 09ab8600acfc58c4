// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
import QtQuick

// A padlock drawn with rectangles (no icon font is needed): end-to-end encryption.
Item {
    id: root
    property color color: Theme.text
    property int size: 16
    implicitWidth: size
    implicitHeight: size

    // The shackle: a rounded outline whose lower half the body covers.
    Rectangle {
        x: root.size * 0.22
        y: root.size * 0.04
        width: root.size * 0.56
        height: root.size * 0.6
        radius: width / 2
        color: "transparent"
        border.color: root.color
        border.width: Math.max(1.5, root.size * 0.12)
    }
    Rectangle {
        x: root.size * 0.1
        y: root.size * 0.42
        width: root.size * 0.8
        height: root.size * 0.54
        radius: root.size * 0.1
        color: root.color
    }
}
