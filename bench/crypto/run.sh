#!/usr/bin/env bash
# SPDX-FileCopyrightText: Tessera contributors
# SPDX-License-Identifier: Apache-2.0
#
# Encryption throughput and memory, Tessera against matrix-js-sdk's crypto, in the same script.
# Builds nothing: pass the build directory that holds tessera-bench-crypto and
# tessera-test-homeserver.
#   bench/crypto/run.sh BUILD_DIR [RUNS] [EVENTS]     (defaults: 3 runs per side, 500 events)
# Installs matrix-js-sdk into bench/crypto/node_modules (npm ci) if it is missing. Each run
# starts a fresh test homeserver for each side; the sides alternate so that load from elsewhere
# hits both alike. Prints every run, then the medians and their ratios, and the load average.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=${1:?usage: bench/crypto/run.sh BUILD_DIR [RUNS] [EVENTS]}
runs=${2:-3}
events=${3:-500}
bench="$build/bench/crypto/tessera-bench-crypto"
server="$build/e2e/homeserver/tessera-test-homeserver"
for f in "$bench" "$server"; do
  [ -x "$f" ] || { echo "run.sh: $f not found; build it first" >&2; exit 2; }
done
command -v node >/dev/null || { echo "run.sh: node is needed for the peer" >&2; exit 2; }
if [ ! -f "$here/node_modules/matrix-js-sdk/package.json" ]; then
  command -v npm >/dev/null || { echo "run.sh: npm is needed to install matrix-js-sdk" >&2; exit 2; }
  echo "run.sh: installing matrix-js-sdk into bench/crypto/node_modules" >&2
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
if [ "$(id -u)" -eq 0 ]; then export QTWEBENGINE_DISABLE_SANDBOX=1; fi

out="$build/bench/crypto/run"
mkdir -p "$out"
results="$out/results.jsonl"
: > "$results"

# A fresh server on a free port for one side's run; its URL on stdout.
server_pid=""
start_server() {
  coproc SERVER { "$server" --port 0 --max-seconds 600 --max-requests 200000 \
    --user alice:alice-password --user bob:bob-password 2>/dev/null; }
  server_pid=$SERVER_PID
  read -r url <&"${SERVER[0]}"
  echo "$url"
}
stop_server() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  server_pid=""
}
trap stop_server EXIT

for ((i = 1; i <= runs; i++)); do
  url=$(start_server)
  "$bench" --homeserver "$url" --events "$events" >> "$results"
  stop_server
  url=$(start_server)
  (cd "$here" && node jssdk_bench.mjs --homeserver "$url" --events "$events" 2>/dev/null) >> "$results"
  stop_server
  echo "run.sh: run $i of $runs done" >&2
done

node - "$results" <<'JS'
const fs = require('node:fs');
const rows = fs.readFileSync(process.argv[2], 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const side = (impl) => rows.filter((r) => r.impl === impl);
for (const r of rows) console.log(JSON.stringify(r));
const t = side('tessera'), p = side('matrix-js-sdk');
const fmt = (x) => Math.round(x).toLocaleString('en-US');
for (const key of ['encrypt_per_s', 'decrypt_per_s']) {
  const a = median(t.map((r) => r[key])), b = median(p.map((r) => r[key]));
  console.log(`${key}: tessera ${fmt(a)}/s, matrix-js-sdk ${fmt(b)}/s, ratio ${(a / b).toFixed(2)}`);
}
console.log(`encryption page PSS: ${fmt(median(t.map((r) => r.page_pss_kib)))} KiB (median); whole application with two pages: ${fmt(median(t.map((r) => r.app_tree_pss_kib)))} KiB`);
console.log(`matrix-js-sdk's crypto-wasm: ${p[0] ? p[0].crypto_wasm : '?'}; Node RSS ${fmt(median(p.map((r) => r.node_rss_kib)))} KiB`);
JS
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
