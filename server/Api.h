#pragma once

#include "ApiCall.h"
#include "AuditWriter.h"
#include "Authenticator.h"
#include "CachedStore.h"
#include "HttpTransport.h"
#include "Router.h"
#include "SandboxServer.h"
#include "Store.h"

#include <vector>

namespace legba::server {

class ApiFailure;
struct ApiShape;

// The Legba API over the store. Api::handle takes a request through its parts: the routes
// without a key (/healthz, the instance page), then for /orgs/{org_uuid}/api the
// Authenticator (key, both rate limits), the Router (route, scope) and the route's handler
// (KeysHandlers, InstancesHandlers, AuditHandlers), each over the CachedStore. Everything
// refused is an ApiFailure, turned into an HTTP answer in one place (errorResponse).
class Api {
public:
    Api(Store& store, ServerOptions options);
    ~Api();

    HttpResponse handle(const HttpRequest& request);
    // The answer for a request the transport refuses before it reaches a route (400, 408,
    // 413, 431, 501, 505), with the transport's message naming what was wrong.
    HttpResponse refusal(int status, const QString& message);

    void setBaseUrl(const QString& baseUrl, bool tls);
    // From now on the audit events of reads are written by a thread of their own.
    void startAuditWriter() { m_writer.start(); }
    // Writes pending audit events of reads and last_used_at values, now, with the counts of
    // limited failed authentications whose window closed (all of them when `closing`).
    void flush(bool closing = false);
    // Runs writes of the caller's own (not an API request's) in the order of the log:
    // after what is pending, holding the process's write lock.
    template <typename Fn> auto exclusive(Fn&& fn) {
        return m_writer.exclusive(std::forward<Fn>(fn));
    }
    qint64 now() const;

    static std::vector<RouteInfo> routes() { return Router::routes(); }

private:
    HttpResponse dispatch(Call& call);
    HttpResponse dispatchOrg(Call& call, const QList<QByteArray>& segments);
    HttpResponse errorResponse(Call& call, const ApiFailure& failure);

    ServerOptions m_options;
    const ApiShape& m_shape;
    AuditWriter m_writer;
    // Keys by digest (known and unknown alike) and instances, so that a read costs no query.
    CachedStore m_cache;
    Authenticator m_auth;
    ApiContext m_context;
};

} // namespace legba::server
