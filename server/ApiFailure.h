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

private:
    ErrorCode m_code;
    QString m_message;
    int m_retryAfter;
};

} // namespace legba::server
