// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The peer of Tessera's encryption benchmark: the same work with matrix-js-sdk's Rust crypto (the
// same matrix-sdk-crypto, built for WebAssembly) in Node. Two js-sdk clients on the test
// homeserver share an encrypted room; after one message shared the room key it measures
//   encrypt: js-sdk's CryptoBackend.encryptEvent (which also makes sure every member's device
//            has the room key, as a send does), one after the other, events/s;
//   decrypt: the other client's CryptoBackend.decryptEvent of those events, events/s.
// Prints one JSON line.
//
//   node jssdk_bench.mjs --homeserver URL [--events N] [--modules DIR]

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { JsPeer } from '../../e2e/lib/jspeer.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
    options: {
        homeserver: { type: 'string' },
        events: { type: 'string', default: '500' },
        modules: { type: 'string', default: here },
    },
});
const events = Math.max(1, Number(values.events));
const peer = (user) => new JsPeer({ modulesDir: values.modules, baseUrl: values.homeserver, user, password: `${user}-password` }).start();

const alice = await peer('alice');
const bob = await peer('bob');
const roomId = await alice.createEncryptedRoom({ name: 'Bench', invite: [bob.userId] });
await bob.joinRoom(roomId);
await alice.waitForMember(roomId, bob.userId);
const warmId = await alice.sendText(roomId, 'warm-up');
await bob.waitForEvent(roomId, (e) => e.eventId === warmId, 60000, 'the warm-up message');

const sdk = alice.sdk;
const room = alice.client.getRoom(roomId);
const backend = alice.client.getCrypto(); // RustCrypto: the CryptoBackend js-sdk sends through
const made = [];
let t0 = process.hrtime.bigint();
for (let i = 0; i < events; ++i) {
    const event = new sdk.MatrixEvent({
        type: 'm.room.message',
        room_id: roomId,
        sender: alice.userId,
        content: { msgtype: 'm.text', body: `benchmark message ${i} with some words in it` },
        event_id: `~local${i}`,
    });
    await backend.encryptEvent(event, room);
    made.push(event.getWireContent());
}
const encryptSeconds = Number(process.hrtime.bigint() - t0) / 1e9;

const bobCrypto = bob.client.getCrypto();
const wire = made.map((content, i) => new sdk.MatrixEvent({
    type: 'm.room.encrypted',
    event_id: `$bench${i}`,
    sender: alice.userId,
    room_id: roomId,
    origin_server_ts: 1700000000000 + i,
    content,
}));
// Alice's crypto starts a new room key every 100 messages (the default rotation period) and shares
// each with Bob's device by to-device message; wait until Bob's sync brought every one of them
// (the last event of each session decrypts) before timing, so the figure is decryption alone.
const lastOfSession = new Map(wire.map((event) => [event.getWireContent().session_id, event]));
for (const [sessionId, event] of lastOfSession) {
    const deadline = Date.now() + 60000;
    for (;;) {
        try {
            if ((await bobCrypto.decryptEvent(event))?.clearEvent)
                break;
        } catch (e) {
            if (Date.now() > deadline) {
                console.error(`jssdk_bench: bob never received the room key ${sessionId}: ${e.message ?? e}`);
                process.exit(1);
            }
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
}
t0 = process.hrtime.bigint();
let failures = 0;
for (const event of wire) {
    const result = await bobCrypto.decryptEvent(event);
    if (!result?.clearEvent)
        ++failures;
}
const decryptSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
await alice.stop();
await bob.stop();
if (failures > 0) {
    console.error(`jssdk_bench: ${failures} events did not decrypt`);
    process.exit(1);
}
// The crypto package js-sdk runs (its own dependency, nested or hoisted).
const wasmPackage = async () => {
    for (const dir of [['matrix-js-sdk', 'node_modules', '@matrix-org'], ['@matrix-org']]) {
        try {
            return JSON.parse(await readFile(path.join(values.modules, 'node_modules', ...dir, 'matrix-sdk-crypto-wasm', 'package.json'), 'utf8'));
        } catch {
            // try the next place
        }
    }
    return { version: 'unknown' };
};
const versions = await wasmPackage();
console.log(JSON.stringify({
    impl: 'matrix-js-sdk',
    events,
    encrypt_per_s: events / encryptSeconds,
    decrypt_per_s: events / decryptSeconds,
    crypto_wasm: versions.version,
    node_rss_kib: Math.round(process.memoryUsage().rss / 1024),
}));
process.exit(0);
