#include "Store.h"

#include <QDateTime>

namespace legba::server {

namespace {

#define LEGBA_KEY_COLUMNS                                                                          \
    "key_id, org_uuid, name, prefix, scopes, created_at, expires_at, last_used_at, revoked_at, "   \
    "rotated_to"

KeyRow readKey(const Rows& rows) {
    KeyRow k;
    k.keyId = rows.string(0);
    k.orgUuid = rows.string(1);
    k.name = rows.string(2);
    k.prefix = rows.string(3);
    k.scopes = rows.string(4).split(QLatin1Char(' '), Qt::SkipEmptyParts);
    k.createdAt = rows.integer(5);
    k.expiresAt = rows.integer(6);
    k.lastUsedAt = rows.integer(7);
    k.revokedAt = rows.integer(8);
    k.rotatedTo = rows.string(9);
    return k;
}

#define LEGBA_INSTANCE_COLUMNS                                                                     \
    "instance_uuid, org_uuid, image, size, created_at, ready_at, deleted_at, terminated_at"

InstanceRow readInstance(const Rows& rows) {
    InstanceRow i;
    i.instanceUuid = rows.string(0);
    i.orgUuid = rows.string(1);
    i.image = rows.string(2);
    i.size = rows.string(3);
    i.createdAt = rows.integer(4);
    i.readyAt = rows.integer(5);
    i.deletedAt = rows.integer(6);
    i.terminatedAt = rows.integer(7);
    return i;
}

} // namespace

ApiKey KeyRow::toApiKey(qint64 now) const {
    ApiKey key;
    key.keyId = keyId;
    key.name = name;
    key.prefix = prefix;
    key.scopes = scopes;
    key.createdAt = timeFromStoredMs(createdAt);
    key.expiresAt = timeFromStoredMs(expiresAt);
    key.lastUsedAt = timeFromStoredMs(lastUsedAt);
    key.revokedAt = timeFromStoredMs(revokedAt);
    if (revokedAt > 0 && revokedAt <= now)
        key.status = KeyStatus::Revoked;
    else if (expiresAt > 0 && expiresAt <= now)
        key.status = KeyStatus::Expired;
    else
        key.status = KeyStatus::Active;
    return key;
}

InstanceStatus InstanceRow::statusAt(qint64 now) const {
    if (deletedAt > 0)
        return terminatedAt <= now ? InstanceStatus::Terminated : InstanceStatus::Terminating;
    return readyAt <= now ? InstanceStatus::Running : InstanceStatus::Provisioning;
}

Instance InstanceRow::toInstance(qint64 now, const QString& accessUrlBase) const {
    Instance i;
    i.instanceUuid = instanceUuid;
    i.status = statusAt(now);
    i.image = image;
    i.size = instanceSizeFromWireName(size).value_or(InstanceSize::Small);
    i.createdAt = timeFromStoredMs(createdAt);
    i.accessUrl = accessUrlBase + QStringLiteral("/sandbox/instances/") + instanceUuid;
    return i;
}

qint64 Store::dataVersion() {
    Rows rows(m_db.run("PRAGMA data_version"));
    return rows.next() ? rows.integer(0) : -1;
}

void Store::insertOrganization(const QString& orgUuid, const QString& name, qint64 now) {
    m_db.run("INSERT INTO organizations (org_uuid, name, created_at) VALUES (?, ?, ?)",
             {orgUuid, name, now})
        .finish();
}

bool Store::organizationExists(const QString& orgUuid) {
    Rows rows(m_db.run("SELECT 1 FROM organizations WHERE org_uuid = ?", {orgUuid}));
    return rows.next();
}

QList<std::pair<QString, QString>> Store::organizations() {
    QList<std::pair<QString, QString>> out;
    Rows rows(m_db.run("SELECT org_uuid, name FROM organizations ORDER BY created_at, rowid"));
    while (rows.next())
        out.append({rows.string(0), rows.string(1)});
    return out;
}

void Store::insertKey(const KeyRow& k, const QByteArray& digest) {
    ++m_keyWrites;
    m_db.run("INSERT INTO api_keys (key_id, org_uuid, name, prefix, digest, scopes, created_at, "
             "expires_at, last_used_at, revoked_at, rotated_to) "
             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL)",
             {k.keyId, k.orgUuid, k.name, k.prefix, QString::fromLatin1(digest),
              k.scopes.join(QLatin1Char(' ')), k.createdAt, nullableMs(k.expiresAt)})
        .finish();
}

