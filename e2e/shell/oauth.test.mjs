// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// Browser sign-in (OAuth 2.0, MSC3861) end to end: the real tessera binary, the test homeserver
// delegating authentication to a real authorization server (oidc-provider, e2e/lib/oauthprovider.mjs)
// by token introspection as Synapse does with MAS, and a headless Chromium as the system browser,
// filled in with real input.
//
// It walks: the login page (a typed address that cannot connect, said in words, the field keeps
// what was typed), an issuer mismatch, a declined consent, a forged answer (wrong state), an
// injected code (PKCE mismatch), a sign-in left unfinished (timeout) — each with nothing stored —,
// then the sign-in to the room list, refreshes during use (one at a time: a reused rotated refresh
// token would revoke the grant), a send after the access token was revoked (introspection says
// inactive: a refresh mends it), revocation of the whole grant (the signed-out page says why,
// nothing is left), sign-in again and sign-out (the tokens are revoked), and a refresh token that
// expired while Tessera was closed.

import path from 'node:path';

import { waitUntil } from '../lib/app.mjs';
import { BrowserHandoff, HeadlessBrowser } from '../lib/browser.mjs';
import { OAuthProvider } from '../lib/oauthprovider.mjs';
import { check, runScenario } from '../lib/scenario.mjs';

const USER = 'alice';
const PASSWORD = 'correct horse';
const SERVER_NAME = 'tessera.test';
const SECRET = 'homeserver-introspection-secret';
const SIGN_IN_TIMEOUT_S = 12;
const ACCESS_TTL_S = 6;
const REFRESH_TTL_S = 24;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Follows redirects by hand with a cookie jar: the browser step over HTTP, for the forged cases. */
class HttpBrowser {
    constructor() {
        this.jar = new Map();
    }

