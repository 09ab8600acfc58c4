// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The issue tracker's page on a repository (Gitea, Forgejo or GitHub's compatible subset): rest.js
// with the DOM and the Widget API. Everything goes through the plugin's capability
// io.tessera.issues.rest (the host's HTTP client, consented and audited; the token in the system
// keychain), never straight to the server. issues.js starts it when the widget's URL names a
// repository (the widget's data, filled in by the host).
//
// A failed request loses nothing: forms keep what was typed until the server accepted it, and the
// error says in words what happened, with the server's own answer under "Details".
'use strict';

(function () {
    const R = window.IssuesRest;
    const CAP = R.CAPABILITY;

    const texts = {
        en: {
            title: 'Issue tracker', where: (c) => c.repo + ' on ' + c.server, newIssue: 'New issue',
            open: 'Open', closed: 'Closed', all: 'All', isOpen: 'Open', isClosed: 'Closed', statusFilter: 'Status',
            search: 'Search issues', anyLabel: 'Any label', labelFilter: 'Label',
            waiting: 'Waiting for your decision…', loading: 'Loading…', saving: 'Saving…',
            noCapability: 'This tracker cannot reach the repository: the connection to its server was not allowed.',
            badConfig: {
                'bad-provider': (v) => 'This tracker is not set up correctly: “' + v + '” is not gitea, forgejo or github.',
                'bad-api-url': (v) => 'This tracker is not set up correctly: its API address “' + v + '” is not an https: address.',
                'bad-repo': (v) => 'This tracker is not set up correctly: its repository “' + v + '” is not owner/name.',
            },
            tokenIntro: (s) => 'Enter an API token for ' + s + ' (an access token from your account\'s settings there). It is kept on this computer (in the system keychain where there is one), never in the room.',
            tokenLabel: 'API token', tokenSave: 'Save token', tokenStored: (s) => 'An API token for ' + s + ' is stored on this computer, never in the room.',
            tokenChange: 'Change token', tokenClear: 'Forget token', tokenRejected: 'The server did not accept this token. Enter another one.',
            page: (p) => 'Page ' + p.page + (p.last ? ' of ' + p.last : '') + (p.total !== null ? ' · ' + p.total + (p.total === 1 ? ' issue' : ' issues') : ''),
            prev: 'Previous page', next: 'Next page',
            noIssues: 'No issues here.', noMatch: 'No issues match this filter.',
            meta: (i, when) => '#' + i.number + (i.author ? ' · opened by ' + i.author : '') + (when ? ' on ' + when : ''),
            assigned: (who) => 'Assigned to ' + who, comments: (n) => n + (n === 1 ? ' comment' : ' comments'),
            noBody: 'No description.', commentsTitle: 'Comments', noComments: 'No comments yet.',
            commentLabel: 'Add a comment', commentSend: 'Comment',
            labelsField: 'Labels, separated by commas', assigneeField: 'Assignee (a user name on the server, or empty)',
            saveChanges: 'Save labels and assignee', close: 'Close issue', reopen: 'Reopen issue', back: 'Back to the list',
            nTitle: 'Title', nBody: 'Description', create: 'Open issue', cancel: 'Cancel',
            dismiss: 'Dismiss', details: 'Details', retry: 'Try again', nothingChanged: 'Nothing to save: the labels and assignee are as they were.',
            saved: 'Saved.',
            failed: {
                list: 'The issues could not be loaded: ', get: 'The issue could not be opened: ', create: 'The issue was not created: ',
                comment: 'Your comment was not sent: ', update: 'Your change was not saved: ', token: 'The token was not saved: ',
                status: 'Whether a token is stored could not be read: ', clear: 'The token was not forgotten: ',
            },
            kinds: {
                unauthorized: 'the server did not accept the API token. Enter a valid one.',
                'no-token': 'no API token is stored for this server yet.',
                forbidden: 'the token is not allowed to do this (it may be read-only).',
                'not-found': 'the repository or issue was not found, or the token cannot see it.',
                invalid: 'the server refused it as invalid (for example a label the repository does not have).',
                'rate-limited': (w) => 'the server\'s request limit is spent. Try again in ' + (w === null ? 'a while' : w + (w === 1 ? ' second' : ' seconds')) + '.',
                server: 'the server failed. Try again later.',
                timeout: 'the server did not answer in time.',
                network: 'the server could not be reached.',
                keychain: 'the system keychain could not be used.',
                unsupported: 'this is not supported for this server.',
                'bad-request': 'the request was not valid.',
                refused: 'it was refused.',
                other: 'something went wrong.',
            },
            fields: {
                'title-empty': 'Write a title first.',
                'title-long': (n) => 'A title can have at most ' + n + ' bytes.',
                'body-long': (n) => 'This text can have at most ' + n + ' bytes.',
                'too-many-labels': (n) => 'An issue can have at most ' + n + ' labels.',
                'label-long': (n) => 'A label can have at most ' + n + ' bytes.',
                'bad-login': 'The assignee must be a user name on the server (letters, digits, “-”, “_” and “.”), or empty.',
                'comment-empty': 'Write a comment first.',
                'token-empty': 'Paste the token first.',
                'token-spaces': 'A token has no spaces.',
                'token-long': (n) => 'A token can have at most ' + n + ' bytes.',
                'search-long': (n) => 'A search can have at most ' + n + ' bytes.',
            },
        },
        es: {
            title: 'Gestor de incidencias', where: (c) => c.repo + ' en ' + c.server, newIssue: 'Nueva incidencia',
            open: 'Abiertas', closed: 'Cerradas', all: 'Todas', isOpen: 'Abierta', isClosed: 'Cerrada', statusFilter: 'Estado',
            search: 'Buscar incidencias', anyLabel: 'Cualquier etiqueta', labelFilter: 'Etiqueta',
            waiting: 'Esperando tu decisión…', loading: 'Cargando…', saving: 'Guardando…',
            noCapability: 'Este gestor no puede acceder al repositorio: no se permitió la conexión con su servidor.',
            badConfig: {
                'bad-provider': (v) => 'Este gestor no está bien configurado: «' + v + '» no es gitea, forgejo ni github.',
                'bad-api-url': (v) => 'Este gestor no está bien configurado: su dirección de API «' + v + '» no es una dirección https:.',
                'bad-repo': (v) => 'Este gestor no está bien configurado: su repositorio «' + v + '» no es propietario/nombre.',
            },
            tokenIntro: (s) => 'Introduce un token de API de ' + s + ' (un token de acceso de los ajustes de tu cuenta allí). Se guarda en este ordenador (en el llavero del sistema si lo hay), nunca en la sala.',
            tokenLabel: 'Token de API', tokenSave: 'Guardar token', tokenStored: (s) => 'Hay un token de API de ' + s + ' guardado en este ordenador, nunca en la sala.',
            tokenChange: 'Cambiar token', tokenClear: 'Olvidar token', tokenRejected: 'El servidor no aceptó este token. Introduce otro.',
            page: (p) => 'Página ' + p.page + (p.last ? ' de ' + p.last : '') + (p.total !== null ? ' · ' + p.total + (p.total === 1 ? ' incidencia' : ' incidencias') : ''),
            prev: 'Página anterior', next: 'Página siguiente',
            noIssues: 'Aquí no hay incidencias.', noMatch: 'Ninguna incidencia cumple este filtro.',
            meta: (i, when) => '#' + i.number + (i.author ? ' · abierta por ' + i.author : '') + (when ? ' el ' + when : ''),
            assigned: (who) => 'Asignada a ' + who, comments: (n) => n + (n === 1 ? ' comentario' : ' comentarios'),
            noBody: 'Sin descripción.', commentsTitle: 'Comentarios', noComments: 'Aún no hay comentarios.',
            commentLabel: 'Añadir un comentario', commentSend: 'Comentar',
            labelsField: 'Etiquetas, separadas por comas', assigneeField: 'Responsable (un nombre de usuario del servidor, o vacío)',
            saveChanges: 'Guardar etiquetas y responsable', close: 'Cerrar incidencia', reopen: 'Reabrir incidencia', back: 'Volver a la lista',
            nTitle: 'Título', nBody: 'Descripción', create: 'Abrir incidencia', cancel: 'Cancelar',
            dismiss: 'Cerrar', details: 'Detalles', retry: 'Reintentar', nothingChanged: 'Nada que guardar: las etiquetas y el responsable no cambiaron.',
            saved: 'Guardado.',
            failed: {
                list: 'No se pudieron cargar las incidencias: ', get: 'No se pudo abrir la incidencia: ', create: 'No se creó la incidencia: ',
                comment: 'Tu comentario no se envió: ', update: 'Tu cambio no se guardó: ', token: 'El token no se guardó: ',
                status: 'No se pudo saber si hay un token guardado: ', clear: 'El token no se olvidó: ',
            },
            kinds: {
                unauthorized: 'el servidor no aceptó el token de API. Introduce uno válido.',
                'no-token': 'aún no hay ningún token de API guardado para este servidor.',
                forbidden: 'el token no tiene permiso para esto (puede ser de solo lectura).',
                'not-found': 'no se encontró el repositorio o la incidencia, o el token no puede verlos.',
                invalid: 'el servidor lo rechazó por no ser válido (por ejemplo, una etiqueta que el repositorio no tiene).',
                'rate-limited': (w) => 'se agotó el límite de peticiones del servidor. Inténtalo de nuevo en ' + (w === null ? 'un rato' : w + (w === 1 ? ' segundo' : ' segundos')) + '.',
                server: 'el servidor falló. Inténtalo más tarde.',
                timeout: 'el servidor no respondió a tiempo.',
                network: 'no se pudo conectar con el servidor.',
                keychain: 'no se pudo usar el llavero del sistema.',
                unsupported: 'esto no se admite para este servidor.',
                'bad-request': 'la petición no era válida.',
                refused: 'se rechazó.',
                other: 'algo salió mal.',
            },
            fields: {
                'title-empty': 'Escribe un título primero.',
                'title-long': (n) => 'Un título puede tener como máximo ' + n + ' bytes.',
                'body-long': (n) => 'Este texto puede tener como máximo ' + n + ' bytes.',
                'too-many-labels': (n) => 'Una incidencia puede tener como máximo ' + n + ' etiquetas.',
                'label-long': (n) => 'Una etiqueta puede tener como máximo ' + n + ' bytes.',
                'bad-login': 'El responsable debe ser un nombre de usuario del servidor (letras, cifras, «-», «_» y «.»), o quedar vacío.',
                'comment-empty': 'Escribe un comentario primero.',
                'token-empty': 'Pega el token primero.',
                'token-spaces': 'Un token no tiene espacios.',
                'token-long': (n) => 'Un token puede tener como máximo ' + n + ' bytes.',
                'search-long': (n) => 'Una búsqueda puede tener como máximo ' + n + ' bytes.',
            },
        },
    };

    const { el, icon, issueButton } = window.IssuesDom;
    const say = (m, detail) => (typeof m === 'function' ? m(detail) : m || '');
    const $ = (id) => document.getElementById(id);

    /**
     * Runs the page for @p setup: {ok, config} or {ok: false, error} from IssuesRest.configFrom;
     * @p lang and @p pickLang as issues.js has them.
     */
    function start(setup, initialLang, pickLang) {
        let lang = initialLang;
        const t = () => texts[lang];
        const config = setup.ok ? setup.config : null;
        const state = {
            approved: null,
            token: null, // null: not known yet; true/false: stored or not
            askToken: false, // the token form is open
            view: 'list', // 'list', 'detail' or 'new'
            filter: { state: 'open', label: '', text: '' },
            page: 1,
            issues: [],
            pageInfo: null,
            loadingList: false,
            listSeq: 0,
            detail: null, // {issue, comments}
            busy: 0,
            retry: null,
            seenLabels: [],
        };

        const target = () => ({ provider: config.provider, api_url: config.api_url, repo: config.repo });
        const call = (action, data) => widget.request(CAP + '.' + action, { ...target(), ...(data || {}) });

        // ---- errors -----------------------------------------------------------------------------

        function showError(context, error, retry) {
            const e = R.parseError(error && error.message !== undefined ? error.message : error);
            const kind = t().kinds[e.kind] !== undefined ? e.kind : 'other';
            $('error-text').textContent = t().failed[context] + say(t().kinds[kind], e.wait);
            $('error').dataset.kind = e.kind;
            $('error-more').textContent = t().details;
            $('error-detail').textContent = e.message;
            $('error-details').hidden = e.message.length === 0;
            $('error-details').open = false;
            // A refused or missing token is mended in the token form, not by trying again.
            const again = e.kind === 'unauthorized' || e.kind === 'no-token' ? null : retry;
            state.retry = again || null;
            $('error-retry').hidden = !again;
            $('error-retry').textContent = t().retry;
            $('error').hidden = false;
            // A token the server refused, or none: ask for one (what was typed before stays).
            if (e.kind === 'unauthorized' || e.kind === 'no-token') {
                state.token = e.kind === 'unauthorized' ? state.token : false;
                state.askToken = true;
                render();
            }
            return e;
        }

        function hideError() {
            $('error').hidden = true;
            state.retry = null;
        }

        function fieldError(id, error) {
            const p = $(id);
            p.hidden = !error;
            p.textContent = error ? say(t().fields[error.code], error.detail) : '';
        }

        async function busy(work) {
            state.busy++;
            render();
            try {
                return await work();
            } finally {
                state.busy--;
                render();
            }
        }

        // ---- the token ----------------------------------------------------------------------------

        async function tokenStatus() {
            try {
                const r = await busy(() => call('token', { op: 'status' }));
                state.token = r.stored === true;
                state.askToken = !state.token;
                render();
                if (state.token)
                    loadList();
            } catch (e) {
                showError('status', e, tokenStatus);
            }
        }

        async function saveToken() {
            const checked = R.checkToken($('f-token').value);
            fieldError('token-error', checked.ok ? null : checked.error);
            if (!checked.ok)
                return;
            try {
                const r = await busy(() => call('token', { op: 'set', token: checked.token }));
                state.token = r.stored === true;
                if (!state.token)
                    return;
                $('f-token').value = '';
                state.askToken = false;
                hideError();
                render();
                loadList();
            } catch (e) {
                showError('token', e); // the typed token stays in the field
            }
        }

        async function clearToken() {
            try {
                await busy(() => call('token', { op: 'clear' }));
                state.token = false;
                state.askToken = true;
                state.issues = [];
                state.pageInfo = null;
                state.view = 'list';
                render();
            } catch (e) {
                showError('clear', e);
            }
        }

        // ---- the list -------------------------------------------------------------------------------

        async function loadList() {
            const search = R.checkSearch(state.filter.text);
            if (!search.ok) {
                $('error-text').textContent = say(t().fields[search.error.code], search.error.detail);
                $('error-details').hidden = true;
                $('error-retry').hidden = true;
                $('error').hidden = false;
                return;
            }
            const seq = ++state.listSeq;
            const page = state.page;
            state.loadingList = true;
            render();
            try {
                const r = await busy(() => call('list', R.listRequest(state.filter, page)));
                if (seq !== state.listSeq)
                    return; // a newer filter or page was asked for meanwhile
                state.issues = Array.isArray(r.issues) ? r.issues : [];
                state.pageInfo = R.pageInfo(r, page, state.issues.length);
                state.seenLabels = R.labelsOf(state.issues.concat(state.seenLabels.map((l) => ({ labels: [l] }))), state.filter.label);
                if (state.token !== true)
                    state.token = true;
                state.askToken = false;
                hideError();
            } catch (e) {
                if (seq === state.listSeq)
                    showError('list', e, loadList);
            } finally {
                if (seq === state.listSeq) {
                    state.loadingList = false;
                    render();
                }
            }
        }

        function setFilter(change) {
            state.filter = { ...state.filter, ...change };
            state.page = 1;
            loadList();
        }

        function renderRow(issue) {
            const status = issue.state === 'closed' ? 'closed' : 'open';
            const li = el('li', 'issue ' + status);
            li.dataset.number = String(issue.number);
            const meta = [['', t().meta(issue, when(issue.created_at))]];
            if (issue.assignee)
                meta.push(['assignee', t().assigned(issue.assignee)]);
            if (issue.comments > 0)
                meta.push(['', t().comments(issue.comments)]);
            li.append(issueButton({ status, title: issue.title, meta, labels: issue.labels, onOpen: () => openIssue(issue.number) }));
            return li;
        }

        function renderList() {
            for (const b of $('r-state').querySelectorAll('button')) {
                b.textContent = t()[b.dataset.state];
                b.setAttribute('aria-pressed', String(b.dataset.state === state.filter.state));
            }
            $('r-state').setAttribute('aria-label', t().statusFilter);
            $('r-search').placeholder = t().search;
            $('r-search').setAttribute('aria-label', t().search);
            const select = $('r-label');
            const options = [['', t().anyLabel]].concat(R.labelsOf(state.seenLabels.map((l) => ({ labels: [l] })), state.filter.label).map((l) => [l, l]));
            select.replaceChildren(...options.map(([v, text]) => {
                const o = el('option', '', text);
                o.value = v;
                return o;
            }));
            select.value = state.filter.label;
            select.setAttribute('aria-label', t().labelFilter);
            $('r-issues').replaceChildren(...state.issues.map(renderRow));
            const p = state.pageInfo;
            $('r-empty').hidden = !p || state.issues.length > 0;
            $('r-empty').textContent = state.filter.text || state.filter.label ? t().noMatch : t().noIssues;
            $('r-pager').hidden = !p || (p.page === 1 && !p.next);
            $('r-page').textContent = p ? t().page(p) : '';
            $('r-prev').textContent = t().prev;
            $('r-next').textContent = t().next;
            $('r-prev').disabled = !p || !p.prev || state.loadingList;
            $('r-next').disabled = !p || !p.next || state.loadingList;
        }

        // ---- one issue --------------------------------------------------------------------------------

        async function openIssue(number) {
            try {
                const r = await busy(() => call('get', { number }));
                state.detail = { issue: r.issue, comments: Array.isArray(r.comment_list) ? r.comment_list : [] };
                state.view = 'detail';
                hideError();
                fillEdit();
                $('r-comment').value = '';
                fieldError('r-comment-error', null);
                fieldError('r-edit-error', null);
                render();
                $('r-back').focus();
            } catch (e) {
                showError('get', e, () => openIssue(number));
            }
        }

        function fillEdit() {
            const i = state.detail.issue;
            $('r-f-labels').value = i.labels.join(', ');
            $('r-f-assignee').value = i.assignee || '';
        }

        function replaceIssue(issue) {
            state.detail = { ...state.detail, issue: { ...issue, comments: Math.max(issue.comments || 0, state.detail.comments.length) } };
            state.issues = state.issues.map((i) => (i.number === issue.number ? state.detail.issue : i));
        }

        async function sendComment() {
            const checked = R.checkComment($('r-comment').value);
            fieldError('r-comment-error', checked.ok ? null : checked.error);
            if (!checked.ok)
                return;
            const number = state.detail.issue.number;
            try {
                const r = await busy(() => call('comment', { number, ...checked.request }));
                if (!state.detail || state.detail.issue.number !== number)
                    return;
                state.detail = R.applyComment(state.detail, r.comment || checked.request);
                replaceIssue(state.detail.issue);
                $('r-comment').value = ''; // only now: until the server has it, the text stays
                hideError();
                render();
            } catch (e) {
                showError('comment', e);
            }
        }

        async function saveEdit() {
            const c = R.changes(state.detail.issue, { labels: $('r-f-labels').value, assignee: $('r-f-assignee').value });
            fieldError('r-edit-error', c.ok ? null : c.error);
            if (!c.ok)
                return;
            if (c.requests.length === 0) {
                $('r-edit-error').hidden = false;
                $('r-edit-error').textContent = t().nothingChanged;
                return;
            }
            const number = state.detail.issue.number;
            try {
                for (const change of c.requests) {
                    const r = await busy(() => call('update', { number, ...change }));
                    if (state.detail && state.detail.issue.number === number && r.issue)
                        replaceIssue(r.issue);
                }
                hideError();
                fillEdit();
                render();
            } catch (e) {
                showError('update', e); // the fields keep what was typed
            }
        }

        async function toggleState() {
            const i = state.detail.issue;
            const next = i.state === 'closed' ? 'open' : 'closed';
            try {
                const r = await busy(() => call('update', { number: i.number, state: next }));
                if (state.detail && state.detail.issue.number === i.number && r.issue)
                    replaceIssue(r.issue);
                hideError();
                render();
            } catch (e) {
                showError('update', e);
            }
        }

        function renderDetail() {
            const d = state.detail;
            const i = d.issue;
            $('r-back').replaceChildren(icon('back'));
            $('r-back').setAttribute('aria-label', t().back);
            $('r-back').title = t().back;
            $('r-title').textContent = i.title;
            $('r-pill').textContent = i.state === 'closed' ? t().isClosed : t().isOpen;
            $('r-pill').className = 'pill ' + (i.state === 'closed' ? 'closed' : 'open');
            const meta = [t().meta(i, when(i.created_at))];
            if (i.assignee)
                meta.push(t().assigned(i.assignee));
            $('r-meta').textContent = meta.join(' · ');
            $('r-labels').replaceChildren(...i.labels.map((l) => el('span', 'label', l)));
            $('r-body').textContent = i.body || t().noBody;
            $('r-body').classList.toggle('muted', !i.body);
            $('r-comments-title').textContent = t().commentsTitle + ' (' + d.comments.length + ')';
            $('r-comments').replaceChildren(...(d.comments.length === 0 ? [el('li', 'muted', t().noComments)] : d.comments.map((c) => {
                const li = el('li', 'comment');
                const meta = [c.author, when(c.created_at)].filter((x) => x).join(' · ');
                if (meta)
                    li.append(el('span', 'comment-meta', meta));
                li.append(el('p', 'comment-body', c.body));
                return li;
            })));
            $('l-comment').textContent = t().commentLabel;
            $('r-comment-send').textContent = t().commentSend;
            $('l-r-labels').textContent = t().labelsField;
            $('l-r-assignee').textContent = t().assigneeField;
            $('r-save').textContent = t().saveChanges;
            $('r-toggle').textContent = i.state === 'closed' ? t().reopen : t().close;
            for (const id of ['r-comment-send', 'r-save', 'r-toggle'])
                $(id).disabled = state.busy > 0;
        }

        // ---- a new issue ---------------------------------------------------------------------------

        function openNew() {
            hideError();
            state.view = 'new';
            fieldError('r-new-error', null);
            render();
            $('r-n-title').focus();
        }

        async function create() {
            const checked = R.checkNew({ title: $('r-n-title').value, body: $('r-n-body').value, labels: $('r-n-labels').value,
                                         assignee: $('r-n-assignee').value });
            fieldError('r-new-error', checked.ok ? null : checked.error);
            if (!checked.ok)
                return;
            try {
                const r = await busy(() => call('create', checked.request));
                // Created: the form is emptied only now, and the new issue opens.
                for (const id of ['r-n-title', 'r-n-body', 'r-n-labels', 'r-n-assignee'])
                    $(id).value = '';
                hideError();
                state.detail = { issue: r.issue, comments: [] };
                state.view = 'detail';
                fillEdit();
                loadList();
                render();
            } catch (e) {
                showError('create', e); // what was typed stays in the form
            }
        }

        function backToList() {
            state.view = 'list';
            state.detail = null;
            hideError();
            render();
            loadList();
        }

        // ---- the page ----------------------------------------------------------------------------------

        function when(iso) {
            const d = iso ? new Date(iso) : null;
            return d && !isNaN(d) ? d.toLocaleDateString(lang === 'es' ? 'es-ES' : 'en-GB', { day: 'numeric', month: 'short', year: 'numeric' }) : '';
        }

        function render() {
            document.documentElement.lang = lang;
            document.title = t().title;
            $('title').textContent = t().title;
            $('new').textContent = t().newIssue;
            $('error-close').replaceChildren(icon('close'));
            $('error-close').setAttribute('aria-label', t().dismiss);
            $('error-close').title = t().dismiss;
            $('error-more').textContent = t().details;
            $('error-retry').textContent = t().retry;
            $('list-view').hidden = true;
            $('editor').hidden = true;
            $('rest-view').hidden = false;

            let notice = '';
            if (!config)
                notice = say(t().badConfig[setup.error.code], setup.error.detail);
            else if (state.approved === null)
                notice = t().waiting;
            else if (!state.approved.includes(CAP))
                notice = t().noCapability;
            $('notice').textContent = notice;
            $('notice').hidden = notice.length === 0;
            const ready = config && Array.isArray(state.approved) && state.approved.includes(CAP);
            $('rest-where').textContent = config ? t().where(config) : '';
            $('status').textContent = state.busy > 0 ? t().loading : '';

            const askToken = ready && state.askToken;
            $('token-form').hidden = !askToken;
            $('token-intro').textContent = config ? t().tokenIntro(config.server) : '';
            $('l-token').textContent = t().tokenLabel;
            $('token-save').textContent = t().tokenSave;
            // Shown with the list; an open issue or form keeps the whole width for itself.
            $('token-state').hidden = !ready || state.token !== true || askToken || state.view !== 'list';
            $('token-text').textContent = config ? t().tokenStored(config.server) : '';
            $('token-change').textContent = t().tokenChange;
            $('token-clear').textContent = t().tokenClear;

            const working = ready && state.token === true && !askToken;
            $('new').hidden = !working || state.view !== 'list';
            $('r-list').hidden = !working || state.view !== 'list';
            $('r-detail').hidden = !working || state.view !== 'detail' || !state.detail;
            $('r-new').hidden = !working || state.view !== 'new';
            if (!$('r-list').hidden)
                renderList();
            if (!$('r-detail').hidden)
                renderDetail();
            if (!$('r-new').hidden) {
                $('r-new-back').replaceChildren(icon('back'));
                $('r-new-back').setAttribute('aria-label', t().back);
                $('r-new-back').title = t().back;
                $('r-new-title').textContent = t().newIssue;
                $('l-n-title').textContent = t().nTitle;
                $('l-n-body').textContent = t().nBody;
                $('l-n-labels').textContent = t().labelsField;
                $('l-n-assignee').textContent = t().assigneeField;
                $('r-create').textContent = t().create;
                $('r-new-cancel').textContent = t().cancel;
                $('r-create').disabled = state.busy > 0;
            }
        }

        // ---- events ------------------------------------------------------------------------------------

        const widget = TesseraWidget.connect({
            requestPrefix: 'issues-rest',
            capabilities: config ? [CAP] : [],
            onAsked() {
                state.approved = null;
                render();
            },
            onCapabilities(approved) {
                state.approved = approved;
                render();
                if (config && approved.includes(CAP))
                    tokenStatus();
            },
            onTheme(name) {
                document.documentElement.classList.toggle('dark', name === 'dark');
            },
            onLanguage(code) {
                lang = pickLang(code);
                render();
            },
        });

        const submit = (id, fn) => $(id).addEventListener('submit', (ev) => {
            ev.preventDefault();
            fn();
        });
        submit('token-form', saveToken);
        $('token-change').addEventListener('click', () => {
            state.askToken = true;
            render();
            $('f-token').focus();
        });
        $('token-clear').addEventListener('click', clearToken);
        for (const b of $('r-state').querySelectorAll('button'))
            b.addEventListener('click', () => setFilter({ state: b.dataset.state }));
        let searchTimer = null;
        $('r-search').addEventListener('input', () => {
            clearTimeout(searchTimer);
            searchTimer = setTimeout(() => setFilter({ text: $('r-search').value }), 300);
        });
        $('r-label').addEventListener('change', () => setFilter({ label: $('r-label').value }));
        $('r-prev').addEventListener('click', () => {
            state.page = Math.max(1, state.page - 1);
            loadList();
        });
        $('r-next').addEventListener('click', () => {
            if (state.pageInfo && state.pageInfo.next) {
                state.page = state.pageInfo.next;
                loadList();
            }
        });
        $('new').addEventListener('click', openNew);
        $('r-back').addEventListener('click', backToList);
        $('r-new-back').addEventListener('click', backToList);
        $('r-new-cancel').addEventListener('click', backToList);
        submit('r-new', create);
        submit('r-comment-form', sendComment);
        submit('r-edit-form', saveEdit);
        $('r-toggle').addEventListener('click', toggleState);
        $('error-close').addEventListener('click', hideError);
        $('error-retry').addEventListener('click', () => {
            const again = state.retry;
            hideError();
            if (again)
                again();
        });
        render();
    }

    window.IssuesRestPage = Object.freeze({ start, texts });
})();
