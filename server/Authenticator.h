#pragma once

#include "ApiCall.h"

#include <QHash>
#include <QString>
#include <deque>

namespace legba::server {

// Who is calling, and whether they may call now: the bearer key of a request under
// /orgs/{org_uuid}/ and both rate limits, the failed authentications per client address and
// the requests per key. A refusal is an ApiFailure (401 or 429) after its audit event.
class Authenticator {
public:
    Authenticator(Store& store, CachedStore& cache, AuditWriter& writer,
                  const ServerOptions& options, const ApiShape& shape)
        : m_store(store)
        , m_cache(cache)
        , m_writer(writer)
        , m_options(options)
        , m_shape(shape) {}

    // Sets call.key to the key of call.orgUuid the request presents, or records the failure
    // (one event, or a count once the address is limited) and throws.
    void authenticate(Call& call);
    // Counts the call against its key's requests per minute (when that limit is on) and
    // sets call.rate; throws 429 past the limit.
    void checkKeyRate(Call& call);

    // The newest use of the key seen by this thread, written or not (0: none): the
    // database may lag behind it by one batch.
    qint64 lastUse(const QString& keyId) const { return m_lastUse.value(keyId); }
    // Records the counts of limited failures whose window closed before `now`, or all.
    void recordSuppressedUpTo(qint64 now, bool all);

private:
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
    struct Window {
        qint64 start = 0;
        int count = 0;
    };

    [[noreturn]] void refuse(Call& call, const QByteArray& token, const QString& reason);
    void recordSuppressed(const Suppressed& s);

    Store& m_store;
    CachedStore& m_cache;
    AuditWriter& m_writer;
    const ServerOptions& m_options;
    const ApiShape& m_shape;

    QHash<QString, qint64> m_lastUse;
    QHash<QString, Window> m_keyWindows;
    QHash<QString, std::deque<qint64>> m_failedAuth;
    QHash<QString, Suppressed> m_suppressed; // by address, '\n', organization
};

} // namespace legba::server
