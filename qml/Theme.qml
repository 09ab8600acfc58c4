// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
pragma Singleton
import QtQuick
import Tessera

// Colours and sizes shared by the shell. Hit targets are at least 48 px (touch first).
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
    readonly property color success: dark ? "#7fd6a0" : "#2e7d4f"
    readonly property var avatarColors: ["#3a5bd9", "#0b8a7a", "#c2410c", "#7c3aed", "#b91c1c", "#0369a1", "#4d7c0f", "#a21caf"]

    function riskColor(risk) {
        return risk === "high" ? danger : risk === "medium" ? warning : success
    }
}
