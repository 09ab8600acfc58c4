// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "storage/database.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <mutex>
#include <system_error>
#include <utility>

#include "util/paths.h"

namespace tessera::storage {

namespace {

ErrorCode codeFor(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return ErrorCode::Unavailable;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: return ErrorCode::Corrupt;
    case SQLITE_CONSTRAINT: return ErrorCode::Conflict;
    case SQLITE_RANGE:
    case SQLITE_MISUSE: return ErrorCode::Internal;
    case SQLITE_TOOBIG: return ErrorCode::BadRequest;
    default: return ErrorCode::Io;
    }
}

std::string sqliteMessage(sqlite3 *db, int rc)
{
    // sqlite3_errmsg describes the most recent failure on the connection; fall back to the
    // generic text for the code when the connection has nothing better.
    if (db && (sqlite3_errcode(db) & 0xff) == (rc & 0xff))
        return sqlite3_errmsg(db);
    return sqlite3_errstr(rc);
}

// "audit.db" for messages from places that only hold a connection (statements, transactions).
std::string nameOf(sqlite3 *db)
{
    const char *file = db ? sqlite3_db_filename(db, "main") : nullptr;
    if (!file || !*file)
        return "database";
    return std::filesystem::path(file).filename().string();
}

std::string shortSql(std::string_view sql)
{
    constexpr std::size_t kMaxSqlInMessage = 80;
    std::string out(sql.substr(0, kMaxSqlInMessage));
    if (sql.size() > kMaxSqlInMessage)
        out += "…";
    return out;
}

Error connectionError(sqlite3 *db, int rc, std::string_view what)
{
    return Error(codeFor(rc), nameOf(db) + ": " + std::string(what) + ": " + sqliteMessage(db, rc));
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Statement

Statement::Statement(Statement &&other) noexcept : m_stmt(std::exchange(other.m_stmt, nullptr)) {}

Statement &Statement::operator=(Statement &&other) noexcept
{
    if (this != &other) {
        sqlite3_finalize(m_stmt);
        m_stmt = std::exchange(other.m_stmt, nullptr);
    }
    return *this;
}

Statement::~Statement()
{
    sqlite3_finalize(m_stmt);
}

Result<void> Statement::check(int rc, std::string_view what) const
{
    if (rc == SQLITE_OK)
        return {};
    sqlite3 *db = m_stmt ? sqlite3_db_handle(m_stmt) : nullptr;
    return Error(codeFor(rc), nameOf(db) + ": " + std::string(what) + " in \"" + shortSql(sql())
                                  + "\": " + sqliteMessage(db, rc));
}

Result<void> Statement::checkBind(int rc, int index) const
{
    if (rc == SQLITE_OK) // the message is built only on failure: binds run for every row written
        return {};
    return check(rc, "binding parameter " + std::to_string(index));
}

Result<int> Statement::indexOf(std::string_view name) const
{
    if (!m_stmt)
        return Error(ErrorCode::Internal, "bind on an empty statement");
    const int index = sqlite3_bind_parameter_index(m_stmt, std::string(name).c_str());
    if (index == 0)
        return Error(ErrorCode::Internal, "no parameter named " + std::string(name) + " in \"" + shortSql(sql()) + "\"");
    return index;
}

Result<void> Statement::bindInt64(int index, std::int64_t value)
{
    return checkBind(sqlite3_bind_int64(m_stmt, index, value), index);
}

Result<void> Statement::bindDouble(int index, double value)
{
    return checkBind(sqlite3_bind_double(m_stmt, index, value), index);
}

// Empty text and blobs must stay empty values, not NULL: sqlite binds a null pointer as NULL,
// and a default-constructed string_view has one.
static const char kEmptyValue[1] = {0};

Result<void> Statement::bindText(int index, std::string_view value)
{
    return checkBind(sqlite3_bind_text64(m_stmt, index, value.empty() ? kEmptyValue : value.data(), value.size(),
                                     SQLITE_TRANSIENT, SQLITE_UTF8), index);
}

Result<void> Statement::bindBlob(int index, std::string_view bytes)
{
    return checkBind(sqlite3_bind_blob64(m_stmt, index, bytes.empty() ? kEmptyValue : bytes.data(), bytes.size(),
                                     SQLITE_TRANSIENT), index);
}

Result<void> Statement::bindTextNoCopy(int index, std::string_view value)
{
    return checkBind(sqlite3_bind_text64(m_stmt, index, value.empty() ? kEmptyValue : value.data(), value.size(),
                                         SQLITE_STATIC, SQLITE_UTF8),
                     index);
}

Result<void> Statement::bindBlobNoCopy(int index, std::string_view bytes)
{
    return checkBind(
        sqlite3_bind_blob64(m_stmt, index, bytes.empty() ? kEmptyValue : bytes.data(), bytes.size(), SQLITE_STATIC),
        index);
}

Result<void> Statement::bindNull(int index)
{
    return checkBind(sqlite3_bind_null(m_stmt, index), index);
}

Result<void> Statement::bindInt64(std::string_view name, std::int64_t value)
{
    auto index = indexOf(name);
    return index ? bindInt64(*index, value) : Result<void>(index.error());
}

Result<void> Statement::bindDouble(std::string_view name, double value)
{
    auto index = indexOf(name);
    return index ? bindDouble(*index, value) : Result<void>(index.error());
}

Result<void> Statement::bindText(std::string_view name, std::string_view value)
{
    auto index = indexOf(name);
    return index ? bindText(*index, value) : Result<void>(index.error());
}

Result<void> Statement::bindBlob(std::string_view name, std::string_view bytes)
{
    auto index = indexOf(name);
    return index ? bindBlob(*index, bytes) : Result<void>(index.error());
}

Result<void> Statement::bindNull(std::string_view name)
{
    auto index = indexOf(name);
    return index ? bindNull(*index) : Result<void>(index.error());
}

Result<void> Statement::bindEach(const std::vector<SqlValue> &values)
{
    int index = 0;
    for (const auto &value : values)
        TRY(std::visit([&](const auto &v) { return bindValue(++index, v); }, value));
    return {};
}

Result<bool> Statement::step()
{
    if (!m_stmt)
        return Error(ErrorCode::Internal, "step on an empty statement");
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    return check(rc, "step").error();
}

Result<void> Statement::run()
{
    for (;;) {
        auto more = step();
        if (!more)
            return more.error();
        if (!*more)
            return {};
    }
}

void Statement::reset()
{
    if (!m_stmt)
        return;
    // sqlite3_reset repeats the error of a failed step; that error was reported by step().
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
}

int Statement::columnCount() const
{
    return sqlite3_column_count(m_stmt);
}

bool Statement::isNull(int column) const
{
    return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
}

std::int64_t Statement::columnInt64(int column) const
{
    return sqlite3_column_int64(m_stmt, column);
}

double Statement::columnDouble(int column) const
{
    return sqlite3_column_double(m_stmt, column);
}

std::string_view Statement::columnText(int column) const
{
    const auto *text = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, column));
    const int bytes = sqlite3_column_bytes(m_stmt, column); // after _text: the size of that form
    return text ? std::string_view(text, std::size_t(bytes)) : std::string_view();
}

