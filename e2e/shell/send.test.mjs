// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// Send to the timeline, end to end, on either backend (--backend local|homeserver): an approved
// widget (matrix-widget-api's WidgetApi) sends an m.text message; the widget gets the event id;
// the message shows in the room's timeline in the shell and is stored by the backend: the local
// rooms' SQLite file, or the loopback test homeserver (signed in through the login page).

import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import { check, runScenario } from '../lib/scenario.mjs';
import { SEND_TEXT, addWidget, answerPrompt, declineWelcome, probeUrl, waitPrompt, waitTimeline } from '../lib/shell.mjs';
import { waitUntil } from '../lib/app.mjs';

const USER = 'alice';
const PASSWORD = 'correct horse';
const SERVER_NAME = 'tessera.test';
const ROOM_ALIAS = `#widgets:${SERVER_NAME}`;
const WIDGET_ID = 'e2e_probe';

/** Signs in through the login page, as a person would. */
async function signIn(ctx, app, baseUrl) {
    ctx.phase('sign in on the login page');
    await app.waitVisible('loginPage');
    check((await app.find('loginHomeserver')).text === baseUrl, 'the login page shows --homeserver', await app.find('loginHomeserver'));
    await app.click('loginContinue');
    await app.waitVisible('loginUser', 30000).catch(async (e) => {
        const error = await app.find('loginError');
        throw new Error(`${e.message}; the login page says: ${error.visible ? error.text : '(nothing)'}`);
    });
    await app.setText('loginUser', USER);
    await app.setText('loginPassword', PASSWORD);
    await app.click('loginSubmit');
    await app.waitHidden('loginPage', 30000).catch(async (e) => {
        const error = await app.find('loginError');
        throw new Error(`${e.message}; the login page says: ${error.visible ? error.text : '(nothing)'}`);
    });
}

/** The homeserver's room with the probe widget in its state, published by the user. */
async function seedHomeserver(ctx, fixture) {
    const userId = `@${USER}:${SERVER_NAME}`;
    const seed = {
        users: [{ user: USER, password: PASSWORD, displayname: 'Alice' }],
        rooms: [{
            creator: USER,
            alias: 'widgets',
            name: 'Widgets',
            preset: 'public_chat',
            state: [{
                sender: USER,
                type: 'm.widget',
                state_key: WIDGET_ID,
                // $matrix_display_name: the widget is told the user's display name, not their id.
                content: { type: 'm.custom', url: `${probeUrl(fixture, [SEND_TEXT])}&who=$matrix_display_name`, name: 'Probe', data: {}, creatorUserId: userId, id: WIDGET_ID },
            }],
        }],
    };
    const file = path.join(ctx.work, 'seed.json');
    await writeFile(file, JSON.stringify(seed, null, 2));
    const hs = await ctx.homeserver(['--server-name', SERVER_NAME, '--seed', file]);
    return { hs, userId };
}

