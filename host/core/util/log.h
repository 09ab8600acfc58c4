// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <functional>
#include <string_view>

namespace tessera::log {

/**
 * The categories the core writes to; the application shows them as Qt logging categories of the
 * same names (QT_LOGGING_RULES="tessera.matrix.debug=true" and so on).
 */
inline constexpr std::string_view kBridge = "tessera.bridge";
inline constexpr std::string_view kMatrix = "tessera.matrix";
inline constexpr std::string_view kNet = "tessera.net";
inline constexpr std::string_view kPlugins = "tessera.plugins";
inline constexpr std::string_view kAudit = "tessera.audit";
inline constexpr std::string_view kConsent = "tessera.consent";

enum class Level { Debug, Info, Warning, Error };

/** Receives every message the core writes. Called from any thread; must be thread-safe. */
using Sink = std::function<void(std::string_view category, Level level, std::string_view message)>;
/** Says whether a message of a category and level would be kept, so callers can skip building it. */
using Filter = std::function<bool(std::string_view category, Level level)>;

/**
 * Routes the core's messages (set once, before other threads start). Without a sink, warnings and
 * errors go to stderr as `category: message` and the rest is dropped.
 */
void setSink(Sink sink, Filter filter = {});

void write(std::string_view category, Level level, std::string_view message);
[[nodiscard]] bool enabled(std::string_view category, Level level);

inline void debug(std::string_view category, std::string_view message) { write(category, Level::Debug, message); }
inline void info(std::string_view category, std::string_view message) { write(category, Level::Info, message); }
inline void warning(std::string_view category, std::string_view message) { write(category, Level::Warning, message); }
inline void error(std::string_view category, std::string_view message) { write(category, Level::Error, message); }

} // namespace tessera::log
