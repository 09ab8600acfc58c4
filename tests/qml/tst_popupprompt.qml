// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import QtTest
import Tessera

// A widget's window.open over the real HostController and audit log: only one started by a
// click reaches the user, one at a time, the address cannot be swapped under the prompt, and
// the answer is audited. Also the limit on refusals a widget can cause at will.
Item {
    id: top
    width: 1000
    height: 700

    PopupPrompt { id: prompt }
    Connections {
        target: Host
        function cleanupTestCase() {
            verify(fixture.resetShell(), "the shell is left with no widget shown")
        }

        function onPopupRequested(widgetId, url, domain, internationalized) { prompt.ask(widgetId, url, domain, internationalized) }
    }

    TestCase {
        name: "PopupPrompt"
        when: windowShown

        function part(name) {
            tryVerify(() => findChild(prompt.contentItem, name) !== null || findChild(prompt.footer, name) !== null,
                      2000, "the prompt has no " + name)
            return findChild(prompt.contentItem, name) || findChild(prompt.footer, name)
        }
        function rows(widgetId, action) {
            const all = fixture.auditRows(widgetId)
            for (const r of all)
                verify(r.error === undefined, "audit log: " + r.error)
            return all.filter((r) => r.action === action)
        }
        function reasons(widgetId, action) {
            return rows(widgetId, action).map((r) => r.decision + ": " + r.reason)
        }
        function cleanup() {
            if (prompt.visible)
                prompt.reject()
            tryCompare(prompt, "visible", false)
        }

        function test_1_without_a_click_nothing_is_asked() {
            Host.offerPopup("w_noclick", "https://links.example/page?token=secret", false)
            wait(50)
            verify(!prompt.visible, "a window.open without a click raised the prompt")
            compare(reasons("w_noclick", "popup"),
                    ["refused: refused, not started by a click in the widget: https://links.example/page"])
        }

        function test_2_one_prompt_and_the_address_cannot_be_swapped() {
            Host.offerPopup("w_swap", "https://links.example/first", true)
            tryCompare(prompt, "visible", true)
            compare(part("popupUrl").text, "https://links.example/first")
            Host.offerPopup("w_swap", "https://evil.example/second", true)
            wait(50)
            compare(part("popupUrl").text, "https://links.example/first")
            mouseClick(part("popupCancel"))
            tryCompare(prompt, "visible", false)
            tryVerify(() => rows("w_swap", "popup").length === 3, 2000)
            compare(reasons("w_swap", "popup"), [
                "info: asked the user whether to open https://links.example/first (registrable domain links.example)",
                "refused: refused, another address is waiting for the user: https://evil.example/second",
                "refused: the user declined: https://links.example/first",
            ])
        }

        function test_3_escape_declines_once_and_frees_the_prompt() {
            Host.offerPopup("w_escape", "https://links.example/a", true)
            tryCompare(prompt, "visible", true)
            tryVerify(() => prompt.opened, 2000)
            keyClick(Qt.Key_Escape)
            tryCompare(prompt, "visible", false)
            wait(50)
            compare(reasons("w_escape", "popup"), [
                "info: asked the user whether to open https://links.example/a (registrable domain links.example)",
                "refused: the user declined: https://links.example/a",
            ])
            // The next click-started window.open is put to the user again.
            Host.offerPopup("w_escape", "https://links.example/b", true)
            tryCompare(prompt, "visible", true)
            compare(part("popupUrl").text, "https://links.example/b")
        }

        function test_5_what_is_not_a_plain_https_address_is_refused_before_asking() {
            const cases = [
                ["javascript:alert(document.cookie)", "refused, only https: addresses are opened (this one is javascript:): javascript:alert(document.cookie)"],
                ["data:text/html,<b>hi</b>", "refused, only https: addresses are opened (this one is data:): data:text/html,%3Cb%3Ehi%3C/b%3E"],
                ["about:blank", "refused, only https: addresses are opened (this one is about:): about:blank"],
                ["tessera://app/wrapper.html", "refused, only https: addresses are opened (this one is tessera:): tessera://app/wrapper.html"],
                ["tessera-plugin://io.tessera.kanban/index.html", "refused, only https: addresses are opened (this one is tessera-plugin:): tessera-plugin://io.tessera.kanban/index.html"],
                ["http://links.example/plain", "refused, only https: addresses are opened (this one is http:): http://links.example/plain"],
                ["https://user:secret@links.example/", "refused, the address carries a user name or password: https://user@links.example/"],
                ["https://good.example@evil.example/", "refused, the address carries a user name or password: https://good.example@evil.example/"],
            ]
            for (const [url, reason] of cases) {
                Host.offerPopup("w_scheme", url, true)
                wait(20)
                verify(!prompt.visible, "the prompt asked about " + url)
            }
            compare(reasons("w_scheme", "popup"), cases.map((c) => "refused: " + c[1]))
            const all = JSON.stringify(fixture.auditRows("w_scheme"))
            verify(all.indexOf("secret") < 0, "a password reached the audit log: " + all)
            compare(fixture.openedUrls().length, 0)
        }

        function test_6_a_host_in_another_alphabet_is_shown_in_punycode_with_its_domain() {
            // A Cyrillic "а" in place of the Latin "a".
            Host.offerPopup("w_idn", "https://\u0430pple.com/login?next=/", true)
            tryCompare(prompt, "visible", true)
            compare(part("popupDomain").text, "xn--pple-43d.com")
            compare(part("popupUrl").text, "https://xn--pple-43d.com/login?next=/")
            verify(part("popupIdn").visible, "the look-alike warning is not shown")
            mouseClick(part("popupCancel"))
            tryCompare(prompt, "visible", false)
        }

        function test_7_the_registrable_domain_comes_first() {
            Host.offerPopup("w_domain", "https://login.accounts.example.co.uk/path", true)
            tryCompare(prompt, "visible", true)
            compare(part("popupDomain").text, "example.co.uk")
            compare(part("popupUrl").text, "https://login.accounts.example.co.uk/path")
            verify(!part("popupIdn").visible)
            mouseClick(part("popupCancel"))
            tryCompare(prompt, "visible", false)
            // A host on a private suffix: the owner is the label under it, not the platform.
            Host.offerPopup("w_domain", "https://alice.github.io/x", true)
            tryCompare(prompt, "visible", true)
            compare(part("popupDomain").text, "alice.github.io")
            mouseClick(part("popupCancel"))
            tryCompare(prompt, "visible", false)
        }

        function test_8_the_row_says_whether_the_browser_opened_it() {
            fixture.setBrowserStarts(true)
            Host.offerPopup("w_open", "https://links.example/ok?token=abc", true)
            tryCompare(prompt, "visible", true)
            mouseClick(part("popupOpen"))
            tryCompare(prompt, "visible", false)
            tryVerify(() => rows("w_open", "popup").length === 2, 2000)
            compare(reasons("w_open", "popup")[1], "allowed: the user opened it in the browser: https://links.example/ok")
            compare(fixture.openedUrls(), ["https://links.example/ok?token=abc"])

            fixture.setBrowserStarts(false)
            Host.offerPopup("w_nobrowser", "https://links.example/broken", true)
            tryCompare(prompt, "visible", true)
            mouseClick(part("popupOpen"))
            tryCompare(prompt, "visible", false)
            tryVerify(() => rows("w_nobrowser", "popup").length === 2, 2000)
            compare(reasons("w_nobrowser", "popup")[1],
                    "failed: the user agreed, but no web browser could be started: https://links.example/broken")
            fixture.setBrowserStarts(true)
        }

        function test_4_a_flood_of_refusals_is_limited_and_counted() {
            for (let i = 0; i < 25; ++i)
                Host.auditRefusal("w_flood", "top_navigation", "attempt " + i)
            const first = reasons("w_flood", "top_navigation")
            compare(first.length, 10) // HostController::kRefusalBurst
            compare(first[0], "refused: attempt 0")
            compare(first[9], "refused: attempt 9")
            // Once the limit allows one more row, the rest is summed up in it.
            tryVerify(() => rows("w_flood", "top_navigation").length === 11, 3000, "the summary row")
            const summary = reasons("w_flood", "top_navigation")[10]
            verify(summary.indexOf("15 more of this kind were over the limit") >= 0, summary)
            verify(summary.indexOf("the last: attempt 24") >= 0, summary)
            // A widget id may hold any character (it is a state key): the summary still names it.
            const odd = "w_odd\nid:3"
            for (let i = 0; i < 12; ++i)
                Host.auditRefusal(odd, "dialog", "alert " + i)
            tryVerify(() => rows(odd, "dialog").length === 11, 3000, "the summary row of the odd widget id")
            verify(reasons(odd, "dialog")[10].indexOf("2 more of this kind") >= 0, reasons(odd, "dialog")[10])
            // Other kinds and other widgets have their own limits.
            Host.auditRefusal("w_flood", "dialog", "alert")
            Host.auditRefusal("w_other", "top_navigation", "attempt")
            compare(reasons("w_flood", "dialog"), ["refused: alert"])
            compare(reasons("w_other", "top_navigation"), ["refused: attempt"])
        }
    }
}
