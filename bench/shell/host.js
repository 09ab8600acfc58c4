// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The ClientWidgetApi host page. Query parameters: run (the benchmark run), widgetBase (where the
// widget is served; another site than this page, so each widget gets its own renderer process
// as in Tessera and Element), caps (passed on to the widget), slot (the first widget's name).
// More widgets are added when the benchmark's server orders it ("add"), as a user would.
// The driver approves every capability the widget asks for and answers read_events from a
// fixed room shaped like Tessera's, so the replies are the same size on both sides.
'use strict';

(function () {
    const params = new URLSearchParams(location.search);
    const run = params.get('run') || '';
    const widgetBase = params.get('widgetBase');
    const caps = params.get('caps') || '';
    const ROOM_ID = '!bench:localhost';
    const USER_ID = '@bench:localhost';

    // The library logs every message it sends; silenced the same way in the widget.
    console.log = function () {};

    let room = [];

    class BenchDriver extends mxwidgets.WidgetDriver {
        validateCapabilities(requested) {
            return Promise.resolve(new Set(requested));
        }
        readRoomTimeline(roomId, eventType, msgtype, stateKey, limit) {
            const out = [];
            if (roomId !== ROOM_ID)
                return Promise.resolve(out);
            for (let i = room.length - 1; i >= 0 && (!limit || out.length < limit); --i) {
                const ev = room[i];
                if (ev.type !== eventType || (msgtype !== undefined && ev.content.msgtype !== msgtype))
                    continue;
                if ((stateKey !== undefined) !== (ev.state_key !== undefined))
                    continue;
                out.push(ev);
            }
            return Promise.resolve(out);
        }
        readRoomState() {
            return Promise.resolve([]);
        }
        getKnownRooms() {
            return [ROOM_ID];
        }
    }

    const widgets = [];

    function addWidget(slot) {
        const id = 'bench_' + slot;
        const url = `${widgetBase}/widget.html?slot=${encodeURIComponent(slot)}&run=${encodeURIComponent(run)}`
            + `&caps=${encodeURIComponent(caps)}&widgetId=${encodeURIComponent(id)}&parentUrl=${encodeURIComponent(location.href)}`;
        const widget = new mxwidgets.Widget({
            id,
            creatorUserId: USER_ID,
            type: 'm.custom',
            url,
            name: slot,
            data: {},
            waitForIframeLoad: true,
        });
        const iframe = document.createElement('iframe');
        iframe.title = slot;
        // What Element gives a room widget.
        iframe.setAttribute('sandbox', 'allow-forms allow-popups allow-popups-to-escape-sandbox allow-same-origin allow-scripts allow-modals allow-downloads');
        iframe.setAttribute('allow', '');
        iframe.src = url;
        document.getElementById('frames').appendChild(iframe);
        const api = new mxwidgets.ClientWidgetApi(widget, iframe, new BenchDriver());
        api.setViewedRoomId(ROOM_ID);
        widgets.push({ slot, api, iframe });
    }

    function report(body) {
        return fetch('/report', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(Object.assign({ run, slot: 'host' }, body)),
        }).catch(() => {});
    }

    async function orders() {
        let seq = 0;
        for (;;) {
            let order;
            try {
                const r = await fetch(`/order?run=${encodeURIComponent(run)}&slot=host&after=${seq}`);
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
            if (order.op === 'room') {
                room = order.events;
                await report({ kind: 'room', seq, events: room.length });
            } else if (order.op === 'add') {
                addWidget(order.slot);
                await report({ kind: 'added', seq, slot: order.slot });
            }
        }
    }

    document.addEventListener('DOMContentLoaded', () => {
        addWidget(params.get('slot') || 'w0');
        orders();
    });
})();
