#!/usr/bin/env bash
# SPDX-FileCopyrightText: Tessera contributors
# SPDX-License-Identifier: Apache-2.0
#
# Hostile rooms: the longest UI-thread stall of the real `tessera` binary entering and leaving a
# room with 5,000 widgets, against the same room with 50 in the same run
# (bench/rooms/rooms_bench.mjs; figures in bench/RESULTS.md).
#
#   bench/rooms/run.sh BUILD_DIR [RUNS] [more rooms_bench.mjs options]
#
# BUILD_DIR holds host/app/tessera, the test homeserver and the end-to-end tests' npm packages
# (build the default target first). Headless (-platform offscreen).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=${1:?usage: bench/rooms/run.sh BUILD_DIR [RUNS] [options]}
runs=${2:-3}
shift $(( $# >= 2 ? 2 : 1 ))
build=$(cd "$build" && pwd)
tessera="$build/host/app/tessera"
homeserver="$build/e2e/homeserver/tessera-test-homeserver"
modules="$build/e2e/shell/node"
for f in "$tessera" "$homeserver"; do
  [ -x "$f" ] || { echo "run.sh: $f not found; build first" >&2; exit 2; }
done
[ -d "$modules/node_modules" ] || { echo "run.sh: $modules/node_modules not found; build the default target first" >&2; exit 2; }
command -v node >/dev/null || { echo "run.sh: node is needed" >&2; exit 2; }
if [ "$(id -u)" -eq 0 ]; then export QTWEBENGINE_DISABLE_SANDBOX=1; fi
mkdir -p "$build/bench/rooms"
exec node "$here/rooms_bench.mjs" --tessera "$tessera" --homeserver-bin "$homeserver" --modules "$modules" \
  --runs "$runs" --out "$build/bench/rooms/results.json" "$@"
