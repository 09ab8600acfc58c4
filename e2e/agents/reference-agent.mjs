#!/usr/bin/env node
// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The reference agent: a bot process that does in a Matrix room what an agent does to show its
// panel in Tessera, with nothing but the Client-Server API (no Tessera code):
//   1. logs in with its password,
//   2. joins its room (--room, an alias or id) or creates one (--create NAME, inviting --invite),
//   3. enables the agent panel plugin for the room (state io.tessera.plugin / io.tessera.agent),
//   4. offers its panel in the room's widget catalog (state io.tessera.agent.offer, state key = its
//      own user id: {"widgets": [{type, name, description, data}]}), so a person can add it from
//      "+" without typing anything,
//   5. publishes its panel (state m.widget, type io.tessera.agent_panel, data runner_url + agent_id),
//      unless --offer-only,
//   6. says so in the room,
// then prints one JSON line {"user_id", "room_id", "widget_id", "plugin", "offer", "widget", "message"}
// on stdout (each step's outcome: "ok", or the server's errcode and error) and stays until SIGTERM
// or --max-seconds. A refusal (e.g. the power level for io.tessera.plugin) is reported, not hidden.
//
//   node reference-agent.mjs --homeserver URL --user NAME --password PW (--room ALIAS | --create NAME)
//        --runner-url URL --agent-id ID [--name "Triage bot"] [--widget-id ID] [--invite @u:server]…
//        [--offer-only] [--max-seconds 300]

import { parseArgs } from 'node:util';

const { values: o } = parseArgs({
    options: {
        homeserver: { type: 'string' }, user: { type: 'string' }, password: { type: 'string' },
        room: { type: 'string' }, create: { type: 'string' }, invite: { type: 'string', multiple: true, default: [] },
        'runner-url': { type: 'string' }, 'agent-id': { type: 'string' }, name: { type: 'string' },
        'widget-id': { type: 'string' }, 'max-seconds': { type: 'string', default: '300' },
        'offer-only': { type: 'boolean', default: false },
    },
});

function usage(why) {
    process.stderr.write(`reference-agent: ${why}\n`);
    process.exit(2);
}
for (const k of ['homeserver', 'user', 'password', 'runner-url', 'agent-id'])
    if (!o[k])
        usage(`--${k} is required`);
if (!o.room === !o.create)
    usage('give exactly one of --room and --create');

const base = o.homeserver.replace(/\/+$/, '');
let token = '';
let txn = 0;

/** One Client-Server API request: the JSON answer, or {status, errcode, error} for a refusal. */
async function api(method, path, body) {
    const r = await fetch(base + '/_matrix/client/v3' + path, {
        method,
        headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(15000),
    });
    const json = await r.json().catch(() => ({}));
    if (!r.ok)
        return { refused: true, status: r.status, errcode: json.errcode || '', error: json.error || `HTTP ${r.status}` };
    return json;
}

const enc = encodeURIComponent;
const outcome = (r) => (r && r.refused ? { status: r.status, errcode: r.errcode, error: r.error } : 'ok');

const login = await api('POST', '/login', { type: 'm.login.password', identifier: { type: 'm.id.user', user: o.user },
                                          password: o.password, initial_device_display_name: 'reference agent' });
if (login.refused)
    usage(`login refused: ${login.errcode} ${login.error}`);
token = login.access_token;
const userId = login.user_id;

let roomId;
if (o.room) {
    const joined = await api('POST', `/join/${enc(o.room)}`, {});
    if (joined.refused)
        usage(`cannot join ${o.room}: ${joined.errcode} ${joined.error}`);
    roomId = joined.room_id;
} else {
    const created = await api('POST', '/createRoom', { name: o.create, preset: 'private_chat', invite: o.invite });
    if (created.refused)
        usage(`cannot create a room: ${created.errcode} ${created.error}`);
    roomId = created.room_id;
}

const widgetId = o['widget-id'] || `agent_${o['agent-id']}`;
const name = o.name || o['agent-id'];
const plugin = await api('PUT', `/rooms/${enc(roomId)}/state/io.tessera.plugin/io.tessera.agent`, { enabled: true, config: {} });
const data = { runner_url: o['runner-url'], agent_id: o['agent-id'] };
// The offer: what "+" lists for this agent. One state event per agent, keyed by its own user id
// (which only it may send); Tessera lists it while the agent is in the room.
const offer = await api('PUT', `/rooms/${enc(roomId)}/state/io.tessera.agent.offer/${enc(userId)}`, {
    widgets: [{ type: 'io.tessera.agent_panel', name, description: `${name}'s status, runs and live log`, data }],
});
const widget = o['offer-only'] ? null : await api('PUT', `/rooms/${enc(roomId)}/state/m.widget/${enc(widgetId)}`, {
    type: 'io.tessera.agent_panel',
    // Tessera serves the panel from its plugin; other clients have no page for this type.
    url: 'https://tessera.invalid/plugin-widget',
    name,
    data,
    creatorUserId: userId,
    id: widgetId,
});
const said = await api('PUT', `/rooms/${enc(roomId)}/send/m.room.message/agent-${Date.now()}-${txn++}`, {
    msgtype: 'm.notice',
    body: !widget ? `${name} is up. Add its panel with + in the widget panel.`
        : widget.refused ? `${name} is up, but could not publish its panel: ${widget.error}` : `${name} is up. Its panel is in this room.`,
});

process.stdout.write(JSON.stringify({ user_id: userId, room_id: roomId, widget_id: widget ? widgetId : null, plugin: outcome(plugin),
                                      offer: outcome(offer), widget: widget ? outcome(widget) : 'not published',
                                      message: outcome(said) }) + '\n');

const stop = () => process.exit(0);
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
setTimeout(stop, Number(o['max-seconds']) * 1000);