std::string_view Statement::columnBlob(int column) const
{
    const auto *data = static_cast<const char *>(sqlite3_column_blob(m_stmt, column));
    const int bytes = sqlite3_column_bytes(m_stmt, column);
    return data ? std::string_view(data, std::size_t(bytes)) : std::string_view();
}

std::optional<std::string> Statement::optionalText(int column) const
{
    if (isNull(column))
        return std::nullopt;
    return std::string(columnText(column));
}

std::optional<std::int64_t> Statement::optionalInt64(int column) const
{
    if (isNull(column))
        return std::nullopt;
    return columnInt64(column);
}

std::string_view Statement::sql() const
{
    const char *text = m_stmt ? sqlite3_sql(m_stmt) : nullptr;
    return text ? std::string_view(text) : std::string_view();
}

// ---------------------------------------------------------------------------------------------
// Transaction

Transaction::Transaction(Transaction &&other) noexcept : m_db(std::exchange(other.m_db, nullptr)) {}

Transaction &Transaction::operator=(Transaction &&other) noexcept
{
    if (this != &other) {
        (void)rollback();
        m_db = std::exchange(other.m_db, nullptr);
    }
    return *this;
}

Transaction::~Transaction()
{
    (void)rollback();
}

Result<void> Transaction::commit()
{
    if (!m_db)
        return Error(ErrorCode::Internal, "commit of a finished transaction");
    sqlite3 *db = std::exchange(m_db, nullptr);
    const int rc = sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    if (rc == SQLITE_OK)
        return {};
    Error error = connectionError(db, rc, "commit failed");
    // A failed COMMIT may leave the transaction open (e.g. SQLITE_BUSY); finish it so the
    // connection is usable and nothing half-done is kept.
    if (!sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    return error;
}

Result<void> Transaction::rollback()
{
    if (!m_db)
        return {};
    sqlite3 *db = std::exchange(m_db, nullptr);
    if (sqlite3_get_autocommit(db))
        return {}; // sqlite already rolled back (an error such as SQLITE_FULL does that)
    const int rc = sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK)
        return connectionError(db, rc, "rollback failed");
    return {};
}

