// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// Checks that Tessera and matrix-widget-api answered the benchmark stream the same way: the
// sampled replies (same indexes on both sides) must be equal as JSON values, key order aside.
// The one expected difference: `supported_versions` lists the versions each implementation
// supports, so there it compares only that both are lists of strings including the versions
// the stream's widget relies on.
//
// node compare.mjs TESSERA_SAMPLES PEER_SAMPLES   (exit 1 and a description on any mismatch)

import { readFileSync } from "node:fs";

const REQUIRED_VERSIONS = ["0.0.1", "0.0.2", "org.matrix.msc2762", "org.matrix.msc2871", "org.matrix.msc2876"];

function load(file) {
    const map = new Map();
    for (const line of readFileSync(file, "utf8").split("\n")) {
        if (line) {
            const { i, reply } = JSON.parse(line);
            map.set(i, reply);
        }
    }
    return map;
}

function diff(a, b, path) {
    if (path.endsWith(".response.supported_versions")) {
        const ok = (v) => Array.isArray(v) && v.every((s) => typeof s === "string") && REQUIRED_VERSIONS.every((r) => v.includes(r));
        return ok(a) && ok(b) ? null : `${path}: not a list of the required versions`;
    }
    if (typeof a !== typeof b || Array.isArray(a) !== Array.isArray(b) || (a === null) !== (b === null))
        return `${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
    if (Array.isArray(a)) {
        if (a.length !== b.length) return `${path}: ${a.length} items vs ${b.length}`;
        for (let k = 0; k < a.length; k++) {
            const d = diff(a[k], b[k], `${path}[${k}]`);
            if (d) return d;
        }
        return null;
    }
    if (a && typeof a === "object") {
        const ka = Object.keys(a).sort(), kb = Object.keys(b).sort();
        if (ka.join("\u0000") !== kb.join("\u0000")) return `${path}: keys ${ka} vs ${kb}`;
        for (const k of ka) {
            const d = diff(a[k], b[k], `${path}.${k}`);
            if (d) return d;
        }
        return null;
    }
    return a === b ? null : `${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
}

const [tesseraFile, peerFile] = process.argv.slice(2);
const tessera = load(tesseraFile), peer = load(peerFile);
const problems = [];
if (tessera.size === 0) problems.push("no samples from Tessera");
if (tessera.size !== peer.size) problems.push(`${tessera.size} samples from Tessera, ${peer.size} from the peer`);
const counts = { read_events: 0, send_ok: 0, send_refused: 0, versions: 0 };
for (const [i, reply] of tessera) {
    if (!peer.has(i)) {
        problems.push(`reply ${i} missing from the peer`);
        continue;
    }
    const d = diff(reply, peer.get(i), `reply[${i}]`);
    if (d) problems.push(d);
    const action = reply.action, error = reply.response && reply.response.error;
    if (action === "org.matrix.msc2876.read_events") counts.read_events++;
    else if (action === "supported_api_versions") counts.versions++;
    else if (action === "send_event") counts[error ? "send_refused" : "send_ok"]++;
}
if (problems.length) {
    process.stderr.write(`compare: ${problems.length} mismatches:\n  ${problems.slice(0, 10).join("\n  ")}\n`);
    process.exit(1);
}
process.stdout.write(JSON.stringify({ compared: tessera.size, ...counts }) + "\n");
