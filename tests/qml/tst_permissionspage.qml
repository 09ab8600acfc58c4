// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import QtTest
import Tessera

// The Permissions page over the real consent service, local rooms and the "good" fixture
// plugin: what a remembered decision says is what is granted, and the widget and room are
// named (their ids on request), with hidden characters written out.
Item {
    id: top
    width: 1000
    height: 800

    PermissionsPage {
        id: page
        anchors.fill: parent
    }

    TestCase {
        name: "PermissionsPage"
        when: windowShown

        readonly property string sendText: "org.matrix.msc2762.send.event:m.room.message#m.text"
        readonly property string echo: "io.tessera.test.good.echo"
        property string room: ""

        function initTestCase() {
            room = fixture.createRoom("Ops \u202emoor")
            verify(room.length > 0, "the local backend made the room")
            Host.selectRoom(room)
            tryCompare(Host, "currentRoomId", room)
            compare(fixture.sendRaw("m.widget", "w_team", JSON.stringify({
                type: "m.custom", url: "https://widgets.example/w_team", name: "Team board"})), "")
            // Remembered through the real service, as the dialog would after "Approve".
            remember("w_team", "Team board", [sendText, echo])
        }
        function cleanupTestCase() {
            verify(fixture.resetShell(), "the shell is left with no widget shown")
        }

        function remember(widgetId, name, capabilities) {
            const before = fixture.answers
            verify(fixture.askCapabilities(widgetId, name, capabilities))
            tryVerify(() => Host.consentPrompts.count > 0, 2000, "the prompt")
            const prompt = Host.consentPrompts.get(0)
            compare(Host.consentPrompts.accept(prompt.promptId, capabilities, true), "")
            tryCompare(fixture, "answers", before + 1)
            Host.permissions.reload()
        }

        // The index of the row of widget @p widgetId (as its ids line shows it) that says @p text.
        // Other test files share the consent store, so the widget id tells the rows apart.
        function rowWithText(text, widgetId) {
            let found = -1
            tryVerify(() => {
                for (let i = 0; i < Host.permissions.count; ++i) {
                    const label = findChild(page, "permissionText_" + i)
                    const ids = findChild(page, "permissionIds_" + i)
                    if (label && label.text === text && ids && ids.text.indexOf("widget " + widgetId + " ") === 0)
                        found = i
                }
                return found >= 0
            }, 3000, "a row of " + widgetId + " saying: " + text)
            return found
        }

        function test_1_a_plugin_capability_says_what_its_plugin_does() {
            const i = rowWithText("Handled by the plugin Good fixture: Echo test requests", "w_team")
            verify(findChild(page, "permissionText_" + i).visible)
        }

        function test_2_widget_and_room_are_named_and_ids_shown_on_request() {
            const i = rowWithText("Send text messages as you in this room", "w_team")
            const where = findChild(page, "permissionWhere_" + i)
            // The name comes from the room state, once read.
            tryVerify(() => where.text.indexOf("“Team board”") === 0, 3000, where.text)
            verify(where.text.indexOf("in Ops ⟨U+202E⟩moor") > 0, where.text)
            verify(where.text.indexOf("w_team") < 0, "no id until asked: " + where.text)
            verify(where.text.indexOf(room) < 0, "no room id until asked: " + where.text)
            const ids = findChild(page, "permissionIds_" + i)
            verify(!ids.visible)
            mouseClick(findChild(page, "permissionsShowIds"))
            verify(ids.visible)
            verify(ids.text.indexOf("widget w_team") >= 0, ids.text)
            verify(ids.text.indexOf("room " + room) >= 0, ids.text)
            verify(ids.text.indexOf(sendText) >= 0, ids.text)
            mouseClick(findChild(page, "permissionsShowIds"))
            verify(!ids.visible)
        }

        function test_3_hidden_characters_are_written_out() {
            const spoof = "org.matrix.msc2762.send.event:m.room.message#\u202etxet.m"
            remember("w_spoof\u200b", "Spoof", [spoof])
            const i = rowWithText("Send ⟨U+202E⟩txet.m messages as you in this room", "w_spoof⟨U+200B⟩")
            const where = findChild(page, "permissionWhere_" + i)
            verify(where.text.indexOf("w_spoof⟨U+200B⟩") === 0, "an unnamed widget is shown by its id: " + where.text)
        }
    }
}
