// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// A plugin widget seen from another Matrix client. Tessera, configured by an administrator's file
// with the address of the "needs Tessera" page (host/web/needs-tessera/, here served on
// 127.0.0.1), adds a kanban board with "+": the m.widget event points at that page, with the
// plugin, the type and the board's name in the query and the client's language and theme as URL
// template variables; Tessera itself still shows the board from its plugin and never fetches the
// page. Then another client (matrix-widget-api's ClientWidgetApi, as Element embeds a widget, in
// headless Chromium, on another origin) opens that event: the page says, in the client's language
// (Spanish here), that the Kanban board needs Tessera; it negotiates the Widget API asking for no
// capability, and follows the client's theme change. A hostile name in the address is shown as
// text, not markup.

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { HeadlessBrowser } from '../lib/browser.mjs';
import { waitUntil } from '../lib/app.mjs';
import { check, runScenario } from '../lib/scenario.mjs';
import { declineWelcome, waitPrompt } from '../lib/shell.mjs';

const TYPE = 'io.tessera.kanban';

/** Evaluates @p expression in the first child frame of the tab (cross-origin, in the same renderer). */
async function inFrame(browser, tab, expression) {
    const { frameTree } = await browser.cdp.send('Page.getFrameTree', {}, tab.sessionId);
    const child = (frameTree.childFrames || [])[0];
    if (!child)
        return null;
    const { executionContextId } = await browser.cdp.send('Page.createIsolatedWorld',
        { frameId: child.frame.id, worldName: 'e2e-reader' }, tab.sessionId);
    const r = await browser.cdp.send('Runtime.evaluate', { expression, contextId: executionContextId, returnByValue: true },
        tab.sessionId);
    if (r.exceptionDetails)
        throw new Error(`in the frame: ${JSON.stringify(r.exceptionDetails).slice(0, 300)}`);
    return r.result.value;
}

const PAGE_STATE = `JSON.stringify({ title: document.getElementById('title').textContent,
    open: document.getElementById('open').textContent, lang: document.documentElement.lang,
    plugin: document.getElementById('plugin').textContent, type: document.getElementById('type').textContent,
    background: getComputedStyle(document.body).backgroundColor, ready: document.readyState })`;

