// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// Capability consent, end to end: a widget written with matrix-widget-api's WidgetApi asks to send
// text messages; the dialog shows the request; a denial leaves the widget without the capability
// (notify_capabilities says so, a send is refused, both audited, nothing reaches the room); after
// a reload the widget asks again (the denial was not remembered), and once approved it can send.

import { check, runScenario } from '../lib/scenario.mjs';
import { SEND_TEXT, addWidget, answerPrompt, declineWelcome, probeUrl, waitPrompt, waitTimeline } from '../lib/shell.mjs';

runScenario('e2e.shell.consent', async (ctx) => {
    const fixture = await ctx.fixtureServer();
    const app = ctx.app({ args: ['--allow-http-loopback'] });

    ctx.phase('start tessera on the local rooms');
    await app.start();
    await declineWelcome(app);

    ctx.phase('add the probe widget with /widget');
    const probe = await addWidget(app, probeUrl(fixture, [SEND_TEXT]), 'Probe');

    ctx.phase('the consent dialog asks for the capability');
    const first = await waitPrompt(app, (p) => p.widgetId === probe.widgetId, 'the probe widget to ask for consent');
    check(first.prompt.kind === 'capabilities', 'the prompt is about capabilities', first.prompt);
    check(first.title.includes('Probe'), 'the dialog names the widget', first.title);
    check(first.prompt.items.map((i) => i.item).includes(SEND_TEXT), `the prompt lists ${SEND_TEXT}`, first.prompt.items);
    check(first.prompt.origin === fixture.origin, 'the prompt shows the widget origin', first.prompt.origin);

    ctx.phase('deny, without remembering');
    await answerPrompt(app, first.prompt.promptId, { approve: false, remember: false });
    let widget = await app.widgetSession(probe.widgetId, fixture.origin);
    const denied = await app.waitEval(widget.sessionId,
        `probe.state.notifications.length > 0 && JSON.stringify(probe.state)`, 20000, 'notify_capabilities after the denial');
    const deniedState = JSON.parse(denied);
    check(Array.isArray(deniedState.approved) && !deniedState.approved.includes(SEND_TEXT),
        'notify_capabilities does not grant the capability', deniedState.notifications);
    check((await app.widgets()).find((w) => w.widgetId === probe.widgetId).approved.length === 0,
        'the host shows no approved capability for the widget', await app.widgets());

    ctx.phase('a send without the capability is refused');
    const refusedBody = `denied ${Date.now()}`;
    const refused = await app.cdp.evaluate(widget.sessionId, `probe.send(${JSON.stringify(refusedBody)})`);
    check(refused.ok === false && /cannot send/i.test(refused.error || ''),
        'the host refuses the send for want of the capability (not a timeout)', refused);
    const audit = await ctx.auditRows(app.dataDir, ['--widget', probe.widgetId]);
    check(audit.some((r) => r.action === 'send_event' && r.decision === 'refused'),
        'the refused send is in the audit log', audit.map((r) => [r.action, r.decision, r.reason]));
    check(!(await app.timeline()).some((m) => m.body === refusedBody), 'the refused message is not in the timeline');

    ctx.phase('reload the widget: it asks again');
    await app.click('reloadWidget');
    const second = await waitPrompt(app, (p) => p.widgetId === probe.widgetId && p.promptId !== first.prompt.promptId,
        'the reloaded probe to ask again');
    check(second.prompt.items.map((i) => i.item).includes(SEND_TEXT), 'the second prompt lists the capability', second.prompt.items);

    ctx.phase('approve');
    await answerPrompt(app, second.prompt.promptId, { approve: true, remember: true });
    widget = await app.widgetSession(probe.widgetId, fixture.origin, 30000, widget.target.targetId);
    const approved = JSON.parse(await app.waitEval(widget.sessionId,
        `probe.state.notifications.length > 0 && JSON.stringify(probe.state)`, 20000, 'notify_capabilities after the approval'));
    check(approved.approved.includes(SEND_TEXT), 'notify_capabilities grants the capability', approved.notifications);

    ctx.phase('the approved widget can send');
    const body = `approved ${Date.now()}`;
    const sent = await app.cdp.evaluate(widget.sessionId, `probe.send(${JSON.stringify(body)})`);
    check(sent.ok === true && typeof sent.result.event_id === 'string', 'the send succeeds with an event id', sent);
    await waitTimeline(app, (m) => m.body === body, 'the message in the timeline');

    const after = await ctx.auditRows(app.dataDir, ['--widget', probe.widgetId]);
    check(after.some((r) => r.action === 'send_event' && r.decision === 'allowed'),
        'the allowed send is in the audit log', after.map((r) => [r.action, r.decision]));
    await ctx.auditVerify(app.dataDir);
});
