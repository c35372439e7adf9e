#pragma once

#include "ErrorCode.h"

#include <QMetaType>
#include <QString>
#include <optional>
#include <variant>

namespace legba {

// Every way a call can fail, as one value. Only LegbaClient builds it: from the reply in
// finish(), from a refused address in start(), from a body its parser rejects.
struct ApiError {
    enum class Kind {
        Network,     // no answer: refused, reset, DNS, ...
        Tls,         // the TLS handshake failed; tlsDetails says why and names the certificate
        Timeout,     // no byte moved within the transfer timeout
        Http,        // the server answered outside the route's success statuses (4xx, 5xx,
                     // a redirect not followed)
        Parse,       // the server answered 2xx with a body that is not what the contract says
        InsecureUrl, // refused before sending: plain http:// to a host that is not loopback
        Cancelled,   // the caller cancelled it
    };

    Kind kind = Kind::Network;
    int httpStatus = 0;
    std::optional<ErrorCode> code; // the contract's code, when the server sent one
    QString message;               // the server's message, or ours for non-HTTP kinds
    QString requestId;             // X-Request-Id of the answer, when there was one
    QString route;                 // "GET /instances"
    QString field;                 // Parse: the field that was wrong
    int retryAfterSeconds = -1;    // 429/503: Retry-After
    QString tlsDetails;            // Tls: the errors and the certificate

    bool isHttp(ErrorCode c) const { return kind == Kind::Http && code == c; }
    bool isUnauthorized() const { return kind == Kind::Http && httpStatus == 401; }
    bool isForbidden() const { return kind == Kind::Http && httpStatus == 403; }
    bool isNotFound() const { return kind == Kind::Http && httpStatus == 404; }
    // The scope a 403 names ("... requires scope 'keys:write'"), if it names one.
    QString missingScope() const;

    // One line for a person: what failed and why.
    QString summary() const;
    // The summary plus what there is to quote to support: request id, route.
    QString details() const;
};

QString toString(ApiError::Kind kind);

// A call's outcome: the value, or the error.
template <typename T> class Result {
public:
    Result(T value)
        : m_state(std::move(value)) {}
    Result(ApiError error)
        : m_state(std::move(error)) {}

    bool ok() const { return std::holds_alternative<T>(m_state); }
    explicit operator bool() const { return ok(); }
    const T& value() const& { return std::get<T>(m_state); }
    T& value() & { return std::get<T>(m_state); }
    T&& value() && { return std::get<T>(std::move(m_state)); }
    const ApiError& error() const { return std::get<ApiError>(m_state); }

private:
    std::variant<T, ApiError> m_state;
};

// For calls whose success carries nothing (204).
struct Done {};

} // namespace legba

Q_DECLARE_METATYPE(legba::ApiError)
