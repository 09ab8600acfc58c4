// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QObject>
#include <QString>
#include <functional>
#include <string>
#include <string_view>

#include "bridge/widgetsession.h"

namespace tessera::ui {

/**
 * @brief The one object a widget's wrapper page sees over QWebChannel, and the session's
 * Transport.
 *
 * The wrapper has already checked that a message came from the widget's frame and origin; the
 * port hands the text to the session unchanged. Messages the wrapper refused (wrong source,
 * wrong origin, unserialisable, too large) arrive through refused() so they can be audited.
 */
class WidgetPort final : public QObject, public bridge::Transport {
    Q_OBJECT
public:
    struct Config {
        QString url;     ///< the embed URL (templated, policy-checked, with widgetId/parentUrl)
        QString origin;  ///< the widget origin; the only one messages are accepted from and sent to
        QString sandbox; ///< the iframe sandbox flags
        QString allow;   ///< the iframe permissions policy (camera/microphone only when granted)
        QString title;
        QString widgetId;
        QString theme;
    };

    explicit WidgetPort(Config config, QObject *parent = nullptr);

    /** The wrapper's configuration, as JSON text. */
    Q_INVOKABLE QString config() const;
    Q_INVOKABLE void fromWidget(const QString &message);
    Q_INVOKABLE void frameLoaded();
    Q_INVOKABLE void refused(const QString &kind, const QString &detail, int size);
    /**
     * The wrapper's answer to heartbeat(@p seq): the wrapper runs, and the widget's frame has
     * not answered for @p frameSilentMs (0 while no document of the widget answers yet).
     */
    Q_INVOKABLE void pulse(int seq, int frameSilentMs);

    void send(std::string message) override;
    /** Asks the wrapper to remove the widget's frame (releases camera and microphone). */
    void requestUnload();

    std::function<void(std::string_view)> onMessage;
    std::function<void()> onFrameLoaded;
    std::function<void(const QString &kind, const QString &detail, int size)> onRefused;
    std::function<void(int seq, int frameSilentMs)> onPulse;

Q_SIGNALS:
    void toWidget(const QString &message);
    void unload();
    /** Asks the wrapper for fresh frames (software compositing on Qt 6.4 can show a stale one). */
    void repaint();
    /** Asks the wrapper whether it and the widget's frame still answer (see pulse). */
    void heartbeat(int seq);

private:
    Config m_config;
};

} // namespace tessera::ui
