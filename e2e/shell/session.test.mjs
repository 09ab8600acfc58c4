// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// A password session's life, end to end, against the test homeserver: sign-in on the login page,
// the connection banner (offline with Retry, then back), a 401 with soft_logout (the page asks to
// sign in again as the same user, the rooms stay, and a message refused meanwhile is sent after
// signing in again), and a 401 without it (the page says the server ended the session, the rooms
// and the unsent message are gone, and says so).

import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import { waitUntil } from '../lib/app.mjs';
import { check, runScenario } from '../lib/scenario.mjs';

const USER = 'alice';
const PASSWORD = 'correct horse';
const SERVER_NAME = 'tessera.test';
const ROOM = `#widgets:${SERVER_NAME}`;

runScenario('e2e.shell.session', async (ctx) => {
    ctx.phase('start the homeserver and tessera');
    const seed = path.join(ctx.work, 'seed.json');
    await writeFile(seed, JSON.stringify({
        users: [{ user: USER, password: PASSWORD, displayname: 'Alice' }],
        rooms: [{ creator: USER, alias: 'widgets', name: 'Widgets', preset: 'public_chat' }],
    }));
    const hs = await ctx.homeserver(['--server-name', SERVER_NAME, '--seed', seed]);
    const control = async (what, body) => {
        const r = await fetch(`${hs.baseUrl}/_tessera_test/${what}`, { method: body === null ? 'DELETE' : 'POST',
            headers: { 'content-type': 'application/json' }, body: body === null ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(10000) });
        check(r.ok, `control ${what}: ${r.status}`);
        return r.json();
    };
    const app = ctx.app({ args: ['--homeserver', hs.baseUrl] });
    const cacheDb = path.join(app.dataDir, 'matrix', 'matrix-cache.db');
    const matrixDb = path.join(app.dataDir, 'matrix', 'matrix.db');
    const cachedRooms = async () => (await ctx.sql(cacheDb, 'SELECT count(*) AS n FROM rooms'))[0].n;
    const pending = async () => (await ctx.sql(matrixDb, "SELECT count(*) AS n FROM outbox WHERE status = 'pending'"))[0].n;
    const arrived = async (body) => (await hs.roomEvents(ROOM, 'm.room.message')).filter((e) => e.content.body === body).length;
    await app.start();

    const signIn = async () => {
        await app.waitVisible('loginUser', 30000);
        await app.type('loginUser', USER, true);
        await app.type('loginPassword', PASSWORD, true);
        await app.click('loginSubmit');
        await app.waitHidden('loginPage', 30000).catch(async (e) => {
            throw new Error(`${e.message}; the page says: ${(await app.find('loginError')).text}`);
        });
    };
    const openRoom = async () => {
        const rooms = await waitUntil(async () => {
            const r = await app.model('rooms');
            return r.some((x) => JSON.stringify(x).includes('Widgets')) ? r : null;
        }, 30000, 'the room list');
        await app.click(`room_${rooms.findIndex((x) => JSON.stringify(x).includes('Widgets'))}`);
        await waitUntil(async () => (await app.property('', 'currentRoomName')) === 'Widgets', 10000, 'the room to open');
    };
    const send = async (body) => {
        await app.type('composerInput', body);
        await app.key('Return');
    };

    ctx.phase('sign in with a password');
    await app.waitVisible('loginPage');
    check((await app.find('loginProgress')).visible === false, 'no progress before anything is asked');
    await app.click('loginContinue');
    await signIn();
    await openRoom();
    await app.waitHidden('connectionBanner', 30000);

    ctx.phase('the server fails: offline with Retry, then back');
    await control('faults', { kind: 'server_error', method: 'GET', path_prefix: '/_matrix/client/v3/sync', count: 1000 });
    await send('wakes the long poll');
    await waitUntil(async () => (await arrived('wakes the long poll')) === 1, 30000, 'the message');
    await app.waitVisible('connectionRetry', 60000);
    check(/Offline/.test((await app.find('connectionText')).text), 'the banner says offline', await app.find('connectionText'));
    await control('faults', null);
    await app.click('connectionRetry');
    await app.waitHidden('connectionBanner', 30000);

    ctx.phase('soft logout: sign in again as the same user, nothing lost');
    // The client's next /sync would meet the 401 and show the sign-in page within milliseconds,
    // before the message is typed: the server holds each new /sync for 3 s, so the send is first.
    await control('faults', { kind: 'delay', method: 'GET', path_prefix: '/_matrix/client/v3/sync', delay_ms: 3000, count: 1000 });
    const expired = await control('expire_tokens', { user: USER, soft_logout: true });
    check(expired.expired >= 1, 'the session token was expired', expired);
    await send('sent while the session had expired');
    await app.waitVisible('loginPage', 30000);
    check(/Sign in again as @alice/.test((await app.find('loginNotice')).text), 'the page asks to sign in again as the user', (await app.find('loginNotice')).text);
    check((await app.find('loginUser')).text === `@${USER}:${SERVER_NAME}`, 'the user is filled in', await app.find('loginUser'));
    check(await cachedRooms() > 0, 'the rooms stay on this computer');
    check(await pending() === 1, 'the refused message waits in the outbox',
        await ctx.sql(matrixDb, 'SELECT status, count(*) AS n FROM outbox GROUP BY status'));
    await control('faults', null);
    await signIn();
    await waitUntil(async () => (await arrived('sent while the session had expired')) === 1, 30000, 'the waiting message after signing in again');

    ctx.phase('the server ends the session: the page says why, the data is gone');
    await openRoom();
    await control('faults', { kind: 'delay', method: 'GET', path_prefix: '/_matrix/client/v3/sync', delay_ms: 3000, count: 1000 });
    await control('expire_tokens', { user: USER, soft_logout: false });
    await send('lost with the session');
    await app.waitVisible('loginPage', 30000);
    const notice = (await app.find('loginNotice')).text;
    check(/ended your session/.test(notice) && /not sent yet and were discarded: 1/.test(notice), 'the page says what happened', notice);
    check(await cachedRooms() === 0, 'the rooms are deleted');
    check((await ctx.sql(matrixDb, 'SELECT count(*) AS n FROM session'))[0].n === 0 && await pending() === 0, 'nothing of the session is left');
    check(await arrived('lost with the session') === 0, 'the message was not sent');
    await ctx.auditVerify(app.dataDir);
});
