// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The widget catalog ("+") on the real binary against the test homeserver, by clicks and typing:
// an agent (the reference agent, only the Client-Server API) offers its panel in the room
// (io.tessera.agent.offer) without publishing it; the person opens "+", sees the panel offered by
// the agent, adds it without typing an address, and the m.widget event the server got has the
// agent's data. Then a Jitsi Meet widget: a bad conference name is refused next to its field, a
// good one is sent as the direct Meet URL on the chosen server; `/widget jitsi` adds the room's
// own conference the same way.

import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { freePort, waitUntil } from '../lib/app.mjs';
import { check, runScenario } from '../lib/scenario.mjs';
import { answerPrompt, signInWithPassword, submitComposer, waitPrompt } from '../lib/shell.mjs';

const SERVER_NAME = 'tessera.test';
const PERSON = 'ana';
const PASSWORD = 'ana-password';
const BOT = 'triage-bot';
const BOT_PASSWORD = 'bot-password';
const AGENT_ID = 'triage';
const AGENT_NAME = 'Triage bot';
const WEAK = 'weak-bot';
const WEAK_NAME = 'Weak bot';
const here = path.dirname(new URL(import.meta.url).pathname);

runScenario('e2e.shell.catalog', async (ctx) => {
    const pluginsDir = ctx.options['plugins-dir'];
    check(pluginsDir, '--plugins-dir is required');
    const shots = ctx.options.shots;
    const look = { theme: ctx.options.theme || 'light', language: ctx.options.language || 'en', size: ctx.options.size || '1280x800' };
    const es = look.language === 'es';
    const shot = async (what) => {
        if (shots)
            await app.cmd({ cmd: 'screenshot', path: path.join(shots, `catalog-${what}-${look.theme}-${look.language}-${look.size}.png`) }, 15000);
    };

    ctx.phase('the homeserver: a room the person and the agent are in');
    const person = `@${PERSON}:${SERVER_NAME}`;
    const bot = `@${BOT}:${SERVER_NAME}`;
    const seed = {
        users: [{ user: PERSON, password: PASSWORD, displayname: 'Ana' }, { user: BOT, password: BOT_PASSWORD, displayname: AGENT_NAME },
                { user: WEAK, password: BOT_PASSWORD, displayname: WEAK_NAME }],
        // Anyone may publish a widget here, but enabling a plugin (io.tessera.plugin, a state
        // event: state_default) takes 50, which the weak bot does not have.
        rooms: [{ creator: PERSON, alias: 'ops', name: 'Ops', preset: 'public_chat',
                  power_level_content_override: { users: { [person]: 100, [bot]: 50 } } },
                { creator: PERSON, alias: 'lab', name: 'Lab', preset: 'public_chat',
                  power_level_content_override: { users: { [person]: 100 }, events: { 'm.widget': 0 } } }],
    };
    await mkdir(ctx.work, { recursive: true });
    const seedFile = path.join(ctx.work, 'seed.json');
    await writeFile(seedFile, JSON.stringify(seed));
    const hs = await ctx.homeserver(['--server-name', SERVER_NAME, '--seed', seedFile]);

    ctx.phase('the agent joins and offers its panel, without publishing it');
    const runnerUrl = `http://127.0.0.1:${await freePort()}`;
    const agentProc = spawn(process.execPath, [path.join(here, '..', 'agents', 'reference-agent.mjs'),
        '--homeserver', hs.baseUrl, '--user', BOT, '--password', BOT_PASSWORD, '--room', `#ops:${SERVER_NAME}`,
        '--runner-url', runnerUrl, '--agent-id', AGENT_ID, '--name', AGENT_NAME, '--offer-only', '--max-seconds', '200'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
    ctx.defer(() => { if (agentProc.exitCode === null) agentProc.kill('SIGTERM'); });
    const agentLine = await new Promise((resolve, reject) => {
        let out = '';
        let err = '';
        const timer = setTimeout(() => reject(new Error(`the agent printed nothing: ${err}`)), 20000);
        agentProc.stderr.setEncoding('utf8').on('data', (d) => { err += d; });
        agentProc.stdout.setEncoding('utf8').on('data', (d) => {
            out += d;
            if (out.includes('\n')) {
                clearTimeout(timer);
                resolve(JSON.parse(out.slice(0, out.indexOf('\n'))));
            }
        });
        agentProc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`the agent exited (${code}): ${err}`)); });
    });
    ctx.log(`agent: ${JSON.stringify(agentLine)}`);
    check(agentLine.offer === 'ok' && agentLine.widget === 'not published', 'the agent offered its panel and published nothing', agentLine);
    const roomId = agentLine.room_id;
    check((await hs.roomEvents(roomId, 'm.widget')).length === 0, 'the room has no widget yet');

    ctx.phase('the person opens the room');
    const app = ctx.app({ args: ['--homeserver', hs.baseUrl, '--allow-http-loopback', '--plugins-dir', pluginsDir,
                                 '--theme', look.theme, '--language', look.language, '--size', look.size] });
    await app.start();
    await signInWithPassword(app, PERSON, PASSWORD);
    const rooms = await waitUntil(async () => {
        const r = await app.model('rooms');
        return r.some((x) => JSON.stringify(x).includes('Ops')) ? r : null;
    }, 30000, 'the room list after the first sync');
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
    // The agent's membership and offer have come with the sync.
    await waitUntil(async () => (await app.timeline()).some((r) => (r.body || '').includes('Add its panel with +')), 20000,
                    'the agent\'s message');
    if (shots)
        await mkdir(shots, { recursive: true });
    const openPlus = async () => {
        if (compact && !(await visible('addWidgetButton')))
            await app.click('widgetPanelToggle');
        await app.click('addWidgetButton');
        await app.waitVisible('addWidgetDialog');
    };

    ctx.phase('"+" lists the agent\'s panel, offered by the agent');
    await openPlus();
    const catalog = await waitUntil(async () => {
        const c = await app.property('', 'widgetCatalog');
        return (c || []).some((e) => e.kind === 'offer') ? c : null;
    }, 15000, 'the agent\'s offer in the catalog');
    ctx.log(`catalog: ${catalog.map((e) => `${e.id} (${e.name})`).join(', ')}`);
    const offer = catalog.find((e) => e.kind === 'offer');
    check(offer.offeredBy === bot && offer.offeredByName === AGENT_NAME && offer.name === AGENT_NAME, 'offered by the agent, under its name', offer);
    check(offer.fields.map((f) => f.key).join() === 'name', 'nothing to type but an optional name', offer.fields);
    for (const kind of ['custom', 'jitsi', 'call'])
        check(catalog.some((e) => e.id === kind), `"+" offers ${kind}`, catalog.map((e) => e.id));
    check(catalog.some((e) => e.id === 'plugin:io.tessera.agent_panel'), '"+" offers the agent panel type itself', catalog.map((e) => e.id));
    const row = await app.waitVisible(`addWidgetKind_${offer.id}`);
    check(row.visible, 'the offer is a row of the dialog', row);
    await shot('kinds');
    await app.click(`addWidgetKind_${offer.id}`);
    const by = await app.waitVisible('addWidgetOfferedBy');
    check(by.text.includes(AGENT_NAME), 'the form says who offers it', by.text);
    await shot('offer');
    await app.click('addWidgetConfirm');
    await app.waitHidden('addWidgetDialog');

    ctx.phase('the m.widget event the server got: the agent\'s panel, sent by the person, with the agent\'s data');
    const panel = await waitUntil(async () => (await hs.roomEvents(roomId, 'm.widget')).find((e) => e.content.type === 'io.tessera.agent_panel'),
                                  15000, 'the panel\'s m.widget event');
    check(panel.sender === person, 'the person added it', panel.sender);
    check(panel.content.data.runner_url === runnerUrl && panel.content.data.agent_id === AGENT_ID, 'with the runner and agent the agent offered', panel.content);
    check(panel.content.name === AGENT_NAME && panel.content.id === panel.state_key && panel.content.creatorUserId === person,
          'named after the offer, its id its state key', panel.content);
    await app.waitWidget((w) => w.widgetId === panel.state_key, 20000, 'the panel in the widget list');
    // The panel asks for its capabilities like any widget (what it then shows is e2e.shell.agents').
    const caps = await waitPrompt(app, (p) => p.widgetId === panel.state_key && p.kind === 'capabilities', 'the panel\'s question');
    await shot('panel-consent');
    await answerPrompt(app, caps.prompt.promptId, { approve: false, remember: false });

    ctx.phase('Jitsi Meet: a bad conference name is refused next to its field');
    await openPlus();
    await app.click('addWidgetKind_jitsi');
    const conference = await app.waitVisible('addWidgetField_conferenceId');
    check(/^tessera[a-z2-7]{25}$/.test(conference.text), 'the room\'s own conference is filled in', conference.text);
    check((await app.find('addWidgetField_domain')).text === 'meet.jit.si', 'on the default server');
    await app.type('addWidgetField_conferenceId', 'team standup!', true);
    await app.click('addWidgetConfirm');
    const problem = await app.waitVisible('addWidgetProblem_conferenceId');
    check(problem.text.length > 0 && (await visible('addWidgetDialog')), 'the dialog stays, saying what is wrong', problem.text);
    await shot('jitsi-problem');
    const beforeJitsi = (await hs.roomEvents(roomId, 'm.widget')).length;
    await app.type('addWidgetField_conferenceId', 'team-standup', true);
    await app.type('addWidgetField_domain', 'Meet.Example.org', true);
    await app.click('addWidgetConfirm');
    await app.waitHidden('addWidgetDialog');
    const jitsi = await waitUntil(async () => (await hs.roomEvents(roomId, 'm.widget')).find((e) => e.content.type === 'm.jitsi'),
                                  15000, 'the Jitsi m.widget event');
    check(beforeJitsi === 1, 'nothing was sent for the refused attempt', beforeJitsi);
    check(jitsi.content.url === 'https://meet.example.org/team-standup', 'the direct Meet URL on the chosen server', jitsi.content.url);
    check(JSON.stringify(jitsi.content.data) === JSON.stringify({ conferenceId: 'team-standup', domain: 'meet.example.org', isAudioOnly: false }),
          'its data names the server and the conference', jitsi.content.data);
    check(jitsi.content.name === 'Jitsi Meet', 'named Jitsi Meet', jitsi.content.name);

    ctx.phase('/widget jitsi: the room\'s own conference on the default server');
    const said = await submitComposer(app, '/widget jitsi');
    check(!said, 'the composer took it', said);
    const own = await waitUntil(async () => (await hs.roomEvents(roomId, 'm.widget')).find(
        (e) => e.content.type === 'm.jitsi' && e.content.data.domain === 'meet.jit.si'), 15000, 'the second Jitsi event');
    check(own.content.url === `https://meet.jit.si/${conference.text}`, 'the same conference the dialog offered', own.content.url);
    ctx.phase('an agent without the power level for io.tessera.plugin: the server refuses it, and the tile says why');
    const weak = spawn(process.execPath, [path.join(here, '..', 'agents', 'reference-agent.mjs'),
        '--homeserver', hs.baseUrl, '--user', WEAK, '--password', BOT_PASSWORD, '--room', `#lab:${SERVER_NAME}`,
        '--runner-url', runnerUrl, '--agent-id', 'weak', '--name', WEAK_NAME, '--widget-id', 'agent_weak', '--max-seconds', '200'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
    ctx.defer(() => { if (weak.exitCode === null) weak.kill('SIGTERM'); });
    const weakLine = await new Promise((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error('the weak agent printed nothing')), 20000);
        weak.stdout.setEncoding('utf8').on('data', (d) => {
            out += d;
            if (out.includes('\n')) {
                clearTimeout(timer);
                resolve(JSON.parse(out.slice(0, out.indexOf('\n'))));
            }
        });
    });
    ctx.log(`weak agent: ${JSON.stringify(weakLine)}`);
    check(weakLine.plugin.status === 403 && weakLine.plugin.errcode === 'M_FORBIDDEN', 'the server refused its io.tessera.plugin', weakLine);
    check(weakLine.widget === 'ok', 'it could still publish its widget', weakLine);
    const labRooms = await waitUntil(async () => {
        const r = await app.model('rooms');
        return r.some((x) => JSON.stringify(x).includes('Lab')) ? r : null;
    }, 30000, 'the Lab room in the list');
    if (compact) {
        if (await visible('panelBack'))
            await app.click('panelBack');
        await app.click('roomsMenuButton');
    }
    const labButton = `room_${labRooms.findIndex((r) => JSON.stringify(r).includes('Lab'))}`;
    await app.waitVisible(labButton);
    await app.click(labButton);
    await waitUntil(async () => (await app.property('', 'currentRoomName')) === 'Lab', 10000, 'the Lab room to open');
    await app.waitWidget((w) => w.widgetId === 'agent_weak', 30000, 'the weak agent\'s widget in the list');
    if (compact && !(await visible('widgetTab_agent_weak')))
        await app.click('widgetPanelToggle');
    if ((await app.property('', 'activeWidgetId')) !== 'agent_weak')
        await app.click('widgetTab_agent_weak');
    const weakWidget = await app.waitWidget((w) => w.widgetId === 'agent_weak' && w.state === 'disabled', 30000,
                                            'the weak agent\'s widget, not enabled');
    ctx.log(`weak widget: ${JSON.stringify(weakWidget)}`);
    check(weakWidget.errorText.includes(`@${WEAK}:${SERVER_NAME} added this widget but may not enable`)
          && weakWidget.errorText.includes('needs power level 50') && weakWidget.errorText.includes('their level is 0'),
          'the tile says the agent may not enable the plugin, with the levels', weakWidget.errorText);
    check(weakWidget.errorText.includes('You can enable it'), 'and that the person can', weakWidget.errorText);
    await shot('weak-agent');

    ctx.phase('/widget with a kind it does not know lists the kinds');
    const help = await submitComposer(app, '/widget whiteboard');
    check(help && help.includes('/widget jitsi'), '`/widget` with an unknown kind lists the kinds', help);
    check(!es || help.includes('No hay'), 'in Spanish', help);
    const exit = await app.stop();
    check(exit && exit.code === 0, 'Tessera quits cleanly', exit);
}, { timeoutMs: 200000, options: {
    'plugins-dir': { type: 'string' }, shots: { type: 'string' }, theme: { type: 'string' }, language: { type: 'string' },
    size: { type: 'string' },
} });
