// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The board as this device knows it: the room's card events (first from the kanban's database on
// this device, then from the room), the edits not yet in the room (queued in that database, sent
// one at a time, in order), and who overrode a change of this user's. No DOM, no Widget API:
// tested with Node's test runner (tests/replica.test.cjs); kanban.js wires it to the page.
//
// Conflicts: each card event carries `base`, the event id of the card its writer had when making
// the change ("" for a new card). Two changes of one card are ordered by the room, and every
// client shows the last one, so all converge on one place. When the room replaces a card this
// user wrote with another member's change that was not made on it (its base is not our event),
// our change lost: the user is told ("Your move of X was overridden by Y"), never silently.
'use strict';

(function (root, factory) {
    const api = factory(typeof module === 'object' && module.exports ? require('./cards.js') : root.KanbanCards);
    if (typeof module === 'object' && module.exports)
        module.exports = api;
    else
        root.KanbanReplica = api;
})(typeof self !== 'undefined' ? self : this, function (C) {
    const DEFAULT_COLUMNS = Object.freeze([{ id: 'todo' }, { id: 'doing' }, { id: 'done' }]);

    /** What a change of a card did, for the sentence that says it lost. */
    function kindOf(before, after) {
        if (!before || before.deleted)
            return 'add';
        if (after.deleted)
            return 'delete';
        if (before.column !== after.column || before.position !== after.position)
            return 'move';
        return 'edit';
    }

    class Replica {
        constructor(boardId, me) {
            this.boardId = boardId;
            this.me = me || '';
            this.columns = DEFAULT_COLUMNS.map((c) => ({ ...c }));
            this.boardEvent = null; // the board event's content as the room has it: null, version 1 (to migrate) or 2
            this.broken = null; // why the board event cannot be used: read-only until fixed
            this.room = new Map(); // card id -> {content, event_id, sender}
            this.queue = []; // [{seq, card, content, base}], oldest first
            this.sent = new Map(); // card id -> {event_id, content}: in the room, its echo not seen yet
            this.kinds = new Map(); // card id -> what this user's last change of it did
            this.invalid = []; // rows of the database that could not be read
        }

        /** The kanban's database's copy (store.load's pages merged). */
        loadMirror(mirror) {
            if (Array.isArray(mirror.columns) && mirror.columns.length > 0)
                this.columns = mirror.columns;
            for (const c of mirror.cards || [])
                this.room.set(c.id, { content: c.content, event_id: c.event_id || '', sender: c.sender || '' });
            this.queue = (mirror.queue || []).map((q) => ({ seq: q.seq, card: q.card, content: q.content, base: q.base || '' }));
            this.invalid = (mirror.invalid || []).slice();
        }

        /** The board event from the room. Returns {migrate: true} for a board of the first format. */
        setBoard(content) {
            this.broken = null;
            if (content === null || content === undefined || (typeof content === 'object' && Object.keys(content).length === 0)) {
                this.boardEvent = null;
                return {};
            }
            if (!content || typeof content !== 'object' || Array.isArray(content)) {
                this.broken = { code: 'not-object', detail: null };
                return {};
            }
            if (content.version === 1) {
                const m = C.migrate(this.boardId, content, this.me, 0);
                if (!m.ok) {
                    this.broken = { code: 'bad-version', detail: null };
                    return {};
                }
                this.boardEvent = content;
                this.columns = m.board.columns;
                // The old board's cards, shown as they are until the first change migrates them.
                this.legacy = m.cards;
                return { migrate: true };
            }
            if (content.version !== C.VERSION) {
                this.broken = Number.isInteger(content.version) && content.version > C.VERSION
                    ? { code: 'newer-version', detail: content.version } : { code: 'bad-version', detail: null };
                return {};
            }
            const columns = content.columns;
            if (!Array.isArray(columns) || columns.length === 0 || columns.length > C.LIMITS.maxColumns
                || !columns.every((c) => c && typeof c.id === 'string' && /^[A-Za-z0-9_-]{1,32}$/.test(c.id))
                || new Set(columns.map((c) => c.id)).size !== columns.length) {
                this.broken = { code: 'bad-columns', detail: C.LIMITS.maxColumns };
                return {};
            }
            this.boardEvent = content;
            this.legacy = null;
            this.columns = columns.map((c) => (typeof c.title === 'string' && c.title.trim() ? { id: c.id, title: c.title.trim() } : { id: c.id }));
            return {};
        }

        /** Whether the first change must write the board event (none yet, or the first format). */
        needsBoardEvent() {
            return !this.boardEvent || this.boardEvent.version !== C.VERSION;
        }

        /**
         * A card event from the room (read, or pushed): {state_key, content, event_id, sender}.
         * Returns the notice when it overrides this user's change, else null.
         */
        roomEvent(event) {
            const id = event.state_key;
            const before = this.room.get(id);
            const next = { content: event.content, event_id: event.event_id || '', sender: event.sender || '' };
            if (before && before.event_id && before.event_id === next.event_id)
                return null; // known already (the database had it)
            this.room.set(id, next);
            const sent = this.sent.get(id);
            if (sent && sent.event_id === next.event_id)
                this.sent.delete(id);
            const mine = before && before.sender === this.me && this.me;
            const base = next.content && typeof next.content.base === 'string' ? next.content.base : '';
            if (!mine || next.sender === this.me || base === before.event_id)
                return null;
            const card = C.readCard(id, before.content, this.boardId);
            const title = card.ok && !card.card.deleted ? card.card.title : id;
            return { card: id, title, by: next.sender, kind: this.kinds.get(id) || 'change' };
        }

        /** The room's card events in full (a read): those it no longer has are forgotten. */
        roomCards(events) {
            const notices = [];
            const seen = new Set();
            for (const e of events) {
                seen.add(e.state_key);
                const n = this.roomEvent(e);
                if (n)
                    notices.push(n);
            }
            for (const id of Array.from(this.room.keys()))
                if (!seen.has(id))
                    this.room.delete(id);
            return notices;
        }

        /** The content each card has here: the room's, then sent ones, then the queue in order. */
        contents() {
            const out = new Map();
            if (this.legacy)
                for (const c of this.legacy)
                    out.set(c.id, { content: c.content });
            for (const [id, e] of this.room)
                out.set(id, e);
            for (const [id, s] of this.sent)
                out.set(id, s);
            for (const q of this.queue)
                out.set(q.card, q);
            return out;
        }

        /** The board to show (cards.js's assemble). */
        board() {
            const events = [];
            for (const [id, e] of this.contents())
                events.push({ state_key: id, content: e.content });
            return C.assemble(this.boardId, this.columns, events);
        }

        /**
         * A change of this user's: @p card is the card as it should be (cards.js's shape, or
         * {id, deleted: true}). Returns the queue entry to store: {card, content, base}.
         */
        edit(card, at) {
            const before = this.contents().get(card.id);
            const roomNow = this.room.get(card.id);
            const content = { ...C.cardContent(this.boardId, card, this.me, at), base: roomNow ? roomNow.event_id : '' };
            const old = before ? C.readCard(card.id, before.content, this.boardId) : null;
            this.kinds.set(card.id, kindOf(old && old.ok ? old.card : null, card));
            // Queued changes of one card made before this one keep their own base: each was made
            // on what the room had then.
            return { card: card.id, content, base: content.base };
        }

        /** The migration of a first-format board: one queue entry per card, keeping each column's order. */
        migration(at) {
            if (!this.legacy)
                return [];
            const entries = this.legacy.filter((c) => !this.room.has(c.id)).map((c) => ({
                card: c.id, content: { ...c.content, updated_by: this.me, updated_at: at, base: '' }, base: '' }));
            this.legacy = null;
            return entries;
        }

        /** The edit sent next, or null. */
        head() {
            return this.queue.length > 0 ? this.queue[0] : null;
        }

        /** The head was sent and the room has it as @p eventId (its echo may still come). */
        settleHead(eventId) {
            const q = this.queue.shift();
            if (q && !(this.room.has(q.card) && this.room.get(q.card).event_id === eventId))
                this.sent.set(q.card, { event_id: eventId, content: q.content, sender: this.me });
            return q;
        }

        /** The head cannot be sent at all (refused, not offline): dropped. */
        dropHead() {
            return this.queue.shift();
        }
    }

    return { Replica, DEFAULT_COLUMNS, kindOf };
});
