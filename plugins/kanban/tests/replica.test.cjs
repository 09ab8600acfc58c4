// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The board as a device knows it (web/replica.js): this device's copy first, the room's card
// events reconciled onto it, the queue of changes sent in order, and the sentence when another
// member's change overrode ours. A small room orders events the way a homeserver does.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');

const C = require('../web/cards.js');
const { Replica } = require('../web/replica.js');

const BOARD = 'board-1';
const ANA = '@ana:example.org';
const BOB = '@bob:example.org';

/** A room: card state events in the order the server accepts them, delivered to every client. */
class Room {
    constructor() {
        this.events = [];
        this.state = new Map();
        this.clients = [];
        this.down = false;
    }
    join(replica) {
        this.clients.push({ replica, seen: this.events.length, notices: [] });
        return this.clients[this.clients.length - 1];
    }
    /** A client sends its queue's head; the server gives it an event id, or fails while down. */
    sendHead(client) {
        const head = client.replica.head();
        if (!head)
            return null;
        if (this.down)
            throw new Error('Error sending event');
        const event = { state_key: head.card, content: head.content, sender: client.replica.me, event_id: '$' + (this.events.length + 1) };
        this.events.push(event);
        this.state.set(event.state_key, event);
        client.replica.settleHead(event.event_id);
        return event;
    }
    /** Every client gets the events it has not seen, in order (a sync). */
    sync() {
        for (const c of this.clients) {
            for (; c.seen < this.events.length; c.seen++) {
                const n = c.replica.roomEvent(this.events[c.seen]);
                if (n)
                    c.notices.push(n);
            }
        }
    }
}

function placement(replica) {
    const b = replica.board();
    return b.columns.map((col) => [col.id, b.inColumn(col.id).map((c) => c.title)]);
}

function add(replica, id, title, column = 'todo') {
    const r = C.addTo(replica.board(), id, title, column);
    assert.ok(r.ok, JSON.stringify(r));
    replica.queue.push(replica.edit(r.card, 1));
}

function move(replica, id, column, index) {
    const r = C.moveTo(replica.board(), id, column, index);
    assert.ok(r.ok, JSON.stringify(r));
    replica.queue.push(replica.edit(r.card, 2));
}

/** Two members with the same three cards, all in the room. */
function twoMembers() {
    const room = new Room();
    const ana = room.join(new Replica(BOARD, ANA));
    const bob = room.join(new Replica(BOARD, BOB));
    add(ana.replica, 'a', 'Alpha');
    add(ana.replica, 'b', 'Beta');
    add(ana.replica, 'c', 'Gamma');
    while (ana.replica.head())
        room.sendHead(ana);
    room.sync();
    return { room, ana, bob };
}

test('a change is shown at once, sent in order, and shown from the room after its echo', () => {
    const room = new Room();
    const ana = room.join(new Replica(BOARD, ANA));
    add(ana.replica, 'a', 'Alpha');
    add(ana.replica, 'b', 'Beta');
    assert.deepEqual(placement(ana.replica), [['todo', ['Alpha', 'Beta']], ['doing', []], ['done', []]]);
    assert.equal(ana.replica.head().card, 'a', 'oldest first');
    room.sendHead(ana);
    assert.equal(ana.replica.head().card, 'b');
    assert.deepEqual(placement(ana.replica), [['todo', ['Alpha', 'Beta']], ['doing', []], ['done', []]], 'sent, echo not seen yet');
    room.sendHead(ana);
    room.sync();
    assert.equal(ana.replica.sent.size, 0, 'the echoes settle what was sent');
    assert.equal(ana.notices.length, 0);
    assert.deepEqual(placement(ana.replica), [['todo', ['Alpha', 'Beta']], ['doing', []], ['done', []]]);
});

