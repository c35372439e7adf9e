#include "Router.h"

#include "ApiFailure.h"
#include "Handlers.h"

namespace legba::server {

const std::vector<Router::Route>& Router::table() {
    static const std::vector<Route> table = {
        {"GET", true, "/key", "/key", std::nullopt, nullptr, nullptr, &handlers::getOwnKey},
        {"POST", true, "/key/rotate", "/key/rotate", std::nullopt, "api_key.rotated", "api_key",
         &handlers::rotateOwnKey},
        {"GET", false, "/keys", "/keys", Scope::KeysRead, nullptr, nullptr, &handlers::listKeys},
        {"POST", false, "/keys", "/keys", Scope::KeysWrite, "api_key.created", "api_key",
         &handlers::createKey},
        {"GET", false, "/keys/{}", "/keys/{key_id}", Scope::KeysRead, nullptr, "api_key",
         &handlers::getKey},
        {"DELETE", false, "/keys/{}", "/keys/{key_id}", Scope::KeysWrite, "api_key.revoked",
         "api_key", &handlers::revokeKey},
        {"POST", false, "/keys/{}/rotate", "/keys/{key_id}/rotate", Scope::KeysWrite,
         "api_key.rotated", "api_key", &handlers::rotateKey},
        {"GET", true, "/instances", "/instances", Scope::InstancesRead, nullptr, nullptr,
         &handlers::listInstances},
        {"POST", true, "/instances", "/instances", Scope::InstancesWrite, "instance.created",
         "instance", &handlers::createInstance},
        {"GET", false, "/instances/{}", "/instances/{instance_uuid}", Scope::InstancesRead, nullptr,
         "instance", &handlers::getInstance},
        {"DELETE", true, "/instances/{}", "/instances/{instance_uuid}", Scope::InstancesWrite,
         "instance.destroyed", "instance", &handlers::deleteInstance},
        {"GET", false, "/audit-log", "/audit-log", Scope::AuditRead, nullptr, nullptr,
         &handlers::auditLog},
    };
    return table;
}

std::vector<RouteInfo> Router::routes() {
    std::vector<RouteInfo> out;
    out.push_back({"GET", QStringLiteral("/healthz"), false});
    out.push_back({"GET", QStringLiteral("/sandbox/instances/{instance_uuid}"), false});
    for (const Route& r : table())
        out.push_back({r.method,
                       QStringLiteral("/orgs/{org_uuid}/api") + QString::fromLatin1(r.pathTemplate),
                       r.isPublic});
    return out;
}

const Router::Route& Router::match(Call& call, const QList<QByteArray>& segments, bool publicOnly) {
    // The route in the audit event: the matched template, else the path as sent.
    if (segments.size() < 5 || segments[3] != "api") {
        call.route = sanitized(call.request.path, 256);
        throw ApiFailure::noSuchRoute();
    }
    const QList<QByteArray> rest = segments.mid(4);

    // Each route's path split into segments once, in the order of table().
    static const std::vector<QList<QByteArray>> patterns = [] {
        std::vector<QList<QByteArray>> out;
        for (const Route& route : table())
            out.push_back(QByteArray(route.path).mid(1).split('/'));
        return out;
    }();
    const Route* matched = nullptr;
    QList<QByteArray> allowed;
    QList<QByteArray> params;
    for (std::size_t r = 0; r < table().size(); ++r) {
        const Route& route = table()[r];
        const QList<QByteArray>& pattern = patterns[r];
        if (pattern.size() != rest.size() || (publicOnly && !route.isPublic))
            continue;
        QList<QByteArray> found;
        bool ok = true;
        for (qsizetype i = 0; i < pattern.size() && ok; ++i) {
            if (pattern[i] == "{}")
                found.append(rest[i]);
            else
                ok = pattern[i] == rest[i];
        }
        if (!ok || (!found.isEmpty() && found.contains(QByteArray())))
            continue;
        allowed.append(route.method);
        call.route = QString::fromLatin1(route.pathTemplate);
        if (route.method == call.request.method) {
            matched = &route;
            params = found;
        }
    }
    if (!matched) {
        if (allowed.isEmpty()) {
            call.route = sanitized(call.request.path, 256);
            throw ApiFailure::noSuchRoute();
        }
        call.allow = allowed.join(", ");
        throw ApiFailure::methodNotAllowed(
            QStringLiteral("Method not allowed; use %1").arg(QString::fromLatin1(call.allow)));
    }
    call.params = params;
    call.route = QString::fromLatin1(matched->pathTemplate);
    if (matched->action)
        call.action = QString::fromLatin1(matched->action);
    if (matched->targetType && !params.isEmpty())
        call.target =
            AuditTarget{QString::fromLatin1(matched->targetType), sanitized(params.front(), 64)};
    return *matched;
}

} // namespace legba::server
