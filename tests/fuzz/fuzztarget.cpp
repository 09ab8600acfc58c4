// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "fuzztarget.h"

#include <cstdio>
#include <cstdlib>
#include <map>

namespace tessera::fuzz {

void invariantFailed(const char *file, int line, const char *condition, const std::string &detail)
{
    std::string message = std::string(file) + ":" + std::to_string(line) + ": invariant broken: " + condition;
    if (!detail.empty())
        message += "\n  " + detail;
#if defined(TESSERA_FUZZ_REPLAY)
    throw InvariantViolation(message);
#else
    std::fprintf(stderr, "%s\n", message.c_str());
    std::fflush(stderr);
    std::abort(); // libFuzzer reports it as a crash and saves the input
#endif
}

#if defined(TESSERA_FUZZ_REPLAY)
namespace {
std::map<std::string, TargetFunction, std::less<>> &registry()
{
    static std::map<std::string, TargetFunction, std::less<>> targets;
    return targets;
}
} // namespace

bool registerTarget(const char *name, TargetFunction fn)
{
    registry().emplace(name, fn);
    return true;
}

TargetFunction findTarget(std::string_view name)
{
    auto it = registry().find(name);
    return it == registry().end() ? nullptr : it->second;
}
#endif

} // namespace tessera::fuzz
