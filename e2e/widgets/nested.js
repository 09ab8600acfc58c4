// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
'use strict';

(function () {
    const via = new URLSearchParams(location.search).get('via') || 'unknown';
    const info = parent.evilInfo || {}; // same origin as the widget that holds this frame
    const result = { via, attempts: [] };
    function attempt(name, fn) {
        try {
            fn();
            result.attempts.push({ name, threw: false });
        } catch (e) {
            result.attempts.push({ name, threw: true, error: (e && e.name ? e.name + ': ' : '') + (e && e.message) });
        }
    }
    // A well-formed request with the widget's own id, from the wrong window.
    attempt('post to the wrapper as the widget', () => top.postMessage({
        api: 'fromWidget', widgetId: info.widgetId, requestId: 'evil-nested-' + via,
        action: 'supported_api_versions', data: {},
    }, info.clientOrigin));
    attempt('top.location', () => { top.location = location.origin + '/landing?via=nested-' + via; });
    attempt('read top.qt', () => { result.topQt = typeof top.qt; });
    parent.postMessage({ evilNested: result }, location.origin);
})();
