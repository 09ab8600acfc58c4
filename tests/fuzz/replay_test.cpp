// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
//
// Replays the committed seed corpus and every regression input through the fuzz targets in the
// ordinary g++ build. Each input is copied so that it ends exactly where an unreadable page
// begins: reading one byte past the input crashes here too, not only under AddressSanitizer.

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fuzztarget.h"

namespace fs = std::filesystem;

namespace {

class GuardedInput {
public:
    explicit GuardedInput(const std::string &bytes)
    {
        const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
        m_dataPages = std::max<std::size_t>(1, (bytes.size() + page - 1) / page) * page;
        m_length = m_dataPages + page;
        void *base = ::mmap(nullptr, m_length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (base == MAP_FAILED)
            throw std::runtime_error("mmap failed");
        m_base = static_cast<std::uint8_t *>(base);
        if (::mprotect(m_base + m_dataPages, page, PROT_NONE) != 0)
            throw std::runtime_error("mprotect failed");
        m_data = m_base + m_dataPages - bytes.size();
        std::memcpy(m_data, bytes.data(), bytes.size());
        m_size = bytes.size();
    }
    ~GuardedInput() { ::munmap(m_base, m_length); }
    GuardedInput(const GuardedInput &) = delete;
    GuardedInput &operator=(const GuardedInput &) = delete;

    const std::uint8_t *data() const { return m_data; }
    std::size_t size() const { return m_size; }

private:
    std::uint8_t *m_base = nullptr;
    std::uint8_t *m_data = nullptr;
    std::size_t m_size = 0;
    std::size_t m_dataPages = 0;
    std::size_t m_length = 0;
};

std::string readFile(const fs::path &path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<fs::path> inputsIn(const fs::path &dir)
{
    std::vector<fs::path> out;
    if (!fs::is_directory(dir))
        return out;
    for (const auto &entry : fs::directory_iterator(dir)) {
        if (entry.is_regular_file() && entry.path().filename() != "README.md")
            out.push_back(entry.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

// Runs one input; returns what went wrong, or "" if nothing did.
std::string replay(tessera::fuzz::TargetFunction target, const fs::path &path)
{
    const GuardedInput input(readFile(path));
    try {
        target(input.data(), input.size());
    } catch (const tessera::fuzz::InvariantViolation &e) {
        return e.what();
    } catch (const std::exception &e) {
        return std::string("exception escaped: ") + e.what();
    }
    return {};
}

class FuzzInputs : public ::testing::TestWithParam<const char *> {};

TEST_P(FuzzInputs, SeedCorpusKeepsEveryInvariant)
{
    const auto target = tessera::fuzz::findTarget(GetParam());
    ASSERT_NE(target, nullptr) << "no fuzz target named " << GetParam();
    const auto inputs = inputsIn(fs::path(TESSERA_FUZZ_DIR) / "corpus" / GetParam());
    ASSERT_FALSE(inputs.empty()) << "the seed corpus of " << GetParam() << " is empty";
    for (const auto &path : inputs) {
        const std::string problem = replay(target, path);
        EXPECT_TRUE(problem.empty()) << path.filename() << ": " << problem;
    }
}

TEST_P(FuzzInputs, RegressionInputsKeepEveryInvariant)
{
    const auto target = tessera::fuzz::findTarget(GetParam());
    ASSERT_NE(target, nullptr);
    for (const auto &path : inputsIn(fs::path(TESSERA_FUZZ_DIR) / "regressions" / GetParam())) {
        const std::string problem = replay(target, path);
        EXPECT_TRUE(problem.empty()) << path.filename() << ": " << problem;
    }
}

INSTANTIATE_TEST_SUITE_P(Targets, FuzzInputs,
                         ::testing::Values("envelope", "capability", "widgetstate", "urltemplate", "session"),
                         [](const auto &info) { return std::string(info.param); });

} // namespace
