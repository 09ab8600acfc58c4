// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import QtTest
import Tessera

// Widget events any member can put in a room's state that Tessera cannot read, over the real
// HostController, local rooms and audit log: they are not shown, but the panel says how many
// and why (in English and Spanish), each is audited once, and a flood of them is audited under
// the refusal limit with the rest counted.
Item {
    id: top
    width: 1000
    height: 700

    WidgetPanel {
        id: panel
        anchors.fill: parent
    }

    TestCase {
        name: "WidgetRefusals"
        when: windowShown

        property string home: ""
        property string room: ""

        function part(name) {
            const item = findChild(panel, name)
            verify(item !== null, "the panel has no " + name)
            return item
        }
        // The refusals of this room's widget events (a widget that loads leaves rows of the same action).
        function roomRows(action) {
            const all = fixture.auditRows("")
            for (const r of all)
                verify(r.error === undefined, "audit log: " + r.error)
            return all.filter((r) => r.room === room && r.action === action && r.decision === "refused")
        }
        function plant(id, content) {
            compare(fixture.sendRaw("m.widget", id, content), "", "the local rooms refused " + id)
        }

        function initTestCase() {
            home = Host.currentRoomId
            room = fixture.createRoom("Broken widgets")
            verify(room.length > 0)
            Host.selectRoom(room)
            tryCompare(Host, "currentRoomId", room)
            fixture.settle()
        }
        function cleanupTestCase() {
            verify(fixture.resetShell(), "the shell is left with no widget shown")
        }

        function test_1_unreadable_widgets_are_counted_explained_and_audited() {
            compare(Host.unreadableWidgetCount, 0)
            verify(!part("unreadableWidgets").visible)
            plant("w_good", '{"type": "m.custom", "url": "https://127.0.0.1:9/good", "name": "Good"}')
            plant("w_url_number", '{"type": "m.custom", "url": 5}')
            plant("w_data_string", '{"type": "m.custom", "url": "https://w.example/", "data": "not an object"}')
            plant("w_long_url", JSON.stringify({ type: "m.custom", url: "https://w.example/" + "a".repeat(9000) }))
            tryCompare(Host, "unreadableWidgetCount", 3)
            compare(Host.widgets.map((w) => w.widgetId), ["w_good"])
            verify(part("unreadableWidgets").visible, "the panel does not say that widgets could not be read")
            compare(part("unreadableWidgetsText").text, "3 widgets of this room could not be read")

            const reasons = {}
            for (const w of Host.unreadableWidgets)
                reasons[w.widgetId] = w.reason
            compare(reasons["w_url_number"], "widget `url` must be a non-empty string")
            compare(reasons["w_data_string"], "widget `data` must be an object")
            compare(reasons["w_long_url"], "widget `url` is longer than 8192 bytes")

            // The reasons on request, with who sent each event.
            mouseClick(part("unreadableWidgetsWhy"))
            tryVerify(() => findChild(panel, "unreadableWidget_w_data_string") !== null, 2000, "the list of reasons")
            const line = findChild(panel, "unreadableWidget_w_data_string")
            verify(line.visible)
            verify(line.text.indexOf("widget `data` must be an object") >= 0, line.text)
            verify(line.text.indexOf(Host.userId) >= 0, "the sender is not named: " + line.text)

            // Each is audited once, as a refused load naming the event's problem.
            tryVerify(() => roomRows("load_widget").length === 3, 2000, "three audit rows")
            const byWidget = fixture.auditRows("w_url_number")
            compare(byWidget.length, 1)
            verify(byWidget[0].reason.indexOf("cannot be read: widget `url` must be a non-empty string") >= 0, byWidget[0].reason)

            // Reading the room's state again (leaving and coming back) does not repeat them.
            Host.selectRoom(home)
            Host.selectRoom(room)
            tryCompare(Host, "unreadableWidgetCount", 3)
            fixture.settle()
            compare(roomRows("load_widget").length, 3)
        }

        function test_2_in_spanish() {
            verify(fixture.useSpanish(true))
            compare(part("unreadableWidgetsText").text, "3 widgets de esta sala no se pudieron leer")
            const reasons = Host.unreadableWidgets.map((w) => w.reason)
            verify(reasons.indexOf("el campo `data` del widget debe ser un objeto") >= 0, JSON.stringify(reasons))
            verify(fixture.useSpanish(false))
        }

        function test_3_a_flood_is_audited_under_the_limit() {
            const before = roomRows("load_widget").length
            for (let i = 0; i < 30; ++i)
                plant("w_flood_" + i, '{"type": "m.custom", "url": ["not", "a", "string"]}')
            tryCompare(Host, "unreadableWidgetCount", 33)
            // The panel lists the first ones by name and counts the rest.
            compare(Host.unreadableWidgets.length, 20)
            fixture.settle()
            const admitted = roomRows("load_widget").length - before
            verify(admitted <= 10, admitted + " rows at once: the room's limit did not hold")
            // Once the limit allows one more row, the rest is summed up in it.
            tryVerify(() => roomRows("load_widget").some((r) => r.reason.indexOf("more of this kind were over the limit") >= 0),
                      5000, "the summary row")
        }
    }
}
