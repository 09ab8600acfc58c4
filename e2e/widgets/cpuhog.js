// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The CPU hog: a widget that stops answering. hog.start(frames) returns at once and then, from a
// task of its own, adds `frames` same-origin frames (they share its renderer and its main
// thread) and spins forever. Nothing on that thread runs again: not the widget's scripts, not
// the host's heartbeat answer. Tests reach `window.hog` over the DevTools protocol.
'use strict';

(function () {
    const { state } = startTestWidget();
    state.frames = 0;
    state.spinning = false;

    window.hog = {
        state,
        start(frames) {
            setTimeout(() => {
                for (let i = 0; i < frames; ++i) {
                    const f = document.createElement('iframe');
                    f.srcdoc = '<p>frame ' + i + '</p>';
                    f.width = '4';
                    f.height = '4';
                    document.body.appendChild(f);
                    state.frames = i + 1;
                }
                state.spinning = true;
                let n = 0;
                for (;;)
                    n = (n + 1) | 0;
            }, 0);
            return true;
        },
    };
})();
