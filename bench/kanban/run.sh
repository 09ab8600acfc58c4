#!/usr/bin/env bash
# SPDX-FileCopyrightText: Tessera contributors
# SPDX-License-Identifier: Apache-2.0
#
# The kanban benchmark (bench/kanban/kanban_bench.mjs): a 1,000-card board against a 100-card
# board in the real tessera binary on the loopback test homeserver; load times and frame times
# during a scripted drag with real DevTools input, and their ratio. Figures in bench/RESULTS.md.
#
#   bench/kanban/run.sh BUILD_DIR [RUNS]
#
# BUILD_DIR holds a build with the tests (the e2e npm packages, the test homeserver, the plugins).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=$(cd "${1:?usage: bench/kanban/run.sh BUILD_DIR [RUNS]}" && pwd)
runs=${2:-3}
if [ "$(id -u)" -eq 0 ]; then export QTWEBENGINE_DISABLE_SANDBOX=1; fi
exec node "$here/kanban_bench.mjs" --tessera "$build/host/app/tessera" \
  --homeserver-bin "$build/e2e/homeserver/tessera-test-homeserver" --modules "$build/e2e/shell/node" \
  --work "$build/bench/kanban/work" --plugins-dir "$build/lib/tessera/plugins" --runs "$runs"
