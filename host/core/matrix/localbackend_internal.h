// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
// The local backend's helpers, shared by its source files.
#pragma once

#include "matrix/localbackend.h"

namespace tessera::matrix {

inline Error unknownRoom(const std::string &roomId)
{
    return matrixError(404, "M_NOT_FOUND", "Unknown room " + roomId);
}

inline Error forbidden(const std::string &message)
{
    return matrixError(403, "M_FORBIDDEN", message);
}

inline Error unsupported(const std::string &what)
{
    return Error(ErrorCode::Unsupported, what);
}

template<typename T>
void LocalBackend::reply(Callback<T> done, Result<T> result)
{
    m_scheduler.post([done = std::move(done), result = std::move(result)]() mutable { done(std::move(result)); });
}

} // namespace tessera::matrix
