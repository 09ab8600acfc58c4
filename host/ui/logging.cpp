// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "logging.h"

#include <QByteArray>
#include <QDateTime>
#include <QRegularExpression>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>

#include "util/log.h"
#include "util/paths.h"

namespace tessera::ui {

Q_LOGGING_CATEGORY(lcApp, "tessera.app")
Q_LOGGING_CATEGORY(lcWidgets, "tessera.widgets")
Q_LOGGING_CATEGORY(lcWeb, "tessera.web")

bool isEngineNoise(const QString &category, const QString &message)
{
    if (category == QLatin1String("qt.webenginecontext"))
        return true;
    if (category != QLatin1String("default"))
        return false;
    static const QRegularExpression noise(QStringLiteral(
        "^(QStandardPaths: XDG_RUNTIME_DIR not set.*"
        "|Sandboxing disabled by user\\."
        "|WebEngineContext used before QtWebEngineCore::initialize\\(\\) or OpenGL context creation failed\\."
        "|No suitable graphics backend found"
        "|Qt WebEngine seems to be initialized from a plugin\\..*"
        "|QWebEngine\\w+ is neither a QObject, nor default- and copy-constructible\\. You should not use it as a QML type\\.)$"));
    return noise.match(message).hasMatch();
}

namespace {

struct Logger {
    std::mutex mutex;
    LogOptions options;
    std::FILE *file = nullptr;
    std::int64_t size = 0;
    std::filesystem::path path;
    QtMessageHandler previous = nullptr;
    // The core's categories, made as its messages first arrive and kept for the process's life.
    std::mutex categoriesMutex;
    std::map<std::string, std::unique_ptr<QLoggingCategory>, std::less<>> categories;
};
Logger *g_logger = nullptr;

std::filesystem::path rotated(const std::filesystem::path &path, int n)
{
    return n == 0 ? path : std::filesystem::path(path.string() + "." + std::to_string(n));
}

/** tessera.log → tessera.log.1 → … → tessera.log.<kept-1>, the oldest dropped. Under the mutex. */
void rotateLocked(Logger &l)
{
    if (l.file)
        std::fclose(l.file);
    l.file = nullptr;
    std::error_code ec;
    std::filesystem::remove(rotated(l.path, l.options.filesKept - 1), ec);
    for (int n = l.options.filesKept - 2; n >= 0; --n)
        std::filesystem::rename(rotated(l.path, n), rotated(l.path, n + 1), ec);
    l.file = std::fopen(l.path.c_str(), "ae");
    l.size = 0;
}

char letter(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg: return 'D';
    case QtInfoMsg: return 'I';
    case QtWarningMsg: return 'W';
    case QtCriticalMsg: return 'E';
    case QtFatalMsg: return 'F';
    }
    return '?';
}

void writeFile(Logger &l, QtMsgType type, const QString &category, const QString &message)
{
    const QByteArray line = (QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs) + QLatin1Char(' ')
                             + QLatin1Char(letter(type)) + QLatin1Char(' ') + category + QStringLiteral(": ") + message
                             + QLatin1Char('\n'))
                                .toUtf8();
    std::lock_guard lock(l.mutex);
    if (l.path.empty())
        return;
    if (l.size > 0 && l.size + line.size() > l.options.maxFileBytes)
        rotateLocked(l);
    if (!l.file)
        return;
    std::fwrite(line.constData(), 1, std::size_t(line.size()), l.file);
    std::fflush(l.file);
    l.size += line.size();
}

void handleMessage(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    Logger *l = g_logger;
    const QString category = QString::fromLatin1(context.category ? context.category : "default");
    if (l)
        writeFile(*l, type, category, message);
    if (!l || l->options.verbose || (shownOnTerminal(category, type) && !isEngineNoise(category, message))) {
        const QByteArray text = qFormatLogMessage(type, context, message).toLocal8Bit();
        std::fprintf(stderr, "%s\n", text.constData());
        std::fflush(stderr);
    }
    if (type == QtFatalMsg)
        std::abort();
}

QtMsgType toQt(log::Level level)
{
    switch (level) {
    case log::Level::Debug: return QtDebugMsg;
    case log::Level::Info: return QtInfoMsg;
    case log::Level::Warning: return QtWarningMsg;
    case log::Level::Error: return QtCriticalMsg;
    }
    return QtInfoMsg;
}

const QLoggingCategory &coreCategory(std::string_view name)
{
    Logger &l = *g_logger;
    std::lock_guard lock(l.categoriesMutex);
    auto it = l.categories.find(name);
    if (it == l.categories.end()) {
        // QLoggingCategory keeps the pointer to its name: the map's key outlives it.
        it = l.categories.emplace(std::string(name), nullptr).first;
        it->second = std::make_unique<QLoggingCategory>(it->first.c_str());
    }
    return *it->second;
}

} // namespace

bool shownOnTerminal(const QString &category, QtMsgType type)
{
    Q_UNUSED(category)
    // Warnings and errors, Tessera's and Qt's; debug and info messages are in the log file.
    return type == QtWarningMsg || type == QtCriticalMsg || type == QtFatalMsg;
}

Result<void> installLogging(const LogOptions &options)
{
    auto logger = std::make_unique<Logger>();
    logger->options = options;
    if (logger->options.filesKept < 1)
        logger->options.filesKept = 1;
    if (!options.directory.empty()) {
        for (const auto &dir : {options.directory.parent_path(), options.directory})
            if (auto ok = paths::ensurePrivateDirectory(dir); !ok)
                return ok.error();
        logger->path = options.directory / "tessera.log";
        logger->file = std::fopen(logger->path.c_str(), "ae");
        if (!logger->file)
            return Error(ErrorCode::Io, "cannot open the log file " + logger->path.string() + ": " + std::strerror(errno));
        std::error_code ec;
        const auto size = std::filesystem::file_size(logger->path, ec);
        logger->size = ec ? 0 : std::int64_t(size);
    }
    // Tessera's debug messages only when asked for; QT_LOGGING_RULES still has the last word.
    QLoggingCategory::setFilterRules(options.verbose ? QStringLiteral("tessera.*.debug=true")
                                                     : QStringLiteral("tessera.*.debug=false"));
    g_logger = logger.release();
    g_logger->previous = qInstallMessageHandler(handleMessage);
    log::setSink(
        [](std::string_view category, log::Level level, std::string_view message) {
            // The filter below already asked the category; this only writes.
            QMessageLogger logger(nullptr, 0, nullptr, coreCategory(category).categoryName());
            const QString text = QString::fromUtf8(message.data(), qsizetype(message.size()));
            switch (level) {
            case log::Level::Debug: logger.debug().noquote() << text; break;
            case log::Level::Info: logger.info().noquote() << text; break;
            case log::Level::Warning: logger.warning().noquote() << text; break;
            case log::Level::Error: logger.critical().noquote() << text; break;
            }
        },
        [](std::string_view category, log::Level level) { return coreCategory(category).isEnabled(toQt(level)); });
    return {};
}

void uninstallLogging()
{
    if (!g_logger)
        return;
    log::setSink({}, {});
    qInstallMessageHandler(g_logger->previous);
    QLoggingCategory::setFilterRules(QString());
    if (g_logger->file)
        std::fclose(g_logger->file);
    // The core's categories may still be referenced by messages in flight on other threads: the
    // logger is left allocated.
    g_logger->file = nullptr;
    g_logger->path.clear();
    g_logger = nullptr;
}

} // namespace tessera::ui
