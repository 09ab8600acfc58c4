// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Tessera

// A widget asked to open a window, or the user asked to open a widget in the browser: nothing
// leaves Tessera until the user agrees here, and then only in the system browser.
Dialog {
    id: root
    objectName: "popupPrompt"
    parent: Overlay.overlay
    anchors.centerIn: parent
    width: Math.min(480, parent.width - 24)
    modal: true
    Overlay.modal: Rectangle { color: Theme.scrim }
    title: root.popOut ? qsTr("Open this widget in your browser?") : qsTr("Open a link in your browser?")
    property string widgetId: ""
    /// The user asked for it (the widget's "Open in your browser"), not the widget.
    property bool popOut: false
    property string widgetName: ""
    property string url: ""
    property string domain: ""
    property bool internationalized: false

    // Tessera has already refused what is not a plain https: address; this shows what the
    // browser would open, the owner's domain first.
    function ask(widget, link, registrable, idn) {
        popOut = false
        widgetId = widget
        url = link
        domain = registrable
        internationalized = idn
        open()
    }
    function askPopOut(widget, name, link, registrable, idn) {
        ask(widget, link, registrable, idn)
        popOut = true
        widgetName = name
    }

    ColumnLayout {
        width: parent.width
        spacing: 8
        Label {
            Layout.fillWidth: true
            wrapMode: Text.Wrap
            objectName: "popupIntro"
            textFormat: Text.PlainText
            text: root.popOut ? qsTr("“%1” will open outside Tessera, in your web browser, at this site:").arg(root.widgetName)
                              : qsTr("A widget wants to open a page of this site in a new window:")
        }
        Label {
            objectName: "popupDomain"
            Layout.fillWidth: true
            text: root.domain
            textFormat: Text.PlainText
            wrapMode: Text.WrapAnywhere
            font.pixelSize: 22
            font.bold: true
            color: Theme.text
        }
        Label {
            objectName: "popupIdn"
            visible: root.internationalized
            Layout.fillWidth: true
            wrapMode: Text.Wrap
            text: qsTr("The name of this site is written in another alphabet and is shown as the browser reads it (xn--…). Letters from other alphabets can look like the ones of a site you know.")
            color: Theme.warning
        }
        Label {
            Layout.fillWidth: true
            wrapMode: Text.Wrap
            text: qsTr("Full address:")
            color: Theme.muted
            font.pixelSize: 12
        }
        Label {
            objectName: "popupUrl"
            Layout.fillWidth: true
            text: root.url
            textFormat: Text.PlainText
            wrapMode: Text.WrapAnywhere
            font.family: "monospace"
            color: Theme.muted
        }
    }
    // A row of its own rather than a DialogButtonBox, which in Qt 6.4 can lay a button out
    // beyond the dialog's edge for a moment, where a click misses it.
    footer: RowLayout {
        spacing: 8
        Item { Layout.fillWidth: true }
        Button {
            objectName: "popupCancel"
            text: qsTr("Don't open")
            implicitHeight: Theme.touch
            Layout.bottomMargin: 12
            onClicked: root.reject()
        }
        PrimaryButton {
            objectName: "popupOpen"
            text: qsTr("Open in browser")
            implicitHeight: Theme.touch
            Layout.rightMargin: 12
            Layout.bottomMargin: 12
            onClicked: root.accept()
        }
    }
    // The address opened is the one Tessera holds, not this dialog's copy. Escape and a click
    // outside decline; closed() may come before accepted(), hence the deferred call (a second
    // answer is ignored).
    onAccepted: Host.answerPopup(true)
    onRejected: Host.answerPopup(false)
    onClosed: Qt.callLater(Host.answerPopup, false)
}
