#pragma once

#include "AuditLog.h"
#include "AuditWriter.h"
#include "CachedStore.h"
#include "HttpTransport.h"
#include "SandboxServer.h"
#include "Store.h"

#include <QHash>
#include <deque>
#include <nlohmann/json.hpp>
#include <vector>

namespace legba::server {

class ApiFailure;
struct ApiShape;

// A route as served, for the OpenAPI cross-check: method and path template.
struct RouteInfo {
    QByteArray method;
    QString pathTemplate;  // "/orgs/{org_uuid}/api/keys/{key_id}"
    bool isPublic = false; // shown by the hosted API's public docs; all --hosted-shape serves
};

// The Legba API over the store: authentication, scopes, validation, limits and the audit
// trail. Everything refused is an ApiFailure, turned into an HTTP answer in one place.
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

    static std::vector<RouteInfo> routes();

    struct Call;
    using Handler = HttpResponse (Api::*)(Call&);

private:
    struct Route;
    static const std::vector<Route>& routeTable();

    HttpResponse dispatch(Call& call);
    HttpResponse dispatchOrg(Call& call, const QList<QByteArray>& segments);
    void authenticate(Call& call, const QString& orgUuid);
    void checkKeyRate(Call& call);
    HttpResponse errorResponse(Call& call, const ApiFailure& failure);
    AuditRecord record(const Call& call, int status) const;
    // Runs `change` and writes the call's audit event in one transaction.
    template <typename Change> void commitChange(Call& call, int status, Change&& change);
    QString accessUrlBase(const Call& call) const;

    HttpResponse healthz(Call& call);
    HttpResponse instancePage(Call& call, const QByteArray& uuid);
    HttpResponse getOwnKey(Call& call);
    HttpResponse rotateOwnKey(Call& call);
    HttpResponse listKeys(Call& call);
    HttpResponse createKey(Call& call);
    HttpResponse getKey(Call& call);
    HttpResponse rotateKey(Call& call);
    HttpResponse revokeKey(Call& call);
    HttpResponse listInstances(Call& call);
    HttpResponse createInstance(Call& call);
    HttpResponse getInstance(Call& call);
    HttpResponse deleteInstance(Call& call);
    HttpResponse auditLog(Call& call);

    HttpResponse issueRotation(Call& call, const KeyRow& old, qint64 graceSeconds);
    KeyRow requireKey(Call& call);
    InstanceRow requireInstance(Call& call);
    ApiKey withPendingUse(const KeyRow& row, qint64 now) const;

    Store& m_store;
    ServerOptions m_options;
    const ApiShape& m_shape;
    QString m_baseUrl;
    bool m_tls = false;

    AuditWriter m_writer;
    // The newest use of each key seen by this thread, written or not: the database may
    // lag behind it by one batch.
    QHash<QString, qint64> m_lastUse;

    struct Window {
        qint64 start = 0;
        int count = 0;
    };
    // Keys by digest (known and unknown alike) and instances, so that a read costs no query.
    CachedStore m_cache;

    QHash<QString, Window> m_keyWindows;
    QHash<QString, std::deque<qint64>> m_failedAuth;

    // Failed authentications refused with 429 are counted, not recorded one by one: one
    // event per address and organization per window says how many there were. A flood from
    // one address wrote 742,000 rows (577 MB) in 10 s when each was an event.
    struct Suppressed {
        QString orgUuid;
        QString ip;
        qint64 firstMs = 0;
        qint64 lastMs = 0;
        qint64 count = 0;
    };
    QHash<QString, Suppressed> m_suppressed; // by address, '\n', organization
    void recordSuppressed(const Suppressed& s);
    // Records the counts whose window closed before `now`, or all of them.
    void recordSuppressedUpTo(qint64 now, bool all);
};

} // namespace legba::server
