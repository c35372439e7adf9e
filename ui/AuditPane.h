#pragma once

#include "AuditExport.h"
#include "AuditFeed.h"
#include "AuditHistory.h"
#include "LegbaClient.h"
#include "ListStatus.h"
#include "Pane.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QPointer>
#include <QProgressDialog>
#include <memory>
#include <string>
#include <utility>
#include <vector>

class QComboBox;
class QHBoxLayout;
class QDateTimeEdit;
class QLabel;
class QLineEdit;

class QPushButton;
class QSplitter;
class QTableView;
class QTimer;
class QToolButton;

namespace legba {

class BusyLine;
class AuditChart;
class AuditDetails;
class AuditLogModel;
class ListStatusView;
class MessageBanner;
class Session;

// The organization's audit log: a table that pages through the server's cursor as the
// user scrolls, filtered on the server (range, actor, action, outcome) and searched over
// what is loaded; a chart of events over time above it; the selected event's details
// beside it; a live tail; and export of the whole filtered log.
//
// The pane lays out and shows state: what is asked of the server, the parse on a worker
// thread and the live tail's decisions are AuditFeed's (app/); the pane merges the pages
// and new events it signals into the model.
class AuditPane : public Pane {
    Q_OBJECT

public:
    enum class Range { LastHour, Last24Hours, Last7Days, Last30Days, AllTime, Custom };
    Q_ENUM(Range)
    enum class Outcome { Any, Success, Failure };

    explicit AuditPane(Session* session, QWidget* parent = nullptr);
    ~AuditPane() override;

    QString title() const override;
    void refresh() override;
    void focusFilter() override;
    void primaryAction() override; // Export…
    QString copySelectionAsCurl() override;
    void sessionChanged() override;

    // The server-side filters. Each change reloads from the first page.
    void setRange(Range range);
    void setCustomRange(const QDateTime& since, const QDateTime& until);
    void setActorKeyId(const QString& keyId);
    void setAction(const QString& actionOrPrefix);
    void setOutcome(Outcome outcome);
    void setSearchText(const QString& text);
    void setLiveTail(bool on);
    void setTailInterval(int msecs);
    void setPageSize(int events);
    // The query, its pages and the live tail (the watch, app/AuditWatch, reads what it reads).
    AuditFeed* feed() const { return m_feed; }
    // The local archive of the session's profile (not owned; may be null). While it has one
    // open, the pane reads from it: the first page at once, the filters and the search
    // (full text, the whole archive) as archive queries, new events merged in after each
    // sync; the refresh and the live tail sync it. Without one, the pane reads the server.
    void setHistory(AuditHistory* history);
    AuditHistory* history() const { return m_history.data(); }
    // True while the table shows the local archive.
    bool readsArchive() const;
    // The backfill's line under the table: its words and its Cancel / Resume button.
    QLabel* archiveStatus() const { return m_archiveLabel; }
    QPushButton* archiveButton() const { return m_archiveButton; }

    // The query the table shows (without a cursor), as sent to the server.
    AuditQuery currentQuery() const;
    // Starts exporting the filtered log to `path` (format from the extension); false with
    // *error when the file cannot be opened. While the pane reads the archive, the archive's
    // events that the filters and the full-text search select, as the table shows them (a
    // query the archive refuses: false, with its words, and no file).
    bool exportTo(const QString& path, QString* error = nullptr);

    AuditLogModel* model() const { return m_model; }
    QTableView* view() const { return m_view; }
    AuditChart* chart() const { return m_chart; }
    AuditDetails* details() const { return m_details; }
    MessageBanner* banner() const { return m_banner; }
    QProgressDialog* exportProgress() const { return m_exportProgress; }
    bool isLoading() const;
    QString stateText() const; // the sentence on the empty / unavailable page, if shown
    const ListStatus& status() const { return m_status; }
    bool isStale() const { return m_status.isStale(); }

Q_SIGNALS:
    void pageLoaded(int events);
    void tailInserted(int events);
    // Read from the local archive: a page shown, and new events merged in (where keep[i]).
    void archivedPageShown(const legba::audit::AuditBatch& batch);
    void archivedEventsMerged(const legba::audit::AuditBatch& batch, const std::vector<char>& keep);
    void exportFinished(bool ok, const QString& message);

protected:
    void showEvent(QShowEvent* event) override;

private:
    QHBoxLayout* buildToolbar();
    void reload();
    void applyFilters();
    void onPageLoaded(const QString& cursor, const AuditPageLoader::Page& page);
    void afterPage();
    void onNewerEvents(const std::vector<AuditFeed::NewerPage>& pages, bool unreadable);
    void onCurrentRowChanged();
    void rememberAnchor();
    void restoreAnchor();
    void onChartBucket(qint64 startMs, qint64 endMs);
    void loadKeys();
    void showError(const ApiError& error);
    void updateState();
    void updateSummary();
    void scheduleChart();
    void rangeBounds(QDateTime* since, QDateTime* until) const;
    void startExportDialog();
    void onExportFinished(bool ok, const QString& message);
    QString actorKeyId() const;
    // The archive's side: a page read at once, new events merged after a sync.
    // The table's filters and search as an archive query (no page bounds).
    ArchiveQuery archiveQuery() const;
    void readArchivePage(quint64 generation, const QString& cursor);
    void mergeArchived();
    void onArchiveOpened();
    void onArchiveClosed();
    void showArchiveProgress();
    void showArchiveNotes();
    // The archive is shown while the server is away (offline, or the key rejected): the
    // filters, search and export work on it; the tail and Refresh wait.
    bool onLocalCopy() const;
    QString unreachableWords() const;

    Session* m_session;
    AuditLogModel* m_model;
    QTableView* m_view;
    AuditChart* m_chart;
    AuditDetails* m_details;
    QSplitter* m_vertical;
    QSplitter* m_horizontal;
    ListStatusView* m_list;
    QPushButton* m_exportButton;
    QComboBox* m_rangeBox;
    QDateTimeEdit* m_fromEdit;
    QDateTimeEdit* m_toEdit;
    QComboBox* m_actorBox;
    QComboBox* m_actionBox;
    QComboBox* m_outcomeBox;
    QToolButton* m_tailButton;
    QPushButton* m_refreshButton;
    QLineEdit* m_search;
    QLabel* m_summary;
    BusyLine* m_busy;        // m_list's
    MessageBanner* m_banner; // m_list's
    AuditFeed* m_feed;       // the query, its pages and the live tail
    QTimer* m_chartTimer;
    QElapsedTimer m_chartClock; // since the chart was last drawn
    QTimer* m_customTimer;

    RequestHandle m_keysCall;
    bool m_needsLoad = true;
    bool m_loadedOnce = false;
    ListStatus m_status;
    qint64 m_anchor = -1;  // store index of the event at the top, while merging
    QString m_appliedSpec; // the filters last loaded, to ignore non-changes
    QString m_loadedProfile;

    QPointer<AuditHistory> m_history; // not owned
    QWidget* m_archiveRow = nullptr;  // the backfill's progress and its button
    QLabel* m_archiveLabel = nullptr;
    QPushButton* m_archiveButton = nullptr;
    QTimer* m_archiveTail = nullptr; // the live tail's syncs, while reading the archive
    qint64 m_archiveTop = 0;         // the newest archive sequence loaded
    QString m_archiveNote;           // what the archive says that must outlive a banner clear

    std::unique_ptr<AuditExporter> m_exporter;
    QPointer<QProgressDialog> m_exportProgress;
};

} // namespace legba