runScenario('e2e.shell.needs-tessera', async (ctx) => {
    const pluginsDir = ctx.options['plugins-dir'];
    check(pluginsDir, '--plugins-dir (the folder the kanban plugin was built into) is required');
    const pages = await ctx.fixtureServer();
    const page = `${pages.origin}/needs-tessera/`;

    ctx.phase('an administrator\'s file names the page; "+" adds a kanban board');
    await mkdir(ctx.work, { recursive: true });
    const config = path.join(ctx.work, 'tessera-config.json');
    await writeFile(config, JSON.stringify({ plugin_widget_page: page }));
    const app = ctx.app({ args: ['--plugins-dir', pluginsDir, '--config', config] });
    await app.start();
    await declineWelcome(app);
    const roomId = await app.property('', 'currentRoomId');
    const userId = await app.property('', 'userId');
    await app.click('addWidgetButton');
    await app.waitVisible('addWidgetDialog');
    const before = new Set((await app.widgets()).map((w) => w.widgetId));
    await app.click(`addPluginWidget_${TYPE}`);
    await app.click('addWidgetConfirm');
    await app.waitHidden('addWidgetDialog');
    const board = await app.waitWidget((w) => !before.has(w.widgetId) && w.name === 'Kanban board', 20000, 'the kanban widget');

    ctx.phase('the m.widget event points other clients at the page; Tessera shows the board from its plugin');
    const quoted = roomId.replace(/'/g, "''");
    const rows = await ctx.sql(path.join(app.dataDir, 'rooms.db'),
        `SELECT state_key, json FROM state WHERE type = 'm.widget' AND room_id = '${quoted}'`);
    const published = JSON.parse(rows.find((r) => r.state_key === board.widgetId).json).content;
    const expected = `${page}?plugin=io.tessera.kanban&type=${TYPE}&name=Kanban%20board`
        + '&lang=$org.matrix.msc2873.client_language&theme=$org.matrix.msc2873.client_theme';
    check(published.url === expected, 'the published address is the page, with the widget\'s details and the client\'s variables',
        { published: published.url, expected });
    await waitPrompt(app, (p) => p.widgetId === board.widgetId, 'the board (the plugin\'s own page) to ask for its capabilities');
    check(pages.hits('/needs-tessera/').length === 0, 'Tessera never fetched the page meant for other clients', pages.requests);

    ctx.phase('another client opens the widget: in its language, asking for nothing, in its theme');
    const clientPages = await ctx.fixtureServer(); // another origin than the widget's page
    const browser = await new HeadlessBrowser({ workDir: path.join(ctx.work, 'chromium'), log: (m) => ctx.log(m) }).start();
    ctx.defer(() => browser.stop());
    const client = `${clientPages.origin}/widgets/otherclient.html?` + new URLSearchParams({
        widget: JSON.stringify(published), widgetId: board.widgetId, room: roomId, user: '@bea:tessera.test', lang: 'es', theme: 'dark',
    });
    const tab = await browser.open(client);
    const state = await waitUntil(async () => {
        const s = await browser.cdp.evaluate(tab.sessionId, 'JSON.stringify(window.otherClient || null)', 10000).catch(() => null);
        const parsed = s && JSON.parse(s);
        if (parsed && parsed.error)
            throw new Error(`the other client failed: ${parsed.error}`);
        return parsed && parsed.ready ? parsed : null;
    }, 30000, 'the Widget API between the other client and the page to be ready');
    check(Array.isArray(state.requested) && state.requested.length === 0, 'the page asked for no capability', state);
    const url = new URL(state.url);
    check(url.origin === pages.origin && url.searchParams.get('lang') === 'es' && url.searchParams.get('theme') === 'dark',
          'the client filled in its language and theme', state.url);
    const shown = JSON.parse(await waitUntil(() => inFrame(browser, tab, PAGE_STATE).catch(() => null), 15000, 'the page in the frame'));
    ctx.log(`page: ${JSON.stringify(shown)}`);
    check(shown.title === 'Kanban board necesita Tessera' && shown.lang === 'es', 'it says, in Spanish, that the board needs Tessera', shown);
    check(shown.open === 'Abre esta sala en Tessera para usarlo.' && shown.plugin === 'io.tessera.kanban' && shown.type === TYPE,
          'where to open it, and which plugin and type it is', shown);
    check(shown.background === 'rgb(30, 33, 39)', 'in the dark theme the client asked for', shown.background);
    const changed = await browser.cdp.evaluate(tab.sessionId, 'window.changeTheme("light").then((r) => JSON.stringify(r))', 10000);
    check(JSON.stringify(JSON.parse(changed)) === '{}', 'the page accepted the theme change', changed);
    const light = await waitUntil(async () => {
        const s = JSON.parse(await inFrame(browser, tab, PAGE_STATE));
        return s.background === 'rgb(255, 255, 255)' ? s : null;
    }, 5000, 'the page to follow the client to the light theme');
    check(light.title === shown.title, 'and still says the same', light);

    ctx.phase('a hostile name is text, and an unfilled variable falls back to the browser\'s language');
    const hostile = `${page}?plugin=x&type=y&name=${encodeURIComponent('<img src=x onerror="document.title=\'owned\'">')}`
        + '&lang=$org.matrix.msc2873.client_language&theme=$org.matrix.msc2873.client_theme';
    const direct = await browser.open(hostile);
    const seen = await waitUntil(async () => {
        const s = await browser.cdp.evaluate(direct.sessionId, `document.readyState === 'complete' ? JSON.stringify({
            title: document.getElementById('title').textContent, images: document.images.length, doc: document.title,
            lang: document.documentElement.lang }) : null`, 10000).catch(() => null);
        return s && JSON.parse(s);
    }, 15000, 'the page opened directly');
    check(seen.images === 0 && seen.title.startsWith('<img src=x') && seen.title.endsWith('needs Tessera') && seen.doc !== 'owned',
          'the name is shown as text, never run', seen);
    check(seen.lang === 'en', 'the browser\'s own language when the client filled in nothing', seen);
}, { timeoutMs: 120000, options: { 'plugins-dir': { type: 'string' } } });