// ---------------------------------------------------------------------------------------------
// Database

Database::Database(sqlite3 *db, std::filesystem::path path, std::string displayName, bool readOnly)
    : m_db(db), m_path(std::move(path)), m_displayName(std::move(displayName)), m_readOnly(readOnly)
{
}

Database::Database(Database &&other) noexcept
    : m_db(std::exchange(other.m_db, nullptr)),
      m_path(std::move(other.m_path)),
      m_displayName(std::move(other.m_displayName)),
      m_readOnly(other.m_readOnly)
{
}

Database &Database::operator=(Database &&other) noexcept
{
    if (this != &other) {
        close();
        m_db = std::exchange(other.m_db, nullptr);
        m_path = std::move(other.m_path);
        m_displayName = std::move(other.m_displayName);
        m_readOnly = other.m_readOnly;
    }
    return *this;
}

Database::~Database()
{
    close();
}

void Database::close() noexcept
{
    // close_v2 defers the close until the last statement is finalized instead of failing.
    if (m_db)
        sqlite3_close_v2(std::exchange(m_db, nullptr));
}

std::string Database::describe() const
{
    return m_displayName + " at " + m_path.string();
}

Error Database::errorFor(int rc, std::string_view what) const
{
    return Error(codeFor(rc), describe() + ": " + std::string(what) + ": " + sqliteMessage(m_db, rc));
}

