// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// Never plaintext where Tessera cannot encrypt, on the real binary against the test homeserver: in
// a room whose m.room.encryption names an algorithm Tessera does not know, the header and the
// composer say so, the composer's message is refused and kept, an approved widget's send_event is
// refused on the wire and in the audit log, and its encrypted send_to_device to a member whose
// device keys are unknown is refused with the reason; another member's m.room.encrypted event
// shows as a row that says it cannot be read, and the homeserver stored nothing from us.
// (Where Tessera can encrypt, e2e.shell.encryption covers it.)

import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import { check, runScenario } from '../lib/scenario.mjs';
import { SEND_TEXT, answerPrompt, probeUrl, waitPrompt } from '../lib/shell.mjs';
import { waitUntil } from '../lib/app.mjs';

const SERVER_NAME = 'tessera.test';
const ALICE = 'alice';
const BOB = 'bob';
const PASSWORD = 'correct horse';
const ROOM_ALIAS = `#secret:${SERVER_NAME}`;
const WIDGET_ID = 'e2e_probe';
const TO_DEVICE = 'org.matrix.msc3819.send.to_device:org.example.ping';
const MEGOLM = 'm.megolm.v1.aes-sha2';
/** An algorithm no client implements: Tessera must not encrypt, nor send in plaintext. */
const UNKNOWN_ALGORITHM = 'org.example.unknown-algorithm';

async function seed(ctx, fixture) {
    const aliceId = `@${ALICE}:${SERVER_NAME}`;
    const doc = {
        users: [
            { user: ALICE, password: PASSWORD, displayname: 'Alice' },
            { user: BOB, password: PASSWORD, displayname: 'Bob' },
        ],
        rooms: [{
            creator: ALICE,
            alias: 'secret',
            name: 'Secret',
            preset: 'public_chat',
            join: [BOB],
            initial_state: [{ type: 'm.room.encryption', state_key: '', content: { algorithm: UNKNOWN_ALGORITHM } }],
            state: [{
                sender: ALICE,
                type: 'm.widget',
                state_key: WIDGET_ID,
                content: { type: 'm.custom', url: probeUrl(fixture, [SEND_TEXT, TO_DEVICE]), name: 'Probe', data: {}, creatorUserId: aliceId, id: WIDGET_ID },
            }],
        }],
    };
    const file = path.join(ctx.work, 'seed.json');
    await writeFile(file, JSON.stringify(doc, null, 2));
    return ctx.homeserver(['--server-name', SERVER_NAME, '--seed', file]);
}

/** Another member's client: logs in over the Client-Server API and sends what Megolm would. */
async function bobSendsEncrypted(hs) {
    const call = (method, p, body, token) => hs.request(method, p, { body: body || undefined, token });
    const login = await call('POST', '/_matrix/client/v3/login',
        { type: 'm.login.password', identifier: { type: 'm.id.user', user: BOB }, password: PASSWORD });
    const { room_id: roomId } = await call('GET', `/_matrix/client/v3/directory/room/${encodeURIComponent(ROOM_ALIAS)}`);
    const content = {
        algorithm: MEGOLM,
        ciphertext: 'AwgAEnACgAkLmt6qF84IK++J7UDH2Za1YVchHyprqTqsg2yyOwAtHaZTwyNg37afzg8f3r9IsN9rH4RNFg',
        device_id: 'BOBPHONE',
        sender_key: 'WJ6Ce7U67a6jqkHYHd8o0+5H4bqdi9hInZdk0+swuXs',
        session_id: 'gNdlj6mkKiJf5qcPBoTbnBfbVbFcvAqgaBGlDVzL4R4',
    };
    const sent = await call('PUT', `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.encrypted/e2e-${Date.now()}`,
        content, login.access_token);
    return { userId: login.user_id, eventId: sent.event_id };
}

