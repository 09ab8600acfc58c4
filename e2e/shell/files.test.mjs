// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// Tessera's data directory is the user's alone, whatever runs first: each subcommand and the app,
// started on a data directory that does not exist yet under the usual umask (022), leave it 0700
// with every file in it 0600 (SQLite's -wal and -shm files included). A data directory left open
// to other users is tightened by the next command, which says so on stderr. Options work after
// the command too, and --help runs and writes nothing.

import { existsSync } from 'node:fs';
import { chmod, lstat, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';

import { check, runProcess, runScenario } from '../lib/scenario.mjs';

/** Every entry under @p dir with its permission bits, the directory itself first. */
async function modes(dir) {
    const out = [{ path: dir, mode: (await lstat(dir)).mode & 0o7777, dir: true }];
    for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
        const full = path.join(entry.path ?? entry.parentPath, entry.name);
        const st = await lstat(full);
        if (st.isSymbolicLink() || st.isSocket())
            continue;
        out.push({ path: full, mode: st.mode & 0o7777, dir: st.isDirectory() });
    }
    return out;
}

function octal(mode) {
    return `0${mode.toString(8)}`;
}

async function checkPrivate(dir, what) {
    const entries = await modes(dir);
    const open = entries.filter((e) => (e.mode & 0o077) !== 0).map((e) => `${e.path} ${octal(e.mode)}`);
    check(open.length === 0, `${what}: nothing in the data directory is open to other users`, open);
    check(entries[0].mode === 0o700, `${what}: the data directory is 0700`, octal(entries[0].mode));
    const databases = entries.filter((e) => /\.db(-wal|-shm|-journal)?$/.test(e.path));
    const wrong = databases.filter((e) => e.mode !== 0o600).map((e) => `${e.path} ${octal(e.mode)}`);
    check(wrong.length === 0, `${what}: every database file is 0600`, wrong);
    return entries;
}

runScenario('e2e.shell.files', async (ctx) => {
    process.umask(0o022); // the children inherit it: Tessera must not depend on a strict umask
    const tessera = (args) => runProcess(ctx.tesseraBinary, args, 60000);

    const firsts = [
        ['plugins list', ['plugins', 'list']],
        ['token public-key', ['token', 'public-key']],
        ['audit verify', ['audit', 'verify']],
        ['audit export', ['audit', 'export']],
    ];
    for (const [name, args] of firsts) {
        ctx.phase(`${name} runs first`);
        const dir = path.join(ctx.work, `first-${name.replace(' ', '-')}`, 'tessera');
        const run = await tessera(['--data-dir', dir, ...args]);
        ctx.log(`${name}: exit ${run.code} ${run.stderr.trim()}`);
        await checkPrivate(dir, name);
    }

    ctx.phase('the app runs first');
    const app = ctx.app({ name: 'first', dataName: 'app/tessera' });
    await app.start();
    const exit = await app.stop();
    check(exit && exit.code === 0, 'the app quits cleanly', exit);
    const entries = await checkPrivate(app.dataDir, 'the app');
    const names = entries.map((e) => path.basename(e.path));
    check(names.includes('audit.db') && names.includes('rooms.db') && names.includes('consent.db'),
        'the app wrote its databases', names);

    ctx.phase('an open data directory is tightened, with a notice');
    for (const e of entries)
        await chmod(e.path, e.dir ? 0o755 : 0o644);
    await mkdir(path.join(app.dataDir, 'left-open'), { mode: 0o777 });
    await chmod(path.join(app.dataDir, 'left-open'), 0o777);
    // Options after the command, as `tessera audit verify --data-dir D` is typed.
    const verify = await tessera(['audit', 'verify', '--data-dir', app.dataDir]);
    check(verify.code === 0, 'audit verify still reads the log', verify);
    check(verify.stderr.includes(`tessera: ${app.dataDir} was open to other users: ${entries.length + 1} entries made private`),
        'it says what it tightened', verify.stderr);
    await checkPrivate(app.dataDir, 'after the notice');
    const quiet = await tessera(['audit', '--data-dir', app.dataDir, 'verify']);
    check(quiet.code === 0 && !quiet.stderr.includes('open to other users'), 'the next run has nothing to say', quiet);

    ctx.phase('help reads nothing and writes nothing');
    const untouched = path.join(ctx.work, 'help-only');
    const help = await tessera(['plugins', '--help', '--data-dir', untouched]);
    check(help.code === 0 && help.stdout.startsWith('Usage: tessera plugins <command>'), 'plugins --help prints its help', help);
    const listHelp = await tessera(['plugins', 'list', '--data-dir', untouched, '--help']);
    check(listHelp.code === 0 && listHelp.stdout.startsWith('Usage: tessera plugins list'), 'plugins list --help prints its help', listHelp);
    check(!existsSync(untouched), '--help created no data directory');
}, { timeoutMs: 200000 });
