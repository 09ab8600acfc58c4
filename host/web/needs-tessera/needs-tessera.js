// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// Says which widget this is and that it needs Tessera, in the client's language (English or
// Spanish) and theme. Everything read from the address is shown with textContent, never as
// markup, and cut to a bounded length: anyone can publish a widget pointing here.
//
// As a widget it answers the client's Widget API requests (matrix-widget-api's ClientWidgetApi,
// Element's): it supports the base API versions, asks for no capability, follows theme changes,
// and refuses any other request with the error a widget gives for an action it does not know.
'use strict';

(function () {
    const MAX_TEXT = 200;
    const TEXTS = {
        en: {
            titleNamed: (name) => `${name} needs Tessera`,
            title: 'This widget needs Tessera',
            explain: 'It belongs to a Tessera plugin. Tessera shows it in this room; this app cannot.',
            open: 'Open this room in Tessera to use it.',
            plugin: 'Plugin',
            type: 'Widget type',
        },
        es: {
            titleNamed: (name) => `${name} necesita Tessera`,
            title: 'Este widget necesita Tessera',
            explain: 'Es de un complemento de Tessera. Tessera lo muestra en esta sala; esta aplicación no puede.',
            open: 'Abre esta sala en Tessera para usarlo.',
            plugin: 'Complemento',
            type: 'Tipo de widget',
        },
    };

    const params = new URLSearchParams(location.search);
    // A value the client did not fill in is still its template variable ($org.matrix…): unknown.
    const given = (key) => {
        const v = (params.get(key) || '').trim();
        return v.startsWith('$') ? '' : v.slice(0, MAX_TEXT);
    };

    function language() {
        const wanted = [given('lang'), ...(navigator.languages || [navigator.language || ''])];
        for (const tag of wanted) {
            const base = String(tag).toLowerCase().split(/[-_]/)[0];
            if (TEXTS[base])
                return base;
        }
        return 'en';
    }

    function applyTheme(name) {
        // Element's themes are "light", "dark" and "custom-…"; an unknown one follows the system.
        const theme = String(name || '').toLowerCase();
        document.documentElement.classList.toggle('dark', theme.includes('dark'));
        document.documentElement.classList.toggle('light', theme.includes('light'));
    }

    function render() {
        const lang = language();
        const t = TEXTS[lang];
        const name = given('name');
        document.documentElement.lang = lang;
        const title = name ? t.titleNamed(name) : t.title;
        document.title = title;
        document.getElementById('title').textContent = title;
        document.getElementById('explain').textContent = t.explain;
        document.getElementById('open').textContent = t.open;
        document.getElementById('plugin-label').textContent = t.plugin;
        document.getElementById('type-label').textContent = t.type;
        const plugin = given('plugin');
        const type = given('type');
        document.getElementById('plugin').textContent = plugin;
        document.getElementById('type').textContent = type;
        document.getElementById('plugin').previousElementSibling.hidden = !plugin;
        document.getElementById('plugin').hidden = !plugin;
        document.getElementById('type').previousElementSibling.hidden = !type;
        document.getElementById('type').hidden = !type;
        document.getElementById('details').hidden = !plugin && !type;
    }

    function answer(request) {
        switch (request.action) {
        case 'supported_api_versions':
            return { supported_versions: ['0.0.1', '0.0.2'] };
        case 'capabilities':
            return { capabilities: [] };
        case 'notify_capabilities':
            return {};
        case 'theme_change':
            applyTheme(request.data && request.data.name);
            return {};
        default:
            return { error: { message: 'Unknown or unsupported action: ' + request.action } };
        }
    }

    window.addEventListener('message', (event) => {
        // Only the client that embeds this page, and only its requests (not replies, not others').
        if (event.source !== window.parent || window.parent === window)
            return;
        const m = event.data;
        if (!m || typeof m !== 'object' || m.api !== 'toWidget' || typeof m.action !== 'string'
            || typeof m.requestId !== 'string' || typeof m.widgetId !== 'string' || m.response !== undefined)
            return;
        const reply = Object.assign({}, m, { response: answer(m) });
        event.source.postMessage(reply, event.origin === 'null' ? '*' : event.origin);
    });

    applyTheme(given('theme'));
    render();
})();
