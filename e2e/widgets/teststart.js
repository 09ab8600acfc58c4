// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The start the hostile test widgets share: read widgetId and parentUrl from the query, work out
// the host's origin, silence matrix-widget-api's per-message logging and start a WidgetApi.
// startTestWidget() returns { api, state } where state.ready turns true on the host's "ready".
'use strict';

window.startTestWidget = function () {
    const params = new URLSearchParams(location.search);
    // A custom scheme such as tessera://app may have an opaque URL.origin: build it by hand then.
    const originOf = (u) => {
        try {
            const x = new URL(u);
            return x.origin !== 'null' ? x.origin : x.protocol + '//' + x.host;
        } catch (e) {
            return null;
        }
    };
    console.log = function () {}; // matrix-widget-api logs every message
    const state = { ready: false };
    const api = new mxwidgets.WidgetApi(params.get('widgetId'), originOf(params.get('parentUrl') || ''));
    api.on('ready', () => {
        state.ready = true;
    });
    api.start();
    return { api, state };
};
