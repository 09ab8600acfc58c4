// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// A real OAuth 2.0 / OpenID Connect authorization server for the tests: the npm package
// `oidc-provider` (8.x, a certified OpenID provider) on 127.0.0.1, set up the way the Matrix
// Authentication Service serves a homeserver (MSC3861):
//   - dynamic client registration (native public clients with loopback redirects), PKCE S256;
//   - the Matrix scopes (stable urn:matrix:client:* and MSC2967 urn:matrix:org.matrix.msc2967.client:*)
//     as the scopes of one resource server, the homeserver, with opaque access tokens of a short,
//     configurable lifetime, rotated refresh tokens, revocation (RFC 7009);
//   - token introspection (RFC 7662) for the homeserver's confidential client, which also gets
//     the `username` claim as MAS gives it;
//   - its own login and consent pages (plain HTML forms) that a browser, or a test over HTTP,
//     fills in as a person would.
// Test controls under /_test/: revoke a user's grants or only their access tokens, and a log of
// what happened (registrations, grants by type, refused grants, introspection and revocation requests).

import { createRequire } from 'node:module';
import http from 'node:http';
import path from 'node:path';

const MATRIX_API = ['urn:matrix:client:api:*', 'urn:matrix:org.matrix.msc2967.client:api:*'];
const DEVICE_PREFIXES = ['urn:matrix:client:device:', 'urn:matrix:org.matrix.msc2967.client:device:'];
const DEVICE_ID = /^[A-Za-z0-9._~-]{1,64}$/;

function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

