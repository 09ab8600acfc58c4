// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// Device trust with an independent client (matrix-js-sdk, Rust crypto): the room header warns of
// the other member's unverified device and leads to the Security page, which shows
// this device's fingerprint and the other member's device as not verified (with the room's
// warning); Tessera starts an emoji verification, js-sdk accepts, both show the same seven emoji,
// both confirm, and each side then trusts the other. Then js-sdk starts one, Tessera accepts and
// says the emoji do not match: js-sdk hears it was cancelled as a mismatch.

import { waitUntil } from '../lib/app.mjs';
import { startEncryptedRoom } from '../lib/encryptedroom.mjs';
import { JsPeer, until } from '../lib/jspeer.mjs';
import { check, runScenario } from '../lib/scenario.mjs';
import { openRoom, signInWithPassword } from '../lib/shell.mjs';

const SERVER_NAME = 'tessera.test';
const ALICE = `@alice:${SERVER_NAME}`;

async function dialogStage(app) {
    const dialog = await app.find('verificationDialog');
    return dialog.visible ? app.property('verificationDialog', 'stage') : '';
}

async function emojiNames(app) {
    const names = [];
    for (let i = 0; i < 7; ++i)
        names.push((await app.find(`verificationEmojiName_${i}`)).text);
    return names;
}

runScenario('e2e.shell.verification', async (ctx) => {
    ctx.phase('start the test homeserver with an encrypted room');
    const { hs } = await startEncryptedRoom(ctx, SERVER_NAME);

    const bob = new JsPeer({ modulesDir: ctx.modulesDir, baseUrl: hs.baseUrl, user: 'bob', password: 'bob-password', deviceId: 'BOBJS',
        log: (m) => ctx.log(m) });
    ctx.defer(() => bob.stop());
    await bob.start();

    ctx.phase('tessera signs in as alice and opens the room');
    const app = ctx.app({ args: ['--homeserver', hs.baseUrl] });
    await app.start();
    await signInWithPassword(app, 'alice', 'alice-password');
    const aliceDevice = await waitUntil(async () => (await bob.devicesOf(ALICE))[0] || null, 60000, 'Tessera\'s device keys');
    await openRoom(app, 'Secret');

    ctx.phase('the room header warns of bob\'s unverified device and leads to the Security page');
    const headerWarning = await waitUntil(async () => {
        const w = await app.find('roomUnverified');
        return w.visible ? w : null;
    }, 60000, 'the warning in the room header');
    check(/^1 unverified$/.test(headerWarning.text), 'the header counts one unverified device', headerWarning);
    await app.click('roomUnverified');
    await app.waitVisible('securityPage');

    ctx.phase('the Security page shows the fingerprint and bob\'s unverified device');
    const fingerprint = await waitUntil(async () => {
        const f = await app.find('securityFingerprint');
        return f.text.length > 0 ? f.text : null;
    }, 30000, 'this device\'s fingerprint');
    const ownKey = (await bob.crypto.getUserDeviceInfo([ALICE])).get(ALICE).get(aliceDevice).getFingerprint();
    check(fingerprint.replace(/ /g, '') === ownKey, 'the fingerprint is the device key js-sdk sees for Tessera', { fingerprint, ownKey });
    const bobRow = await waitUntil(async () => {
        for (let i = 0; i < 10; ++i) {
            const state = await app.find(`securityDeviceState_${i}`).catch(() => null);
            const verify = await app.find(`securityVerify_${i}`).catch(() => null);
            if (state && state.visible && verify && verify.visible)
                return { index: i, state: state.text };
        }
        return null;
    }, 30000, 'bob\'s device on the Security page');
    check(/Not verified/.test(bobRow.state), 'bob\'s device is shown as not verified', bobRow);
    const warning = await app.find('securityUnverifiedCount');
    check(warning.visible && /1 device/.test(warning.text), 'the room warns of one unverified device', warning);

    ctx.phase('tessera starts an emoji verification; js-sdk accepts and both confirm');
    const bobSide = bob.verifyBySas({ userId: ALICE, deviceId: aliceDevice, start: false, timeoutMs: 90000 });
    await app.click(`securityVerify_${bobRow.index}`);
    await waitUntil(async () => (await dialogStage(app)) === 'emoji', 60000, 'the emoji in Tessera');
    const shown = await emojiNames(app);
    await app.click('verificationMatch');
    const bobSaw = await bobSide;
    check(JSON.stringify(shown) === JSON.stringify(bobSaw), 'Tessera and js-sdk show the same seven emoji', { shown, bobSaw });
    await waitUntil(async () => (await dialogStage(app)) === 'done', 60000, 'Tessera to say the device is verified');
    await app.click('verificationClose');
    const status = await until(async () => {
        const s = await bob.deviceStatus(ALICE, aliceDevice);
        return s?.verified ? s : null;
    }, 30000, 'js-sdk to trust Tessera\'s device');
    check(status.verified, 'js-sdk trusts Tessera\'s device', status);
    await waitUntil(async () => /Verified/.test((await app.find(`securityDeviceState_${bobRow.index}`)).text), 30000,
        'bob\'s device shown as verified');
    check(!(await app.find('securityUnverifiedCount')).visible, 'no unverified device is left in the room');
    await app.click('pageBack');
    await app.waitVisible('roomEncrypted');
    check(!(await app.find('roomUnverified')).visible, 'the room header no longer warns');

    ctx.phase('js-sdk starts one; tessera accepts and says the emoji do not match');
    const { VerificationPhase } = bob.cryptoApi;
    const request = await bob.crypto.requestDeviceVerification(ALICE, aliceDevice);
    await waitUntil(async () => (await dialogStage(app)) === 'incoming', 60000, 'the request in Tessera');
    const incomingText = (await app.find('verificationText')).text;
    check(incomingText.includes('@bob:tessera.test'), 'the dialog names who asks', incomingText);
    await app.click('verificationAccept');
    await until(() => request.phase === VerificationPhase.Ready, 30000, 'js-sdk to see the request accepted');
    const verifier = await request.startVerification('m.sas.v1');
    const verifying = verifier.verify().then(() => 'done', (e) => `failed: ${e.message}`);
    await waitUntil(async () => (await dialogStage(app)) === 'emoji', 60000, 'the emoji in Tessera');
    await app.click('verificationMismatch');
    const outcome = await Promise.race([verifying, new Promise((r) => setTimeout(() => r('timeout'), 30000))]);
    check(outcome.startsWith('failed'), 'js-sdk\'s verification fails', outcome);
    await until(() => request.phase === VerificationPhase.Cancelled, 30000, 'the request to be cancelled');
    check(request.cancellationCode === 'm.mismatched_sas', 'cancelled as a mismatch', request.cancellationCode);
    await waitUntil(async () => (await dialogStage(app)) === 'cancelled', 30000, 'Tessera to say it was cancelled');
    await app.click('verificationClose');
});
