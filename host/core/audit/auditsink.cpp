// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "audit/auditsink.h"

namespace tessera::audit {

const char *toString(Category c) noexcept
{
    switch (c) {
    case Category::Message: return "message";
    case Category::Consent: return "consent";
    case Category::Plugin: return "plugin";
    case Category::Navigation: return "navigation";
    case Category::Session: return "session";
    case Category::Retention: return "retention";
    case Category::Log: return "log";
    case Category::Outgoing: return "outgoing";
    case Category::Invalid: break;
    }
    return "invalid";
}

const char *toString(Direction d) noexcept
{
    switch (d) {
    case Direction::FromWidget: return "in";
    case Direction::ToWidget: return "out";
    case Direction::Internal: return "internal";
    case Direction::Invalid: break;
    }
    return "invalid";
}

const char *toString(Decision d) noexcept
{
    switch (d) {
    case Decision::Allowed: return "allowed";
    case Decision::Refused: return "refused";
    case Decision::Dropped: return "dropped";
    case Decision::Failed: return "failed";
    case Decision::Info: return "info";
    case Decision::Invalid: break;
    }
    return "invalid";
}

} // namespace tessera::audit
