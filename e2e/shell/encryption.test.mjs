// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// Tessera in an encrypted room with an independent client: matrix-js-sdk with its Rust crypto
// (e2e/lib/jspeer.mjs) is the other member, on the test homeserver. Both ways: js-sdk's message
// decrypts in Tessera's timeline and Tessera's composer message decrypts in js-sdk; a widget
// in Tessera reads the decrypted events (read_events and live pushes, in Element's shape) and
// sends an encrypted event js-sdk decrypts; the widget's encrypted to-device message reaches
// js-sdk decrypted; js-sdk's encrypted to-device message reaches the widget. The server never
// holds the plain text.

import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import { waitUntil } from '../lib/app.mjs';
import { JsPeer } from '../lib/jspeer.mjs';
import { check, runScenario } from '../lib/scenario.mjs';
import { answerPrompt, probeUrl, signInWithPassword, submitComposer, waitPrompt, waitTimeline } from '../lib/shell.mjs';

const SERVER_NAME = 'tessera.test';
const ALICE = `@alice:${SERVER_NAME}`;
const BOB = `@bob:${SERVER_NAME}`;
const WIDGET_ID = 'e2e_probe';
const PING = 'io.tessera.test.ping';
const CAPS = [
    'org.matrix.msc2762.send.event:m.room.message#m.text',
    'org.matrix.msc2762.receive.event:m.room.message',
    `org.matrix.msc3819.send.to_device:${PING}`,
    `org.matrix.msc3819.receive.to_device:${PING}`,
];

async function signIn(ctx, app) {
    ctx.phase('sign in on the login page');
    await signInWithPassword(app, 'alice', 'alice-password');
}

