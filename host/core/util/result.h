// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cassert>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include <nlohmann/json.hpp>

namespace tessera {

/**
 * @brief Broad classes of failure. `Invalid` is never used for a real error.
 */
enum class ErrorCode {
    Invalid = 0,
    BadRequest,      ///< the caller sent something malformed or out of range
    NotFound,        ///< the thing asked for does not exist
    Denied,          ///< refused by policy, consent or a missing capability
    Unsupported,     ///< not implemented by this driver or backend
    Unavailable,     ///< a dependency (server, store, keychain) cannot be reached now
    Timeout,         ///< no answer in time
    Conflict,        ///< the state changed underneath the caller
    Corrupt,         ///< stored data failed verification
    Io,              ///< file system or database error
    Internal,        ///< a bug: an invariant did not hold
    /**
     * refused because it would leave unencrypted where end-to-end encryption is expected (an
     * event for an encrypted room); the message is written for whoever asked to send it
     */
    EncryptionRequired,
};

/**
 * @brief The `matrix_api_error` details of a Widget API error reply: what the homeserver
 * answered when a driver call failed (matrix-widget-api `IWidgetApiErrorResponseDataDetails`).
 */
struct MatrixApiError {
    int httpStatus = 0;
    nlohmann::json httpHeaders = nlohmann::json::object();
    std::string url;
    nlohmann::json response = nlohmann::json::object(); ///< {errcode, error, ...extra}
};

/**
 * @brief An error with a code, a human-readable message and, for homeserver failures, the
 * server's answer.
 */
struct Error {
    ErrorCode code = ErrorCode::Internal;
    std::string message;
    std::optional<MatrixApiError> matrixApiError;

    Error() = default;
    Error(ErrorCode c, std::string m) : code(c), message(std::move(m)) {}
    Error(ErrorCode c, std::string m, MatrixApiError e)
        : code(c), message(std::move(m)), matrixApiError(std::move(e))
    {
    }
};

/**
 * @brief The subset of `std::expected<T, Error>` the project uses (g++ 12 has no <expected>).
 */
template<typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : m_v(std::in_place_index<0>, std::move(value)) {}
    Result(Error error) : m_v(std::in_place_index<1>, std::move(error)) {}

    [[nodiscard]] bool has_value() const noexcept { return m_v.index() == 0; }
    explicit operator bool() const noexcept { return has_value(); }

    T &value() & { assert(has_value()); return std::get<0>(m_v); }
    const T &value() const & { assert(has_value()); return std::get<0>(m_v); }
    T &&value() && { assert(has_value()); return std::get<0>(std::move(m_v)); }
    T *operator->() { return &value(); }
    const T *operator->() const { return &value(); }
    T &operator*() & { return value(); }
    const T &operator*() const & { return value(); }

    const Error &error() const & { assert(!has_value()); return std::get<1>(m_v); }
    Error &&error() && { assert(!has_value()); return std::get<1>(std::move(m_v)); }

private:
    std::variant<T, Error> m_v;
};

/** @brief Result of an operation that has no value on success. */
template<>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : m_error(std::move(error)) {}

    [[nodiscard]] bool has_value() const noexcept { return !m_error.has_value(); }
    explicit operator bool() const noexcept { return has_value(); }
    const Error &error() const & { assert(m_error); return *m_error; }
    Error &&error() && { assert(m_error); return std::move(*m_error); }

private:
    std::optional<Error> m_error;
};

inline Error makeError(ErrorCode code, std::string message)
{
    return Error(code, std::move(message));
}

/**
 * @brief How an asynchronous call hands back its outcome: called at most once, on the
 * scheduler's thread (see util/scheduler.h), with the value or the error.
 */
template<typename T>
using Callback = std::function<void(Result<T>)>;

} // namespace tessera

/**
 * Evaluates @p expr (a Result) and, if it holds an error, returns that error from the enclosing
 * function (which must return a Result or an Error). The project's one early-return macro.
 */
#define TRY(expr)                                                                                                    \
    do {                                                                                                             \
        if (auto _r = (expr); !_r)                                                                                   \
            return std::move(_r).error();                                                                            \
    } while (0)
