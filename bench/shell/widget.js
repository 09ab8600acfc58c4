// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The measurement widget. Query parameters: widgetId and parentUrl (the embedding parameters
// every host adds), slot (its name in the benchmark), run (the benchmark run it belongs to),
// caps (capabilities to request, comma-separated).
//
// On load it starts matrix-widget-api's WidgetApi and at once sends supported_api_versions; the
// moment that first reply arrives is its cold-start mark. Then it long-polls the benchmark's
// server for orders ("time": N sequential requests after a warm-up) and posts back every sample,
// measured with performance.now() from just before the request is handed to the library to just
// after the library resolves its reply.
'use strict';

(function () {
    const params = new URLSearchParams(location.search);
    const widgetId = params.get('widgetId');
    const parentUrl = params.get('parentUrl') || '';
    const slot = params.get('slot') || 'w0';
    const run = params.get('run') || '';
    const caps = (params.get('caps') || '').split(',').filter((c) => c.length > 0);

    // PostmessageTransport logs every message it sends; silenced the same way in every host.
    console.log = function () {};

    // The host's origin. A custom scheme (tessera://app) may report an opaque origin; build it.
    function originOf(u) {
        try {
            const x = new URL(u);
            return x.origin !== 'null' ? x.origin : x.protocol + '//' + x.host;
        } catch (e) {
            return null;
        }
    }

    const status = { slot, widgetId, phase: 'starting', ready: false, approved: null, error: null };
    function show() {
        const el = document.getElementById('status');
        if (el)
            el.textContent = JSON.stringify(status, null, 1);
    }

    function post(body) {
        return fetch('/report', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(Object.assign({ run, slot, widgetId }, body)),
        }).catch(() => {});
    }

    const api = new mxwidgets.WidgetApi(widgetId, originOf(parentUrl));
    for (const c of caps)
        api.requestCapability(c);
    api.on('action:notify_capabilities', (ev) => {
        status.approved = (ev.detail.data && ev.detail.data.approved) || [];
        show();
        post({ kind: 'capabilities', approved: status.approved });
    });
    api.on('ready', () => {
        status.ready = true;
        show();
        post({ kind: 'ready', wallMs: performance.timeOrigin + performance.now(), sinceNavigationMs: performance.now() });
    });
    api.start();

    // The library caches getClientVersions(); the transport is what sends a real request.
    const requests = {
        versions: () => api.transport.send('supported_api_versions', {}),
        read: () => api.readRoomEvents('m.room.message', 10),
    };

    (async function firstReply() {
        const t0 = performance.now();
        try {
            const reply = await requests.versions();
            const t1 = performance.now();
            status.phase = 'first reply';
            show();
            post({
                kind: 'first',
                wallMs: performance.timeOrigin + t1,
                sinceNavigationMs: t1,
                requestSentMs: t0,
                versions: reply && reply.supported_versions,
            });
        } catch (e) {
            status.error = String((e && e.message) || e);
            show();
            post({ kind: 'error', where: 'first', error: status.error });
        }
    })();

    async function time(order) {
        const send = requests[order.request];
        if (!send)
            throw new Error('unknown request ' + order.request);
        let lastReply = null;
        for (let i = 0; i < order.warmup; ++i)
            lastReply = await send();
        const samples = new Array(order.n);
        const start = performance.now();
        for (let i = 0; i < order.n; ++i) {
            const t0 = performance.now();
            lastReply = await send();
            samples[i] = performance.now() - t0;
        }
        const elapsedMs = performance.now() - start;
        const text = JSON.stringify(lastReply);
        return {
            samples: samples.map((s) => Math.round(s * 1000) / 1000),
            elapsedMs,
            replyEvents: Array.isArray(lastReply) ? lastReply.length : null,
            replyBytes: text ? text.length : 0,
            reply: order.keepReply ? lastReply : undefined,
        };
    }

    (async function orders() {
        let seq = 0;
        for (;;) {
            let order;
            try {
                const r = await fetch(`/order?run=${encodeURIComponent(run)}&slot=${encodeURIComponent(slot)}&after=${seq}`);
                order = await r.json();
            } catch (e) {
                await new Promise((res) => setTimeout(res, 500));
                continue;
            }
            if (!order || order.op === 'none')
                continue;
            if (order.op === 'stop')
                return;
            seq = order.seq;
            status.phase = `timing ${order.request}`;
            show();
            try {
                const result = await time(order);
                await post(Object.assign({ kind: 'timed', seq: order.seq, request: order.request }, result));
            } catch (e) {
                await post({ kind: 'error', where: 'time', seq: order.seq, error: String((e && e.message) || e) });
            }
            status.phase = 'idle';
            show();
        }
    })();
})();