Result<Database> Database::open(const std::filesystem::path &path, const OpenOptions &options)
{
    std::string displayName = options.displayName.empty() ? path.filename().string() : options.displayName;
    const std::string described = displayName + " at " + path.string();

    if (options.durability == Durability::Invalid)
        return Error(ErrorCode::Internal, "opening " + described + ": no durability chosen");
    if (options.busyTimeoutMs < 0)
        return Error(ErrorCode::BadRequest, "opening " + described + ": busy timeout must not be negative");

    std::error_code ec;
    const bool exists = std::filesystem::exists(path, ec);
    if (!exists && (options.readOnly || !options.create))
        return Error(ErrorCode::NotFound, described + " does not exist");
    if (exists && std::filesystem::is_directory(path, ec))
        return Error(ErrorCode::Io, described + " is a directory, not a database file. Move it aside or "
                                                "choose another data directory; Tessera did not modify it.");

    // SQLite's memory statistics take a global mutex on every allocation; nothing in Tessera
    // reads them. This only works before SQLite initialises, i.e. on the first open.
    static std::once_flag memStatusOff;
    std::call_once(memStatusOff, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });

    int flags = SQLITE_OPEN_NOMUTEX; // one thread at a time per connection, documented in the header
    flags |= options.readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
    if (!options.readOnly && options.create)
        flags |= SQLITE_OPEN_CREATE;

    if (!exists && !options.readOnly && options.create) {
        // SQLite would create the file with 0644 less the umask, and gives its -wal, -shm and
        // -journal files the mode of the database: make the file first, private to the user.
        // If that fails, SQLite's own attempt below fails the same way and says so.
        const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd >= 0)
            ::close(fd);
    }

    sqlite3 *raw = nullptr;
    const int openRc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
    Database db(raw, path, std::move(displayName), options.readOnly); // owns raw even on failure
    if (openRc != SQLITE_OK) {
        return Error(ErrorCode::Io, "cannot open " + described + " (" + sqliteMessage(raw, openRc)
                                        + "). Check that the directory exists and that you may read and write "
                                          "the file; Tessera did not modify it.");
    }
    sqlite3_extended_result_codes(raw, 0);
    sqlite3_busy_timeout(raw, options.busyTimeoutMs);

    // Read the header and the schema before anything can write: a file that is not a database
    // or was truncated fails here, and nothing has been written to it yet.
    {
        auto probe = db.prepare("SELECT count(*) FROM sqlite_schema");
        Result<bool> row = probe ? probe->step() : Result<bool>(probe.error());
        if (!row) {
            const Error &e = row.error();
            if (e.code == ErrorCode::Unavailable)
                return Error(ErrorCode::Unavailable, described + " is locked by another process (" + e.message
                                                         + "). Close the other Tessera and try again.");
            const std::string reason = sqliteMessage(raw, sqlite3_errcode(raw));
            if (e.code == ErrorCode::Corrupt)
                return Error(ErrorCode::Corrupt, described + " is not a valid database (" + reason
                                                     + "). Move it aside to start a new one; Tessera did not modify it.");
            return Error(e.code, "cannot read " + described + " (" + reason
                                     + "). Check the file's permissions and the disk; Tessera did not modify it.");
        }
    }

    if (!options.readOnly && options.pageSize != 0) {
        if (options.pageSize < 512 || options.pageSize > 65536 || (options.pageSize & (options.pageSize - 1)) != 0)
            return Error(ErrorCode::BadRequest, described + ": page size " + std::to_string(options.pageSize)
                                                    + " is not a power of two from 512 to 65536");
        // Only a file without pages takes it; it must come before WAL mode writes the header.
        if (auto r = db.exec("PRAGMA page_size = " + std::to_string(options.pageSize)); !r)
            return r.error();
    }
    if (!options.readOnly) {
        auto mode = db.prepare("PRAGMA journal_mode=WAL");
        if (!mode)
            return mode.error();
        auto row = mode->step();
        if (!row)
            return row.error();
        if (!*row || mode->columnText(0) != "wal")
            return Error(ErrorCode::Io, described + ": cannot switch to WAL mode (the file system may not "
                                                    "support shared memory); Tessera needs it");
    }
    const char *sync = options.durability == Durability::Full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL";
    if (auto r = db.exec(sync); !r)
        return r.error();
    // temp_store=MEMORY also keeps statement journals in memory: a statement that fires a
    // trigger inside a larger transaction journals every page it changes, and past 64 KiB SQLite
    // would otherwise spill that journal to a file in /var/tmp, one write per page per statement.
    if (auto r = db.exec("PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY"); !r)
        return r.error();
    return db;
}

Result<void> Database::exec(std::string_view sql)
{
    if (!m_db)
        return Error(ErrorCode::Internal, "exec on a closed database");
    char *message = nullptr;
    const int rc = sqlite3_exec(m_db, std::string(sql).c_str(), nullptr, nullptr, &message);
    if (rc == SQLITE_OK)
        return {};
    std::string text = message ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    return Error(codeFor(rc), describe() + ": \"" + shortSql(sql) + "\" failed: " + text);
}

