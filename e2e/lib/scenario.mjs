// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// Runs one end-to-end scenario as a CTest test: reads the paths CMake passes, gives the scenario a
// fresh work directory, starts servers and apps on its behalf and always stops them, bounds the
// whole run in time, and on failure saves screenshots and the apps' logs under <work>/failure/.
//
//   node <scenario>.test.mjs --tessera BIN --homeserver-bin BIN --modules DIR --work DIR [--keep]

import { spawn } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { TesseraApp } from './app.mjs';
import { useModules } from './cdp.mjs';
import { FixtureServer } from './fixtureserver.mjs';
import { TestHomeserver } from './homeserver.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Thrown by check(); carries what was expected and what was seen. */
export class CheckFailed extends Error {}

/** Fails the scenario with @p message (and the value seen) unless @p condition holds. */
export function check(condition, message, seen) {
    if (!condition)
        throw new CheckFailed(seen === undefined ? message : `${message}\n  seen: ${JSON.stringify(seen, null, 1).slice(0, 4000)}`);
}

class Context {
    constructor(name, options) {
        this.name = name;
        this.options = options;
        this.work = options.work;
        this.modulesDir = options.modules;
        this.tesseraBinary = options.tessera;
        this.homeserverBinary = options['homeserver-bin'];
        this.apps = [];
        this.cleanups = [];
        this.t0 = Date.now();
        this.step = 'start';
    }

    log(...parts) {
        const t = ((Date.now() - this.t0) / 1000).toFixed(1).padStart(6);
        console.log(`[${t}s] ${parts.join(' ')}`);
    }

    /** Names what the scenario is doing, so a failure says where it happened. */
    phase(text) {
        this.step = text;
        this.log(`-- ${text}`);
    }

    /** Runs @p fn when the scenario ends, whatever happens (last registered, first run). */
    defer(fn) {
        this.cleanups.push(fn);
    }

    async fixtureServer() {
        const server = await new FixtureServer({ modulesDir: this.modulesDir, maxSeconds: 600 }).start();
        this.defer(() => server.stop());
        this.log(`fixture server on ${server.origin}`);
        return server;
    }

    async homeserver(args = []) {
        if (!this.homeserverBinary)
            throw new Error('--homeserver-bin was not given');
        const hs = new TestHomeserver({ binary: this.homeserverBinary, args, log: (m) => this.log(m) });
        this.defer(() => hs.stop());
        await hs.start();
        this.log(`test homeserver on ${hs.baseUrl}`);
        return hs;
    }

    /**
     * A TesseraApp (not yet started) with its data in <work>/<dataName> and its logs in <work>.
     * Apps made here are stopped at the end and photographed on failure.
     */
    app({ name = 'tessera', dataName = 'data', args = [], env = {} } = {}) {
        const app = new TesseraApp({
            binary: this.tesseraBinary,
            dataDir: path.join(this.work, dataName),
            workDir: this.work,
            args,
            name,
            env,
            log: (m) => this.log(m),
            env,
        });
        this.apps.push(app);
        this.defer(() => app.stop());
        return app;
    }

    /** `tessera --data-dir DIR audit export …` as parsed rows. */
    async auditRows(dataDir, filters = []) {
        const { code, stdout, stderr } = await runProcess(this.tesseraBinary, ['--data-dir', dataDir, 'audit', 'export', ...filters], 30000);
        if (code !== 0)
            throw new Error(`tessera audit export exited ${code}: ${stderr.trim()}`);
        return stdout.split('\n').filter((l) => l.trim().length > 0).map((l) => JSON.parse(l));
    }

    /** `tessera --data-dir DIR audit verify` must say the chain is intact. */
    async auditVerify(dataDir) {
        const { code, stdout, stderr } = await runProcess(this.tesseraBinary, ['--data-dir', dataDir, 'audit', 'verify'], 30000);
        check(code === 0, `tessera audit verify exited ${code}: ${(stdout + stderr).trim()}`);
    }

    /** Rows of a read-only SQL query on an SQLite file (sqlite3 -json). */
    async sql(file, query) {
        const { code, stdout, stderr } = await runProcess('sqlite3', ['-readonly', '-json', file, query], 30000);
        if (code !== 0)
            throw new Error(`sqlite3 ${file} exited ${code}: ${stderr.trim()}`);
        return stdout.trim().length > 0 ? JSON.parse(stdout) : [];
    }
}

/** Runs @p file with @p args; resolves with its exit code and output (killed after @p timeoutMs). */
export function runProcess(file, args, timeoutMs) {
    return new Promise((resolve, reject) => {
        const p = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        p.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
        p.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
        const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
        p.on('error', (e) => { clearTimeout(timer); reject(e); });
        p.on('close', (code, signal) => {
            clearTimeout(timer);
            resolve({ code: code === null ? `signal ${signal}` : code, stdout, stderr });
        });
    });
}

/**
 * Runs scenario @p name (or name(options)): @p body(ctx) does the work and throws to fail. @p options declares the
 * scenario's own command-line options (node:util parseArgs), read back as ctx.options. Exits the
 * process with 0 or 1 and prints one closing line either way.
 */
export async function runScenario(name, body, { timeoutMs = 150000, options = {} } = {}) {
    const { values } = parseArgs({
        options: {
            ...options,
            tessera: { type: 'string' },
            'homeserver-bin': { type: 'string' },
            modules: { type: 'string' },
            work: { type: 'string' },
            keep: { type: 'boolean', default: false },
        },
        allowPositionals: false,
    });
    for (const required of ['tessera', 'modules', 'work']) {
        if (!values[required]) {
            console.error(`${name}: --${required} is required`);
            process.exit(2);
        }
    }
    if (typeof name === 'function')
        name = name(values);
    useModules(values.modules);
    await rm(values.work, { recursive: true, force: true });
    await mkdir(values.work, { recursive: true });
    const ctx = new Context(name, values);

    let failure = null;
    let timer = null;
    const deadline = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the scenario did not finish within ${timeoutMs / 1000} s`)), timeoutMs);
    });
    try {
        await Promise.race([body(ctx), deadline]);
    } catch (e) {
        failure = e;
    }
    clearTimeout(timer);

    if (failure) {
        console.log(`\nFAILED during "${ctx.step}": ${failure instanceof CheckFailed ? failure.message : failure.stack || failure}`);
        const dir = path.join(ctx.work, 'failure');
        for (const app of ctx.apps) {
            if (!app.proc)
                continue;
            const saved = await Promise.race([app.saveScreenshots(dir, app.name).catch(() => []), sleep(30000).then(() => [])]);
            if (saved.length > 0)
                console.log(`screenshots of ${app.name}:\n  ${saved.join('\n  ')}`);
            console.log(`last lines of ${app.name} (${app.logFile}):\n  ${app.stderrTail.slice(-25).join('\n  ')}`);
        }
    }
    for (const fn of ctx.cleanups.reverse()) {
        try {
            await Promise.race([fn(), sleep(30000)]);
        } catch (e) {
            console.log(`cleanup: ${e.message}`);
        }
    }
    const seconds = ((Date.now() - ctx.t0) / 1000).toFixed(1);
    if (failure) {
        console.log(`FAIL ${name} (${seconds} s); screenshots and logs in ${ctx.work}`);
        process.exit(1);
    }
    if (!values.keep)
        await rm(ctx.work, { recursive: true, force: true }).catch(() => {});
    console.log(`PASS ${name} (${seconds} s)`);
    process.exit(0);
}
