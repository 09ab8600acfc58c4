// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The kanban benchmark: a 1,000-card board against a 100-card board (the named peer), in the same
// script, the same Tessera and the same homeserver, alternating.
//
//   node bench/kanban/kanban_bench.mjs --tessera BUILD/host/app/tessera
//        --homeserver-bin BUILD/e2e/homeserver/tessera-test-homeserver --modules BUILD/e2e/shell/node
//        --work DIR --plugins-dir BUILD/lib/tessera/plugins [--runs 3]
//   (bench/kanban/run.sh BUILD_DIR [RUNS] fills these in; `ninja bench-kanban` runs it)
//
// Each run, for each board: Tessera starts on its data directory (signed in once, the board's
// consent remembered), opens the board's room, and the page's own User Timing marks say when
// the board was first shown from the kanban's database on this device ("from device", absent
// on the very first open) and when it was shown as the room has it ("from room"), both in ms
// since the page's navigation began. Then a scripted drag with real DevTools mouse input (press,
// 90 moves 16 ms apart from the first card of To do down through Doing to Done, release) while a
// requestAnimationFrame loop in the page records every frame interval. Printed: medians over the
// runs (the first open without a database copy apart), frame-interval median, 95th percentile and
// maximum, frames over 50 ms, and the ratio 1,000 cards / 100 cards. Not part of ctest: it
// measures, it does not test.

import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { waitUntil } from '../../e2e/lib/app.mjs';
import { WidgetPointer } from '../../e2e/lib/pointer.mjs';
import { check, runScenario } from '../../e2e/lib/scenario.mjs';
import { answerPrompt, openRoom, signInWithPassword, waitPrompt } from '../../e2e/lib/shell.mjs';

const SERVER_NAME = 'tessera.test';
const PASSWORD = 'correct horse';
const PAGE = 'tessera-plugin://io.tessera.kanban/';
const BOARDS = [{ name: 'Small', cards: 100, widget: 'board_small' }, { name: 'Large', cards: 1000, widget: 'board_large' }];

function seedRoom({ name, cards, widget }) {
    const columns = ['todo', 'doing', 'done'];
    const state = [
        { type: 'io.tessera.plugin', state_key: 'io.tessera.kanban', content: { enabled: true, config: {} } },
        { type: 'm.widget', state_key: widget, content: { type: 'io.tessera.kanban', url: 'https://tessera.invalid/plugin-widget',
                                                          name: `${name} board`, data: {}, creatorUserId: `@alice:${SERVER_NAME}`, id: widget } },
        { type: 'io.tessera.kanban.board', state_key: widget, content: { version: 2, columns: columns.map((id) => ({ id })) } },
    ];
    for (let i = 0; i < cards; i++) {
        // Positions of equal width, in order within each column (as a migrated board has them).
        const n = Math.floor(i / 3) + 1;
        const position = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'[Math.floor(n / 62) + 1]
            + '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'[n % 62];
        state.push({ type: 'io.tessera.kanban.card', state_key: `c${i}`, content: {
            version: 2, board: widget, title: `Card ${i + 1}: ${'a task with a title of usual length'.slice(0, 20 + (i % 15))}`,
            description: '', column: columns[i % 3], position: position.replace(/0+$/, '') || '1', assignee: null, labels: [],
            updated_by: `@alice:${SERVER_NAME}`, updated_at: 1700000000000, base: '' } });
    }
    return { creator: 'alice', alias: widget, name, preset: 'private_chat', power_level_content_override: { state_default: 0 }, state };
}

