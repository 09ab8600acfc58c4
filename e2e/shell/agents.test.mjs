// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// An agent in a room, end to end on the real binary: the reference agent (e2e/agents, a bot
// process using only the Client-Server API) joins the room on the test homeserver, enables the
// agent panel plugin there and publishes its panel; the reference runner (tessera-agent-runner)
// serves the agent, accepting only Tessera's scoped tokens, checked with the public keys Tessera
// publishes. The person sees the widget "added by" the agent, is asked before it loads, grants
// its capabilities (the control one explained), and sees the live panel: status and a log that
// grows. Restart, tapped and confirmed, reaches the runner and the panel shows the new run. The
// audit log has the exchange; the runner never saw the user's Matrix access token. The runner
// is killed mid-tail: the panel says so, and recovers when the runner is back on the same port.

import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { freePort, waitUntil } from '../lib/app.mjs';
import { WidgetPointer } from '../lib/pointer.mjs';
import { check, runScenario } from '../lib/scenario.mjs';
import { answerPrompt, signInWithPassword, waitPrompt } from '../lib/shell.mjs';

const SERVER_NAME = 'tessera.test';
const PERSON = 'ana';
const PASSWORD = 'ana-password';
const BOT = 'triage-bot';
const BOT_PASSWORD = 'bot-password';
const AGENT_ID = 'triage';
const AGENT_NAME = 'Triage bot';
const WIDGET_ID = 'agent_triage';
const PAGE = 'tessera-plugin://io.tessera.agent/';
const READ = 'io.tessera.agent.read';
const CONTROL = 'io.tessera.agent.control';
const here = path.dirname(new URL(import.meta.url).pathname);

/** A child process whose first stdout line is returned; stopped at the end of the scenario. */
async function startProcess(ctx, name, file, args, timeoutMs = 20000) {
    const proc = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const stderr = [];
    proc.stderr.setEncoding('utf8').on('data', (d) => stderr.push(...d.split('\n').filter((l) => l)));
    const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
    ctx.defer(async () => {
        if (proc.exitCode === null && proc.signalCode === null) {
            proc.kill('SIGTERM');
            await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
            if (proc.exitCode === null && proc.signalCode === null)
                proc.kill('SIGKILL');
        }
    });
    const line = await new Promise((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`${name} printed nothing within ${timeoutMs} ms: ${stderr.join(' / ')}`)), timeoutMs);
        proc.stdout.setEncoding('utf8').on('data', (d) => {
            out += d;
            const nl = out.indexOf('\n');
            if (nl >= 0) {
                clearTimeout(timer);
                resolve(out.slice(0, nl).trim());
            }
        });
        exited.then((e) => { clearTimeout(timer); reject(new Error(`${name} exited (${JSON.stringify(e)}): ${stderr.join(' / ')}`)); });
    });
    ctx.log(`${name}: ${line}`);
    return { proc, line, exited, stderr };
}

