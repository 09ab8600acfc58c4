// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// tessera-widget.js: the page side of a Tessera plugin widget, from the plugin SDK.
// A small Matrix Widget API v2 client for pages served from a plugin's assets, so plugins do not
// each carry their own. tessera_add_plugin copies it into the plugin's assets folder; a page loads
// it with <script src="tessera-widget.js"></script> and then:
//
//   const widget = TesseraWidget.connect({
//       capabilities: ['org.matrix.msc2762.receive.state_event:org.example.board'],
//       onCapabilities(approved) { … },   // the user's answer (notify_capabilities)
//       onEvent(event) { … },             // a room event the host pushes (send_event)
//       onState(events) { … },           // room state the host pushes (update_state)
//       onTheme(name) { … },              // 'light' or 'dark' (theme_change)
//       onLanguage(lang) { … },           // e.g. 'en', 'es' (language_change)
//   });
//   const events = (await widget.request('org.matrix.msc2876.read_events', { type, limit: 1 })).events;
//
// It accepts messages only from the parent window and the host's origin, for this widget id;
// answers every request from the host (unknown actions with an empty response, as the Widget API
// asks); and rejects a request of its own that gets an error or no answer in time. plugin-api/ABI.md
// ("The page side") lists the messages.
'use strict';

(function (global) {
    /** The Widget API versions this helper speaks. */
    const SUPPORTED_VERSIONS = ['0.0.1', '0.0.2', 'org.matrix.msc2762', 'org.matrix.msc2871', 'org.matrix.msc2876'];
    /** A request of the page's own fails when the host has not answered it in this time. */
    const DEFAULT_TIMEOUT_MS = 15000;
    /** At most this many of the page's requests wait for an answer at once. */
    const MAX_PENDING = 64;

    function connect(options) {
        const o = options || {};
        const params = new URLSearchParams(global.location.search);
        const widgetId = params.get('widgetId') || '';
        // The host's origin: where replies are sent, and the only origin whose messages count.
        const hostOrigin = new URL(params.get('parentUrl') || 'tessera://app/').origin;
        const targetOrigin = hostOrigin === 'null' ? 'tessera://app' : hostOrigin;
        const timeoutMs = o.timeoutMs || DEFAULT_TIMEOUT_MS;
        const prefix = (o.requestPrefix || 'widget') + '-';
        const pending = new Map();
        let nextId = 1;

        const widget = {
            widgetId,
            /** From the page's URL: the client's theme and language at load time. */
            theme: params.get('theme') === 'dark' ? 'dark' : 'light',
            lang: params.get('lang') || 'en',
            /** The capabilities the user approved; null until the host says. */
            approved: null,
            can(capability) {
                return Array.isArray(widget.approved) && widget.approved.includes(capability);
            },
            /** Sends a fromWidget request; resolves with the response, rejects with its error. */
            request(action, data) {
                if (pending.size >= MAX_PENDING)
                    return Promise.reject(new Error('too many requests waiting for the host'));
                const requestId = prefix + (nextId++);
                post({ api: 'fromWidget', widgetId, requestId, action, data: data || {} });
                return new Promise((resolve, reject) => {
                    const timer = setTimeout(() => {
                        if (pending.delete(requestId))
                            reject(new Error('no answer from the host'));
                    }, timeoutMs);
                    pending.set(requestId, { resolve, reject, timer });
                });
            },
        };

        function post(message) {
            global.parent.postMessage(message, targetOrigin);
        }

        function reply(message, response) {
            post(Object.assign({}, message, { response }));
        }

        function call(name, ...args) {
            if (typeof o[name] === 'function')
                return o[name](...args);
            return undefined;
        }

        global.addEventListener('message', (ev) => {
            if (ev.source !== global.parent || (ev.origin !== hostOrigin && ev.origin !== targetOrigin))
                return;
            const m = ev.data;
            if (!m || typeof m !== 'object' || m.widgetId !== widgetId || typeof m.requestId !== 'string')
                return;
            if (m.api === 'fromWidget') {
                const p = m.response && pending.get(m.requestId);
                if (!p)
                    return;
                pending.delete(m.requestId);
                clearTimeout(p.timer);
                if (m.response.error) {
                    // The homeserver's answer, when there was one: error.matrixApiError
                    // ({http_status, response}), so a page can tell a refusal from an outage.
                    const error = new Error(String(m.response.error.message || 'refused by the host'));
                    const api = m.response.error.matrix_api_error;
                    if (api && typeof api === 'object')
                        error.matrixApiError = api;
                    p.reject(error);
                } else
                    p.resolve(m.response);
                return;
            }
            if (m.api !== 'toWidget' || m.response)
                return;
            const data = m.data && typeof m.data === 'object' ? m.data : {};
            switch (m.action) {
            case 'supported_api_versions':
                return reply(m, { supported_versions: SUPPORTED_VERSIONS });
            case 'capabilities':
                widget.approved = null;
                reply(m, { capabilities: o.capabilities || [] });
                return call('onAsked');
            case 'notify_capabilities':
                widget.approved = Array.isArray(data.approved) ? data.approved : [];
                reply(m, {});
                return call('onCapabilities', widget.approved);
            case 'send_event':
                reply(m, {});
                return call('onEvent', data);
            case 'update_state':
                reply(m, {});
                return call('onState', Array.isArray(data.state) ? data.state : []);
            case 'theme_change':
                widget.theme = data.name === 'dark' ? 'dark' : 'light';
                reply(m, {});
                return call('onTheme', widget.theme);
            case 'language_change':
                if (typeof data.lang === 'string')
                    widget.lang = data.lang;
                reply(m, {});
                return call('onLanguage', widget.lang);
            default: {
                // Other actions: the page may answer them (onAction returns a response), or they
                // get the empty response the Widget API asks for.
                const response = call('onAction', m.action, data);
                return reply(m, response && typeof response === 'object' ? response : {});
            }
            }
        });
        return widget;
    }

    global.TesseraWidget = Object.freeze({ connect, SUPPORTED_VERSIONS, DEFAULT_TIMEOUT_MS, MAX_PENDING });
})(window);
