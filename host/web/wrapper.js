// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The page each widget iframe lives in. It owns the only QWebChannel transport a widget could
// ever reach, so it trusts nothing from the frame: a message is forwarded only if it comes from
// the widget's own window *and* the widget's origin, and replies go only to that origin.
'use strict';

(function () {
    const BLOB_KEY = 'io.tessera.blob';
    // Above this the wrapper does not even serialise a message; the host refuses anything over
    // its own (smaller) limit and audits it, so both sizes reach the log.
    const HARD_LIMIT_BYTES = 16 * 1024 * 1024;
    // The heartbeat (framewatch.js, injected into the widget's frame): the host pings through
    // the port, the wrapper answers at once and passes the ping on to the frame.
    const HEARTBEAT = 'io.tessera.heartbeat';

    let port = null;
    let iframe = null;
    let widgetOrigin = null;
    let queue = Promise.resolve(); // keeps messages in order while blobs are read
    let frameAnswers = false;      // the widget's document answers pings (since its 'hello')
    let frameLastAnswer = 0;

    function report(kind, detail, size) {
        if (port)
            port.refused(kind, String(detail || ''), size | 0);
    }

    function blobToBase64(blob) {
        return new Promise((resolve, reject) => {
            const reader = new FileReader();
            reader.onload = () => {
                const url = String(reader.result);
                resolve(url.slice(url.indexOf(',') + 1));
            };
            reader.onerror = () => reject(reader.error);
            reader.readAsDataURL(blob);
        });
    }

    // upload_file carries a Blob (MSC4039); JSON cannot, so it travels as base64.
    async function encodeBlobs(message) {
        const data = message && message.data;
        if (!data || typeof data !== 'object')
            return message;
        let file = data.file;
        if (file instanceof ArrayBuffer || ArrayBuffer.isView(file))
            file = new Blob([file]);
        if (file instanceof Blob) {
            if (file.size > HARD_LIMIT_BYTES)
                throw new Error('file of ' + file.size + ' bytes is too large');
            data.file = {};
            data.file[BLOB_KEY] = { base64: await blobToBase64(file), type: file.type || '', name: file.name || '' };
        }
        return message;
    }

    function base64ToBlob(b64, type) {
        const bytes = atob(b64);
        const buffer = new Uint8Array(bytes.length);
        for (let i = 0; i < bytes.length; ++i)
            buffer[i] = bytes.charCodeAt(i);
        return new Blob([buffer], { type: type || '' });
    }

    // download_file answers with a Blob, as matrix-widget-api widgets expect.
    function decodeBlobs(message) {
        const response = message && message.response;
        const file = response && response.file;
        if (file && typeof file === 'object' && file[BLOB_KEY])
            response.file = base64ToBlob(file[BLOB_KEY].base64, file[BLOB_KEY].type);
        return message;
    }

    function onMessage(ev) {
        if (!iframe || ev.source !== iframe.contentWindow) {
            report('wrong-source', ev.origin, 0); // a nested frame, a popup, or the page itself
            return;
        }
        if (ev.origin !== widgetOrigin) {
            report('wrong-origin', ev.origin, 0); // the frame navigated away from the widget's origin
            return;
        }
        const data = ev.data;
        if (data && typeof data === 'object' && typeof data[HEARTBEAT] === 'string') {
            if (data[HEARTBEAT] === 'leaving') {
                frameAnswers = false; // navigating: the next document says hello
            } else {
                frameAnswers = true;
                frameLastAnswer = Date.now();
            }
            return;
        }
        queue = queue.then(async () => {
            let text;
            try {
                text = JSON.stringify(await encodeBlobs(data));
            } catch (e) {
                report('unserialisable', e && e.message, 0);
                return;
            }
            if (typeof text !== 'string') {
                report('unserialisable', typeof data, 0);
                return;
            }
            if (text.length > HARD_LIMIT_BYTES) {
                report('too-large', 'message not forwarded', text.length);
                return;
            }
            port.fromWidget(text);
        });
    }

    function deliver(text) {
        if (!iframe || !iframe.contentWindow)
            return;
        let message;
        try {
            message = decodeBlobs(JSON.parse(text));
        } catch (e) {
            return;
        }
        // Never '*': only the widget's origin may read what the host says.
        iframe.contentWindow.postMessage(message, widgetOrigin);
    }

    // The wrapper's policy lets its frame show the widget's origin and nothing else. When the
    // widget (or a redirect) sends the frame elsewhere, another origin or one of Tessera's own
    // pages, Chromium blocks it and tells this page; the host audits it. The widget cannot
    // raise or silence this event: it fires in the wrapper's document only.
    document.addEventListener('securitypolicyviolation', (ev) => {
        if (ev.effectiveDirective === 'frame-src' || ev.effectiveDirective === 'child-src')
            report('frame-navigation', ev.blockedURI, 0);
    });

    // Answers the host's ping with how long the frame has been silent (0 while no document of
    // the widget answers, e.g. still loading), then pings the frame.
    function heartbeat(seq) {
        port.pulse(seq, frameAnswers ? Date.now() - frameLastAnswer : 0);
        if (iframe && iframe.contentWindow) {
            const ping = {};
            ping[HEARTBEAT] = 'ping';
            ping.seq = seq;
            iframe.contentWindow.postMessage(ping, widgetOrigin);
        }
    }

    function start(config) {
        widgetOrigin = config.origin;
        document.documentElement.dataset.theme = config.theme || 'light';
        iframe = document.createElement('iframe');
        iframe.id = 'widget';
        iframe.title = config.title || config.widgetId;
        iframe.setAttribute('sandbox', config.sandbox);
        if (config.allow)
            iframe.setAttribute('allow', config.allow);
        iframe.setAttribute('referrerpolicy', 'no-referrer');
        iframe.setAttribute('allowfullscreen', '');
        iframe.addEventListener('load', () => port.frameLoaded());
        window.addEventListener('message', onMessage);
        port.toWidget.connect(deliver);
        port.heartbeat.connect(heartbeat);
        port.unload.connect(() => {
            // Removing the frame unloads the widget, which releases cameras and microphones
            // before the view itself goes away.
            window.removeEventListener('message', onMessage);
            port.heartbeat.disconnect(heartbeat);
            frameAnswers = false;
            iframe.remove();
            iframe = null;
        });
        iframe.src = config.url;
        document.getElementById('frame-host').appendChild(iframe);
    }

    new QWebChannel(qt.webChannelTransport, (channel) => {
        port = channel.objects.port;
        port.config((text) => start(JSON.parse(text)));
    });
})();
