// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// What a person does in Tessera's shell, step by step, for the scenarios: answer the consent
// dialog, type into the composer, open a widget's tab, read the timeline. Everything goes through
// the automation socket (clicks and typing on the real QML items) and the DevTools protocol (inside
// widget frames); nothing here reads pixels.

import { check } from './scenario.mjs';
import { waitUntil } from './app.mjs';

/** The capability matrix-widget-api's WidgetApi asks for to send m.text messages. */
export const SEND_TEXT = 'org.matrix.msc2762.send.event:m.room.message#m.text';

/** The URL of the probe widget (e2e/widgets/probe.html) on @p fixture, asking for @p caps. */
export function probeUrl(fixture, caps = [], extra = {}) {
    const q = new URLSearchParams({ quiet: '1', ...extra });
    if (caps.length > 0)
        q.set('caps', caps.join(','));
    return `${fixture.origin}/widgets/probe.html?${q}`;
}

/** The first consent prompt, once the dialog shows it and it satisfies @p pred. */
export async function waitPrompt(app, pred, what, timeoutMs = 30000) {
    return waitUntil(async () => {
        const rows = await app.model('consentPrompts');
        if (rows.length === 0 || !pred(rows[0]))
            return null;
        const dialog = await app.find('consentDialog');
        const title = await app.find('consentTitle');
        return dialog.visible && title.visible ? { prompt: rows[0], title: title.text } : null;
    }, timeoutMs, what);
}

/**
 * Answers the prompt on show: @p approve or deny, remembering it or not (the dialog's checkbox,
 * which starts checked). Waits for that prompt to leave the queue.
 */
export async function answerPrompt(app, promptId, { approve, remember = true }) {
    const box = await app.find('consentRemember');
    if (box.checked !== remember)
        await app.click('consentRemember');
    check((await app.find('consentRemember')).checked === remember, 'the "Remember my choice" box did not take the click');
    await app.click(approve ? 'consentApprove' : 'consentDeny');
    await waitUntil(async () => !(await app.model('consentPrompts')).some((p) => p.promptId === promptId),
                    10000, `prompt ${promptId} to be answered`);
}

/**
 * The local rooms' first run loads the welcome widget, which asks for its own capabilities;
 * a scenario about another widget says no to it (remembered, so it does not ask again).
 */
export async function declineWelcome(app) {
    const { prompt } = await waitPrompt(app, (p) => p.widgetId === 'tessera_welcome', 'the welcome widget to ask for consent', 45000);
    await answerPrompt(app, prompt.promptId, { approve: false, remember: true });
    await app.waitWidget((w) => w.widgetId === 'tessera_welcome' && w.state === 'ready', 20000, 'the welcome widget to settle');
}

/**
 * Opens the room whose row in the room list shows @p name (once the list has it), with a click
 * on that row, and waits until the room is the open one.
 */
export async function openRoom(app, name, timeoutMs = 30000) {
    const rooms = await waitUntil(async () => {
        const r = await app.model('rooms');
        return r.some((x) => JSON.stringify(x).includes(name)) ? r : null;
    }, timeoutMs, `${name} in the room list`);
    await app.click(`room_${rooms.findIndex((x) => JSON.stringify(x).includes(name))}`);
    await waitUntil(async () => (await app.property('', 'currentRoomName')) === name, 10000, `${name} to open`);
}

/**
 * Signs in on the login page with a password: the homeserver first (as --homeserver filled it
 * in), then the user and password; waits for the page to go, or throws with what it says.
 */
export async function signInWithPassword(app, user, password) {
    const said = async (e) => {
        const error = await app.find('loginError');
        return new Error(`${e.message}; the login page says: ${error.visible ? error.text : '(nothing)'}`);
    };
    await app.waitVisible('loginPage');
    await app.click('loginContinue');
    await app.waitVisible('loginUser', 30000).catch(async (e) => { throw await said(e); });
    await app.setText('loginUser', user);
    await app.setText('loginPassword', password);
    await app.click('loginSubmit');
    await app.waitHidden('loginPage', 30000).catch(async (e) => { throw await said(e); });
}

/** Types @p text into the composer and presses Send; returns the composer's error line ('' if none). */
export async function submitComposer(app, text) {
    await app.waitVisible('composerInput');
    await app.setText('composerInput', text);
    check((await app.find('composerInput')).text === text, 'the composer did not take the text', await app.find('composerInput'));
    await app.click('composerSend');
    const error = await app.find('composerError');
    return error.visible ? error.text : '';
}

/**
 * Adds a widget with `/widget URL NAME` from the composer and waits until it is the open tab of
 * the panel; returns its `widgets` entry.
 */
export async function addWidget(app, url, name) {
    const before = new Set((await app.widgets()).map((w) => w.widgetId));
    const error = await submitComposer(app, `/widget ${url} ${name}`);
    check(error === '', `/widget ${url} was refused`, error);
    const widget = await app.waitWidget((w) => !before.has(w.widgetId) && w.name === name, 20000, `widget ${name} to appear`);
    await waitUntil(async () => (await app.property('', 'activeWidgetId')) === widget.widgetId, 10000, `the tab of ${name} to open`);
    return widget;
}

/** Waits until the current room's timeline (the shell's model) has a row satisfying @p pred. */
export function waitTimeline(app, pred, what, timeoutMs = 20000) {
    return waitUntil(async () => (await app.timeline()).find(pred) || null, timeoutMs, what);
}