runScenario((o) => `e2e.shell.send.${o.backend}`, async (ctx) => {
    const backend = ctx.options.backend;
    check(backend === 'local' || backend === 'homeserver', `--backend must be local or homeserver, not ${backend}`);
    const fixture = await ctx.fixtureServer();

    let app;
    let probe;
    let hs = null;
    if (backend === 'local') {
        app = ctx.app({ args: ['--allow-http-loopback'] });
        ctx.phase('start tessera on the local rooms');
        await app.start();
        await declineWelcome(app);
        ctx.phase('add the probe widget with /widget');
        probe = await addWidget(app, probeUrl(fixture, [SEND_TEXT]), 'Probe');
    } else {
        ctx.phase('start the test homeserver with a room that has the probe widget');
        const seeded = await seedHomeserver(ctx, fixture);
        hs = seeded.hs;
        app = ctx.app({ args: ['--homeserver', hs.baseUrl, '--allow-http-loopback'] });
        ctx.phase('start tessera against the homeserver');
        await app.start();
        await signIn(ctx, app, hs.baseUrl);
        check((await app.property('', 'userId')) === seeded.userId, 'signed in as the seeded user', await app.property('', 'userId'));
        ctx.phase('open the room and its widget');
        const rooms = await waitUntil(async () => {
            const r = await app.model('rooms');
            return r.length > 0 ? r : null;
        }, 30000, 'the room list after the first sync');
        const index = rooms.findIndex((r) => JSON.stringify(r).includes('Widgets'));
        check(index >= 0, 'the seeded room is listed', rooms);
        await app.click(`room_${index}`);
        await waitUntil(async () => (await app.property('', 'currentRoomName')) === 'Widgets', 10000, 'the room to open');
        probe = await app.waitWidget((w) => w.widgetId === WIDGET_ID, 20000, 'the room\'s widget');
        await waitUntil(async () => (await app.property('', 'activeWidgetId')) === WIDGET_ID, 10000, 'the widget tab to open');
    }

    ctx.phase('approve the capability');
    const { prompt } = await waitPrompt(app, (p) => p.widgetId === probe.widgetId, 'the probe widget to ask for consent');
    check(prompt.items.map((i) => i.item).includes(SEND_TEXT), 'the prompt lists the capability', prompt.items);
    await answerPrompt(app, prompt.promptId, { approve: true });
    const widget = await app.widgetSession(probe.widgetId, fixture.origin);
    if (backend === 'homeserver') {
        const who = new URL(widget.target.url).searchParams.get('who');
        check(who === 'Alice', '$matrix_display_name in the widget URL is the display name', widget.target.url);
    }
    const state = JSON.parse(await app.waitEval(widget.sessionId,
        'probe.state.approved !== null && JSON.stringify(probe.state)', 20000, 'notify_capabilities'));
    check(state.approved.includes(SEND_TEXT), 'the capability is approved', state.notifications);

    ctx.phase('the widget sends a message');
    const body = `hello from the ${backend} e2e test ${Date.now()}`;
    const sent = await app.cdp.evaluate(widget.sessionId, `probe.send(${JSON.stringify(body)})`);
    check(sent.ok === true && typeof sent.result.event_id === 'string' && sent.result.event_id.startsWith('$'),
        'the widget gets an event id back', sent);
    const eventId = sent.result.event_id;

    ctx.phase('the message is in the timeline of the shell');
    const userId = await app.property('', 'userId');
    const row = await waitTimeline(app, (m) => m.body === body, 'the message in the timeline', 30000);
    check(row.kind !== 'state', 'it shows as a message', row);

    ctx.phase('the backend stored it');
    if (backend === 'local') {
        const rows = await ctx.sql(path.join(app.dataDir, 'rooms.db'),
            "SELECT event_id, type, msgtype, json FROM timeline WHERE type = 'm.room.message'");
        const stored = rows.find((r) => JSON.parse(r.json).content?.body === body);
        check(stored, 'rooms.db has the message', rows.map((r) => r.json).slice(-5));
        check(stored.event_id === eventId && stored.msgtype === 'm.text', 'with the event id the widget got, as m.text', stored);
        check(JSON.parse(stored.json).sender === userId, 'sent as the user', stored.json);
    } else {
        const events = await waitUntil(async () => {
            const all = await hs.roomEvents(ROOM_ALIAS, 'm.room.message');
            return all.some((e) => e.content?.body === body) ? all : null;
        }, 20000, 'the homeserver to have the message');
        const stored = events.filter((e) => e.content?.body === body);
        check(stored.length === 1, 'the homeserver stored it once', stored);
        check(stored[0].event_id === eventId && stored[0].sender === userId && stored[0].content.msgtype === 'm.text',
            'with the event id the widget got, from the user, as m.text', stored[0]);
    }
    const audit = await ctx.auditRows(app.dataDir, ['--widget', probe.widgetId, '--action', 'send_event']);
    check(audit.some((r) => r.decision === 'allowed'), 'the send is audited as allowed', audit);
}, { options: { backend: { type: 'string', default: 'local' } } });
