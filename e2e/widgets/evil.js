// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The attacks of the sandbox scenario. Each one is recorded with what the page itself saw
// (exception, return value); what the host did about it is checked from outside (DevTools
// targets, the fixture server's request log, the audit log).
'use strict';

(function () {
    const params = new URLSearchParams(location.search);
    const widgetId = params.get('widgetId');
    const parentUrl = params.get('parentUrl') || '';
    function originOf(u) {
        try {
            const x = new URL(u);
            return x.origin !== 'null' ? x.origin : x.protocol + '//' + x.host;
        } catch (e) {
            return null;
        }
    }
    const clientOrigin = originOf(parentUrl);
    // Nested frames of the same origin read this (they are same-origin with this page).
    window.evilInfo = { widgetId, clientOrigin };

    const state = { widgetId, clientOrigin, ready: false, attempts: [], nested: {}, repliesSeen: [], final: null };
    function render() {
        const el = document.getElementById('status');
        if (el)
            el.textContent = JSON.stringify(state, null, 2);
    }

    const api = new mxwidgets.WidgetApi(widgetId, clientOrigin);
    api.on('ready', () => {
        state.ready = true;
        render();
    });
    api.start();

    // Every message this page receives, apart from the nested frames' reports: a reply to one of
    // the forged requests below would show up here.
    window.addEventListener('message', (ev) => {
        const d = ev.data;
        if (d && d.evilNested) {
            state.nested[d.evilNested.via] = d.evilNested;
            render();
            return;
        }
        if (d && typeof d.requestId === 'string' && d.requestId.startsWith('evil-'))
            state.repliesSeen.push({ requestId: d.requestId, api: d.api, origin: ev.origin, response: d.response });
    });

    function landing(via) {
        return location.origin + '/landing?via=' + encodeURIComponent(via);
    }
    function attempt(name, fn) {
        const entry = { name };
        try {
            const r = fn();
            entry.threw = false;
            entry.result = r === null ? 'null' : r === undefined ? 'undefined' : typeof r === 'object' ? 'object' : String(r);
        } catch (e) {
            entry.threw = true;
            entry.error = (e && e.name ? e.name + ': ' : '') + (e && e.message || String(e));
        }
        state.attempts.push(entry);
        render();
        return entry;
    }
    function post(message) {
        parent.postMessage(message, clientOrigin);
    }
    function addFrame(attrs) {
        const f = document.createElement('iframe');
        for (const [k, v] of Object.entries(attrs))
            f[k] = v;
        document.getElementById('frames').appendChild(f);
        return f;
    }
    function waitFor(pred, ms) {
        return new Promise((resolve) => {
            const t0 = performance.now();
            (function poll() {
                if (pred() || performance.now() - t0 > ms)
                    return resolve(pred());
                setTimeout(poll, 50);
            })();
        });
    }

    window.evil = {
        state,
        async run() {
            // 1. Leave the wrapper: navigate the top frame, open a window without a click, read
            //    the wrapper.
            attempt('top.location', () => { top.location = landing('top-location'); });
            attempt('window.open', () => window.open(landing('window-open'), '_blank'));
            attempt('parent.document', () => parent.document.title);
            // The same read left uncaught: Chromium reports it on the console, and the host audits it.
            attempt('parent.document, uncaught', () => { setTimeout(() => parent.document.title, 0); });
            attempt('top.qt', () => typeof top.qt);
            // 2. A form aimed at the top frame.
            attempt('form target=_top', () => {
                const form = document.createElement('form');
                form.action = location.origin + '/landing';
                form.method = 'get';
                form.target = '_top';
                const input = document.createElement('input');
                input.name = 'via';
                input.value = 'form-top';
                form.appendChild(input);
                document.body.appendChild(form);
                form.submit();
            });
            // 3. Nested frames of the widget's own origin: one refreshed into nested.html by a
            //    <meta http-equiv=refresh>, one loading it directly; both post to the wrapper as
            //    if they were the widget and try to navigate the top frame.
            attempt('nested frame with meta refresh', () => {
                addFrame({ srcdoc: '<meta http-equiv="refresh" content="0;url=' + location.origin + '/widgets/nested.html?via=refresh">' });
            });
            attempt('nested frame posting', () => {
                addFrame({ src: location.origin + '/widgets/nested.html?via=post' });
            });
            state.nestedReported = await waitFor(() => state.nested.refresh && state.nested.post, 15000);
            // 4. Forged messages from the widget's own window.
            attempt('posting as another widget id', () => post({
                api: 'fromWidget', widgetId: 'not-' + widgetId, requestId: 'evil-spoofed-id',
                action: 'supported_api_versions', data: {},
            }));
            attempt('replying to its own request as the host', () => post({
                api: 'fromWidget', widgetId, requestId: 'evil-fake-reply',
                action: 'supported_api_versions', data: {}, response: { supported_versions: ['forged'] },
            }));
            attempt('sending a toWidget request', () => post({
                api: 'toWidget', widgetId, requestId: 'evil-to-widget', action: 'capabilities', data: {},
            }));
            attempt('a 10 MB message', () => post({
                api: 'fromWidget', widgetId, requestId: 'evil-10mb', action: 'supported_api_versions',
                data: { pad: 'x'.repeat(10 * 1000 * 1000) },
            }));
            // 5. The host must still answer an ordinary request, sent after all of the above.
            try {
                const r = await api.transport.send('supported_api_versions', {});
                state.final = { ok: true, versions: r.supported_versions };
            } catch (e) {
                state.final = { ok: false, error: String(e && e.message || e) };
            }
            state.location = location.href;
            render();
            return state;
        },
    };
})();
