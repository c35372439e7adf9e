#include "EnvironmentProfile.h"

#include <QCoreApplication>

namespace legba {

std::optional<EnvironmentConnection> takeEnvironmentConnection() {
    const QByteArray baseUrl = qgetenv("LEGBA_BASE_URL");
    const QByteArray orgUuid = qgetenv("LEGBA_ORG_UUID");
    QByteArray token = qgetenv("LEGBA_API_TOKEN");
    if (baseUrl.isEmpty() || orgUuid.isEmpty() || token.isEmpty())
        return std::nullopt;
    qunsetenv("LEGBA_API_TOKEN");
    EnvironmentConnection connection;
    connection.profile.id = QStringLiteral("environment");
    connection.profile.kind = Profile::Kind::Environment;
    connection.profile.displayName =
        QCoreApplication::translate("EnvironmentProfile", "Environment (%1)")
            .arg(QUrl(QString::fromUtf8(baseUrl)).host());
    connection.profile.baseUrl = QUrl(QString::fromUtf8(baseUrl).trimmed());
    connection.profile.orgUuid = QString::fromUtf8(orgUuid).trimmed();
    connection.profile.color = QColor(0x55, 0x55, 0x55);
    connection.key = Secret(token.trimmed());
    return connection;
}

} // namespace legba
