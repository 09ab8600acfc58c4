// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The timeline on the real binary against the test homeserver: scrolling back with the mouse
// wheel loads history with /messages until the room's first message; the user's own message shows
// "Sending…" while the server drops the connection (fault injection) and becomes the message once
// the outbox gets through, exactly once; a message the server refuses shows "Not sent" with Retry
// (which sends it once the server allows it) and Delete (which removes it).

import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import { check, runScenario } from '../lib/scenario.mjs';
import { waitUntil } from '../lib/app.mjs';
import { signInWithPassword } from '../lib/shell.mjs';

const SERVER_NAME = 'tessera.test';
const PASSWORD = 'correct horse';
const HISTORY = 260; // more than the first page (200) and the sync's timeline (50)

runScenario('e2e.shell.timeline', async (ctx) => {
    ctx.phase('start the test homeserver with a room of long history');
    const events = [];
    for (let i = 0; i < HISTORY; ++i)
        events.push({ sender: 'bob', type: 'm.room.message', content: { msgtype: 'm.text', body: `message ${i}` } });
    const seed = {
        users: [{ user: 'alice', password: PASSWORD, displayname: 'Alice' }, { user: 'bob', password: PASSWORD, displayname: 'Bob' }],
        rooms: [{ creator: 'bob', alias: 'history', name: 'History', preset: 'public_chat', join: ['alice'], events }],
    };
    const file = path.join(ctx.work, 'seed.json');
    await writeFile(file, JSON.stringify(seed));
    const hs = await ctx.homeserver(['--server-name', SERVER_NAME, '--seed', file]);
    const roomId = (await hs.roomEvents(`#history:${SERVER_NAME}`))[0].room_id;

    const app = ctx.app({ args: ['--homeserver', hs.baseUrl, '--allow-http-loopback'] });
    ctx.phase('start tessera, sign in and open the room');
    await app.start();
    await signInWithPassword(app, 'alice', PASSWORD);
    const rooms = await waitUntil(async () => {
        const r = await app.model('rooms');
        return r.some((x) => x.name === 'History') ? r : null;
    }, 30000, 'the room list');
    await app.click(`room_${rooms.findIndex((r) => r.name === 'History')}`);
    const bodies = async () => (await app.model('timeline')).map((r) => r.body);
    await waitUntil(async () => (await bodies()).includes(`message ${HISTORY - 1}`), 20000, 'the newest message');
    check(!(await bodies()).includes('message 0'), 'the first page does not reach the start of the room', (await bodies()).slice(0, 3));

    ctx.phase('scroll back with the mouse wheel to the first message');
    const before = (await hs.get('/_tessera_test/requests')).requests.length;
    await waitUntil(async () => {
        await app.wheel('timelineList', 30, true);
        return (await bodies()).includes('message 0') && (await app.property('timelineList', 'atYBeginning'));
    }, 60000, 'the first message at the top of the timeline', 300);
    const all = await bodies();
    const messages = all.filter((b) => /^message \d+$/.test(b));
    check(messages.length === HISTORY && messages.every((b, i) => b === `message ${i}`),
        'every message once, oldest first', messages.slice(0, 5));
    const paged = (await hs.get('/_tessera_test/requests')).requests.slice(before);
    check(paged.some((r) => r.method === 'GET' && r.path.endsWith('/messages')), 'older pages came from /messages', paged);

    ctx.phase('back to the end of the timeline');
    await waitUntil(async () => {
        await app.wheel('timelineList', 50, false);
        return app.property('timelineList', 'atYEnd');
    }, 30000, 'the end of the timeline', 200);

    const timeline = () => app.model('timeline');
    const rowOf = async (body) => (await timeline()).findIndex((r) => r.body === body);
    const send = async (text) => {
        await app.type('composerInput', text);
        await app.click('composerSend');
    };

    ctx.phase('the server drops the connection twice: "Sending…", then the message, once');
    await hs.request('POST', '/_tessera_test/faults',
        { body: { kind: 'drop_connection', method: 'PUT', path_regex: '/send/m\\.room\\.message/', count: 2 } });
    await send('through a bad connection');
    const sending = await waitUntil(async () => (await timeline()).find((r) => r.body === 'through a bad connection'), 5000,
        'the message in the timeline at once');
    check(sending.status === 'sending' && sending.own, 'it shows as sending', sending);
    const statusLabel = await app.find(`sendStatus_${await rowOf('through a bad connection')}`);
    check(statusLabel.visible && statusLabel.text === 'Sending…', 'the row says "Sending…"', statusLabel);
    const sent = await waitUntil(async () => {
        const r = (await timeline()).find((x) => x.body === 'through a bad connection');
        return r && r.status === '' && r.eventId.startsWith('$') ? r : null;
    }, 30000, 'the message to be sent');
    const stored = (await hs.roomEvents(roomId, 'm.room.message')).filter((e) => e.content.body === 'through a bad connection');
    check(stored.length === 1 && stored[0].event_id === sent.eventId, 'the server has it once, with the id the row shows', stored);
    check((await timeline()).filter((r) => r.body === 'through a bad connection').length === 1, 'one row, not two');

    ctx.phase('Bob lets nobody else speak: "Not sent" with Retry and Delete');
    const bob = await hs.request('POST', '/_matrix/client/v3/login',
        { body: { type: 'm.login.password', identifier: { type: 'm.id.user', user: 'bob' }, password: PASSWORD } });
    const plPath = `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state/m.room.power_levels/`;
    const levels = await hs.request('GET', plPath, { token: bob.access_token });
    await hs.request('PUT', plPath, { token: bob.access_token, body: { ...levels, events_default: 50 } });
    await send('refused at first');
    const failed = await waitUntil(async () => (await timeline()).find((r) => r.body === 'refused at first' && r.status === 'failed'),
        30000, 'the refusal');
    check(/permission/i.test(failed.sendError) && !failed.sendError.includes('/_matrix/'), 'the row says why, in the server\'s words', failed);
    const failedLabel = await app.find(`sendStatus_${await rowOf('refused at first')}`);
    check(failedLabel.visible && failedLabel.text.startsWith('Not sent: '), 'the row says "Not sent"', failedLabel);
    const outbox = async (status) => (await ctx.sql(path.join(app.dataDir, 'matrix', 'matrix.db'),
        `SELECT count(*) AS n FROM outbox WHERE status = '${status}'`))[0].n;
    check(await outbox('failed') === 1, 'the refusal is kept in the outbox while the row shows it');

    ctx.phase('Bob relents; Retry sends it');
    await hs.request('PUT', plPath, { token: bob.access_token, body: { ...levels, events_default: 0 } });
    await app.click(`sendRetry_${await rowOf('refused at first')}`);
    let retried = [];
    await waitUntil(async () => {
        retried = (await timeline()).filter((x) => x.body === 'refused at first');
        return retried.length === 1 && retried[0].status === '' && retried[0].eventId.startsWith('$');
    }, 30000, 'the retried message to be sent').catch((e) => {
        throw new Error(`${e.message}: ${JSON.stringify(retried)}`);
    });
    check((await hs.roomEvents(roomId, 'm.room.message')).filter((e) => e.content.body === 'refused at first').length === 1,
        'the server has the retried message once');
    check(await outbox('failed') === 0, 'the refused copy left the outbox when it was sent again');

    ctx.phase('refused again; Delete removes it');
    await hs.request('PUT', plPath, { token: bob.access_token, body: { ...levels, events_default: 50 } });
    await send('never mind');
    await waitUntil(async () => (await timeline()).some((r) => r.body === 'never mind' && r.status === 'failed'), 30000, 'the refusal');
    await app.click(`sendDelete_${await rowOf('never mind')}`);
    await waitUntil(async () => !(await timeline()).some((r) => r.body === 'never mind'), 10000, 'the row to go');
    check(await outbox('failed') === 0 && await outbox('pending') === 0, 'and it left the outbox');
    check(!(await hs.roomEvents(roomId, 'm.room.message')).some((e) => e.content.body === 'never mind'), 'the server has none of it');
});
