#pragma once

#include <QString>
#include <optional>

namespace legba {

// The contract's error codes. Both the server (to answer) and the client (to understand
// an answer) map them to and from HTTP here, in one place.
enum class ErrorCode {
    Unauthorized,
    Forbidden,
    ValidationError,
    NotFound,
    MethodNotAllowed,
    Conflict,
    PayloadTooLarge,
    RateLimited,
    Internal,
};

int httpStatusFor(ErrorCode code);
QString wireName(ErrorCode code);
std::optional<ErrorCode> errorCodeFromWireName(const QString& name);

// The one 401 message: it never tells which check failed.
inline constexpr const char* kUnauthorizedMessage = "Invalid or missing API key";

} // namespace legba
