// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// Invitations and room names on the real binary against the test homeserver. Alice signs in on
// the login page; Carol's invitation is there from the start, Bob invites her while she is signed
// in. Rooms without a name are named after their members (the spec's algorithm, from the sync's
// room summary) and senders by their display names, never by raw ids. Opening an invitation
// asks the server for nothing it would refuse (no /state 403), offers Accept and Decline instead
// of the composer, and both answers work from the room view and from the room list.

import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import { check, runScenario } from '../lib/scenario.mjs';
import { waitUntil } from '../lib/app.mjs';
import { signInWithPassword } from '../lib/shell.mjs';

const SERVER_NAME = 'tessera.test';
const PASSWORD = 'correct horse';

runScenario('e2e.shell.invites', async (ctx) => {
    ctx.phase('start the test homeserver: a named room, Bob\'s unnamed room, Carol\'s invitation');
    const seed = {
        users: [
            { user: 'alice', password: PASSWORD, displayname: 'Alice' },
            { user: 'bob', password: PASSWORD, displayname: 'Bob' },
            { user: 'carol', password: PASSWORD, displayname: 'Carol' },
        ],
        rooms: [
            { creator: 'alice', name: 'Lobby', preset: 'public_chat', join: ['bob'],
              events: [{ sender: 'bob', type: 'm.room.message', content: { msgtype: 'm.text', body: 'hi from Bob' } }] },
            { creator: 'bob', preset: 'private_chat',
              events: [{ sender: 'bob', type: 'm.room.message', content: { msgtype: 'm.text', body: 'welcome, Alice' } }] },
            { creator: 'carol', preset: 'private_chat', invite: ['alice'] },
        ],
    };
    const file = path.join(ctx.work, 'seed.json');
    await writeFile(file, JSON.stringify(seed, null, 2));
    const hs = await ctx.homeserver(['--server-name', SERVER_NAME, '--seed', file]);

    const app = ctx.app({ args: ['--homeserver', hs.baseUrl, '--allow-http-loopback'] });
    ctx.phase('start tessera and sign in');
    await app.start();
    ctx.phase('sign in on the login page');
    await signInWithPassword(app, 'alice', PASSWORD);

    const rooms = () => app.model('rooms');
    const row = async (name) => (await rooms()).findIndex((r) => r.name === name);

    ctx.phase('the room list names every room, invitations after their inviter');
    let list = await waitUntil(async () => {
        const r = await rooms();
        return r.length >= 2 ? r : null;
    }, 30000, 'the room list after the first sync');
    check(list.some((r) => r.name === 'Lobby' && !r.invited), 'the named room is listed by its name', list);
    check(list.some((r) => r.name === 'Carol' && r.invited), 'Carol\'s invitation is named after Carol', list);
    check(!list.some((r) => r.name.startsWith('!')), 'no room is shown by its raw id', list);

    ctx.phase('senders are shown by display name');
    await app.click(`room_${await row('Lobby')}`);
    const hi = await waitUntil(async () => (await app.model('timeline')).find((t) => t.body === 'hi from Bob'), 20000,
        'Bob\'s message in the Lobby');
    check(hi.senderName === 'Bob' && hi.sender === `@bob:${SERVER_NAME}`, 'Bob\'s message is from "Bob"', hi);

    ctx.phase('Bob invites Alice while she is signed in');
    const bob = await hs.request('POST', '/_matrix/client/v3/login',
        { body: { type: 'm.login.password', identifier: { type: 'm.id.user', user: 'bob' }, password: PASSWORD } });
    const joined = (await hs.request('GET', '/_matrix/client/v3/joined_rooms', { token: bob.access_token })).joined_rooms;
    const lobby = list.find((r) => r.name === 'Lobby').roomId;
    const bobsRoom = joined.find((id) => id !== lobby);
    check(bobsRoom, 'Bob has his own room', joined);
    await hs.request('POST', `/_matrix/client/v3/rooms/${encodeURIComponent(bobsRoom)}/invite`,
        { token: bob.access_token, body: { user_id: `@alice:${SERVER_NAME}` } });
    const before = (await hs.get('/_tessera_test/requests')).requests.length;
    list = await waitUntil(async () => {
        const r = await rooms();
        return r.some((x) => x.roomId === bobsRoom && x.invited) ? r : null;
    }, 30000, 'Bob\'s invitation in the room list');
    check(list.find((r) => r.roomId === bobsRoom).name === 'Bob', 'Bob\'s invitation is named after Bob', list);

    ctx.phase('opening the invitation: Accept and Decline, no composer, nothing refused by the server');
    // On the room's name: the middle of an invitation's row holds its Accept and Decline buttons.
    await app.click(`roomLabel_${list.findIndex((r) => r.roomId === bobsRoom)}`);
    await app.waitVisible('invitePane', 10000);
    check((await app.find('roomName')).text === 'Bob', 'the header names the room', await app.find('roomName'));
    check(!(await app.find('composerInput')).visible, 'no composer in a room Alice has not joined', await app.find('composerInput'));
    // Give the widget panel and the timeline time to ask for what they would ask for.
    await new Promise((r) => setTimeout(r, 1500));
    const opened = (await hs.get('/_tessera_test/requests')).requests.slice(before);
    check(!opened.some((r) => r.status === 403), 'opening the invitation got no 403', opened);
    check(!opened.some((r) => r.path.includes('/state')), 'opening the invitation asked for no room state', opened);

    ctx.phase('accept from the room view: the room opens joined, with Bob\'s message from "Bob"');
    await app.click('inviteAccept');
    await waitUntil(async () => (await rooms()).some((r) => r.roomId === bobsRoom && !r.invited), 30000,
        'the room to be joined');
    await app.waitHidden('invitePane', 10000);
    await app.waitVisible('composerInput', 10000);
    const welcome = await waitUntil(async () => (await app.model('timeline')).find((t) => t.body === 'welcome, Alice'),
        20000, 'Bob\'s message after joining');
    check(welcome.senderName === 'Bob', 'from "Bob"', welcome);
    check((await hs.roomEvents(bobsRoom, 'm.room.member')).some((e) => e.state_key === `@alice:${SERVER_NAME}`
        && e.content.membership === 'join'), 'the server has Alice joined');
    const named = (await rooms()).find((r) => r.roomId === bobsRoom);
    check(named.name === 'Bob', 'a room of Alice and Bob is named "Bob" for Alice', named);

    ctx.phase('decline Carol\'s invitation from the room list');
    const carolRow = await row('Carol');
    check(carolRow >= 0, 'Carol\'s invitation is still listed', await rooms());
    const carolRoom = (await rooms())[carolRow].roomId;
    await app.click(`inviteDecline_${carolRow}`);
    await waitUntil(async () => !(await rooms()).some((r) => r.roomId === carolRoom), 30000,
        'the declined invitation to leave the list');
    const members = await hs.roomEvents(carolRoom, 'm.room.member');
    const alice = members.filter((e) => e.state_key === `@alice:${SERVER_NAME}`).pop();
    check(alice && alice.content.membership === 'leave', 'the server has the invitation declined', alice);
    const all = (await hs.get('/_tessera_test/requests')).requests;
    check(!all.some((r) => r.status === 403), 'no request of the whole run was refused', all.filter((r) => r.status === 403));
    await app.saveScreenshots(path.join(ctx.work, 'screens'), 'invites-done');
});
