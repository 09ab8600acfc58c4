// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// A widget whose renderer dies, end to end.
// - The memory bomb (e2e/widgets/memorybomb.js) allocates until V8 gives up and its renderer
//   process dies. Its frame runs in a process of its own, which Qt does not report on: the
//   heartbeat notices the silence, and the tab says the widget is not responding (it may have
//   crashed), with Reload and Close. Another widget keeps working.
// - When the renderer of a widget's view itself dies (here: crashed over DevTools), Qt reports
//   it: the tab shows the crash page with Reload, the audit log has the crash, and the
//   widget's session is closed. Reload brings the widget back.

import { check, runScenario } from '../lib/scenario.mjs';
import { addWidget, declineWelcome } from '../lib/shell.mjs';
import { waitUntil } from '../lib/app.mjs';

const HANG_DETECTED_WITHIN_MS = 60000;

runScenario('e2e.shell.crashed-widget', async (ctx) => {
    const fixture = await ctx.fixtureServer();
    // A small JavaScript heap, so the bomb goes off after a couple of hundred MB, not gigabytes.
    const app = ctx.app({ args: ['--allow-http-loopback'], env: { QTWEBENGINE_CHROMIUM_FLAGS: '--js-flags=--max-old-space-size=160' } });
    const otherOrigin = fixture.origin.replace('127.0.0.1', 'localhost');

    ctx.phase('start tessera with a well-behaved widget and the memory bomb');
    await app.start();
    await declineWelcome(app);
    const probe = await addWidget(app, `${otherOrigin}/widgets/probe.html?quiet=1`, 'Probe');
    await app.waitWidget((w) => w.widgetId === probe.widgetId && w.state === 'ready', 30000, 'the probe to be ready');
    const bomb = await addWidget(app, `${fixture.origin}/widgets/memorybomb.html`, 'Bomb');
    let bombFrame = await app.widgetSession(bomb.widgetId, fixture.origin);
    await app.waitEval(bombFrame.sessionId, 'window.bomb !== undefined && bomb.state.ready', 30000, 'the bomb to be ready');
    await app.waitWidget((w) => w.widgetId === bomb.widgetId && w.state === 'ready', 30000, 'the bomb\'s tab to be ready');

    ctx.phase('the bomb goes off: its renderer dies, the tab says so');
    const crashed = new Promise((resolve) => {
        const stop = app.cdp.onEvent((msg) => {
            if (msg.method === 'Inspector.targetCrashed' && msg.sessionId === bombFrame.sessionId) {
                stop();
                resolve(true);
            }
        });
    });
    await app.cdp.send('Inspector.enable', {}, bombFrame.sessionId);
    check(await app.cdp.evaluate(bombFrame.sessionId, 'bomb.start()', 10000) === true, 'the bomb starts');
    const died = await Promise.race([crashed, new Promise((r) => setTimeout(() => r(false), 60000))]);
    check(died, 'the bomb\'s renderer crashed (DevTools: Inspector.targetCrashed)');
    const silent = await app.waitWidget((w) => w.widgetId === bomb.widgetId && w.state === 'unresponsive',
        HANG_DETECTED_WITHIN_MS, 'the bomb\'s tab to say it is not responding');
    check(silent.errorTitle === '“Bomb” is not responding' && /may have crashed/.test(silent.errorText), 'the page says what may have happened', silent);
    check((await app.find('widgetStateReload')).visible && (await app.find('widgetStateClose')).visible, 'Reload and Close are offered');
    let rows = await ctx.auditRows(app.dataDir, ['--widget', bomb.widgetId]);
    check(rows.some((r) => r.action === 'widget_unresponsive' && r.decision === 'failed'), 'the silence is in the audit log',
        rows.map((r) => [r.action, r.decision, r.reason]));

    ctx.phase('the other widget keeps working');
    await app.click(`widgetTab_${probe.widgetId}`);
    let probeFrame = await app.widgetSession(probe.widgetId, otherOrigin);
    let answer = await app.cdp.evaluate(probeFrame.sessionId, 'probe.request("supported_api_versions")', 20000);
    check(answer.ok && answer.response.supported_versions.length > 0, 'the other widget still gets answers', answer);

    ctx.phase('Reload brings the bomb back, unexploded');
    await app.click(`widgetTab_${bomb.widgetId}`);
    await app.waitVisible('widgetStateReload', 10000);
    await app.click('widgetStateReload');
    bombFrame = await app.widgetSession(bomb.widgetId, fixture.origin, 30000, bombFrame.target.targetId);
    await app.waitEval(bombFrame.sessionId, 'window.bomb !== undefined && bomb.state.ready', 30000, 'the reloaded bomb to be ready');
    await app.waitWidget((w) => w.widgetId === bomb.widgetId && w.state === 'ready', 30000, 'the reloaded bomb\'s tab');

    ctx.phase('the renderer of a widget\'s view dies: the crash page');
    await app.click(`widgetTab_${probe.widgetId}`);
    const wrapper = await waitUntil(async () => {
        for (const t of await app.pageTargets()) {
            const s = await app.cdp.attach(t.targetId);
            const src = await app.cdp.evaluate(s, "document.getElementById('widget') ? document.getElementById('widget').src : ''").catch(() => '');
            if (src.includes(`widgetId=${encodeURIComponent(probe.widgetId)}`) || src.includes(`widgetId=${probe.widgetId}`))
                return s;
            await app.cdp.detach(s);
        }
        return null;
    }, 10000, 'the wrapper page of the probe');
    await app.cdp.send('Page.crash', {}, wrapper, 5000).catch(() => {}); // the page dies before it can answer
    const dead = await app.waitWidget((w) => w.widgetId === probe.widgetId && w.state === 'crashed', 30000, 'the crash page');
    check(dead.errorTitle === '“Probe” stopped working', 'the crash page names the widget', dead);
    check(/crashed/.test(dead.errorText), 'the crash page says it crashed', dead);
    check((await app.find('widgetStateReload')).visible, 'Reload is offered', await app.find('widgetStateReload'));
    rows = await ctx.auditRows(app.dataDir, ['--widget', probe.widgetId]);
    const crashAt = rows.findIndex((r) => r.action === 'widget_crashed' && r.decision === 'failed'
        && /renderer process (crashed|was killed|ended abnormally)/.test(r.reason || ''));
    check(crashAt >= 0, 'the crash is in the audit log', rows.map((r) => [r.action, r.decision, r.reason]));
    check(rows.slice(crashAt).some((r) => r.action === 'session_stop'), 'the widget\'s session was closed',
        rows.map((r) => [r.action, r.decision]));

    ctx.phase('Reload brings it back');
    await app.click('widgetStateReload');
    probeFrame = await app.widgetSession(probe.widgetId, otherOrigin, 30000, probeFrame.target.targetId);
    await app.waitWidget((w) => w.widgetId === probe.widgetId && w.state === 'ready', 30000, 'the probe to be ready again');
    answer = await app.waitEval(probeFrame.sessionId, 'probe.state.ready && probe.request("supported_api_versions")', 30000, 'an answer');
    check(answer.ok, 'the reloaded widget gets answers', answer);
    check(app.alive, 'the app is still running');
    await ctx.auditVerify(app.dataDir);
}, { timeoutMs: 220000 });
