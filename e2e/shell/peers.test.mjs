// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The test homeserver's end-to-end encryption endpoints, checked with an independent client: two
// matrix-js-sdk clients with their Rust crypto (as Element Web runs it) talk through
// tessera-test-homeserver. Encrypted room messages both ways (keys uploaded, queried, claimed,
// room keys shared by to-device), a message to a member who joins later, an encrypted to-device
// message, emoji (SAS) verification, and a server-side key backup that a new device restores
// with the recovery key. Tessera itself is not started: this proves the fixture the Tessera
// scenarios rely on behaves as a real homeserver does for a real client.

import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import { JsPeer } from '../lib/jspeer.mjs';
import { check, runScenario } from '../lib/scenario.mjs';

const SERVER_NAME = 'tessera.test';

runScenario('e2e.peers.jssdk', async (ctx) => {
    ctx.phase('start the test homeserver');
    const seed = {
        users: [
            { user: 'alice', password: 'alice-password', displayname: 'Alice' },
            { user: 'bob', password: 'bob-password', displayname: 'Bob' },
            { user: 'carol', password: 'carol-password', displayname: 'Carol' },
        ],
    };
    const file = path.join(ctx.work, 'seed.json');
    await writeFile(file, JSON.stringify(seed));
    const hs = await ctx.homeserver(['--server-name', SERVER_NAME, '--seed', file]);
    const peer = async (user, deviceId) => {
        const p = new JsPeer({ modulesDir: ctx.modulesDir, baseUrl: hs.baseUrl, user, password: `${user}-password`, deviceId,
            log: (m) => ctx.log(m) });
        ctx.defer(() => p.stop());
        return p.start();
    };

    ctx.phase('two js-sdk clients sign in');
    const alice = await peer('alice', 'ALICE1');
    const bob = await peer('bob', 'BOB1');

    ctx.phase('alice creates an encrypted room and bob joins');
    const roomId = await alice.createEncryptedRoom({ name: 'Secret', invite: [bob.userId] });
    await bob.joinRoom(roomId);
    await alice.waitForMember(roomId, bob.userId);

    ctx.phase('alice -> bob, encrypted');
    const hello = `hello bob ${Date.now()}`;
    const helloId = await alice.sendText(roomId, hello);
    const stored = (await hs.roomEvents(roomId)).find((e) => e.event_id === helloId);
    check(stored && stored.type === 'm.room.encrypted' && stored.content.algorithm === 'm.megolm.v1.aes-sha2' &&
        !JSON.stringify(stored).includes(hello), 'the server stored only ciphertext', stored);
    const seenByBob = await bob.waitForEvent(roomId, (e) => e.eventId === helloId, 30000, 'alice\'s message');
    check(seenByBob.encrypted && seenByBob.content.body === hello, 'bob decrypts it', seenByBob);

    ctx.phase('bob -> alice, encrypted');
    const reply = `hello alice ${Date.now()}`;
    const replyId = await bob.sendText(roomId, reply);
    const seenByAlice = await alice.waitForEvent(roomId, (e) => e.eventId === replyId, 30000, 'bob\'s reply');
    check(seenByAlice.content.body === reply, 'alice decrypts it', seenByAlice);

    ctx.phase('carol joins later and reads what is sent after');
    const carol = await peer('carol', 'CAROL1');
    await alice.client.invite(roomId, carol.userId);
    await carol.joinRoom(roomId);
    await alice.waitForMember(roomId, carol.userId);
    const third = `welcome carol ${Date.now()}`;
    const thirdId = await alice.sendText(roomId, third);
    check((await carol.waitForEvent(roomId, (e) => e.eventId === thirdId, 30000, 'the message after joining')).content.body === third,
        'carol decrypts a message sent after she joined');

    ctx.phase('an encrypted to-device message');
    await alice.sendEncryptedToDevice(bob.userId, bob.deviceId, 'io.tessera.test.ping', { nonce: 'n-1' });
    const ping = await bob.waitForToDevice((m) => m.type === 'io.tessera.test.ping', 30000, 'the ping');
    check(ping.sender === alice.userId && ping.content.nonce === 'n-1', 'bob gets it decrypted, from alice', ping);
    const requests = (await hs.get('/_tessera_test/requests')).requests.filter((r) => r.path.includes('/sendToDevice/'));
    check(requests.some((r) => r.path.includes('/sendToDevice/m.room.encrypted/')) &&
        !requests.some((r) => r.path.includes('io.tessera.test.ping')), 'it crossed the server as m.room.encrypted', requests);

    ctx.phase('emoji verification between alice and bob');
    const [aliceSees, bobSees] = await Promise.all([
        alice.verifyBySas({ userId: bob.userId, deviceId: bob.deviceId, start: true }),
        bob.verifyBySas({ userId: alice.userId, deviceId: alice.deviceId, start: false }),
    ]);
    check(aliceSees.length === 7 && JSON.stringify(aliceSees) === JSON.stringify(bobSees), 'both sides show the same seven emoji',
        { aliceSees, bobSees });
    const status = await alice.deviceStatus(bob.userId, bob.deviceId);
    check(status?.verified, 'alice now trusts bob\'s device', status);

    ctx.phase('key backup, restored on a new device with the recovery key');
    const recoveryKey = await alice.resetKeyBackup();
    const version = await alice.waitForBackup();
    const backup = await fetch(`${hs.baseUrl}/_matrix/client/v3/room_keys/version`,
        { headers: { Authorization: `Bearer ${alice.client.getAccessToken()}` } }).then((r) => r.json());
    check(backup.version === version && backup.count >= 1, 'the homeserver holds alice\'s room keys', backup);
    const laptop = await peer('alice', 'ALICE2');
    await laptop.crypto.storeSessionBackupPrivateKey(laptop.cryptoApi.decodeRecoveryKey(recoveryKey), version);
    const restored = await laptop.crypto.restoreKeyBackup();
    check(restored.imported >= 1, 'the new device imports the backed up keys', restored);
    const older = await laptop.waitForEvent(roomId, (e) => e.eventId === helloId, 30000, 'the first message on the new device');
    check(older.content.body === hello, 'the new device reads history from before it existed', older);
});
