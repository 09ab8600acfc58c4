// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "keychainsecretstore.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QTimer>
#include <qt6keychain/keychain.h>

namespace tessera::ui {

namespace {
constexpr char kService[] = "Tessera";
constexpr int kTimeoutMs = 15'000;

// Runs a keychain job to completion; false if it did not finish in time.
bool runJob(QKeychain::Job &job)
{
    QEventLoop loop;
    QTimer timeout;
    timeout.setSingleShot(true);
    QObject::connect(&job, &QKeychain::Job::finished, &loop, &QEventLoop::quit);
    QObject::connect(&timeout, &QTimer::timeout, &loop, &QEventLoop::quit);
    job.setAutoDelete(false);
    job.start();
    timeout.start(kTimeoutMs);
    loop.exec();
    return timeout.isActive();
}

Error keychainError(const QKeychain::Job &job, const std::string &what)
{
    return Error(ErrorCode::Unavailable, "keychain: cannot " + what + ": " + job.errorString().toStdString());
}
} // namespace

Result<std::optional<std::string>> KeychainSecretStore::read(std::string_view name)
{
    QKeychain::ReadPasswordJob job(QString::fromLatin1(kService));
    job.setKey(QString::fromUtf8(name.data(), qsizetype(name.size())));
    if (!runJob(job))
        return Error(ErrorCode::Timeout, "keychain: no answer within 15 s");
    if (job.error() == QKeychain::EntryNotFound)
        return std::optional<std::string>{};
    if (job.error() != QKeychain::NoError)
        return keychainError(job, "read " + std::string(name));
    const QByteArray data = job.binaryData();
    return std::optional<std::string>(std::string(data.constData(), std::size_t(data.size())));
}

Result<void> KeychainSecretStore::write(std::string_view name, std::string_view value)
{
    QKeychain::WritePasswordJob job(QString::fromLatin1(kService));
    job.setKey(QString::fromUtf8(name.data(), qsizetype(name.size())));
    job.setBinaryData(QByteArray(value.data(), qsizetype(value.size())));
    if (!runJob(job))
        return Error(ErrorCode::Timeout, "keychain: no answer within 15 s");
    if (job.error() != QKeychain::NoError)
        return keychainError(job, "write " + std::string(name));
    return {};
}

Result<void> KeychainSecretStore::remove(std::string_view name)
{
    QKeychain::DeletePasswordJob job(QString::fromLatin1(kService));
    job.setKey(QString::fromUtf8(name.data(), qsizetype(name.size())));
    if (!runJob(job))
        return Error(ErrorCode::Timeout, "keychain: no answer within 15 s");
    if (job.error() != QKeychain::NoError && job.error() != QKeychain::EntryNotFound)
        return keychainError(job, "delete " + std::string(name));
    return {};
}

bool KeychainSecretStore::available()
{
#if defined(Q_OS_LINUX)
    // Secret Service and KWallet live on the session bus; without one, asking would only time out.
    if (qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS"))
        return false;
#endif
    QKeychain::ReadPasswordJob job(QString::fromLatin1(kService));
    job.setKey(QStringLiteral("tessera-keychain-probe"));
    if (!runJob(job))
        return false;
    return job.error() == QKeychain::NoError || job.error() == QKeychain::EntryNotFound;
}

std::unique_ptr<SecretStore> openSecretStore(const std::filesystem::path &fallbackDir, QString &warning)
{
    if (KeychainSecretStore::available())
        return std::make_unique<KeychainSecretStore>();
    auto store = std::make_unique<FileSecretStore>(fallbackDir);
    warning = QCoreApplication::translate("tessera::ui::SecretStore",
                                          "Tessera keeps its secrets in files readable only by you in %1 "
                                          "(no system keychain is running).")
                  .arg(QString::fromStdString(fallbackDir.string()));
    return store;
}

} // namespace tessera::ui