const median = (xs) => {
    const s = xs.slice().sort((a, b) => a - b);
    return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const pct = (xs, p) => {
    const s = xs.slice().sort((a, b) => a - b);
    return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '–');

runScenario('bench.kanban', async (ctx) => {
    const pluginsDir = ctx.options['plugins-dir'];
    const runs = Number(ctx.options.runs || 3);
    check(pluginsDir, '--plugins-dir is required');
    const load = os.loadavg();
    ctx.phase(`seed a 100-card and a 1,000-card board (load average ${load.map((l) => l.toFixed(2)).join(' ')})`);
    const seed = path.join(ctx.work, 'seed.json');
    await writeFile(seed, JSON.stringify({ users: [{ user: 'alice', password: PASSWORD }], rooms: BOARDS.map(seedRoom) }));
    const hs = await ctx.homeserver(['--server-name', SERVER_NAME, '--seed', seed]);
    const args = ['--homeserver', hs.baseUrl, '--allow-http-loopback', '--plugins-dir', pluginsDir];
    const figures = Object.fromEntries(BOARDS.map((b) => [b.name, { firstOpen: [], fromDevice: [], fromRoom: [], frames: [], drops: [] }]));

    let signedIn = false;
    const consented = new Set();
    for (let run = 0; run < runs; run++) {
        for (const board of run % 2 ? BOARDS.slice().reverse() : BOARDS) {
            ctx.phase(`run ${run + 1}: the ${board.cards}-card board`);
            const app = ctx.app({ name: `run${run}-${board.name}`, dataName: 'data', args });
            await app.start();
            if (!signedIn) {
                await signInWithPassword(app, 'alice', PASSWORD);
                signedIn = true;
            }
            await openRoom(app, board.name);
            await app.waitWidget((w) => w.widgetId === board.widget, 30000, 'the board widget');
            if ((await app.property('', 'activeWidgetId')) !== board.widget)
                await app.click(`widgetTab_${board.widget}`);
            if (!consented.has(board.widget)) {
                const { prompt } = await waitPrompt(app, (p) => p.widgetId === board.widget, 'the consent prompt');
                await answerPrompt(app, prompt.promptId, { approve: true, remember: true });
                consented.add(board.widget);
            }
            const page = await app.widgetSession(board.widget, PAGE, 60000);
            const marks = JSON.parse(await app.waitEval(page.sessionId, `document.querySelectorAll('.card').length === ${board.cards}
                && performance.getEntriesByName('kanban-shown-from-room').length > 0
                && JSON.stringify(Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, m.startTime])))`,
            120000, `the ${board.cards} cards`));
            const f = figures[board.name];
            if (marks['kanban-shown-from-device'] === undefined)
                f.firstOpen.push(marks['kanban-shown-from-room']);
            else {
                f.fromDevice.push(marks['kanban-shown-from-device']);
                f.fromRoom.push(marks['kanban-shown-from-room']);
            }

            // A scripted drag with real mouse input, frames recorded by the page's own rAF.
            await app.cdp.evaluate(page.sessionId, `(() => { window.__frames = []; let last = 0; window.__recording = true;
                const tick = (t) => { if (last) window.__frames.push(t - last); last = t; if (window.__recording) requestAnimationFrame(tick); };
                requestAnimationFrame(tick); return true; })()`);
            const pointer = await WidgetPointer.attach(app, board.widget, page.sessionId);
            await pointer.mouseDrag(`document.querySelector('.column[data-column="todo"] .card .card-title')`,
                                    `document.querySelector('.column[data-column="done"] .cards')`, { steps: 90, pauseMs: 16 });
            await app.waitEval(page.sessionId, `!/…/.test(document.getElementById('status').textContent)`, 60000, 'the move saved');
            const frames = JSON.parse(await app.cdp.evaluate(page.sessionId, 'window.__recording = false, JSON.stringify(window.__frames)'));
            f.frames.push(...frames);
            f.drops.push(frames.filter((d) => d > 50).length);
            ctx.log(`  marks ${JSON.stringify(marks)}; ${frames.length} frames, p95 ${f1(pct(frames, 95))} ms, max ${f1(Math.max(...frames))} ms`);
            await app.stop();
        }
    }

    const row = (label, s, l, unit = 'ms') => `| ${label} | ${f1(s)} ${unit} | ${f1(l)} ${unit} | ${f1(l / s)} |`;
    const S = figures.Small;
    const L = figures.Large;
    console.log(`\nKanban board, ${runs} runs each, load average at start ${load.map((x) => x.toFixed(2)).join(' ')}, ` +
                `at end ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    console.log('| | 100 cards (peer) | 1,000 cards | ratio |');
    console.log('|---|---|---|---|');
    console.log(row('first open, shown as the room has it (no copy on the device yet)', median(S.firstOpen), median(L.firstOpen)));
    console.log(row('open, shown from the database on the device (median)', median(S.fromDevice), median(L.fromDevice)));
    console.log(row('open, then shown as the room has it (median)', median(S.fromRoom), median(L.fromRoom)));
    console.log(row('frame interval during the drag, median', median(S.frames), median(L.frames)));
    console.log(row('frame interval during the drag, 95th percentile', pct(S.frames, 95), pct(L.frames, 95)));
    console.log(row('frame interval during the drag, maximum', Math.max(...S.frames), Math.max(...L.frames)));
    console.log(row('frames over 50 ms per drag (median)', median(S.drops), median(L.drops), 'frames'));
    await waitUntil(async () => true, 10, 'nothing');
}, { timeoutMs: 1500000, options: { 'plugins-dir': { type: 'string' }, runs: { type: 'string' } } });
