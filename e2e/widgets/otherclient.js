// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The other client's side (see otherclient.html): it approves nothing beyond what the widget asks
// for, records what it asked for and whether the Widget API became ready, and lets the test
// change the theme as the user would in the client's settings.
'use strict';

window.otherClient = { ready: false, requested: null, url: null, error: null, themeChanged: null };

window.addEventListener('DOMContentLoaded', () => {
    try {
        const params = new URLSearchParams(location.search);
        const content = JSON.parse(params.get('widget'));
        const widget = new mxwidgets.Widget({ ...content, id: params.get('widgetId') });
        const roomId = params.get('room');
        // What Element fills in, then the two parameters Element adds for the widget API.
        const filled = new URL(widget.getCompleteUrl({
            widgetRoomId: roomId, currentUserId: params.get('user'), userDisplayName: 'Bea',
            userHttpAvatarUrl: '', clientId: 'io.element.web', clientTheme: params.get('theme'),
            clientLanguage: params.get('lang'),
        }));
        filled.searchParams.set('widgetId', widget.id);
        filled.searchParams.set('parentUrl', location.href);
        window.otherClient.url = filled.href;

        class Driver extends mxwidgets.WidgetDriver {
            validateCapabilities(requested) {
                window.otherClient.requested = Array.from(requested);
                return Promise.resolve(new Set(requested));
            }
        }
        const iframe = document.createElement('iframe');
        iframe.title = widget.name;
        iframe.setAttribute('sandbox', 'allow-forms allow-popups allow-popups-to-escape-sandbox allow-same-origin allow-scripts allow-modals allow-downloads');
        iframe.setAttribute('allow', '');
        iframe.src = filled.href;
        document.body.appendChild(iframe);
        const api = new mxwidgets.ClientWidgetApi(widget, iframe, new Driver());
        api.setViewedRoomId(roomId);
        api.on('ready', () => { window.otherClient.ready = true; });
        window.changeTheme = async (name) => {
            // The user picks another theme in the client: MSC2873's theme_change.
            const reply = await api.transport.send('theme_change', { name });
            window.otherClient.themeChanged = reply;
            return reply;
        };
    } catch (e) {
        window.otherClient.error = String(e && e.stack || e);
    }
});
