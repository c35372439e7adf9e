#pragma once

#include "AuditLog.h"
#include "Database.h"
#include "Types.h"

#include <QString>
#include <QStringList>
#include <optional>
#include <vector>

namespace legba::server {

// A key as stored: the API record's fields plus what only the server sees. Never the key.
struct KeyRow {
    QString keyId;
    QString orgUuid;
    QString name;
    QString prefix;
    QStringList scopes;
    qint64 createdAt = 0;
    qint64 expiresAt = 0;  // 0: never
    qint64 lastUsedAt = 0; // 0: never
    qint64 revokedAt = 0;  // 0: not revoked; in the future: the end of a rotation's grace
    QString rotatedTo;

    bool usableAt(qint64 now) const {
        return (revokedAt == 0 || revokedAt > now) && (expiresAt == 0 || expiresAt > now);
    }
    ApiKey toApiKey(qint64 now) const;
};

struct InstanceRow {
    QString instanceUuid;
    QString orgUuid;
    QString image;
    QString size;
    qint64 createdAt = 0;
    qint64 readyAt = 0;
    qint64 deletedAt = 0;
    qint64 terminatedAt = 0;

    // The life cycle is a function of time, so it needs no timers and survives restarts.
    InstanceStatus statusAt(qint64 now) const;
    Instance toInstance(qint64 now, const QString& accessUrlBase) const;
};

// Organizations, keys and instances in the database. Every mutation runs inside the
// caller's Transaction together with its audit event.
class Store {
public:
    explicit Store(Database& db)
        : m_db(db)
        , m_audit(db) {}

    Database& db() { return m_db; }
    AuditLog& audit() { return m_audit; }

    // Changes when another connection commits (PRAGMA data_version).
    qint64 dataVersion();

    // Organizations
    void insertOrganization(const QString& orgUuid, const QString& name, qint64 now);
    bool organizationExists(const QString& orgUuid);
    QList<std::pair<QString, QString>> organizations();

    // Keys
    void insertKey(const KeyRow& row, const QByteArray& digest);
    std::optional<KeyRow> keyByDigest(const QByteArray& digest);
    // Queries keyByDigest ran, so that tests can see what a cache spared.
    quint64 digestLookups() const { return m_digestLookups; }
    // Moves with every insertKey and setRevoked through this store (committed or not), so
    // that caches of keys on this connection know when to drop what they hold.
    quint64 keyWrites() const { return m_keyWrites; }
    std::optional<KeyRow> key(const QString& orgUuid, const QString& keyId);
    std::vector<KeyRow> keys(const QString& orgUuid);
    void setRevoked(const QString& keyId, qint64 revokedAt, const QString& rotatedTo = {});
    void setLastUsed(const QString& keyId, qint64 when);

    // Instances
    void insertInstance(const InstanceRow& row);
    std::optional<InstanceRow> instance(const QString& orgUuid, const QString& instanceUuid);
    std::optional<InstanceRow> instanceAnyOrg(const QString& instanceUuid);
    // Not terminated at `now`, oldest first.
    std::vector<InstanceRow> liveInstances(const QString& orgUuid, qint64 now);
    int countNotDeleted(const QString& orgUuid, qint64 now);
    void markDeleted(const QString& instanceUuid, qint64 deletedAt, qint64 terminatedAt);

private:
    Database& m_db;
    AuditLog m_audit;
    quint64 m_digestLookups = 0;
    quint64 m_keyWrites = 0;
};

} // namespace legba::server
