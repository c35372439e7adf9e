#include "EnvironmentProfile.h"

#include <QCoreApplication>
#include <cstring>

extern char** environ; // NOLINT(readability-redundant-declaration): POSIX declares it nowhere

namespace legba {

namespace {

// unsetenv() only drops the pointer from `environ`: the bytes stay where they were, and the
// process's original environment block stays readable in /proc/PID/environ (to the same
// user, and in a core dump). So the value is overwritten where it lies before it is unset.
void wipeFromEnvironment(const char* name) {
    const std::size_t length = std::strlen(name);
    for (char** entry = environ; entry && *entry; ++entry) {
        if (std::strncmp(*entry, name, length) != 0 || (*entry)[length] != '=')
            continue;
        char* value = *entry + length + 1;
        const std::size_t size = std::strlen(value);
        volatile char* byte = value;
        for (std::size_t i = 0; i < size; ++i)
            byte[i] = '\0';
    }
    qunsetenv(name);
}

} // namespace

std::optional<EnvironmentConnection> takeEnvironmentConnection() {
    const QByteArray baseUrl = qgetenv("LEGBA_BASE_URL");
    const QByteArray orgUuid = qgetenv("LEGBA_ORG_UUID");
    QByteArray token = qgetenv("LEGBA_API_TOKEN");
    if (baseUrl.isEmpty() || orgUuid.isEmpty() || token.isEmpty())
        return std::nullopt;
    wipeFromEnvironment("LEGBA_API_TOKEN");
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
    token.fill('\0');
    return connection;
}

} // namespace legba
