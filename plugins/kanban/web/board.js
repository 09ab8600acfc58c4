// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The kanban board's logic, with no DOM and no Widget API: what a valid board is, the changes a
// person can make to one, and how local changes not yet saved are replayed onto a board that
// another member saved in the meantime. Pure functions on plain objects (nothing is mutated), so
// Node's test runner checks them without a browser (tests/board.test.cjs).
//
// The board is the content of one state event:
//   {"version": 1,
//    "columns": [{"id": "todo"}, {"id": "doing"}, {"id": "done"}],
//    "cards": [{"id": "c1k2…", "title": "Write the agenda", "column": "todo"}, …]}
// A card's place in its column is its place in `cards`. A column may carry a "title"; without
// one the page names the three default columns in the reader's language.
'use strict';

(function (root, factory) {
    const api = factory();
    if (typeof module === 'object' && module.exports)
        module.exports = api;
    else
        root.KanbanBoard = api;
})(typeof self !== 'undefined' ? self : this, function () {
    const LIMITS = Object.freeze({
        maxCards: 200,
        maxTitle: 300, // characters (code points), after trimming
        maxColumns: 8,
        maxColumnTitle: 60,
        // The event's content, as JSON in UTF-8. Matrix refuses events over 64 KiB in total;
        // this leaves room for the rest of the event and for the homeserver's signatures.
        maxContentBytes: 48 * 1024,
    });
    const VERSION = 1;
    const DEFAULT_COLUMNS = Object.freeze(['todo', 'doing', 'done']);
    const ID = /^[A-Za-z0-9_-]{1,32}$/;

    function fail(code, detail) {
        return { ok: false, error: { code, detail: detail === undefined ? null : detail } };
    }

    function emptyBoard() {
        return { version: VERSION, columns: DEFAULT_COLUMNS.map((id) => ({ id })), cards: [] };
    }

    /** The length a person counts: code points, not UTF-16 units. */
    function titleLength(title) {
        return Array.from(title).length;
    }

    /** One line of text, trimmed: line breaks and tabs become spaces. */
    function cleanTitle(title) {
        return String(title).replace(/[\r\n\t\u2028\u2029]+/g, ' ').trim();
    }

    function checkTitle(title) {
        if (typeof title !== 'string')
            return fail('title-empty');
        const clean = cleanTitle(title);
        if (clean.length === 0)
            return fail('title-empty');
        if (titleLength(clean) > LIMITS.maxTitle)
            return fail('title-long', LIMITS.maxTitle);
        return { ok: true, title: clean };
    }

    /** Bytes of @p content as the event will carry it (JSON, UTF-8). */
    function contentBytes(content) {
        const text = JSON.stringify(content);
        let bytes = 0;
        for (let i = 0; i < text.length; i++) {
            const c = text.charCodeAt(i);
            if (c < 0x80)
                bytes += 1;
            else if (c < 0x800)
                bytes += 2;
            else if (c >= 0xd800 && c <= 0xdbff) {
                bytes += 4; // a surrogate pair: one code point of four bytes
                i++;
            } else
                bytes += 3;
        }
        return bytes;
    }

    /**
     * Checks content read from the room. Returns {ok: true, board} with a clean copy (only the
     * fields this version knows), or {ok: false, error: {code, detail}} saying what is wrong.
     * null, undefined or {} (no event, or a removed one) is the empty default board.
     */
    function fromContent(content) {
        if (content === null || content === undefined)
            return { ok: true, board: emptyBoard() };
        if (typeof content !== 'object' || Array.isArray(content))
            return fail('not-object');
        if (Object.keys(content).length === 0)
            return { ok: true, board: emptyBoard() };
        if (content.version !== VERSION)
            return typeof content.version === 'number' && content.version > VERSION ? fail('newer-version', content.version)
                                                                                      : fail('bad-version');
        const columns = content.columns;
        if (!Array.isArray(columns) || columns.length === 0 || columns.length > LIMITS.maxColumns)
            return fail('bad-columns', LIMITS.maxColumns);
        const columnIds = new Set();
        const outColumns = [];
        for (const c of columns) {
            if (!c || typeof c !== 'object' || typeof c.id !== 'string' || !ID.test(c.id) || columnIds.has(c.id))
                return fail('bad-columns', LIMITS.maxColumns);
            const column = { id: c.id };
            if (c.title !== undefined) {
                if (typeof c.title !== 'string' || cleanTitle(c.title).length === 0 || titleLength(c.title) > LIMITS.maxColumnTitle)
                    return fail('bad-columns', LIMITS.maxColumns);
                column.title = cleanTitle(c.title);
            }
            columnIds.add(c.id);
            outColumns.push(column);
        }
        const cards = content.cards === undefined ? [] : content.cards;
        if (!Array.isArray(cards))
            return fail('bad-card', null);
        if (cards.length > LIMITS.maxCards)
            return fail('too-many-cards', LIMITS.maxCards);
        const cardIds = new Set();
        const outCards = [];
        for (let i = 0; i < cards.length; i++) {
            const c = cards[i];
            if (!c || typeof c !== 'object' || typeof c.id !== 'string' || !ID.test(c.id) || cardIds.has(c.id))
                return fail('bad-card', i + 1);
            const title = checkTitle(c.title);
            if (!title.ok)
                return fail('bad-card', i + 1);
            if (typeof c.column !== 'string' || !columnIds.has(c.column))
                return fail('bad-card', i + 1);
            cardIds.add(c.id);
            outCards.push({ id: c.id, title: title.title, column: c.column });
        }
        return { ok: true, board: { version: VERSION, columns: outColumns, cards: outCards } };
    }

    function findCard(board, id) {
        return board.cards.findIndex((c) => c.id === id);
    }

    function hasColumn(board, column) {
        return board.columns.some((c) => c.id === column);
    }

    function cardsIn(board, column) {
        return board.cards.filter((c) => c.column === column);
    }

    /** @p board with @p card placed at @p index among the cards of its column. */
    function place(board, card, index) {
        const others = board.cards.filter((c) => c.id !== card.id);
        const inColumn = others.filter((c) => c.column === card.column);
        const at = Math.max(0, Math.min(Number.isInteger(index) ? index : inColumn.length, inColumn.length));
        const cards = others.slice();
        if (at < inColumn.length)
            cards.splice(cards.indexOf(inColumn[at]), 0, card);
        else if (inColumn.length > 0)
            cards.splice(cards.indexOf(inColumn[inColumn.length - 1]) + 1, 0, card);
        else
            cards.push(card);
        return { ...board, cards };
    }

    function withinSize(board) {
        return contentBytes(board) <= LIMITS.maxContentBytes ? { ok: true, board }
                                                               : fail('too-large', LIMITS.maxContentBytes);
    }

    /**
     * Applies one change. Changes are idempotent, so replaying one the board already has is
     * harmless:
     *   {op: 'add', id, title, column}          a new card at the end of its column
     *   {op: 'rename', id, title}
     *   {op: 'move', id, column, index}         index among the column's cards; end if absent
     *   {op: 'remove', id}
     * Returns {ok: true, board} or {ok: false, error: {code, detail}}.
     */
    function apply(board, change) {
        if (!change || typeof change !== 'object')
            return fail('bad-change');
        switch (change.op) {
        case 'add': {
            if (typeof change.id !== 'string' || !ID.test(change.id))
                return fail('bad-change');
            if (findCard(board, change.id) >= 0)
                return { ok: true, board };
            const title = checkTitle(change.title);
            if (!title.ok)
                return title;
            if (!hasColumn(board, change.column))
                return fail('no-column');
            if (board.cards.length >= LIMITS.maxCards)
                return fail('too-many-cards', LIMITS.maxCards);
            return withinSize({ ...board, cards: board.cards.concat([{ id: change.id, title: title.title, column: change.column }]) });
        }
        case 'rename': {
            const i = findCard(board, change.id);
            if (i < 0)
                return fail('no-card');
            const title = checkTitle(change.title);
            if (!title.ok)
                return title;
            const cards = board.cards.slice();
            cards[i] = { ...cards[i], title: title.title };
            return withinSize({ ...board, cards });
        }
        case 'move': {
            const i = findCard(board, change.id);
            if (i < 0)
                return fail('no-card');
            if (!hasColumn(board, change.column))
                return fail('no-column');
            return { ok: true, board: place(board, { ...board.cards[i], column: change.column }, change.index) };
        }
        case 'remove': {
            if (findCard(board, change.id) < 0)
                return fail('no-card');
            return { ok: true, board: { ...board, cards: board.cards.filter((c) => c.id !== change.id) } };
        }
        default:
            return fail('bad-change');
        }
    }

    /**
     * The merge of a remote update: @p remote is the board another member (or this one, echoed)
     * saved; @p pending are this client's changes not yet confirmed. Replays each change on the
     * remote board in order; a change that no longer applies (its card was deleted, a limit is
     * now reached) is dropped and returned in `dropped`, so the page can say so.
     */
    function rebase(remote, pending) {
        let board = remote;
        const kept = [];
        const dropped = [];
        for (const change of pending) {
            const r = apply(board, change);
            if (r.ok) {
                board = r.board;
                kept.push(change);
            } else {
                dropped.push({ change, error: r.error });
            }
        }
        return { board, kept, dropped };
    }

    /** The column after (+1) or before (-1) @p column, or null at either end. */
    function neighbourColumn(board, column, step) {
        const i = board.columns.findIndex((c) => c.id === column);
        const j = i + step;
        return i < 0 || j < 0 || j >= board.columns.length ? null : board.columns[j].id;
    }

    /** A new card id: 'c' and 12 base-36 characters from @p random (Math.random by default). */
    function newCardId(random) {
        const r = random || Math.random;
        let id = 'c';
        for (let i = 0; i < 12; i++)
            id += Math.floor(r() * 36).toString(36);
        return id;
    }

    return Object.freeze({ LIMITS, VERSION, DEFAULT_COLUMNS, emptyBoard, fromContent, apply, rebase, cardsIn,
                           neighbourColumn, newCardId, contentBytes, titleLength, cleanTitle });
});
