// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include <QUrl>

#include "audit/auditsink.h"
#include "bridge/actionregistry.h"
#include "bridge/widgetdriver.h"
#include "consent/consentservice.h"
#include "matrix/roombackend.h"
#include "util/scheduler.h"
#include "widgets/urlpolicy.h"

namespace tessera::plugins {
class PluginManager;
}
namespace tessera::net {
class HttpClient;
}

namespace tessera::ui {

class AppSchemeHandler;

/**
 * @brief The long-lived services the UI layer works with, built by the composition root
 * (host/app/main.cpp) and outliving every UI object.
 */
struct HostServices {
    Scheduler *scheduler = nullptr;
    matrix::RoomBackend *backend = nullptr;
    consent::ConsentService *consent = nullptr;
    audit::AuditSink *audit = nullptr;
    bridge::ActionRegistry *actions = nullptr;
    plugins::PluginManager *plugins = nullptr; ///< may be null (no plugins)
    AppSchemeHandler *appScheme = nullptr;
    net::HttpClient *http = nullptr; ///< for checking that a widget's server answers before blaming a blank frame
    std::filesystem::path dataDir;
    widgets::UrlPolicyOptions urlPolicy;
    /** The homeserver's base URL, for $org.matrix.msc4039.matrix_base_url (empty locally). */
    std::string homeserverUrl;
    /** Builds the room side of a widget's driver (reads, sends, media, TURN) for one widget. */
    std::function<std::unique_ptr<bridge::WidgetDriver>(const bridge::WidgetContext &)> roomDriverFactory;
    /**
     * Opens an address in the system's web browser; false if none could be started. Empty:
     * QDesktopServices::openUrl (tests set their own, as no browser runs there).
     */
    std::function<bool(const QUrl &)> openUrl;
    /** Fetches an OpenID token once the user agreed (empty: OpenID is always blocked). */
    std::function<void(std::function<void(Result<bridge::OpenIdToken>)>)> openIdTokens;
};

} // namespace tessera::ui
