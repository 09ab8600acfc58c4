// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
pragma Singleton
import QtQuick
import Tessera

// Where widget web views are made (see WidgetWebView.qml): a singleton's context lasts as long as
// the engine, so a view made here keeps a context until it is deleted.
QtObject {
    readonly property Component widgetWebView: Component { WidgetWebView {} }
}
