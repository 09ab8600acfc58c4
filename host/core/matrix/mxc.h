// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tessera::matrix {

/** The two parts of a Matrix content URI, mxc://<server-name>/<media-id>. */
struct MxcUri {
    std::string serverName;
    std::string mediaId;
};

/**
 * Parses mxc://<server-name>/<media-id> (spec, "Matrix Content URIs"): the server name is letters,
 * digits and "_-.:[]" (a host name, an IPv4 or bracketed IPv6 address, an optional port), the
 * media id letters, digits, "_" and "-"; neither is empty. nullopt for anything else.
 */
std::optional<MxcUri> parseMxcUri(std::string_view uri);

} // namespace tessera::matrix
