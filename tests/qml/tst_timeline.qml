// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import QtTest
import Tessera

// The room view's timeline over the real local backend. Any member can put anything in an
// event's content; fields of the wrong type must be shown as missing, never take the shell down.
Item {
    id: top
    width: 900
    height: 700

    Timeline {
        id: timeline
        anchors.fill: parent
    }

    TestCase {
        name: "Timeline"
        when: windowShown

        // A room of its own, so what is sent here stays out of the other tests' room.
        function initTestCase() {
            const room = fixture.createRoom("Timeline")
            verify(room.length > 0, "the local backend made the room")
            Host.selectRoom(room)
            tryCompare(Host, "currentRoomId", room)
            // The new room's own events (created, named) are in before the test counts rows.
            tryVerify(() => Host.timeline.count >= 2, 2000, "the room's first events")
            fixture.settle()
        }
        function cleanupTestCase() {
            verify(fixture.resetShell(), "the shell is left with no widget shown")
        }

        function test_1_content_of_the_wrong_type_is_survived() {
            const before = Host.timeline.count
            // Each would throw in a reader that trusts the content's types.
            compare(fixture.sendRaw("m.room.topic", "", '{"topic": 5}'), "")
            compare(fixture.sendRaw("m.room.name", "", '{"name": ["a"]}'), "")
            compare(fixture.sendRaw("io.tessera.plugin", "io.example.x", '{"enabled": "yes"}'), "")
            compare(fixture.sendRaw("m.widget", "w_bad", '{"url": "https://w.example/", "name": 7, "type": {}}'), "")
            compare(fixture.sendRaw("m.sticker", null, '{"body": false}'), "")
            compare(fixture.sendRaw("m.room.message", null, '{"msgtype": 1, "body": "still shown"}'), "")
            // The shell is still here and each event has its row, its wrong fields read as missing.
            tryCompare(Host.timeline, "count", before + 6)
            compare(fixture.sendRaw("m.room.message", null, '{"msgtype": "m.text", "body": "after"}'), "")
            tryCompare(Host.timeline, "count", before + 7)
            // A plugin Tessera does not know is named by its id.
            const bodies = fixture.timelineBodies()
            verify(bodies.indexOf("disabled the plugin io.example.x") >= 0, JSON.stringify(bodies))
            // A room name of the wrong type is no name: the room keeps a readable title.
            verify(typeof Host.currentRoomName === "string" && Host.currentRoomName.length > 0, Host.currentRoomName)
        }

        // A widget or room name cannot hide or reorder what a row says: a right-to-left override
        // cannot make `txet.m` read as `m.text`, a zero width space is not invisible, a line
        // separator not a break.
        function test_2_names_in_rows_are_written_out_visibly() {
            const before = Host.timeline.count
            compare(fixture.sendRaw("m.widget", "w_spoof", JSON.stringify({
                type: "m.custom", url: "https://w.example/", name: "\u202etxet.m\u200b"})), "")
            compare(fixture.sendRaw("m.room.name", "", JSON.stringify({name: "Ops\u2028\u2066room"})), "")
            tryCompare(Host.timeline, "count", before + 2)
            const bodies = fixture.timelineBodies()
            verify(bodies.indexOf("added the widget ⟨U+202E⟩txet.m⟨U+200B⟩") >= 0, JSON.stringify(bodies))
            verify(bodies.indexOf("renamed the room to Ops⟨U+2028⟩⟨U+2066⟩room") >= 0, JSON.stringify(bodies))
        }
    }
}