std::optional<KeyRow> Store::keyByDigest(const QByteArray& digest) {
    ++m_digestLookups;
    Rows rows(m_db.run("SELECT " LEGBA_KEY_COLUMNS " FROM api_keys WHERE digest = ?",
                       {QString::fromLatin1(digest)}));
    if (!rows.next())
        return std::nullopt;
    return readKey(rows);
}

std::optional<KeyRow> Store::key(const QString& orgUuid, const QString& keyId) {
    Rows rows(m_db.run("SELECT " LEGBA_KEY_COLUMNS
                       " FROM api_keys WHERE key_id = ? AND org_uuid = ?",
                       {keyId, orgUuid}));
    if (!rows.next())
        return std::nullopt;
    return readKey(rows);
}

std::vector<KeyRow> Store::keys(const QString& orgUuid) {
    std::vector<KeyRow> out;
    Rows rows(m_db.run("SELECT " LEGBA_KEY_COLUMNS
                       " FROM api_keys WHERE org_uuid = ? ORDER BY created_at, rowid",
                       {orgUuid}));
    while (rows.next())
        out.push_back(readKey(rows));
    return out;
}

void Store::setRevoked(const QString& keyId, qint64 revokedAt, const QString& rotatedTo) {
    ++m_keyWrites;
    m_db.run("UPDATE api_keys SET revoked_at = ?, rotated_to = COALESCE(?, rotated_to) "
             "WHERE key_id = ?",
             {revokedAt, rotatedTo.isEmpty() ? QVariant() : QVariant(rotatedTo), keyId})
        .finish();
}

void Store::setLastUsed(const QString& keyId, qint64 when) {
    m_db.run("UPDATE api_keys SET last_used_at = ? WHERE key_id = ? AND "
             "(last_used_at IS NULL OR last_used_at < ?)",
             {when, keyId, when})
        .finish();
}

void Store::insertInstance(const InstanceRow& i) {
    m_db.run("INSERT INTO instances (instance_uuid, org_uuid, image, size, created_at, ready_at, "
             "deleted_at, terminated_at) VALUES (?, ?, ?, ?, ?, ?, NULL, NULL)",
             {i.instanceUuid, i.orgUuid, i.image, i.size, i.createdAt, i.readyAt})
        .finish();
}

std::optional<InstanceRow> Store::instance(const QString& orgUuid, const QString& instanceUuid) {
    Rows rows(m_db.run("SELECT " LEGBA_INSTANCE_COLUMNS
                       " FROM instances WHERE instance_uuid = ? AND org_uuid = ?",
                       {instanceUuid, orgUuid}));
    if (!rows.next())
        return std::nullopt;
    return readInstance(rows);
}

std::optional<InstanceRow> Store::instanceAnyOrg(const QString& instanceUuid) {
    Rows rows(m_db.run("SELECT " LEGBA_INSTANCE_COLUMNS " FROM instances WHERE instance_uuid = ?",
                       {instanceUuid}));
    if (!rows.next())
        return std::nullopt;
    return readInstance(rows);
}

std::vector<InstanceRow> Store::liveInstances(const QString& orgUuid, qint64 now) {
    std::vector<InstanceRow> out;
    Rows rows(m_db.run("SELECT " LEGBA_INSTANCE_COLUMNS " FROM instances WHERE org_uuid = ? AND "
                       "(terminated_at IS NULL OR terminated_at > ?) ORDER BY created_at, rowid",
                       {orgUuid, now}));
    while (rows.next())
        out.push_back(readInstance(rows));
    return out;
}

int Store::countNotDeleted(const QString& orgUuid, qint64 /*now*/) {
    Rows rows(m_db.run("SELECT count(*) FROM instances WHERE org_uuid = ? AND deleted_at IS NULL",
                       {orgUuid}));
    return rows.next() ? static_cast<int>(rows.integer(0)) : 0;
}

void Store::markDeleted(const QString& instanceUuid, qint64 deletedAt, qint64 terminatedAt) {
    m_db.run("UPDATE instances SET deleted_at = ?, terminated_at = ? WHERE instance_uuid = ?",
             {deletedAt, terminatedAt, instanceUuid})
        .finish();
}

} // namespace legba::server
