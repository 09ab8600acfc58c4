// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The built-in issue tracker, end to end: "+" in the widget panel offers it under its display
// name; adding it enables the plugin in the room and publishes the widget; it asks for its
// capabilities with the plugin's reasons; approved, two issues opened in the page are two
// io.tessera.issues.issue state events in rooms.db, one of them closed from its detail view; the
// filters narrow the list; over-long input is refused with the limit; malformed content is shown
// as an error for that issue and left as it is; after a restart the issues are back.

import path from 'node:path';

import { check, runScenario } from '../lib/scenario.mjs';
import { answerPrompt, declineWelcome, waitPrompt } from '../lib/shell.mjs';
import { waitUntil } from '../lib/app.mjs';

const TYPE = 'io.tessera.issues';
const EVENT = 'io.tessera.issues.issue';
const READ = `org.matrix.msc2762.receive.state_event:${EVENT}`;
const WRITE = `org.matrix.msc2762.send.state_event:${EVENT}`;
const MEMBERS = 'org.matrix.msc2762.receive.state_event:m.room.member';
const PAGE = 'tessera-plugin://io.tessera.issues/';

/** The rows of the list as the page shows them: [title, status] or ['!', id] for an unreadable one. */
const ROWS_JS = `JSON.stringify(Array.from(document.querySelectorAll('#issues .issue')).map((li) =>
    li.classList.contains('broken') ? ['!', li.dataset.id] : [li.querySelector('.issue-title').textContent, li.classList.contains('open') ? 'open' : 'closed']))`;
const IDLE_JS = `!document.getElementById('status').textContent.includes('…')`;

