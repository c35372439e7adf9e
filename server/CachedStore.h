#pragma once

#include "Database.h"
#include "Store.h"

#include <QByteArray>
#include <QHash>
#include <QSet>
#include <deque>
#include <optional>
#include <vector>

namespace legba::server {

// The store's answers that requests ask for again and again, kept in memory: the key behind a
// presented digest, an organization's live instances and its count against the quota. A digest that
// matches no key is remembered as well, in a bounded set, so that an unknown key costs what a
// revoked or expired one does (one digest, one lookup in memory) instead of a database query each
// time: the time of a refusal says nothing about whether the key ever existed.
//
// Known and unknown digests are dropped together, so that they stay alike: when this process
// writes keys through the store (Store::keyWrites: a key created after its digest was
// remembered as unknown works at once, whoever created it), and, with everything else, when
// another connection commits (PRAGMA data_version, asked only when the WAL-index header
// moved: `legba-server keys revoke` from another process).
class CachedStore {
public:
    // Bounds on memory: a flood of distinct unknown keys evicts the oldest unknown digests,
    // never a known key.
    static constexpr qsizetype kMaxKnownKeys = 10000;
    static constexpr qsizetype kMaxUnknownDigests = 4096;

    explicit CachedStore(Store& store)
        : m_store(store) {}

    Store& store() { return m_store; }

    // The key stored with this digest (revoked and expired ones too), or none.
    std::optional<KeyRow> keyByDigest(const QByteArray& digest);

    // Not terminated when loaded, oldest first: the caller filters by the time of its request.
    const std::vector<InstanceRow>& liveInstances(const QString& orgUuid, qint64 now);
    // Instances counted against the quota: not deleted.
    int notDeletedInstances(const QString& orgUuid, qint64 now);
    // After this process committed a change of the organization's instances.
    void instanceCreated(const QString& orgUuid, int notDeletedNow);
    void instancesChanged(const QString& orgUuid);

    qsizetype unknownDigestCount() const { return m_unknown.size(); }

private:
    // Drops every cached answer when another connection committed since the last check.
    void checkExternalChanges();
    void forgetKeys(); // known and unknown digests alike
    void forget();

    Store& m_store;
    QHash<QByteArray, KeyRow> m_known;
    QSet<QByteArray> m_unknown;
    std::deque<QByteArray> m_unknownOrder; // oldest first, for eviction
    quint64 m_keyWrites = 0;               // Store::keyWrites() when the entries were made
    QHash<QString, std::vector<InstanceRow>> m_liveInstances;
    QHash<QString, int> m_notDeleted;
    qint64 m_dataVersion = -1;
    Database::WalStamp m_walStamp; // as it was when m_dataVersion was read
};

} // namespace legba::server
