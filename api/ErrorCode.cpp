#include "ErrorCode.h"

namespace legba {

int httpStatusFor(ErrorCode code) {
    switch (code) {
    case ErrorCode::Unauthorized:
        return 401;
    case ErrorCode::Forbidden:
        return 403;
    case ErrorCode::ValidationError:
        return 400;
    case ErrorCode::NotFound:
        return 404;
    case ErrorCode::MethodNotAllowed:
        return 405;
    case ErrorCode::Conflict:
        return 409;
    case ErrorCode::PayloadTooLarge:
        return 413;
    case ErrorCode::RateLimited:
        return 429;
    case ErrorCode::Internal:
        return 500;
    }
    return 500;
}

QString wireName(ErrorCode code) {
    switch (code) {
    case ErrorCode::Unauthorized:
        return QStringLiteral("UNAUTHORIZED");
    case ErrorCode::Forbidden:
        return QStringLiteral("FORBIDDEN");
    case ErrorCode::ValidationError:
        return QStringLiteral("VALIDATION_ERROR");
    case ErrorCode::NotFound:
        return QStringLiteral("NOT_FOUND");
    case ErrorCode::MethodNotAllowed:
        return QStringLiteral("METHOD_NOT_ALLOWED");
    case ErrorCode::Conflict:
        return QStringLiteral("CONFLICT");
    case ErrorCode::PayloadTooLarge:
        return QStringLiteral("PAYLOAD_TOO_LARGE");
    case ErrorCode::RateLimited:
        return QStringLiteral("RATE_LIMITED");
    case ErrorCode::Internal:
        return QStringLiteral("INTERNAL");
    }
    return QStringLiteral("INTERNAL");
}

std::optional<ErrorCode> errorCodeFromWireName(const QString& name) {
    static constexpr ErrorCode all[] = {
        ErrorCode::Unauthorized,    ErrorCode::Forbidden,        ErrorCode::ValidationError,
        ErrorCode::NotFound,        ErrorCode::MethodNotAllowed, ErrorCode::Conflict,
        ErrorCode::PayloadTooLarge, ErrorCode::RateLimited,      ErrorCode::Internal,
    };
    for (ErrorCode code : all) {
        if (wireName(code) == name)
            return code;
    }
    return std::nullopt;
}

} // namespace legba
