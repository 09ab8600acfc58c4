// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import QtTest
import Tessera

// The "+" dialog over the real HostController, the catalog and local rooms: it lists the kinds
// (built-in, the fixture plugin's types, an agent's offer), takes the fields each needs, says
// what is wrong next to the field, and sends the m.widget event the catalog builds. By keyboard
// alone and by clicks.
Item {
    id: top
    width: 1000
    height: 800

    AddWidgetDialog {
        id: dialog
    }

    TestCase {
        name: "AddWidgetDialog"
        when: windowShown
        property string room: ""

        function part(name) {
            const item = findChild(dialog.contentItem, name) || findChild(dialog.footer, name)
            verify(item !== null, "the dialog has no " + name)
            return item
        }
        function openDialog() {
            dialog.open()
            tryVerify(() => dialog.opened, 3000, "the dialog opens")
            tryVerify(() => part("addWidgetKinds").activeFocus, 3000, "the list of kinds has the focus")
        }
        function widgets() {
            return fixture.widgetEventContents().map((c) => JSON.parse(c))
        }
        function typeInto(text) {
            keyClick(Qt.Key_A, Qt.ControlModifier)
            keyClick(Qt.Key_Delete)
            for (const c of text)
                keyClick(c)
        }
        function row(id) {
            const kinds = part("addWidgetKinds")
            const index = Host.widgetCatalog.findIndex((e) => e.id === id)
            verify(index >= 0, "the catalog has " + id)
            kinds.positionViewAtIndex(index, ListView.Contain)
            waitForItemPolished(kinds)
            const name = Host.widgetCatalog[index].kind === "plugin" ? "addPluginWidget_" + Host.widgetCatalog[index].type
                                                                     : "addWidgetKind_" + id
            return part(name)
        }

        function initTestCase() {
            room = fixture.createRoom("Catalog")
            verify(room.length > 0)
            Host.selectRoom(room)
            // The fixture plugin needs a greeting in its room config: enabled here with one, as
            // a room admin would.
            compare(fixture.sendRaw("io.tessera.plugin", "io.tessera.test.good",
                                    JSON.stringify({ enabled: true, config: { greeting: "Hello" } })), "")
        }
        function cleanup() {
            if (dialog.opened)
                dialog.close()
            tryVerify(() => !dialog.visible, 3000)
        }
        function cleanupTestCase() {
            verify(fixture.resetShell())
        }

        function test_1_lists_every_kind_touch_sized_and_named() {
            openDialog()
            const ids = Host.widgetCatalog.map((e) => e.id)
            for (const id of ["custom", "jitsi", "call", "plugin:io.tessera.test.good.board", "plugin:io.tessera.test.good.link"])
                verify(ids.indexOf(id) >= 0, id + " is offered: " + ids)
            for (const id of ["custom", "jitsi", "call", "plugin:io.tessera.test.good.board"]) {
                const r = row(id)
                verify(r.visible)
                verify(r.height >= 48, id + " is touch-sized: " + r.height)
                verify(r.Accessible.name.length > 0, id + " has an accessible name")
            }
            compare(row("jitsi").text, "Jitsi Meet")
            verify(!part("addWidgetConfirm").visible, "nothing to add before a kind is chosen")
        }

        function test_2_jitsi_by_keyboard_alone() {
            const before = widgets().length
            openDialog()
            // Custom is first, Jitsi second.
            keyClick(Qt.Key_Down)
            keyClick(Qt.Key_Return)
            const conference = part("addWidgetField_conferenceId")
            tryVerify(() => conference.activeFocus, 3000, "the first field has the focus")
            verify(/^tessera[a-z2-7]{25}$/.test(conference.text), "the room's conference is filled in: " + conference.text)
            compare(conference.Accessible.name, "Conference")
            compare(part("addWidgetField_domain").text, "meet.jit.si")
            verify(part("addWidgetField_domain").height >= 48)

            typeInto("bad id!")
            keyClick(Qt.Key_Return)
            const problem = part("addWidgetProblem_conferenceId")
            tryVerify(() => problem.visible && problem.text.length > 0, 3000, "the problem is shown next to the field")
            verify(problem.text.indexOf("Conference") >= 0, "it names the field: " + problem.text)
            verify(dialog.opened, "the dialog stays open")
            verify(conference.activeFocus, "the focus is on the field to fix")
            fixture.settle()
            compare(widgets().length, before, "nothing was sent")

            typeInto("daily-standup")
            verify(!problem.visible, "typing clears the problem")
            keyClick(Qt.Key_Tab) // to the server field
            verify(part("addWidgetField_domain").activeFocus)
            typeInto("Meet.Example.ORG")
            keyClick(Qt.Key_Return)
            tryVerify(() => !dialog.visible, 3000, "the dialog closes once sent")
            tryVerify(() => widgets().length === before + 1, 5000, "the widget is in the room state")
            const w = widgets().find((c) => c.type === "m.jitsi")
            compare(w.url, "https://meet.example.org/daily-standup")
            compare(w.data.domain, "meet.example.org")
            compare(w.data.conferenceId, "daily-standup")
            compare(w.name, "Jitsi Meet")
        }

        function test_3_a_plugin_type_asks_for_the_fields_its_manifest_declares() {
            const before = widgets().length
            openDialog()
            mouseClick(row("plugin:io.tessera.test.good.board"))
            const address = part("addWidgetField_board_url")
            compare(address.Accessible.name, "Board address")
            compare(part("addWidgetField_code").Accessible.name, "Board code")
            mouseClick(part("addWidgetConfirm"))
            const problem = part("addWidgetProblem_board_url")
            tryVerify(() => problem.visible, 3000)
            compare(problem.text, "Board address is needed.")
            verify(!part("addWidgetProblem_code").visible, "the optional field is not a problem")
            // The refused field has the keyboard, to be fixed at once.
            verify(address.activeFocus, "the field to fix has the focus")
            typeInto("javascript:alert(1)")
            mouseClick(part("addWidgetConfirm"))
            tryVerify(() => problem.text.indexOf("never loaded") >= 0, 3000, "the URL policy's reason: " + problem.text)
            verify(address.activeFocus)
            typeInto("https://board.example.org/b/1")
            mouseClick(part("addWidgetConfirm"))
            tryVerify(() => !dialog.visible, 3000)
            tryVerify(() => widgets().length === before + 1, 5000)
            const w = widgets().find((c) => c.type === "io.tessera.test.good.board")
            compare(w.data.board_url, "https://board.example.org/b/1")
            verify(!("code" in w.data), "an empty optional field is left out")
            compare(w.name, "Test board")
        }

        function test_4_an_agents_offer_is_added_without_typing() {
            // An agent offers a board in room state; here the local user plays the agent (the
            // offer's state key is its own user id, as the catalog requires).
            compare(fixture.sendRaw("io.tessera.agent.offer", Host.userId, JSON.stringify({
                widgets: [{ type: "io.tessera.test.good.board", name: "Sprint board",
                            description: "The team's sprint", data: { board_url: "https://boards.example.org/sprint" } }]
            })), "")
            const before = widgets().length
            openDialog()
            const id = "offer:" + Host.userId + ":0"
            tryVerify(() => Host.widgetCatalog.some((e) => e.id === id), 5000, "the offer is in the catalog")
            const offerRow = row(id)
            compare(offerRow.text, "Sprint board")
            verify(offerRow.Accessible.name.indexOf("offered by") >= 0, offerRow.Accessible.name)
            // By keyboard: Down until the offer is the current row, then Space.
            const kinds = part("addWidgetKinds")
            for (let i = 0; i < Host.widgetCatalog.length && kinds.currentItem !== offerRow; ++i)
                keyClick(Qt.Key_Down)
            verify(kinds.currentItem === offerRow, "the offer is reached with Down")
            keyClick(Qt.Key_Space)
            tryVerify(() => part("addWidgetOfferedBy").visible, 3000)
            verify(findChild(dialog.contentItem, "addWidgetField_board_url") === null, "the agent's data is not asked for")
            mouseClick(part("addWidgetConfirm"))
            tryVerify(() => !dialog.visible, 3000, "sent: " + dialog.error + JSON.stringify(dialog.problems))
            tryVerify(() => widgets().length === before + 1, 5000)
            const w = widgets().find((c) => c.name === "Sprint board")
            compare(w.type, "io.tessera.test.good.board")
            compare(w.data.board_url, "https://boards.example.org/sprint")
        }

        function test_5_back_and_escape() {
            openDialog()
            mouseClick(row("custom"))
            verify(part("addWidgetField_url").visible)
            compare(part("addWidgetField_url").Accessible.name, "Address of the widget")
            mouseClick(part("addWidgetBack"))
            tryVerify(() => part("addWidgetKinds").activeFocus, 3000, "back to the kinds, focused")
            keyClick(Qt.Key_Escape)
            tryVerify(() => !dialog.visible, 3000, "Escape closes it")
        }

        function test_6_in_spanish() {
            verify(fixture.useSpanish(true))
            openDialog()
            mouseClick(row("jitsi"))
            compare(part("addWidgetField_domain").Accessible.name, "Servidor de Jitsi")
            compare(part("addWidgetConfirm").text, "Añadir")
            dialog.close()
            verify(fixture.useSpanish(false))
        }
    }
}
