// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// Widget-side conformance: the real widget-side library (matrix-widget-api's WidgetApi) talks to
// Tessera's protocol harness (tessera-bridge). A small window shim stands in for the browser:
// what the widget posts to its parent goes to the harness's stdin as one JSON line, and every
// line the harness prints comes back to the widget as a message event.
//
// node widget_side_test.mjs --bridge PATH --modules DIR_WITH_NODE_MODULES --work DIR
// Prints one line per step and exits 1 at the first step that fails, naming it.

import { spawn } from "node:child_process";
import { strict as assert } from "node:assert";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import path from "node:path";

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => (i % 2 === 0 ? [...acc, [a.replace(/^--/, ""), all[i + 1]]] : acc), []));
for (const k of ["bridge", "modules", "work"]) if (!args[k]) throw new Error(`--${k} is required`);

const require = createRequire(path.join(args.modules, "package.json"));
const { WidgetApi, WidgetApiResponseError } = require("matrix-widget-api");
const libraryVersion = require("matrix-widget-api/package.json").version;

const WIDGET_ID = "conformance-widget";
const ROOM_ID = "!conformance:example.org";
const USER_ID = "@alice:example.org";
const CLIENT_ORIGIN = "https://tessera.invalid";
const SEND_TEXT = "org.matrix.msc2762.send.event:m.room.message#m.text";
const RECEIVE_MESSAGES = "org.matrix.msc2762.receive.event:m.room.message";
const RECEIVE_TOPIC = "org.matrix.msc2762.receive.state_event:m.room.topic";
const DENIED_BY_POLICY = "org.matrix.msc2762.send.event:org.example.not_allowed";
const UNKNOWN = "org.example.unknown_capability";
// Step guard: a step that gets no answer fails with its name instead of hanging the test.
const STEP_GUARD_MS = 20000;

// ---------------------------------------------------------------------------------------------
// The harness process and the window shim.

mkdirSync(args.work, { recursive: true });
const auditFile = path.join(args.work, "audit.jsonl");
const seedFile = path.join(args.work, "seed.json");
writeFileSync(auditFile, "");
writeFileSync(seedFile, JSON.stringify([
    { type: "m.room.topic", state_key: "", sender: "@bob:example.org", content: { topic: "Widget conformance" } },
    { type: "m.room.message", sender: "@bob:example.org", content: { msgtype: "m.text", body: "Earlier message" } },
]));

const harness = spawn(args.bridge, [
    "--widget-id", WIDGET_ID,
    "--room-id", ROOM_ID,
    "--user-id", USER_ID,
    "--origin", "https://widget.example",
    "--consent", `approve:${SEND_TEXT},${RECEIVE_MESSAGES},${RECEIVE_TOPIC}`,
    "--seed", seedFile,
    "--echo-sends",
    "--audit", auditFile,
], { stdio: ["pipe", "pipe", "inherit"] });
let stopping = false;
const harnessExit = new Promise((resolve) => harness.on("exit", (code, signal) => {
    if (!stopping) {
        process.stdout.write(`not ok - tessera-bridge exited unexpectedly (code ${code}, signal ${signal})\n`);
        process.exit(1);
    }
    resolve({ code, signal });
}));

const fromHarness = []; // every message the harness printed, parsed
const toHarness = [];   // every message the widget posted
const listeners = new Set();

globalThis.addEventListener = (type, fn) => { if (type === "message") listeners.add(fn); };
globalThis.removeEventListener = (type, fn) => { if (type === "message") listeners.delete(fn); };
globalThis.parent = {
    postMessage(message, targetOrigin) {
        assert.equal(targetOrigin, CLIENT_ORIGIN, "the widget posts to the client origin it was given");
        toHarness.push(message);
        harness.stdin.write(JSON.stringify(message) + "\n");
    },
};
function deliver(message) {
    for (const fn of [...listeners]) fn({ data: message, origin: CLIENT_ORIGIN, source: globalThis.parent });
}
createInterface({ input: harness.stdout }).on("line", (line) => {
    const message = JSON.parse(line);
    fromHarness.push(message);
    deliver(message);
});

