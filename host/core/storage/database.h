// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "util/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace tessera::storage {

/**
 * How hard a commit tries to reach the disk (PRAGMA synchronous). Every Tessera database runs in
 * WAL mode, where both levels survive a crash of the process (kill -9): a committed transaction
 * is in the WAL file, which the OS keeps. They differ on power loss or an OS crash:
 *  - Full: the WAL is fsync'ed at every commit, so a commit that returned survives power loss.
 *    Use it for anything acknowledged to the user or a widget (audit rows, consent decisions,
 *    the outbox). Batch writes in one transaction to pay the fsync once.
 *  - Normal: fsync only at checkpoints; the last commits may roll back after a power loss, the
 *    file is never corrupted. Use it for data that can be fetched or rebuilt (caches, room
 *    timelines mirrored from a homeserver).
 */
enum class Durability {
    Invalid = 0,
    Full,
    Normal,
};

/** Options for Database::open. The defaults suit a database that holds acknowledged data. */
struct OpenOptions {
    Durability durability = Durability::Full;
    /** How long a statement waits for another connection's lock before failing with Unavailable. */
    int busyTimeoutMs = 5000;
    /** Open without write access; the file must exist. No pragma that writes is run. */
    bool readOnly = false;
    /** Create the file if it does not exist (ignored when readOnly). */
    bool create = true;
    /** The name used in messages to the user, e.g. "audit.db"; defaults to the file name. */
    std::string displayName;
    /**
     * Page size in bytes (a power of two, 512 to 65536) for a file this open creates; 0 for
     * SQLite's default (4096). A file that already has pages keeps its own size. Larger pages
     * suit append-heavy files: fewer pages, splits and writes per row.
     */
    int pageSize = 0;
};

class Database;

/** A parameter's value where the parameters are known only at run time (Statement::bindEach). */
using SqlValue = std::variant<std::nullopt_t, std::int64_t, double, std::string>;

namespace detail {
template<typename T>
inline constexpr bool kIsOptional = false;
template<typename T>
inline constexpr bool kIsOptional<std::optional<T>> = true;
} // namespace detail

/**
 * @brief A prepared SQL statement (RAII over sqlite3_stmt). Move-only.
 *
 * Parameters are bound by 1-based index or by name (":name", "@name", "$name", "?NNN" with the
 * prefix included); bound text and blobs are copied. step() returns true while a row is
 * available; column getters take 0-based indexes, and the views they return are valid until the
 * next step(), reset() or destruction. A Statement must not outlive its Database and must be used
 * by one thread at a time (the thread that uses its Database).
 */
class Statement {
public:
    Statement() = default;
    Statement(Statement &&other) noexcept;
    Statement &operator=(Statement &&other) noexcept;
    Statement(const Statement &) = delete;
    Statement &operator=(const Statement &) = delete;
    ~Statement();

    Result<void> bindInt64(int index, std::int64_t value);
    Result<void> bindDouble(int index, double value);
    Result<void> bindText(int index, std::string_view value);
    Result<void> bindBlob(int index, std::string_view bytes);
    Result<void> bindNull(int index);

    /**
     * Like bindText/bindBlob without the copy, for hot loops: the bytes must stay valid and
     * unchanged until the statement's next reset(), re-bind or destruction.
     */
    Result<void> bindTextNoCopy(int index, std::string_view value);
    Result<void> bindBlobNoCopy(int index, std::string_view bytes);

    Result<void> bindInt64(std::string_view name, std::int64_t value);
    Result<void> bindDouble(std::string_view name, double value);
    Result<void> bindText(std::string_view name, std::string_view value);
    Result<void> bindBlob(std::string_view name, std::string_view bytes);
    Result<void> bindNull(std::string_view name);

    /**
     * Binds @p values to parameters 1, 2, … in order: text for anything a std::string_view can be
     * made of, an int64 for an integer, a double for a floating-point value, NULL for std::nullopt
     * or an empty std::optional (a full one binds what it holds). Blobs go through bindBlob. Stops
     * at the first failure and returns it (a value past the last parameter is SQLite's range error).
     */
    template<typename... Values>
    Result<void> bindAll(const Values &...values)
    {
        Result<void> result;
        int index = 0;
        (void)((result = bindValue(++index, values)) && ...);
        return result;
    }

    /** Binds @p values to parameters 1, 2, … in order; stops at the first failure and returns it. */
    Result<void> bindEach(const std::vector<SqlValue> &values);

    /** Advances: true if a row is available, false when the statement has finished. */
    Result<bool> step();