test('two members moving different cards at once: both moves are kept, and both boards end the same', () => {
    const { room, ana, bob } = twoMembers();
    move(ana.replica, 'a', 'done');
    move(bob.replica, 'b', 'doing');
    room.sendHead(bob);
    room.sendHead(ana);
    room.sync();
    const expected = [['todo', ['Gamma']], ['doing', ['Beta']], ['done', ['Alpha']]];
    assert.deepEqual(placement(ana.replica), expected);
    assert.deepEqual(placement(bob.replica), expected);
    assert.equal(ana.notices.length + bob.notices.length, 0, 'nobody lost anything');
});

test('two members moving the same card: the room order decides, one card, and the loser is told', () => {
    const { room, ana, bob } = twoMembers();
    move(ana.replica, 'a', 'done');
    move(bob.replica, 'a', 'doing');
    room.sendHead(ana); // first in the room
    room.sendHead(bob); // last: it wins
    room.sync();
    const expected = [['todo', ['Beta', 'Gamma']], ['doing', ['Alpha']], ['done', []]];
    assert.deepEqual(placement(ana.replica), expected);
    assert.deepEqual(placement(bob.replica), expected);
    assert.equal(ana.replica.board().cards.filter((c) => c.id === 'a').length, 1, 'not duplicated');
    assert.deepEqual(ana.notices, [{ card: 'a', title: 'Alpha', by: BOB, kind: 'move' }]);
    assert.deepEqual(bob.notices, [], 'the winner is not told anything');
});

test('a change made on ours is not a conflict', () => {
    const { room, ana, bob } = twoMembers();
    move(ana.replica, 'a', 'done');
    room.sendHead(ana);
    room.sync();
    move(bob.replica, 'a', 'doing'); // Bob saw Ana's move
    room.sendHead(bob);
    room.sync();
    assert.deepEqual(ana.notices, []);
    assert.equal(bob.replica.queue.length, 0);
});

test('edits made offline wait in order, are sent when the server is back, and override what they did not see', () => {
    const { room, ana, bob } = twoMembers();
    room.down = true;
    move(ana.replica, 'a', 'done');
    move(ana.replica, 'b', 'done', 0);
    move(ana.replica, 'a', 'doing');
    assert.throws(() => room.sendHead(ana), /Error sending event/);
    assert.equal(ana.replica.queue.length, 3, 'nothing is lost while offline');
    assert.deepEqual(placement(ana.replica), [['todo', ['Gamma']], ['doing', ['Alpha']], ['done', ['Beta']]], 'shown as made');
    room.down = false;
    // Meanwhile Bob, online, moved Gamma and Beta.
    move(bob.replica, 'c', 'doing');
    move(bob.replica, 'b', 'doing');
    room.sendHead(bob);
    room.sendHead(bob);
    room.sync();
    assert.deepEqual(placement(ana.replica), [['todo', []], ['doing', ['Alpha', 'Gamma']], ['done', ['Beta']]],
                     'Bob\'s move of Gamma shows; Ana\'s own queued changes stay on top');
    const order = [];
    while (ana.replica.head())
        order.push(room.sendHead(ana).state_key);
    assert.deepEqual(order, ['a', 'b', 'a'], 'sent in the order they were made');
    room.sync();
    assert.deepEqual(placement(ana.replica), placement(bob.replica), 'both boards end identical');
    // Ana's move of Beta was made on the card before Bob's move: it is later in the room, so
    // it wins, and Bob is told his move was overridden.
    assert.deepEqual(bob.notices, [{ card: 'b', title: 'Beta', by: ANA, kind: 'move' }]);
    assert.deepEqual(ana.notices, []);
});

