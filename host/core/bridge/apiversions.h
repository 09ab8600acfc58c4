// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <string_view>

namespace tessera::bridge {

/** Versions Tessera answers to `supported_api_versions` (matrix-widget-api CurrentApiVersions). */
inline constexpr std::array<std::string_view, 14> kSupportedApiVersions{
    "0.0.1",
    "0.0.2",
    "org.matrix.msc2762",
    "org.matrix.msc2762_update_state",
    "org.matrix.msc2871",
    "org.matrix.msc2873",
    "org.matrix.msc2931",
    "org.matrix.msc2974",
    "org.matrix.msc2876",
    "org.matrix.msc3819",
    "town.robin.msc3846",
    "org.matrix.msc3869",
    "org.matrix.msc3973",
    "org.matrix.msc4039",
};

/** The widget-side version that allows `update_state` pushes. */
inline constexpr std::string_view kUpdateStateVersion = "org.matrix.msc2762_update_state";

} // namespace tessera::bridge
