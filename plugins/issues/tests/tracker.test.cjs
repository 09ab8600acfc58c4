// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The issue tracker's logic (web/tracker.js), with Node's built-in test runner: node --test.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');

const T = require(path.join(__dirname, '..', 'web', 'tracker.js'));

const EVENT = 'io.tessera.issues.issue';

function ok(r) {
    assert.ok(r.ok, 'expected success, got ' + JSON.stringify(r.error));
    return r.content || r.fields || r.issue;
}

function refused(r, code) {
    assert.equal(r.ok, false, 'expected a refusal');
    assert.equal(r.error.code, code);
    return r.error;
}

function event(id, content, extra) {
    return { type: EVENT, state_key: id, content, sender: '@ana:example.org', event_id: '$' + id, ...extra };
}

function issue(fields) {
    return { version: 1, title: 'An issue', description: '', status: 'open', labels: [], assignee: null, created_at: 1, ...fields };
}

test('a new issue is open, trimmed, with its labels parsed and the time it was opened', () => {
    const c = ok(T.create({ title: '  Login\nfails ', description: '\r\nSteps:\r\n1. open\n', labels: 'bug, UI ,Bug,, ', assignee: ' @ana:example.org ' }, 1700000000000.7));
    assert.deepEqual(c, { version: 1, title: 'Login fails', description: 'Steps:\n1. open', status: 'open', labels: ['bug', 'UI'],
                          assignee: '@ana:example.org', created_at: 1700000000000 });
    assert.equal(ok(T.create({ title: 'x', status: 'closed' }, 5)).status, 'open', 'a new issue is always open');
    assert.equal(ok(T.create({ title: 'x', assignee: '' }, 5)).assignee, null, 'nobody assigned');
    assert.equal(c.created_by, undefined, 'the sender of the first save is the creator');
});

test('limits: title, description, labels, assignee; each refusal names its limit and field', () => {
    assert.equal(refused(T.create({ title: '  ' }, 1), 'title-empty').field, 'title');
    assert.equal(refused(T.create({ title: 'x'.repeat(201) }, 1), 'title-long').detail, 200);
    ok(T.create({ title: 'x'.repeat(200) }, 1));
    ok(T.create({ title: '😀'.repeat(200) }, 1), 'characters, not UTF-16 units');
    const d = refused(T.create({ title: 't', description: 'd'.repeat(8001) }, 1), 'description-long');
    assert.deepEqual([d.detail, d.field], [8000, 'description']);
    ok(T.create({ title: 't', description: 'd'.repeat(8000) }, 1));
    const labels = Array.from({ length: 11 }, (_, i) => 'l' + i);
    assert.equal(refused(T.create({ title: 't', labels }, 1), 'too-many-labels').detail, 10);
    ok(T.create({ title: 't', labels: labels.slice(0, 10) }, 1));
    assert.equal(refused(T.create({ title: 't', labels: 'y'.repeat(41) }, 1), 'label-long').detail, 40);
    ok(T.create({ title: 't', labels: 'y'.repeat(40) }, 1));
    for (const bad of ['ana', 'ana:example.org', '@ana', '@a na:example.org', '@:example.org'])
        assert.equal(refused(T.create({ title: 't', assignee: bad }, 1), 'bad-assignee').field, 'assignee', bad);
});

test('the largest issue the limits allow stays under 48 KiB, well under the 64 KiB Matrix limit', () => {
    const big = { title: '😀'.repeat(200), description: '😀'.repeat(8000), labels: Array.from({ length: 10 }, (_, i) => i + '😀'.repeat(39)),
                  assignee: '@' + 'a'.repeat(100) + ':example.org' };
    const c = ok(T.create(big, 1));
    assert.ok(T.contentBytes(c) < 48 * 1024, String(T.contentBytes(c)));
    // Escapes are what could still overflow it: control characters take six bytes each.
    const e = refused(T.create({ title: '\u0001'.repeat(200), description: '\u0001'.repeat(8000) }, 1), 'too-large');
    assert.equal(e.detail, 48 * 1024);
});

test('at most 500 issues can be opened', () => {
    const entries = T.fromEvents(Array.from({ length: 500 }, (_, i) => event('i' + i, issue({ created_at: i }))));
    assert.equal(entries.length, 500);
    assert.equal(refused(T.canCreate(entries), 'too-many-issues').detail, 500);
    assert.ok(T.canCreate(entries.slice(1)).ok);
});

