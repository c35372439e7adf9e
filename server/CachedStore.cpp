#include "CachedStore.h"

namespace legba::server {

std::optional<KeyRow> CachedStore::keyByDigest(const QByteArray& digest) {
    checkExternalChanges();
    if (m_store.keyWrites() != m_keyWrites) {
        forgetKeys();
        m_keyWrites = m_store.keyWrites();
    }
    if (const auto it = m_known.constFind(digest); it != m_known.cend())
        return *it;
    if (m_unknown.contains(digest))
        return std::nullopt;
    auto row = m_store.keyByDigest(digest);
    if (row) {
        if (m_known.size() >= kMaxKnownKeys)
            m_known.clear();
        m_known.insert(digest, *row);
    } else {
        if (m_unknown.size() >= kMaxUnknownDigests) {
            m_unknown.remove(m_unknownOrder.front());
            m_unknownOrder.pop_front();
        }
        m_unknown.insert(digest);
        m_unknownOrder.push_back(digest);
    }
    return row;
}

const std::vector<InstanceRow>& CachedStore::liveInstances(const QString& orgUuid, qint64 now) {
    checkExternalChanges();
    auto it = m_liveInstances.find(orgUuid);
    if (it == m_liveInstances.end()) {
        if (m_liveInstances.size() >= 1000)
            m_liveInstances.clear();
        it = m_liveInstances.insert(orgUuid, m_store.liveInstances(orgUuid, now));
    }
    return *it;
}

int CachedStore::notDeletedInstances(const QString& orgUuid, qint64 now) {
    checkExternalChanges();
    auto it = m_notDeleted.find(orgUuid);
    if (it == m_notDeleted.end()) {
        if (m_notDeleted.size() >= 1000)
            m_notDeleted.clear();
        it = m_notDeleted.insert(orgUuid, m_store.countNotDeleted(orgUuid, now));
    }
    return *it;
}

void CachedStore::instanceCreated(const QString& orgUuid, int notDeletedNow) {
    m_liveInstances.remove(orgUuid);
    m_notDeleted.insert(orgUuid, notDeletedNow);
}

void CachedStore::instancesChanged(const QString& orgUuid) {
    m_liveInstances.remove(orgUuid);
    m_notDeleted.remove(orgUuid);
}

void CachedStore::checkExternalChanges() {
    // PRAGMA data_version costs a query; a commit by anyone changes the WAL-index header,
    // a copy of 48 bytes from its mapping sees. Only when it changed is the version asked.
    const Database::WalStamp stamp = m_store.db().walStamp();
    if (!stamp.isNull() && stamp == m_walStamp)
        return;
    m_walStamp = stamp;
    const qint64 version = m_store.dataVersion();
    if (version != m_dataVersion) {
        forget();
        m_dataVersion = version;
    }
}

void CachedStore::forgetKeys() {
    m_known.clear();
    m_unknown.clear();
    m_unknownOrder.clear();
}

void CachedStore::forget() {
    forgetKeys();
    m_liveInstances.clear();
    m_notDeleted.clear();
}

} // namespace legba::server
