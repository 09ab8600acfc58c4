// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import QtTest
import Tessera

// Every control a person can use, in the main window, each of its pages, its dialogs and its
// menus: a screen reader announces it with a name and a role that says it can be used, and it is a
// touch target of at least 48 × 48 px. The item tree is walked, so a new control is checked without
// being listed here.
Item {
    id: top
    width: 200
    height: 200

    Component {
        id: mainWindow
        Main { }
    }

    TestCase {
        id: test
        name: "Accessibility"
        when: windowShown

        property var win: null
        // The roles of things a person acts on (QAccessible::Role).
        readonly property var actionRoles: ["Button", "CheckBox", "RadioButton", "ComboBox", "EditableText",
            "Slider", "SpinBox", "MenuItem", "PageTab", "Link", "ButtonMenu", "ButtonDropDown", "ListItem",
            "ScrollBar", "Dial"]

        function part(name, under) {
            let item = null
            tryVerify(() => (item = findChild(under || test.win.contentItem, name)) !== null, 2000, "the window has no " + name)
            return item
        }
        // Told by what it can do: instanceof does not see the Quick Controls' C++ base types.
        function isButton(item) { return typeof item.toggle === "function" && "checkable" in item && "autoRepeat" in item }
        function isText(item) { return "cursorPosition" in item && "selectByMouse" in item }
        function interactive(item) {
            return isButton(item) || isText(item) || ("currentIndex" in item && "popup" in item && "editable" in item)
                || ("stepSize" in item && "snapMode" in item && !("policy" in item))
        }
        function describe(item) {
            return String(item).replace(/\(0x[0-9a-f]+\)/, "") + (item.objectName ? " “" + item.objectName + "”" : "")
                + (typeof item.text === "string" && item.text.length > 0 ? " text “" + item.text + "”" : "")
        }
        // The problems of every control shown under @p root (an item), as sentences.
        function problems(root, where) {
            const out = []
            const walk = (item) => {
                if (!item.visible || item.opacity === 0)
                    return
                if (interactive(item) && item.width > 0 && item.height > 0) {
                    const what = where + ": " + describe(item)
                    // What a screen reader announces: the role of the item's accessible interface,
                    // and its name: Accessible.name, or the control's own text, which Qt makes its
                    // name once an assistive technology is active. A text field's text is what was
                    // typed, never its name.
                    // Reading an attached property gives the item its accessible interface, as a
                    // screen reader's first question does.
                    const name = item.Accessible.name
                    const told = fixture.accessible(item)
                    const text = typeof item.text === "string" && !isText(item) ? item.text.trim() : ""
                    if (String(told.name || name || "").trim().length === 0 && text.length === 0)
                        out.push(what + " has no accessible name")
                    if (!test.actionRoles.includes(told.roleName))
                        out.push(what + " is announced as " + told.roleName + ", not as something to use")
                    // A text field is a target by its height; its width is the text's.
                    if (item.height < 48 || (!isText(item) && item.width < 48))
                        out.push(what + " is " + Math.round(item.width) + " × " + Math.round(item.height) + " px")
                    // A control's own parts (a field inside a spin box) are the control's.
                    return
                }
                const children = item.children
                for (let i = 0; i < children.length; ++i)
                    walk(children[i])
            }
            walk(root)
            return out
        }
        function windowProblems(where) {
            waitForRendering(win.contentItem)
            // The window's root: its content and the overlay that holds dialogs, drawers and menus.
            return problems(win.contentItem.parent, where)
        }
        function expectNone(found) {
            for (const f of found)
                console.log("PROBLEM " + f)
            verify(found.length === 0, found.length + " controls:\n" + found.join("\n"))
        }

        function initTestCase() {
            const room = fixture.createRoom("Accessible room")
            verify(room.length > 0)
            Host.selectRoom(room)
            win = mainWindow.createObject(top)
            verify(win !== null, "Main.qml did not load")
            win.width = 1280
            win.height = 800
            tryVerify(() => win.visible, 2000)
            compare(Host.addWidget("https://127.0.0.1:9/named", "Named"), "")
            tryCompare(Host, "widgetCount", 1, 5000)
            Host.panelOpen = true
            Host.panelFullScreen = false
            compare(Host.submitComposer("a message"), "")
        }
        function cleanupTestCase() {
            Host.panelFullScreen = false
            verify(fixture.resetShell(), "the shell is left with no widget shown")
            if (win) {
                win.close()
                win.destroy()
            }
        }
        function cleanup() {
            win.page = ""
            fixture.useSpanish(false)
        }

        function test_1_the_room_wide_and_narrow() {
            let found = []
            for (const size of [[1280, 800], [800, 1280]]) {
                win.width = size[0]
                win.height = size[1]
                Host.panelOpen = size[0] > 900
                found = found.concat(windowProblems(size[0] + "×" + size[1]))
            }
            expectNone(found)
            win.width = 1280
            win.height = 800
            Host.panelOpen = true
        }

        function test_2_every_page() {
            let found = []
            for (const page of ["permissions", "audit", "plugins", "security", "settings"]) {
                win.page = page
                found = found.concat(windowProblems(page))
            }
            expectNone(found)
        }

        function test_3_menus_and_dialogs() {
            let found = []
            const panel = part("widgetPanel")
            mouseClick(part("widgetMenuButton"))
            const widgetMenu = findChild(panel, "widgetMenu")
            tryCompare(widgetMenu, "opened", true)
            found = found.concat(windowProblems("the widget menu"))
            keyClick(Qt.Key_Escape)
            tryCompare(widgetMenu, "visible", false)

            const list = part("dockedRoomList")
            const row = part("room_" + Host.rooms.indexOf(Host.currentRoomId), list)
            mouseClick(row, row.width / 2, row.height / 2, Qt.RightButton)
            const roomMenu = findChild(list, "roomMenu")
            tryCompare(roomMenu, "opened", true)
            found = found.concat(windowProblems("the room menu"))
            keyClick(Qt.Key_Escape)
            tryCompare(roomMenu, "visible", false)

            const dialog = findChild(win, "consentDialog")
            verify(fixture.askCapabilities("a11y_w", "Named", ["org.matrix.msc2762.receive.state_event:io.tessera.test.a11y",
                                                                "io.tessera.test.good.echo"]))
            tryCompare(dialog, "opened", true)
            found = found.concat(windowProblems("the consent dialog"))
            mouseClick(findChild(dialog, "consentApprove"))
            tryCompare(dialog, "visible", false)
            expectNone(found)
        }

        function test_4_in_spanish() {
            verify(fixture.useSpanish(true))
            let found = windowProblems("es: the room")
            for (const page of ["permissions", "audit", "plugins", "settings"]) {
                win.page = page
                found = found.concat(windowProblems("es: " + page))
            }
            expectNone(found)
        }
    }
}
