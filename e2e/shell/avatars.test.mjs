// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// Room and member avatars on the real binary against the test homeserver. A named room has a
// picture (m.room.avatar), Bob has one in his membership, and Bob's unnamed room with Alice is
// named after him: the room list shows the room's picture and, for the room named after Bob, Bob's;
// the room header and Bob's messages in the timeline show them too; a room without a picture keeps
// its initials. The pictures are real PNG files uploaded to the server's media repository and
// fetched by Tessera as thumbnails.

import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { deflateSync } from 'node:zlib';

import { check, runScenario } from '../lib/scenario.mjs';
import { waitUntil } from '../lib/app.mjs';
import { signInWithPassword } from '../lib/shell.mjs';

const SERVER_NAME = 'tessera.test';
const PASSWORD = 'correct horse';

/** CRC-32 (ISO 3309), as PNG chunks carry it. */
function crc32(bytes) {
    let c = ~0;
    for (const b of bytes) {
        c ^= b;
        for (let k = 0; k < 8; ++k)
            c = (c >>> 1) ^ (0xEDB88320 & -(c & 1));
    }
    return ~c >>> 0;
}

/** A @p size × @p size PNG of one colour, made here so the test needs no image files. */
function png(size, [r, g, b]) {
    const chunk = (type, data) => {
        const head = Buffer.alloc(8);
        head.writeUInt32BE(data.length, 0);
        head.write(type, 4, 'ascii');
        const crc = Buffer.alloc(4);
        crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
        return Buffer.concat([head, data, crc]);
    };
    const header = Buffer.alloc(13);
    header.writeUInt32BE(size, 0);
    header.writeUInt32BE(size, 4);
    header.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB, no interlace
    const row = Buffer.alloc(1 + size * 3);
    for (let x = 0; x < size; ++x)
        row.set([r, g, b], 1 + x * 3);
    const pixels = Buffer.concat(Array.from({ length: size }, () => row));
    return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header),
        chunk('IDAT', deflateSync(pixels)), chunk('IEND', Buffer.alloc(0))]);
}