test('content from the room is read as it is, without unknown fields', () => {
    const r = T.fromContent({ ...issue({ labels: ['bug'], assignee: '@ben:example.org', created_by: '@ana:example.org' }), colour: 'red' });
    assert.deepEqual(ok(r), issue({ labels: ['bug'], assignee: '@ben:example.org', created_by: '@ana:example.org' }));
    assert.deepEqual(ok(T.fromContent({ version: 1, title: 'Only a title' })),
                     { version: 1, title: 'Only a title', description: '', status: 'open', labels: [], assignee: null, created_at: 0 },
                     'missing optional fields read as their defaults');
    assert.equal(T.fromContent({}).issue, null, 'emptied content is a removed issue');
});

test('malformed content is refused with what is wrong, never thrown', () => {
    const cases = [
        ['a string', 'not-object'], [[1], 'not-object'], [42, 'not-object'],
        [{ title: 'x' }, 'bad-version'], [{ version: '1', title: 'x' }, 'bad-version'], [{ version: 2, title: 'x' }, 'newer-version'],
        [issue({ title: 7 }), 'bad-field'], [issue({ title: '' }), 'title-empty'], [issue({ title: 'x'.repeat(201) }), 'title-long'],
        [issue({ description: ['x'] }), 'bad-field'], [issue({ description: 'x'.repeat(8001) }), 'description-long'],
        [issue({ status: 'wontfix' }), 'bad-status'], [issue({ labels: 'bug' }), 'bad-field'], [issue({ labels: [1] }), 'bad-field'],
        [issue({ labels: ['a', 'A'] }), 'bad-field'], [issue({ labels: [' '] }), 'bad-field'],
        [issue({ labels: Array.from({ length: 11 }, (_, i) => 'l' + i) }), 'too-many-labels'],
        [issue({ assignee: 5 }), 'bad-field'], [issue({ assignee: 'nobody' }), 'bad-assignee'],
        [issue({ created_at: 'yesterday' }), 'bad-field'], [issue({ created_by: 'ana' }), 'bad-field'],
    ];
    for (const [content, code] of cases)
        refused(T.fromContent(content), code);
});

test('events become entries: issues, errors for what cannot be read, removals', () => {
    assert.equal(T.entryFromEvent({ type: 'm.room.member', state_key: '@a:b', content: {} }), null);
    assert.equal(T.entryFromEvent({ type: EVENT, content: issue() }), null, 'not a state event');
    assert.equal(T.entryFromEvent(null), null);
    const good = T.entryFromEvent(event('i1', issue()));
    assert.deepEqual([good.id, good.issue.title, good.sender, good.eventId], ['i1', 'An issue', '@ana:example.org', '$i1']);
    assert.deepEqual(T.entryFromEvent(event('i2', { version: 1, title: 3 })).error, { code: 'bad-field', detail: 'title' });
    assert.equal(T.entryFromEvent(event('../x', issue())).error.code, 'bad-id');
    assert.deepEqual(T.entryFromEvent(event('i3', {})), { id: 'i3', removed: true });
});

test('pushed updates replace one issue and leave the others; an emptied one goes away', () => {
    let list = T.fromEvents([event('a', issue({ title: 'A' })), event('b', issue({ title: 'B' })), event('b', {}), event('c', issue({ title: 'C' }))]);
    assert.deepEqual(list.map((e) => e.id).sort(), ['a', 'c']);
    let r = T.receive(list, {}, event('a', issue({ title: 'A2' }), { event_id: '$2' }));
    assert.ok(r.changed);
    assert.equal(r.entries.find((e) => e.id === 'a').issue.title, 'A2');
    assert.equal(r.entries.find((e) => e.id === 'c').issue.title, 'C');
    r = T.receive(r.entries, {}, event('c', 'broken'));
    assert.equal(r.entries.find((e) => e.id === 'c').error.code, 'not-object', 'a broken push is shown as broken, not dropped');
    r = T.receive(r.entries, {}, { type: 'm.room.topic', state_key: '', content: {} });
    assert.equal(r.changed, false);
    list = r.entries;
    assert.equal(list.length, 2);
});

test('until its own save is echoed, older events for that issue are ignored; other issues are not', () => {
    const list = T.fromEvents([event('a', issue({ title: 'Old' }))]);
    const awaiting = { a: '$mine' };
    let r = T.receive(list, awaiting, event('a', issue({ title: 'Older push' }), { event_id: '$other' }));
    assert.equal(r.changed, false);
    r = T.receive(list, awaiting, event('b', issue({ title: 'B' }), { event_id: '$b' }));
    assert.ok(r.changed, 'another issue is not held back');
    r = T.receive(r.entries, r.awaiting, event('a', issue({ title: 'Mine' }), { event_id: '$mine' }));
    assert.ok(r.changed);
    assert.deepEqual(r.awaiting, {});
    assert.deepEqual(awaiting, { a: '$mine' }, 'nothing is mutated');
    r = T.receive(r.entries, r.awaiting, event('a', issue({ title: 'Later' }), { event_id: '$later' }));
    assert.equal(r.entries.find((e) => e.id === 'a').issue.title, 'Later');
});

