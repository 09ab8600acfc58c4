// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtWebEngine
import QtWebChannel
import Tessera

// The web view of one generation of a widget (its wrapper page, with Tessera's policies), made
// and dropped by its WidgetView through WebViews.widgetWebView, never as a delegate: a delegate's
// QML context is cleared as soon as it is dropped, while the view itself is deleted only later,
// and Qt 6.4's view calls into its context's engine in between (a navigation, a tooltip, a
// permission request) and crashes when the context has none. Made from the WebViews singleton,
// the view's context lives as long as the engine.
WebEngineView {
    id: view
    /// The WidgetView that shows this view; its widget is the one this view runs.
    required property Item host
    /// Which of the widget's generations this view shows (a reload makes a new view).
    required property int generation
    // Under the WidgetView's notice and state page, which are declared before it is made.
    z: -1
    anchors.fill: parent
    anchors.topMargin: host.noticeHeight
    visible: host.wantedGeneration >= 0
    objectName: host.widget ? "widgetView_" + host.widget.widgetId : ""
    profile: Host.widgetProfile
    backgroundColor: Theme.surface
    webChannel: channel
    settings.javascriptCanOpenWindows: true   // reaches onNewWindowRequested, never opens by itself
    settings.javascriptCanAccessClipboard: false
    settings.javascriptCanPaste: false
    settings.localContentCanAccessRemoteUrls: false
    settings.localContentCanAccessFileUrls: false
    settings.pluginsEnabled: false
    settings.fullScreenSupportEnabled: false
    settings.errorPageEnabled: true

    WebChannel { id: channel }
    // Set once, not bound: a view shows one generation's wrapper (a reload builds a new
    // view), and wrapperUrl notifies with every state change, where assigning even the
    // same URL loads the page again; the widget would reload each time it became ready.
    Component.onCompleted: {
        channel.registerObject("port", host.widget.port)
        // The heartbeat's answering side, in the widget's frame (host/web/framewatch.js),
        // in a world of its own that the widget's scripts cannot reach.
        const watch = WebEngine.script()
        watch.name = "tessera-framewatch"
        watch.sourceCode = Host.frameWatchScript
        watch.injectionPoint = WebEngineScript.DocumentCreation
        watch.worldId = WebEngineScript.ApplicationWorld
        watch.runsOnSubFrames = true
        userScripts.insert(watch)
        url = host.widget.wrapperUrl
    }

    // Stopping the page while it goes cancels every navigation still in flight.
    Component.onDestruction: view.stop()

    onNavigationRequested: function (request) {
        if (!host.widget)
            return
        // The view shows the wrapper and nothing else; widgets navigate inside their frame.
        if (request.isMainFrame && request.url.toString() !== host.widget.wrapperUrl) {
            request.action = WebEngineNavigationRequest.IgnoreRequest
            Host.auditRefusal(host.widget.widgetId, "navigation", request.url.toString())
        }
    }
    onNewWindowRequested: function (request) {
        Host.offerPopup(host.widget.widgetId, request.requestedUrl.toString(), request.userInitiated)
    }
    // Chromium stops a sandboxed frame's escapes (navigating the top window or submitting
    // a form to it, reading the wrapper without catching the error) by itself and only
    // reports them on the console; each report goes to the audit log (Host limits how
    // many a widget can cause, and counts the rest).
    onJavaScriptConsoleMessage: function (level, message, lineNumber, sourceID) {
        if (level !== WebEngineView.ErrorMessageLevel)
            return
        const kind = message.indexOf("Unsafe attempt to initiate navigation") >= 0 ? "top_navigation"
                   : message.indexOf("Blocked a frame with origin") >= 0 ? "cross_origin_access"
                   : message.indexOf("Blocked form submission") >= 0 ? "form_submission"
                   : ""
        if (kind !== "")
            Host.auditRefusal(host.widget.widgetId, kind, message.slice(0, 500))
    }
    onJavaScriptDialogRequested: function (request) {
        request.accepted = true
        request.dialogReject()
        Host.auditRefusal(host.widget.widgetId, "dialog", request.message)
    }
    onFileDialogRequested: function (request) {
        request.accepted = true
        request.dialogReject()
        Host.auditRefusal(host.widget.widgetId, "file_dialog", "")
    }
    onContextMenuRequested: function (request) { request.accepted = true }
    // What the page may use is decided in C++ (consent/mediapolicy.h): refused outright,
    // asked of the user per origin, or held for the widget's call.
    // Only the engine's enum is named here (its numbers are its own).
    onFeaturePermissionRequested: function (securityOrigin, feature) {
        const names = {}
        names[WebEngineView.MediaAudioCapture] = "audio_capture"
        names[WebEngineView.MediaVideoCapture] = "video_capture"
        names[WebEngineView.MediaAudioVideoCapture] = "audio_video_capture"
        names[WebEngineView.DesktopVideoCapture] = "desktop_video_capture"
        names[WebEngineView.DesktopAudioVideoCapture] = "desktop_audio_video_capture"
        names[WebEngineView.Geolocation] = "geolocation"
        names[WebEngineView.Notifications] = "notifications"
        const name = names[feature] || ("feature " + feature)
        Host.requestFeaturePermission(host.widget.widgetId, securityOrigin.toString(), name, function (ok) {
            view.grantFeaturePermission(securityOrigin, feature, ok)
        })
    }
    onCertificateError: function (error) {
        error.rejectCertificate()
        host.secureConnectionFailed(error.description)
    }
    // The wrapper's renderer died (its widget frame is gone with it): the crash page.
    // A widget frame's own renderer is watched by the heartbeat instead.
    onRenderProcessTerminated: function (status, code) {
        host.widget.rendererTerminated(status, code)
    }
    onLoadingChanged: function (info) {
        if (!host.widget)
            return
        // Only a failure of the wrapper itself lands here; the widget's frame is checked separately.
        if (info.status === WebEngineView.LoadFailedStatus && info.url.toString() === host.widget.wrapperUrl)
            host.wrapperFailed(info.errorString)
    }
}
