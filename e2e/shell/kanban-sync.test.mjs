// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// Two people edit one kanban board at once, each in their own Tessera, on the test homeserver.
// Cards are moved with real keyboard input (DevTools key events through the browser's input
// pipeline into the widget frame). Moves of different cards are both kept; moves of the same card
// converge on one place (the room's order), with no card lost or duplicated, and whoever lost is
// told; moves made while the server is down wait in the kanban's database (the plugin's SQLite
// file) and are sent in order when it is back; both boards end identical to the room. After a
// restart, the board is shown from that database before the first sync has answered.

import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import { waitUntil } from '../lib/app.mjs';
import { WidgetPointer } from '../lib/pointer.mjs';
import { check, runScenario } from '../lib/scenario.mjs';
import { answerPrompt, openRoom, signInWithPassword, waitPrompt } from '../lib/shell.mjs';

const SERVER_NAME = 'tessera.test';
const PASSWORD = 'correct horse';
const BOARD = 'team_board';
const PAGE = 'tessera-plugin://io.tessera.kanban/';
const CARD = 'io.tessera.kanban.card';
const ALICE = `@alice:${SERVER_NAME}`;
const BOB = `@bob:${SERVER_NAME}`;

/** The titles of the cards in each column, as a page shows them. */
const COLUMNS_JS = `JSON.stringify(Array.from(document.querySelectorAll('.column')).map((c) => [c.dataset.column,
    Array.from(c.querySelectorAll('.card-title')).map((t) => t.textContent)]))`;
const SETTLED_JS = `!/…|Offline|Sin conexión/.test(document.getElementById('status').textContent)`;

function card(title, column, position) {
    return { version: 2, board: BOARD, title, description: '', column, position, assignee: null, labels: [],
             updated_by: ALICE, updated_at: 1700000000000, base: '' };
}

