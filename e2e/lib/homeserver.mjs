// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The loopback test homeserver (e2e/homeserver, `tessera-test-homeserver`) as a child process of a
// scenario: started on a free port, read back through its /_tessera_test endpoints, stopped with
// SIGTERM. It also stops by itself after --max-seconds, so it cannot outlive a killed test.

import { spawn } from 'node:child_process';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class TestHomeserver {
    /**
     * @param {object} o
     * @param {string} o.binary   tessera-test-homeserver
     * @param {string[]} o.args   e.g. ['--user', 'alice:secret', '--seed', file]
     */
    constructor({ binary, args = [], log = () => {} }) {
        Object.assign(this, { binary, args, log });
        this.stderr = [];
        this.exited = null;
    }

    async start(timeoutMs = 20000) {
        const argv = ['--port', '0', '--max-seconds', '300', ...this.args];
        this.proc = spawn(this.binary, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
        this.proc.stderr.setEncoding('utf8').on('data', (d) => {
            for (const line of d.split('\n'))
                if (line.length > 0)
                    this.stderr.push(line);
        });
        this.exitPromise = new Promise((resolve) => {
            this.proc.on('exit', (code, signal) => {
                this.exited = { code, signal };
                resolve(this.exited);
            });
        });
        // The base URL is the first and only line on stdout.
        this.baseUrl = await new Promise((resolve, reject) => {
            let out = '';
            const timer = setTimeout(() => reject(new Error(`the test homeserver did not start within ${timeoutMs} ms: ${this.stderr.join(' / ')}`)), timeoutMs);
            this.proc.stdout.setEncoding('utf8').on('data', (d) => {
                out += d;
                const nl = out.indexOf('\n');
                if (nl >= 0) {
                    clearTimeout(timer);
                    resolve(out.slice(0, nl).trim());
                }
            });
            this.proc.on('exit', (code) => {
                clearTimeout(timer);
                reject(new Error(`the test homeserver exited (${code}) during start-up: ${this.stderr.join(' / ')}`));
            });
        });
        return this;
    }

    /**
     * A request to the server as a client makes it (as the user whose access @p token it is, or
     * anonymously); resolves with the JSON answer, throws with the status and body otherwise.
     */
    async request(method, path, { body, token } = {}) {
        const r = await fetch(this.baseUrl + path, {
            method,
            headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
            body: body === undefined ? undefined : JSON.stringify(body),
            signal: AbortSignal.timeout(10000),
        });
        const json = await r.json();
        if (!r.ok)
            throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(json)}`);
        return json;
    }

    async get(path) {
        return this.request('GET', path);
    }

    /** The events of a room (id or alias), optionally of one type, as the server stored them. */
    async roomEvents(roomIdOrAlias, type) {
        const q = type ? `?type=${encodeURIComponent(type)}` : '';
        return (await this.get(`/_tessera_test/rooms/${encodeURIComponent(roomIdOrAlias)}/events${q}`)).events;
    }

    async stop() {
        if (!this.proc || this.exited)
            return;
        this.proc.kill('SIGTERM');
        const done = await Promise.race([this.exitPromise, sleep(10000).then(() => null)]);
        if (!done) {
            this.proc.kill('SIGKILL');
            await this.exitPromise;
        }
    }
}
