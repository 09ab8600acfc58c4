// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// Refusals that used to leave no trace, on the real binary: a widget frame sent to another origin
// or to one of Tessera's own pages is stopped by the wrapper's policy and audited; a plugin page
// asking for files outside its plugin's folder (an encoded "..", a symlink out) gets nothing and
// each request is audited; nothing of what lies outside reaches the page.

import { cp, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { check, runScenario } from '../lib/scenario.mjs';
import { addWidget, declineWelcome, probeUrl } from '../lib/shell.mjs';
import { waitUntil } from '../lib/app.mjs';

const KANBAN = 'io.tessera.kanban';
const PAGE = `tessera-plugin://${KANBAN}/`;
const SECRET = 'a file outside the plugin folder';

/** A copy of the built kanban plugin in a folder of our own, with a symlink out of its assets. */
async function pluginsWithALeak(ctx, builtDir) {
    const mine = path.join(ctx.work, 'plugins');
    let copied = null;
    for (const name of await readdir(builtDir)) {
        const manifest = path.join(builtDir, name, 'plugin.json');
        const id = await readFile(manifest, 'utf8').then((t) => JSON.parse(t).id).catch(() => null);
        if (id === KANBAN) {
            copied = path.join(mine, name);
            await cp(path.join(builtDir, name), copied, { recursive: true });
        }
    }
    check(copied, `the kanban plugin is in ${builtDir}`);
    const assets = JSON.parse(await readFile(path.join(copied, 'plugin.json'), 'utf8')).assets;
    const secret = path.join(ctx.work, 'secret.txt');
    await writeFile(secret, SECRET);
    await symlink(secret, path.join(copied, assets, 'leak.txt'));
    return mine;
}

/** Loads @p url as an image in the page of @p sessionId: 'loaded' or 'error', never throws. */
function load(app, sessionId, url) {
    return app.cdp.evaluate(sessionId, `new Promise((resolve) => {
        const img = new Image();
        img.onload = () => resolve('loaded');
        img.onerror = () => resolve('error');
        img.src = ${JSON.stringify(url)};
    })`);
}

runScenario('e2e.shell.refusals', async (ctx) => {
    const builtDir = ctx.options['plugins-dir'];
    check(builtDir, '--plugins-dir (the folder the kanban plugin was built into) is required');
    const plugins = await pluginsWithALeak(ctx, builtDir);
    const fixture = await ctx.fixtureServer();
    const app = ctx.app({ args: ['--allow-http-loopback', '--plugins-dir', plugins] });
    ctx.phase('start tessera on the local rooms');
    await app.start();
    await declineWelcome(app);

    ctx.phase('a widget frame sent to another origin is stopped and audited');
    const leaver = await addWidget(app, probeUrl(fixture), 'Leaver');
    const leaverFrame = await app.widgetSession(leaver.widgetId, fixture.origin);
    const elsewhere = `http://localhost:${fixture.port}/landing?via=frame`;
    await app.cdp.evaluate(leaverFrame.sessionId, `setTimeout(() => { location.href = ${JSON.stringify(elsewhere)} }, 0); true`);
    const navRows = await waitUntil(async () => {
        const rows = await ctx.auditRows(app.dataDir, ['--widget', leaver.widgetId, '--action', 'frame_navigation']);
        return rows.length > 0 ? rows : null;
    }, 15000, 'the refused frame navigation in the audit log', 500);
    check(navRows.length === 1 && navRows[0].decision === 'refused' && navRows[0].category === 'navigation',
        'one refused navigation row', navRows);
    check(navRows[0].reason.includes(`http://localhost:${fixture.port}`) && navRows[0].reason.includes(fixture.origin),
        'it names where the frame was sent and the widget\'s origin', navRows[0].reason);
    check(fixture.hits('/landing').length === 0, 'the other origin was never asked for the page', fixture.hits('/landing'));

    ctx.phase('a widget frame sent to one of Tessera\'s own pages is stopped and audited');
    const intruder = await addWidget(app, probeUrl(fixture, [], { n: '2' }), 'Intruder');
    const intruderFrame = await app.widgetSession(intruder.widgetId, fixture.origin);
    await app.cdp.evaluate(intruderFrame.sessionId, `setTimeout(() => { location.href = 'tessera://app/wrapper.html?view=x' }, 0); true`);
    const ownRows = await waitUntil(async () => {
        const rows = await ctx.auditRows(app.dataDir, ['--widget', intruder.widgetId, '--action', 'frame_navigation']);
        return rows.length > 0 ? rows : null;
    }, 15000, 'the refused navigation to tessera://app in the audit log', 500);
    // Chromium's policy report names an address of a scheme without origins by its scheme only.
    check(ownRows[0].decision === 'refused' && ownRows[0].reason.includes('the tessera: scheme'), 'the row names Tessera\'s scheme', ownRows);

    ctx.phase('a plugin page asking for files outside its folder gets nothing, and each request is audited');
    await app.click('addWidgetButton');
    await app.waitVisible(`addPluginWidget_${KANBAN}`);
    const before = new Set((await app.widgets()).map((w) => w.widgetId));
    await app.click(`addPluginWidget_${KANBAN}`);
    // The type's fields, then Add (it has none to fill in).
    await app.click('addWidgetConfirm');
    await app.waitHidden('addWidgetDialog');
    const board = await app.waitWidget((w) => !before.has(w.widgetId) && w.name === 'Kanban board', 20000, 'the kanban widget');
    const page = await app.widgetSession(board.widgetId, PAGE);
    check(await load(app, page.sessionId, `${PAGE}icon.svg`) === 'loaded', 'a file of the plugin loads');
    const escapes = [`${PAGE}..%2f..%2fplugin.json`, `${PAGE}web%2f..%2f..%2f..%2fsecret.txt`, `${PAGE}leak.txt`];
    for (const url of escapes)
        check(await load(app, page.sessionId, url) === 'error', `${url} gave the page nothing`);
    const assetRows = await waitUntil(async () => {
        const rows = await ctx.auditRows(app.dataDir, ['--action', 'plugin_asset']);
        return rows.length >= escapes.length ? rows : null;
    }, 15000, 'the refused asset requests in the audit log', 500);
    const reasons = assetRows.map((r) => r.reason);
    check(assetRows.every((r) => r.decision === 'refused' && r.category === 'navigation'), 'each is a refused row', assetRows);
    check(reasons.every((r) => r.includes(KANBAN) && r.includes(PAGE.slice(0, -1))), 'each names the plugin and the page that asked', reasons);
    check(reasons.some((r) => r.includes('..%2f..%2fplugin.json') || r.includes('..%2F..%2Fplugin.json')), 'the encoded ".." is named', reasons);
    check(reasons.some((r) => r.includes('leak.txt') && r.includes('leads out of the assets directory')), 'the symlink out is named', reasons);
    const text = await app.cdp.evaluate(page.sessionId, 'document.documentElement.outerHTML');
    check(!text.includes(SECRET), 'nothing from outside the folder is in the page');
    await ctx.auditVerify(app.dataDir);
}, { options: { 'plugins-dir': { type: 'string' } } });
