// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The shell benchmark: the real `tessera` binary against matrix-widget-api's ClientWidgetApi in
// headless Chromium, with the same widget, in the same script.
//
//   node bench/shell/shell_bench.mjs --tessera BUILD/host/app/tessera [options]
//   (bench/shell/run.sh BUILD_DIR [RUNS] installs the widget library and runs this)
//
// Options:
//   --tessera PATH      the tessera executable (required unless --skip-tessera)
//   --chromium PATH     the browser for the peer (default /usr/bin/chromium)
//   --requests N        timed requests per widget and measurement (default 2000)
//   --warmup N          untimed requests before them (default 200)
//   --runs N            runs of both hosts, alternating (default 1)
//   --settle-ms N       wait before reading memory (default 2000)
//   --out FILE          also write every figure and sample summary as JSON
//   --skip-tessera, --skip-peer
//   --keep              keep the temporary data directories and logs
//   --verbose           log every request to the server and every report
//
// Each run, for each host:
//  1. Start the host with one measurement widget (widget.html) served from a loopback HTTP
//     server on 127.0.0.1. Cold start = process spawn → the widget's first reply
//     (supported_api_versions) received inside the widget, both on the wall clock.
//  2. Approve the widget's capability request (Tessera: the consent dialog's Approve button
//     through TESSERA_AUTOMATION_SOCKET; the peer's WidgetDriver approves by itself).
//  3. Time N sequential supported_api_versions (no capability) and N read_events (limit 10, needs
//     org.matrix.msc2762.receive.event:m.room.message) after a warm-up, with performance.now()
//     inside the widget.
//  4. PSS summed over the host process and all its descendants (/proc/<pid>/smaps_rollup),
//     2 s after the last reply.
//  5. Add three more widgets (Tessera: /widget URL in the composer, as a user would; the peer
//     page: another iframe with its own ClientWidgetApi), approve them, time again (one widget
//     busy while the other three idle, then all four at once), and take the PSS sum again.
// Tessera's room gets ten seeded messages first; the peer's room holds the very events Tessera
// returned, so both hosts send the same read_events reply.
//
// Tessera runs headless (-platform offscreen) with QTWEBENGINE_DISABLE_SANDBOX=1 only as root;
// Chromium runs with --headless, and --no-sandbox only as root. The peer page is served from
// http://localhost:PORT and the widget from http://127.0.0.1:PORT: different sites, so Chromium
// puts the widget in its own renderer process, as Tessera does with --site-per-process.

import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync, closeSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const CAPABILITY = 'org.matrix.msc2762.receive.event:m.room.message';
const SEEDED_MESSAGES = 10;

// ---------------------------------------------------------------------------------------------
// Options

function parseArgs(argv) {
    const o = { tessera: '', chromium: '/usr/bin/chromium', requests: 2000, warmup: 200, runs: 1, settleMs: 2000, out: '', skipTessera: false, skipPeer: false, keep: false, verbose: false };
    const num = (v, name) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 0)
            throw new Error(`${name} needs a whole number`);
        return n;
    };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === '--tessera') o.tessera = argv[++i];
        else if (a === '--chromium') o.chromium = argv[++i];
        else if (a === '--requests') o.requests = Math.max(1, num(argv[++i], a));
        else if (a === '--warmup') o.warmup = num(argv[++i], a);
        else if (a === '--runs') o.runs = Math.max(1, num(argv[++i], a));
        else if (a === '--settle-ms') o.settleMs = num(argv[++i], a);
        else if (a === '--out') o.out = argv[++i];
        else if (a === '--skip-tessera') o.skipTessera = true;
        else if (a === '--skip-peer') o.skipPeer = true;
        else if (a === '--keep') o.keep = true;
        else if (a === '--verbose') o.verbose = true;
        else if (a === '--help' || a === '-h') {
            console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').filter((l) => l.startsWith('//')).slice(2, 38).map((l) => l.slice(3)).join('\n'));
            process.exit(0);
        } else throw new Error(`unknown option ${a} (see --help)`);
    }
    if (!o.skipTessera && !o.tessera)
        throw new Error('--tessera PATH is required (or --skip-tessera)');
    return o;
}

