// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The kanban board's second format, one state event per card, as pure functions (no DOM, no
// Widget API), tested with Node's test runner (tests/cards.test.cjs): the data model the page
// uses (through replica.js) so that no move can be lost. Card contents written by the page also
// carry `base`, the event id of the card its writer had (replica.js), which readCard ignores.
//
// - The board: `io.tessera.kanban.board`, state key = the board's id:
//     {"version": 2, "columns": [{"id": "todo"}, {"id": "doing"}, {"id": "done"}]}
// - Each card: `io.tessera.kanban.card`, state key = the card's id:
//     {"version": 2, "board": "<board id>", "title": "…", "description": "…", "column": "todo",
//      "position": "V", "assignee": "@ana:example.org" | null, "labels": ["bug"],
//      "updated_by": "@ana:example.org", "updated_at": 1700000000000}
//   A deleted card is a tombstone: {"version": 2, "board": "…", "deleted": true, …}.
//
// A card's place is (column, position, id): `position` is a fractional index, a string that
// sorts between its neighbours', so a move writes one card and nothing else. Two members moving
// different cards write different state keys and never lose a move; two members moving the same
// card write the same state key, and the room's order decides where it ends: every client shows
// the last event, so all converge on one place, and no card is lost or duplicated. Two cards that
// land on the same position (two members dropping between the same neighbours) sort by id.
'use strict';

