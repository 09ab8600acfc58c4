// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The per-card board format (web/cards.js), with Node's built-in test runner: node --test.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');

const C = require(path.join(__dirname, '..', 'web', 'cards.js'));

const BOARD = 'board-1';
const COLUMNS = [{ id: 'todo' }, { id: 'doing' }, { id: 'done' }];
const ANA = '@ana:example.org';
const BEN = '@ben:example.org';

function ok(r) {
    assert.ok(r.ok, 'expected success, got ' + JSON.stringify(r.error));
    return r;
}

/** The room's state: the latest content per state key, as a client sees it after sync. */
class Room {
    constructor() {
        this.state = new Map();
    }
    send(id, content) {
        this.state.set(id, content);
    }
    board() {
        return C.assemble(BOARD, COLUMNS, Array.from(this.state, ([state_key, content]) => ({ state_key, content })));
    }
}

function titles(board, column) {
    return board.inColumn(column).map((c) => c.title);
}

test('positions sort between their neighbours, at either end and after many inserts in one place', () => {
    let lo = null;
    let hi = null;
    const first = C.positionBetween(lo, hi);
    assert.ok(first > '' && /^[0-9A-Za-z]+$/.test(first));
    lo = C.positionBetween(null, first);
    hi = C.positionBetween(first, null);
    assert.ok(lo < first && first < hi);
    // 500 inserts, each right after the same card: still strictly ordered, and short.
    let a = first;
    const b = hi;
    for (let i = 0; i < 500; i++) {
        const m = C.positionBetween(a, b);
        assert.ok(a < m && m < b, `${a} < ${m} < ${b}`);
        a = m;
    }
    assert.ok(a.length <= C.LIMITS.maxPosition, `${a.length} characters after 500 inserts`);
    // A column that only grows at its end: 1,000 cards added one after another stay short.
    let end = null;
    for (let i = 0; i < 1000; i++) {
        const next = C.positionBetween(end, null);
        assert.ok(end === null || end < next);
        end = next;
    }
    assert.ok(end.length <= 40, `${end.length} characters after 1,000 appends`);
    // Random inserts keep a sorted list sorted and distinct.
    const keys = [C.positionBetween(null, null)];
    let seed = 7;
    for (let i = 0; i < 300; i++) {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        const at = seed % (keys.length + 1);
        keys.splice(at, 0, C.positionBetween(at > 0 ? keys[at - 1] : null, at < keys.length ? keys[at] : null));
    }
    const sorted = keys.slice().sort();
    assert.deepEqual(keys, sorted);
    assert.equal(new Set(keys).size, keys.length);
    assert.throws(() => C.positionBetween('b', 'a'), /out of order/);
    assert.throws(() => C.positionBetween('a0', null), /not a position/);
});

test('two members moving different cards at once both keep their move', () => {
    const room = new Room();
    const m = ok(C.migrate(BOARD, { version: 1, columns: COLUMNS, cards: [
        { id: 'c1', title: 'One', column: 'todo' }, { id: 'c2', title: 'Two', column: 'todo' }, { id: 'c3', title: 'Three', column: 'todo' }] }, ANA, 1));
    for (const c of m.cards)
        room.send(c.id, c.content);
    const seenByAna = room.board();
    const seenByBen = room.board();
    // Both move from the same view, before either sees the other's change.
    const anaMove = ok(C.moveTo(seenByAna, 'c1', 'done', 0)).card;
    const benMove = ok(C.moveTo(seenByBen, 'c3', 'doing', 0)).card;
    room.send('c1', C.cardContent(BOARD, anaMove, ANA, 2));
    room.send('c3', C.cardContent(BOARD, benMove, BEN, 2));
    const after = room.board();
    assert.deepEqual(titles(after, 'todo'), ['Two']);
    assert.deepEqual(titles(after, 'doing'), ['Three']);
    assert.deepEqual(titles(after, 'done'), ['One']);
});

test('two members moving the same card converge on the one the room ordered last, with no copy', () => {
    const room = new Room();
    const one = ok(C.addTo(room.board(), 'c1', 'Shared', 'todo')).card;
    room.send('c1', C.cardContent(BOARD, one, ANA, 1));
    const view = room.board();
    const toDoing = ok(C.moveTo(view, 'c1', 'doing', 0)).card;
    const toDone = ok(C.moveTo(view, 'c1', 'done', 0)).card;
    room.send('c1', C.cardContent(BOARD, toDoing, ANA, 2));
    room.send('c1', C.cardContent(BOARD, toDone, BEN, 2)); // the server ordered Ben's last
    const after = room.board();
    assert.equal(after.cards.length, 1);
    assert.deepEqual(titles(after, 'done'), ['Shared']);
    assert.equal(after.cards[0].updated_by, BEN);
});

test('two cards dropped between the same neighbours sort by id, and later moves still fit', () => {
    const room = new Room();
    const view0 = room.board();
    const a = ok(C.addTo(view0, 'a', 'A', 'todo')).card;
    room.send('a', C.cardContent(BOARD, a, ANA, 1));
    const b = ok(C.addTo(room.board(), 'b', 'B', 'todo')).card;
    room.send('b', C.cardContent(BOARD, b, ANA, 1));
    const view = room.board();
    const x = ok(C.addTo(view, 'x', 'X', 'doing')).card;
    const y = ok(C.addTo(view, 'y', 'Y', 'doing')).card;
    room.send('x', C.cardContent(BOARD, x, ANA, 2));
    room.send('y', C.cardContent(BOARD, y, BEN, 2));
    const mid = room.board();
    // Both dropped between A and B from the same view: the same position.
    const xm = ok(C.moveTo(mid, 'x', 'todo', 1)).card;
    const ym = ok(C.moveTo(mid, 'y', 'todo', 1)).card;
    assert.equal(xm.position, ym.position);
    room.send('x', C.cardContent(BOARD, xm, ANA, 3));
    room.send('y', C.cardContent(BOARD, ym, BEN, 3));
    const tied = room.board();
    assert.deepEqual(titles(tied, 'todo'), ['A', 'X', 'Y', 'B']);
    // Dropping between the tied pair still lands somewhere valid, next to them.
    const b2 = ok(C.moveTo(tied, 'b', 'todo', 2)).card;
    room.send('b', C.cardContent(BOARD, b2, ANA, 4));
    const final = room.board();
    assert.equal(final.inColumn('todo').length, 4);
    assert.deepEqual(titles(final, 'todo').sort(), ['A', 'B', 'X', 'Y']);
});

