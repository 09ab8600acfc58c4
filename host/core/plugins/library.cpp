// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "plugins/library.h"

#include <boost/dll/shared_library.hpp>

#if !defined(_WIN32)
#include <dlfcn.h>
#endif

namespace tessera::plugins {

struct SharedLibrary::Handle {
    boost::dll::shared_library library;
};

SharedLibrary::SharedLibrary(std::filesystem::path path, std::unique_ptr<Handle> handle)
    : m_path(std::move(path)), m_handle(std::move(handle))
{
}

SharedLibrary::SharedLibrary(SharedLibrary &&) noexcept = default;
SharedLibrary &SharedLibrary::operator=(SharedLibrary &&) noexcept = default;
SharedLibrary::~SharedLibrary() = default;

Result<SharedLibrary> SharedLibrary::open(const std::filesystem::path &path)
{
    auto handle = std::make_unique<Handle>();
    boost::dll::fs::error_code ec;
    handle->library.load(path, ec, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
    if (ec || !handle->library.is_loaded()) {
        std::string reason;
#if !defined(_WIN32)
        // Boost.DLL's error_code only says "bad file descriptor"; the loader's own text (missing
        // file, wrong architecture, undefined symbol) is what helps, and it is still pending.
        if (const char *dl = ::dlerror())
            reason = dl;
#endif
        if (reason.empty())
            reason = ec ? ec.message() : "unknown error";
        return Error(ErrorCode::Unavailable, "cannot open library " + path.string() + ": " + reason);
    }
    return SharedLibrary(path, std::move(handle));
}

void *SharedLibrary::symbol(const char *name) const noexcept
{
    if (!m_handle || !m_handle->library.is_loaded() || !m_handle->library.has(name))
        return nullptr;
    try {
        return reinterpret_cast<void *>(&m_handle->library.get<void()>(name));
    } catch (...) {
        return nullptr;
    }
}

std::string SharedLibrary::suffix()
{
    return boost::dll::shared_library::suffix().string();
}

} // namespace tessera::plugins
