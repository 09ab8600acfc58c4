// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// Starts the real `tessera` binary for a test and drives it: the automation socket
// (TESSERA_AUTOMATION_SOCKET, host/ui/automation.cpp) for the QML shell, and the DevTools
// endpoint (QTWEBENGINE_REMOTE_DEBUGGING) for the pages inside its web views.

import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';

import { Cdp, browserWebSocketUrl, waitForTarget } from './cdp.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A free TCP port on 127.0.0.1 (released before it is returned; the caller binds it soon). */
export function freePort() {
    return new Promise((resolve, reject) => {
        const s = net.createServer();
        s.once('error', reject);
        s.listen(0, '127.0.0.1', () => {
            const { port } = s.address();
            s.close(() => resolve(port));
        });
    });
}

/** Polls @p fn until it returns a truthy value, for at most @p timeoutMs. */
export async function waitUntil(fn, timeoutMs, what, intervalMs = 100) {
    const deadline = Date.now() + timeoutMs;
    let last;
    for (;;) {
        last = await fn();
        if (last)
            return last;
        if (Date.now() > deadline)
            throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        await sleep(intervalMs);
    }
}

/**
 * One JSON line out, one JSON line back. Every command carries an "id" that the app echoes, so a
 * late answer (a screenshot is answered after a delay) never lands on another command.
 */
class AutomationClient {
    static connect(socketPath) {
        return new Promise((resolve, reject) => {
            const sock = net.createConnection(socketPath);
            sock.once('connect', () => resolve(new AutomationClient(sock)));
            sock.once('error', reject);
        });
    }

    constructor(sock) {
        this.sock = sock;
        this.buffer = '';
        this.nextId = 1;
        this.waiting = new Map();
        sock.setEncoding('utf8');
        sock.on('data', (d) => {
            this.buffer += d;
            let nl;
            while ((nl = this.buffer.indexOf('\n')) >= 0) {
                const line = this.buffer.slice(0, nl);
                this.buffer = this.buffer.slice(nl + 1);
                let reply;
                try {
                    reply = JSON.parse(line);
                } catch {
                    continue; // an unreadable line cannot be matched; its command times out
                }
                // An answer without an id (an app without the echo) goes to the oldest command.
                const id = reply.id !== undefined ? reply.id : this.waiting.keys().next().value;
                const w = this.waiting.get(id);
                if (!w)
                    continue;
                this.waiting.delete(id);
                clearTimeout(w.timer);
                w.resolve(reply);
            }
        });
        const failAll = (why) => {
            for (const w of this.waiting.values()) {
                clearTimeout(w.timer);
                w.reject(new Error('automation socket ' + why));
            }
            this.waiting.clear();
        };
        sock.on('close', () => { this.closed = true; failAll('closed'); });
        sock.on('error', (e) => failAll('error: ' + e.message));
    }

    request(command, timeoutMs = 20000) {
        if (this.closed)
            return Promise.reject(new Error('automation socket closed'));
        const id = this.nextId++;
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => {
                this.waiting.delete(id);
                reject(new Error(`automation: no reply to ${command.cmd} within ${timeoutMs} ms`));
            }, timeoutMs);
            this.waiting.set(id, { resolve, reject, timer });
            this.sock.write(JSON.stringify({ ...command, id }) + '\n');
        });
    }

    close() {
        this.sock.destroy();
    }
}

export class TesseraApp {
    /**
     * @param {object} o
     * @param {string} o.binary       the tessera executable
     * @param {string} o.dataDir
     * @param {string} o.workDir      sockets, logs, HOME for this run
     * @param {string[]} [o.args]     extra command-line arguments
     * @param {string} [o.name]       a label for logs and artefacts
     * @param {function} [o.log]      progress output
     * @param {number} [o.maxLifetimeSeconds]  the app is killed after this long whatever happens
     * @param {object} [o.env]        extra environment variables
     */
    constructor({ binary, dataDir, workDir, args = [], name = 'tessera', log = () => {}, maxLifetimeSeconds = 300, env = {} }) {
        Object.assign(this, { binary, dataDir, workDir, args, name, log, maxLifetimeSeconds, extraEnv: env });
        this.exited = null;
        this.stderrTail = [];
    }