    /**
     * Steps through the rows, calling @p onRow(const Statement &) for each. onRow returns void, or
     * bool (false: stop before the next row), or Result<void> (an error stops and is returned), or
     * Result<bool> (both). A failed step returns SQLite's error.
     */
    template<typename OnRow>
    Result<void> forEachRow(OnRow &&onRow)
    {
        using Returned = std::invoke_result_t<OnRow &, const Statement &>;
        for (;;) {
            auto row = step();
            if (!row)
                return std::move(row).error();
            if (!*row)
                return {};
            if constexpr (std::is_void_v<Returned>) {
                onRow(std::as_const(*this));
            } else if constexpr (std::is_same_v<Returned, bool>) {
                if (!onRow(std::as_const(*this)))
                    return {};
            } else if constexpr (std::is_same_v<Returned, Result<bool>>) {
                auto more = onRow(std::as_const(*this));
                if (!more)
                    return std::move(more).error();
                if (!*more)
                    return {};
            } else {
                if (auto r = onRow(std::as_const(*this)); !r)
                    return std::move(r).error();
            }
        }
    }

    /**
     * Steps once: what @p read(const Statement &) makes of the first row, nullopt when there is
     * no row, SQLite's error when the step fails.
     */
    template<typename Read>
    auto firstRow(Read &&read) -> Result<std::optional<std::invoke_result_t<Read &, const Statement &>>>
    {
        using Value = std::invoke_result_t<Read &, const Statement &>;
        auto row = step();
        if (!row)
            return std::move(row).error();
        if (!*row)
            return std::optional<Value>();
        return std::optional<Value>(read(std::as_const(*this)));
    }

    /**
     * For a statement that yields at most one row (a lookup by key, an INSERT or DELETE with
     * RETURNING): what @p read(const Statement &) makes of the row, nullopt when there is none,
     * once the statement has run to its end. A second row is an Internal error; a failed step
     * returns SQLite's error.
     */
    template<typename Read>
    auto singleRow(Read &&read) -> Result<std::optional<std::invoke_result_t<Read &, const Statement &>>>
    {
        auto value = firstRow(read);
        if (!value || !*value)
            return value;
        auto more = step();
        if (!more)
            return std::move(more).error();
        if (*more)
            return Error(ErrorCode::Internal, "more than one row from \"" + std::string(sql()) + "\"");
        return value;
    }

    /** Steps until the statement finishes, ignoring any rows (for INSERT/UPDATE/DDL). */
    Result<void> run();
    /** Makes the statement runnable again (also after a failed step) and clears every binding. */
    void reset();

    [[nodiscard]] int columnCount() const;
    [[nodiscard]] bool isNull(int column) const;
    [[nodiscard]] std::int64_t columnInt64(int column) const;
    [[nodiscard]] double columnDouble(int column) const;
    /** UTF-8 text; empty for NULL. Valid until the next step(), reset() or destruction. */
    [[nodiscard]] std::string_view columnText(int column) const;
    /** Raw bytes; empty for NULL. Valid until the next step(), reset() or destruction. */
    [[nodiscard]] std::string_view columnBlob(int column) const;
    /** A copy of the text, nullopt for NULL. */
    [[nodiscard]] std::optional<std::string> optionalText(int column) const;
    /** The integer, nullopt for NULL. */
    [[nodiscard]] std::optional<std::int64_t> optionalInt64(int column) const;

    /** The SQL text this statement was prepared from. */
    [[nodiscard]] std::string_view sql() const;
    [[nodiscard]] sqlite3_stmt *handle() const { return m_stmt; }

private:
    friend class Database;
    explicit Statement(sqlite3_stmt *stmt) : m_stmt(stmt) {}

    template<typename Value>
    Result<void> bindValue(int index, const Value &value)
    {
        if constexpr (std::is_same_v<Value, std::nullopt_t>) {
            return bindNull(index);
        } else if constexpr (detail::kIsOptional<Value>) {
            return value ? bindValue(index, *value) : bindNull(index);
        } else if constexpr (std::is_integral_v<Value>) {
            static_assert(!(std::is_unsigned_v<Value> && sizeof(Value) >= sizeof(std::int64_t)),
                          "an unsigned 64-bit value may not fit in SQLite's int64: convert it explicitly");
            return bindInt64(index, static_cast<std::int64_t>(value));
        } else if constexpr (std::is_floating_point_v<Value>) {
            return bindDouble(index, value);
        } else {
            return bindText(index, std::string_view(value));
        }
    }

    Result<int> indexOf(std::string_view name) const;
    Result<void> check(int rc, std::string_view what) const;
    Result<void> checkBind(int rc, int index) const;

    sqlite3_stmt *m_stmt = nullptr;
};

/**
 * @brief A write transaction (BEGIN IMMEDIATE): takes the write lock at once, so it never fails
 * half-way with SQLITE_BUSY on its first write. Rolls back on destruction unless committed.
 * Move-only; must not outlive its Database. Transactions do not nest.
 */
class Transaction {
public:
    Transaction() = default;
    Transaction(Transaction &&other) noexcept;
    Transaction &operator=(Transaction &&other) noexcept;
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;
    ~Transaction();

