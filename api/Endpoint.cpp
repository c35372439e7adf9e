#include "Endpoint.h"

#include <QCoreApplication>
#include <QHostAddress>
#include <QUuid>

namespace legba {

bool isLoopbackHost(const QString& host) {
    if (host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

bool isOrgUuid(const QString& text) {
    // RFC 4122 textual form, 36 characters, without braces.
    return text.size() == 36 && !QUuid::fromString(text).isNull();
}

bool sameOrigin(const QUrl& a, const QUrl& b) {
    return a.scheme().compare(b.scheme(), Qt::CaseInsensitive) == 0 &&
           a.host().compare(b.host(), Qt::CaseInsensitive) == 0 &&
           a.port(a.scheme() == QLatin1String("https") ? 443 : 80) ==
               b.port(b.scheme() == QLatin1String("https") ? 443 : 80);
}

std::optional<QString> Endpoint::problem() const {
    auto tr = [](const char* text) {
        return QCoreApplication::translate("Endpoint", text);
    };
    if (!baseUrl.isValid() || baseUrl.host().isEmpty())
        return tr("The server address is not a valid URL (expected https://host[:port]).");
    const QString scheme = baseUrl.scheme().toLower();
    if (scheme != QLatin1String("https") && scheme != QLatin1String("http"))
        return tr("The server address must start with https://.");
    if (scheme == QLatin1String("http") && !isLoopbackHost(baseUrl.host()))
        return tr("Plain http:// is allowed only to this computer (localhost); %1 would "
                  "receive the API key unencrypted. Use https://.")
            .arg(baseUrl.host());
    if (!baseUrl.userInfo().isEmpty())
        return tr("The server address must not contain a user name or password.");
    if (!isOrgUuid(orgUuid))
        return tr("The organization id must be a UUID such as "
                  "123e4567-e89b-12d3-a456-426614174000.");
    return std::nullopt;
}

namespace {
QUrl underBase(const QUrl& baseUrl, const QString& path) {
    QUrl url = baseUrl;
    QString base = url.path(QUrl::FullyEncoded);
    while (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    // Encoded in, encoded out: the client escapes ids itself (so that "a/b" stays one
    // segment), and decoded mode would escape its '%' a second time.
    url.setPath(base + path, QUrl::TolerantMode);
    url.setQuery(QString());
    url.setFragment(QString());
    return url;
}
} // namespace

QUrl Endpoint::apiUrl(const QString& path) const {
    return underBase(baseUrl,
                     QStringLiteral("/orgs/") + orgUuid.toLower() + QStringLiteral("/api") + path);
}

QUrl Endpoint::serverUrl(const QString& path) const {
    return underBase(baseUrl, path);
}

} // namespace legba
