#include "ApiError.h"

#include <QCoreApplication>
#include <QRegularExpression>

namespace legba {

QString toString(ApiError::Kind kind) {
    switch (kind) {
    case ApiError::Kind::Network:
        return QStringLiteral("network");
    case ApiError::Kind::Tls:
        return QStringLiteral("tls");
    case ApiError::Kind::Timeout:
        return QStringLiteral("timeout");
    case ApiError::Kind::Http:
        return QStringLiteral("http");
    case ApiError::Kind::Parse:
        return QStringLiteral("parse");
    case ApiError::Kind::InsecureUrl:
        return QStringLiteral("insecure-url");
    case ApiError::Kind::Cancelled:
        return QStringLiteral("cancelled");
    }
    return {};
}

QString ApiError::missingScope() const {
    if (!isForbidden())
        return {};
    static const QRegularExpression scopePattern(
        QStringLiteral("\\b(instances|keys|audit):(read|write)\\b"));
    const auto match = scopePattern.match(message);
    return match.hasMatch() ? match.captured(0) : QString();
}

QString ApiError::summary() const {
    auto tr = [](const char* text) {
        return QCoreApplication::translate("ApiError", text);
    };
    switch (kind) {
    case Kind::Network:
        return tr("Cannot reach the server: %1").arg(message);
    case Kind::Tls:
        return tr("The secure connection failed: %1").arg(message);
    case Kind::Timeout:
        return tr("The server did not answer in time.");
    case Kind::Http:
        if (!message.isEmpty())
            return tr("%1 (HTTP %2)").arg(message).arg(httpStatus);
        return tr("The server answered HTTP %1.").arg(httpStatus);
    case Kind::Parse:
        return tr("The server's answer to %1 is malformed: %2").arg(route, message);
    case Kind::InsecureUrl:
        return message;
    case Kind::Cancelled:
        return tr("Cancelled.");
    }
    return message;
}

QString ApiError::details() const {
    QStringList parts{summary()};
    if (!route.isEmpty())
        parts << QCoreApplication::translate("ApiError", "Request: %1").arg(route);
    if (!requestId.isEmpty())
        parts << QCoreApplication::translate("ApiError", "Request id: %1").arg(requestId);
    if (!tlsDetails.isEmpty())
        parts << tlsDetails;
    return parts.join(QLatin1Char('\n'));
}

} // namespace legba