runScenario('e2e.shell.issues', async (ctx) => {
    const pluginsDir = ctx.options['plugins-dir'];
    check(pluginsDir, '--plugins-dir (the folder the issues plugin was built into) is required');
    const args = ['--plugins-dir', pluginsDir];

    ctx.phase('start tessera on the local rooms, with the issues plugin');
    const first = ctx.app({ name: 'first', args });
    await first.start();
    await declineWelcome(first);
    const roomId = await first.property('', 'currentRoomId');
    const userId = await first.property('', 'userId');
    const rooms = path.join(first.dataDir, 'rooms.db');
    const quoted = roomId.replace(/'/g, "''");
    const stateOf = (type) => ctx.sql(rooms, `SELECT state_key, json FROM state WHERE type = '${type}' AND room_id = '${quoted}'`);

    ctx.phase('"+" offers the tracker under its display name; adding it enables the plugin');
    const offered = ((await first.property('', 'widgetTypes')) || []).find((t) => t.type === TYPE);
    check(offered && offered.name === 'Issue tracker' && offered.description.length > 0, 'the host offers the type with its name', offered);
    await first.click('addWidgetButton');
    await first.waitVisible('addWidgetDialog');
    const choice = await first.waitVisible(`addPluginWidget_${TYPE}`);
    check(choice.text === 'Issue tracker', 'the button shows the display name', choice);
    const before = new Set((await first.widgets()).map((w) => w.widgetId));
    await first.click(`addPluginWidget_${TYPE}`);
    // The type's fields, then Add (it has none to fill in).
    await first.click('addWidgetConfirm');
    await first.waitHidden('addWidgetDialog');
    const tracker = await first.waitWidget((w) => !before.has(w.widgetId) && w.name === 'Issue tracker', 20000, 'the tracker widget');
    const enabled = await waitUntil(async () => (await stateOf('io.tessera.plugin')).find((s) => s.state_key === 'io.tessera.issues'),
                                    10000, 'the io.tessera.plugin state event');
    check(JSON.parse(enabled.json).content.enabled === true, 'adding the tracker enabled the plugin in the room', enabled);

    ctx.phase('it asks for its capabilities, with the reasons; approve and remember');
    const asked = await waitPrompt(first, (p) => p.widgetId === tracker.widgetId, 'the tracker to ask for consent');
    const items = asked.prompt.items.map((i) => i.item).sort();
    check(JSON.stringify(items) === JSON.stringify([READ, WRITE, MEMBERS].sort()), 'it asks for its issues and the member list only',
          asked.prompt.items);
    check(asked.prompt.items.every((i) => typeof i.reason === 'string' && i.reason.length > 0), 'each with the plugin\'s reason', asked.prompt.items);
    await answerPrompt(first, asked.prompt.promptId, { approve: true, remember: true });

    ctx.phase('open two issues with the form');
    let page = await first.widgetSession(tracker.widgetId, PAGE);
    await first.waitEval(page.sessionId, `!document.getElementById('new').hidden`, 20000, 'the tracker to be editable');
    const submit = (fields) => first.cdp.evaluate(page.sessionId, `(() => {
        document.getElementById('new').click();
        const f = ${JSON.stringify(fields)};
        for (const k of Object.keys(f))
            document.getElementById('f-' + k).value = f[k];
        document.getElementById('save').click();
        return document.getElementById('editor').hidden ? 'saved' : document.getElementById('field-error').textContent; })()`);
    check(await submit({ title: 'Login fails on Firefox', description: 'Steps:\n1. Open the page', labels: 'bug, ui' }) === 'saved', 'first issue');
    await first.waitEval(page.sessionId, `document.querySelectorAll('#issues .issue').length === 1 && ${IDLE_JS}`, 10000, 'one issue');
    check(await submit({ title: 'Dark theme', labels: 'feature', assignee: userId }) === 'saved', 'second issue');
    await first.waitEval(page.sessionId, `document.querySelectorAll('#issues .issue').length === 2 && ${IDLE_JS}`, 10000, 'two issues');
    const members = await first.cdp.evaluate(page.sessionId, `Array.from(document.querySelectorAll('#members option')).map((o) => o.value)`);
    check(Array.isArray(members) && members.includes(userId), 'the member list suggests the user as an assignee', members);

    ctx.phase('limits: an over-long title and an invalid assignee are refused with a message');
    const long = await submit({ title: 'x'.repeat(201) });
    check(/at most 200 characters/.test(long), 'the form says what the limit is', long);
    const badAssignee = await first.cdp.evaluate(page.sessionId, `(() => {
        document.getElementById('f-title').value = 'Fine';
        document.getElementById('f-assignee').value = 'ana';
        document.getElementById('save').click();
        const text = document.getElementById('field-error').textContent;
        document.getElementById('cancel').click();
        return text; })()`);
    check(/user id/.test(badAssignee), 'an assignee must be a user id', badAssignee);
    check((await first.cdp.evaluate(page.sessionId, `document.querySelectorAll('#issues .issue').length`)) === 2, 'nothing was added');

    ctx.phase('close the first issue from its detail view');
    await first.cdp.evaluate(page.sessionId, `(() => {
        Array.from(document.querySelectorAll('#issues .issue')).find((li) => li.textContent.includes('Login fails')).querySelector('button').click();
        document.getElementById('toggle').click();
        return true; })()`);
    await first.waitEval(page.sessionId, `document.getElementById('editor-state').classList.contains('closed') && ${IDLE_JS}`, 10000, 'the issue closed');
    await first.cdp.evaluate(page.sessionId, `document.getElementById('back').click()`);

    ctx.phase('filter: open, closed, all, by label and by text');
    const rows = async (js) => JSON.parse(await first.cdp.evaluate(page.sessionId, `(() => { ${js}; return ${ROWS_JS}; })()`));
    const status = (s) => `document.querySelector('#status-filter [data-status="${s}"]').click()`;
    const pick = (id, value) => `{ const s = document.getElementById('${id}'); s.value = ${JSON.stringify(value)}; s.dispatchEvent(new Event('change')); }`;
    const search = (text) => `{ const s = document.getElementById('search'); s.value = ${JSON.stringify(text)}; s.dispatchEvent(new Event('input')); }`;
    check(JSON.stringify(await rows(status('open'))) === JSON.stringify([['Dark theme', 'open']]), 'open shows the open one');
    check(JSON.stringify(await rows(status('closed'))) === JSON.stringify([['Login fails on Firefox', 'closed']]), 'closed shows the closed one');
    const all = await rows(status('all'));
    check(all.length === 2, 'all shows both', all);
    check(JSON.stringify(await rows(pick('label-filter', 'bug'))) === JSON.stringify([['Login fails on Firefox', 'closed']]), 'the label filter');
    check(JSON.stringify(await rows(`${pick('label-filter', '')}; ${pick('assignee-filter', userId)}`)) === JSON.stringify([['Dark theme', 'open']]),
          'the assignee filter');
    check(JSON.stringify(await rows(`${pick('assignee-filter', '')}; ${search('firefox')}`)) === JSON.stringify([['Login fails on Firefox', 'closed']]),
          'the text search');
    check((await rows(search('nothing like this'))).length === 0, 'no match, no rows');
    await rows(`${search('')}; ${status('all')}`);

    ctx.phase('each issue is its own state event in the room');
    const saved = await waitUntil(async () => {
        const list = (await stateOf(EVENT)).map((s) => ({ key: s.state_key, event: JSON.parse(s.json) }));
        return list.length === 2 && list.some((s) => s.event.content.status === 'closed') ? list : null;
    }, 10000, 'two io.tessera.issues.issue state events, one closed');
    check(saved[0].key !== saved[1].key && saved.every((s) => /^i[0-9a-z]{12}$/.test(s.key)), 'one state key per issue', saved);
    check(saved.every((s) => s.event.sender === userId), 'the user sent them', saved);
    const byTitle = Object.fromEntries(saved.map((s) => [s.event.content.title, s.event.content]));
    const login = byTitle['Login fails on Firefox'];
    check(login && login.version === 1 && login.status === 'closed' && JSON.stringify(login.labels) === '["bug","ui"]'
          && login.description === 'Steps:\n1. Open the page' && login.assignee === null && login.created_by === userId,
          'the closed issue keeps its fields, and who opened it', login);
    const dark = byTitle['Dark theme'];
    check(dark && dark.status === 'open' && dark.assignee === userId && Number.isSafeInteger(dark.created_at), 'the open one is assigned', dark);

    ctx.phase('malformed content is shown as an error for that issue, and not overwritten');
    const broken = { version: 1, title: 42, status: 'open' };
    await first.cdp.evaluate(page.sessionId, `new Promise((resolve) => {
        const onReply = (ev) => { if (ev.data && ev.data.requestId === 'e2e-broken' && ev.data.response) resolve(true); };
        window.addEventListener('message', onReply);
        window.parent.postMessage({ api: 'fromWidget', widgetId: ${JSON.stringify(tracker.widgetId)}, requestId: 'e2e-broken', action: 'send_event',
            data: { type: ${JSON.stringify(EVENT)}, state_key: 'ibroken', content: ${JSON.stringify(broken)} } }, '*');
    })`);
    const text = await first.waitEval(page.sessionId, `(() => { const li = document.querySelector('#issues .issue.broken'); return li && li.textContent; })()`,
                                      10000, 'the malformed issue shown as an error');
    check(/ibroken/.test(text) && /title/.test(text) && /Nothing was changed/.test(text), 'the error names the issue and what is wrong', text);
    check((await first.cdp.evaluate(page.sessionId, `document.querySelectorAll('#issues .issue:not(.broken)').length`)) === 2, 'the others are still there');
    const stillBroken = JSON.parse((await stateOf(EVENT)).find((s) => s.state_key === 'ibroken').json).content;
    check(stillBroken.title === 42, 'the malformed content was not overwritten', stillBroken);
    const exit = await first.stop();
    check(exit && exit.code === 0, 'the first run quits cleanly', exit);

    ctx.phase('after a restart the issues are back, without asking again');
    const second = ctx.app({ name: 'second', args });
    await second.start();
    await second.waitWidget((w) => w.widgetId === tracker.widgetId, 20000, 'the tracker after the restart');
    if ((await second.property('', 'activeWidgetId')) !== tracker.widgetId)
        await second.click(`widgetTab_${tracker.widgetId}`);
    page = await second.widgetSession(tracker.widgetId, PAGE);
    await second.cdp.evaluate(page.sessionId, `(() => { document.querySelector('#status-filter [data-status="all"]').click(); return true; })()`);
    const after = JSON.parse(await second.waitEval(page.sessionId,
        `document.querySelectorAll('#issues .issue').length === 3 && (document.querySelector('#status-filter [data-status="all"]').click(), ${ROWS_JS})`,
        30000, 'the issues after the restart'));
    check(JSON.stringify(after.map((r) => r.join(':')).sort()) === JSON.stringify(['!:ibroken', 'Dark theme:open', 'Login fails on Firefox:closed']),
          'the issues are as the room has them', after);
    check((await second.model('consentPrompts')).length === 0, 'the remembered approval holds: no prompt');
    await ctx.auditVerify(second.dataDir);
}, { timeoutMs: 120000, options: { 'plugins-dir': { type: 'string' } } });
