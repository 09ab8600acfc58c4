// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// What the issue tracker's two pages (issues.js on room state, restpage.js on a repository) build
// their DOM with: an element with a class and a text, the icons they draw, and an issue's button in
// a list.
'use strict';

window.IssuesDom = (function () {
    const ICONS = {
        open: 'M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18zM12 10a2 2 0 1 0 0 4a2 2 0 1 0 0-4z',
        closed: 'M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18zM8 12.5l3 3 5-6',
        broken: 'M12 3L2 20h20L12 3zM12 10v4M12 17v.5',
        back: 'M15 6l-6 6 6 6',
        close: 'M6 6l12 12M18 6L6 18',
        chevron: 'M9 6l6 6-6 6',
    };

    /** A new @p tag element with @p className and @p text (each only when given). */
    function el(tag, className, text) {
        const e = document.createElement(tag);
        if (className)
            e.className = className;
        if (text !== undefined)
            e.textContent = text;
        return e;
    }

    /** The icon @p name (a key of ICONS) as an inline SVG, hidden from screen readers. */
    function icon(name) {
        const ns = 'http://www.w3.org/2000/svg';
        const svg = document.createElementNS(ns, 'svg');
        svg.setAttribute('viewBox', '0 0 24 24');
        svg.setAttribute('aria-hidden', 'true');
        svg.classList.add('i-' + name);
        const path = document.createElementNS(ns, 'path');
        path.setAttribute('d', ICONS[name]);
        svg.append(path);
        return svg;
    }

    /**
     * The button that stands for one issue in a list: its @p status icon ('open' or 'closed'), its
     * @p title, a line of @p meta ([className, text] pairs), its @p labels and a chevron; a click
     * runs @p onOpen.
     */
    function issueButton({ status, title, meta, labels, onOpen }) {
        const b = el('button', 'open-issue');
        b.type = 'button';
        b.append(icon(status));
        const body = el('span', 'body');
        body.append(el('span', 'issue-title', title));
        const line = el('span', 'meta');
        for (const [className, text] of meta)
            line.append(el('span', className, text));
        body.append(line);
        if (labels.length > 0) {
            const list = el('span', 'labels');
            for (const l of labels)
                list.append(el('span', 'label', l));
            body.append(list);
        }
        b.append(body, icon('chevron'));
        b.addEventListener('click', onOpen);
        return b;
    }

    return Object.freeze({ el, icon, issueButton });
})();
