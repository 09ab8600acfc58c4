// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

#include "consent/consenttypes.h"

namespace tessera::consent {

/**
 * @brief Shows consent questions to the user. Implemented by the QML layer (the consent dialog's
 * model) and directly by tests; the consent service never shows UI itself.
 *
 * Called on the scheduler's thread. show() must return promptly; the answer comes later through
 * ConsentService::answer(prompt.id, …), from any call stack on that thread (even from inside
 * show()). After withdraw() the prompt must disappear; answers to it are refused.
 */
class Prompter {
public:
    virtual ~Prompter() = default;
    virtual void show(const Prompt &prompt) = 0;
    /** The question is moot: it timed out, or the widget closed. */
    virtual void withdraw(PromptId id) = 0;
};

/**
 * @brief Told when consent is taken back, so live widgets lose what they held at once.
 *
 * The host implements it by finding the live widget sessions whose scopeFor(userId, widget)
 * equals @p scope and calling WidgetSession::revokeCapabilities(capabilities); WidgetConsent
 * does that for its own session. Called on the scheduler's thread after the change is committed.
 * Every member defaults to nothing.
 */
class ConsentListener {
public:
    virtual ~ConsentListener() = default;
    /** Live sessions of @p scope MUST drop @p capabilities now. */
    virtual void onCapabilitiesRevoked(const WidgetScope &scope, const std::vector<std::string> &capabilities)
    {
        (void)scope;
        (void)capabilities;
    }
    /** A remembered OpenID allow for @p scope was revoked; the next request asks again. */
    virtual void onOpenIdRevoked(const WidgetScope &scope) { (void)scope; }
    /** The user withdrew consent to load this widget event: the host closes the widget. */
    virtual void onLoadRevoked(const RememberedDecision &decision) { (void)decision; }
    /** The origin lost a browser permission: the host resets it in the web view and stops capture. */
    virtual void onBrowserPermissionRevoked(const std::string &userId, const std::string &origin,
                                            BrowserPermission permission)
    {
        (void)userId;
        (void)origin;
        (void)permission;
    }
    /** Remembered decisions or standing rules changed (for list models to refresh). */
    virtual void onConsentChanged() {}
};

} // namespace tessera::consent
