#include "Request.h"

#include "AuditPageSax.h"
#include "Json.h"
#include "Rfc3339.h"

#include <QUrl>

namespace legba::requests {

namespace {

template <typename T>
std::function<T(const QByteArray&)> viaJson(T (*convert)(const nlohmann::json&)) {
    return [convert](const QByteArray& body) {
        return convert(json::parse(body));
    };
}
ApiKey keyFromBody(const nlohmann::json& object) {
    return json::apiKeyFromJson(object);
}
Instance instanceFromBody(const nlohmann::json& object) {
    return json::instanceFromJson(object);
}
// A route whose answer carries nothing the client needs: the body, if any, is not read
// (the hosted API may answer DELETE with 200 and a body, 202 or 204).
std::function<Done(const QByteArray&)> nothing() {
    return [](const QByteArray&) {
        return Done{};
    };
}
QString encoded(const QString& id) {
    // Encoded here so that an id such as "a/b" or "../keys" stays one segment.
    return QString::fromLatin1(QUrl::toPercentEncoding(id));
}
QString keyPath(const QString& keyId) {
    return QStringLiteral("/keys/") + encoded(keyId);
}
QString instancePath(const QString& uuid) {
    return QStringLiteral("/instances/") + encoded(uuid);
}

template <typename T>
Request<T> make(QByteArray method, QString path, std::function<T(const QByteArray&)> parse,
                QByteArray body = {}, QUrlQuery query = {}) {
    Request<T> request;
    request.method = std::move(method);
    request.path = std::move(path);
    request.query = std::move(query);
    request.body = std::move(body);
    request.parse = std::move(parse);
    return request;
}

QUrlQuery auditQuery(const AuditQuery& query) {
    QUrlQuery url;
    url.addQueryItem(QStringLiteral("limit"), QString::number(query.limit));
    if (!query.cursor.isEmpty())
        url.addQueryItem(QStringLiteral("cursor"), query.cursor);
    if (query.since.isValid())
        url.addQueryItem(QStringLiteral("since"), rfc3339::format(query.since));
    if (query.until.isValid())
        url.addQueryItem(QStringLiteral("until"), rfc3339::format(query.until));
    if (!query.actorKeyId.isEmpty())
        url.addQueryItem(QStringLiteral("actor_key_id"), query.actorKeyId);
    if (!query.action.isEmpty())
        url.addQueryItem(QStringLiteral("action"), query.action);
    if (query.success)
        url.addQueryItem(QStringLiteral("outcome"),
                         *query.success ? QStringLiteral("success") : QStringLiteral("failure"));
    return url;
}

} // namespace

Request<Health> health() {
    auto request = make<Health>("GET", QStringLiteral("/healthz"), viaJson(&json::healthFromJson));
    request.root = RequestSpec::Root::Server;
    return request;
}

Request<ApiKey> getKey() {
    return make<ApiKey>("GET", QStringLiteral("/key"), viaJson(&keyFromBody));
}

Request<IssuedKey> rotateOwnKey() {
    return make<IssuedKey>("POST", QStringLiteral("/key/rotate"), viaJson(&json::issuedKeyFromJson),
                           QByteArrayLiteral("{}"));
}

Request<KeyList> listKeys(bool includeRevoked) {
    QUrlQuery query;
    if (includeRevoked)
        query.addQueryItem(QStringLiteral("include_revoked"), QStringLiteral("true"));
    return make<KeyList>("GET", QStringLiteral("/keys"), viaJson(&json::keyListFromJson), {},
                         query);
}

Request<IssuedKey> createKey(const NewKeyRequest& request) {
    return make<IssuedKey>("POST", QStringLiteral("/keys"), viaJson(&json::issuedKeyFromJson),
                           json::serialize(request));
}

Request<ApiKey> getKeyById(const QString& keyId) {
    return make<ApiKey>("GET", keyPath(keyId), viaJson(&keyFromBody));
}

Request<IssuedKey> rotateKey(const QString& keyId, int gracePeriodSeconds) {
    return make<IssuedKey>(
        "POST", keyPath(keyId) + QStringLiteral("/rotate"), viaJson(&json::issuedKeyFromJson),
        json::dump(nlohmann::json{{"grace_period_seconds", gracePeriodSeconds}}));
}

Request<Done> revokeKey(const QString& keyId) {
    return make<Done>("DELETE", keyPath(keyId), nothing());
}

Request<InstanceList> listInstances() {
    return make<InstanceList>("GET", QStringLiteral("/instances"),
                              viaJson(&json::instanceListFromJson));
}

Request<Instance> createInstance(const NewInstanceRequest& request) {
    return make<Instance>("POST", QStringLiteral("/instances"), viaJson(&instanceFromBody),
                          json::serialize(request));
}

Request<Instance> getInstance(const QString& instanceUuid) {
    return make<Instance>("GET", instancePath(instanceUuid), viaJson(&instanceFromBody));
}

Request<Done> destroyInstance(const QString& instanceUuid) {
    return make<Done>("DELETE", instancePath(instanceUuid), nothing());
}

Request<AuditPage> auditLog(const AuditQuery& query) {
    // Read with the SAX reader straight into the compact shape; the DOM reader
    // (json::auditPageFromJson) is only the tests' oracle.
    return make<AuditPage>(
        "GET", QStringLiteral("/audit-log"),
        [](const QByteArray& body) { return audit::parseAuditPage(body).page(); }, {},
        auditQuery(query));
}

Request<QByteArray> auditLogRaw(const AuditQuery& query) {
    Request<QByteArray> request;
    static_cast<RequestSpec&>(request) = auditLog(query);
    request.parse = [](const QByteArray& body) {
        return body;
    };
    return request;
}

} // namespace legba::requests