    get alive() {
        return this.exited === null;
    }

    async start({ startupTimeoutMs = 90000 } = {}) {
        this.exited = null;
        this.stderrTail = [];
        await mkdir(this.workDir, { recursive: true });
        const home = path.join(this.workDir, 'home');
        const runtime = path.join(this.workDir, 'runtime');
        await mkdir(home, { recursive: true });
        await mkdir(runtime, { recursive: true, mode: 0o700 });
        this.socketPath = path.join(this.workDir, `automation-${this.name}.sock`);
        this.devtoolsPort = await freePort();
        this.logFile = path.join(this.workDir, `${this.name}.log`);
        const env = {
            ...process.env,
            HOME: home,
            XDG_RUNTIME_DIR: runtime,
            XDG_CONFIG_HOME: path.join(home, '.config'),
            XDG_CACHE_HOME: path.join(home, '.cache'),
            TESSERA_AUTOMATION_SOCKET: this.socketPath,
            QTWEBENGINE_REMOTE_DEBUGGING: `127.0.0.1:${this.devtoolsPort}`,
            LANG: 'C.UTF-8',
            ...this.extraEnv,
        };
        delete env.DISPLAY;
        delete env.WAYLAND_DISPLAY;
        delete env.TESSERA_PLUGIN_PATH;
        // Chromium refuses to run as root with its sandbox; only tests running as root turn it off.
        if (process.getuid && process.getuid() === 0)
            env.QTWEBENGINE_DISABLE_SANDBOX = '1';
        const argv = ['-platform', 'offscreen', '--data-dir', this.dataDir, '--size', '1280x800',
            '--theme', 'light', '--language', 'en', ...this.args];
        this.log(`start ${this.name}: tessera ${argv.join(' ')}`);
        const out = createWriteStream(this.logFile);
        this.startedAt = Date.now();
        // coreutils' timeout bounds the app's life even if this test process is killed outright
        // (a CTest timeout); it passes our signals on to the app.
        this.proc = spawn('timeout', ['--kill-after=5', String(this.maxLifetimeSeconds), this.binary, ...argv],
                          { env, stdio: ['ignore', 'pipe', 'pipe'] });
        this.pid = this.proc.pid;
        const keep = (chunk) => {
            out.write(chunk);
            for (const line of chunk.toString().split('\n'))
                if (line.length > 0)
                    this.stderrTail.push(line);
            if (this.stderrTail.length > 40)
                this.stderrTail.splice(0, this.stderrTail.length - 40);
        };
        this.proc.stdout.on('data', keep);
        this.proc.stderr.on('data', keep);
        this.exitPromise = new Promise((resolve) => {
            this.proc.on('exit', (code, signal) => {
                this.exited = { code, signal };
                out.end();
                resolve(this.exited);
            });
        });

        // The socket exists once the QML shell is up.
        const deadline = Date.now() + startupTimeoutMs;
        for (;;) {
            if (!this.alive)
                throw new Error(`${this.name} exited during start-up (${JSON.stringify(this.exited)}):\n  ${this.stderrTail.join('\n  ')}`);
            try {
                this.automation = await AutomationClient.connect(this.socketPath);
                break;
            } catch {
                if (Date.now() > deadline)
                    throw new Error(`${this.name}: the automation socket did not open within ${startupTimeoutMs} ms`);
                await sleep(100);
            }
        }
        const wsUrl = await browserWebSocketUrl(this.devtoolsPort, Math.max(5000, deadline - Date.now()), () => this.alive);
        this.cdp = await Cdp.connect(wsUrl);
        return this;
    }

    // ---- the automation socket ----------------------------------------------------------------

