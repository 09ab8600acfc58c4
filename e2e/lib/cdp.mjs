// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// A small Chrome DevTools Protocol client over one browser-level WebSocket, with flat sessions.
// It works against Qt WebEngine 6.4 (Chrome 102) and a current headless Chromium alike: it only
// uses Target.* and Runtime.evaluate, which both have.

import { createRequire } from 'node:module';
import path from 'node:path';

let WebSocket = null;

/** Loads `ws` from the e2e npm folder (installed under the build directory). */
export function useModules(modulesDir) {
    const require = createRequire(path.join(path.resolve(modulesDir), 'package.json'));
    WebSocket = require('ws');
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** GET http://host:port/json/version until it answers, then the browser's WebSocket URL. */
export async function browserWebSocketUrl(port, timeoutMs, isAlive = () => true) {
    const deadline = Date.now() + timeoutMs;
    let last = null;
    while (Date.now() < deadline) {
        if (!isAlive())
            throw new Error('the browser process exited before its DevTools endpoint answered');
        try {
            const r = await fetch(`http://127.0.0.1:${port}/json/version`, { signal: AbortSignal.timeout(2000) });
            if (r.ok) {
                const j = await r.json();
                if (j.webSocketDebuggerUrl)
                    return j.webSocketDebuggerUrl;
            }
        } catch (e) {
            last = e;
        }
        await sleep(100);
    }
    throw new Error(`no DevTools endpoint on 127.0.0.1:${port} within ${timeoutMs} ms (${last && last.message})`);
}

export class Cdp {
    static async connect(wsUrl) {
        if (!WebSocket)
            throw new Error('cdp.useModules() was not called');
        const c = new Cdp();
        c.ws = new WebSocket(wsUrl, { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });
        await new Promise((resolve, reject) => {
            c.ws.once('open', resolve);
            c.ws.once('error', reject);
        });
        c.ws.on('message', (data) => c.#onMessage(data));
        c.ws.on('close', () => {
            c.closed = true;
            for (const [, p] of c.pending)
                p.reject(new Error('DevTools connection closed'));
            c.pending.clear();
        });
        return c;
    }

    constructor() {
        this.nextId = 1;
        this.pending = new Map();
        this.listeners = new Set();
        this.closed = false;
    }

    #onMessage(data) {
        let msg;
        try {
            msg = JSON.parse(data.toString());
        } catch {
            return;
        }
        if (msg.id !== undefined) {
            const p = this.pending.get(msg.id);
            if (!p)
                return;
            this.pending.delete(msg.id);
            clearTimeout(p.timer);
            if (msg.error)
                p.reject(new Error(`${p.method}: ${msg.error.message}${msg.error.data ? ' (' + msg.error.data + ')' : ''}`));
            else
                p.resolve(msg.result);
            return;
        }
        for (const l of this.listeners)
            l(msg);
    }

    /** Sends a command (to a flat session when @p sessionId is set); rejects after @p timeoutMs. */
    send(method, params = {}, sessionId = undefined, timeoutMs = 30000) {
        if (this.closed)
            return Promise.reject(new Error('DevTools connection closed'));
        const id = this.nextId++;
        const msg = { id, method, params };
        if (sessionId)
            msg.sessionId = sessionId;
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => {
                this.pending.delete(id);
                reject(new Error(`${method}: no answer within ${timeoutMs} ms`));
            }, timeoutMs);
            this.pending.set(id, { resolve, reject, timer, method });
            this.ws.send(JSON.stringify(msg));
        });
    }

    /** Calls @p fn(msg) for every event; returns a function that stops it. */
    onEvent(fn) {
        this.listeners.add(fn);
        return () => this.listeners.delete(fn);
    }

    async targets() {
        return (await this.send('Target.getTargets')).targetInfos;
    }

    async attach(targetId) {
        return (await this.send('Target.attachToTarget', { targetId, flatten: true })).sessionId;
    }

    async detach(sessionId) {
        try {
            await this.send('Target.detachFromTarget', { sessionId }, undefined, 5000);
        } catch {
            // already gone
        }
    }

    /**
     * Evaluates @p expression (awaiting a promise) in a session's main world; returns its value.
     * With @p userGesture the page sees it as run by a click (transient user activation).
     */
    async evaluate(sessionId, expression, timeoutMs = 60000, { userGesture = false } = {}) {
        const r = await this.send('Runtime.evaluate', {
            expression,
            awaitPromise: true,
            returnByValue: true,
            userGesture,
        }, sessionId, timeoutMs);
        if (r.exceptionDetails) {
            const d = r.exceptionDetails;
            throw new Error(`page threw: ${(d.exception && (d.exception.description || d.exception.value)) || d.text}`);
        }
        return r.result.value;
    }

    close() {
        try {
            this.ws.close();
        } catch {
            // nothing to do
        }
    }
}

/**
 * Waits until a target of @p type whose URL satisfies @p match exists, and returns its info.
 * @p isAlive lets a dead browser end the wait at once.
 */
export async function waitForTarget(cdp, type, match, timeoutMs, what, isAlive = () => true) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const t = (await cdp.targets()).find((i) => i.type === type && match(i.url, i));
        if (t)
            return t;
        if (!isAlive())
            throw new Error(`the app exited while waiting for ${what}`);
        if (Date.now() > deadline)
            throw new Error(`no ${type} target for ${what} within ${timeoutMs} ms`);
        await sleep(100);
    }
}
