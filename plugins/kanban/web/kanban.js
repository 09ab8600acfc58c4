// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The kanban board's page: a minimal Matrix Widget API client (no library) around board.js.
// The board is one state event in the room (io.tessera.kanban.board, state key = this widget's
// id): read once with read_events, written whole with send_event, and replaced whenever the
// host pushes a newer one (another member's change, or the echo of this page's own). Changes not
// yet confirmed are replayed onto whatever the room says (KanbanBoard.rebase), so a remote update
// never undoes them. Content this page cannot read is shown as an error and never written over
// unless the user asks for a new board.
'use strict';

(function () {
    const B = window.KanbanBoard;
    const params = new URLSearchParams(location.search);
    const widgetId = params.get('widgetId') || '';
    const hostOrigin = new URL(params.get('parentUrl') || 'tessera://app/').origin;
    const targetOrigin = hostOrigin === 'null' ? 'tessera://app' : hostOrigin;
    const EVENT = 'io.tessera.kanban.board';
    const READ = 'org.matrix.msc2762.receive.state_event:' + EVENT;
    const WRITE = 'org.matrix.msc2762.send.state_event:' + EVENT;
    const pending = new Map();
    let nextId = 1;

    const texts = {
        en: {
            title: 'Kanban board', add: 'Add', placeholder: (c) => 'Add a card to ' + c,
            columns: { todo: 'To do', doing: 'Doing', done: 'Done' },
            cards: (n) => (n === 1 ? '1 card' : n + ' cards'), saving: 'Saving…',
            empty: 'No cards', moveTo: (c) => 'Move to ' + c, edit: 'Edit', del: 'Delete', save: 'Save', cancel: 'Cancel',
            confirmDelete: 'Delete this card?', dismiss: 'Dismiss', editLabel: 'Card title',
            waiting: 'Waiting for your decision…', loading: 'Loading the board…',
            noRead: 'The board cannot be shown: reading it from the room was not allowed.',
            noWrite: 'You can look at this board, but not change it: saving to the room was not allowed.',
            notSaved: (m) => 'Your change was not saved: ' + m, notRead: (m) => 'The board could not be read: ' + m,
            dropped: 'Someone else changed the board: a change of yours no longer applied and was left out.',
            errors: {
                'title-empty': 'Write a title first.',
                'title-long': (n) => "A card's title can have at most " + n + ' characters.',
                'too-many-cards': (n) => 'The board is full: it holds at most ' + n + ' cards. Delete some to add more.',
                'too-large': () => 'The board is full: its cards fill the room event it is saved in. Shorten or delete some cards.',
                'no-card': 'That card was deleted in the meantime.',
                'no-column': 'That column no longer exists.',
                'bad-change': 'That change is not possible.',
            },
            brokenTitle: 'This board cannot be shown',
            broken: {
                'not-object': 'its content is not an object.',
                'bad-version': 'it has no valid format version.',
                'newer-version': (n) => 'it was saved by a newer version of the board (format ' + n + ').',
                'bad-columns': (n) => 'its columns are missing or invalid (1 to ' + n + ' columns, each with a unique id).',
                'bad-card': (i) => (i ? 'card ' + i + ' is invalid.' : 'its cards are not a list.'),
                'too-many-cards': (n) => 'it has more than ' + n + ' cards.',
            },
            brokenIntro: 'The board saved in this room is not valid: ', brokenKeep: ' Nothing was changed.',
            reset: 'Start a new board', resetConfirm: 'Replace it for everyone', resetCancel: 'Keep it',
        },
        es: {
            title: 'Tablero kanban', add: 'Añadir', placeholder: (c) => 'Añade una tarjeta a ' + c,
            columns: { todo: 'Por hacer', doing: 'En curso', done: 'Hecho' },
            cards: (n) => (n === 1 ? '1 tarjeta' : n + ' tarjetas'), saving: 'Guardando…',
            empty: 'Sin tarjetas', moveTo: (c) => 'Mover a ' + c, edit: 'Editar', del: 'Eliminar', save: 'Guardar', cancel: 'Cancelar',
            confirmDelete: '¿Eliminar esta tarjeta?', dismiss: 'Cerrar', editLabel: 'Título de la tarjeta',
            waiting: 'Esperando tu decisión…', loading: 'Cargando el tablero…',
            noRead: 'No se puede mostrar el tablero: no se permitió leerlo de la sala.',
            noWrite: 'Puedes ver este tablero, pero no cambiarlo: no se permitió guardar en la sala.',
            notSaved: (m) => 'Tu cambio no se guardó: ' + m, notRead: (m) => 'No se pudo leer el tablero: ' + m,
            dropped: 'Otra persona cambió el tablero: un cambio tuyo ya no era aplicable y se descartó.',
            errors: {
                'title-empty': 'Escribe un título primero.',
                'title-long': (n) => 'El título de una tarjeta puede tener como máximo ' + n + ' caracteres.',
                'too-many-cards': (n) => 'El tablero está lleno: admite como máximo ' + n + ' tarjetas. Elimina alguna para añadir más.',
                'too-large': () => 'El tablero está lleno: sus tarjetas ocupan todo el evento de la sala donde se guarda. Acorta o elimina alguna.',
                'no-card': 'Esa tarjeta se eliminó mientras tanto.',
                'no-column': 'Esa columna ya no existe.',
                'bad-change': 'Ese cambio no es posible.',
            },
            brokenTitle: 'No se puede mostrar este tablero',
            broken: {
                'not-object': 'su contenido no es un objeto.',
                'bad-version': 'no tiene una versión de formato válida.',
                'newer-version': (n) => 'lo guardó una versión más reciente del tablero (formato ' + n + ').',
                'bad-columns': (n) => 'sus columnas faltan o no son válidas (de 1 a ' + n + ' columnas, cada una con un id único).',
                'bad-card': (i) => (i ? 'la tarjeta ' + i + ' no es válida.' : 'sus tarjetas no son una lista.'),
                'too-many-cards': (n) => 'tiene más de ' + n + ' tarjetas.',
            },
            brokenIntro: 'El tablero guardado en esta sala no es válido: ', brokenKeep: ' No se cambió nada.',
            reset: 'Empezar un tablero nuevo', resetConfirm: 'Reemplazarlo para todos', resetCancel: 'Conservarlo',
        },
    };
    const pickLang = (l) => (String(l || '').slice(0, 2) === 'es' ? 'es' : 'en');
    let lang = pickLang(params.get('lang') || navigator.language);
    const t = () => texts[lang];
    const $ = (id) => document.getElementById(id);
    document.documentElement.classList.toggle('dark', params.get('theme') === 'dark');

    const state = {
        approved: null, // null until the host says what the user allowed
        loaded: false, // the room's board has been read
        base: null, // the last valid board the room had
        board: B.emptyBoard(), // what is shown: base with the pending changes
        pending: [], // changes not yet confirmed by the room, oldest first
        inFlight: null, // the changes the send in progress carries
        broken: null, // why the room's board is not valid: read-only until fixed
        editing: null, // the id of the card being renamed
        confirming: null, // the id of the card whose deletion waits for a yes
        dragging: null,
        awaitingEcho: null, // the event id of this page's last save, until the room echoes it
        seen: [], // event ids of the latest boards pushed by the room
    };

    // ---- the Widget API -----------------------------------------------------------------------

    function post(message) {
        window.parent.postMessage(message, targetOrigin);
    }

    function request(action, data) {
        const requestId = 'kanban-' + (nextId++);
        post({ api: 'fromWidget', widgetId, requestId, action, data });
        return new Promise((resolve, reject) => {
            pending.set(requestId, { resolve, reject });
            setTimeout(() => {
                if (pending.delete(requestId))
                    reject(new Error('no answer from the host'));
            }, 15000);
        });
    }

    function reply(message, response) {
        post(Object.assign({}, message, { response }));
    }

    const canRead = () => Array.isArray(state.approved) && state.approved.includes(READ);
    const canWrite = () => Array.isArray(state.approved) && state.approved.includes(WRITE);
    const canEdit = () => canWrite() && state.loaded && !state.broken;

    async function loadBoard() {
        if (!canRead())
            return render();
        try {
            const r = await request('org.matrix.msc2876.read_events', { type: EVENT, state_key: widgetId, limit: 1 });
            const event = (r.events || []).find((e) => e && e.state_key === widgetId);
            // A push may have come first; it is at least as new as this read.
            if (!state.loaded)
                fromRoom(event ? event.content : null);
        } catch (e) {
            showError(t().notRead(e.message));
        }
    }

    /** A board from the room: the first read, another member's save, or the echo of ours. */
    function fromRoom(content) {
        state.loaded = true;
        const r = B.fromContent(content);
        if (!r.ok) {
            state.broken = r.error;
            state.base = null;
            state.pending = [];
            state.editing = state.confirming = null;
            return render();
        }
        state.broken = null;
        state.base = r.board;
        const merged = B.rebase(r.board, state.pending);
        state.pending = merged.kept;
        state.board = merged.board;
        if (merged.dropped.length > 0)
            showError(t().dropped);
        render();
    }

    /**
     * A board the host pushes. The room's events come in order, but the answer to a save and
     * its echo race: once a save is confirmed, anything pushed before its echo is older than
     * that save and would briefly undo it (and a change made then would save the older board).
     */
    function fromPush(event) {
        if (typeof event.event_id === 'string') {
            state.seen.push(event.event_id);
            if (state.seen.length > 32)
                state.seen.shift();
            if (state.awaitingEcho === event.event_id)
                state.awaitingEcho = null;
            else if (state.awaitingEcho)
                return;
        }
        fromRoom(event.content);
    }

    /** Sends the board with every pending change; one send at a time, the next picks up the rest. */
    async function save() {
        if (state.inFlight || state.pending.length === 0 || !canEdit())
            return;
        const batch = state.pending.slice();
        const content = state.board;
        state.inFlight = batch;
        renderStatus();
        try {
            const r = await request('send_event', { type: EVENT, state_key: widgetId, content });
            // This is the room's board now, unless its echo came already (and maybe newer
            // boards after it). Until the echo comes, fromPush() holds back the older ones.
            const id = r && r.event_id;
            const echoed = typeof id === 'string' && state.seen.includes(id);
            if (!echoed)
                state.base = content;
            if (!echoed && typeof id === 'string' && canRead()) {
                state.awaitingEcho = id;
                // An echo that never comes must not hold back other members' boards for long.
                setTimeout(() => {
                    if (state.awaitingEcho === id)
                        state.awaitingEcho = null;
                }, 10000);
            }
        } catch (e) {
            showError(t().notSaved(e.message));
        }
        state.pending = state.pending.filter((c) => !batch.includes(c));
        state.board = B.rebase(state.base || B.emptyBoard(), state.pending).board;
        state.inFlight = null;
        render();
        save();
    }

    function change(c) {
        if (!canEdit())
            return false;
        const r = B.apply(state.board, c);
        if (!r.ok) {
            showError(describe(r.error));
            return false;
        }
        hideError();
        state.pending.push(c);
        state.board = r.board;
        render();
        save();
        return true;
    }

    function describe(error) {
        const m = t().errors[error.code] || t().errors['bad-change'];
        return typeof m === 'function' ? m(error.detail) : m;
    }

    // ---- the page -----------------------------------------------------------------------------

    function showError(text) {
        $('error-text').textContent = text;
        $('error').hidden = false;
    }

    function hideError() {
        $('error').hidden = true;
    }

    function columnName(column) {
        return column.title || t().columns[column.id] || column.id;
    }

    const ICONS = {
        left: 'M15 6l-6 6 6 6',
        right: 'M9 6l6 6-6 6',
        edit: 'M4 20h4L19 9l-4-4L4 16v4zM13.5 6.5l4 4',
        delete: 'M5 7h14M10 7V5h4v2M7 7l1 13h8l1-13M10 11v6M14 11v6',
        close: 'M6 6l12 12M18 6L6 18',
    };

    function icon(name) {
        const ns = 'http://www.w3.org/2000/svg';
        const svg = document.createElementNS(ns, 'svg');
        svg.setAttribute('viewBox', '0 0 24 24');
        svg.setAttribute('aria-hidden', 'true');
        const path = document.createElementNS(ns, 'path');
        path.setAttribute('d', ICONS[name]);
        svg.append(path);
        return svg;
    }

    function button(className, label, onClick, iconName) {
        const b = document.createElement('button');
        b.type = 'button';
        b.className = className;
        if (iconName) {
            b.append(icon(iconName));
            b.setAttribute('aria-label', label);
            b.title = label;
        } else {
            b.textContent = label;
        }
        b.addEventListener('click', onClick);
        return b;
    }

    function renderCard(card, column, editable) {
        const el = document.createElement('article');
        el.className = 'card';
        el.dataset.id = card.id;
        if (state.editing === card.id && editable) {
            const form = document.createElement('form');
            form.className = 'edit';
            const input = document.createElement('input');
            input.type = 'text';
            input.value = card.title;
            input.setAttribute('aria-label', t().editLabel);
            form.append(input);
            const row = document.createElement('div');
            row.className = 'row';
            const saveButton = button('primary', t().save, () => {});
            saveButton.type = 'submit';
            row.append(saveButton, button('secondary', t().cancel, () => { state.editing = null; render(); }));
            form.append(row);
            form.addEventListener('submit', (ev) => {
                ev.preventDefault();
                const title = input.value;
                if (B.cleanTitle(title) === card.title || change({ op: 'rename', id: card.id, title })) {
                    state.editing = null;
                    render();
                }
            });
            input.addEventListener('keydown', (ev) => {
                if (ev.key === 'Escape') {
                    state.editing = null;
                    render();
                }
            });
            el.append(form);
            setTimeout(() => input.focus(), 0);
            return el;
        }
        const title = document.createElement('p');
        title.className = 'card-title';
        title.textContent = card.title;
        el.append(title);
        if (!editable)
            return el;
        el.draggable = true;
        el.addEventListener('dragstart', (ev) => {
            state.dragging = card.id;
            ev.dataTransfer.setData('text/plain', card.id);
            ev.dataTransfer.effectAllowed = 'move';
            el.classList.add('dragging');
        });
        el.addEventListener('dragend', () => {
            state.dragging = null;
            el.classList.remove('dragging');
        });
        if (state.confirming === card.id) {
            const confirm = document.createElement('div');
            confirm.className = 'confirm';
            const question = document.createElement('span');
            question.textContent = t().confirmDelete;
            confirm.append(question,
                           button('danger confirm-delete', t().del, () => { state.confirming = null; change({ op: 'remove', id: card.id }); }),
                           button('secondary', t().cancel, () => { state.confirming = null; render(); }));
            el.append(confirm);
            return el;
        }
        const actions = document.createElement('div');
        actions.className = 'actions';
        const left = B.neighbourColumn(state.board, column.id, -1);
        const right = B.neighbourColumn(state.board, column.id, 1);
        const named = (id) => columnName(state.board.columns.find((c) => c.id === id));
        const l = button('icon move-left', left ? t().moveTo(named(left)) : '', () => change({ op: 'move', id: card.id, column: left }), 'left');
        l.disabled = !left;
        const r = button('icon move-right', right ? t().moveTo(named(right)) : '', () => change({ op: 'move', id: card.id, column: right }), 'right');
        r.disabled = !right;
        const spacer = document.createElement('span');
        spacer.className = 'spacer';
        actions.append(l, r, spacer,
                       button('icon edit', t().edit, () => { state.editing = card.id; state.confirming = null; render(); }, 'edit'),
                       button('icon delete', t().del, () => { state.confirming = card.id; state.editing = null; render(); }, 'delete'));
        el.append(actions);
        return el;
    }

    /** Where a card dropped at @p y lands among @p list's cards (the dragged one left out). */
    function dropIndex(list, y) {
        const cards = Array.from(list.querySelectorAll('.card')).filter((c) => c.dataset.id !== state.dragging);
        const i = cards.findIndex((c) => {
            const box = c.getBoundingClientRect();
            return y < box.top + box.height / 2;
        });
        return i < 0 ? cards.length : i;
    }

    function renderColumns() {
        const root = $('columns');
        root.replaceChildren();
        if (state.broken || !state.loaded)
            return;
        const editable = canEdit();
        for (const column of state.board.columns) {
            const section = document.createElement('section');
            section.className = 'column column-' + column.id;
            section.dataset.column = column.id;
            const head = document.createElement('h2');
            const name = document.createElement('span');
            name.textContent = columnName(column);
            const count = document.createElement('span');
            count.className = 'count';
            const cards = B.cardsIn(state.board, column.id);
            count.textContent = String(cards.length);
            head.append(name, count);
            const list = document.createElement('div');
            list.className = 'cards';
            for (const card of cards)
                list.append(renderCard(card, column, editable));
            if (cards.length === 0) {
                const empty = document.createElement('p');
                empty.className = 'empty';
                empty.textContent = t().empty;
                list.append(empty);
            }
            if (editable) {
                section.addEventListener('dragover', (ev) => {
                    if (!state.dragging)
                        return;
                    ev.preventDefault();
                    ev.dataTransfer.dropEffect = 'move';
                    section.classList.add('drop');
                });
                section.addEventListener('dragleave', (ev) => {
                    if (!section.contains(ev.relatedTarget))
                        section.classList.remove('drop');
                });
                section.addEventListener('drop', (ev) => {
                    ev.preventDefault();
                    section.classList.remove('drop');
                    const id = ev.dataTransfer.getData('text/plain') || state.dragging;
                    state.dragging = null;
                    if (id)
                        change({ op: 'move', id, column: column.id, index: dropIndex(list, ev.clientY) });
                });
            }
            section.append(head, list);
            root.append(section);
        }
    }

    function renderStatus() {
        const status = $('status');
        if (state.inFlight)
            status.textContent = t().saving;
        else if (state.loaded && !state.broken)
            status.textContent = t().cards(state.board.cards.length);
        else
            status.textContent = '';
    }

    function render() {
        document.documentElement.lang = lang;
        document.title = t().title;
        $('title').textContent = t().title;
        $('add-button').textContent = t().add;
        const first = state.board.columns[0];
        $('new-title').placeholder = first ? t().placeholder(columnName(first)) : '';
        const close = $('error-close');
        close.replaceChildren(icon('close'));
        close.setAttribute('aria-label', t().dismiss);
        close.title = t().dismiss;

        const notice = $('notice');
        let text = '';
        if (state.approved === null)
            text = t().waiting;
        else if (!canRead())
            text = t().noRead;
        else if (!state.loaded)
            text = t().loading;
        else if (!canWrite())
            text = t().noWrite;
        notice.textContent = text;
        notice.hidden = text.length === 0;

        $('add').hidden = !canEdit();
        const broken = $('broken');
        broken.hidden = !state.broken;
        if (state.broken) {
            $('broken-title').textContent = t().brokenTitle;
            const m = t().broken[state.broken.code];
            $('broken-text').textContent = t().brokenIntro + (typeof m === 'function' ? m(state.broken.detail) : m || '')
                + t().brokenKeep;
            $('reset').textContent = t().reset;
            $('reset').hidden = !canWrite();
            $('reset-yes').textContent = t().resetConfirm;
            $('reset-no').textContent = t().resetCancel;
        }
        renderStatus();
        renderColumns();
    }

    // ---- events -------------------------------------------------------------------------------

    window.addEventListener('message', (ev) => {
        if (ev.source !== window.parent || (ev.origin !== hostOrigin && ev.origin !== targetOrigin))
            return;
        const m = ev.data;
        if (!m || typeof m !== 'object' || m.widgetId !== widgetId)
            return;
        if (m.api === 'fromWidget' && m.response) {
            const p = pending.get(m.requestId);
            if (!p)
                return;
            pending.delete(m.requestId);
            if (m.response.error)
                p.reject(new Error(m.response.error.message));
            else
                p.resolve(m.response);
            return;
        }
        if (m.api !== 'toWidget')
            return;
        const isBoard = (e) => e && e.type === EVENT && e.state_key === widgetId;
        switch (m.action) {
        case 'supported_api_versions':
            return reply(m, { supported_versions: ['0.0.1', '0.0.2', 'org.matrix.msc2762', 'org.matrix.msc2871', 'org.matrix.msc2876'] });
        case 'capabilities':
            state.approved = null;
            render();
            return reply(m, { capabilities: [READ, WRITE] });
        case 'notify_capabilities':
            state.approved = (m.data && m.data.approved) || [];
            reply(m, {});
            render();
            return loadBoard();
        case 'send_event':
            reply(m, {});
            if (isBoard(m.data))
                fromPush(m.data);
            return;
        case 'update_state':
            reply(m, {});
            for (const e of (m.data && m.data.state) || [])
                if (isBoard(e))
                    fromPush(e);
            return;
        case 'theme_change':
            document.documentElement.classList.toggle('dark', !!(m.data && m.data.name === 'dark'));
            return reply(m, {});
        case 'language_change':
            lang = pickLang(m.data && m.data.lang);
            render();
            return reply(m, {});
        default:
            return reply(m, {});
        }
    });

    $('add').addEventListener('submit', (ev) => {
        ev.preventDefault();
        const first = state.board.columns[0];
        if (first && change({ op: 'add', id: B.newCardId(), title: $('new-title').value, column: first.id })) {
            $('new-title').value = '';
            $('new-title').focus();
        }
    });
    $('error-close').addEventListener('click', hideError);
    $('reset').addEventListener('click', () => {
        $('reset').hidden = true;
        $('reset-confirm').hidden = false;
    });
    $('reset-no').addEventListener('click', () => {
        $('reset-confirm').hidden = true;
        render();
    });
    $('reset-yes').addEventListener('click', async () => {
        $('reset-confirm').hidden = true;
        try {
            await request('send_event', { type: EVENT, state_key: widgetId, content: B.emptyBoard() });
            fromRoom(B.emptyBoard());
        } catch (e) {
            showError(t().notSaved(e.message));
            render();
        }
    });

    render();
})();
