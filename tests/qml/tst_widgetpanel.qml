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

        // Each test file has a QML engine of its own, but the host and its widgets outlive it:
        // leave no widget view behind for the next file (a view whose engine is gone crashes
        // the runner when its page navigates).
        function cleanupTestCase() {
            verify(fixture.resetShell(), "the shell is left with no widget shown")
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
            // Every item shown is whole and finger-sized (Leave the call shows only in a call).
            for (let i = 0; i < menu.count; ++i) {
                const item = menu.itemAt(i)
                if (!item.visible)
                    continue
                verify(item.implicitWidth <= item.width, "“" + item.text + "” is cut: " + item.implicitWidth + " > " + item.width)
                verify(item.height >= Theme.touch, "“" + item.text + "” is " + item.height + " px high")
            }
            mouseClick(remove)
            tryCompare(dialog, "opened", true)
            // The buttons say what they do.
            const confirm = findChild(dialog.footer, "removeWidgetConfirm")
            compare(confirm.text, "Remove for everyone")
            mouseClick(findChild(dialog.footer, "removeWidgetCancel"))
            tryCompare(dialog, "visible", false)
            fixture.settle()
            compare(Host.widgets.length, count)

            // "Remove for everyone" removes it for everyone: the state event is emptied.
            const inState = fixture.widgetsInRoomState()
            const name = Host.activeWidget.name
            mouseClick(part("widgetMenuButton"))
            tryCompare(menu, "opened", true)
            mouseClick(remove)
            tryCompare(dialog, "opened", true)
            mouseClick(confirm)
            tryVerify(() => Host.widgets.length === count - 1, 5000, "the widget leaves the panel")
            verify(widgetIds().indexOf(target) < 0)
            compare(fixture.widgetsInRoomState(), inState - 1)
            // The timeline names the widget that went.
            tryVerify(() => fixture.timelineBodies().indexOf("removed the widget " + name) >= 0, 3000,
                      JSON.stringify(fixture.timelineBodies()))
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

        function test_6_a_crowded_room_shows_a_few_tabs_and_finds_the_rest() {
            const first = Host.currentRoomId
            const crowded = fixture.createRoom("Crowded room")
            Host.selectRoom(crowded)
            Host.panelOpen = true
            const total = Host.maxPanelTabs + 22
            for (let i = 0; i < total; ++i)
                compare(fixture.sendRaw("m.widget", "crowd_" + i,
                                        JSON.stringify({ type: "m.custom", url: "https://127.0.0.1:9/crowd/" + i,
                                                         name: "Crowd " + i, data: {} })), "")
            tryCompare(Host, "widgetCount", total, 10000)
            const tabs = part("widgetTabs")
            const views = part("widgetViews")
            tryCompare(tabs, "count", Host.maxPanelTabs)
            compare(views.count, Host.maxPanelTabs, "a view only for each tab")
            compare(Host.hiddenWidgetCount, 22)
            const more = part("moreWidgetsButton")
            verify(more.visible)
            compare(more.text, "22 more")

            // The list finds a widget without a tab by its name, typed as a person would.
            mouseClick(more)
            const dialog = part("moreWidgetsDialog")
            tryCompare(dialog, "opened", true)
            const list = findChild(dialog.contentItem, "widgetSearchList")
            tryCompare(list, "count", total)
            const field = findChild(dialog.contentItem, "widgetSearchField")
            tryVerify(() => field.activeFocus, 2000, "the search field has the focus")
            for (const c of "crowd 27")
                keyClick(c)
            tryCompare(list, "count", 1)
            tryVerify(() => list.itemAtIndex(0) !== null && list.itemAtIndex(0).name === "Crowd 27", 2000,
                      "the one match is shown")
            const row = list.itemAtIndex(0)
            compare(row.objectName, "widgetSearchRow_crowd_27")
            mouseClick(row)
            tryCompare(dialog, "visible", false)

            // It opens in a tab of its own after the first ones; the others keep theirs.
            compare(Host.activeWidgetId, "crowd_27")
            tryCompare(tabs, "count", Host.maxPanelTabs + 1)
            compare(views.count, Host.maxPanelTabs + 1)
            compare(Host.activeTabIndex, Host.maxPanelTabs)
            compare(tabs.currentIndex, Host.maxPanelTabs)
            compare(Host.hiddenWidgetCount, 21)
            verify(findChild(tabs, "widgetTab_crowd_27") !== null)

            // Back to a widget that has a tab of its own: the extra tab goes.
            mouseClick(more)
            tryCompare(dialog, "opened", true)
            for (const c of "crowd 0")
                keyClick(c)
            tryCompare(list, "count", 1)
            tryVerify(() => list.itemAtIndex(0) !== null && list.itemAtIndex(0).name === "Crowd 0", 2000)
            mouseClick(list.itemAtIndex(0))
            tryCompare(dialog, "visible", false)
            compare(Host.activeWidgetId, "crowd_0")
            tryCompare(tabs, "count", Host.maxPanelTabs)
            compare(Host.activeTabIndex, 0)
            compare(Host.hiddenWidgetCount, 22)

            // Leaving the room leaves its tabs and views behind.
            Host.selectRoom(first)
            compare(Host.hiddenWidgetCount, 0)
            compare(views.count, Host.widgetCount)
            verify(!more.visible)
        }

        // More tabs than the strip holds: arrows say so and scroll it, and the open widget's tab
        // is always in view.
        function test_7_tabs_that_do_not_fit_show_arrows_and_the_open_one() {
            const first = Host.currentRoomId
            const narrow = fixture.createRoom("Narrow panel")
            Host.selectRoom(narrow)
            Host.panelOpen = true
            top.width = 420
            for (let i = 0; i < 6; ++i)
                compare(fixture.sendRaw("m.widget", "narrow_" + i,
                                        JSON.stringify({ type: "m.custom", url: "https://127.0.0.1:9/narrow/" + i,
                                                         name: "Narrow widget " + i, data: {} })), "")
            const tabs = part("widgetTabs")
            tryCompare(tabs, "count", 6, 5000)
            const back = part("tabsScrollBack")
            const on = part("tabsScrollOn")
            tryVerify(() => back.visible && on.visible, 2000, "no sign that tabs are out of view")
            const inView = (i) => {
                const tab = findChild(tabs, "widgetTab_narrow_" + i)
                return tab !== null && tab.x >= tabs.contentX - 1 && tab.x + tab.width <= tabs.contentX + tabs.width + 1
            }
            Host.selectTab(5)
            tryVerify(() => inView(5), 2000, "the open widget's tab is out of view")
            verify(!on.enabled, "at the end, the forward arrow does nothing")
            Host.selectTab(0)
            tryVerify(() => inView(0), 2000, "the first tab is out of view")
            verify(!back.enabled)
            const x = tabs.contentX
            mouseClick(on)
            tryVerify(() => tabs.contentX > x, 2000, "the arrow scrolls the strip")
            verify(back.enabled)
            top.width = 1000
            Host.selectRoom(first)
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

        // A tab shows a widget's name with its hidden characters written out.
        function test_6_a_tab_name_cannot_hide_or_reverse_text() {
            const count = Host.widgets.length
            compare(Host.addWidget("https://127.0.0.1:9/spoof", "\u202etxet.m\u200b"), "")
            tryVerify(() => Host.widgets.length === count + 1, 5000, "the widget arrives from the room state")
            const w = Host.widgets.find((x) => x.name.indexOf("txet.m") >= 0)
            verify(w !== undefined)
            compare(w.name, "⟨U+202E⟩txet.m⟨U+200B⟩")
            const tab = findChild(part("widgetTabs"), "widgetTab_" + w.widgetId)
            verify(tab !== null)
            compare(tab.modelData.name, "⟨U+202E⟩txet.m⟨U+200B⟩")
            // Gone again before the run ends: a view still loading when the QML engine goes away
            // can call into it.
            tryVerify(() => w.state !== "idle" && w.state !== "loading", 20000, "the widget's page to settle: " + w.state)
            Host.removeWidget(w.widgetId)
            tryVerify(() => Host.widgets.length === count, 5000, "the widget leaves the room state")
        }

        function test_8_a_plugin_widget_under_its_types_name_is_named_in_the_users_language() {
            const count = Host.widgets.length
            const publish = (id, name) => compare(fixture.sendRaw("m.widget", id, JSON.stringify({
                type: "io.tessera.test.good.board", url: "https://tessera.invalid/plugin-widget", name: name,
                data: { board_url: "https://boards.example.org/1" } })), "")
            publish("board_default", "Test board")
            publish("board_named", "Sprint")
            tryVerify(() => Host.widgets.length === count + 2, 5000, "both arrive from the room state")
            const byId = (id) => Host.widgets.find((x) => x.widgetId === id)
            const tab = findChild(part("widgetTabs"), "widgetTab_board_default")
            verify(tab !== null)
            compare(tab.modelData.name, "Test board")
            // The type's own name follows the user's language; a name someone chose does not.
            verify(fixture.useSpanish(true))
            tryCompare(byId("board_default"), "name", "Tablero de prueba")
            compare(tab.modelData.name, "Tablero de prueba")
            compare(byId("board_named").name, "Sprint")
            verify(fixture.useSpanish(false))
            tryCompare(byId("board_default"), "name", "Test board")
            for (const id of ["board_default", "board_named"]) {
                tryVerify(() => byId(id).state !== "loading", 20000, "the widget's page to settle: " + byId(id).state)
                Host.removeWidget(id)
            }
            tryVerify(() => Host.widgets.length === count, 5000, "the widgets leave the room state")
        }
    }
}