runScenario('e2e.shell.kanban-sync', async (ctx) => {
    const pluginsDir = ctx.options['plugins-dir'];
    check(pluginsDir, '--plugins-dir (the folder the kanban plugin was built into) is required');

    ctx.phase('a room with a kanban board of three cards, for Alice and Bob');
    const seed = path.join(ctx.work, 'seed.json');
    await writeFile(seed, JSON.stringify({
        users: [{ user: 'alice', password: PASSWORD, displayname: 'Alice' }, { user: 'bob', password: PASSWORD, displayname: 'Bob' }],
        rooms: [{
            creator: 'alice', alias: 'board', name: 'Board', preset: 'public_chat', join: ['bob'],
            power_level_content_override: { state_default: 0 },
            state: [
                { type: 'io.tessera.plugin', state_key: 'io.tessera.kanban', content: { enabled: true, config: {} } },
                { type: 'm.widget', state_key: BOARD, content: { type: 'io.tessera.kanban', url: 'https://tessera.invalid/plugin-widget',
                                                                 name: 'Team board', data: {}, creatorUserId: ALICE, id: BOARD } },
                { type: 'io.tessera.kanban.board', state_key: BOARD, content: { version: 2, columns: [{ id: 'todo' }, { id: 'doing' }, { id: 'done' }] } },
                { type: CARD, state_key: 'alpha', content: card('Alpha', 'todo', 'F') },
                { type: CARD, state_key: 'beta', content: card('Beta', 'todo', 'V') },
                { type: CARD, state_key: 'gamma', content: card('Gamma', 'doing', 'V') },
            ],
        }],
    }));
    const hs = await ctx.homeserver(['--server-name', SERVER_NAME, '--seed', seed]);
    const faults = (rule) => (rule ? hs.request('POST', '/_tessera_test/faults', { body: rule }) : hs.request('DELETE', '/_tessera_test/faults'));
    /** The room's latest card events, as the server stored them: {id: event}. */
    const roomCards = async () => {
        const latest = {};
        for (const e of await hs.roomEvents('#board:' + SERVER_NAME, CARD))
            latest[e.state_key] = e;
        return latest;
    };
    const args = ['--homeserver', hs.baseUrl, '--allow-http-loopback', '--plugins-dir', pluginsDir];

    /** Starts one person's Tessera on the board and returns its page and pointer. */
    async function open(name, user, { dataName = name, signIn = true } = {}) {
        const app = ctx.app({ name, dataName, args });
        await app.start();
        if (signIn)
            await signInWithPassword(app, user, PASSWORD);
        await openRoom(app, 'Board');
        await app.waitWidget((w) => w.widgetId === BOARD, 20000, `${name}: the board widget`);
        if ((await app.property('', 'activeWidgetId')) !== BOARD)
            await app.click(`widgetTab_${BOARD}`);
        if (signIn) {
            const { prompt } = await waitPrompt(app, (p) => p.widgetId === BOARD, `${name}: the board to ask for consent`);
            await answerPrompt(app, prompt.promptId, { approve: true, remember: true });
        }
        const page = await app.widgetSession(BOARD, PAGE);
        // Whatever else the board asks (a widget someone else added may ask in two steps), approved.
        await waitUntil(async () => {
            const rows = await app.model('consentPrompts');
            if (rows.length > 0 && rows[0].widgetId === BOARD && (await app.find('consentDialog')).visible)
                await answerPrompt(app, rows[0].promptId, { approve: true, remember: true });
            return app.cdp.evaluate(page.sessionId, `document.getElementById('notice').hidden`);
        }, 30000, `${name}: the board to have its answer`);
        const pointer = await WidgetPointer.attach(app, BOARD, page.sessionId);
        return { name, app, page, pointer, columns: async () => JSON.parse(await app.cdp.evaluate(page.sessionId, COLUMNS_JS)) };
    }

    /** Focuses a card with a real click, then moves it with Alt and an arrow key. */
    async function keyMove(who, title, key) {
        // The other person's move may shift the cards between finding this one and clicking it:
        // then the click lands elsewhere, and is made again where the card is now.
        const focused = `document.activeElement && document.activeElement.classList.contains('card')
            && document.activeElement.querySelector('.card-title').textContent === ${JSON.stringify(title)}`;
        for (let attempt = 1; ; attempt++) {
            const at = await who.pointer.toPage(await who.pointer.centre(
                `Array.from(document.querySelectorAll('.card')).find((c) => c.querySelector('.card-title').textContent === ${JSON.stringify(title)}).querySelector('.card-title')`));
            await who.pointer.mouse('mousePressed', at, 1);
            await who.pointer.mouse('mouseReleased', at, 0);
            try {
                await who.app.waitEval(who.page.sessionId, focused, 2000, `${who.name}: ${title} focused`);
                break;
            } catch (e) {
                if (attempt === 3)
                    throw e;
            }
        }
        const code = { ArrowLeft: 37, ArrowRight: 39 }[key];
        await who.pointer.key(key, key, code, 1 /* Alt */);
    }

    /** Waits until both pages show @p expected, with nothing waiting to be sent. */
    async function bothShow(people, expected, what) {
        for (const who of people)
            await who.app.waitEval(who.page.sessionId, `${COLUMNS_JS} === ${JSON.stringify(JSON.stringify(expected))} && ${SETTLED_JS}`,
                                   60000, `${who.name}: ${what}`);
    }

    ctx.phase('Alice and Bob open the board');
    const alice = await open('alice', 'alice');
    const bob = await open('bob', 'bob');
    const start = [['todo', ['Alpha', 'Beta']], ['doing', ['Gamma']], ['done', []]];
    await bothShow([alice, bob], start, 'the seeded board');

    ctx.phase('different cards at once: both moves are kept');
    await Promise.all([keyMove(alice, 'Alpha', 'ArrowRight'), keyMove(bob, 'Beta', 'ArrowRight')]);
    const afterDifferent = await waitUntil(async () => {
        const cards = await roomCards();
        return cards.alpha.content.column === 'doing' && cards.beta.content.column === 'doing' ? cards : null;
    }, 30000, 'both moves in the room');
    check(afterDifferent.alpha.sender === ALICE && afterDifferent.beta.sender === BOB, 'each by its mover', afterDifferent);
    const doing = ['Gamma', 'Alpha', 'Beta'].sort((a, b) => {
        const p = (t) => [afterDifferent[t.toLowerCase()].content.position, t.toLowerCase()];
        return p(a)[0] < p(b)[0] ? -1 : p(a)[0] > p(b)[0] ? 1 : p(a)[1] < p(b)[1] ? -1 : 1;
    });
    await bothShow([alice, bob], [['todo', []], ['doing', doing], ['done', []]], 'both moves');

    ctx.phase('the same card at once: one place on both boards, no card lost or duplicated, the loser told');
    const eventsBefore = (await hs.roomEvents('#board:' + SERVER_NAME, CARD)).length;
    await Promise.all([keyMove(alice, 'Gamma', 'ArrowLeft'), keyMove(bob, 'Gamma', 'ArrowRight')]);
    const gammaEvents = await waitUntil(async () => {
        const events = (await hs.roomEvents('#board:' + SERVER_NAME, CARD)).slice(eventsBefore).filter((e) => e.state_key === 'gamma');
        return events.length === 2 ? events : null;
    }, 30000, 'both moves of Gamma in the room');
    const [firstMove, lastMove] = gammaEvents;
    const won = lastMove.content.column;
    check(['todo', 'done'].includes(won) && firstMove.sender !== lastMove.sender, 'one move each, the room ordered them', gammaEvents);
    const final = JSON.parse(await alice.app.waitEval(alice.page.sessionId,
        `${COLUMNS_JS}.includes(${JSON.stringify(JSON.stringify(won === 'todo' ? ['todo', ['Gamma']] : ['done', ['Gamma']]).slice(1, -1))}) && ${SETTLED_JS} && ${COLUMNS_JS}`,
        30000, 'Alice: Gamma where the room put it last'));
    await bothShow([alice, bob], final, 'the same board');
    check(final.flatMap(([, titles]) => titles).sort().join() === 'Alpha,Beta,Gamma', 'three cards, none lost or duplicated', final);
    const loser = lastMove.sender === ALICE ? bob : alice;
    const winner = loser === alice ? bob : alice;
    if (lastMove.content.base !== firstMove.event_id) {
        const said = await loser.app.waitEval(loser.page.sessionId,
            `!document.getElementById('conflicts').hidden && document.getElementById('conflicts-text').textContent`, 10000, `${loser.name}: the conflict said`);
        check(said === `Your move of “Gamma” was overridden by ${lastMove.sender}.`, 'the person whose move lost is told, naming who won', said);
        check(await winner.app.cdp.evaluate(winner.page.sessionId, `document.getElementById('conflicts').hidden`), 'the other is told nothing');
    } else {
        ctx.log('the later move was made on the earlier one: no conflict to tell');
    }

    ctx.phase('the server is down: Alice\'s moves wait in her database, and go in order when it is back');
    await faults({ kind: 'unavailable', method: 'PUT', path_prefix: '/_matrix/client/v3/rooms/', count: 10000 });
    await keyMove(alice, 'Alpha', 'ArrowRight');
    await keyMove(alice, 'Beta', 'ArrowRight');
    const offline = await alice.app.waitEval(alice.page.sessionId,
        `/Offline: 2 changes/.test(document.getElementById('status').textContent) && document.getElementById('status').textContent`,
        60000, 'Alice: the page says two changes wait');
    check(offline === 'Offline: 2 changes wait to be sent', 'in those words', offline);
    const mirror = path.join(alice.app.dataDir, 'plugin-data', 'io.tessera.kanban', 'boards.sqlite3');
    const queued = await ctx.sql(mirror, `SELECT card FROM queue WHERE board = '${BOARD}' ORDER BY seq`);
    check(JSON.stringify(queued.map((q) => q.card)) === JSON.stringify(['alpha', 'beta']), 'queued in the kanban database, in order', queued);
    const roomDuring = await roomCards();
    check(roomDuring.alpha.content.column === 'doing' && roomDuring.beta.content.column === 'doing', 'nothing reached the room');
    await faults(null);
    const replayed = await waitUntil(async () => {
        const cards = await roomCards();
        return cards.alpha.content.column === 'done' && cards.beta.content.column === 'done' ? cards : null;
    }, 60000, 'the queued moves in the room after the outage');
    const order = (await hs.roomEvents('#board:' + SERVER_NAME, CARD)).slice(-2).map((e) => e.state_key);
    check(JSON.stringify(order) === JSON.stringify(['alpha', 'beta']), 'sent in the order they were made', order);
    check(replayed.alpha.sender === ALICE, 'by Alice', replayed.alpha);
    const ended = JSON.parse(await alice.app.waitEval(alice.page.sessionId, `${SETTLED_JS} && ${COLUMNS_JS}`, 30000, 'Alice: settled'));
    await bothShow([alice, bob], ended, 'identical boards after the outage');
    check(ended[2][0] === 'done' && ended[2][1].includes('Alpha') && ended[2][1].includes('Beta'), 'the moves are on both boards', ended);
    await waitUntil(async () => (await ctx.sql(mirror, 'SELECT count(*) AS n FROM queue'))[0].n === 0, 10000, 'the queue to empty');

    ctx.phase('a restart shows the board from the database before the first sync answers');
    check((await bob.app.stop()).code === 0, 'Bob quits cleanly');
    check((await alice.app.stop()).code === 0, 'Alice quits cleanly');
    // Every /sync waits 40 s: the board must not need one.
    await faults({ kind: 'delay', method: 'GET', path_prefix: '/_matrix/client/v3/sync', count: 3, delay_ms: 40000 });
    const started = Date.now();
    const again = await open('alice-again', 'alice', { dataName: 'alice', signIn: false });
    const shown = JSON.parse(await again.app.waitEval(again.page.sessionId,
        `document.documentElement.dataset.shownFrom && document.querySelectorAll('.card').length === 3
         && JSON.stringify({ from: document.documentElement.dataset.shownFrom, columns: ${COLUMNS_JS} })`, 38000, 'the board after the restart'));
    const elapsed = Date.now() - started;
    check(shown.from === 'device', 'first shown from this device\'s database', shown);
    check(shown.columns === JSON.stringify(ended), 'as it was', shown);
    const syncs = (await hs.get('/_tessera_test/faults')).faults.filter((f) => f.kind === 'delay');
    ctx.log(`board shown ${elapsed} ms after the start; delayed syncs left: ${JSON.stringify(syncs)}`);
    check(elapsed < 40000, 'before any delayed sync could have answered', elapsed);
    await faults(null);
    await ctx.auditVerify(again.app.dataDir);
}, { timeoutMs: 300000, options: { 'plugins-dir': { type: 'string' } } });