function page(title, body) {
    return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
        `<body style="font-family:sans-serif;margin:2em"><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

async function readForm(req, limit = 16 * 1024) {
    let body = '';
    for await (const chunk of req) {
        body += chunk;
        if (body.length > limit)
            throw new Error('form too large');
    }
    return Object.fromEntries(new URLSearchParams(body));
}

export class OAuthProvider {
    /**
     * @param {object} o
     * @param {string} o.modulesDir          where oidc-provider is installed
     * @param {Object<string,string>} o.users  name -> password
     * @param {string} o.homeserverSecret    the homeserver's client secret (client id "homeserver")
     * @param {number} [o.accessTokenTtl]    seconds
     * @param {number} [o.refreshTokenTtl]   seconds
     * @param {string} [o.preregisteredClientId]  a native client registered in advance (--oauth-client-id)
     */
    constructor({ modulesDir, users, homeserverSecret, accessTokenTtl = 300, refreshTokenTtl = 3600,
        preregisteredClientId = 'tessera-preregistered', log = () => {} }) {
        Object.assign(this, { modulesDir, users, homeserverSecret, accessTokenTtl, refreshTokenTtl, preregisteredClientId, log });
        this.events = [];
        this.grants = new Map(); // account -> Set(grantId)
        this.deviceScopes = new Set();
        this.tokenDelayMs = 0;
    }

    record(kind, detail = {}) {
        this.events.push({ kind, at: Date.now(), ...detail });
    }

    count(kind, pred = () => true) {
        return this.events.filter((e) => e.kind === kind && pred(e)).length;
    }

    async start() {
        const require = createRequire(path.join(path.resolve(this.modulesDir), 'package.json'));
        const { default: Provider, errors } = await import(require.resolve('oidc-provider'));
        this.errors = errors;
        this.server = http.createServer((req, res) => this.#route(req, res));
        await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
        this.issuer = `http://127.0.0.1:${this.server.address().port}`;
        const self = this;
        const matrixScope = () => [...MATRIX_API, ...self.deviceScopes].join(' ');
        this.provider = new Provider(this.issuer, {
            clients: [
                {
                    client_id: 'homeserver',
                    client_secret: this.homeserverSecret,
                    grant_types: [],
                    response_types: [],
                    redirect_uris: [],
                    token_endpoint_auth_method: 'client_secret_basic',
                },
                {
                    client_id: this.preregisteredClientId,
                    application_type: 'native',
                    client_name: 'Tessera (registered by the administrators)',
                    token_endpoint_auth_method: 'none',
                    grant_types: ['authorization_code', 'refresh_token'],
                    response_types: ['code'],
                    redirect_uris: ['http://127.0.0.1/callback'],
                },
            ],
            scopes: ['openid', 'offline_access'],
            claims: { openid: ['sub'] },
            features: {
                devInteractions: { enabled: false },
                registration: { enabled: true },
                introspection: { enabled: true, allowedPolicy: async (ctx, client) => client.clientId === 'homeserver' },
                revocation: { enabled: true },
                resourceIndicators: {
                    enabled: true,
                    defaultResource: () => 'urn:matrix:homeserver',
                    useGrantedResource: () => true,
                    getResourceServerInfo: () => ({
                        scope: matrixScope(),
                        accessTokenFormat: 'opaque',
                        accessTokenTTL: self.accessTokenTtl,
                    }),
                },
            },
            pkce: { required: () => true },
            ttl: {
                AccessToken: this.accessTokenTtl,
                RefreshToken: this.refreshTokenTtl,
                AuthorizationCode: 60,
                Interaction: 600,
                Session: 600,
                Grant: 3600,
                IdToken: 300,
            },
            issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
            rotateRefreshToken: true,
            extraTokenClaims: async (ctx, token) => (token.accountId ? { username: token.accountId } : undefined),
            findAccount: async (ctx, id) => (Object.hasOwn(self.users, id) ? { accountId: id, claims: async () => ({ sub: id }) } : undefined),
            interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
            cookies: { keys: ['tessera-test-cookie-key'] },
            // scopes_supported lists what the homeserver accepts, as MAS does.
            discovery: { scopes_supported: ['openid', ...MATRIX_API] },
            renderError: async (ctx, out) => {
                ctx.type = 'html';
                ctx.body = page('Sign-in error', `<p id="error">${escapeHtml(out.error)}: ${escapeHtml(out.error_description || '')}</p>`);
            },
        });
        this.provider.proxy = false;
        this.provider.on('registration_create.success', (ctx, client) => this.record('registration', { clientId: client.clientId }));
        this.provider.on('grant.success', (ctx) => this.record('grant', { grantType: ctx.oidc.params.grant_type }));
        this.provider.on('grant.error', (ctx, err) => this.record('grant_error', { grantType: ctx.oidc.params?.grant_type, error: err.error, description: err.error_description }));
        this.provider.on('grant.revoked', (ctx, grantId) => this.record('grant_revoked', { grantId }));
        this.provider.on('authorization.error', (ctx, err) => this.record('authorization_error', { error: err.error, description: err.error_description }));
        this.accessTokens = new Map(); // account -> Set(jti)
        for (const model of ['access_token', 'refresh_token']) {
            this.provider.on(`${model}.saved`, (token) => {
                if (!token.accountId || !token.grantId)
                    return;
                if (!this.grants.has(token.accountId))
                    this.grants.set(token.accountId, new Set());
                this.grants.get(token.accountId).add(token.grantId);
                if (model === 'access_token') {
                    if (!this.accessTokens.has(token.accountId))
                        this.accessTokens.set(token.accountId, new Set());
                    this.accessTokens.get(token.accountId).add(token.jti);
                }
            });
        }
        this.callback = this.provider.callback();
        this.log(`OAuth provider (oidc-provider) on ${this.issuer}`);
        return this;
    }

    async stop() {
        if (this.server) {
            this.server.closeAllConnections?.();
            await new Promise((resolve) => this.server.close(resolve));
        }
    }

    /** Revokes every grant of @p user: access and refresh tokens die (the "signed out elsewhere" case). */
    async revokeUser(user) {
        for (const grantId of this.grants.get(user) || []) {
            await this.provider.AccessToken.revokeByGrantId(grantId);
            await this.provider.RefreshToken.revokeByGrantId(grantId);
            await this.provider.Grant.adapter.destroy(grantId);
        }
        this.record('test_revoke_user', { user });
    }

    /** Revokes only the access tokens of @p user: introspection says inactive, a refresh mends it. */
    async revokeAccessTokens(user) {
        // One by one: the in-memory adapter's revokeByGrantId would take the refresh tokens too.
        for (const jti of this.accessTokens.get(user) || []) {
            const token = await this.provider.AccessToken.find(jti);
            if (token)
                await token.destroy();
        }
        this.record('test_revoke_access', { user });
    }

    async #route(req, res) {
        try {
            const url = new URL(req.url, this.issuer);
            if (url.pathname.startsWith('/interaction/'))
                return await this.#interaction(req, res, url);
            if (url.pathname === '/auth') {
                // The homeserver accepts any well-formed device the client names (as MAS does):
                // make its scope one the resource server knows before the request is checked.
                for (const s of String(url.searchParams.get('scope') || '').split(' '))
                    if (DEVICE_PREFIXES.some((p) => s.startsWith(p) && DEVICE_ID.test(s.slice(p.length))))
                        this.deviceScopes.add(s);
            }
            // oidc-provider emits no event for these two: count the requests.
            if (url.pathname === '/token/revocation')
                this.record('revocation');
            if (url.pathname === '/token/introspection')
                this.record('introspection');
            if (url.pathname === '/token' && this.tokenDelayMs > 0) {
                this.record('token_delayed', { ms: this.tokenDelayMs });
                await new Promise((r) => setTimeout(r, this.tokenDelayMs));
            }
            if (url.pathname === '/account') {
                res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
                return res.end(page('Your account', `<p id="action">${escapeHtml(url.searchParams.get('action') || '')}</p>`));
            }
            return this.callback(req, res);
        } catch (e) {
            res.writeHead(500, { 'content-type': 'text/plain' });
            res.end(String(e && e.message));
        }
    }

    async #interaction(req, res, url) {
        const parts = url.pathname.split('/').filter(Boolean); // interaction, uid, [login|confirm|abort]
        const details = await this.provider.interactionDetails(req, res);
        const { prompt, params } = details;
        const send = (html) => {
            res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
            res.end(html);
        };
        if (req.method === 'GET' && parts.length === 2) {
            if (prompt.name === 'login') {
                return send(page('Sign in to the test homeserver',
                    `<form id="login" method="post" action="/interaction/${details.uid}/login">` +
                    '<p><label>User name <input id="username" name="username" autocomplete="off"></label></p>' +
                    '<p><label>Password <input id="password" name="password" type="password"></label></p>' +
                    '<p><button id="submit" type="submit" style="width:200px;height:48px">Sign in</button></p></form>'));
            }
            const scopes = String(params.scope || '').split(' ').filter(Boolean);
            return send(page('Allow access?',
                `<p id="client">${escapeHtml(params.client_id)}</p><ul id="scopes">${scopes.map((s) => `<li>${escapeHtml(s)}</li>`).join('')}</ul>` +
                `<form method="post" action="/interaction/${details.uid}/confirm"><button id="allow" type="submit" style="width:200px;height:48px">Allow</button></form>` +
                `<form method="post" action="/interaction/${details.uid}/abort"><button id="deny" type="submit" style="width:200px;height:48px">Deny</button></form>`));
        }
        if (req.method !== 'POST' || parts.length !== 3) {
            res.writeHead(404);
            return res.end();
        }
        const form = await readForm(req);
        if (parts[2] === 'login') {
            if (!Object.hasOwn(this.users, form.username) || this.users[form.username] !== form.password) {
                this.record('login_failed', { user: form.username });
                return send(page('Sign in to the test homeserver', '<p id="error">Wrong user name or password.</p>'));
            }
            this.record('login', { user: form.username });
            return this.provider.interactionFinished(req, res, { login: { accountId: form.username } }, { mergeWithLastSubmission: false });
        }
        if (parts[2] === 'abort') {
            this.record('denied');
            return this.provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'The user declined the request' }, { mergeWithLastSubmission: false });
        }
        if (parts[2] === 'confirm') {
            const { Grant } = this.provider;
            let grant = details.grantId ? await Grant.find(details.grantId) : undefined;
            if (!grant)
                grant = new Grant({ accountId: details.session.accountId, clientId: params.client_id });
            const missing = prompt.details;
            if (missing.missingOIDCScope)
                grant.addOIDCScope(missing.missingOIDCScope.join(' '));
            if (missing.missingOIDCClaims)
                grant.addOIDCClaims(missing.missingOIDCClaims);
            for (const [resource, scopes] of Object.entries(missing.missingResourceScopes || {})) {
                // The device scope names the device the client chose: it must be well formed.
                const accepted = scopes.filter((s) => MATRIX_API.includes(s) ||
                    DEVICE_PREFIXES.some((p) => s.startsWith(p) && DEVICE_ID.test(s.slice(p.length))));
                for (const s of accepted)
                    if (!MATRIX_API.includes(s))
                        this.deviceScopes.add(s);
                grant.addResourceScope(resource, accepted.join(' '));
            }
            const grantId = await grant.save();
            this.record('consent', { user: details.session.accountId });
            return this.provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
        }
        res.writeHead(404);
        return res.end();
    }
}
