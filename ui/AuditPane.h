#pragma once

#include "AuditExport.h"
#include "AuditPageSax.h"
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
// Pages arrive as raw bytes and are parsed on a worker thread (QtConcurrent) straight into
// compact records; the UI thread only merges a parsed page into the model.
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
    void setPageSize(int events) { m_pageSize = events; }

    // The query the table shows (without a cursor), as sent to the server.
    AuditQuery currentQuery() const;
    // Starts exporting the filtered log to `path` (format from the extension); false with
    // *error when the file cannot be opened.
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
    void exportFinished(bool ok, const QString& message);

protected:
    void showEvent(QShowEvent* event) override;

private:
    struct Parsed {
        std::shared_ptr<audit::AuditBatch> batch;
        QString error;
    };
    using ParsedCallback = std::function<void(Parsed)>;

    QHBoxLayout* buildToolbar();
    void reload();
    void applyFilters();
    void fetchPage(quint64 generation, const QString& cursor);
    void parseAsync(QByteArray body, const ParsedCallback& done);
    void afterPage();
    void onTailTimer();
    void fetchTail(const AuditQuery& query);
    void onTailBatch(std::shared_ptr<audit::AuditBatch> batch, const AuditQuery& query);
    void endTail();
    void onCurrentRowChanged();
    void rememberAnchor();
    void restoreAnchor();
    void onChartBucket(qint64 startMs, qint64 endMs);
    void loadKeys();
    void showError(const ApiError& error);
    // A page the server sent that is not the contract's audit page.
    void showParseError(const QString& message);
    void updateState();
    void updateSummary();
    void scheduleChart();
    void rangeBounds(QDateTime* since, QDateTime* until) const;
    void startExportDialog();
    void onExportFinished(bool ok, const QString& message);
    QString actorKeyId() const;

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
    QTimer* m_tailTimer;
    QTimer* m_chartTimer;
    QElapsedTimer m_chartClock; // since the chart was last drawn
    QTimer* m_customTimer;

    RequestHandle m_pageCall;
    RequestHandle m_tailCall;
    RequestHandle m_keysCall;
    bool m_tailBusy = false;
    quint64 m_tailGeneration = 0;
    int m_pageSize = 1000;
    bool m_needsLoad = true;
    bool m_loadedOnce = false;
    ListStatus m_status;
    qint64 m_anchor = -1;             // store index of the event at the top, while merging
    QString m_appliedSpec;            // the filters last loaded, to ignore non-changes
    AuditQuery m_activeQueryForPages; // fixed at reload, so that every page uses the same
    QString m_loadedProfile;
    // The live tail's boundary: the id of the event the server listed first (the most
    // recently recorded one matching the filters) when we last read the top of the log.
    // Everything listed above it since is new; everything below it we have or will page to.
    std::string m_tailHead;
    // Pages of the tail run in flight, newest first, and how many of each to keep; merged
    // only once the run reaches m_tailHead, so that a run that fails adds nothing twice.
    std::vector<std::pair<std::shared_ptr<audit::AuditBatch>, std::size_t>> m_tailPages;
    // Events the server sent since the last reload that could not be read.
    std::vector<UnreadableItem> m_unreadable;

    std::unique_ptr<AuditExporter> m_exporter;
    QPointer<QProgressDialog> m_exportProgress;
};

} // namespace legba
