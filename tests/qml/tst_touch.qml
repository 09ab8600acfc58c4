// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import QtTest
import Tessera

// The main window (Main.qml) by touch: every finger goes through Qt's touch delivery (a touch
// screen's events, sent to the window as the platform would send them), never to a handler
// directly. A swipe on the tab strip moves between the widgets; a long press on a widget's tab,
// a room or a message opens its menu, whose rows are 48 px and answer a tap.
Item {
    id: top
    width: 200
    height: 200

    Component {
        id: mainWindow
        Main { }
    }
    // Where the clipboard is read back: a paste into a field.
    TextField { id: pasteTarget }

    TestCase {
        id: test
        name: "Touch"
        when: windowShown

        property var win: null
        property string room: ""
        property int panelWidth: 0

        function part(name, under) {
            let item = null
            tryVerify(() => (item = findChild(under || test.win.contentItem, name)) !== null, 2000, "the window has no " + name)
            return item
        }
        // The item under @p parent that shows exactly @p text.
        function withText(parent, text) {
            const children = parent.children
            for (let i = 0; i < children.length; ++i) {
                const child = children[i]
                if (child.visible && child.text === text)
                    return child
                const found = withText(child, text)
                if (found !== null)
                    return found
            }
            return null
        }
        function clipboard() {
            pasteTarget.clear()
            pasteTarget.paste()
            return pasteTarget.text
        }

        // One finger: down at (x, y) of @p item, and up again.
        function tap(item, x, y) {
            const finger = touchEvent(item)
            finger.press(0, item, x, y).commit()
            finger.release(0, item, x, y).commit()
        }
        // One finger held still at (x, y) for longer than the platform's press-and-hold time.
        function hold(item, x, y) {
            const finger = touchEvent(item)
            finger.press(0, item, x, y).commit()
            wait(Qt.styleHints.mousePressAndHoldInterval + 400)
            finger.release(0, item, x, y).commit()
        }
        // One finger drawn from fromX to toX at height y, in small steps as a hand moves.
        function swipe(item, fromX, toX, y) {
            const finger = touchEvent(item)
            finger.press(0, item, fromX, y).commit()
            const steps = 12
            for (let i = 1; i <= steps; ++i) {
                wait(16)
                finger.move(0, item, fromX + (toX - fromX) * i / steps, y).commit()
            }
            finger.release(0, item, toX, y).commit()
        }
        // The widget id of tab @p index (the tab is opened to learn it).
        function tabWidget(index) {
            Host.selectTab(index)
            compare(Host.activeTabIndex, index)
            return Host.activeWidgetId
        }
        function menuRows(menu) {
            const rows = []
            for (let i = 0; i < menu.count; ++i) {
                const row = menu.itemAt(i)
                if (row.visible)
                    rows.push(row)
            }
            return rows
        }
        function expectTouchSizedRows(menu) {
            for (const row of menuRows(menu))
                verify(row.height >= 48, "the menu row “" + row.text + "” is " + row.height + " px high")
        }

        function initTestCase() {
            room = fixture.createRoom("Touch room")
            verify(room.length > 0)
            Host.selectRoom(room)
            win = mainWindow.createObject(top)
            verify(win !== null, "Main.qml did not load")
            // Wide enough for the three tabs side by side, each whole under a finger.
            win.width = 1600
            win.height = 800
            tryVerify(() => win.visible, 2000)
            panelWidth = Host.panelWidth
            Host.panelWidth = 760
            for (const name of ["First", "Second", "Third"])
                compare(Host.addWidget("https://127.0.0.1:9/" + name.toLowerCase(), name), "")
            tryCompare(Host, "widgetCount", 3, 5000)
            Host.panelOpen = true
            Host.panelFullScreen = false
            waitForRendering(win.contentItem)
        }
        function cleanupTestCase() {
            Host.panelWidth = panelWidth
            verify(fixture.resetShell(), "the shell is left with no widget shown")
            if (win) {
                win.close()
                win.destroy()
            }
        }

        // A swipe to the left on the tab strip opens the next widget, to the right the previous
        // one; a short drag does nothing, and a tap still opens the tab under the finger.
        function test_1_swipe_between_tabs() {
            const tabs = part("widgetTabs")
            Host.selectTab(0)
            compare(Host.activeTabIndex, 0)
            const y = tabs.height / 2
            const middle = Math.min(tabs.width / 2, 300)

            const menu = part("widgetMenu", part("widgetPanel"))
            swipe(tabs, middle + 120, middle - 120, y)
            tryCompare(Host, "activeTabIndex", 1, 2000, "a swipe to the left opens the next tab")
            // A swipe is not a long press: the tab it started on opens no menu later.
            wait(Qt.styleHints.mousePressAndHoldInterval + 300)
            verify(!menu.opened, "a swipe opened the widget's menu")
            swipe(tabs, middle + 120, middle - 120, y)
            tryCompare(Host, "activeTabIndex", 2)
            // The last tab: nothing after it.
            swipe(tabs, middle + 120, middle - 120, y)
            wait(100)
            compare(Host.activeTabIndex, 2)
            swipe(tabs, middle - 120, middle + 120, y)
            tryCompare(Host, "activeTabIndex", 1, 2000, "a swipe to the right opens the previous tab")

            // Too short to be a swipe.
            swipe(tabs, middle, middle - 30, y)
            wait(100)
            compare(Host.activeTabIndex, 1)

            // With more tabs than the strip shows, a swipe still moves between them (it does
            // not scroll the strip), and the open tab stays in view.
            Host.panelWidth = 360
            tryVerify(() => tabs.overflowing, 3000, "the tabs overflow a narrow panel")
            swipe(tabs, tabs.width / 2 + 60, tabs.width / 2 - 80, y)
            tryCompare(Host, "activeTabIndex", 2, 2000, "a swipe in the overflowing strip opens the next tab")
            const open = part("widgetTab_" + Host.activeWidgetId)
            tryVerify(() => open.x - tabs.contentX >= -1 && open.x + open.width - tabs.contentX <= tabs.width + 1, 2000,
                      "the open tab is in view")
            swipe(tabs, tabs.width / 2 - 80, tabs.width / 2 + 60, y)
            tryCompare(Host, "activeTabIndex", 1)
            Host.panelWidth = 760
            tryVerify(() => !tabs.overflowing, 3000)

            // A tap opens the tab it lands on.
            const first = part("widgetTab_" + tabWidget(0))
            Host.selectTab(2)
            tap(first, first.width / 2, first.height / 2)
            tryCompare(Host, "activeTabIndex", 0, 2000, "a tap on a tab opens it")
        }

        // A long press on a widget's tab opens that widget and its menu.
        function test_2_long_press_on_a_tab() {
            const widget = tabWidget(1)
            Host.selectTab(0)
            const tab = part("widgetTab_" + widget)
            const menu = part("widgetMenu", part("widgetPanel"))
            verify(!menu.opened, "the menu is open before the long press")
            hold(tab, tab.width / 2, tab.height / 2)
            tryCompare(menu, "opened", true, 2000, "a long press opens the widget's menu")
            compare(Host.activeWidgetId, widget)
            expectTouchSizedRows(menu)
            // A tap on "Remove for everyone…" asks first; Cancel, by touch too, keeps the widget.
            const remove = findChild(menu.contentItem, "removeWidget")
            tap(remove, remove.width / 2, remove.height / 2)
            const dialog = part("removeWidgetDialog", part("widgetPanel"))
            tryCompare(dialog, "opened", true)
            tryCompare(menu, "visible", false)
            const cancel = findChild(dialog.footer, "removeWidgetCancel")
            tap(cancel, cancel.width / 2, cancel.height / 2)
            tryCompare(dialog, "visible", false)
            compare(Host.widgetCount, 3)
        }

        // A long press on a room opens its menu, without opening the room under the finger.
        function test_3_long_press_on_a_room() {
            const other = fixture.createRoom("Other touch room")
            Host.selectRoom(room)
            const list = part("dockedRoomList")
            // Earlier test files left rooms of their own: the row is brought into view first.
            part("roomList", list).positionViewAtIndex(Host.rooms.indexOf(other), ListView.Contain)
            const row = part("room_" + Host.rooms.indexOf(other), list)
            const menu = part("roomMenu", list)
            hold(row, row.width / 2, row.height / 2)
            tryCompare(menu, "opened", true, 2000, "a long press opens the room's menu")
            compare(Host.currentRoomId, room, "the long press opened the room")
            expectTouchSizedRows(menu)
            compare(menuRows(menu).map((r) => r.text), ["Open", "Open with its widgets", "Copy the room ID"])

            const copy = findChild(menu.contentItem, "roomMenuCopyId")
            tap(copy, copy.width / 2, copy.height / 2)
            tryCompare(menu, "visible", false)
            compare(clipboard(), other)

            // Again, and "Open" by touch opens it.
            hold(row, row.width / 2, row.height / 2)
            tryCompare(menu, "opened", true)
            const open = findChild(menu.contentItem, "roomMenuOpen")
            tap(open, open.width / 2, open.height / 2)
            tryCompare(Host, "currentRoomId", other)
            Host.selectRoom(room)
            tryCompare(Host, "currentRoomId", room)
        }

        // A long press on a message opens its menu; "Copy the text" puts the message on the clipboard.
        function test_4_long_press_on_a_message() {
            Host.selectRoom(room)
            compare(Host.submitComposer("held by a finger"), "")
            const timeline = part("timelineList")
            let label = null
            tryVerify(() => (label = withText(timeline, "held by a finger")) !== null, 3000, "the message is shown")
            waitForRendering(win.contentItem)
            const menu = part("messageMenu", timeline)
            hold(label, 10, label.height / 2)
            tryCompare(menu, "opened", true, 2000, "a long press opens the message's menu")
            expectTouchSizedRows(menu)
            compare(menuRows(menu).map((r) => r.text), ["Copy the text"])
            const copy = findChild(menu.contentItem, "messageMenuCopy")
            tap(copy, copy.width / 2, copy.height / 2)
            tryCompare(menu, "visible", false)
            compare(clipboard(), "held by a finger")

            // A tap is not a long press: no menu.
            tap(label, 10, label.height / 2)
            wait(Qt.styleHints.mousePressAndHoldInterval + 200)
            verify(!menu.opened, "a tap opened the menu")
        }

        // The same menus for a mouse: a right click.
        function test_5_right_click_opens_the_same_menus() {
            const tab = part("widgetTab_" + tabWidget(2))
            Host.selectTab(0)
            const widgetMenu = part("widgetMenu", part("widgetPanel"))
            mouseClick(tab, tab.width / 2, tab.height / 2, Qt.RightButton)
            tryCompare(widgetMenu, "opened", true)
            compare(Host.activeTabIndex, 2)
            keyClick(Qt.Key_Escape)
            tryCompare(widgetMenu, "visible", false)

            const list = part("dockedRoomList")
            part("roomList", list).positionViewAtIndex(Host.rooms.indexOf(room), ListView.Contain)
            const row = part("room_" + Host.rooms.indexOf(room), list)
            const roomMenu = part("roomMenu", list)
            mouseClick(row, row.width / 2, row.height / 2, Qt.RightButton)
            tryCompare(roomMenu, "opened", true)
            keyClick(Qt.Key_Escape)
            tryCompare(roomMenu, "visible", false)
        }
    }
}