runScenario('e2e.shell.encrypted', async (ctx) => {
    const fixture = await ctx.fixtureServer();
    ctx.phase('start the test homeserver with an encrypted room that has the probe widget');
    const hs = await seed(ctx, fixture);
    const app = ctx.app({ args: ['--homeserver', hs.baseUrl, '--allow-http-loopback'] });
    ctx.phase('start tessera and sign in');
    await app.start();
    await app.waitVisible('loginPage');
    await app.click('loginContinue');
    await app.waitVisible('loginUser', 30000);
    await app.setText('loginUser', ALICE);
    await app.setText('loginPassword', PASSWORD);
    await app.click('loginSubmit');
    await app.waitHidden('loginPage', 30000);
    const userId = await app.property('', 'userId');

    ctx.phase('open the encrypted room');
    const rooms = await waitUntil(async () => {
        const r = await app.model('rooms');
        return r.length > 0 ? r : null;
    }, 30000, 'the room list after the first sync');
    const index = rooms.findIndex((r) => r.name === 'Secret');
    check(index >= 0, 'the seeded room is listed', rooms);
    check(rooms[index].encrypted === true, 'the room list knows it is encrypted', rooms[index]);
    await app.click(`room_${index}`);
    await waitUntil(async () => (await app.property('', 'currentRoomName')) === 'Secret', 10000, 'the room to open');

    ctx.phase('the header and the composer say the room is encrypted');
    check((await app.property('', 'currentRoomEncrypted')) === true, 'the host knows the room is encrypted');
    const badge = await app.waitVisible('roomEncrypted', 10000);
    check(badge.visible, 'the header shows the encrypted badge', badge);
    await app.waitVisible('composerEncrypted', 10000);

    ctx.phase('the composer refuses a message, says why and keeps the text');
    const secret = `plaintext that must not leave ${Date.now()}`;
    await app.setText('composerInput', secret);
    await app.click('composerSend');
    const error = await waitUntil(async () => {
        const e = await app.find('composerError');
        return e.visible && e.text.length > 0 ? e : null;
    }, 10000, 'the composer to say why');
    check(error.text.includes('end-to-end encrypted'), 'the composer says the room is encrypted', error.text);
    check((await app.find('composerInput')).text === secret, 'the refused text is still in the composer', await app.find('composerInput'));

    ctx.phase('the approved widget\'s sends are refused on the wire');
    const probe = await app.waitWidget((w) => w.widgetId === WIDGET_ID, 20000, 'the room\'s widget');
    await waitUntil(async () => (await app.property('', 'activeWidgetId')) === WIDGET_ID, 10000, 'the widget tab to open');
    const { prompt } = await waitPrompt(app, (p) => p.widgetId === probe.widgetId, 'the probe widget to ask for consent');
    await answerPrompt(app, prompt.promptId, { approve: true });
    const widget = await app.widgetSession(probe.widgetId, fixture.origin);
    const state = JSON.parse(await app.waitEval(widget.sessionId,
        'probe.state.approved !== null && JSON.stringify(probe.state)', 20000, 'notify_capabilities'));
    check(state.approved.includes(SEND_TEXT) && state.approved.includes(TO_DEVICE), 'both capabilities are approved', state.approved);
    const sent = await app.cdp.evaluate(widget.sessionId, `probe.send(${JSON.stringify(secret + ' (widget)')})`);
    check(sent.ok === false, 'the widget\'s message was refused', sent);
    check(/end-to-end encrypted/.test(sent.error) && /nothing was sent/.test(sent.error), 'the widget is told why', sent.error);
    const toDevice = await app.cdp.evaluate(widget.sessionId, `probe.request('send_to_device', ${JSON.stringify({
        type: 'org.example.ping', encrypted: true, messages: { [`@${BOB}:${SERVER_NAME}`]: { '*': { ping: secret } } },
    })})`);
    check(toDevice.ok === false && /keys are not known/.test(toDevice.error) && /nothing was sent/.test(toDevice.error),
        'the encrypted to-device message to a device without known keys was refused with the reason', toDevice);

    ctx.phase('another member\'s encrypted message shows as a row that cannot be read');
    const bob = await bobSendsEncrypted(hs);
    const row = await waitUntil(async () => (await app.model('timeline')).find((r) => r.eventId === bob.eventId) || null,
                                30000, 'Bob\'s encrypted event in the timeline');
    check(row.kind === 'encrypted' && row.sender === bob.userId, 'it is an encrypted row from Bob', row);
    check(row.body === 'Encrypted message — cannot be read here', 'the row says it cannot be read here', row);

    ctx.phase('the homeserver stored nothing from us');
    const events = await hs.roomEvents(ROOM_ALIAS);
    const ours = events.filter((e) => e.sender === userId && e.state_key === undefined);
    check(ours.length === 0, 'no message event of ours is on the server', ours);
    check(!JSON.stringify(events).includes(secret), 'the secret is nowhere on the server');
    const requests = (await hs.get('/_tessera_test/requests')).requests;
    const sends = requests.filter((r) => r.method === 'PUT' && (/\/send\//.test(r.path) || /\/sendToDevice\//.test(r.path)));
    check(sends.length === 1 && sends[0].path.includes('m.room.encrypted'), 'the only send the server saw is Bob\'s', sends);

    ctx.phase('each refusal is in the audit log');
    const widgetRows = await ctx.auditRows(app.dataDir, ['--widget', WIDGET_ID]);
    const refusedSend = widgetRows.filter((r) => r.action === 'send_event' && r.direction === 'in');
    check(refusedSend.length === 1 && refusedSend[0].decision === 'refused' && /end-to-end encrypted/.test(refusedSend[0].reason),
        'the widget\'s send_event is audited as refused, with the reason', refusedSend);
    const refusedToDevice = widgetRows.filter((r) => r.action === 'send_to_device' && r.direction === 'in');
    check(refusedToDevice.length === 1 && refusedToDevice[0].decision === 'refused', 'the to-device send is audited as refused', refusedToDevice);
    const gate = await ctx.auditRows(app.dataDir, ['--category', 'outgoing']);
    check(gate.length === 2 && gate.every((r) => r.decision === 'refused'), 'the gate recorded its two refusals', gate);
    check(gate.filter((r) => r.widget === WIDGET_ID).length === 1, 'one of them in the widget\'s name', gate);
    const composerRow = gate.find((r) => !r.widget);
    check(composerRow && composerRow.action === 'send' && composerRow.reason.includes('m.room.message'),
        'the composer\'s refusal names what was not sent', composerRow);
    check(!JSON.stringify(gate).includes(secret), 'the audit rows keep no plaintext', gate);
    await ctx.auditVerify(app.dataDir);
});
