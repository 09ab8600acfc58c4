// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// Hostile rooms: the longest time the UI thread of the real `tessera` binary is blocked while
// the user enters and leaves a room with many m.widget state events, against the same room with
// few widgets (the named peer: Tessera itself at --peer-widgets, 50 by default) in the same run.
//
//   node bench/rooms/rooms_bench.mjs --tessera BIN --homeserver-bin BIN --modules DIR [options]
//   (bench/rooms/run.sh BUILD_DIR [RUNS] runs this with the build's binaries)
//
// Options:
//   --widgets N        widgets in the big room (default 5000)
//   --peer-widgets N   widgets in the peer room (default 50)
//   --runs N           enter/leave cycles per room (default 3)
//   --out FILE         also write every figure as JSON
//   --keep             keep the work directory
//   --screenshots DIR  afterwards, save PNGs of the big room's panel and of its "more" list there
//   --theme T, --size WxH, --language L   the app's theme, window size and language (for the screenshots)
//
// How: the loopback test homeserver is seeded with three rooms (big, peer, and one without
// widgets), Tessera signs in on its login page and syncs them. Then, for each room and run:
// open the empty room, open the measured room ("enter") and wait until the panel holds its
// widgets and the UI has been idle for 1.5 s, open the empty room again ("leave") and wait the
// same. Meanwhile a second connection to the automation socket (which the UI thread serves)
// asks for a property without pause: the longest gap between two answers is the longest stall.
// The widget URLs point at a closed port on 127.0.0.1, so no widget page can load and the
// figure is the shell's own work.

import { mkdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { TesseraApp, waitUntil } from '../../e2e/lib/app.mjs';
import { useModules } from '../../e2e/lib/cdp.mjs';
import { TestHomeserver } from '../../e2e/lib/homeserver.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const { values: o } = parseArgs({
    options: {
        tessera: { type: 'string' },
        'homeserver-bin': { type: 'string' },
        modules: { type: 'string' },
        widgets: { type: 'string', default: '5000' },
        'peer-widgets': { type: 'string', default: '50' },
        runs: { type: 'string', default: '3' },
        out: { type: 'string', default: '' },
        keep: { type: 'boolean', default: false },
        screenshots: { type: 'string', default: '' },
        theme: { type: 'string', default: 'light' },
        size: { type: 'string', default: '1280x800' },
        language: { type: 'string', default: 'en' },
    },
});
for (const required of ['tessera', 'homeserver-bin', 'modules']) {
    if (!o[required]) {
        console.error(`rooms_bench: --${required} is required`);
        process.exit(2);
    }
}
useModules(o.modules);
const BIG = Number(o.widgets);
const PEER = Number(o['peer-widgets']);
const RUNS = Number(o.runs);
const USER = 'bench';
const PASSWORD = 'bench-password';
const log = (...parts) => console.log(`[rooms] ${parts.join(' ')}`);

function widgetState(count, prefix) {
    const state = [];
    for (let i = 0; i < count; ++i) {
        state.push({
            type: 'm.widget',
            state_key: `${prefix}_${i}`,
            content: { type: 'm.custom', url: `https://127.0.0.1:9/${prefix}/${i}`, name: `${prefix} widget ${i}`, data: {} },
        });
    }
    return state;
}

/** Asks the UI thread for a property without pause; the longest gap between answers is the stall. */
class StallProbe {
    static async connect(socketPath) {
        const sock = net.createConnection(socketPath);
        await new Promise((resolve, reject) => { sock.once('connect', resolve); sock.once('error', reject); });
        return new StallProbe(sock);
    }
    constructor(sock) {
        this.sock = sock;
        this.buffer = '';
        this.last = performance.now();
        this.longest = 0;
        this.answers = 0;
        sock.setEncoding('utf8');
        sock.on('data', (d) => {
            this.buffer += d;
            let nl;
            while ((nl = this.buffer.indexOf('\n')) >= 0) {
                this.buffer = this.buffer.slice(nl + 1);
                const now = performance.now();
                this.longest = Math.max(this.longest, now - this.last);
                this.last = now;
                this.answers++;
                this.ask();
            }
        });
        this.ask();
    }
    ask() {
        if (!this.sock.destroyed)
            this.sock.write('{"cmd":"property","name":"","property":"currentRoomId"}\n');
    }
    /** Starts a measurement: the longest gap from now on. */
    reset() {
        this.last = performance.now();
        this.longest = 0;
    }
    close() {
        this.sock.destroy();
    }
}

