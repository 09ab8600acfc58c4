#!/usr/bin/env bash
# SPDX-FileCopyrightText: Tessera contributors
# SPDX-License-Identifier: Apache-2.0
#
# The shell benchmark: round trip, cold start and memory of the real `tessera` binary against
# matrix-widget-api's ClientWidgetApi in headless Chromium, with the same widget, in one script
# (bench/shell/shell_bench.mjs; figures and how to read them in bench/RESULTS.md).
#
#   bench/shell/run.sh BUILD_DIR [RUNS] [more shell_bench.mjs options]
#
# BUILD_DIR holds host/app/tessera (build it first: ninja -C BUILD_DIR tessera). RUNS (default 3)
# alternates the two hosts RUNS times and prints medians and the ratio Tessera / ClientWidgetApi.
# Needs node and npm (Debian nodejs, npm) and Debian's chromium; installs matrix-widget-api
# (pinned by bench/shell/package-lock.json) into bench/shell/node_modules on first use. Every
# figure, per run, also goes to BUILD_DIR/bench/shell/results.json. Headless throughout: Tessera
# runs with -platform offscreen, Chromium with --headless; the sandboxes are turned off only when
# running as root. Options after RUNS go to shell_bench.mjs (e.g. --requests 20 --warmup 5).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=${1:?usage: bench/shell/run.sh BUILD_DIR [RUNS] [options]}
runs=${2:-3}
shift $(( $# >= 2 ? 2 : 1 ))
tessera="$build/host/app/tessera"
[ -x "$tessera" ] || { echo "run.sh: $tessera not found; build the tessera target first" >&2; exit 2; }
command -v node >/dev/null || { echo "run.sh: node (Node.js 18 or newer) is needed" >&2; exit 2; }
chromium=${CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] || { echo "run.sh: $chromium not found (Debian package chromium, or set CHROMIUM)" >&2; exit 2; }
if [ ! -f "$here/node_modules/matrix-widget-api/package.json" ]; then
  command -v npm >/dev/null || { echo "run.sh: npm is needed to install matrix-widget-api" >&2; exit 2; }
  echo "run.sh: installing matrix-widget-api into bench/shell/node_modules" >&2
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
out="$build/bench/shell"
mkdir -p "$out"
exec node "$here/shell_bench.mjs" --tessera "$tessera" --chromium "$chromium" --runs "$runs" --out "$out/results.json" "$@"
