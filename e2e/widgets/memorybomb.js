// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The memory bomb: bomb.start() returns at once and then keeps every array it makes until V8
// reaches its heap limit, which ends the widget's renderer process (Chromium's "out of memory"
// crash). The test bounds the heap (--js-flags=--max-old-space-size) so that the machine
// running it keeps its memory. Tests reach `window.bomb` over the DevTools protocol.
'use strict';

(function () {
    const { state } = startTestWidget();

    const keep = [];
    window.bomb = {
        state,
        start() {
            setTimeout(() => {
                for (;;)
                    keep.push(new Array(1 << 20).fill(keep.length));
            }, 0);
            return true;
        },
    };
})();
