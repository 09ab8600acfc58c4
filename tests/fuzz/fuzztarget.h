// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

// One source file per fuzz target, built two ways:
// - by the clang sub-build (tests/fuzz/clang) as a libFuzzer binary under ASan+UBSan, where
//   TESSERA_FUZZ_TARGET defines LLVMFuzzerTestOneInput and a broken invariant aborts;
// - by the main g++ build into tessera_fuzz_replay_tests (TESSERA_FUZZ_REPLAY defined), where
//   each target registers itself by name and a broken invariant throws, so the GoogleTest that
//   replays the seed corpus and the regression inputs can report which input broke what.

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace tessera::fuzz {

using TargetFunction = int (*)(const std::uint8_t *data, std::size_t size);

/** Thrown in replay builds when an invariant does not hold. */
class InvariantViolation : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/** Called by FUZZ_CHECK; aborts (fuzz build) or throws InvariantViolation (replay build). */
[[noreturn]] void invariantFailed(const char *file, int line, const char *condition, const std::string &detail);

#if defined(TESSERA_FUZZ_REPLAY)
bool registerTarget(const char *name, TargetFunction fn);
TargetFunction findTarget(std::string_view name);
#endif

/** The input as text (the bytes as they are, not necessarily UTF-8). */
inline std::string_view asText(const std::uint8_t *data, std::size_t size)
{
    return {reinterpret_cast<const char *>(data), size};
}

} // namespace tessera::fuzz

#define FUZZ_CHECK(condition, detail)                                                                  \
    do {                                                                                               \
        if (!(condition)) {                                                                            \
            std::ostringstream fuzzDetail_;                                                            \
            fuzzDetail_ << detail;                                                                     \
            ::tessera::fuzz::invariantFailed(__FILE__, __LINE__, #condition, fuzzDetail_.str());       \
        }                                                                                              \
    } while (false)

#if defined(TESSERA_FUZZ_REPLAY)
#define TESSERA_FUZZ_TARGET(name)                                                                      \
    static int tesseraFuzz_##name(const std::uint8_t *data, std::size_t size);                         \
    [[maybe_unused]] static const bool tesseraFuzzRegistered_##name =                                  \
        ::tessera::fuzz::registerTarget(#name, &tesseraFuzz_##name);                                   \
    static int tesseraFuzz_##name(const std::uint8_t *data, std::size_t size)
#else
#define TESSERA_FUZZ_TARGET(name) extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
#endif
