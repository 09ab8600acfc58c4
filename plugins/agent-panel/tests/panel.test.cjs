// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The agent panel's logic (web/panel-logic.js) with Node's own test runner.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const L = require('../web/panel-logic.js');

const line = (seq, level, message) => ({ seq, ts: 1700000000000 + seq, level, message });

test('every error kind the plugin sends has its own words, in both languages', () => {
    const kinds = ['bad-config', 'bad-request', 'token', 'offline', 'timeout', 'unauthorized', 'forbidden', 'not-found',
                   'conflict', 'server', 'unexpected', 'malformed'];
    for (const lang of ['en', 'es']) {
        const titles = new Set();
        for (const kind of kinds) {
            const d = L.describeError(kind + ': the runner answered HTTP 500: boom', lang);
            assert.equal(d.kind, kind);
            assert.equal(d.detail, 'the runner answered HTTP 500: boom', 'what the runner said is kept');
            assert.ok(d.title.length > 10);
            titles.add(d.title);
        }
        assert.equal(titles.size, kinds.length, 'no two kinds read the same in ' + lang);
    }
    assert.match(L.describeError('unauthorized: x', 'en').title, /401/);
    assert.match(L.describeError('forbidden: x', 'es').title, /403/);
    assert.match(L.describeError('not-found: x', 'en').title, /404/);
    assert.equal(L.describeError('the capability io.tessera.agent.control was not granted', 'en').kind, 'denied');
    const odd = L.describeError('something else entirely', 'en');
    assert.equal(odd.kind, 'unknown');
    assert.equal(odd.detail, 'something else entirely');
});

test('lines are merged in order, each once, and the oldest dropped past the limit', () => {
    let lines = L.mergeLines([], [line(3, 'info', 'c'), line(1, 'info', 'a')]);
    lines = L.mergeLines(lines, [line(2, 'debug', 'b'), line(3, 'info', 'c'), line(4, 'loud', 'not a level'), { seq: 'x' }]);
    assert.deepEqual(lines.map((l) => l.seq), [1, 2, 3]);
    const many = Array.from({ length: 30 }, (_, i) => line(i + 1, 'info', 'm' + i));
    assert.deepEqual(L.mergeLines([], many, 10).map((l) => l.seq), [21, 22, 23, 24, 25, 26, 27, 28, 29, 30]);
    assert.equal(L.MAX_LINES, 2000);
});

test('the level filter keeps a level and those above it; the search ignores case', () => {
    const lines = [line(1, 'debug', 'Connecting'), line(2, 'info', 'fetched 12 items'), line(3, 'warning', 'Slow API'),
                   line(4, 'error', 'disk full'), line(5, 'info', 'slow again')];
    assert.equal(L.filterLines(lines, 'all', '').length, 5);
    assert.deepEqual(L.filterLines(lines, 'info', '').map((l) => l.seq), [2, 3, 4, 5]);
    assert.deepEqual(L.filterLines(lines, 'warning', '').map((l) => l.seq), [3, 4]);
    assert.deepEqual(L.filterLines(lines, 'error', '').map((l) => l.seq), [4]);
    assert.deepEqual(L.filterLines(lines, 'all', 'SLOW').map((l) => l.seq), [3, 5]);
    assert.deepEqual(L.filterLines(lines, 'warning', 'slow').map((l) => l.seq), [3]);
    assert.deepEqual(L.filterLines(lines, 'all', '  nothing like it ').map((l) => l.seq), []);
});

test('reconnecting waits longer each time, up to 30 s', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5, 12].map(L.retryDelaySeconds), [2, 4, 8, 16, 30, 30, 30]);
});

test('durations and runs are written for people', () => {
    assert.equal(L.formatDuration(950), '0.9 s');
    assert.equal(L.formatDuration(42000), '42 s');
    assert.equal(L.formatDuration(75000), '1 min 15 s');
    assert.equal(L.formatDuration(2 * 3600000 + 5 * 60000), '2 h 5 min');
    assert.equal(L.formatDuration(-1), '');
    const start = Date.UTC(2026, 0, 1, 9, 30, 0);
    const done = { id: 'run-1', started_at: start, finished_at: start + 75000, duration_ms: 75000, result: 'succeeded' };
    assert.match(L.describeRun(done, 'en'), /^Started \d\d:\d\d:\d\d, took 1 min 15 s$/);
    assert.match(L.describeRun(done, 'es'), /^Empezó \d\d:\d\d:\d\d, duró 1 min 15 s$/);
    const going = { id: 'run-2', started_at: start, finished_at: null, duration_ms: null, result: 'running' };
    assert.match(L.describeRun(going, 'en', start + 5000), /running for 5 s$/);
    assert.equal(L.describeRun(null, 'es'), 'Aún no hay ejecuciones.');
});

test('English and Spanish have the same texts', () => {
    const shape = (o) => Object.keys(o).sort().map((k) => (o[k] && typeof o[k] === 'object' && !Array.isArray(o[k]) ? k + '{' + shape(o[k]) + '}' : k)).join(',');
    assert.equal(shape(L.texts.es), shape(L.texts.en));
    for (const lang of ['en', 'es'])
        for (const verb of ['restart', 'stop', 'start']) {
            const [title] = L.texts[lang].confirm[verb]('Triage bot');
            assert.match(title, /Triage bot/, 'the confirmation names the agent');
        }
});
