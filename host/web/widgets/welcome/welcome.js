// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The welcome room's widget, to show what a widget can do once the user allows it. It talks to
// Tessera through the SDK's page helper (plugin-api/web/tessera-widget.js), as plugin pages do.
'use strict';

(function () {
    const params = new URLSearchParams(location.search);
    const SEND = 'org.matrix.msc2762.send.event:m.room.message#m.text';
    const RECEIVE = 'org.matrix.msc2762.receive.event:m.room.message';
    let approved = [];

    const texts = {
        en: {
            title: 'Welcome to Tessera',
            intro: "This is a widget: a small web app that lives in this room. It talks to Tessera through the Matrix Widget API, and it can only do what you allow. Approve its request to let it read this room's messages and post a message as you.",
            permissions: 'Permissions', recent: 'Recent messages', none: 'Nothing to show yet.',
            waiting: 'Waiting for your decision…', send: 'Send', placeholder: 'Say hello from the widget',
            granted: (n) => 'Allowed: ' + n, deniedAll: 'You did not allow anything: this widget can only show this page.',
            read: 'read messages', write: 'send messages as you',
        },
        es: {
            title: 'Te damos la bienvenida a Tessera',
            intro: 'Esto es un widget: una pequeña aplicación web que vive en esta sala. Habla con Tessera mediante la API de widgets de Matrix y solo puede hacer lo que permitas. Aprueba su solicitud para que lea los mensajes de esta sala y publique un mensaje en tu nombre.',
            permissions: 'Permisos', recent: 'Mensajes recientes', none: 'Nada que mostrar todavía.',
            waiting: 'Esperando tu decisión…', send: 'Enviar', placeholder: 'Saluda desde el widget',
            granted: (n) => 'Permitido: ' + n, deniedAll: 'No permitiste nada: este widget solo puede mostrar esta página.',
            read: 'leer mensajes', write: 'enviar mensajes en tu nombre',
        },
    };
    let lang = (params.get('lang') || navigator.language || 'en').slice(0, 2) === 'es' ? 'es' : 'en';
    const $ = (id) => document.getElementById(id);
    document.documentElement.classList.toggle('dark', params.get('theme') === 'dark');

    function t() { return texts[lang]; }

    function render() {
        $('title').textContent = t().title;
        $('intro').textContent = t().intro;
        $('status-heading').textContent = t().permissions;
        $('recent-heading').textContent = t().recent;
        $('send').textContent = t().send;
        $('text').placeholder = t().placeholder;
        const none = $('no-messages');
        if (none)
            none.textContent = t().none;
        showStatus();
    }

    function showStatus() {
        const status = $('status');
        if (approved === null) {
            status.textContent = t().waiting;
            return;
        }
        const names = [];
        if (approved.includes(RECEIVE))
            names.push(t().read);
        if (approved.includes(SEND))
            names.push(t().write);
        status.textContent = names.length ? t().granted(names.join(', ')) : t().deniedAll;
        status.className = names.length ? 'ok' : 'muted';
        $('send').disabled = !approved.includes(SEND);
    }

    function addMessage(event, atTop) {
        const list = $('messages');
        const none = $('no-messages');
        if (none)
            none.remove();
        const li = document.createElement('li');
        const who = document.createElement('span');
        who.className = 'who';
        who.textContent = (event.sender || '').replace(/^@/, '').split(':')[0];
        const body = document.createElement('span');
        body.textContent = (event.content && event.content.body) || '';
        li.append(who, body);
        if (atTop)
            list.prepend(li);
        else
            list.append(li);
        while (list.children.length > 8)
            list.firstElementChild.remove();
    }

    async function loadRecent() {
        if (!approved.includes(RECEIVE))
            return;
        try {
            const r = await request('org.matrix.msc2876.read_events', { type: 'm.room.message', limit: 5 });
            (r.events || []).slice().reverse().forEach((e) => addMessage(e, false));
        } catch (e) {
            $('error').textContent = e.message;
        }
    }

    const widget = TesseraWidget.connect({
        requestPrefix: 'welcome',
        capabilities: [RECEIVE, SEND],
        onAsked() {
            approved = null;
            showStatus();
        },
        onCapabilities(list) {
            approved = list;
            showStatus();
            loadRecent();
        },
        onEvent(event) {
            if (event.type === 'm.room.message')
                addMessage(event, false);
        },
        onTheme(name) {
            document.documentElement.classList.toggle('dark', name === 'dark');
        },
        onLanguage(code) {
            lang = String(code).slice(0, 2) === 'es' ? 'es' : 'en';
            render();
        },
    });
    const request = (action, data) => widget.request(action, data);

    $('composer').addEventListener('submit', async (ev) => {
        ev.preventDefault();
        const text = $('text').value.trim();
        if (!text)
            return;
        $('error').textContent = '';
        try {
            await request('send_event', { type: 'm.room.message', content: { msgtype: 'm.text', body: text } });
            $('text').value = '';
        } catch (e) {
            $('error').textContent = e.message;
        }
    });

    approved = null;
    render();
})();
