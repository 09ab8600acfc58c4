// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Tessera

// One widget: its wrapper page in a web view with Tessera's policies, or a page that explains
// why it is not showing.
Item {
    id: root
    property var widget: null
    property bool shown: false

    onShownChanged: if (shown && widget && widget.state === "idle") widget.activate()
    Component.onCompleted: {
        if (shown && widget && widget.state === "idle")
            widget.activate()
        viewGeneration = wantedGeneration
    }

    readonly property bool hasView: widget !== null && widget.wrapperUrl.length > 0
        && widget.state !== "failed"

    // Above the widget, while it shows: why it does not use the Widget API as it should (it
    // never answered, or its address asks for a Matrix server Tessera does not have). The words
    // come from the widget's state.
    Rectangle {
        id: apiNotice
        objectName: "widgetApiNotice"
        readonly property bool shown: root.widget !== null && root.hasView
            && (root.widget.state === "needs_server" || root.widget.state === "no_api")
        visible: shown
        anchors { top: parent.top; left: parent.left; right: parent.right }
        height: shown ? noticeText.implicitHeight + 2 * Theme.gap : 0
        color: Theme.warningBackground
        Accessible.role: Accessible.AlertMessage
        Accessible.name: shown ? root.widget.errorTitle : ""
        Column {
            id: noticeText
            anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter; margins: Theme.gap }
            spacing: 2
            Label {
                objectName: "widgetApiNoticeTitle"
                width: parent.width
                text: apiNotice.shown ? root.widget.errorTitle : ""
                textFormat: Text.PlainText
                font.bold: true
                color: Theme.text
                wrapMode: Text.Wrap
            }
            Label {
                width: parent.width
                text: apiNotice.shown ? root.widget.errorText : ""
                textFormat: Text.PlainText
                color: Theme.text
                wrapMode: Text.Wrap
            }
        }
    }

    // The generation whose view is up, -1 for none. A closed widget's view is hidden at once and
    // dropped a moment later: Qt 6.4's view calls into its QML context when the page under the
    // pointer changes its tooltip as it goes (Tessera crashed when Element Call's own Close
    // button closed it). Hidden first, the page has sent that by the time it is dropped.
    readonly property int wantedGeneration: hasView ? widget.generation : -1
    property int viewGeneration: -1
    onWantedGenerationChanged: {
        if (wantedGeneration >= 0) {
            dropTimer.stop()
            viewGeneration = wantedGeneration
        } else if (viewGeneration >= 0) {
            dropTimer.restart()
        }
    }
    Timer {
        id: dropTimer
        interval: 1000
        onTriggered: root.viewGeneration = -1
    }

    // One view per generation: a reload builds a fresh one; a closed widget drops it, which
    // unloads the page. The view is made by WebViews (see WidgetWebView.qml for why), as a child
    // of this item, so it goes with it at the latest.
    property Item view: null
    readonly property real noticeHeight: apiNotice.height
    onViewGenerationChanged: placeView()
    function placeView() {
        if (view && view.generation === viewGeneration)
            return
        if (view) {
            const old = view
            view = null
            old.visible = false
            old.stop()
            old.destroy()
        }
        if (viewGeneration >= 0 && widget)
            view = WebViews.widgetWebView.createObject(root, { host: root, generation: viewGeneration })
    }
    Component.onDestruction: if (view) view.stop()

    // What the view reports, in the user's language.
    function secureConnectionFailed(detail) {
        widget.reportLoadFailure(qsTr("The widget's secure connection failed"), detail)
    }
    function wrapperFailed(detail) {
        widget.reportLoadFailure(qsTr("The widget could not start"), detail)
    }

    // Over the view while it waits for consent or does not answer; instead of it otherwise.
    WidgetStatePage {
        anchors.fill: parent
        widget: root.widget
        visible: root.widget !== null
            && (!root.hasView || root.widget.state === "consent" || root.widget.state === "unresponsive")
    }
}
