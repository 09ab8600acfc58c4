#!/bin/sh
# $BROWSER for the end-to-end tests: note the address Tessera asked to open, for the test to open
# it in its own headless browser (e2e/lib/browser.mjs). Nothing else.
printf '%s\n' "$1" >> "${TESSERA_E2E_BROWSER_FILE:?}"
