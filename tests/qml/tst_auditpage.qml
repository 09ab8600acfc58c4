// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import QtTest
import Tessera

// The audit page over the real audit log: what a widget put in its id is shown with its hidden
// characters written out.
Item {
    id: top
    width: 1000
    height: 800

    AuditPage {
        id: page
        anchors.fill: parent
    }

    TestCase {
        name: "AuditPage"
        when: windowShown

        function cleanupTestCase() {
            verify(fixture.resetShell(), "the shell is left with no widget shown")
        }

        function test_hidden_characters_in_a_row_are_written_out() {
            const widgetId = "w\u202etidua"
            const before = fixture.answers
            // A capability no other test asks for: the fixture's one consent session remembers refusals.
            verify(fixture.askCapabilities(widgetId, "Audit", ["org.matrix.msc2762.receive.state_event:io.tessera.test.audit"]))
            tryVerify(() => Host.consentPrompts.count > 0, 2000, "the prompt")
            Host.consentPrompts.deny(Host.consentPrompts.get(0).promptId, false)
            tryCompare(fixture, "answers", before + 1)
            verify(fixture.auditRows(widgetId).length > 0, "the decision is in the log")
            Host.audit.widgetFilter = widgetId
            Host.audit.refresh()
            const list = findChild(page, "auditList")
            tryVerify(() => list.count > 0, 3000, "rows of the widget")
            for (let i = 0; i < list.count; ++i) {
                list.positionViewAtIndex(i, ListView.Beginning)
                const item = list.itemAtIndex(i)
                verify(item !== null)
                const detail = findChild(item, "auditDetail")
                verify(detail.text.indexOf("w⟨U+202E⟩tidua") === 0, detail.text)
                verify(detail.text.indexOf("\u202e") < 0, detail.text)
            }
            Host.audit.widgetFilter = ""
        }
    }
}
