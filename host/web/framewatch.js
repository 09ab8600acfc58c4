// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// Injected by the widget view into the widget's frame, in an isolated world the widget's own
// scripts cannot see or change. It answers the wrapper's heartbeat, so the host notices a
// widget whose renderer hangs or dies (the frame runs in a process of its own, which Qt does
// not report on): a frame that stops answering gets the "not responding" page.
//
// It runs on the same thread as the widget's scripts: a widget stuck in a loop cannot answer,
// which is the point. It reveals nothing to the widget and takes nothing from it; a widget
// could only answer in its place, which keeps nobody but itself from being noticed.
'use strict';

(function () {
    const KEY = 'io.tessera.heartbeat';
    const WRAPPER_ORIGIN = 'tessera://app';
    // Only the widget's own frame: a direct child of the wrapper page, with the widget's origin
    // (not the frame's first about:blank document, which still has the wrapper's).
    if (window.top === window || window.parent !== window.top)
        return;
    if (location.protocol === 'about:' || location.origin === WRAPPER_ORIGIN)
        return;
    const wrapper = window.parent;

    function tell(what, seq) {
        const message = {};
        message[KEY] = what;
        message.seq = seq | 0;
        try {
            wrapper.postMessage(message, WRAPPER_ORIGIN);
        } catch (e) {
            // the wrapper is going away
        }
    }

    // Registered before any script of the page runs, so the ping stops here and the widget's
    // own message handlers never see it.
    window.addEventListener('message', (ev) => {
        if (ev.source !== wrapper || ev.origin !== WRAPPER_ORIGIN)
            return;
        const data = ev.data;
        if (!data || typeof data !== 'object' || data[KEY] !== 'ping')
            return;
        ev.stopImmediatePropagation();
        tell('pong', data.seq);
    }, true);
    // A page that navigates stops answering until the next one starts: not a hang.
    window.addEventListener('pagehide', () => tell('leaving', 0), true);
    tell('hello', 0);
})();
