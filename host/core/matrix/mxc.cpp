// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "matrix/mxc.h"

#include <algorithm>

namespace tessera::matrix {

namespace {

bool isAsciiAlnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool isMediaIdChar(char c)
{
    return isAsciiAlnum(c) || c == '_' || c == '-';
}

bool isServerNameChar(char c)
{
    return isMediaIdChar(c) || c == '.' || c == ':' || c == '[' || c == ']';
}

} // namespace

std::optional<MxcUri> parseMxcUri(std::string_view uri)
{
    constexpr std::string_view kScheme = "mxc://";
    if (uri.substr(0, kScheme.size()) != kScheme)
        return std::nullopt;
    const std::string_view rest = uri.substr(kScheme.size());
    const auto slash = rest.find('/');
    if (slash == std::string_view::npos)
        return std::nullopt;
    const std::string_view server = rest.substr(0, slash);
    const std::string_view mediaId = rest.substr(slash + 1);
    if (server.empty() || mediaId.empty() || !std::all_of(server.begin(), server.end(), isServerNameChar)
        || !std::all_of(mediaId.begin(), mediaId.end(), isMediaIdChar))
        return std::nullopt;
    return MxcUri{std::string(server), std::string(mediaId)};
}

} // namespace tessera::matrix
