// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// WCAG 2.1 AA contrast of the shell's and the built-in widgets' colours, in the light and the
// dark theme, read from the sources themselves (qml/Theme.qml and the widgets' CSS custom
// properties): 4.5:1 for text, 3:1 for the parts of controls that must be seen (WCAG 1.4.3,
// 1.4.11). Prints every pair with its ratio; exits 1 if any is below its minimum or a colour it
// checks cannot be read.
//
//   node tests/style/contrast.mjs <source directory>

import fs from 'node:fs';
import path from 'node:path';

const TEXT = 4.5;
const CONTROL = 3;
const top = process.argv[2] || path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const failures = [];
let checked = 0;

function luminance(hex) {
    const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
    if (!m)
        throw new Error(`not an opaque #rrggbb colour: ${hex}`);
    const channel = (h) => {
        const c = parseInt(h, 16) / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * channel(m[1]) + 0.7152 * channel(m[2]) + 0.0722 * channel(m[3]);
}

export function contrast(a, b) {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
}

function check(where, fgName, fg, bgName, bg, minimum) {
    ++checked;
    if (fg === undefined || bg === undefined) {
        failures.push(`${where}: ${fg === undefined ? fgName : bgName} is not defined`);
        return;
    }
    const ratio = contrast(fg, bg);
    const ok = ratio >= minimum;
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${where}: ${fgName} ${fg} on ${bgName} ${bg}: ${ratio.toFixed(2)}:1 (at least ${minimum}:1)`);
    if (!ok)
        failures.push(`${where}: ${fgName} on ${bgName} is ${ratio.toFixed(2)}:1, below ${minimum}:1`);
}

// qml/Theme.qml: `readonly property color name: dark ? "#dark" : "#light"` and the avatar list.
function readTheme(file) {
    const source = fs.readFileSync(file, 'utf8');
    const themes = { light: {}, dark: {} };
    for (const m of source.matchAll(/readonly property color (\w+): dark \? "(#[0-9a-fA-F]{6})" : "(#[0-9a-fA-F]{6})"/g)) {
        themes.dark[m[1]] = m[2];
        themes.light[m[1]] = m[3];
    }
    const avatars = /avatarColors: \[([^\]]*)\]/.exec(source);
    const avatarColors = avatars ? [...avatars[1].matchAll(/"(#[0-9a-fA-F]{6})"/g)].map((m) => m[1]) : [];
    return { themes, avatarColors };
}

// A stylesheet's custom properties in `:root { … }` (light) and `:root.dark { … }`.
function readCss(file) {
    const source = fs.readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
    const block = (selector) => {
        const m = new RegExp(`${selector.replace('.', '\\.')}\\s*\\{([^}]*)\\}`).exec(source);
        const vars = {};
        if (m) {
            for (const v of m[1].matchAll(/--([\w-]+)\s*:\s*(#[0-9a-fA-F]{6})\b/g))
                vars[v[1]] = v[2];
        }
        return vars;
    };
    const light = block(':root');
    return { light, dark: { ...light, ...block(':root.dark') } };
}

const theme = readTheme(path.join(top, 'qml', 'Theme.qml'));
for (const mode of ['light', 'dark']) {
    const t = theme.themes[mode];
    const where = `Theme.qml (${mode})`;
    for (const fg of ['text', 'muted', 'danger', 'warning', 'success', 'accent'])
        for (const bg of ['window', 'surface', 'surfaceAlt'])
            check(where, fg, t[fg], bg, t[bg], TEXT);
    check(where, 'accentText', t.accentText, 'accent', t.accent, TEXT);
    check(where, 'noticeText', t.noticeText, 'notice', t.notice, TEXT);
    check(where, 'success', t.success, 'successBackground', t.successBackground, TEXT);
    check(where, 'danger', t.danger, 'dangerBackground', t.dangerBackground, TEXT);
    check(where, 'text', t.text, 'warningBackground', t.warningBackground, TEXT);
    // The selected tab's bar, a switch that is on, the focus frame: controls against the page.
    for (const bg of ['window', 'surface', 'surfaceAlt'])
        check(where, 'accent', t.accent, bg, t[bg], CONTROL);
    check(where, 'focus', t.focus, 'surface', t.surface, CONTROL);
    check(where, 'focus', t.focus, 'window', t.window, CONTROL);
}
if (theme.avatarColors.length === 0)
    failures.push('Theme.qml: no avatarColors');
for (const c of theme.avatarColors)
    check('Theme.qml avatars', 'white letter', '#ffffff', 'avatar', c, TEXT);

// The built-in widgets' pages: text on their backgrounds and the label of their main button.
const pages = [
    ['host/web/widgets/welcome/welcome.css', [['fg', 'bg'], ['muted', 'bg'], ['fg', 'card'], ['muted', 'card'],
        ['accent-fg', 'accent'], ['danger', 'bg'], ['success', 'bg']]],
    ['plugins/kanban/web/kanban.css', [['fg', 'bg'], ['muted', 'bg'], ['fg', 'card'], ['fg', 'column'], ['muted', 'column'],
        ['accent-fg', 'accent'], ['danger', 'bg']]],
    ['plugins/issues/web/issues.css', [['fg', 'bg'], ['muted', 'bg'], ['fg', 'card'], ['fg', 'panel'], ['muted', 'panel'],
        ['accent-fg', 'accent'], ['danger', 'bg'], ['label-fg', 'label']]],
    ['plugins/agent-panel/web/panel.css', [['fg', 'bg'], ['muted', 'bg'], ['fg', 'panel'], ['muted', 'panel'], ['fg', 'card'],
        ['accent-fg', 'accent'], ['danger', 'error-bg'], ['info-fg', 'info-bg'], ['running', 'running-bg'], ['idle', 'idle-bg'],
        ['failed', 'failed-bg'], ['stopped', 'stopped-bg'], ['muted', 'idle-bg'], ['running', 'panel'], ['failed', 'panel'],
        ['stopped', 'panel'], ['fg', 'log-bg'], ['muted', 'log-bg'], ['debug', 'log-bg'], ['accent', 'log-bg'],
        ['warning', 'log-bg'], ['error', 'log-bg']]],
];
for (const [file, pairs] of pages) {
    const css = readCss(path.join(top, file));
    for (const mode of ['light', 'dark'])
        for (const [fg, bg] of pairs)
            check(`${file} (${mode})`, `--${fg}`, css[mode][fg], `--${bg}`, css[mode][bg], TEXT);
}

console.log(`${checked} pairs checked, ${failures.length} below WCAG AA`);
if (failures.length > 0) {
    for (const f of failures)
        console.error(f);
    process.exit(1);
}
