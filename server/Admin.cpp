#include "Admin.h"

#include "Json.h"
#include "KeyFormat.h"
#include "Scope.h"

#include <QUuid>
#include <stdexcept>

namespace legba::server::admin {

namespace {

AuditRecord setupRecord(const QString& orgUuid, const QString& action, const QString& keyId,
                        qint64 now, const QString& via, int status) {
    AuditRecord r;
    r.orgUuid = orgUuid;
    r.occurredAtMs = now;
    r.action = action;
    r.target = AuditTarget{QStringLiteral("api_key"), keyId};
    r.statusCode = status;
    r.userAgent = QStringLiteral("legba-server");
    r.detailsJson = json::dump(nlohmann::json{{"via", json::str(via)}});
    return r;
}

KeyRow newKeyRow(const Secret& secret, const QString& orgUuid, const QString& name,
                 const QStringList& scopes, qint64 expiresAt, qint64 now) {
    KeyRow row;
    row.keyId = keyformat::generateKeyId();
    row.orgUuid = orgUuid;
    row.name = name;
    row.prefix = keyformat::displayPrefix(secret.reveal());
    row.scopes = scopes;
    row.createdAt = now;
    row.expiresAt = expiresAt;
    return row;
}

} // namespace

CreatedOrganization createOrganization(Store& store, const QString& name, qint64 now) {
    return createOrganization(store, name, now, Secret(keyformat::generate()));
}

CreatedOrganization createOrganization(Store& store, const QString& name, qint64 now,
                                       Secret ownerKey) {
    CreatedOrganization created;
    created.orgUuid = QUuid::createUuid().toString(QUuid::WithoutBraces);
    created.key = std::move(ownerKey);
    QStringList scopes;
    for (Scope scope : allScopes())
        scopes.append(wireName(scope));
    const KeyRow row =
        newKeyRow(created.key, created.orgUuid, QStringLiteral("Owner key"), scopes, 0, now);
    created.keyId = row.keyId;
    Transaction tx(store.db());
    store.insertOrganization(created.orgUuid, name, now);
    store.insertKey(row, keyformat::digest(created.key.reveal()));
    store.audit().append(setupRecord(created.orgUuid, QStringLiteral("api_key.created"), row.keyId,
                                     now, QStringLiteral("setup"), 201));
    tx.commit();
    return created;
}

IssuedKey createKey(Store& store, const QString& orgUuid, const QString& name,
                    const QStringList& scopes, qint64 expiresAtMs, qint64 now, const QString& via) {
    const QString trimmed = name.trimmed();
    if (!isValidKeyName(trimmed))
        throw std::invalid_argument("the name must be 1 to 100 characters");
    if (scopes.isEmpty())
        throw std::invalid_argument("at least one scope is needed");
    for (const QString& scope : scopes) {
        if (!scopeFromWireName(scope))
            throw std::invalid_argument("unknown scope: " + scope.toStdString());
        if (scopes.count(scope) > 1)
            throw std::invalid_argument("repeated scope: " + scope.toStdString());
    }
    if (!store.organizationExists(orgUuid))
        throw std::invalid_argument("no organization " + orgUuid.toStdString() +
                                    " in this data dir");
    IssuedKey issued;
    issued.secret = Secret(keyformat::generate());
    const KeyRow row = newKeyRow(issued.secret, orgUuid, trimmed, scopes, expiresAtMs, now);
    Transaction tx(store.db());
    store.insertKey(row, keyformat::digest(issued.secret.reveal()));
    store.audit().append(
        setupRecord(orgUuid, QStringLiteral("api_key.created"), row.keyId, now, via, 201));
    tx.commit();
    issued.record = row.toApiKey(now);
    return issued;
}

bool revokeKey(Store& store, const QString& orgUuid, const QString& keyId, qint64 now,
               const QString& via) {
    const auto row = store.key(orgUuid, keyId);
    if (!row)
        return false;
    Transaction tx(store.db());
    if (row->revokedAt == 0 || row->revokedAt > now)
        store.setRevoked(keyId, now);
    store.audit().append(
        setupRecord(orgUuid, QStringLiteral("api_key.revoked"), keyId, now, via, 204));
    tx.commit();
    return true;
}

} // namespace legba::server::admin
