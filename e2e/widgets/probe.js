// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// Everything the tests ask of a widget, through matrix-widget-api's WidgetApi only: request
// capabilities, record what notify_capabilities says, send a message, make a plain request.
// Tests reach `window.probe` over the DevTools protocol.
'use strict';

(function () {
    const params = new URLSearchParams(location.search);
    const widgetId = params.get('widgetId');
    const parentUrl = params.get('parentUrl') || '';
    const caps = (params.get('caps') || '').split(',').filter((c) => c.length > 0);

    // The host's origin, which replies must come from and requests go to. A custom scheme such as
    // tessera://app may have an opaque URL.origin in some engines, so build it by hand then.
    function originOf(u) {
        try {
            const x = new URL(u);
            return x.origin !== 'null' ? x.origin : x.protocol + '//' + x.host;
        } catch (e) {
            return null;
        }
    }
    const clientOrigin = originOf(parentUrl);
    if (params.get('quiet') === '1') {
        // PostmessageTransport logs every message it sends; the app's log has no use for them.
        console.log = function () {};
    }

    const state = {
        widgetId,
        clientOrigin,
        requested: caps,
        ready: false,
        readyAtMs: null,
        approved: null,
        notifications: [],
        sends: [],
        received: [],
        error: null,
    };

    function render() {
        const el = document.getElementById('status');
        if (el)
            el.textContent = JSON.stringify(state, null, 2);
    }

    let api = null;
    try {
        api = new mxwidgets.WidgetApi(widgetId, clientOrigin);
        for (const c of caps)
            api.requestCapability(c);
        api.on('action:notify_capabilities', (ev) => {
            // Not preventDefault(): the library acknowledges it.
            state.notifications.push(ev.detail.data);
            state.approved = ev.detail.data.approved || [];
            render();
        });
        // What the host pushes (room events, to-device messages), recorded for the tests.
        for (const action of ['send_event', 'send_to_device']) {
            api.on(`action:${action}`, (ev) => {
                ev.preventDefault();
                state.received.push({ action, data: ev.detail.data });
                api.transport.reply(ev.detail, {});
                render();
            });
        }
        api.on('ready', () => {
            state.ready = true;
            state.readyAtMs = performance.now();
            render();
        });
        api.start();
    } catch (e) {
        state.error = String(e && e.message || e);
    }
    document.addEventListener('DOMContentLoaded', render);

    window.probe = {
        state,
        /** Sends an m.text message through WidgetApi.sendRoomEvent; never throws. */
        async send(body) {
            const entry = { body };
            state.sends.push(entry);
            try {
                entry.result = await api.sendRoomEvent('m.room.message', { msgtype: 'm.text', body });
                entry.ok = true;
            } catch (e) {
                entry.ok = false;
                entry.error = String(e && e.message || e);
            }
            render();
            return entry;
        },
        /** A plain request of any action through the library's transport; never throws. */
        async request(action, data) {
            try {
                return { ok: true, response: await api.transport.send(action, data || {}) };
            } catch (e) {
                return { ok: false, error: String(e && e.message || e) };
            }
        },
    };
})();
