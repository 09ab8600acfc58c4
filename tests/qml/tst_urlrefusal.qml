// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtTest

// The reasons the widget URL policy gives, as the shell shows them: in English as the core
// wrote them, in Spanish each one translated, with its variable part (a scheme, a length, a
// character) kept.
TestCase {
    name: "UrlRefusal"

    function cleanupTestCase() {
        verify(fixture.resetShell(), "the shell is left with no widget shown")
    }

    function refusals(spanish) {
        const list = fixture.urlRefusals(spanish)
        for (const r of list) {
            verify(r.error === undefined, r.error)
            verify(r.english.length > 0, "the policy accepted " + r.url)
        }
        return list
    }

    function test_every_reason_is_distinct() {
        const reasons = new Set(refusals(false).map((r) => r.english))
        // One URL per reason the policy has: a new reason needs a URL here and a translation.
        compare(reasons.size, 25, Array.from(reasons).join("\n"))
    }

    function test_english_is_shown_as_the_core_wrote_it() {
        for (const r of refusals(false))
            compare(r.localized, r.english, r.url)
    }

    function test_spanish_translates_every_reason() {
        for (const r of refusals(true)) {
            verify(r.localized !== r.english, "not translated: " + r.english)
            verify(!/widget URL|URLs are|is only allowed|needs the developer/.test(r.localized), r.localized)
        }
    }

    function test_spanish_keeps_the_variable_part() {
        const byUrl = {}
        for (const r of refusals(true))
            byUrl[r.url] = r.localized
        compare(byUrl["javascript:alert(1)"], "Las URL javascript: nunca se cargan como widgets")
        compare(byUrl["ftp://example.org/"], "Solo se admiten URL de widget https: (se recibió ftp:)")
        compare(byUrl["https:example.org"], "La URL del widget debe empezar por https://")
        compare(byUrl["https://exa<mple.org"], "El host de la URL del widget contiene el carácter «<»")
        verify(Object.values(byUrl).some((t) => t === "La URL del widget ocupa más de 8192 bytes"), JSON.stringify(byUrl))
    }
}
