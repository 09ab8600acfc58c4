// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// Consent across restarts, end to end: a capability approved with "Remember my choice" is still
// granted after Tessera quits and starts again on the same data directory, without a dialog;
// once revoked on the Permissions page, the live widget loses it at once, and the next start
// asks again.

import { check, runScenario } from '../lib/scenario.mjs';
import { SEND_TEXT, addWidget, answerPrompt, declineWelcome, probeUrl, waitPrompt, waitTimeline } from '../lib/shell.mjs';
import { waitUntil } from '../lib/app.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function openTab(app, widgetId) {
    if ((await app.property('', 'activeWidgetId')) !== widgetId)
        await app.click(`widgetTab_${widgetId}`);
    await waitUntil(async () => (await app.property('', 'activeWidgetId')) === widgetId, 10000, `the tab of ${widgetId} to open`);
}

runScenario('e2e.shell.restart', async (ctx) => {
    const fixture = await ctx.fixtureServer();
    const args = ['--allow-http-loopback'];

    ctx.phase('first run: approve and remember');
    const first = ctx.app({ name: 'first', args });
    await first.start();
    await declineWelcome(first);
    const probe = await addWidget(first, probeUrl(fixture, [SEND_TEXT]), 'Probe');
    const asked = await waitPrompt(first, (p) => p.widgetId === probe.widgetId, 'the probe widget to ask for consent');
    await answerPrompt(first, asked.prompt.promptId, { approve: true, remember: true });
    let widget = await first.widgetSession(probe.widgetId, fixture.origin);
    const granted = JSON.parse(await first.waitEval(widget.sessionId,
        'probe.state.approved !== null && JSON.stringify(probe.state.approved)', 20000, 'notify_capabilities'));
    check(granted.includes(SEND_TEXT), 'the capability is granted', granted);
    const exit = await first.stop();
    check(exit && exit.code === 0, 'the first run quits cleanly', exit);

    ctx.phase('second run: granted again without asking');
    const second = ctx.app({ name: 'second', args });
    await second.start();
    await second.waitWidget((w) => w.widgetId === probe.widgetId, 20000, 'the probe widget after the restart');
    // The open tab is not restored across a restart (the panel falls back to the first widget);
    // open it as a person would.
    await openTab(second, probe.widgetId);
    widget = await second.widgetSession(probe.widgetId, fixture.origin);
    const again = JSON.parse(await second.waitEval(widget.sessionId,
        'probe.state.approved !== null && JSON.stringify(probe.state.approved)', 30000, 'notify_capabilities after the restart'));
    check(again.includes(SEND_TEXT), 'the remembered capability is granted after the restart', again);
    await sleep(1000);
    const prompts = await second.model('consentPrompts');
    check(prompts.length === 0 && !(await second.find('consentDialog')).visible, 'no consent dialog after the restart', prompts);
    const body = `after the restart ${Date.now()}`;
    const sent = await second.cdp.evaluate(widget.sessionId, `probe.send(${JSON.stringify(body)})`);
    check(sent.ok === true, 'the widget can send after the restart', sent);
    await waitTimeline(second, (m) => m.body === body, 'the message in the timeline');

    ctx.phase('revoke it on the Permissions page');
    await second.click('page_permissions');
    await second.waitVisible('permissionsPage');
    const decisions = await second.model('permissions');
    const index = decisions.findIndex((d) => d.item === SEND_TEXT && d.widget === probe.widgetId && d.allowed === true);
    check(index >= 0, 'the page lists the remembered approval', decisions);
    await second.click(`revoke_${index}`);
    await waitUntil(async () => !(await second.model('permissions')).some((d) => d.item === SEND_TEXT && d.widget === probe.widgetId && d.allowed === true),
        10000, 'the approval to leave the list').catch(async (e) => {
        throw new Error(`${e.message}; the list: ${JSON.stringify(await second.model('permissions'))}`);
    });
    const revokedSend = await second.waitEval(widget.sessionId,
        `probe.send("after the revocation").then((r) => r.ok === false && r)`, 10000, 'a send to be refused after the revocation');
    check(/cannot send/i.test(revokedSend.error || ''), 'the live widget lost the capability', revokedSend);
    const secondExit = await second.stop();
    check(secondExit && secondExit.code === 0, 'the second run quits cleanly', secondExit);

    ctx.phase('third run: asks again');
    const third = ctx.app({ name: 'third', args });
    await third.start();
    await third.waitWidget((w) => w.widgetId === probe.widgetId, 20000, 'the probe widget after the second restart');
    await openTab(third, probe.widgetId);
    const reasked = await waitPrompt(third, (p) => p.widgetId === probe.widgetId, 'the probe widget to ask again after the revocation');
    check(reasked.prompt.items.map((i) => i.item).includes(SEND_TEXT), 'the prompt lists the revoked capability', reasked.prompt.items);
    await answerPrompt(third, reasked.prompt.promptId, { approve: false, remember: false });
    const audit = await ctx.auditRows(third.dataDir, ['--category', 'consent']);
    check(audit.some((r) => /revok/i.test(`${r.action} ${r.reason}`)), 'the revocation is in the audit log',
        audit.map((r) => [r.action, r.decision, r.reason]));
    await ctx.auditVerify(third.dataDir);
}, { timeoutMs: 200000 });
