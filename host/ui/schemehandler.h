// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QHash>
#include <QString>
#include <QWebEngineUrlSchemeHandler>
#include <functional>

namespace tessera::ui {

/** The scheme of Tessera's own pages (the widget wrapper). */
inline constexpr char kAppScheme[] = "tessera";
/** The scheme plugins serve their widget pages on. */
inline constexpr char kPluginScheme[] = "tessera-plugin";

/** A content type for a file served on the plugin scheme, by its extension. */
QByteArray mimeTypeForPath(const QString &path);

/** Registers both schemes; must run before QGuiApplication is created. */
void registerSchemes();

/**
 * @brief Serves tessera://app/…: the wrapper page (with a Content-Security-Policy made for the
 * one widget origin its view may frame), its script and style, and qwebchannel.js.
 *
 * Qt 6.4 cannot send response headers from a scheme handler, so the policy is a <meta> tag,
 * which cannot carry frame-ancestors or sandbox; the view's navigation policy covers those.
 */
class AppSchemeHandler final : public QWebEngineUrlSchemeHandler {
    Q_OBJECT
public:
    explicit AppSchemeHandler(QObject *parent = nullptr);

    /** Registers a view; returns the token its wrapper URL carries. */
    QString registerView(const QString &widgetOrigin);
    void unregisterView(const QString &token);
    /** The wrapper URL for a registered view. */
    static QString wrapperUrl(const QString &token);

    void requestStarted(QWebEngineUrlRequestJob *job) override;

    /** The policy text for a widget origin (exposed for tests). */
    static QString contentSecurityPolicy(const QString &widgetOrigin);

private:
    QHash<QString, QString> m_views; ///< token → widget origin
};

/**
 * @brief Serves tessera-plugin://<plugin-id>/<path> from a plugin's bundled assets.
 */
class PluginSchemeHandler final : public QWebEngineUrlSchemeHandler {
    Q_OBJECT
public:
    /**
     * Returns (content type, bytes) for a plugin asset, or false if there is none; sets
     * @p refusal when the path was refused for leading out of the plugin's folder.
     */
    using AssetLookup = std::function<bool(const QString &pluginId, const QString &path, QByteArray &mimeType,
                                           QByteArray &body, QString &refusal)>;
    /** Hears every request refused for leading out of a plugin's folder (to audit it). */
    using RefusalSink = std::function<void(const QString &pluginId, const QString &path, const QString &reason,
                                           const QString &initiator)>;
    explicit PluginSchemeHandler(AssetLookup lookup, QObject *parent = nullptr);
    void setRefusalSink(RefusalSink sink) { m_refused = std::move(sink); }
    void requestStarted(QWebEngineUrlRequestJob *job) override;

private:
    AssetLookup m_lookup;
    RefusalSink m_refused;
};

} // namespace tessera::ui
