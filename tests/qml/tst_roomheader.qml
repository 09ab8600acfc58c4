// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import QtTest
import Tessera

// The room's header: the name gets the width its badges leave, whole. A name that fits is never
// elided ("Secret project roo…" beside the badge with room to spare, the layout having rounded its
// width a fraction of a pixel below the text's), in the wide window and in portrait; a name that
// does not fit is elided and takes all the width there is.
Item {
    id: top
    width: 1000
    height: 600

    RoomView {
        id: view
        anchors.fill: parent
    }

    TestCase {
        name: "RoomHeader"
        when: windowShown

        function cleanupTestCase() {
            verify(fixture.resetShell(), "the shell is left with no widget shown")
        }

        function encryptedRoom(name) {
            const room = fixture.createRoom(name)
            verify(room.length > 0)
            Host.selectRoom(room)
            compare(fixture.sendRaw("m.room.encryption", "", JSON.stringify({ algorithm: "m.megolm.v1.aes-sha2" })), "")
            tryVerify(() => Host.currentRoomEncrypted, 3000, "the room is encrypted")
        }

        function test_1_a_name_that_fits_is_whole_beside_its_badge() {
            encryptedRoom("Secret project room")
            const name = findChild(view, "roomName")
            const badge = findChild(view, "roomEncrypted")
            for (const size of [[1000, 600], [800, 1280]]) {
                top.width = size[0]
                top.height = size[1]
                view.compact = size[0] < 900
                waitForRendering(view)
                verify(badge.visible)
                verify(!name.truncated, "at " + size[0] + " px the name is elided to " + name.width + " px of "
                       + name.implicitWidth)
                compare(name.text, "Secret project room")
            }
        }

        function test_2_a_long_name_takes_the_spare_width() {
            encryptedRoom("A room with a name much longer than any header could ever show on one line of a phone in portrait")
            top.width = 520
            top.height = 800
            view.compact = true
            waitForRendering(view)
            const name = findChild(view, "roomName")
            const badge = findChild(view, "roomEncrypted")
            verify(name.truncated, "the long name is elided")
            // Elided, it runs up to the badge: nothing is left between them but the row's spacing.
            const nameEnd = name.mapToItem(view, name.width, 0).x
            const badgeStart = badge.mapToItem(view, 0, 0).x
            verify(badgeStart - nameEnd <= 8.5, "the name leaves " + (badgeStart - nameEnd) + " px unused before its badge")
            verify(name.width > 100, "the name got " + name.width + " px")
            top.width = 1000
            top.height = 600
            view.compact = false
        }
    }
}