// The library logs every message it sends; keep the test output to the steps.
console.log = () => {};

function guard(promise, what) {
    let timer;
    const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer: ${what}`)), STEP_GUARD_MS); });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
function nextAction(api, action) {
    return new Promise((resolve) => api.once(`action:${action}`, (ev) => resolve(ev.detail)));
}
async function rejection(promise) {
    try {
        await promise;
    } catch (e) {
        return e;
    }
    throw new Error("expected the request to be refused, it succeeded");
}
const tick = () => new Promise((resolve) => setImmediate(resolve));

let stepNumber = 0;
async function step(name, fn) {
    stepNumber++;
    try {
        await guard(Promise.resolve().then(fn), name);
        process.stdout.write(`ok ${stepNumber} - ${name}\n`);
    } catch (e) {
        process.stdout.write(`not ok ${stepNumber} - ${name}\n  ${String(e.stack || e).split("\n").join("\n  ")}\n`);
        stopping = true;
        harness.kill();
        process.exit(1);
    }
}

// ---------------------------------------------------------------------------------------------
// The sequence.

const api = new WidgetApi(WIDGET_ID, CLIENT_ORIGIN);
// A widget that wants live events and state answers those pushes itself.
const liveEvents = [];
const stateUpdates = [];
api.on("action:send_event", (ev) => { ev.preventDefault(); liveEvents.push(ev.detail.data); api.transport.reply(ev.detail, {}); });
api.on("action:update_state", (ev) => { ev.preventDefault(); stateUpdates.push(...ev.detail.data.state); api.transport.reply(ev.detail, {}); });

process.stdout.write(`# matrix-widget-api ${libraryVersion} (WidgetApi) against ${path.basename(args.bridge)}, Node ${process.version}\n`);

let notified;
await step("start: capability request with an unknown capability and one the policy denies", async () => {
    api.requestCapabilities([SEND_TEXT, RECEIVE_MESSAGES, UNKNOWN, DENIED_BY_POLICY]);
    const ready = new Promise((resolve) => api.once("ready", resolve));
    const notify = nextAction(api, "notify_capabilities");
    api.start();
    notified = await notify;
    await ready;
});

await step("notify_capabilities carries the request and approves exactly the allowed capabilities", () => {
    assert.deepEqual([...notified.data.requested].sort(), [SEND_TEXT, RECEIVE_MESSAGES, UNKNOWN, DENIED_BY_POLICY].sort());
    assert.deepEqual([...notified.data.approved].sort(), [SEND_TEXT, RECEIVE_MESSAGES].sort());
    assert.ok(api.hasCapability(SEND_TEXT) && api.hasCapability(RECEIVE_MESSAGES));
    assert.ok(!api.hasCapability(UNKNOWN), "the unknown capability is denied automatically");
    assert.ok(!api.hasCapability(DENIED_BY_POLICY), "the capability the policy refuses is denied");
});

let sent;
await step("send a message event", async () => {
    sent = await api.sendRoomEvent("m.room.message", { msgtype: "m.text", body: "Hello from the widget side" });
    assert.equal(sent.room_id, ROOM_ID);
    assert.match(sent.event_id, /^\$/);
});

await step("the sent event comes back as a live event (MSC2762 send_event)", async () => {
    while (!liveEvents.some((e) => e.event_id === sent.event_id)) await tick();
    const live = liveEvents.find((e) => e.event_id === sent.event_id);
    assert.equal(live.type, "m.room.message");
    assert.equal(live.room_id, ROOM_ID);
    assert.equal(live.sender, USER_ID);
    assert.deepEqual(live.content, { msgtype: "m.text", body: "Hello from the widget side" });
});

await step("read it back with read_events (MSC2876)", async () => {
    const events = await api.readRoomEvents("m.room.message", 10);
    assert.ok(Array.isArray(events) && events.length === 2, `two messages in the room, got ${events.length}`);
    assert.equal(events[0].event_id, sent.event_id, "newest first");
    assert.equal(events[0].content.body, "Hello from the widget side");
    assert.equal(events[1].content.body, "Earlier message");
    const onlyText = await api.readRoomEvents("m.room.message", 1, "m.text");
    assert.equal(onlyText.length, 1);
});

await step("a send without the capability is refused with an error", async () => {
    const e = await rejection(api.sendRoomEvent("m.reaction", { "m.relates_to": { rel_type: "m.annotation", event_id: sent.event_id, key: "+1" } }));
    assert.ok(e instanceof WidgetApiResponseError, `a WidgetApiResponseError, got ${e}`);
    assert.equal(e.message, "Cannot send room events of this type");
    const denied = await rejection(api.sendRoomEvent("org.example.not_allowed", {}));
    assert.equal(denied.message, "Cannot send room events of this type");
    const notice = await rejection(api.sendRoomEvent("m.room.message", { msgtype: "m.notice", body: "not m.text" }));
    assert.equal(notice.message, "Cannot send room events of this type", "the msgtype is part of the capability");
});

await step("state cannot be read before it is approved", async () => {
    const e = await rejection(api.readStateEvents("m.room.topic", 1, ""));
    assert.equal(e.message, "Cannot read state events of this type");
});

await step("request capabilities again (MSC2974) and see the new approval", async () => {
    api.requestCapability(RECEIVE_TOPIC);
    const notify = nextAction(api, "notify_capabilities");
    await api.updateRequestedCapabilities();
    const again = await notify;
    assert.ok(again.data.requested.includes(RECEIVE_TOPIC));
    assert.deepEqual([...again.data.approved].sort(), [SEND_TEXT, RECEIVE_MESSAGES, RECEIVE_TOPIC].sort());
});

await step("the newly approved capability works: initial state pushed and readable", async () => {
    while (!stateUpdates.some((e) => e.type === "m.room.topic")) await tick();
    assert.equal(stateUpdates.find((e) => e.type === "m.room.topic").content.topic, "Widget conformance");
    const topics = await api.readStateEvents("m.room.topic", 1, "");
    assert.equal(topics.length, 1);
    assert.equal(topics[0].content.topic, "Widget conformance");
});

await step("supported_api_versions", async () => {
    const r = await api.transport.send("supported_api_versions", {});
    for (const v of ["0.0.1", "0.0.2", "org.matrix.msc2762", "org.matrix.msc2762_update_state", "org.matrix.msc2871", "org.matrix.msc2876", "org.matrix.msc2974"])
        assert.ok(r.supported_versions.includes(v), `advertises ${v}`);
});

await step("the harness ignores a message that names another widget", async () => {
    harness.stdin.write(JSON.stringify({ api: "fromWidget", widgetId: "someone-else", requestId: "intruder-1", action: "supported_api_versions", data: {} }) + "\n");
    // Lines are handled in order: once this reply is in, an answer to the intruder would be too.
    await api.transport.send("supported_api_versions", {});
    assert.ok(!fromHarness.some((m) => m.requestId === "intruder-1"), "no reply to a message for another widget");
});

await step("the widget ignores a host message that names another widget", async () => {
    const before = toHarness.length;
    deliver({ api: "toWidget", widgetId: "someone-else", requestId: "intruder-2", action: "supported_api_versions", data: {} });
    await tick();
    assert.equal(toHarness.length, before, "the widget answered a message for another widget");
});

await step("the session ends cleanly and the audit log shows the refusals", async () => {
    stopping = true;
    harness.stdin.write(JSON.stringify({ tessera: "stop" }) + "\n");
    harness.stdin.end();
    const { code, signal } = await harnessExit;
    assert.equal(code, 0, `tessera-bridge exited with ${code} (signal ${signal})`);
    const audit = readFileSync(auditFile, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    assert.ok(audit.some((r) => r.request_id === "intruder-1" && r.decision === "dropped"), "the intruder's message is audited as dropped");
    assert.ok(audit.some((r) => r.category === "consent" && r.reason.includes(UNKNOWN)), "the unknown capability's automatic denial is audited");
});

process.stdout.write(`# ${stepNumber} steps passed\n`);
process.exit(0);
