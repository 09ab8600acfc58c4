// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The kanban board's logic (web/board.js), with Node's built-in test runner: node --test.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');

const B = require(path.join(__dirname, '..', 'web', 'board.js'));

function board(cards, columns) {
    const r = B.fromContent({ version: 1, columns: (columns || ['todo', 'doing', 'done']).map((id) => ({ id })), cards });
    assert.ok(r.ok, JSON.stringify(r.error));
    return r.board;
}

function ok(r) {
    assert.ok(r.ok, 'expected success, got ' + JSON.stringify(r.error));
    return r.board;
}

function refused(r, code) {
    assert.equal(r.ok, false, 'expected a refusal');
    assert.equal(r.error.code, code);
    return r.error;
}

const titles = (b, column) => B.cardsIn(b, column).map((c) => c.title);

test('no event, or a removed one, is the default empty board', () => {
    for (const content of [null, undefined, {}]) {
        const b = ok(B.fromContent(content));
        assert.deepEqual(b.columns.map((c) => c.id), ['todo', 'doing', 'done']);
        assert.deepEqual(b.cards, []);
    }
});

test('a valid board is read as it is, without unknown fields', () => {
    const b = ok(B.fromContent({
        version: 1,
        columns: [{ id: 'todo' }, { id: 'review', title: ' Review ', colour: 'red' }],
        cards: [{ id: 'a1', title: 'One', column: 'todo', extra: 1 }, { id: 'b2', title: 'Two', column: 'review' }],
    }));
    assert.deepEqual(b.columns, [{ id: 'todo' }, { id: 'review', title: 'Review' }]);
    assert.deepEqual(b.cards, [{ id: 'a1', title: 'One', column: 'todo' }, { id: 'b2', title: 'Two', column: 'review' }]);
});

test('malformed content is refused with what is wrong, never thrown', () => {
    const cases = [
        ['a string', 'not-object'],
        [[1, 2], 'not-object'],
        [42, 'not-object'],
        [{ cards: [] }, 'bad-version'],
        [{ version: '1', columns: [{ id: 'todo' }] }, 'bad-version'],
        [{ version: 2, columns: [{ id: 'todo' }] }, 'newer-version'],
        [{ version: 1 }, 'bad-columns'],
        [{ version: 1, columns: [] }, 'bad-columns'],
        [{ version: 1, columns: [{ id: 'a' }, { id: 'a' }] }, 'bad-columns'],
        [{ version: 1, columns: [{ id: 'has space' }] }, 'bad-columns'],
        [{ version: 1, columns: [{ id: 'a', title: 7 }] }, 'bad-columns'],
        [{ version: 1, columns: Array.from({ length: 9 }, (_, i) => ({ id: 'c' + i })) }, 'bad-columns'],
        [{ version: 1, columns: [{ id: 'todo' }], cards: {} }, 'bad-card'],
        [{ version: 1, columns: [{ id: 'todo' }], cards: [null] }, 'bad-card'],
        [{ version: 1, columns: [{ id: 'todo' }], cards: [{ id: 'x', title: 'T', column: 'nowhere' }] }, 'bad-card'],
        [{ version: 1, columns: [{ id: 'todo' }], cards: [{ id: 'x', title: '  ', column: 'todo' }] }, 'bad-card'],
        [{ version: 1, columns: [{ id: 'todo' }], cards: [{ id: 'x', title: 5, column: 'todo' }] }, 'bad-card'],
        [{ version: 1, columns: [{ id: 'todo' }], cards: [{ id: 'x', title: 'a', column: 'todo' }, { id: 'x', title: 'b', column: 'todo' }] }, 'bad-card'],
        [{ version: 1, columns: [{ id: 'todo' }], cards: [{ id: '../x', title: 'a', column: 'todo' }] }, 'bad-card'],
        [{ version: 1, columns: [{ id: 'todo' }], cards: [{ id: 'x', title: 'x'.repeat(301), column: 'todo' }] }, 'bad-card'],
        [{ version: 1, columns: [{ id: 'todo' }], cards: Array.from({ length: 201 }, (_, i) => ({ id: 'c' + i, title: 't', column: 'todo' })) }, 'too-many-cards'],
    ];
    for (const [content, code] of cases)
        refused(B.fromContent(content), code);
    assert.equal(refused(B.fromContent({ version: 1, columns: [{ id: 'todo' }], cards: [{ id: 'a', title: 'ok', column: 'todo' }, {}] }), 'bad-card').detail, 2,
                 'the error names the card');
});

