#pragma once

#include "ApiError.h"
#include "Types.h"

#include <QByteArray>
#include <QString>
#include <QUrlQuery>
#include <functional>

namespace legba {

// The HTTP statuses that mean "it worked" for one route. The hosted API promises little
// (docs/compatibility.md, "a 2xx other than the one the sandbox sends"), so every route
// takes any 2xx unless its description says otherwise.
struct SuccessStatuses {
    int first = 200;
    int last = 299;

    bool contains(int status) const { return status >= first && status <= last; }
    friend bool operator==(const SuccessStatuses&, const SuccessStatuses&) = default;
};

// One route as the wire sees it: everything needed to send it or to show it ("copy as
// curl"), nothing about what its answer means. Built only by the functions in `requests`,
// so that each endpoint is spelled once.
struct RequestSpec {
    // The routes under an organization's API, or /healthz beside them.
    enum class Root { OrgApi, Server };

    QByteArray method;
    QString path; // percent-encoded, relative to the root: "/keys/" + encoded id
    QUrlQuery query;
    QByteArray body; // empty: no body
    Root root = Root::OrgApi;
    SuccessStatuses success;

    // "GET /keys/{encoded id}": what logs and errors name.
    QString route() const { return QString::fromLatin1(method) + QLatin1Char(' ') + path; }
};

// A route and what its successful answer's body is read as. The parser throws
// json::ParseError for a body that is not what the contract says.
template <typename T> struct Request : RequestSpec { std::function<T(const QByteArray&)> parse; };

// Every endpoint of the Legba API (../shared/legba-api.md), each described once: the client
// sends these and "copy as curl" shows the same values.
namespace requests {

Request<Health> health();

Request<ApiKey> getKey();
Request<IssuedKey> rotateOwnKey();
Request<KeyList> listKeys(bool includeRevoked);
Request<IssuedKey> createKey(const NewKeyRequest& request);
Request<ApiKey> getKeyById(const QString& keyId);
Request<IssuedKey> rotateKey(const QString& keyId, int gracePeriodSeconds);
Request<Done> revokeKey(const QString& keyId);

Request<InstanceList> listInstances();
Request<Instance> createInstance(const NewInstanceRequest& request);
Request<Instance> getInstance(const QString& instanceUuid);
Request<Done> destroyInstance(const QString& instanceUuid);

Request<AuditPage> auditLog(const AuditQuery& query);
// The same route, answering the body as it came, so that a large page can be parsed off
// the UI thread.
Request<QByteArray> auditLogRaw(const AuditQuery& query);

} // namespace requests

} // namespace legba
