#include "Router.h"

#include "ApiFailure.h"
#include "Handlers.h"

namespace legba::server {

namespace {
QByteArray latin1(std::string_view text) {
    // The table's strings are literals: no copy.
    return QByteArray::fromRawData(text.data(), static_cast<qsizetype>(text.size()));
}
} // namespace

const std::vector<Router::Route>& Router::table() {
    static const std::vector<Route> table = {
        {RouteId::GetOwnKey, true, nullptr, &handlers::getOwnKey},
        {RouteId::RotateOwnKey, true, "api_key", &handlers::rotateOwnKey},
        {RouteId::ListKeys, false, nullptr, &handlers::listKeys},
        {RouteId::CreateKey, false, "api_key", &handlers::createKey},
        {RouteId::GetKey, false, "api_key", &handlers::getKey},
        {RouteId::RevokeKey, false, "api_key", &handlers::revokeKey},
        {RouteId::RotateKey, false, "api_key", &handlers::rotateKey},
        {RouteId::ListInstances, true, nullptr, &handlers::listInstances},
        {RouteId::CreateInstance, true, "instance", &handlers::createInstance},
        {RouteId::GetInstance, false, "instance", &handlers::getInstance},
        {RouteId::DestroyInstance, true, "instance", &handlers::deleteInstance},
        {RouteId::AuditLog, false, nullptr, &handlers::auditLog},
    };
    return table;
}

std::vector<RouteInfo> Router::routes() {
    std::vector<RouteInfo> out;
    out.push_back({"GET", QStringLiteral("/healthz"), false});
    out.push_back({"GET", QStringLiteral("/sandbox/instances/{instance_uuid}"), false});
    for (const Route& r : table())
        out.push_back(
            {latin1(r.api().method),
             QStringLiteral("/orgs/{org_uuid}/api") + QString::fromLatin1(latin1(r.api().route)),
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

    // Each route's path split into segments once, in the order of table(); a parameter
    // ("{key_id}") becomes "{}".
    static const std::vector<QList<QByteArray>> patterns = [] {
        std::vector<QList<QByteArray>> out;
        for (const Route& route : table()) {
            QList<QByteArray> parts = latin1(route.api().route).mid(1).split('/');
            for (QByteArray& segment : parts) {
                if (segment.startsWith('{'))
                    segment = "{}";
            }
            out.push_back(parts);
        }
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
        const QByteArray method = latin1(route.api().method);
        allowed.append(method);
        call.route = QString::fromLatin1(latin1(route.api().route));
        if (method == call.request.method) {
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
    call.route = QString::fromLatin1(latin1(matched->api().route));
    if (matched->api().action != kRequestAction)
        call.action = QString::fromLatin1(latin1(matched->api().action));
    if (matched->targetType && !params.isEmpty())
        call.target =
            AuditTarget{QString::fromLatin1(matched->targetType), sanitized(params.front(), 64)};
    return *matched;
}

} // namespace legba::server
