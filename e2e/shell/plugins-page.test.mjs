// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The Plugins page and what plugins bring to the shell, in the real application run from its
// build tree without any plugin option: the plugins built there are found (as bundled ones); the
// page shows each one's state, version, ABI and folder and where third-party plugins go; a plugin
// turned off with its switch (a real click) is not loaded at the next start, the page says a
// restart is needed, and turned on again it is back; the icon the kanban plugin registered is
// drawn in its widget tab; started in Spanish, the plugin's own translation names it.

import path from 'node:path';

import { check, runScenario } from '../lib/scenario.mjs';
import { declineWelcome } from '../lib/shell.mjs';
import { waitUntil } from '../lib/app.mjs';

const KANBAN = 'io.tessera.kanban';

runScenario('e2e.shell.plugins-page', async (ctx) => {
    // Pictures of the page to look at: kept where TESSERA_E2E_SCREENSHOTS says, else in the work
    // folder (removed when the scenario passes).
    const shots = process.env.TESSERA_E2E_SCREENSHOTS || path.join(ctx.work, 'screenshots');
    let app = ctx.app();
    const restart = async (args = []) => {
        await app.stop();
        app = ctx.app({ args });
        await app.start();
        return app;
    };
    const kanbanRecord = async () => ((await app.property('', 'plugins')) || []).find((p) => p.id === KANBAN);
    const openPluginsPage = async () => {
        await app.click('page_plugins');
        await app.waitVisible('pluginsPage');
        // With several plugins the kanban's card may be below the list's edge: scrolled to, as a person would.
        return app.scrollIntoView(`pluginCard_${KANBAN}`, 'pluginList');
    };

    ctx.phase('run from the build tree, the plugins built there load without options');
    await app.start();
    await declineWelcome(app);
    let kanban = await kanbanRecord();
    check(kanban && kanban.state === 'running' && kanban.source === 'bundled' && kanban.enabled === true,
          'the kanban plugin is found in the build tree and runs', kanban);

    ctx.phase('the Plugins page shows state, version, ABI and folder');
    await openPluginsPage();
    const details = await app.find(`pluginDetails_${KANBAN}`);
    check(details.text.includes(`Version ${kanban.version}`) && /ABI \d+\.\d+/.test(details.text)
          && details.text.includes('installed with Tessera'), 'the card names version, ABI and where it came from', details);
    check((await app.find(`pluginState_${KANBAN}`)).text === 'Running', 'the card says it runs');
    const help = await app.find('thirdPartyHelp');
    check(help.text.includes(path.join(app.dataDir, 'plugins')) && help.text.includes('--user-plugins'),
          'the page says where third-party plugins go and how else to allow them', help.text);
    check(!(await app.find('pluginRestartNotice')).visible, 'no restart notice before anything changed');
    await app.saveScreenshots(shots, 'plugins-page');

    ctx.phase('turn the kanban plugin off: the page asks for a restart; the next start does not load it');
    await app.scrollIntoView(`pluginSwitch_${KANBAN}`, 'pluginList');
    await app.click(`pluginSwitch_${KANBAN}`);
    await app.waitVisible('pluginRestartNotice');
    // The notice took room above the list: the card moved, and is scrolled to again.
    await app.scrollIntoView(`pluginSwitch_${KANBAN}`, 'pluginList');
    check((await app.property(`pluginSwitch_${KANBAN}`, 'checked')) === false, 'the switch is off');
    await app.saveScreenshots(shots, 'plugins-page-restart');
    await restart();
    kanban = await kanbanRecord();
    check(kanban.state === 'skipped' && kanban.error === 'disabled by the user' && kanban.enabled === false,
          'a plugin turned off is not loaded at the next start', kanban);
    check(!((await app.property('', 'widgetTypes')) || []).some((t) => t.type === KANBAN), '"+" no longer offers the board');
    await openPluginsPage();
    check((await app.find(`pluginState_${KANBAN}`)).text === 'Not loaded', 'the card says it is not loaded');
    check(!(await app.find('pluginRestartNotice')).visible, 'no restart notice: the choice is in effect');

    ctx.phase('turn it on again');
    await app.scrollIntoView(`pluginSwitch_${KANBAN}`, 'pluginList');
    await app.click(`pluginSwitch_${KANBAN}`);
    await app.waitVisible('pluginRestartNotice');
    await restart();
    kanban = await kanbanRecord();
    check(kanban.state === 'running' && kanban.enabled === true, 'turned on again, it loads at the next start', kanban);

    ctx.phase('the icon the plugin registered is drawn in "+" and in the widget tab');
    const type = ((await app.property('', 'widgetTypes')) || []).find((t) => t.type === KANBAN);
    check(type && type.icon.startsWith('image://plugin-icon/'), 'the kanban type has its icon', type);
    await app.click('addWidgetButton');
    await app.waitVisible('addWidgetDialog');
    await app.waitVisible(`addPluginWidget_${KANBAN}`);
    const before = new Set((await app.widgets()).map((w) => w.widgetId));
    await app.click(`addPluginWidget_${KANBAN}`);
    // The type's fields, then Add (it has none to fill in).
    await app.click('addWidgetConfirm');
    await app.waitHidden('addWidgetDialog');
    const board = await app.waitWidget((w) => !before.has(w.widgetId), 20000, 'the kanban widget');
    const icon = `widgetTabIcon_${board.widgetId}`;
    await app.waitVisible(icon);
    // An image has a painted size once the provider read and drew the SVG (none if it failed).
    await waitUntil(async () => (await app.property(icon, 'paintedWidth')) > 0, 10000, 'the tab icon to be drawn');
    await app.saveScreenshots(shots, 'kanban-tab-icon');

    ctx.phase('in Spanish, the plugin\'s translation names it');
    await restart(['--language', 'es']);
    const spanish = ((await app.property('', 'widgetTypes')) || []).find((t) => t.type === KANBAN);
    check(spanish && spanish.name === 'Tablero kanban', 'the type is named in Spanish by the plugin\'s translations/es.json', spanish);
    check((await kanbanRecord()).name === 'Tablero kanban', 'so is the plugin');
    await openPluginsPage();
    await app.saveScreenshots(shots, 'plugins-page-es');
});
