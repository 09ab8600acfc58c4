// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Tessera

// The room's widgets: a tab for each of the first few (Host.maxPanelTabs), the others in a
// searchable "more" list, a "+" to add one, and the open widget below.
Rectangle {
    id: root
    objectName: "widgetPanel"
    color: Theme.surface
    property bool compact: false
    readonly property int currentIndex: Host.activeTabIndex
    readonly property var current: Host.activeWidget

    // The image:// URL of the icon a plugin registered for a widget type, or "".
    function typeIcon(type) {
        for (const t of Host.widgetTypes)
            if (t.type === type)
                return t.icon
        return ""
    }
    function select(i) {
        Host.selectTab(i)
    }
    // Nothing leaves Tessera on one click: the host puts the address to the user first.
    function openInBrowser() {
        if (root.current === null)
            return
        const error = Host.offerPopOut(root.current.widgetId)
        if (error.length > 0)
            Host.notice(error)
    }

    Rectangle {
        visible: !root.compact && !Host.panelFullScreen
        anchors.left: parent.left
        width: 1
        height: parent.height
        color: Theme.border
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 0

        // Tabs; a horizontal swipe on the strip moves between them.
        RowLayout {
            Layout.fillWidth: true
            Layout.preferredHeight: 56
            Layout.maximumHeight: 56
            Layout.fillHeight: false
            spacing: 0
            IconButton {
                objectName: "panelBack"
                visible: root.compact || Host.panelFullScreen
                glyph: "\u2190"
                tip: qsTr("Back to the room")
                onClicked: Host.panelFullScreen ? Host.panelFullScreen = false : Host.panelOpen = false
            }
            // More tabs than fit: arrows at both ends say so and scroll the strip a page.
            IconButton {
                objectName: "tabsScrollBack"
                visible: tabs.overflowing
                enabled: !tabs.atXBeginning
                glyph: "\u2039"
                tip: qsTr("Earlier tabs")
                onClicked: tabs.scrollBy(-1)
            }
            ListView {
                id: tabs
                objectName: "widgetTabs"
                readonly property bool overflowing: contentWidth > width + 1
                // A page of tabs back (-1) or on (+1).
                function scrollBy(direction) {
                    const page = Math.max(120, width - 48)
                    contentX = Math.max(originX, Math.min(originX + contentWidth - width, contentX + direction * page))
                }
                // The open widget's tab is always in view.
                function showCurrent() {
                    if (currentIndex >= 0)
                        positionViewAtIndex(currentIndex, ListView.Contain)
                }
                onCurrentIndexChanged: Qt.callLater(showCurrent)
                onWidthChanged: Qt.callLater(showCurrent)
                Layout.fillWidth: true
                Layout.fillHeight: true
                orientation: ListView.Horizontal
                clip: true
                // A horizontal swipe moves between the tabs (the DragHandler below) rather than
                // scrolling the strip: the arrows scroll it, and the open tab is always in view.
                interactive: false
                model: Host.widgetModel
                currentIndex: root.currentIndex
                // A new model resets the list to its first item; bind it to the open widget again.
                onCountChanged: currentIndex = Qt.binding(() => root.currentIndex)
                highlightFollowsCurrentItem: true
                boundsBehavior: Flickable.StopAtBounds
                delegate: ItemDelegate {
                    id: tab
                    required property var modelData
                    required property int index
                    objectName: "widgetTab_" + modelData.widgetId
                    height: tabs.height
                    // One width for every tab: the strip knows where each tab is before it is
                    // made, so the open one can always be scrolled fully into view.
                    width: 200
                    highlighted: index === root.currentIndex
                    Accessible.role: Accessible.PageTab
                    focusPolicy: Qt.StrongFocus
                    Accessible.name: modelData.inCall ? qsTr("%1, in call").arg(modelData.name) : modelData.name
                    onClicked: root.select(index)
                    Keys.onReturnPressed: clicked()
                    Keys.onEnterPressed: clicked()
                    // The widget's menu: a long press (touch), a right click, or the Menu key.
                    onPressAndHold: { root.select(index); tabMenu.popup(tab, 0, tab.height) }
                    Keys.onMenuPressed: { root.select(index); tabMenu.popup(tab, 0, tab.height) }
                    TapHandler {
                        acceptedButtons: Qt.RightButton
                        // A right click; a touch has no buttons, and its tap is the row's own.
                        acceptedDevices: PointerDevice.Mouse | PointerDevice.TouchPad
                        onTapped: { root.select(tab.index); tabMenu.popup(tab, 0, tab.height) }
                    }
                    contentItem: RowLayout {
                        id: tabContent
                        spacing: 8
                        Rectangle {
                            // The icon the widget type's plugin registered, else a glyph for its kind.
                            readonly property string pluginIcon: root.typeIcon(tab.modelData.type)
                            width: 28; height: 28; radius: 8
                            color: pluginIcon.length > 0 ? "transparent" : Theme.avatarColors[(tab.index + 2) % Theme.avatarColors.length]
                            Image {
                                objectName: "widgetTabIcon_" + tab.modelData.widgetId
                                anchors.fill: parent
                                visible: parent.pluginIcon.length > 0
                                source: parent.pluginIcon
                                sourceSize: Qt.size(56, 56)
                                fillMode: Image.PreserveAspectFit
                            }
                            Label {
                                visible: parent.pluginIcon.length === 0
                                anchors.centerIn: parent
                                color: "white"
                                font.pixelSize: 14
                                text: ({ video: "\u25B6", board: "\u25A6", issues: "\u25C9", agent: "\u2699",
                                         calendar: "\u25A3", document: "\u2630", app: "\u25C6" })[tab.modelData.iconName] || "\u25C6"
                            }
                        }
                        Label {
                            text: tab.modelData.name
                            textFormat: Text.PlainText
                            elide: Text.ElideRight
                            font.bold: tab.highlighted
                            color: Theme.text
                            Layout.fillWidth: true
                        }
                        // A call widget in its call says so on its tab.
                        Label {
                            objectName: "widgetTabInCall_" + tab.modelData.widgetId
                            visible: tab.modelData.inCall
                            text: qsTr("In call")
                            color: Theme.success
                            font.bold: true
                            font.pixelSize: 12
                        }
                        BusyIndicator {
                            visible: tab.modelData.state === "loading"
                            running: visible
                            implicitWidth: 20
                            implicitHeight: 20
                        }
                    }
                    Rectangle {
                        anchors.bottom: parent.bottom
                        width: parent.width
                        height: 3
                        color: Theme.accent
                        visible: tab.highlighted
                    }
                }
                // A tab takes the press; the handler sees it too (handlers of the items under a
                // press get it after the item that accepted it) and takes the drag from the tab
                // once it passes the drag threshold, so a tap still reaches the tab.
                DragHandler {
                    id: swipe
                    objectName: "tabSwipe"
                    target: null
                    xAxis.enabled: true
                    yAxis.enabled: false
                    // How far the finger went since it came down, while it drags.
                    property real dx: 0
                    onCentroidChanged: if (active) dx = centroid.position.x - centroid.pressPosition.x
                    onActiveChanged: {
                        if (active) {
                            dx = 0
                            return
                        }
                        const next = root.currentIndex + (dx < 0 ? 1 : -1)
                        if (Math.abs(dx) > 60 && next >= 0 && next < tabs.count)
                            root.select(next)
                    }
                }
            }
            IconButton {
                objectName: "tabsScrollOn"
                visible: tabs.overflowing
                enabled: !tabs.atXEnd
                glyph: "\u203A"
                tip: qsTr("Later tabs")
                onClicked: tabs.scrollBy(1)
            }
            ToolButton {
                id: moreButton
                objectName: "moreWidgetsButton"
                visible: Host.hiddenWidgetCount > 0
                implicitHeight: Theme.touch
                implicitWidth: Math.max(Theme.touch, implicitContentWidth + 24)
                text: qsTr("%1 more").arg(Host.hiddenWidgetCount)
                ToolTip.visible: hovered
                ToolTip.text: qsTr("Find one of this room's other widgets")
                onClicked: moreWidgets.open()
            }
            IconButton {
                objectName: "addWidgetButton"
                glyph: "+"
                tip: qsTr("Add a widget")
                onClicked: addDialog.open()
            }
        }
        Rectangle { Layout.fillWidth: true; height: 1; color: Theme.border }

        // Widget events of the room that could not be read are not shown, and not hidden either:
        // how many, and on request which and why.
        // A call widget of this room cannot carry the call (C++ decides: Host.callFallback):
        // Jitsi Meet instead, in one click, or not now.
        Rectangle {
            id: callFallback
            objectName: "callFallbackBanner"
            property string error: ""
            readonly property bool offered: Host.callFallback.widgetId !== undefined
            visible: offered
            onOfferedChanged: error = ""
            Layout.fillWidth: true
            implicitHeight: fallbackColumn.implicitHeight + 16
            color: Theme.warningBackground
            Accessible.role: Accessible.AlertMessage
            Accessible.name: fallbackTitle.text
            ColumnLayout {
                id: fallbackColumn
                anchors { left: parent.left; right: parent.right; top: parent.top; margins: 8; leftMargin: 12 }
                spacing: 4
                Label {
                    id: fallbackTitle
                    objectName: "callFallbackTitle"
                    Layout.fillWidth: true
                    text: qsTr("Call service unavailable — use Jitsi instead?")
                    font.bold: true
                    wrapMode: Text.Wrap
                    color: Theme.text
                }
                Label {
                    objectName: "callFallbackReason"
                    Layout.fillWidth: true
                    visible: text.length > 0
                    text: callFallback.offered ? (Host.callFallback.reason || "") : ""
                    textFormat: Text.PlainText
                    wrapMode: Text.Wrap
                    color: Theme.text
                }
                Label {
                    objectName: "callFallbackError"
                    Layout.fillWidth: true
                    visible: text.length > 0
                    text: callFallback.error
                    textFormat: Text.PlainText
                    wrapMode: Text.Wrap
                    color: Theme.danger
                }
                RowLayout {
                    Layout.alignment: Qt.AlignRight
                    spacing: 8
                    Button {
                        objectName: "callFallbackDismiss"
                        flat: true
                        implicitHeight: Theme.touch
                        text: qsTr("Not now")
                        onClicked: Host.dismissCallFallback()
                    }
                    PrimaryButton {
                        objectName: "callFallbackUse"
                        implicitHeight: Theme.touch
                        text: qsTr("Use Jitsi")
                        onClicked: {
                            const r = Host.useJitsiInstead()
                            callFallback.error = r.error || (r.problems ? Object.values(r.problems).join(" ") : "")
                        }
                    }
                }
            }
        }

        Rectangle {
            id: unreadable
            objectName: "unreadableWidgets"
            property bool expanded: false
            visible: Host.unreadableWidgetCount > 0
            Layout.fillWidth: true
            implicitHeight: unreadableColumn.implicitHeight + 8
            color: Theme.surfaceAlt
            ColumnLayout {
                id: unreadableColumn
                anchors.left: parent.left
                anchors.right: parent.right
                anchors.top: parent.top
                anchors.topMargin: 4
                anchors.leftMargin: 12
                anchors.rightMargin: 4
                spacing: 0
                RowLayout {
                    Layout.fillWidth: true
                    spacing: 8
                    Label {
                        objectName: "unreadableWidgetsText"
                        Layout.fillWidth: true
                        text: Host.unreadableWidgetCount === 1 ? qsTr("1 widget of this room could not be read")
                            : qsTr("%1 widgets of this room could not be read").arg(Host.unreadableWidgetCount)
                        wrapMode: Text.Wrap
                        color: Theme.warning
                    }
                    Button {
                        objectName: "unreadableWidgetsWhy"
                        flat: true
                        implicitHeight: Theme.touch
                        text: unreadable.expanded ? qsTr("Hide") : qsTr("Why?")
                        onClicked: unreadable.expanded = !unreadable.expanded
                    }
                }
                Repeater {
                    model: unreadable.expanded ? Host.unreadableWidgets : []
                    Label {
                        required property var modelData
                        objectName: "unreadableWidget_" + modelData.widgetId
                        Layout.fillWidth: true
                        Layout.bottomMargin: 6
                        text: qsTr("%1 (sent by %2): %3").arg(modelData.widgetId).arg(modelData.sender).arg(modelData.reason)
                        textFormat: Text.PlainText
                        wrapMode: Text.WrapAnywhere
                        color: Theme.muted
                        font.pixelSize: 12
                    }
                }
                Label {
                    visible: unreadable.expanded && Host.unreadableWidgetCount > Host.unreadableWidgets.length
                    Layout.bottomMargin: 6
                    text: qsTr("and %1 more").arg(Host.unreadableWidgetCount - Host.unreadableWidgets.length)
                    color: Theme.muted
                    font.pixelSize: 12
                }
            }
        }

        // The open widget's bar: where it comes from, and what can be done with it.
        RowLayout {
            visible: root.current !== null
            Layout.fillWidth: true
            Layout.preferredHeight: Theme.touch
            Layout.maximumHeight: Theme.touch
            Layout.fillHeight: false
            Layout.leftMargin: 12
            spacing: 0
            Label {
                Layout.fillWidth: true
                text: root.current ? (root.current.origin.length > 0 ? root.current.origin : root.current.type) : ""
                textFormat: Text.PlainText
                elide: Text.ElideMiddle
                color: Theme.muted
                font.pixelSize: 12
            }
            // Leaves Tessera, so it sits apart from the buttons that change the panel and never
            // moves into their place; it asks first in any case.
            IconButton {
                objectName: "popOutWidget"
                glyph: "\u2197"
                tip: qsTr("Open in your browser")
                visible: root.current !== null && root.current.canPopOut
                onClicked: root.openInBrowser()
            }
            IconButton {
                objectName: "reloadWidget"
                glyph: "\u21BB"
                tip: qsTr("Reload")
                onClicked: root.current.reload()
            }
            IconButton {
                objectName: "fullScreenWidget"
                glyph: Host.panelFullScreen ? "\u2199" : "\u2922"
                tip: Host.panelFullScreen ? qsTr("Leave full screen") : qsTr("Full screen")
                visible: !root.compact
                onClicked: Host.panelFullScreen = !Host.panelFullScreen
            }
            IconButton {
                id: menuButton
                objectName: "widgetMenuButton"
                glyph: "\u22EE"
                tip: qsTr("More")
                // Under the button, inside the window.
                onClicked: tabMenu.popup(menuButton, Math.min(0, menuButton.width - tabMenu.width), menuButton.height)
            }
            // Shown in full screen too: the buttons before it keep their places when full screen
            // is entered or left, so a second click lands on the same button.
            IconButton {
                objectName: "hidePanelButton"
                visible: !root.compact
                glyph: "\u2715"
                tip: qsTr("Hide the panel")
                onClicked: Host.panelOpen = false
            }
        }

        StackLayout {
            id: stack
            Layout.fillWidth: true
            Layout.fillHeight: true
            currentIndex: root.currentIndex
            Repeater {
                objectName: "widgetViews"
                // Rows change only where widgets came or went: the other pages keep running.
                model: Host.widgetModel
                WidgetView {
                    required property var modelData
                    required property int index
                    objectName: "widgetPage_" + modelData.widgetId
                    widget: modelData
                    shown: index === root.currentIndex && root.visible
                }
            }
        }

        ColumnLayout {
            visible: Host.widgetCount === 0
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.margins: 24
            spacing: 12
            Item { Layout.fillHeight: true }
            Label {
                text: qsTr("No widgets in this room")
                font.pixelSize: 18
                font.bold: true
                color: Theme.text
                Layout.alignment: Qt.AlignHCenter
            }
            Label {
                text: qsTr("Add one with + or type /widget https://… in the composer.")
                color: Theme.muted
                wrapMode: Text.Wrap
                horizontalAlignment: Text.AlignHCenter
                Layout.fillWidth: true
            }
            Item { Layout.fillHeight: true }
        }
    }

    FittedMenu {
        id: tabMenu
        objectName: "widgetMenu"
        MenuItem {
            implicitHeight: Theme.touch
            text: qsTr("Reload")
            enabled: root.current !== null
            onTriggered: root.current.reload()
        }
        MenuItem {
            // As Element's hang-up button: the call widget is asked to leave its call.
            objectName: "leaveCall"
            implicitHeight: visible ? Theme.touch : 0
            visible: root.current !== null && root.current.inCall
            text: qsTr("Leave the call")
            onTriggered: root.current.leaveCall()
        }
        MenuItem {
            objectName: "openInBrowser"
            implicitHeight: Theme.touch
            text: qsTr("Open in your browser")
            enabled: root.current !== null && root.current.canPopOut
            onTriggered: root.openInBrowser()
        }
        MenuItem {
            objectName: "removeWidget"
            implicitHeight: Theme.touch
            text: qsTr("Remove for everyone…")
            enabled: root.current !== null
            onTriggered: removeConfirm.open()
        }
    }

    Dialog {
        id: removeConfirm
        objectName: "removeWidgetDialog"
        parent: Overlay.overlay
        anchors.centerIn: parent
        modal: true
        Overlay.modal: Rectangle { color: Theme.scrim }
        width: Math.min(440, parent.width - 32)
        title: qsTr("Remove this widget?")
        Label {
            width: parent.width
            wrapMode: Text.Wrap
            textFormat: Text.PlainText
            text: root.current ? qsTr("“%1” will be removed from the room for everyone.").arg(root.current.name) : ""
        }
        // The button says what it does. A row of its own rather than a DialogButtonBox, which in
        // Qt 6.4 can lay a button out beyond the dialog's edge.
        footer: RowLayout {
            spacing: 8
            Item { Layout.fillWidth: true }
            Button {
                objectName: "removeWidgetCancel"
                text: qsTr("Cancel")
                implicitHeight: Theme.touch
                Layout.bottomMargin: 12
                onClicked: removeConfirm.reject()
            }
            Button {
                objectName: "removeWidgetConfirm"
                text: qsTr("Remove for everyone")
                implicitHeight: Theme.touch
                Layout.rightMargin: 12
                Layout.bottomMargin: 12
                onClicked: removeConfirm.accept()
            }
        }
        onAccepted: Host.removeWidget(root.current.widgetId)
    }

    // Every widget of the room, searchable: a room may hold thousands; only the visible rows exist.
    Dialog {
        id: moreWidgets
        objectName: "moreWidgetsDialog"
        parent: Overlay.overlay
        anchors.centerIn: parent
        modal: true
        Overlay.modal: Rectangle { color: Theme.scrim }
        width: Math.min(480, parent.width - 32)
        height: Math.min(560, parent.height - 32)
        title: qsTr("Widgets of this room")
        onOpened: { search.text = ""; search.forceActiveFocus() }
        onClosed: Host.widgetSearch.query = ""
        ColumnLayout {
            anchors.fill: parent
            spacing: 8
            TextField {
                id: search
                objectName: "widgetSearchField"
                Layout.fillWidth: true
                implicitHeight: Theme.touch
                placeholderText: qsTr("Search by name")
                Accessible.name: placeholderText
                onTextChanged: Host.widgetSearch.query = text
            }
            Label {
                Layout.fillWidth: true
                color: Theme.muted
                text: Host.widgetSearch.count === 0 ? qsTr("No widget matches “%1”.").arg(search.text)
                                                    : qsTr("%1 of %2 widgets").arg(Host.widgetSearch.count).arg(Host.widgetCount)
                textFormat: Text.PlainText
                elide: Text.ElideRight
            }
            ListView {
                id: widgetList
                objectName: "widgetSearchList"
                Layout.fillWidth: true
                Layout.fillHeight: true
                clip: true
                model: moreWidgets.opened ? Host.widgetSearch : null
                boundsBehavior: Flickable.StopAtBounds
                ScrollBar.vertical: ScrollBar {}
                delegate: ItemDelegate {
                    required property string name
                    required property string widgetId
                    objectName: "widgetSearchRow_" + widgetId
                    width: widgetList.width
                    height: Theme.touch
                    highlighted: widgetId === Host.activeWidgetId
                    contentItem: Label {
                        text: name
                        textFormat: Text.PlainText
                        elide: Text.ElideRight
                        verticalAlignment: Text.AlignVCenter
                        color: Theme.text
                        font.bold: highlighted
                    }
                    onClicked: {
                        Host.activeWidgetId = widgetId
                        moreWidgets.close()
                    }
                }
            }
        }
        standardButtons: Dialog.Close
    }

    AddWidgetDialog { id: addDialog }
}
