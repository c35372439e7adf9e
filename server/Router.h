#pragma once

#include "ApiCall.h"
#include "Routes.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <optional>
#include <vector>

namespace legba::server {

// A route as served, for the OpenAPI cross-check: method and path template.
struct RouteInfo {
    QByteArray method;
    QString pathTemplate;  // "/orgs/{org_uuid}/api/keys/{key_id}"
    bool isPublic = false; // shown by the hosted API's public docs; all --hosted-shape serves
};

// The routes under /orgs/{org_uuid}/api: which handler serves each route of the contract.
// Method, path template, scope and audit action are the contract's table (api/Routes.h).
class Router {
public:
    using Handler = HttpResponse (*)(Call&, ApiContext&);
    struct Route {
        RouteId id;
        bool isPublic; // shown by the hosted API's public docs: served in the hosted shape
        const char* targetType;
        Handler handler;

        const ApiRoute& api() const { return apiRoute(id); }
    };

    // Every route served, /healthz and the instance page included.
    static std::vector<RouteInfo> routes();

    // The route for the call's method and `segments` (the path split at '/': "", "orgs",
    // org, "api", ...), with call.params, route, action and target set from it. Throws
    // ApiFailure: no such route (404), or another method's (405, call.allow set).
    // `publicOnly`: only the routes the hosted API's docs show.
    static const Route& match(Call& call, const QList<QByteArray>& segments, bool publicOnly);

private:
    static const std::vector<Route>& table();
};

} // namespace legba::server
