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
// its retention. verify() walks the server's whole unfiltered log, newest first, comparing
// each page with the archive (AuditArchive::compareWithServer: events changed, or vanished
// while the server should still have them) and, at the server's end, marks the archived
// events older than the server's oldest as beyond its retention; it changes no archived
// event. Events arriving during the walk are newer than its first page (the cursors are
// stable) and are not compared. It must not run while a backfill stores into the same
// archive. One walk at a time; cancel() stops it, keeping what is stored.
class AuditArchiveSync : public QObject {
    Q_OBJECT

public:
    // Neither is owned; both must outlive the sync.
    AuditArchiveSync(LegbaClient* client, AuditArchive* archive, QObject* parent = nullptr);

    void setPageSize(int events) { m_pageSize = events; }
    void syncNewest();
    void backfill();
    void verify();
    void cancel();
    bool isBusy() const { return m_mode != Mode::Idle; }
    bool isVerifying() const { return m_mode == Mode::Verify; }

Q_SIGNALS:
    // The head walk is stored; `result.changed` names events the server now sends otherwise.
    void newestSynced(const legba::StoreResult& result);
    // After each backfilled page: how many events the archive holds.
    void backfillProgress(qint64 archived);
    void backfillFinished();
    // After each page verify() compared: how many of the server's events it has read.
    void verifyProgress(qint64 compared);
    // Disagreements found in the page just compared (only when there are some).
    void verifyIssues(const std::vector<legba::IntegrityIssue>& found);
    // The walk reached the server's oldest event; `markedBeyondRetention` events were newly
    // marked as beyond the server's retention.
    void verifyFinished(int markedBeyondRetention);
    // The server failed or the archive could not be written; the walk stops.
    void failed(const QString& message);

private:
    enum class Mode { Idle, Newest, Backfill, Verify };
    void onPage(const AuditQuery& query, const AuditPageLoader::Page& page);
    void onLoadFailed(const AuditQuery& query, const ApiError& error);
    void load(const QString& cursor);
    void storeRun();
    void storeOlder(const audit::AuditBatch& page);
    void verifyPage(const audit::AuditBatch& page);
    void stop(const QString& failure = {});

    AuditPageLoader m_loader;
    AuditArchive* m_archive; // not owned
    Mode m_mode = Mode::Idle;
    int m_pageSize = 1000;
    QString m_stopAt; // the newest archived event when the head walk began
    std::vector<AuditPageLoader::Page> m_run;
    qint64 m_ceiling = 0;  // verify: AuditArchive::compareWithServer's walk state
    qint64 m_compared = 0; // verify: server events read
};

} // namespace legba
