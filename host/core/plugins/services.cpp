// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "plugins/services.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

#include "plugins/manifest.h"
#include "util/log.h"
#include "util/paths.h"

namespace tessera::plugins {

FilePluginSettingsStore::FilePluginSettingsStore(std::filesystem::path directory) : m_dir(std::move(directory)) {}

Result<nlohmann::json> FilePluginSettingsStore::read(const std::string &pluginId)
{
    if (!isValidPluginId(pluginId))
        return Error(ErrorCode::BadRequest, "invalid plugin id");
    const auto file = m_dir / (pluginId + ".json");
    std::error_code ec;
    if (!std::filesystem::exists(file, ec))
        return nlohmann::json::object();
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return Error(ErrorCode::Io, "cannot read " + file.string());
    std::stringstream text;
    text << in.rdbuf();
    auto doc = nlohmann::json::parse(text.str(), nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
        return Error(ErrorCode::Corrupt, file.string() + " does not hold a JSON object");
    return doc;
}

Result<void> FilePluginSettingsStore::write(const std::string &pluginId, const nlohmann::json &settings)
{
    if (!isValidPluginId(pluginId))
        return Error(ErrorCode::BadRequest, "invalid plugin id");
    if (auto r = paths::ensurePrivateDirectory(m_dir); !r)
        return r;
    const auto file = m_dir / (pluginId + ".json");
    const auto temp = m_dir / (pluginId + ".json.tmp");
    const std::string text = settings.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return Error(ErrorCode::Io, "cannot write " + temp.string() + ": " + std::strerror(errno));
    std::size_t written = 0;
    while (written < text.size()) {
        const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            const int err = errno;
            ::close(fd);
            return Error(ErrorCode::Io, "cannot write " + temp.string() + ": " + std::strerror(err));
        }
        written += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0)
        return Error(ErrorCode::Io, "cannot write " + temp.string() + ": " + std::strerror(errno));
    std::error_code ec;
    std::filesystem::rename(temp, file, ec);
    if (ec)
        return Error(ErrorCode::Io, "cannot replace " + file.string() + ": " + ec.message());
    return {};
}

const char *toString(LogLevel level) noexcept
{
    switch (level) {
    case LogLevel::Debug: return "debug";
    case LogLevel::Info: return "info";
    case LogLevel::Warning: return "warning";
    case LogLevel::Error: return "error";
    case LogLevel::Invalid: break;
    }
    return "invalid";
}

PluginLogSink coreLogSink()
{
    return [](LogLevel level, std::string_view pluginId, std::string_view message) {
        log::Level to = log::Level::Info;
        switch (level) {
        case LogLevel::Debug: to = log::Level::Debug; break;
        case LogLevel::Warning: to = log::Level::Warning; break;
        case LogLevel::Error: to = log::Level::Error; break;
        case LogLevel::Info:
        case LogLevel::Invalid: break;
        }
        if (!log::enabled(log::kPlugins, to))
            return;
        if (pluginId.empty()) {
            log::write(log::kPlugins, to, message);
            return;
        }
        std::string line;
        line.reserve(pluginId.size() + message.size() + 3);
        line.append("[").append(pluginId).append("] ").append(message);
        log::write(log::kPlugins, to, line);
    };
}

} // namespace tessera::plugins
