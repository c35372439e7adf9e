#pragma once

#include "ApiError.h"
#include "AuditRecords.h"
#include "LegbaClient.h"

#include <QObject>
#include <memory>

namespace legba {

// The one way the app reads a page of the audit log: GET /audit-log for a query (its
// cursor names the page; empty: the first), the body parsed on a worker thread
// (QtConcurrent, the SAX reader) into an audit::AuditBatch, then one signal on the
// loader's thread: pageLoaded or failed. The batch holds the records, the next cursor
// (empty: no more pages) and the events that could not be read.
//
// One load at a time: a new load() supersedes the one in flight, cancel() drops it, and an
// answer to a superseded or cancelled load is never signalled, whether it was still on the
// network or already being parsed. Destroying the loader cancels too. The worker touches
// only the bytes it owns and the batch it returns.
class AuditPageLoader : public QObject {
    Q_OBJECT

public:
    using Page = std::shared_ptr<const audit::AuditBatch>;

    // `client` is not owned and must outlive the loader.
    explicit AuditPageLoader(LegbaClient* client, QObject* parent = nullptr);
    ~AuditPageLoader() override;

    // Asks for the page `query` describes, superseding any load in flight.
    void load(const AuditQuery& query);
    void cancel();
    bool isLoading() const { return m_loading; }

Q_SIGNALS:
    // The page `query` asked for. The batch's unique bytes are followed by 16 zero bytes,
    // so that AuditTextMatcher may read past a record's end.
    void pageLoaded(const legba::AuditQuery& query, legba::AuditPageLoader::Page page);
    // The request failed (an HTTP error, no answer, ...), or the server answered with a
    // body that is not an audit page: kind Parse, `message` naming the field and problem.
    // Never Cancelled.
    void failed(const legba::AuditQuery& query, const legba::ApiError& error);

private:
    void parse(QByteArray body, const AuditQuery& query, quint64 generation);

    LegbaClient* m_client; // not owned
    RequestHandle m_call;
    quint64 m_generation = 0;
    bool m_loading = false;
};

} // namespace legba