    async cmd(command, timeoutMs) {
        if (!this.alive)
            throw new Error(`${this.name} is not running (${JSON.stringify(this.exited)}):\n  ${this.stderrTail.join('\n  ')}`);
        return this.automation.request(command, timeoutMs);
    }

    async ok(command, timeoutMs) {
        const r = await this.cmd(command, timeoutMs);
        if (!r.ok)
            throw new Error(`automation ${JSON.stringify(command).slice(0, 200)} failed: ${r.error}`);
        return r;
    }

    find(name) {
        return this.ok({ cmd: 'find', name });
    }

    click(name) {
        return this.ok({ cmd: 'click', name });
    }

    setText(name, text) {
        return this.ok({ cmd: 'setText', name, text });
    }

    /** Clicks into the field @p name and types @p text key by key (@p replace selects what was there first). */
    type(name, text, replace = false) {
        return this.ok({ cmd: 'type', name, text, replace });
    }

    /** Turns the mouse wheel over item @p name: @p steps notches, up (back in a timeline) when @p up. */
    wheel(name, steps, up = true) {
        return this.ok({ cmd: 'wheel', name, steps, dy: up ? 1 : -1 });
    }

    key(key) {
        return this.ok({ cmd: 'key', key });
    }

    async property(name, property) {
        return (await this.ok({ cmd: 'property', name, property })).value;
    }

    async widgets() {
        return (await this.ok({ cmd: 'widgets' })).widgets;
    }

    async timeline() {
        return (await this.ok({ cmd: 'timeline' })).timeline;
    }

    /** The rows of one of the shell's models: rooms, timeline, consentPrompts, permissions, audit. */
    async model(model) {
        return (await this.ok({ cmd: 'model', model })).rows;
    }

    /** Waits until the item @p name is found and visible; returns its `find` answer. */
    waitVisible(name, timeoutMs = 30000) {
        return waitUntil(async () => {
            const f = await this.find(name);
            return f.found && f.visible ? f : null;
        }, timeoutMs, `${name} to be visible`);
    }

    /**
     * Turns the mouse wheel over the list @p list until item @p name is on show inside it (its
     * centre within the list and the window), as a person scrolls to a card before clicking it.
     */
    scrollIntoView(name, list, timeoutMs = 15000) {
        return waitUntil(async () => {
            const f = await this.find(name);
            if (f.found && f.inView)
                return f;
            await this.wheel(list, 1, false);
            return null;
        }, timeoutMs, `${name} scrolled into view in ${list}`, 100);
    }

    waitHidden(name, timeoutMs = 30000) {
        return waitUntil(async () => {
            const f = await this.find(name);
            return !f.found || !f.visible;
        }, timeoutMs, `${name} to be hidden`);
    }

    /** Waits for a widget of the current room matching @p pred; returns its `widgets` entry. */
    waitWidget(pred, timeoutMs, what) {
        return waitUntil(async () => (await this.widgets()).find(pred) || null, timeoutMs, what);
    }

    // ---- DevTools -----------------------------------------------------------------------------

    async pageTargets() {
        return (await this.cdp.targets()).filter((t) => t.type === 'page');
    }

    /**
     * Attaches to the out-of-process iframe of widget @p widgetId whose URL starts with
     * @p urlPrefix (site isolation puts every widget in its own target) and returns the session.
     * @p notTargetId skips the frame a reload replaced.
     */
    async widgetSession(widgetId, urlPrefix, timeoutMs = 30000, notTargetId = null) {
        const match = (url, info) => {
            if (info && info.targetId === notTargetId)
                return false;
            if (!url.startsWith(urlPrefix))
                return false;
            try {
                return new URL(url).searchParams.get('widgetId') === widgetId;
            } catch {
                return false;
            }
        };
        // A frame can go away between listing and attaching (a reload, or the provisional frame
        // of a cross-site navigation): retry until a target answers an evaluation.
        const deadline = Date.now() + timeoutMs;
        let lastError = null;
        while (Date.now() < deadline) {
            const t = await waitForTarget(this.cdp, 'iframe', match, Math.max(1, deadline - Date.now()), `widget ${widgetId}`, () => this.alive);
            let sessionId = null;
            try {
                sessionId = await this.cdp.attach(t.targetId);
                if (await this.cdp.evaluate(sessionId, 'document.readyState !== "loading"', 3000))
                    return { sessionId, target: t };
            } catch (e) {
                lastError = e;
            }
            if (sessionId)
                await this.cdp.detach(sessionId);
            await sleep(200);
        }
        throw new Error(`no answering frame for widget ${widgetId} within ${timeoutMs} ms (${lastError && lastError.message})`);
    }

