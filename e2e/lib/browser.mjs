// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The "system browser" of a browser sign-in, for the tests: Tessera is started with $BROWSER set
// to e2e/lib/browser-handoff.sh, which only writes the address it was asked to open to a file; the
// test then opens that address in a headless Chromium of its own and fills in the pages with real
// input (DevTools Input.* events: a click at an element's centre, typed text), as a person would.

import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { freePort, waitUntil } from './app.mjs';
import { Cdp, browserWebSocketUrl } from './cdp.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const HANDOFF_SCRIPT = path.join(path.dirname(new URL(import.meta.url).pathname), 'browser-handoff.sh');

/** The file $BROWSER writes to, and the environment Tessera needs for it. */
export class BrowserHandoff {
    constructor(dir) {
        this.file = path.join(dir, 'browser-urls.txt');
        this.seen = 0;
    }

    async reset() {
        await writeFile(this.file, '');
        this.seen = 0;
    }

    env() {
        return { BROWSER: HANDOFF_SCRIPT, TESSERA_E2E_BROWSER_FILE: this.file };
    }

    /** The next address Tessera asked the browser to open. */
    async next(timeoutMs = 30000) {
        return waitUntil(async () => {
            const lines = (await readFile(this.file, 'utf8').catch(() => '')).split('\n').filter(Boolean);
            if (lines.length <= this.seen)
                return null;
            return lines[this.seen++];
        }, timeoutMs, 'Tessera to open the browser');
    }
}

export class HeadlessBrowser {
    constructor({ binary = '/usr/bin/chromium', workDir, log = () => {} }) {
        Object.assign(this, { binary, workDir, log });
    }

    async start() {
        await mkdir(this.workDir, { recursive: true });
        const port = await freePort();
        const args = ['--headless', '--no-first-run', '--no-default-browser-check', '--disable-default-apps',
            '--disable-component-update', '--disable-background-networking', '--disable-sync', '--mute-audio',
            `--user-data-dir=${path.join(this.workDir, 'profile')}`, '--window-size=1000,800',
            `--remote-debugging-port=${port}`, 'about:blank'];
        if (process.getuid && process.getuid() === 0)
            args.splice(args.length - 1, 0, '--no-sandbox');
        const env = { ...process.env, HOME: path.join(this.workDir, 'home') };
        delete env.DISPLAY;
        delete env.WAYLAND_DISPLAY;
        const fd = openSync(path.join(this.workDir, 'chromium.log'), 'w');
        this.proc = spawn('timeout', ['--kill-after=5', '600', this.binary, ...args], { env, stdio: ['ignore', fd, fd] });
        closeSync(fd);
        this.exited = false;
        this.proc.on('exit', () => { this.exited = true; });
        this.cdp = await Cdp.connect(await browserWebSocketUrl(port, 60000, () => !this.exited));
        return this;
    }

    async stop() {
        if (this.cdp)
            this.cdp.close();
        if (this.proc && !this.exited) {
            this.proc.kill('SIGTERM');
            await Promise.race([new Promise((r) => this.proc.once('exit', r)), sleep(5000)]);
            if (!this.exited)
                this.proc.kill('SIGKILL');
        }
    }

    /** Opens @p url in a new tab; returns the tab's DevTools session. */
    async open(url) {
        const { targetId } = await this.cdp.send('Target.createTarget', { url: 'about:blank' });
        const sessionId = await this.cdp.attach(targetId);
        await this.cdp.send('Page.enable', {}, sessionId);
        await this.cdp.send('Page.navigate', { url }, sessionId);
        return { targetId, sessionId };
    }

    async close(tab) {
        await this.cdp.send('Target.closeTarget', { targetId: tab.targetId }).catch(() => {});
    }

    /** The tab's current address. */
    async location(tab) {
        return this.cdp.evaluate(tab.sessionId, 'location.href', 10000);
    }

    /** Waits for an element matching @p selector in a loaded page. */
    async waitFor(tab, selector, timeoutMs = 30000) {
        const expr = `(() => { const e = document.querySelector(${JSON.stringify(selector)});
            return document.readyState === 'complete' && e ? true : null; })()`;
        return waitUntil(async () => {
            try {
                return await this.cdp.evaluate(tab.sessionId, expr, 5000);
            } catch {
                return null; // navigating
            }
        }, timeoutMs, `${selector} in the browser`);
    }

    /** A real click (mouse pressed and released) at the centre of @p selector. */
    async click(tab, selector) {
        await this.waitFor(tab, selector);
        const box = await this.cdp.evaluate(tab.sessionId, `(() => { const r = document.querySelector(${JSON.stringify(selector)}).getBoundingClientRect();
            return { x: r.left + r.width / 2, y: r.top + r.height / 2 }; })()`);
        for (const type of ['mousePressed', 'mouseReleased'])
            await this.cdp.send('Input.dispatchMouseEvent', { type, x: box.x, y: box.y, button: 'left', clickCount: 1 }, tab.sessionId);
    }

    /** Clicks into @p selector and types @p text. */
    async type(tab, selector, text) {
        await this.click(tab, selector);
        await this.cdp.send('Input.insertText', { text }, tab.sessionId);
    }

    /** Signs in on the provider's page and answers its consent page (allow or deny). */
    async signIn(tab, { user, password, allow = true }) {
        // A browser that signed in to the server before goes straight to the consent page.
        await this.waitFor(tab, '#username, #allow');
        if (await this.cdp.evaluate(tab.sessionId, 'document.querySelector("#username") !== null', 10000)) {
            await this.type(tab, '#username', user);
            await this.type(tab, '#password', password);
            await this.click(tab, '#submit');
        }
        await this.click(tab, allow ? '#allow' : '#deny');
    }
}