test('a deletion is a tombstone: the card is gone for everyone, and its id is not reused', () => {
    const room = new Room();
    const c = ok(C.addTo(room.board(), 'c1', 'Temporary', 'todo')).card;
    room.send('c1', C.cardContent(BOARD, c, ANA, 1));
    room.send('c1', C.cardContent(BOARD, { deleted: true }, BEN, 2));
    const after = room.board();
    assert.equal(after.cards.length, 0);
    assert.deepEqual(after.deleted, ['c1']);
});

test('a migrated board keeps every card and each column\'s order', () => {
    const old = { version: 1, columns: [{ id: 'todo', title: 'Backlog' }, { id: 'doing' }, { id: 'done' }], cards: [
        { id: 'c1', title: 'First', column: 'todo' }, { id: 'c2', title: 'Second', column: 'done' },
        { id: 'c3', title: 'Third', column: 'todo' }, { id: 'c4', title: 'Fourth', column: 'todo' }] };
    const m = ok(C.migrate(BOARD, old, ANA, 5));
    assert.deepEqual(m.board, { version: 2, columns: [{ id: 'todo', title: 'Backlog' }, { id: 'doing' }, { id: 'done' }] });
    const room = new Room();
    for (const c of m.cards)
        room.send(c.id, c.content);
    const board = C.assemble(BOARD, m.board.columns, Array.from(room.state, ([state_key, content]) => ({ state_key, content })));
    assert.deepEqual(titles(board, 'todo'), ['First', 'Third', 'Fourth']);
    assert.deepEqual(titles(board, 'done'), ['Second']);
    assert.equal(m.cards[0].content.updated_by, ANA);
    assert.equal(C.migrate(BOARD, { version: 2 }, ANA, 1).ok, false);
});

test('cards that cannot be read are listed with the reason; other boards\' cards are ignored', () => {
    const board = C.assemble(BOARD, COLUMNS, [
        { state_key: 'ok1', content: C.cardContent(BOARD, { title: 'Fine', column: 'todo', position: 'V' }, ANA, 1) },
        { state_key: 'bad1', content: { version: 2, board: BOARD, title: '', column: 'todo', position: 'V' } },
        { state_key: 'bad2', content: { version: 2, board: BOARD, title: 'x', column: 'todo', position: 'V0' } },
        { state_key: 'new1', content: { version: 3, board: BOARD } },
        { state_key: 'else', content: C.cardContent('board-2', { title: 'Elsewhere', column: 'todo', position: 'V' }, ANA, 1) },
        { state_key: 'gone', content: C.cardContent(BOARD, { title: 'Lost column', column: 'archive', position: 'a' }, ANA, 1) },
    ]);
    assert.deepEqual(board.invalid.map((i) => [i.id, i.error.code]), [['bad1', 'bad-title'], ['bad2', 'bad-position'], ['new1', 'newer-version']]);
    assert.deepEqual(titles(board, 'todo'), ['Fine', 'Lost column']);
    assert.equal(board.cards.find((c) => c.id === 'gone').orphaned, true);
});

test('limits: titles, labels, the number of cards', () => {
    const empty = C.assemble(BOARD, COLUMNS, []);
    assert.equal(C.addTo(empty, 'c1', 'x'.repeat(301), 'todo').error.code, 'title-long');
    assert.equal(C.addTo(empty, 'c1', '   ', 'todo').error.code, 'title-empty');
    assert.equal(C.addTo(empty, 'c1', 'ok', 'nowhere').error.code, 'no-column');
    assert.equal(C.readCard('c1', { version: 2, board: BOARD, title: 't', column: 'todo', position: 'V', labels: new Array(11).fill('l') }, BOARD).error.code,
                 'bad-labels');
    assert.equal(C.readCard('c1', { version: 2, board: BOARD, title: 't', column: 'todo', position: 'V', assignee: 'ana' }, BOARD).error.code,
                 'bad-assignee');
    const full = { columns: COLUMNS, cards: new Array(C.LIMITS.maxCards).fill(null).map((_, i) => ({ id: 'c' + i, column: 'todo', position: 'V' })) };
    assert.equal(C.addTo(full, 'new', 'One more', 'todo').error.code, 'too-many-cards');
});

test('a 1,000-card board assembles and a move computes quickly', () => {
    const room = new Room();
    const positions = C.spreadPositions(1000);
    for (let i = 0; i < 1000; i++)
        room.send('c' + i, C.cardContent(BOARD, { title: 'Card ' + i, column: COLUMNS[i % 3].id, position: positions[i] }, ANA, 1));
    const board = room.board();
    assert.equal(board.cards.length, 1000);
    const moved = ok(C.moveTo(board, 'c5', 'todo', 100)).card;
    const others = board.inColumn('todo').filter((c) => c.id !== 'c5');
    assert.ok(others[99].position < moved.position && moved.position < others[100].position);
});
