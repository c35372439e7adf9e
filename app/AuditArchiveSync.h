#pragma once

#include "AuditArchive.h"
#include "AuditPageLoader.h"

#include <QObject>
#include <vector>

namespace legba {

// Keeps an AuditArchive in step with the server's log through the one audit page loader.
// syncNewest() walks the log from the newest event down to the newest archived one (the
// cursors are stable while events arrive: no event twice, none skipped) and stores the
// walk as one run. backfill() stores older pages from the archive's persisted cursor until
// the server has no more, one transaction per page, so that it resumes after a restart;
// at the server's end, archived events older than the server's oldest are marked beyond
// its retention. One walk at a time; cancel() stops it, keeping what is stored.
class AuditArchiveSync : public QObject {
    Q_OBJECT

public:
    // Neither is owned; both must outlive the sync.
    AuditArchiveSync(LegbaClient* client, AuditArchive* archive, QObject* parent = nullptr);

    void setPageSize(int events) { m_pageSize = events; }
    void syncNewest();
    void backfill();
    void cancel();
    bool isBusy() const { return m_mode != Mode::Idle; }

Q_SIGNALS:
    // The head walk is stored; `result.changed` names events the server now sends otherwise.
    void newestSynced(const legba::StoreResult& result);
    // After each backfilled page: how many events the archive holds.
    void backfillProgress(qint64 archived);
    void backfillFinished();
    // The server failed or the archive could not be written; the walk stops.
    void failed(const QString& message);

private:
    enum class Mode { Idle, Newest, Backfill };
    void onPage(const AuditQuery& query, const AuditPageLoader::Page& page);
    void onLoadFailed(const AuditQuery& query, const ApiError& error);
    void load(const QString& cursor);
    void storeRun();
    void storeOlder(const audit::AuditBatch& page);
    void stop(const QString& failure = {});

    AuditPageLoader m_loader;
    AuditArchive* m_archive; // not owned
    Mode m_mode = Mode::Idle;
    int m_pageSize = 1000;
    QString m_stopAt; // the newest archived event when the head walk began
    std::vector<AuditPageLoader::Page> m_run;
};

} // namespace legba
