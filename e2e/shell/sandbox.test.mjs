// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The sandbox, end to end: a malicious widget (e2e/widgets/evil.js) tries to leave its frame
// (top.location, window.open, parent.document, a form aimed at _top, a <meta http-equiv=refresh>
// in a nested frame) and to fool the host (posting as another widget id, posting from nested
// frames, answering its own request as if it were the host, sending a toWidget request, a 10 MB
// message). The view stays on the wrapper page, nothing opens and nothing is fetched from the
// attacker's landing page, every forged message that reaches the host is refused and audited,
// and the host still answers a normal request afterwards.
//
// The escapes the iframe sandbox stops inside the renderer reach the host as Chromium's console
// reports, and each is audited: top.location and the _top form ("Unsafe attempt to initiate
// navigation"), and a read of the wrapper left uncaught. A read the widget catches leaves no
// report anywhere outside the widget's own renderer, so for it the test proves it had no effect.
// window.open without a click is refused outright; with one it is held for the user, one prompt
// at a time, and the answer is audited. A flood of refusals is limited and counted.

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

    ctx.phase('window.open without a click opens no prompt; an address that is not https: neither; an https: one is held for the user');
    check(!(await app.find('popupPrompt')).visible, 'no prompt for a window.open without a click');
    await app.cdp.evaluate(widget.sessionId, `window.open(location.origin + '/landing?via=http', '_blank'); true`, 10000, { userGesture: true });
    await sleep(500);
    check(!(await app.find('popupPrompt')).visible, 'no prompt for an http: address, even from a click');
    await app.cdp.evaluate(widget.sessionId, `window.open('https://links.example/landing?via=click', '_blank'); true`, 10000, { userGesture: true });
    await app.waitVisible('popupPrompt', 10000);
    check((await app.find('popupUrl')).text === 'https://links.example/landing?via=click', 'the prompt shows the URL', await app.find('popupUrl'));
    check((await app.find('popupDomain')).text === 'links.example', 'the prompt shows the registrable domain', await app.find('popupDomain'));
    await app.cdp.evaluate(widget.sessionId, `window.open('https://links.example/landing?via=swap', '_blank'); true`, 10000, { userGesture: true });
    await sleep(500);
    check((await app.find('popupUrl')).text.includes('/landing?via=click'), 'a second window.open cannot swap the address under the prompt', await app.find('popupUrl'));
    await app.click('popupCancel');
    await app.waitHidden('popupPrompt', 10000);
    check(fixture.hits('/landing').length === 0, 'cancelling opened nothing', fixture.hits('/landing'));

    ctx.phase('a flood of refusals is limited and counted, not lost');
    const beforeFlood = (await ctx.auditRows(app.dataDir, ['--widget', evil.widgetId])).length;
    const flood = 40;
    await app.cdp.evaluate(widget.sessionId, `for (let i = 0; i < ${flood}; ++i) try { top.location = location.origin + '/landing?via=flood' } catch (e) {} true`);
    // The summary row is written once the limit allows one more row (within a second).
    await waitUntil(async () => (await ctx.auditRows(app.dataDir, ['--widget', evil.widgetId]))
        .slice(beforeFlood).some((r) => /^\d+ more of this kind/.test(r.reason || '')), 15000, 'the flood\'s summary row', 500);

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
    refused((r) => r.action === 'popup' && /not started by a click/.test(r.reason || ''), 'window.open without a click');
    refused((r) => r.action === 'popup' && /only https: addresses are opened \(this one is http:\)/.test(r.reason || ''),
        'window.open of an http: address, before any prompt');
    refused((r) => r.action === 'popup' && /another address is waiting/.test(r.reason || ''), 'a second window.open while the prompt shows');
    refused((r) => r.action === 'popup' && /^the user declined/.test(r.reason || ''), 'the user\'s answer to the prompt');
    // top.location and the _top form from the widget's own frame: one report each (the attacks
    // stay under the limit of ten at once).
    const attackRows = rows.slice(0, beforeFlood);
    const fromEvil = attackRows.filter((r) => r.action === 'top_navigation' && r.decision === 'refused' && /evil\.html/.test(r.reason || ''));
    check(fromEvil.length >= 2, 'top.location and the _top form are both audited', summary);
    // The flood: some rows one by one, the rest counted (in a summary row, or with the next row).
    const floodRows = rows.slice(beforeFlood).filter((r) => r.action === 'top_navigation');
    const isSummary = (r) => /^\d+ more of this kind/.test(r.reason || '');
    const countedIn = (r) => { const m = /(\d+) more of this kind/.exec(r.reason || ''); return m ? Number(m[1]) : 0; };
    const accounted = floodRows.filter((r) => !isSummary(r)).length + floodRows.reduce((n, r) => n + countedIn(r), 0);
    check(floodRows.some(isSummary), 'what was over the limit is summed up in a row of its own', floodRows.map((r) => r.reason));
    check(floodRows.filter((r) => !isSummary(r)).length <= 10 + 3, 'the flood is not recorded one by one', floodRows.length);
    check(accounted === flood, `all ${flood} refused navigations are accounted for`, { accounted, rows: floodRows.map((r) => r.reason.slice(0, 80)) });
    refused((r) => r.action === 'top_navigation' && /nested\.html/.test(r.reason || ''), 'top.location from a nested frame');
    refused((r) => r.action === 'cross_origin_access' && /Blocked a frame with origin/.test(r.reason || ''), 'reading parent.document, uncaught');
    check(!rows.some((r) => r.decision === 'allowed' && /evil-(spoofed|fake|to-widget|10mb|nested)/.test(r.request_id || '')),
        'no forged request was allowed', summary);
    await ctx.auditVerify(app.dataDir);
}, { timeoutMs: 180000 });
