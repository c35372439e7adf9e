#pragma once

#include "AuditLog.h"
#include "AuditWriter.h"
#include "CachedStore.h"
#include "HttpTransport.h"
#include "SandboxServer.h"
#include "Store.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <array>
#include <nlohmann/json.hpp>
#include <optional>

namespace legba::server {

class Authenticator;
struct ApiShape;

// One request on its way through the Api: what the router, the authenticator and the
// handler learn about it, and what its audit event will say.
struct Call {
    Call(const HttpRequest& r, QString id, qint64 t)
        : request(r)
        , requestId(std::move(id))
        , now(t) {}
    const HttpRequest& request;
    QString requestId;
    qint64 now = 0;
    QString orgUuid;
    std::optional<KeyRow> key; // set once authenticated
    QList<QByteArray> params;  // path parameters in order
    QString route;             // the path template matched, or the raw path
    QString action;            // the audit action; empty: api.request
    std::optional<AuditTarget> target;
    nlohmann::json details = nlohmann::json::object();
    bool audited = false;
    QByteArray allow; // for 405
    // Rate limit state to report, when the per-key limit is on.
    std::optional<std::array<qint64, 3>> rate; // limit, remaining, reset seconds
};

// The call's audit event with this status: actor, action, target, and the details the
// handler noted followed by the request's method and route.
AuditRecord auditRecord(const Call& call, int status);

// What the handlers work with besides the call. One per Api, which owns every part.
struct ApiContext {
    Store& store;
    CachedStore& cache;
    AuditWriter& writer;
    Authenticator& auth;
    const ServerOptions& options;
    const ApiShape& shape;
    QString baseUrl;
    bool tls = false;

    // Runs `change` and writes the call's audit event in one transaction. The caller drops
    // what its change makes stale from the caches (after the commit).
    template <typename Change> void commitChange(Call& call, int status, Change&& change) {
        writer.commit([&] {
            change();
            store.audit().append(auditRecord(call, status));
        });
        call.audited = true;
    }
    // Writes pending audit events of reads and last_used_at values, now, with the counts of
    // limited failed authentications whose window closed (all of them when `closing`).
    void flushAudit(qint64 now, bool closing);
    // "http(s)://HOST" from the request's Host when it is a plain host name, else baseUrl.
    QString accessUrlBase(const Call& call) const;
    // The key's record with the newest use this process saw, written or not.
    ApiKey withPendingUse(const KeyRow& row, qint64 now) const;
};

// Small pieces every handler uses.
HttpResponse jsonResponse(int status, QByteArray body);
HttpResponse noContent();
bool isUuid(QByteArrayView text);
// Either shape's ids, whichever shape serves: a data dir may be served in both.
bool isInstanceId(QByteArrayView text);
// At most `max` characters of `value`, control characters shown as '?'.
QString sanitized(const QByteArray& value, qsizetype max);
// The body as a JSON object; an empty body counts as {} where `emptyIsObject`.
nlohmann::json bodyObject(const QByteArray& body, bool emptyIsObject);
const nlohmann::json* member(const nlohmann::json& object, const char* name);
QString requireStringField(const nlohmann::json& object, const char* name);
// The first of `wanted` that `held` lacks, or nothing.
QString missingScope(const QStringList& held, const QStringList& wanted);
// An audit event's details: what the handler noted, then the request's method and route.
QByteArray detailsText(const nlohmann::json& noted, const QByteArray& method, const QString& route);

} // namespace legba::server