runScenario('e2e.shell.avatars', async (ctx) => {
    ctx.phase('start the test homeserver: a room with a picture, one without, and Bob\'s room with Alice');
    const seed = {
        users: [
            { user: 'alice', password: PASSWORD, displayname: 'Alice' },
            { user: 'bob', password: PASSWORD, displayname: 'Bob' },
        ],
        rooms: [
            { creator: 'alice', name: 'Pictures', preset: 'public_chat', join: ['bob'],
              events: [{ sender: 'bob', type: 'm.room.message', content: { msgtype: 'm.text', body: 'a picture of me' } }] },
            { creator: 'alice', name: 'Plain', preset: 'private_chat' },
            { creator: 'bob', preset: 'private_chat', join: ['alice'],
              events: [{ sender: 'bob', type: 'm.room.message', content: { msgtype: 'm.text', body: 'hello Alice' } }] },
        ],
    };
    const file = path.join(ctx.work, 'seed.json');
    await writeFile(file, JSON.stringify(seed, null, 2));
    const hs = await ctx.homeserver(['--server-name', SERVER_NAME, '--seed', file]);

    ctx.phase('Bob uploads two pictures, his own and the room\'s, which Alice sets');
    const signIn = async (user) => (await hs.request('POST', '/_matrix/client/v3/login',
        { body: { type: 'm.login.password', identifier: { type: 'm.id.user', user }, password: PASSWORD } })).access_token;
    const token = await signIn('bob');
    const upload = async (bytes) => {
        const r = await fetch(`${hs.baseUrl}/_matrix/media/v3/upload`, {
            method: 'POST', body: bytes, signal: AbortSignal.timeout(10000),
            headers: { 'Content-Type': 'image/png', Authorization: `Bearer ${token}` },
        });
        const json = await r.json();
        if (!r.ok)
            throw new Error(`upload: ${r.status} ${JSON.stringify(json)}`);
        return json.content_uri;
    };
    const roomPicture = await upload(png(64, [0x2e, 0x7d, 0x32]));
    const bobPicture = await upload(png(64, [0xc6, 0x28, 0x28]));
    const joined = (await hs.request('GET', '/_matrix/client/v3/joined_rooms', { token })).joined_rooms;
    const nameOf = async (roomId) => (await hs.request('GET',
        `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state/m.room.name/`, { token }).catch(() => ({}))).name;
    let pictures = null;
    for (const roomId of joined) {
        if (await nameOf(roomId) === 'Pictures')
            pictures = roomId;
    }
    check(pictures, 'Bob is in the Pictures room', joined);
    const state = (as, roomId, type, key, content) => hs.request('PUT',
        `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state/${type}/${encodeURIComponent(key)}`, { token: as, body: content });
    // The room's creator (Alice) may set its picture.
    await state(await signIn('alice'), pictures, 'm.room.avatar', '', { url: roomPicture });
    // Bob's membership carries his picture in every room he is in, as a client sets it.
    for (const roomId of joined)
        await state(token, roomId, 'm.room.member', `@bob:${SERVER_NAME}`, { membership: 'join', displayname: 'Bob', avatar_url: bobPicture });

    const app = ctx.app({ args: ['--homeserver', hs.baseUrl, '--allow-http-loopback'] });
    ctx.phase('start tessera and sign in as Alice');
    await app.start();
    await signInWithPassword(app, 'alice', PASSWORD);

    const image = (mxc) => `image://avatar/${mxc.slice('mxc://'.length)}`;
    ctx.phase('the room list shows the room\'s picture, Bob\'s for the room named after him, initials otherwise');
    const rooms = await waitUntil(async () => {
        const r = await app.model('rooms');
        return r.some((x) => x.name === 'Pictures' && x.avatar) && r.some((x) => x.name === 'Bob' && x.avatar)
            && r.some((x) => x.name === 'Plain') ? r : null;
    }, 30000, 'the rooms with their avatars after the first sync');
    check(rooms.find((r) => r.name === 'Pictures').avatar === image(roomPicture), 'the room\'s own picture', rooms);
    check(rooms.find((r) => r.name === 'Bob').avatar === image(bobPicture), 'the room named after Bob shows Bob', rooms);
    check(rooms.find((r) => r.name === 'Plain').avatar === '', 'a room without a picture has none', rooms);

    ctx.phase('the room header shows the picture, fetched as a thumbnail');
    await app.click(`room_${rooms.findIndex((r) => r.name === 'Pictures')}`);
    await waitUntil(async () => (await app.property('roomAvatar', 'showsImage')) === true, 20000,
        'the header\'s avatar shows the picture');
    const media = (await hs.get('/_tessera_test/requests')).requests.filter((r) => r.path.includes('/media/'));
    check(media.some((r) => r.path.startsWith('/_matrix/client/v1/media/thumbnail/') && r.status === 200),
        'a thumbnail from the authenticated media endpoint', media.map((r) => `${r.method} ${r.path} ${r.status}`));

    ctx.phase('Bob\'s message shows Bob\'s picture');
    const rows = await waitUntil(async () => {
        const t = await app.model('timeline');
        return t.some((x) => x.body === 'a picture of me') ? t : null;
    }, 20000, 'Bob\'s message in the timeline');
    check(rows.find((x) => x.body === 'a picture of me').avatar === image(bobPicture), 'the sender\'s avatar', rows);
    await app.saveScreenshots(path.join(ctx.work, 'shots'), 'pictures');

    ctx.phase('a room without a picture keeps its initials');
    await app.click(`room_${rooms.findIndex((r) => r.name === 'Plain')}`);
    await waitUntil(async () => (await app.property('roomAvatar', 'text')) === 'P', 20000, 'the Plain room\'s header');
    check(await app.property('roomAvatar', 'showsImage') === false, 'initials, no picture');
});
