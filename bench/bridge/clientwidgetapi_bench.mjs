// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The peer of tessera-bench-bridge: the same request stream through matrix-widget-api's
// ClientWidgetApi (the host side Element Web uses), in Node, with no browser. Its transport is
// fed directly: each line is JSON.parse'd and handed to PostmessageTransport's message handler
// as a MessageEvent-like object; every message it posts is JSON.stringify'd (JSON text in, JSON
// text out, like Tessera). The driver answers exactly like bench/bridge/benchroom.cpp. The
// library's console logging (one console.log per message sent) is silenced during the run.
//
// node clientwidgetapi_bench.mjs --stream FILE [--passes N] [--samples FILE]
// prints one JSON line: {"impl":"matrix-widget-api", "requests_per_second":…, "ok":…, "errors":…}
// (CPU time is process.cpuUsage(): V8's garbage-collector threads count against it.)

import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const mwa = require("matrix-widget-api");
const { ClientWidgetApi, Widget, WidgetDriver } = mwa;
const libraryVersion = require("matrix-widget-api/package.json").version;

const ROOM_ID = "!bench:example.org";
const USER_ID = "@bench:example.org";
const WIDGET_ID = "bench-widget";
const ORIGIN = "https://widget.example";
const ROOM_SIZE = 100;
const BASE_TS = 1700000000000;
const CAPABILITIES = ["org.matrix.msc2762.send.event:m.room.message#m.text", "org.matrix.msc2762.receive.event:m.room.message"];
const WIDGET_VERSIONS = ["0.0.1", "0.0.2", "org.matrix.msc2762", "org.matrix.msc2762_update_state", "org.matrix.msc2871", "org.matrix.msc2876"];

function parseArgs(argv) {
    const o = { stream: "", passes: 2, samples: "" };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === "--stream") o.stream = argv[++i];
        else if (a === "--passes") o.passes = Math.max(1, Number(argv[++i]));
        else if (a === "--samples") o.samples = argv[++i];
        else throw new Error(`unknown option ${a}`);
    }
    if (!o.stream) throw new Error("--stream FILE is required");
    return o;
}

function makeEvent(type, content, sender, eventId, ts) {
    return { type, sender, event_id: eventId, room_id: ROOM_ID, origin_server_ts: ts, content, unsigned: {} };
}

// The same room as BenchRoomDriver: 100 seeded messages, sends append and drop the oldest.
class BenchDriver extends WidgetDriver {
    constructor() {
        super();
        this.timeline = [];
        this.sent = 0;
        for (let i = 0; i < ROOM_SIZE; i++) {
            this.timeline.push(makeEvent("m.room.message", { msgtype: "m.text", body: `Seed message ${i}` },
                `@user${i % 5}:example.org`, `$seed${i}`, BASE_TS + i));
        }
    }
    async validateCapabilities(requested) {
        return new Set([...requested].filter((c) => CAPABILITIES.includes(c)));
    }
    async sendEvent(eventType, content, stateKey = null, roomId = null) {
        const room = roomId || ROOM_ID;
        if (room !== ROOM_ID) throw new Error("unknown room");
        this.sent++;
        const eventId = `$bench${this.sent}`;
        const event = makeEvent(eventType, content, USER_ID, eventId, BASE_TS + ROOM_SIZE + this.sent);
        if (stateKey !== null) event.state_key = stateKey;
        this.timeline.push(event);
        if (this.timeline.length > ROOM_SIZE) this.timeline.shift();
        return { roomId: room, eventId };
    }
    async readRoomTimeline(roomId, eventType, msgtype, stateKey, limit, since) {
        const out = [];
        if (roomId !== ROOM_ID) return out;
        for (let i = this.timeline.length - 1; i >= 0; i--) {
            const ev = this.timeline[i];
            if (ev.type !== eventType) continue;
            if ((stateKey !== undefined) !== (ev.state_key !== undefined)) continue;
            if (msgtype !== undefined && ev.content.msgtype !== msgtype) continue;
            out.push(ev);
            if (limit > 0 && out.length >= limit) break;
        }
        return out;
    }
    async readRoomState() {
        return [];
    }
    getKnownRooms() {
        return [ROOM_ID];
    }
}

