#!/usr/bin/env bash
# SPDX-FileCopyrightText: Tessera contributors
# SPDX-License-Identifier: Apache-2.0
#
# Bridge throughput, Tessera against matrix-widget-api's ClientWidgetApi, on the same stream in
# the same script. Builds nothing: pass the build directory that holds tessera-bench-bridge.
#   bench/bridge/run.sh BUILD_DIR [RUNS]      (RUNS: interleaved runs per side and mix, default 5)
# Installs matrix-widget-api into bench/bridge/node_modules (npm ci) if it is missing. Each run
# of either side warms up with one pass over the stream and measures the second; the two sides
# alternate so that load from elsewhere hits both alike. Prints medians and their ratio.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=${1:?usage: bench/bridge/run.sh BUILD_DIR [RUNS]}
runs=${2:-5}
bench="$build/bench/bridge/tessera-bench-bridge"
[ -x "$bench" ] || { echo "run.sh: $bench not found; build the tessera-bench-bridge target first" >&2; exit 2; }
command -v node >/dev/null || { echo "run.sh: node (Node.js 18 or newer) is needed for the peer" >&2; exit 2; }
if [ ! -f "$here/node_modules/matrix-widget-api/package.json" ]; then
  command -v npm >/dev/null || { echo "run.sh: npm is needed to install matrix-widget-api" >&2; exit 2; }
  echo "run.sh: installing matrix-widget-api into bench/bridge/node_modules" >&2
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi

out="$build/bench/bridge/run"
mkdir -p "$out"
results="$out/results.jsonl"
: > "$results"

audit_log=0
if "$bench" --requests 100 --passes 1 --audit log >/dev/null 2>&1; then audit_log=1; fi

tag() { sed "s/^{/{\"stream\":\"$1\",/" >> "$results"; }

for mix in full versions; do
  stream="$out/stream-$mix.txt"
  "$bench" --mix "$mix" --write-stream "$stream"
  for ((i = 1; i <= runs; i++)); do
    samples=()
    peer_samples=()
    if [ "$mix" = full ] && [ "$i" = 1 ]; then
      samples=(--samples "$out/samples-tessera.jsonl")
      peer_samples=(--samples "$out/samples-peer.jsonl")
    fi
    "$bench" --stream "$stream" "${samples[@]}" | tag "$mix"
    node "$here/clientwidgetapi_bench.mjs" --stream "$stream" "${peer_samples[@]}" | tag "$mix"
    echo "run.sh: $mix run $i of $runs done" >&2
  done
done

# With the SQLite audit log as the session's sink, timed until every row is durable: the same
# 200,000-request mix, two rows per request, four times the log's 100,000-row queue. A full queue
# makes the session wait for the writer (back-pressure) and refuses nothing, so both sides must
# count the same successes and errors. One pass per run.
if [ "$audit_log" = 1 ]; then
  stream="$out/stream-full.txt"
  for ((i = 1; i <= (runs < 3 ? runs : 3); i++)); do
    "$bench" --stream "$stream" --audit log --passes 1 | tag audit
    node "$here/clientwidgetapi_bench.mjs" --stream "$stream" | tag audit
    echo "run.sh: audit-log run $i done" >&2
  done
fi

node "$here/compare.mjs" "$out/samples-tessera.jsonl" "$out/samples-peer.jsonl" > "$out/compare.json"

node - "$results" "$out/compare.json" <<'EOF'
const fs = require("fs");
const rows = fs.readFileSync(process.argv[2], "utf8").trim().split("\n").map((l) => JSON.parse(l));
const compare = JSON.parse(fs.readFileSync(process.argv[3], "utf8"));
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const pick = (stream, impl, audit) => rows.filter((r) => r.stream === stream && r.impl === impl && (impl !== "tessera" || r.audit === audit));
const fmt = (n) => Math.round(n).toLocaleString("en-US");
let failed = false;
const peer0 = rows.find((r) => r.impl === "matrix-widget-api");
console.log(`Peer: matrix-widget-api ${peer0.version} ClientWidgetApi on Node ${peer0.node}, console logging silenced.`);
console.log(`Replies compared: ${compare.compared} sampled replies equal on both sides (${JSON.stringify(compare)}).`);
const titles = {
  full: "Mix (40% send, 30% read_events, 20% versions, 10% refused)",
  versions: "supported_api_versions only",
  audit: "Mix, with the SQLite audit log (durable before the clock stops)",
};
for (const stream of ["full", "versions", "audit"]) {
  const peer = pick(stream, "matrix-widget-api");
  if (!peer.length) continue;
  const sides = [["tessera, NullAuditSink", pick(stream, "tessera", "null")], ["tessera, SQLite audit log", pick(stream, "tessera", "log")]];
  const pw = median(peer.map((r) => r.requests_per_second)), pc = median(peer.map((r) => r.requests_per_cpu_second));
  console.log(`\n${titles[stream]}, ${peer[0].requests} requests, ${peer.length} runs each:`);
  console.log(`  matrix-widget-api          ${fmt(pw).padStart(10)} req/s   ${fmt(pc).padStart(10)} req/CPU-s   (runs: ${peer.map((r) => fmt(r.requests_per_second)).join(", ")})`);
  for (const [name, rs] of sides) {
    if (!rs.length) continue;
    const tw = median(rs.map((r) => r.requests_per_second)), tc = median(rs.map((r) => r.requests_per_cpu_second));
    console.log(`  ${name.padEnd(26)} ${fmt(tw).padStart(10)} req/s   ${fmt(tc).padStart(10)} req/CPU-s   (runs: ${rs.map((r) => fmt(r.requests_per_second)).join(", ")})`);
    const perRun = rs.map((r, k) => r.requests_per_second / peer[k].requests_per_second);
    console.log(`  ${"".padEnd(26)} ratio ${(tw / pw).toFixed(2)}x wall-clock, ${(tc / pc).toFixed(2)}x CPU time (median of per-run ratios ${median(perRun).toFixed(2)}x)`);
    for (const r of rs) {
      const p = peer[0];
      if (r.ok !== p.ok || r.errors !== p.errors) { failed = true; console.log(`  MISMATCH: ${name} ok/errors ${r.ok}/${r.errors}, peer ${p.ok}/${p.errors}`); }
    }
  }
  if (peer.some((p) => p.ok !== peer[0].ok || p.errors !== peer[0].errors)) failed = true;
  console.log(`  successes/errors on both sides: ${peer[0].ok}/${peer[0].errors}`);
}
process.exit(failed ? 1 : 0);
EOF