test('add puts a trimmed card at the end of its column', () => {
    let b = B.emptyBoard();
    b = ok(B.apply(b, { op: 'add', id: 'a', title: '  First\nline ', column: 'todo' }));
    b = ok(B.apply(b, { op: 'add', id: 'b', title: 'Second', column: 'doing' }));
    b = ok(B.apply(b, { op: 'add', id: 'c', title: 'Third', column: 'todo' }));
    assert.deepEqual(titles(b, 'todo'), ['First line', 'Third']);
    assert.deepEqual(titles(b, 'doing'), ['Second']);
    assert.equal(B.emptyBoard().cards.length, 0, 'nothing is mutated');
});

test('add refuses empty and long titles, unknown columns and bad ids', () => {
    const b = B.emptyBoard();
    refused(B.apply(b, { op: 'add', id: 'a', title: '   ', column: 'todo' }), 'title-empty');
    assert.equal(refused(B.apply(b, { op: 'add', id: 'a', title: 'x'.repeat(301), column: 'todo' }), 'title-long').detail, 300);
    ok(B.apply(b, { op: 'add', id: 'a', title: 'x'.repeat(300), column: 'todo' }));
    ok(B.apply(b, { op: 'add', id: 'a', title: '😀'.repeat(300), column: 'todo' }), 'characters, not UTF-16 units');
    refused(B.apply(b, { op: 'add', id: 'a', title: 'T', column: 'later' }), 'no-column');
    refused(B.apply(b, { op: 'add', id: 'a b', title: 'T', column: 'todo' }), 'bad-change');
    refused(B.apply(b, { op: 'explode' }), 'bad-change');
    refused(B.apply(b, null), 'bad-change');
});

test('at most 200 cards', () => {
    let b = B.emptyBoard();
    for (let i = 0; i < 200; i++)
        b = ok(B.apply(b, { op: 'add', id: 'c' + i, title: 'Card ' + i, column: 'todo' }));
    assert.equal(refused(B.apply(b, { op: 'add', id: 'more', title: 'One too many', column: 'todo' }), 'too-many-cards').detail, 200);
    ok(B.fromContent(b));
});

test('the event content stays under 48 KiB, well under the 64 KiB Matrix limit', () => {
    let b = B.emptyBoard();
    let refusal = null;
    for (let i = 0; i < 200 && !refusal; i++) {
        const r = B.apply(b, { op: 'add', id: 'c' + i, title: 'é'.repeat(300), column: 'done' });
        if (r.ok)
            b = r.board;
        else
            refusal = r.error;
    }
    assert.ok(refusal, 'long titles reach the size limit before the card limit');
    assert.equal(refusal.code, 'too-large');
    assert.ok(B.contentBytes(b) <= 48 * 1024);
    assert.equal(B.contentBytes(b), Buffer.byteLength(JSON.stringify(b), 'utf8'), 'bytes are counted as UTF-8');
    assert.equal(B.contentBytes({ t: '😀é' }), Buffer.byteLength(JSON.stringify({ t: '😀é' }), 'utf8'));
    refused(B.apply(b, { op: 'rename', id: 'c0', title: '😀'.repeat(300) }), 'too-large');
});