test('an edit keeps the fields someone else changed meanwhile, and who opened the issue', () => {
    const base = issue({ title: 'Login fails', labels: ['bug'] });
    // Someone assigned it and changed the description while this person renamed it.
    const latest = T.entryFromEvent(event('a', { ...base, description: 'More detail', assignee: '@ben:example.org' }, { sender: '@ben:example.org' }));
    const c = ok(T.edit(latest, base, { ...base, title: 'Login fails on Firefox', labels: 'bug, firefox' }));
    assert.equal(c.title, 'Login fails on Firefox');
    assert.deepEqual(c.labels, ['bug', 'firefox']);
    assert.equal(c.description, 'More detail');
    assert.equal(c.assignee, '@ben:example.org');
    assert.equal(c.created_by, '@ben:example.org', 'no created_by yet: the sender of the unedited first save opened it');
    const opened = T.entryFromEvent(event('a', { ...base, created_by: '@ana:example.org' }, { sender: '@ben:example.org' }));
    assert.equal(ok(T.edit(opened, base, { ...base, description: 'x' })).created_by, '@ana:example.org', 'a later editor is not the creator');
    assert.equal(T.creatorOf(opened), '@ana:example.org');
    refused(T.edit(opened, base, { ...base, title: '' }), 'title-empty');
});

test('an issue that cannot be read, or is gone, is never written over', () => {
    const broken = T.entryFromEvent(event('a', { version: 1, title: 5 }));
    assert.equal(refused(T.edit(broken, null, issue()), 'broken').detail, 'bad-field');
    refused(T.setStatus(broken, 'closed'), 'broken');
    refused(T.edit(null, null, issue()), 'no-issue');
    refused(T.edit({ id: 'a', removed: true }, null, issue()), 'no-issue');
});

test('close and reopen change the status only', () => {
    const e = T.entryFromEvent(event('a', issue({ labels: ['bug'], assignee: '@ben:example.org', created_by: '@ana:example.org' })));
    const closed = ok(T.setStatus(e, 'closed'));
    assert.deepEqual(closed, { ...e.issue, status: 'closed' });
    refused(T.setStatus(e, 'done'), 'bad-status');
});

test('filters: status, label, assignee, text; newest first; unreadable issues shown unless narrowed', () => {
    const list = T.fromEvents([
        event('a', issue({ title: 'Login fails', labels: ['bug', 'UI'], assignee: '@ana:example.org', created_at: 10 })),
        event('b', issue({ title: 'Dark theme', description: 'Colours for the night', labels: ['feature'], created_at: 30 })),
        event('c', issue({ title: 'Crash on start', labels: ['bug'], status: 'closed', assignee: '@ben:example.org', created_at: 20 })),
        event('d', 'nonsense'),
    ]);
    const ids = (f) => T.filter(list, f).map((e) => e.id);
    assert.deepEqual(ids({}), ['d', 'b', 'a'], 'open by default, newest first, the unreadable one on top');
    assert.deepEqual(ids({ status: 'closed' }), ['d', 'c']);
    assert.deepEqual(ids({ status: 'all' }), ['d', 'b', 'c', 'a']);
    assert.deepEqual(ids({ status: 'all', label: 'BUG' }), ['c', 'a'], 'labels ignore case');
    assert.deepEqual(ids({ status: 'all', assignee: '@ben:example.org' }), ['c']);
    assert.deepEqual(ids({ status: 'all', assignee: 'none' }), ['b']);
    assert.deepEqual(ids({ status: 'all', text: 'NIGHT colours' }), ['b'], 'every word, any case, in the description too');
    assert.deepEqual(ids({ status: 'open', text: 'crash' }), []);
    assert.deepEqual(T.counts(list), { open: 2, closed: 1 });
    assert.deepEqual(T.labelsInUse(list), ['bug', 'feature', 'UI']);
    assert.deepEqual(T.assigneesInUse(list), ['@ana:example.org', '@ben:example.org']);
    const same = T.fromEvents([event('y', issue({ created_at: 5 })), event('x', issue({ created_at: 5 }))]);
    assert.deepEqual(T.filter(same, {}).map((e) => e.id), ['x', 'y'], 'the id breaks ties');
});

test('new ids are valid state keys and differ', () => {
    const a = T.newIssueId();
    assert.match(a, /^i[0-9a-z]{12}$/);
    assert.notEqual(a, T.newIssueId());
    assert.equal(T.newIssueId(() => 0), 'i000000000000');
});
