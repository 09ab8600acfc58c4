// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The agent panel's logic, as pure functions (tested with node --test in tests/panel.test.cjs):
// the texts in English and Spanish, what each runner error is called, the log kept in memory and
// filtered by level and text, the retry schedule, and how times and durations are written.
'use strict';

(function (root) {
    const LEVELS = ['debug', 'info', 'warning', 'error'];
    /** Lines kept in memory; older ones are dropped (the runner keeps the full log). */
    const MAX_LINES = 2000;
    /** Seconds before each reconnection attempt: 2, 4, 8, 16, then every 30. */
    const RETRY_SECONDS = [2, 4, 8, 16, 30];

    const texts = {
        en: {
            title: 'Agent panel', status: { running: 'Running', idle: 'Idle', failed: 'Failed', stopped: 'Stopped' },
            loading: 'Loading the agent…', waiting: 'Waiting for your decision…',
            noTask: 'No task right now', task: 'Current task', lastRun: 'Last run', recentRuns: 'Recent runs', noRuns: 'No runs yet.',
            result: { running: 'Running', succeeded: 'Succeeded', failed: 'Failed', cancelled: 'Cancelled' },
            started: (when) => 'Started ' + when, took: (d) => 'took ' + d, runningFor: (d) => 'running for ' + d,
            trigger: { schedule: 'scheduled', restart: 'restarted', start: 'started by hand' },
            log: 'Log', follow: 'Follow', search: 'Search the log', levels: { all: 'All', info: 'Info', warning: 'Warnings', error: 'Errors' },
            levelName: { debug: 'debug', info: 'info', warning: 'warning', error: 'error' },
            noLines: 'No log lines yet.', noMatch: 'No log lines match this filter.',
            shown: (n, total) => (n === total ? n + ' lines' : n + ' of ' + total + ' lines'),
            live: 'Live', reconnecting: (s) => 'Runner offline. Trying again in ' + s + ' s…', retrying: 'Trying to reach the runner…',
            back: 'The runner is back.', restartedLog: 'The runner restarted: its log starts again.',
            restart: 'Restart', stop: 'Stop', start: 'Start', cancel: 'Cancel', dismiss: 'Dismiss',
            confirm: {
                restart: (name) => ['Restart ' + name + '?', 'Its current work is interrupted and a new run starts. The runner records that you asked.'],
                stop: (name) => ['Stop ' + name + '?', 'Its current work is interrupted and it does nothing until someone starts it again.'],
                start: (name) => ['Start ' + name + '?', 'It starts a new run now.'],
            },
            done: { restart: (name) => name + ' restarted.', stop: (name) => name + ' stopped.', start: (name) => name + ' started.' },
            noControl: 'You can watch this agent. Restarting, stopping or starting it was not allowed.',
            noRead: 'This panel cannot show the agent: reading it from its runner was not allowed.',
            runner: (url, id) => 'Agent ' + id + ' on ' + url,
            errors: {
                'bad-config': 'This panel is set up wrongly, so nothing was asked of any runner.',
                'bad-request': 'The panel made a request the plugin refused.',
                token: 'Tessera could not sign a token for the runner.',
                offline: 'The agent\'s runner cannot be reached.',
                timeout: 'The agent\'s runner did not answer in time.',
                unauthorized: 'The runner did not accept Tessera\'s token (HTTP 401). It may not trust this Tessera\'s public key.',
                forbidden: 'The runner refused (HTTP 403): this room or this panel may not see this agent, or do this.',
                'not-found': 'The runner does not know this agent (HTTP 404).',
                conflict: 'The runner refused this (HTTP 409).',
                server: 'The runner failed (HTTP 5xx).',
                unexpected: 'The runner gave an unexpected answer.',
                malformed: 'The runner\'s answer could not be read.',
                denied: 'Tessera did not allow this.',
                unknown: 'Something went wrong.',
            },
            actionFailed: { restart: 'Restart failed.', stop: 'Stop failed.', start: 'Start failed.' },
        },
        es: {
            title: 'Panel del agente', status: { running: 'En marcha', idle: 'En espera', failed: 'Con fallo', stopped: 'Detenido' },
            loading: 'Cargando el agente…', waiting: 'Esperando tu decisión…',
            noTask: 'Ninguna tarea ahora', task: 'Tarea actual', lastRun: 'Última ejecución', recentRuns: 'Ejecuciones recientes', noRuns: 'Aún no hay ejecuciones.',
            result: { running: 'En curso', succeeded: 'Correcta', failed: 'Fallida', cancelled: 'Cancelada' },
            started: (when) => 'Empezó ' + when, took: (d) => 'duró ' + d, runningFor: (d) => 'lleva ' + d,
            trigger: { schedule: 'programada', restart: 'reiniciada', start: 'iniciada a mano' },
            log: 'Registro', follow: 'Seguir', search: 'Buscar en el registro', levels: { all: 'Todo', info: 'Info', warning: 'Avisos', error: 'Errores' },
            levelName: { debug: 'depuración', info: 'info', warning: 'aviso', error: 'error' },
            noLines: 'Aún no hay líneas en el registro.', noMatch: 'Ninguna línea cumple este filtro.',
            shown: (n, total) => (n === total ? n + ' líneas' : n + ' de ' + total + ' líneas'),
            live: 'En directo', reconnecting: (s) => 'Ejecutor sin conexión. Nuevo intento en ' + s + ' s…', retrying: 'Intentando llegar al ejecutor…',
            back: 'El ejecutor ha vuelto.', restartedLog: 'El ejecutor se reinició: su registro empieza de nuevo.',
            restart: 'Reiniciar', stop: 'Detener', start: 'Iniciar', cancel: 'Cancelar', dismiss: 'Cerrar',
            confirm: {
                restart: (name) => ['¿Reiniciar ' + name + '?', 'Se interrumpe su trabajo actual y empieza una ejecución nueva. El ejecutor registra que lo pediste tú.'],
                stop: (name) => ['¿Detener ' + name + '?', 'Se interrumpe su trabajo actual y no hace nada hasta que alguien lo inicie de nuevo.'],
                start: (name) => ['¿Iniciar ' + name + '?', 'Empieza ahora una ejecución nueva.'],
            },
            done: { restart: (name) => name + ' se reinició.', stop: (name) => name + ' se detuvo.', start: (name) => name + ' se inició.' },
            noControl: 'Puedes observar este agente. No se permitió reiniciarlo, detenerlo ni iniciarlo.',
            noRead: 'Este panel no puede mostrar el agente: no se permitió leerlo de su ejecutor.',
            runner: (url, id) => 'Agente ' + id + ' en ' + url,
            errors: {
                'bad-config': 'Este panel está mal configurado, así que no se preguntó a ningún ejecutor.',
                'bad-request': 'El panel hizo una petición que el complemento rechazó.',
                token: 'Tessera no pudo firmar un token para el ejecutor.',
                offline: 'No se puede llegar al ejecutor del agente.',
                timeout: 'El ejecutor del agente no respondió a tiempo.',
                unauthorized: 'El ejecutor no aceptó el token de Tessera (HTTP 401). Puede que no confíe en la clave pública de este Tessera.',
                forbidden: 'El ejecutor se negó (HTTP 403): esta sala o este panel no pueden ver este agente, o hacer esto.',
                'not-found': 'El ejecutor no conoce este agente (HTTP 404).',
                conflict: 'El ejecutor rechazó esto (HTTP 409).',
                server: 'El ejecutor falló (HTTP 5xx).',
                unexpected: 'El ejecutor dio una respuesta inesperada.',
                malformed: 'No se pudo leer la respuesta del ejecutor.',
                denied: 'Tessera no lo permitió.',
                unknown: 'Algo salió mal.',
            },
            actionFailed: { restart: 'No se pudo reiniciar.', stop: 'No se pudo detener.', start: 'No se pudo iniciar.' },
        },
    };

    const pickLang = (l) => (String(l || '').slice(0, 2) === 'es' ? 'es' : 'en');

    /**
     * A failed call's message "<kind>: <detail>" as {kind, title, detail}: the panel's own words
     * for the kind, and what the plugin or the runner said.
     */
    function describeError(message, lang) {
        const t = texts[pickLang(lang)];
        const text = String(message || '');
        const m = /^([a-z-]+): ([\s\S]*)$/.exec(text);
        let kind = m && Object.prototype.hasOwnProperty.call(t.errors, m[1]) ? m[1] : null;
        let detail = m && kind ? m[2] : text;
        if (!kind && /not allowed|denied|not granted/i.test(text))
            kind = 'denied';
        if (!kind)
            kind = 'unknown';
        return { kind, title: t.errors[kind], detail };
    }

    const levelRank = (level) => Math.max(0, LEVELS.indexOf(level));

    /** Adds @p incoming lines to @p lines: in sequence order, each once, at most MAX_LINES. */
    function mergeLines(lines, incoming, max = MAX_LINES) {
        const bySeq = new Map();
        for (const l of lines)
            bySeq.set(l.seq, l);
        for (const l of incoming || [])
            if (l && Number.isSafeInteger(l.seq) && LEVELS.includes(l.level) && typeof l.message === 'string')
                bySeq.set(l.seq, l);
        const out = Array.from(bySeq.values()).sort((a, b) => a.seq - b.seq);
        return out.length > max ? out.slice(out.length - max) : out;
    }

    /** The lines at or above @p minLevel ('all' for every one) whose message contains @p text (any case). */
    function filterLines(lines, minLevel, text) {
        const min = minLevel === 'all' ? 0 : levelRank(minLevel);
        const needle = String(text || '').trim().toLocaleLowerCase();
        return lines.filter((l) => levelRank(l.level) >= min && (!needle || l.message.toLocaleLowerCase().includes(needle)));
    }

    function retryDelaySeconds(attempt) {
        return RETRY_SECONDS[Math.min(Math.max(0, attempt), RETRY_SECONDS.length - 1)];
    }

    /** 950 ms → "0.9 s", 75 s → "1 min 15 s", 2 h 5 min → "2 h 5 min". */
    function formatDuration(ms) {
        if (!Number.isFinite(ms) || ms < 0)
            return '';
        if (ms < 10000)
            return (Math.floor(ms / 100) / 10).toString() + ' s';
        const s = Math.floor(ms / 1000);
        if (s < 60)
            return s + ' s';
        const m = Math.floor(s / 60);
        if (m < 60)
            return m + ' min' + (s % 60 ? ' ' + (s % 60) + ' s' : '');
        const h = Math.floor(m / 60);
        return h + ' h' + (m % 60 ? ' ' + (m % 60) + ' min' : '');
    }

    function formatTime(ms, lang) {
        if (!Number.isFinite(ms))
            return '';
        return new Date(ms).toLocaleTimeString(pickLang(lang) === 'es' ? 'es-ES' : 'en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
    }

    /** The sentence under "Last run": start, duration or time so far, and the result. */
    function describeRun(run, lang, now) {
        const t = texts[pickLang(lang)];
        if (!run)
            return t.noRuns;
        const parts = [t.started(formatTime(run.started_at, lang))];
        if (run.finished_at !== null && run.finished_at !== undefined)
            parts.push(t.took(formatDuration(run.duration_ms ?? run.finished_at - run.started_at)));
        else if (Number.isFinite(now))
            parts.push(t.runningFor(formatDuration(now - run.started_at)));
        return parts.join(', ');
    }

    const api = { LEVELS, MAX_LINES, RETRY_SECONDS, texts, pickLang, describeError, mergeLines, filterLines, retryDelaySeconds,
                  formatDuration, formatTime, describeRun };
    if (typeof module !== 'undefined' && module.exports)
        module.exports = api;
    else
        root.AgentPanelLogic = api;
})(typeof window !== 'undefined' ? window : globalThis);