    /**
     * Evaluates in a widget session until it yields a truthy value. An exception (the page's
     * scripts not loaded yet) counts as "not yet"; the last one is reported on timeout.
     */
    async waitEval(sessionId, expression, timeoutMs, what) {
        let lastError = null;
        try {
            return await waitUntil(async () => {
                try {
                    return await this.cdp.evaluate(sessionId, expression, 10000);
                } catch (e) {
                    if (!this.alive || this.cdp.closed)
                        throw e;
                    lastError = e;
                    return null;
                }
            }, timeoutMs, what, 150);
        } catch (e) {
            throw lastError ? new Error(`${e.message} (last: ${lastError.message})`) : e;
        }
    }

    // ---- artefacts and shutdown ---------------------------------------------------------------

    /**
     * The window, as a PNG in @p dir (the automation socket's grab, which shows the web views;
     * DevTools' Page.captureScreenshot gets no frame from an offscreen view and times out).
     */
    async saveScreenshots(dir, label) {
        await mkdir(dir, { recursive: true });
        const saved = [];
        if (this.alive && this.automation && !this.automation.closed) {
            const file = path.join(dir, `${label}-window.png`);
            try {
                const r = await this.cmd({ cmd: 'screenshot', path: file }, 15000);
                if (r.ok)
                    saved.push(file);
            } catch (e) {
                this.log(`window screenshot failed: ${e.message}`);
            }
        }
        return saved;
    }

    /**
     * Kills the application outright with SIGKILL, as a crash would: no shutdown code runs. (The
     * process is a child of coreutils' timeout, which then exits too.)
     */
    async kill9() {
        if (!this.proc || !this.alive)
            return this.exited;
        const children = (await readFile(`/proc/${this.pid}/task/${this.pid}/children`, 'utf8').catch(() => ''))
            .trim().split(/\s+/).filter((p) => p.length > 0).map(Number);
        if (children.length === 0)
            throw new Error(`${this.name}: no application process under ${this.pid} to kill`);
        for (const child of children)
            process.kill(child, 'SIGKILL');
        if (this.cdp)
            this.cdp.close();
        if (this.automation)
            this.automation.close();
        const done = await Promise.race([this.exitPromise, sleep(15000).then(() => null)]);
        if (!done)
            throw new Error(`${this.name} did not go away after SIGKILL`);
        return done;
    }

    /** Quits through the automation socket; SIGTERM then SIGKILL if it does not exit in time. */
    async stop(timeoutMs = 20000) {
        if (!this.proc)
            return null;
        if (this.cdp)
            this.cdp.close();
        if (this.alive && this.automation && !this.automation.closed) {
            try {
                await this.automation.request({ cmd: 'quit' }, 5000);
            } catch {
                // it may close the socket before answering
            }
        }
        if (this.automation)
            this.automation.close();
        const done = await Promise.race([this.exitPromise, sleep(timeoutMs).then(() => null)]);
        if (done)
            return done;
        this.log(`${this.name} did not quit within ${timeoutMs} ms; SIGTERM`);
        this.proc.kill('SIGTERM');
        const termed = await Promise.race([this.exitPromise, sleep(5000).then(() => null)]);
        if (termed)
            return termed;
        this.proc.kill('SIGKILL');
        return this.exitPromise;
    }
}
