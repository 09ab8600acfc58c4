// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The loopback web server the end-to-end tests serve their widgets from. It binds 127.0.0.1 only,
// stops by itself after a bounded number of requests or a bounded lifetime, and records every
// request so a test can prove that a page was (or was never) fetched.
//
//   /widgets/<file>            e2e/widgets/
//   /lib/matrix-widget-api.js  matrix-widget-api's browser bundle (exposes `mxwidgets`)
//   /landing?…                 where a malicious widget tries to send the user; must never be hit
//   /element-call/<path>       Element Call's embedded build (@element-hq/element-call-embedded's dist/)
//   /needs-tessera/[<file>]    the page other clients get for a plugin widget (host/web/needs-tessera/)

import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const e2eDir = path.resolve(here, '..');
const needsTesseraDir = path.resolve(e2eDir, '..', 'host', 'web', 'needs-tessera');

const TYPES = {
    '.html': 'text/html; charset=utf-8',
    '.js': 'text/javascript; charset=utf-8',
    '.mjs': 'text/javascript; charset=utf-8',
    '.css': 'text/css; charset=utf-8',
    '.json': 'application/json',
    '.svg': 'image/svg+xml',
    '.png': 'image/png',
    '.woff': 'font/woff',
    '.woff2': 'font/woff2',
    '.wasm': 'application/wasm',
    '.mp3': 'audio/mpeg',
    '.ogg': 'audio/ogg',
    '.map': 'application/json',
    '.tflite': 'application/octet-stream',
};

export class FixtureServer {
    /**
     * @param {object} o
     * @param {string} o.modulesDir  the folder holding node_modules (for the widget API bundle)
     * @param {number} [o.maxRequests]
     * @param {number} [o.maxSeconds]
     */
    constructor({ modulesDir, maxRequests = 5000, maxSeconds = 600 }) {
        this.modulesDir = path.resolve(modulesDir);
        this.maxRequests = maxRequests;
        this.maxSeconds = maxSeconds;
        this.requests = []; // {method, path, url, host, timeMs}
        this.stoppedBecause = null;
    }

    async start() {
        const handler = (req, res) => this.#handle(req, res).catch((e) => {
            res.writeHead(500, { 'content-type': 'text/plain' });
            res.end(String(e && e.stack || e));
        });
        this.server = createServer(handler);
        this.server.keepAliveTimeout = 2000;
        await new Promise((resolve, reject) => {
            this.server.once('error', reject);
            this.server.listen(0, '127.0.0.1', resolve);
        });
        this.port = this.server.address().port;
        this.origin = `http://127.0.0.1:${this.port}`;
        this.lifetime = setTimeout(() => this.stop('lifetime'), this.maxSeconds * 1000);
        this.lifetime.unref();
        return this;
    }

    async stop(reason = 'stopped') {
        if (!this.server || this.stoppedBecause)
            return;
        this.stoppedBecause = reason;
        clearTimeout(this.lifetime);
        this.server.closeAllConnections?.();
        await new Promise((resolve) => this.server.close(() => resolve()));
    }

    /** Requests whose path (without the query) is @p p. */
    hits(p) {
        return this.requests.filter((r) => r.path === p);
    }

    async #handle(req, res) {
        const url = new URL(req.url, 'http://fixture.invalid');
        this.requests.push({ method: req.method, path: url.pathname, url: req.url, host: req.headers.host, userAgent: req.headers['user-agent'] || '', timeMs: Date.now() });
        if (this.requests.length > this.maxRequests) {
            res.writeHead(503, { 'content-type': 'text/plain', connection: 'close' });
            res.end('request limit reached');
            setImmediate(() => this.stop('request limit'));
            return;
        }
        const headers = { 'cache-control': 'no-store' };
        if (req.method !== 'GET' && req.method !== 'HEAD') {
            res.writeHead(405, headers);
            res.end();
            return;
        }
        if (url.pathname === '/landing') {
            res.writeHead(200, { ...headers, 'content-type': TYPES['.html'] });
            res.end('<!DOCTYPE html><title>landing</title><p id="landing">A widget got the user here.</p>');
            return;
        }
        let file = null;
        if (url.pathname === '/lib/matrix-widget-api.js')
            file = path.join(this.modulesDir, 'node_modules', 'matrix-widget-api', 'dist', 'api.js');
        else if (/^\/widgets\/[A-Za-z0-9_.-]+$/.test(url.pathname))
            file = path.join(e2eDir, url.pathname);
        else if (url.pathname === '/needs-tessera/')
            file = path.join(needsTesseraDir, 'index.html');
        else if (/^\/needs-tessera\/[A-Za-z0-9_-][A-Za-z0-9_.-]*$/.test(url.pathname))
            file = path.join(needsTesseraDir, url.pathname.slice('/needs-tessera/'.length));
        else if (/^\/element-call\/(?:assets\/)?[A-Za-z0-9_-][A-Za-z0-9_.-]*$/.test(url.pathname))
            file = path.join(this.modulesDir, 'node_modules', '@element-hq', 'element-call-embedded', 'dist',
                url.pathname.slice('/element-call/'.length));
        if (!file) {
            res.writeHead(404, { ...headers, 'content-type': 'text/plain' });
            res.end('not found');
            return;
        }
        let body;
        try {
            body = await readFile(file);
        } catch {
            res.writeHead(404, { ...headers, 'content-type': 'text/plain' });
            res.end('not found');
            return;
        }
        res.writeHead(200, { ...headers, 'content-type': TYPES[path.extname(file)] || 'application/octet-stream' });
        res.end(req.method === 'HEAD' ? undefined : body);
    }
}
