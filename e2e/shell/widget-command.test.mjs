// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// `/widget` from the composer, end to end: an https: URL becomes an m.widget state event in the
// room (stored by the local backend) and its tab opens; javascript: and data: URLs are refused
// with their reason shown under the composer, and publish nothing.

import path from 'node:path';

import { check, runScenario } from '../lib/scenario.mjs';
import { declineWelcome, submitComposer } from '../lib/shell.mjs';
import { waitUntil } from '../lib/app.mjs';

runScenario('e2e.shell.widget-command', async (ctx) => {
    const fixture = await ctx.fixtureServer();
    // No --allow-http-loopback: only https: is accepted, as for any user.
    const app = ctx.app();

    ctx.phase('start tessera on the local rooms');
    await app.start();
    await declineWelcome(app);
    const roomId = await app.property('', 'currentRoomId');
    const rooms = path.join(app.dataDir, 'rooms.db');
    const widgetState = () => ctx.sql(rooms,
        `SELECT state_key, json FROM state WHERE type = 'm.widget' AND room_id = '${roomId.replace(/'/g, "''")}'`);
    const stateBefore = await widgetState();

    ctx.phase('/widget https://… adds the widget and opens its tab');
    // https on the loopback fixture port: it cannot complete a TLS handshake, which is fine here,
    // and keeps the run off the network.
    const url = `https://127.0.0.1:${fixture.port}/widgets/probe.html?from=composer`;
    const error = await submitComposer(app, `/widget ${url} Board`);
    check(error === '', 'the composer accepts /widget https://…', error);
    check((await app.find('composerInput')).text === '', 'the composer is cleared');
    const added = await app.waitWidget((w) => w.name === 'Board', 20000, 'the new widget');
    await waitUntil(async () => (await app.property('', 'activeWidgetId')) === added.widgetId, 10000, 'its tab to be the open one');
    check((await app.property('', 'panelOpen')) === true, 'the widget panel is open');
    await app.waitVisible(`widgetTab_${added.widgetId}`);
    const stored = await waitUntil(async () => (await widgetState()).find((s) => s.state_key === added.widgetId), 10000, 'the m.widget state event');
    const event = JSON.parse(stored.json);
    check(event.content.url === url && event.content.name === 'Board', 'the state event has the URL and the name', event.content);
    check(event.content.creatorUserId === event.sender && event.sender === await app.property('', 'userId'),
        'it is published by, and names, the user', event);

    for (const [label, bad, reason] of [
        ['javascript:', 'javascript:alert(1)', /javascript: URLs are never loaded as widgets/],
        ['data:', 'data:text/html,<script>alert(1)</script>', /data: URLs are never loaded as widgets/],
    ]) {
        ctx.phase(`/widget ${label} is refused with its reason`);
        const widgetsBefore = (await app.widgets()).length;
        const message = await submitComposer(app, `/widget ${bad}`);
        check(reason.test(message), `the composer says why ${label} is refused`, message);
        check((await app.find('composerInput')).text === `/widget ${bad}`, 'the refused command stays in the composer');
        check((await app.widgets()).length === widgetsBefore, 'no widget was added', await app.widgets());
        await app.setText('composerInput', '');
    }
    const stateAfter = await widgetState();
    check(stateAfter.length === stateBefore.length + 1, 'exactly one m.widget state event was published', stateAfter);
    check(!stateAfter.some((s) => /javascript:|data:/.test(JSON.parse(s.json).content?.url || '')),
        'no javascript: or data: widget reached the room', stateAfter);
    check(!(await app.timeline()).some((m) => m.body.includes('/widget')), 'no command was sent as a message', await app.timeline());
});