// Stands in for the widget's window: receives what the host posts, answers the host's own
// requests (capabilities, versions, notify_capabilities) and counts the replies.
class FakeWidgetWindow {
    constructor() {
        this.api = null;
        this.replies = 0;
        this.ok = 0;
        this.errors = 0;
        this.sampling = false;
        this.samples = [];
        this.waiting = null;
    }
    postMessage(message, targetOrigin) {
        const text = JSON.stringify(message);
        if (message.response === undefined) {
            // A host request: answer it as the widget would.
            let response = {};
            if (message.action === "capabilities") response = { capabilities: CAPABILITIES };
            else if (message.action === "supported_api_versions") response = { supported_versions: WIDGET_VERSIONS };
            const answer = JSON.parse(text);
            answer.response = response;
            queueMicrotask(() => this.api.transport.handleMessage({ data: answer, origin: ORIGIN, source: this }));
            return;
        }
        if (message.response.error !== undefined) this.errors++;
        else this.ok++;
        if (this.sampling) {
            const index = Number(message.requestId.slice(4)); // "req-<index in the stream>"
            if (index < 50 || index % 997 === 0) this.samples.push([index, text]);
        }
        this.replies++;
        if (this.waiting && this.replies >= this.waiting.count) {
            const w = this.waiting;
            this.waiting = null;
            w.resolve();
        }
    }
    until(count) {
        if (this.replies >= count) return Promise.resolve();
        return new Promise((resolve) => (this.waiting = { count, resolve }));
    }
}

class FakeIframe {
    constructor(win) {
        this.contentWindow = win;
        this.listeners = [];
    }
    addEventListener(type, fn) {
        if (type === "load") this.listeners.push(fn);
    }
    removeEventListener() {}
    load() {
        for (const fn of this.listeners) fn();
    }
}

async function runPass(lines, sampling) {
    const win = new FakeWidgetWindow();
    const iframe = new FakeIframe(win);
    const widget = new Widget({ id: WIDGET_ID, creatorUserId: USER_ID, type: "m.custom", url: `${ORIGIN}/index.html`, waitForIframeLoad: true });
    const api = new ClientWidgetApi(widget, iframe, new BenchDriver());
    win.api = api;
    const ready = new Promise((resolve, reject) => {
        api.once("ready", resolve);
        api.once("error:preparing", reject);
    });
    api.setViewedRoomId(ROOM_ID);
    iframe.load();
    await ready;
    await new Promise((resolve) => setImmediate(resolve)); // let notify_capabilities settle
    if (CAPABILITIES.some((c) => !api.hasCapability(c))) throw new Error("capabilities were not approved");
    win.sampling = sampling;

    // One request at a time, each finished (its promise chain run) before the next arrives: what
    // a browser does, where every postMessage is a task of its own and microtasks run in between.
    // Without it a read could see a send that comes after it in the stream.
    const transport = api.transport;
    const cpuStart = process.cpuUsage();
    const start = process.hrtime.bigint();
    for (let i = 0; i < lines.length; i++) {
        transport.handleMessage({ data: JSON.parse(lines[i]), origin: ORIGIN, source: win });
        if (win.replies <= i) await win.until(i + 1);
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const cpu = process.cpuUsage(cpuStart);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    api.stop();
    if (win.replies !== lines.length) throw new Error(`${win.replies} replies to ${lines.length} requests`);
    return { seconds, cpuSeconds, ok: win.ok, errors: win.errors, samples: win.samples };
}

async function main() {
    const o = parseArgs(process.argv.slice(2));
    const lines = readFileSync(o.stream, "utf8").split("\n").filter((l) => l.length > 0);
    const out = process.stdout.write.bind(process.stdout);
    // matrix-widget-api logs every message it sends; a host would not ship that.
    for (const k of ["log", "info", "warn", "debug", "error"]) console[k] = () => {};
    globalThis.addEventListener ??= () => {};
    globalThis.removeEventListener ??= () => {};

    let result;
    for (let pass = 0; pass < o.passes; pass++) result = await runPass(lines, pass + 1 === o.passes && o.samples !== "");
    if (o.samples) {
        writeFileSync(o.samples, result.samples.map(([i, text]) => `{"i":${i},"reply":${text}}\n`).join(""));
    }
    out(JSON.stringify({
        impl: "matrix-widget-api",
        version: libraryVersion,
        node: process.version,
        requests: lines.length,
        passes: o.passes,
        seconds: Number(result.seconds.toFixed(6)),
        cpu_seconds: Number(result.cpuSeconds.toFixed(6)),
        requests_per_second: Math.round(lines.length / result.seconds),
        requests_per_cpu_second: Math.round(lines.length / result.cpuSeconds),
        ok: result.ok,
        errors: result.errors,
    }) + "\n");
}

main().catch((e) => {
    process.stderr.write(`clientwidgetapi_bench: ${e.stack || e}\n`);
    process.exit(2);
});