runScenario('e2e.shell.agents', async (ctx) => {
    const pluginsDir = ctx.options['plugins-dir'];
    const runnerBin = ctx.options['runner-bin'];
    check(pluginsDir && runnerBin, '--plugins-dir and --runner-bin are required');
    // Optional: a folder for the panel's screenshots, and the look to take them in.
    const shots = ctx.options.shots;
    const look = { theme: ctx.options.theme || 'light', language: ctx.options.language || 'en', size: ctx.options.size || '1280x800' };
    const es = look.language === 'es';
    const shot = async (what) => {
        if (shots)
            await app.cmd({ cmd: 'screenshot', path: path.join(shots, `agents-${what}-${look.theme}-${look.language}-${look.size}.png`) }, 15000);
    };

    ctx.phase('the homeserver: the person\'s room, where the agent may publish state');
    const person = `@${PERSON}:${SERVER_NAME}`;
    const bot = `@${BOT}:${SERVER_NAME}`;
    const seed = {
        users: [{ user: PERSON, password: PASSWORD, displayname: 'Ana' }, { user: BOT, password: BOT_PASSWORD, displayname: AGENT_NAME }],
        rooms: [{ creator: PERSON, alias: 'ops', name: 'Ops', preset: 'public_chat',
                  power_level_content_override: { users: { [person]: 100, [bot]: 50 } } }],
    };
    const seedFile = path.join(ctx.work, 'seed.json');
    await mkdir(ctx.work, { recursive: true });
    await writeFile(seedFile, JSON.stringify(seed));
    const hs = await ctx.homeserver(['--server-name', SERVER_NAME, '--seed', seedFile]);

    ctx.phase('the agent starts: joins the room, enables the plugin, publishes its panel');
    const runnerPort = await freePort();
    const runnerUrl = `http://127.0.0.1:${runnerPort}`;
    const agent = await startProcess(ctx, 'reference agent', process.execPath, [path.join(here, '..', 'agents', 'reference-agent.mjs'),
        '--homeserver', hs.baseUrl, '--user', BOT, '--password', BOT_PASSWORD, '--room', `#ops:${SERVER_NAME}`,
        '--runner-url', runnerUrl, '--agent-id', AGENT_ID, '--name', AGENT_NAME, '--widget-id', WIDGET_ID, '--max-seconds', '280']);
    const published = JSON.parse(agent.line);
    check(published.plugin === 'ok' && published.widget === 'ok', 'the agent enabled the plugin and published the widget', published);
    const roomId = published.room_id;
    const widgetEvent = (await hs.roomEvents(roomId, 'm.widget')).find((e) => e.state_key === WIDGET_ID);
    check(widgetEvent && widgetEvent.sender === bot && widgetEvent.content.data.runner_url === runnerUrl, 'the room has the agent\'s m.widget', widgetEvent);

    ctx.phase('the person starts Tessera and opens the room');
    const app = ctx.app({ args: ['--homeserver', hs.baseUrl, '--allow-http-loopback', '--plugins-dir', pluginsDir,
                                 '--theme', look.theme, '--language', look.language, '--size', look.size] });
    await app.start();
    await signInWithPassword(app, PERSON, PASSWORD);
    const rooms = await waitUntil(async () => {
        const r = await app.model('rooms');
        return r.some((x) => JSON.stringify(x).includes('Ops')) ? r : null;
    }, 30000, 'the room list after the first sync');
    // A portrait window (under 900 px wide) shows one thing at a time: the room list is a drawer.
    const compact = Number(look.size.split('x')[0]) < 900;
    const visible = async (name) => (await app.find(name).catch(() => ({ visible: false }))).visible;
    if (compact) {
        if (await visible('panelBack'))
            await app.click('panelBack');
        await app.click('roomsMenuButton');
    }
    const roomButton = `room_${rooms.findIndex((r) => JSON.stringify(r).includes('Ops'))}`;
    await app.waitVisible(roomButton);
    await app.click(roomButton);
    await waitUntil(async () => (await app.property('', 'currentRoomName')) === 'Ops', 10000, 'the room to open');

    ctx.phase('the runner starts, trusting the keys this Tessera publishes');
    const jwks = path.join(app.dataDir, 'tokens', 'jwks.json');
    const requestLog = path.join(ctx.work, 'runner-requests.jsonl');
    const runnerArgs = ['--port', String(runnerPort), '--jwks-file', jwks, '--tick-ms', '400', '--request-log', requestLog,
                        '--agent', `${AGENT_ID}|${AGENT_NAME}|${roomId}|${WIDGET_ID}`];
    let runner = await startProcess(ctx, 'runner', runnerBin, runnerArgs);
    check(runner.line === `listening ${runnerUrl}`, 'the runner listens where the widget points', runner.line);

    ctx.phase('the widget is "added by" the agent, and Tessera asks before loading it');
    await app.waitWidget((w) => w.widgetId === WIDGET_ID, 30000, 'the agent\'s panel in the widget list');
    if (compact && !(await visible(`widgetTab_${WIDGET_ID}`)))
        await app.click('widgetPanelToggle');
    if ((await app.property('', 'activeWidgetId')) !== WIDGET_ID)
        await app.click(`widgetTab_${WIDGET_ID}`);
    const load = await waitPrompt(app, (p) => p.widgetId === WIDGET_ID && p.kind === 'load', 'the load prompt');
    const who = await app.find('consentWho');
    check(who.text.includes(bot) || who.text.includes(AGENT_NAME), 'the prompt says the agent added it', who.text);
    await answerPrompt(app, load.prompt.promptId, { approve: true, remember: false });

    ctx.phase('it asks for reading and control, each explained');
    const caps = await waitPrompt(app, (p) => p.widgetId === WIDGET_ID && p.kind === 'capabilities', 'the capability prompt');
    const items = Object.fromEntries(caps.prompt.items.map((i) => [i.item, i.reason || '']));
    check(Object.keys(items).sort().join() === [CONTROL, READ].sort().join(), 'it asks for exactly the panel\'s two capabilities', caps.prompt.items);
    check(/restart, stop or start/i.test(items[CONTROL]) && /interrupted/.test(items[CONTROL]), 'the control capability is explained in plain words', items[CONTROL]);
    await answerPrompt(app, caps.prompt.promptId, { approve: true, remember: true });

    ctx.phase('the panel shows the agent running and a log that grows');
    const page = await app.widgetSession(WIDGET_ID, PAGE);
    const view = `(() => ({ name: document.getElementById('name').textContent, status: document.getElementById('status').dataset.status,
        task: document.getElementById('task').textContent, lines: document.querySelectorAll('#log li[data-seq]').length,
        last: document.getElementById('last-result').textContent, runs: Array.from(document.querySelectorAll('#runs li.run')).map((li) => li.dataset.id),
        error: document.getElementById('error').hidden ? '' : document.getElementById('error').textContent,
        connection: document.getElementById('connection').hidden ? '' : document.getElementById('connection-text').textContent,
        notice: document.getElementById('notice').textContent }))()`;
    const first = await app.waitEval(page.sessionId, `(() => { const v = ${view}; return v.status && v.lines > 0 ? v : null; })()`, 30000, 'the panel to show the agent');
    check(first.name === AGENT_NAME && ['running', 'idle'].includes(first.status) && first.error === '', 'the agent\'s name and status', first);
    const grown = await app.waitEval(page.sessionId, `(() => { const v = ${view}; return v.lines >= ${first.lines + 3} ? v : null; })()`, 20000, 'the log to grow');
    ctx.log(`log lines: ${first.lines} -> ${grown.lines}`);

    if (shots)
        await mkdir(shots, { recursive: true });
    await shot('panel');

    ctx.phase('Restart: clicked, confirmed by name, reaches the runner; the panel shows the new run');
    const pointer = await WidgetPointer.attach(app, WIDGET_ID, page.sessionId);
    const tap = async (js) => {
        const p = await pointer.toPage(await pointer.centre(js));
        await pointer.mouse('mouseMoved', p, 0);
        await pointer.mouse('mousePressed', p, 1);
        await pointer.mouse('mouseReleased', p, 0);
    };
    await tap(`document.getElementById('restart')`);
    const asked = await app.waitEval(page.sessionId, `!document.getElementById('confirm').hidden && document.getElementById('confirm-title').textContent`,
                                     10000, 'the confirmation');
    check(asked === (es ? `¿Reiniciar ${AGENT_NAME}?` : `Restart ${AGENT_NAME}?`), 'the confirmation names the agent', asked);
    await shot('confirm');
    await tap(`document.getElementById('confirm-ok')`);
    const restarted = await app.waitEval(page.sessionId, `(() => { const v = ${view}; return v.notice.includes(${JSON.stringify(es ? 'se reinició' : 'restarted')}) ? v : null; })()`,
                                         15000, 'the panel to say the agent restarted');
    check(restarted.error === '', 'no error', restarted);
    const requests = (await readFile(requestLog, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    const post = requests.find((r) => r.method === 'POST' && r.path === `/agents/${AGENT_ID}/restart`);
    check(post && /authorization: Bearer ey/i.test(post.headers), 'the restart reached the runner with a scoped token', post);
    const runTrigger = await app.waitEval(page.sessionId,
        `(() => { const li = document.querySelector('#runs li.run'); return li && li.textContent.includes(${JSON.stringify(es ? 'reiniciada' : 'restarted')}) ? li.textContent : null; })()`,
        10000, 'the new run in the list');
    ctx.log(`newest run: ${runTrigger}`);
    await app.waitEval(page.sessionId, `Array.from(document.querySelectorAll('#log li')).some((li) => li.textContent.includes('Restart asked by ${person}'))`,
                       10000, 'the runner\'s log line naming who asked');

    ctx.phase('the runner never saw the Matrix access token');
    // Without a keychain (as here) Tessera keeps the session's token in its 0600 fallback store.
    const accessToken = (await readFile(path.join(app.dataDir, 'secrets', 'matrix-access-token'), 'utf8')).trim();
    check(accessToken.length >= 16, 'the session\'s access token was found to compare with', accessToken.length);
    const everything = await readFile(requestLog, 'utf8');
    check(!everything.includes(accessToken), 'no request to the runner carries the Matrix access token');
    check(requests.every((r) => /authorization: Bearer ey/i.test(r.headers)), 'every request carried a scoped token', requests.length);

    ctx.phase('the runner is killed mid-tail: the panel says so');
    const linesBefore = (await app.cdp.evaluate(page.sessionId, view)).lines;
    runner.proc.kill('SIGKILL');
    await runner.exited;
    const offline = await app.waitEval(page.sessionId, `(() => { const v = ${view}; return v.connection ? v : null; })()`, 30000, 'the panel to say the runner is offline');
    check((es ? /sin conexión/ : /offline/i).test(offline.connection), 'it says the runner is offline', offline);
    await shot('offline');

    ctx.phase('the runner is back: the panel recovers and follows again');
    runner = await startProcess(ctx, 'runner again', runnerBin, runnerArgs);
    const back = await app.waitEval(page.sessionId, `(() => { const v = ${view}; return !v.connection && v.error === '' && v.lines > 0 ? v : null; })()`,
                                    45000, 'the panel to recover');
    ctx.log(`after recovery: ${JSON.stringify(back)} (before: ${linesBefore} lines)`);
    await app.waitEval(page.sessionId, `(() => { const v = ${view}; return v.lines > ${back.lines} ? v : null; })()`, 20000, 'the log to grow again');

    ctx.phase('the audit log has the exchange');
    const exit = await app.stop();
    check(exit && exit.code === 0, 'Tessera quits cleanly', exit);
    const rows = await ctx.auditRows(app.dataDir);
    const about = (pred) => rows.filter(pred);
    const text = (r) => JSON.stringify(r);
    check(about((r) => text(r).includes('load') && text(r).includes(WIDGET_ID)).length > 0, 'the load decision', rows.length);
    check(about((r) => text(r).includes(CONTROL + '.restart')).length > 0, 'the widget\'s restart request', rows.length);
    check(about((r) => text(r).includes(`POST ${runnerUrl}/agents/${AGENT_ID}/restart -> 202`)).length === 1, 'the plugin\'s request to the runner and its answer');
    check(about((r) => text(r).includes(`GET ${runnerUrl}/agents/${AGENT_ID}`)).length > 0, 'the reads');
    check(!rows.some((r) => text(r).includes('Bearer ey')), 'no token in the audit log');
    await ctx.auditVerify(app.dataDir);
}, { timeoutMs: 200000, options: {
    'plugins-dir': { type: 'string' }, 'runner-bin': { type: 'string' },
    shots: { type: 'string' }, theme: { type: 'string' }, language: { type: 'string' }, size: { type: 'string' },
} });