    async get(url, init = {}) {
        const headers = { ...(init.headers || {}), cookie: [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ') };
        const r = await fetch(url, { ...init, headers, redirect: 'manual', signal: AbortSignal.timeout(15000) });
        for (const c of r.headers.getSetCookie()) {
            const kv = c.split(';')[0];
            const i = kv.indexOf('=');
            this.jar.set(kv.slice(0, i), kv.slice(i + 1));
        }
        return r;
    }

    /** Runs the authorization request @p url through login and consent; returns the final redirect. */
    async authorize(url) {
        let r = await this.get(url);
        let location = new URL(r.headers.get('location'), url).href;
        const form = { 'content-type': 'application/x-www-form-urlencoded' };
        for (let step = 0; step < 8; ++step) {
            if (location.startsWith('http://127.0.0.1:') && new URL(location).pathname === '/callback')
                return location;
            if (/\/interaction\/[^/]+$/.test(new URL(location).pathname)) {
                const page = await (await this.get(location)).text();
                const action = page.includes('id="login"') ? 'login' : 'confirm';
                r = await this.get(`${location}/${action}`, { method: 'POST', headers: form,
                    body: action === 'login' ? new URLSearchParams({ username: USER, password: PASSWORD }).toString() : '' });
            } else {
                r = await this.get(location);
            }
            location = new URL(r.headers.get('location'), location).href;
        }
        throw new Error(`no callback after the browser steps (last: ${location})`);
    }
}

runScenario('e2e.shell.oauth', async (ctx) => {
    ctx.phase('start the authorization server and the homeservers');
    const provider = await new OAuthProvider({
        modulesDir: ctx.modulesDir, users: { [USER]: PASSWORD }, homeserverSecret: SECRET,
        accessTokenTtl: ACCESS_TTL_S, refreshTokenTtl: REFRESH_TTL_S, log: (m) => ctx.log(m),
    }).start();
    ctx.defer(() => provider.stop());
    const seed = path.join(ctx.work, 'seed.json');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(seed, JSON.stringify({
        users: [{ user: USER, password: PASSWORD, displayname: 'Alice' }],
        rooms: [{ creator: USER, alias: 'widgets', name: 'Widgets', preset: 'public_chat' }],
    }));
    const oauthArgs = ['--server-name', SERVER_NAME, '--seed', seed, '--oauth-issuer', provider.issuer,
        '--oauth-client', `homeserver:${SECRET}`, '--oauth-account', `${provider.issuer}/account`];
    const hs = await ctx.homeserver(oauthArgs);
    // A homeserver that names another issuer than the server's metadata says (older, unstable discovery).
    // (localhost for 127.0.0.1: the server's metadata then says its issuer is another URL).
    const mismatched = await ctx.homeserver([...oauthArgs, '--oauth-unstable-only', '--oauth-advertised-issuer',
        provider.issuer.replace('127.0.0.1', 'localhost')]);

    const handoff = new BrowserHandoff(ctx.work);
    await handoff.reset();
    const browser = await new HeadlessBrowser({ workDir: path.join(ctx.work, 'chromium'), log: (m) => ctx.log(m) }).start();
    ctx.defer(() => browser.stop());
    const appArgs = ['--homeserver', hs.baseUrl, '--sign-in-timeout', String(SIGN_IN_TIMEOUT_S)];
    let app = ctx.app({ args: appArgs, env: handoff.env() });
    const matrixDb = path.join(app.dataDir, 'matrix', 'matrix.db');
    const sessions = async () => (await ctx.sql(matrixDb, 'SELECT count(*) AS n FROM session'))[0].n;
    const loginError = async () => (await app.find('loginError')).text;

    ctx.phase('the login page: a typed address is the one asked, failures in words');
    await app.start();
    await app.waitVisible('loginPage');
    check((await app.find('loginHomeserver')).text === hs.baseUrl, 'the field starts with --homeserver');
    await app.type('loginHomeserver', 'http://127.0.0.1:9', true);
    await app.click('loginContinue');
    await app.waitVisible('loginError', 30000);
    check(/cannot connect/i.test(await loginError()), 'a refused connection is said in words', await loginError());
    check((await app.find('loginHomeserver')).text === 'http://127.0.0.1:9', 'the field keeps what was typed', await app.find('loginHomeserver'));
    check(!(await app.find('loginErrorDetail')).visible, 'the detail waits to be asked for');
    await app.click('loginErrorDetailsToggle');
    check((await app.find('loginErrorDetail')).text.includes('127.0.0.1:9'), 'the detail names the address asked', await app.find('loginErrorDetail'));

    ctx.phase('issuer mismatch: refused before anything happens');
    await app.type('loginHomeserver', mismatched.baseUrl, true);
    await app.click('loginContinue');
    await waitUntil(async () => /does not match/.test(await loginError()), 30000, 'the issuer mismatch');
    check(!(await app.find('loginBrowser')).visible, 'no browser sign-in is offered');

    ctx.phase('the real server: only the browser sign-in is offered');
    await app.type('loginHomeserver', hs.baseUrl, true);
    await app.click('loginContinue');
    await app.waitVisible('loginBrowser', 30000);
    check(!(await app.find('loginUser')).visible, 'no password fields where the server has no password login');
    check((await app.find('loginServer')).text.includes(hs.baseUrl), 'the server signed in to is shown');

    ctx.phase('the user declines in the browser');
    await app.click('loginBrowser');
    check((await app.find('loginCancel')).visible && (await app.find('loginProgress')).visible, 'progress and Cancel while waiting');
    let tab = await browser.open(await handoff.next());
    await browser.signIn(tab, { user: USER, password: PASSWORD, allow: false });
    await waitUntil(async () => /declined/.test(await loginError()), 30000, 'the declined sign-in');
    await browser.close(tab);
    check(await sessions() === 0, 'nothing stored after a declined sign-in');
    check(provider.count('registration') === 1, 'Tessera registered itself once', provider.events);

    ctx.phase('a forged answer (wrong state) is refused');
    await app.click('loginBrowser');
    let url = new URL(await handoff.next());
    check(url.searchParams.get('code_challenge_method') === 'S256' && url.searchParams.get('code_challenge').length === 43, 'PKCE S256 is asked for', url.href);
    check(/^urn:matrix:client:api:\* urn:matrix:client:device:[A-Z0-9]{10}$/.test(url.searchParams.get('scope').replace(/^openid /, '')), 'the stable Matrix scopes', url.searchParams.get('scope'));
    check(url.searchParams.get('redirect_uri').startsWith('http://127.0.0.1:'), 'a loopback redirect', url.href);
    const forged = new URL(await new HttpBrowser().authorize(url.href));
    forged.searchParams.set('state', 'not-the-state');
    await fetch(forged, { signal: AbortSignal.timeout(10000) });
    await waitUntil(async () => /did not belong/.test(await loginError()), 30000, 'the forged answer to be refused');
    check(await sessions() === 0, 'nothing stored after a forged answer');
    check(provider.count('grant') === 0, 'no code was exchanged');

    ctx.phase('an injected code (another PKCE challenge) is refused by the server');
    await app.click('loginBrowser');
    url = new URL(await handoff.next());
    const injected = new URL(url);
    injected.searchParams.set('code_challenge', 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
    const stolen = new URL(await new HttpBrowser().authorize(injected.href));
    check(stolen.searchParams.get('state') === url.searchParams.get('state'), 'the attacker replays the state');
    await fetch(stolen, { signal: AbortSignal.timeout(10000) });
    await waitUntil(async () => /refused to complete/.test(await loginError()), 30000, 'the PKCE check to fail');
    check(provider.count('grant_error', (e) => e.grantType === 'authorization_code') === 1, 'the server refused the code', provider.events);
    check(await sessions() === 0, 'nothing stored after a PKCE mismatch');

    ctx.phase('a sign-in left unfinished times out');
    await app.click('loginBrowser');
    await handoff.next();
    await waitUntil(async () => /too long/.test(await loginError()), (SIGN_IN_TIMEOUT_S + 20) * 1000, 'the timeout');
    check(await sessions() === 0, 'nothing stored after a timeout');

    ctx.phase('sign in through the browser, to the room list');
    await app.click('loginBrowser');
    tab = await browser.open(await handoff.next());
    await browser.signIn(tab, { user: USER, password: PASSWORD });
    await app.waitHidden('loginPage', 30000).catch(async (e) => { throw new Error(`${e.message}; the page says: ${await loginError()}`); });
    await waitUntil(async () => (await browser.location(tab)).startsWith('http://127.0.0.1:'), 10000, 'the browser to reach the loopback page');
    await browser.close(tab);
    check((await app.property('', 'userId')) === `@${USER}:${SERVER_NAME}`, 'signed in as the user', await app.property('', 'userId'));
    const rooms = await waitUntil(async () => {
        const r = await app.model('rooms');
        return r.some((x) => JSON.stringify(x).includes('Widgets')) ? r : null;
    }, 30000, 'the room list after the first sync');
    await app.click(`room_${rooms.findIndex((x) => JSON.stringify(x).includes('Widgets'))}`);
    check(provider.count('registration') === 1, 'the registration was kept for this issuer');
    const stored = (await ctx.sql(matrixDb, 'SELECT auth FROM session'))[0];
    const auth = JSON.parse(stored.auth);
    check(auth.kind === 'oauth' && auth.issuer === provider.issuer && auth.client_id.length > 0, 'the session says how it signed in', auth);

    const send = async (body) => {
        await app.type('composerInput', body);
        await app.key('Return');
        return waitUntil(async () => (await hs.roomEvents(`#widgets:${SERVER_NAME}`, 'm.room.message')).filter((e) => e.content.body === body).length,
            30000, `"${body}" to reach the homeserver`);
    };

    ctx.phase('refreshes during use, one at a time, nothing lost');
    await waitUntil(async () => provider.count('grant', (e) => e.grantType === 'refresh_token') >= 2, (ACCESS_TTL_S * 3 + 10) * 1000, 'two refreshes');
    check(await send('sent after refreshes') === 1, 'the message arrives once');
    provider.tokenDelayMs = 3000; // a slow refresh: requests made meanwhile wait for it
    await waitUntil(async () => provider.count('token_delayed') >= 1, (ACCESS_TTL_S + 10) * 1000, 'a slow refresh to start');
    check(await send('sent during a slow refresh') === 1, 'a message sent during a refresh arrives once');
    provider.tokenDelayMs = 0;
    check(provider.count('grant_error', (e) => e.grantType === 'refresh_token') === 0, 'no refresh was refused (a reused rotated token would be)', provider.events.filter((e) => e.kind === 'grant_error'));

    ctx.phase('introspection says inactive: a refresh mends it');
    const refreshesBefore = provider.count('grant', (e) => e.grantType === 'refresh_token');
    await provider.revokeAccessTokens(USER);
    check(await send('sent after the access token was revoked') === 1, 'the message arrives once after a 401');
    check(provider.count('grant', (e) => e.grantType === 'refresh_token') > refreshesBefore, 'a refresh mended the 401');
    check(!(await app.find('loginPage')).visible, 'still signed in');

    ctx.phase('the grant is revoked on the server: the signed-out page says why');
    await provider.revokeUser(USER);
    await app.waitVisible('loginPage', (ACCESS_TTL_S + 40) * 1000);
    const notice = (await app.find('loginNotice')).text;
    check(/ended your session/.test(notice) && /invalid_grant/.test(notice), 'the page says why', notice);
    check(await sessions() === 0, 'the session is gone');
    check((await ctx.sql(path.join(app.dataDir, 'matrix', 'matrix-cache.db'), 'SELECT count(*) AS n FROM rooms'))[0].n === 0, 'the rooms are wiped');

    ctx.phase('sign in again, then sign out: the tokens are revoked');
    await app.waitVisible('loginBrowser', 30000);
    await app.click('loginBrowser');
    tab = await browser.open(await handoff.next());
    await browser.signIn(tab, { user: USER, password: PASSWORD });
    await app.waitHidden('loginPage', 30000);
    await browser.close(tab);
    await app.click('page_settings');
    await app.waitVisible('settingsSignOut');
    check((await app.find('settingsAccountUser')).text.includes(`@${USER}:${SERVER_NAME}`), 'Settings shows the account');
    check((await app.find('settingsManageAccount')).visible, 'the account management link is offered (MSC4191)');

    ctx.phase('Settings keeps a client id the administrators registered');
    const uiDb = path.join(app.dataDir, 'config', 'ui.db');
    const savedClientId = async () => (await ctx.sql(uiDb, "SELECT value FROM settings WHERE key = 'oauth_client_id'"))[0]?.value;
    await app.type('settingsClientId', 'has a space', true);
    await app.click('settingsClientIdSave');
    check(/no spaces/.test((await app.find('settingsClientIdStatus')).text), 'a malformed id is refused, in words', await app.find('settingsClientIdStatus'));
    check(await savedClientId() === undefined, 'and not kept');
    await app.type('settingsClientId', provider.preregisteredClientId, true);
    await app.click('settingsClientIdSave');
    check(/next sign-in uses this client id/.test((await app.find('settingsClientIdStatus')).text), 'Settings says it is saved', await app.find('settingsClientIdStatus'));
    check(await savedClientId() === provider.preregisteredClientId, 'it is kept for the next start', await savedClientId());

    ctx.phase('sign out from Settings: the sign-in page, with Settings closed behind it');
    const revocations = provider.count('revocation');
    await app.click('settingsSignOut');
    await app.waitVisible('signOutConfirm');
    await app.click('signOutConfirm');
    await app.waitVisible('loginPage', 30000);
    check(/You signed out/.test((await app.find('loginNotice')).text), 'the page says the user signed out');
    await app.waitHidden('settingsPage', 5000);
    await waitUntil(async () => provider.count('revocation') > revocations, 10000, 'the revocation');
    check(await sessions() === 0, 'the session is gone after signing out');

    ctx.phase('a refresh token that expired while Tessera was closed (signed in with the kept client id)');
    const registrations = provider.count('registration');
    await app.waitVisible('loginBrowser', 30000);
    await app.click('loginBrowser');
    const authorizeUrl = await handoff.next();
    check(new URL(authorizeUrl).searchParams.get('client_id') === provider.preregisteredClientId,
        'the browser sign-in uses the client id from Settings', authorizeUrl);
    tab = await browser.open(authorizeUrl);
    await browser.signIn(tab, { user: USER, password: PASSWORD });
    await app.waitHidden('loginPage', 30000);
    check((await app.find('settingsPage')).found !== true || !(await app.find('settingsPage')).visible,
        'signed in again, the rooms show, not the Settings page left open');
    await browser.close(tab);
    check(provider.count('registration') === registrations, 'Tessera did not register itself again');
    await app.stop();
    await sleep((REFRESH_TTL_S + 2) * 1000);
    app = ctx.app({ args: appArgs, env: handoff.env(), name: 'tessera-again' });
    await app.start();
    await app.waitVisible('loginPage', 60000);
    check(/ended your session/.test((await app.find('loginNotice')).text), 'the expired session is reported', (await app.find('loginNotice')).text);
    check(await sessions() === 0, 'and not kept');
    await ctx.auditVerify(app.dataDir);
}, { timeoutMs: 280000 });
