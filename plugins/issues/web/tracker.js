// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The issue tracker's logic, with no DOM and no Widget API: what a valid issue is, how a person's
// edit becomes new content, how pushed room events update the list, and how the list is filtered
// and ordered. Pure functions on plain objects (nothing is mutated), so Node's test runner checks
// them without a browser (tests/tracker.test.cjs).
//
// Each issue is the content of its own state event (type io.tessera.issues.issue, state key =
// the issue's id), so two members editing different issues never overwrite each other:
//   {"version": 1, "title": "Login fails", "description": "Steps: …", "status": "open",
//    "labels": ["bug"], "assignee": "@ana:example.org", "created_at": 1700000000000,
//    "created_by": "@ben:example.org"}
// "assignee" is null when nobody is assigned. "created_by" is absent on the first save: the
// page does not know its own user id, and the sender of that first event is the creator; every
// later save copies it into the content, because a later sender is only the last editor.
'use strict';

(function (root, factory) {
    const api = factory();
    if (typeof module === 'object' && module.exports)
        module.exports = api;
    else
        root.IssueTracker = api;
})(typeof self !== 'undefined' ? self : this, function () {
    const LIMITS = Object.freeze({
        maxIssues: 500,
        maxTitle: 200, // characters (code points), after trimming
        maxDescription: 8000,
        maxLabels: 10,
        maxLabel: 40,
        // The event's content, as JSON in UTF-8. Matrix refuses events over 64 KiB in total;
        // this leaves room for the rest of the event and the homeserver's signatures. The field
        // limits above keep ordinary text far below it; escapes and 4-byte characters can not.
        maxContentBytes: 48 * 1024,
    });
    const VERSION = 1;
    const EVENT = 'io.tessera.issues.issue';
    const ID = /^[A-Za-z0-9_-]{1,32}$/;
    // A Matrix user id, loosely: @localpart:server, no spaces. The homeserver is the real judge.
    const USER_ID = /^@[^\s:]+:[^\s]+$/;
    const STATUSES = Object.freeze(['open', 'closed']);

    function fail(code, detail) {
        return { ok: false, error: { code, detail: detail === undefined ? null : detail } };
    }

    /** The length a person counts: code points, not UTF-16 units. */
    function length(text) {
        return Array.from(text).length;
    }

    /** One line of text, trimmed: line breaks and tabs become spaces. */
    function oneLine(text) {
        return String(text).replace(/[\r\n\t\u2028\u2029]+/g, ' ').replace(/ {2,}/g, ' ').trim();
    }

    /** Bytes of @p content as the event will carry it (JSON, UTF-8). */
    function contentBytes(content) {
        return new TextEncoder().encode(JSON.stringify(content)).length;
    }

    /** "bug, UI ,bug" → ["bug", "UI"]: trimmed, empty ones dropped, duplicates (any case) once. */
    function parseLabels(text) {
        const out = [];
        const seen = new Set();
        for (const part of String(text || '').split(',')) {
            const label = oneLine(part);
            if (label.length === 0 || seen.has(label.toLowerCase()))
                continue;
            seen.add(label.toLowerCase());
            out.push(label);
        }
        return out;
    }

    /**
     * Checks what a person typed: {title, description, labels (array or "a, b"), assignee
     * ("" for nobody), status}. Returns {ok: true, fields} with clean values, or
     * {ok: false, error: {code, detail, field}} naming the first problem.
     */
    function checkFields(draft) {
        const bad = (code, detail, field) => {
            const r = fail(code, detail);
            r.error.field = field;
            return r;
        };
        const d = draft || {};
        const title = oneLine(d.title === undefined ? '' : d.title);
        if (title.length === 0)
            return bad('title-empty', null, 'title');
        if (length(title) > LIMITS.maxTitle)
            return bad('title-long', LIMITS.maxTitle, 'title');
        // Plain text: line breaks are kept, surrounding blank space is not.
        const description = String(d.description === undefined ? '' : d.description).replace(/\r\n?/g, '\n').trim();
        if (length(description) > LIMITS.maxDescription)
            return bad('description-long', LIMITS.maxDescription, 'description');
        const labels = Array.isArray(d.labels) ? parseLabels(d.labels.join(',')) : parseLabels(d.labels);
        if (labels.length > LIMITS.maxLabels)
            return bad('too-many-labels', LIMITS.maxLabels, 'labels');
        const long = labels.find((l) => length(l) > LIMITS.maxLabel);
        if (long !== undefined)
            return bad('label-long', LIMITS.maxLabel, 'labels');
        const assignee = d.assignee === null || d.assignee === undefined ? '' : String(d.assignee).trim();
        if (assignee.length > 0 && (!USER_ID.test(assignee) || assignee.length > 255))
            return bad('bad-assignee', null, 'assignee');
        const status = d.status === undefined ? 'open' : d.status;
        if (!STATUSES.includes(status))
            return bad('bad-status', null, 'status');
        return { ok: true, fields: { title, description, status, labels, assignee: assignee || null } };
    }

    function withinSize(content) {
        return contentBytes(content) <= LIMITS.maxContentBytes ? { ok: true, content }
                                                                : fail('too-large', LIMITS.maxContentBytes);
    }

    /**
     * Checks content read from the room. Returns {ok: true, issue} with a clean copy (only the
     * fields this version knows), {ok: true, issue: null} for a removed issue ({} or no
     * content), or {ok: false, error: {code, detail}} saying what is wrong.
     */
    function fromContent(content) {
        if (content === null || content === undefined)
            return { ok: true, issue: null };
        if (typeof content !== 'object' || Array.isArray(content))
            return fail('not-object');
        if (Object.keys(content).length === 0)
            return { ok: true, issue: null };
        if (content.version !== VERSION)
            return typeof content.version === 'number' && content.version > VERSION ? fail('newer-version', content.version)
                                                                                      : fail('bad-version');
        for (const [field, type] of [['title', 'string'], ['description', 'string'], ['status', 'string']]) {
            if (content[field] !== undefined && typeof content[field] !== type)
                return fail('bad-field', field);
        }
        if (content.labels !== undefined && (!Array.isArray(content.labels) || content.labels.some((l) => typeof l !== 'string')))
            return fail('bad-field', 'labels');
        if (content.assignee !== undefined && content.assignee !== null && typeof content.assignee !== 'string')
            return fail('bad-field', 'assignee');
        if (content.created_at !== undefined && !Number.isSafeInteger(content.created_at))
            return fail('bad-field', 'created_at');
        if (content.created_by !== undefined && (typeof content.created_by !== 'string' || !USER_ID.test(content.created_by)))
            return fail('bad-field', 'created_by');
        const r = checkFields({ title: content.title, description: content.description, status: content.status,
                                labels: content.labels || [], assignee: content.assignee });
        if (!r.ok)
            return fail(r.error.code, r.error.detail);
        if (r.fields.labels.length !== (content.labels || []).length)
            return fail('bad-field', 'labels'); // empty or duplicate labels: not what this page writes
        const issue = { version: VERSION, ...r.fields, created_at: content.created_at === undefined ? 0 : content.created_at };
        if (content.created_by !== undefined)
            issue.created_by = content.created_by;
        return { ok: true, issue };
    }

    /**
     * One state event from the room as an entry of the list:
     *   {id, issue, sender, eventId}               a valid issue
     *   {id, error: {code, detail}, sender, eventId} content this version cannot read
     *   {id, removed: true}                        an issue whose content was emptied
     * or null for an event that is not an issue at all (other type, no usable state key).
     */
    function entryFromEvent(event) {
        if (!event || typeof event !== 'object' || event.type !== EVENT || typeof event.state_key !== 'string')
            return null;
        const id = event.state_key;
        const base = { id, sender: typeof event.sender === 'string' ? event.sender : null,
                       eventId: typeof event.event_id === 'string' ? event.event_id : null };
        if (!ID.test(id))
            return { ...base, error: { code: 'bad-id', detail: null } };
        const r = fromContent(event.content);
        if (!r.ok)
            return { ...base, error: r.error };
        if (r.issue === null)
            return { id, removed: true };
        return { ...base, issue: r.issue };
    }

    /** Who opened the issue of @p entry: its content says, or else the first save's sender did. */
    function creatorOf(entry) {
        return (entry.issue && entry.issue.created_by) || entry.sender || null;
    }

    /** The content of a new issue from a person's @p draft. */
    function create(draft, now) {
        const r = checkFields({ ...draft, status: 'open' });
        if (!r.ok)
            return r;
        return withinSize({ version: VERSION, ...r.fields, created_at: Math.floor(now) });
    }

    /**
     * The content an edit saves. @p draft holds the fields as the person left them, @p base
     * the issue as it was when they started, @p entry the room's latest version: only the
     * fields the person changed are taken from the draft, so a field someone else changed in
     * the meantime is kept, not reverted. A label list counts as one field.
     */
    function edit(entry, base, draft) {
        if (!entry || entry.removed)
            return fail('no-issue');
        if (!entry.issue)
            return fail('broken', entry.error ? entry.error.code : null);
        const r = checkFields(draft);
        if (!r.ok)
            return r;
        const current = entry.issue;
        const was = base || current;
        const next = { ...current };
        for (const field of ['title', 'description', 'status', 'assignee']) {
            if (r.fields[field] !== was[field])
                next[field] = r.fields[field];
        }
        if (JSON.stringify(r.fields.labels) !== JSON.stringify(was.labels))
            next.labels = r.fields.labels;
        const creator = creatorOf(entry);
        if (creator)
            next.created_by = creator;
        return withinSize(next);
    }

    /** The content that closes (or reopens) @p entry's issue, nothing else changed. */
    function setStatus(entry, status) {
        if (!entry || !entry.issue)
            return entry && entry.error ? fail('broken', entry.error.code) : fail('no-issue');
        const i = entry.issue;
        return edit(entry, i, { title: i.title, description: i.description, labels: i.labels, assignee: i.assignee, status });
    }

    /**
     * The list after @p event (one pushed or read state event). @p entries is an array of
     * entries; @p awaiting maps an issue id to the event id of this page's own save not yet
     * echoed by the room: until its echo comes, an event for that issue is older than the save
     * and would briefly undo it, so it is ignored. Returns {entries, awaiting, changed}.
     */
    function receive(entries, awaiting, event) {
        const entry = entryFromEvent(event);
        if (!entry)
            return { entries, awaiting, changed: false };
        const waiting = awaiting[entry.id];
        let nextAwaiting = awaiting;
        if (waiting !== undefined) {
            if (entry.eventId !== waiting)
                return { entries, awaiting, changed: false };
            nextAwaiting = { ...awaiting };
            delete nextAwaiting[entry.id];
        }
        const others = entries.filter((e) => e.id !== entry.id);
        return { entries: entry.removed ? others : others.concat([entry]), awaiting: nextAwaiting, changed: true };
    }

    /** The list from what read_events returned: one entry per issue, removed ones left out. */
    function fromEvents(events) {
        let entries = [];
        for (const event of events || [])
            entries = receive(entries, {}, event).entries;
        return entries;
    }

    /** Whether one more issue may be opened. */
    function canCreate(entries) {
        return entries.length < LIMITS.maxIssues ? { ok: true } : fail('too-many-issues', LIMITS.maxIssues);
    }

    /** Newest first; the id breaks ties, so every member sees the same order. */
    function compare(a, b) {
        const at = a.issue ? a.issue.created_at : 0;
        const bt = b.issue ? b.issue.created_at : 0;
        if (at !== bt)
            return bt - at;
        return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    }

    /**
     * The entries a filter shows, in order: {status: 'open'|'closed'|'all', label, assignee
     * (a user id, 'none' for nobody, '' for anyone), text}. The text matches title,
     * description, labels and assignee, ignoring case. Issues that cannot be read come first
     * whatever the filter, as long as no label, assignee or text narrows the list: they need
     * someone's attention, and hiding them would hide that anything is wrong.
     */
    function filter(entries, f) {
        const want = f || {};
        const status = want.status || 'open';
        const label = want.label ? want.label.toLowerCase() : '';
        const assignee = want.assignee || '';
        const words = String(want.text || '').toLowerCase().split(/\s+/).filter((w) => w.length > 0);
        const narrowed = label || assignee || words.length > 0;
        const broken = narrowed ? [] : entries.filter((e) => !e.issue).sort(compare);
        const shown = entries.filter((e) => {
            const i = e.issue;
            if (!i)
                return false;
            if (status !== 'all' && i.status !== status)
                return false;
            if (label && !i.labels.some((l) => l.toLowerCase() === label))
                return false;
            if (assignee === 'none' ? i.assignee !== null : assignee && i.assignee !== assignee)
                return false;
            if (words.length > 0) {
                const hay = [i.title, i.description, i.labels.join(' '), i.assignee || ''].join('\n').toLowerCase();
                if (!words.every((w) => hay.includes(w)))
                    return false;
            }
            return true;
        });
        return broken.concat(shown.sort(compare));
    }

    /** How many readable issues are open and closed. */
    function counts(entries) {
        const out = { open: 0, closed: 0 };
        for (const e of entries) {
            if (e.issue)
                out[e.issue.status]++;
        }
        return out;
    }

    /** Every label in use, each once (first spelling), sorted for a filter menu. */
    function labelsInUse(entries) {
        const seen = new Map();
        for (const e of entries) {
            for (const l of e.issue ? e.issue.labels : []) {
                if (!seen.has(l.toLowerCase()))
                    seen.set(l.toLowerCase(), l);
            }
        }
        return Array.from(seen.values()).sort((a, b) => a.localeCompare(b));
    }

    /** Every assignee in use, sorted. */
    function assigneesInUse(entries) {
        return Array.from(new Set(entries.filter((e) => e.issue && e.issue.assignee).map((e) => e.issue.assignee))).sort();
    }

    /** A new issue id: 'i' and 12 base-36 characters from @p random (Math.random by default). */
    function newIssueId(random) {
        const r = random || Math.random;
        let id = 'i';
        for (let i = 0; i < 12; i++)
            id += Math.floor(r() * 36).toString(36);
        return id;
    }

    return Object.freeze({ LIMITS, VERSION, EVENT, checkFields, parseLabels, fromContent, entryFromEvent, creatorOf, create,
                           edit, setStatus, receive, fromEvents, canCreate, filter, counts, labelsInUse, assigneesInUse,
                           newIssueId, contentBytes, length });
});
