// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
pragma Singleton
import QtQuick
import Tessera

// Colours and sizes shared by the shell. Hit targets are at least 48 px (touch first). Every text
// and control colour meets WCAG AA in both themes: tests/style/contrast.mjs checks the pairs.
QtObject {
    readonly property bool dark: Host.dark
    readonly property int touch: 48
    readonly property int radius: 12
    readonly property int gap: 12

    readonly property color accent: dark ? "#8ea6ff" : "#3a5bd9"
    readonly property color accentText: dark ? "#0f1630" : "#ffffff"
    readonly property color window: dark ? "#15171c" : "#f5f6f8"
    readonly property color surface: dark ? "#1e2127" : "#ffffff"
    readonly property color surfaceAlt: dark ? "#262a32" : "#eef1f6"
    readonly property color border: dark ? "#343944" : "#dde2ea"
    readonly property color text: dark ? "#e8eaee" : "#1b1d22"
    readonly property color muted: dark ? "#9aa3b2" : "#5f6673"
    readonly property color danger: dark ? "#ff8a8a" : "#c62828"
    readonly property color warning: dark ? "#ffcc66" : "#a15c00"
    /// Behind modal dialogs: darkens in both themes (the styles' own dim lightens a dark window).
    readonly property color scrim: dark ? "#a0000000" : "#66000000"
    readonly property color success: dark ? "#7fd6a0" : "#2b7a4b"
    /// Behind a line that says something went well, went wrong, or needs attention (banners).
    readonly property color successBackground: dark ? "#183a27" : "#e6f4ea"
    readonly property color dangerBackground: dark ? "#4a1f1f" : "#fdecea"
    readonly property color warningBackground: dark ? "#4a3a12" : "#fff4d6"
    /// The notice at the bottom of the window, the other way round from the window.
    readonly property color notice: dark ? "#e8eaee" : "#2b2f36"
    readonly property color noticeText: dark ? "#1b1d22" : "#ffffff"
    /// The frame around the control that has the keyboard focus.
    readonly property color focus: dark ? "#b8c7ff" : "#1f3fb8"
    // Each carries a white letter at 4.5:1 or more (tests/style/contrast.mjs).
    readonly property var avatarColors: ["#3a5bd9", "#0a7c6e", "#c2410c", "#7c3aed", "#b91c1c", "#0369a1", "#4d7c0f", "#a21caf"]

    /// Indexed by AuditModel::Tone (host/ui/pagemodels.h): neutral, good, caution, bad.
    readonly property var toneColors: [muted, success, warning, danger]

    function riskColor(risk) {
        return risk === "high" ? danger : risk === "medium" ? warning : success
    }
}