    /** Commits. After success or failure the transaction is finished (a failed COMMIT is rolled back). */
    Result<void> commit();
    /** Rolls back now. */
    Result<void> rollback();
    [[nodiscard]] bool isActive() const { return m_db != nullptr; }

private:
    friend class Database;
    explicit Transaction(sqlite3 *db) : m_db(db) {}
    sqlite3 *m_db = nullptr; // the connection, not the Database: a Database may be moved meanwhile
};

/**
 * @brief One SQLite connection (RAII over sqlite3*), opened in WAL mode with foreign keys on, a
 * busy timeout, temporary storage in memory and the requested durability. Move-only. (The first
 * open in a process also turns off SQLite's global memory statistics, which cost a mutex per
 * allocation and which Tessera does not read.)
 *
 * open() reads the file before returning, so a file that is not a database, is truncated or
 * cannot be read is reported there, with its path and what the user can do; the file is never
 * modified, replaced or deleted in that case. Schema versions are handled by migrate() below.
 *
 * Thread safety: a Database and its Statements are used by one thread at a time. Use one
 * connection per thread (WAL lets readers run while one writer commits).
 */
class Database {
public:
    static Result<Database> open(const std::filesystem::path &path, const OpenOptions &options = {});

    Database() = default;
    Database(Database &&other) noexcept;
    Database &operator=(Database &&other) noexcept;
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;
    ~Database();

    /** Runs one or more ';'-separated statements without results (DDL, pragmas). */
    Result<void> exec(std::string_view sql);
    /** Prepares one statement. Text after the first statement is an error. */
    Result<Statement> prepare(std::string_view sql);
    /** Prepares one statement and binds @p values to its parameters 1, 2, … (Statement::bindAll). */
    template<typename Value, typename... More>
    Result<Statement> prepare(std::string_view sql, const Value &value, const More &...more)
    {
        auto st = prepare(sql);
        if (!st)
            return st;
        if (auto bound = st->bindAll(value, more...); !bound)
            return std::move(bound).error();
        return st;
    }
    /** Prepares one statement, binds @p values (Statement::bindAll) and runs it to the end. */
    template<typename... Values>
    Result<void> run(std::string_view sql, const Values &...values)
    {
        auto st = prepare(sql);
        if (!st)
            return std::move(st).error();
        TRY(st->bindAll(values...));
        return st->run();
    }
    /** BEGIN IMMEDIATE. */
    Result<Transaction> begin();

    /** PRAGMA user_version: the schema version recorded in the file. */
    Result<int> userVersion();
    [[nodiscard]] std::int64_t lastInsertRowId() const;
    /** Rows changed by the most recent INSERT, UPDATE or DELETE. */
    [[nodiscard]] std::int64_t changes() const;
    [[nodiscard]] bool isOpen() const { return m_db != nullptr; }
    [[nodiscard]] bool isReadOnly() const { return m_readOnly; }

    [[nodiscard]] const std::filesystem::path &path() const { return m_path; }
    /** e.g. "audit.db at ~/.local/share/tessera/audit.db": the prefix of every message. */
    [[nodiscard]] std::string describe() const;
    /** For what this wrapper does not cover (sqlite3_create_function, backups). Do not close it. */
    [[nodiscard]] sqlite3 *handle() const { return m_db; }

    /** An Error whose message carries this database's name, path, @p what and SQLite's message for @p rc. */
    [[nodiscard]] Error errorFor(int rc, std::string_view what) const;

private:
    Database(sqlite3 *db, std::filesystem::path path, std::string displayName, bool readOnly);
    void close() noexcept;

    sqlite3 *m_db = nullptr;
    std::filesystem::path m_path;
    std::string m_displayName;
    bool m_readOnly = false;
};

/**
 * One step of a database's schema. A database declares its steps as an ordered list whose
 * versions are 1, 2, 3, … without gaps; the file's user_version says how many have run.
 * A step is the SQL in `sql` (run first) and/or the function `apply` (for data changes SQL
 * cannot express). Steps are never edited once released: a change is a new step.
 */
struct Migration {
    int version = 0;
    std::string_view description;
    std::string_view sql;
    std::function<Result<void>(Database &)> apply;
};

/**
 * Brings @p db up to the last step of @p steps: each missing step runs in its own transaction
 * together with the user_version update, so a failed step leaves the file at the previous
 * version. A file whose user_version is higher than the last step (written by a newer Tessera)
 * is refused with ErrorCode::Unsupported and left untouched. Returns the version now recorded.
 */
Result<int> migrate(Database &db, std::span<const Migration> steps);

/** The file of one concern ("audit", "consent", "rooms", …) in @p dataDir: <dataDir>/<concern>.db. */
std::filesystem::path databasePath(const std::filesystem::path &dataDir, std::string_view concern);

/**
 * The usual way to get a database: creates @p dataDir (0700) if needed, opens
 * <dataDir>/<concern>.db with @p options and migrates it to the last of @p steps.
 */
Result<Database> openConcern(const std::filesystem::path &dataDir, std::string_view concern,
                             std::span<const Migration> steps, OpenOptions options = {});

} // namespace tessera::storage
