// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The processes an app started (Chromium's renderers are its descendants), read from /proc.

import { readFile, readdir } from 'node:fs/promises';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function readStat(pid) {
    try {
        const text = await readFile(`/proc/${pid}/stat`, 'utf8');
        // The command name is in parentheses and may hold spaces: the fields start after it.
        const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
        return { pid: Number(pid), ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]) };
    } catch {
        return null; // gone meanwhile
    }
}

/** Every live descendant of @p rootPid: [{pid, ppid, cpuTicks, cmdline}]. */
export async function descendants(rootPid) {
    const all = [];
    for (const name of await readdir('/proc')) {
        if (/^\d+$/.test(name)) {
            const s = await readStat(name);
            if (s)
                all.push(s);
        }
    }
    const children = new Map();
    for (const s of all) {
        if (!children.has(s.ppid))
            children.set(s.ppid, []);
        children.get(s.ppid).push(s);
    }
    const out = [];
    const walk = (pid) => {
        for (const c of children.get(pid) || []) {
            out.push(c);
            walk(c.pid);
        }
    };
    walk(Number(rootPid));
    for (const p of out)
        p.cmdline = (await readFile(`/proc/${p.pid}/cmdline`, 'utf8').catch(() => '')).split('\0').join(' ');
    return out;
}

/**
 * Chromium's renderers among the descendants of @p rootPid: the processes its zygote forked
 * (their command line is still the zygote's).
 */
export async function renderers(rootPid) {
    const all = await descendants(rootPid);
    const zygotes = new Set(all.filter((p) => / --type=zygote/.test(p.cmdline) && !all.some((q) => q.pid === p.ppid && / --type=zygote/.test(q.cmdline)))
        .map((p) => p.pid));
    return all.filter((p) => zygotes.has(p.ppid));
}

/** The renderer of @p rootPid that used the most CPU over @p ms: {pid, cmdline, cpuMs}. */
export async function busiestRenderer(rootPid, ms = 2000) {
    const before = new Map((await renderers(rootPid)).map((p) => [p.pid, p]));
    await sleep(ms);
    let best = null;
    for (const p of await renderers(rootPid)) {
        const b = before.get(p.pid);
        if (!b)
            continue;
        const cpuMs = (p.cpuTicks - b.cpuTicks) * 10; // USER_HZ is 100 on Linux
        if (!best || cpuMs > best.cpuMs)
            best = { pid: p.pid, cmdline: p.cmdline, cpuMs };
    }
    return best;
}

/** True while /proc/@p pid exists (and is not a zombie waiting for its parent). */
export async function isRunning(pid) {
    try {
        const text = await readFile(`/proc/${pid}/stat`, 'utf8');
        return text.slice(text.lastIndexOf(')') + 2, text.lastIndexOf(')') + 3) !== 'Z';
    } catch {
        return false;
    }
}
