// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// Nothing encrypted is lost across restarts or kill -9, with an independent client (matrix-js-sdk,
// Rust crypto) as the other member. js-sdk sends a burst of encrypted messages while Tessera is
// killed with SIGKILL in the middle; after a restart every one of them decrypts. Tessera's
// composer sends a burst and is killed in the middle; after a restart js-sdk has each message
// once, and each decrypts. A clean restart keeps the device: same fingerprint, no new login.

import { waitUntil } from '../lib/app.mjs';
import { startEncryptedRoom } from '../lib/encryptedroom.mjs';
import { JsPeer } from '../lib/jspeer.mjs';
import { check, runScenario } from '../lib/scenario.mjs';
import { openRoom, signInWithPassword } from '../lib/shell.mjs';

const SERVER_NAME = 'tessera.test';
const ALICE = `@alice:${SERVER_NAME}`;
const BURST = 24;

async function type(app, text) {
    await app.setText('composerInput', text);
    await app.click('composerSend');
}

runScenario('e2e.shell.encryption-durability', async (ctx) => {
    ctx.phase('start the test homeserver with an encrypted room');
    const { hs, roomId } = await startEncryptedRoom(ctx, SERVER_NAME);

    const bob = new JsPeer({ modulesDir: ctx.modulesDir, baseUrl: hs.baseUrl, user: 'bob', password: 'bob-password', deviceId: 'BOBJS',
        log: (m) => ctx.log(m) });
    ctx.defer(() => bob.stop());
    await bob.start();

    ctx.phase('tessera signs in as alice');
    let app = ctx.app({ args: ['--homeserver', hs.baseUrl] });
    await app.start();
    await signInWithPassword(app, 'alice', 'alice-password');
    const device = await waitUntil(async () => (await bob.devicesOf(ALICE))[0] || null, 60000, 'Tessera\'s device keys');
    await openRoom(app, 'Secret', 60000);
    const first = `before anything ${Date.now()}`;
    await bob.sendText(roomId, first);
    await waitUntil(async () => (await app.timeline()).some((r) => r.body === first), 60000, 'the first message');

    ctx.phase('js-sdk sends a burst; tessera is killed with SIGKILL in the middle');
    const stamp = Date.now();
    const incoming = Array.from({ length: BURST }, (_, i) => `burst ${i} ${stamp}`);
    let killed = null;
    for (let i = 0; i < BURST; ++i) {
        await bob.sendText(roomId, incoming[i]);
        if (i === BURST / 2)
            killed = await app.kill9();
    }
    check(killed !== null, 'tessera was killed during the burst');
    ctx.log(`tessera killed: ${JSON.stringify(killed)}`);

    ctx.phase('after the restart every message of the burst decrypts');
    app = ctx.app({ args: ['--homeserver', hs.baseUrl] });
    await app.start();
    check(!(await app.find('loginPage')).visible, 'the session survived: no login asked');
    await openRoom(app, 'Secret', 60000);
    let seen = [];
    await waitUntil(async () => {
        seen = await app.timeline();
        const bodies = new Set(seen.map((r) => r.body));
        return incoming.every((b) => bodies.has(b));
    }, 90000, `all ${BURST} messages, decrypted, in the timeline`).catch((e) => {
        throw new Error(`${e.message}; the timeline: ${JSON.stringify(seen)}`);
    });
    const undecrypted = (await app.timeline()).filter((r) => r.kind === 'encrypted');
    check(undecrypted.length === 0, 'no row is left undecryptable', undecrypted);
    check((await bob.devicesOf(ALICE)).includes(device), 'the same device after the crash');

    ctx.phase('tessera sends a burst and is killed with SIGKILL in the middle');
    // Typed one after the other (each is in the outbox once the composer took it); the kill comes
    // right after the last, while most are still on their way.
    const sentBeforeKill = Array.from({ length: BURST / 2 }, (_, i) => `from tessera ${i} ${stamp}`);
    for (const body of sentBeforeKill)
        await type(app, body);
    await app.kill9();
    app = ctx.app({ args: ['--homeserver', hs.baseUrl] });
    await app.start();
    await openRoom(app, 'Secret', 60000);
    for (const body of sentBeforeKill) {
        await bob.waitForEvent(roomId, (e) => e.content?.body === body, 90000, `"${body}" at js-sdk`);
    }
    const stored = (await hs.roomEvents(roomId)).filter((e) => e.sender === ALICE && e.type === 'm.room.encrypted');
    const atBob = bob.timeline(roomId).filter((e) => e.sender === ALICE && sentBeforeKill.includes(e.content?.body));
    check(atBob.length === sentBeforeKill.length, 'each message arrived exactly once and decrypts', { atBob, stored: stored.length });
    check(bob.timeline(roomId).every((e) => !e.failure), 'js-sdk has no undecryptable message',
        bob.timeline(roomId).filter((e) => e.failure));

    ctx.phase('a clean restart keeps the device and its sessions');
    await app.stop();
    app = ctx.app({ args: ['--homeserver', hs.baseUrl] });
    await app.start();
    await openRoom(app, 'Secret', 60000);
    const last = `after a clean restart ${Date.now()}`;
    await bob.sendText(roomId, last);
    await waitUntil(async () => (await app.timeline()).some((r) => r.body === last), 60000, 'the message after the restart');
    check((await bob.devicesOf(ALICE)).length === 1, 'still one device for alice', await bob.devicesOf(ALICE));
}, { timeoutMs: 230000 });