function median(values) {
    const s = [...values].sort((a, b) => a - b);
    return s.length === 0 ? NaN : s[Math.floor((s.length - 1) / 2)];
}

async function main() {
    const work = path.join(os.tmpdir(), `tessera-rooms-bench-${process.pid}`);
    await rm(work, { recursive: true, force: true });
    await mkdir(work, { recursive: true });
    const seed = {
        users: [{ user: USER, password: PASSWORD }],
        rooms: [
            { creator: USER, alias: 'quiet', name: 'Quiet room', preset: 'private_chat' },
            { creator: USER, alias: 'peer', name: 'Peer room', preset: 'private_chat', state: widgetState(PEER, 'peer') },
            { creator: USER, alias: 'big', name: 'Big room', preset: 'private_chat', state: widgetState(BIG, 'big') },
        ],
    };
    const seedFile = path.join(work, 'seed.json');
    await writeFile(seedFile, JSON.stringify(seed));
    const hs = new TestHomeserver({ binary: o['homeserver-bin'], args: ['--seed', seedFile, '--max-requests', '100000', '--max-seconds', '1800'], log });
    await hs.start(120000);
    log(`test homeserver on ${hs.baseUrl} with rooms of ${BIG} and ${PEER} widgets`);
    const app = new TesseraApp({ binary: o.tessera, dataDir: path.join(work, 'data'), workDir: work, args: ['--homeserver', hs.baseUrl, '--theme', o.theme, '--size', o.size, '--language', o.language], name: 'bench', log, maxLifetimeSeconds: 1800 });
    let probe = null;
    const results = { widgets: BIG, peerWidgets: PEER, runs: RUNS, loadavg: os.loadavg(), rooms: {} };
    try {
        await app.start({ startupTimeoutMs: 180000 });
        await app.waitVisible('loginPage', 60000);
        await app.setText('loginUser', USER);
        await app.setText('loginPassword', PASSWORD);
        await app.click('loginSubmit');
        await app.waitHidden('loginPage', 120000);
        const rows = await waitUntil(async () => {
            const r = await app.model('rooms');
            return r.length >= 3 && r;
        }, 300000, 'the three rooms to sync');
        const indexOf = (name) => rows.findIndex((r) => r.name === name);
        log(`signed in; rooms: ${rows.map((r) => r.name).join(', ')}`);
        probe = await StallProbe.connect(app.socketPath);

        // Host.widgetCount; an older build without it is asked for its widget list.
        const widgetCount = async () => {
            // A stalled UI answers late, not never: wait as long as the room takes.
            const count = (await app.ok({ cmd: 'property', name: '', property: 'widgetCount' }, 900000)).value;
            return typeof count === 'number' ? count : (await app.ok({ cmd: 'widgets' }, 900000)).widgets.length;
        };

        /** Clicks a room; returns the longest stall until the panel shows @p widgets and the UI was idle 1.5 s. */
        const open = async (name, widgets) => {
            probe.reset();
            const t0 = performance.now();
            await app.ok({ cmd: 'click', name: `room_${indexOf(name)}` }, 900000);
            await waitUntil(async () => (await widgetCount()) === widgets, 900000, `${name} to show ${widgets} widgets`, 50);
            const shown = performance.now() - t0;
            // Idle: answers keep coming with no gap over 100 ms for 1.5 s.
            let quietSince = performance.now();
            let seen = probe.answers;
            for (;;) {
                await sleep(100);
                if (probe.answers === seen || performance.now() - probe.last > 100)
                    quietSince = performance.now();
                seen = probe.answers;
                if (performance.now() - quietSince > 1500)
                    break;
            }
            return { stallMs: probe.longest, shownMs: shown };
        };

        await open('Quiet room', 0);
        // The floor: the longest gap while nothing happens, over as long as an enter takes. On a
        // busy machine the scheduler alone keeps the UI thread waiting this long.
        const idle = [];
        for (let run = 0; run < RUNS; ++run) {
            probe.reset();
            await sleep(3000);
            idle.push(probe.longest);
        }
        results.idleStallMs = idle;
        results.medianIdleStallMs = median(idle);
        log(`idle (no room change): longest gap ${idle.map((v) => v.toFixed(1)).join(', ')} ms`);
        for (const [name, count] of [['Peer room', PEER], ['Big room', BIG]]) {
            const enter = [];
            const leave = [];
            for (let run = 0; run < RUNS; ++run) {
                const e = await open(name, count);
                const l = await open('Quiet room', 0);
                enter.push(e);
                leave.push(l);
                log(`${name} (${count} widgets) run ${run + 1}: enter stall ${e.stallMs.toFixed(1)} ms (shown after ${e.shownMs.toFixed(0)} ms), leave stall ${l.stallMs.toFixed(1)} ms`);
            }
            results.rooms[name] = {
                widgets: count,
                enterStallMs: enter.map((e) => e.stallMs),
                leaveStallMs: leave.map((l) => l.stallMs),
                enterShownMs: enter.map((e) => e.shownMs),
                medianEnterStallMs: median(enter.map((e) => e.stallMs)),
                medianLeaveStallMs: median(leave.map((l) => l.stallMs)),
            };
        }
        const big = results.rooms['Big room'];
        const peer = results.rooms['Peer room'];
        const worst = (r) => Math.max(r.medianEnterStallMs, r.medianLeaveStallMs);
        console.log('');
        console.log(`longest UI-thread stall, median of ${RUNS} (load average ${results.loadavg.map((l) => l.toFixed(2)).join(' ')}):`);
        console.log(`  idle, no room change:  ${results.medianIdleStallMs.toFixed(1)} ms (this machine's floor now)`);
        console.log(`  ${String(PEER).padStart(5)} widgets (peer): enter ${peer.medianEnterStallMs.toFixed(1)} ms, leave ${peer.medianLeaveStallMs.toFixed(1)} ms`);
        console.log(`  ${String(BIG).padStart(5)} widgets:        enter ${big.medianEnterStallMs.toFixed(1)} ms, leave ${big.medianLeaveStallMs.toFixed(1)} ms`);
        console.log(`  ratio ${BIG} / ${PEER} widgets (worst of enter and leave): ${(worst(big) / worst(peer)).toFixed(2)}`);
        console.log(`  budget: 100 ms at ${BIG} widgets: ${worst(big) <= 100 ? 'met' : 'NOT met'}`);
        results.ratio = worst(big) / worst(peer);
        if (o.screenshots) {
            await mkdir(o.screenshots, { recursive: true });
            await open('Big room', BIG);
            const tag = `${o.theme}-${o.size}-${o.language}`;
            await app.ok({ cmd: 'screenshot', path: path.join(o.screenshots, `rooms-panel-${tag}.png`) }, 60000);
            await app.click('moreWidgetsButton');
            await app.waitVisible('widgetSearchField');
            await app.setText('widgetSearchField', 'widget 42');
            await sleep(500);
            await app.ok({ cmd: 'screenshot', path: path.join(o.screenshots, `rooms-more-${tag}.png`) }, 60000);
            log(`screenshots in ${o.screenshots}`);
        }
        if (o.out)
            await writeFile(o.out, JSON.stringify(results, null, 2));
    } finally {
        if (probe)
            probe.close();
        await app.stop().catch(() => {});
        await hs.stop().catch(() => {});
        if (!o.keep)
            await rm(work, { recursive: true, force: true }).catch(() => {});
    }
}

main().catch((e) => {
    console.error(`rooms_bench: ${e.stack || e}`);
    process.exit(1);
});
