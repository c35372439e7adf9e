#pragma once

#include <QString>
#include <QUrl>
#include <optional>

namespace legba {

// Where an organization's API lives: {baseUrl}/orgs/{orgUuid}/api/...
struct Endpoint {
    QUrl baseUrl;
    QString orgUuid;

    // Why this endpoint must not be used, for a person to read; nothing when it is fine.
    // Plain http:// is allowed only to loopback, so that a key never crosses a network
    // in clear.
    std::optional<QString> problem() const;
    // `path` is percent-encoded: "/keys/" + QUrl::toPercentEncoding(id).
    QUrl apiUrl(const QString& path) const;
    // The same for the few routes beside the organizations, such as /healthz.
    QUrl serverUrl(const QString& path) const;

    friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

bool isLoopbackHost(const QString& host);
bool isOrgUuid(const QString& text);
// "https://x/orgs/<uuid>/api/instances" -> the same origin? (scheme, host, port)
bool sameOrigin(const QUrl& a, const QUrl& b);

} // namespace legba
