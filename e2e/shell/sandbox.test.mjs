// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The sandbox, end to end: a malicious widget (e2e/widgets/evil.js) tries to leave its frame
// (top.location, window.open, parent.document, a form aimed at _top, a <meta http-equiv=refresh>
// in a nested frame) and to fool the host (posting as another widget id, posting from nested
// frames, answering its own request as if it were the host, sending a toWidget request, a 10 MB
// message). The view stays on the wrapper page, nothing opens and nothing is fetched from the
// attacker's landing page, the window.open is held for the user and audited, every forged
// message that reaches the host is refused and audited, and the host still answers a normal
// request afterwards. The escapes the iframe sandbox stops inside the renderer reach the host
// only as Chromium's console report: top navigation is audited from it; the _top form and
// reading the parent leave no report, so for those the test proves they had no effect.

import { check, runScenario } from '../lib/scenario.mjs';
import { addWidget, declineWelcome } from '../lib/shell.mjs';
import { waitUntil } from '../lib/app.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

runScenario('e2e.shell.sandbox', async (ctx) => {
    const fixture = await ctx.fixtureServer();
    const app = ctx.app({ args: ['--allow-http-loopback'] });

    ctx.phase('start tessera and add the malicious widget');
    await app.start();
    await declineWelcome(app);
    const evilUrl = `${fixture.origin}/widgets/evil.html`;
    const evil = await addWidget(app, evilUrl, 'Evil');
    const widget = await app.widgetSession(evil.widgetId, fixture.origin);
    await app.waitEval(widget.sessionId, 'window.evil !== undefined && evil.state.ready', 30000, 'the Widget API to be ready in the malicious widget');
    const widgetHref = await app.cdp.evaluate(widget.sessionId, 'location.href');

    const pagesBefore = await app.pageTargets();
    check(pagesBefore.length > 0 && pagesBefore.every((t) => t.url.startsWith('tessera://app/wrapper.html?')),
        'only wrapper pages before the attack', pagesBefore.map((t) => t.url));
    const wrapper = await waitUntil(async () => {
        for (const t of await app.pageTargets()) {
            const s = await app.cdp.attach(t.targetId);
            const src = await app.cdp.evaluate(s, "document.getElementById('widget') ? document.getElementById('widget').src : ''").catch(() => '');
            if (src.includes(`widgetId=${evil.widgetId}`))
                return { target: t, sessionId: s };
            await app.cdp.detach(s);
        }
        return null;
    }, 10000, 'the wrapper page of the malicious widget');

    ctx.phase('run the attacks');
    const state = await app.cdp.evaluate(widget.sessionId, 'evil.run()', 90000);
    await sleep(1500); // let anything that escaped land
    const attempt = (name) => state.attempts.find((a) => a.name === name) || {};

    ctx.phase('the view is still on the wrapper, nothing opened, nothing fetched');
    const pagesAfter = await app.pageTargets();
    check(pagesAfter.length === pagesBefore.length && pagesAfter.every((t) => pagesBefore.some((b) => b.targetId === t.targetId && b.url === t.url)),
        'the same wrapper pages, at the same URLs, and no new window', { before: pagesBefore.map((t) => t.url), after: pagesAfter.map((t) => t.url) });
    const wrapperHref = await app.cdp.evaluate(wrapper.sessionId, 'location.href');
    check(wrapperHref === wrapper.target.url, 'the wrapper page did not navigate', wrapperHref);
    const frameSrc = await app.cdp.evaluate(wrapper.sessionId, "document.getElementById('widget').src");
    check(frameSrc.startsWith(evilUrl), 'the wrapper still frames the widget', frameSrc);
    check(state.location === widgetHref, 'the widget frame itself did not navigate', state.location);
    check(fixture.hits('/landing').length === 0, 'nothing reached the attacker\'s landing page', fixture.hits('/landing'));
    check(app.alive, 'the app is still running');

    ctx.phase('what the widget saw');
    check(attempt('top.location').threw === true, 'setting top.location throws', attempt('top.location'));
    check(attempt('parent.document').threw === true, 'reading parent.document throws', attempt('parent.document'));
    check(attempt('top.qt').threw === true || attempt('top.qt').result === 'undefined', 'the WebChannel transport is out of reach', attempt('top.qt'));
    for (const via of ['refresh', 'post']) {
        const nested = state.nested[via];
        check(nested, `the nested frame (${via}) ran`, state.nested);
        const top = nested.attempts.find((a) => a.name === 'top.location');
        check(top && top.threw === true, `the nested frame (${via}) cannot navigate the top frame`, nested);
        check(nested.topQt === undefined || nested.topQt === 'undefined', `the nested frame (${via}) cannot reach the transport`, nested);
    }
    const forged = state.repliesSeen.filter((r) => r.response && !r.response.error);
    check(forged.length === 0, 'no forged request got a successful answer', state.repliesSeen);
    check(state.final && state.final.ok === true && Array.isArray(state.final.versions) && state.final.versions.length > 0,
        'the host still answers supported_api_versions afterwards', state.final);

    ctx.phase('the window.open is held for the user and audited');
    await app.waitVisible('popupPrompt', 10000);
    check((await app.find('popupUrl')).text.includes('/landing'), 'the prompt shows the URL', await app.find('popupUrl'));
    await app.click('popupCancel');
    await app.waitHidden('popupPrompt', 10000);
    check(fixture.hits('/landing').length === 0, 'cancelling opened nothing', fixture.hits('/landing'));

    ctx.phase('every forged message is refused and audited');
    const rows = await ctx.auditRows(app.dataDir, ['--widget', evil.widgetId]);
    const summary = rows.map((r) => ({ action: r.action, decision: r.decision, request_id: r.request_id, size: r.size, reason: r.reason }));
    const refused = (pred, what) => {
        const row = rows.find((r) => (r.decision === 'refused' || r.decision === 'dropped') && pred(r));
        check(row, `audited as refused: ${what}`, summary);
        return row;
    };
    refused((r) => r.request_id === 'evil-spoofed-id', 'posting as another widget id');
    refused((r) => r.request_id === 'evil-fake-reply', 'answering its own request as the host');
    refused((r) => r.request_id === 'evil-to-widget', 'sending a toWidget request');
    refused((r) => (r.size || 0) >= 10 * 1000 * 1000, 'the 10 MB message');
    const wrongSource = rows.filter((r) => r.decision === 'dropped' && /wrong-source/.test(r.reason || ''));
    check(wrongSource.length >= 2, 'both nested frames\' posts are refused as coming from the wrong window', summary);
    refused((r) => r.action === 'popup', 'window.open');
    refused((r) => r.action === 'top_navigation', 'top.location, stopped by the frame sandbox');
    check(!rows.some((r) => r.decision === 'allowed' && /evil-(spoofed|fake|to-widget|10mb|nested)/.test(r.request_id || '')),
        'no forged request was allowed', summary);
    await ctx.auditVerify(app.dataDir);
}, { timeoutMs: 180000 });
