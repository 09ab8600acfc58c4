// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import QtTest
import Tessera

// The widget panel over the real HostController and local rooms: one tab per widget in the
// room's state, selection, removal only after confirmation, and the panel's state per room.
Item {
    id: top
    width: 1000
    height: 700

    WidgetPanel {
        id: panel
        anchors.fill: parent
    }

    TestCase {
        name: "WidgetPanel"
        when: windowShown

        function part(name) {
            const item = findChild(panel, name)
            verify(item !== null, "the panel has no " + name)
            return item
        }
        function widgetIds() {
            return Host.widgets.map((w) => w.widgetId)
        }
        function addWidget(url, name) {
            const count = Host.widgets.length
            compare(Host.addWidget(url, name), "")
            tryVerify(() => Host.widgets.length === count + 1, 5000, "the widget arrives from the room state")
            return Host.widgets.find((w) => w.name === name).widgetId
        }

        function test_1_tabs_follow_the_room_state() {
            compare(Host.widgets.length, 0)
            compare(fixture.widgetsInRoomState(), 0)
            const alpha = addWidget("https://127.0.0.1:9/alpha", "Alpha")
            const views = part("widgetViews")
            const alphaView = views.itemAt(0)
            verify(alphaView !== null)
            const beta = addWidget("https://127.0.0.1:9/beta", "Beta")
            // Adding a widget leaves the other widget's view (and its page) alone.
            compare(views.count, 2)
            verify(views.itemAt(widgetIds().indexOf(alpha)) === alphaView, "the first widget's view was rebuilt")
            compare(fixture.widgetsInRoomState(), 2)
            const tabs = part("widgetTabs")
            tryCompare(tabs, "count", 2)
            // A widget just added is the one shown.
            compare(Host.activeWidgetId, beta)
            compare(tabs.currentIndex, widgetIds().indexOf(beta))
            verify(Host.panelOpen)

            const alphaTab = findChild(tabs, "widgetTab_" + alpha)
            verify(alphaTab !== null)
            mouseClick(alphaTab)
            compare(Host.activeWidgetId, alpha)
            compare(tabs.currentIndex, widgetIds().indexOf(alpha))
        }

        function test_2_refused_url_is_not_published() {
            const before = fixture.widgetsInRoomState()
            const reason = Host.addWidget("javascript:alert(1)", "Evil")
            verify(reason.length > 0, "a reason is given")
            const reason2 = Host.addWidget("http://widgets.example/", "Plain")
            verify(reason2.length > 0)
            fixture.settle()
            compare(fixture.widgetsInRoomState(), before)
        }

        function test_3_remove_asks_first() {
            const count = Host.widgets.length
            verify(count > 0)
            const target = Host.activeWidgetId
            const dialog = findChild(panel, "removeWidgetDialog")
            verify(dialog !== null)

            // Cancel keeps the widget.
            mouseClick(part("widgetMenuButton"))
            const menu = findChild(panel, "widgetMenu")
            tryCompare(menu, "opened", true)
            const remove = findChild(menu.contentItem, "removeWidget")
            verify(remove !== null)
            mouseClick(remove)
            tryCompare(dialog, "opened", true)
            dialog.reject()
            tryCompare(dialog, "visible", false)
            fixture.settle()
            compare(Host.widgets.length, count)

            // OK removes it for everyone: the state event is emptied.
            const inState = fixture.widgetsInRoomState()
            mouseClick(part("widgetMenuButton"))
            tryCompare(menu, "opened", true)
            mouseClick(remove)
            tryCompare(dialog, "opened", true)
            dialog.accept()
            tryVerify(() => Host.widgets.length === count - 1, 5000, "the widget leaves the panel")
            verify(widgetIds().indexOf(target) < 0)
            compare(fixture.widgetsInRoomState(), inState - 1)
        }

        function test_4_panel_state_is_kept_per_room() {
            const first = Host.currentRoomId
            Host.panelOpen = true
            Host.panelFullScreen = true
            const active = Host.activeWidgetId
            verify(active.length > 0)

            const second = fixture.createRoom("Second room")
            verify(second.length > 0)
            Host.selectRoom(second)
            compare(Host.currentRoomId, second)
            compare(Host.widgets.length, 0)
            compare(part("widgetTabs").count, 0)
            verify(!Host.panelFullScreen, "a new room starts with the panel docked")
            Host.panelOpen = false

            Host.selectRoom(first)
            verify(Host.panelOpen)
            verify(Host.panelFullScreen)
            compare(Host.activeWidgetId, active)
            Host.selectRoom(second)
            verify(!Host.panelOpen)
            Host.selectRoom(first)
            Host.panelFullScreen = false
        }

        function test_5_hide_button_closes_the_panel() {
            Host.panelOpen = true
            Host.panelFullScreen = false
            const hide = part("hidePanelButton")
            verify(hide.visible)
            mouseClick(hide)
            verify(!Host.panelOpen)
            Host.panelOpen = true
        }
    }
}
