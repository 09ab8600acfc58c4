// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "util/result.h"

namespace tessera::plugins {

/**
 * @brief A plugin library opened with Boost.DLL (RTLD_NOW | RTLD_LOCAL, so a missing symbol
 * fails the open rather than a later call, and plugins never see each other's symbols).
 *
 * Closing happens when the object is destroyed; the manager keeps libraries open until every
 * plugin has been unloaded.
 */
class SharedLibrary {
public:
    SharedLibrary(SharedLibrary &&) noexcept;
    SharedLibrary &operator=(SharedLibrary &&) noexcept;
    ~SharedLibrary();

    /** Errors (Unavailable) read "cannot open library <path>: <the dynamic loader's message>". */
    static Result<SharedLibrary> open(const std::filesystem::path &path);

    /** The address of an exported symbol, or null if the library does not export it. */
    [[nodiscard]] void *symbol(const char *name) const noexcept;

    [[nodiscard]] const std::filesystem::path &path() const { return m_path; }

    /** The platform's suffix for shared libraries (".so" on Linux). */
    static std::string suffix();

private:
    struct Handle;
    SharedLibrary(std::filesystem::path path, std::unique_ptr<Handle> handle);
    std::filesystem::path m_path;
    std::unique_ptr<Handle> m_handle;
};

} // namespace tessera::plugins
