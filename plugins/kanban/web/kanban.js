// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The kanban board's page: board.js with the Matrix Widget API through the SDK's page helper.
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
    const EVENT = 'io.tessera.kanban.board';
    const READ = 'org.matrix.msc2762.receive.state_event:' + EVENT;
    const WRITE = 'org.matrix.msc2762.send.state_event:' + EVENT;

    const texts = {
        en: {
            title: 'Kanban board', add: 'Add', placeholder: (c) => 'Add a card to ' + c,
            columns: { todo: 'To do', doing: 'Doing', done: 'Done' },
            cards: (n) => (n === 1 ? '1 card' : n + ' cards'), saving: 'Saving…',
            empty: 'No cards', moveTo: (c) => 'Move to ' + c, edit: 'Edit', del: 'Delete', save: 'Save', cancel: 'Cancel',
            dragHint: 'Drag to move', cardRole: 'card',
            keyboardHint: 'Alt and the arrow keys move a card: up and down in its column, left and right to another column.',
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
            dragHint: 'Arrastra para mover', cardRole: 'tarjeta',
            keyboardHint: 'Alt y las flechas mueven una tarjeta: arriba y abajo en su columna, izquierda y derecha a otra columna.',
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
        focus: null, // the id of the card to focus after the next render (it was just moved)
        awaitingEcho: null, // the event id of this page's last save, until the room echoes it
        seen: [], // event ids of the latest boards pushed by the room
    };

    // ---- the Widget API -----------------------------------------------------------------------

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
        grip: 'M9 6h.01M15 6h.01M9 12h.01M15 12h.01M9 18h.01M15 18h.01',
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
        const head = document.createElement('div');
        head.className = 'card-head';
        const title = document.createElement('p');
        title.className = 'card-title';
        title.textContent = card.title;
        head.append(title);
        el.append(head);
        if (!editable)
            return el;
        // Drag from anywhere on the card with a mouse or pen; with a finger from the grip only,
        // so swiping over cards still scrolls the board.
        const grip = button('icon grip', t().dragHint, () => {}, 'grip');
        grip.tabIndex = -1;
        head.append(grip);
        el.tabIndex = 0;
        el.setAttribute('aria-roledescription', t().cardRole);
        el.setAttribute('aria-label', card.title);
        el.setAttribute('aria-describedby', 'keyboard-hint');
        el.addEventListener('pointerdown', (ev) => pointerDown(ev, card.id, el));
        el.addEventListener('keydown', (ev) => keyMove(ev, card, column));
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

    // ---- moving cards: pointer events (mouse, touch and pen alike) and the keyboard ----------

    const DRAG_START_PX = 6; // how far a press moves before it lifts the card (a shorter one is a click)
    const EDGE_PX = 56; // how close to a scrolling edge the pointer auto-scrolls
    const SCROLL_PX = 14; // how far one frame auto-scrolls at the very edge
    let drag = null; // the press or drag in progress

    function pointerDown(ev, id, el) {
        if (drag || !ev.isPrimary || !canEdit() || (ev.pointerType === 'mouse' && ev.button !== 0))
            return;
        const onGrip = !!ev.target.closest('.grip');
        if (!onGrip && (ev.pointerType === 'touch' || ev.target.closest('button, input, form')))
            return;
        if (onGrip)
            ev.preventDefault(); // no focus ring or text selection from the grip
        drag = { id, el, pointerId: ev.pointerId, type: ev.pointerType, startX: ev.clientX, startY: ev.clientY,
                 x: ev.clientX, y: ev.clientY, lifted: false, placeholder: null, frame: 0 };
        try {
            el.setPointerCapture(ev.pointerId);
        } catch (e) {
            // A pointer that is already gone: its pointerup or pointercancel ends the press.
        }
    }

    function lift() {
        const box = drag.el.getBoundingClientRect();
        drag.dx = drag.startX - box.left;
        drag.dy = drag.startY - box.top;
        const placeholder = document.createElement('div');
        placeholder.className = 'placeholder';
        placeholder.style.height = box.height + 'px';
        drag.el.after(placeholder);
        drag.placeholder = placeholder;
        drag.el.style.width = box.width + 'px';
        drag.el.classList.add('lifted');
        drag.lifted = true;
        document.documentElement.classList.add('dragging');
        follow();
        drag.frame = requestAnimationFrame(autoScroll);
    }

    function follow() {
        drag.el.style.transform = 'translate(' + (drag.x - drag.dx) + 'px, ' + (drag.y - drag.dy) + 'px)';
        // The lifted card lets the pointer through (pointer-events: none), so this finds what is under it.
        const under = document.elementFromPoint(drag.x, drag.y);
        const section = under && under.closest('.column');
        if (!section)
            return;
        for (const c of document.querySelectorAll('.column.drop'))
            if (c !== section)
                c.classList.remove('drop');
        section.classList.add('drop');
        const list = section.querySelector('.cards');
        const empty = list.querySelector('.empty');
        if (empty)
            empty.hidden = true;
        const others = Array.from(list.querySelectorAll('.card')).filter((c) => c !== drag.el);
        const before = others.find((c) => {
            const box = c.getBoundingClientRect();
            return drag.y < box.top + box.height / 2;
        });
        if (before) {
            if (drag.placeholder.nextElementSibling !== before)
                list.insertBefore(drag.placeholder, before);
        } else if (list.lastElementChild !== drag.placeholder) {
            list.append(drag.placeholder);
        }
        for (const l of document.querySelectorAll('.cards'))
            if (l !== list && !l.querySelector('.card:not(.lifted), .placeholder'))
                for (const e of l.querySelectorAll('.empty'))
                    e.hidden = false;
    }

    /** Scrolls the columns (side by side) or the page (stacked) while the pointer is near an edge. */
    function autoScroll() {
        if (!drag || !drag.lifted)
            return;
        const speed = (distance) => (distance < EDGE_PX ? Math.ceil(SCROLL_PX * (1 - Math.max(0, distance) / EDGE_PX)) : 0);
        const row = $('columns');
        const box = row.getBoundingClientRect();
        let moved = false;
        if (row.scrollWidth > row.clientWidth) {
            const dx = speed(drag.x - box.left) ? -speed(drag.x - box.left) : speed(box.right - drag.x);
            if (dx) {
                const before = row.scrollLeft;
                row.scrollLeft += dx;
                moved = moved || row.scrollLeft !== before;
            }
        }
        const page = document.scrollingElement;
        const dy = speed(drag.y) ? -speed(drag.y) : speed(window.innerHeight - drag.y);
        if (dy) {
            const before = page.scrollTop;
            page.scrollTop += dy;
            moved = moved || page.scrollTop !== before;
        }
        if (moved)
            follow();
        drag.frame = requestAnimationFrame(autoScroll);
    }

    /** Where the placeholder is: the column and the index among its cards, the lifted one left out. */
    function dropSlot(d) {
        const list = d.placeholder.parentElement;
        const section = list && list.closest('.column');
        if (!section)
            return null;
        let index = 0;
        for (const e of list.children) {
            if (e === d.placeholder)
                break;
            if (e.classList.contains('card') && e !== d.el)
                index++;
        }
        return { column: section.dataset.column, index };
    }

    /** Ends the press or drag: drops the card where its placeholder is, or puts it back. */
    function endDrag(drop) {
        const d = drag;
        drag = null;
        if (!d)
            return;
        cancelAnimationFrame(d.frame);
        document.documentElement.classList.remove('dragging');
        if (!d.lifted)
            return;
        const slot = drop ? dropSlot(d) : null;
        state.focus = d.id;
        const where = B.cardsIn(state.board, slot ? slot.column : '').filter((c) => c.id !== d.id);
        const card = state.board.cards.find((c) => c.id === d.id);
        const unchanged = !slot || !card || (card.column === slot.column
            && B.cardsIn(state.board, card.column).findIndex((c) => c.id === d.id) === slot.index);
        if (unchanged || !change({ op: 'move', id: d.id, column: slot.column, index: Math.min(slot.index, where.length) }))
            render();
    }

    window.addEventListener('pointermove', (ev) => {
        if (!drag || ev.pointerId !== drag.pointerId)
            return;
        drag.x = ev.clientX;
        drag.y = ev.clientY;
        if (!drag.lifted && Math.hypot(drag.x - drag.startX, drag.y - drag.startY) >= DRAG_START_PX)
            lift();
        if (drag.lifted) {
            ev.preventDefault();
            follow();
        }
    });
    window.addEventListener('pointerup', (ev) => {
        if (drag && ev.pointerId === drag.pointerId)
            endDrag(true);
    });
    window.addEventListener('pointercancel', (ev) => {
        if (drag && ev.pointerId === drag.pointerId)
            endDrag(false);
    });
    window.addEventListener('keydown', (ev) => {
        if (drag && ev.key === 'Escape') {
            ev.preventDefault();
            endDrag(false);
        }
    }, true);
    // A finger on the grip must not scroll the page while the card follows it.
    document.addEventListener('touchmove', (ev) => {
        if (drag && drag.lifted)
            ev.preventDefault();
    }, { passive: false });

    /**
     * Keyboard moves on a focused card: Alt+Up and Alt+Down within its column, Alt+Left and
     * Alt+Right to the previous and next column (above and below when the columns are stacked).
     */
    function keyMove(ev, card, column) {
        if (ev.target !== ev.currentTarget || !ev.altKey || ev.ctrlKey || ev.metaKey || !canEdit())
            return;
        const inColumn = B.cardsIn(state.board, column.id);
        const at = inColumn.findIndex((c) => c.id === card.id);
        let c = null;
        if (ev.key === 'ArrowUp' && at > 0)
            c = { op: 'move', id: card.id, column: column.id, index: at - 1 };
        else if (ev.key === 'ArrowDown' && at < inColumn.length - 1)
            c = { op: 'move', id: card.id, column: column.id, index: at + 1 };
        else if (ev.key === 'ArrowLeft' || ev.key === 'ArrowRight') {
            const to = B.neighbourColumn(state.board, column.id, ev.key === 'ArrowLeft' ? -1 : 1);
            if (to)
                c = { op: 'move', id: card.id, column: to, index: Math.min(at, B.cardsIn(state.board, to).length) };
        }
        if (!['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight'].includes(ev.key))
            return;
        ev.preventDefault();
        if (c) {
            state.focus = card.id;
            change(c);
        }
    }

    function renderColumns() {
        if (drag && drag.lifted)
            return; // a lifted card keeps its board until it is dropped; the drop renders
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
            section.append(head, list);
            root.append(section);
        }
        if (state.focus) {
            const moved = root.querySelector('.card[data-id="' + CSS.escape(state.focus) + '"]');
            state.focus = null;
            if (moved)
                moved.focus({ preventScroll: false });
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
        $('keyboard-hint').textContent = t().keyboardHint;
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

    // The Widget API, through the SDK's page helper (tessera-widget.js).
    const isBoard = (e) => e && e.type === EVENT && e.state_key === widgetId;
    const widget = TesseraWidget.connect({
        requestPrefix: 'kanban',
        capabilities: [READ, WRITE],
        onAsked() {
            state.approved = null;
            render();
        },
        onCapabilities(approved) {
            state.approved = approved;
            render();
            loadBoard();
        },
        onEvent(event) {
            if (isBoard(event))
                fromPush(event);
        },
        onState(events) {
            for (const e of events)
                if (isBoard(e))
                    fromPush(e);
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
