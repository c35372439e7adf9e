#pragma once

#include "AuditArchive.h"

#include <QDateTime>
#include <QObject>
#include <QString>
#include <functional>
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
// the archive keeps its copy. Once the backfill has finished, at most once a day per archive
// (the time is kept in the archive), the archive is verified in the background against the
// server's whole log (AuditArchiveSync::verify): events changed or vanished on the server are
// reported as integrity issues, and events the server has dropped since are marked beyond its
// retention. Never while a backfill runs.
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

    // Verifies the archive against the server's whole log now, whatever the time of the last
    // verification; false when it cannot run now (no archive, not connected, a backfill or a
    // verification running, or the backfill not done).
    bool startVerification();
    void cancelVerification();
    bool isVerifying() const;
    // How long after a finished verification the next one is due (default: a day).
    void setVerifyInterval(qint64 seconds) { m_verifyIntervalSecs = seconds; }
    using Clock = std::function<QDateTime()>;
    void setClock(Clock now) { m_now = std::move(now); }

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
    void verificationStarted();
    // The verification read the whole log; `markedBeyondRetention` events were newly marked.
    void verificationFinished(int markedBeyondRetention);
    // Issues found now (also kept in issues()).
    void integrityIssues(const std::vector<legba::IntegrityIssue>& found);
    // A sync or a read failed; `message` says what, and what the server or file said.
    void failed(const QString& message);

private:
    void onSessionChanged();
    void open(const QString& profileId);
    void close();
    void addIssues(std::vector<IntegrityIssue> found);
    void verifyIfDue();

    Session* m_session; // not owned
    QString m_dataDir;
    QString m_profileId;   // the profile whose archive is open, or failed to open
    QString m_unavailable; // why it failed
    std::unique_ptr<AuditArchive> m_archive;
    // Two walks so that a refresh never cancels the backfill (one thread: never together
    // inside the archive).
    std::unique_ptr<AuditArchiveSync> m_head;
    std::unique_ptr<AuditArchiveSync> m_backfill;
    std::unique_ptr<AuditArchiveSync> m_verify;
    Clock m_now;
    qint64 m_verifyIntervalSecs = qint64{24} * 60 * 60;
    std::vector<IntegrityIssue> m_issues;
    int m_pageSize = 1000;
    bool m_autoBackfill = true;
    bool m_userCancelled = false; // the backfill was cancelled, not resumed since
    bool m_connected = false;     // the session was connected when last seen
};

} // namespace legba