Result<Statement> Database::prepare(std::string_view sql)
{
    if (!m_db)
        return Error(ErrorCode::Internal, "prepare on a closed database");
    sqlite3_stmt *stmt = nullptr;
    const char *tail = nullptr;
    const int rc = sqlite3_prepare_v3(m_db, sql.data(), int(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
    Statement statement(stmt);
    if (rc != SQLITE_OK)
        return errorFor(rc, "cannot prepare \"" + shortSql(sql) + "\"");
    if (!stmt)
        return Error(ErrorCode::Internal, describe() + ": no statement in \"" + shortSql(sql) + "\"");
    const std::string_view rest(tail, std::size_t(sql.data() + sql.size() - tail));
    if (rest.find_first_not_of(" \t\r\n;") != std::string_view::npos)
        return Error(ErrorCode::Internal, describe() + ": more than one statement in \"" + shortSql(sql) + "\"");
    return statement;
}

Result<Transaction> Database::begin()
{
    if (!m_db)
        return Error(ErrorCode::Internal, "begin on a closed database");
    if (auto r = exec("BEGIN IMMEDIATE"); !r)
        return r.error();
    return Transaction(m_db);
}

Result<int> Database::userVersion()
{
    auto stmt = prepare("PRAGMA user_version");
    if (!stmt)
        return stmt.error();
    auto row = stmt->step();
    if (!row)
        return row.error();
    return *row ? int(stmt->columnInt64(0)) : 0;
}

std::int64_t Database::lastInsertRowId() const
{
    return m_db ? sqlite3_last_insert_rowid(m_db) : 0;
}

std::int64_t Database::changes() const
{
    return m_db ? sqlite3_changes64(m_db) : 0;
}

// ---------------------------------------------------------------------------------------------
// Migrations

Result<int> migrate(Database &db, std::span<const Migration> steps)
{
    for (std::size_t i = 0; i < steps.size(); ++i) {
        if (steps[i].version != int(i + 1))
            return Error(ErrorCode::Internal, db.describe() + ": schema steps must be numbered 1, 2, 3, … (step "
                                                  + std::to_string(i + 1) + " says "
                                                  + std::to_string(steps[i].version) + ")");
    }
    const int latest = int(steps.size());
    auto current = db.userVersion();
    if (!current)
        return current.error();
    if (*current > latest)
        return Error(ErrorCode::Unsupported,
                     db.describe() + " has schema version " + std::to_string(*current)
                         + ", but this Tessera knows versions up to " + std::to_string(latest)
                         + ": it was written by a newer Tessera. Run that version, or move the file aside to "
                           "start a new one; Tessera did not modify it.");
    if (*current == latest)
        return latest;
    if (db.isReadOnly())
        return Error(ErrorCode::Unsupported,
                     db.describe() + " has schema version " + std::to_string(*current) + " and needs version "
                         + std::to_string(latest) + "; open it once with write access to upgrade it");

    for (int version = *current + 1; version <= latest; ++version) {
        const Migration &step = steps[std::size_t(version - 1)];
        auto tx = db.begin();
        if (!tx)
            return tx.error();
        // Another process may have migrated between our read and the write lock.
        auto now = db.userVersion();
        if (!now)
            return now.error();
        if (*now >= version)
            continue;
        auto fail = [&](const Error &e) {
            return Error(e.code, e.message + "; migrating " + db.describe() + " to schema version "
                                     + std::to_string(version) + " (" + std::string(step.description)
                                     + ") was rolled back, the file is still at version "
                                     + std::to_string(version - 1));
        };
        if (!step.sql.empty()) {
            if (auto r = db.exec(step.sql); !r)
                return fail(r.error());
        }
        if (step.apply) {
            if (auto r = step.apply(db); !r)
                return fail(r.error());
        }
        if (auto r = db.exec("PRAGMA user_version = " + std::to_string(version)); !r)
            return fail(r.error());
        if (auto r = tx->commit(); !r)
            return fail(r.error());
    }
    return latest;
}

std::filesystem::path databasePath(const std::filesystem::path &dataDir, std::string_view concern)
{
    return dataDir / (std::string(concern) + ".db");
}

Result<Database> openConcern(const std::filesystem::path &dataDir, std::string_view concern,
                             std::span<const Migration> steps, OpenOptions options)
{
    if (concern.empty() || concern.size() > 64
        || concern.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string_view::npos)
        return Error(ErrorCode::Internal, "database concern \"" + std::string(concern)
                                              + "\" must be 1 to 64 characters of a-z, 0-9 and '-'");
    if (!options.readOnly) {
        if (auto r = paths::ensurePrivateDirectory(dataDir); !r)
            return r.error();
    }
    if (options.displayName.empty())
        options.displayName = std::string(concern) + ".db";
    auto db = Database::open(databasePath(dataDir, concern), options);
    if (!db)
        return db.error();
    if (auto r = migrate(*db, steps); !r)
        return r.error();
    return std::move(db).value();
}

} // namespace tessera::storage
