// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// What a widget is told about its send is what happens. A widget (matrix-widget-api's WidgetApi,
// which gives up on a request after 10 s) sends a message while the homeserver is down (every
// send answered 503, as a reverse proxy does while the server behind it is down): Tessera takes
// the event out of its outbox and the widget hears, before its own timeout, that it was withdrawn
// and will not be sent. The server comes back: that event never appears, the outbox is empty, and
// the audit log says it was not sent. Then the widget sends with the server up and gets its
// event id, and the event is stored once.

import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import { waitUntil } from '../lib/app.mjs';
import { check, runScenario } from '../lib/scenario.mjs';
import { SEND_TEXT, answerPrompt, openRoom, probeUrl, signInWithPassword, waitPrompt } from '../lib/shell.mjs';

const USER = 'alice';
const PASSWORD = 'correct horse';
const SERVER_NAME = 'tessera.test';
const ROOM_ALIAS = `#widgets:${SERVER_NAME}`;
const WIDGET_ID = 'e2e_probe';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

runScenario('e2e.shell.truthful-send', async (ctx) => {
    ctx.phase('start the homeserver with a room that has the probe widget, and tessera');
    const fixture = await ctx.fixtureServer();
    const userId = `@${USER}:${SERVER_NAME}`;
    const seed = path.join(ctx.work, 'seed.json');
    await writeFile(seed, JSON.stringify({
        users: [{ user: USER, password: PASSWORD, displayname: 'Alice' }],
        rooms: [{
            creator: USER, alias: 'widgets', name: 'Widgets', preset: 'public_chat',
            state: [{
                sender: USER, type: 'm.widget', state_key: WIDGET_ID,
                content: { type: 'm.custom', url: probeUrl(fixture, [SEND_TEXT]), name: 'Probe', data: {}, creatorUserId: userId, id: WIDGET_ID },
            }],
        }],
    }));
    const hs = await ctx.homeserver(['--server-name', SERVER_NAME, '--seed', seed]);
    const faults = (rule) => (rule ? hs.request('POST', '/_tessera_test/faults', { body: rule }) : hs.request('DELETE', '/_tessera_test/faults'));
    const stored = async (body) => (await hs.roomEvents(ROOM_ALIAS, 'm.room.message')).filter((e) => e.content?.body === body);
    const sendAttempts = async () => (await hs.get('/_tessera_test/requests')).requests
        .filter((r) => r.method === 'PUT' && r.path.includes('/send/m.room.message/'));

    const app = ctx.app({ args: ['--homeserver', hs.baseUrl, '--allow-http-loopback'] });
    const matrixDb = path.join(app.dataDir, 'matrix', 'matrix.db');
    await app.start();
    await signInWithPassword(app, USER, PASSWORD);
    await openRoom(app, 'Widgets');
    const probe = await app.waitWidget((w) => w.widgetId === WIDGET_ID, 20000, 'the room\'s widget');
    await waitUntil(async () => (await app.property('', 'activeWidgetId')) === WIDGET_ID, 10000, 'the widget tab to open');
    const { prompt } = await waitPrompt(app, (p) => p.widgetId === probe.widgetId, 'the probe widget to ask for consent');
    await answerPrompt(app, prompt.promptId, { approve: true });
    const widget = await app.widgetSession(probe.widgetId, fixture.origin);
    await app.waitEval(widget.sessionId, 'probe.state.approved !== null && probe.state.approved.length > 0', 20000, 'notify_capabilities');

    ctx.phase('the server is down: the widget sends, and hears the event was withdrawn');
    await faults({ kind: 'unavailable', method: 'PUT', path_prefix: '/_matrix/client/v3/rooms/', count: 10000 });
    const lost = `sent while the server is down ${Date.now()}`;
    const failed = await app.cdp.evaluate(widget.sessionId, `probe.send(${JSON.stringify(lost)})`);
    check(failed.ok === false, 'the widget is told the send failed', failed);
    // The widget's own 10 s timeout would have answered with its timeout error instead.
    check(/withdrawn and will not be sent/.test(failed.error), 'in words that say it will not be sent, not a timeout', failed);
    check((await sendAttempts()).length >= 1 && (await sendAttempts()).every((r) => r.status === 503),
        'Tessera did try, and the server refused every attempt', await sendAttempts());
    check((await ctx.sql(matrixDb, 'SELECT count(*) AS n FROM outbox'))[0].n === 0, 'the outbox is empty');

    ctx.phase('the server comes back: the withdrawn event never appears');
    await faults(null);
    const attemptsBefore = (await sendAttempts()).length;
    // Longer than Tessera's first back-offs (1, 2, 4 s): a send still queued would go out now.
    await sleep(8000);
    check((await sendAttempts()).length === attemptsBefore, 'no further attempt is made', await sendAttempts());
    check((await stored(lost)).length === 0, 'the event is not in the room', await stored(lost));

    ctx.phase('with the server up, the widget sends and gets its event id');
    const body = `sent while the server is up ${Date.now()}`;
    const sent = await app.cdp.evaluate(widget.sessionId, `probe.send(${JSON.stringify(body)})`);
    check(sent.ok === true && typeof sent.result.event_id === 'string', 'the widget gets an event id', sent);
    const events = await waitUntil(async () => {
        const e = await stored(body);
        return e.length > 0 ? e : null;
    }, 20000, 'the homeserver to have the message');
    check(events.length === 1 && events[0].event_id === sent.result.event_id, 'stored once, with that id', events);
    check((await stored(lost)).length === 0, 'and the withdrawn one is still not there');

    ctx.phase('the audit log says what happened');
    const audit = await ctx.auditRows(app.dataDir, ['--widget', WIDGET_ID, '--action', 'send_event']);
    const fromWidget = audit.filter((r) => r.direction === 'in');
    check(fromWidget.some((r) => r.decision === 'failed' && /not sent: withdrawn from the outbox/.test(r.reason)),
        'the first send is recorded as not sent, withdrawn', fromWidget);
    check(fromWidget.filter((r) => r.decision === 'allowed').length === 1, 'the second as sent', fromWidget);
    check(!audit.some((r) => /sent after the widget was told/.test(r.reason || '')), 'nothing arrived behind the widget\'s back', audit);
    await ctx.auditVerify(app.dataDir);
});
