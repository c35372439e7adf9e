#pragma once

#include "ErrorCode.h"

#include <QString>
#include <exception>

namespace legba::server {

// What a handler throws to refuse a request. The dispatcher turns it into the contract's
// error body and HTTP status in one place (errorResponse in Api.cpp).
class ApiFailure : public std::exception {
public:
    ApiFailure(ErrorCode code, QString message, int retryAfterSeconds = 0)
        : m_code(code)
        , m_message(std::move(message))
        , m_retryAfter(retryAfterSeconds) {}
    const char* what() const noexcept override { return "API request refused"; }
    ErrorCode code() const { return m_code; }
    const QString& message() const { return m_message; }
    int retryAfterSeconds() const { return m_retryAfter; }

    static ApiFailure validation(const QString& field, const QString& problem) {
        return ApiFailure(ErrorCode::ValidationError,
                          QStringLiteral("Field '%1' %2").arg(field, problem));
    }
    static ApiFailure forbidden(const QString& scope) {
        return ApiFailure(ErrorCode::Forbidden,
                          QStringLiteral("This key lacks the scope '%1'").arg(scope));
    }
    static ApiFailure notFound(const QString& what) {
        return ApiFailure(ErrorCode::NotFound, what);
    }
    // No route takes this path (404), or none this method on it (405). Kept apart from a
    // resource not found because the hosted shape answers it without the JSON error.
    static ApiFailure noSuchRoute() {
        ApiFailure failure(ErrorCode::NotFound, QStringLiteral("No such route"));
        failure.m_routeMiss = true;
        return failure;
    }
    static ApiFailure methodNotAllowed(const QString& message) {
        ApiFailure failure(ErrorCode::MethodNotAllowed, message);
        failure.m_routeMiss = true;
        return failure;
    }
    bool isRouteMiss() const { return m_routeMiss; }

private:
    ErrorCode m_code;
    QString m_message;
    int m_retryAfter;
    bool m_routeMiss = false;
};

} // namespace legba::server