test('rename and remove', () => {
    let b = board([{ id: 'a', title: 'Old', column: 'todo' }, { id: 'b', title: 'Other', column: 'todo' }]);
    b = ok(B.apply(b, { op: 'rename', id: 'a', title: ' New ' }));
    assert.deepEqual(titles(b, 'todo'), ['New', 'Other']);
    refused(B.apply(b, { op: 'rename', id: 'a', title: '' }), 'title-empty');
    refused(B.apply(b, { op: 'rename', id: 'zz', title: 'x' }), 'no-card');
    b = ok(B.apply(b, { op: 'remove', id: 'a' }));
    assert.deepEqual(titles(b, 'todo'), ['Other']);
    refused(B.apply(b, { op: 'remove', id: 'a' }), 'no-card');
});

test('move between columns and within one', () => {
    let b = board([
        { id: 'a', title: 'A', column: 'todo' }, { id: 'b', title: 'B', column: 'todo' },
        { id: 'c', title: 'C', column: 'doing' }, { id: 'd', title: 'D', column: 'todo' },
    ]);
    b = ok(B.apply(b, { op: 'move', id: 'a', column: 'doing' }));
    assert.deepEqual(titles(b, 'doing'), ['C', 'A'], 'to the end without an index');
    b = ok(B.apply(b, { op: 'move', id: 'd', column: 'doing', index: 0 }));
    assert.deepEqual(titles(b, 'doing'), ['D', 'C', 'A']);
    b = ok(B.apply(b, { op: 'move', id: 'c', column: 'doing', index: 99 }));
    assert.deepEqual(titles(b, 'doing'), ['D', 'A', 'C'], 'an index past the end is the end');
    b = ok(B.apply(b, { op: 'move', id: 'b', column: 'done', index: -3 }));
    assert.deepEqual(titles(b, 'done'), ['B'], 'into an empty column');
    assert.deepEqual(titles(b, 'todo'), []);
    refused(B.apply(b, { op: 'move', id: 'b', column: 'nowhere' }), 'no-column');
    refused(B.apply(b, { op: 'move', id: 'nobody', column: 'done' }), 'no-card');
    assert.equal(B.neighbourColumn(b, 'todo', 1), 'doing');
    assert.equal(B.neighbourColumn(b, 'todo', -1), null);
    assert.equal(B.neighbourColumn(b, 'done', 1), null);
});

test('a remote update keeps local changes not yet saved, and drops those that no longer apply', () => {
    const base = board([{ id: 'a', title: 'A', column: 'todo' }, { id: 'b', title: 'B', column: 'todo' }]);
    const pending = [
        { op: 'add', id: 'mine', title: 'Mine', column: 'todo' },
        { op: 'move', id: 'a', column: 'done' },
        { op: 'rename', id: 'b', title: 'B, renamed here' },
    ];
    // Someone else deleted B and added T.
    const remote = board([{ id: 'a', title: 'A', column: 'todo' }, { id: 't', title: 'Theirs', column: 'doing' }]);
    const r = B.rebase(remote, pending);
    assert.deepEqual(titles(r.board, 'todo'), ['Mine']);
    assert.deepEqual(titles(r.board, 'doing'), ['Theirs']);
    assert.deepEqual(titles(r.board, 'done'), ['A']);
    assert.deepEqual(r.kept, pending.slice(0, 2));
    assert.equal(r.dropped.length, 1);
    assert.equal(r.dropped[0].error.code, 'no-card');
    // The echo of this client's own save, replayed over the same changes, changes nothing.
    const saved = B.rebase(base, pending).board;
    const echoed = B.rebase(saved, pending);
    assert.deepEqual(echoed.board, saved);
    assert.equal(echoed.dropped.length, 0);
});

test('new card ids are valid and differ', () => {
    const seen = new Set();
    for (let i = 0; i < 100; i++) {
        const id = B.newCardId();
        assert.match(id, /^c[0-9a-z]{12}$/);
        seen.add(id);
    }
    assert.equal(seen.size, 100);
    assert.equal(B.newCardId(() => 0), 'c000000000000');
});
