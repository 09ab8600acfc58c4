// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import QtTest
import Tessera

// A room with m.room.encryption, over the real HostController, encryption gate, local rooms and
// audit log: the header and the composer say the room is encrypted, a typed message is refused
// (in English and in Spanish), kept in the composer, audited and never stored, and an event
// Tessera cannot decrypt shows as a row instead of vanishing.
Item {
    id: top
    width: 1000
    height: 700

    RoomView {
        id: view
        anchors.fill: parent
    }

    TestCase {
        name: "EncryptedRoom"
        when: windowShown

        property string room: ""
        readonly property string refusalEn: "Not sent: this room is end-to-end encrypted and Tessera cannot encrypt messages here, so your message would have reached the server unencrypted."

        function part(name) {
            const item = findChild(view, name)
            verify(item !== null, "the room view has no " + name)
            return item
        }
        function outgoingRows() {
            const all = fixture.auditRows("")
            for (const r of all)
                verify(r.error === undefined, "audit log: " + r.error)
            return all.filter((r) => r.category === "outgoing" && r.room === room)
        }
        function type(text) {
            const input = part("composerInput")
            mouseClick(input)
            input.selectAll()
            keyClick(Qt.Key_Delete)
            for (const c of text)
                keyClick(c)
            compare(input.text, text, "the typing did not reach the composer")
            keyClick(Qt.Key_Return)
        }

        function initTestCase() {
            room = fixture.createRoom("Secret")
            verify(room.length > 0, "the local backend made the room")
            Host.selectRoom(room)
            tryCompare(Host, "currentRoomId", room)
            tryVerify(() => Host.timeline.count >= 2, 2000, "the room's first events")
            fixture.settle()
        }
        function cleanupTestCase() {
            verify(fixture.resetShell(), "the shell is left with no widget shown")
        }

        function test_1_an_encrypted_room_says_so_in_the_header_and_the_composer() {
            compare(Host.currentRoomEncrypted, false)
            verify(!part("roomEncrypted").visible, "an unencrypted room shows the badge")
            verify(!part("composerEncrypted").visible, "an unencrypted room shows the composer note")
            // Another device of the user (or any member with the power to) turns encryption on.
            compare(fixture.sendRaw("m.room.encryption", "", '{"algorithm": "m.megolm.v1.aes-sha2"}'), "")
            tryCompare(Host, "currentRoomEncrypted", true)
            tryVerify(() => part("roomEncrypted").visible, 2000, "the header's encrypted badge")
            verify(part("composerEncrypted").visible, "the composer's note")
            tryVerify(() => fixture.timelineBodies().indexOf("turned on end-to-end encryption") >= 0, 2000,
                      JSON.stringify(fixture.timelineBodies()))
        }

        function test_2_a_typed_message_is_refused_kept_audited_and_never_stored() {
            const before = outgoingRows().length
            type("top secret plans")
            tryCompare(part("composerError"), "text", refusalEn)
            verify(part("composerError").visible)
            compare(part("composerInput").text, "top secret plans", "the refused text is given back")
            compare(fixture.storedEvents("m.room.message"), 0, "the message reached the room")
            tryVerify(() => outgoingRows().length === before + 1, 2000, "the refusal's audit row")
            const row = outgoingRows()[before]
            compare(row.decision, "refused")
            compare(row.action, "send")
            verify(row.reason.indexOf("m.room.message") >= 0, row.reason)
        }

        function test_3_the_refusal_in_spanish() {
            verify(fixture.useSpanish(true), "the Spanish translation loaded")
            type("planes secretos")
            tryVerify(() => part("composerError").text.length > 0, 2000)
            compare(part("composerError").text, "No se envió: esta sala tiene cifrado de extremo a extremo y Tessera "
                    + "no puede cifrar mensajes aquí, así que tu mensaje habría llegado al servidor sin cifrar.")
            compare(part("composerInput").text, "planes secretos")
            tryCompare(part("roomEncrypted").Accessible, "name", "Cifrada de extremo a extremo")
            const bodies = fixture.timelineBodies()
            verify(bodies.indexOf("activó el cifrado de extremo a extremo") >= 0, JSON.stringify(bodies))
            compare(fixture.storedEvents("m.room.message"), 0)
            verify(fixture.useSpanish(false))
        }

        function test_4_an_event_tessera_cannot_decrypt_is_shown_as_a_row() {
            const before = Host.timeline.count
            // What another member's client sends: Megolm ciphertext Tessera cannot read.
            compare(fixture.sendRaw("m.room.encrypted", null,
                                    '{"algorithm": "m.megolm.v1.aes-sha2", "ciphertext": "AwgAEnACgAkLmt6qF84IK", '
                                    + '"device_id": "BOBDEVICE", "sender_key": "c4n0tr3ad", "session_id": "s3ss10n"}'), "")
            tryCompare(Host.timeline, "count", before + 1)
            const bodies = fixture.timelineBodies()
            compare(bodies[bodies.length - 1], "Encrypted message \u2014 cannot be read here")
        }
    }
}