test("this device's copy opens the board before the room is read; what changed meanwhile is reconciled and said", () => {
    const { room, ana, bob } = twoMembers();
    move(ana.replica, 'a', 'done');
    room.sendHead(ana);
    room.sync();
    // Ana's device kept its copy; Ana closes Tessera.
    const copy = {
        columns: ana.replica.columns,
        cards: Array.from(ana.replica.room, ([id, e]) => ({ id, content: e.content, event_id: e.event_id, sender: e.sender })),
        queue: [{ seq: 7, card: 'c', content: C.cardContent(BOARD, { ...ana.replica.board().cards.find((c) => c.id === 'c'), column: 'done' }, ANA, 3), base: '$3' }],
    };
    // Bob moves Alpha back without having seen Ana's move.
    bob.replica.room.set('a', room.events[0]);
    move(bob.replica, 'a', 'todo', 0);
    bob.replica.queue[0].content.base = '$1';
    room.sendHead(bob);

    const reopened = new Replica(BOARD, ANA);
    reopened.loadMirror(copy);
    assert.deepEqual(placement(reopened), [['todo', ['Beta']], ['doing', []], ['done', ['Alpha', 'Gamma']]],
                     'the copy with its queued change, before any read of the room');
    const notices = reopened.roomCards(Array.from(room.state.values()));
    assert.deepEqual(notices, [{ card: 'a', title: 'Alpha', by: BOB, kind: 'change' }], 'told even across a restart');
    assert.deepEqual(placement(reopened), [['todo', ['Alpha', 'Beta']], ['doing', []], ['done', ['Gamma']]]);
    assert.equal(reopened.head().seq, 7, 'the queued change is still there to send');
});

test('a card the room no longer has is forgotten on a full read; a tombstone removes a card', () => {
    const { room, ana } = twoMembers();
    const r = new Replica(BOARD, ANA);
    r.loadMirror({ cards: [{ id: 'gone', content: C.cardContent(BOARD, { title: 'Old', column: 'todo', position: 'V' }, ANA, 1), event_id: '$x', sender: ANA }] });
    r.roomCards(Array.from(room.state.values()));
    assert.deepEqual(placement(r), [['todo', ['Alpha', 'Beta', 'Gamma']], ['doing', []], ['done', []]]);
    ana.replica.queue.push(ana.replica.edit({ id: 'b', deleted: true }, 5));
    room.sendHead(ana);
    room.sync();
    assert.deepEqual(placement(ana.replica), [['todo', ['Alpha', 'Gamma']], ['doing', []], ['done', []]]);
});

test('a board of the first format is shown as it is and migrated card by card at the first change', () => {
    const r = new Replica(BOARD, ANA);
    const old = { version: 1, columns: [{ id: 'todo' }, { id: 'doing' }, { id: 'done' }],
                  cards: [{ id: 'x1', title: 'One', column: 'todo' }, { id: 'x2', title: 'Two', column: 'todo' }, { id: 'x3', title: 'Three', column: 'done' }] };
    assert.deepEqual(r.setBoard(old), { migrate: true });
    assert.ok(r.needsBoardEvent());
    assert.deepEqual(placement(r), [['todo', ['One', 'Two']], ['doing', []], ['done', ['Three']]]);
    const entries = r.migration(9);
    assert.deepEqual(entries.map((e) => e.card), ['x1', 'x2', 'x3']);
    assert.ok(entries.every((e) => e.content.version === 2 && e.content.board === BOARD && e.base === ''));
    r.queue.push(...entries);
    assert.deepEqual(placement(r), [['todo', ['One', 'Two']], ['doing', []], ['done', ['Three']]], 'order kept');
    assert.deepEqual(r.migration(10), [], 'once');
    r.setBoard({ version: 2, columns: old.columns });
    assert.ok(!r.needsBoardEvent());
});

test('a board event this version cannot read makes the board read-only, with the reason', () => {
    const r = new Replica(BOARD, ANA);
    r.setBoard({ version: 3, columns: [] });
    assert.deepEqual(r.broken, { code: 'newer-version', detail: 3 });
    r.setBoard({ version: 2, columns: [{ id: 'a' }, { id: 'a' }] });
    assert.equal(r.broken.code, 'bad-columns');
    r.setBoard('text');
    assert.equal(r.broken.code, 'not-object');
    r.setBoard(null);
    assert.equal(r.broken, null);
});
