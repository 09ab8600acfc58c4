// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The agent panel's page: panel-logic.js over the SDK's Widget API client (tessera-widget.js).
// It never talks to the runner: every request is a fromWidget action of the plugin's
// capabilities (io.tessera.agent.read, io.tessera.agent.control), which the plugin answers with
// the host's HTTP client; new log lines and status changes arrive as pushed toWidget actions.
'use strict';

(function () {
    const L = window.AgentPanelLogic;
    const params = new URLSearchParams(location.search);
    const READ = 'io.tessera.agent.read';
    const CONTROL = 'io.tessera.agent.control';

    let lang = L.pickLang(params.get('lang') || navigator.language);
    const t = () => L.texts[lang];
    const $ = (id) => document.getElementById(id);
    document.documentElement.classList.toggle('dark', params.get('theme') === 'dark');

    const state = {
        config: { runner_url: params.get('runner_url') || '', agent_id: params.get('agent_id') || '' },
        agent: null,
        runs: [],
        lines: [],
        lastSeq: 0,
        offline: false,
        attempt: 0,
        retryAt: 0,
        retryTimer: 0,
        countdown: 0,
        follow: true,
        level: 'all',
        search: '',
        busy: '',
        confirming: '',
        error: null, // {kind, title, detail}
        notice: '',
        loading: false,
    };

    // ---- the Widget API -----------------------------------------------------------------------

    const widget = TesseraWidget.connect({
        requestPrefix: 'agent',
        capabilities: [READ, CONTROL],
        onAsked: () => render(),
        onCapabilities: () => {
            render();
            load();
        },
        // Pushed by the plugin while the log is tailed.
        onAction: (action, data) => {
            if (action === READ + '.tail_event')
                tailEvent(data);
            else if (action === READ + '.tail_ended')
                tailEnded(data);
        },
        onTheme: (name) => document.documentElement.classList.toggle('dark', name === 'dark'),
        onLanguage: (l) => {
            lang = L.pickLang(l);
            render();
        },
    });
    const request = (action, data) => widget.request(action, data);
    const allowed = (cap) => widget.can(cap);

    // ---- talking to the runner (through the plugin) -------------------------------------------

    async function load() {
        if (!allowed(READ))
            return render();
        state.loading = true;
        render();
        try {
            state.config = await request(READ + '.config');
            await refresh();
            const logs = await request(READ + '.logs', { since: 0, limit: 200 });
            state.lines = L.mergeLines([], logs.lines);
            state.lastSeq = Number.isSafeInteger(logs.last_seq) ? logs.last_seq : lastLineSeq();
            await startTail();
        } catch (e) {
            failed(e);
        }
        state.loading = false;
        render();
    }

    const lastLineSeq = () => (state.lines.length ? state.lines[state.lines.length - 1].seq : 0);

    async function refresh() {
        const r = await request(READ + '.status');
        setAgent(r.agent);
        const runs = await request(READ + '.runs', { limit: 10 });
        state.runs = runs.runs;
        state.error = null;
    }

    function setAgent(agent) {
        const before = state.agent;
        state.agent = agent;
        // The runner started over (its log numbers went back): its log starts again.
        if (Number.isSafeInteger(agent.log_seq) && agent.log_seq < state.lastSeq) {
            state.lines = [];
            state.lastSeq = 0;
            state.notice = t().restartedLog;
        }
        return !before || before.status !== agent.status || JSON.stringify(before.last_run) !== JSON.stringify(agent.last_run);
    }

    async function startTail() {
        await request(READ + '.tail', { since: state.lastSeq });
        if (state.offline) {
            state.offline = false;
            state.notice = state.notice || t().back;
        }
        state.attempt = 0;
    }

    function tailEvent(data) {
        if (data && Array.isArray(data.lines) && data.lines.length) {
            state.lines = L.mergeLines(state.lines, data.lines);
            state.lastSeq = Math.max(state.lastSeq, lastLineSeq());
        }
        if (data && data.agent && typeof data.agent === 'object') {
            if (setAgent(data.agent))
                request(READ + '.runs', { limit: 10 }).then((r) => { state.runs = r.runs; render(); }, () => {});
        }
        render();
    }

    /** The tail ended (runner gone, stream cut): say so and try again, further apart each time. */
    function tailEnded(data) {
        if (data && Number.isSafeInteger(data.last_seq))
            state.lastSeq = Math.max(state.lastSeq, data.last_seq);
        const d = L.describeError((data && data.kind ? data.kind + ': ' : '') + ((data && data.message) || ''), lang);
        if (d.kind === 'offline' || d.kind === 'timeout') {
            state.offline = true;
            scheduleRetry();
        } else {
            state.error = d;
            scheduleRetry();
        }
        render();
    }

    function scheduleRetry() {
        clearTimeout(state.retryTimer);
        clearInterval(state.countdown);
        const seconds = L.retryDelaySeconds(state.attempt++);
        state.retryAt = Date.now() + seconds * 1000;
        state.countdown = setInterval(renderConnection, 1000);
        state.retryTimer = setTimeout(retry, seconds * 1000);
    }

    async function retry() {
        clearInterval(state.countdown);
        state.retryAt = 0;
        state.notice = ''; // what was said before the runner went away is old news
        renderConnection();
        try {
            await refresh();
            // Lines written while the panel was away, then the live tail from there.
            const logs = await request(READ + '.logs', { since: state.lastSeq, limit: 500 });
            state.lines = L.mergeLines(state.lines, logs.lines);
            state.lastSeq = Math.max(state.lastSeq, lastLineSeq());
            await startTail();
        } catch (e) {
            const d = L.describeError(e.message, lang);
            if (d.kind === 'offline' || d.kind === 'timeout')
                state.offline = true;
            else
                state.error = d;
            scheduleRetry();
        }
        render();
    }

    function failed(e) {
        state.error = L.describeError(e && e.message, lang);
        if (state.error.kind === 'offline' || state.error.kind === 'timeout') {
            state.offline = true;
            scheduleRetry();
        }
    }

    async function control(verb) {
        state.busy = verb;
        state.notice = '';
        render();
        try {
            const r = await request(CONTROL + '.' + verb);
            if (r.agent)
                setAgent(r.agent);
            state.notice = t().done[verb](agentName());
            const runs = await request(READ + '.runs', { limit: 10 });
            state.runs = runs.runs;
        } catch (e) {
            const d = L.describeError(e.message, lang);
            state.error = { ...d, title: t().actionFailed[verb] + ' ' + d.title };
        }
        state.busy = '';
        render();
    }

    // ---- the page -----------------------------------------------------------------------------

    const agentName = () => (state.agent && state.agent.name) || state.config.agent_id || t().title;

    function el(tag, className, text) {
        const e = document.createElement(tag);
        if (className)
            e.className = className;
        if (text !== undefined)
            e.textContent = text;
        return e;
    }

    function renderConnection() {
        const box = $('connection');
        let text = '';
        if (state.offline && state.retryAt)
            text = t().reconnecting(Math.max(1, Math.ceil((state.retryAt - Date.now()) / 1000)));
        else if (state.offline)
            text = t().retrying;
        box.hidden = !text;
        $('connection-text').textContent = text;
    }

    function renderRuns() {
        const list = $('runs');
        if (!state.runs.length) {
            list.replaceChildren(el('li', 'empty', t().noRuns));
            return;
        }
        const now = Date.now();
        list.replaceChildren(...state.runs.map((run) => {
            const li = el('li', 'run');
            li.dataset.id = run.id;
            li.append(el('span', 'run-result result-' + run.result, t().result[run.result] || run.result));
            li.append(el('span', 'run-task', run.task || run.id));
            const trigger = t().trigger[run.trigger];
            li.append(el('span', 'run-when', L.describeRun(run, lang, now) + (trigger ? ' · ' + trigger : '')));
            return li;
        }));
    }

    function highlight(parent, text, needle) {
        if (!needle) {
            parent.textContent = text;
            return;
        }
        const lower = text.toLocaleLowerCase();
        let at = 0;
        for (;;) {
            const i = lower.indexOf(needle, at);
            if (i < 0)
                break;
            parent.append(document.createTextNode(text.slice(at, i)), el('mark', '', text.slice(i, i + needle.length)));
            at = i + needle.length;
        }
        parent.append(document.createTextNode(text.slice(at)));
    }

    function renderLog() {
        const log = $('log');
        const shown = L.filterLines(state.lines, state.level, state.search);
        $('log-count').textContent = t().shown(shown.length, state.lines.length);
        const needle = state.search.trim().toLocaleLowerCase();
        if (!shown.length) {
            log.replaceChildren(el('li', 'empty', state.lines.length ? t().noMatch : t().noLines));
            return;
        }
        log.replaceChildren(...shown.map((line) => {
            const li = el('li', line.level);
            li.dataset.seq = line.seq;
            li.append(el('span', 'ts', L.formatTime(line.ts, lang)), el('span', 'lvl', t().levelName[line.level]));
            const msg = el('span', 'msg');
            highlight(msg, line.message, needle);
            li.append(msg);
            return li;
        }));
        if (state.follow)
            log.scrollTop = log.scrollHeight;
    }

    function render() {
        document.documentElement.lang = lang;
        const a = state.agent;
        $('name').textContent = a ? a.name : t().title;
        $('where').textContent = state.config.runner_url && state.config.agent_id ? t().runner(state.config.runner_url, state.config.agent_id) : '';
        $('status').dataset.status = a ? a.status : '';
        $('status').textContent = a ? t().status[a.status] : '';
        $('status').classList.toggle('stale', state.offline); // the last status known, not the current one
        let notice = state.notice;
        if (widget.approved === null)
            notice = t().waiting;
        else if (!allowed(READ))
            notice = t().noRead;
        else if (state.loading && !a)
            notice = t().loading;
        $('notice').textContent = notice;

        const e = state.error;
        $('error').hidden = !e;
        if (e) {
            $('error').dataset.kind = e.kind;
            $('error-title').textContent = e.title;
            $('error-detail').textContent = e.detail;
        }
        renderConnection();

        $('agent').hidden = !a;
        if (!a)
            return;
        $('task-label').textContent = t().task;
        $('task').textContent = a.current_task || t().noTask;
        $('task').classList.toggle('muted', !a.current_task);
        $('last-label').textContent = t().lastRun;
        const run = a.last_run;
        $('last-result').textContent = run ? t().result[run.result] : t().noRuns;
        $('last-result').className = 'big' + (run ? ' result-' + run.result : '');
        $('last-when').textContent = run ? L.describeRun(run, lang, Date.now()) : '';

        const canControl = allowed(CONTROL);
        const c = a.controls || {};
        $('controls').hidden = !canControl;
        $('no-control').hidden = canControl;
        $('no-control').textContent = t().noControl;
        for (const verb of ['restart', 'stop', 'start']) {
            const b = $(verb);
            b.textContent = t()[verb];
            b.hidden = !c[verb];
            b.disabled = !!state.busy || state.offline;
        }

        $('runs-label').textContent = t().recentRuns;
        renderRuns();
        $('log-label').textContent = t().log;
        $('follow').textContent = t().follow;
        $('follow').setAttribute('aria-pressed', String(state.follow));
        $('search').placeholder = t().search;
        $('search').setAttribute('aria-label', t().search);
        for (const b of $('levels').querySelectorAll('button')) {
            b.textContent = t().levels[b.dataset.level];
            b.setAttribute('aria-pressed', String(b.dataset.level === state.level));
        }
        renderLog();

        $('confirm').hidden = !state.confirming;
        if (state.confirming) {
            const [title, text] = t().confirm[state.confirming](agentName());
            $('confirm-title').textContent = title;
            $('confirm-text').textContent = text;
            $('confirm-ok').textContent = t()[state.confirming];
            $('confirm-cancel').textContent = t().cancel;
        }
        $('error-close').setAttribute('aria-label', t().dismiss);
    }

    // ---- events -------------------------------------------------------------------------------

    for (const verb of ['restart', 'stop', 'start']) {
        $(verb).addEventListener('click', () => {
            state.confirming = verb;
            render();
            $('confirm-cancel').focus();
        });
    }
    $('confirm-ok').addEventListener('click', () => {
        const verb = state.confirming;
        state.confirming = '';
        render();
        if (verb)
            control(verb);
    });
    $('confirm-cancel').addEventListener('click', () => {
        state.confirming = '';
        render();
    });
    $('confirm').addEventListener('keydown', (ev) => {
        if (ev.key === 'Escape') {
            state.confirming = '';
            render();
        }
    });
    $('follow').addEventListener('click', () => {
        state.follow = !state.follow;
        render();
    });
    $('log').addEventListener('scroll', () => {
        const log = $('log');
        const atEnd = log.scrollHeight - log.scrollTop - log.clientHeight < 4;
        if (state.follow !== atEnd) {
            state.follow = atEnd; // scrolling up to read stops following; back at the end, it follows again
            $('follow').setAttribute('aria-pressed', String(state.follow));
        }
    });
    $('search').addEventListener('input', () => {
        state.search = $('search').value;
        renderLog();
    });
    for (const b of $('levels').querySelectorAll('button')) {
        b.addEventListener('click', () => {
            state.level = b.dataset.level;
            render();
        });
    }
    $('error-close').addEventListener('click', () => {
        state.error = null;
        render();
    });
    // Times under "Last run" and in the runs list move on.
    setInterval(() => {
        if (state.agent && !state.confirming) {
            $('last-when').textContent = state.agent.last_run ? L.describeRun(state.agent.last_run, lang, Date.now()) : '';
        }
    }, 5000);

    render();
})();
