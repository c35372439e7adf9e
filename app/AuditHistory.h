#pragma once

#include "AuditArchive.h"

#include <QObject>
#include <QString>
#include <memory>
#include <vector>

namespace legba {

class AuditArchiveSync;
class Session;

// The local audit archive of the session's profile, as the app uses it: opened when the
// session connects to a saved profile (one with a stable id; an environment profile has
// none and gets no archive), closed when it disconnects or moves to another profile. On
// open it checks its rows against their digests and syncs the newest events, then
// backfills older history in the background (the archive persists its cursor, so that a
// backfill cut short resumes after a restart). syncNewest() on demand serves the pane's
// refresh and live tail. What sync sees of changed events is reported as integrity issues;
// the archive keeps its copy.
//
// When the archive cannot be opened (a data directory that cannot be written, a corrupt
// file), unavailable() says why and archive() stays null: the pane falls back to the server.
// The archive holds events only; the key stays in the session's client.
class AuditHistory : public QObject {
    Q_OBJECT

public:
    // `dataDir`: where archives live (AuditArchive::pathFor); empty: AppDataLocation.
    explicit AuditHistory(Session* session, QString dataDir = {}, QObject* parent = nullptr);
    ~AuditHistory() override;

    // The open archive, or null. Owned; valid until closed() is signalled.
    AuditArchive* archive() const { return m_archive.get(); }
    // Why the current profile has no archive open (empty when one is, or none is wanted).
    QString unavailableReason() const { return m_unavailable; }
    QString profileId() const { return m_profileId; }

    void setPageSize(int events);
    // Whether opening starts the backfill once the newest events are in (default: yes).
    void setAutoBackfill(bool on) { m_autoBackfill = on; }

    // Fetches the events newer than the newest archived one; false when no archive is open,
    // the session is not connected, or a sync of the newest events is already running.
    bool syncNewest();
    bool isSyncing() const;
    // Starts (or resumes) filling in older history; false when it cannot run now.
    bool startBackfill();
    void cancelBackfill();
    bool isBackfilling() const;
    bool backfillDone() const;

    // Every issue found since the archive was opened.
    const std::vector<IntegrityIssue>& issues() const { return m_issues; }

Q_SIGNALS:
    void opened();
    void closed();
    // The current profile's archive could not be opened: `reason` names the file and why.
    void unavailable(const QString& reason);
    // The newest events are stored: `inserted` of them were new.
    void newestSynced(int inserted);
    void backfillStarted();
    void backfillProgress(qint64 archived);
    // The backfill reached the server's oldest event.
    void backfillFinished();
    // The backfill stopped before the end: cancelled, failed or closed.
    void backfillStopped();
    // Issues found now (also kept in issues()).
    void integrityIssues(const std::vector<legba::IntegrityIssue>& found);
    // A sync or a read failed; `message` says what, and what the server or file said.
    void failed(const QString& message);

private:
    void onSessionChanged();
    void open(const QString& profileId);
    void close();
    void addIssues(std::vector<IntegrityIssue> found);

    Session* m_session; // not owned
    QString m_dataDir;
    QString m_profileId;   // the profile whose archive is open, or failed to open
    QString m_unavailable; // why it failed
    std::unique_ptr<AuditArchive> m_archive;
    // Two walks so that a refresh never cancels the backfill (one thread: never together
    // inside the archive).
    std::unique_ptr<AuditArchiveSync> m_head;
    std::unique_ptr<AuditArchiveSync> m_backfill;
    std::vector<IntegrityIssue> m_issues;
    int m_pageSize = 1000;
    bool m_autoBackfill = true;
    bool m_userCancelled = false; // the backfill was cancelled, not resumed since
    bool m_connected = false;     // the session was connected when last seen
};

} // namespace legba
