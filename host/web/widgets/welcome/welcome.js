// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// The welcome room's widget: a minimal client of the Matrix Widget API (no library), to show
// what a widget can do once the user allows it.
'use strict';

(function () {
    const params = new URLSearchParams(location.search);
    const widgetId = params.get('widgetId') || '';
    const hostOrigin = new URL(params.get('parentUrl') || 'tessera://app/').origin;
    const targetOrigin = hostOrigin === 'null' ? 'tessera://app' : hostOrigin;
    const SEND = 'org.matrix.msc2762.send.event:m.room.message#m.text';
    const RECEIVE = 'org.matrix.msc2762.receive.event:m.room.message';
    const pending = new Map();
    let nextId = 1;
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

    function post(message) {
        window.parent.postMessage(message, targetOrigin);
    }

    function request(action, data) {
        const requestId = 'welcome-' + (nextId++);
        post({ api: 'fromWidget', widgetId, requestId, action, data });
        return new Promise((resolve, reject) => {
            pending.set(requestId, { resolve, reject });
            setTimeout(() => {
                if (pending.delete(requestId))
                    reject(new Error('Request timed out'));
            }, 10000);
        });
    }

    function reply(message, response) {
        post(Object.assign({}, message, { response }));
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

    window.addEventListener('message', (ev) => {
        if (ev.source !== window.parent || ev.origin !== hostOrigin && ev.origin !== targetOrigin)
            return;
        const m = ev.data;
        if (!m || typeof m !== 'object' || m.widgetId !== widgetId)
            return;
        if (m.api === 'fromWidget' && m.response) {
            const p = pending.get(m.requestId);
            if (!p)
                return;
            pending.delete(m.requestId);
            if (m.response.error)
                p.reject(new Error(m.response.error.message));
            else
                p.resolve(m.response);
            return;
        }
        if (m.api !== 'toWidget')
            return;
        switch (m.action) {
        case 'supported_api_versions':
            return reply(m, { supported_versions: ['0.0.1', '0.0.2', 'org.matrix.msc2762', 'org.matrix.msc2871'] });
        case 'capabilities':
            approved = null;
            showStatus();
            return reply(m, { capabilities: [RECEIVE, SEND] });
        case 'notify_capabilities':
            approved = (m.data && m.data.approved) || [];
            reply(m, {});
            showStatus();
            return loadRecent();
        case 'send_event':
            if (m.data && m.data.type === 'm.room.message')
                addMessage(m.data, false);
            return reply(m, {});
        case 'theme_change':
            document.documentElement.classList.toggle('dark', !!(m.data && m.data.name === 'dark'));
            return reply(m, {});
        case 'language_change':
            lang = m.data && String(m.data.lang).slice(0, 2) === 'es' ? 'es' : 'en';
            render();
            return reply(m, {});
        default:
            return reply(m, {});
        }
    });

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