(function (root, factory) {
    const api = factory();
    if (typeof module === 'object' && module.exports)
        module.exports = api;
    else
        root.KanbanCards = api;
})(typeof self !== 'undefined' ? self : this, function () {
    const VERSION = 2;
    const LIMITS = Object.freeze({
        maxCards: 5000, // live cards a board shows; each is its own event, so no content limit binds them all
        maxTitle: 300,
        maxDescription: 4000,
        maxLabels: 10,
        maxLabel: 40,
        maxPosition: 128, // characters of a fractional index
        maxColumns: 8,
    });
    const ID = /^[A-Za-z0-9_-]{1,32}$/;
    const USER = /^@[^:\s]+:\S+$/;
    // Base-62 digits in ASCII order, so JavaScript's string comparison orders positions.
    const DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
    const POSITION = /^[0-9A-Za-z]*[1-9A-Za-z]$/; // no trailing "0": a key always has room below it

    function fail(code, detail) {
        return { ok: false, error: { code, detail: detail === undefined ? null : detail } };
    }

    const compare = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

    /**
     * The midpoint of two fractional digit strings @p a < @p b (b null: no upper bound), after
     * David Greenspan's "Implementing Fractional Indexing".
     */
    function midpoint(a, b) {
        if (b !== null) {
            let n = 0;
            while ((a[n] || '0') === b[n])
                n++;
            if (n > 0)
                return b.slice(0, n) + midpoint(a.slice(n), b.slice(n));
        }
        const da = a ? DIGITS.indexOf(a[0]) : 0;
        const db = b !== null ? DIGITS.indexOf(b[0]) : DIGITS.length;
        if (db - da > 1)
            return DIGITS[Math.round((da + db) / 2)];
        if (b !== null && b.length > 1)
            return b.slice(0, 1);
        return DIGITS[da] + midpoint(a.slice(1), null);
    }

    /** A position strictly between @p before and @p after (either may be null: an open end). */
    function positionBetween(before, after) {
        const a = before || '';
        const b = after || null;
        if ((before && !POSITION.test(before)) || (after && !POSITION.test(after)))
            throw new Error('not a position');
        if (b !== null && a >= b)
            throw new Error('positions out of order: ' + a + ' >= ' + b);
        // At an open end, step by one digit rather than halving: a column that only grows at
        // its end (or its start) gains a character every ~30 cards, not every ~5.
        if (b === null && a)
            return step(a);
        if (!a && b !== null && DIGITS.indexOf(b[0]) >= 2)
            return DIGITS[DIGITS.indexOf(b[0]) - 1];
        return midpoint(a, b);
    }

    /** The shortest position after @p a with nothing to its right: its first digit plus one. */
    function step(a) {
        const d = DIGITS.indexOf(a[0]);
        return d + 1 < DIGITS.length ? DIGITS[d + 1] : a[0] + (a.length > 1 ? step(a.slice(1)) : midpoint('', null));
    }

    /** @p count positions in order, evenly spread and all of one short length, for a migrated column. */
    function spreadPositions(count) {
        let width = 1;
        while (Math.pow(DIGITS.length, width) <= count + 1)
            width++;
        const span = Math.pow(DIGITS.length, width);
        const out = [];
        for (let i = 1; i <= count; i++) {
            let n = Math.floor((i * span) / (count + 1));
            let key = '';
            for (let k = 0; k < width; k++) {
                key = DIGITS[n % DIGITS.length] + key;
                n = Math.floor(n / DIGITS.length);
            }
            out.push(key.replace(/0+$/, '')); // no trailing "0"; the order is unchanged
        }
        return out;
    }

    function cleanText(value, max) {
        if (typeof value !== 'string')
            return null;
        const text = value.trim();
        return Array.from(text).length <= max ? text : null;
    }

    /**
     * A card event's content as the board uses it, or {ok: false, error} saying what is wrong.
     * Fields this version does not know are not kept.
     */
    function readCard(id, content, boardId) {
        if (!ID.test(id || ''))
            return fail('bad-id');
        if (!content || typeof content !== 'object' || Array.isArray(content))
            return fail('not-object');
        if (content.version !== VERSION)
            return fail(Number.isInteger(content.version) && content.version > VERSION ? 'newer-version' : 'bad-version', content.version);
        if (content.board !== boardId)
            return fail('other-board');
        const meta = {
            updated_by: typeof content.updated_by === 'string' && USER.test(content.updated_by) ? content.updated_by : null,
            updated_at: Number.isSafeInteger(content.updated_at) ? content.updated_at : 0,
        };
        if (content.deleted === true)
            return { ok: true, card: { id, deleted: true, ...meta } };
        const title = cleanText(content.title, LIMITS.maxTitle);
        if (!title)
            return fail('bad-title');
        const description = content.description === undefined ? '' : cleanText(content.description, LIMITS.maxDescription);
        if (description === null)
            return fail('bad-description');
        if (!ID.test(content.column || ''))
            return fail('bad-column');
        if (typeof content.position !== 'string' || content.position.length > LIMITS.maxPosition || !POSITION.test(content.position))
            return fail('bad-position');
        const assignee = content.assignee === undefined || content.assignee === null ? null : content.assignee;
        if (assignee !== null && (typeof assignee !== 'string' || !USER.test(assignee)))
            return fail('bad-assignee');
        const labels = content.labels === undefined ? [] : content.labels;
        if (!Array.isArray(labels) || labels.length > LIMITS.maxLabels
            || !labels.every((l) => typeof l === 'string' && l.trim() && Array.from(l).length <= LIMITS.maxLabel))
            return fail('bad-labels');
        return { ok: true, card: { id, deleted: false, title, description, column: content.column, position: content.position,
                                   assignee, labels: labels.map((l) => l.trim()), ...meta } };
    }

    /** The content a card is written with (a move, an edit or a new card). */
    function cardContent(boardId, card, by, at) {
        if (card.deleted)
            return { version: VERSION, board: boardId, deleted: true, updated_by: by, updated_at: at };
        return { version: VERSION, board: boardId, title: card.title, description: card.description || '', column: card.column,
                 position: card.position, assignee: card.assignee || null, labels: card.labels || [], updated_by: by,
                 updated_at: at };
    }

    /**
     * The board to show from the board event's @p columns and the room's card events
     * (@p events: [{state_key, content}], the latest of each state key): live cards in each
     * column by (position, id). Tombstones are left out; a card whose column is gone is shown in
     * the first column; cards that cannot be read are listed in `invalid`, with the reason.
     */
    function assemble(boardId, columns, events) {
        const ids = new Set(columns.map((c) => c.id));
        const cards = [];
        const invalid = [];
        const deleted = [];
        for (const e of events) {
            const r = readCard(e.state_key, e.content, boardId);
            if (!r.ok) {
                if (r.error.code !== 'other-board')
                    invalid.push({ id: e.state_key, error: r.error });
                continue;
            }
            if (r.card.deleted) {
                deleted.push(r.card.id);
                continue;
            }
            cards.push(ids.has(r.card.column) ? r.card : { ...r.card, column: columns[0].id, orphaned: true });
        }
        cards.sort((x, y) => compare(x.column, y.column) || compare(x.position, y.position) || compare(x.id, y.id));
        const inColumn = (id) => cards.filter((c) => c.column === id);
        return { columns, cards, inColumn, invalid, deleted, full: cards.length >= LIMITS.maxCards };
    }

    /**
     * Moving card @p id to @p index among the other cards of @p column: the card's new
     * position, between its new neighbours. Only that card is written.
     */
    function moveTo(board, id, column, index) {
        const card = board.cards.find((c) => c.id === id);
        if (!card)
            return fail('no-card');
        if (!board.columns.some((c) => c.id === column))
            return fail('no-column');
        const others = board.cards.filter((c) => c.column === column && c.id !== id);
        const at = Math.max(0, Math.min(Number.isInteger(index) ? index : others.length, others.length));
        const before = at > 0 ? others[at - 1].position : null;
        let after = at < others.length ? others[at].position : null;
        // Neighbours on the same position (see the tie-break): go just after the earlier one.
        if (before !== null && after !== null && before >= after)
            after = null;
        return { ok: true, card: { ...card, column, position: positionBetween(before, after) } };
    }

    /** A new card at the end of @p column. */
    function addTo(board, id, title, column) {
        if (!ID.test(id || ''))
            return fail('bad-id');
        const clean = cleanText(title, LIMITS.maxTitle);
        if (!clean)
            return fail(typeof title === 'string' && title.trim() ? 'title-long' : 'title-empty', LIMITS.maxTitle);
        if (!board.columns.some((c) => c.id === column))
            return fail('no-column');
        if (board.cards.length >= LIMITS.maxCards)
            return fail('too-many-cards', LIMITS.maxCards);
        const last = board.cards.filter((c) => c.column === column).pop();
        return { ok: true, card: { id, deleted: false, title: clean, description: '', column,
                                   position: positionBetween(last ? last.position : null, null), assignee: null, labels: [] } };
    }

    /**
     * A board of the first format (one event holding every card, board.js) as the second: the
     * board event's content and one card content per card, keeping each column's order.
     */
    function migrate(boardId, oldContent, by, at) {
        if (!oldContent || oldContent.version !== 1 || !Array.isArray(oldContent.columns) || !Array.isArray(oldContent.cards))
            return fail('not-version-1');
        const columns = oldContent.columns.map((c) => (c.title ? { id: c.id, title: c.title } : { id: c.id }));
        const cards = [];
        for (const column of columns) {
            const inColumn = oldContent.cards.filter((c) => c.column === column.id);
            const positions = spreadPositions(inColumn.length);
            inColumn.forEach((c, i) => cards.push({
                id: c.id,
                content: cardContent(boardId, { title: c.title, column: column.id, position: positions[i] }, by, at),
            }));
        }
        return { ok: true, board: { version: VERSION, columns }, cards };
    }

    return { VERSION, LIMITS, positionBetween, spreadPositions, readCard, cardContent, assemble, moveTo, addTo, migrate };
});
