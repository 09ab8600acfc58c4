// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// Element Call in Tessera, on the real binary: the real embedded build from npm
// (@element-hq/element-call-embedded), served on 127.0.0.1, published as a room widget on the test
// homeserver with the URL parameters Element gives it. It loads, negotiates (the consent dialog
// lists what Tessera does not implement as "not supported by Tessera"), reaches its lobby, and its
// Join button, clicked with real input, sends io.element.join: the tab and the room list say
// "in call". There is no media server here, so the call then fails the way Element Call fails
// (its own error screen); Tessera's state follows what the widget says, and the widget's own
// Close (io.element.close) closes it. On the local rooms, without a Matrix server, the same
// widget shows "This widget needs a Matrix server", and a page that never starts the Widget API
// shows that it did not. The trusted call service, named on the Permissions page with real
// input: a look-alike origin (the same server as localhost) trusts nothing, and the consent
// dialog comes as before; the service's exact origin gives Element Call what a call needs by the
// rule, audited as the rule's, and it reaches its lobby without a dialog.

import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import { check, runScenario } from '../lib/scenario.mjs';
import { addWidget, answerPrompt, declineWelcome, openRoom, signInWithPassword, submitComposer, waitPrompt } from '../lib/shell.mjs';
import { waitUntil } from '../lib/app.mjs';
import { WidgetPointer } from '../lib/pointer.mjs';

const SERVER_NAME = 'tessera.test';
const ALICE = 'alice';
const PASSWORD = 'correct horse';
const ROOM_NAME = 'Standup';
const WIDGET_ID = 'e2e_element_call';

/**
 * Element Call's widget URL as Element builds it for a call widget (ElementCall.generateWidgetUrl),
 * with template variables where Element fills in its own values, so that the host fills them.
 */
function elementCallUrl(fixture) {
    const params = [
        'confineToRoom=true', 'skipLobby=$skipLobby', 'returnToLobby=$returnToLobby', 'intent=$intent',
        'perParticipantE2EE=$perParticipantE2EE', 'header=none', 'userId=$matrix_user_id',
        'deviceId=$org.matrix.msc3819.matrix_device_id', 'roomId=$matrix_room_id',
        'baseUrl=$org.matrix.msc4039.matrix_base_url', 'lang=$org.matrix.msc2873.client_language', 'fontScale=1',
        'theme=$org.matrix.msc2873.client_theme', 'sendNotificationType=notification', 'preload=false',
    ];
    return `${fixture.origin}/element-call/index.html#?${params.join('&')}`;
}

const WIDGET_DATA = { skipLobby: false, returnToLobby: false, intent: 'start_call', perParticipantE2EE: false };

async function seed(ctx, fixture) {
    const aliceId = `@${ALICE}:${SERVER_NAME}`;
    const doc = {
        users: [{ user: ALICE, password: PASSWORD, displayname: 'Alice' }],
        rooms: [{
            creator: ALICE,
            alias: 'standup',
            name: ROOM_NAME,
            preset: 'public_chat',
            state: [{
                sender: ALICE,
                type: 'm.widget',
                state_key: WIDGET_ID,
                // As Element adds its call widget: Element Call says content_loaded itself.
                content: { type: 'm.call', url: elementCallUrl(fixture), name: 'Element Call', data: WIDGET_DATA,
                           creatorUserId: aliceId, id: WIDGET_ID, waitForIframeLoad: false },
            }],
        }],
    };
    const file = path.join(ctx.work, 'seed.json');
    await writeFile(file, JSON.stringify(doc, null, 2));
    return ctx.homeserver(['--server-name', SERVER_NAME, '--seed', file]);
}

/** Where the first element @p js yields is in the frame, and whether a person could see and click it. */
function visibility(js) {
    return `(() => { const e = ${js}; if (!e) return null; const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
        const x = r.left + r.width / 2, y = r.top + r.height / 2;
        const hit = document.elementFromPoint(x, y);
        return { width: r.width, height: r.height, x, y, display: s.display, visibility: s.visibility, opacity: s.opacity,
                 inView: x >= 0 && y >= 0 && x < innerWidth && y < innerHeight,
                 onTop: !!hit && (hit === e || e.contains(hit)), text: e.textContent.trim().slice(0, 80),
                 covered: hit && !(hit === e || e.contains(hit)) ? hit.outerHTML.slice(0, 160) : '' }; })()`;
}
const isVisible = (v) => v && v.width > 0 && v.height > 0 && v.display !== 'none' && v.visibility !== 'hidden'
    && Number(v.opacity) > 0 && v.inView && v.onTop;

