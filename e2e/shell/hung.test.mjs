// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// A widget that stops answering, end to end: the CPU hog (e2e/widgets/cpuhog.js) fills itself
// with 2,000 frames and spins its renderer's main thread forever. Within the heartbeat's bound
// its tab shows "not responding" with Reload and Close, and the audit log says so; another
// widget (on another site, so in another renderer) and the shell keep working meanwhile.
// Reload starts the widget afresh; Close closes its session, and its spinning renderer ends.

import { check, runScenario } from '../lib/scenario.mjs';
import { addWidget, declineWelcome, submitComposer, waitTimeline } from '../lib/shell.mjs';
import { waitUntil } from '../lib/app.mjs';
import { busiestRenderer, isRunning } from '../lib/processes.mjs';

// WidgetController::kUnresponsiveAfterMs is 10 s; the wait allows for a loaded machine.
const HANG_DETECTED_WITHIN_MS = 60000;

runScenario('e2e.shell.hung-widget', async (ctx) => {
    const fixture = await ctx.fixtureServer();
    const app = ctx.app({ args: ['--allow-http-loopback'] });
    // The same server under another name is another site, so its frame gets its own renderer.
    const otherOrigin = fixture.origin.replace('127.0.0.1', 'localhost');

    ctx.phase('start tessera with a well-behaved widget and the CPU hog');
    await app.start();
    await declineWelcome(app);
    const probe = await addWidget(app, `${otherOrigin}/widgets/probe.html?quiet=1`, 'Probe');
    await app.waitWidget((w) => w.widgetId === probe.widgetId && w.state === 'ready', 30000, 'the probe to be ready');
    const hog = await addWidget(app, `${fixture.origin}/widgets/cpuhog.html`, 'Hog');
    let hogFrame = await app.widgetSession(hog.widgetId, fixture.origin);
    await app.waitEval(hogFrame.sessionId, 'window.hog !== undefined && hog.state.ready', 30000, 'the hog to be ready');
    await app.waitWidget((w) => w.widgetId === hog.widgetId && w.state === 'ready', 30000, 'the hog\'s tab to be ready');
    await new Promise((r) => setTimeout(r, 3000)); // a few heartbeats while it still answers
    check((await app.widgets()).find((w) => w.widgetId === hog.widgetId).state === 'ready',
        'a widget that answers is not marked as hung', await app.widgets());

    const startHog = async (frame) => {
        check(await app.cdp.evaluate(frame.sessionId, 'hog.start(2000)', 10000) === true, 'the hog starts');
        return app.waitWidget((w) => w.widgetId === hog.widgetId && w.state === 'unresponsive',
            HANG_DETECTED_WITHIN_MS, 'the hog\'s tab to say it is not responding');
    };

    ctx.phase('the hog stops answering: the not-responding page');
    const hung = await startHog(hogFrame);
    check(hung.errorTitle === '“Hog” is not responding', 'the page names the widget', hung);
    check(/has not answered for 10 seconds/.test(hung.errorText), 'the page says for how long', hung);
    check((await app.find('widgetStateTitle')).text === '“Hog” is not responding', 'the title is on show', await app.find('widgetStateTitle'));
    check((await app.find('widgetStateReload')).visible, 'Reload is offered', await app.find('widgetStateReload'));
    check((await app.find('widgetStateClose')).visible, 'Close is offered', await app.find('widgetStateClose'));
    let rows = await ctx.auditRows(app.dataDir, ['--widget', hog.widgetId]);
    check(rows.some((r) => r.action === 'widget_unresponsive' && r.decision === 'failed'
        && /the widget's frame has not answered the heartbeat/.test(r.reason || '')),
        'the hang is in the audit log', rows.map((r) => [r.action, r.decision, r.reason]));

    ctx.phase('the other widget and the shell keep working');
    await app.click(`widgetTab_${probe.widgetId}`);
    const probeFrame = await app.widgetSession(probe.widgetId, otherOrigin);
    const answer = await app.cdp.evaluate(probeFrame.sessionId, 'probe.request("supported_api_versions")', 20000);
    check(answer.ok && answer.response.supported_versions.length > 0, 'the other widget still gets answers', answer);
    check((await app.widgets()).find((w) => w.widgetId === probe.widgetId).state === 'ready', 'the other widget is fine', await app.widgets());
    const text = `still here ${Date.now()}`;
    check(await submitComposer(app, text) === '', 'the composer sends');
    await waitTimeline(app, (m) => m.body === text, 'the message in the timeline');

    ctx.phase('Reload starts the hog afresh');
    await app.click(`widgetTab_${hog.widgetId}`);
    await app.waitVisible('widgetStateReload', 10000);
    await app.click('widgetStateReload');
    hogFrame = await app.widgetSession(hog.widgetId, fixture.origin, 30000, hogFrame.target.targetId);
    await app.waitEval(hogFrame.sessionId, 'window.hog !== undefined && hog.state.ready && !hog.state.spinning', 30000,
        'the reloaded hog to be ready');
    await app.waitWidget((w) => w.widgetId === hog.widgetId && w.state === 'ready', 30000, 'the reloaded hog\'s tab to be ready');

    ctx.phase('Close closes it, and its spinning renderer ends');
    await startHog(hogFrame);
    const spinning = await busiestRenderer(app.pid, 2000);
    check(spinning && spinning.cpuMs > 0, 'a renderer spins (the hog)', spinning);
    ctx.log(`the hog spins in process ${spinning.pid} (${spinning.cpuMs} ms of CPU in 2 s)`);
    await app.click('widgetStateClose');
    const closed = await app.waitWidget((w) => w.widgetId === hog.widgetId && w.state === 'closed', 10000, 'the hog to be closed');
    check(closed.errorTitle === '“Hog” was closed', 'the tab says it was closed', closed);
    check((await app.find('widgetStateReload')).visible, 'it can be loaded again', await app.find('widgetStateReload'));
    await waitUntil(async () => !(await isRunning(spinning.pid)), 30000, `the hog's renderer (${spinning.pid}) to end`, 250);
    rows = await ctx.auditRows(app.dataDir, ['--widget', hog.widgetId]);
    const closedAt = rows.findIndex((r) => r.action === 'widget_closed' && r.decision === 'info');
    check(closedAt >= 0, 'the user\'s Close is in the audit log', rows.map((r) => [r.action, r.decision, r.reason]));
    check(rows.slice(closedAt).some((r) => r.action === 'session_stop'), 'the widget\'s session was closed',
        rows.map((r) => [r.action, r.decision]));
    check(app.alive, 'the app is still running');
    await ctx.auditVerify(app.dataDir);
}, { timeoutMs: 220000 });
