// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The issue tracker's page: tracker.js with the Matrix Widget API through the SDK's page helper.
// Every issue is its own state event (io.tessera.issues.issue, state key = the issue's id): all
// of them are read once with read_events (any state key), each one is written whole with
// send_event, and each is replaced when the host pushes a newer one. An issue this page cannot
// read is listed as an error and can be neither edited nor written over from here.
//
// The Widget API client is the SDK's (tessera-widget.js), which tessera_add_plugin copies into
// each plugin's assets: the plugins stay built and shipped independently.
'use strict';

(function () {
    const T = window.IssueTracker;
    const params = new URLSearchParams(location.search);
    const widgetId = params.get('widgetId') || '';
    const READ = 'org.matrix.msc2762.receive.state_event:' + T.EVENT;
    const WRITE = 'org.matrix.msc2762.send.state_event:' + T.EVENT;
    const MEMBERS = 'org.matrix.msc2762.receive.state_event:m.room.member';

    const texts = {
        en: {
            title: 'Issue tracker', newIssue: 'New issue', open: 'Open', closed: 'Closed', all: 'All', isOpen: 'Open', isClosed: 'Closed',
            counts: (c) => c.open + ' open · ' + c.closed + ' closed', saving: 'Saving…',
            search: 'Search issues', anyLabel: 'Any label', anyone: 'Anyone', nobody: 'Nobody',
            labelFilter: 'Label', assigneeFilter: 'Assignee', statusFilter: 'Status',
            noIssues: 'No issues yet. Open the first one with “New issue”.', noMatch: 'No issues match this filter.',
            opened: (who, when) => 'Opened by ' + who + (when ? ' on ' + when : ''), assignedTo: (who) => 'Assigned to ' + who,
            fTitle: 'Title', fDescription: 'Description', fLabels: 'Labels, separated by commas',
            fAssignee: 'Assignee (a user id such as @ana:example.org, or empty)', create: 'Open issue', save: 'Save',
            cancel: 'Cancel', back: 'Back to the list', close: 'Close issue', reopen: 'Reopen issue', editTitle: 'Issue',
            dismiss: 'Dismiss', waiting: 'Waiting for your decision…', loading: 'Loading the issues…',
            noRead: 'The issues cannot be shown: reading them from the room was not allowed.',
            noWrite: 'You can read these issues, but not change them: saving to the room was not allowed.',
            notSaved: (m) => 'Your change was not saved: ' + m, notRead: (m) => 'The issues could not be read: ' + m,
            chars: (n, max) => n + ' / ' + max,
            errors: {
                'title-empty': 'Write a title first.',
                'title-long': (n) => 'A title can have at most ' + n + ' characters.',
                'description-long': (n) => 'A description can have at most ' + n + ' characters.',
                'too-many-labels': (n) => 'An issue can have at most ' + n + ' labels.',
                'label-long': (n) => 'A label can have at most ' + n + ' characters.',
                'bad-assignee': 'The assignee must be a user id such as @ana:example.org, or empty.',
                'bad-status': 'The status must be open or closed.',
                'too-large': () => 'This issue is too large to save in the room. Shorten its description.',
                'too-many-issues': (n) => 'The tracker is full: a room holds at most ' + n + ' issues.',
                'no-issue': 'This issue was removed in the meantime.',
                broken: 'This issue cannot be read any more, so it is not saved over.',
            },
            brokenIntro: (id) => 'Issue ' + id + ' cannot be shown: ', brokenKeep: ' Nothing was changed.',
            broken: {
                'not-object': 'its content is not an object.',
                'bad-version': 'it has no valid format version.',
                'newer-version': (n) => 'it was saved by a newer version of the tracker (format ' + n + ').',
                'bad-field': (f) => 'its field “' + f + '” is invalid.',
                'bad-id': 'its id is not valid.',
                'title-empty': 'it has no title.',
                'title-long': (n) => 'its title is longer than ' + n + ' characters.',
                'description-long': (n) => 'its description is longer than ' + n + ' characters.',
                'too-many-labels': (n) => 'it has more than ' + n + ' labels.',
                'label-long': (n) => 'a label is longer than ' + n + ' characters.',
                'bad-assignee': 'its assignee is not a user id.',
                'bad-status': 'its status is neither open nor closed.',
            },
        },
        es: {
            title: 'Gestor de incidencias', newIssue: 'Nueva incidencia', open: 'Abiertas', closed: 'Cerradas', all: 'Todas',
            isOpen: 'Abierta', isClosed: 'Cerrada',
            counts: (c) => c.open + (c.open === 1 ? ' abierta · ' : ' abiertas · ') + c.closed + (c.closed === 1 ? ' cerrada' : ' cerradas'), saving: 'Guardando…',
            search: 'Buscar incidencias', anyLabel: 'Cualquier etiqueta', anyone: 'Cualquiera', nobody: 'Nadie',
            labelFilter: 'Etiqueta', assigneeFilter: 'Responsable', statusFilter: 'Estado',
            noIssues: 'Aún no hay incidencias. Abre la primera con «Nueva incidencia».', noMatch: 'Ninguna incidencia cumple este filtro.',
            opened: (who, when) => 'Abierta por ' + who + (when ? ' el ' + when : ''), assignedTo: (who) => 'Asignada a ' + who,
            fTitle: 'Título', fDescription: 'Descripción', fLabels: 'Etiquetas, separadas por comas',
            fAssignee: 'Responsable (un id de usuario como @ana:example.org, o vacío)', create: 'Abrir incidencia', save: 'Guardar',
            cancel: 'Cancelar', back: 'Volver a la lista', close: 'Cerrar incidencia', reopen: 'Reabrir incidencia', editTitle: 'Incidencia',
            dismiss: 'Cerrar', waiting: 'Esperando tu decisión…', loading: 'Cargando las incidencias…',
            noRead: 'No se pueden mostrar las incidencias: no se permitió leerlas de la sala.',
            noWrite: 'Puedes leer estas incidencias, pero no cambiarlas: no se permitió guardar en la sala.',
            notSaved: (m) => 'Tu cambio no se guardó: ' + m, notRead: (m) => 'No se pudieron leer las incidencias: ' + m,
            chars: (n, max) => n + ' / ' + max,
            errors: {
                'title-empty': 'Escribe un título primero.',
                'title-long': (n) => 'Un título puede tener como máximo ' + n + ' caracteres.',
                'description-long': (n) => 'Una descripción puede tener como máximo ' + n + ' caracteres.',
                'too-many-labels': (n) => 'Una incidencia puede tener como máximo ' + n + ' etiquetas.',
                'label-long': (n) => 'Una etiqueta puede tener como máximo ' + n + ' caracteres.',
                'bad-assignee': 'El responsable debe ser un id de usuario como @ana:example.org, o quedar vacío.',
                'bad-status': 'El estado debe ser abierta o cerrada.',
                'too-large': () => 'Esta incidencia es demasiado grande para guardarla en la sala. Acorta su descripción.',
                'too-many-issues': (n) => 'El gestor está lleno: una sala admite como máximo ' + n + ' incidencias.',
                'no-issue': 'Esta incidencia se eliminó mientras tanto.',
                broken: 'Esta incidencia ya no se puede leer, así que no se guarda encima.',
            },
            brokenIntro: (id) => 'No se puede mostrar la incidencia ' + id + ': ', brokenKeep: ' No se cambió nada.',
            broken: {
                'not-object': 'su contenido no es un objeto.',
                'bad-version': 'no tiene una versión de formato válida.',
                'newer-version': (n) => 'la guardó una versión más reciente del gestor (formato ' + n + ').',
                'bad-field': (f) => 'su campo «' + f + '» no es válido.',
                'bad-id': 'su id no es válido.',
                'title-empty': 'no tiene título.',
                'title-long': (n) => 'su título tiene más de ' + n + ' caracteres.',
                'description-long': (n) => 'su descripción tiene más de ' + n + ' caracteres.',
                'too-many-labels': (n) => 'tiene más de ' + n + ' etiquetas.',
                'label-long': (n) => 'una etiqueta tiene más de ' + n + ' caracteres.',
                'bad-assignee': 'su responsable no es un id de usuario.',
                'bad-status': 'su estado no es abierta ni cerrada.',
            },
        },
    };
    const pickLang = (l) => (String(l || '').slice(0, 2) === 'es' ? 'es' : 'en');
    let lang = pickLang(params.get('lang') || navigator.language);
    const t = () => texts[lang];
    const $ = (id) => document.getElementById(id);
    const say = (m, detail) => (typeof m === 'function' ? m(detail) : m || '');
    document.documentElement.classList.toggle('dark', params.get('theme') === 'dark');

    // A tracker set up for a repository (its data names provider, api_url and repo, which the
    // host puts in the URL) is restpage.js's; this file keeps the room's own issues.
    const rest = window.IssuesRest.configFrom(params);
    if (rest) {
        window.IssuesRestPage.start(rest, lang, pickLang);
        return;
    }

    const state = {
        approved: null, // null until the host says what the user allowed
        loaded: false, // the room's issues have been read
        early: [], // events pushed before the first read answered, replayed onto it
        entries: [], // tracker.js entries, one per issue
        awaiting: {}, // issue id → event id of this page's save, until the room echoes it
        seen: [], // event ids of the latest issues pushed by the room
        members: new Map(), // joined user id → display name (with the optional capability)
        filter: { status: 'open', label: '', assignee: '', text: '' },
        view: 'list', // 'list', 'new' or 'edit'
        editing: null, // {id, base}: the issue open in the editor and how it was when opened
        saving: 0,
    };

    // ---- the Widget API -----------------------------------------------------------------------

    const allowed = (cap) => Array.isArray(state.approved) && state.approved.includes(cap);
    const canEdit = () => allowed(WRITE) && state.loaded;

    async function load() {
        if (allowed(MEMBERS)) {
            request('org.matrix.msc2876.read_events', { type: 'm.room.member', state_key: true })
                .then((r) => (r.events || []).forEach(member))
                .then(render, () => {}); // only suggestions: typing a user id still works
        }
        if (!allowed(READ))
            return render();
        try {
            const r = await request('org.matrix.msc2876.read_events', { type: T.EVENT, state_key: true });
            // Pushes that came first are at least as new as what the read returned.
            let entries = T.fromEvents(r.events);
            for (const e of state.early)
                entries = T.receive(entries, {}, e).entries;
            state.entries = entries;
            state.early = [];
            state.loaded = true;
            render();
        } catch (e) {
            showError(t().notRead(e.message));
        }
    }

    function member(event) {
        if (!event || event.type !== 'm.room.member' || typeof event.state_key !== 'string')
            return;
        const c = event.content || {};
        if (c.membership === 'join')
            state.members.set(event.state_key, typeof c.displayname === 'string' ? c.displayname : '');
        else
            state.members.delete(event.state_key);
    }

    /** An issue event from the room: another member's save, or the echo of this page's own. */
    function fromPush(event) {
        if (typeof event.event_id === 'string') {
            state.seen.push(event.event_id);
            if (state.seen.length > 64)
                state.seen.shift();
        }
        if (!state.loaded) {
            state.early.push(event);
            return;
        }
        const r = T.receive(state.entries, state.awaiting, event);
        state.entries = r.entries;
        state.awaiting = r.awaiting;
        if (r.changed)
            render();
    }

    /** Saves @p content as issue @p id: shown at once, put back as it was if the room refuses. */
    async function save(id, content) {
        const before = state.entries.find((e) => e.id === id);
        const local = { type: T.EVENT, state_key: id, content, sender: before ? before.sender : null };
        state.entries = T.receive(state.entries, {}, local).entries;
        state.saving++;
        render();
        try {
            const r = await request('send_event', { type: T.EVENT, state_key: id, content });
            const eventId = r && r.event_id;
            // Until the echo comes, anything pushed for this issue is older than this save.
            if (typeof eventId === 'string' && !state.seen.includes(eventId) && allowed(READ)) {
                state.awaiting = { ...state.awaiting, [id]: eventId };
                // An echo that never comes must not hold back other members' saves for long.
                setTimeout(() => {
                    if (state.awaiting[id] === eventId) {
                        state.awaiting = { ...state.awaiting };
                        delete state.awaiting[id];
                    }
                }, 10000);
            }
        } catch (e) {
            const others = state.entries.filter((x) => x.id !== id);
            state.entries = before ? others.concat([before]) : others;
            showError(t().notSaved(e.message));
        }
        state.saving--;
        render();
    }

    // ---- the page -----------------------------------------------------------------------------

    function showError(text) {
        $('error-text').textContent = text;
        $('error').hidden = false;
    }

    function hideError() {
        $('error').hidden = true;
    }

    function describe(error) {
        return say(t().errors[error.code] || t().errors.broken, error.detail);
    }

    function who(userId) {
        const name = state.members.get(userId);
        return name ? name + ' (' + userId + ')' : userId;
    }

    function when(ms) {
        return ms > 0 ? new Date(ms).toLocaleDateString(lang === 'es' ? 'es-ES' : 'en-GB', { day: 'numeric', month: 'short', year: 'numeric' }) : '';
    }

    const { el, icon, issueButton } = window.IssuesDom;

    function renderRow(entry) {
        const li = el('li', 'issue');
        li.dataset.id = entry.id;
        if (!entry.issue) {
            li.classList.add('broken');
            li.append(icon('broken'));
            li.append(el('p', 'broken-text', t().brokenIntro(entry.id) + say(t().broken[entry.error.code], entry.error.detail) + t().brokenKeep));
            return li;
        }
        const i = entry.issue;
        li.classList.add(i.status);
        const creator = T.creatorOf(entry);
        const meta = [['', creator ? t().opened(who(creator), when(i.created_at)) : when(i.created_at)]];
        if (i.assignee)
            meta.push(['assignee', t().assignedTo(who(i.assignee))]);
        li.append(issueButton({ status: i.status, title: i.title, meta, labels: i.labels, onOpen: () => openEditor(entry.id) }));
        return li;
    }

    function fillSelect(select, options, value) {
        select.replaceChildren(...options.map(([v, text]) => {
            const o = el('option', '', text);
            o.value = v;
            return o;
        }));
        select.value = options.some(([v]) => v === value) ? value : '';
    }

    function renderList() {
        const f = state.filter;
        for (const b of $('status-filter').querySelectorAll('button')) {
            b.textContent = t()[b.dataset.status];
            b.setAttribute('aria-pressed', String(b.dataset.status === f.status));
        }
        $('status-filter').setAttribute('aria-label', t().statusFilter);
        $('search').placeholder = t().search;
        $('search').setAttribute('aria-label', t().search);
        fillSelect($('label-filter'), [['', t().anyLabel]].concat(T.labelsInUse(state.entries).map((l) => [l, l])), f.label);
        $('label-filter').setAttribute('aria-label', t().labelFilter);
        const people = new Set(T.assigneesInUse(state.entries));
        if (f.assignee && f.assignee !== 'none')
            people.add(f.assignee);
        fillSelect($('assignee-filter'), [['', t().anyone], ['none', t().nobody]].concat(Array.from(people).sort().map((p) => [p, who(p)])), f.assignee);
        $('assignee-filter').setAttribute('aria-label', t().assigneeFilter);

        const shown = state.loaded ? T.filter(state.entries, f) : [];
        $('issues').replaceChildren(...shown.map(renderRow));
        const empty = $('empty');
        empty.hidden = !state.loaded || shown.length > 0;
        empty.textContent = state.entries.length === 0 ? t().noIssues : t().noMatch;
    }

    function fieldsFromForm() {
        return { title: $('f-title').value, description: $('f-description').value, labels: $('f-labels').value,
                 assignee: $('f-assignee').value };
    }

    function fillForm(issue) {
        $('f-title').value = issue ? issue.title : '';
        $('f-description').value = issue ? issue.description : '';
        $('f-labels').value = issue ? issue.labels.join(', ') : '';
        $('f-assignee').value = issue && issue.assignee ? issue.assignee : '';
    }

    function openEditor(id) {
        const entry = id ? state.entries.find((e) => e.id === id) : null;
        if (id && (!entry || !entry.issue))
            return;
        if (!id) {
            const can = T.canCreate(state.entries);
            if (!can.ok)
                return showError(describe(can.error));
        }
        hideError();
        state.view = id ? 'edit' : 'new';
        state.editing = id ? { id, base: entry.issue } : null;
        fillForm(entry ? entry.issue : null);
        fieldError(null);
        render();
        $('f-title').focus();
    }

    function closeEditor() {
        state.view = 'list';
        state.editing = null;
        render();
    }

    function fieldError(error) {
        const p = $('field-error');
        for (const f of ['title', 'description', 'labels', 'assignee'])
            $('f-' + f).removeAttribute('aria-invalid');
        p.hidden = !error;
        if (!error)
            return;
        p.textContent = describe(error);
        if (error.field)
            $('f-' + error.field).setAttribute('aria-invalid', 'true');
    }

    function renderEditor() {
        const editing = state.view === 'edit' ? state.entries.find((e) => e.id === state.editing.id) : null;
        const i = editing && editing.issue;
        $('back').replaceChildren(icon('back'));
        $('back').setAttribute('aria-label', t().back);
        $('back').title = t().back;
        $('editor-title').textContent = state.view === 'new' ? t().newIssue : t().editTitle + ' ' + state.editing.id;
        const pill = $('editor-state');
        pill.hidden = !i;
        if (i) {
            pill.textContent = i.status === 'open' ? t().isOpen : t().isClosed;
            pill.className = 'pill ' + i.status;
        }
        const creator = editing && T.creatorOf(editing);
        $('editor-meta').textContent = i && creator ? t().opened(who(creator), when(i.created_at)) : '';
        $('editor-meta').hidden = !i;
        $('l-title').textContent = t().fTitle;
        $('l-description').textContent = t().fDescription;
        $('l-labels').textContent = t().fLabels;
        $('l-assignee').textContent = t().fAssignee;
        $('save').textContent = state.view === 'new' ? t().create : t().save;
        $('cancel').textContent = t().cancel;
        $('toggle').hidden = !i;
        if (i)
            $('toggle').textContent = i.status === 'open' ? t().close : t().reopen;
        updateCounter();
        $('members').replaceChildren(...Array.from(state.members).map(([id, name]) => {
            const o = el('option');
            o.value = id;
            if (name)
                o.label = name;
            return o;
        }));
    }

    function updateCounter() {
        const n = T.length($('f-description').value);
        const c = $('c-description');
        c.textContent = t().chars(n, T.LIMITS.maxDescription);
        c.classList.toggle('over', n > T.LIMITS.maxDescription);
    }

    function render() {
        document.documentElement.lang = lang;
        document.title = t().title;
        $('title').textContent = t().title;
        $('new').textContent = t().newIssue;
        const close = $('error-close');
        close.replaceChildren(icon('close'));
        close.setAttribute('aria-label', t().dismiss);
        close.title = t().dismiss;

        let notice = '';
        if (state.approved === null)
            notice = t().waiting;
        else if (!allowed(READ))
            notice = t().noRead;
        else if (!state.loaded)
            notice = t().loading;
        else if (!allowed(WRITE))
            notice = t().noWrite;
        $('notice').textContent = notice;
        $('notice').hidden = notice.length === 0;
        $('status').textContent = state.saving > 0 ? t().saving : state.loaded ? t().counts(T.counts(state.entries)) : '';

        if (state.view !== 'list' && !canEdit())
            state.view = 'list';
        $('new').hidden = !canEdit() || state.view !== 'list';
        $('list-view').hidden = state.view !== 'list' || !state.loaded;
        $('editor').hidden = state.view === 'list';
        if (state.view === 'list')
            renderList();
        else
            renderEditor();
    }

    // ---- events -------------------------------------------------------------------------------

    // The Widget API, through the SDK's page helper (tessera-widget.js).
    const incoming = (e) => {
        if (e && e.type === T.EVENT)
            fromPush(e);
        else if (e && e.type === 'm.room.member') {
            member(e);
            render();
        }
    };
    const widget = TesseraWidget.connect({
        requestPrefix: 'issues',
        capabilities: [READ, WRITE, MEMBERS],
        onAsked() {
            state.approved = null;
            render();
        },
        onCapabilities(approved) {
            state.approved = approved;
            render();
            load();
        },
        onEvent: incoming,
        onState(events) {
            for (const e of events)
                incoming(e);
        },
        onTheme(name) {
            document.documentElement.classList.toggle('dark', name === 'dark');
        },
        onLanguage(code) {
            lang = pickLang(code);
            render();
        },
    });
    const request = (action, data) => widget.request(action, data);

    for (const b of $('status-filter').querySelectorAll('button')) {
        b.addEventListener('click', () => {
            state.filter = { ...state.filter, status: b.dataset.status };
            render();
        });
    }
    $('search').addEventListener('input', () => {
        state.filter = { ...state.filter, text: $('search').value };
        render();
    });
    $('label-filter').addEventListener('change', () => {
        state.filter = { ...state.filter, label: $('label-filter').value };
        render();
    });
    $('assignee-filter').addEventListener('change', () => {
        state.filter = { ...state.filter, assignee: $('assignee-filter').value };
        render();
    });
    $('new').addEventListener('click', () => openEditor(null));
    $('back').addEventListener('click', closeEditor);
    $('cancel').addEventListener('click', closeEditor);
    $('f-description').addEventListener('input', updateCounter);
    $('editor').addEventListener('keydown', (ev) => {
        if (ev.key === 'Escape')
            closeEditor();
    });
    $('editor').addEventListener('submit', (ev) => {
        ev.preventDefault();
        let r;
        let id;
        if (state.view === 'new') {
            const can = T.canCreate(state.entries);
            r = can.ok ? T.create(fieldsFromForm(), Date.now()) : can;
            id = T.newIssueId();
        } else {
            id = state.editing.id;
            const entry = state.entries.find((e) => e.id === id);
            r = T.edit(entry, state.editing.base, { ...fieldsFromForm(), status: state.editing.base.status });
        }
        if (!r.ok)
            return fieldError(r.error);
        closeEditor();
        save(id, r.content);
    });
    $('toggle').addEventListener('click', () => {
        const id = state.editing.id;
        const entry = state.entries.find((e) => e.id === id);
        const r = T.setStatus(entry, entry && entry.issue && entry.issue.status === 'open' ? 'closed' : 'open');
        if (!r.ok)
            return fieldError(r.error);
        // The form keeps what was typed; the status is saved on its own, now.
        state.editing = { id, base: { ...state.editing.base, status: r.content.status } };
        save(id, r.content);
    });
    $('error-close').addEventListener('click', hideError);

    render();
})();