runScenario('e2e.shell.encryption', async (ctx) => {
    const fixture = await ctx.fixtureServer();
    ctx.phase('start the test homeserver with an encrypted room for alice and bob');
    const seed = {
        users: [
            { user: 'alice', password: 'alice-password', displayname: 'Alice' },
            { user: 'bob', password: 'bob-password', displayname: 'Bob' },
        ],
        rooms: [{
            creator: 'alice',
            alias: 'secret',
            name: 'Secret',
            preset: 'private_chat',
            initial_state: [{ type: 'm.room.encryption', state_key: '', content: { algorithm: 'm.megolm.v1.aes-sha2' } }],
            join: ['bob'],
            state: [{
                sender: 'alice',
                type: 'm.widget',
                state_key: WIDGET_ID,
                content: { type: 'm.custom', url: probeUrl(fixture, CAPS), name: 'Probe', data: {}, creatorUserId: ALICE, id: WIDGET_ID },
            }],
        }],
    };
    const seedFile = path.join(ctx.work, 'seed.json');
    await writeFile(seedFile, JSON.stringify(seed));
    const hs = await ctx.homeserver(['--server-name', SERVER_NAME, '--seed', seedFile]);
    const roomId = (await hs.get(`/_matrix/client/v3/directory/room/${encodeURIComponent(`#secret:${SERVER_NAME}`)}`)).room_id;

    ctx.phase('bob signs in with matrix-js-sdk');
    const bob = new JsPeer({ modulesDir: ctx.modulesDir, baseUrl: hs.baseUrl, user: 'bob', password: 'bob-password', deviceId: 'BOBJS',
        log: (m) => ctx.log(m) });
    ctx.defer(() => bob.stop());
    await bob.start();

    ctx.phase('tessera signs in as alice');
    const app = ctx.app({ args: ['--homeserver', hs.baseUrl, '--allow-http-loopback'] });
    await app.start();
    await signIn(ctx, app);
    const aliceDevice = await waitUntil(async () => {
        const devices = await bob.devicesOf(ALICE);
        return devices.length > 0 ? devices[0] : null;
    }, 60000, 'Tessera\'s device keys on the homeserver');
    ctx.log(`tessera's device: ${aliceDevice}`);

    ctx.phase('open the encrypted room');
    const rooms = await waitUntil(async () => {
        const r = await app.model('rooms');
        return r.some((x) => JSON.stringify(x).includes('Secret')) ? r : null;
    }, 30000, 'the room list after the first sync');
    await app.click(`room_${rooms.findIndex((x) => JSON.stringify(x).includes('Secret'))}`);
    await waitUntil(async () => (await app.property('', 'currentRoomName')) === 'Secret', 10000, 'the room to open');

    ctx.phase('js-sdk -> tessera: the message decrypts in the timeline');
    const fromBob = `hello from js-sdk ${Date.now()}`;
    const fromBobId = await bob.sendText(roomId, fromBob);
    const stored = (await hs.roomEvents(roomId)).find((e) => e.event_id === fromBobId);
    check(stored?.type === 'm.room.encrypted' && !JSON.stringify(stored).includes(fromBob), 'the server holds only ciphertext', stored);
    await waitTimeline(app, (row) => row.body === fromBob, 'bob\'s message, decrypted, in the timeline', 60000);

    // The room's widget opens with the room and asks at once; its dialog is modal, so it is
    // answered before anything is typed.
    ctx.phase('the widget asks for its capabilities');
    const probe = await app.waitWidget((w) => w.widgetId === WIDGET_ID, 20000, 'the room\'s widget');
    await waitUntil(async () => (await app.property('', 'activeWidgetId')) === WIDGET_ID, 10000, 'the widget tab to open');
    const { prompt } = await waitPrompt(app, (p) => p.widgetId === WIDGET_ID, 'the probe widget to ask for consent', 60000);
    await answerPrompt(app, prompt.promptId, { approve: true });
    const widget = await app.widgetSession(probe.widgetId, fixture.origin);
    await app.waitEval(widget.sessionId, 'probe.state.approved !== null && JSON.stringify(probe.state.approved)', 20000, 'notify_capabilities');

    ctx.phase('tessera -> js-sdk: the composer encrypts');
    const fromTessera = `hello from tessera ${Date.now()}`;
    const refusal = await submitComposer(app, fromTessera);
    check(refusal === '', 'the composer sends into the encrypted room', refusal);
    const atBob = await bob.waitForEvent(roomId, (e) => e.content?.body === fromTessera, 60000, 'Tessera\'s message');
    check(atBob.encrypted && atBob.sender === ALICE, 'js-sdk decrypts it, from alice', atBob);
    const plain = (await hs.roomEvents(roomId)).filter((e) => JSON.stringify(e).includes(fromTessera));
    check(plain.length === 0, 'the server never saw the plain text', plain);

    ctx.phase('the widget reads the decrypted history');
    // Bob having Tessera's message does not mean Tessera's own sync has brought it back yet:
    // read until it has (the history a widget reads is what the client has received).
    let read;
    await waitUntil(async () => {
        read = await app.cdp.evaluate(widget.sessionId,
            `probe.request('org.matrix.msc2876.read_events', { type: 'm.room.message', limit: 10 })`);
        return !read.ok || read.response.events.some((e) => e.content?.body === fromTessera);
    }, 30000, 'Tessera\'s own message back from its sync', 250).catch(() => {});
    check(read.ok, 'read_events answers', read);
    const bodies = read.response.events.map((e) => e.content?.body);
    check(bodies.includes(fromBob) && bodies.includes(fromTessera), 'the widget reads both messages decrypted', read.response.events);
    const bobEvent = read.response.events.find((e) => e.content?.body === fromBob);
    check(bobEvent.type === 'm.room.message' && bobEvent.event_id === fromBobId && bobEvent.sender === BOB &&
        bobEvent.room_id === roomId && !('algorithm' in bobEvent.content), 'in Element\'s shape: the clear type and content', bobEvent);

    ctx.phase('a live push reaches the widget decrypted');
    const live = `live from js-sdk ${Date.now()}`;
    await bob.sendText(roomId, live);
    const pushed = JSON.parse(await app.waitEval(widget.sessionId,
        `(() => { const r = probe.state.received.find((x) => x.action === 'send_event' && x.data.content && x.data.content.body === ${JSON.stringify(live)}); return r && JSON.stringify(r.data); })()`,
        60000, 'the live event in the widget'));
    check(pushed.type === 'm.room.message' && pushed.sender === BOB, 'pushed as m.room.message from bob', pushed);

    ctx.phase('the widget sends an encrypted event js-sdk decrypts');
    const fromWidget = `hello from the widget ${Date.now()}`;
    const sent = await app.cdp.evaluate(widget.sessionId, `probe.send(${JSON.stringify(fromWidget)})`);
    check(sent.ok === true, 'the widget\'s send is accepted', sent);
    const widgetAtBob = await bob.waitForEvent(roomId, (e) => e.content?.body === fromWidget, 60000, 'the widget\'s message');
    check(widgetAtBob.encrypted && widgetAtBob.eventId === sent.result.event_id, 'js-sdk decrypts the widget\'s message', widgetAtBob);

    ctx.phase('the widget\'s encrypted to-device message reaches js-sdk');
    const toDevice = await app.cdp.evaluate(widget.sessionId, `probe.request('send_to_device', {
        type: ${JSON.stringify(PING)}, encrypted: true,
        messages: { ${JSON.stringify(BOB)}: { BOBJS: { nonce: 'from-widget' } } } })`);
    check(toDevice.ok, 'send_to_device with encrypted: true is accepted', toDevice);
    const ping = await bob.waitForToDevice((m) => m.type === PING && m.content.nonce === 'from-widget', 60000, 'the widget\'s ping');
    check(ping.sender === ALICE, 'from alice', ping);
    const requests = (await hs.get('/_tessera_test/requests')).requests.filter((r) => r.path.includes('/sendToDevice/'));
    check(!requests.some((r) => r.path.includes(PING)), 'it crossed the server encrypted', requests);

    ctx.phase('js-sdk\'s encrypted to-device message reaches the widget');
    await bob.sendEncryptedToDevice(ALICE, aliceDevice, PING, { nonce: 'from-js-sdk' });
    const got = JSON.parse(await app.waitEval(widget.sessionId,
        `(() => { const r = probe.state.received.find((x) => x.action === 'send_to_device' && x.data.content && x.data.content.nonce === 'from-js-sdk'); return r && JSON.stringify(r.data); })()`,
        60000, 'the ping in the widget'));
    check(got.encrypted === true && got.sender === BOB && got.type === PING, 'the widget gets it decrypted, marked encrypted', got);

    ctx.phase('the audit log holds the widget\'s actions');
    const audit = await ctx.auditRows(app.dataDir, ['--widget', WIDGET_ID]);
    check(audit.some((r) => r.action === 'send_to_device' && r.decision === 'allowed'), 'the to-device send is audited', audit.slice(-10));
}, { timeoutMs: 220000 });
