// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "util/secretstore.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/paths.h"

namespace tessera {

namespace {
Error ioError(const std::string &what, const std::filesystem::path &path)
{
    return Error(ErrorCode::Io, what + " " + path.string() + ": " + std::strerror(errno));
}
} // namespace

FileSecretStore::FileSecretStore(std::filesystem::path directory) : m_dir(std::move(directory)) {}

std::string FileSecretStore::description() const
{
    return "files readable only by you in " + m_dir.string() + " (no system keychain is running)";
}

Result<std::filesystem::path> FileSecretStore::pathFor(std::string_view name) const
{
    if (name.empty() || name.size() > 128)
        return Error(ErrorCode::BadRequest, "secret name must be 1 to 128 characters");
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
            || c == '_' || c == '.';
        if (!ok || (c == '.' && name.find("..") != std::string_view::npos))
            return Error(ErrorCode::BadRequest, "secret name may only contain letters, digits, '-', '_' and '.'");
    }
    return m_dir / std::string(name);
}

Result<std::optional<std::string>> FileSecretStore::read(std::string_view name)
{
    auto path = pathFor(name);
    if (!path)
        return path.error();
    const int fd = ::open(path->c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT)
            return std::optional<std::string>{};
        return ioError("cannot read secret", *path);
    }
    struct stat st {};
    if (::fstat(fd, &st) == 0 && (st.st_mode & 077) != 0) {
        ::close(fd);
        return Error(ErrorCode::Denied, "secret file " + path->string()
                                            + " is readable by other users; fix it with chmod 600 or delete it");
    }
    std::string out;
    char buf[4096];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            ::close(fd);
            return ioError("cannot read secret", *path);
        }
        if (n == 0)
            break;
        out.append(buf, std::size_t(n));
    }
    ::close(fd);
    return std::optional<std::string>(std::move(out));
}

Result<void> FileSecretStore::write(std::string_view name, std::string_view value)
{
    auto path = pathFor(name);
    if (!path)
        return path.error();
    if (auto ok = paths::ensurePrivateDirectory(m_dir); !ok)
        return ok.error();
    const std::filesystem::path tmp = path->string() + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return ioError("cannot write secret", tmp);
    std::size_t done = 0;
    while (done < value.size()) {
        const ssize_t n = ::write(fd, value.data() + done, value.size() - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            ::close(fd);
            ::unlink(tmp.c_str());
            return ioError("cannot write secret", tmp);
        }
        done += std::size_t(n);
    }
    if (::fsync(fd) != 0) {
        ::close(fd);
        ::unlink(tmp.c_str());
        return ioError("cannot flush secret", tmp);
    }
    ::close(fd);
    if (::rename(tmp.c_str(), path->c_str()) != 0) {
        ::unlink(tmp.c_str());
        return ioError("cannot replace secret", *path);
    }
    return {};
}

Result<void> FileSecretStore::remove(std::string_view name)
{
    auto path = pathFor(name);
    if (!path)
        return path.error();
    if (::unlink(path->c_str()) != 0 && errno != ENOENT)
        return ioError("cannot delete secret", *path);
    return {};
}

} // namespace tessera