runScenario('e2e.shell.calls', async (ctx) => {
    const fixture = await ctx.fixtureServer();

    ctx.phase('an administrator\'s configuration file names the call service: a standing rule, listed and audited as the file\'s');
    const config = path.join(ctx.work, 'tessera-config.json');
    await writeFile(config, JSON.stringify({ call_service: `${fixture.origin}/element-call/` }));
    const local = ctx.app({ args: ['--allow-http-loopback', '--config', config], dataName: 'local' });
    await local.start();
    await declineWelcome(local);
    const configured = (await ctx.auditRows(local.dataDir, ['--category', 'consent'])).filter((r) => r.action === 'consent.rule_added');
    check(configured.length === 1 && configured[0].reason.startsWith('the administrator\'s configuration added rule ')
        && configured[0].reason.endsWith(`(trust the call service at ${fixture.origin})`), 'the rule is audited as the file\'s', configured);
    await local.click('page_permissions');
    check((await local.waitVisible('ruleText_0')).text.includes(fixture.origin), 'the Permissions page lists it',
        await local.find('ruleText_0'));
    await local.click('pageBack');

    ctx.phase('on the local rooms, Element Call needs a Matrix server, and Tessera says so');
    const standalone = await addWidget(local, elementCallUrl(fixture), 'Call');
    const needs = await local.waitWidget((w) => w.widgetId === standalone.widgetId && w.state === 'needs_server', 30000,
        'the call widget to say it needs a Matrix server');
    check(needs.errorTitle === 'This widget needs a Matrix server', 'the widget\'s state names what it needs', needs);
    check(needs.errorText.includes('$org.matrix.msc4039.matrix_base_url'), 'and which address variable is empty', needs.errorText);
    const notice = await local.waitVisible('widgetApiNoticeTitle', 10000);
    check(notice.text === 'This widget needs a Matrix server', 'the notice above the widget says so', notice);
    let audit = await ctx.auditRows(local.dataDir, ['--widget', standalone.widgetId]);
    check(audit.some((r) => r.action === 'widget_needs_server'), 'the empty variables are audited', audit.map((r) => r.action));

    ctx.phase('a call widget that cannot work here: the panel offers Jitsi instead, and one click adds the room\'s own conference');
    check(Object.keys(await local.property('', 'callFallback')).length === 0, 'a page added as a plain widget is not a call widget');
    const withoutCall = new Set((await local.widgets()).map((w) => w.widgetId));
    check(await submitComposer(local, `/widget call ${elementCallUrl(fixture)}`) === '', '/widget call takes the address');
    const callWidget = await local.waitWidget((w) => !withoutCall.has(w.widgetId) && w.state === 'needs_server', 40000,
                                              'the call widget to need a Matrix server');
    const offer = await local.waitVisible('callFallbackTitle', 10000);
    check(offer.text === 'Call service unavailable — use Jitsi instead?', 'the panel offers Jitsi', offer);
    check((await local.find('callFallbackReason')).text === 'This widget needs a Matrix server', 'and says why the call cannot work',
          await local.find('callFallbackReason'));
    check((await local.property('', 'callFallback')).widgetId === callWidget.widgetId, 'for the call widget that cannot work',
          await local.property('', 'callFallback'));
    ctx.phase('the user\'s Jitsi server, set in Settings, is where the fallback goes');
    await local.click('page_settings');
    await local.type('settingsJitsiServer', 'meet example', true);
    await local.click('settingsJitsiServerSave');
    const refusedServer = await local.waitVisible('settingsJitsiServerStatus');
    check(refusedServer.text.includes('must be a server name such as meet.example.org'), 'a server name with a space is refused, in words',
          refusedServer);
    await local.type('settingsJitsiServer', 'Meet.Example.org', true);
    await local.click('settingsJitsiServerSave');
    await waitUntil(async () => (await local.property('', 'jitsiServer')) === 'meet.example.org', 5000, 'the server to be saved');
    check((await local.find('settingsJitsiServerStatus')).text === 'Saved: new Jitsi widgets use meet.example.org.', 'and says so',
          await local.find('settingsJitsiServerStatus'));
    await local.click('pageBack');
    await local.waitVisible('callFallbackUse');
    await local.click('callFallbackUse');
    const jitsi = await local.waitWidget((w) => !withoutCall.has(w.widgetId) && w.widgetId !== callWidget.widgetId && w.name === 'Jitsi Meet', 20000,
                                         'the room\'s Jitsi widget');
    await waitUntil(async () => (await local.property('', 'activeWidgetId')) === jitsi.widgetId, 10000, 'its tab to open');
    const localRoom = await local.property('', 'currentRoomId');
    const jitsiRows = await ctx.sql(path.join(local.dataDir, 'rooms.db'),
        `SELECT json FROM state WHERE type = 'm.widget' AND room_id = '${localRoom.replace(/'/g, "''")}' AND state_key = '${jitsi.widgetId}'`);
    const jitsiEvent = JSON.parse(jitsiRows[0].json).content;
    check(jitsiEvent.type === 'm.jitsi' && /^tessera[a-z2-7]{25}$/.test(jitsiEvent.data.conferenceId)
          && jitsiEvent.url === `https://meet.example.org/${jitsiEvent.data.conferenceId}` && jitsiEvent.data.domain === 'meet.example.org',
          'published: the direct Meet page of the conference everyone in the room is sent to', jitsiEvent);
    await local.waitHidden('callFallbackBanner', 10000);
    check(Object.keys(await local.property('', 'callFallback')).length === 0, 'with a Jitsi widget in the room, nothing more is offered');

    ctx.phase('a page that never starts the Widget API: Tessera says it did not');
    const silent = await addWidget(local, `${fixture.origin}/landing?silent`, 'Silent');
    const noApi = await local.waitWidget((w) => w.widgetId === silent.widgetId && w.state === 'no_api', 40000,
        'the silent page to be reported');
    check(noApi.errorTitle === '“Silent” did not start the Widget API', 'its state says it did not start the Widget API', noApi);
    check((await local.waitVisible('widgetApiNoticeTitle', 10000)).text === noApi.errorTitle, 'the notice above it says so');
    await local.stop();

    const hs = await seed(ctx, fixture);

    ctx.phase('start tessera, signed in to the test homeserver');
    const app = ctx.app({ args: ['--homeserver', hs.baseUrl, '--allow-http-loopback'], dataName: 'server' });
    await app.start();
    await signInWithPassword(app, ALICE, PASSWORD);
    const engine = await app.property('', 'engineVersions');
    const modernEngine = engine.chromiumMajor >= 105; // Element Call's lobby needs container queries
    ctx.log(`engine: Qt ${engine.qt}, Chromium ${engine.chromium}`);

    ctx.phase('a call service at a look-alike origin (the same server, named localhost) is trusted on the Permissions page');
    const lookAlike = fixture.origin.replace('127.0.0.1', 'localhost');
    await trustCallService(app, `${lookAlike}/element-call/index.html`, lookAlike);
    await openRoom(app, ROOM_NAME);

    ctx.phase('Element Call loads and asks for its capabilities');
    await app.waitWidget((w) => w.widgetId === WIDGET_ID, 20000, 'the call widget');
    await waitUntil(async () => (await app.property('', 'activeWidgetId')) === WIDGET_ID, 10000, 'the call widget\'s tab to open');
    const { prompt } = await waitPrompt(app, (p) => p.widgetId === WIDGET_ID, 'Element Call to ask for consent', 60000);
    ctx.log(`asked for ${prompt.items.length} capabilities; refused by Tessera: ${prompt.refused.length}`);
    ctx.log(`asked: ${JSON.stringify(prompt.items.map((i) => i.item))}`);
    const refused = Object.fromEntries(prompt.refused.map((r) => [r.raw, r.reason]));
    check(refused['org.matrix.msc4515.rtc_transports'] === 'not supported by Tessera',
        'rtc_transports is shown as not supported by Tessera', prompt.refused);
    check(refused['org.matrix.msc4407.send.sticky_event'] === 'not supported by Tessera',
        'sticky events are shown as not supported by Tessera', prompt.refused);
    check(prompt.items.length > 20, 'the call capabilities are put to the user', prompt.items.length);
    await answerPrompt(app, prompt.promptId, { approve: true, remember: false });
    await app.waitWidget((w) => w.widgetId === WIDGET_ID && w.state === 'ready', 30000, 'the call widget to be ready');
    const frame = await app.widgetSession(WIDGET_ID, fixture.origin);

    ctx.phase('its lobby, and its Join button');
    const joinButton = 'document.querySelector(\'[data-testid="lobby_joinCall"]\')';
    const lobby = JSON.parse(await app.waitEval(frame.sessionId,
        `(${visibility(joinButton)}) && JSON.stringify(${visibility(joinButton)})`, 60000, 'Element Call\'s lobby'));
    ctx.log(`Join button: ${JSON.stringify(lobby)}`);
    const pointer = await WidgetPointer.attach(app, WIDGET_ID, frame.sessionId);
    if (isVisible(lobby)) {
        ctx.phase('Join, with a real click: io.element.join puts the room in the call');
        const at = await pointer.toPage(await pointer.centre(joinButton));
        await pointer.mouse('mouseMoved', at, 0);
        await pointer.mouse('mousePressed', at, 1);
        await pointer.mouse('mouseReleased', at, 0);
    } else {
        check(!modernEngine, `on Chromium ${engine.chromium} the lobby's Join button must be visible`, lobby);
        ctx.log(`REPORT: on Chromium ${engine.chromium} (Qt ${engine.qt}) Element Call's Join button cannot be seen or `
            + `clicked (${JSON.stringify(lobby)}): its lobby needs container queries (Chromium 105).`);
        // What a keyboard user can still do: the button takes the focus and Enter presses it.
        ctx.phase('Join, with the keyboard (the button is hidden on this engine): io.element.join puts the room in the call');
        // A click on the page gives its frame the focus; Tab then walks to the button.
        const corner = await pointer.toPage({ x: 5, y: 5 });
        await pointer.mouse('mouseMoved', corner, 0);
        await pointer.mouse('mousePressed', corner, 1);
        await pointer.mouse('mouseReleased', corner, 0);
        let focused = false;
        for (let i = 0; i < 30 && !focused; ++i) {
            await pointer.key('Tab', 'Tab', 9);
            focused = await app.cdp.evaluate(frame.sessionId, `document.activeElement === ${joinButton}`);
        }
        check(focused, 'Tab reaches the Join button', await app.cdp.evaluate(frame.sessionId, 'document.activeElement.outerHTML.slice(0, 200)'));
        // Enter as a keyboard types it (keyDown with its text: a button acts on the keypress).
        for (const type of ['keyDown', 'keyUp'])
            await app.cdp.send('Input.dispatchKeyEvent', { type, key: 'Enter', code: 'Enter', windowsVirtualKeyCode: 13,
                                                           ...(type === 'keyDown' ? { text: '\r' } : {}) }, pointer.wrapper);
    }
    await app.waitWidget((w) => w.widgetId === WIDGET_ID && w.inCall === true, 30000, 'the widget to say it joined');
    const rooms = await app.model('rooms');
    check(rooms.find((r) => r.name === ROOM_NAME).inCall === true, 'the room list says the room is in a call', rooms);
    const tabBadge = await app.waitVisible(`widgetTabInCall_${WIDGET_ID}`, 10000);
    check(tabBadge.text === 'In call', 'the widget\'s tab says "In call"', tabBadge);
    // The log's writer commits in batches on its own thread: the row may land a moment after the UI changed.
    const joined = (rows) => rows.some((r) => r.action === 'io.element.join' && r.decision === 'allowed');
    audit = await waitUntil(async () => {
        const rows = await ctx.auditRows(app.dataDir, ['--widget', WIDGET_ID]);
        return joined(rows) ? rows : null;
    }, 10000, 'io.element.join in the audit log').catch(() => ctx.auditRows(app.dataDir, ['--widget', WIDGET_ID]));
    check(joined(audit), 'io.element.join is audited as allowed', audit.map((r) => [r.action, r.decision]));
    check(audit.some((r) => r.action === 'call_joined'), 'the call\'s start is audited', audit.map((r) => r.action));

    ctx.phase('without a media server the call fails the way Element Call fails');
    const errorScreen = await app.waitEval(frame.sessionId,
        `document.body.innerText.includes('MISSING_MATRIX_RTC_TRANSPORT') && document.body.innerText.slice(0, 400)`,
        90000, 'Element Call\'s own error screen');
    ctx.log(`Element Call says: ${JSON.stringify(errorScreen)}`);
    const after = await app.waitWidget((w) => w.widgetId === WIDGET_ID, 5000, 'the widget');
    ctx.log(`Tessera's state: ${after.state}, in call: ${after.inCall}`);

    ctx.phase('the widget\'s own Close closes it (io.element.close)');
    const closeButton = `[...document.querySelectorAll('button')].find((b) => /close|cerrar/i.test(b.textContent))`;
    const close = JSON.parse(await app.waitEval(frame.sessionId,
        `(${visibility(closeButton)}) && JSON.stringify(${visibility(closeButton)})`, 20000, 'a Close button on the error screen'));
    check(isVisible(close), 'the error screen\'s Close button is visible', close);
    const closeAt = await pointer.toPage(await pointer.centre(closeButton));
    await pointer.mouse('mouseMoved', closeAt, 0);
    await pointer.mouse('mousePressed', closeAt, 1);
    // The release closes the widget, whose page goes away with it: DevTools may never answer.
    await pointer.mouse('mouseReleased', closeAt, 0).catch((e) => ctx.log(`the release was not answered: ${e.message}`));
    const closed = await app.waitWidget((w) => w.widgetId === WIDGET_ID && w.state === 'closed', 20000, 'the widget to close');
    check(closed.inCall === false, 'a closed call widget is not in the call', closed);
    check(!(await app.model('rooms')).find((r) => r.name === ROOM_NAME).inCall, 'the room list no longer says "in call"');
    audit = await ctx.auditRows(app.dataDir, ['--widget', WIDGET_ID]);
    check(audit.some((r) => r.action === 'io.element.close' && r.decision === 'allowed'),
        'io.element.close is audited', audit.map((r) => [r.action, r.decision]));
    check(audit.some((r) => r.action === 'widget_closed'), 'the close is audited', audit.map((r) => [r.action, r.decision]));
    check(!audit.some((r) => r.action === 'consent.standing_rule'), 'the look-alike\'s rule granted nothing',
        audit.filter((r) => r.action === 'consent.standing_rule'));

    ctx.phase('the call service at exactly Element Call\'s origin: reloaded, it reaches its lobby without a question');
    await trustCallService(app, `${fixture.origin}/element-call/index.html#?roomId=x`, fixture.origin);
    await app.click(`widgetTab_${WIDGET_ID}`);
    await app.click('reloadWidget');
    const trusted = await app.widgetSession(WIDGET_ID, fixture.origin, 60000, frame.target.targetId);
    let asked = null;
    await waitUntil(async () => {
        const prompts = (await app.model('consentPrompts')).filter((p) => p.widgetId === WIDGET_ID);
        if (prompts.length > 0) {
            asked = prompts;
            return true;
        }
        return app.cdp.evaluate(trusted.sessionId, `!!(${joinButton})`).catch(() => false);
    }, 90000, 'Element Call\'s lobby, or a question');
    check(asked === null, 'nobody was asked', asked && asked.map((p) => p.items));
    await app.waitWidget((w) => w.widgetId === WIDGET_ID && w.state === 'ready', 30000, 'the trusted call widget to be ready');
    audit = await ctx.auditRows(app.dataDir, ['--widget', WIDGET_ID]);
    const byRule = audit.filter((r) => r.action === 'consent.standing_rule');
    check(byRule.length === 1 && /^rule \d+ \(trust the call service at http:\/\/127\.0\.0\.1:\d+\) granted \d+ capabilities$/.test(byRule[0].reason),
        'the audit log says the rule granted them', byRule);
    ctx.log(`the rule granted: ${byRule[0].reason}`);
    await ctx.auditVerify(app.dataDir);
    await app.stop();
}, { timeoutMs: 300000 });

/**
 * Names the call service at @p address on the Permissions page as a person does (types it,
 * presses Trust, confirms), checks the rule is listed for @p origin, and goes back.
 */
async function trustCallService(app, address, origin) {
    await app.click('page_permissions');
    await app.waitVisible('permissionsPage');
    await app.type('ruleCallServiceField', address, true);
    await app.click('ruleTrustCallService');
    const confirm = await app.waitVisible('ruleConfirmText', 10000);
    check(confirm.text.includes(`exactly ${origin} `), 'the question names the origin that will be trusted', confirm.text);
    await app.click('ruleConfirmAdd');
    await waitUntil(async () => {
        for (let i = 0; i < 10; ++i) {
            const rule = await app.find(`ruleText_${i}`);
            if (rule.found && rule.text.includes(origin))
                return true;
        }
        return false;
    }, 10000, `the rule for ${origin} on the page`);
    check((await app.find('ruleError')).text === '', 'no error', await app.find('ruleError'));
    await app.click('pageBack');
}