const log = (...a) => console.error('[shell-bench]', ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const nowWall = () => performance.timeOrigin + performance.now();

// ---------------------------------------------------------------------------------------------
// The loopback server: static files, orders for the pages (long-polled), reports from them.

class BenchServer {
    constructor() {
        this.reports = [];
        this.watchers = [];
        this.orders = new Map(); // "run/slot" -> [{seq, ...}]
        this.pollers = new Map(); // "run/slot" -> [{after, res, timer}]
        this.seq = 0;
        // The browserify bundle (exposes `mxwidgets`); the minified one exposes nothing usable
        // in 1.19.0. Its inline source map (about 420 kB) is dropped.
        const lib = path.join(here, 'node_modules', 'matrix-widget-api', 'dist', 'api.js');
        if (!existsSync(lib))
            throw new Error(`${lib} is missing: run npm ci in bench/shell (run.sh does)`);
        this.files = {
            '/widget.html': ['text/html; charset=utf-8', readFileSync(path.join(here, 'widget.html'))],
            '/widget.js': ['text/javascript; charset=utf-8', readFileSync(path.join(here, 'widget.js'))],
            '/host.html': ['text/html; charset=utf-8', readFileSync(path.join(here, 'host.html'))],
            '/host.js': ['text/javascript; charset=utf-8', readFileSync(path.join(here, 'host.js'))],
            '/lib/matrix-widget-api.js': ['text/javascript; charset=utf-8',
                Buffer.from(readFileSync(lib, 'utf8').replace(/\n\/\/# sourceMappingURL=data:[^\n]*\n?$/, '\n'))],
        };
        this.server = http.createServer((req, res) => this.handle(req, res));
        this.server.keepAliveTimeout = 60000;
    }

    listen() {
        return new Promise((resolve, reject) => {
            this.server.once('error', reject);
            this.server.listen(0, '127.0.0.1', () => {
                this.port = this.server.address().port;
                resolve(this.port);
            });
        });
    }

    close() {
        for (const list of this.pollers.values())
            for (const p of list) {
                clearTimeout(p.timer);
                p.res.end(JSON.stringify({ op: 'stop' }));
            }
        this.server.closeAllConnections?.();
        this.server.close();
    }

    handle(req, res) {
        const url = new URL(req.url, 'http://127.0.0.1');
        if (req.method === 'GET' && this.files[url.pathname]) {
            const [type, body] = this.files[url.pathname];
            res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
            res.end(body);
            return;
        }
        if (this.verbose && url.pathname !== '/report')
            log(req.method, req.url.slice(0, 120));
        if (req.method === 'GET' && url.pathname === '/order') {
            const key = `${url.searchParams.get('run')}/${url.searchParams.get('slot')}`;
            const after = Number(url.searchParams.get('after') || 0);
            res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
            // An order is handed out once: a page that reloads must not run it again.
            const queue = this.orders.get(key) || [];
            const i = queue.findIndex((o) => o.seq > after);
            if (i >= 0) {
                res.end(JSON.stringify(queue.splice(i, 1)[0]));
                return;
            }
            const poller = { after, res };
            poller.timer = setTimeout(() => {
                this.dropPoller(key, poller);
                res.end(JSON.stringify({ op: 'none' }));
            }, 20000);
            if (!this.pollers.has(key))
                this.pollers.set(key, []);
            this.pollers.get(key).push(poller);
            req.on('close', () => {
                clearTimeout(poller.timer);
                this.dropPoller(key, poller);
            });
            return;
        }
        if (req.method === 'POST' && url.pathname === '/report') {
            let body = '';
            req.setEncoding('utf8');
            req.on('data', (d) => (body += d));
            req.on('end', () => {
                res.writeHead(204, { 'cache-control': 'no-store' });
                res.end();
                let report;
                try {
                    report = JSON.parse(body);
                } catch (e) {
                    return;
                }
                report.receivedWallMs = nowWall();
                if (this.verbose)
                    log('report', JSON.stringify(report).slice(0, 300));
                this.reports.push(report);
                for (const w of [...this.watchers])
                    if (w.match(report)) {
                        this.watchers.splice(this.watchers.indexOf(w), 1);
                        clearTimeout(w.timer);
                        w.resolve(report);
                    }
            });
            return;
        }
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found');
    }

    dropPoller(key, poller) {
        const list = this.pollers.get(key);
        const i = list ? list.indexOf(poller) : -1;
        if (i >= 0)
            list.splice(i, 1);
    }

    /** Queues an order for one page; returns its sequence number. */
    order(run, slot, order) {
        const key = `${run}/${slot}`;
        const o = { ...order, seq: ++this.seq };
        if (!this.orders.has(key))
            this.orders.set(key, []);
        const poller = (this.pollers.get(key) || []).find((p) => o.seq > p.after);
        if (poller) {
            clearTimeout(poller.timer);
            this.dropPoller(key, poller);
            poller.res.end(JSON.stringify(o));
        } else {
            this.orders.get(key).push(o);
        }
        return o.seq;
    }

    /** The first report (already received or still to come) that @p match accepts. */
    waitFor(match, timeoutMs, what, isAlive = () => true) {
        const seen = this.reports.find(match);
        if (seen)
            return Promise.resolve(seen);
        return new Promise((resolve, reject) => {
            const w = { match, resolve };
            const check = () => {
                if (!this.watchers.includes(w))
                    return;
                if (!isAlive()) {
                    this.watchers.splice(this.watchers.indexOf(w), 1);
                    reject(new Error(`the host exited (${isAlive.why ? isAlive.why() : '?'}) while waiting for ${what}`));
                    return;
                }
                w.timer = setTimeout(check, 250);
            };
            const deadline = setTimeout(() => {
                const i = this.watchers.indexOf(w);
                if (i >= 0) {
                    this.watchers.splice(i, 1);
                    clearTimeout(w.timer);
                    reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
                }
            }, timeoutMs);
            w.resolve = (r) => {
                clearTimeout(deadline);
                resolve(r);
            };
            this.watchers.push(w);
            w.timer = setTimeout(check, 250);
        });
    }

    errors(run) {
        return this.reports.filter((r) => r.run === run && r.kind === 'error');
    }
}

// ---------------------------------------------------------------------------------------------
// Processes and memory

function childrenMap() {
    const map = new Map();
    for (const name of readdirSync('/proc')) {
        if (!/^\d+$/.test(name))
            continue;
        let stat;
        try {
            stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        } catch (e) {
            continue;
        }
        // pid (comm) state ppid …; comm may contain spaces and parentheses.
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (!map.has(ppid))
            map.set(ppid, []);
        map.get(ppid).push(Number(name));
    }
    return map;
}

function processTree(root) {
    const map = childrenMap();
    const out = [];
    const todo = [root];
    while (todo.length) {
        const pid = todo.shift();
        out.push(pid);
        todo.push(...(map.get(pid) || []));
    }
    return out;
}

/** PSS and RSS summed over @p root and every descendant, in MiB. */
function memory(root) {
    let pss = 0, rss = 0, count = 0;
    const procs = [];
    for (const pid of processTree(root)) {
        let text, cmd;
        try {
            text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
            cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
        } catch (e) {
            continue;
        }
        const kb = (field) => Number((text.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm')) || [0, 0])[1]);
        const p = kb('Pss') / 1024, r = kb('Rss') / 1024;
        pss += p;
        rss += r;
        count++;
        // Chromium rewrites its command line into one space-separated string.
        const type = (cmd.match(/--type=(\S+)/) || [null, pid === root ? 'main' : path.basename(cmd.split(' ')[0])])[1];
        procs.push({ pid, type, pssMiB: round1(p), rssMiB: round1(r) });
    }
    return { pssMiB: round1(pss), rssMiB: round1(rss), processes: count, detail: procs };
}

const round1 = (x) => Math.round(x * 10) / 10;
const round3 = (x) => Math.round(x * 1000) / 1000;

function stopProcess(child, graceMs = 10000) {
    return new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null)
            return resolve();
        const t = setTimeout(() => {
            try {
                process.kill(-child.pid, 'SIGKILL'); // its own process group (spawned detached)
            } catch (e) { /* gone */ }
        }, graceMs);
        child.once('exit', () => {
            clearTimeout(t);
            resolve();
        });
    });
}

function terminate(child, graceMs = 10000) {
    const done = stopProcess(child, graceMs);
    try {
        process.kill(-child.pid, 'SIGTERM');
    } catch (e) { /* gone */ }
    return done;
}

// ---------------------------------------------------------------------------------------------
// Statistics

function percentile(sorted, p) {
    if (!sorted.length)
        return NaN;
    const rank = Math.ceil((p / 100) * sorted.length); // nearest rank
    return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

function summarize(samples) {
    const s = Float64Array.from(samples).sort();
    const mean = s.reduce((a, b) => a + b, 0) / s.length;
    return { n: s.length, p50: round3(percentile(s, 50)), p99: round3(percentile(s, 99)), mean: round3(mean), max: round3(s[s.length - 1]) };
}

const median = (xs) => {
    const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
    if (!s.length)
        return NaN;
    const m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

// ---------------------------------------------------------------------------------------------
// Shared measuring steps

/** Orders a timed run in each of @p slots at once and waits for all of them. */
async function timeSlots(ctx, slots, request, { keepReply = false } = {}) {
    const { server, run, opts, alive } = ctx;
    const seqs = slots.map((slot) => server.order(run, slot, { op: 'time', request, n: opts.requests, warmup: opts.warmup, keepReply }));
    const timeoutMs = 60000 + (opts.requests + opts.warmup) * slots.length * 60;
    const results = await Promise.all(slots.map((slot, i) => server.waitFor(
        (r) => r.run === run && r.slot === slot && r.seq === seqs[i] && (r.kind === 'timed' || r.kind === 'error'),
        timeoutMs, `${request} timings from ${slot}`, alive)));
    for (const r of results)
        if (r.kind === 'error')
            throw new Error(`${r.slot}: ${request} failed: ${r.error}`);
    const pooled = results.flatMap((r) => r.samples);
    const summary = summarize(pooled);
    summary.perWidget = results.map((r) => ({ slot: r.slot, ...summarize(r.samples) }));
    // Requests per second over all the widgets, each timed over its own loop.
    summary.requestsPerSecond = Math.round(pooled.length / (Math.max(...results.map((r) => r.elapsedMs)) / 1000));
    summary.replyBytes = results[0].replyBytes;
    summary.replyEvents = results[0].replyEvents;
    if (keepReply)
        summary.reply = results[0].reply;
    return summary;
}

async function measureAtCount(ctx, slots, figures, label, { keepReply = false } = {}) {
    const one = [slots[0]];
    figures[`versions_${label}`] = await timeSlots(ctx, one, 'versions');
    figures[`read_${label}`] = await timeSlots(ctx, one, 'read', { keepReply });
    if (slots.length > 1) {
        figures[`versions_${label}_all`] = await timeSlots(ctx, slots, 'versions');
        figures[`read_${label}_all`] = await timeSlots(ctx, slots, 'read');
    }
    await sleep(ctx.opts.settleMs);
    figures[`memory_${label}`] = memory(ctx.pid);
}

function widgetUrl(server, run, slot) {
    const q = new URLSearchParams({ slot, run, caps: CAPABILITY });
    return `http://127.0.0.1:${server.port}/widget.html?${q}`;
}

// ---------------------------------------------------------------------------------------------
// Tessera

class Automation {
    static async connect(socketPath, timeoutMs, alive) {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
            try {
                return await new Promise((resolve, reject) => {
                    const sock = net.createConnection(socketPath);
                    sock.once('connect', () => resolve(new Automation(sock)));
                    sock.once('error', reject);
                });
            } catch (e) {
                if (!alive() || Date.now() > deadline)
                    throw new Error(`cannot reach the automation socket: ${e.message}`);
                await sleep(50);
            }
        }
    }

    constructor(sock) {
        this.sock = sock;
        this.buffer = '';
        this.waiting = [];
        sock.setEncoding('utf8');
        sock.on('data', (d) => {
            this.buffer += d;
            let nl;
            while ((nl = this.buffer.indexOf('\n')) >= 0) {
                const line = this.buffer.slice(0, nl);
                this.buffer = this.buffer.slice(nl + 1);
                const w = this.waiting.shift();
                if (w)
                    w.resolve(JSON.parse(line));
            }
        });
        const fail = () => {
            for (const w of this.waiting.splice(0))
                w.reject(new Error('automation socket closed'));
        };
        sock.on('close', fail);
        sock.on('error', fail);
    }

    send(command) {
        return new Promise((resolve, reject) => {
            this.waiting.push({ resolve, reject });
            this.sock.write(JSON.stringify(command) + '\n');
        });
    }

    close() {
        this.sock.destroy();
    }
}

/**
 * Answers the consent dialog if one is showing: Approve for the benchmark's widgets (named w0…w3),
 * Deny for anything else (the welcome room's own widget, which Tessera may start when the widget
 * list changes). Returns whether a dialog was showing.
 */
async function answerConsent(automation) {
    const found = await automation.send({ cmd: 'find', name: 'consentApprove' });
    if (!(found.found && found.visible && found.enabled))
        return false;
    const title = await automation.send({ cmd: 'find', name: 'consentTitle' });
    const ours = /\bw[0-9]\b/.test(title.text || '');
    const clicked = await automation.send({ cmd: 'click', name: ours ? 'consentApprove' : 'consentDeny' });
    if (!clicked.ok)
        log('consent click:', clicked.error);
    return true;
}

async function approveUntilReady(ctx, automation, slots) {
    const { server, run } = ctx;
    const deadline = Date.now() + 60000;
    const ready = (slot) => server.reports.some((r) => r.run === run && r.slot === slot && r.kind === 'capabilities' && r.approved.includes(CAPABILITY));
    while (!slots.every(ready)) {
        if (!ctx.alive())
            throw new Error('tessera exited while waiting for consent');
        if (Date.now() > deadline)
            throw new Error(`no approved capabilities from ${slots.filter((s) => !ready(s)).join(', ')} within 60 s`);
        await answerConsent(automation);
        await sleep(100);
    }
    // Anything else still asking (the modal dialog would swallow the next click).
    for (let quiet = 0; quiet < 5; ) {
        quiet = (await answerConsent(automation)) ? 0 : quiet + 1;
        await sleep(100);
    }
}

async function compose(automation, text) {
    while (await answerConsent(automation))
        await sleep(200);
    let r = await automation.send({ cmd: 'setText', name: 'composerInput', text });
    if (r.ok)
        r = await automation.send({ cmd: 'click', name: 'composerSend' });
    if (!r.ok)
        throw new Error(`composer: ${r.error}`);
}

async function runTessera(opts, server, runIndex) {
    const run = `t${runIndex}-${Date.now()}`;
    const work = mkdtempSync(path.join(os.tmpdir(), 'tessera-bench-shell-'));
    const home = path.join(work, 'home');
    const runtime = path.join(work, 'runtime');
    mkdirSync(home, { recursive: true });
    mkdirSync(runtime, { recursive: true, mode: 0o700 });
    const socketPath = path.join(work, 'automation.sock');
    const env = {
        ...process.env,
        HOME: home,
        XDG_RUNTIME_DIR: runtime,
        XDG_CONFIG_HOME: path.join(home, '.config'),
        XDG_CACHE_HOME: path.join(home, '.cache'),
        XDG_DATA_HOME: path.join(home, '.local', 'share'),
        TESSERA_AUTOMATION_SOCKET: socketPath,
        LANG: 'C.UTF-8',
    };
    delete env.DISPLAY;
    delete env.WAYLAND_DISPLAY;
    delete env.TESSERA_PLUGIN_PATH;
    delete env.QTWEBENGINE_REMOTE_DEBUGGING;
    if (process.getuid && process.getuid() === 0)
        env.QTWEBENGINE_DISABLE_SANDBOX = '1'; // Chromium's sandbox cannot run as root
    const args = ['-platform', 'offscreen', '--data-dir', path.join(work, 'data'), '--allow-http-loopback',
        '--size', '1920x1000', '--language', 'en', '--theme', 'light',
        '--open-widget', widgetUrl(server, run, 'w0'), '--widget-name', 'w0'];
    const logPath = path.join(work, 'tessera.log');
    const logFd = openSync(logPath, 'w');
    const t0 = nowWall();
    const child = spawn(opts.tessera, args, { env, stdio: ['ignore', logFd, logFd], detached: true });
    closeSync(logFd);
    const alive = () => child.exitCode === null && child.signalCode === null;
    alive.why = () => `exit code ${child.exitCode}, signal ${child.signalCode}`;
    const ctx = { server, run, opts, pid: child.pid, alive };
    const figures = { host: 'tessera', run: runIndex };
    let automation = null;
    try {
        const first = await server.waitFor((r) => r.run === run && r.slot === 'w0' && (r.kind === 'first' || r.kind === 'error'), 90000, 'the first reply in Tessera', alive);
        if (first.kind === 'error')
            throw new Error(`first request failed: ${first.error}`);
        figures.coldStartMs = Math.round(first.wallMs - t0);
        figures.widgetDocumentStartMs = Math.round(first.wallMs - first.sinceNavigationMs - t0);
        figures.firstRequestMs = round3(first.sinceNavigationMs - first.requestSentMs);
        automation = await Automation.connect(socketPath, 30000, alive);
        await approveUntilReady(ctx, automation, ['w0']);
        // Ten messages of our own, so read_events answers with ten events.
        for (let i = 0; i < SEEDED_MESSAGES; i++)
            await compose(automation, `Seeded message ${i + 1} of the shell benchmark, about as long as a chat line.`);
        await sleep(1000);
        await measureAtCount(ctx, ['w0'], figures, '1', { keepReply: true });
        const slots = ['w0', 'w1', 'w2', 'w3'];
        for (const slot of slots.slice(1)) {
            await compose(automation, `/widget ${widgetUrl(server, run, slot)} ${slot}`);
            await server.waitFor((r) => r.run === run && r.slot === slot && r.kind === 'first', 60000, `the first reply of ${slot}`, alive);
            // Its consent dialog is modal: answer it before typing the next /widget.
            await approveUntilReady(ctx, automation, [slot]);
        }
        await sleep(1000);
        await measureAtCount(ctx, slots, figures, '4');
        const widgets = await automation.send({ cmd: 'widgets' });
        figures.widgetStates = (widgets.widgets || []).map((w) => `${w.name}:${w.state}`);
        const errors = server.errors(run);
        if (errors.length)
            throw new Error(`widget errors: ${JSON.stringify(errors)}`);
    } catch (e) {
        e.message += ` (Tessera log: ${logPath})`;
        opts.keep = true;
        throw e;
    } finally {
        for (const slot of ['w0', 'w1', 'w2', 'w3'])
            server.order(run, slot, { op: 'stop' });
        if (automation && alive()) {
            await automation.send({ cmd: 'quit' }).catch(() => {});
            automation.close();
        }
        await stopProcess(child, 15000);
        if (!opts.keep)
            rmSync(work, { recursive: true, force: true });
    }
    return figures;
}

// ---------------------------------------------------------------------------------------------
// The peer: ClientWidgetApi in headless Chromium

async function runPeer(opts, server, runIndex, roomEvents) {
    const run = `p${runIndex}-${Date.now()}`;
    const work = mkdtempSync(path.join(os.tmpdir(), 'tessera-bench-shell-peer-'));
    const q = new URLSearchParams({ run, widgetBase: `http://127.0.0.1:${server.port}`, caps: CAPABILITY, slot: 'w0' });
    const pageUrl = `http://localhost:${server.port}/host.html?${q}`;
    const args = ['--headless', '--no-first-run', '--no-default-browser-check', '--disable-default-apps',
        '--disable-component-update', '--disable-background-networking', '--mute-audio',
        `--user-data-dir=${path.join(work, 'profile')}`, '--window-size=1280,800', '--remote-debugging-port=0'];
    if (process.getuid && process.getuid() === 0)
        args.push('--no-sandbox'); // as Tessera, only when running as root
    args.push(pageUrl);
    const env = { ...process.env, HOME: path.join(work, 'home') };
    delete env.DISPLAY;
    delete env.WAYLAND_DISPLAY;
    const logPath = path.join(work, 'chromium.log');
    const logFd = openSync(logPath, 'w');
    const t0 = nowWall();
    const child = spawn(opts.chromium, args, { env, stdio: ['ignore', logFd, logFd], detached: true });
    closeSync(logFd);
    const alive = () => child.exitCode === null && child.signalCode === null;
    alive.why = () => `exit code ${child.exitCode}, signal ${child.signalCode}`;
    const ctx = { server, run, opts, pid: child.pid, alive };
    const figures = { host: 'clientwidgetapi', run: runIndex };
    const ready = (slot) => server.waitFor((r) => r.run === run && r.slot === slot && r.kind === 'capabilities' && r.approved.includes(CAPABILITY), 60000, `capabilities of ${slot}`, alive);
    try {
        const first = await server.waitFor((r) => r.run === run && r.slot === 'w0' && (r.kind === 'first' || r.kind === 'error'), 90000, 'the first reply in Chromium', alive);
        if (first.kind === 'error')
            throw new Error(`first request failed: ${first.error}`);
        figures.coldStartMs = Math.round(first.wallMs - t0);
        figures.widgetDocumentStartMs = Math.round(first.wallMs - first.sinceNavigationMs - t0);
        figures.firstRequestMs = round3(first.sinceNavigationMs - first.requestSentMs);
        const seq = server.order(run, 'host', { op: 'room', events: roomEvents });
        await server.waitFor((r) => r.run === run && r.slot === 'host' && r.seq === seq, 30000, 'the room in the peer page', alive);
        await ready('w0');
        await sleep(1000);
        await measureAtCount(ctx, ['w0'], figures, '1');
        const slots = ['w0', 'w1', 'w2', 'w3'];
        for (const slot of slots.slice(1)) {
            server.order(run, 'host', { op: 'add', slot });
            await server.waitFor((r) => r.run === run && r.slot === slot && r.kind === 'first', 60000, `the first reply of ${slot}`, alive);
        }
        await Promise.all(slots.map(ready));
        await sleep(1000);
        await measureAtCount(ctx, slots, figures, '4');
        const errors = server.errors(run);
        if (errors.length)
            throw new Error(`widget errors: ${JSON.stringify(errors)}`);
    } catch (e) {
        e.message += ` (Chromium log: ${logPath})`;
        opts.keep = true;
        throw e;
    } finally {
        for (const slot of ['host', 'w0', 'w1', 'w2', 'w3'])
            server.order(run, slot, { op: 'stop' });
        await terminate(child, 10000);
        if (!opts.keep)
            rmSync(work, { recursive: true, force: true });
    }
    return figures;
}

/** Events shaped like a local room's, for a peer run without Tessera before it. */
function syntheticRoom() {
    const out = [];
    for (let i = 0; i < SEEDED_MESSAGES; i++) {
        out.push({
            type: 'm.room.message', sender: '@bench:localhost', event_id: `$bench${i}`, room_id: '!bench:localhost',
            origin_server_ts: 1700000000000 + i, content: { msgtype: 'm.text', body: `Seeded message ${i + 1} of the shell benchmark, about as long as a chat line.` },
            unsigned: {},
        });
    }
    return out.reverse();
}

// ---------------------------------------------------------------------------------------------
// Report

const ROWS = [
    ['coldStartMs', 'cold start: process start → first reply in the widget, ms'],
    ['versions_1.p50', 'supported_api_versions, 1 widget, p50 ms'],
    ['versions_1.p99', 'supported_api_versions, 1 widget, p99 ms'],
    ['read_1.p50', 'read_events (10 events), 1 widget, p50 ms'],
    ['read_1.p99', 'read_events (10 events), 1 widget, p99 ms'],
    ['versions_4.p50', 'supported_api_versions, 4 open, 1 busy, p50 ms'],
    ['versions_4.p99', 'supported_api_versions, 4 open, 1 busy, p99 ms'],
    ['read_4.p50', 'read_events, 4 open, 1 busy, p50 ms'],
    ['read_4.p99', 'read_events, 4 open, 1 busy, p99 ms'],
    ['versions_4_all.p50', 'supported_api_versions, 4 busy at once, p50 ms'],
    ['versions_4_all.p99', 'supported_api_versions, 4 busy at once, p99 ms'],
    ['read_4_all.p50', 'read_events, 4 busy at once, p50 ms'],
    ['read_4_all.p99', 'read_events, 4 busy at once, p99 ms'],
    ['memory_1.pssMiB', 'PSS sum, 1 widget, MiB'],
    ['memory_4.pssMiB', 'PSS sum, 4 widgets, MiB'],
    ['memory_1.rssMiB', 'RSS sum, 1 widget, MiB (double-counts shared pages)'],
    ['memory_4.rssMiB', 'RSS sum, 4 widgets, MiB (double-counts shared pages)'],
    ['memory_1.processes', 'processes, 1 widget'],
    ['memory_4.processes', 'processes, 4 widgets'],
];

const get = (o, key) => key.split('.').reduce((v, k) => (v == null ? undefined : v[k]), o);
const fmt = (x) => (Number.isFinite(x) ? (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2)) : '—');

function printReport(results, opts) {
    const t = results.filter((r) => r.host === 'tessera');
    const p = results.filter((r) => r.host === 'clientwidgetapi');
    console.log(`\nShell benchmark: ${opts.requests} timed requests after ${opts.warmup} warm-up per widget and measurement, ${opts.runs} run(s); medians of runs.`);
    console.log(`Peer: matrix-widget-api ${libraryVersion()} ClientWidgetApi in ${chromiumVersion(opts.chromium)} (headless), widget cross-site.\n`);
    const w = 62;
    console.log(`${'figure'.padEnd(w)} ${'Tessera'.padStart(9)} ${'peer'.padStart(9)} ${'ratio T/p'.padStart(9)}   per run (Tessera | peer)`);
    for (const [key, title] of ROWS) {
        const tv = t.map((r) => get(r, key)), pv = p.map((r) => get(r, key));
        const tm = median(tv), pm = median(pv);
        const ratio = tm / pm;
        console.log(`${title.padEnd(w)} ${fmt(tm).padStart(9)} ${fmt(pm).padStart(9)} ${(Number.isFinite(ratio) ? ratio.toFixed(2) + '×' : '—').padStart(9)}   ${tv.map(fmt).join(' ')} | ${pv.map(fmt).join(' ')}`);
    }
    const extra = (rs, name) => {
        for (const r of rs) {
            console.log(`\n${name} run ${r.run}: widget document started ${r.widgetDocumentStartMs} ms after process start; its first request took ${r.firstRequestMs} ms;`
                + ` read_events reply ${get(r, 'read_1.replyEvents')} events / ${get(r, 'read_1.replyBytes')} bytes;`
                + ` 4 busy: ${get(r, 'versions_4_all.requestsPerSecond')} versions/s, ${get(r, 'read_4_all.requestsPerSecond')} reads/s in all`);
            for (const label of ['1', '4'])
                console.log(`  processes with ${label}: ${(get(r, `memory_${label}.detail`) || []).map((d) => `${d.type} ${d.pssMiB}`).join(', ')}`);
        }
    };
    extra(t, 'Tessera');
    extra(p, 'peer');
}

function libraryVersion() {
    try {
        return JSON.parse(readFileSync(path.join(here, 'node_modules', 'matrix-widget-api', 'package.json'), 'utf8')).version;
    } catch (e) {
        return '?';
    }
}

let chromiumVersionText = null;
function chromiumVersion(bin) {
    if (chromiumVersionText === null) {
        try {
            // Debian's wrapper prints "Chromium 156.0.… built on Debian …".
            chromiumVersionText = execFileSync(bin, ['--version'], { encoding: 'utf8', timeout: 10000, stdio: ['ignore', 'pipe', 'ignore'] }).trim().replace(/ built on.*/, '');
        } catch (e) {
            chromiumVersionText = 'Chromium';
        }
    }
    return chromiumVersionText;
}

// ---------------------------------------------------------------------------------------------

async function main() {
    const opts = parseArgs(process.argv.slice(2));
    const server = new BenchServer();
    server.verbose = opts.verbose;
    await server.listen();
    log(`serving on http://127.0.0.1:${server.port}/`);
    const results = [];
    let roomEvents = null;
    try {
        for (let i = 1; i <= opts.runs; i++) {
            if (!opts.skipTessera) {
                log(`run ${i}: Tessera`);
                const t = await runTessera(opts, server, i);
                results.push(t);
                if (t.read_1 && Array.isArray(t.read_1.reply))
                    roomEvents = t.read_1.reply;
                log(`run ${i}: Tessera cold start ${t.coldStartMs} ms, versions p50 ${t.versions_1.p50} ms, PSS ${t.memory_1.pssMiB} / ${t.memory_4.pssMiB} MiB`);
            }
            if (!opts.skipPeer) {
                log(`run ${i}: ClientWidgetApi in Chromium`);
                // Oldest first, as the host sends them: the same events Tessera answered with.
                const room = roomEvents ? [...roomEvents].reverse() : syntheticRoom().reverse();
                const p = await runPeer(opts, server, i, room);
                results.push(p);
                log(`run ${i}: peer cold start ${p.coldStartMs} ms, versions p50 ${p.versions_1.p50} ms, PSS ${p.memory_1.pssMiB} / ${p.memory_4.pssMiB} MiB`);
            }
        }
    } finally {
        server.close();
    }
    for (const r of results)
        if (r.read_1)
            delete r.read_1.reply;
    printReport(results, opts);
    if (opts.out)
        writeFileSync(opts.out, JSON.stringify({ opts: { requests: opts.requests, warmup: opts.warmup, runs: opts.runs }, results }, null, 1) + '\n');
}

main().catch((e) => {
    console.error('shell_bench:', e.message);
    process.exit(1);
});
