// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls

// A menu as wide as its longest item (the styles' fixed width cut the words off), within the
// window of the item it belongs to.
Menu {
    width: {
        let widest = 0
        for (let i = 0; i < count; ++i)
            widest = Math.max(widest, itemAt(i).implicitWidth)
        const wanted = Math.max(200, widest + leftPadding + rightPadding)
        // No parent while the menu is being destroyed.
        return parent ? Math.min(wanted, parent.Window.width - 16) : wanted
    }
}
