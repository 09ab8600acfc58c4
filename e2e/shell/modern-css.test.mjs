// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// A widget written the way widgets are written today (e2e/widgets/modern.html: container
// queries, :has(), CSS nesting, color-mix()) in the real application. On an engine at or above
// Tessera's documented minimum (Chromium 112: Qt 6.8 on Debian 13) its computed layout must be the
// one its author meant. On an older engine (Qt 6.4: Chromium 102) the scenario reports what broke
// instead of failing, and checks that Tessera said so once: at the first start, not the next.
// Either way the About page names the Qt and Chromium versions the application runs on.

import { check, runProcess, runScenario } from '../lib/scenario.mjs';
import { addWidget, declineWelcome } from '../lib/shell.mjs';

runScenario('e2e.shell.modern-css', async (ctx) => {
    const fixture = await ctx.fixtureServer();
    const app = ctx.app({ args: ['--allow-http-loopback'] });

    ctx.phase('what tessera --version says');
    const { code, stdout } = await runProcess(ctx.tesseraBinary, ['--version'], 30000);
    check(code === 0, 'tessera --version exits 0', stdout);
    const minimum = Number((/^Minimum Chromium for widgets: (\d+)$/m.exec(stdout) || [])[1]);
    const qt = (/^Qt (\S+)/m.exec(stdout) || [])[1];
    check(qt && minimum > 0, 'tessera --version names Qt and the minimum Chromium for widgets', stdout);

    ctx.phase('start tessera');
    await app.start();
    await declineWelcome(app);
    const engine = await app.property('', 'engineVersions');
    check(engine && engine.chromiumMajor > 0 && engine.qt === qt, 'the running engine reports its versions', engine);
    const old = engine.chromiumMajor < minimum;
    const notice = await app.property('', 'engineNotice');
    check(old ? notice.includes(`Chromium ${engine.chromiumMajor}`) && notice.includes(String(minimum)) : notice === '',
        old ? 'an engine below the minimum is named in a notice at the first start' : 'a current engine gets no notice',
        notice);

    ctx.phase('the About page names Qt and Chromium');
    await app.click('page_settings');
    await app.waitVisible('settingsPage');
    const about = await app.waitVisible('aboutVersions');
    check(about.text.includes(`Qt ${qt}`) && about.text.includes(`Chromium ${engine.chromium}`),
        'the About section names the Qt and Chromium versions', about.text);
    await app.click('pageBack');

    ctx.phase('open the modern widget');
    const widget = await addWidget(app, `${fixture.origin}/widgets/modern.html`, 'Lobby');
    const { sessionId } = await app.widgetSession(widget.widgetId, `${fixture.origin}/widgets/modern.html`);
    const m = await app.waitEval(sessionId, 'typeof measure === "function" && measure()', 20000, 'the lobby to load');
    ctx.log(`Chromium ${m.chromiumMajor} (minimum ${minimum}): ${JSON.stringify(m)}`);
    check(m.chromiumMajor === engine.chromiumMajor, 'the widget runs on the engine Tessera reports', m);

    const expectations = [
        ['container queries lay out the Join button across the lobby',
            m.join.height === 48 && m.join.width >= 200 && m.join.width === m.lobbyWidth - 32],
        [':has() marks the tile whose box is checked', m.checkedTileBorder === 'rgb(0, 128, 0)' && m.uncheckedTileBorder !== m.checkedTileBorder],
        ['CSS nesting applies the nested rule', m.titleFontSize === '24px'],
        ['color-mix() mixes the tile colour', m.tileBackground === 'rgb(128, 0, 128)'],
    ];
    if (old) {
        // Reported, not failed: this is the engine Debian 12 ships.
        for (const [what, ok] of expectations)
            ctx.log(`${ok ? 'works' : 'BROKEN'} on Chromium ${m.chromiumMajor}: ${what}`);
        ctx.log(`the Join button is ${m.join.width}x${m.join.height} px`);
    } else {
        for (const [what, ok] of expectations)
            check(ok, what, m);
        check(m.supports.containerQueries && m.supports.has && m.supports.colorMix, 'the engine says it supports them', m.supports);
    }

    ctx.phase('the notice is said once');
    await app.stop();
    await app.start();
    check(await app.property('', 'engineNotice') === '', 'no notice at the next start', await app.property('', 'engineNotice'));
});
