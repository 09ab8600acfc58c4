// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// Reading older history with the recovery key: alice's other device (matrix-js-sdk, Rust crypto)
// keeps a server-side key backup; bob's messages from before Tessera's login show in Tessera as
// "unable to decrypt" rows; a wrong key is refused with the reason; the right recovery key
// restores the room keys, and those rows turn into the messages without reopening the room.

import { waitUntil } from '../lib/app.mjs';
import { startEncryptedRoom } from '../lib/encryptedroom.mjs';
import { JsPeer } from '../lib/jspeer.mjs';
import { check, runScenario } from '../lib/scenario.mjs';
import { openRoom, signInWithPassword } from '../lib/shell.mjs';

const SERVER_NAME = 'tessera.test';
const ALICE = `@alice:${SERVER_NAME}`;

runScenario('e2e.shell.recovery', async (ctx) => {
    ctx.phase('start the test homeserver with an encrypted room');
    const { hs, roomId } = await startEncryptedRoom(ctx, SERVER_NAME);
    const peer = async (user, deviceId) => {
        const p = new JsPeer({ modulesDir: ctx.modulesDir, baseUrl: hs.baseUrl, user, password: `${user}-password`, deviceId,
            log: (m) => ctx.log(m) });
        ctx.defer(() => p.stop());
        return p.start();
    };

    ctx.phase('alice\'s phone (js-sdk) sets up key backup; bob writes');
    const phone = await peer('alice', 'ALICEPHONE');
    const bob = await peer('bob', 'BOBJS');
    const recoveryKey = await phone.resetKeyBackup();
    const old = [`old message one ${Date.now()}`, `old message two ${Date.now()}`];
    for (const body of old)
        await bob.sendText(roomId, body);
    for (const body of old)
        await phone.waitForEvent(roomId, (e) => e.content?.body === body, 60000, 'bob\'s message on alice\'s phone');
    await phone.waitForBackup(1);

    ctx.phase('tessera signs in as a new device of alice: the older messages cannot be read');
    const app = ctx.app({ args: ['--homeserver', hs.baseUrl] });
    await app.start();
    await signInWithPassword(app, 'alice', 'alice-password');
    await waitUntil(async () => (await bob.devicesOf(ALICE)).length === 2, 60000, 'Tessera\'s device keys');
    await openRoom(app, 'Secret');
    let seen = [];
    const utd = await waitUntil(async () => {
        seen = await app.timeline();
        const rows = seen.filter((r) => r.kind === 'encrypted');
        return rows.length >= old.length ? rows : null;
    }, 30000, 'the older messages as "unable to decrypt" rows').catch((e) => {
        throw new Error(`${e.message}; the timeline: ${JSON.stringify(seen)}`);
    });
    check(utd.every((r) => /decrypt/i.test(r.body)), 'the rows say they cannot be decrypted yet', utd);

    ctx.phase('a wrong recovery key is refused with the reason');
    await app.click('page_security');
    await app.waitVisible('securityPage');
    await waitUntil(async () => (await app.find('securityRecoveryKey')).visible, 30000, 'the recovery key field');
    // A recovery key of the right form (prefix, check digit) that is not this backup's.
    const wrong = phone.cryptoApi.encodeRecoveryKey(globalThis.crypto.getRandomValues(new Uint8Array(32)));
    await app.setText('securityRecoveryKey', wrong);
    await app.click('securityRestore');
    const refusal = await waitUntil(async () => {
        const s = await app.find('securityRecoveryStatus');
        return s.visible && /could not be restored/.test(s.text) ? s.text : null;
    }, 30000, 'the refusal');
    check(/does not open the key backup/.test(refusal), 'the reason: this key does not open the backup', refusal);

    ctx.phase('the right recovery key restores the keys and the rows become the messages');
    await app.setText('securityRecoveryKey', recoveryKey);
    await app.click('securityRestore');
    const restored = await waitUntil(async () => {
        const s = await app.find('securityRecoveryStatus');
        return s.visible && /Restored/.test(s.text) ? s.text : null;
    }, 60000, 'the keys to be restored');
    check(/Restored [1-9]/.test(restored), 'at least one room key restored', restored);
    await app.click('pageBack');
    await waitUntil(async () => {
        const bodies = new Set((await app.timeline()).map((r) => r.body));
        return old.every((b) => bodies.has(b));
    }, 30000, 'the older messages, decrypted, in the timeline');
    const left = (await app.timeline()).filter((r) => r.kind === 'encrypted');
    check(left.length === 0, 'no "unable to decrypt" row is left', left);
}, { timeoutMs: 220000 });
