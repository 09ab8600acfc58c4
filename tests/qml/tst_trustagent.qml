// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import QtTest
import Tessera

// "Trust this agent" over the real consent service: a widget an agent added asks before it
// loads; once the person trusts the agent on the Permissions page (typed and confirmed there),
// the agent's next widget loads without asking while anyone else's still asks; the rule is listed
// and revoked on the same page, and then the agent's widgets ask again.
Item {
    id: top
    width: 1000
    height: 800

    PermissionsPage {
        id: page
        anchors.fill: parent
    }

    TestCase {
        name: "TrustAgent"
        when: windowShown
        readonly property string agent: "@triage-bot:example.org"

        function initTestCase() {
            const room = fixture.createRoom("Agents")
            verify(room.length > 0)
            Host.selectRoom(room)
            tryCompare(Host, "currentRoomId", room)
            for (const r of Host.permissions.rules)
                Host.permissions.removeRule(r.id)
        }
        function cleanupTestCase() {
            for (const r of Host.permissions.rules)
                Host.permissions.removeRule(r.id)
            verify(fixture.resetShell())
        }

        // Asks whether widget @p widgetId that @p sender added may load; returns whether a prompt
        // was put to the person (which is then answered with Approve, not remembered).
        function askLoad(widgetId, sender) {
            const before = fixture.answers
            // true: the person is being asked; false: decided at once (by a standing rule).
            const asked = fixture.askLoad(widgetId, "Agent panel", sender)
            let prompted = false
            tryVerify(() => {
                if (fixture.answers > before)
                    return true
                for (let i = 0; i < Host.consentPrompts.count; ++i) {
                    const p = Host.consentPrompts.get(i)
                    if (p.widgetId === widgetId) {
                        prompted = true
                        // Approve: every item the prompt asks about (for a load, the load itself).
                        compare(Host.consentPrompts.accept(p.promptId, (p.items || []).map((i) => i.item), false), "")
                        return true
                    }
                }
                return false
            }, 3000, "an answer or a prompt for " + widgetId)
            tryCompare(fixture, "answers", before + 1)
            verify(fixture.lastAllowed, widgetId + " may load")
            compare(prompted, asked, "a prompt was shown exactly when the service said it asks")
            return prompted
        }

        function test_trust_skips_the_prompt_and_revoking_brings_it_back() {
            verify(askLoad("w_agent_1", agent), "before the rule, the agent's widget asks")

            // Trusted on the Permissions page: typed, confirmed in words.
            const field = findChild(page, "ruleAgentField")
            mouseClick(field)
            for (const c of agent)
                keyClick(c)
            const dialog = findChild(page, "ruleConfirmDialog")
            mouseClick(findChild(page, "ruleTrustAgent"))
            tryCompare(dialog, "opened", true)
            verify(findChild(dialog.contentItem, "ruleConfirmText").text.indexOf(agent) >= 0)
            mouseClick(findChild(dialog.footer, "ruleConfirmAdd"))
            tryCompare(dialog, "visible", false)
            tryCompare(Host.permissions.rules, "length", 1)
            const listed = findChild(page, "ruleText_0")
            verify(listed.visible && listed.text.indexOf(agent) >= 0, "the rule is listed by the agent's id: " + listed.text)

            verify(!askLoad("w_agent_2", agent), "the trusted agent's next widget loads without a prompt")
            verify(askLoad("w_other", "@someone:example.org"), "another sender's widget still asks")

            // Revoked on the same page: the prompt is back.
            mouseClick(findChild(page, "ruleRemove_0"))
            tryCompare(Host.permissions.rules, "length", 0)
            verify(askLoad("w_agent_3", agent), "after revoking, the agent's widget asks again")
        }
    }
}
