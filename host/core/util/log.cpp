// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "util/log.h"

#include <iostream>
#include <mutex>
#include <string>

namespace tessera::log {

namespace {
Sink &sink()
{
    static Sink s;
    return s;
}
Filter &filter()
{
    static Filter f;
    return f;
}
} // namespace

void setSink(Sink s, Filter f)
{
    sink() = std::move(s);
    filter() = std::move(f);
}

bool enabled(std::string_view category, Level level)
{
    if (const Filter &f = filter())
        return f(category, level);
    return sink() ? true : level >= Level::Warning;
}

void write(std::string_view category, Level level, std::string_view message)
{
    if (!enabled(category, level))
        return;
    if (const Sink &s = sink()) {
        s(category, level, message);
        return;
    }
    static std::mutex mutex;
    std::lock_guard lock(mutex);
    std::cerr << category << ": " << message << '\n';
}

} // namespace tessera::log
